"""Azure: IPsec connections between a virtual network gateway and a local network gateway.

Azure operated by 21Vianet is a separate cloud: a link from an Azure China region to anywhere else
is either an IPsec connection to an address or an ExpressRoute circuit. Forced tunnelling
(``default_local_network_gateway_id``) and 0.0.0.0/0 routes to the gateway are general exits.
An ExpressRoute circuit names its carrier in ``service_provider_name`` (free text). Virtual network
peering, Vnet2Vnet and ExpressRoute connections cannot cross between Azure China and global Azure.
"""

from __future__ import annotations

from collections import defaultdict

from cn_crossborder.clouds.common import (
    any_default,
    circuit_tags,
    inline_blocks,
    is_default_route,
    referenced,
    shown,
    vpn_link,
)
from cn_crossborder.clouds.evidence import dedicated_line
from cn_crossborder.clouds.placement import cloud_endpoint
from cn_crossborder.domain.coverage import Coverage
from cn_crossborder.domain.endpoints import Endpoint, address_endpoint
from cn_crossborder.domain.jurisdictions import CN
from cn_crossborder.domain.resource import Resource, first, is_resolved
from cn_crossborder.model import PEERING, VPN, GeneralExit, Link, NetworkModel

CONNECTION = "azurerm_virtual_network_gateway_connection"
GATEWAY = "azurerm_virtual_network_gateway"
LOCAL_GATEWAY = "azurerm_local_network_gateway"
CIRCUIT = "azurerm_express_route_circuit"
VNET = "azurerm_virtual_network"
VNET_PEERING = "azurerm_virtual_network_peering"
SEPARATE_CLOUD = (
    "Azure operated by 21Vianet (Azure China) is a separate cloud: {what} between it and global Azure "
    "cannot be created. Connect the two over an ExpressRoute circuit or an IPsec VPN carried on a line "
    "leased from China Telecom, China Unicom or China Mobile (or CTG, CUG, CMI), recorded as a circuit "
    "in .cn-crossborder.yaml."
)


def _lng_address(lng: Resource | None) -> object:
    """A local network gateway's address, else its name (which cannot be located offline)."""
    if lng is None:
        return None
    return lng.get("gateway_address") if lng.get("gateway_address") is not None else lng.get("gateway_fqdn")


def _peer(model: NetworkModel, lng: Resource | None, reference: object) -> Endpoint:
    if lng is None:
        return Endpoint(None, shown(reference), "local network gateway outside this configuration")
    return address_endpoint(_lng_address(lng), model.context.policy, [lng])


def add_links(model: NetworkModel) -> None:
    config = model.config
    for conn in config.of_type(CONNECTION):
        if str(conn.get("type", "")).lower() != "ipsec":
            continue
        vng = referenced(config, conn, "virtual_network_gateway_id", GATEWAY)
        lng = referenced(config, conn, "local_network_gateway_id", LOCAL_GATEWAY)
        local = cloud_endpoint(config, vng if vng is not None else conn)
        reference = conn.get("local_network_gateway_id")
        vpn_link(model, conn, local, lng, _lng_address(lng), reference, vng, peer_kind="local network gateway")
    _express_route_links(model)
    _peering_links(model)


def _express_route_links(model: NetworkModel) -> None:
    """A circuit serves its location; ``service_provider_name`` is free text matched to carriers."""
    config = model.config
    for circuit in config.of_type(CIRCUIT):
        where = circuit.get("peering_location")
        label = f"customer end (peering location {where})" if is_resolved(where) else None
        link = dedicated_line(model, circuit, label, "service_provider_name")
        if link.carrier_text is None and circuit.get("express_route_port_id") is not None:
            link.product_missing = "an ExpressRoute Direct port (express_route_port_id) names no carrier"


def _one_cloud(res: Resource, local: Endpoint, remote: Endpoint, what: str) -> Link:
    """A link inside Azure: an unknown end facing Azure China is in Azure China, or it cannot exist."""
    inside = "; Azure China links reach only Azure China, whose regions are all in mainland China"
    if local.is_mainland and remote.jurisdiction is None:
        remote = Endpoint(CN, remote.label, remote.how + inside)
    elif remote.is_mainland and local.jurisdiction is None:
        local = Endpoint(CN, local.label, local.how + inside)
    link = Link(PEERING, res, local, remote, circuit_tags=circuit_tags(res))
    if local.is_mainland != remote.is_mainland and None not in (local.jurisdiction, remote.jurisdiction):
        link.impossible = SEPARATE_CLOUD.format(what=what)
    return link


def _outside(value: object, what: str) -> Endpoint:
    return Endpoint(None, shown(value), f"{what} outside this configuration")


def _peering_links(model: NetworkModel) -> None:
    config = model.config
    vnets = {
        (str(v.get("name", "")).lower(), str(v.get("resource_group_name", "")).lower()): v for v in config.of_type(VNET)
    }
    for peering in config.of_type(VNET_PEERING):
        name = str(peering.get("virtual_network_name", "")).lower()
        group = str(peering.get("resource_group_name", "")).lower()
        own = referenced(config, peering, "virtual_network_name", VNET) or vnets.get((name, group))
        other = referenced(config, peering, "remote_virtual_network_id", VNET)
        local = cloud_endpoint(config, own if own is not None else peering)
        remote = (
            cloud_endpoint(config, other)
            if other is not None
            else _outside(peering.attrs.get("remote_virtual_network_id"), "a virtual network")
        )
        model.add_link(_one_cloud(peering, local, remote, "virtual network peering"))
    for conn in config.of_type(CONNECTION):
        kind = str(conn.get("type", "")).lower()
        if kind not in ("vnet2vnet", "expressroute"):
            continue
        vng = referenced(config, conn, "virtual_network_gateway_id", GATEWAY)
        local = cloud_endpoint(config, vng if vng is not None else conn)
        if kind == "vnet2vnet":
            peer = referenced(config, conn, "peer_virtual_network_gateway_id", GATEWAY)
            remote = (
                cloud_endpoint(config, peer)
                if peer is not None
                else _outside(conn.attrs.get("peer_virtual_network_gateway_id"), "a gateway")
            )
            what = "a Vnet2Vnet connection"
        else:
            circuit = referenced(config, conn, "express_route_circuit_id", CIRCUIT)
            remote = (
                cloud_endpoint(config, circuit)
                if circuit is not None
                else _outside(conn.attrs.get("express_route_circuit_id"), "an ExpressRoute circuit")
            )
            what = "an ExpressRoute connection"
        model.add_link(_one_cloud(conn, local, remote, what))


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
        Coverage(
            "azurerm",
            CONNECTION,
            "type = IPsec; virtual_network_gateway_id (its location); local_network_gateway_id; tags",
        ),
        Coverage("azurerm", LOCAL_GATEWAY, "gateway_address / gateway_fqdn; tags", False),
        Coverage("azurerm", GATEWAY, "location; provider environment = china", False),
    ),
    "CKV_CNX_104": (
        Coverage(
            "azurerm",
            "azurerm_route",
            "address_prefix; next_hop_type = VirtualNetworkGateway; route table location",
        ),
        Coverage("azurerm", "azurerm_route_table", "inline route blocks"),
        Coverage("azurerm", GATEWAY, "default_local_network_gateway_id (forced tunnelling)"),
        Coverage("azurerm", CONNECTION, "traffic_selector_policy local_/remote_address_cidrs"),
    ),
    "CKV_CNX_102": (
        Coverage(
            "azurerm",
            CIRCUIT,
            "service_provider_name (free text, any name of an approved carrier); "
            "peering_location; location; tags cn-crossborder:location, cn-crossborder:circuit",
        ),
    ),
    "CKV_CNX_103": (
        Coverage("azurerm", VNET_PEERING, "locations of virtual_network_name and remote_virtual_network_id"),
        Coverage("azurerm", CONNECTION, "type Vnet2Vnet / ExpressRoute: the gateways' or circuit's location"),
        Coverage("azurerm", VNET, "location; name and resource_group_name", False),
    ),
}
