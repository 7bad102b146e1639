"""Run the real command and the real Checkov on fixture trees, and compare with their annotations.

Fixtures say what must happen next to the code it happens to, Semgrep style: the comment line
``# expect: CKV_CNX_101=FAILED CKV_CNX_104=PASSED`` right above a ``resource`` block (in HCL) or a
list item (in an inventory) names the verdict of every check that reports on it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
AS_OF = "2026-11-23"

_EXPECT = re.compile(r"^\s*#\s*expect:\s*(?P<items>.+?)\s*$")
_ITEM = re.compile(r"(CKV_CNX_\d{3})=(PASSED|FAILED|SKIPPED)")
_RESOURCE = re.compile(r'^\s*resource\s+"(?P<type>[^"]+)"\s+"(?P<name>[^"]+)"')

Verdicts = dict[tuple[str, str, str], str]  # (file name relative to the tree, resource, check) -> result


def _json_blocks(value: object) -> list[tuple[str, dict]]:
    """``(type.name, body)`` of the resources of a Terraform JSON document (object or list form)."""
    found: list[tuple[str, dict]] = []
    groups = value if isinstance(value, list) else [value]
    for group in groups:
        for rtype, named in group.items() if isinstance(group, dict) else ():
            for name, body in named.items() if isinstance(named, dict) else ():
                for one in body if isinstance(body, list) else [body]:
                    if isinstance(one, dict):
                        found.append((f"{rtype}.{name}", one))
    return found


def expected_json_verdicts(tree: Path) -> Verdicts:
    """Annotations of every .tf.json file under ``tree``: a resource's ``"//"`` comment property
    ``"expect: CKV_CNX_101=FAILED ..."``; resource keys are ``type.name``."""
    out: Verdicts = {}
    for file in sorted(tree.rglob("*.tf.json")):
        doc = json.loads(file.read_text(encoding="utf-8"))
        for key, body in _json_blocks(doc.get("resource", {}) if isinstance(doc, dict) else {}):
            comment = body.get("//")
            m = _EXPECT.match(f"# {comment}") if isinstance(comment, str) else None
            for check, result in _ITEM.findall(m.group("items")) if m else ():
                out[(file.relative_to(tree).as_posix(), key, check)] = result
    return out


def expected_verdicts(tree: Path) -> Verdicts:
    """Annotations of every .tf and .tf.json file under ``tree``; resource keys are ``type.name``."""
    out: Verdicts = expected_json_verdicts(tree)
    for file in sorted(tree.rglob("*.tf")):
        pending: list[tuple[str, str]] = []
        for line in file.read_text(encoding="utf-8").splitlines():
            m = _EXPECT.match(line)
            if m:
                pending += _ITEM.findall(m.group("items"))
                continue
            r = _RESOURCE.match(line)
            if r:
                for check, result in pending:
                    out[(file.relative_to(tree).as_posix(), f"{r['type']}.{r['name']}", check)] = result
                pending = []
            elif line.strip() and not line.strip().startswith("#"):
                pending = []
    return out


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("CN_CROSSBORDER_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "cn_crossborder.cli", *args],
        cwd=cwd or ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def reports(stdout: str) -> list[dict]:
    data = json.loads(stdout)
    if isinstance(data, dict) and "results" not in data:
        return []  # Checkov's bare summary when nothing was scanned
    return data if isinstance(data, list) else [data]


def _short_address(address: str) -> str:
    """``module.x.aws_vpn_connection.y[0]`` -> ``aws_vpn_connection.y`` (fixtures annotate the block)."""
    parts = re.sub(r"\[[^\]]*\]", "", address).split(".")
    return ".".join(parts[-2:])


def actual_verdicts(report_list: Iterable[dict], tree: Path) -> Verdicts:
    out: Verdicts = {}
    for report in report_list:
        results = report.get("results", {})
        for key, verdict in (
            ("passed_checks", "PASSED"),
            ("failed_checks", "FAILED"),
            ("skipped_checks", "SKIPPED"),
        ):
            for rec in results.get(key, []):
                path = Path(rec.get("file_abs_path") or rec["file_path"])
                try:
                    rel = path.resolve().relative_to(tree.resolve()).as_posix()
                except ValueError:
                    rel = rec["file_path"].lstrip("/")
                key = (rel, _short_address(rec["resource"]), rec["check_id"])
                if out.get(key) != "FAILED":  # instances of one block: the block fails if any fails
                    out[key] = verdict
    return out


def records(report_list: Iterable[dict]) -> list[dict]:
    recs = []
    for report in report_list:
        results = report.get("results", {})
        for key in ("passed_checks", "failed_checks", "skipped_checks"):
            recs += results.get(key, [])
    return recs


def scan_tree(tree: Path, *extra: str) -> tuple[subprocess.CompletedProcess, list[dict]]:
    proc = run_cli("scan", str(tree), "--format", "json", "--as-of", AS_OF, *extra)
    return proc, reports(proc.stdout) if proc.stdout.strip() else []


def plain_checkov(tree: Path, checks_dir: str) -> list[dict]:
    """Plain Checkov with our checks dir on a Terraform tree, as a user without our command would run it."""
    return plain_checkov_frameworks(tree, checks_dir, "terraform")[1]


_LOGICAL_ID = re.compile(r"^  (?P<id>[A-Za-z0-9]+):\s*(?:#.*)?$")
_CFN_TYPE = re.compile(r"^\s+Type:\s*['\"]?(?P<type>[A-Za-z0-9:]+)")


def expected_cfn_verdicts(tree: Path) -> Verdicts:
    """Annotations of CloudFormation YAML templates: ``# expect: ...`` right above a logical id.

    Keys are ``Type.LogicalId``, the resource name Checkov reports for CloudFormation.
    """
    out: Verdicts = {}
    for file in sorted([*tree.rglob("*.yaml"), *tree.rglob("*.yml")]):
        if file.name.startswith(".cn-crossborder"):
            continue
        lines = file.read_text(encoding="utf-8").splitlines()
        pending: list[tuple[str, str]] = []
        for i, line in enumerate(lines):
            m = _EXPECT.match(line)
            if m:
                pending += _ITEM.findall(m.group("items"))
                continue
            logical = _LOGICAL_ID.match(line)
            if logical and pending:
                rtype = next((t["type"] for t in map(_CFN_TYPE.match, lines[i + 1 :]) if t), "")
                for check, result in pending:
                    out[(file.relative_to(tree).as_posix(), f"{rtype}.{logical['id']}", check)] = result
                pending = []
            elif line.strip() and not line.strip().startswith("#"):
                pending = []
    return out


# --- network inventories --------------------------------------------------------------------------

_INV_TOP = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_-]*):")
_INV_ITEM = re.compile(r"""^\s*-\s+id:\s*['"]?(?P<id>[^'"\s#]+)""")
INVENTORY_KIND = "cn-crossborder/network-inventory"


def inventory_files(tree: Path) -> list[Path]:
    """YAML files under ``tree`` that name the inventory kind (policy files excluded)."""
    files = sorted([*tree.rglob("*.yaml"), *tree.rglob("*.yml")])
    return [
        f for f in files if not f.name.startswith(".cn-crossborder") and INVENTORY_KIND in f.read_text(encoding="utf-8")
    ]


def expected_inventory_verdicts(tree: Path) -> Verdicts:
    """Annotations of inventories: ``# expect: ...`` right above a ``- id: x`` item of ``devices`` or
    ``links`` (key ``devices.x`` / ``links.x``, the name Checkov reports), or above the top-level
    ``kind:`` line for findings on the whole file (key ``inventory``)."""
    out: Verdicts = {}
    for file in inventory_files(tree):
        rel = file.relative_to(tree).as_posix()
        section = ""
        pending: list[tuple[str, str]] = []
        for line in file.read_text(encoding="utf-8").splitlines():
            m = _EXPECT.match(line)
            if m:
                pending += _ITEM.findall(m.group("items"))
                continue
            if not line.strip() or line.strip().startswith("#"):
                continue
            top, item = _INV_TOP.match(line), _INV_ITEM.match(line)
            name = (
                "inventory"
                if top and top["key"] == "kind"
                else (f"{section}.{item['id']}" if item and section and not top else None)
            )
            for check, result in pending if name else ():
                out[(rel, name, check)] = result
            if top:
                section = top["key"]
            pending = []
    return out


def actual_inventory_verdicts(report_list: Iterable[dict], tree: Path) -> Verdicts:
    """Verdicts of the ``yaml`` framework reports, keyed by the resource name as Checkov reports it."""
    out: Verdicts = {}
    for report in report_list:
        if report.get("check_type") != "yaml":
            continue
        results = report.get("results", {})
        for key in ("passed_checks", "failed_checks", "skipped_checks"):
            for rec in results.get(key, []):
                path = Path(rec.get("file_abs_path") or rec["file_path"])
                try:
                    rel = path.resolve().relative_to(tree.resolve()).as_posix()
                except ValueError:
                    rel = rec["file_path"].lstrip("/")
                out[(rel, rec["resource"], rec["check_id"])] = key.split("_", 1)[0].upper()
    return out


def plain_checkov_frameworks(
    target: Path, checks_dir: str, *frameworks: str, extra_env: dict[str, str] | None = None
) -> tuple[int, list[dict]]:
    """Plain Checkov with our checks dir on ``target`` (a directory or file) and the given frameworks."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CN_CROSSBORDER_")}
    env.update({"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"})
    env["CN_CROSSBORDER_AS_OF"] = AS_OF
    env.update(extra_env or {})
    checkov = Path(sys.executable).with_name("checkov")
    proc = subprocess.run(
        [
            str(checkov),
            "-f" if target.is_file() else "-d",
            str(target),
            "--external-checks-dir",
            checks_dir,
            "--check",
            "CKV_CNX_*",
            "--skip-download",
            "--framework",
            *frameworks,
            "-o",
            "json",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    return proc.returncode, reports(proc.stdout) if proc.stdout.strip() else []
