"""Shared judgement of links: does it cross the border, and does it terminate on an approved carrier.

The terms are the contract's: a cross-border link has one end in mainland China and the other
outside it (or unknown, unless the policy says ``unknown_location: pass``); it terminates on an
approved carrier through a native carrier attribute, a cloud's licensed cross-border product, or a
valid circuit recorded in the policy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cn_crossborder.domain.context import ScanContext
from cn_crossborder.domain.endpoints import CIRCUIT_TAG, LOCATION_TAG, Endpoint, parse_address
from cn_crossborder.model import DEDICATED, VPN, Link

# Key under which a finding's structured record rides in Checkov's ``check_result`` (and so in its
# JSON report): what reports render, so that none of them parses the details text back.
FINDING_KEY = "cn_crossborder"
# Key of a finding's record that names a module call whose source resolves to no files.
UNREAD_MODULE_KEY = "unread_module"

PASSED = "PASSED"
FAILED = "FAILED"


@dataclass
class Verdict:
    """What a check concluded about one resource, and every line a reviewer needs to act on it."""

    result: str
    reason: str
    details: list[str] = field(default_factory=list)
    # The links judged, as (local, remote) endpoint pairs: what reports draw and list, as data.
    links: list[tuple[Endpoint, Endpoint]] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Every verdict says why, a pass as much as a failure: the reason is the least it shows.
        if not self.details:
            self.details = [self.reason if self.reason.endswith(".") else f"{self.reason}."]

    @property
    def failed(self) -> bool:
        return self.result == FAILED


@dataclass(frozen=True)
class Crossing:
    crosses: bool
    reason: str


def declare_hint(link: Link, end: Endpoint) -> str:
    """The one-line way to declare an unknown end: what the endpoint says, else by what the end is."""
    if end.declare:
        return end.declare
    if end is link.remote and link.peer_gateway is not None:
        return f"declare it with the {LOCATION_TAG} tag on {link.peer_gateway.address} or a `locations` entry"
    if end is link.remote and link.kind in (VPN, DEDICATED):
        return f"declare it with the {LOCATION_TAG} tag on {link.resource.address} or a `locations` entry"
    return "set its region in the code or the policy's default_regions, or add the id to the policy's `regions`"


def crossing(link: Link, context: ScanContext) -> Crossing:
    """Whether a link crosses the border; an end that is not known cannot be shown not to cross.

    Only two proven facts put a link out of scope: both ends in mainland China, or both outside it.
    """
    a, b = link.local, link.remote
    if a.is_mainland and b.is_mainland:
        return Crossing(False, "both ends are in mainland China")
    unknown = [end for end in (a, b) if end.jurisdiction is None]
    if not unknown:
        if not (a.is_mainland or b.is_mainland):
            return Crossing(False, "neither end is in mainland China")
        other = b if a.is_mainland else a
        return Crossing(True, f"one end is in mainland China and the other in {other.jurisdiction}")
    if len(unknown) == 2:
        what = f"both ends ({a.label}, {b.label}) are unknown"
    elif (a if unknown[0] is b else b).is_mainland:
        what = f"the far end {unknown[0].label} is unknown"
    else:
        what = f"the end {unknown[0].label} is unknown, so the link cannot be shown to stay outside mainland China"
    if context.policy.unknown_location == "pass":
        return Crossing(False, f"{what} and the policy says unknown_location: pass")
    hints = "; ".join(dict.fromkeys(f"{end.label}: {declare_hint(link, end)}" for end in unknown))
    return Crossing(True, f"{what} (unknown_location: fail; {hints})")


@dataclass
class Termination:
    approved: bool
    how: str
    problems: list[str] = field(default_factory=list)


def termination(link: Link, context: ScanContext) -> Termination:
    """Whether a cross-border link terminates on an approved carrier, and by which evidence."""
    policy, as_of = context.policy, context.as_of
    problems: list[str] = []
    if link.carrier_text:
        carrier = policy.approved_carrier(str(link.carrier_text))
        attr = link.carrier_attr or "carrier"
        if carrier is not None:
            return Termination(True, f"{attr} = {link.carrier_text!r} names {carrier.name}, an approved carrier")
        problems.append(f"{attr} = {link.carrier_text!r} is not an approved carrier")
    if link.product:
        return Termination(True, f"rides {link.product}")
    if link.product_missing:
        problems.append(link.product_missing)
    address = parse_address(link.peer_address)
    if address is not None:
        for on_path in policy.circuits_containing(address):
            valid, why = on_path.validity(policy, as_of)
            if valid:
                return Termination(True, f"peer {address} is an endpoint of circuit {on_path.id} ({on_path.carrier})")
            problems.append(f"peer {address} is on circuit {on_path.id}, which is not valid: {'; '.join(why)}")
    for circuit_id, res in link.circuit_tags:
        circuit = policy.circuit(circuit_id)
        tag = f"tag {CIRCUIT_TAG} = {circuit_id!r} on {res.address}"
        if circuit is None:
            problems.append(f"{tag} names no circuit of the policy")
            continue
        valid, why = circuit.validity(policy, as_of)
        if not valid:
            problems.append(f"{tag}: circuit is not valid: {'; '.join(why)}")
            continue
        if circuit.endpoints and (address is None or not circuit.contains(address)):
            shown = address if address is not None else link.peer_address or "unknown"
            problems.append(f"{tag}: peer address {shown} is not among the circuit's endpoints")
            continue
        return Termination(True, f"{tag}: valid circuit of {circuit.carrier}")
    if not problems:
        problems.append("no approved carrier, licensed cross-border product or registered circuit is recorded for it")
    return Termination(False, "", problems)


def endpoint_lines(link: Link) -> list[str]:
    lines = [f"Endpoint: {link.local.describe()}", f"Endpoint: {link.remote.describe()}"]
    return [*lines, f"Read as: {link.assumed}"] if link.assumed else lines


def judge_links(links: list[Link], out_of_scope: str, judge: Callable[[Link], tuple[str, bool]]) -> Verdict:
    """A resource's verdict from its links: each link's endpoints and judgement; any failure fails it.

    ``judge`` returns one sentence about the link and whether it fails; rules differ only there.
    """
    if not links:
        return Verdict(PASSED, out_of_scope)
    details: list[str] = []
    failures: list[str] = []
    for link in links:
        sentence, failed = judge(link)
        details += [*endpoint_lines(link), sentence]
        if failed:
            failures.append(sentence)
    pairs = [link.ends for link in links]
    if failures:
        return Verdict(FAILED, failures[0], details, pairs)
    return Verdict(PASSED, details[-1], details, pairs)


def judge_instances(address: str, verdicts: list[tuple[str, Verdict | None]]) -> Verdict | None:
    """The verdict of a block Checkov reports once for several instances: every instance judged,
    the block fails when any instance fails, and each line names the instance it is about."""
    judged = [(instance, verdict) for instance, verdict in verdicts if verdict is not None]
    if not judged:
        return None
    names = ", ".join(instance for instance, _ in judged)
    details = [f"{address} stands for {len(judged)} instance(s), each judged: {names}."]
    for instance, verdict in judged:
        details += [f"{instance}: {line}" for line in verdict.details]
    links = [pair for _, verdict in judged for pair in verdict.links]
    failed = [(instance, verdict) for instance, verdict in judged if verdict.failed]
    if failed:
        instance, verdict = failed[0]
        reason = f"{instance}: {verdict.reason}"
        if len(failed) > 1:
            details.append(f"Failing instances: {', '.join(i for i, _ in failed)}.")
        return Verdict(FAILED, reason, details, links)
    instance, verdict = judged[-1]
    return Verdict(PASSED, f"{instance}: {verdict.reason}", details, links)


def recorded_finding(rec: Any) -> dict[str, Any]:
    """The structured finding a Checkov record carries under ``FINDING_KEY``; {} when it has none."""
    found = (getattr(rec, "check_result", None) or {}).get(FINDING_KEY)
    return found if isinstance(found, dict) else {}
