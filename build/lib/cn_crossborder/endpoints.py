"""Where each end of a link is, and how we know: cloud regions and public addresses.

Every resolution records its method so a finding can say ``cn-north-1 via provider aws.china`` or
``85.214.0.1: DE by IP registration``; a reviewer must be able to check the reasoning.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Union

from cn_crossborder import jurisdictions
from cn_crossborder.graph import Resource, TerraformConfig, first, is_resolved
from cn_crossborder.regions import classify_region, cloud_of_resource_type

IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]

LOCATION_TAG = "cn-crossborder:location"
CIRCUIT_TAG = "cn-crossborder:circuit"
DEVICE_TAG = "cn-crossborder:device"


@dataclass(frozen=True)
class Endpoint:
    """One end of a link: a jurisdiction, what it is called, and how it was resolved."""

    jurisdiction: str | None
    label: str
    how: str
    verified: bool = True

    @property
    def is_mainland(self) -> bool:
        return self.jurisdiction == jurisdictions.CN

    def describe(self) -> str:
        if self.jurisdiction is None:
            return f"{self.label}: unknown ({self.how})"
        flag = " (catalogue entry marked UNVERIFIED)" if not self.verified else ""
        return f"{self.label}: {jurisdictions.describe(self.jurisdiction)} {self.how}{flag}"


def _region_endpoint(cloud: str, region: str, how: str) -> Endpoint:
    info = classify_region(cloud, region)
    if info is None:
        return Endpoint(None, region, f"{how}; not a {cloud} region in the catalogue")
    same = info.name.replace(" ", "").lower() in (info.region, region.replace(" ", "").lower())
    name = f" ({info.name})" if info.name and not same else ""
    return Endpoint(info.jurisdiction, f"{region}{name}", how, info.verified)


# Attributes that hold a resource's own region, per cloud (AWS provider v6, Huawei Cloud, Azure).
_RESOURCE_REGION_ATTR = {"aws": "region", "huaweicloud": "region", "azurerm": "location"}


def region_endpoint(cloud: str, value: Any, how: str) -> Endpoint:
    """An endpoint from an explicit region attribute (peer regions, CEN attachments, ...)."""
    value = first(value)
    if not is_resolved(value):
        shown = value if value is not None else "not set"
        return Endpoint(None, str(shown), f"{how} is not known statically")
    return _region_endpoint(cloud, str(value), how)


def cloud_endpoint(config: TerraformConfig, res: Resource) -> Endpoint:
    """The region a resource is deployed in, resolved the way Terraform resolves it."""
    cloud = cloud_of_resource_type(res.type) or res.prefix
    attr = _RESOURCE_REGION_ATTR.get(cloud)
    if attr:
        own = first(res.attrs.get(attr))
        if is_resolved(own):
            return _region_endpoint(cloud, str(own), f"via {attr} of {res.address}")
        if own is not None:
            return Endpoint(None, str(own), f"{attr} of {res.address} is not known statically")
    provider = config.provider_for(res)
    if provider is None:
        return Endpoint(
            None,
            f"{cloud} provider",
            f"no {cloud} provider block in the module of {res.address}; the region comes from the environment",
        )
    where = f"{provider.address} ({provider.file.rsplit('/', 1)[-1]}:{provider.line})"
    chain = f" through {', '.join(provider.via)}" if provider.via else ""
    if cloud == "azurerm":
        env = first(provider.attrs.get("environment"))
        if isinstance(env, str) and env.lower() == "china":
            return Endpoint(jurisdictions.CN, "Azure China", f"via provider {where} environment = china{chain}")
        return Endpoint(None, "no location", f"{res.address} has no location and provider {where} names none")
    region = first(provider.attrs.get("region"))
    if not is_resolved(region):
        shown = region if region is not None else "no region"
        return Endpoint(None, str(shown), f"provider {where}{chain} has no static region")
    return _region_endpoint(cloud, str(region), f"via provider {where}{chain}")


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
    declared = _declared_tag(tagged)
    if declared is not None:
        code, res = declared
        code = code.strip().upper()
        if len(code) == 2 and code.isalpha():
            return Endpoint(code, label, f"by tag {LOCATION_TAG} on {res.address}")
        return Endpoint(None, label, f"tag {LOCATION_TAG} on {res.address} is {code!r}, not an ISO country code")
    if not is_resolved(raw):
        return Endpoint(None, label, "not known statically")
    address = parse_address(raw)
    if address is None:
        return Endpoint(None, label, "not an IP address; a name cannot be located offline")
    location = policy.location_of(address)
    if location is not None:
        return Endpoint(location.country.upper(), label, f"by policy location {location.network}")
    for circuit in policy.circuits_containing(address):
        for ep in circuit.endpoints:
            if address in ep.network and ep.country:
                return Endpoint(ep.country.upper(), label, f"by endpoint {ep.network} of circuit {circuit.id}")
    if not address.is_global:
        return Endpoint(None, label, "private or reserved address with no declared location")
    code = _lookup_registry(address)
    if code is None:
        return Endpoint(None, label, "no IP registration data")
    return Endpoint(code, label, "by IP registration")
