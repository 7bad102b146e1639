"""Safe YAML loading that remembers where every value came from, and schema errors that say so.

Policy files and network inventories are written by hand; a problem must name the file, the line
and the key path, and say what was expected. PyYAML's safe loader is used throughout (no tags, no
object construction); line numbers come from the composed node tree.

The files may also come from anywhere (a pull request), so the loader refuses, as a located
problem rather than a traceback or a silent pass, whatever could hang it, exhaust memory or
lose data: bytes that are not UTF-8, NUL and other control characters, more than
``MAX_ALIASES`` aliases or a value that expands to more than ``MAX_NODES`` nodes ("billion
laughs"), nesting deeper than ``MAX_DEPTH``, files over ``MAX_BYTES``, tags outside the YAML core
schema (``!!python/...``, custom ``!tags``, ``!!binary``, merge keys ``<<``), a scalar that does
not fit its explicit tag (``!!int x``), keys that are not plain values, and duplicate keys (YAML
keeps the last one, so a second ``links: []`` would silently drop every link).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import threading
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Union

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

KeyPath = tuple[Union[str, int], ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as the file allows."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        key = f" at {self.path}" if self.path else ""
        return f"{where}{key}: {self.message}"


class InputError(Exception):
    """Raised with every problem found in one input file (policy, inventory)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


MAX_BYTES = 4 * 1024 * 1024  # policies and inventories are a few kilobytes; this bounds parse time
MAX_DEPTH = 100  # nesting of mappings and sequences; the formats need fewer than ten levels
MAX_ALIASES = 100  # alias references (``*name``) in one file
MAX_NODES = 200_000  # values of one document once aliases are expanded

_CORE = "tag:yaml.org,2002:"
CORE_TAGS = frozenset(_CORE + t for t in ("str", "int", "float", "bool", "null", "seq", "map"))
_CHECKED_SCALARS = frozenset(_CORE + t for t in ("int", "float", "bool", "null"))


class _Refused(yaml.YAMLError):
    """Input the loader will not read; carries the place so the problem can name the line."""

    def __init__(self, mark: Any, problem: str):
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as strings so the schema, not YAML, decides what a date is.

    It also counts aliases and nesting depth while composing, so that neither an alias bomb nor
    deep nesting can exhaust memory or the Python stack before a single value is constructed.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self.depth = 0
        self.aliases = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # PyYAML stubs leave it untyped
        if isinstance(event, yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise _Refused(event.start_mark, f"has more than {MAX_ALIASES} aliases (*name); write the values out")
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Refused(event.start_mark, f"nests deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


# YAML 1.1 would turn `2026-12-31` into a date and `on` into True; keep timestamps as text and
# let the JSON Schema check formats, so the error message can name the field.
_LineLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def format_path(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass
class LocatedDocument:
    """A parsed YAML document plus the line of each key path in it."""

    file: str
    data: Any
    lines: dict[KeyPath, int]

    def line_of(self, path: KeyPath) -> int | None:
        """Line of the deepest existing prefix of ``path`` (a missing key points at its parent)."""
        for cut in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return None

    def problem(self, path: KeyPath, message: str) -> Problem:
        return Problem(self.file, self.line_of(path), format_path(path), message)


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


class _Builder:
    """Builds one document from its node tree, refusing what the loader does not read (see top)."""

    def __init__(self, loader: _LineLoader, file: str):
        self.loader = loader
        self.file = file
        self.nodes = 0
        self.lines: dict[KeyPath, int] = {}
        self.duplicates: list[Problem] = []

    def build(self, node: yaml.Node, path: KeyPath, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Refused(node.start_mark, f"expands to more than {MAX_NODES} values (through aliases)")
        if depth > MAX_DEPTH:  # an alias inside its own anchor (&a [*a]) nests without end
            raise _Refused(node.start_mark, f"nests deeper than {MAX_DEPTH} levels (through aliases)")
        if node.tag not in CORE_TAGS:
            raise _Refused(
                node.start_mark,
                f"uses the tag {_tag_name(node.tag)!r}; only the YAML core schema "
                "(!!str, !!int, !!float, !!bool, !!null, !!seq, !!map) is read",
            )
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*path, i), depth + 1) for i, child in enumerate(node.value)]
        return self.scalar(node)

    def mapping(self, node: yaml.MappingNode, path: KeyPath, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused(key_node.start_mark, "has a key that is a mapping or a list; keys must be plain values")
            if key_node.tag not in CORE_TAGS:
                raise _Refused(
                    key_node.start_mark,
                    f"uses the tag {_tag_name(key_node.tag)!r}; only the YAML core "
                    "schema is read (merge keys '<<' included)",
                )
            raw = self.scalar(key_node)
            key = raw if isinstance(raw, str) else str(raw)
            line = key_node.start_mark.line + 1
            if key in out:
                first = self.lines.get((*path, key))
                self.duplicates.append(
                    Problem(
                        self.file,
                        line,
                        format_path((*path, key)),
                        f"duplicate key {key!r} (first on line {first}); YAML would keep only the last one",
                    )
                )
                continue
            out[key] = self.build(value_node, (*path, key), depth + 1)
            self.lines[(*path, key)] = line  # the key's own line, not its value's
        return out

    def scalar(self, node: yaml.Node) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            if node.tag not in _CHECKED_SCALARS:
                raise
            value = node.value if isinstance(node.value, str) else "?"
            raise _Refused(node.start_mark, f"{value!r} is not a valid {_tag_name(node.tag)}") from exc


def _line_at(data: str | bytes, offset: int) -> int:
    if isinstance(data, str):
        return data.count("\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1


def read_text(path: Path | str) -> str:
    """The file's text, refusing (located) what is too big or not UTF-8 rather than skipping it."""
    file = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError([Problem(file, None, "", f"cannot be read: {exc.strerror or exc}")]) from None
    if len(raw) > MAX_BYTES:
        raise InputError([Problem(file, None, "", f"is larger than {MAX_BYTES // (1024 * 1024)} MiB")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = _line_at(raw, exc.start)
        byte = raw[exc.start : exc.start + 1].hex()
        message = f"is not UTF-8 (byte 0x{byte}); save it as UTF-8"
        raise InputError([Problem(file, line, "", message)]) from None


def _new_loader(file: str, text: str) -> _LineLoader:
    """The loader for ``text``; NUL and other characters YAML forbids become a located problem."""
    try:
        return _LineLoader(text)
    except yaml.reader.ReaderError as exc:
        what = "a NUL byte" if exc.character == 0 else f"the control character #x{exc.character:04x}"
        line = _line_at(text, exc.position)
        raise InputError([Problem(file, line, "", f"contains {what}, which YAML does not allow")]) from None


_parsed: dict[tuple[str, int, int], list[LocatedDocument] | InputError] = {}
_parsed_lock = threading.Lock()


def load_documents(path: Path | str, text: str | None = None) -> list[LocatedDocument]:
    """Parse every document of a YAML file; a syntax error becomes an InputError naming the line.

    A file read from disk is parsed once per version (path, modification time, size): recognising
    an inventory, validating it and judging it all ask for the same documents.
    """
    if text is not None:
        return _parse_documents(str(path), text)
    try:
        stat = os.stat(path)
    except OSError:
        return _parse_documents(str(path), None)
    key = (os.path.abspath(path), stat.st_mtime_ns, stat.st_size)
    with _parsed_lock:
        found = _parsed.get(key)
    if found is None:
        try:
            found = _parse_documents(str(path), None)
        except InputError as exc:
            found = exc
        with _parsed_lock:
            _parsed[key] = found
    if isinstance(found, InputError):
        raise InputError(list(found.problems))
    return found


def _parse_documents(file: str, text: str | None) -> list[LocatedDocument]:
    if text is None:
        text = read_text(file)
    elif len(text) > MAX_BYTES:
        raise InputError([Problem(file, None, "", f"is larger than {MAX_BYTES // (1024 * 1024)} MiB")])
    loader = _new_loader(file, text)
    docs: list[LocatedDocument] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            builder = _Builder(loader, file)
            data = builder.build(node, ()) if node is not None else None
            if builder.duplicates:
                raise InputError(builder.duplicates)
            docs.append(LocatedDocument(file, data, builder.lines))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        verb = "is refused" if isinstance(exc, _Refused) else "is not valid YAML"
        raise InputError([Problem(file, line, "", f"{verb}: {reason}")]) from None
    finally:
        loader.dispose()
    return docs


def load_single(path: Path | str, text: str | None = None) -> LocatedDocument:
    docs = [d for d in load_documents(path, text) if d.data is not None]
    if len(docs) != 1:
        found = "no document" if not docs else f"{len(docs)} documents"
        raise InputError([Problem(str(path), None, "", f"expected exactly one YAML document, found {found}")])
    return docs[0]


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped in the package (``schemas/<name>``)."""
    text = resources.files("cn_crossborder").joinpath("schemas", name).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


_format_checker = FormatChecker()


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    _dt.date.fromisoformat(value)
    return len(value) == 10


_format_checker.checks("date", raises=ValueError)(_is_date)


def _explain(error: ValidationError) -> str:
    """Say what was expected, in the words of the schema's own ``description`` where it has one."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    hint = schema.get("x-expected")
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) else []
        names = ", ".join(repr(e) for e in extra)
        return f"unknown key {names}; expected one of: {', '.join(allowed)}"
    if error.validator == "required":
        return str(error.message).replace("is a required property", "is required but missing")
    if error.validator == "enum":
        choices = ", ".join(map(str, error.validator_value))
        return f"{error.instance!r} is not allowed; expected one of: {choices}"
    if error.validator == "format" and error.validator_value == "date":
        return f"{error.instance!r} is not a date; expected YYYY-MM-DD"
    if hint:
        return f"{error.instance!r} is not valid; expected {hint}"
    return str(error.message)


def schema_problems(doc: LocatedDocument, schema_name: str) -> list[Problem]:
    """Validate ``doc`` against a packaged schema; one Problem per error, in file order."""
    validator = Draft202012Validator(load_schema(schema_name), format_checker=_format_checker)
    problems = []
    for error in validator.iter_errors(doc.data):
        leaf = error
        # For oneOf/anyOf, the most specific sub-error tells the user more than "is not valid under".
        if error.context:
            leaf = min(error.context, key=lambda e: (-len(e.absolute_path), str(e.message)))
            if len(leaf.absolute_path) <= len(error.absolute_path) and error.schema.get("x-expected"):
                leaf = error
        path = tuple(leaf.absolute_path)
        if leaf.validator == "additionalProperties" and isinstance(leaf.instance, dict):
            # Point at the first unknown key's own line rather than at the mapping that holds it.
            extra = [k for k in leaf.instance if k not in leaf.schema.get("properties", {})]
            path = (*path, extra[0]) if extra else path
        problems.append(doc.problem(path, _explain(leaf)))
    problems.sort(key=lambda p: (p.line or 0, p.path, p.message))
    return problems


def load_packaged_yaml(name: str) -> Any:
    """A data file shipped in the package (``data/<name>``), parsed once by the fastest safe loader.

    The catalogues are read on the first check of every scan; libyaml's safe loader reads them in a
    fraction of the pure-Python time, and it constructs only plain YAML types, like ``safe_load``.
    """
    text = resources.files("cn_crossborder").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
