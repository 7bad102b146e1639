"""Peer VPN devices named by the customer-gateway resources of every cloud (CKV_CNX_201).

A customer gateway (AWS), local network gateway (Azure) or VPN customer gateway (Alibaba, Tencent,
Huawei, Volcengine) stands for the on-premises appliance at the other end of a tunnel. CKV_CNX_201
asks what that appliance is and where it stands, which needs no walk over links: the answer is on
the gateway resource itself. This module therefore adds nothing to the network model; it says which
attribute of each type holds the device's public address and which hold free text that may name
the device, and declares the coverage that the Terraform check and the docs read.

The device is named, in this order, by the ``cn-crossborder:device`` tag (which wins over anything
else), then by the type's descriptive attributes in the order listed below; the first text that
the device catalogue recognises names the device. Where the device stands is where its address is
(the gateway's own region is only where the cloud object lives): ``endpoints.address_endpoint``
with the gateway as the tagged resource, so ``cn-crossborder:location``, policy ``locations``,
circuit endpoints and IP registration apply as for a VPN peer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cn_crossborder.clouds.spec import all_specs
from cn_crossborder.domain.coverage import Coverage
from cn_crossborder.domain.devices import DeviceMatch, match_device
from cn_crossborder.domain.endpoints import DEVICE_TAG, Endpoint, address_endpoint
from cn_crossborder.domain.resource import Resource, first, is_resolved
from cn_crossborder.model import NetworkModel


@dataclass(frozen=True)
class GatewayType:
    """Where one cloud's customer-gateway type keeps the peer address and descriptive text."""

    cloud: str
    type: str
    address_attrs: tuple[str, ...]  # first one set wins
    text_attrs: tuple[str, ...]  # read in this order


GATEWAYS: tuple[GatewayType, ...] = tuple(
    GatewayType(spec.cloud, str(d["type"]), tuple(d["address"]), tuple(d["text"]))
    for spec in all_specs()
    for d in spec.data.get("devices", ())
)
BY_TYPE = {g.type: g for g in GATEWAYS}


@dataclass(frozen=True)
class DeviceText:
    """A text naming the device, where it was read, and what the catalogue made of it."""

    text: str
    source: str  # "tag cn-crossborder:device" / "device_name"
    match: DeviceMatch | None


def _text(value: Any) -> str | None:
    value = first(value)
    if not is_resolved(value) or value is None:
        return None
    text = str(value).strip()
    return text or None


def device_text(res: Resource, extra: Sequence[Any] = ()) -> tuple[DeviceText | None, list[str]]:
    """The text that names the device behind ``res``, and every text read that named nothing.

    The ``cn-crossborder:device`` tag wins even when the catalogue does not know what it names: a
    team that tags a gateway has said what the device is. Otherwise the first descriptive attribute
    whose text the catalogue (or the policy's ``devices:``) recognises names the device.
    """
    tagged = _text(res.tags().get(DEVICE_TAG))
    if tagged is not None:
        return DeviceText(tagged, f"tag {DEVICE_TAG}", match_device(tagged, extra)), []
    kind = BY_TYPE.get(res.type)
    unrecognised: list[str] = []
    for attr in kind.text_attrs if kind else ():
        text = _text(res.attrs.get(attr))
        if text is None:
            continue
        match = match_device(text, extra)
        if match is not None:
            return DeviceText(text, attr, match), unrecognised
        unrecognised.append(f"{attr} = {text!r}")
    return None, unrecognised


def device_location(model: NetworkModel, res: Resource) -> Endpoint:
    """Where the device stands: its public address, located like a VPN peer's."""
    kind = BY_TYPE.get(res.type)
    address = None
    for attr in kind.address_attrs if kind else ():
        if res.attrs.get(attr) is not None:
            address = res.get(attr)
            break
    return address_endpoint(address, model.context.policy, [res])


_READS = "{texts}; {address}; tags cn-crossborder:device (wins), cn-crossborder:location"

COVERAGE = {
    "CKV_CNX_201": tuple(
        Coverage(
            g.cloud,
            g.type,
            _READS.format(texts=", ".join(g.text_attrs), address=" or ".join(g.address_attrs)),
        )
        for g in GATEWAYS
    ),
}
