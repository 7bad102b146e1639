"""Shared judgement of links: does it cross the border, and does it terminate on an approved carrier.

The terms are the contract's: a cross-border link has one end in mainland China and the other
outside it (or unknown, unless the policy says ``unknown_location: pass``); it terminates on an
approved carrier through a native carrier attribute, a cloud's licensed cross-border product, or a
valid circuit recorded in the policy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cn_crossborder.domain.context import ScanContext
from cn_crossborder.domain.endpoints import CIRCUIT_TAG, Endpoint, parse_address
from cn_crossborder.model import Link

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

    @property
    def failed(self) -> bool:
        return self.result == FAILED


@dataclass(frozen=True)
class Crossing:
    crosses: bool
    reason: str


def crossing(link: Link, context: ScanContext) -> Crossing:
    a, b = link.local, link.remote
    if a.is_mainland and b.is_mainland:
        return Crossing(False, "both ends are in mainland China")
    if not (a.is_mainland or b.is_mainland):
        if a.jurisdiction is None or b.jurisdiction is None:
            return Crossing(False, "no end is known to be in mainland China")
        return Crossing(False, "neither end is in mainland China")
    other = b if a.is_mainland else a
    if other.jurisdiction is None:
        if context.policy.unknown_location == "pass":
            return Crossing(False, f"the far end {other.label} is unknown and the policy says unknown_location: pass")
        return Crossing(True, f"the far end {other.label} is unknown (unknown_location: fail)")
    return Crossing(True, f"one end is in mainland China and the other in {other.jurisdiction}")


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
    return [f"Endpoint: {link.local.describe()}", f"Endpoint: {link.remote.describe()}"]


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
