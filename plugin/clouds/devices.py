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

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cn_crossborder.clouds.common import inline_blocks, referenced
from cn_crossborder.clouds.placement import cloud_endpoint
from cn_crossborder.clouds.spec import all_specs
from cn_crossborder.domain.coverage import Coverage
from cn_crossborder.domain.devices import DeviceMatch, match_device
from cn_crossborder.domain.endpoints import DEVICE_TAG, Endpoint, address_endpoint
from cn_crossborder.domain.resource import Resource, first, is_resolved
from cn_crossborder.model import NetworkModel
from cn_crossborder.sources.terraform import TerraformConfig


@dataclass(frozen=True)
class GatewayType:
    """Where one cloud's customer-gateway type keeps the peer address and descriptive text."""

    cloud: str
    type: str
    address_attrs: tuple[str, ...]  # first one set wins
    text_attrs: tuple[str, ...]  # read in this order
    address_block: str | None = None  # the addresses are in these nested blocks (Azure VPN site links)
    join: bool = False  # the text attributes name one device together (vendor, then model)
    image: dict[str, Any] | None = None  # a machine image naming the device (an appliance on a VM)
    place: str = "address"  # where the device stands: its address, or the resource's region
    candidate: bool = False  # a VPN device only when its text names one (a VM whose image may be an appliance)
    described_by: tuple[dict[str, Any], ...] = ()  # other resources naming the device (a config download)


GATEWAYS: tuple[GatewayType, ...] = tuple(
    GatewayType(
        spec.cloud,
        str(d["type"]),
        tuple(d.get("address", ())),
        tuple(d["text"]),
        d.get("address_block"),
        bool(d.get("join", False)),
        d.get("image"),
        str(d.get("place", "address")),
        bool(d.get("candidate", False)),
        tuple(d.get("described_by", ())),
    )
    for spec in all_specs()
    for d in spec.data.get("devices", ())
)
BY_TYPE = {g.type: g for g in GATEWAYS}


def is_candidate(res: Resource) -> bool:
    """Whether ``res`` is a VPN device only if its text names one (not every virtual machine is)."""
    kind = BY_TYPE.get(res.type)
    return kind is not None and kind.candidate


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


def _texts(res: Resource, kind: GatewayType | None, config: TerraformConfig | None) -> list[tuple[str, Any]]:
    """(where, text) pairs that may name the device, in reading order."""
    if kind is None:
        return []
    if kind.image is not None:
        return _image_texts(res, kind.image, config)
    described = _described(res, kind, config)
    if kind.join:
        return [*described, (" + ".join(kind.text_attrs), _joined(res.attrs, kind.text_attrs))]
    return [*described, *((attr, res.attrs.get(attr)) for attr in kind.text_attrs)]


def _joined(holder: Mapping[str, Any], attrs: Sequence[str]) -> str | None:
    """The set attributes read as one text (a vendor, then a model)."""
    words = [str(first(holder.get(a))) for a in attrs if _text(holder.get(a)) is not None]
    return " ".join(words) if words else None


def _described(res: Resource, kind: GatewayType, config: TerraformConfig | None) -> list[tuple[str, Any]]:
    """What other resources say the device is: ``described_by`` types whose path of references ends
    at ``res`` (Tencent's configuration download names the vendor and platform of a connection's
    customer gateway). Read before the gateway's own text: it is a structured vendor field."""
    if config is None:
        return []
    out: list[tuple[str, Any]] = []
    for spec in kind.described_by:
        for other in config.of_type(spec["type"]):
            found: Resource | None = other
            for step in spec["path"]:
                found = referenced(config, found, step["attr"], *step.get("types", ())) if found else None
            if found is None or found.index != res.index:
                continue
            holders = list(inline_blocks(other, spec["block"])) if spec.get("block") else [other.attrs]
            where = f"{spec['block']} " if spec.get("block") else ""
            for holder in holders:
                out.append((f"{where}{' + '.join(spec['text'])} of {other.address}", _joined(holder, spec["text"])))
    return out


def _image_texts(res: Resource, image: dict[str, Any], config: TerraformConfig | None) -> list[tuple[str, Any]]:
    """What the image data source an instance boots names: its name pattern and name filters.

    In the AWS China regions there is no Marketplace, so a vendor's appliance is found by its image
    name or owner; only the name is matched against the device catalogue (owner account ids of
    vendors in aws-cn are not published).
    """
    source = referenced(config, res, image["attr"], *image["types"]) if config is not None else None
    if source is None:
        return [(image["attr"], None)]
    out: list[tuple[str, Any]] = [(f"{a} of {source.address}", _pattern(source.attrs.get(a))) for a in image["text"]]
    spec = image.get("filter")
    if spec:
        for block in inline_blocks(source, spec["block"]):
            if str(first(block.get("name")) or "") in spec["names"]:
                for value in block.get("values") or []:
                    out.append((f"{spec['block']} {first(block.get('name'))} of {source.address}", _pattern(value)))
    return out


def _pattern(value: Any) -> Any:
    """An image name pattern as the device's name: ``^FortiGate-VM64-AWS.*`` -> ``FortiGate-VM64-AWS``."""
    value = first(value)
    if not isinstance(value, str):
        return value
    return re.sub(r"\.\*|[\^$*?\\]", "", value).strip(" -_.")


def device_text(
    res: Resource, extra: Sequence[Any] = (), config: TerraformConfig | None = None
) -> tuple[DeviceText | None, list[str]]:
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
    for attr, value in _texts(res, kind, config):
        text = _text(value)
        if text is None:
            continue
        match = match_device(text, extra)
        if match is not None:
            return DeviceText(text, attr, match), unrecognised
        unrecognised.append(f"{attr} = {text!r}")
    return None, unrecognised


def device_location(model: NetworkModel, res: Resource) -> Endpoint:
    """Where the device stands: its public address, located like a VPN peer's; an appliance on a
    cloud VM stands in the VM's region."""
    kind = BY_TYPE.get(res.type)
    if kind is not None and kind.place == "region":
        return cloud_endpoint(model.config, res)
    address = None
    holders = list(inline_blocks(res, kind.address_block)) if kind and kind.address_block else [res.attrs]
    for holder in holders:
        found = next((holder.get(a) for a in (kind.address_attrs if kind else ()) if holder.get(a) is not None), None)
        if found is not None:
            address = first(found)
            break
    return address_endpoint(address, model.context.policy, [res])


_READS = "{texts}; {address}; tags cn-crossborder:device (wins), cn-crossborder:location"


def _reads(g: GatewayType) -> str:
    if g.image is not None:
        texts = f"{g.image['attr']} -> {' / '.join(g.image['types'])} ({', '.join(g.image['text'])}"
        if g.image.get("filter"):
            texts += f", {g.image['filter']['block']} {' / '.join(g.image['filter']['names'])}"
        texts += ")"
    else:
        texts = (" + " if g.join else ", ").join(g.text_attrs)
    for spec in reversed(g.described_by):  # read first
        named = f"{spec['block']} " if spec.get("block") else ""
        texts = f"the device a {spec['type']} names (its {named}{' + '.join(spec['text'])}), {texts}"
    where = "the region it runs in" if g.place == "region" else " or ".join(g.address_attrs)
    if g.address_block:
        where = f"{g.address_block} {where}"
    return _READS.format(texts=texts, address=where)


def _described_reads(g: GatewayType, spec: dict[str, Any]) -> str:
    path = " -> ".join(step["attr"] for step in spec["path"])
    where = f"{spec['block']} " if spec.get("block") else ""
    return f"{where}{' + '.join(spec['text'])}: names the device of the {g.type} its {path} leads to"


COVERAGE = {
    "CKV_CNX_201": (
        *(Coverage(g.cloud, g.type, _reads(g)) for g in GATEWAYS),
        *(Coverage(g.cloud, d["type"], _described_reads(g, d), False) for g in GATEWAYS for d in g.described_by),
    ),
}
