"""Azure: IPsec connections between a virtual network gateway and a local network gateway.

Azure operated by 21Vianet is a separate cloud: a link from an Azure China region to anywhere else
is either an IPsec connection to an address or an ExpressRoute circuit. Forced tunnelling
(``default_local_network_gateway_id``) and 0.0.0.0/0 routes to the gateway are general exits.
"""

from __future__ import annotations

from collections import defaultdict

from cn_crossborder.clouds.common import any_default, circuit_tags, inline_blocks, is_default_route, referenced
from cn_crossborder.coverage import Coverage
from cn_crossborder.endpoints import Endpoint, address_endpoint, cloud_endpoint
from cn_crossborder.graph import Resource, first
from cn_crossborder.model import VPN, GeneralExit, Link, NetworkModel

CONNECTION = "azurerm_virtual_network_gateway_connection"
GATEWAY = "azurerm_virtual_network_gateway"
LOCAL_GATEWAY = "azurerm_local_network_gateway"


def _peer(model: NetworkModel, lng: Resource | None, shown: object) -> Endpoint:
    if lng is None:
        return Endpoint(None, str(shown or "not set"), "local network gateway outside this configuration")
    address = lng.get("gateway_address")
    if address is None and lng.get("gateway_fqdn") is not None:
        address = lng.get("gateway_fqdn")
    return address_endpoint(address, model.context.policy, [lng])


def add_links(model: NetworkModel) -> None:
    config = model.config
    for conn in config.of_type(CONNECTION):
        if str(conn.get("type", "")).lower() != "ipsec":
            continue
        vng = referenced(config, conn, "virtual_network_gateway_id", GATEWAY)
        lng = referenced(config, conn, "local_network_gateway_id", LOCAL_GATEWAY)
        link = Link(
            kind=VPN,
            resource=conn,
            local=cloud_endpoint(config, vng if vng is not None else conn),
            remote=_peer(model, lng, conn.get("local_network_gateway_id")),
            peer_address=lng.get("gateway_address") if lng is not None else None,
            peer_gateway=lng,
            circuit_tags=circuit_tags(conn, lng),
        )
        model.add_link(link, vng, lng)


def _forced_tunnelling(model: NetworkModel) -> None:
    config = model.config
    for vng in config.of_type(GATEWAY):
        if vng.get("default_local_network_gateway_id") is None:
            continue
        lng = referenced(config, vng, "default_local_network_gateway_id", LOCAL_GATEWAY)
        local = cloud_endpoint(config, vng)
        links = [link for link in model.links_via(vng) if lng is not None and link.peer_gateway is lng]
        if not links:
            shown = vng.get("default_local_network_gateway_id")
            links = [Link(VPN, vng, local, _peer(model, lng, shown), peer_gateway=lng)]
        target = lng.address if lng is not None else vng.get("default_local_network_gateway_id")
        what = f"forced tunnelling: default_local_network_gateway_id = {target} sends all Internet traffic to that site"
        model.add_exit(GeneralExit(vng, local, what, links))


def _routes(model: NetworkModel) -> None:
    config = model.config
    gateways_by_group: dict[str, list[Resource]] = defaultdict(list)
    for vng in config.of_type(GATEWAY):
        gateways_by_group[str(vng.get("resource_group_name", "")).lower()].append(vng)
    for res in config.of_type("azurerm_route", "azurerm_route_table"):
        routes = [dict(res.attrs)] if res.type == "azurerm_route" else list(inline_blocks(res, "route"))
        for route in routes:
            if not is_default_route(route.get("address_prefix")):
                continue
            if str(first(route.get("next_hop_type")) or "").lower() != "virtualnetworkgateway":
                continue
            table = referenced(config, res, "route_table_name", "azurerm_route_table") or res
            network = cloud_endpoint(config, table)
            group = str(res.get("resource_group_name", "")).lower()
            links = [link for vng in gateways_by_group.get(group, ()) for link in model.links_via(vng)]
            if links:
                what = f"route {first(route.get('address_prefix'))} -> VirtualNetworkGateway"
                model.add_exit(GeneralExit(res, network, what, links))


def _selectors(model: NetworkModel) -> None:
    for conn in model.config.of_type(CONNECTION):
        for link in model.links_for(conn, VPN):
            for policy in inline_blocks(conn, "traffic_selector_policy"):
                if link.local.is_mainland and any_default(policy.get("remote_address_cidrs")):
                    what = "traffic_selector_policy remote_address_cidrs includes 0.0.0.0/0 (Azure side is mainland)"
                    model.add_exit(GeneralExit(conn, link.local, what, [link]))
                elif link.remote.is_mainland and any_default(policy.get("local_address_cidrs")):
                    what = "traffic_selector_policy local_address_cidrs includes 0.0.0.0/0 (site side is mainland)"
                    model.add_exit(GeneralExit(conn, link.remote, what, [link]))


def add_exits(model: NetworkModel) -> None:
    _forced_tunnelling(model)
    _routes(model)
    _selectors(model)


COVERAGE = {
    "CKV_CNX_101": (
        Coverage("azurerm", CONNECTION, "type = IPsec; virtual_network_gateway_id (its location); local_network_gateway_id; tags"),
        Coverage("azurerm", LOCAL_GATEWAY, "gateway_address / gateway_fqdn; tags", False),
        Coverage("azurerm", GATEWAY, "location; provider environment = china", False),
    ),
    "CKV_CNX_104": (
        Coverage("azurerm", "azurerm_route", "address_prefix; next_hop_type = VirtualNetworkGateway; route table location"),
        Coverage("azurerm", "azurerm_route_table", "inline route blocks"),
        Coverage("azurerm", GATEWAY, "default_local_network_gateway_id (forced tunnelling)"),
        Coverage("azurerm", CONNECTION, "traffic_selector_policy local_/remote_address_cidrs"),
    ),
}
