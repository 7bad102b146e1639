"""Cloud specs and the engine that turns them into links: the only code that knows cloud resources.

Each cloud is a spec (``specs/<cloud>.yaml``) read by the generic builders of ``engine``; what is
genuinely one cloud's is a named hook in ``products``. Adding a resource type of an existing shape is
a spec entry plus fixtures (docs/cloud-specs.md).
"""

from __future__ import annotations

from cn_crossborder.clouds import cloudformation, devices, engine, placement
from cn_crossborder.clouds.spec import all_specs, coverage_of
from cn_crossborder.domain.coverage import Coverage
from cn_crossborder.model import NetworkModel


def add_links(model: NetworkModel) -> None:
    """Every cloud's links, then (``add_exits``) the general exits that need them."""
    placement.render_region_data_sources(model.config)
    for spec in all_specs():
        engine.add_links(model, spec)


def add_exits(model: NetworkModel) -> None:
    for spec in all_specs():
        engine.add_exits(model, spec)


def coverage_for(rule_id: str) -> tuple[Coverage, ...]:
    """What ``rule_id`` reads, per cloud: derived from the specs, the device table and CloudFormation."""
    rows = [cov for spec in all_specs() for cov in coverage_of(spec).get(rule_id, ())]
    rows += devices.COVERAGE.get(rule_id, ())
    rows += cloudformation.COVERAGE.get(rule_id, ())
    return tuple(rows)
