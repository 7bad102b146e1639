"""Helpers every cloud adapter needs: reading references, CIDRs and tags the same way."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Any

from cn_crossborder.endpoints import CIRCUIT_TAG
from cn_crossborder.graph import Resource, TerraformConfig, first

DEFAULT_ROUTES = ("0.0.0.0/0", "::/0")

_REF = re.compile(r"^\$?\{?(?P<addr>(?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+)(?:\[[^\]]*\])?\.[A-Za-z0-9_]+\}?$")


def is_default_route(value: Any) -> bool:
    """True for 0.0.0.0/0 and ::/0 written in any equivalent form (``0.0.0.0/0``, ``::0/0``)."""
    value = first(value)
    if not isinstance(value, str):
        return False
    try:
        return ipaddress.ip_network(value.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def any_default(values: Any) -> bool:
    if isinstance(values, str):
        values = [v for v in re.split(r"[,\s]+", values) if v]
    if not isinstance(values, (list, tuple)):
        return False
    return any(is_default_route(v) for v in values)


def referenced(config: TerraformConfig, res: Resource, attr: str, *types: str) -> Resource | None:
    """The resource that ``res.attr`` points at, by graph edge or else by the reference text."""
    target = res.ref(attr)
    if target is not None and (not types or target.type in types):
        return target
    text = first(res.attrs.get(attr))
    if not isinstance(text, str):
        return None
    match = _REF.match(text.strip())
    if not match:
        return None
    local = match.group("addr")
    module_prefix = res.address[: -len(f"{res.type}.{res.address.rsplit('.', 1)[-1]}")]
    for candidate in config.by_address.get(module_prefix + local, ()):
        if candidate.scope == res.scope and (not types or candidate.type in types):
            return candidate
    return None


def circuit_tags(*resources: Resource | None) -> list[tuple[str, Resource]]:
    out = []
    for res in resources:
        if res is None:
            continue
        value = res.tags().get(CIRCUIT_TAG)
        if value:
            out.append((str(value), res))
    return out


def inline_blocks(res: Resource, key: str) -> Iterable[dict[str, Any]]:
    """Nested blocks (``route { ... }``) as dicts, whatever list nesting the parser produced."""
    value = res.attrs.get(key)
    stack = [value]
    while stack:
        item = stack.pop(0)
        if isinstance(item, dict):
            yield item
        elif isinstance(item, list):
            stack[:0] = item
