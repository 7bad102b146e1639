"""The pre-commit hooks, run by the real ``pre-commit try-repo`` in a throwaway git repository.

try-repo builds the hook from a commit, so the current working tree is copied to a temporary
repository and committed there; pre-commit then installs this package (and Checkov, from PyPI) into
a fresh environment, as a user's machine would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cn_crossborder.precommit import local_module_calls, scan_roots

from .harness import FAILING_VPN_TF, GATEWAYS_TF, PASSING_VPN_TF, PROVIDERS_TF, ROOT

PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
IGNORE = shutil.ignore_patterns(
    ".git", "__pycache__", "*.egg-info", ".pytest_cache", ".ruff_cache", "build", "dist", ".venv"
)
FIXED_GIT_ENV = {
    "GIT_AUTHOR_NAME": "cn-crossborder tests",
    "GIT_AUTHOR_EMAIL": "tests@cn-crossborder.invalid",
    "GIT_COMMITTER_NAME": "cn-crossborder tests",
    "GIT_COMMITTER_EMAIL": "tests@cn-crossborder.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00+00:00",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00+00:00",
}


# ------------------------------------------------------------------ changed files -> directories


def test_scan_roots_reduce_files_to_unique_top_directories(tmp_path: Path) -> None:
    (tmp_path / "net" / "china" / "sub").mkdir(parents=True)
    (tmp_path / "other").mkdir()
    files = [
        tmp_path / "net" / "a.tf",
        tmp_path / "net" / "b.tf.json",
        tmp_path / "net" / "china" / "c.tf",  # below net/: covered by it
        tmp_path / "net" / "china" / "sub" / "prod.tfvars",
        tmp_path / "other" / ".cn-crossborder.yaml",  # a policy change rescans its directory
    ]
    for f in files:
        f.write_text("", encoding="utf-8")
    roots = scan_roots(files)
    assert [p.resolve() for p in roots] == [(tmp_path / "net").resolve(), (tmp_path / "other").resolve()]


def test_scan_roots_skip_yaml_that_is_not_an_inventory(tmp_path: Path) -> None:
    (tmp_path / "k8s").mkdir()
    (tmp_path / "inv").mkdir()
    manifest = tmp_path / "k8s" / "deploy.yaml"
    manifest.write_text("kind: Deployment\n", encoding="utf-8")
    inventory = tmp_path / "inv" / "network.yml"
    inventory.write_text("kind: cn-crossborder/network-inventory\n", encoding="utf-8")
    assert [p.resolve() for p in scan_roots([manifest, inventory])] == [(tmp_path / "inv").resolve()]
    assert scan_roots([manifest, tmp_path / "README.md"]) == []


def test_a_called_module_is_replaced_by_its_root_callers_transitively(tmp_path: Path) -> None:
    for d in ("modules/vpn", "modules/wrapper", "envs/prod", "envs/stage", "standalone"):
        (tmp_path / d).mkdir(parents=True)
    (tmp_path / "modules" / "vpn" / "main.tf").write_text('resource "aws_vpn_connection" "x" {}\n', encoding="utf-8")
    (tmp_path / "modules" / "wrapper" / "main.tf").write_text(
        'module "vpn" {\n  source = "../vpn"\n}\n', encoding="utf-8"
    )
    (tmp_path / "envs" / "prod" / "main.tf").write_text(
        'module "vpn" {\n  providers = {\n    aws = aws.china\n  }\n  source = "../../modules/vpn/"\n}\n',
        encoding="utf-8",
    )
    (tmp_path / "envs" / "stage" / "main.tf").write_text(
        'module "net" {\n  source = "../../modules/wrapper"\n}\n', encoding="utf-8"
    )
    (tmp_path / "standalone" / "main.tf").write_text("", encoding="utf-8")
    changed = [tmp_path / "modules" / "vpn" / "main.tf", tmp_path / "standalone" / "main.tf"]
    roots = {p.resolve() for p in scan_roots(changed, repo=tmp_path)}
    assert roots == {(tmp_path / d).resolve() for d in ("envs/prod", "envs/stage", "standalone")}


def test_a_module_called_from_terraform_json_is_replaced_by_that_caller(tmp_path: Path) -> None:
    for d in ("modules/vpn", "envs/prod"):
        (tmp_path / d).mkdir(parents=True)
    (tmp_path / "modules" / "vpn" / "main.tf").write_text('resource "aws_vpn_connection" "x" {}\n', encoding="utf-8")
    (tmp_path / "envs" / "prod" / "main.tf.json").write_text(
        '{"module": {"vpn": {"source": "../../modules/vpn"}, "reg": [{"source": "hashicorp/x/aws"}]}}',
        encoding="utf-8",
    )
    roots = {p.resolve() for p in scan_roots([tmp_path / "modules" / "vpn" / "main.tf"], repo=tmp_path)}
    assert roots == {(tmp_path / "envs" / "prod").resolve()}


def test_local_module_calls_read_only_local_sources_of_module_blocks() -> None:
    text = """
module "a" {
  source = "./a"
  tags = { source = "../not-this" }
}
module "registry" {
  source  = "terraform-aws-modules/vpc/aws"
}
resource "x" "y" {
  source = "../not-a-module"
}
module "b" { source = "../b" }
"""
    assert local_module_calls(text) == ["./a", "../b"]


def test_scan_with_changed_files_and_nothing_relevant_exits_0(tmp_path: Path) -> None:
    from .harness import run_cli

    readme = tmp_path / "README.md"
    readme.write_text("# x\n", encoding="utf-8")
    proc = run_cli("scan", "--changed-files", str(readme))
    assert proc.returncode == 0, proc.stderr
    assert "nothing to scan (no input of cn-crossborder and no policy file among the changes)" in proc.stderr


# ---------------------------------------------------------------------------- real pre-commit


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, **FIXED_GIT_ENV}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed copy of the working tree (try-repo needs a commit; the last one may lag behind)."""
    if not PRE_COMMIT.exists() and shutil.which("pre-commit") is None:
        pytest.skip("pre-commit is not installed (it is in the test extra)")
    src = tmp_path_factory.mktemp("hook") / "src"
    shutil.copytree(ROOT, src, ignore=IGNORE)
    _git(src, "init", "-q", "-b", "main")
    _git(src, "add", "-A")
    _git(src, "commit", "-q", "-m", "snapshot for pre-commit try-repo")
    return src


def _project(tmp_path: Path, vpn_tf: str) -> Path:
    project = tmp_path / "project"
    infra = project / "infra" / "china"
    infra.mkdir(parents=True)
    (infra / "providers.tf").write_text(PROVIDERS_TF, encoding="utf-8")
    (infra / "gateways.tf").write_text(GATEWAYS_TF, encoding="utf-8")
    (infra / "vpn.tf").write_text(vpn_tf, encoding="utf-8")
    (project / "README.md").write_text("# infra\n", encoding="utf-8")
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "-A")
    return project


def _try_repo(hook_repo: Path, project: Path, *files: str) -> subprocess.CompletedProcess:
    exe = str(PRE_COMMIT) if PRE_COMMIT.exists() else "pre-commit"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CN_CROSSBORDER_")}
    env["PRE_COMMIT_HOME"] = str(hook_repo.parent / "pre-commit-home")
    env["PRE_COMMIT_COLOR"] = "never"
    return subprocess.run(
        [exe, "try-repo", str(hook_repo), "cn-crossborder", "--verbose", "--files", *files],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )


@pytest.mark.slow
def test_hook_fails_a_cross_border_vpn_whose_provider_is_in_a_sibling_file(hook_repo: Path, tmp_path: Path) -> None:
    project = _project(tmp_path, FAILING_VPN_TF)
    # Only vpn.tf changed: the region of aws.china is in providers.tf next to it.
    proc = _try_repo(hook_repo, project, "infra/china/vpn.tf", "README.md")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out[-5000:]
    assert "Failed" in out
    assert "CKV_CNX_101" in out
    assert "aws_vpn_connection.beijing_to_frankfurt" in out
    assert "cn-north-1" in out  # resolved through the sibling file's provider


@pytest.mark.slow
def test_hook_passes_a_domestic_vpn(hook_repo: Path, tmp_path: Path) -> None:
    project = _project(tmp_path, PASSING_VPN_TF)
    proc = _try_repo(hook_repo, project, "infra/china/vpn.tf")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-5000:]
    assert "Passed" in out
    assert "CKV_CNX_101" in out  # --verbose shows the scan: the check ran and passed
    assert "aws_vpn_connection.beijing_to_shanghai" in out


MODULE_VPN_TF = """\
resource "aws_customer_gateway" "frankfurt" {
  bgp_asn    = 65010
  ip_address = "85.214.10.1"
  type       = "ipsec.1"
}

resource "aws_vpn_gateway" "main" {
  vpc_id = "vpc-0main"
}

resource "aws_vpn_connection" "to_frankfurt" {
  customer_gateway_id = aws_customer_gateway.frankfurt.id
  vpn_gateway_id      = aws_vpn_gateway.main.id
  type                = "ipsec.1"
}
"""

CHINA_ROOT_TF = """\
provider "aws" {
  region = "cn-north-1"
}

module "vpn" {
  source = "../../modules/vpn"
}
"""


@pytest.mark.slow
def test_hook_scans_the_root_that_calls_a_changed_module(hook_repo: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "modules" / "vpn").mkdir(parents=True)
    (project / "envs" / "china").mkdir(parents=True)
    (project / "modules" / "vpn" / "main.tf").write_text(MODULE_VPN_TF, encoding="utf-8")
    (project / "envs" / "china" / "main.tf").write_text(CHINA_ROOT_TF, encoding="utf-8")
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "-A")
    # Only the module changed: its region comes from the caller's provider (cn-north-1).
    proc = _try_repo(hook_repo, project, "modules/vpn/main.tf")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out[-5000:]
    assert "CKV_CNX_101" in out and "aws_vpn_connection.to_frankfurt" in out
    assert "cn-north-1" in out


def test_scan_roots_keep_a_changed_cloudformation_template_or_plan(tmp_path: Path) -> None:
    """Any input the scan reads makes its directory worth a scan, not only Terraform and inventories."""
    (tmp_path / "cfn").mkdir()
    (tmp_path / "plan").mkdir()
    template = tmp_path / "cfn" / "vpn.yaml"
    template.write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n", encoding="utf-8")
    plan = tmp_path / "plan" / "tfplan.json"
    plan.write_text('{"terraform_version": "1.9.0", "planned_values": {}}\n', encoding="utf-8")
    roots = scan_roots([template, plan])
    assert sorted(p.resolve() for p in roots) == [(tmp_path / "cfn").resolve(), (tmp_path / "plan").resolve()]
