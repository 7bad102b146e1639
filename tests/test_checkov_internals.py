"""The adaptations of Checkov internals: present on the pinned Checkov, loud when it changes, explicit.

Each adaptation in ``cn_crossborder.checkov.internals`` relies on something Checkov does not promise.
These tests fail with a message naming what moved when an upgrade breaks one of them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from checkov.cloudformation import runner as cfn_runner
from checkov.common.runners import object_runner
from checkov.terraform import runner as tf_runner
from checkov.terraform_json import runner as tf_json_runner
from checkov.yaml_doc.runner import Runner as YamlRunner
from cn_crossborder.checkov import internals
from cn_crossborder.checkov.inventory import name_and_explain, parse_inventory


def test_the_pinned_checkov_offers_what_every_adaptation_relies_on() -> None:
    internals.verify()


def test_a_missing_record_constructor_is_reported_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(object_runner, "Record")
    with pytest.raises(internals.CheckovChanged, match=r"object_runner no longer builds records through"):
        internals.verify()


def test_a_missing_yaml_parse_hook_point_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(YamlRunner, "_parse_file")
    with pytest.raises(internals.CheckovChanged, match="no longer defines `_parse_file`"):
        internals.verify()


def test_install_is_idempotent() -> None:
    internals.install(name_and_explain, parse_inventory)
    records = (cfn_runner, object_runner, tf_json_runner, tf_runner)
    wrapped = (*(m.Record for m in records), YamlRunner.__dict__["_parse_file"])
    internals.install(name_and_explain, parse_inventory)
    assert (*(m.Record for m in records), YamlRunner.__dict__["_parse_file"]) == wrapped


def test_constructing_a_check_installs_nothing() -> None:
    """Adaptations are installed by the generated check modules' ``register``, never by a constructor."""
    code = (
        "from checkov.common.runners import object_runner\n"
        "from checkov.cloudformation import runner as cfn_runner\n"
        "before = (object_runner.Record, cfn_runner.Record)\n"
        "from cn_crossborder.checkov.checks import CloudFormationRuleCheck, TerraformRuleCheck\n"
        "TerraformRuleCheck('CKV_CNX_101'); CloudFormationRuleCheck('CKV_CNX_101')\n"
        "assert (object_runner.Record, cfn_runner.Record) == before, 'a constructor patched Checkov'\n"
        "from cn_crossborder.checkov.register import register\n"
        "register('CKV_CNX_101')\n"
        "assert object_runner.Record is not before[0], 'register did not install the adaptations'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_the_template_path_is_read_from_the_runner_frame(tmp_path: Path) -> None:
    template = tmp_path / "stack.yaml"
    template.write_text("Resources: {}\n", encoding="utf-8")

    def runner_frame(cf_file: str, file_abs_path: str) -> str | None:  # the names Checkov's runner uses
        return internals.template_path(cf_file)

    assert runner_frame("/stack.yaml", str(template)) == str(template)
    assert internals.template_path("/nowhere/stack.yaml") is None


def test_a_changed_run_block_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def run_block(self: object, entities: list, path: str) -> None:  # the locals read are gone
        return None

    monkeypatch.setattr(tf_json_runner.TerraformJsonRunner, "run_block", run_block)
    with pytest.raises(internals.CheckovChanged, match=r"TerraformJsonRunner.run_block no longer has the parameters"):
        internals.verify()


def test_the_scanned_terraform_file_is_read_from_the_runner_frame(tmp_path: Path) -> None:
    class Filter:
        var_files = ("x.tfvars",)
        excluded_paths = None

    def run_block(full_file_path: str, root_folder: str | None, scanned_file: str, runner_filter: Filter) -> object:
        return internals.scanned_terraform(scanned_file)  # the names Checkov's runners use

    file = tmp_path / "main.tf.json"
    found = run_block(str(file), str(tmp_path), "/main.tf.json", Filter())
    assert found == internals.ScannedTerraform(str(file), str(tmp_path), ("x.tfvars",), ())
    alone = run_block(str(file), None, "/main.tf.json", Filter())  # checkov -f: the file's directory
    assert alone is not None and alone.root == str(tmp_path)
    assert internals.scanned_terraform("/elsewhere.tf.json") is None


def test_the_tree_graph_reads_terraform_json_with_hcl_tfvars_and_modules(tmp_path: Path) -> None:
    (tmp_path / "providers.tf").write_text('provider "aws" {\n  region = var.region\n}\n', encoding="utf-8")
    (tmp_path / "terraform.tfvars").write_text('region = "cn-north-1"\n', encoding="utf-8")
    (tmp_path / "main.tf.json").write_text(
        '{"variable": {"region": {}}, "resource": {"aws_vpc": {"a": {"cidr_block": "10.0.0.0/16"}}},\n'
        ' "module": {"m": {"source": "./m"}}}\n',
        encoding="utf-8",
    )
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "main.tf.json").write_text('{"resource": {"aws_vpc": {"b": {}}}}', encoding="utf-8")
    graph, errors = internals.terraform_tree_graph(str(tmp_path))
    assert errors == {}
    vertices = {attrs.get("__address__"): attrs for _, attrs in graph.nodes()}
    assert vertices["aws_vpc.a"]["__start_line__"] == 1
    assert vertices["aws_vpc.a"]["file_path_"] == str(tmp_path / "main.tf.json")
    assert "module.m.aws_vpc.b" in vertices
    assert vertices["aws.default"]["region"] in ("cn-north-1", ["cn-north-1"])


def test_a_check_that_cannot_be_constructed_stops_the_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    """Checkov only logs a check that fails to construct; the scan must refuse to pass instead."""
    from cn_crossborder.checkov import checks, runner

    def broken(self: object, rule_id: str) -> None:
        raise TypeError("cannot construct")

    monkeypatch.setattr(checks.TerraformRuleCheck, "__init__", broken)
    with pytest.raises(runner.ChecksUnavailable, match="cannot construct"):
        runner.require_checks()


def test_a_changed_runner_registry_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    from checkov.common.runners.runner_registry import RunnerRegistry

    def run(self: object, root: str | None = None) -> list:  # the parameters CheckovScan passes are gone
        return []

    monkeypatch.setattr(RunnerRegistry, "run", run)
    with pytest.raises(internals.CheckovChanged, match=r"RunnerRegistry.run no longer takes .*external_checks_dir"):
        internals.verify()


def test_a_scan_loads_only_the_runners_its_inputs_need(tmp_path: Path) -> None:
    """``checkov.main`` would import and construct every framework's runner; a scan of a Terraform
    module must load the Terraform runner and neither it nor another framework's."""
    (tmp_path / "main.tf").write_text('resource "aws_customer_gateway" "cgw" {\n  ip_address = "85.214.0.1"\n}\n')
    probe = (
        "import sys\n"
        "from cn_crossborder.cli import main\n"
        f"code = main(['scan', {str(tmp_path)!r}, '--format', 'json'])\n"
        "loaded = [m for m in ('checkov.main', 'checkov.kubernetes.runner', 'checkov.helm.runner',"
        " 'checkov.secrets.runner', 'checkov.terraform.runner') if m in sys.modules]\n"
        "print('LOADED', code, ' '.join(loaded), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    line = next(ln for ln in proc.stderr.splitlines() if ln.startswith("LOADED"))
    assert line.split()[1:] == ["0", "checkov.terraform.runner"], proc.stderr[-2000:]


def test_a_changed_report_merge_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def merge(base: object, other: object) -> None:  # the parameters merge_reports passes are gone
        return None

    monkeypatch.setattr(internals, "merge_into", merge)
    monkeypatch.delattr(internals.Record, "get_unique_string")
    with pytest.raises(internals.CheckovChanged, match="merge_reports no longer takes") as raised:
        internals.verify()
    assert "get_unique_string" in str(raised.value)
