"""The GitHub Action (action.yml) run as GitHub runs a composite action, on a fixture tree.

Each ``run:`` step runs in order under ``bash --noprofile --norc -eo pipefail`` with its ``env:``,
after the ``${{ ... }}`` expressions it uses are substituted (github.action_path, inputs with
their defaults, steps.<id>.outputs.<name> read from the step's ``$GITHUB_OUTPUT`` file); the
``uses:`` steps are not run, but checked to be what the action promises. The install step is
skipped with CN_CROSSBORDER_SKIP_INSTALL (the package is installed in the test environment).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .harness import AS_OF, FIXTURES, ROOT, run_cli

ACTION = ROOT / "action.yml"
EXPR = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


def _action() -> dict[str, Any]:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


class Runner:
    """Just enough of the GitHub runner for this action's steps."""

    def __init__(self, tmp: Path, inputs: dict[str, str]) -> None:
        self.action = _action()
        self.workspace = tmp / "workspace"
        self.temp = tmp / "runner-temp"
        self.temp.mkdir()
        self.summary = tmp / "step-summary.md"
        self.summary.write_text("", encoding="utf-8")
        defaults = {k: str(v.get("default", "")) for k, v in self.action["inputs"].items()}
        unknown = set(inputs) - set(defaults)
        assert not unknown, f"not inputs of the action: {unknown}"
        self.inputs = {**defaults, **inputs}
        self.outputs: dict[str, dict[str, str]] = {}
        self.skipped_uses: list[dict[str, Any]] = []

    def value(self, expr: str) -> str:
        if expr == "github.action_path":
            return str(ROOT)
        if expr.startswith("inputs."):
            return self.inputs[expr.removeprefix("inputs.")]
        m = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
        if m:
            return self.outputs.get(m[1], {}).get(m[2], "")
        raise AssertionError(f"action.yml uses an expression this runner does not know: {expr}")

    def substitute(self, text: str) -> str:
        return EXPR.sub(lambda m: self.value(m[1]), str(text))

    def run(self) -> list[int]:
        codes = []
        failed = False
        for index, step in enumerate(self.action["runs"]["steps"]):
            condition = str(step.get("if", "")).strip()
            if "uses" in step:
                self.skipped_uses.append({**step, "with": {k: self.substitute(v) for k, v in step["with"].items()}})
                continue
            if failed and "always()" not in condition:
                continue
            assert step.get("shell") == "bash", step
            output = self.temp / f"output-{index}"
            output.write_text("", encoding="utf-8")
            script = self.temp / f"step-{index}.sh"
            script.write_text(self.substitute(step["run"]), encoding="utf-8")
            env = {k: v for k, v in os.environ.items() if not k.startswith(("CN_CROSSBORDER_", "INPUT_"))}
            env.update({k: self.substitute(v) for k, v in (step.get("env") or {}).items()})
            env.update(
                {
                    "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
                    "GITHUB_WORKSPACE": str(self.workspace),
                    "GITHUB_STEP_SUMMARY": str(self.summary),
                    "GITHUB_OUTPUT": str(output),
                    "GITHUB_ACTION_PATH": str(ROOT),
                    "RUNNER_TEMP": str(self.temp),
                    "CN_CROSSBORDER_SKIP_INSTALL": "1",
                }
            )
            proc = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                cwd=self.workspace,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            codes.append(proc.returncode)
            failed = failed or proc.returncode != 0
            if "id" in step:
                pairs = [line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines() if "=" in line]
                self.outputs[step["id"]] = dict(pairs)
        return codes


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "terraform" / "aws_vpn", tmp_path / "workspace" / "infra")
    return tmp_path


def test_action_is_composite_with_the_expected_steps() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    assert {"paths", "policy", "baseline", "soft-fail", "sarif", "upload-sarif"} <= set(action["inputs"])
    steps = action["runs"]["steps"]
    uses = [s["uses"] for s in steps if "uses" in s]
    assert uses[0].startswith("actions/setup-python@")
    assert uses[1].startswith("github/codeql-action/upload-sarif@")
    install = next(s for s in steps if s.get("name") == "Install cn-crossborder")
    assert 'pip install --disable-pip-version-check --quiet "${{ github.action_path }}"' in install["run"]
    assert steps[-1]["if"] == "always()" and "exit" in steps[-1]["run"]  # the gate comes last


def test_action_writes_summary_and_sarif_and_fails_the_gate(workspace: Path) -> None:
    runner = Runner(workspace, {"paths": "infra", "as-of": AS_OF})
    codes = runner.run()
    assert codes[:-1] == [0, 0] and codes[-1] == 1  # install, scan, then the gate fails
    assert runner.outputs["scan"] == {"exit-code": "1", "sarif": "cn-crossborder.sarif"}
    summary = runner.summary.read_text(encoding="utf-8")
    assert summary.startswith("## cn-crossborder: ❌ failed")
    assert "aws_vpn_connection.beijing_to_frankfurt" in summary and "```mermaid" in summary
    sarif = json.loads((runner.workspace / "cn-crossborder.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["results"]
    upload = runner.skipped_uses[1]
    assert upload["with"]["sarif_file"] == "cn-crossborder.sarif"
    assert "inputs.upload-sarif == 'true'" in upload["if"] and "always()" in upload["if"]


def test_action_soft_fail_reports_findings_and_passes_the_gate(workspace: Path) -> None:
    runner = Runner(workspace, {"paths": "infra", "as-of": AS_OF, "soft-fail": "true"})
    assert runner.run() == [0, 0, 0]
    assert runner.outputs["scan"]["exit-code"] == "0"
    assert "## cn-crossborder: ❌ failed" in runner.summary.read_text(encoding="utf-8")
    assert json.loads((runner.workspace / "cn-crossborder.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]


def test_action_with_a_baseline_passes_on_known_findings(workspace: Path) -> None:
    base = run_cli("baseline", "infra", "--as-of", AS_OF, cwd=workspace / "workspace")
    assert base.returncode == 0, base.stderr
    runner = Runner(
        workspace,
        {
            "paths": "infra",
            "as-of": AS_OF,
            "soft-fail": "true",
            "sarif": "",
            "baseline": ".cn-crossborder-baseline.json",
        },
    )
    codes = runner.run()
    assert codes == [0, 0, 0]
    assert runner.outputs["scan"] == {"exit-code": "0"}
    summary = runner.summary.read_text(encoding="utf-8")
    assert "**0 new failed**" in summary and "### Known findings (in the baseline)" in summary
    assert runner.skipped_uses[1]["with"]["sarif_file"] == ""  # the upload's condition leaves it out


def test_action_usage_error_fails_with_2_and_says_so_in_the_summary(workspace: Path) -> None:
    runner = Runner(workspace, {"paths": "infra", "baseline": "missing.json"})
    codes = runner.run()
    assert codes[-1] == 2
    assert "exit code 2" in runner.summary.read_text(encoding="utf-8")


def test_action_refuses_an_upload_sarif_that_is_neither_true_nor_false(workspace: Path) -> None:
    """``upload-sarif: yes`` would skip the upload without a word: refused like soft-fail."""
    runner = Runner(workspace, {"paths": "infra", "as-of": AS_OF, "upload-sarif": "yes"})
    codes = runner.run()
    assert codes[-1] == 2
    assert "exit code 2" in runner.summary.read_text(encoding="utf-8")
