"""What ``scan`` covers: several paths under their own policies in one report, a file judged in its
module, and Checkov's own configuration unable to switch the checks off or reach the network."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.harness import (
    AS_OF,
    FAILING_VPN_TF,
    GATEWAYS_TF,
    PASSING_VPN_TF,
    PROVIDERS_TF,
    actual_verdicts,
    records,
    reports,
    run_cli,
)

EXEMPTING_POLICY = """\
version: 1
exemptions:
  - check: CKV_CNX_101
    resource: aws_vpn_connection.beijing_to_frankfurt
    reason: team A moves to a circuit, ticket NET-77
    expires: 2099-12-31
"""


def _module(directory: Path, *extra: tuple[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "providers.tf").write_text(PROVIDERS_TF, encoding="utf-8")
    (directory / "gateways.tf").write_text(GATEWAYS_TF, encoding="utf-8")
    (directory / "vpn.tf").write_text(FAILING_VPN_TF, encoding="utf-8")
    for name, text in extra:
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def _vpn_verdicts(out: list[dict]) -> list[tuple[str, str]]:
    """(file_abs_path, verdict) of every CKV_CNX_101 record on the frankfurt VPN."""
    return sorted(
        (str(Path(rec["file_abs_path"]).resolve()), rec["check_result"]["result"])
        for rec in records(out)
        if rec["check_id"] == "CKV_CNX_101" and rec["resource"].endswith("beijing_to_frankfurt")
    )


# ------------------------------------------------------------------------------ several paths


def test_each_path_is_judged_under_its_own_policy_in_one_json_report(tmp_path: Path) -> None:
    team_a = _module(tmp_path / "team-a", (".cn-crossborder.yaml", EXEMPTING_POLICY))
    team_b = _module(tmp_path / "team-b", (".cn-crossborder.yaml", "version: 1\n"))
    proc = run_cli("scan", str(team_a), str(team_b), "--format", "json", "--as-of", AS_OF)
    assert proc.returncode == 1, proc.stderr[-3000:]
    data = json.loads(proc.stdout)  # one document, not one per path
    assert _vpn_verdicts(reports(proc.stdout)) == [
        (str((team_a / "vpn.tf").resolve()), "SKIPPED"),
        (str((team_b / "vpn.tf").resolve()), "FAILED"),
    ]
    assert len([r for r in (data if isinstance(data, list) else [data]) if r["check_type"] == "terraform"]) == 1


def test_several_paths_give_one_junit_and_one_cli_report(tmp_path: Path) -> None:
    team_a = _module(tmp_path / "a")
    team_b = _module(tmp_path / "b")
    junit = run_cli("scan", str(team_a), str(team_b), "--format", "junitxml", "--as-of", AS_OF)
    assert junit.returncode == 1, junit.stderr[-3000:]
    suites = ET.fromstring(junit.stdout)  # a second document would make this fail
    failures = [tc for tc in suites.iter("testcase") if tc.find("failure") is not None]
    assert len([tc for tc in failures if "beijing_to_frankfurt" in tc.get("name", "") + tc.get("classname", "")]) >= 2
    cli = run_cli("scan", str(team_a), str(team_b), "--as-of", AS_OF)
    assert cli.stdout.count("terraform scan results:") == 1
    assert cli.stdout.count("FAILED for resource: aws_vpn_connection.beijing_to_frankfurt") == 2


def test_overlapping_paths_count_each_finding_once(tmp_path: Path) -> None:
    root = _module(tmp_path / "infra")
    _module(root / "china")
    once = run_cli("scan", str(root), "--format", "json", "--as-of", AS_OF)
    single = records(reports(once.stdout))
    for paths in ((root, root), (root, root / "china"), (root / "china", root), (root, root / "china" / "vpn.tf")):
        proc = run_cli("scan", *map(str, paths), "--format", "json", "--as-of", AS_OF)
        assert proc.returncode == 1, proc.stderr[-3000:]
        assert len(records(reports(proc.stdout))) == len(single), paths


def test_a_subdirectory_with_its_own_policy_is_judged_under_it(tmp_path: Path) -> None:
    root = _module(tmp_path / "infra", (".cn-crossborder.yaml", "version: 1\n"))
    china = _module(root / "china", (".cn-crossborder.yaml", EXEMPTING_POLICY))
    proc = run_cli("scan", str(root), str(china), "--format", "json", "--as-of", AS_OF)
    assert _vpn_verdicts(reports(proc.stdout)) == [
        (str((china / "vpn.tf").resolve()), "SKIPPED"),
        (str((root / "vpn.tf").resolve()), "FAILED"),
    ]


# ------------------------------------------------------------------------------ a file as a path


def test_a_file_is_judged_in_its_module_and_only_its_resources_are_reported(tmp_path: Path) -> None:
    module = _module(tmp_path / "china", ("domestic.tf", PASSING_VPN_TF))
    proc = run_cli("scan", str(module / "vpn.tf"), "--format", "json", "--as-of", AS_OF)
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = reports(proc.stdout)
    verdicts = actual_verdicts(out, module)
    # the region of aws.china is in providers.tf, the peer's address in gateways.tf: alone, vpn.tf
    # would have two unknown ends
    assert verdicts[("vpn.tf", "aws_vpn_connection.beijing_to_frankfurt", "CKV_CNX_101")] == "FAILED"
    details = " ".join(" ".join(r.get("details") or []) for r in records(out))
    assert "cn-north-1" in details and "85.214.10.1: DE" in details
    assert {file for file, _, _ in verdicts} == {"vpn.tf"}


# ------------------------------------------------------------------ Checkov's own configuration

CHECKOV_YAML_CWD = """\
skip-check:
  - CKV_CNX_101
soft-fail: true
skip-path:
  - infra
"""

CHECKOV_YAML_SCANNED = """\
framework:
  - kubernetes
check:
  - CKV_K8S_1
bc-api-key: 00000000-0000-0000-0000-000000000000
repo-id: acme/infra
"""

SKIPPED_INLINE_TF = """\
resource "aws_vpn_connection" "decommissioned" {
  # checkov:skip=CKV_CNX_101:decommissioned on 2026-12-01, ticket NET-2000
  provider            = aws.china
  customer_gateway_id = aws_customer_gateway.frankfurt.id
  vpn_gateway_id      = aws_vpn_gateway.beijing.id
  type                = "ipsec.1"
}
"""

SOCKET_GUARD = """\
import socket
def _deny(*args, **kwargs):
    with open({log!r}, "a") as fh:
        fh.write(repr(args[:2]) + "\\n")
    raise OSError("network disabled in test")
socket.socket.connect = _deny
socket.socket.connect_ex = _deny
socket.getaddrinfo = _deny
socket.create_connection = _deny
"""


def test_checkov_configuration_neither_skips_our_checks_nor_reaches_the_network(tmp_path: Path) -> None:
    work = tmp_path / "work"
    module = _module(work / "infra", ("skipped.tf", SKIPPED_INLINE_TF), (".checkov.yaml", CHECKOV_YAML_SCANNED))
    (work / ".checkov.yml").write_text(CHECKOV_YAML_CWD, encoding="utf-8")
    home = tmp_path / "home"
    (home / ".bridgecrew").mkdir(parents=True)
    (home / ".bridgecrew" / "credentials").write_text("11111111-1111-1111-1111-111111111111", encoding="utf-8")
    (home / ".checkov.yaml").write_text(CHECKOV_YAML_CWD, encoding="utf-8")
    guard = tmp_path / "guard"
    guard.mkdir()
    log = tmp_path / "attempts.log"
    (guard / "sitecustomize.py").write_text(SOCKET_GUARD.format(log=str(log)), encoding="utf-8")
    env = {
        "PYTHONPATH": str(guard),
        "HOME": str(home),
        "BC_API_KEY": "00000000-0000-0000-0000-000000000000",
        "CKV_SKIP_CHECK": "CKV_CNX_101",
        "CKV_CHECK": "CKV_AWS_1",
        "CKV_FRAMEWORK": "kubernetes",
        "PRISMA_API_URL": "https://api.prismacloud.invalid",
    }
    for target in ("infra", str(module)):
        proc = run_cli("scan", target, "--format", "json", "--as-of", AS_OF, cwd=work, env=env)
        assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-3000:]
        assert "Traceback" not in proc.stderr
        verdicts = actual_verdicts(reports(proc.stdout), module)
        assert verdicts[("vpn.tf", "aws_vpn_connection.beijing_to_frankfurt", "CKV_CNX_101")] == "FAILED"
        # inline suppressions are ours to keep
        assert verdicts[("skipped.tf", "aws_vpn_connection.decommissioned", "CKV_CNX_101")] == "SKIPPED"
        assert not log.exists(), log.read_text()


def test_the_removed_variables_cover_every_checkov_argument() -> None:
    """A Checkov upgrade that adds a configuration variable must not reach ``scan`` unnoticed."""
    from checkov.common.util.ext_argument_parser import ExtArgumentParser
    from cn_crossborder.checkov.runner import CHECKOV_CONFIG_ENV

    parser = ExtArgumentParser(default_config_files=[])
    parser.add_parser_args()
    names = {getattr(action, "env_var", None) for action in parser._actions} - {None}
    assert names and names <= set(CHECKOV_CONFIG_ENV), sorted(names - set(CHECKOV_CONFIG_ENV))


def test_plain_checkov_keeps_its_configuration(tmp_path: Path) -> None:
    """Only ``scan`` ignores .checkov.yaml: a plain Checkov user's skip-check still applies."""
    module = _module(tmp_path / "infra")
    (module / ".checkov.yaml").write_text("skip-check:\n  - CKV_CNX_101\n", encoding="utf-8")
    checks_dir = run_cli("checks-dir").stdout.strip()
    checkov = Path(sys.executable).with_name("checkov")
    argv = [str(checkov), "-d", str(module), "--external-checks-dir", checks_dir, "--skip-download"]
    proc = subprocess.run(
        [*argv, "--framework", "terraform", "-o", "json"],
        env={"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    ids = {rec["check_id"] for rec in records(reports(proc.stdout))}
    assert "CKV_CNX_101" not in ids and "CKV_CNX_201" in ids, proc.stderr[-2000:]
