"""The currency of every source: one resource block with its attributes, and how values are read.

Terraform (HCL and plan), CloudFormation and inventories all become ``Resource`` records, so the
cloud specs and rules never know which file format a resource came from.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ScopeKey = tuple[Any, ...]

# Terraform's built-in functions. Checkov leaves a call it cannot evaluate as text
# (``cidrsubnet(0.0.0.0/0,0,0)``, ``values({...})[0]``): such text is an expression, not a value.
TERRAFORM_FUNCTIONS = [
    "abs",
    "ceil",
    "floor",
    "log",
    "max",
    "min",
    "parseint",
    "pow",
    "signum",
    "chomp",
    "endswith",
    "format",
    "formatlist",
    "indent",
    "join",
    "lower",
    "regex",
    "regexall",
    "replace",
    "split",
    "startswith",
    "strcontains",
    "strrev",
    "substr",
    "templatestring",
    "title",
    "trim",
    "trimprefix",
    "trimsuffix",
    "trimspace",
    "upper",
    "alltrue",
    "anytrue",
    "chunklist",
    "coalesce",
    "coalescelist",
    "compact",
    "concat",
    "contains",
    "distinct",
    "element",
    "flatten",
    "index",
    "keys",
    "length",
    "list",
    "lookup",
    "map",
    "matchkeys",
    "merge",
    "one",
    "range",
    "reverse",
    "setintersection",
    "setproduct",
    "setsubtract",
    "setunion",
    "slice",
    "sort",
    "sum",
    "transpose",
    "values",
    "zipmap",
    "base64decode",
    "base64encode",
    "base64gzip",
    "csvdecode",
    "jsondecode",
    "jsonencode",
    "textdecodebase64",
    "textencodebase64",
    "urlencode",
    "yamldecode",
    "yamlencode",
    "abspath",
    "dirname",
    "pathexpand",
    "basename",
    "file",
    "fileexists",
    "fileset",
    "filebase64",
    "templatefile",
    "formatdate",
    "plantimestamp",
    "timeadd",
    "timecmp",
    "timestamp",
    "base64sha256",
    "base64sha512",
    "bcrypt",
    "filebase64sha256",
    "filebase64sha512",
    "filemd5",
    "filesha1",
    "filesha256",
    "filesha512",
    "md5",
    "rsadecrypt",
    "sha1",
    "sha256",
    "sha512",
    "uuid",
    "uuidv5",
    "cidrhost",
    "cidrnetmask",
    "cidrsubnet",
    "cidrsubnets",
    "can",
    "issensitive",
    "nonsensitive",
    "sensitive",
    "tobool",
    "tolist",
    "tomap",
    "tonumber",
    "toset",
    "tostring",
    "try",
    "type",
    "ephemeralasnull",
]
FUNCTION_CALL = rf"\b(?:{'|'.join(TERRAFORM_FUNCTIONS)})\("
_UNRESOLVED = re.compile(rf"\$\{{|\b(var|local|module|data|each|count|path|terraform)\.|{FUNCTION_CALL}")


def is_resolved(value: Any) -> bool:
    """False for values Terraform only knows at apply time, or that Checkov could not render (a
    reference, or a function call it left as text)."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip()) and not _UNRESOLVED.search(value)
    return True


def first(value: Any) -> Any:
    """HCL attributes may arrive wrapped in one-element lists (plan and parser variants)."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


@dataclass(eq=False)
class Resource:
    """One resource (or data source) block instance of the scanned configuration."""

    index: int
    type: str
    address: str
    file: str
    start_line: int
    end_line: int
    attrs: Mapping[str, Any]
    scope: ScopeKey
    refs: dict[str, list[Resource]] = field(default_factory=dict)
    # Set by a source that decides the region itself (a CloudFormation stack): how it was decided.
    region_how: str | None = None
    # A block Checkov reports once although it stands for several instances (``for_each`` over
    # another resource's instances): the instances, each judged; an instance names its stand-in.
    instances: list[Resource] = field(default_factory=list)
    instance_of: Resource | None = None

    @property
    def prefix(self) -> str:
        """The provider a resource or data source type belongs to (``data.aws_region``: ``aws``)."""
        return self.type.removeprefix("data.").split("_", 1)[0]

    def get(self, key: str, default: Any = None) -> Any:
        value = first(self.attrs.get(key, default))
        return default if value is None else value

    def ref(self, key: str) -> Resource | None:
        """The resource an attribute refers to (``customer_gateway_id = aws_customer_gateway.x.id``).

        Checkov labels an edge ``[cross-variable] key`` when the reference passes through a local or
        a module variable; it is the same resource.
        """
        found = self.refs.get(key) or self.refs.get(f"[cross-variable] {key}")
        return found[0] if found else None

    def tags(self) -> dict[str, Any]:
        tags: dict[str, Any] = {}
        for key in ("tags", "tags_all", "labels"):
            value = first(self.attrs.get(key))
            if isinstance(value, dict) and set(value) == {"key", "value"}:
                value = [value]  # one `tags { key = ..., value = ... }` block (volcengine style)
            if isinstance(value, dict):
                tags.update(value)
            elif isinstance(value, list):  # tag blocks as [{key, value}, ...]
                for item in value:
                    if isinstance(item, dict) and "key" in item:
                        tags[str(item["key"])] = item.get("value")
        return tags

    @property
    def location(self) -> str:
        return f"{os.path.basename(self.file)}:{self.start_line}"
