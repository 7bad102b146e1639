"""Tencent Cloud: IPsec VPN, Direct Connect lines, CCN and VPC peering, and routes over them.

Tencent region ids all start with ``ap-`` (``ap-hongkong`` is Hong Kong, ``ap-taipei`` Taiwan), so
every region is classified through the Tencent catalogue, never by prefix.

Evidence for the licensed cross-border route of a CCN (reference law-and-carriers §4): Tencent sells
CCN traffic between a mainland and an overseas region only after China Unicom approves the
customer's cross-border compliance form (``ServiceProvider`` accepts ``UNICOM`` only). The
configuration shows that approval with ``data "tencentcloud_ccn_cross_border_compliance"`` filtered
on ``service_provider = "UNICOM"`` and ``state = "APPROVED"``; the approval belongs to the account,
so one such data source covers every CCN of the configuration. A ``tencentcloud_ccn_bandwidth_limit``
is a rate cap that any CCN may set, so it is *not* evidence: one between a mainland and an overseas
region is itself a cross-border leg and needs the approval like an attachment does.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from cn_crossborder.clouds.common import (
    circuit_tags,
    inline_blocks,
    is_default_route,
    referenced,
    shown,
    vpn_link,
)
from cn_crossborder.clouds.evidence import dedicated_line, has_default, member_pairs
from cn_crossborder.clouds.placement import cloud_endpoint
from cn_crossborder.domain.coverage import Coverage
from cn_crossborder.domain.endpoints import Endpoint, region_endpoint
from cn_crossborder.domain.resource import Resource, first, is_resolved
from cn_crossborder.model import PEERING, VPN, GeneralExit, Link, NetworkModel

CLOUD = "tencentcloud"
VPN_GATEWAY = "tencentcloud_vpn_gateway"
CUSTOMER_GATEWAY = "tencentcloud_vpn_customer_gateway"
VPN_CONNECTION = "tencentcloud_vpn_connection"
GATEWAY_ROUTE = "tencentcloud_vpn_gateway_route"
ROUTE_ENTRY = "tencentcloud_route_table_entry"
LEGACY_ROUTE = "tencentcloud_route_entry"
DC_INSTANCE = "tencentcloud_dc_instance"
CCN = "tencentcloud_ccn"
ATTACHMENTS = ("tencentcloud_ccn_attachment", "tencentcloud_ccn_attachment_v2")
BANDWIDTH_LIMIT = "tencentcloud_ccn_bandwidth_limit"
PEER = "tencentcloud_vpc_peer_connect_manager"
COMPLIANCE = "tencentcloud_ccn_cross_border_compliance"
_COMPLIANCE_TYPES = (f"data.{COMPLIANCE}",)

_APPROVAL_NEEDED = (
    f'no China Unicom cross-border compliance approval (data "{COMPLIANCE}" with service_provider = '
    '"UNICOM" and state = "APPROVED") is in the configuration'
)


def _approval(model: NetworkModel) -> tuple[str | None, str]:
    """The licensed-product description if an approval is shown, else why none counts."""
    policy, as_of = model.context.policy, model.context.as_of
    problems: list[str] = []
    for data in model.config.of_type(*_COMPLIANCE_TYPES):
        provider, state = data.get("service_provider"), str(data.get("state") or "")
        carrier = policy.approved_carrier(str(provider)) if is_resolved(provider) else None
        end = _date(data.get("service_end_date"))
        if carrier is None:
            problems.append(f"{data.address} has service_provider = {shown(provider)}, not an approved carrier")
        elif state.upper() != "APPROVED":
            problems.append(f"{data.address} selects approvals in state {state or 'any'}, not APPROVED")
        elif end is not None and end < as_of:
            problems.append(f"{data.address}: the approved service ended on {end.isoformat()}")
        else:
            return (
                f"Tencent CCN cross-border service approved by {carrier.name} "
                f"({data.address}: service_provider = {provider}, state = APPROVED)",
                "",
            )
    return None, "; ".join(problems) if problems else _APPROVAL_NEEDED


def _date(value: Any) -> dt.date | None:
    value = first(value)
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _with_approval(link: Link, approval: tuple[str | None, str]) -> Link:
    product, missing = approval
    if product:
        link.product = product
    else:
        link.product_missing = missing
    return link


def _vpn_links(model: NetworkModel) -> None:
    config = model.config
    for conn in config.of_type(VPN_CONNECTION):
        vgw = referenced(config, conn, "vpn_gateway_id", VPN_GATEWAY)
        cgw = referenced(config, conn, "customer_gateway_id", CUSTOMER_GATEWAY)
        address = cgw.get("public_ip_address") if cgw is not None else None
        local = cloud_endpoint(config, conn)
        vpn_link(model, conn, local, cgw, address, conn.attrs.get("customer_gateway_id"), vgw)


def _dc_links(model: NetworkModel) -> None:
    """A Direct Connect line serves the region of its provider; ``line_operator`` names its carrier."""
    config = model.config
    for dc in config.of_type(DC_INSTANCE):
        dedicated_line(model, dc, dc.get("location") or dc.get("access_point_id"), "line_operator")


def _ccn_key(model: NetworkModel, res: Resource) -> tuple[tuple[str, Any], Resource | None]:
    ccn = referenced(model.config, res, "ccn_id", CCN)
    return (("res", ccn.index) if ccn is not None else ("text", shown(res.attrs.get("ccn_id")))), ccn


def _ccn_links(model: NetworkModel, approval: tuple[str | None, str]) -> None:
    """Attachments of one CCN in a mainland and another region form a cross-border leg per pair.

    The finding lands on the attachment outside the mainland (or in an unknown region): it is the
    one that takes the CCN across the border.
    """
    config = model.config
    members: dict[tuple[str, Any], list[tuple[Resource, Endpoint]]] = defaultdict(list)
    ccns: dict[tuple[str, Any], Resource | None] = {}
    for att in config.of_type(*ATTACHMENTS):
        key, ccns[key] = _ccn_key(model, att)
        ep = region_endpoint(CLOUD, att.attrs.get("instance_region"), f"via instance_region of {att.address}")
        members[key].append((att, ep))
    for key, group in members.items():
        for att, mainland, own in member_pairs(group):
            link = Link(PEERING, att, mainland, own, circuit_tags=circuit_tags(ccns[key]))
            model.add_link(_with_approval(link, approval), ccns[key])
    for lim in config.of_type(BANDWIDTH_LIMIT):
        if lim.attrs.get("dst_region") is None:
            continue  # an outbound cap of one region joins no second region
        _, ccn = _ccn_key(model, lim)
        local = region_endpoint(CLOUD, lim.attrs.get("region"), f"via region of {lim.address}")
        remote = region_endpoint(CLOUD, lim.attrs.get("dst_region"), f"via dst_region of {lim.address}")
        link = Link(PEERING, lim, local, remote, circuit_tags=circuit_tags(ccn))
        model.add_link(_with_approval(link, approval), ccn)


def _peer_links(model: NetworkModel) -> None:
    config = model.config
    for peer in config.of_type(PEER):
        local = cloud_endpoint(config, peer)
        if peer.attrs.get("destination_region") is None:
            remote = Endpoint(local.jurisdiction, local.label, "(destination_region not set: the same region)")
        else:
            remote = region_endpoint(
                CLOUD, peer.attrs.get("destination_region"), f"via destination_region of {peer.address}"
            )
        missing = (
            "a VPC peering connection records no licensed cross-border product (Tencent's documented "
            "cross-border route is CCN with China Unicom's compliance approval)"
        )
        model.add_link(Link(PEERING, peer, local, remote, product_missing=missing, circuit_tags=circuit_tags(peer)))


def add_links(model: NetworkModel) -> None:
    _vpn_links(model)
    _dc_links(model)
    _ccn_links(model, _approval(model))
    _peer_links(model)


def _mainland_side(links: list[Link]) -> list[Link]:
    """Links of a CCN seen from their mainland end, so that a route does not list each pair twice."""
    mainland = [link for link in links if link.local.is_mainland]
    return mainland or links


def _selector_exits(model: NetworkModel) -> None:
    """``security_group_policy`` picks the tunnel's traffic; 0.0.0.0/0 on the mainland side picks all."""
    for conn in model.config.of_type(VPN_CONNECTION):
        for link in model.links_for(conn, VPN):
            for block in inline_blocks(conn, "security_group_policy"):
                if link.local.is_mainland and has_default(block.get("remote_cidr_block")):
                    what = "security_group_policy remote_cidr_block includes 0.0.0.0/0 (the Tencent side is mainland)"
                    model.add_exit(GeneralExit(conn, link.local, what, [link]))
                    break
                if link.remote.is_mainland and has_default(block.get("local_cidr_block")):
                    what = "security_group_policy local_cidr_block is 0.0.0.0/0 (the customer side is mainland)"
                    model.add_exit(GeneralExit(conn, link.remote, what, [link]))
                    break


_ROUTE_TARGETS = {
    # next_type value -> (target resource type, how to reach its links)
    "VPN": (VPN_GATEWAY, "via"),
    "VPN_GATEWAY": (VPN_GATEWAY, "via"),
    "PEERCONNECTION": (PEER, "peering"),
    "PEERING_CONNECTION": (PEER, "peering"),
    "CCN": (CCN, "ccn"),
}


def _route_links(model: NetworkModel, res: Resource, attr: str, next_type: str) -> tuple[Resource | None, list[Link]]:
    target_type, how = _ROUTE_TARGETS.get(next_type.upper(), ("", ""))
    if not target_type:
        return None, []
    target = referenced(model.config, res, attr, target_type)
    if target is None:
        return None, []
    if how == "peering":
        return target, model.links_for(target, PEERING)
    if how == "ccn":
        return target, _mainland_side(model.links_via(target))
    return target, model.links_via(target)


def _route_exits(model: NetworkModel) -> None:
    config = model.config
    for res in config.of_type(ROUTE_ENTRY, LEGACY_ROUTE):
        dest_attr = "destination_cidr_block" if res.type == ROUTE_ENTRY else "cidr_block"
        dest = res.get(dest_attr)
        if not is_default_route(dest):
            continue
        next_type = str(res.get("next_type") or "")
        target, links = _route_links(model, res, "next_hub", next_type)
        if target is not None and links:
            what = f"route {dest} -> next_type {next_type} {target.address}"
            model.add_exit(GeneralExit(res, cloud_endpoint(config, res), what, links))
    for res in config.of_type(GATEWAY_ROUTE):
        dest = res.get("destination_cidr_block")
        if not is_default_route(dest):
            continue
        kind = str(res.get("instance_type") or "").upper()
        if kind == "VPNCONN":
            conn = referenced(config, res, "instance_id", VPN_CONNECTION)
            target, links = conn, model.links_for(conn, VPN) if conn is not None else []
        else:
            target, links = _route_links(model, res, "instance_id", kind)
        if target is not None and links:
            what = f"VPN gateway route {dest} -> {kind} {target.address}"
            model.add_exit(GeneralExit(res, cloud_endpoint(config, res), what, links))


def add_exits(model: NetworkModel) -> None:
    _selector_exits(model)
    _route_exits(model)


_ATTACHMENT_READS = (
    "ccn_id; instance_region of every attachment of the CCN; a mainland/overseas pair is reported on the "
    "overseas attachment; the compliance approval"
)

COVERAGE = {
    "CKV_CNX_101": (
        Coverage(CLOUD, VPN_CONNECTION, "provider region; customer_gateway_id; vpn_gateway_id; tags"),
        Coverage(
            CLOUD,
            CUSTOMER_GATEWAY,
            "public_ip_address; tags cn-crossborder:location, cn-crossborder:circuit",
            False,
        ),
        Coverage(CLOUD, VPN_GATEWAY, "joins connections to routes", False),
    ),
    "CKV_CNX_102": (
        Coverage(
            CLOUD,
            DC_INSTANCE,
            "line_operator (ChinaTelecom/ChinaUnicom/ChinaMobile approved); provider region; "
            "location / access_point_id",
        ),
    ),
    "CKV_CNX_103": (
        Coverage(CLOUD, "tencentcloud_ccn_attachment", _ATTACHMENT_READS),
        Coverage(CLOUD, "tencentcloud_ccn_attachment_v2", _ATTACHMENT_READS),
        Coverage(CLOUD, BANDWIDTH_LIMIT, "region; dst_region (inter-region limits only)"),
        Coverage(CLOUD, PEER, "provider region; destination_region"),
        Coverage(CLOUD, CCN, "groups attachments; tag cn-crossborder:circuit", False),
        Coverage(
            CLOUD,
            f"data.{COMPLIANCE}",
            "service_provider = UNICOM, state = APPROVED, service_end_date (the cross-border approval)",
            False,
        ),
    ),
    "CKV_CNX_104": (
        Coverage(CLOUD, ROUTE_ENTRY, "destination_cidr_block; next_type VPN / PEERCONNECTION / CCN; next_hub"),
        Coverage(CLOUD, LEGACY_ROUTE, "cidr_block; next_type vpn_gateway / peering_connection; next_hub"),
        Coverage(CLOUD, GATEWAY_ROUTE, "destination_cidr_block; instance_type VPNCONN / CCN; instance_id"),
        Coverage(CLOUD, VPN_CONNECTION, "security_group_policy local_cidr_block / remote_cidr_block"),
    ),
}
