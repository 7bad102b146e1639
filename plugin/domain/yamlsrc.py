"""Safe YAML loading that remembers where every value came from, and schema errors that say so.

Policy files and network inventories are written by hand; a problem must name the file, the line
and the key path, and say what was expected. PyYAML's safe loader is used throughout (no tags, no
object construction); line numbers come from the composed node tree.
"""

from __future__ import annotations

import datetime as _dt
import json
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


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as strings so the schema, not YAML, decides what a date is."""


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


def _construct(loader: _LineLoader, node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key = key if isinstance(key, str) else str(key)
            out[key] = _construct(loader, value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1  # the key's own line, not its value's
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(loader, child, (*path, i), lines) for i, child in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def load_documents(path: Path | str, text: str | None = None) -> list[LocatedDocument]:
    """Parse every document of a YAML file; a syntax error becomes an InputError naming the line."""
    file = str(path)
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError([Problem(file, None, "", f"cannot be read: {exc}")]) from None
    loader = _LineLoader(text)
    docs: list[LocatedDocument] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            lines: dict[KeyPath, int] = {}
            data = _construct(loader, node, (), lines) if node is not None else None
            docs.append(LocatedDocument(file, data, lines))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise InputError([Problem(file, line, "", f"is not valid YAML: {reason}")]) from None
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
