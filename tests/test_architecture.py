"""The package's layers: data flows one way and only the Checkov package knows Checkov's internals.

Read from the source with ``ast``, so a violation fails here, at the line that introduced it, not as
an import cycle somewhere at run time.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .harness import ROOT

PACKAGE = ROOT / "plugin"

# Lowest first: a module may import from its own layer and the layers before it, never after.
LAYERS = (
    ("domain",),
    ("sources",),
    ("model",),
    ("clouds",),
    ("network", "verdicts"),
    ("rules",),
    ("checkov", "reports", "explain", "precommit", "scope", "baseline", "starter"),
    ("cli",),
)

# Third-party modules that only these layers may import (lazily or not).
CHECKOV_ALLOWED = {"checkov", "reports"}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return "cn_crossborder" + "".join(f".{p}" for p in parts)


def _layer(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "cn_crossborder":
        return None
    for rank, names in enumerate(LAYERS):
        if parts[1] in names:
            return rank
    return None


def _imports(tree: ast.Module) -> list[tuple[ast.stmt, str, bool]]:
    """(node, imported module, at module level?) for every import statement of a module."""
    top = {id(node) for node in tree.body}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node, alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            out += [(node, name, id(node) in top) for name in names]
    return out


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(PACKAGE)) for p in MODULES])
def test_imports_follow_the_layers(path: Path) -> None:
    own = _module_name(path)
    own_layer = _layer(own)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = []
    for node, name, top_level in _imports(tree):
        if name.startswith("cn_crossborder."):
            if not top_level:
                problems.append(f"line {node.lineno}: function-local import of {name}")
            target = _layer(name)
            if own_layer is not None and target is not None and target > own_layer:
                problems.append(f"line {node.lineno}: {own} (layer {own_layer}) imports {name} (layer {target})")
        elif name.split(".")[0] == "checkov" and own.split(".")[1] not in CHECKOV_ALLOWED:
            problems.append(f"line {node.lineno}: {own} imports Checkov ({name}); only cn_crossborder.checkov may")
    assert not problems, "\n".join(problems)


def test_every_module_has_a_layer() -> None:
    unplaced = [_module_name(p) for p in MODULES if p.name != "__init__.py" or p.parent != PACKAGE]
    assert [m for m in unplaced if _layer(m) is None] == []


def test_the_layer_test_catches_an_upward_import(tmp_path: Path) -> None:
    tree = ast.parse("from cn_crossborder.rules import all_rules\ndef f():\n    import cn_crossborder.cli\n")
    found = [(name, top) for _, name, top in _imports(tree)]
    assert found == [("cn_crossborder.rules.all_rules", True), ("cn_crossborder.cli", False)]
    assert _layer("cn_crossborder.rules.all_rules") > _layer("cn_crossborder.domain.policy")  # type: ignore[operator]


def test_every_package_is_installed() -> None:
    """pyproject.toml lists packages by hand: a new subpackage must be listed or the install breaks."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    packages = {_module_name(p.parent / "__init__.py") for p in MODULES}
    assert packages - listed == set()
