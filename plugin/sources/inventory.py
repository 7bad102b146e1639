"""Network inventory files: the sites, devices and links that Terraform does not describe.

Offices, data centres, on-premises VPN appliances, HSMs and leased lines live outside any cloud
configuration, yet they are where cross-border links start and where imported encryption
equipment sits. Teams describe them in YAML files whose top level says
``kind: cn-crossborder/network-inventory`` (format: ``docs/inventory.md``, schema:
``schemas/inventory.schema.json``). Loading reports every problem of a file at once, each with
file, line, key path and what was expected, as policy files do.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cn_crossborder.domain.devices import DeviceMatch, match_device
from cn_crossborder.domain.regions import CLOUDS
from cn_crossborder.domain.yamlsrc import (
    MAX_BYTES,
    InputError,
    KeyPath,
    LocatedDocument,
    Problem,
    load_documents,
    load_single,
    schema_problems,
)

INVENTORY_KIND = "cn-crossborder/network-inventory"
SCHEMA = "inventory.schema.json"

# A cloud end names a cloud of the region catalogue, as Terraform names its provider.
CLOUD_KEYS = CLOUDS

# Directories never searched for inventories: VCS data, tool caches, dependencies.
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".terraform",
        ".terragrunt-cache",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "site-packages",
    }
)
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Site:
    """An office or data centre; its country is the jurisdiction of whatever sits there."""

    id: str
    country: str
    name: str | None
    city: str | None
    addresses: tuple[str, ...]  # IP addresses and CIDRs, as written
    file: str
    line: int

    def networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [ipaddress.ip_network(a, strict=False) for a in self.addresses]


@dataclass(frozen=True)
class Device:
    """A piece of equipment at a site (VPN gateway, firewall, HSM, encrypted phone or fax)."""

    id: str
    site: str
    vendor: str
    model: str | None
    category: str
    made_in: str | None  # as declared, else from the device catalogue, else None (unknown)
    made_in_source: str  # "inventory", "catalogue" or "" (unknown)
    mass_consumer: bool
    algorithms: tuple[Mapping[str, Any], ...]  # {name, kind, key_bits?}
    licence: str | None
    tags: Mapping[str, Any]
    file: str
    line: int

    @property
    def description(self) -> str:
        """Vendor and model as one text, the way the device catalogue reads it."""
        return f"{self.vendor} {self.model}" if self.model else self.vendor

    def match(self, extra: Sequence[Mapping[str, Any]] = ()) -> DeviceMatch | None:
        """The catalogue (or the policy's ``devices:`` entries, which win) entry for this device."""
        return match_device(self.description, extra)


@dataclass(frozen=True)
class LinkEnd:
    """One end of a link: a site of this inventory, a cloud region, or a bare public address."""

    site: str | None = None
    cloud: str | None = None
    region: str | None = None
    address: str | None = None
    line: int = 0

    @property
    def kind(self) -> str:
        return "site" if self.site else "cloud" if self.cloud else "address"

    def describe(self) -> str:
        if self.site:
            return f"site {self.site}"
        if self.cloud:
            return f"{self.cloud} region {self.region}"
        return f"address {self.address}"


@dataclass(frozen=True)
class Link:
    """An IPsec tunnel, dedicated line or SD-WAN path between two ends."""

    id: str
    type: str  # ipsec | dedicated | sd-wan
    a: LinkEnd
    b: LinkEnd
    carrier: str | None
    circuit: str | None
    default_route: bool
    remote_subnets: tuple[str, ...]
    device: str | None
    file: str
    line: int


@dataclass(frozen=True)
class Inventory:
    file: str
    sites: dict[str, Site]
    devices: tuple[Device, ...]
    links: tuple[Link, ...]

    def device(self, device_id: str | None) -> Device | None:
        return next((d for d in self.devices if d.id == device_id), None)

    def site_of(self, device: Device) -> Site | None:
        return self.sites.get(device.site)


# ----------------------------------------------------------------------------------- discovery


def is_inventory_file(path: str | Path) -> bool:
    """Whether ``path`` is a ``.yaml``/``.yml`` file whose top level has our ``kind``.

    Cheap for other YAML: a file that does not contain the kind string is not parsed. A file that
    contains it but cannot be read (not UTF-8, not valid YAML, refused by the safe loader) is
    treated as ours, so that its problem is reported rather than the file silently skipped; one
    that parses and has another (or no) top-level kind is not.
    """
    path = Path(path)
    if path.suffix.lower() not in YAML_SUFFIXES or not path.is_file():
        return False
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError:
        return False
    if INVENTORY_KIND.encode() not in raw:
        return False
    try:
        docs = load_documents(path)
    except InputError:
        return True
    return any(isinstance(d.data, dict) and d.data.get("kind") == INVENTORY_KIND for d in docs)


def _is_venv(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "pyvenv.cfg"))


def find_inventories(paths: Iterable[str | Path]) -> list[Path]:
    """Inventory files named in ``paths`` or found below them (VCS, tool and venv dirs skipped)."""
    found: dict[Path, None] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            if is_inventory_file(path):
                found.setdefault(path, None)
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not _is_venv(os.path.join(root, d)))
            for name in sorted(files):
                candidate = Path(root, name)
                if is_inventory_file(candidate):
                    found.setdefault(candidate, None)
    return list(found)


# ------------------------------------------------------------------------------------- loading


def _address_problem(value: str, what: str) -> str | None:
    """What is wrong with an address or CIDR text (worded as the policy loader words it), or None."""
    text = value.strip()
    try:
        if what == "IP address":
            ipaddress.ip_address(text)
        else:
            ipaddress.ip_network(text, strict=True)
    except ValueError as exc:
        hint = ""
        with contextlib.suppress(ValueError):
            hint = f"; did you mean {ipaddress.ip_network(text, strict=False)}?"
        if what == "IP address" and "/" in text:
            hint = "; a link end is one address, a site's networks belong in its addresses"
        return f"{value!r} is not a valid {what} ({exc}){hint}"
    return None


class _Checker:
    """Reference and syntax checks that a JSON Schema cannot express, one Problem per finding."""

    def __init__(self, doc: LocatedDocument):
        self.doc = doc
        self.problems: list[Problem] = []

    def add(self, path: KeyPath, message: str) -> None:
        self.problems.append(self.doc.problem(path, message))

    def items(self, section: str) -> Iterator[tuple[int, dict[str, Any]]]:
        data = self.doc.data if isinstance(self.doc.data, dict) else {}
        entries = data.get(section)
        for i, item in enumerate(entries if isinstance(entries, list) else ()):
            if isinstance(item, dict):
                yield i, item

    def ids(self, section: str, what: str) -> set[str]:
        """The ids of a section; a repeated id is a problem pointing at the first definition."""
        first: dict[str, int | None] = {}
        for i, item in self.items(section):
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            if ident in first:
                where = f"first defined on line {first[ident]}"
                self.add((section, i, "id"), f"duplicate {what} id {ident!r} ({where}); expected unique ids")
            else:
                first[ident] = self.doc.line_of((section, i, "id"))
        return set(first)

    def reference(self, path: KeyPath, value: Any, known: set[str], what: str) -> None:
        if not isinstance(value, str) or value in known:
            return
        expected = f"one of: {', '.join(sorted(known))}" if known else f"a {what} defined in this file"
        self.add(path, f"{what} {value!r} is not defined in this file; expected {expected}")

    def addresses(self, path: KeyPath, values: Any, what: str) -> None:
        for j, value in enumerate(values if isinstance(values, list) else ()):
            if isinstance(value, str):
                message = _address_problem(value, what)
                if message:
                    self.add((*path, j), message)

    def run(self) -> list[Problem]:
        sites = self.ids("sites", "site")
        devices = self.ids("devices", "device")
        self.ids("links", "link")
        for i, site in self.items("sites"):
            self.addresses(("sites", i, "addresses"), site.get("addresses"), "IP address or CIDR")
        for i, device in self.items("devices"):
            self.reference(("devices", i, "site"), device.get("site"), sites, "site")
        for i, link in self.items("links"):
            for end in ("a", "b"):
                self.link_end(("links", i, end), link.get(end), sites)
            self.addresses(("links", i, "remote_subnets"), link.get("remote_subnets"), "CIDR")
            self.reference(("links", i, "device"), link.get("device"), devices, "device")
        return self.problems

    def link_end(self, path: KeyPath, end: Any, sites: set[str]) -> None:
        if not isinstance(end, dict):
            return
        self.reference((*path, "site"), end.get("site"), sites, "site")
        cloud = end.get("cloud")
        if isinstance(cloud, str) and cloud not in CLOUD_KEYS:
            self.add((*path, "cloud"), f"unknown cloud {cloud!r}; expected one of: {', '.join(CLOUD_KEYS)}")
        address = end.get("address")
        if isinstance(address, str):
            message = _address_problem(address, "IP address")
            if message:
                self.add((*path, "address"), message)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _build(doc: LocatedDocument) -> Inventory:
    data = doc.data
    file = doc.file
    sites = {
        s["id"]: Site(
            id=s["id"],
            country=s["country"],
            name=_text(s.get("name")),
            city=_text(s.get("city")),
            addresses=tuple(s.get("addresses") or ()),
            file=file,
            line=doc.line_of(("sites", i)) or 0,
        )
        for i, s in enumerate(data.get("sites") or ())
    }
    devices = []
    for i, d in enumerate(data.get("devices") or ()):
        made_in, made_in_source = d.get("made_in"), "inventory"
        if made_in is None:
            found = match_device(f"{d['vendor']} {d.get('model') or ''}")
            made_in = found.made_in if found and found.made_in else None
            made_in_source = "catalogue" if made_in else ""
        devices.append(
            Device(
                id=d["id"],
                site=d["site"],
                vendor=d["vendor"],
                model=_text(d.get("model")),
                category=d["category"],
                made_in=made_in,
                made_in_source=made_in_source,
                mass_consumer=bool(d.get("mass_consumer", False)),
                algorithms=tuple(dict(a) for a in d.get("algorithms") or ()),
                licence=_text(d.get("licence")),
                tags=dict(d.get("tags") or {}),
                file=file,
                line=doc.line_of(("devices", i)) or 0,
            )
        )

    def end(i: int, key: str) -> LinkEnd:
        raw = data["links"][i][key]
        return LinkEnd(
            site=raw.get("site"),
            cloud=raw.get("cloud"),
            region=_text(raw.get("region")),
            address=_text(raw.get("address")),
            line=doc.line_of(("links", i, key)) or 0,
        )

    links = tuple(
        Link(
            id=raw["id"],
            type=raw["type"],
            a=end(i, "a"),
            b=end(i, "b"),
            carrier=_text(raw.get("carrier")),
            circuit=_text(raw.get("circuit")),
            default_route=bool(raw.get("default_route", False)),
            remote_subnets=tuple(raw.get("remote_subnets") or ()),
            device=_text(raw.get("device")),
            file=file,
            line=doc.line_of(("links", i)) or 0,
        )
        for i, raw in enumerate(data.get("links") or ())
    )
    return Inventory(file, sites, tuple(devices), links)


def load_inventory(path: str | Path) -> Inventory:
    """Parse and validate an inventory file.

    Raises ``yamlsrc.InputError`` listing every problem in file order: YAML syntax, schema errors,
    duplicate ids, a device or link naming a site or device that does not exist, an invalid IP
    address or CIDR, an unknown cloud. Region ids are not checked here: an unknown region makes
    that end's jurisdiction unknown, which is the checks' business.
    """
    doc = load_single(path)
    problems = schema_problems(doc, SCHEMA) + _Checker(doc).run()
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.path, p.message))
        raise InputError(problems)
    return _build(doc)
