"""Alibaba Cloud: IPsec-VPN, Express Connect lines, VPC peering and CEN, and the routes over them.

Alibaba Cloud resources have no region argument: every region comes from the provider block (or an
explicit peer-region attribute), classified by the ``alicloud`` region catalogue, where ``cn-hongkong``
is Hong Kong. The licensed cross-border product is the CEN cross-border bandwidth package: an
``alicloud_cen_bandwidth_package`` whose two areas are China and an area outside it (which licensed
carrier runs it is not established in the reference; the contract accepts the product itself).

Legacy CEN attachments (``alicloud_cen_instance_attachment``) do not name a peer: every pair of
attachments of one CEN, one in a mainland region and one outside it, is a link, reported on the
attachment outside the mainland (or whose region is unknown) so the finding does not depend on file
order. Both selectors at 0.0.0.0/0 is "destination routing" mode, where routes decide; a 0.0.0.0/0
selector next to specific prefixes selects all traffic.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from cn_crossborder.clouds.common import (
    CenPackages,
    add_line_links,
    any_default,
    cidr_text,
    circuit_tags,
    cross_border_pairs,
    group_key,
    inline_blocks,
    inline_ref,
    is_default_route,
    only_default,
    referenced,
    shown,
    vpn_link,
)
from cn_crossborder.clouds.placement import cloud_endpoint
from cn_crossborder.domain.coverage import Coverage
from cn_crossborder.domain.endpoints import Endpoint, region_endpoint
from cn_crossborder.domain.jurisdictions import OUTSIDE
from cn_crossborder.domain.resource import Resource, first, is_resolved
from cn_crossborder.model import PEERING, VPN, GeneralExit, Link, NetworkModel
from cn_crossborder.sources.terraform import TerraformConfig

CLOUD = "alicloud"
VPN_GATEWAY = "alicloud_vpn_gateway"
CUSTOMER_GATEWAY = "alicloud_vpn_customer_gateway"
VPN_CONNECTION = "alicloud_vpn_connection"
VPN_ATTACHMENT = "alicloud_vpn_gateway_vpn_attachment"
VPN_ROUTES = ("alicloud_vpn_route_entry", "alicloud_vpn_pbr_route_entry")
VCO_ROUTE = "alicloud_vpn_gateway_vco_route"
ROUTE_ENTRY = "alicloud_route_entry"
VPC_ROUTE_ENTRY = "alicloud_vpc_route_entry"
PHYSICAL = "alicloud_express_connect_physical_connection"
VBR = "alicloud_express_connect_virtual_border_router"
PEER_CONNECTION = "alicloud_vpc_peer_connection"
CEN = "alicloud_cen_instance"
TRANSIT_ROUTER = "alicloud_cen_transit_router"
TR_PEER = "alicloud_cen_transit_router_peer_attachment"
CEN_ATTACHMENT = "alicloud_cen_instance_attachment"
BANDWIDTH_PACKAGE = "alicloud_cen_bandwidth_package"
PACKAGE_ATTACHMENT = "alicloud_cen_bandwidth_package_attachment"
BANDWIDTH_LIMIT = "alicloud_cen_bandwidth_limit"

PRODUCT = "Alibaba CEN cross-border bandwidth package"
BUY = (
    f'buy an {PRODUCT} (alicloud_cen_bandwidth_package with geographic_region_a_id = "China" and '
    "geographic_region_b_id = the overseas area)"
)

_ACCESS_POINT = re.compile(r"^ap-(?P<country>[a-z]{2})-(?P<city>[a-z]+)", re.IGNORECASE)


# --- VPN ------------------------------------------------------------------------------------------


def _peers(config: TerraformConfig, res: Resource) -> list[tuple[Any, Resource | None]]:
    """Every customer gateway of a connection: the top-level one and each tunnel's, once each."""
    attr = "customer_gateway_id"
    found: list[tuple[Any, Resource | None]] = []
    if res.attrs.get(attr) is not None:
        found.append((res.get(attr), referenced(config, res, attr, CUSTOMER_GATEWAY)))
    for tunnel in inline_blocks(res, "tunnel_options_specification"):
        value = tunnel.get(attr)
        if value is not None:
            found.append((first(value), inline_ref(config, res, attr, value, CUSTOMER_GATEWAY)))
    peers: list[tuple[Any, Resource | None]] = []
    seen: set[Any] = set()
    for value, cgw in found:
        key = ("resource", cgw.index) if cgw is not None else ("id", str(value))
        if key not in seen:
            seen.add(key)
            peers.append((value, cgw))
    return peers


def _vpn_links(model: NetworkModel) -> None:
    config = model.config
    for res in config.of_type(VPN_CONNECTION, VPN_ATTACHMENT):
        gateway = referenced(config, res, "vpn_gateway_id", VPN_GATEWAY)
        local = cloud_endpoint(config, gateway if gateway is not None else res)
        peers = _peers(config, res) or [(None, None)]
        for value, cgw in peers:
            address = cgw.get("ip_address") if cgw is not None else None
            vpn_link(model, res, local, cgw, address, value, gateway)


def _selector_exits(model: NetworkModel) -> None:
    """A 0.0.0.0/0 selector on the mainland side, unless both selectors are (destination routing)."""
    for res in model.config.of_type(VPN_CONNECTION, VPN_ATTACHMENT):
        local_subnet, remote_subnet = res.attrs.get("local_subnet"), res.attrs.get("remote_subnet")
        if only_default(local_subnet) and only_default(remote_subnet):
            continue
        for link in model.links_for(res, VPN):
            if link.local.is_mainland and any_default(remote_subnet):
                selected = cidr_text(remote_subnet)
                what = f"remote_subnet = {selected} selects all traffic of the mainland VPC into the tunnel"
                model.add_exit(GeneralExit(res, link.local, what, [link]))
            elif link.remote.is_mainland and any_default(local_subnet):
                what = (
                    f"local_subnet = {cidr_text(local_subnet)} makes the mainland customer side send all "
                    "traffic into the tunnel"
                )
                model.add_exit(GeneralExit(res, link.remote, what, [link]))


def _vpn_route_exits(model: NetworkModel) -> None:
    """Default routes in a VPN gateway's (or an attached IPsec connection's) own route table."""
    config = model.config
    for res in config.of_type(*VPN_ROUTES, VCO_ROUTE):
        dest = res.get("route_dest")
        if not is_default_route(dest):
            continue
        if res.type == VCO_ROUTE:
            conn = referenced(config, res, "vpn_connection_id", VPN_CONNECTION, VPN_ATTACHMENT)
            gateway = None
        else:
            conn = referenced(config, res, "next_hop", VPN_CONNECTION)
            gateway = referenced(config, res, "vpn_gateway_id", VPN_GATEWAY)
        if conn is not None:
            links, target = model.links_for(conn, VPN), conn.address
        elif gateway is not None:
            links, target = model.links_via(gateway), f"the connections of {gateway.address}"
        else:
            continue
        if not links:
            continue
        network = cloud_endpoint(config, gateway if gateway is not None else res)
        model.add_exit(GeneralExit(res, network, f"route_dest = {dest} -> {target}", links))


def _next_hops(res: Resource) -> list[tuple[Any, Any, Any, bool]]:
    """(destination, nexthop_type, nexthop_id, nested) of a route entry, ECMP next hops included."""
    dest = res.get("destination_cidrblock") if res.type == ROUTE_ENTRY else res.get("destination_cidr_block")
    hops = [(dest, res.get("nexthop_type"), res.attrs.get("nexthop_id"), False)]
    if res.type == VPC_ROUTE_ENTRY:
        for hop in inline_blocks(res, "next_hops"):
            hops.append((dest, first(hop.get("nexthop_type")), hop.get("nexthop_id"), True))
    return hops


def _route_exits(model: NetworkModel) -> None:
    """VPC default routes whose next hop is a VPN gateway or a VPC peering connection that crosses."""
    config = model.config
    targets = {"vpngateway": (VPN_GATEWAY,), "vpcpeer": (PEER_CONNECTION,)}
    for res in config.of_type(ROUTE_ENTRY, VPC_ROUTE_ENTRY):
        for dest, hop_type, hop_id, nested in _next_hops(res):
            types = targets.get(str(hop_type or "").lower())
            if not types or not is_default_route(dest):
                continue
            if nested:
                target = inline_ref(config, res, "nexthop_id", hop_id, *types)
            else:
                target = referenced(config, res, "nexthop_id", *types)
            if target is None:
                continue
            links = model.links_via(target) if target.type == VPN_GATEWAY else model.links_for(target, PEERING)
            if links:
                what = f"route {dest} -> {hop_type} {target.address}"
                model.add_exit(GeneralExit(res, cloud_endpoint(config, res), what, links))


# --- Express Connect ------------------------------------------------------------------------------


def _access_point(value: Any) -> Endpoint | None:
    """Which side of the border an access point id names: ``ap-cn-<city>-…`` is that region's city.

    Access points outside China carry another country's code (``ap-sg-…``); that code is not
    catalogued, so such an access point is only known to be outside the mainland.
    """
    if not is_resolved(value):
        return None
    match = _ACCESS_POINT.match(str(value))
    if match is None:
        return None
    if match["country"].lower() == "cn":
        region = f"cn-{match['city'].lower()}"
        found = region_endpoint(CLOUD, region, f"by access point {value}")
        if found.jurisdiction is not None:
            return Endpoint(found.jurisdiction, str(value), f"by its access point id (region {region})")
        return None
    return Endpoint(OUTSIDE, str(value), "by its access point id (not ap-cn-…)", verified=False)


def _line_local(config: TerraformConfig, line: Resource) -> Endpoint:
    """The region a line serves: its provider's; the access point decides only when that is unknown."""
    local = cloud_endpoint(config, line)
    hint = _access_point(line.get("access_point_id"))
    if hint is None:
        return local
    if local.jurisdiction is None:
        how = f"{hint.how}; {local.label} {local.how}"
        return Endpoint(hint.jurisdiction, hint.label, how, hint.verified)
    if hint.is_mainland != local.is_mainland:
        return Endpoint(
            local.jurisdiction,
            local.label,
            f"{local.how}; its access point {hint.label} lies on the other side of the border",
            local.verified,
        )
    return local


def _line_links(model: NetworkModel) -> None:
    add_line_links(model, PHYSICAL, VBR, "physical_connection_id", "peer_gateway_ip", _line_local)


# --- peering and CEN ------------------------------------------------------------------------------


def _areas(package: Resource) -> tuple[Any, Any]:
    a, b = package.get("geographic_region_a_id"), package.get("geographic_region_b_id")
    if a is None and b is None:
        ids = package.attrs.get("geographic_region_ids")
        if isinstance(ids, (list, tuple)) and ids:
            a, b = first(ids[0]), first(ids[-1])
    return a, b


def package_product(package: Resource) -> tuple[str | None, str | None]:
    """(the licensed product, or why this package is not it)."""
    a, b = _areas(package)
    if not (is_resolved(a) and is_resolved(b)):
        return None, f"the areas of {package.address} are not known statically"
    china = [x for x in (a, b) if str(x).lower() == "china"]
    if len(china) == 1:
        return f"the {PRODUCT} {package.address} ({a} <-> {b})", None
    return None, f"{package.address} connects {a} and {b}, so it is not a cross-border bandwidth package"


def _packages(config: TerraformConfig) -> CenPackages:
    return CenPackages(config, PACKAGE_ATTACHMENT, "instance_id", CEN, "bandwidth_package_id", BANDWIDTH_PACKAGE)


def _cen_product(packages: CenPackages, key: tuple[str, Any] | None, cen: str) -> tuple[str | None, str | None]:
    missing = f"CEN {cen} has no cross-border bandwidth package attached; {BUY} and attach it"
    return packages.product(key, package_product, f"attached to CEN {cen}", missing)


def _cen_label(config: TerraformConfig, res: Resource, attr: str) -> str:
    target = referenced(config, res, attr, CEN)
    return target.address if target is not None else shown(res.get(attr))


def _peering_links(model: NetworkModel) -> None:
    config = model.config
    for pc in config.of_type(PEER_CONNECTION):
        accepting = pc.attrs.get("accepting_region_id")
        link = Link(
            kind=PEERING,
            resource=pc,
            local=cloud_endpoint(config, pc),
            remote=region_endpoint(CLOUD, accepting, f"by accepting_region_id of {pc.address}"),
            product_missing=(
                "a VPC peering connection rides no cross-border bandwidth package; connect the regions "
                f"through CEN with an {PRODUCT} instead"
            ),
            circuit_tags=circuit_tags(pc),
        )
        model.add_link(link)


def _tr_peer_links(model: NetworkModel) -> None:
    config = model.config
    for att in config.of_type(TR_PEER):
        router = referenced(config, att, "transit_router_id", TRANSIT_ROUTER)
        local = cloud_endpoint(config, router if router is not None else att)
        peer_region = att.attrs.get("peer_transit_router_region_id")
        peer = referenced(config, att, "peer_transit_router_id", TRANSIT_ROUTER)
        if peer_region is not None:
            how = f"by peer_transit_router_region_id of {att.address}"
            remote = region_endpoint(CLOUD, peer_region, how)
        elif peer is not None:
            remote = cloud_endpoint(config, peer)
        else:
            shown_peer = shown(att.get("peer_transit_router_id"))
            remote = Endpoint(None, shown_peer, "a transit router whose region is not set")
        link = Link(PEERING, att, local, remote, circuit_tags=circuit_tags(att))
        package = referenced(config, att, "cen_bandwidth_package_id", BANDWIDTH_PACKAGE)
        bandwidth_type = str(att.get("bandwidth_type") or "")
        if package is not None:
            link.product, link.product_missing = package_product(package)
        elif att.get("cen_bandwidth_package_id") is not None:
            link.product_missing = (
                f"cen_bandwidth_package_id = {shown(att.get('cen_bandwidth_package_id'))} names a package "
                "outside this configuration, whose areas cannot be checked"
            )
        elif bandwidth_type.lower() == "datatransfer":
            link.product_missing = (
                "bandwidth_type = DataTransfer draws on no bandwidth package (whether pay-by-data-transfer "
                f"may cross the border is not established); {BUY} and set cen_bandwidth_package_id to it"
            )
        else:
            link.product_missing = f"no cen_bandwidth_package_id is set; {BUY} and set it"
        model.add_link(link, router)


def _cen_links(model: NetworkModel) -> None:
    config = model.config
    packages = _packages(config)
    members: dict[tuple[str, Any], list[tuple[Resource, Endpoint]]] = defaultdict(list)
    labels: dict[tuple[str, Any], str] = {}
    for att in config.of_type(CEN_ATTACHMENT):
        key = group_key(config, att, "instance_id", CEN)
        if key is None:
            continue
        labels[key] = _cen_label(config, att, "instance_id")
        where = region_endpoint(
            CLOUD, att.attrs.get("child_instance_region_id"), f"by child_instance_region_id of {att.address}"
        )
        members[key].append((att, where))
    for key, group in members.items():
        product, missing = _cen_product(packages, key, labels[key])
        for att, mainland, own in cross_border_pairs(group):
            model.add_link(Link(PEERING, att, mainland, own, product=product, product_missing=missing))
    for limit in config.of_type(BANDWIDTH_LIMIT):
        regions = [r for r in (limit.attrs.get("region_ids") or []) if r is not None]
        if not isinstance(limit.attrs.get("region_ids"), list) or len(regions) != 2:
            continue
        ends = [region_endpoint(CLOUD, r, f"by region_ids of {limit.address}") for r in regions]
        ends.sort(key=lambda ep: not ep.is_mainland)
        key = group_key(config, limit, "instance_id", CEN)
        product, missing = _cen_product(packages, key, _cen_label(config, limit, "instance_id"))
        model.add_link(Link(PEERING, limit, ends[0], ends[1], product=product, product_missing=missing))


def add_links(model: NetworkModel) -> None:
    _vpn_links(model)
    _line_links(model)
    _peering_links(model)
    _tr_peer_links(model)
    _cen_links(model)


def add_exits(model: NetworkModel) -> None:
    _selector_exits(model)
    _vpn_route_exits(model)
    _route_exits(model)


COVERAGE = {
    "CKV_CNX_101": (
        Coverage(
            CLOUD,
            VPN_CONNECTION,
            "vpn_gateway_id (its provider region); customer_gateway_id and "
            "tunnel_options_specification customer_gateway_id, one link per peer; tags",
        ),
        Coverage(
            CLOUD,
            VPN_ATTACHMENT,
            "provider region (IPsec attached to a CEN transit router); customer "
            "gateways as for alicloud_vpn_connection; tags",
        ),
        Coverage(CLOUD, CUSTOMER_GATEWAY, "ip_address; tags (location, circuit)", False),
        Coverage(CLOUD, VPN_GATEWAY, "provider region", False),
    ),
    "CKV_CNX_102": (
        Coverage(
            CLOUD,
            PHYSICAL,
            "provider region (access_point_id ap-cn-… as a hint); line_operator "
            "(CT, CU, CM approved; CO, Equinix, Other not); peer_location",
        ),
        Coverage(
            CLOUD,
            VBR,
            "physical_connection_id; tags cn-crossborder:location, cn-crossborder:circuit; peer_gateway_ip",
            False,
        ),
    ),
    "CKV_CNX_103": (
        Coverage(CLOUD, PEER_CONNECTION, "provider region vs accepting_region_id; tags"),
        Coverage(
            CLOUD,
            TR_PEER,
            "transit router's provider region vs peer_transit_router_region_id; "
            "cen_bandwidth_package_id; bandwidth_type",
        ),
        Coverage(
            CLOUD,
            CEN_ATTACHMENT,
            "child_instance_region_id of every attachment of one CEN; a mainland/"
            "overseas pair is reported on the overseas attachment",
        ),
        Coverage(CLOUD, BANDWIDTH_LIMIT, "region_ids pair; the CEN's bandwidth packages"),
        Coverage(CLOUD, BANDWIDTH_PACKAGE, "geographic_region_a_id / geographic_region_b_id", False),
        Coverage(CLOUD, PACKAGE_ATTACHMENT, "instance_id; bandwidth_package_id", False),
        Coverage(CLOUD, TRANSIT_ROUTER, "provider region", False),
    ),
    "CKV_CNX_104": (
        Coverage(
            CLOUD,
            VPN_CONNECTION,
            "local_subnet / remote_subnet containing 0.0.0.0/0 (not both: that is destination routing)",
        ),
        Coverage(CLOUD, VPN_ATTACHMENT, "local_subnet / remote_subnet (comma-separated)"),
        Coverage(CLOUD, "alicloud_vpn_route_entry", "route_dest; next_hop (a connection); vpn_gateway_id"),
        Coverage(CLOUD, "alicloud_vpn_pbr_route_entry", "route_dest; next_hop; vpn_gateway_id"),
        Coverage(CLOUD, VCO_ROUTE, "route_dest; vpn_connection_id"),
        Coverage(CLOUD, ROUTE_ENTRY, "destination_cidrblock; nexthop_type VpnGateway / VpcPeer; nexthop_id"),
        Coverage(CLOUD, VPC_ROUTE_ENTRY, "destination_cidr_block; nexthop_type / nexthop_id and next_hops"),
        Coverage(CLOUD, VPN_GATEWAY, "joins default routes to the connections behind it", False),
        Coverage(CLOUD, PEER_CONNECTION, "joins default routes to a peering that crosses", False),
    ),
}
