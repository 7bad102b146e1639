"""Run the real command and the real Checkov on fixture trees, and compare with their annotations.

Fixtures say what must happen next to the code it happens to, Semgrep style: the comment line
``# expect: CKV_CNX_101=FAILED CKV_CNX_104=PASSED`` right above a ``resource`` block (in HCL) or a
list item (in an inventory) names the verdict of every check that reports on it.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
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


@functools.cache
def run_cli_once(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``run_cli`` for an invocation several tests make on inputs that never change (fixture trees):
    run once per session, its result shared. Never for a tree a test writes to."""
    return run_cli(*args, cwd=cwd)


def scan_tree_once(tree: Path, *extra: str) -> tuple[subprocess.CompletedProcess, list[dict]]:
    """``scan_tree`` of a fixture tree, run once per session for the same options."""
    assert FIXTURES in tree.parents, f"{tree} is not a fixture tree: its scan cannot be shared"
    proc = run_cli_once("scan", str(tree), "--format", "json", "--as-of", AS_OF, *extra)
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


# --- the annotated fixture trees, scanned together -----------------------------------------------
#
# Starting the command costs seconds of imports, the scan of a fixture tree a fraction of that, and
# several test modules judge the same trees. So the trees are scanned once per session, all in one
# ``scan A B C ...``, and each test reads its tree's share of that report.
#
# What a tree gets that way is what ``scan TREE`` gives, because of what ``scan`` promises for
# several paths (docs/usage.md): each path is judged by a Checkov run of its own, over its own
# directory, under its own policy (the nearest to it), and the reports are merged. Only a finding in
# a file that lies in another of the scanned paths would go to that path instead; the trees are
# disjoint and no module call leaves its tree (``_self_contained``), so each tree keeps all of its
# findings and gets none of another's. The exit code of the run is that of its trees together:
# 1 when any failed. Each tree that has a failure would exit 1 alone (a failed finding fails the
# scan), so the trees annotated with a failure are scanned together, and a tree annotated with
# none is scanned alone, where its exit code 0 is its own.

ANNOTATED_KINDS = ("terraform", "cloudformation", "inventory", "plan")
_MODULE_SOURCE = re.compile(r'^\s*"?source"?\s*[=:]\s*"(?P<source>\.{1,2}/[^"]*)"', re.MULTILINE)


def expected_any(tree: Path) -> Verdicts:
    """Every annotation under ``tree``, whatever the kind of file it is in."""
    return {**expected_verdicts(tree), **expected_cfn_verdicts(tree), **expected_inventory_verdicts(tree)}


@functools.cache
def annotated_trees() -> tuple[Path, ...]:
    """The fixture trees whose files carry ``# expect:`` annotations."""
    return tuple(
        tree
        for kind in ANNOTATED_KINDS
        for tree in sorted(p for p in (FIXTURES / kind).iterdir() if p.is_dir())
        if expected_any(tree)
    )


@dataclass(frozen=True)
class TreeScan:
    """What ``scan`` said about one tree: the exit code and standard error of the run that judged it,
    and the reports cut down to the tree's own files (without Checkov's ``summary``, which counted
    the whole run)."""

    tree: Path
    returncode: int
    stderr: str
    reports: list[dict]
    together_with: tuple[Path, ...]  # the trees of the same run


def _self_contained(tree: Path) -> None:
    """Every local module source of ``tree`` stays inside it (the condition for scanning it with others)."""
    for file in sorted([*tree.rglob("*.tf"), *tree.rglob("*.tf.json")]):
        for m in _MODULE_SOURCE.finditer(file.read_text(encoding="utf-8")):
            source = (file.parent / m["source"]).resolve()
            assert source == tree.resolve() or tree.resolve() in source.parents, (
                f"{file}: module source {m['source']} leaves the tree {tree}; scanned with other trees, its "
                "findings could go to another path: scan this tree alone"
            )


def _file_of(name: str) -> Path:
    """A file a report names, resolved as the command (working directory ROOT) named it."""
    path = Path(name)
    return (path if path.is_absolute() else ROOT / path).resolve()


def _record_file(rec: dict) -> Path:
    name = rec.get("file_abs_path")
    assert name, f"a record without file_abs_path cannot be given to its tree: {rec.get('resource')}"
    return _file_of(name)


def _share(report_list: list[dict], tree: Path) -> list[dict]:
    """The reports of a run over several trees, cut down to the records and parse errors of ``tree``."""
    root = tree.resolve()
    out = []
    for report in report_list:
        results = report.get("results", {})
        kept = {
            key: [rec for rec in results.get(key, []) if root in _record_file(rec).parents]
            for key in ("passed_checks", "failed_checks", "skipped_checks")
        }
        errors = [f for f in results.get("parsing_errors", []) if root in _file_of(f).parents]
        if any(kept.values()) or errors:
            rest = {k: v for k, v in report.items() if k not in ("results", "summary")}
            out.append({**rest, "results": {**results, **kept, "parsing_errors": errors}})
    return out


@functools.cache
def _scan_together(trees: tuple[Path, ...]) -> tuple[subprocess.CompletedProcess, list[dict]]:
    for tree in trees:
        _self_contained(tree)
    proc = run_cli("scan", *map(str, trees), "--format", "json", "--as-of", AS_OF)
    found = reports(proc.stdout) if proc.stdout.strip() else []
    roots = [t.resolve() for t in trees]
    for report in found:
        results = report.get("results", {})
        files = [_record_file(r) for key in ("passed_checks", "failed_checks", "skipped_checks") for r in results[key]]
        files += [_file_of(f) for f in results.get("parsing_errors", [])]
        for file in files:
            owners = [root for root in roots if root in file.parents]
            assert len(owners) == 1, f"{file} lies in {len(owners)} of the trees scanned together"
    return proc, found


def scan_fixture(tree: Path) -> TreeScan:
    """``scan TREE --format json --as-of AS_OF`` for an annotated fixture tree, shared by the session."""
    trees = annotated_trees()
    assert tree in trees, f"{tree} is not an annotated fixture tree"
    failing = tuple(t for t in trees if "FAILED" in expected_any(t).values())
    group = failing if tree in failing else (tree,)
    proc, found = _scan_together(group)
    return TreeScan(tree, proc.returncode, proc.stderr, _share(found, tree), group)


# --- one small AWS module, written into temporary trees by the scope and pre-commit tests ---------
# A Frankfurt customer gateway and a Shanghai office one, a VPN gateway in Beijing, and a VPN from
# Beijing to each: the Frankfurt one crosses the border (CKV_CNX_101 fails), the Shanghai one does not.

PROVIDERS_TF = """\
provider "aws" {
  region = "eu-central-1"
}

provider "aws" {
  alias  = "china"
  region = "cn-north-1"
}
"""

GATEWAYS_TF = """\
resource "aws_customer_gateway" "frankfurt" {
  bgp_asn    = 65010
  ip_address = "85.214.10.1"
  type       = "ipsec.1"
}

resource "aws_customer_gateway" "shanghai_office" {
  bgp_asn     = 65020
  ip_address  = "116.228.111.118"
  type        = "ipsec.1"
  device_name = "Huawei USG6650" # a domestic device: no import licence question
}

resource "aws_vpn_gateway" "beijing" {
  provider = aws.china
  vpc_id   = "vpc-0beijing"
}
"""

FAILING_VPN_TF = """\
resource "aws_vpn_connection" "beijing_to_frankfurt" {
  provider            = aws.china
  customer_gateway_id = aws_customer_gateway.frankfurt.id
  vpn_gateway_id      = aws_vpn_gateway.beijing.id
  type                = "ipsec.1"
}
"""

PASSING_VPN_TF = """\
resource "aws_vpn_connection" "beijing_to_shanghai" {
  provider            = aws.china
  customer_gateway_id = aws_customer_gateway.shanghai_office.id
  vpn_gateway_id      = aws_vpn_gateway.beijing.id
  type                = "ipsec.1"
}
"""
