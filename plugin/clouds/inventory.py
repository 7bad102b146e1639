"""Network inventories: sites, devices and links declared in YAML, as links of the network model.

The inventory is the one source that states links directly instead of through cloud resources, so
its "adapter" reads links: each becomes a ``Link`` on a stand-in resource ``links.<id>`` whose ends
are sites (by their declared country), cloud regions or addresses, so ``verdicts.crossing`` and
``termination`` decide exactly as they do for cloud resources.
"""

from __future__ import annotations

import ipaddress
import os

from cn_crossborder.domain.context import ScanContext
from cn_crossborder.domain.endpoints import Endpoint, address_endpoint, parse_address, region_endpoint
from cn_crossborder.domain.resource import Resource
from cn_crossborder.model import DEDICATED, VPN, GeneralExit, Link, NetworkModel
from cn_crossborder.sources.inventory import Inventory, LinkEnd
from cn_crossborder.sources.inventory import Link as InventoryLink
from cn_crossborder.sources.terraform import TerraformConfig

LINKS = "links"
DEVICES = "devices"
LINK_RESOURCE_TYPE = "inventory_link"
DEVICE_RESOURCE_TYPE = "inventory_device"


def _site_endpoint(inventory: Inventory, site_id: str) -> Endpoint:
    site = inventory.sites.get(site_id)
    if site is None:
        return Endpoint(None, f"site {site_id}", "not a site of this inventory")
    name = f" ({site.name})" if site.name else ""
    where = f"{os.path.basename(site.file)}:{site.line}"
    return Endpoint(site.country, f"site {site.id}{name}", f"by the site's declared country ({where})")


def _address_endpoint(inventory: Inventory, address: str, context: ScanContext) -> Endpoint:
    """A bare address: inside a site of this inventory, else located like a VPN peer's."""
    ip = parse_address(address)
    if ip is not None:
        for site in inventory.sites.values():
            if any(ip.version == net.version and ip in net for net in site.networks()):
                return Endpoint(site.country, address, f"inside the addresses of site {site.id}")
    return address_endpoint(address, context.policy, [])


def end_endpoint(inventory: Inventory, end: LinkEnd, context: ScanContext) -> Endpoint:
    if end.site:
        return _site_endpoint(inventory, end.site)
    if end.cloud:
        return region_endpoint(end.cloud, end.region, f"as the link's {end.cloud} end")
    return _address_endpoint(inventory, end.address or "", context)


def _peer_address(inventory: Inventory, end: LinkEnd, context: ScanContext, circuit: str | None) -> str | None:
    """The far end's public address, the one circuit endpoints are matched against.

    An address end is its address. A site may own several addresses and a link does not say which
    one it uses, so a site end has one only through the circuit the link names: the first of the
    site's addresses that lies on that circuit's endpoints (else the site's first address, so that
    the finding can say it is not among them).
    """
    if end.address:
        return end.address
    site = inventory.sites.get(end.site or "")
    named = context.policy.circuit(circuit) if circuit else None
    if site is None or not site.addresses or named is None or not named.endpoints:
        return None
    networks = site.networks()
    for net in networks:
        for ep in named.endpoints:
            if net.version == ep.network.version and net.overlaps(ep.network):
                # typeshed cannot see that the versions were compared above
                inside = ep.network if ep.network.subnet_of(net) else net  # type: ignore[arg-type]
                return str(inside.network_address)
    return str(networks[0].network_address)


def link_kind(link: InventoryLink) -> str:
    """IPsec is a VPN; a dedicated line is one. SD-WAN is judged by its underlay: a path that names
    a carrier or circuit rides that carrier's line (CKV_CNX_102), one that names neither is an
    overlay over the Internet, i.e. self-built IPsec (CKV_CNX_101)."""
    if link.type == "dedicated":
        return DEDICATED
    if link.type == "sd-wan" and (link.carrier or link.circuit):
        return DEDICATED
    return VPN


def _any_default(subnets: tuple[str, ...]) -> str | None:
    for text in subnets:
        try:
            if ipaddress.ip_network(text.strip(), strict=False).prefixlen == 0:
                return text
        except ValueError:
            continue
    return None


def build_link_model(inventory: Inventory, context: ScanContext) -> tuple[NetworkModel, dict[str, Resource]]:
    """Every link of the inventory as a ``model.Link`` on a stand-in resource ``links.<id>``, and
    every device behind a stand-in resource ``devices.<id>`` (keys of the returned mapping).

    The mainland end (when there is one) is the local end, as a cloud region is for cloud links;
    the other end's address, the carrier and the circuit are the termination evidence. A default
    route or a 0.0.0.0/0 remote subnet on the link is a general exit of the mainland end.
    """
    model = NetworkModel(TerraformConfig(), context)
    model.inventory = inventory
    resources: dict[str, Resource] = {}
    for index, device in enumerate(inventory.devices):
        address = f"{DEVICES}.{device.id}"
        res = Resource(-1 - index, DEVICE_RESOURCE_TYPE, address, device.file, device.line, device.line, {}, ())
        resources[address] = res
        model.add_inventory_device(res, device)
    for index, link in enumerate(inventory.links):
        address = f"{LINKS}.{link.id}"
        res = Resource(index, LINK_RESOURCE_TYPE, address, link.file, link.line, link.line, {}, ())
        resources[address] = res
        a, b = end_endpoint(inventory, link.a, context), end_endpoint(inventory, link.b, context)
        far = link.b
        if b.is_mainland and not a.is_mainland:
            a, b, far = b, a, link.a
        peer = _peer_address(inventory, far, context, link.circuit)
        proven = f"{b.label} is in CN {b.how}" if b.is_mainland else None
        built = Link(
            kind=link_kind(link),
            resource=res,
            local=a,
            remote=b,
            peer_address=peer,
            carrier_text=link.carrier,
            carrier_attr="carrier" if link.carrier else None,
            circuit_tags=[(link.circuit, res)] if link.circuit else [],
            far_end_proven_cn=proven,
        )
        model.add_link(built)
        selects_all = "default_route: true" if link.default_route else None
        subnet = _any_default(link.remote_subnets)
        if subnet is not None:
            selects_all = (
                f"remote_subnets include {subnet}"
                if selects_all is None
                else (f"{selects_all} and remote_subnets include {subnet}")
            )
        if selects_all is not None:
            network = a if a.is_mainland else b if b.is_mainland else a
            model.add_exit(GeneralExit(res, network, selects_all, [built]))
    return model, resources
