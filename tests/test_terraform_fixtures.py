"""Every annotated fixture tree, scanned by the real command: verdicts must match exactly.

The trees are scanned together, once per session (``harness.scan_fixture`` says why each tree gets
what ``scan TREE`` gives it); each test judges its own tree's share of the report.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.harness import FIXTURES, actual_verdicts, expected_verdicts, records, scan_fixture, scan_tree_once

TREES = sorted(p for p in (FIXTURES / "terraform").iterdir() if p.is_dir())


@pytest.mark.parametrize("tree", TREES, ids=[t.name for t in TREES])
def test_fixture_verdicts(tree: Path) -> None:
    expected = expected_verdicts(tree)
    assert expected, f"{tree} has no # expect: annotations"
    scan = scan_fixture(tree)
    assert scan.returncode in (0, 1), scan.stderr
    reports = scan.reports
    actual = actual_verdicts(reports, tree)
    missing = {k: v for k, v in expected.items() if k not in actual}
    unexpected = {k: v for k, v in actual.items() if k not in expected}
    wrong = {k: (expected[k], actual[k]) for k in expected.keys() & actual.keys() if expected[k] != actual[k]}
    assert not missing and not unexpected and not wrong, (
        f"missing={missing}\nunannotated={unexpected}\nwrong (expected, actual)={wrong}"
    )
    has_failure = "FAILED" in actual.values()
    # A tree with a failure is scanned with the others that have one: the run exits 1 as this tree
    # alone would. A tree without one is scanned alone: its exit code is its own.
    assert has_failure or scan.together_with == (tree,)
    assert scan.returncode == (1 if has_failure else 0)
    # Every verdict says why: a pass carries its reason like a failure does (no silent pass).
    silent = [
        f"{rec['check_id']} {rec['resource']}"
        for rec in records(reports)
        if rec["check_id"].startswith("CKV_CNX_")
        and rec["check_result"]["result"] == "PASSED"
        and not rec.get("details")
    ]
    assert not silent, f"PASSED without details: {silent}"


def test_a_tree_scanned_with_the_others_gets_what_it_gets_alone() -> None:
    """The share of the joint scan is the report of ``scan TREE``: every record, field for field."""
    tree = FIXTURES / "terraform" / "aws_vpn"
    scan = scan_fixture(tree)
    assert len(scan.together_with) > 1
    _, alone = scan_tree_once(tree, "--soft-fail")  # test_cli's run: --soft-fail changes the exit code only

    def contents(reports: list[dict]) -> list[tuple[str, str, list[str]]]:
        return sorted(
            (r["check_type"], json.dumps(rec, sort_keys=True), sorted(r["results"]["parsing_errors"]))
            for r in reports
            for rec in records([r])
        )

    assert contents(scan.reports) == contents(alone)
    assert {r["check_type"] for r in scan.reports} == {r["check_type"] for r in alone}


def test_each_instance_of_a_module_call_is_resolved_through_its_own_call() -> None:
    """A module called with for_each has one call per instance: the provider chain a finding shows
    names the instance the resource belongs to, not whichever instance Checkov listed last."""
    tree = FIXTURES / "terraform" / "module_instances"
    found = {
        rec["resource"]: rec.get("details") or []
        for rec in records(scan_fixture(tree).reports)
        if rec["check_id"] == "CKV_CNX_101" and rec["resource"].startswith("module.office_vpn[")
    }
    assert set(found) == {f'module.office_vpn["{k}"].aws_vpn_connection.this' for k in ("munich", "singapore")}
    for resource, details in found.items():
        key = resource.split('"')[1]
        calls = [line for line in details if 'through module "' in line]
        assert calls and all(f'module "office_vpn["{key}"]" providers' in line for line in calls), details
