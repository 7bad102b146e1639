"""The command line end to end: exit codes, formats, bad input, offline, plain Checkov parity."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.harness import (
    AS_OF,
    FIXTURES,
    ROOT,
    actual_verdicts,
    plain_checkov,
    plain_checkov_frameworks,
    reports,
    run_cli,
    run_cli_once,
    scan_fixture,
    scan_tree,
    scan_tree_once,
)

AWS = FIXTURES / "terraform" / "aws_vpn"
CLI = FIXTURES / "cli"


def _scan_aws_cli_format() -> subprocess.CompletedProcess:
    """``scan AWS`` in the default format: one run for the tests that judge it."""
    return run_cli_once("scan", str(AWS), "--as-of", AS_OF)


def test_failures_exit_1_and_soft_fail_exits_0() -> None:
    proc = _scan_aws_cli_format()
    assert proc.returncode == 1
    soft, _ = scan_tree_once(AWS, "--soft-fail")
    assert soft.returncode == 0


def test_clean_tree_exits_0(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        textwrap.dedent("""
        provider "aws" {
          region = "cn-north-1"
        }
        resource "aws_customer_gateway" "shanghai" {
          bgp_asn    = 65000
          ip_address = "116.228.111.118"
          type       = "ipsec.1"
          # an identified domestic device: an unidentified one at a mainland site fails CKV_CNX_201
          device_name = "Huawei USG6650"
        }
        resource "aws_vpn_connection" "domestic" {
          customer_gateway_id = aws_customer_gateway.shanghai.id
          vpn_gateway_id      = "vgw-1"
          type                = "ipsec.1"
        }
    """)
    )
    proc, out = scan_tree(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert actual_verdicts(out, tmp_path)[("main.tf", "aws_vpn_connection.domestic", "CKV_CNX_101")] == "PASSED"


def test_cli_format_names_endpoints_legal_basis_and_fix() -> None:
    proc = _scan_aws_cli_format()
    assert proc.returncode == 1
    out = proc.stdout
    assert "CKV_CNX_101" in out and "aws_vpn_connection.beijing_to_frankfurt" in out
    assert "cn-north-1 (Beijing): CN via provider aws.china (providers.tf:10)" in out
    assert "85.214.10.1: DE by IP registration" in out
    assert "Legal basis:" in out and "Fix:" in out
    assert "Severity: HIGH" in out


def test_output_file_and_machine_formats(tmp_path: Path) -> None:
    for fmt in ("json", "sarif", "junitxml"):
        target = tmp_path / f"report.{fmt}"
        proc = run_cli("scan", str(AWS), "--format", fmt, "--output", str(target), "--as-of", AS_OF)
        assert proc.returncode == 1, proc.stderr
        assert target.stat().st_size > 0
        text = target.read_text()
        if fmt == "json":
            assert any(r["check_type"] == "terraform" for r in reports(text))
        elif fmt == "sarif":
            sarif = json.loads(text)
            assert sarif["version"] == "2.1.0"
            rule_ids = {r["id"] for run in sarif["runs"] for r in run["tool"]["driver"]["rules"]}
            assert {"CKV_CNX_101", "CKV_CNX_104"} <= rule_ids
        else:
            failures = [tc for tc in ET.fromstring(text).iter("testcase") if tc.find("failure") is not None]
            named = [tc.get("name", "") + " " + tc.get("classname", "") for tc in failures]
            assert any("aws_vpn_connection.beijing_to_frankfurt" in n and "CKV_CNX_101" in n for n in named)


def test_exemption_becomes_skipped_with_reason() -> None:
    out = scan_fixture(AWS).reports
    skipped = [r for rep in out for r in rep["results"]["skipped_checks"]]
    legacy = [r for r in skipped if r["resource"] == "aws_vpn_connection.legacy"]
    assert legacy and "NET-1234" in legacy[0]["check_result"]["suppress_comment"]


def test_as_of_after_exemption_expiry_fails_it() -> None:
    proc = run_cli("scan", str(AWS), "--format", "json", "--as-of", "2027-01-01")
    failed = {r["resource"] for rep in reports(proc.stdout) for r in rep["results"]["failed_checks"]}
    assert "aws_vpn_connection.legacy" in failed


def test_unparsable_file_is_named_and_fails_but_rest_is_scanned() -> None:
    tree = CLI / "broken_tree"
    proc, out = scan_tree(tree, "--soft-fail")
    assert proc.returncode == 1
    assert "broken.tf" in proc.stderr and "could not be parsed" in proc.stderr
    assert "Traceback" not in proc.stderr
    verdicts = actual_verdicts(out, tree)
    assert verdicts[("good.tf", "aws_vpn_connection.still_scanned", "CKV_CNX_101")] == "FAILED"


def test_a_yaml_or_json_file_that_cannot_be_read_is_named_and_fails(tmp_path: Path) -> None:
    """It may be a network inventory, a plan or a template: whether it is cannot be told without
    reading it, so it is never passed over without a word."""
    (tmp_path / "main.tf").write_text('provider "aws" {\n  region = "eu-central-1"\n}\n', encoding="utf-8")
    (tmp_path / "network.yaml").symlink_to(tmp_path / "moved-away" / "network.yaml")
    (tmp_path / "tfplan.json").symlink_to(tmp_path / "moved-away" / "tfplan.json")
    proc = run_cli("scan", str(tmp_path), "--as-of", AS_OF, "--soft-fail")
    assert proc.returncode == 1, proc.stderr
    for name in ("network.yaml", "tfplan.json"):
        assert f"{tmp_path / name} cannot be read" in proc.stderr, proc.stderr
    assert "2 files not parsed" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_invalid_policy_exits_2_with_one_message_per_problem() -> None:
    proc = run_cli("scan", str(CLI / "invalid_policy"), "--as-of", AS_OF)
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if ".cn-crossborder.yaml:" in line]
    assert any(":2 at unknown_location" in line and "maybe" in line for line in lines), proc.stderr
    assert any(":6 at circuits[0].endpoints[0]" in line for line in lines), proc.stderr
    assert any(":7 at circuits[0].expires" in line and "YYYY-MM-DD" in line for line in lines), proc.stderr
    assert "Traceback" not in proc.stderr


def test_policy_validate_command() -> None:
    ok = run_cli("policy", "validate", str(AWS / ".cn-crossborder.yaml"))
    assert ok.returncode == 0 and "valid" in ok.stdout
    bad = run_cli("policy", "validate", str(CLI / "invalid_policy" / ".cn-crossborder.yaml"))
    assert bad.returncode == 2 and "circuits[0].expires" in bad.stderr


def test_usage_errors_exit_2() -> None:
    assert run_cli("scan", "/no/such/dir").returncode == 2
    assert run_cli("scan", str(AWS), "--as-of", "yesterday").returncode == 2
    assert run_cli("scan", str(AWS), "--policy", "/no/such/policy.yaml").returncode == 2
    assert run_cli("explain", "CKV_CNX_999").returncode == 2
    assert run_cli("bogus").returncode == 2


def test_explain_and_checks() -> None:
    proc = run_cli("explain", "ckv_cnx_101")
    assert proc.returncode == 0
    assert "Legal basis:" in proc.stdout and "How to fix:" in proc.stdout and "aws_vpn_connection" in proc.stdout
    listing = run_cli("checks")
    assert "CKV_CNX_101" in listing.stdout and "CKV_CNX_104" in listing.stdout


def test_plain_checkov_gives_the_same_verdicts() -> None:
    checks_dir = run_cli("checks-dir").stdout.strip()
    assert (Path(checks_dir) / "__init__.py").is_file()
    for tree in (AWS, FIXTURES / "terraform" / "resolution"):
        ours = scan_fixture(tree).reports
        theirs = plain_checkov(tree, checks_dir)
        assert actual_verdicts(ours, tree) == actual_verdicts(theirs, tree)


def test_plain_checkov_judges_dynamic_blocks_in_both_syntaxes() -> None:
    """A resource with a dynamic block in Terraform JSON got no record from plain Checkov (its own
    rewriting of dynamic blocks raised inside the check); both frameworks now give scan's verdicts."""
    checks_dir = run_cli("checks-dir").stdout.strip()
    tree = FIXTURES / "terraform" / "dynamic_blocks"
    _, theirs = plain_checkov_frameworks(tree, checks_dir, "terraform", "terraform_json")
    ours = actual_verdicts(scan_fixture(tree).reports, tree)
    assert ("routes.tf.json", "aws_route_table.json_dynamic", "CKV_CNX_104") in ours
    assert actual_verdicts(theirs, tree) == ours


def test_scan_makes_no_network_connection(tmp_path: Path) -> None:
    """Every socket connect and DNS lookup in the scan's process is recorded and refused."""
    log = tmp_path / "attempts.log"
    (tmp_path / "sitecustomize.py").write_text(
        textwrap.dedent(f"""
        import socket
        def _deny(*args, **kwargs):
            with open({str(log)!r}, "a") as fh:
                fh.write(repr(args[:2]) + "\\n")
            raise OSError("network disabled in test")
        socket.socket.connect = _deny
        socket.socket.connect_ex = _deny
        socket.getaddrinfo = _deny
        socket.create_connection = _deny
    """)
    )
    proc = run_cli("scan", str(AWS), "--as-of", AS_OF, env={"PYTHONPATH": str(tmp_path)})
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert not log.exists(), log.read_text()


def test_scan_refuses_to_pass_without_our_checks(monkeypatch, tmp_path: Path) -> None:
    """A broken install (no check modules) must stop with exit 2, not report a clean tree."""
    from cn_crossborder import cli
    from cn_crossborder.checkov import runner

    monkeypatch.setattr(runner, "checks_dir", lambda: tmp_path)
    assert cli.main(["scan", str(AWS), "--as-of", AS_OF]) == 2


def test_output_that_cannot_be_written_is_a_usage_error_before_the_scan(tmp_path: Path) -> None:
    read_only = tmp_path / "read-only"
    read_only.mkdir()
    read_only.chmod(0o555)
    targets = [tmp_path / "missing" / "report.json", tmp_path, read_only / "report.json"]
    if os.access(read_only, os.W_OK):  # root writes anywhere: only the first two can be tested
        targets.pop()
    for target in targets:
        proc = run_cli("scan", str(AWS), "--format", "json", "--output", str(target), "--as-of", AS_OF)
        assert proc.returncode == 2, (target, proc.stderr)
        assert f"--output {target}" in proc.stderr and "Traceback" not in proc.stderr
        assert not proc.stdout


def test_as_of_accepts_only_yyyy_mm_dd() -> None:
    # date.fromisoformat on Python 3.11 also reads these as 2026-11-23
    for value in ("20261123", "2026-W48-1", "2026-327"):
        proc = run_cli("scan", str(AWS), "--as-of", value)
        assert proc.returncode == 2 and "expected YYYY-MM-DD" in proc.stderr, value


def test_missing_var_file_is_a_usage_error() -> None:
    proc = run_cli("scan", str(AWS), "--var-file", "/no/such/vars.tfvars", "--as-of", AS_OF)
    assert proc.returncode == 2
    assert "--var-file /no/such/vars.tfvars does not exist" in proc.stderr and "Traceback" not in proc.stderr


def test_a_broken_cloudformation_template_is_named_and_fails_the_run(tmp_path: Path) -> None:
    cfn = FIXTURES / "cloudformation" / "aws_cn_vpn"
    for file in ("network.yaml", ".cn-crossborder.yaml"):
        (tmp_path / file).write_bytes((cfn / file).read_bytes())
    (tmp_path / "broken.yaml").write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Vpn:\n    Type: AWS::EC2::VPNConnection\n'
        "    Properties: [unclosed\n",
        encoding="utf-8",
    )
    proc, out = scan_tree(tmp_path, "--soft-fail")
    assert proc.returncode == 1, proc.stderr
    assert f"{tmp_path / 'broken.yaml'} could not be parsed" in proc.stderr or "broken.yaml could not be parsed" in (
        proc.stderr
    )
    assert "Traceback" not in proc.stderr
    assert any(r["file_path"].endswith("network.yaml") for rep in out for r in rep["results"]["failed_checks"])


# ----------------------------------------------------------------------- summary and progress


def test_every_scan_ends_with_a_summary_line_on_stderr(tmp_path: Path) -> None:
    (tmp_path / "broken.tf").write_text('resource "aws_vpn_connection" "x" {\n  type = \n', encoding="utf-8")
    proc = run_cli(
        "scan", str(AWS), str(FIXTURES / "terraform" / "example"), str(tmp_path), "--format", "json", "--as-of", AS_OF
    )
    assert proc.returncode == 1, proc.stderr[-2000:]
    counts = {
        key: sum(len(r["results"][f"{key}_checks"]) for r in reports(proc.stdout))
        for key in ("failed", "passed", "skipped")
    }
    assert counts["failed"] and counts["passed"] and counts["skipped"]
    last = proc.stderr.strip().splitlines()[-1]
    assert last == (
        f"cn-crossborder: {counts['failed']} failed, {counts['passed']} passed, {counts['skipped']} skipped, "
        "1 file not parsed in 3 paths"
    )
    assert "scanning" not in proc.stderr  # not a terminal: no progress


def test_progress_on_a_terminal(tmp_path: Path) -> None:
    """On a terminal, each Checkov run says when it starts and what it judged."""
    controller, terminal = pty.openpty()
    out = tmp_path / "report.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CN_CROSSBORDER_")}
    args = [str(AWS), str(FIXTURES / "terraform" / "example"), "--format", "json", "--output", str(out)]
    proc = subprocess.run(
        [sys.executable, "-m", "cn_crossborder.cli", "scan", *args, "--as-of", AS_OF],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=terminal,
        env=env,
        timeout=600,
    )
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    raw = b"".join(chunks).decode("utf-8", "replace")
    text = re.sub(r"\x1b\[[0-9;]*m", "", raw).replace("\r", "")  # colour resets Checkov's colorama adds
    assert proc.returncode == 1
    assert f"[1/2] scanning {AWS}" in text and f"[2/2] scanning {FIXTURES / 'terraform' / 'example'}" in text
    assert "[1/2] " in text and " resources, " in text
    assert re.fullmatch(
        r"cn-crossborder: \d+ failed, \d+ passed, \d+ skipped in 2 paths", text.strip().splitlines()[-1]
    )


def test_a_file_that_is_no_input_of_ours_is_named_not_passed() -> None:
    proc = run_cli("scan", str(ROOT / "README.md"), "--as-of", AS_OF)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "README.md is not an input cn-crossborder reads" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_broken_file_that_is_no_input_of_ours_neither_fails_nor_is_reported(tmp_path: Path) -> None:
    """The plan framework (run for a plan) tries every JSON file; a broken unrelated one is not ours."""
    tmp_path = tmp_path / "tree"
    shutil.copytree(FIXTURES / "plan" / "aws_vpn", tmp_path)
    clean = run_cli("scan", str(tmp_path), "--format", "sarif", "--as-of", AS_OF)
    (tmp_path / "notes.json").write_text('{"stages": [1,\n', encoding="utf-8")
    proc = run_cli("scan", str(tmp_path), "--format", "sarif", "--as-of", AS_OF)
    assert proc.returncode == clean.returncode, proc.stderr[-2000:]
    assert "notes.json" not in proc.stdout and "notes.json" not in proc.stderr
    assert "not parsed" not in proc.stderr
    # Checkov itself reports it: the scan leaves it out on purpose
    plain = subprocess.run(
        [
            *(str(Path(sys.executable).parent / "checkov"), "-d", str(tmp_path), "--framework", "terraform_plan"),
            *("--skip-download", "-o", "json", "--check", "CKV_CNX_NONE"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
    )
    assert "notes.json" in plain.stdout, plain.stdout[-2000:]


def test_an_interrupted_scan_says_so_without_a_traceback(tmp_path: Path) -> None:
    """Ctrl-C in a terminal: exit 130, one line, no traceback (Checkov's own handler is not installed)."""
    blocks = [
        f'resource "aws_customer_gateway" "cgw_{i}" {{\n  ip_address = "85.214.{i // 250}.{i % 250 + 1}"\n}}\n'
        for i in range(15000)
    ]
    (tmp_path / "main.tf").write_text('provider "aws" {\n  region = "cn-north-1"\n}\n' + "".join(blocks))
    proc = subprocess.Popen(
        [sys.executable, "-m", "cn_crossborder.cli", "scan", str(tmp_path), "--format", "json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr[-2000:]
    assert "Traceback" not in stderr and "cn-crossborder: interrupted" in stderr


def test_an_exemption_that_silences_nothing_is_named_as_a_warning(tmp_path: Path) -> None:
    """A whole-tree scan names an exemption for a resource it never judged (a rename, a typo), with
    its place in the policy; a scan of part of the tree, as pre-commit makes, cannot tell and says
    nothing. The exit code is the findings' alone."""
    tree = tmp_path / "tree"
    shutil.copytree(AWS, tree)
    policy = tree / ".cn-crossborder.yaml"
    policy.write_text(
        policy.read_text(encoding="utf-8")
        + "  - check: CKV_CNX_101\n    resource: aws_vpn_connection.legacyy\n"
        + "    reason: misspelt\n    expires: 2026-12-31\n",
        encoding="utf-8",
    )
    line = policy.read_text(encoding="utf-8").splitlines().index("    resource: aws_vpn_connection.legacyy") + 1
    whole = run_cli("scan", str(tree), "--format", "json", "--as-of", AS_OF, "--soft-fail")
    warnings = [ln for ln in whole.stderr.splitlines() if "warning" in ln]
    assert warnings == [
        f"cn-crossborder: warning: {policy}:{line} at exemptions[2].resource: exempts CKV_CNX_101 on "
        "aws_vpn_connection.legacyy, which no check of this scan judged (renamed, removed or misspelt?)"
    ], whole.stderr[-2000:]
    assert whole.returncode == 0
    one_file = run_cli("scan", str(tree / "vpn.tf"), "--format", "json", "--as-of", AS_OF, "--soft-fail")
    assert one_file.returncode == 0 and "warning" not in one_file.stderr, one_file.stderr[-2000:]


def test_a_reader_that_goes_away_gets_no_traceback() -> None:
    """``cn-crossborder explain X | head -1``: what is left cannot be written. No traceback on
    standard error, and an exit code that is not success (141, 128 + SIGPIPE), so that a report cut
    short never reads as a passing gate. The reader is gone before the command writes, so the write
    fails whatever the timing."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CN_CROSSBORDER_")}
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "cn_crossborder.cli", "explain", "CKV_CNX_104"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=env,
            timeout=60,
        )
    finally:
        os.close(write_end)
    err = proc.stderr.decode()
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert proc.returncode == 141
