"""Hostile YAML in a policy or an inventory: a located error, exit 2, no traceback, bounded cost."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from cn_crossborder.domain.policy import load_policy
from cn_crossborder.domain.yamlsrc import MAX_ALIASES, InputError, load_documents
from cn_crossborder.sources.inventory import is_inventory_file, load_inventory

from tests.harness import AS_OF, run_cli

KIND = "kind: cn-crossborder/network-inventory\n"

# A 367-byte "billion laughs": nine levels of nine aliases, 9**9 strings once expanded.
LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi")
)

# name -> (text after `version: 1`, the line the problem is on, words the message has)
HOSTILE: dict[str, tuple[bytes, int, str]] = {
    "billion-laughs": (LAUGHS.encode(), 2, "expands to more than"),
    "too-many-aliases": (
        b"x: &x 1\nys:\n" + b"".join(b"  - *x\n" for _ in range(MAX_ALIASES + 1)),
        4 + MAX_ALIASES,
        "aliases",
    ),
    "self-reference": (b"x: &x [*x]\n", 2, "nests deeper than"),
    "duplicate-key": (b"sites: []\nlinks: []\nlinks: []\n", 4, "duplicate key 'links' (first on line 3)"),
    "duplicate-nested-key": (b"sites:\n  - id: a\n    id: b\n", 4, "duplicate key 'id' (first on line 3)"),
    "bad-int": (b"x: !!int x\n", 2, "'x' is not a valid !!int"),
    "bad-bool": (b"x: !!bool maybe\n", 2, "not a valid !!bool"),
    "python-tag": (b"x: !!python/object/apply:os.system [echo]\n", 2, "!!python/object/apply:os.system"),
    "python-tag-on-mapping": (b"x: !!python/object:os.system {}\n", 2, "!!python/object:os.system"),
    "custom-tag": (b"x: !vault secret\n", 2, "'!vault'"),
    "binary-tag": (b"x: !!binary aGVsbG8=\n", 2, "'!!binary'"),
    "merge-key": (b"base: &b {a: 1}\nx:\n  <<: *b\n", 4, "merge keys"),
    "mapping-key": (b"? [a, b]\n: c\n", 2, "keys must be plain values"),
    "nul-byte": (b"x: a\x00b\n", 2, "NUL byte"),
    "control-character": (b"x: a\x07b\n", 2, "control character"),
    "deep-nesting": (b"x: " + b"[" * 5000 + b"]" * 5000 + b"\n", 2, "nests deeper than"),
    "deep-block-nesting": (b"".join(b" " * i + b"k:\n" for i in range(500)), 101, "nests deeper than"),
    "latin-1": (b"x: caf\xe9\n", 2, "is not UTF-8 (byte 0xe9)"),
    "utf-16": ("x: 1\n".encode("utf-16"), 2, "is not UTF-8 (byte 0xff)"),
}


def _write(tmp_path: Path, name: str, body: bytes, inventory: bool = False) -> Path:
    file = tmp_path / f"{name}.yaml"
    file.write_bytes((KIND.encode() if inventory else b"") + b"version: 1\n" + body)
    return file


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_loader_refuses_with_file_and_line(tmp_path: Path, name: str) -> None:
    body, line, words = HOSTILE[name]
    file = _write(tmp_path, name, body)
    started = time.monotonic()
    with pytest.raises(InputError) as caught:
        load_documents(file)
    assert time.monotonic() - started < 5
    problem = caught.value.problems[0]
    assert problem.file == str(file) and words in problem.message, caught.value
    assert problem.line == line, caught.value


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_policy_and_inventory_loaders_refuse_it(tmp_path: Path, name: str) -> None:
    body, _, message = HOSTILE[name]
    words = message.split(" (first on line")[0]  # the inventory's lines are one further down
    with pytest.raises(InputError) as policy:
        load_policy(_write(tmp_path, "policy", body))
    assert words in str(policy.value)
    inventory = _write(tmp_path, "inventory", body, inventory=True)
    if name != "utf-16":  # the kind string is not in the file's bytes: not an inventory
        assert is_inventory_file(inventory), "a broken inventory must be reported, not skipped"
    with pytest.raises(InputError) as caught:
        load_inventory(inventory)
    assert words in str(caught.value)


def test_duplicate_keys_are_all_reported(tmp_path: Path) -> None:
    file = _write(tmp_path, "dups", b"unknown_location: fail\nunknown_location: pass\nlocations: []\nlocations: []\n")
    with pytest.raises(InputError) as caught:
        load_documents(file)
    assert [(p.line, p.path) for p in caught.value.problems] == [(3, "unknown_location"), (5, "locations")]


def test_core_schema_values_and_plain_aliases_still_load(tmp_path: Path) -> None:
    body = b"a: !!int 12\nb: !!str 12\nc: !!float 1.5\nd: !!bool true\ne: !!null ~\nf: &f [x]\ng: *f\nh: 2026-01-01\n"
    (doc,) = load_documents(_write(tmp_path, "ok", body))
    assert doc.data == {
        "version": 1,
        "a": 12,
        "b": "12",
        "c": 1.5,
        "d": True,
        "e": None,
        "f": ["x"],
        "g": ["x"],
        "h": "2026-01-01",
    }


@pytest.mark.parametrize("name", ["billion-laughs", "duplicate-key", "bad-int", "deep-nesting", "latin-1", "nul-byte"])
def test_policy_validate_exits_2_with_a_located_message(tmp_path: Path, name: str) -> None:
    body, line, words = HOSTILE[name]
    file = _write(tmp_path, name, body)
    started = time.monotonic()
    proc = run_cli("policy", "validate", str(file))
    assert time.monotonic() - started < 30
    assert proc.returncode == 2, proc.stderr
    assert f"{file}:{line}" in proc.stderr and words in proc.stderr
    assert "Traceback" not in proc.stderr


def test_scan_with_a_hostile_policy_exits_2_before_scanning(tmp_path: Path) -> None:
    (tmp_path / ".cn-crossborder.yaml").write_bytes(b"version: 1\n" + LAUGHS.encode())
    (tmp_path / "main.tf").write_text('provider "aws" {\n  region = "cn-north-1"\n}\n', encoding="utf-8")
    proc = run_cli("scan", str(tmp_path), "--as-of", AS_OF)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert ".cn-crossborder.yaml:2" in proc.stderr and "Traceback" not in proc.stderr
