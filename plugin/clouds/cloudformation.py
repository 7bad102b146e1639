"""AWS CloudFormation: which template types each rule reads, derived from the AWS adapter.

``cn_crossborder.sources.cloudformation`` reads every template type that has a Terraform twin as
that twin, so the AWS adapter builds the links of templates too; this module only derives, from the
same table, which template types each rule covers (for the checks, ``explain`` and the docs).
"""

from __future__ import annotations

from cn_crossborder.clouds.spec import all_specs, coverage_of
from cn_crossborder.domain.coverage import Coverage
from cn_crossborder.sources.cloudformation import AWS_TYPES

CLOUD = "aws (CloudFormation)"
STACK_REGION_HOW = "--region, else the Default of the Region parameter"


def _coverage() -> dict[str, tuple[Coverage, ...]]:
    """The AWS adapter's coverage, for every template type read as a Terraform twin."""
    twins: dict[str, list[str]] = {}
    for cfn_type, (tf_type, _) in AWS_TYPES.items():
        twins.setdefault(tf_type, []).append(cfn_type)
    out: dict[str, tuple[Coverage, ...]] = {}
    aws = next(spec for spec in all_specs() if spec.cloud == "aws")
    for rule_id, entries in coverage_of(aws).items():
        derived = []
        for cov in entries:
            for cfn_type in twins.get(cov.resource_type, ()):
                names = AWS_TYPES[cfn_type][1]
                props = ", ".join(f"{prop} as {arg}" for prop, arg in names.items()) or "no properties"
                reads = f"read as {cov.resource_type} ({props}); region: {STACK_REGION_HOW}"
                derived.append(Coverage(CLOUD, cfn_type, reads, cov.reported))
        if derived:
            out[rule_id] = tuple(derived)
    return out


COVERAGE = _coverage()

# The resource types each check reports on in CloudFormation templates.
CFN_RESOURCE_TYPES: dict[str, tuple[str, ...]] = {
    rule_id: tuple(c.resource_type for c in coverage if c.reported) for rule_id, coverage in COVERAGE.items()
}
