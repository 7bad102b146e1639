"""Baidu AI Cloud: IPsec VPN connections, VPC peer connections, and route rules over them.

Baidu region ids are short city codes (``bj``, ``gz``, ``hkg`` is Hong Kong, ``sin`` Singapore) with
no structure to generalise from, so each one is classified through the Baidu catalogue. A VPN
connection names its peer only by ``remote_ip`` (there is no customer gateway resource and no tags),
so a peer is located by the policy's ``locations`` and circuits or by IP registration. The provider
records no carrier and no cross-border product for a peer connection, so a peer connection across
the border has no licensed route to show.
"""

from __future__ import annotations

from cn_crossborder.clouds.common import circuit_tags, is_default_route, referenced
from cn_crossborder.clouds.evidence import has_default
from cn_crossborder.clouds.placement import cloud_endpoint
from cn_crossborder.domain.coverage import Coverage
from cn_crossborder.domain.endpoints import Endpoint, address_endpoint, region_endpoint
from cn_crossborder.model import PEERING, VPN, GeneralExit, Link, NetworkModel

CLOUD = "baiducloud"
VPN_GATEWAY = "baiducloud_vpn_gateway"
VPN_CONN = "baiducloud_vpn_conn"
PEER = "baiducloud_peer_conn"
ROUTE_RULE = "baiducloud_route_rule"

_NO_PRODUCT = "Baidu AI Cloud's peer connection records no approved carrier or licensed cross-border product"


def add_links(model: NetworkModel) -> None:
    config, policy = model.config, model.context.policy
    for conn in config.of_type(VPN_CONN):
        gw = referenced(config, conn, "vpn_id", VPN_GATEWAY)
        address = conn.get("remote_ip")
        link = Link(
            kind=VPN,
            resource=conn,
            local=cloud_endpoint(config, conn),
            remote=address_endpoint(address, policy, [conn]),
            peer_address=address,
            circuit_tags=circuit_tags(conn),
        )
        model.add_link(link, gw)
    for peer in config.of_type(PEER):
        local = cloud_endpoint(config, peer)
        remote = region_endpoint(CLOUD, peer.attrs.get("peer_region"), f"via peer_region of {peer.address}")
        model.add_link(Link(PEERING, peer, local, remote, product_missing=_NO_PRODUCT, circuit_tags=circuit_tags(peer)))


def _selector_exits(model: NetworkModel) -> None:
    """``remote_subnets`` of 0.0.0.0/0 on a mainland gateway (or ``local_subnets`` for a mainland peer)."""
    for conn in model.config.of_type(VPN_CONN):
        for link in model.links_for(conn, VPN):
            if link.local.is_mainland and has_default(conn.attrs.get("remote_subnets")):
                what = "remote_subnets includes 0.0.0.0/0 (the Baidu side is mainland)"
                model.add_exit(GeneralExit(conn, link.local, what, [link]))
            elif link.remote.is_mainland and has_default(conn.attrs.get("local_subnets")):
                what = "local_subnets includes 0.0.0.0/0 (the peer side is mainland)"
                model.add_exit(GeneralExit(conn, link.remote, what, [link]))


def _route_exits(model: NetworkModel) -> None:
    config = model.config
    for rule in config.of_type(ROUTE_RULE):
        dest = rule.get("destination_address")
        if not is_default_route(dest):
            continue
        kind = str(rule.get("next_hop_type") or "")
        links: list[Link] = []
        target = None
        if kind.lower() == "vpn":
            target = referenced(config, rule, "next_hop_id", VPN_GATEWAY)
            links = model.links_via(target)
        elif kind.lower() == "peerconn":
            target = referenced(config, rule, "next_hop_id", PEER)
            links = model.links_for(target, PEERING) if target is not None else []
        if target is not None and links:
            network: Endpoint = cloud_endpoint(config, rule)
            model.add_exit(GeneralExit(rule, network, f"route {dest} -> {kind} {target.address}", links))


def add_exits(model: NetworkModel) -> None:
    _selector_exits(model)
    _route_exits(model)


COVERAGE = {
    "CKV_CNX_101": (
        Coverage(CLOUD, VPN_CONN, "provider region; remote_ip (policy locations, circuits, IP registration)"),
        Coverage(CLOUD, VPN_GATEWAY, "joins connections to route rules", False),
    ),
    "CKV_CNX_103": (Coverage(CLOUD, PEER, "provider region; peer_region"),),
    "CKV_CNX_104": (
        Coverage(CLOUD, ROUTE_RULE, "destination_address; next_hop_type vpn / peerConn; next_hop_id"),
        Coverage(CLOUD, VPN_CONN, "local_subnets / remote_subnets"),
    ),
}
