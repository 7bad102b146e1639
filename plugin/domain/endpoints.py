"""Where each end of a link is, and how we know: cloud regions and public addresses.

Every resolution records its method so a finding can say ``cn-north-1 via provider aws.china`` or
``85.214.0.1: DE by IP registration``; a reviewer must be able to check the reasoning.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Union

from cn_crossborder.domain import jurisdictions
from cn_crossborder.domain.regions import classify_region
from cn_crossborder.domain.resource import Resource, first, is_resolved

IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]

LOCATION_TAG = "cn-crossborder:location"
CIRCUIT_TAG = "cn-crossborder:circuit"
DEVICE_TAG = "cn-crossborder:device"


UNSET_REGION = "set the region in the code (resource or provider) or the policy's default_regions"
EXPRESSION_REGION = (
    "write the region as a literal, or as a variable or local with a static value: the scan does not "
    "evaluate conditionals, functions or references to other resources"
)
# Text no region id contains: what Checkov leaves of an expression it could not evaluate (a function
# call, an interpolation, a conditional, a reference to another resource's attribute).
_EXPRESSION = re.compile(r"[()\"'{}$?\[\]=<>!,]|^(?:resource\.)?(?:data\.)?[a-z][a-z0-9]*_[a-z0-9_]*\.[A-Za-z0-9_-]+\.")


@dataclass(frozen=True)
class Endpoint:
    """One end of a link: a jurisdiction, what it is called, and how it was resolved."""

    jurisdiction: str | None
    label: str
    how: str
    verified: bool = True
    # For an unknown endpoint: the one-line way to declare what the scan could not know.
    declare: str = ""
    # For a cloud region: its id as written (``cn-north-1``), whatever the label adds to it.
    region: str = ""

    @property
    def is_mainland(self) -> bool:
        return self.jurisdiction == jurisdictions.CN

    def describe(self) -> str:
        if self.jurisdiction is None:
            return f"{self.label}: unknown ({self.how})"
        flag = " (catalogue entry marked UNVERIFIED)" if not self.verified else ""
        return f"{self.label}: {jurisdictions.describe(self.jurisdiction)} {self.how}{flag}"


def known_region_endpoint(cloud: str, region: str, how: str) -> Endpoint:
    if _EXPRESSION.search(region.strip()):
        return Endpoint(None, region, f"{how} is an expression that is not known statically", declare=EXPRESSION_REGION)
    info = classify_region(cloud, region)
    if info is None:
        declare = f"add it to the policy's `regions` ({{cloud: {cloud}, id: {region}, country, source}})"
        return Endpoint(None, region, f"{how}; not a {cloud} region in the catalogue", declare=declare, region=region)
    if info.how.startswith("policy"):
        how = f"{how}; {info.how}, source: {info.source}"
    same = info.name.replace(" ", "").lower() in (info.region, region.replace(" ", "").lower())
    name = f" ({info.name})" if info.name and not same else ""
    return Endpoint(info.jurisdiction, f"{region}{name}", how, info.verified, region=region)


def region_endpoint(cloud: str, value: Any, how: str) -> Endpoint:
    """An endpoint from an explicit region attribute (peer regions, CEN attachments, ...)."""
    value = first(value)
    if not is_resolved(value):
        shown = value if value is not None else "not set"
        return Endpoint(None, str(shown), f"{how} is not known statically", declare=UNSET_REGION)
    return known_region_endpoint(cloud, str(value), how)


def parse_address(value: Any) -> IPAddress | None:
    value = first(value)
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _lookup_registry(address: IPAddress) -> str | None:
    import iptocc  # imported lazily: check modules are imported many times per run

    code = iptocc.country_code(str(address))
    return code.upper() if code else None


def _declared_tag(resources: list[Resource | None]) -> tuple[str, Resource] | None:
    for res in resources:
        if res is None:
            continue
        value = res.tags().get(LOCATION_TAG)
        if value is not None:
            return str(value), res
    return None


def address_endpoint(value: Any, policy: Any, tagged: list[Resource | None]) -> Endpoint:
    """Resolve a peer address: location tag, policy locations, circuit endpoints, IP registration."""
    raw = first(value)
    label = str(raw) if raw is not None else "no address"
    where = next((res.address for res in tagged if res is not None), None)
    declare = f"declare it with the {LOCATION_TAG} tag" + (f" on {where}" if where else "")
    declare += " or a `locations` entry of the policy"

    def unknown(how: str) -> Endpoint:
        return Endpoint(None, label, how, declare=declare)

    declared = _declared_tag(tagged)
    if declared is not None:
        tag, res = declared
        tag = tag.strip().upper()
        if len(tag) == 2 and tag.isalpha():
            return Endpoint(tag, label, f"by tag {LOCATION_TAG} on {res.address}")
        return unknown(f"tag {LOCATION_TAG} on {res.address} is {tag!r}, not an ISO country code")
    if not is_resolved(raw):
        return unknown("not known statically")
    address = parse_address(raw)
    if address is None:
        return unknown("not an IP address; a name cannot be located offline")
    location = policy.location_of(address)
    if location is not None:
        return Endpoint(location.country.upper(), label, f"by policy location {location.network}")
    for circuit in policy.circuits_containing(address):
        for ep in circuit.endpoints:
            if address in ep.network and ep.country:
                return Endpoint(ep.country.upper(), label, f"by endpoint {ep.network} of circuit {circuit.id}")
    if not address.is_global:
        return unknown("private or reserved address with no declared location")
    code = _lookup_registry(address)
    if code is None:
        return unknown("no IP registration data")
    return Endpoint(code, label, "by IP registration")
