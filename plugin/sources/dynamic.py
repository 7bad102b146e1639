"""Nested blocks written with ``dynamic``, expanded the way Terraform expands them.

Checkov renders a ``dynamic "route" { for_each = ...; content { ... } }`` block only in some shapes
(a list of objects read as ``route.value.cidr``). Over a map, over a list of strings (``route.value``),
with an ``iterator``, or through ``lookup(route.value, ...)`` it leaves the template as it is (the
text ``route.value`` reads like a value) or renders ``null``; and a static ``route`` block written
beside a dynamic one can vanish. Read as they arrive, a default route written that way would pass
unseen.

So a block holding ``dynamic`` gets its nested blocks of each dynamic name rebuilt here: the static
blocks as written in the source (with the values Checkov rendered for them where it kept them), then
one block per element of the rendered ``for_each``, with ``<iterator>.key``, ``<iterator>.value``,
``<iterator>.value.<attr>`` and ``lookup(<iterator>.value, "<attr>", <default>)`` replaced by the
element's values. When the collection cannot be listed statically, one block stands for its
elements and every value written with the iterator is marked as not known statically (``${...}``),
so that it fails closed where it matters instead of reading as a literal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from cn_crossborder.domain.resource import first, is_resolved

# Whether a ``for_each`` expression as written names a variable that has no value.
Unset = Callable[[str], bool]

_MARK = object()  # a value that is an expression, not a literal
_MISSING = object()  # an attribute that is null: Terraform omits it

_WRAPPED = re.compile(r"^\$\{(?P<inner>.*)\}$", re.DOTALL)
_STEP = r'(?:\.(?P<dot>[A-Za-z0-9_-]+)|\[\s*"?(?P<idx>[^"\]]+?)"?\s*\])'


def _unwrap(text: str) -> str:
    text = text.strip()
    match = _WRAPPED.match(text)
    return match["inner"].strip() if match else text


def _specs(dynamic: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(block name, spec) of every dynamic block, whatever list nesting the parser produced."""
    stack = [dynamic]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack[:0] = item
        elif isinstance(item, Mapping):
            for name, spec in item.items():
                for one in spec if isinstance(spec, list) else [spec]:
                    if isinstance(one, Mapping) and "content" in one:
                        yield str(name), one


def _elements(for_each: Any) -> list[tuple[Any, Any]] | None:
    """(key, value) of each element of a rendered collection; None when it cannot be listed."""
    if isinstance(for_each, list) and len(for_each) == 1 and isinstance(for_each[0], (list, Mapping)):
        for_each = for_each[0]
    if isinstance(for_each, Mapping):
        return [(k, v) for k, v in for_each.items() if not str(k).startswith("__")]
    if isinstance(for_each, list):
        if any(isinstance(v, str) and not is_resolved(v) for v in for_each):
            return None
        return list(enumerate(for_each))
    if isinstance(for_each, str):
        text = for_each.strip()
        # One element: Checkov writes a one-element list it rendered as the element itself.
        if is_resolved(text) and not re.search(r"[\[\]{}()]", text) and text not in ("null", "None"):
            return [(0, text)]
    return None


def _path(value: Any, steps: str) -> tuple[bool, Any]:
    """``value`` followed along ``.a["b"][0]`` steps; (False, None) when a step is missing."""
    for match in re.finditer(_STEP, steps):
        key = match["dot"] if match["dot"] is not None else match["idx"]
        if isinstance(value, Mapping) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return False, None
    return True, value


def _literal(text: str) -> Any:
    text = text.strip()
    if text in ("null", "None"):
        return None
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return _MARK  # an expression: not known here


class _Iterator:
    """Reads and marks the references of one dynamic block's iterator."""

    def __init__(self, name: str) -> None:
        it = re.escape(name)
        self.exact = re.compile(rf"^{it}\.(?P<part>key|value)(?P<steps>(?:{_STEP})*)$")
        self.lookup = re.compile(
            rf'^lookup\(\s*{it}\.value(?P<steps>(?:{_STEP})*)\s*,\s*"(?P<key>[^"]+)"\s*(?:,\s*(?P<default>.+?))?\s*\)$',
            re.DOTALL,
        )
        self.inner = re.compile(rf"(?<![A-Za-z0-9_.]){it}\.(?P<part>key|value)(?P<steps>(?:\.[A-Za-z0-9_-]+)*)")
        self.mention = re.compile(rf"(?<![A-Za-z0-9_.]){it}\.(?:key|value)\b")
        self.field = re.compile(
            rf'(?<![A-Za-z0-9_.]){it}\.value(?:\.|\[\s*"?)([A-Za-z0-9_-]+)|lookup\(\s*{it}\.value\s*,\s*"([^"]+)"'
        )

    def fields(self, value: Any) -> set[str]:
        """The first-level fields of the element that ``value`` reads (``it.value.ip``, lookups)."""
        if isinstance(value, Mapping):
            return set().union(*(self.fields(v) for v in value.values())) if value else set()
        if isinstance(value, list):
            return set().union(*(self.fields(v) for v in value)) if value else set()
        if not isinstance(value, str):
            return set()
        return {a or b for a, b in self.field.findall(value)}

    def substitute(self, value: Any, key: Any, element: Any) -> Any:
        """``value`` with this iterator's references replaced by the element's; _MISSING for an
        attribute that becomes null (Terraform omits it)."""
        if isinstance(value, Mapping):
            out = {}
            for k, v in value.items():
                new = self.substitute(v, key, element)
                if new is not _MISSING:
                    out[k] = new
            return out
        if isinstance(value, list):
            items = [self.substitute(v, key, element) for v in value]
            return [v for v in items if v is not _MISSING]
        if not isinstance(value, str):
            return value
        text = _unwrap(value)
        exact = self.exact.match(text)
        if exact:
            found, got = _path(key if exact["part"] == "key" else element, exact["steps"])
            if not found:  # not an attribute of what Checkov rendered: not known here
                return self.mark(value)
            return got if got is not None else _MISSING
        lookup = self.lookup.match(text)
        if lookup:
            found, base = _path(element, lookup["steps"])
            if found and isinstance(base, Mapping) and lookup["key"] in base:
                got = base[lookup["key"]]
                return got if got is not None else _MISSING
            default = _literal(lookup["default"] or "null")
            if default is None:
                return _MISSING
            if default is not _MARK:
                return default
        if not self.mention.search(text):
            return value
        return self.mark(self.embedded(text, key, element))

    def embedded(self, text: str, key: Any, element: Any) -> str:
        """``text`` with the iterator's references inside a larger expression replaced by scalar
        values of the element (``gw[it.value.name].id`` -> ``gw["a"].id``); others left as written."""

        def replace(match: re.Match[str]) -> str:
            found, got = _path(key if match["part"] == "key" else element, match["steps"])
            if not found or isinstance(got, (Mapping, list)) or got is None:
                return match[0]
            indexed = text[: match.start()].rstrip().endswith("[") and text[match.end() :].lstrip().startswith("]")
            return json.dumps(got) if indexed and isinstance(got, str) else str(got)

        def interpolated(match: re.Match[str]) -> str:
            inner = self.inner.fullmatch(match["ref"])
            if inner is None:
                return match[0]
            found, got = _path(key if inner["part"] == "key" else element, inner["steps"])
            if not found or isinstance(got, (Mapping, list)) or got is None:
                return match[0]
            return str(got)

        text = re.sub(r"\$\{\s*(?P<ref>[^{}]+?)\s*\}", interpolated, text)
        return self.inner.sub(replace, text)

    def mark(self, value: Any) -> Any:
        """``value`` with every string written with this iterator marked as not known statically."""
        if isinstance(value, Mapping):
            return {k: self.mark(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.mark(v) for v in value]
        if isinstance(value, str) and self.mention.search(value) and not value.strip().startswith("${"):
            return "${" + value + "}"
        return value


def _one_object(collection: Mapping[str, Any], fields: set[str]) -> bool:
    """Whether a rendered map is one object standing for a one-element list of it (Checkov writes a
    one-element list as its element): the fields the content reads of each element are the map's own
    keys, and not those of its values."""
    as_map = all(isinstance(v, Mapping) and fields <= set(v) for v in collection.values())
    return fields <= set(collection) and not as_map


def _content(spec: Mapping[str, Any]) -> dict[str, Any]:
    content = first(spec.get("content"))
    return dict(content) if isinstance(content, Mapping) else {}


def _expand(name: str, spec: Mapping[str, Any], written: str | None, unset: Unset) -> list[dict[str, Any]]:
    """The blocks one dynamic spec stands for; ``written`` is its ``for_each`` as the source writes it."""
    iterator_name = first(spec.get("iterator"))
    iterator = _Iterator(iterator_name if isinstance(iterator_name, str) and iterator_name else name)
    content = _content(spec)
    elements = _elements(spec.get("for_each"))
    fields = iterator.fields(content)
    collection = first(spec.get("for_each"))
    if elements and fields and isinstance(collection, Mapping) and _one_object(collection, fields):
        elements = [(0, collection)]
    # Checkov renders a variable that has no value as an empty collection: not "no element". Where
    # the ``for_each`` as written is not at hand (a nested dynamic block, a source that cannot be
    # parsed), an empty collection cannot be told from such a variable, so it is not read as empty.
    if not elements and (written is None or unset(written)):
        elements = None
    if elements is None:  # the collection cannot be listed: one block stands for its elements
        blocks = [iterator.mark(content)]
    else:
        blocks = [iterator.substitute(content, key, element) for key, element in elements]
    return [expand_block(block, None, unset) for block in blocks]


def _same_literals(raw: Mapping[str, Any], rendered: Mapping[str, Any]) -> bool:
    """Whether a block Checkov rendered is this raw static block: same keys, same literal values."""
    if set(raw) != {k for k in rendered if not str(k).startswith("__")}:
        return False
    for k, v in raw.items():
        text = first(v)
        if isinstance(text, str) and is_resolved(text) and str(first(rendered[k])) != text:
            return False
    return True


def _flat(value: Any) -> Any:
    """A raw parsed value without the one-element lists the parser wraps values in."""
    if isinstance(value, Mapping):
        return {k: _flat(v) for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, list):
        if len(value) == 1 and not isinstance(value[0], Mapping):
            return _flat(value[0])
        return [_flat(v) for v in value]
    return value


def _static(name: str, attrs: Mapping[str, Any], source: BlockSource | None) -> list[dict[str, Any]]:
    """The static ``name`` blocks written beside the dynamic ones, with Checkov's rendered values
    where it kept the block; a block it dropped keeps its values as written (an expression is then
    not known statically)."""
    raw = source.static(name) if source is not None else None
    rendered = [b for b in _blocks(attrs.get(name))]
    if raw is None:  # the source cannot be read: keep what Checkov kept, and fail closed on the rest
        return [b for b in rendered if not _from_template(b)]
    out: list[dict[str, Any]] = []
    for block in raw:
        block = _flat(block)
        match = next((r for r in rendered if _same_literals(block, r)), None)
        if match is not None:
            rendered.remove(match)
            out.append({k: v for k, v in match.items() if not str(k).startswith("__")})
        else:
            out.append(block)
    return out


def _from_template(block: Mapping[str, Any]) -> bool:
    return any(isinstance(first(v), str) and re.search(r"\b\w+\.(?:key|value)\b", first(v)) for v in block.values())


def _blocks(value: Any) -> Iterator[dict[str, Any]]:
    stack = [value]
    while stack:
        item = stack.pop(0)
        if isinstance(item, Mapping):
            yield dict(item)
        elif isinstance(item, list):
            stack[:0] = item


def expand_block(attrs: Mapping[str, Any], source: BlockSource | None, unset: Unset) -> dict[str, Any]:
    """``attrs`` with the nested blocks of each dynamic name rebuilt (static ones first, in source
    order, then each dynamic block's elements); unchanged when it holds no ``dynamic``.

    ``source`` is the block as its source writes it (None when it cannot be read); ``unset`` says
    whether a ``for_each`` expression as written names a variable that has no value."""
    if "dynamic" not in attrs:
        return dict(attrs)
    specs = list(_specs(attrs.get("dynamic")))
    if not specs:
        return dict(attrs)
    out = dict(attrs)
    for name in dict.fromkeys(name for name, _ in specs):
        blocks = _static(name, attrs, source)
        written = source.for_each(name) if source is not None else []
        for nth, spec in enumerate(spec for spec_name, spec in specs if spec_name == name):
            blocks += _expand(name, spec, written[nth] if nth < len(written) else None, unset)
        out[name] = blocks
    return out


# --- the source of a block --------------------------------------------------------------------------


class BlockSource:
    """A resource or data block as its source writes it: its static nested blocks, and the
    ``for_each`` of its dynamic ones, before Checkov rendered anything."""

    def __init__(self, body: Mapping[str, Any] | None) -> None:
        self.body = body

    def static(self, name: str) -> list[dict[str, Any]] | None:
        """The static ``name`` blocks; None when the source could not be read."""
        if self.body is None:
            return None
        return list(_blocks(self.body.get(name)))

    def for_each(self, name: str) -> list[str | None]:
        """The ``for_each`` of each dynamic ``name`` block, as written, in order."""
        if self.body is None:
            return []
        return [
            text if isinstance(text := first(spec.get("for_each")), str) else None
            for spec_name, spec in _specs(self.body.get("dynamic"))
            if spec_name == name
        ]


def hcl_source(loads: Callable[[str], Any], lines: list[str], kind: str, rtype: str, name: str) -> BlockSource:
    """The block ``kind "rtype" "name"`` (a resource or data source) whose source lines are ``lines``,
    parsed by ``loads`` (an HCL parser giving Checkov's definition format)."""
    return BlockSource(_parsed_body(lambda: loads("\n".join(lines) + "\n"), kind, rtype, name))


def json_source(load: Callable[[], Any], kind: str, rtype: str, name: str) -> BlockSource:
    """The block ``kind.rtype.name`` of the Terraform JSON document ``load`` gives (parsed once per
    file by the caller, however many of its blocks are read)."""

    def parse() -> Any:
        document = load()
        blocks = document.get(kind) if isinstance(document, Mapping) else None
        found = None
        for group in blocks if isinstance(blocks, list) else [blocks]:
            if isinstance(group, Mapping) and isinstance(group.get(rtype), Mapping):
                found = found or group[rtype].get(name)
        return {kind: [{rtype: {name: found}}]} if found is not None else None

    return BlockSource(_parsed_body(parse, kind, rtype, name))


def _parsed_body(parse: Callable[[], Any], kind: str, rtype: str, name: str) -> Mapping[str, Any] | None:
    try:
        parsed = parse()
    except Exception:  # an unreadable source: static blocks are kept as Checkov kept them
        return None
    for group in (parsed or {}).get(kind, []) if isinstance(parsed, Mapping) else []:
        body = group.get(rtype, {}).get(name) if isinstance(group, Mapping) else None
        if isinstance(body, list) and len(body) == 1:
            body = body[0]
        if isinstance(body, Mapping):
            return body
    return None
