"""Huawei Cloud: IPsec VPN, Cloud Connect (CC) links, and the VPC routes that use them.

Huawei resources take a resource-level ``region`` that wins over the provider's, and Huawei's Hong
Kong region is ``ap-southeast-1``: regions are always classified through the Huawei catalogue.

Evidence for the licensed cross-border route (reference law-and-carriers §4): Huawei sells Cloud
Connect traffic between the Chinese mainland and another area as a cross-border bandwidth package
whose cross-border line China Unicom operates and files. A network instance outside the mainland in a
cloud connection that also holds mainland instances (the finding lands on the instance that takes
the connection across the border) passes when an inter-region bandwidth between those two regions
draws on a ``huaweicloud_cc_bandwidth_package`` with ``Chinese-Mainland`` on one side and another
area on the other; without one only Huawei's 10 kbit/s test bandwidth (still a cross-border channel)
joins them. A global connection bandwidth is the cross-border product when ``bordercross = true``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from cn_crossborder.clouds.common import (
    circuit_tags,
    inline_blocks,
    inline_ref,
    is_default_route,
    referenced,
    shown,
    vpn_link,
)
from cn_crossborder.clouds.evidence import flat, has_default, member_pairs
from cn_crossborder.clouds.placement import cloud_endpoint
from cn_crossborder.domain import jurisdictions
from cn_crossborder.domain.coverage import Coverage
from cn_crossborder.domain.endpoints import Endpoint, region_endpoint
from cn_crossborder.domain.resource import Resource, first, is_resolved
from cn_crossborder.model import PEERING, VPN, GeneralExit, Link, NetworkModel

CLOUD = "huaweicloud"
VPN_GATEWAY = "huaweicloud_vpn_gateway"
CUSTOMER_GATEWAY = "huaweicloud_vpn_customer_gateway"
VPN_CONNECTION = "huaweicloud_vpn_connection"
VPC_ROUTE = "huaweicloud_vpc_route"
ROUTE_TABLE = "huaweicloud_vpc_route_table"
CC_CONNECTION = "huaweicloud_cc_connection"
NETWORK_INSTANCE = "huaweicloud_cc_network_instance"
INTER_REGION = "huaweicloud_cc_inter_region_bandwidth"
PACKAGE = "huaweicloud_cc_bandwidth_package"
GCB = "huaweicloud_cc_global_connection_bandwidth"

MAINLAND_AREA = "chinese-mainland"
# Cloud Connect areas outside the mainland (Hong Kong belongs to Asia-Pacific).
OTHER_AREAS = frozenset(
    {"asia-pacific", "africa", "western-latin-america", "eastern-latin-america", "northern-latin-america"}
)


# VPN --------------------------------------------------------------------------------------------


def _peer_address(cgw: Resource) -> Any:
    """``id_value`` names the peer when ``id_type`` is ip (or unset); older providers used ``ip``."""
    value = cgw.get("id_value")
    return value if value is not None else cgw.get("ip")


def _vpn_links(model: NetworkModel) -> None:
    config = model.config
    for conn in config.of_type(VPN_CONNECTION):
        gw = referenced(config, conn, "gateway_id", VPN_GATEWAY)
        cgw = referenced(config, conn, "customer_gateway_id", CUSTOMER_GATEWAY)
        own_region = is_resolved(first(conn.attrs.get("region")))
        local = cloud_endpoint(config, conn if own_region or gw is None else gw)
        address = _peer_address(cgw) if cgw is not None else None
        vpn_link(model, conn, local, cgw, address, conn.attrs.get("customer_gateway_id"), gw)


def _selector_exits(model: NetworkModel) -> None:
    """``peer_subnets`` / policy rules of 0.0.0.0/0 on the mainland side send all traffic abroad."""
    config = model.config
    for conn in config.of_type(VPN_CONNECTION):
        rules = list(inline_blocks(conn, "policy_rules"))
        for link in model.links_for(conn, VPN):
            what, network = "", link.local
            if link.local.is_mainland:
                if has_default(conn.attrs.get("peer_subnets")):
                    what = "peer_subnets includes 0.0.0.0/0 (the Huawei side is mainland)"
                elif any(has_default(rule.get("destination")) for rule in rules):
                    what = "policy_rules destination includes 0.0.0.0/0 (the Huawei side is mainland)"
            elif link.remote.is_mainland:
                gw = referenced(config, conn, "gateway_id", VPN_GATEWAY)
                if gw is not None and has_default(gw.attrs.get("local_subnets")):
                    what = f"local_subnets of {gw.address} include 0.0.0.0/0 (the customer side is mainland)"
                elif any(has_default(rule.get("source")) for rule in rules):
                    what = "policy_rules source includes 0.0.0.0/0 (the customer side is mainland)"
                network = link.remote
            if what:
                model.add_exit(GeneralExit(conn, network, what, [link]))


# Cloud Connect ----------------------------------------------------------------------------------


def _area(value: Any, how: str) -> Endpoint:
    """A Cloud Connect area (``Chinese-Mainland``, ``Asia-Pacific``...) or a region id."""
    value = first(value)
    if not is_resolved(value):
        return Endpoint(None, shown(value), f"{how} is not known statically")
    key = str(value).strip().lower()
    if key == MAINLAND_AREA:
        return Endpoint(jurisdictions.CN, str(value), f"{how} (the Chinese mainland area)")
    if key in OTHER_AREAS:
        return Endpoint(jurisdictions.OUTSIDE, str(value), f"{how} (a Cloud Connect area outside the mainland)")
    return region_endpoint(CLOUD, value, how)


def _package_product(pkg: Resource | None, shown_id: str) -> tuple[str | None, str]:
    """Whether a bandwidth package is the cross-border product, and why not if it is not."""
    if pkg is None:
        return (
            None,
            f"bandwidth package {shown_id} is not in this configuration, so its areas cannot be checked",
        )
    local, remote = pkg.get("local_area_id"), pkg.get("remote_area_id")
    a = _area(local, f"via local_area_id of {pkg.address}")
    b = _area(remote, f"via remote_area_id of {pkg.address}")
    if a.is_mainland != b.is_mainland and a.jurisdiction is not None and b.jurisdiction is not None:
        return (
            f"Huawei Cloud Connect cross-border bandwidth package {pkg.address} ({local} <-> {remote}; "
            "China Unicom operates and files the cross-border line)",
            "",
        )
    return None, (
        f"bandwidth package {pkg.address} covers {shown(local)} <-> {shown(remote)}, not Chinese-Mainland "
        "and another area (a cross-border package)"
    )


def _cc_key(model: NetworkModel, res: Resource) -> tuple[tuple[str, Any], Resource | None]:
    cc = referenced(model.config, res, "cloud_connection_id", CC_CONNECTION)
    return (("res", cc.index) if cc is not None else ("text", shown(res.attrs.get("cloud_connection_id")))), cc


def _cc_links(model: NetworkModel) -> None:
    config = model.config
    # Inter-region bandwidths per cloud connection and region pair, with what their package proves.
    bandwidths: dict[tuple[Any, frozenset[str]], list[tuple[Resource, str | None, str]]] = defaultdict(list)
    for irb in config.of_type(INTER_REGION):
        key, cc = _cc_key(model, irb)
        regions = [str(r) for r in flat(irb.attrs.get("inter_region_ids"))]
        pkg = referenced(config, irb, "bandwidth_package_id", PACKAGE)
        product, problem = _package_product(pkg, shown(irb.attrs.get("bandwidth_package_id")))
        bandwidths[(key, frozenset(regions))].append((irb, product, problem))
        how = f"via inter_region_ids of {irb.address}"
        ends = [region_endpoint(CLOUD, r, how) for r in regions[:2]]
        while len(ends) < 2:
            ends.append(Endpoint(None, "not set", f"{how}: two regions expected"))
        ends.sort(key=lambda ep: not ep.is_mainland)  # the graph does not keep the written order
        link = Link(
            PEERING,
            irb,
            ends[0],
            ends[1],
            product=product,
            product_missing=problem or None,
            circuit_tags=circuit_tags(cc),
        )
        model.add_link(link, cc)

    members: dict[tuple[str, Any], list[tuple[Resource, Endpoint]]] = defaultdict(list)
    ccs: dict[tuple[str, Any], Resource | None] = {}
    raw_of: dict[str, str] = {}  # endpoint label -> region id as written
    for inst in config.of_type(NETWORK_INSTANCE):
        key, ccs[key] = _cc_key(model, inst)
        ep = region_endpoint(CLOUD, inst.attrs.get("region_id"), f"via region_id of {inst.address}")
        raw_of.setdefault(ep.label, shown(inst.attrs.get("region_id")))
        members[key].append((inst, ep))
    for key, group in members.items():
        cc = ccs[key]
        for inst, mainland, own in member_pairs(group):
            ours, theirs = raw_of.get(own.label, own.label), raw_of.get(mainland.label, mainland.label)
            link = Link(PEERING, inst, mainland, own, circuit_tags=circuit_tags(cc))
            found = bandwidths.get((key, frozenset((ours, theirs))), [])
            proven = next(((irb, p) for irb, p, _ in found if p), None)
            if proven is not None:
                link.product = f"{proven[1]} via {proven[0].address}"
            elif found:
                link.product_missing = "; ".join(f"{irb.address}: {problem}" for irb, _, problem in found)
            else:
                where = cc.address if cc is not None else f"cloud connection {key[1]}"
                link.product_missing = (
                    f"{where} has no inter-region bandwidth between {theirs} and {ours} from a "
                    "cross-border bandwidth package (only Huawei's 10 kbit/s test bandwidth joins them)"
                )
            model.add_link(link, cc)


def _gcb_links(model: NetworkModel) -> None:
    for gcb in model.config.of_type(GCB):
        local = _area(gcb.attrs.get("local_area"), f"via local_area of {gcb.address}")
        remote = _area(gcb.attrs.get("remote_area"), f"via remote_area of {gcb.address}")
        link = Link(PEERING, gcb, local, remote, circuit_tags=circuit_tags(gcb))
        bordercross = first(gcb.attrs.get("bordercross"))
        if bordercross is True or str(bordercross).lower() == "true":
            link.product = (
                f"Huawei Cloud Connect cross-border global connection bandwidth {gcb.address} (bordercross = true)"
            )
        else:
            link.product_missing = (
                f"bordercross = {shown(bordercross)}: {gcb.address} is not bought as the cross-border bandwidth"
            )
        model.add_link(link)


def add_links(model: NetworkModel) -> None:
    _vpn_links(model)
    _cc_links(model)
    _gcb_links(model)


# Routes -----------------------------------------------------------------------------------------


def _mainland_side(links: list[Link]) -> list[Link]:
    mainland = [link for link in links if link.local.is_mainland]
    return mainland or links


def _route_target(model: NetworkModel, res: Resource, route: dict[str, Any], inline: bool) -> tuple[str, list[Link]]:
    kind = str(first(route.get("type")) or "").lower()
    types = {"vpn": VPN_GATEWAY, "cc": CC_CONNECTION}.get(kind)
    if types is None:
        return "", []
    if inline:
        target = inline_ref(model.config, res, "nexthop", route.get("nexthop"), types)
    else:
        target = referenced(model.config, res, "nexthop", types)
    if target is None:
        return "", []
    links = model.links_via(target)
    return f"type {kind} {target.address}", _mainland_side(links) if kind == "cc" else links


def _route_exits(model: NetworkModel) -> None:
    config = model.config
    for res in config.of_type(VPC_ROUTE, ROUTE_TABLE):
        routes = [dict(res.attrs)] if res.type == VPC_ROUTE else list(inline_blocks(res, "route"))
        for route in routes:
            dest = first(route.get("destination"))
            if not is_default_route(dest):
                continue
            target, links = _route_target(model, res, route, res.type == ROUTE_TABLE)
            if links:
                model.add_exit(GeneralExit(res, cloud_endpoint(config, res), f"route {dest} -> {target}", links))


def add_exits(model: NetworkModel) -> None:
    _selector_exits(model)
    _route_exits(model)


COVERAGE = {
    "CKV_CNX_101": (
        Coverage(
            CLOUD,
            VPN_CONNECTION,
            "region (else the gateway's, else the provider's); gateway_id; customer_gateway_id; tags",
        ),
        Coverage(
            CLOUD,
            CUSTOMER_GATEWAY,
            "id_value (id_type ip) or ip; tags cn-crossborder:location, cn-crossborder:circuit",
            False,
        ),
        Coverage(CLOUD, VPN_GATEWAY, "region; local_subnets", False),
    ),
    "CKV_CNX_103": (
        Coverage(
            CLOUD,
            NETWORK_INSTANCE,
            "cloud_connection_id; region_id of every instance of the cloud connection (a mainland/overseas "
            "pair is reported on the overseas instance); inter-region bandwidths between them",
        ),
        Coverage(CLOUD, INTER_REGION, "inter_region_ids; bandwidth_package_id"),
        Coverage(CLOUD, GCB, "local_area; remote_area; bordercross"),
        Coverage(CLOUD, PACKAGE, "local_area_id / remote_area_id (Chinese-Mainland vs another area)", False),
        Coverage(CLOUD, CC_CONNECTION, "groups network instances; tag cn-crossborder:circuit", False),
    ),
    "CKV_CNX_104": (
        Coverage(CLOUD, VPC_ROUTE, "destination; type vpn / cc; nexthop; region"),
        Coverage(CLOUD, ROUTE_TABLE, "inline route blocks (destination, type, nexthop)"),
        Coverage(CLOUD, VPN_CONNECTION, "peer_subnets; policy_rules; the gateway's local_subnets"),
    ),
}
