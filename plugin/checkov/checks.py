"""The one Checkov check class every rule uses: find the resource in the model, ask, explain.

Checkov turns any exception in a check into an UNKNOWN result that no report shows; here an
unexpected error becomes a FAILED finding that says so, because a silent pass is the worst outcome.
Policy exemptions are applied here, the same way for every rule.
"""

from __future__ import annotations

import functools
import os
import re
import traceback
from dataclasses import replace
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import (
    BaseResourceCheck as CfnBaseResourceCheck,
)
from checkov.common.bridgecrew.severities import Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.module.base_module_check import BaseModuleCheck
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from cn_crossborder.checkov.internals import (
    ADDRESS_KEY,
    DETAILS_KEY,
    ScannedTerraform,
    load_template,
    scanned_terraform,
    template_path,
    terraform_tree_graph,
)
from cn_crossborder.clouds.cloudformation import CFN_RESOURCE_TYPES
from cn_crossborder.domain import jurisdictions
from cn_crossborder.domain.endpoints import Endpoint
from cn_crossborder.domain.resource import Resource
from cn_crossborder.model import NetworkModel
from cn_crossborder.network import model_for, template_model, tree_model
from cn_crossborder.rules import Rule, get_rule
from cn_crossborder.sources.terraform import UnreadModule
from cn_crossborder.verdicts import FAILED, FINDING_KEY, UNREAD_MODULE_KEY, Verdict

CATEGORIES = {"NETWORKING": CheckCategories.NETWORKING, "ENCRYPTION": CheckCategories.ENCRYPTION}


def _endpoint_data(endpoint: Endpoint) -> dict[str, Any]:
    return {
        "label": endpoint.label,
        "jurisdiction": jurisdictions.describe(endpoint.jurisdiction),
        "how": endpoint.how,
        "verified": endpoint.verified,
    }


def finding_record(model: NetworkModel, rule: Rule, verdict: Verdict, exemption: str | None = None) -> dict[str, Any]:
    """One finding as data: verdict, reason, both ends of every link with how each was resolved,
    and for a failure its legal basis and fix (each report renders it; the details lines say the same
    for people). A pass has nothing to fix, and leaving the rule's texts out of it keeps a large
    tree's report small."""
    failed = verdict.failed
    return {
        "rule": rule.id,
        "result": verdict.result,
        "reason": verdict.reason,
        "links": [{"local": _endpoint_data(a), "remote": _endpoint_data(b)} for a, b in verdict.links],
        "legal_basis": [c.title for c in rule.citations if c.verified] if failed else [],
        "fix": rule.remediation if failed else None,
        "policy_problems": [str(p) for p in model.context.problems],
        "exemption": exemption,
    }


def metadata(rule: Rule) -> dict[str, Any]:
    """A Checkov check's name, id and categories, from its rule."""
    return {"name": rule.title, "id": rule.id, "categories": [CATEGORIES[rule.category]]}


def apply_exemption(model: NetworkModel, rule: Rule, address: str, verdict: Verdict) -> tuple[Verdict, str | None]:
    """A valid exemption turns a failure into a skip with its reason; an expired one is named."""
    if not verdict.failed:
        return verdict, None
    exemption = model.context.policy.exemption_for(rule.id, address)
    if exemption is None:
        return verdict, None
    if exemption.expires < model.context.as_of:
        note = f"Exemption for {rule.id} on {address} expired on {exemption.expires} ({exemption.reason})."
        return replace(verdict, details=[*verdict.details, note]), None
    return verdict, f"cn-crossborder exemption until {exemption.expires}: {exemption.reason}"


def finding_details(model: NetworkModel, rule: Rule, verdict: Verdict) -> list[str]:
    lines = list(verdict.details)
    if model.context.problems:
        lines += [f"Policy problem: {p}" for p in model.context.problems]
    if verdict.failed:
        # The sentence that decided the failure is marked where it stands, not repeated.
        reason = verdict.reason.rstrip(".")
        at = next((i for i, line in enumerate(lines) if line.rstrip(".") == reason), None)
        if at is None:
            lines.append(f"Why: {verdict.reason}")
        else:
            lines[at] = f"Why: {lines[at]}"
        lines += [rule.legal_line(), f"Fix: {rule.remediation}"]
    return lines


class _RuleCheck:
    """What every framework's check class shares: metadata from the rule, verdict, exemption, errors."""

    rule: Rule
    details: list[str]
    finding: dict[str, Any] | None
    severity: Any  # Checkov's BaseCheck.__init__ sets None, which mypy would take as the only type
    _suppress: str | None
    _address: str | None = None  # the address the record is reported under, when not Checkov's

    def _adopt(self, rule: Rule) -> None:
        self.rule = rule
        self.severity = Severities[rule.severity]
        self._suppress = None

    def run(self, *args: Any, **kwargs: Any) -> Any:
        self._suppress = None
        self.finding = None
        self._address = None
        result = super().run(*args, **kwargs)  # type: ignore[misc]  # Checkov's base class, next in the MRO
        if self._suppress and result.get("result") == CheckResult.SKIPPED:
            result["suppress_comment"] = self._suppress
        if self.finding is not None:
            result[FINDING_KEY] = self.finding
        if self._address:
            result[ADDRESS_KEY] = self._address
        return result

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        try:
            return self._scan(conf)
        except Exception as exc:  # never let Checkov hide an error as UNKNOWN
            where = traceback.extract_tb(exc.__traceback__)[-1]
            self.details = [
                f"cn-crossborder could not evaluate this resource: {type(exc).__name__}: {exc} "
                f"({where.filename.rsplit('/', 1)[-1]}:{where.lineno}). Treated as a failure so it is "
                "not passed silently; please report it."
            ]
            return CheckResult.FAILED

    def scan_module_conf(self, conf: dict[str, Any]) -> CheckResult:
        return self.scan_resource_conf(conf)

    def _scan(self, conf: dict[str, Any]) -> CheckResult:
        raise NotImplementedError

    def _judge(self, model: NetworkModel, res: Resource) -> CheckResult:
        verdict = self.rule.judge(model, res)
        if verdict is None:  # not reported on this resource: Checkov shows no UNKNOWN result
            self.details = []
            return CheckResult.UNKNOWN
        verdict, suppress = apply_exemption(model, self.rule, res.address, verdict)
        self.details = finding_details(model, self.rule, verdict)
        self.finding = finding_record(model, self.rule, verdict, suppress)
        if suppress:
            self._suppress = suppress
            return CheckResult.SKIPPED
        if model.context.problems:
            return CheckResult.FAILED
        return CheckResult.FAILED if verdict.result == FAILED else CheckResult.PASSED


def _tree_model(where: ScannedTerraform) -> NetworkModel:
    """The model of the whole tree ``where`` is in, ``.tf.json`` files read with the ``.tf`` ones."""
    key = ("terraform-tree", where.root, where.var_files, where.excluded_paths)
    return tree_model(key, lambda: terraform_tree_graph(where.root, where.var_files, where.excluded_paths)[0])


def _beside_terraform_json(file: str) -> bool:
    """Whether the module of ``file`` also has ``.tf.json`` files (Checkov's graph leaves them out)."""
    directory = os.path.dirname(file)
    try:
        return _holds_terraform_json(directory, os.stat(directory).st_mtime_ns)
    except OSError:
        return False


@functools.lru_cache(maxsize=4096)
def _holds_terraform_json(directory: str, _version: int) -> bool:
    """``directory`` as of its modification time ``_version`` (adding or removing a file changes it)."""
    return any(entry.name.endswith(".tf.json") for entry in os.scandir(directory))


def _block_address(found: list[Resource], rtype: str, name: str) -> str:
    """The address a record of one block is reported under: the resource's, or the block's."""
    if len(found) == 1:
        return found[0].address
    bare = {re.sub(r"\[[^\]]*\]", "", res.address) for res in found}
    return bare.pop() if len(bare) == 1 else f"{rtype}.{name}"


class TerraformRuleCheck(_RuleCheck, BaseResourceCheck):
    """A Checkov resource check backed by one cn-crossborder rule.

    On HCL it judges the resource in the model of the graph Checkov hands it. On Terraform JSON
    (``.tf.json``, Checkov's terraform_json framework, which hands no graph), and on HCL in a module
    that also has ``.tf.json`` files, it judges the block in the model of the whole tree read with
    them (``internals.terraform_tree_graph``); a block that stands for several instances (a module
    called twice, ``count``) is judged against every one.
    """

    def __init__(self, rule_id: str) -> None:
        rule = get_rule(rule_id)
        super().__init__(**metadata(rule), supported_resources=rule.resource_types)
        self._adopt(rule)

    def scan_entity_conf(self, conf: dict[str, Any], entity_type: str) -> CheckResult:
        """Checkov's, without its rewriting of ``dynamic`` blocks in ``conf``: the rules read the
        model (which expands them, ``sources.dynamic``), never ``conf``'s blocks, and on Terraform JSON
        that rewriting raises on the line numbers inside a ``dynamic`` block, so that the resource
        would get no record at all."""
        self.entity_type = entity_type
        if conf.get("count") == [0]:
            return CheckResult.UNKNOWN
        return self.scan_resource_conf(conf)

    def _scan(self, conf: dict[str, Any]) -> CheckResult:
        scanned_file, _, entity = self.entity_path.partition(":")
        if scanned_file.endswith(".tf.json") or self.graph is None:
            return self._scan_json(conf, scanned_file, entity)
        model = model_for(self.graph)
        address = str(conf.get("__address__", ""))
        line = conf.get("__start_line__")
        res = model.config.find(address, scanned_file, line if isinstance(line, int) else None)
        if res is not None and _beside_terraform_json(res.file):
            where = scanned_terraform(scanned_file)
            if where is not None:
                model = _tree_model(where)
                res = model.config.find(address, scanned_file, line if isinstance(line, int) else None)
        if res is None:
            self.details = [f"{address} was not found in the scanned graph; it could not be judged."]
            return CheckResult.FAILED
        return self._judge(model, res)

    def _scan_json(self, conf: dict[str, Any], scanned_file: str, entity: str) -> CheckResult:
        rtype, _, name = entity.partition(":")
        line = conf.get("__startline__", conf.get("__start_line__"))
        where = scanned_terraform(scanned_file)
        if where is None or not isinstance(line, int):
            self.details = [f"{rtype}.{name} in {scanned_file} could not be located; it could not be judged."]
            return CheckResult.FAILED
        model = _tree_model(where)
        found = model.config.block_at(where.file, line, rtype, name)
        if not found:
            self.details = [f"{rtype}.{name} ({where.file}:{line}) was not found in the tree; it could not be judged."]
            return CheckResult.FAILED
        self._address = _block_address(found, rtype, name)
        if len(found) == 1:
            return self._judge(model, found[0])
        block = replace(found[0], address=self._address, instances=found, refs={})
        return self._judge(model, block)


def unread_module_finding(module: UnreadModule) -> dict[str, Any]:
    return {"file": module.file, "line": module.line, "name": module.name, "source": module.source, "why": module.why}


class TerraformModuleCheck(_RuleCheck, BaseModuleCheck):
    """A module call whose source resolves to no files (not found, or not downloaded: scan never
    downloads) fails every Terraform rule: nothing in it was judged. Checkov only logs a warning.
    Any other module call gets no record of ours (its resources are judged where they are)."""

    def __init__(self, rule_id: str) -> None:
        rule = get_rule(rule_id)
        super().__init__(**metadata(rule))
        self._adopt(rule)

    def _scan(self, conf: dict[str, Any]) -> CheckResult:
        scanned_file, _, entity = self.entity_path.partition(":")
        name = entity.rpartition(":")[2]
        if scanned_file.endswith(".tf.json") or self.graph is None:
            where = scanned_terraform(scanned_file)
            if where is None:
                self.details = [
                    f'module "{name}" in {scanned_file} could not be located; its source could not be checked.'
                ]
                return CheckResult.FAILED
            model = _tree_model(where)
        else:
            model = model_for(self.graph)
        module = model.config.unread_module_at(scanned_file, name)
        if module is None:
            self.details = []
            return CheckResult.UNKNOWN
        self._address = module.address  # Checkov names a module record by the bare call name
        reason = f'module "{module.name}" (source {module.source}) could not be read: {module.why}'
        verdict = Verdict(FAILED, reason, [f"{reason}. Nothing in it was judged, so it cannot pass."])
        verdict, suppress = apply_exemption(model, self.rule, module.address, verdict)
        self.details = [
            *verdict.details,
            "Fix: correct the module's source, or make it available where the scan runs (vendor a registry or "
            "git module under a local path), then scan again; to accept it unread, exempt "
            f"{module.address} in .cn-crossborder.yaml.",
        ]
        self.finding = {
            **finding_record(model, self.rule, verdict, suppress),
            UNREAD_MODULE_KEY: unread_module_finding(module),
        }
        if suppress:
            self._suppress = suppress
            return CheckResult.SKIPPED
        return CheckResult.FAILED


class CloudFormationRuleCheck(_RuleCheck, CfnBaseResourceCheck):
    """The same rule on CloudFormation templates, judged on a model built from the template file.

    Checkov sets no graph for CloudFormation checks, so the model is built per template (loaded once,
    see ``cn_crossborder.network.template_model``); exemptions and details work exactly as for Terraform.
    """

    def __init__(self, rule_id: str) -> None:
        rule = get_rule(rule_id)
        super().__init__(**metadata(rule), supported_resources=list(CFN_RESOURCE_TYPES.get(rule.id, ())))
        self._adopt(rule)

    def run(self, *args: Any, **kwargs: Any) -> Any:
        result = super().run(*args, **kwargs)
        if self.details:
            result[DETAILS_KEY] = list(self.details)
        return result

    def _scan(self, conf: dict[str, Any]) -> CheckResult:
        scanned_file, _, _ = self.entity_path.partition(":")
        path = str(conf.get("__file__") or template_path(scanned_file) or "")
        logical_id = self.entity_path.rsplit(":", 1)[-1]
        address = f"{conf.get('Type', self.entity_type)}.{logical_id}"
        model = template_model(path, load_template) if path else None
        found = model.config.by_address.get(address) if model is not None else None
        if model is None or not found:
            where = path or "its template"
            self.details = [f"{address} could not be located in {where}; it could not be judged."]
            return CheckResult.FAILED
        return self._judge(model, found[0])
