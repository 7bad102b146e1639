"""Cloud specs: one YAML file per cloud, validated by a schema, and the coverage derived from them.

A spec says which resource types feed which generic builder of ``engine`` and through which
attributes (format: docs/cloud-specs.md; schema: schemas/cloud-spec.schema.json). The rules' resource
types, the CloudFormation types, ``explain`` and the docs' coverage tables all come from here, so
what is documented is what is read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

import yaml
from cn_crossborder.domain.coverage import Coverage
from cn_crossborder.domain.yamlsrc import InputError, Problem, load_schema, load_single, schema_problems
from jsonschema import Draft202012Validator

CLOUDS = ("aws", "azurerm", "alicloud", "tencentcloud", "huaweicloud", "volcengine", "baiducloud")
SCHEMA = "cloud-spec.schema.json"

# Which rule judges the links (or exits) each builder makes.
RULE_OF = {
    "vpn": "CKV_CNX_101",
    "lines": "CKV_CNX_102",
    "peerings": "CKV_CNX_103",
    "groups": "CKV_CNX_103",
    "pairs": "CKV_CNX_103",
    "selectors": "CKV_CNX_104",
    "routes": "CKV_CNX_104",
}
TAGS = "tags cn-crossborder:location, cn-crossborder:circuit"
UNTAGGED = "no tags argument (provider docs)"


@dataclass(frozen=True)
class CloudSpec:
    """One cloud's spec as loaded: its builder entries, hooks, device gateways and extra coverage."""

    cloud: str
    file: str
    data: dict[str, Any]

    def entries(self, section: str) -> list[dict[str, Any]]:
        return list(self.data.get(section, ()))

    def hooks(self, kind: str) -> list[str]:
        return list(self.data.get("hooks", {}).get(kind, ()))

    @property
    def description(self) -> str:
        return str(self.data.get("description", ""))


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(load_schema(SCHEMA))


def load_spec_text(name: str, text: str) -> CloudSpec:
    """Parse and validate one spec; a spec that breaks the schema raises ``InputError`` with every problem.

    Specs are read on every scan, so the fast C loader reads them; only a spec that fails validation
    is read again with line numbers, to say where.
    """
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if isinstance(data, dict) and _validator().is_valid(data):
        return CloudSpec(str(data["cloud"]), name, data)
    doc = load_single(name, text)
    problems = schema_problems(doc, SCHEMA) or [Problem(name, None, "", "is not a valid cloud spec")]
    raise InputError(problems)


@cache
def all_specs() -> tuple[CloudSpec, ...]:
    """Every shipped spec, in the order of ``CLOUDS`` (a broken shipped spec is a packaging bug)."""
    folder = resources.files("cn_crossborder.clouds").joinpath("specs")
    specs = []
    for cloud in CLOUDS:
        file = folder.joinpath(f"{cloud}.yaml")
        specs.append(load_spec_text(f"cn_crossborder/clouds/specs/{cloud}.yaml", file.read_text(encoding="utf-8")))
    return tuple(specs)


# --- coverage --------------------------------------------------------------------------------------------


def _types(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _ref_text(spec: dict[str, Any] | None) -> str:
    if not spec:
        return ""
    when = spec.get("when")
    cond = f" when {when['attr']} = {' / '.join(_types(when['equals']))}" if when else ""
    if spec.get("far_region"):
        cond += f" (only links toward the region in {spec['far_region']})"
    if spec.get("self"):
        return f"the resource itself: the links it carries{cond}"
    if "same" in spec:
        return f"the {' / '.join(spec['types'])} of the same {spec['same']}{cond}"
    via = f" -> its {spec['via']['attr']}" if spec.get("via") else ""
    if spec.get("is"):
        via = f" ({spec['is']['attr']} {' / '.join(_types(spec['is']['equals']))} or unset){via}"
    if spec.get("attached_by"):
        by = spec["attached_by"]
        via = f"{via} -> the {' / '.join(by['types'])} whose {by['attr']} names it"
    return f"{spec['attr']} -> {' / '.join(spec.get('types', ()))}{via}{cond}"


def _reads(section: str, entry: dict[str, Any]) -> str:
    """What one entry reads, in words, for ``explain`` and the docs."""
    parts: list[str] = []
    if section == "vpn":
        local = entry.get("local", "own")
        gateway = entry.get("gateway", {}).get("attr")
        parts.append(
            {
                "own": "own region",
                "gateway": f"region of {gateway}",
                "own-region-else-gateway": f"region, else that of {gateway}",
            }[local]
        )
        peer = entry["peer"]
        parts.append(
            f"{peer['attr']} ({' or '.join(peer['address'])} of the peer)"
            if "attr" in peer
            else " or ".join(peer["address"])
        )
        if peer.get("address_block"):
            parts.append(f"one link per {peer['address_block']} block of the peer")
        if peer.get("tunnels"):
            parts.append(f"{peer['tunnels']} {peer['attr']}")
        if "when" in entry:
            when = entry["when"]
            parts.append(f"only {when['attr']} = {' / '.join(_types(when['equals']))}")
        parts.append("tags")
    elif section == "selectors":
        for side in ("cloud_side", "peer_side"):
            for src in entry.get(side, ()):
                where = (
                    f"{src['block']} "
                    if "block" in src
                    else (f"{src['gateway']['attr']}'s " if "gateway" in src else "")
                )
                parts.append(f"{where}{src['attr']} ({side.replace('_', ' ')})")
    elif section == "routes":
        if entry.get("learned"):
            parts.append(entry["learned"])
        elif entry.get("destination"):
            parts.append(" / ".join(entry["destination"]))
            if entry.get("destination_block"):
                parts[-1] = f"{entry['destination_block']} {parts[-1]}"
        if entry.get("default_when"):
            named = entry["default_when"]
            parts.append(f"{named['attr']} {' / '.join(_types(named['equals']))} (a default route)")
        if entry.get("destination_list"):
            plist = entry["destination_list"]
            parts.append(
                f"{plist['attr']} -> {' / '.join(plist['types'])} (its prefixes; a list outside the "
                "configuration may hold 0.0.0.0/0)"
            )
        if entry.get("destination_when"):
            when = entry["destination_when"]
            parts.append(f"only where {when['attr']} = {' / '.join(_types(when['equals']))}")
        parts += [_ref_text(t) for t in entry["targets"]]
        if entry.get("block_types"):
            parts.append(f"inline {entry['block']} blocks of {', '.join(entry['block_types'])}")
    elif section == "lines":
        if entry.get("carrier"):
            parts.append(f"{entry['carrier']} (any name of an approved carrier)")
        else:
            missing = "; ".join(m["text"] for m in entry.get("no_carrier", ()))
            parts.append("no carrier attribute: " + (missing or "a circuit of the policy or a location tag decides"))
        far_end = entry.get("far_end", {})
        proves = far_end.get("attr") if far_end.get("proves_mainland") else None
        parts += [a for a in entry.get("far_label", {}).get("attrs", ()) if a != proves]
        if proves:
            parts.append(f"{proves} (a mainland place name proves the far end)")
        parts.append(TAGS)
    elif section == "peerings":
        remote = entry["remote"]
        peer = f"{remote['block']} {remote['region']}" if remote.get("block") else remote["region"]
        parts.append(f"{'region of ' + entry['local']['attr'] if entry.get('local') else 'own region'} vs {peer}")
        if remote.get("ref"):
            parts.append(f"else the region of {remote['ref']['attr']}")
    elif section == "groups":
        region = entry.get("region", "own region")
        where = " / ".join(_types(region))
        if entry.get("block_types"):
            where = f"{where} (in each {entry['block']} block of {', '.join(entry['block_types'])})"
        if entry.get("own_region_types"):
            where = f"{where} (own region of {', '.join(entry['own_region_types'])})"
        parts.append(
            f"{where} of every member of one {entry['group']['attr']}; a mainland/overseas pair is "
            "reported on the member outside the mainland"
        )
    elif section == "pairs":
        regions = entry["regions"]
        parts.append(regions.get("list") or " / ".join(regions["attrs"]))
    if entry.get("product"):
        parts.append(f"licensed product: {entry['product']}")
    if entry.get("note"):
        parts.append(str(entry["note"]))
    return "; ".join(p for p in parts if p)


def _read_only(section: str, entry: dict[str, Any]) -> list[tuple[str, str]]:
    """Types an entry reads without reporting on them: peer gateways, gateways, route targets."""
    out: list[tuple[str, str]] = []
    if section == "vpn":
        peer = entry["peer"]
        for t in peer.get("types", ()):
            out.append((t, f"{' or '.join(peer['address'])}; {TAGS}"))
        for ref in [entry.get("gateway"), *entry.get("via", ())]:
            for t in (ref or {}).get("types", ()):
                out.append((t, "its region; joins routes to the connections behind it"))
    elif section == "lines":
        iface: dict[str, Any] = entry.get("interfaces") or {}
        for t in _types(iface["type"]) if iface else ():
            out.append((t, "; ".join(x for x in (iface["attr"], iface.get("peer_ip"), TAGS) if x)))
        for joined in iface.get("joined_by", ()):
            router = joined["router"]
            for t in _types(joined["type"]):
                out.append((t, f"{joined['attr']} and {router['attr']}: routes to that router reach the line"))
            for t in router.get("types", ()):
                out.append((t, "routes to it reach the lines of the interfaces joined to it"))
        for ref in [
            *iface.get("via", ()),
            *entry.get("via", ()),
            *([entry["gateway"]] if entry.get("gateway") else []),
        ]:
            for t in ref.get("types", ()):
                out.append((t, f"{ref['attr']}: routes to it reach the line"))
    elif section == "routes":
        network = entry.get("network")
        for t in network.get("types", ()) if isinstance(network, dict) else ():
            out.append((t, "its region: the network the route applies to"))
        plist = entry.get("destination_list")
        if plist:
            held = f"{plist['block']} {plist['address']}" if plist.get("block") else plist["address"]
            for t in plist["types"]:
                out.append((t, f"{held}: a route to the list is a default route when one is 0.0.0.0/0 or ::/0"))
            for t in plist.get("entries", {}).get("types", ()):
                out.append((t, f"{plist['address']} of the list its {plist['entries']['attr']} names"))
        for target in entry["targets"]:
            for t in target.get("types", ()):
                out.append((t, "next hop: the links it carries"))
            for t in target.get("via", {}).get("types", ()):
                out.append((t, "behind a next hop: the links it carries"))
            for t in target.get("attached_by", {}).get("types", ()):
                out.append(
                    (t, f"{target['attached_by']['attr']}: attaches a next hop to the network whose links it carries")
                )
    elif section == "selectors":  # a selector held by the connection's gateway or peer
        for side in ("cloud_side", "peer_side"):
            for src in entry.get(side, ()):
                for t in src.get("gateway", {}).get("types", ()):
                    out.append((t, f"{src['attr']}: a traffic selector of the connections that use it"))
    elif section in ("groups", "pairs") and entry.get("group"):
        for t in entry["group"].get("types", ()):
            out.append((t, f"groups members; tag {TAGS.split(', ')[-1]}"))
    return out


def _tags_of(rtype: str, reads: str, untagged: frozenset[str]) -> str:
    """What a type reads, saying so where it would offer tags to a type of ``untagged``, which has none."""
    parts = reads.split("; ")
    if rtype not in untagged or not {TAGS, "tags"} & set(parts):
        return reads
    return "; ".join([*(p for p in parts if p not in (TAGS, "tags")), UNTAGGED])


def coverage_of(spec: CloudSpec) -> dict[str, tuple[Coverage, ...]]:
    """Every type the spec's entries report on or read, per rule, in spec order."""
    out: dict[str, list[Coverage]] = {}
    untagged = frozenset(spec.data.get("untagged", ()))
    for section, rule_id in RULE_OF.items():
        for entry in spec.entries(section):
            rows = out.setdefault(rule_id, [])
            reads = _reads(section, entry)
            for rtype in _types(entry["type"]):
                rows[:] = [c for c in rows if c.resource_type != rtype or c.reported]  # reported wins over read
                rows.append(Coverage(spec.cloud, rtype, _tags_of(rtype, reads, untagged)))
            for rtype, what in _read_only(section, entry):
                found = next((i for i, c in enumerate(rows) if c.resource_type == rtype), None)
                if found is None:
                    rows.append(Coverage(spec.cloud, rtype, _tags_of(rtype, what, untagged), False))
                elif not rows[found].reported and what not in rows[found].reads:  # read for two reasons
                    reads = f"{rows[found].reads}; {what}"
                    rows[found] = replace(rows[found], reads=_tags_of(rtype, reads, untagged))
    for item in spec.data.get("also_reads", ()):
        rows = out.setdefault(item["rule"], [])
        reported = bool(item.get("reported", False))
        if reported:  # a hook reports on a type an entry only reads (a route target)
            rows[:] = [c for c in rows if c.resource_type != item["type"] or c.reported]
        if not any(c.resource_type == item["type"] for c in rows):
            rows.append(Coverage(spec.cloud, item["type"], item["reads"], reported))
    return {rule_id: tuple(rows) for rule_id, rows in out.items()}


def ledger_of(spec: CloudSpec) -> list[tuple[str, str, str]]:
    """The provider's connectivity types the spec deliberately does not read: (type, reason, source).

    What is covered is never listed here: it is derived from the entries (``coverage_of``).
    """
    out: list[tuple[str, str, str]] = []
    for item in spec.data.get("ledger", ()):
        for rtype in _types(item["type"]):
            out.append((rtype, str(item["reason"]), str(item.get("source", ""))))
    return out
