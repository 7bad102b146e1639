"""Which Checkov frameworks a scan runs: only those its inputs need, none of ours missed."""

from __future__ import annotations

from pathlib import Path

from cn_crossborder.checkov.runner import frameworks_for
from cn_crossborder.sources.kinds import input_kind, input_kinds

from .harness import FIXTURES


def test_each_fixture_tree_needs_exactly_its_frameworks() -> None:
    assert frameworks_for([FIXTURES / "terraform" / "aws_vpn"]) == ["terraform"]
    assert frameworks_for([FIXTURES / "plan" / "aws_vpn"]) == ["terraform", "terraform_plan"]
    assert frameworks_for([FIXTURES / "cloudformation" / "aws_cn_vpn"]) == ["cloudformation"]
    assert frameworks_for([FIXTURES / "inventory" / "links"]) == ["yaml"]


def test_an_empty_tree_still_runs_terraform(tmp_path: Path) -> None:
    (tmp_path / "values.yaml").write_text("replicas: 3\n", encoding="utf-8")
    assert frameworks_for([tmp_path]) == ["terraform"]


def test_inputs_in_hidden_directories_are_found(tmp_path: Path) -> None:
    hidden = tmp_path / ".infra"
    hidden.mkdir()
    (hidden / "net.yaml").write_text("kind: cn-crossborder/network-inventory\n", encoding="utf-8")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "stack.yaml").write_text("AWSTemplateFormatVersion: x\n", encoding="utf-8")
    assert input_kinds([tmp_path]) == {"inventory"}


def test_kinds_by_name_and_content(tmp_path: Path) -> None:
    plan = tmp_path / "tfplan.json"
    plan.write_text('{"terraform_version": "1.9.0", "planned_values": {}}', encoding="utf-8")
    other = tmp_path / "package.json"
    other.write_text('{"name": "x"}', encoding="utf-8")
    template = tmp_path / "stack.template"
    template.write_text('{"AWSTemplateFormatVersion": "2010-09-09"}', encoding="utf-8")
    assert [input_kind(p) for p in (plan, other, template)] == ["terraform_plan", None, "cloudformation"]
    assert input_kind("main.tf") == "terraform" and input_kind("main.tf.json") == "terraform_json"
