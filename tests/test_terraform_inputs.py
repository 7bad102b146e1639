"""Terraform inputs Checkov leaves out or gives up on, through the real command: Terraform JSON under
plain Checkov, a large valid file, and module calls whose source cannot be read."""

from __future__ import annotations

import json
from pathlib import Path

from cn_crossborder.checkov.runner import checks_dir

from tests.harness import (
    AS_OF,
    FIXTURES,
    actual_verdicts,
    expected_verdicts,
    plain_checkov_frameworks,
    records,
    reports,
    run_cli,
)

GATEWAY = """
provider "aws" {
  region = "eu-central-1"
}

resource "aws_customer_gateway" "frankfurt" {
  bgp_asn    = 65010
  ip_address = "85.214.10.1"
  type       = "ipsec.1"
}
"""


def test_plain_checkov_judges_terraform_json_like_scan() -> None:
    """`checkov --external-checks-dir` with the terraform_json framework: the fixture's verdicts."""
    tree = FIXTURES / "terraform" / "terraform_json"
    _, found = plain_checkov_frameworks(tree, str(checks_dir()), "terraform", "terraform_json")
    assert actual_verdicts(found, tree) == expected_verdicts(tree)


def test_a_large_valid_file_is_never_reported_as_unparsable(tmp_path: Path) -> None:
    """Checkov gives up on an HCL file whose parse outlasts HCL_PARSE_TIMEOUT_SEC; scan waits for it.
    A limit of 1 s in the environment stands in for the default 10 s on a larger file."""
    items = ",\n".join(f'    "10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}/32"' for i in range(100_000))
    (tmp_path / "main.tf").write_text(f"locals {{\n  allowed = [\n{items}\n  ]\n}}\n{GATEWAY}", encoding="utf-8")
    proc = run_cli("scan", str(tmp_path), "--format", "json", "--as-of", AS_OF, env={"HCL_PARSE_TIMEOUT_SEC": "1"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "could not be parsed" not in proc.stderr
    assert [r["resource"] for r in records(reports(proc.stdout))] == ["aws_customer_gateway.frankfurt"]


MODULES = """
module "present" {
  source = "./modules/present"
}

module "json_only" {
  source = "./modules/json_only"
}

module "missing" {
  source = "./modules/missing"
}

module "registry" {
  source  = "terraform-aws-modules/vpn-gateway/aws"
  version = "3.7.0"
}
"""


def test_a_module_whose_source_cannot_be_read_is_named_and_fails_the_run(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(GATEWAY + MODULES, encoding="utf-8")
    (tmp_path / "modules" / "present").mkdir(parents=True)
    (tmp_path / "modules" / "present" / "main.tf").write_text('resource "aws_vpc" "x" {\n}\n', encoding="utf-8")
    (tmp_path / "modules" / "json_only").mkdir()
    (tmp_path / "modules" / "json_only" / "main.tf.json").write_text(json.dumps({"variable": {"x": {}}}))
    proc = run_cli("scan", str(tmp_path), "--format", "json", "--as-of", AS_OF, "--soft-fail")
    assert proc.returncode == 1, proc.stderr[-2000:]  # like a file that cannot be parsed, even with --soft-fail
    lines = [line for line in proc.stderr.splitlines() if "could not be read" in line]
    assert len(lines) == 2, proc.stderr
    line = (GATEWAY + MODULES).splitlines().index('module "missing" {') + 1
    assert f'{tmp_path / "main.tf"}:{line}: module "missing" (source ./modules/missing) could not be read' in lines[0]
    assert "does not exist" in lines[0]
    assert 'module "registry" (source terraform-aws-modules/vpn-gateway/aws)' in lines[1]
    assert "not downloaded" in lines[1]
    failed = {
        (r["check_id"], r["resource"]) for r in records(reports(proc.stdout)) if r["check_result"]["result"] == "FAILED"
    }
    terraform_rules = {"CKV_CNX_101", "CKV_CNX_102", "CKV_CNX_103", "CKV_CNX_104", "CKV_CNX_201"}
    assert failed == {(rule, f"module.{name}") for rule in terraform_rules for name in ("missing", "registry")}


def test_a_baseline_does_not_accept_an_unread_module(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(GATEWAY + 'module "missing" {\n  source = "./nowhere"\n}\n', encoding="utf-8")
    baseline = tmp_path / "baseline.json"
    written = run_cli("baseline", str(tmp_path), "--output", str(baseline), "--as-of", AS_OF)
    assert written.returncode == 1 and baseline.is_file(), written.stderr[-2000:]  # named, not accepted silently
    assert 'module "missing" (source ./nowhere) could not be read' in written.stderr
    proc = run_cli("scan", str(tmp_path), "--baseline", str(baseline), "--as-of", AS_OF)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert 'module "missing" (source ./nowhere) could not be read' in proc.stderr
