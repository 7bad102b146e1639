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

import os
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from checkov.common.bridgecrew.severities import Severities
from checkov.common.models.enums import CheckResult
from checkov.yaml_doc.base_yaml_check import BaseYamlCheck
from checkov.yaml_doc.enums import BlockType
from cn_crossborder.checkov.checks import FINDING_KEY, apply_exemption, finding_details, finding_record, metadata
from cn_crossborder.checkov.internals import DETAILS_KEY
from cn_crossborder.clouds.inventory import LINKS, link_kind
from cn_crossborder.domain.endpoints import CIRCUIT_TAG
from cn_crossborder.domain.yamlsrc import InputError, load_documents
from cn_crossborder.model import DEDICATED, VPN, NetworkModel
from cn_crossborder.network import Loaded, inventory_model
from cn_crossborder.rules import Rule, get_rule
from cn_crossborder.sources.inventory import (
    INVENTORY_KIND,
    YAML_SUFFIXES,
    is_inventory_file,
)
from cn_crossborder.verdicts import FAILED, Verdict

DEVICES = "devices"
SECTIONS = {
    "CKV_CNX_101": LINKS,
    "CKV_CNX_102": LINKS,
    "CKV_CNX_104": LINKS,
    "CKV_CNX_201": DEVICES,
    "CKV_CNX_202": DEVICES,
}
FILE_RESOURCE = "inventory"  # what a per-file finding is reported on

_START, _END = "__startline__", "__endline__"
# Keys of a result configuration that carry what Checkov's yaml runner does not: the item's name,
# the details and an exemption's reason. The record hook moves them into place.
RESOURCE_KEY = "__cn_crossborder_resource__"
SUPPRESS_KEY = "__cn_crossborder_suppress__"
UNPARSED_KEY = "__cn_crossborder_unparsed__"


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


# ------------------------------------------------------------------------------------- judging


@dataclass
class Judgement:
    """A verdict on one item, the name it is reported as, and an exemption's reason if one applies."""

    result: CheckResult
    resource: str
    details: list[str]
    suppress: str | None = None
    finding: dict[str, Any] | None = None


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
    loaded = inventory_model(path)
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
    if section == LINKS and (
        (rule.id == "CKV_CNX_101" and link_kind(found) != VPN)
        or (rule.id == "CKV_CNX_102" and link_kind(found) != DEDICATED)
    ):
        return None
    res = loaded.item_resources[f"{section}.{found.id}"]
    verdict = rule.evaluate(model, res)
    if verdict is None:
        return None
    return _conclude(rule, model, res.address, verdict)


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
        verdict = replace(verdict, reason=_inventory_words(verdict.reason), details=details)
    verdict, suppress = apply_exemption(model, rule, address, verdict)
    details = finding_details(model, rule, verdict)
    finding = finding_record(model, rule, verdict, suppress)
    if suppress:
        return Judgement(CheckResult.SKIPPED, address, details, suppress, finding)
    if model.context.problems or verdict.result == FAILED:
        return Judgement(CheckResult.FAILED, address, details, finding=finding)
    return Judgement(CheckResult.PASSED, address, details, finding=finding)


def judge_file(rule: Rule, path: str, conf: Any) -> Judgement | None:
    """The per-file finding: only for a broken inventory with no item of the rule's section to fail."""
    if not is_inventory(path):
        return None
    section = SECTIONS[rule.id]
    items = conf.get(section) if isinstance(conf, dict) and not conf.get(UNPARSED_KEY) else None
    if isinstance(items, list) and any(isinstance(i, dict) and _START in i for i in items):
        return None  # the item checks report on those
    loaded = inventory_model(path)
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

    severity: Any  # Checkov's BaseCheck.__init__ sets None, which mypy would take as the only type

    def __init__(self, rule_id: str, entity: str, block_type: str) -> None:
        rule = get_rule(rule_id)
        super().__init__(**metadata(rule), supported_entities=[entity], block_type=block_type)
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
        if judgement.finding is not None:
            out[FINDING_KEY] = judgement.finding
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
    if not isinstance(result, dict):
        return
    conf = result.get("results_configuration")
    if not isinstance(conf, dict):
        return
    name = conf.pop(RESOURCE_KEY, None)
    details = conf.pop(DETAILS_KEY, None)
    suppress = conf.pop(SUPPRESS_KEY, None)
    finding = conf.pop(FINDING_KEY, None)
    if finding is not None:
        result[FINDING_KEY] = finding
    if name is None:  # skipped by a checkov:skip comment: not judged, named all the same
        is_file = conf.get("kind") == INVENTORY_KIND or UNPARSED_KEY in conf
        name = FILE_RESOURCE if is_file else item_name(_section_of(kwargs.get("check_id")), conf)
    kwargs["resource"] = name
    if details and not kwargs.get("details"):
        kwargs["details"] = details
    if suppress:
        result["suppress_comment"] = suppress


def parse_inventory(original: Callable[..., Any], f: str, file_content: str | None = None) -> Any:
    """Checkov's YAML parse; an inventory it cannot parse becomes a stub the per-file checks fail.

    An inventory is first read by the tool's own safe loader: one it refuses (an alias bomb, deep
    nesting, bytes that are not UTF-8, duplicate keys, foreign tags) never reaches Checkov's
    parser, which would expand the aliases or keep the last duplicate, and is failed as a whole.
    """
    name = str(f)
    if not name.lower().endswith(YAML_SUFFIXES) or not is_inventory(name):
        return original(f, file_content)
    try:
        load_documents(name, file_content)
    except InputError:
        return _unparsed_stub(name, file_content)
    parsed = original(f, file_content)
    return parsed if parsed is not None else _unparsed_stub(name, file_content)


def _unparsed_stub(f: str, file_content: str | None) -> Any:
    try:
        text = file_content if file_content is not None else Path(f).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    lines = [(i + 1, line) for i, line in enumerate(text.splitlines(keepends=True))] or [(1, "")]
    stub = {"kind": INVENTORY_KIND, UNPARSED_KEY: True, _START: 1, _END: len(lines)}
    return stub, lines
