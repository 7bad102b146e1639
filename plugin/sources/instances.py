"""Instances of ``for_each``/``count`` blocks that Checkov leaves as one record.

Checkov expands ``count = 2`` and ``for_each = var.map`` into one vertex per instance, but a block
repeated over another resource's instances (``for_each = aws_customer_gateway.office``,
``for_each = { for k, g in aws_customer_gateway.office : k => g.id }``, ``count =
length(aws_customer_gateway.office)``), or a module called that way, stays one vertex whose
``each.value.id``/``count.index`` is never rendered; its only edge points at the first instance of the
collection. Here such a block becomes a stand-in for one resource per instance of the collection,
with ``each.key``, ``each.value`` and ``count.index`` rendered and the reference pointing at that
instance. Checkov still reports the stand-in once; the rules judge it against every instance it
stands for (``Rule.judge``).

A stand-in whose collection cannot be read keeps no edge for an attribute written with ``each.`` or
``count.index``: such a value is not known statically (it would otherwise be read as the first
instance, and the others would pass unseen).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from cn_crossborder.domain.resource import Resource, ScopeKey, first

_ADDR = r"(?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+"
_RESOURCE_PREFIX = r"(?:resource\.)?"  # Terraform's explicit prefix of a managed resource
# for_each = aws_x.y
_OVER_RESOURCE = re.compile(rf"^\$?\{{?\s*{_RESOURCE_PREFIX}(?P<addr>{_ADDR})\s*\}}?$")
# for_each = { for k, g in aws_x.y : k => g.id }   (Checkov writes => as :>)
_OVER_FOR = re.compile(
    rf"^\$?\{{?\s*\{{\s*for\s+(?P<k>\w+)\s*,\s*(?P<v>\w+)\s+in\s+{_RESOURCE_PREFIX}(?P<addr>{_ADDR})\s*:\s*(?P=k)\s*[:=]>\s*"
    r"(?P=v)(?:\.(?P<attr>\w+))?\s*\}\s*\}?$"
)
# count = length(aws_x.y)
_COUNT_OF = re.compile(rf"^\$?\{{?\s*length\(\s*{_RESOURCE_PREFIX}(?P<addr>{_ADDR})\s*\)\s*\}}?$")
_EACH_VALUE_ATTR = re.compile(r"\beach\.value\.(?P<attr>[A-Za-z0-9_]+)")
_EACH_VALUE = re.compile(r"\beach\.value\b")
_EACH_KEY = re.compile(r"\beach\.key\b")
_COUNT_INDEX = re.compile(r"\bcount\.index\b")
_REPEATED = re.compile(r"\beach\.(?:key|value)\b|\bcount\.index\b")


def uses_repetition(value: Any) -> bool:
    """Whether a value is written with ``each.key``, ``each.value`` or ``count.index``."""
    if isinstance(value, str):
        return bool(_REPEATED.search(value))
    if isinstance(value, Mapping):
        return any(uses_repetition(v) for v in value.values())
    if isinstance(value, list):
        return any(uses_repetition(v) for v in value)
    return False


def _key_text(key: str, numeric: bool) -> str:
    """An instance key as Checkov writes it in addresses: ``[0]``, ``["fra"]``."""
    return f"[{key}]" if numeric else f'["{key}"]'


@dataclass(frozen=True)
class _Repetition:
    """``for_each``/``count`` of a block: over the instances of ``addr`` ("" when not a resource's),
    with ``each.value`` standing for ``<instance>.<value_attr>`` (a ``for`` expression) or the instance."""

    kind: str  # "for_each" | "count"
    addr: str
    value_attr: str | None = None


def _repetition(attrs: Mapping[str, Any]) -> _Repetition | None:
    """The repetition a block still carries (Checkov drops ``for_each``/``count`` from the instances
    it expands); one over anything but a resource's instances cannot be listed (``addr`` "": an
    unset map variable arrives as ``{}``)."""
    if "for_each" in attrs:
        text = first(attrs.get("for_each"))
        text = text.strip() if isinstance(text, str) else ""
        over = _OVER_RESOURCE.match(text)
        if over:
            return _Repetition("for_each", over["addr"])
        loop = _OVER_FOR.match(text)
        if loop:
            return _Repetition("for_each", loop["addr"], loop["attr"])
        return _Repetition("for_each", "")
    if "count" in attrs:
        text = first(attrs.get("count"))
        length = _COUNT_OF.match(text.strip()) if isinstance(text, str) else None
        return _Repetition("count", length["addr"] if length else "")
    return None


@dataclass(frozen=True)
class _StandIn:
    res: Resource
    rep: _Repetition
    module_call: str | None  # the module call that repeats it, when the repetition is the call's
    caller: ScopeKey  # the scope where the collection is written
    prefix: str  # the address prefix of that scope

    @property
    def collection(self) -> str:
        return self.prefix + self.rep.addr


def _stand_in(res: Resource, module_calls: Mapping[ScopeKey, tuple[Mapping[str, Any], ScopeKey]]) -> _StandIn | None:
    """The stand-in ``res`` is, if any: a block still written with ``each``/``count.index`` whose own
    repetition, or its module call's, Checkov left unexpanded. (The repetition is looked up first: a
    dictionary lookup, where the walk over every value is not.)"""
    rep = _repetition(res.attrs)
    if rep is not None:
        if not uses_repetition(dict(res.attrs)):
            return None
        at = res.address.rfind(f"{res.type}.")
        return _StandIn(res, rep, None, res.scope, res.address[:at] if at > 0 else "")
    call = module_calls.get(res.scope) if res.scope[0] == "module" else None
    rep = _repetition(call[0]) if call is not None else None
    if call is None or rep is None or not uses_repetition(dict(res.attrs)):
        return None
    name = str(res.scope[2])
    at = res.address.rfind(f"module.{name}.")
    return _StandIn(res, rep, name, call[1], res.address[:at] if at > 0 else "")


def _collection_of(address: str) -> str | None:
    """``aws_x.y`` for an instance address ``aws_x.y["k"]`` or ``aws_x.y[0]``; None for any other."""
    at = address.rfind("[")
    return address[:at] if at > 0 and address.endswith("]") else None


def _members(index: Mapping[str, Mapping[str, list[Resource]]], stand: _StandIn) -> list[tuple[str, bool, Resource]]:
    """The instances of the collection: (key as written in their address, numeric, resource).
    ``index`` holds the instance addresses of each collection (``_collection_of``)."""
    out = []
    for address, resources in index.get(stand.collection, {}).items():
        inner = address[len(stand.collection) + 1 : -1]
        numeric = inner.isdigit()
        out += [(inner if numeric else inner.strip('"'), numeric, r) for r in resources if r.scope == stand.caller]
    out.sort(key=lambda m: (not m[1], int(m[0]) if m[1] else 0, m[0]))
    return out


def _substitute(value: Any, render: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return render(value)
    if isinstance(value, Mapping):
        return {k: _substitute(v, render) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, render) for v in value]
    return value


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def _renderer(rep: _Repetition, member_ref: str, key: str, key_text: str, member: Resource) -> Callable[[str], str]:
    """Renders one instance's text: ``each.key``, ``each.value[.attr]``, ``count.index``."""

    def value_attr(match: re.Match[str]) -> str:
        own = _scalar_text(first(member.attrs.get(match["attr"])))
        return own if own is not None else f"{member_ref}.{match['attr']}"

    def render(text: str) -> str:
        if rep.kind == "count":
            text = re.sub(r"\[\s*count\.index\s*\]", key_text, text)
            return _COUNT_INDEX.sub(key, text)
        text = re.sub(r"\[\s*each\.key\s*\]", key_text, text)
        text = _EACH_KEY.sub(key, text)
        if rep.value_attr:  # each.value is <instance>.<value_attr>
            text = _EACH_VALUE_ATTR.sub(lambda m: f"{member_ref}.{rep.value_attr}.{m['attr']}", text)
            return _EACH_VALUE.sub(f"{member_ref}.{rep.value_attr}", text)
        text = _EACH_VALUE_ATTR.sub(value_attr, text)
        return _EACH_VALUE.sub(member_ref, text)

    return render


def _instance_address(stand: _StandIn, key_text: str) -> str:
    address = stand.res.address
    if stand.module_call is None:
        return address + key_text
    marker = f"module.{stand.module_call}."
    at = address.rfind(marker)
    return address[:at] + f"module.{stand.module_call}{key_text}." + address[at + len(marker) :]


def _forget_repeated_refs(res: Resource) -> None:
    """A stand-in whose instances cannot be listed: an edge Checkov drew for a repeated value points
    at one instance only, so the value is left unknown instead (named as written, it fails closed)."""
    for key, value in res.attrs.items():
        if uses_repetition(value):
            res.refs.pop(key, None)
            res.refs.pop(f"[cross-variable] {key}", None)


def _expand(stand: _StandIn, members: list[tuple[str, bool, Resource]], next_index: Iterator[int]) -> list[Resource]:
    res, rep = stand.res, stand.rep
    instances = []
    for position, (key, numeric, member) in enumerate(members):
        if rep.kind == "count":  # count = length(x): instance i is x's i-th
            key, numeric = str(position), True
        key_text = _key_text(key, numeric)
        member_ref = f"{rep.addr}{_key_text(members[position][0], members[position][1])}"
        render = _renderer(rep, member_ref, key, key_text, member)
        attrs = {k: _substitute(v, render) for k, v in res.attrs.items() if stand.module_call or k != rep.kind}
        refs = {label: list(targets) for label, targets in res.refs.items() if label not in ("for_each", "count")}
        for attr, value in res.attrs.items():
            if not uses_repetition(value):
                continue
            refs.pop(attr, None)
            refs.pop(f"[cross-variable] {attr}", None)
            text = first(attrs[attr])
            own = _EACH_VALUE_ATTR.search(str(first(value)))
            if isinstance(text, str) and member_ref in text:
                refs[attr] = [member]  # each.value.id, x[each.key].id, x[count.index].id
            elif own is not None and own["attr"] in member.refs:
                refs[attr] = list(member.refs[own["attr"]])  # each.value.vpn_gateway_id: the member's own reference
        instances.append(
            Resource(
                index=next(next_index),
                type=res.type,
                address=_instance_address(stand, key_text),
                file=res.file,
                start_line=res.start_line,
                end_line=res.end_line,
                attrs=attrs,
                scope=res.scope,
                refs=refs,
                instance_of=res,
            )
        )
    res.instances = instances
    return instances


def expand_instances(
    resources: list[Resource],
    by_address: Mapping[str, list[Resource]],
    module_calls: Mapping[ScopeKey, tuple[Mapping[str, Any], ScopeKey]],
    next_index: Iterator[int],
) -> list[Resource]:
    """Expand every stand-in among ``resources`` into its instances (returned; each stand-in lists
    its own). A stand-in over another stand-in's instances is expanded after it, so chains expand."""
    pending = [stand for stand in (_stand_in(res, module_calls) for res in resources) if stand is not None]
    # Instance addresses by their collection, built once and kept up as instances are created.
    index: dict[str, dict[str, list[Resource]]] = defaultdict(dict)
    for address, found in by_address.items():
        collection = _collection_of(address)
        if collection is not None:
            index[collection][address] = list(found)
    created: list[Resource] = []
    while pending:
        waiting = {(s.res.address, s.res.scope) for s in pending}
        ready = [s for s in pending if (s.collection, s.caller) not in waiting]
        if not ready:  # a cycle: nothing can be listed
            break
        for stand in ready:
            members = _members(index, stand) if stand.rep.addr else []
            if not members:
                _forget_repeated_refs(stand.res)
                continue
            for instance in _expand(stand, members, next_index):
                collection = _collection_of(instance.address)
                if collection is not None:
                    index[collection].setdefault(instance.address, []).append(instance)
                created.append(instance)
        pending = [s for s in pending if s not in ready]
    for stand in pending:
        _forget_repeated_refs(stand.res)
    return created
