"""Network inventories under Checkov: the checks on ``devices[]`` and ``links[]`` items of YAML files.

Checkov's generic ``yaml`` framework runs a check on every item of a list in every YAML file it
finds. The checks here load the whole inventory once (cached by path and modification time) with
``inventory.load_inventory``, ignore YAML files that are not inventories (their result is UNKNOWN,
which no report shows), and judge each item with the same rules as Terraform: CKV_CNX_201/202 on
devices, CKV_CNX_101/102/104 on links, whose endpoints become ``model.Link`` objects so that
``verdicts.crossing`` and ``termination`` decide exactly as they do for cloud resources.

An inventory that breaks its format is never passed: every check on every item of it fails with the
problems (file, line, key path) in its details, and a per-file check fails once when the file has no
item to report on (or does not parse at all), so a broken file can never go unnoticed.

Two hooks, installed by ``cn_crossborder.checkov.internals``, adapt Checkov's yaml runner, each
falling back to Checkov's own behaviour for every other check: ``name_and_explain`` names records
of these checks after the item (``devices.sha-fw-01``, ``links.sha-fra-ipsec``) instead of
Checkov's internal result key and gives them the check's details (the runner builds its records
without them); ``parse_inventory`` hands an inventory that is not valid YAML to the per-file check
instead of letting it be dropped silently.
"""

from __future__ import annotations

import ipaddress
import os
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checkov.common.bridgecrew.severities import Severities
from checkov.common.models.enums import CheckResult
from checkov.yaml_doc.base_yaml_check import BaseYamlCheck
from checkov.yaml_doc.enums import BlockType
from cn_crossborder.checkov.checks import CATEGORIES, apply_exemption, finding_details
from cn_crossborder.checkov.internals import DETAILS_KEY
from cn_crossborder.domain.context import AS_OF_ENV, ScanContext, context_for
from cn_crossborder.domain.endpoints import CIRCUIT_TAG, Endpoint, address_endpoint, parse_address, region_endpoint
from cn_crossborder.domain.policy import POLICY_ENV
from cn_crossborder.domain.resource import Resource
from cn_crossborder.domain.yamlsrc import InputError, Problem
from cn_crossborder.model import DEDICATED, VPN, GeneralExit, NetworkModel
from cn_crossborder.model import Link as ModelLink
from cn_crossborder.rules import Rule, cnx_201, cnx_202, get_rule
from cn_crossborder.sources.inventory import (
    INVENTORY_KIND,
    YAML_SUFFIXES,
    Inventory,
    Link,
    LinkEnd,
    is_inventory_file,
    load_inventory,
)
from cn_crossborder.sources.terraform import TerraformConfig
from cn_crossborder.verdicts import FAILED, Verdict

DEVICES, LINKS = "devices", "links"
SECTIONS = {
    "CKV_CNX_101": LINKS,
    "CKV_CNX_102": LINKS,
    "CKV_CNX_104": LINKS,
    "CKV_CNX_201": DEVICES,
    "CKV_CNX_202": DEVICES,
}
FILE_RESOURCE = "inventory"  # what a per-file finding is reported on
LINK_RESOURCE_TYPE = "inventory_link"

_START, _END = "__startline__", "__endline__"
# Keys of a result configuration that carry what Checkov's yaml runner does not: the item's name,
# the details and an exemption's reason. The record hook moves them into place.
RESOURCE_KEY = "__cn_crossborder_resource__"
SUPPRESS_KEY = "__cn_crossborder_suppress__"
UNPARSED_KEY = "__cn_crossborder_unparsed__"


# ------------------------------------------------------------------------------ loading, cached


@dataclass
class Loaded:
    """One inventory file, loaded once: its items and models, or every problem with it."""

    path: str
    inventory: Inventory | None
    problems: list[Problem]
    context: ScanContext | None = None
    model: NetworkModel | None = None
    link_resources: dict[str, Resource] = field(default_factory=dict)


_lock = threading.Lock()
_kind_cache: dict[tuple[str, int], bool] = {}
_loaded: dict[tuple[Any, ...], Loaded] = {}


def _stat_key(path: str) -> tuple[str, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return os.path.abspath(path), stat.st_mtime_ns


def is_inventory(path: str) -> bool:
    """``inventory.is_inventory_file``, cached: the yaml runner asks once per item and check."""
    key = _stat_key(path)
    if key is None or not path.lower().endswith(YAML_SUFFIXES):
        return False
    with _lock:
        if key not in _kind_cache:
            _kind_cache[key] = is_inventory_file(path)
        return _kind_cache[key]


def load(path: str) -> Loaded:
    """The inventory at ``path`` with its policy context and link model (cached per file version)."""
    stat = _stat_key(path)
    key = (stat, os.environ.get(POLICY_ENV), os.environ.get(AS_OF_ENV))
    with _lock:
        cached = _loaded.get(key)
        if cached is not None:
            return cached
    try:
        inventory = load_inventory(path)
    except InputError as exc:
        loaded = Loaded(path, None, list(exc.problems))
    else:
        context = context_for([os.path.abspath(path)])
        loaded = Loaded(path, inventory, [], context)
        loaded.model, loaded.link_resources = build_link_model(inventory, context)
    with _lock:
        _loaded[key] = loaded
    return loaded


# ------------------------------------------------------------------------------- links as a model


def _site_endpoint(inventory: Inventory, site_id: str) -> Endpoint:
    site = inventory.sites.get(site_id)
    if site is None:
        return Endpoint(None, f"site {site_id}", "not a site of this inventory")
    name = f" ({site.name})" if site.name else ""
    where = f"{os.path.basename(site.file)}:{site.line}"
    return Endpoint(site.country, f"site {site.id}{name}", f"by the site's declared country ({where})")


def _address_endpoint(inventory: Inventory, address: str, context: ScanContext) -> Endpoint:
    """A bare address: inside a site of this inventory, else located like a VPN peer's."""
    ip = parse_address(address)
    if ip is not None:
        for site in inventory.sites.values():
            if any(ip.version == net.version and ip in net for net in site.networks()):
                return Endpoint(site.country, address, f"inside the addresses of site {site.id}")
    return address_endpoint(address, context.policy, [])


def end_endpoint(inventory: Inventory, end: LinkEnd, context: ScanContext) -> Endpoint:
    if end.site:
        return _site_endpoint(inventory, end.site)
    if end.cloud:
        return region_endpoint(end.cloud, end.region, f"as the link's {end.cloud} end")
    return _address_endpoint(inventory, end.address or "", context)


def _peer_address(inventory: Inventory, end: LinkEnd, context: ScanContext, circuit: str | None) -> str | None:
    """The far end's public address, the one circuit endpoints are matched against.

    An address end is its address. A site may own several addresses and a link does not say which
    one it uses, so a site end has one only through the circuit the link names: the first of the
    site's addresses that lies on that circuit's endpoints (else the site's first address, so that
    the finding can say it is not among them).
    """
    if end.address:
        return end.address
    site = inventory.sites.get(end.site or "")
    named = context.policy.circuit(circuit) if circuit else None
    if site is None or not site.addresses or named is None or not named.endpoints:
        return None
    networks = site.networks()
    for net in networks:
        for ep in named.endpoints:
            if net.version == ep.network.version and net.overlaps(ep.network):
                inside = ep.network if ep.network.subnet_of(net) else net  # type: ignore[arg-type]
                return str(inside.network_address)
    return str(networks[0].network_address)


def link_kind(link: Link) -> str:
    """IPsec is a VPN; a dedicated line is one. SD-WAN is judged by its underlay: a path that names
    a carrier or circuit rides that carrier's line (CKV_CNX_102), one that names neither is an
    overlay over the Internet, i.e. self-built IPsec (CKV_CNX_101)."""
    if link.type == "dedicated":
        return DEDICATED
    if link.type == "sd-wan" and (link.carrier or link.circuit):
        return DEDICATED
    return VPN


def _any_default(subnets: tuple[str, ...]) -> str | None:
    for text in subnets:
        try:
            if ipaddress.ip_network(text.strip(), strict=False).prefixlen == 0:
                return text
        except ValueError:
            continue
    return None


def build_link_model(inventory: Inventory, context: ScanContext) -> tuple[NetworkModel, dict[str, Resource]]:
    """Every link of the inventory as a ``model.Link`` on a stand-in resource ``links.<id>``.

    The mainland end (when there is one) is the local end, as a cloud region is for cloud links;
    the other end's address, the carrier and the circuit are the termination evidence. A default
    route or a 0.0.0.0/0 remote subnet on the link is a general exit of the mainland end.
    """
    model = NetworkModel(TerraformConfig(), context)
    resources: dict[str, Resource] = {}
    for index, link in enumerate(inventory.links):
        address = f"{LINKS}.{link.id}"
        res = Resource(index, LINK_RESOURCE_TYPE, address, link.file, link.line, link.line, {}, ())
        resources[link.id] = res
        a, b = end_endpoint(inventory, link.a, context), end_endpoint(inventory, link.b, context)
        far = link.b
        if b.is_mainland and not a.is_mainland:
            a, b, far = b, a, link.a
        peer = _peer_address(inventory, far, context, link.circuit)
        proven = f"{b.label} is in CN {b.how}" if b.is_mainland else None
        built = ModelLink(
            kind=link_kind(link),
            resource=res,
            local=a,
            remote=b,
            peer_address=peer,
            carrier_text=link.carrier,
            carrier_attr="carrier" if link.carrier else None,
            circuit_tags=[(link.circuit, res)] if link.circuit else [],
            far_end_proven_cn=proven,
        )
        model.add_link(built)
        selects_all = "default_route: true" if link.default_route else None
        subnet = _any_default(link.remote_subnets)
        if subnet is not None:
            selects_all = (
                f"remote_subnets include {subnet}"
                if selects_all is None
                else (f"{selects_all} and remote_subnets include {subnet}")
            )
        if selects_all is not None:
            network = a if a.is_mainland else b if b.is_mainland else a
            model.add_exit(GeneralExit(res, network, selects_all, [built]))
    return model, resources


# ------------------------------------------------------------------------------------- judging


@dataclass
class Judgement:
    """A verdict on one item, the name it is reported as, and an exemption's reason if one applies."""

    result: CheckResult
    resource: str
    details: list[str]
    suppress: str | None = None


def item_name(section: str, conf: Any) -> str:
    ident = conf.get("id") if isinstance(conf, dict) else None
    if isinstance(ident, (str, int)) and not isinstance(ident, bool):
        return f"{section}.{ident}"
    line = conf.get(_START) if isinstance(conf, dict) else None
    return f"{section}[line {line}]" if line else section


def broken(loaded: Loaded) -> list[str]:
    """Details of a finding on an inventory that breaks its format."""
    return [
        f"{loaded.path} is not a valid network inventory, so nothing in it can be judged; every "
        "check fails on it until it is fixed:",
        *(str(p) for p in loaded.problems),
        "Fix: correct the file as each message says (format: docs/inventory.md; schema: "
        "cn_crossborder/schemas/inventory.schema.json).",
    ]


def _find(items: tuple[Any, ...], conf: dict[str, Any]) -> Any:
    ident = conf.get("id")
    line = conf.get(_START)
    by_id = [item for item in items if str(item.id) == str(ident)]
    if len(by_id) == 1:
        return by_id[0]
    return next((item for item in by_id or items if item.line == line), None)


def judge_item(rule: Rule, path: str, conf: Any) -> Judgement | None:
    """The verdict of ``rule`` on one item of the YAML file at ``path``; None when not reported."""
    section = SECTIONS[rule.id]
    if not is_inventory(path):
        return None
    name = item_name(section, conf)
    loaded = load(path)
    if loaded.inventory is None:
        return Judgement(CheckResult.FAILED, name, broken(loaded))
    context, model = loaded.context, loaded.model
    found = (
        _find(loaded.inventory.devices if section == DEVICES else loaded.inventory.links, conf)
        if (isinstance(conf, dict))
        else None
    )
    if found is None or context is None or model is None:
        where = f"line {conf.get(_START)}" if isinstance(conf, dict) else "an item"
        return Judgement(
            CheckResult.FAILED,
            name,
            [
                f"{path}: the item at {where} could not be matched with the loaded inventory, so it could not "
                "be judged. Treated as a failure so it is not passed silently; please report it."
            ],
        )
    if section == DEVICES:
        device = found
        evaluate_device = (
            cnx_201.evaluate_inventory_device if rule.id == "CKV_CNX_201" else cnx_202.evaluate_inventory_device
        )
        verdict = evaluate_device(context, loaded.inventory, device)
        address = f"{DEVICES}.{device.id}"
    else:
        link = found
        if (rule.id == "CKV_CNX_101" and link_kind(link) != VPN) or (
            rule.id == "CKV_CNX_102" and link_kind(link) != DEDICATED
        ):
            return None
        res = loaded.link_resources[link.id]
        verdict = rule.evaluate(model, res)
        address = res.address
    if verdict is None:
        return None
    return _conclude(rule, model, address, verdict)


_LINK_FIX = (
    "In the inventory: name the carrier that provides the link with `carrier:` and the registered "
    "circuit it rides with `circuit:` (a circuit of the policy's `circuits`)."
)


def _inventory_words(text: str) -> str:
    """An inventory link names its circuit with ``circuit:``, not with a tag: say so."""
    return text.replace(f"tag {CIRCUIT_TAG} = ", "circuit: ").replace(f" on {LINKS}.", f" of {LINKS}.")


def _conclude(rule: Rule, model: NetworkModel, address: str, verdict: Verdict) -> Judgement:
    if address.startswith(f"{LINKS}."):
        details = [_inventory_words(line) for line in verdict.details]
        if verdict.failed and rule.id != "CKV_CNX_104":
            details.append(_LINK_FIX)
        verdict = Verdict(verdict.result, _inventory_words(verdict.reason), details)
    verdict, suppress = apply_exemption(model, rule, address, verdict)
    details = finding_details(model, rule, verdict)
    if suppress:
        return Judgement(CheckResult.SKIPPED, address, details, suppress)
    if model.context.problems or verdict.result == FAILED:
        return Judgement(CheckResult.FAILED, address, details)
    return Judgement(CheckResult.PASSED, address, details)


def judge_file(rule: Rule, path: str, conf: Any) -> Judgement | None:
    """The per-file finding: only for a broken inventory with no item of the rule's section to fail."""
    if not is_inventory(path):
        return None
    section = SECTIONS[rule.id]
    items = conf.get(section) if isinstance(conf, dict) and not conf.get(UNPARSED_KEY) else None
    if isinstance(items, list) and any(isinstance(i, dict) and _START in i for i in items):
        return None  # the item checks report on those
    loaded = load(path)
    if loaded.inventory is not None:
        return None
    return Judgement(CheckResult.FAILED, FILE_RESOURCE, broken(loaded))


# ------------------------------------------------------------------------------ Checkov checks


_lines_cache: dict[tuple[str, int], list[str]] = {}


def item_end(path: str, start: int, end: int) -> int:
    """The last line of an item, for the reported line range and code block.

    YAML ends a block mapping where the next token starts: the next item's first line, with the
    comments (such as ``# expect:``) above it. Those lines belong to what follows, not to the item.
    """
    key = _stat_key(path)
    if key is None or not isinstance(start, int) or not isinstance(end, int) or end <= start:
        return end if isinstance(end, int) else start
    with _lock:
        lines = _lines_cache.get(key)
    if lines is None:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return end
        with _lock:
            _lines_cache[key] = lines
    if start > len(lines):
        return end
    first = lines[start - 1]
    indent = len(first) - len(first.lstrip())
    outside = indent if first.lstrip().startswith("-") else indent - 1  # at or left of it: not the item
    last = min(end, len(lines))
    while last > start:
        text = lines[last - 1]
        stripped = text.strip()
        if stripped and not stripped.startswith("#") and len(text) - len(text.lstrip()) > outside:
            break
        last -= 1
    return last


def _error_details(exc: Exception) -> list[str]:
    where = traceback.extract_tb(exc.__traceback__)[-1]
    return [
        f"cn-crossborder could not evaluate this item: {type(exc).__name__}: {exc} "
        f"({where.filename.rsplit('/', 1)[-1]}:{where.lineno}). Treated as a failure so it is not "
        "passed silently; please report it."
    ]


class _InventoryCheck(BaseYamlCheck):
    """Shared plumbing: rule metadata, the scanned file, the result configuration hand-over."""

    def __init__(self, rule_id: str, entity: str, block_type: str) -> None:
        rule = get_rule(rule_id)
        super().__init__(
            name=rule.title,
            id=rule.id,
            categories=[CATEGORIES[rule.category]],
            supported_entities=[entity],
            block_type=block_type,
        )
        self.rule = rule
        self.severity = Severities[rule.severity]
        self._file = ""

    def run(
        self, scanned_file: str, entity_configuration: Any, entity_name: str, entity_type: str, skip_info: Any
    ) -> Any:
        self._file = scanned_file
        return super().run(scanned_file, entity_configuration, entity_name, entity_type, skip_info)

    def judge(self, conf: Any) -> Judgement | None:
        raise NotImplementedError

    def scan_entity_conf(self, conf: Any, entity_type: str) -> Any:
        try:
            judgement = self.judge(conf)
        except Exception as exc:  # never let Checkov hide an error as UNKNOWN
            section = SECTIONS[self.rule.id]
            judgement = Judgement(CheckResult.FAILED, item_name(section, conf), _error_details(exc))
        if judgement is None:
            return CheckResult.UNKNOWN
        self.details = list(judgement.details)
        out = dict(conf) if isinstance(conf, dict) else {}
        out.setdefault(_START, 1)
        # Checkov's yaml runner reports lines [start, end + 1]: hand it the item's last line - 1.
        out[_END] = item_end(self._file, out[_START], out.get(_END, out[_START])) - 1
        out[RESOURCE_KEY] = judgement.resource
        out[DETAILS_KEY] = list(judgement.details)
        if judgement.suppress:
            out[SUPPRESS_KEY] = judgement.suppress
        return judgement.result, out


class InventoryItemCheck(_InventoryCheck):
    """One rule on every ``devices[]`` or ``links[]`` item of every inventory."""

    def __init__(self, rule_id: str) -> None:
        super().__init__(rule_id, f"{SECTIONS[rule_id.upper()]}[]", BlockType.ARRAY)

    def judge(self, conf: Any) -> Judgement | None:
        return judge_item(self.rule, self._file, conf)


class InventoryFileCheck(_InventoryCheck):
    """One rule on a whole inventory file: fails only a broken file that no item finding covers."""

    def __init__(self, rule_id: str) -> None:
        super().__init__(rule_id, "cn-crossborder-inventory", BlockType.DOCUMENT)

    def run(
        self, scanned_file: str, entity_configuration: Any, entity_name: str, entity_type: str, skip_info: Any
    ) -> Any:
        # Checkov hands a whole-file check every skip comment of the file, including those that
        # skip one item; none of them may skip the finding that the file itself is broken.
        return super().run(scanned_file, entity_configuration, entity_name, entity_type, {})

    def judge(self, conf: Any) -> Judgement | None:
        return judge_file(self.rule, self._file, conf)


def inventory_checks(rule_id: str) -> tuple[InventoryItemCheck, InventoryFileCheck]:
    """The item check and the per-file check of one rule, for a module of the checks directory."""
    return InventoryItemCheck(rule_id), InventoryFileCheck(rule_id)


# ----------------------------------------------------------------------- hooks into the yaml runner


def _section_of(check_id: Any) -> str:
    return SECTIONS.get(str(check_id), "")


def name_and_explain(kwargs: dict[str, Any]) -> None:
    """Records of our checks are named after the item and carry their details and exemption reason."""
    if kwargs.get("check_class") != __name__:
        return
    result = kwargs.get("check_result")
    conf = result.get("results_configuration") if isinstance(result, dict) else None
    if not isinstance(conf, dict):
        return
    name = conf.pop(RESOURCE_KEY, None)
    details = conf.pop(DETAILS_KEY, None)
    suppress = conf.pop(SUPPRESS_KEY, None)
    if name is None:  # skipped by a checkov:skip comment: not judged, named all the same
        is_file = conf.get("kind") == INVENTORY_KIND or UNPARSED_KEY in conf
        name = FILE_RESOURCE if is_file else item_name(_section_of(kwargs.get("check_id")), conf)
    kwargs["resource"] = name
    if details and not kwargs.get("details"):
        kwargs["details"] = details
    if suppress:
        result["suppress_comment"] = suppress


def parse_inventory(original: Callable[..., Any], f: str, file_content: str | None = None) -> Any:
    """Checkov's YAML parse; an inventory it cannot parse becomes a stub the per-file checks fail."""
    parsed = original(f, file_content)
    if parsed is not None or not str(f).lower().endswith(YAML_SUFFIXES) or not is_inventory(str(f)):
        return parsed
    try:
        text = file_content if file_content is not None else Path(f).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    lines = [(i + 1, line) for i, line in enumerate(text.splitlines(keepends=True))] or [(1, "")]
    stub = {"kind": INVENTORY_KIND, UNPARSED_KEY: True, _START: 1, _END: len(lines)}
    return stub, lines
