"""The docs generated from code are current, and what they show is what the code does."""

from __future__ import annotations

import subprocess
import sys

import yaml

from .harness import ROOT

GENERATE = ROOT / "docs" / "generate.py"


def test_generated_docs_are_not_stale() -> None:
    proc = subprocess.run(
        [sys.executable, str(GENERATE), "--check"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr + "\nrun `python docs/generate.py` and commit the result"


def test_every_rule_has_a_page_with_its_legal_basis_and_fix() -> None:
    from cn_crossborder.rules import all_rules

    index = (ROOT / "docs" / "checks" / "README.md").read_text(encoding="utf-8")
    for rule in all_rules().values():
        page = (ROOT / "docs" / "checks" / f"{rule.id}.md").read_text(encoding="utf-8")
        assert f"[{rule.id}]({rule.id}.md)" in index
        assert rule.remediation in page
        for citation in rule.citations:
            assert citation.title in page
            assert citation.source in page
            if not citation.verified:
                assert f"**{citation.title}** — **UNVERIFIED**" in page
        for cov in rule.coverage:
            assert f"`{cov.resource_type}`" in page


def test_policy_reference_lists_every_key_and_its_example_is_valid(tmp_path) -> None:
    from cn_crossborder.domain.policy import load_policy

    page = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")
    schema = yaml.safe_load((ROOT / "plugin" / "schemas" / "policy.schema.json").read_text(encoding="utf-8"))
    for key in schema["properties"]:
        assert f"| `{key}` |" in page
    example = page.split("```yaml\n", 1)[1].split("```", 1)[0]
    policy = tmp_path / ".cn-crossborder.yaml"
    policy.write_text(example, encoding="utf-8")
    load_policy(policy)  # raises on any problem
