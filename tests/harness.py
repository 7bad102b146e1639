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


def expected_verdicts(tree: Path) -> Verdicts:
    """Annotations of every .tf file under ``tree``; resource keys are ``type.name``."""
    out: Verdicts = {}
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
    """``module.x.aws_vpn_connection.y`` -> ``aws_vpn_connection.y`` (fixtures annotate the block)."""
    parts = address.split(".")
    return ".".join(parts[-2:])


def actual_verdicts(report_list: Iterable[dict], tree: Path) -> Verdicts:
    out: Verdicts = {}
    for report in report_list:
        results = report.get("results", {})
        for key, verdict in (("passed_checks", "PASSED"), ("failed_checks", "FAILED"), ("skipped_checks", "SKIPPED")):
            for rec in results.get(key, []):
                path = Path(rec.get("file_abs_path") or rec["file_path"])
                try:
                    rel = path.resolve().relative_to(tree.resolve()).as_posix()
                except ValueError:
                    rel = rec["file_path"].lstrip("/")
                out[(rel, _short_address(rec["resource"]), rec["check_id"])] = verdict
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
    """Plain Checkov with our checks dir, as a user without our command would run it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CN_CROSSBORDER_")}
    env.update({"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "CN_CROSSBORDER_AS_OF": AS_OF})
    checkov = Path(sys.executable).with_name("checkov")
    proc = subprocess.run(
        [str(checkov), "-d", str(tree), "--external-checks-dir", checks_dir, "--check", "CKV_CNX_*",
         "--skip-download", "--framework", "terraform", "-o", "json"],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    return reports(proc.stdout)
