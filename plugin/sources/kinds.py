"""Which kind of input a file is: Terraform, a plan, a CloudFormation template, a network inventory.

A scan runs only the Checkov frameworks its inputs need (each framework walks the tree and some fork
a process pool per directory), and a file Checkov could not parse matters only when it is one of
ours. Both questions are answered here, from the name and, for JSON and YAML, a cheap look at the
text — never a full parse.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from cn_crossborder.sources.inventory import INVENTORY_KIND

TERRAFORM = "terraform"
TERRAFORM_JSON = "terraform_json"
PLAN = "terraform_plan"
CLOUDFORMATION = "cloudformation"
INVENTORY = "inventory"

_PLAN_MARKERS = ('"planned_values"', '"resource_changes"', '"terraform_version"')
_CFN_MARKERS = ("AWSTemplateFormatVersion", "AWS::")
_HEAD = 1 << 16  # bytes read to recognise a JSON or YAML input
# Directories Checkov does not scan either.
_SKIPPED_DIRS = frozenset({"node_modules", ".terraform", ".git", "__pycache__", ".venv", "venv"})


def _head(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read(_HEAD).decode("utf-8", errors="replace")
    except OSError:
        return ""


def input_kind(path: Path | str) -> str | None:
    """The kind of ``path`` as an input of cn-crossborder, or None when it is none of ours."""
    name = str(path).lower()
    if name.endswith((".tf", ".tfvars")):
        return TERRAFORM
    if name.endswith((".tf.json", ".tfvars.json")):
        return TERRAFORM_JSON
    if not name.endswith((".json", ".yaml", ".yml", ".template")):
        return None
    text = _head(Path(path))
    if name.endswith(".json") and any(marker in text for marker in _PLAN_MARKERS):
        return PLAN
    if any(marker in text for marker in _CFN_MARKERS):
        return CLOUDFORMATION
    if name.endswith((".yaml", ".yml")) and INVENTORY_KIND in text:
        return INVENTORY
    return None


def input_kinds(paths: Iterable[Path]) -> set[str]:
    """Every kind of input under ``paths`` (files or directories), in one walk."""
    kinds: set[str] = set()
    for path in paths:
        if path.is_file():
            kind = input_kind(path)
            kinds |= {kind} if kind else set()
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = [d for d in dirs if d not in _SKIPPED_DIRS]
            for file in files:
                kind = input_kind(Path(root) / file)
                if kind:
                    kinds.add(kind)
    return kinds


# Files that may be an input of ours whose kind only their content tells (a plan, a template, an
# inventory): one that cannot be read cannot be told apart, so it is named, never passed over.
_MAYBE_OURS = (".json", ".yaml", ".yml", ".template")


def _unreadable(path: Path) -> str | None:
    """Why ``path`` cannot be read, or None when it can."""
    try:
        with open(path, "rb") as handle:
            handle.read(1)
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _files(path: Path) -> Iterable[Path]:
    if not path.is_dir():
        yield path
        return
    for root, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if d not in _SKIPPED_DIRS]
        for file in files:
            yield Path(root) / file


def unreadable_inputs(paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """JSON and YAML files under ``paths`` that cannot be read (a dangling link, no permission), with
    why: each may be a plan, a template or a network inventory, and would otherwise not be scanned
    without a word. Terraform files are not listed: Checkov reports those as unparsable."""
    found: list[tuple[Path, str]] = []
    for path in paths:
        for file in _files(path):
            name = file.name.lower()
            if name.endswith(_MAYBE_OURS) and not name.endswith(".tf.json"):
                why = _unreadable(file)
                if why is not None:
                    found.append((file, why))
    return found
