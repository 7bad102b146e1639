"""Rule metadata and evaluation, one module per check.

A rule is the unit users meet everywhere: its metadata drives the Checkov check, ``explain``, the
generated docs page and SARIF rule entries; its ``evaluate`` asks the network model one question.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from cn_crossborder.clouds import coverage_for
from cn_crossborder.domain.coverage import Coverage
from cn_crossborder.domain.legal import Citation, cite
from cn_crossborder.domain.resource import Resource
from cn_crossborder.model import NetworkModel
from cn_crossborder.verdicts import Verdict, judge_instances

RULE_MODULES = ("cnx_101", "cnx_102", "cnx_103", "cnx_104", "cnx_201", "cnx_202")


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: str
    category: str
    protects: str
    fails_when: str
    legal: tuple[str, ...]
    remediation: str
    # None: the rule does not report on this resource (an inventory device outside its category).
    evaluate: Callable[[NetworkModel, Resource], Verdict | None] = field(compare=False, repr=False)
    explain_extra: str | None = None  # more text for `cn-crossborder explain`

    @property
    def coverage(self) -> tuple[Coverage, ...]:
        """Resource types per cloud, declared by the cloud adapters next to the code that reads them."""
        return coverage_for(self.id)

    @property
    def resource_types(self) -> list[str]:
        """Terraform types the rule reports on (CloudFormation types, ``AWS::...``, have their own check)."""
        return sorted({c.resource_type for c in self.coverage if c.reported and "::" not in c.resource_type})

    @property
    def citations(self) -> list[Citation]:
        return cite(*self.legal)

    def judge(self, model: NetworkModel, res: Resource) -> Verdict | None:
        """``evaluate`` on ``res``, or on every instance a block reported once stands for."""
        if not res.instances:
            return self.evaluate(model, res)
        return judge_instances(res.address, [(i.address, self.judge(model, i)) for i in res.instances])

    def legal_line(self) -> str:
        return "Legal basis: " + "; ".join(c.title for c in self.citations if c.verified)


@cache
def all_rules() -> dict[str, Rule]:
    rules = {}
    for name in RULE_MODULES:
        rule = importlib.import_module(f"cn_crossborder.rules.{name}").RULE
        rules[rule.id] = rule
    return rules


def get_rule(rule_id: str) -> Rule:
    return all_rules()[rule_id.upper()]
