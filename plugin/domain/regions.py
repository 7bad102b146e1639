"""Which jurisdiction a cloud region lies in, from the catalogue in ``data/regions.yaml``.

A cloud endpoint is only as good as its region's classification, and region ids clash between
clouds (``ap-southeast-1`` is Hong Kong on Huawei Cloud but Singapore on Alibaba Cloud), so every
lookup names the cloud. A listed id wins; otherwise the cloud's fallback patterns are tried in
order; an id that nothing matches is unknown (``None``) rather than guessed. Each answer says where
it came from and whether that source is verified, so a finding can show its reasoning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cn_crossborder.domain.jurisdictions import CN, HK, MO, OUTSIDE, TW
from cn_crossborder.domain.resource import is_resolved
from cn_crossborder.domain.yamlsrc import load_packaged_yaml

CLOUDS: tuple[str, ...] = (
    "aws",
    "azurerm",
    "alicloud",
    "tencentcloud",
    "huaweicloud",
    "volcengine",
    "baiducloud",
)

# The codes of plugin/jurisdictions.py, or any other ISO 3166-1 alpha-2 code.
_JURISDICTION_RE = re.compile("^(" + "|".join((CN, HK, MO, TW, OUTSIDE)) + r"|[A-Z]{2})$")
_WHITESPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class RegionInfo:
    """The classification of one region of one cloud, with how it was reached."""

    cloud: str
    region: str
    jurisdiction: str | None
    name: str
    source: str
    verified: bool
    how: str


@dataclass(frozen=True)
class DeclaredRegion:
    """A policy ``regions`` entry: a region the catalogue lacks or gets wrong, with its source."""

    cloud: str
    id: str
    country: str
    source: str
    where: str  # "policy.yaml:12", for the finding


# The policy's entries in force while a model is built (see ``declared_regions``). Regions are
# resolved deep inside the cloud specs; the scan's policy reaches them here rather than through
# every builder's signature.
_DECLARED: ContextVar[dict[tuple[str, str], DeclaredRegion] | None] = ContextVar("declared_regions", default=None)


@contextmanager
def declared_regions(entries: Iterable[DeclaredRegion]) -> Iterator[None]:
    """Let the policy's ``regions`` entries win over the catalogue while the block runs."""
    table = {(e.cloud, normalize_region(e.cloud, e.id)): e for e in entries}
    token = _DECLARED.set(table)
    try:
        yield
    finally:
        _DECLARED.reset(token)


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    jurisdiction: str
    source: str
    verified: bool


@dataclass(frozen=True)
class _Cloud:
    source: str
    entries: dict[str, dict[str, Any]]
    patterns: tuple[_Pattern, ...]


def cloud_of_resource_type(resource_type: str) -> str | None:
    """The catalogue key for a Terraform resource type or provider name.

    Accepts ``aws_vpn_connection``, ``azurerm``, ``provider.aws`` and ``aws.china`` (a provider
    alias); other providers, including look-alikes such as ``awscc`` or ``azuread``, give None.
    """
    if not isinstance(resource_type, str):
        return None
    name = resource_type.strip().lower()
    if name.startswith("provider."):
        name = name[len("provider.") :]
    name = name.removeprefix("data.")
    name = name.split(".", 1)[0].split("_", 1)[0]
    return name if name in CLOUDS else None


def normalize_region(cloud: str, region: str) -> str:
    """The catalogue form of a region value.

    Azure compares locations the way the provider does (lowercase, spaces removed), so
    ``"China North 3"`` and ``chinanorth3`` are the same location; other clouds use plain ids.
    """
    value = region.strip().lower()
    if cloud == "azurerm":
        value = _WHITESPACE_RE.sub("", value)
    return value


def classify_region(cloud: str, region: str | None) -> RegionInfo | None:
    """Classify ``region`` of ``cloud``; None when the cloud or the region is unknown.

    A ``regions`` entry of the policy in force (``declared_regions``) wins over the catalogue.

    Unrendered Terraform expressions (``${var.region}``, ``var.region``) are not regions and give
    None. A single-element list, as Checkov wraps attribute values, is unwrapped.
    """
    if isinstance(region, (list, tuple)) and len(region) == 1:
        region = region[0]
    if not isinstance(region, str) or not isinstance(cloud, str):
        return None
    cloud = cloud.strip().lower()
    if cloud not in CLOUDS or not is_resolved(region):  # an expression names no region
        return None
    key = normalize_region(cloud, region)
    if not key:
        return None
    declared = (_DECLARED.get() or {}).get((cloud, key))
    if declared is not None:
        return RegionInfo(
            cloud=cloud,
            region=declared.id,
            jurisdiction=declared.country,
            name="",
            source=declared.source,
            verified=True,
            how=f"policy regions entry ({declared.where})",
        )
    catalogue = _load_catalogue()[cloud]
    entry = catalogue.entries.get(key)
    if entry is not None:
        return RegionInfo(
            cloud=cloud,
            region=str(entry["id"]),
            jurisdiction=str(entry["jurisdiction"]),
            name=str(entry.get("name") or entry.get("display") or ""),
            source=str(entry.get("source") or catalogue.source),
            verified=not entry.get("unverified", False),
            how="catalogue",
        )
    for pattern in catalogue.patterns:
        if pattern.regex.search(key):
            return RegionInfo(
                cloud=cloud,
                region=key,
                jurisdiction=pattern.jurisdiction,
                name="",
                source=pattern.source,
                verified=pattern.verified,
                how=f"pattern {pattern.regex.pattern}",
            )
    return None


def region_of_zone(cloud: str, zone: Any) -> str | None:
    """The catalogue region a zone id belongs to (``ap-guangzhou-3``, ``cn-beijing-c``, ``cn-north-1a``).

    Only a region the catalogue lists for that cloud is proved; a pattern match proves nothing.
    """
    if not isinstance(zone, str) or not isinstance(cloud, str) or not is_resolved(zone):
        return None
    catalogue = _load_catalogue().get(cloud.strip().lower())
    key = zone.strip().lower()
    if catalogue is None or not key:
        return None
    candidates = [key[:-1], key.rsplit("-", 1)[0]] if key[-1:].isalpha() else [key.rsplit("-", 1)[0]]
    for candidate in candidates:
        entry = catalogue.entries.get(candidate)
        if entry is not None and candidate != key:
            return str(entry["id"])
    return None


@lru_cache(maxsize=1)
def _load_catalogue() -> dict[str, _Cloud]:
    """Read and check the catalogue once, on first use, so importing this module stays cheap."""
    raw = load_packaged_yaml("regions.yaml")
    if not isinstance(raw, dict):
        raise ValueError("regions.yaml: top level must be a mapping of cloud keys")
    missing = [cloud for cloud in CLOUDS if cloud not in raw]
    if missing:
        raise ValueError(f"regions.yaml: clouds missing: {', '.join(missing)}")
    return {cloud: _parse_cloud(cloud, raw[cloud]) for cloud in CLOUDS}


def _parse_cloud(cloud: str, raw: Any) -> _Cloud:
    """Validate one cloud's section; a broken catalogue must fail loudly, not classify wrongly."""
    where = f"regions.yaml: {cloud}"
    if not isinstance(raw, dict) or not raw.get("source"):
        raise ValueError(f"{where}: needs a mapping with a source")
    entries: dict[str, dict[str, Any]] = {}
    for entry in raw.get("regions") or []:
        if not isinstance(entry, dict) or not entry.get("id"):
            raise ValueError(f"{where}: region entry without id: {entry!r}")
        _check_jurisdiction(f"{where}: {entry['id']}", entry.get("jurisdiction"))
        keys = {normalize_region(cloud, str(entry["id"]))}
        if entry.get("display"):
            keys.add(normalize_region(cloud, str(entry["display"])))
        for key in keys:
            if key in entries:
                raise ValueError(f"{where}: duplicate region id {key}")
            entries[key] = entry
    patterns = []
    for item in raw.get("patterns") or []:
        if not isinstance(item, dict) or not item.get("match") or not item.get("source"):
            raise ValueError(f"{where}: pattern needs match and source: {item!r}")
        _check_jurisdiction(f"{where}: pattern {item['match']}", item.get("jurisdiction"))
        patterns.append(
            _Pattern(
                regex=re.compile(str(item["match"])),
                jurisdiction=str(item["jurisdiction"]),
                source=str(item["source"]),
                verified=not item.get("unverified", False),
            )
        )
    return _Cloud(source=str(raw["source"]), entries=entries, patterns=tuple(patterns))


def _check_jurisdiction(where: str, value: Any) -> None:
    if not isinstance(value, str) or not _JURISDICTION_RE.match(value):
        raise ValueError(f"{where}: jurisdiction {value!r} is not CN, HK, MO, TW, OUTSIDE or an ISO code")
