"""CKV_CNX_104: a cross-border link must not be the general exit of a mainland network."""

from __future__ import annotations

from cn_crossborder.domain.endpoints import Endpoint
from cn_crossborder.domain.resource import Resource
from cn_crossborder.model import Link, NetworkModel
from cn_crossborder.rules import Rule
from cn_crossborder.verdicts import FAILED, PASSED, Verdict, crossing, endpoint_lines


def _may_be_mainland(network: Endpoint, link: Link) -> bool:
    """An unknown network whose link has no end proven in mainland China: were the network there,
    the link would cross (with a mainland end, a mainland network's link would be domestic, and a
    network outside is not a mainland network)."""
    return network.jurisdiction is None and not any(end.is_mainland for end in link.ends)


def evaluate(model: NetworkModel, res: Resource) -> Verdict:
    exits = model.exits_by_resource.get(res.index, [])
    if not exits:
        why = f"{res.address} sends no default route or all-traffic selector over a cross-border link"
        lines = [line for link in model.links_for(res) for line in endpoint_lines(link)]
        return Verdict(PASSED, why, [*lines, why + "."])
    details: list[str] = []
    failures: list[str] = []
    pairs = [link.ends for exit_ in exits for link in exit_.links]
    for exit_ in exits:
        # The network is where the route or selector lives. When it is unknown it cannot be shown
        # to be mainland: were it mainland, a link to a mainland peer would be domestic.
        network = exit_.network
        details.append(f"Network: {network.describe()}")
        for link in exit_.links:
            cross = crossing(link, model.context)
            details += endpoint_lines(link)
            if not cross.crosses:
                details.append(f"{exit_.what}: the link {link.resource.address} is not cross-border ({cross.reason}).")
                continue
            if not network.is_mainland and not _may_be_mainland(network, link):
                where = "is not known to be" if network.jurisdiction is None else "is not"
                details.append(f"{exit_.what}: the network it applies to {where} in mainland China.")
                continue
            if not network.is_mainland:
                # Where the network is is unknown and neither end of the link is proven mainland:
                # were the network in mainland China, the link would cross with all its traffic.
                why = (
                    f"{exit_.what}: the network it applies to is not known to be outside mainland China, and "
                    f"were it a mainland network all its traffic would leave over the cross-border link "
                    f"{link.resource.address} ({cross.reason}). Circular 32 limits leased cross-border lines "
                    "to internal office use; by this check's interpretation that rules out a general exit, "
                    "whatever the carrier."
                )
                details.append(why)
                failures.append(why)
                continue
            why = (
                f"{exit_.what}: all traffic of a mainland network leaves over the cross-border link "
                f"{link.resource.address} ({cross.reason}). Circular 32 limits leased cross-border lines to "
                "internal office use; by this check's interpretation that rules out a general exit, "
                "whatever the carrier."
            )
            details.append(why)
            failures.append(why)
    if failures:
        return Verdict(FAILED, failures[0], details, pairs)
    return Verdict(PASSED, details[-1] if details else "no general exit", details, pairs)


RULE = Rule(
    id="CKV_CNX_104",
    title="Cross-border link must not carry a mainland network's default route",
    severity="HIGH",
    category="NETWORKING",
    protects=(
        "Circular 32 says that international private lines leased from basic telecom operators are for "
        "the user's internal office use only and may not connect data centres or business platforms "
        "inside and outside China to operate telecom business. Reading that restriction as ruling out a "
        "general Internet exit is this check's interpretation, not a statement of the text: a "
        "0.0.0.0/0 or ::/0 route, forced tunnelling or an all-traffic selector that sends a mainland "
        "network's traffic abroad uses the link for more than internal office traffic, whatever the "
        "carrier."
    ),
    fails_when=(
        "a default route (0.0.0.0/0 or ::/0) in a mainland network points at a cross-border link, or "
        "the mainland side of a cross-border VPN selects all traffic (forced tunnelling, a 0.0.0.0/0 "
        "traffic selector), whatever the carrier and even over a valid circuit"
    ),
    legal=("circular-32", "telecom-58", "miit-qa-2017"),
    remediation=(
        "Route only the company's internal prefixes (the remote offices' and data centres' CIDRs) over "
        "the cross-border link, keep the mainland network's default route on a domestic Internet "
        "gateway, and turn off forced tunnelling or narrow the traffic selectors to internal ranges."
    ),
    evaluate=evaluate,
)
