"""The policy file (``.cn-crossborder.yaml``): approved carriers, circuits, locations, licences, exemptions.

A broken policy must stop the run with every problem listed at once (file, line, key path, what was
expected), so loading validates the JSON Schema first and then what a schema cannot express: CIDR
arithmetic, carrier names, ISO country codes, duplicate ids. Whether a circuit is *valid* is not a
load error: a circuit on an unapproved carrier or without a filing is a finding the checks report.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Union

from .carriers import Carrier, builtin_carriers, match_carrier, match_not_licensed, normalize
from .regions import CLOUDS, DeclaredRegion, normalize_region
from .yamlsrc import InputError, KeyPath, LocatedDocument, Problem, load_single, schema_problems

POLICY_FILENAME = ".cn-crossborder.yaml"
POLICY_ENV = "CN_CROSSBORDER_POLICY"
SCHEMA = "policy.schema.json"

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
Address = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]

# ISO 3166-1 alpha-2, officially assigned codes.
_ISO_ALPHA2_TEXT = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
    BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG
    EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR
    HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR
    LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG
    NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE
    SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA
    UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"""
_ISO_ALPHA2 = frozenset(_ISO_ALPHA2_TEXT.split())
_COMMON_MISTAKES = {"UK": "GB", "EL": "GR"}


@dataclass(frozen=True)
class CircuitEndpoint:
    network: Network
    country: str | None


@dataclass(frozen=True)
class Circuit:
    """A registered leased line; ``carrier`` is the text written, ``carrier_id`` what it names."""

    id: str
    carrier: str
    carrier_id: str | None
    purpose: str | None
    filing: str | None
    endpoints: tuple[CircuitEndpoint, ...]
    expires: _dt.date | None
    line: int | None

    def validity(self, policy: Policy, as_of: _dt.date) -> tuple[bool, list[str]]:
        """Whether this is a *valid circuit* on ``as_of`` and, if not, every reason why not."""
        reasons = []
        if self.carrier_id is None or self.carrier_id not in policy.carriers:
            reasons.append(policy.why_not_approved(self.carrier))
        if self.purpose is None or not self.purpose.strip():
            reasons.append("has no purpose; a valid circuit has purpose 'internal'")
        elif self.purpose.strip().lower() != "internal":
            reasons.append(f"purpose is {self.purpose!r}, not 'internal'")
        if self.filing is None or not self.filing.strip():
            reasons.append("has no filing reference")
        if self.expires is not None and self.expires < as_of:
            reasons.append(f"expired on {self.expires.isoformat()}")
        return (not reasons, reasons)

    def contains(self, address: Address) -> bool:
        return any(address.version == e.network.version and address in e.network for e in self.endpoints)


@dataclass(frozen=True)
class Location:
    network: Network
    country: str
    note: str | None


@dataclass(frozen=True)
class Licence:
    """A commercial-encryption import licence; ``models`` None covers every model of the vendor."""

    id: str
    vendor: str
    models: tuple[str, ...] | None
    expires: _dt.date | None
    note: str | None = None

    def active(self, as_of: _dt.date) -> bool:
        return self.expires is None or self.expires >= as_of

    def covers(self, vendor: str | None, model: str | None) -> bool:
        """Same vendor and, when the licence lists models, one of them (spelling-tolerant)."""
        if not vendor or normalize(vendor) != normalize(self.vendor):
            return False
        if self.models is None:
            return True
        return bool(model) and normalize(model or "") in {normalize(m) for m in self.models}


@dataclass(frozen=True)
class Exemption:
    check: str
    resource: str
    reason: str
    expires: _dt.date

    def active(self, as_of: _dt.date) -> bool:
        """An exemption holds through its ``expires`` date and has no effect after it."""
        return self.expires >= as_of


@dataclass(frozen=True)
class Policy:
    path: str | None  # None for the embedded default
    unknown_location: str  # "fail" | "pass"
    approved: tuple[str, ...]  # approved carrier ids
    carriers: dict[str, Carrier]  # approved carriers by id (built-in narrowed by `approved`, + additional)
    circuits: tuple[Circuit, ...] = ()
    locations: tuple[Location, ...] = ()
    licences: tuple[Licence, ...] = ()
    exemptions: tuple[Exemption, ...] = ()
    devices: tuple[dict[str, Any], ...] = ()
    unknown_device: str = "fail"  # "fail" | "pass": a VPN device at a mainland site not identified
    regions: tuple[DeclaredRegion, ...] = ()  # add or correct region catalogue entries
    additional: tuple[Carrier, ...] = field(default=(), compare=False)  # carriers.additional
    default_regions: dict[str, str] = field(default_factory=dict)  # cloud -> region, the last resort

    def approved_carrier(self, text: str | None) -> Carrier | None:
        """The approved carrier ``text`` names; None for an unapproved or unknown one."""
        carrier = match_carrier(text, self.additional)
        return carrier if carrier is not None and carrier.id in self.carriers else None

    def why_not_approved(self, text: str | None) -> str:
        """One sentence on why ``text`` is not an approved carrier, for check messages."""
        carrier = match_carrier(text, self.additional)
        if carrier is not None and carrier.id in self.carriers:
            return f"carrier {text!r} is approved"
        if carrier is not None:
            return (
                f"carrier {text!r} is not an approved carrier: {carrier.name} is not among the carriers "
                "this policy approves (carriers.approved)"
            )
        known = match_not_licensed(text)
        if known is not None:
            return f"carrier {text!r} is not an approved carrier: {known.name}, {known.reason}"
        return f"carrier {text!r} is not an approved carrier"

    def circuit(self, circuit_id: str) -> Circuit | None:
        return next((c for c in self.circuits if c.id == circuit_id), None)

    def circuits_containing(self, address: Address) -> list[Circuit]:
        return [c for c in self.circuits if c.contains(address)]

    def location_of(self, address: Address) -> Location | None:
        """The declared location of ``address``; the most specific CIDR wins."""
        matches = [loc for loc in self.locations if loc.network.version == address.version and address in loc.network]
        return max(matches, key=lambda loc: loc.network.prefixlen, default=None)

    def exemption_for(self, check_id: str, resource: str) -> Exemption | None:
        """The exemption for this check and resource address (exact), latest expiry first.

        Returned even when expired, so that the failure can say the exemption expired.
        """
        matches = [e for e in self.exemptions if e.check == check_id and e.resource == resource]
        return max(matches, key=lambda e: e.expires, default=None)


def unmatched_exemptions(path: str | Path, judged: set[tuple[str, str]]) -> list[Problem]:
    """The exemptions of the policy file at ``path`` whose (check, resource) is not in ``judged``,
    each located: a resource renamed or removed, or a misspelt address, leaves an exemption that
    silences nothing and would sit in the policy unnoticed."""
    doc = load_single(path)
    items = doc.data.get("exemptions") if isinstance(doc.data, dict) else None
    out = []
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        check, resource = item.get("check"), item.get("resource")
        if isinstance(check, str) and isinstance(resource, str) and (check, resource) not in judged:
            message = f"exempts {check} on {resource}, which no check of this scan judged"
            out.append(doc.problem(("exemptions", i, "resource"), f"{message} (renamed, removed or misspelt?)"))
    return out


@cache
def default_policy() -> Policy:
    """The embedded defaults: the three licensed carriers, unknown locations fail, nothing else."""
    carriers = dict(builtin_carriers())
    return Policy(path=None, unknown_location="fail", approved=tuple(carriers), carriers=carriers)


def discover_policy(
    start: str | Path, explicit: str | None = None, environ: Mapping[str, str] = os.environ
) -> Path | None:
    """``--policy``, else ``$CN_CROSSBORDER_POLICY``, else the nearest policy file above ``start``."""
    if explicit:
        return Path(explicit)
    from_env = environ.get(POLICY_ENV)
    if from_env:
        return Path(from_env)
    here = Path(start).resolve()
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / POLICY_FILENAME
        if candidate.is_file():
            return candidate
    return None


def load_policy(path: str | Path) -> Policy:
    """Load and validate a policy file; raises InputError listing every problem in it."""
    doc = load_single(path)
    if not isinstance(doc.data, dict):
        kind = "a list" if isinstance(doc.data, list) else f"{type(doc.data).__name__} {doc.data!r}"
        raise InputError([doc.problem((), f"is {kind}; expected a mapping that starts with 'version: 1'")])
    problems = schema_problems(doc, SCHEMA)
    builder = _Builder(doc, {p.path for p in problems})
    policy = builder.build()
    problems += builder.problems
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.path, p.message))
        raise InputError(problems)
    return policy


class _Builder:
    """Turns a schema-checked document into a Policy, collecting the problems a schema cannot see.

    Every value is type-checked again here so that one broken entry does not hide the others; a
    value the schema already reported is skipped rather than reported twice.
    """

    def __init__(self, doc: LocatedDocument, reported: set[str]):
        self.doc = doc
        self.data: dict[str, Any] = doc.data
        self.reported = reported
        self.problems: list[Problem] = []

    def fail(self, path: KeyPath, message: str) -> None:
        problem = self.doc.problem(path, message)
        if problem.path not in self.reported:
            self.problems.append(problem)

    def items(self, key: str) -> list[tuple[KeyPath, dict[str, Any]]]:
        value = self.data.get(key)
        if not isinstance(value, list):
            return []
        return [((key, i), item) for i, item in enumerate(value) if isinstance(item, dict)]

    def build(self) -> Policy:
        additional = self._additional()
        approved, carriers = self._approved(additional)
        unknown = self.data.get("unknown_location")
        unknown_device = self.data.get("unknown_device")
        return Policy(
            path=self.doc.file,
            unknown_location=unknown if unknown in ("fail", "pass") else "fail",
            approved=approved,
            carriers=carriers,
            circuits=self._circuits(additional),
            locations=self._locations(),
            licences=self._licences(),
            exemptions=self._exemptions(),
            devices=self._devices(),
            additional=additional,
            default_regions=self._default_regions(),
            unknown_device=unknown_device if unknown_device in ("fail", "pass") else "fail",
            regions=self._regions(),
        )

    def _default_regions(self) -> dict[str, str]:
        value = self.data.get("default_regions")
        if not isinstance(value, dict):
            return {}
        return {str(k): str(v).strip() for k, v in value.items() if isinstance(v, str) and v.strip()}

    # carriers -------------------------------------------------------------------------------------

    def _additional(self) -> tuple[Carrier, ...]:
        section = self.data.get("carriers")
        raw = section.get("additional") if isinstance(section, dict) else None
        owner = {normalize(n): c.id for c in builtin_carriers().values() for n in (c.id, *c.names)}
        out: list[Carrier] = []
        for i, item in enumerate(raw if isinstance(raw, list) else []):
            path: KeyPath = ("carriers", "additional", i)
            if not isinstance(item, dict):
                continue
            cid, names, source = item.get("id"), item.get("names"), item.get("source")
            if not isinstance(cid, str) or not isinstance(source, str) or not isinstance(names, list):
                continue
            if normalize(cid) in owner:
                self.fail(
                    (*path, "id"),
                    f"carrier id {cid!r} is already used by {owner[normalize(cid)]}; expected a new id",
                )
                continue
            owner[normalize(cid)] = cid
            kept = []
            for j, name in enumerate(names):
                if not isinstance(name, str) or not normalize(name):
                    continue
                if owner.get(normalize(name), cid) != cid:
                    other = owner[normalize(name)]
                    self.fail(
                        (*path, "names", j),
                        f"name {name!r} already names carrier {other}; expected a name of this carrier only",
                    )
                    continue
                owner[normalize(name)] = cid
                kept.append(name)
            out.append(
                Carrier(
                    id=cid,
                    name=kept[0] if kept else cid,
                    name_zh="",
                    names=tuple(kept),
                    asns=(),
                    source=source,
                    builtin=False,
                )
            )
        return tuple(out)

    def _approved(self, additional: tuple[Carrier, ...]) -> tuple[tuple[str, ...], dict[str, Carrier]]:
        builtin = builtin_carriers()
        section = self.data.get("carriers")
        raw = section.get("approved") if isinstance(section, dict) else None
        if not isinstance(raw, list):
            ids = list(builtin)
        else:
            ids = []
            for i, text in enumerate(raw):
                if not isinstance(text, str):
                    continue
                carrier = self._resolve_carrier(("carriers", "approved", i), text, additional)
                if carrier is not None and carrier.id not in ids:
                    ids.append(carrier.id)
        ids += [c.id for c in additional if c.id not in ids]
        by_id = {**builtin, **{c.id: c for c in additional}}
        return tuple(ids), {cid: by_id[cid] for cid in ids}

    def _resolve_carrier(self, path: KeyPath, text: str, additional: tuple[Carrier, ...]) -> Carrier | None:
        """The carrier ``text`` names, or a problem saying which names would be understood."""
        carrier = match_carrier(text, additional)
        if carrier is not None:
            return carrier
        known = match_not_licensed(text)
        if known is not None:
            self.fail(
                path,
                f"{text!r} names {known.name}, which is not a licensed carrier: {known.reason}; to approve "
                "it anyway, list it under carriers.additional with a source citing the approval",
            )
            return None
        self.fail(path, f"unknown carrier {text!r}; {self._expected_carriers(additional)}")
        return None

    @staticmethod
    def _expected_carriers(additional: tuple[Carrier, ...]) -> str:
        ids = [*builtin_carriers(), *(c.id for c in additional)]
        return f"expected one of: {', '.join(ids)} (or any of their names), or a name listed under carriers.additional"

    # circuits, locations, licences, exemptions ----------------------------------------------------

    def _circuits(self, additional: tuple[Carrier, ...]) -> tuple[Circuit, ...]:
        out: list[Circuit] = []
        first_line: dict[str, int | None] = {}
        for path, item in self.items("circuits"):
            cid, carrier_text = item.get("id"), item.get("carrier")
            if not isinstance(cid, str) or not isinstance(carrier_text, str):
                continue
            if cid in first_line:
                self.fail(
                    (*path, "id"),
                    f"duplicate circuit id {cid!r} (first defined on line {first_line[cid]}); expected unique ids",
                )
            first_line.setdefault(cid, self.doc.line_of(path))
            carrier = match_carrier(carrier_text, additional)
            if carrier is None and match_not_licensed(carrier_text) is None:
                self.fail(
                    (*path, "carrier"),
                    f"unknown carrier {carrier_text!r}; {self._expected_carriers(additional)}",
                )
            endpoints = []
            raw_endpoints = item.get("endpoints")
            for j, raw in enumerate(raw_endpoints if isinstance(raw_endpoints, list) else []):
                ep_path: KeyPath = (*path, "endpoints", j)
                if isinstance(raw, dict):
                    network = self.network((*ep_path, "cidr"), raw.get("cidr"))
                    country = self.country((*ep_path, "country"), raw.get("country"))
                else:
                    network, country = self.network(ep_path, raw), None
                if network is not None:
                    endpoints.append(CircuitEndpoint(network, country))
            out.append(
                Circuit(
                    id=cid,
                    carrier=carrier_text,
                    carrier_id=carrier.id if carrier is not None else None,
                    purpose=_text(item.get("purpose")),
                    filing=_text(item.get("filing")),
                    endpoints=tuple(endpoints),
                    expires=self.date((*path, "expires"), item.get("expires")),
                    line=self.doc.line_of(path),
                )
            )
        return tuple(out)

    def _locations(self) -> tuple[Location, ...]:
        out = []
        seen: dict[Network, tuple[str, int | None]] = {}
        for path, item in self.items("locations"):
            network = self.network((*path, "cidr"), item.get("cidr"))
            country = self.country((*path, "country"), item.get("country"))
            if network is None or country is None:
                continue
            if network in seen and seen[network][0] != country:
                self.fail(
                    (*path, "cidr"),
                    f"{network} is already declared {seen[network][0]} on line "
                    f"{seen[network][1]}; expected one country per CIDR",
                )
                continue
            seen.setdefault(network, (country, self.doc.line_of(path)))
            note = item.get("note")
            out.append(Location(network, country, note if isinstance(note, str) else None))
        return tuple(out)

    def _regions(self) -> tuple[DeclaredRegion, ...]:
        out: list[DeclaredRegion] = []
        seen: dict[tuple[str, str], int | None] = {}
        name = os.path.basename(self.doc.file)
        for path, item in self.items("regions"):
            cloud, region, source = _text(item.get("cloud")), _text(item.get("id")), _text(item.get("source"))
            country = self.country((*path, "country"), item.get("country"))
            if cloud not in CLOUDS or not region or not source or country is None:
                continue  # the schema has reported what is missing
            key = (cloud, normalize_region(cloud, region))
            if key in seen:
                where = f"line {seen[key]}"
                self.fail((*path, "id"), f"{cloud} {region} is already declared on {where}; expected one entry")
                continue
            line = self.doc.line_of(path)
            seen[key] = line
            out.append(DeclaredRegion(cloud, region.strip(), country, source, f"{name}:{line}"))
        return tuple(out)

    def _licences(self) -> tuple[Licence, ...]:
        out = []
        for path, item in self.items("licences"):
            lid, vendor, models = item.get("id"), item.get("vendor"), item.get("models")
            if not isinstance(lid, str) or not isinstance(vendor, str):
                continue
            if isinstance(models, list):
                models = tuple(m for m in models if isinstance(m, str))
            out.append(
                Licence(
                    id=lid,
                    vendor=vendor,
                    models=models if isinstance(models, tuple) else None,
                    expires=self.date((*path, "expires"), item.get("expires")),
                    note=_text(item.get("note")),
                )
            )
        return tuple(out)

    def _exemptions(self) -> tuple[Exemption, ...]:
        out = []
        for path, item in self.items("exemptions"):
            check, resource, reason = item.get("check"), item.get("resource"), item.get("reason")
            expires = self.date((*path, "expires"), item.get("expires"))
            if isinstance(check, str) and isinstance(resource, str) and isinstance(reason, str) and expires:
                out.append(Exemption(check, resource, reason, expires))
        return tuple(out)

    def _devices(self) -> tuple[dict[str, Any], ...]:
        """Catalogue extensions, kept as written; their country and patterns are checked here."""
        out = []
        for path, item in self.items("devices"):
            made_in = self.country((*path, "made_in"), item.get("made_in"))
            patterns = item.get("patterns")
            for j, pattern in enumerate(patterns if isinstance(patterns, list) else []):
                if isinstance(pattern, str):
                    try:
                        re.compile(pattern)
                    except re.error as exc:
                        message = f"{pattern!r} is not a valid regular expression ({exc})"
                        self.fail((*path, "patterns", j), message)
            acquired = item.get("acquired")
            needs = {"imported-under-licence": "licence", "bought-in-mainland": "source", "made-in-mainland": "source"}
            if isinstance(acquired, str) and acquired in needs and not item.get(needs[acquired]):
                why = {
                    "licence": "the reference of the import licence the units entered under (yours or the importer's)",
                    "source": "the evidence for it (supplier and purchase record, or the factory)",
                }[needs[acquired]]
                self.fail((*path, needs[acquired]), f"is missing: acquired: {acquired} needs {needs[acquired]}, {why}")
            out.append({**item, "made_in": made_in} if made_in else item)
        return tuple(out)

    # values ---------------------------------------------------------------------------------------

    def network(self, path: KeyPath, value: Any) -> Network | None:
        """An IP network from an address or CIDR, with host bits and ranges checked."""
        if not isinstance(value, str):
            return None
        try:
            return ipaddress.ip_network(value.strip(), strict=True)
        except ValueError as exc:
            hint = ""
            with contextlib.suppress(ValueError):
                hint = f"; did you mean {ipaddress.ip_network(value.strip(), strict=False)}?"
            self.fail(path, f"{value!r} is not a valid IP address or CIDR ({exc}){hint}")
            return None

    def country(self, path: KeyPath, value: Any) -> str | None:
        if not isinstance(value, str):
            return None
        code = value.strip().upper()
        if code in _ISO_ALPHA2:
            return code
        hint = f"; did you mean {_COMMON_MISTAKES[code]}?" if code in _COMMON_MISTAKES else ""
        self.fail(path, f"{value!r} is not an ISO 3166-1 alpha-2 country code{hint}")
        return None

    def date(self, path: KeyPath, value: Any) -> _dt.date | None:
        if not isinstance(value, str):
            return None
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            return None  # the schema's date format check has reported it


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
