"""Cloud adapters: each turns its provider's resources into links and general exits of the model.

Adding a cloud means adding a module here and listing it in ``ADAPTERS``; checks never change.
"""

from __future__ import annotations

from cn_crossborder.clouds import (
    alicloud,
    aws,
    azure,
    baiducloud,
    cloudformation,
    devices,
    huaweicloud,
    tencentcloud,
    volcengine,
)
from cn_crossborder.domain.coverage import Coverage

ADAPTERS = (aws, azure, alicloud, tencentcloud, huaweicloud, volcengine, baiducloud, devices)


def coverage_for(rule_id: str) -> tuple[Coverage, ...]:
    """What every adapter reads for ``rule_id`` (each module's ``COVERAGE`` mapping)."""
    return tuple(
        cov for adapter in (*ADAPTERS, cloudformation) for cov in getattr(adapter, "COVERAGE", {}).get(rule_id, ())
    )
