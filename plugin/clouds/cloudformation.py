"""AWS CloudFormation: which template types each rule reads, derived from the AWS adapter.

``cn_crossborder.sources.cloudformation`` reads every template type that has a Terraform twin as
that twin, so the AWS adapter builds the links of templates too; this module only derives, from the
same table, which template types each rule covers (for the checks, ``explain`` and the docs).
"""

from __future__ import annotations

from cn_crossborder.clouds import devices
from cn_crossborder.clouds.spec import all_specs, coverage_of
from cn_crossborder.domain.coverage import Coverage
from cn_crossborder.sources.cloudformation import AWS_TYPES

CLOUD = "aws (CloudFormation)"
STACK_REGION_HOW = "--region, else the Default of the Region parameter"


def _reads(tf_type: str, cfn_type: str, where: str) -> str:
    names = AWS_TYPES[cfn_type][1]
    props = ", ".join(f"{prop} as {arg}" for prop, arg in names.items()) or "no properties"
    return f"read as {tf_type} ({props}); {where}"


def _coverage() -> dict[str, tuple[Coverage, ...]]:
    """The AWS adapter's coverage (spec entries and devices), for every template type read as a twin."""
    twins: dict[str, list[str]] = {}
    for cfn_type, (tf_type, _) in AWS_TYPES.items():
        twins.setdefault(tf_type, []).append(cfn_type)
    aws = next(spec for spec in all_specs() if spec.cloud == "aws")
    region = f"region: {STACK_REGION_HOW}"
    per_rule = {rule_id: [(cov, region) for cov in rows] for rule_id, rows in coverage_of(aws).items()}
    for rule_id, rows in devices.COVERAGE.items():  # a device stands where its address is, not in a region
        per_rule.setdefault(rule_id, []).extend((cov, cov.reads) for cov in rows if cov.cloud == "aws")
    out: dict[str, tuple[Coverage, ...]] = {}
    for rule_id, entries in per_rule.items():
        derived = [
            Coverage(CLOUD, cfn_type, _reads(cov.resource_type, cfn_type, where), cov.reported)
            for cov, where in entries
            for cfn_type in twins.get(cov.resource_type, ())
        ]
        if derived:
            out[rule_id] = tuple(derived)
    return out


COVERAGE = _coverage()

# The resource types each check reports on in CloudFormation templates.
CFN_RESOURCE_TYPES: dict[str, tuple[str, ...]] = {
    rule_id: tuple(c.resource_type for c in coverage if c.reported) for rule_id, coverage in COVERAGE.items()
}
