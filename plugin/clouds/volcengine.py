"""Volcengine: IPsec VPN, Direct Connect lines, CEN and transit-router peering, and routes over them.

The provider's ``region`` is required and no resource has its own, so every region is the provider's
or an explicit region attribute (``peer_transit_router_region_id``, ``local_region_id``,
``instance_region_id``), classified by the ``volcengine`` region catalogue. The licensed cross-border
product is a bandwidth package whose two geographic region sets differ (``China`` and ``Asia``; both
default to ``China``); a CEN package also names its carrier in ``line_operator`` (default
``ChinaUnicom`` when the sets differ), which must be approved by the policy.

CEN attachments do not name a peer: every pair of attachments of one CEN, one in a mainland region and
one outside it, is a link, reported on the attachment outside the mainland (or of unknown region).
Both selectors at 0.0.0.0/0 is destination routing, where routes decide.
"""

from __future__ import annotations

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
    is_default_route,
    only_default,
    referenced,
    shown,
    vpn_link,
)
from cn_crossborder.clouds.placement import cloud_endpoint
from cn_crossborder.domain.coverage import Coverage
from cn_crossborder.domain.endpoints import Endpoint, region_endpoint
from cn_crossborder.domain.policy import Policy
from cn_crossborder.domain.resource import Resource, is_resolved
from cn_crossborder.model import PEERING, VPN, GeneralExit, Link, NetworkModel
from cn_crossborder.sources.terraform import TerraformConfig

CLOUD = "volcengine"
VPN_GATEWAY = "volcengine_vpn_gateway"
CUSTOMER_GATEWAY = "volcengine_customer_gateway"
VPN_CONNECTION = "volcengine_vpn_connection"
VPN_GATEWAY_ROUTE = "volcengine_vpn_gateway_route"
ROUTE_ENTRY = "volcengine_route_entry"
LINE = "volcengine_direct_connect_connection"
VIRTUAL_INTERFACE = "volcengine_direct_connect_virtual_interface"
TRANSIT_ROUTER = "volcengine_transit_router"
TR_PEER = "volcengine_transit_router_peer_attachment"
TR_PACKAGE = "volcengine_transit_router_bandwidth_package"
CEN = "volcengine_cen"
CEN_PACKAGE = "volcengine_cen_bandwidth_package"
CEN_PACKAGE_ASSOCIATE = "volcengine_cen_bandwidth_package_associate"
INTER_REGION = "volcengine_cen_inter_region_bandwidth"
CEN_ATTACHMENT = "volcengine_cen_attach_instance"

PRODUCT = "Volcengine cross-border bandwidth package"


# --- VPN ------------------------------------------------------------------------------------------


def _vpn_links(model: NetworkModel) -> None:
    config = model.config
    for conn in config.of_type(VPN_CONNECTION):
        gateway = referenced(config, conn, "vpn_gateway_id", VPN_GATEWAY)
        cgw = referenced(config, conn, "customer_gateway_id", CUSTOMER_GATEWAY)
        address = cgw.get("ip_address") if cgw is not None else None
        local = cloud_endpoint(config, gateway if gateway is not None else conn)
        vpn_link(model, conn, local, cgw, address, conn.get("customer_gateway_id"), gateway)


def _selector_exits(model: NetworkModel) -> None:
    """A 0.0.0.0/0 selector on the mainland side, unless both selectors are (destination routing)."""
    for conn in model.config.of_type(VPN_CONNECTION):
        local_subnet, remote_subnet = conn.attrs.get("local_subnet"), conn.attrs.get("remote_subnet")
        if only_default(local_subnet) and only_default(remote_subnet):
            continue
        for link in model.links_for(conn, VPN):
            if link.local.is_mainland and any_default(remote_subnet):
                what = f"remote_subnet = {cidr_text(remote_subnet)} selects all traffic of the mainland VPC"
                model.add_exit(GeneralExit(conn, link.local, what, [link]))
            elif link.remote.is_mainland and any_default(local_subnet):
                what = f"local_subnet = {cidr_text(local_subnet)} selects all traffic of the mainland site"
                model.add_exit(GeneralExit(conn, link.remote, what, [link]))


def _route_exits(model: NetworkModel) -> None:
    config = model.config
    for route in config.of_type(VPN_GATEWAY_ROUTE):
        dest = route.get("destination_cidr_block")
        if not is_default_route(dest):
            continue
        gateway = referenced(config, route, "vpn_gateway_id", VPN_GATEWAY)
        conn = referenced(config, route, "next_hop_id", VPN_CONNECTION)
        if conn is not None:
            links, target = model.links_for(conn, VPN), conn.address
        elif gateway is not None:
            links, target = model.links_via(gateway), f"the connections of {gateway.address}"
        else:
            continue
        if links:
            network = cloud_endpoint(config, gateway if gateway is not None else route)
            model.add_exit(GeneralExit(route, network, f"route {dest} -> {target}", links))
    for route in config.of_type(ROUTE_ENTRY):
        dest = route.get("destination_cidr_block")
        if not is_default_route(dest) or str(route.get("next_hop_type") or "").lower() != "vpngw":
            continue
        gateway = referenced(config, route, "next_hop_id", VPN_GATEWAY)
        links = model.links_via(gateway)
        if gateway is not None and links:
            what = f"route {dest} -> VpnGW {gateway.address}"
            model.add_exit(GeneralExit(route, cloud_endpoint(config, route), what, links))


# --- Direct Connect -------------------------------------------------------------------------------


def _line_links(model: NetworkModel) -> None:
    add_line_links(model, LINE, VIRTUAL_INTERFACE, "direct_connect_connection_id", "peer_ip")


# --- CEN and transit routers ----------------------------------------------------------------------


def package_product(package: Resource, policy: Policy) -> tuple[str | None, str | None]:
    """(the licensed product, or why this package is not it); both sets default to China."""
    local = package.get("local_geographic_region_set_id", "China")
    peer = package.get("peer_geographic_region_set_id", "China")
    if not (is_resolved(local) and is_resolved(peer)):
        return None, f"the geographic region sets of {package.address} are not known statically"
    if str(local).lower() == str(peer).lower():
        return None, f"{package.address} connects {local} with {peer}, so it is not a cross-border package"
    product = f"the {PRODUCT} {package.address} ({local} <-> {peer})"
    if package.type == CEN_PACKAGE:
        operator = package.get("line_operator")
        named = "ChinaUnicom (provider default)" if operator is None else str(operator)
        if operator is not None and not is_resolved(operator):
            return None, f"line_operator of {package.address} is not known statically"
        if policy.approved_carrier(str(operator or "ChinaUnicom")) is None:
            return None, f"{package.address} line_operator = {named} is not an approved carrier of the policy"
        product = f"{product}, line_operator {named}"
    return product, None


_MISSING_PACKAGE = (
    "has no cross-border bandwidth package associated; buy a " + PRODUCT + " (volcengine_cen_bandwidth_package "
    'with local_geographic_region_set_id = "China" and peer_geographic_region_set_id = "Asia") and associate it'
)


def _cen_product(
    packages: CenPackages, policy: Policy, key: tuple[str, Any] | None, cen: str
) -> tuple[str | None, str | None]:
    def judge(package: Resource) -> tuple[str | None, str | None]:
        return package_product(package, policy)

    return packages.product(key, judge, f"associated with CEN {cen}", f"CEN {cen} {_MISSING_PACKAGE}")


def _cen_label(config: TerraformConfig, res: Resource) -> str:
    target = referenced(config, res, "cen_id", CEN)
    return target.address if target is not None else shown(res.get("cen_id"))


def _tr_peer_links(model: NetworkModel) -> None:
    config, policy = model.config, model.context.policy
    for att in config.of_type(TR_PEER):
        router = referenced(config, att, "transit_router_id", TRANSIT_ROUTER)
        how = f"by peer_transit_router_region_id of {att.address}"
        link = Link(
            kind=PEERING,
            resource=att,
            local=cloud_endpoint(config, router if router is not None else att),
            remote=region_endpoint(CLOUD, att.attrs.get("peer_transit_router_region_id"), how),
            circuit_tags=circuit_tags(att),
        )
        package = referenced(config, att, "transit_router_bandwidth_package_id", TR_PACKAGE)
        if package is not None:
            link.product, link.product_missing = package_product(package, policy)
        elif att.get("transit_router_bandwidth_package_id") is not None:
            named = shown(att.get("transit_router_bandwidth_package_id"))
            link.product_missing = (
                f"transit_router_bandwidth_package_id = {named} names a package outside this configuration, "
                "whose region sets cannot be checked"
            )
        else:
            link.product_missing = (
                f"no transit_router_bandwidth_package_id is set; buy a {PRODUCT} "
                "(volcengine_transit_router_bandwidth_package with local_geographic_region_set_id = "
                '"China" and peer_geographic_region_set_id = "Asia") and set it'
            )
        model.add_link(link, router)


def _cen_links(model: NetworkModel) -> None:
    config, policy = model.config, model.context.policy
    packages = CenPackages(config, CEN_PACKAGE_ASSOCIATE, "cen_id", CEN, "cen_bandwidth_package_id", CEN_PACKAGE)
    for bw in config.of_type(INTER_REGION):
        ends = [
            region_endpoint(CLOUD, bw.attrs.get(attr), f"by {attr} of {bw.address}")
            for attr in ("local_region_id", "peer_region_id")
        ]
        ends.sort(key=lambda ep: not ep.is_mainland)
        link = Link(PEERING, bw, ends[0], ends[1])
        package = referenced(config, bw, "cen_bandwidth_package_id", CEN_PACKAGE)
        if package is not None:
            link.product, link.product_missing = package_product(package, policy)
        else:
            key = group_key(config, bw, "cen_id", CEN)
            link.product, link.product_missing = _cen_product(packages, policy, key, _cen_label(config, bw))
        model.add_link(link)
    members: dict[tuple[str, Any], list[tuple[Resource, Endpoint]]] = defaultdict(list)
    labels: dict[tuple[str, Any], str] = {}
    for att in config.of_type(CEN_ATTACHMENT):
        key = group_key(config, att, "cen_id", CEN)
        if key is None:
            continue
        labels[key] = _cen_label(config, att)
        how = f"by instance_region_id of {att.address}"
        members[key].append((att, region_endpoint(CLOUD, att.attrs.get("instance_region_id"), how)))
    for key, group in members.items():
        product, missing = _cen_product(packages, policy, key, labels[key])
        for att, mainland, own in cross_border_pairs(group):
            model.add_link(Link(PEERING, att, mainland, own, product=product, product_missing=missing))


def add_links(model: NetworkModel) -> None:
    _vpn_links(model)
    _line_links(model)
    _tr_peer_links(model)
    _cen_links(model)


def add_exits(model: NetworkModel) -> None:
    _selector_exits(model)
    _route_exits(model)


COVERAGE = {
    "CKV_CNX_101": (
        Coverage(
            CLOUD,
            VPN_CONNECTION,
            "vpn_gateway_id (its provider region) or provider region; customer_gateway_id; tags",
        ),
        Coverage(CLOUD, CUSTOMER_GATEWAY, "ip_address; tags (location, circuit)", False),
        Coverage(CLOUD, VPN_GATEWAY, "provider region", False),
    ),
    "CKV_CNX_102": (
        Coverage(
            CLOUD,
            LINE,
            "provider region; line_operator (ChinaTelecom, ChinaUnicom, ChinaMobile "
            "approved; ChinaOther not); peer_location; tags",
        ),
        Coverage(CLOUD, VIRTUAL_INTERFACE, "direct_connect_connection_id; peer_ip; tags", False),
    ),
    "CKV_CNX_103": (
        Coverage(
            CLOUD,
            TR_PEER,
            "transit router's provider region vs peer_transit_router_region_id; transit_router_bandwidth_package_id",
        ),
        Coverage(
            CLOUD,
            INTER_REGION,
            "local_region_id / peer_region_id; cen_bandwidth_package_id, else the CEN's associated packages",
        ),
        Coverage(
            CLOUD,
            CEN_ATTACHMENT,
            "instance_region_id of every attachment of one CEN; a mainland/"
            "overseas pair is reported on the overseas attachment",
        ),
        Coverage(CLOUD, TR_PACKAGE, "local_/peer_geographic_region_set_id", False),
        Coverage(CLOUD, CEN_PACKAGE, "local_/peer_geographic_region_set_id; line_operator", False),
        Coverage(CLOUD, CEN_PACKAGE_ASSOCIATE, "cen_id; cen_bandwidth_package_id", False),
        Coverage(CLOUD, TRANSIT_ROUTER, "provider region", False),
    ),
    "CKV_CNX_104": (
        Coverage(
            CLOUD,
            VPN_CONNECTION,
            "local_subnet / remote_subnet containing 0.0.0.0/0 (not both: that is destination routing)",
        ),
        Coverage(CLOUD, VPN_GATEWAY_ROUTE, "destination_cidr_block; next_hop_id (a connection); vpn_gateway_id"),
        Coverage(CLOUD, ROUTE_ENTRY, "destination_cidr_block; next_hop_type = VpnGW; next_hop_id"),
        Coverage(CLOUD, VPN_GATEWAY, "joins default routes to the connections behind it", False),
    ),
}
