"""``optional()`` defaults of object variables, which Checkov does not apply.

Given ``variable "net" { type = object({ region = optional(string, "cn-north-1") }) }`` and a value
without ``region``, Terraform reads ``var.net.region`` as ``"cn-north-1"``; Checkov renders it as the
whole object value (``{"cidr": "10.0.0.0/16"}``). An attribute whose rendered value is a map while
its source text is ``var.<name>.<field>`` is read again here: the field of the value if it has it,
else the ``optional()`` default written in the variable's type, else the reference text itself, which
reads as not known statically (and is named as such) rather than as a region id made of a map.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from typing import Any

from cn_crossborder.domain.resource import first

# ``region = var.net.region`` or ``region = var.net["region"]`` (one line of the block's source).
_FIELD_REF = (
    r'\s*=\s*"?\$?\{?\s*var\.(?P<var>[A-Za-z0-9_-]+)'
    r'(?:\.(?P<field>[A-Za-z0-9_-]+)|\[\s*"(?P<key>[^"]+)"\s*\])\s*\}?"?\s*(?:#.*|//.*)?$'
)
# Checkov writes an object type as ``${object({'region': '${optional(string,"cn-north-1")}', ...})}``.
_OBJECT = re.compile(r"^\$\{object\((?P<fields>\{.*\})\)\}$", re.DOTALL)
_OPTIONAL = re.compile(r"^\$\{optional\((?P<args>.*)\)\}$", re.DOTALL)

Lines = Callable[[str], "list[str]"]


def split_args(text: str) -> list[str]:
    """Top-level arguments of a function call (commas inside quotes or brackets do not split)."""
    args, depth, quote, current = [], 0, "", ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(current.strip())
            current = ""
            continue
        current += ch
    if current.strip():
        args.append(current.strip())
    return args


def object_fields(type_text: Any) -> dict[str, str] | None:
    """The fields of an ``object({...})`` variable type as Checkov writes it, each with its type text;
    None when the type is not an object type this reader understands (nested objects included)."""
    text = first(type_text)
    match = _OBJECT.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        return None
    try:
        fields = ast.literal_eval(match.group("fields"))
    except (ValueError, SyntaxError):
        return None
    if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
        return None
    return {str(k): v for k, v in fields.items()}


_NO_DEFAULT = object()


def optional_default(field_type: str) -> Any:
    """The default of ``optional(type, default)`` when it is a literal string, number or bool."""
    match = _OPTIONAL.match(field_type.strip())
    if match is None:
        return _NO_DEFAULT
    args = split_args(match.group("args"))
    if len(args) != 2:
        return _NO_DEFAULT
    literal = args[1]
    if len(literal) >= 2 and literal[0] == literal[-1] == '"':
        return literal[1:-1]
    if literal in ("true", "false"):
        return literal == "true"
    try:
        return int(literal)
    except ValueError:
        pass
    try:
        return float(literal)
    except ValueError:
        return _NO_DEFAULT


def _source_ref(lines: list[str], attr: str) -> tuple[str, str] | None:
    """(variable, field) of the one line ``attr = var.x.field`` in a block's source."""
    pattern = re.compile(rf"^\s*\"?{re.escape(attr)}\"?{_FIELD_REF}")
    found = {(m["var"], m["field"] or m["key"]) for m in map(pattern.match, lines) if m}
    return found.pop() if len(found) == 1 else None


def apply_optional_defaults(
    attrs: Mapping[str, Any],
    block_lines: Callable[[], list[str]],
    variable: Callable[[str], tuple[Any, Any] | None],
) -> dict[str, Any] | None:
    """``attrs`` with every attribute Checkov rendered as a whole object read again (None: no change).

    ``block_lines`` gives the block's source lines (read only when needed); ``variable(name)`` the
    (value, type) of a variable of the block's module, None when it has none. An attribute is read
    again only when its rendered value is the variable's whole value: a field that is itself a map
    (``tags = var.net.tags``) is left as Checkov rendered it.
    """
    changed: dict[str, Any] = {}
    lines: list[str] | None = None
    for key, value in attrs.items():
        value = first(value)
        if key.startswith("__") or key.endswith("_") or not isinstance(value, Mapping):
            continue
        if lines is None:
            lines = block_lines()
        ref = _source_ref(lines, key)
        found = variable(ref[0]) if ref is not None else None
        if ref is None or found is None or first(found[0]) != value:
            continue
        name, field = ref
        if field in value:
            changed[key] = [value[field]]
            continue
        fields = object_fields(found[1])
        default = optional_default(fields[field]) if fields is not None and field in fields else _NO_DEFAULT
        changed[key] = [f"var.{name}.{field}"] if default is _NO_DEFAULT else [default]
    return {**attrs, **changed} if changed else None
