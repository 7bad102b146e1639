"""CKV_CNX_104: a cross-border link must not be the general exit of a mainland network."""

from __future__ import annotations

from cn_crossborder.domain.resource import Resource
from cn_crossborder.model import NetworkModel
from cn_crossborder.rules import Rule
from cn_crossborder.verdicts import FAILED, PASSED, Verdict, crossing, endpoint_lines


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
            if not network.is_mainland:
                where = "is not known to be" if network.jurisdiction is None else "is not"
                details.append(f"{exit_.what}: the network it applies to {where} in mainland China.")
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
