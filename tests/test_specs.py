"""Cloud specs and the engine on small in-memory resources, without starting Checkov.

The end-to-end fixture tests prove verdicts through the real Checkov; these prove the pieces: every
shipped spec is valid and names only hooks that exist, every type a spec reports on has a fixture,
and the builders make the links and exits a rule then judges.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import pytest
from cn_crossborder.clouds import products
from cn_crossborder.clouds.spec import RULE_OF, all_specs, coverage_of, ledger_of, load_spec_text
from cn_crossborder.domain.context import ScanContext
from cn_crossborder.domain.policy import default_policy
from cn_crossborder.domain.resource import Resource
from cn_crossborder.domain.yamlsrc import InputError, load_single, schema_problems
from cn_crossborder.network import build_model
from cn_crossborder.rules import all_rules, get_rule
from cn_crossborder.sources.providers import ProviderConfig
from cn_crossborder.sources.terraform import TerraformConfig

from .harness import FIXTURES, ROOT

AS_OF = dt.date(2026, 11, 23)


# --- the specs as data -----------------------------------------------------------------------------------


def test_every_cloud_has_a_valid_spec() -> None:
    assert [s.cloud for s in all_specs()] == [
        "aws",
        "azurerm",
        "alicloud",
        "tencentcloud",
        "huaweicloud",
        "volcengine",
        "baiducloud",
    ]


def test_every_shipped_spec_passes_the_strict_loader() -> None:
    """Specs are read by the fast loader at scan time; the strict one (line numbers, duplicate keys) here."""
    for spec in all_specs():
        cloud = spec.cloud
        text = (ROOT / "plugin" / "clouds" / "specs" / f"{cloud}.yaml").read_text(encoding="utf-8")
        doc = load_single(spec.file, text)
        assert schema_problems(doc, "cloud-spec.schema.json") == [], spec.file


def test_a_broken_spec_is_refused_with_located_problems() -> None:
    text = "cloud: aws\ndescription: x\nvpn:\n  - type: aws_vpn_connection\n    peer: {attr: customer_gateway_id}\n"
    with pytest.raises(InputError) as exc:
        load_spec_text("broken.yaml", text)
    problems = [str(p) for p in exc.value.problems]
    assert any("broken.yaml:5" in p and "address" in p for p in problems), problems


def test_an_unknown_spec_key_is_refused() -> None:
    text = "cloud: aws\ndescription: x\nvpns: []\n"
    with pytest.raises(InputError, match="unknown key 'vpns'"):
        load_spec_text("typo.yaml", text)


def _hook_names(value: Any, key: str) -> list[str]:
    found: list[str] = []
    if isinstance(value, Mapping):
        for k, v in value.items():
            if k == key and isinstance(v, str):
                found.append(v)
            found += _hook_names(v, key)
    elif isinstance(value, list):
        for item in value:
            found += _hook_names(item, key)
    return found


@pytest.mark.parametrize(
    ("key", "registry"),
    [
        ("product", products.PRODUCTS),
        ("closure", products.CLOSURES),
        ("areas", products.AREAS),
    ],
)
def test_every_hook_a_spec_names_exists(key: str, registry: Mapping[str, Any]) -> None:
    for spec in all_specs():
        for name in _hook_names(spec.data, key):
            assert name in registry, f"{spec.file}: {key} {name!r} is not in products"
    for spec in all_specs():
        for name in spec.hooks("links"):
            assert name in products.LINK_HOOKS
        for name in spec.hooks("exits"):
            assert name in products.EXIT_HOOKS
        for entry in spec.entries("lines"):
            assert entry.get("local", next(iter(products.LOCAL))) in products.LOCAL


def _fixture_types() -> set[str]:
    text = "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in FIXTURES.rglob("*")
        if p.is_file() and p.suffix in (".tf", ".json", ".yaml", ".yml")
    )
    found = set(re.findall(r'^\s*resource\s+"([a-z0-9_]+)"', text, re.M))
    found |= {f"data.{t}" for t in re.findall(r'^\s*data\s+"([a-z0-9_]+)"', text, re.M)}
    found |= set(re.findall(r'"type":\s*"([a-z0-9_]+)"', text))  # plan JSON
    found |= set(re.findall(r"^\s+Type:\s*['\"]?(AWS::[A-Za-z0-9:]+)", text, re.M))  # templates
    return found


def test_every_reported_type_has_a_fixture() -> None:
    """A type a rule reports on but no fixture exercises is coverage nobody has seen work."""
    fixtures = _fixture_types()
    missing = sorted(
        f"{rule.id} {cov.resource_type}"
        for rule in all_rules().values()
        for cov in rule.coverage
        if cov.reported and cov.resource_type not in fixtures
    )
    assert missing == []


def _covered(cloud: str) -> set[str]:
    return {
        cov.resource_type
        for rule in all_rules().values()
        for cov in rule.coverage
        if cov.cloud == cloud and "::" not in cov.resource_type
    }


def test_every_covered_type_of_the_ledger_has_a_fixture() -> None:
    """The ledger's covered types (reported or only read) have all been seen in a fixture."""
    fixtures = _fixture_types()
    missing = sorted(f"{spec.cloud} {t}" for spec in all_specs() for t in _covered(spec.cloud) - fixtures)
    assert missing == []


def test_the_ledger_lists_no_covered_type_as_not_covered() -> None:
    both = sorted(
        f"{spec.cloud} {t}" for spec in all_specs() for t, _, _ in ledger_of(spec) if t in _covered(spec.cloud)
    )
    assert both == []


def test_an_untagged_type_is_read_and_offered_no_tags() -> None:
    """``untagged`` names only types the spec reads, and their coverage offers them no tags."""
    for spec in all_specs():
        rows = [c for cov in coverage_of(spec).values() for c in cov]
        for rtype in spec.data.get("untagged", ()):
            own = [c.reads for c in rows if c.resource_type == rtype]
            assert own, f"{spec.cloud}: untagged {rtype} is not read by any entry"
            assert not any("cn-crossborder:location" in r or r.endswith("; tags") for r in own), (spec.cloud, rtype)


def test_coverage_is_derived_from_the_specs() -> None:
    aws = next(s for s in all_specs() if s.cloud == "aws")
    covered = coverage_of(aws)
    assert set(covered) == set(RULE_OF.values()) - {"CKV_CNX_201"}
    reported_101 = {c.resource_type for c in covered["CKV_CNX_101"] if c.reported}
    read_101 = {c.resource_type for c in covered["CKV_CNX_101"] if not c.reported}
    assert reported_101 == {"aws_vpn_connection"}
    assert {"aws_customer_gateway", "aws_vpn_gateway"} <= read_101
    assert "aws_vpn_connection" in get_rule("CKV_CNX_101").resource_types
    assert "aws_customer_gateway" not in get_rule("CKV_CNX_101").resource_types


# --- the engine on in-memory resources -------------------------------------------------------------------


class Config:
    """A hand-made configuration: resources with attributes and references, providers by name."""

    def __init__(self) -> None:
        self.config = TerraformConfig()

    def provider(self, name: str, **attrs: Any) -> None:
        scope = ("root", "mem")
        self.config.providers[(scope, name, None)] = ProviderConfig(name, None, attrs, "mem/providers.tf", 1, ())

    def add(self, rtype: str, name: str, refs: Mapping[str, Resource] | None = None, **attrs: Any) -> Resource:
        res = Resource(
            len(self.config.resources), rtype, f"{rtype}.{name}", "mem/main.tf", 1, 1, attrs, ("root", "mem")
        )
        for attr, target in (refs or {}).items():
            res.refs[attr] = [target]
            res.attrs[attr] = f"{target.address}.id"  # type: ignore[index]
        self.config.resources.append(res)
        self.config.by_type[rtype].append(res)
        self.config.by_address[res.address].append(res)
        return res

    def verdict(self, rule_id: str, res: Resource) -> str:
        model = build_model(self.config, ScanContext(default_policy(), AS_OF))
        verdict = get_rule(rule_id).evaluate(model, res)
        assert verdict is not None
        return verdict.result


def test_a_vpn_from_beijing_to_a_german_address_crosses_without_a_carrier() -> None:
    c = Config()
    c.provider("aws", region="cn-north-1")
    cgw = c.add("aws_customer_gateway", "fra", ip_address="85.214.10.1", tags={"cn-crossborder:location": "DE"})
    vgw = c.add("aws_vpn_gateway", "bj")
    conn = c.add("aws_vpn_connection", "bj_fra", {"customer_gateway_id": cgw, "vpn_gateway_id": vgw})
    route = c.add("aws_route", "default", {"gateway_id": vgw}, destination_cidr_block="0.0.0.0/0")
    internal = c.add("aws_route", "internal", {"gateway_id": vgw}, destination_cidr_block="10.0.0.0/8")
    assert c.verdict("CKV_CNX_101", conn) == "FAILED"
    assert c.verdict("CKV_CNX_104", route) == "FAILED"
    assert c.verdict("CKV_CNX_104", internal) == "PASSED"


def test_a_route_to_a_prefix_list_is_a_default_route_when_the_list_may_hold_one() -> None:
    """The list's entries are read (inline or as entry resources); a list not in the configuration
    may hold 0.0.0.0/0 and fails closed."""
    c = Config()
    c.provider("aws", region="cn-north-1")
    cgw = c.add("aws_customer_gateway", "fra", ip_address="85.214.10.1", tags={"cn-crossborder:location": "DE"})
    vgw = c.add("aws_vpn_gateway", "bj")
    c.add("aws_vpn_connection", "bj_fra", {"customer_gateway_id": cgw, "vpn_gateway_id": vgw})
    offices = c.add("aws_ec2_managed_prefix_list", "offices", entry=[{"cidr": "10.0.0.0/8"}])
    shared = c.add("aws_ec2_managed_prefix_list", "shared")
    c.add("aws_ec2_managed_prefix_list_entry", "rest", {"prefix_list_id": shared}, cidr="::/0")
    to_offices = c.add("aws_route", "offices", {"gateway_id": vgw, "destination_prefix_list_id": offices})
    to_shared = c.add("aws_route", "shared", {"gateway_id": vgw, "destination_prefix_list_id": shared})
    to_unknown = c.add("aws_route", "unknown", {"gateway_id": vgw}, destination_prefix_list_id="pl-0570a1d2")
    assert c.verdict("CKV_CNX_104", to_offices) == "PASSED"
    assert c.verdict("CKV_CNX_104", to_shared) == "FAILED"
    assert c.verdict("CKV_CNX_104", to_unknown) == "FAILED"


def test_an_internet_routing_intent_is_judged_at_the_mainland_end_of_each_link() -> None:
    """A hub abroad advertising 0.0.0.0/0 to a mainland site: the site's traffic leaves the mainland."""
    c = Config()
    c.provider("azurerm")
    site = c.add(
        "azurerm_vpn_site",
        "sha",
        link=[{"name": "ct", "ip_address": "1.1.1.1"}],
        tags={"cn-crossborder:location": "CN"},
    )
    gw = c.add("azurerm_vpn_gateway", "fra", location="germanywestcentral", virtual_hub_id="hub-fra")
    c.add("azurerm_vpn_gateway_connection", "fra_sha", {"vpn_gateway_id": gw, "remote_vpn_site_id": site})

    def intent(name: str, destinations: list[str]) -> Resource:
        policy = [{"name": name, "destinations": destinations, "next_hop": "fw"}]
        return c.add("azurerm_virtual_hub_routing_intent", name, virtual_hub_id="hub-fra", routing_policy=policy)

    assert c.verdict("CKV_CNX_104", intent("internet", ["Internet"])) == "FAILED"
    assert c.verdict("CKV_CNX_104", intent("private", ["PrivateTraffic"])) == "PASSED"


def test_a_vpn_between_two_mainland_ends_is_out_of_scope() -> None:
    c = Config()
    c.provider("alicloud", region="cn-shanghai")
    cgw = c.add("alicloud_vpn_customer_gateway", "bj", ip_address="1.1.1.1", tags={"cn-crossborder:location": "CN"})
    gw = c.add("alicloud_vpn_gateway", "sh")
    conn = c.add("alicloud_vpn_connection", "sh_bj", {"customer_gateway_id": cgw, "vpn_gateway_id": gw})
    assert c.verdict("CKV_CNX_101", conn) == "PASSED"


def test_selectors_of_all_traffic_on_the_mainland_side_are_a_general_exit() -> None:
    c = Config()
    c.provider("volcengine", region="cn-beijing")
    cgw = c.add("volcengine_customer_gateway", "sg", ip_address="8.8.8.8", tags={"cn-crossborder:location": "SG"})
    gw = c.add("volcengine_vpn_gateway", "bj")
    refs = {"customer_gateway_id": cgw, "vpn_gateway_id": gw}
    everything = c.add(
        "volcengine_vpn_connection", "all", refs, local_subnet=["10.0.0.0/8"], remote_subnet=["0.0.0.0/0"]
    )
    routed = c.add("volcengine_vpn_connection", "routed", refs, local_subnet=["0.0.0.0/0"], remote_subnet=["0.0.0.0/0"])
    assert c.verdict("CKV_CNX_104", everything) == "FAILED"
    assert c.verdict("CKV_CNX_104", routed) == "FAILED"  # any/any selects all traffic: no destination-routing exception


def test_group_members_across_the_border_need_the_licensed_product() -> None:
    c = Config()
    cen = c.add("alicloud_cen_instance", "net")
    sh = c.add("alicloud_cen_instance_attachment", "sh", {"instance_id": cen}, child_instance_region_id="cn-shanghai")
    de = c.add("alicloud_cen_instance_attachment", "de", {"instance_id": cen}, child_instance_region_id="eu-central-1")
    assert c.verdict("CKV_CNX_103", de) == "FAILED"
    assert c.verdict("CKV_CNX_103", sh) == "PASSED"  # reported on the member outside the mainland
    package = c.add(
        "alicloud_cen_bandwidth_package", "xb", geographic_region_a_id="China", geographic_region_b_id="Europe"
    )
    c.add("alicloud_cen_bandwidth_package_attachment", "xb", {"instance_id": cen, "bandwidth_package_id": package})
    assert c.verdict("CKV_CNX_103", de) == "PASSED"


def test_a_basic_accelerator_is_named_by_its_cross_border_status_alone() -> None:
    """alicloud_ga_basic_accelerator has cross_border_status and no cross_border_mode (provider docs):
    the finding names no mode for it, where a standard accelerator's names its default, bgpPro."""
    c = Config()
    texts = {}
    for kind, members in (("basic", ("basic_ip_set", "basic_endpoint_group")), ("", ("ip_set", "endpoint_group"))):
        accelerator = c.add(f"alicloud_ga_{kind + '_' if kind else ''}accelerator", "ga", cross_border_status=True)
        ip_set, group = (f"alicloud_ga_{m}" for m in members)
        c.add(group, "sh", {"accelerator_id": accelerator}, endpoint_group_region="cn-shanghai")
        tokyo = c.add(ip_set, "tokyo", {"accelerator_id": accelerator}, accelerate_region_id="ap-northeast-1")
        model = build_model(c.config, ScanContext(default_policy(), AS_OF))
        verdict = get_rule("CKV_CNX_103").evaluate(model, tokyo)
        assert verdict is not None and verdict.result == "PASSED"
        texts[kind or "standard"] = " ".join(verdict.details)
    assert "cross_border_status = true" in texts["basic"] and "cross_border_mode" not in texts["basic"]
    assert "cross_border_mode = bgpPro" in texts["standard"]


def test_aws_peering_cannot_leave_the_china_partition() -> None:
    c = Config()
    c.provider("aws", region="cn-northwest-1")
    unknown = c.add("aws_vpc_peering_connection", "unknown", peer_region="${var.peer}")
    abroad = c.add("aws_vpc_peering_connection", "abroad", peer_region="eu-central-1")
    assert c.verdict("CKV_CNX_103", unknown) == "PASSED"
    assert c.verdict("CKV_CNX_103", abroad) == "FAILED"


def test_a_line_names_its_carrier() -> None:
    c = Config()
    c.provider("tencentcloud", region="ap-shanghai")
    ct = c.add("tencentcloud_dc_instance", "ct", line_operator="ChinaTelecom", location="Frankfurt")
    other = c.add("tencentcloud_dc_instance", "other", line_operator="ChinaOther", location="Frankfurt")
    assert c.verdict("CKV_CNX_102", ct) == "PASSED"
    assert c.verdict("CKV_CNX_102", other) == "FAILED"


def test_a_route_published_into_a_network_counts_only_toward_its_next_hops_region() -> None:
    """``far_region``: a default route published from outside the mainland crosses toward its next
    hop; one published from a mainland region draws the other members' traffic into the mainland."""
    c = Config()
    c.provider("volcengine", region="cn-beijing")
    cen = c.add("volcengine_cen", "net")
    c.add("volcengine_cen_attach_instance", "bj", {"cen_id": cen}, instance_region_id="cn-beijing")
    c.add("volcengine_cen_attach_instance", "hk", {"cen_id": cen}, instance_region_id="cn-hongkong")
    hk = c.add("volcengine_cen_route_entry", "hk", {"cen_id": cen}, destination_cidr_block="0.0.0.0/0")
    hk.attrs["instance_region_id"] = "cn-hongkong"
    bj = c.add("volcengine_cen_route_entry", "bj", {"cen_id": cen}, destination_cidr_block="0.0.0.0/0")
    bj.attrs["instance_region_id"] = "cn-beijing"
    unknown = c.add("volcengine_cen_route_entry", "unknown", {"cen_id": cen}, destination_cidr_block="::/0")
    unknown.attrs["instance_region_id"] = "${var.region}"
    assert c.verdict("CKV_CNX_104", hk) == "FAILED"
    assert c.verdict("CKV_CNX_104", bj) == "PASSED"
    assert c.verdict("CKV_CNX_104", unknown) == "FAILED"  # not known statically: every leg counts


def test_a_route_published_toward_a_region_reaches_a_member_whose_region_is_unknown() -> None:
    """``far_region``: a member whose region the scan cannot read may be in the region the route is
    published from, so its leg counts (never dropped because its far end names no region)."""
    c = Config()
    c.provider("volcengine", region="cn-beijing")
    cen = c.add("volcengine_cen", "net")
    c.add("volcengine_cen_attach_instance", "bj", {"cen_id": cen}, instance_region_id="cn-beijing")
    c.add("volcengine_cen_attach_instance", "somewhere", {"cen_id": cen}, instance_region_id="${var.region}")
    route = c.add("volcengine_cen_route_entry", "sg", {"cen_id": cen}, destination_cidr_block="0.0.0.0/0")
    route.attrs["instance_region_id"] = "ap-southeast-1"
    assert c.verdict("CKV_CNX_104", route) == "FAILED"


def test_a_member_advertising_a_default_route_is_the_exit_of_the_mainland_members() -> None:
    """``self``: the route is written on the member itself; the legs it is the overseas end of carry it."""
    c = Config()
    c.provider("huaweicloud", region="cn-north-4")
    cc = c.add("huaweicloud_cc_connection", "cc")
    refs = {"cloud_connection_id": cc}
    bj = c.add("huaweicloud_cc_network_instance", "bj", refs, region_id="cn-north-4", cidrs=["0.0.0.0/0"])
    hk = c.add("huaweicloud_cc_network_instance", "hk", refs, region_id="ap-southeast-1", cidrs=["::/0"])
    office = c.add("huaweicloud_cc_network_instance", "office", refs, region_id="ap-southeast-1", cidrs=["10.0.0.0/8"])
    assert c.verdict("CKV_CNX_104", hk) == "FAILED"
    assert c.verdict("CKV_CNX_104", bj) == "PASSED"
    assert c.verdict("CKV_CNX_104", office) == "PASSED"


def test_a_vpn_gateway_route_turned_on_into_a_ccn_reaches_the_members_across_the_border() -> None:
    """``attached_by`` and ``destination_when``: the gateway's CCN attachment carries the route to
    the mainland members; a route turned off is not published."""
    c = Config()
    c.provider("tencentcloud", region="ap-hongkong")
    ccn = c.add("tencentcloud_ccn", "ccn")
    gw = c.add("tencentcloud_vpn_gateway", "hk", type="CCN")
    c.add("tencentcloud_ccn_attachment", "sh", {"ccn_id": ccn}, instance_region="ap-shanghai", instance_id="vpc-sh")
    c.add("tencentcloud_ccn_attachment", "gw", {"ccn_id": ccn, "instance_id": gw}, instance_region="ap-hongkong")
    refs = {"vpn_gateway_id": gw}
    on = c.add("tencentcloud_vpn_gateway_ccn_routes", "on", refs, destination_cidr_block="0.0.0.0/0", status="ENABLE")
    off = c.add(
        "tencentcloud_vpn_gateway_ccn_routes", "off", refs, destination_cidr_block="0.0.0.0/0", status="DISABLE"
    )
    assert c.verdict("CKV_CNX_104", on) == "FAILED"
    assert c.verdict("CKV_CNX_104", off) == "PASSED"


def test_destinations_in_nested_blocks_are_read() -> None:
    """``destination_block``: Tencent's ``route_filter_prefixes { cidr }`` on an existing tunnel."""
    c = Config()
    c.provider("tencentcloud", region="ap-beijing")
    line = c.add("tencentcloud_dc_instance", "line", line_operator="ChinaTelecom", location="Frankfurt")
    tunnel = c.add("tencentcloud_dcx", "dcx", {"dc_id": line})
    refs = {"direct_connect_tunnel_id": tunnel}
    default = c.add("tencentcloud_dcx_extra_config", "default", refs, route_filter_prefixes=[{"cidr": "0.0.0.0/0"}])
    office = c.add("tencentcloud_dcx_extra_config", "office", refs, route_filter_prefixes=[{"cidr": "10.0.0.0/8"}])
    assert c.verdict("CKV_CNX_104", default) == "FAILED"
    assert c.verdict("CKV_CNX_104", office) == "PASSED"


# The resource types the first release's coverage audit marked H (a real cross-border path or a common
# default-route path), per cloud: products-and-gaps §2 of the audit, one table per provider.
HIGH_IMPORTANCE = {
    "aws": [
        "aws_dx_connection",
        "aws_dx_connection_confirmation",
        "aws_dx_private_virtual_interface",
        "aws_dx_public_virtual_interface",
        "aws_dx_transit_virtual_interface",
        "aws_route",
        "aws_route_table",
        "aws_default_route_table",
        "aws_vpn_connection_route",
        "aws_ec2_transit_gateway_route",
        "aws_instance",
        "aws_launch_template",
    ],
    "azurerm": [
        "azurerm_virtual_network_gateway_connection",
        "azurerm_local_network_gateway",
        "azurerm_virtual_network_gateway",
        "azurerm_express_route_circuit",
        "azurerm_vpn_gateway",
        "azurerm_vpn_site",
        "azurerm_vpn_gateway_connection",
        "azurerm_route",
        "azurerm_route_table",
    ],
    "alicloud": [
        "alicloud_vpn_connection",
        "alicloud_vpn_gateway_vpn_attachment",
        "alicloud_vpn_customer_gateway",
        "alicloud_vpn_gateway",
        "alicloud_express_connect_physical_connection",
        "alicloud_express_connect_virtual_border_router",
        "alicloud_express_connect_virtual_physical_connection",
        "alicloud_express_connect_router_express_connect_router",
        "alicloud_express_connect_router_vbr_child_instance",
        "alicloud_express_connect_router_vpc_association",
        "alicloud_express_connect_router_tr_association",
        "alicloud_cen_transit_router_ecr_attachment",
        "alicloud_vpc_peer_connection",
        "alicloud_cen_transit_router_peer_attachment",
        "alicloud_cen_instance_attachment",
        "alicloud_cen_bandwidth_limit",
        "alicloud_cen_bandwidth_package",
        "alicloud_ga_accelerator",
        "alicloud_ga_basic_accelerator",
        "alicloud_ga_bandwidth_package",
        "alicloud_ga_ip_set",
        "alicloud_ga_endpoint_group",
        "alicloud_route_entry",
        "alicloud_vpc_route_entry",
        "alicloud_vpn_route_entry",
        "alicloud_vpn_pbr_route_entry",
        "alicloud_vpn_gateway_vco_route",
    ],
    "tencentcloud": [
        "tencentcloud_vpn_connection",
        "tencentcloud_vpn_customer_gateway",
        "tencentcloud_vpn_gateway",
        "tencentcloud_vpn_gateway_route",
        "tencentcloud_dc_instance",
        "tencentcloud_dcx",
        "tencentcloud_ccn_attachment",
        "tencentcloud_ccn_bandwidth_limit",
        "tencentcloud_vpc_peer_connect_manager",
        "tencentcloud_gaap_proxy",
        "tencentcloud_gaap_proxy_group",
        "tencentcloud_gaap_realserver",
        "tencentcloud_route_table_entry",
        "tencentcloud_route_entry",
    ],
    "huaweicloud": [
        "huaweicloud_vpn_connection",
        "huaweicloud_vpn_customer_gateway",
        "huaweicloud_vpn_gateway",
        "huaweicloud_dc_virtual_interface",
        "huaweicloud_dc_virtual_gateway",
        "huaweicloud_dc_hosted_connect",
        "huaweicloud_dc_virtual_interface_accepter",
        "huaweicloud_dc_global_gateway",
        "huaweicloud_dc_global_gateway_peer_link",
        "huaweicloud_cc_connection",
        "huaweicloud_cc_network_instance",
        "huaweicloud_cc_inter_region_bandwidth",
        "huaweicloud_cc_bandwidth_package",
        "huaweicloud_cc_global_connection_bandwidth",
        "huaweicloud_cc_central_network",
        "huaweicloud_cc_central_network_policy",
        "huaweicloud_cc_central_network_policy_apply",
        "huaweicloud_cc_central_network_attachment",
        "huaweicloud_cc_central_network_connection_bandwidth_associate",
        "huaweicloud_ga_accelerator",
        "huaweicloud_ga_endpoint_group",
        "huaweicloud_ga_listener",
        "huaweicloud_ga_endpoint",
        "huaweicloud_vpc_route",
        "huaweicloud_vpc_route_table",
    ],
    "volcengine": [
        "volcengine_vpn_connection",
        "volcengine_customer_gateway",
        "volcengine_vpn_gateway",
        "volcengine_vpn_gateway_route",
        "volcengine_direct_connect_connection",
        "volcengine_direct_connect_virtual_interface",
        "volcengine_cen_attach_instance",
        "volcengine_cen_inter_region_bandwidth",
        "volcengine_cen_bandwidth_package",
        "volcengine_transit_router_peer_attachment",
        "volcengine_transit_router_bandwidth_package",
        "volcengine_route_entry",
    ],
    "baiducloud": [
        "baiducloud_vpn_conn",
        "baiducloud_vpn_gateway",
        "baiducloud_peer_conn",
        "baiducloud_peer_conn_acceptor",
    ],
}


def test_every_high_importance_type_is_covered_or_in_the_ledger() -> None:
    """Each H type of the audit is read by an entry (and so has a fixture) or says in the ledger why not."""
    missing = [
        f"{spec.cloud} {t}"
        for spec in all_specs()
        for t in HIGH_IMPORTANCE[spec.cloud]
        if t not in _covered(spec.cloud) and t not in {lt for lt, _, _ in ledger_of(spec)}
    ]
    assert not missing, missing


def test_a_when_filter_not_known_statically_on_a_route_target_is_read_as_matching() -> None:
    """A cloud-service route's ``publish_mode`` written as a variable with no value may be Custom:
    the default route it publishes into the CEN is judged as reaching the mainland members."""
    c = Config()
    c.provider("volcengine", region="cn-beijing")
    cen = c.add("volcengine_cen", "cen")
    for name, region in (("bj", "cn-beijing"), ("hk", "cn-hongkong")):
        refs = {"cen_id": cen}
        c.add("volcengine_cen_attach_instance", name, refs, instance_region_id=region, instance_type="VPC")
    attrs = {"destination_cidr_block": "0.0.0.0/0", "service_region_id": "cn-hongkong", "service_vpc_id": "vpc-hk"}
    unknown = c.add("volcengine_cen_service_route_entry", "unknown", {"cen_id": cen}, **attrs)
    unknown.attrs["publish_mode"] = "${var.mode}"
    local = c.add("volcengine_cen_service_route_entry", "local", {"cen_id": cen}, publish_mode="LocalDCGW", **attrs)
    assert c.verdict("CKV_CNX_104", unknown) == "FAILED"
    assert c.verdict("CKV_CNX_104", local) == "PASSED"


def test_a_region_checkov_renders_as_null_in_a_members_block_is_an_expression_not_unset() -> None:
    """A region written in a nested block (a central network policy's ``er_instances``) that Checkov
    rendered as null is read from that block: an expression the scan cannot evaluate, as at the top."""
    c = Config()
    c.provider("huaweicloud", region="cn-north-4")
    cn = c.add("huaweicloud_cc_central_network", "cn")
    er_instances = [
        {"enterprise_router_region_id": "cn-north-4", "project_id": "p1", "enterprise_router_id": "er-bj"},
        {"enterprise_router_region_id": None, "project_id": "p2", "enterprise_router_id": "er-x"},
    ]
    c.add("huaweicloud_cc_central_network_policy", "policy", {"central_network_id": cn}, er_instances=er_instances)
    model = build_model(c.config, ScanContext(default_policy(), AS_OF))
    hows = [end.how for link in model.links for end in link.ends if end.jurisdiction is None]
    assert hows and all("is an expression the scan cannot evaluate" in how for how in hows), hows
