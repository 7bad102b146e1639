"""Small readers several adapters share: nested CIDR lists, nested references, carrier attributes.

Nested blocks hold CIDR lists and references that the graph does not link, and carrier attributes
are free text or cloud enums; reading them one way keeps the findings of every cloud alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cn_crossborder.clouds.common import circuit_tags, cross_border_pairs, declared_far_end, is_default_route
from cn_crossborder.clouds.placement import cloud_endpoint
from cn_crossborder.domain.endpoints import Endpoint
from cn_crossborder.domain.resource import Resource, first, is_resolved
from cn_crossborder.model import DEDICATED, Link, NetworkModel


def flat(value: Any) -> list[Any]:
    """Every scalar of a value that may be a scalar, a list or lists of lists."""
    out: list[Any] = []
    stack = [value]
    while stack:
        item = stack.pop(0)
        if isinstance(item, (list, tuple)):
            stack[:0] = list(item)
        elif item is not None:
            out.append(item)
    return out


def has_default(value: Any) -> bool:
    """True when a CIDR or a (nested) list of CIDRs selects everything (0.0.0.0/0 or ::/0)."""
    return any(is_default_route(v) for v in flat(value))


def set_carrier(link: Link, res: Resource, attr: str) -> None:
    """Record a native carrier attribute (free text or a cloud enum) on the link."""
    value = first(res.attrs.get(attr))
    if is_resolved(value):
        link.carrier_text, link.carrier_attr = str(value), attr


def member_pairs(members: list[tuple[Resource, Endpoint]]) -> Iterator[tuple[Resource, Endpoint, Endpoint]]:
    """Cross-border pairs of one network's members, one per member and mainland region.

    As ``cross_border_pairs``: the finding lands on the member outside the mainland (or unknown),
    and several mainland members in the same region make one pair, not many.
    """
    seen: set[tuple[int, str]] = set()
    for res, mainland, own in cross_border_pairs(members):
        if (res.index, mainland.label) not in seen:
            seen.add((res.index, mainland.label))
            yield res, mainland, own


def dedicated_line(model: NetworkModel, line: Resource, far_label: Any, carrier_attr: str) -> Link:
    """Add a dedicated line that serves its own region and names its carrier in ``carrier_attr``.

    The far end is where the line's location tag (or a circuit) puts it; ``far_label`` is what the
    configuration calls it (a location or access point), shown in the finding.
    """
    far, proof = declared_far_end(far_label, line)
    link = Link(
        DEDICATED,
        line,
        cloud_endpoint(model.config, line),
        far,
        circuit_tags=circuit_tags(line),
        far_end_proven_cn=proof,
    )
    set_carrier(link, line, carrier_attr)
    model.add_link(link)
    return link
