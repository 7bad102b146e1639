"""Checkov checks built from the rules: one call per rule id, from its generated check module.

``register`` first installs the adaptations of Checkov internals (``internals.install``, idempotent),
then constructs the check of every framework the rule covers; constructing a Checkov check is what
registers it with that framework's registry.
"""

from __future__ import annotations

from typing import Any

from cn_crossborder.checkov import internals
from cn_crossborder.checkov.checks import CloudFormationRuleCheck, TerraformModuleCheck, TerraformRuleCheck
from cn_crossborder.checkov.inventory import SECTIONS, inventory_checks, name_and_explain, parse_inventory
from cn_crossborder.clouds.cloudformation import CFN_RESOURCE_TYPES
from cn_crossborder.rules import get_rule


def register(rule_id: str) -> list[Any]:
    """The Checkov checks of ``rule_id`` for Terraform, CloudFormation and inventories."""
    internals.install(name_and_explain, parse_inventory)
    rule = get_rule(rule_id)
    checks: list[Any] = []
    if rule.resource_types:
        checks.append(TerraformRuleCheck(rule.id))
        checks.append(TerraformModuleCheck(rule.id))  # module calls whose source cannot be read
    if CFN_RESOURCE_TYPES.get(rule.id):
        checks.append(CloudFormationRuleCheck(rule.id))
    if rule.id in SECTIONS:
        checks.extend(inventory_checks(rule.id))
    return checks
