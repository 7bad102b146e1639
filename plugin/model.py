"""The network model: every link, its two endpoints, its carrier evidence, and the routes over it.

The types the cloud specs fill in (``cn_crossborder.network`` builds one per configuration), indexed
by the resource that Checkov reports, so a check is a dictionary lookup and a scan grows linearly
with the number of resources.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from cn_crossborder.domain.context import ScanContext
from cn_crossborder.domain.endpoints import Endpoint
from cn_crossborder.domain.resource import Resource
from cn_crossborder.sources.inventory import Device, Inventory
from cn_crossborder.sources.terraform import TerraformConfig

# Link kinds, named after the check families that judge them.
VPN = "vpn"
DEDICATED = "dedicated"
PEERING = "peering"


@dataclass
class Link:
    """A network path between two endpoints that one resource creates or configures."""

    kind: str
    resource: Resource
    local: Endpoint
    remote: Endpoint
    peer_address: Any = None
    peer_gateway: Resource | None = None
    carrier_text: str | None = None
    carrier_attr: str | None = None
    product: str | None = None
    product_missing: str | None = None
    impossible: str | None = None
    circuit_tags: list[tuple[str, Resource]] = field(default_factory=list)
    far_end_proven_cn: str | None = None
    # What the link was read as where the configuration does not say (a type not known statically).
    assumed: str | None = None

    @property
    def ends(self) -> tuple[Endpoint, Endpoint]:
        return self.local, self.remote

    def describe(self) -> str:
        return f"{self.resource.address}: {self.local.describe()} <-> {self.remote.describe()}"


@dataclass
class GeneralExit:
    """Something that sends all traffic of a network over a link (a default route, a selector)."""

    resource: Resource
    network: Endpoint
    what: str
    links: list[Link]


class NetworkModel:
    """Links, general exits and resource indexes for one scanned configuration."""

    def __init__(self, config: TerraformConfig, context: ScanContext):
        self.config = config
        self.context = context
        self.links: list[Link] = []
        self.exits: list[GeneralExit] = []
        self.links_by_resource: dict[int, list[Link]] = defaultdict(list)
        self.links_by_gateway: dict[int, list[Link]] = defaultdict(list)
        self.exits_by_resource: dict[int, list[GeneralExit]] = defaultdict(list)
        self.notes_by_resource: dict[int, list[str]] = defaultdict(list)
        # A network inventory's devices, each behind a stand-in resource ``devices.<id>``.
        self.inventory: Inventory | None = None
        self.inventory_devices: dict[int, Device] = {}
        # Indexes a cloud's product hooks build once per model (see clouds.products).
        self.cache: dict[str, Any] = {}

    def add_link(self, link: Link, *gateways: Resource | None) -> Link:
        """Index ``link`` by its resource and the gateways it goes through; a link of an instance
        (``for_each`` over other instances) is also found through the block that stands for it, so a
        route to that block reaches every instance's link."""
        self.links.append(link)
        self.links_by_resource[link.resource.index].append(link)
        if link.resource.instance_of is not None:
            self.links_by_resource[link.resource.instance_of.index].append(link)
        for gw in gateways:
            if gw is not None:
                self.links_by_gateway[gw.index].append(link)
                if gw.instance_of is not None:
                    self.links_by_gateway[gw.instance_of.index].append(link)
        return link

    def add_via(self, gateway: Resource, links: list[Link]) -> None:
        """Routes to ``gateway`` also reach these links (a router the links' gateways attach to)."""
        known = self.links_by_gateway[gateway.index]
        known.extend(link for link in links if not any(link is k for k in known))

    def add_exit(self, exit_: GeneralExit) -> None:
        self.exits.append(exit_)
        self.exits_by_resource[exit_.resource.index].append(exit_)

    def add_inventory_device(self, res: Resource, device: Device) -> None:
        self.inventory_devices[res.index] = device

    def inventory_device(self, res: Resource) -> tuple[Inventory, Device] | None:
        """The inventory device behind a stand-in resource ``devices.<id>``, with its inventory."""
        device = self.inventory_devices.get(res.index)
        return (self.inventory, device) if device is not None and self.inventory is not None else None

    def note(self, res: Resource, text: str) -> None:
        self.notes_by_resource[res.index].append(text)

    def links_for(self, res: Resource, kind: str | None = None) -> list[Link]:
        return [link for link in self.links_by_resource.get(res.index, ()) if kind is None or link.kind == kind]

    def links_via(self, gateway: Resource | None) -> list[Link]:
        return list(self.links_by_gateway.get(gateway.index, ())) if gateway is not None else []
