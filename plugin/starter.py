"""``cn-crossborder init``: a starter ``.cn-crossborder.yaml`` filled from what a scan found unknown.

A team's first policy is mostly declarations of what the code cannot say: where peer addresses
are (private addresses, addresses without registration data) and which devices the customer
gateways are. The scan already names each of them (an endpoint of jurisdiction "unknown", a gateway
that "names no device the catalogue recognises"), so the starter lists them as entries to complete.

The file must load as it is written (``load_policy``), and a placeholder must never pass a check:
a made-up country would declare an address outside mainland China and silence a finding. So every
entry to complete is written *commented out*, with the TODO markers as YAML comments, and the
active keys are empty lists; a placeholder left in an uncommented entry (``country: XX``,
``vendor: TODO`` with ``made_in: XX``) is then rejected by the loader, never read as a fact.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cn_crossborder.baseline import relative_file
from cn_crossborder.domain.policy import POLICY_FILENAME
from cn_crossborder.verdicts import recorded_finding

UNKNOWN = "unknown"
# How CKV_CNX_201 says that a customer gateway names no device it can identify (its reason).
UNIDENTIFIED_DEVICE = "names no device the catalogue recognises"


@dataclass
class _Seen:
    """An unknown thing and where the scan met it."""

    how: str
    where: list[str] = field(default_factory=list)

    def add(self, where: str) -> None:
        if where not in self.where:
            self.where.append(where)

    def places(self, limit: int = 3) -> str:
        more = len(self.where) - limit
        return ", ".join(self.where[:limit]) + (f" and {more} more" if more > 0 else "")


@dataclass
class Unknowns:
    """What a scan could not resolve, by kind."""

    addresses: dict[str, _Seen] = field(default_factory=dict)  # cidr -> where
    endpoints: dict[str, _Seen] = field(default_factory=dict)  # label -> where (not an address)
    devices: dict[str, _Seen] = field(default_factory=dict)  # gateway address -> where


def _cidr(label: str) -> str | None:
    try:
        address = ipaddress.ip_address(label.strip())
    except ValueError:
        return None
    return f"{address}/{address.max_prefixlen}"


def collect_unknowns(reports: Iterable[Any], paths: Sequence[Path]) -> Unknowns:
    """Unknown endpoints and unidentified devices named by the structured findings of a scan."""
    out = Unknowns()
    for rep in reports:
        for attr in ("failed_checks", "skipped_checks", "passed_checks"):
            for rec in getattr(rep, attr, None) or []:
                finding = recorded_finding(rec)
                where = f"{rec.resource} ({relative_file(rec, paths)})"
                for link in finding.get("links") or ():
                    for end in (link.get("local") or {}, link.get("remote") or {}):
                        if end.get("jurisdiction") != UNKNOWN:
                            continue
                        label, how = str(end.get("label", "?")), str(end.get("how", ""))
                        cidr = _cidr(label)
                        table = out.addresses if cidr else out.endpoints
                        table.setdefault(cidr or label, _Seen(how)).add(where)
                if UNIDENTIFIED_DEVICE in str(finding.get("reason") or ""):
                    out.devices.setdefault(rec.resource, _Seen(str(finding.get("reason")))).add(where)
    return out


def _comment(text: str) -> str:
    return " ".join(text.split()).replace("\n", " ")


def render_starter(unknowns: Unknowns, scanned: str, today: _dt.date) -> str:
    """The commented starter policy: every key a team typically needs, entries to complete commented out."""
    lines = [
        f"# cn-crossborder policy, started by `cn-crossborder init` from a scan of {scanned} on {today}.",
        "# Entries to complete are commented out and marked TODO: complete one, then uncomment it.",
        "# A placeholder left in (country: XX, vendor: TODO) is rejected by `cn-crossborder policy validate`,",
        "# so nothing here declares a fact until you write it. Reference: docs/policy.md.",
        "version: 1",
        "",
        "# A link with an end whose place is unknown is judged as crossing the border (fail), unless pass.",
        "unknown_location: fail",
        "",
        "# Approved carriers: China Telecom, China Unicom and China Mobile unless narrowed here.",
        "# carriers:",
        "#   approved: [china_telecom, china_unicom, china_mobile]",
        "",
        "# Leased cross-border circuits for internal use: carrier, filing, the public addresses they end on.",
        "circuits: []",
        "#  - id: TODO                    # the carrier's circuit id, e.g. CU-SHA-FRA-0042",
        "#    carrier: china_unicom       # TODO: the approved carrier that provides it",
        "#    purpose: internal",
        "#    filing: TODO                # the internal-use filing / record reference",
        "#    endpoints: [TODO]           # public addresses the circuit terminates on, e.g. 85.214.0.0/30",
        "#    expires: 2027-06-30         # TODO",
        "",
    ]
    lines.append(f"# Peer addresses to locate: {len(unknowns.addresses)} the scan could not place.")
    lines.append("locations: []")
    for cidr, seen in sorted(unknowns.addresses.items()):
        lines += [
            f"#  - cidr: {cidr}",
            "#    country: XX                # TODO: ISO 3166 code of where it is, e.g. DE or CN",
            f"#    note: {_comment(seen.how)}; used by {_comment(seen.places())}",
        ]
    if unknowns.endpoints:
        lines.append("# Ends the scan could not place that a locations entry cannot declare (not an address): set a")
        lines.append("# cn-crossborder:location tag on the resource, or make the value known statically.")
        for label, seen in sorted(unknowns.endpoints.items()):
            lines.append(f"#   TODO {_comment(label)}: {_comment(seen.how)}; {_comment(seen.places())}")
    lines.append("")
    lines.append(
        f"# Devices to identify: {len(unknowns.devices)} customer gateway(s) name no device the catalogue knows."
    )
    lines.append('# Tag each with cn-crossborder:device = "<vendor> <model>", or describe it here (only devices in')
    lines.append("# mainland China need it for CKV_CNX_201).")
    lines.append("devices: []")
    for _, seen in sorted(unknowns.devices.items()):
        lines += [
            f"#  # TODO identify {_comment(seen.where[0])}",
            "#  - vendor: TODO",
            "#    models: [TODO]",
            "#    category: vpn_device        # TODO: vpn_device, cipher_machine, encrypted_telephone, "
            "encrypted_fax or none",
            "#    made_in: XX                 # TODO: ISO 3166 code of the country of manufacture",
            "#    patterns: [TODO]            # TODO: a regular expression matching the gateway's device name",
        ]
    lines += [
        "",
        "# Commercial-encryption import licences of the devices in mainland China.",
        "licences: []",
        "#  - id: TODO                    # the licence number, e.g. IMP-2026-0007",
        "#    vendor: TODO                # e.g. Cisco",
        "#    models: [TODO]              # omit to cover all models of the vendor",
        "#    expires: 2028-01-01         # TODO",
        "",
        "# Accepted findings, each with a reason and an expiry (the resource address Checkov reports).",
        "exemptions: []",
        "#  - check: CKV_CNX_101",
        "#    resource: TODO              # e.g. aws_vpn_connection.legacy",
        "#    reason: TODO                # with a ticket or plan",
        "#    expires: 2026-12-31         # TODO",
        "",
    ]
    return "\n".join(lines)


def starter_path(path: Path) -> Path:
    return (path if path.is_dir() else path.parent) / POLICY_FILENAME


def refuse_overwrite(path: Path, force: bool) -> None:
    """Raise FileExistsError naming the file when it exists and ``--force`` was not given."""
    target = starter_path(path)
    if target.exists() and not force:
        raise FileExistsError(f"{target} already exists; pass --force to replace it")


def write_starter_policy(
    path: Path, reports: Iterable[Any], paths: Sequence[Path], *, force: bool, as_of: _dt.date
) -> Path:
    """Write the starter policy next to the scanned tree, dated as the scan was (``--as-of``);
    refuse to replace one unless ``force``."""
    refuse_overwrite(path, force)
    target = starter_path(path)
    text = render_starter(collect_unknowns(reports, paths), str(path), as_of)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise FileExistsError(f"{target} cannot be written: {exc.strerror or exc}") from None
    return target
