"""Review gate: ``baseline`` and ``scan --baseline`` (only what a change adds), ``--summary``, ``init``.

End to end with the real command and the real Checkov on a copy of a fixture tree.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from cn_crossborder.domain.policy import load_policy
from cn_crossborder.domain.yamlsrc import InputError

from .harness import AS_OF, FIXTURES, ROOT, records, reports, run_cli, run_cli_once

SOURCE = FIXTURES / "terraform" / "aws_vpn"

ADDED = """
resource "aws_vpn_connection" "added_selects_all" {
  provider                 = aws.china
  customer_gateway_id      = aws_customer_gateway.on_circuit.id
  vpn_gateway_id           = aws_vpn_gateway.beijing.id
  type                     = "ipsec.1"
  local_ipv4_network_cidr  = "0.0.0.0/0"
}
"""


def _tree(tmp_path: Path, policy: bool = True) -> Path:
    tree = tmp_path / "infra"
    shutil.copytree(SOURCE, tree)
    if not policy:
        (tree / ".cn-crossborder.yaml").unlink()
    return tree


@pytest.fixture(scope="module")
def baselined(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A tree and the baseline written for it, from inside the tree."""
    tree = _tree(tmp_path_factory.mktemp("baseline"))
    proc = run_cli("baseline", ".", "--as-of", AS_OF, cwd=tree)
    assert proc.returncode == 0, proc.stderr
    return tree, tree / ".cn-crossborder-baseline.json"


def test_baseline_records_failed_findings_with_relative_files_and_stable_fingerprints(
    baselined: tuple[Path, Path],
) -> None:
    tree, file = baselined
    doc = json.loads(file.read_text(encoding="utf-8"))
    assert doc["kind"] == "cn-crossborder/baseline" and doc["version"] == 1
    findings = doc["findings"]
    assert findings, "the fixture tree has failures"
    seen = {(f["check_id"], f["resource"], f["file"]) for f in findings}
    assert ("CKV_CNX_101", "aws_vpn_connection.beijing_to_frankfurt", "vpn.tf") in seen
    assert ("CKV_CNX_104", "aws_route.beijing_default_abroad", "routes.tf") in seen
    # the exempted finding is not a failure, so not in the baseline
    assert not any(f["resource"] == "aws_vpn_connection.legacy" for f in findings)
    for f in findings:
        assert re.fullmatch(r"[0-9a-f]{64}", f["fingerprint"])
        assert not f["file"].startswith("/") and str(tree) not in f["file"]
    assert all(set(f) == {"fingerprint", "check_id", "resource", "file"} for f in findings)  # no line numbers


def test_scan_with_baseline_of_an_unchanged_tree_passes_and_counts_known(baselined: tuple[Path, Path]) -> None:
    tree, file = baselined
    count = len(json.loads(file.read_text(encoding="utf-8"))["findings"])
    # another working directory, another spelling of the path: the same findings
    proc = run_cli("scan", str(tree), "--baseline", str(file), "--as-of", AS_OF)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    assert f"0 new failed finding(s); {count} known finding(s) remain" in proc.stderr


def test_scan_with_baseline_fails_only_on_what_the_change_adds(tmp_path: Path, baselined: tuple[Path, Path]) -> None:
    _, file = baselined
    tree = _tree(tmp_path)
    vpn = tree / "vpn.tf"
    # lines move (a comment block above everything) and one failing resource is added
    vpn.write_text("# moved\n# down\n# by three lines\n" + vpn.read_text(encoding="utf-8") + ADDED, encoding="utf-8")
    count = len(json.loads(file.read_text(encoding="utf-8"))["findings"])

    proc = run_cli("scan", str(tree), "--baseline", str(file), "--as-of", AS_OF, "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert f"1 new failed finding(s); {count} known finding(s) remain" in proc.stderr
    recs = records(reports(proc.stdout))
    failed = [r for r in recs if r["check_result"]["result"] == "FAILED"]
    assert [(r["check_id"], r["resource"]) for r in failed] == [("CKV_CNX_104", "aws_vpn_connection.added_selects_all")]
    known = [r for r in recs if r["check_result"].get("suppress_comment") == "baseline-skipped"]
    assert len(known) == count and all(r["check_result"]["result"] == "SKIPPED" for r in known)

    md = tree / "summary.md"
    proc = run_cli(
        "scan", str(tree), "--baseline", str(file), "--as-of", AS_OF, "--format", "sarif", "--summary", str(md)
    )
    assert proc.returncode == 1, proc.stderr
    sarif = json.loads(proc.stdout)
    results = sarif["runs"][0]["results"]
    suppressed = [r for r in results if r.get("suppressions")]
    assert {
        r["suppressions"][0]["kind"]
        for r in suppressed
        if r["suppressions"][0].get("justification") == "baseline-skipped"
    } == {"external"}
    assert [r["properties"]["resource"] for r in results if not r.get("suppressions")] == [
        "aws_vpn_connection.added_selects_all"
    ]
    text = md.read_text(encoding="utf-8")
    assert f"**1 new failed**, {count} known (in the baseline)" in text
    new, _, rest = text.partition("### New findings")[2].partition("### Known findings (in the baseline)")
    assert "aws_vpn_connection.added_selects_all" in new and "beijing_to_frankfurt" not in new
    assert "aws_vpn_connection.beijing_to_frankfurt" in rest
    diagram = text.split("```mermaid", 1)[1].split("```", 1)[0]
    assert "added_selects_all" in diagram
    assert "beijing_to_frankfurt" not in diagram and "beijing_to_hong_kong" not in diagram


def test_markdown_without_baseline_still_shows_the_whole_estate() -> None:
    # the fixture tree itself, as test_reports scans it (one run for both)
    proc = run_cli_once("scan", str(SOURCE.relative_to(ROOT)), "--format", "markdown", "--as-of", AS_OF)
    assert proc.returncode == 1
    assert "### Findings" in proc.stdout and "Known findings" not in proc.stdout
    diagram = proc.stdout.split("```mermaid", 1)[1]
    assert "beijing_to_frankfurt" in diagram


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        ("{not json", "not valid JSON"),
        ('{"failed_checks": []}', "is not a cn-crossborder baseline"),
        ('{"kind": "cn-crossborder/baseline", "version": 1, "findings": [{"file": "x"}]}', "findings[0]"),
    ],
)
def test_missing_or_invalid_baseline_is_a_usage_error_naming_the_file(
    tmp_path: Path, content: str | None, message: str
) -> None:
    file = tmp_path / "base.json"
    if content is not None:
        file.write_text(content, encoding="utf-8")
    proc = run_cli("scan", str(SOURCE), "--baseline", str(file), "--as-of", AS_OF)
    assert proc.returncode == 2, proc.stderr
    assert str(file) in proc.stderr and message in proc.stderr
    assert "Traceback" not in proc.stderr


# ---------------------------------------------------------------------------------------- init


def test_init_writes_a_starter_policy_that_loads_and_lists_what_is_unknown(tmp_path: Path) -> None:
    tree = _tree(tmp_path, policy=False)
    proc = run_cli("init", str(tree), "--as-of", AS_OF)
    assert proc.returncode == 0, proc.stderr
    policy = tree / ".cn-crossborder.yaml"
    text = policy.read_text(encoding="utf-8")
    load_policy(policy)  # the file loads as written
    for key in ("version: 1", "circuits:", "locations:", "devices:", "licences:", "exemptions:"):
        assert key in text
    assert f"on {AS_OF}." in text.splitlines()[0]  # dated as the scan was
    # the private peer address of aws_customer_gateway.private_undeclared, to locate
    assert "#  - cidr: 10.20.0.1/32" in text
    assert re.search(r"#    country: XX +# TODO", text)
    # an unidentified customer gateway, to identify
    assert "# TODO identify aws_customer_gateway.shanghai_office (gateways.tf)" in text

    # a placeholder left in an uncommented entry is rejected, never read as a fact
    uncommented = text.replace(
        "locations: []\n#  - cidr: 10.20.0.1/32\n#    country: XX",
        "locations:\n  - cidr: 10.20.0.1/32\n    country: XX",
    )
    assert uncommented != text
    policy.write_text(uncommented, encoding="utf-8")
    with pytest.raises(InputError):
        load_policy(policy)


def test_init_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    policy = tree / ".cn-crossborder.yaml"
    before = policy.read_text(encoding="utf-8")
    proc = run_cli("init", str(tree), "--as-of", AS_OF)
    assert proc.returncode == 2
    assert str(policy) in proc.stderr and "--force" in proc.stderr
    assert policy.read_text(encoding="utf-8") == before
    proc = run_cli("init", str(tree), "--force", "--as-of", AS_OF)
    assert proc.returncode == 0, proc.stderr
    assert policy.read_text(encoding="utf-8") != before
    load_policy(policy)


@pytest.mark.parametrize("command", ["baseline", "init"])
def test_baseline_and_init_name_a_file_they_could_not_parse_and_fail(tmp_path: Path, command: str) -> None:
    tree = _tree(tmp_path, policy=False)
    (tree / "broken.tf").write_text('resource "aws_vpn_connection" "x" {\n  bad =\n', encoding="utf-8")
    proc = run_cli(command, ".", "--as-of", AS_OF, cwd=tree)
    assert proc.returncode == 1, proc.stderr
    assert "broken.tf could not be parsed; it was not scanned" in proc.stderr
    assert "1 file not parsed" in proc.stderr
    assert "Traceback" not in proc.stderr
