"""AWS: site-to-site VPN connections and the routes that can push all traffic over them.

A VPN connection joins the AWS side (the connection's region, resolved like Terraform does) to the
customer gateway's public address. Default routes reach a connection through its virtual private
gateway or its transit gateway. A Direct Connect connection serves its region and names its carrier
in ``provider_name``. The China regions form their own partition (aws-cn), so VPC and transit
gateway peering can never join them to a region outside mainland China.
"""

from __future__ import annotations

from typing import Any

from cn_crossborder.clouds.common import (
    circuit_tags,
    inline_blocks,
    inline_ref,
    is_default_route,
    referenced,
    vpn_link,
)
from cn_crossborder.clouds.evidence import dedicated_line
from cn_crossborder.clouds.placement import cloud_endpoint
from cn_crossborder.domain.coverage import Coverage
from cn_crossborder.domain.endpoints import Endpoint, region_endpoint
from cn_crossborder.domain.jurisdictions import CN
from cn_crossborder.domain.resource import Resource, first, is_resolved
from cn_crossborder.model import PEERING, VPN, GeneralExit, Link, NetworkModel

VPN_CONNECTION = "aws_vpn_connection"
CUSTOMER_GATEWAY = "aws_customer_gateway"
VPN_GATEWAY = "aws_vpn_gateway"
TRANSIT_GATEWAY = "aws_ec2_transit_gateway"
ROUTE_TYPES = ("aws_route", "aws_route_table", "aws_default_route_table")
DX_CONNECTION = "aws_dx_connection"
PEERING_TYPES = ("aws_vpc_peering_connection", "aws_ec2_transit_gateway_peering_attachment")
PARTITION = (
    "the AWS China regions (cn-north-1, cn-northwest-1) are a separate partition (aws-cn), so peering "
    "cannot join them to a region outside it and this link cannot be created. Connect the two sides "
    "over a Direct Connect line or IP-VPN leased from China Telecom, China Unicom or China Mobile "
    "(or CTG, CUG, CMI) and record it as a circuit in .cn-crossborder.yaml."
)


def add_links(model: NetworkModel) -> None:
    config = model.config
    for conn in config.of_type(VPN_CONNECTION):
        cgw = referenced(config, conn, "customer_gateway_id", CUSTOMER_GATEWAY)
        vgw = referenced(config, conn, "vpn_gateway_id", VPN_GATEWAY)
        tgw = referenced(config, conn, "transit_gateway_id", TRANSIT_GATEWAY)
        address = cgw.get("ip_address") if cgw is not None else None
        local = cloud_endpoint(config, conn)
        vpn_link(model, conn, local, cgw, address, conn.attrs.get("customer_gateway_id"), vgw, tgw)
    _dx_links(model)
    _peering_links(model)


def _dx_links(model: NetworkModel) -> None:
    """A Direct Connect connection serves its region; ``provider_name`` (free text) names its carrier."""
    config = model.config
    for dx in config.of_type(DX_CONNECTION):
        where = dx.get("location")
        label = f"customer end (DX location {where})" if is_resolved(where) else None
        link = dedicated_line(model, dx, label, "provider_name")
        if link.carrier_text is None:
            link.product_missing = "provider_name is not set, so the line names no carrier"


def _peering_links(model: NetworkModel) -> None:
    """Peering stays inside one partition: an unknown end facing a China region is in China too."""
    config = model.config
    for res in config.of_type(*PEERING_TYPES):
        local = cloud_endpoint(config, res)
        if res.attrs.get("peer_region") is None:
            remote = Endpoint(local.jurisdiction, local.label, "(peer_region not set: the same region)")
        else:
            remote = region_endpoint("aws", res.attrs.get("peer_region"), f"via peer_region of {res.address}")
        inside = "; peering cannot leave the aws-cn partition, whose regions are all in mainland China"
        if local.is_mainland and remote.jurisdiction is None:
            remote = Endpoint(CN, remote.label, remote.how + inside)
        elif remote.is_mainland and local.jurisdiction is None:
            local = Endpoint(CN, local.label, local.how + inside)
        link = Link(PEERING, res, local, remote, circuit_tags=circuit_tags(res))
        if local.is_mainland != remote.is_mainland and None not in (local.jurisdiction, remote.jurisdiction):
            link.impossible = PARTITION
        model.add_link(link)


def _selector_exit(model: NetworkModel, conn: Resource) -> None:
    """Explicit traffic selectors of 0.0.0.0/0 on the mainland side send everything abroad.

    AWS defaults both selectors to 0.0.0.0/0 for route-based tunnels, where routes decide; only a
    selector written in the configuration is read as a choice to select all traffic.
    """
    for link in model.links_for(conn, VPN):
        if link.local.is_mainland:
            attrs, side = ("remote_ipv4_network_cidr", "remote_ipv6_network_cidr"), "AWS side"
        elif link.remote.is_mainland:
            attrs, side = ("local_ipv4_network_cidr", "local_ipv6_network_cidr"), "customer side"
        else:
            continue
        for attr in attrs:
            if attr in conn.attrs and is_default_route(conn.attrs.get(attr)):
                what = (
                    f"{attr} = {first(conn.attrs.get(attr))} lets the mainland {side} send all traffic into the tunnel"
                )
                network = link.local if link.local.is_mainland else link.remote
                model.add_exit(GeneralExit(conn, network, what, [link]))


def _route_targets(model: NetworkModel, res: Resource, route: dict[str, Any], inline: bool) -> tuple[str, list[Link]]:
    config = model.config
    for attr, types in (("gateway_id", (VPN_GATEWAY,)), ("transit_gateway_id", (TRANSIT_GATEWAY,))):
        if inline:
            target = inline_ref(config, res, attr, route.get(attr), *types)
        else:
            target = referenced(config, res, attr, *types)
        if target is not None:
            return f"{attr} = {target.address}", model.links_via(target)
    return "", []


def _route_exits(model: NetworkModel) -> None:
    config = model.config
    for res in config.of_type(*ROUTE_TYPES):
        if res.type == "aws_route":
            routes, inline = [dict(res.attrs)], False
        else:
            routes, inline = list(inline_blocks(res, "route")), True
        for route in routes:
            dest = first(route.get("cidr_block" if inline else "destination_cidr_block"))
            dest6 = first(route.get("ipv6_cidr_block" if inline else "destination_ipv6_cidr_block"))
            if not (is_default_route(dest) or is_default_route(dest6)):
                continue
            target, links = _route_targets(model, res, route, inline)
            if not links:
                continue
            shown = dest if is_default_route(dest) else dest6
            model.add_exit(GeneralExit(res, cloud_endpoint(config, res), f"route {shown} -> {target}", links))


def _vpn_route_exits(model: NetworkModel) -> None:
    config = model.config
    for res in config.of_type("aws_vpn_connection_route"):
        if not is_default_route(res.get("destination_cidr_block")):
            continue
        conn = referenced(config, res, "vpn_connection_id", VPN_CONNECTION)
        if conn is None:
            continue
        links = model.links_for(conn, VPN)
        if links:
            what = f"static route {res.get('destination_cidr_block')} over {conn.address}"
            model.add_exit(GeneralExit(res, links[0].local, what, links))
    for res in config.of_type("aws_ec2_transit_gateway_route"):
        if not is_default_route(res.get("destination_cidr_block")):
            continue
        conn = referenced(config, res, "transit_gateway_attachment_id", VPN_CONNECTION)
        if conn is None:
            continue
        links = model.links_for(conn, VPN)
        if links:
            what = f"transit gateway route {res.get('destination_cidr_block')} -> {conn.address}"
            model.add_exit(GeneralExit(res, cloud_endpoint(config, res), what, links))


def add_exits(model: NetworkModel) -> None:
    for conn in model.config.of_type(VPN_CONNECTION):
        _selector_exit(model, conn)
    _route_exits(model)
    _vpn_route_exits(model)


COVERAGE = {
    "CKV_CNX_101": (
        Coverage("aws", VPN_CONNECTION, "region (provider v6) or provider region; customer_gateway_id; tags"),
        Coverage("aws", CUSTOMER_GATEWAY, "ip_address; tags cn-crossborder:location, cn-crossborder:circuit", False),
    ),
    "CKV_CNX_104": (
        Coverage(
            "aws",
            "aws_route",
            "destination_cidr_block / destination_ipv6_cidr_block; gateway_id; transit_gateway_id",
        ),
        Coverage("aws", "aws_route_table", "inline route blocks"),
        Coverage("aws", "aws_default_route_table", "inline route blocks"),
        Coverage("aws", "aws_vpn_connection_route", "destination_cidr_block; vpn_connection_id"),
        Coverage("aws", "aws_ec2_transit_gateway_route", "destination_cidr_block; transit_gateway_attachment_id"),
        Coverage("aws", VPN_CONNECTION, "local_/remote_ipv4_network_cidr when written explicitly"),
        Coverage("aws", VPN_GATEWAY, "joins default routes to the VPN connections behind it", False),
        Coverage("aws", TRANSIT_GATEWAY, "joins default routes to its VPN attachments", False),
    ),
    "CKV_CNX_102": (
        Coverage(
            "aws",
            DX_CONNECTION,
            "provider_name (free text, any name of an approved carrier); "
            "location; region; tags cn-crossborder:location, cn-crossborder:circuit",
        ),
    ),
    "CKV_CNX_103": (
        Coverage("aws", "aws_vpc_peering_connection", "region (provider v6) or provider region; peer_region"),
        Coverage("aws", "aws_ec2_transit_gateway_peering_attachment", "region; peer_region"),
    ),
}
