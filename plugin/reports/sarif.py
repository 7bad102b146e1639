"""SARIF for code scanning: Checkov's own SARIF, completed with each rule's metadata and the fix.

Checkov's SARIF names a rule only by its title and attaches details in a shape the SARIF 2.1.0
schema rejects (attachments need an artifact location); GitHub code scanning shows a rule's help
next to every alert. So the rule entries get what the rule knows (what it protects, when it fails,
legal basis, fix), results carry the details in their message, and locations are made relative to
the directory the command runs in (the repository root in CI), which is what code scanning maps.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from cn_crossborder import __version__
from cn_crossborder.rules import all_rules

INFORMATION_URI = "https://github.com/cn-crossborder/cn-crossborder"
SEVERITY_SCORE = {"CRITICAL": "9.5", "HIGH": "8.0", "MEDIUM": "5.5", "LOW": "3.0", "INFO": "0.0"}
SEVERITY_LEVEL = {"CRITICAL": "error", "HIGH": "error", "MEDIUM": "warning", "LOW": "note", "INFO": "note"}
EXEMPTION_PREFIX = "cn-crossborder exemption"


def _rule_entry(rule: Any) -> dict[str, Any]:
    legal = [f"- {c.title}" + ("" if c.verified else " (UNVERIFIED: background only)") for c in rule.citations]
    fails_when = rule.fails_when[0].upper() + rule.fails_when[1:] + "."
    text = "\n".join(
        [
            rule.title,
            "",
            f"Fails when: {fails_when}",
            "",
            "Legal basis:",
            *legal,
            "",
            f"Fix: {rule.remediation}",
        ]
    )
    markdown = "\n".join(
        [
            f"**{rule.title}**",
            "",
            rule.protects,
            "",
            f"**Fails when:** {fails_when}",
            "",
            "**Legal basis:**",
            "",
            *legal,
            "",
            f"**Fix:** {rule.remediation}",
            "",
            f"Run `cn-crossborder explain {rule.id}` for sources.",
        ]
    )
    return {
        "id": rule.id,
        "name": "".join(w.capitalize() for w in rule.title.replace("-", " ").split() if w.isalnum()),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.protects},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": SEVERITY_LEVEL.get(rule.severity, "error")},
        "properties": {
            "security-severity": SEVERITY_SCORE.get(rule.severity, "5.5"),
            "problem.severity": "error" if rule.severity in ("CRITICAL", "HIGH") else "warning",
            "tags": ["security", "cn-crossborder", rule.category.lower()],
            "precision": "high",
        },
    }


def _relative(abs_path: str | None, fallback: str) -> str:
    """A file relative to the working directory when it lies below it, else ``fallback``."""
    if abs_path:
        try:
            return quote(Path(os.path.abspath(abs_path)).relative_to(Path.cwd().resolve()).as_posix())
        except ValueError:
            pass
    return quote(fallback.lstrip("/"))


def _uri(record: Any) -> str:
    return _relative(getattr(record, "file_abs_path", None), str(record.repo_file_path or record.file_path))


def _caller_location(record: Any) -> dict[str, Any] | None:
    """Where the module holding the resource is called, so a reviewer sees both places."""
    caller, lines = getattr(record, "caller_file_path", None), getattr(record, "caller_file_line_range", None)
    if not caller:
        return None
    abs_path, own = str(getattr(record, "file_abs_path", "") or ""), str(record.file_path)
    caller_abs = abs_path[: -len(own)] + caller if own and abs_path.endswith(own) else None
    location: dict[str, Any] = {"artifactLocation": {"uri": _relative(caller_abs, caller)}}
    if lines:
        location["region"] = {"startLine": int(lines[0]), "endLine": int(lines[1])}
    return {"id": 0, "physicalLocation": location, "message": {"text": "module call that creates this resource"}}


BASELINE_COMMENT = "baseline-skipped"  # Checkov's comment for baselined findings


def _message(record: Any) -> str:
    lines = [f"{record.check_name} ({record.resource})"]
    lines += [str(d) for d in (record.details or [])]
    return "\n".join(lines)


def sarif_document(reports: list[Any]) -> dict[str, Any]:
    """The SARIF 2.1.0 log of the failed and skipped findings of ``reports``."""
    from checkov.common.output.sarif import Sarif  # loaded only when SARIF is asked for

    doc = Sarif(reports=reports, tool="cn-crossborder").json
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    driver.pop("organization", None)
    driver.update({"name": "cn-crossborder", "version": __version__, "informationUri": INFORMATION_URI})
    driver["semanticVersion"] = __version__
    rules = all_rules()
    driver["rules"] = [_rule_entry(rules[r["id"]]) if r.get("id") in rules else r for r in driver.get("rules", [])]
    records = [rec for rep in reports for rec in (*rep.failed_checks, *rep.skipped_checks)]
    results = run.get("results", [])
    # Checkov emits one result per failed or skipped record, in this order (it drops only package
    # findings without data, which these checks never produce).
    paired = zip(results, records) if len(results) == len(records) else ((r, None) for r in results)
    for result, record in paired:
        result.pop("attachments", None)
        if record is None or record.check_id != result.get("ruleId"):
            continue
        result["message"] = {"text": _message(record)}
        location = result["locations"][0]["physicalLocation"]
        location["artifactLocation"] = {"uri": _uri(record)}
        result["properties"] = {"resource": record.resource}
        caller = _caller_location(record)
        if caller is not None:
            result["relatedLocations"] = [caller]
        comment = (record.check_result or {}).get("suppress_comment") or ""
        # an exemption of the policy, or a known finding of a baseline (scan --baseline)
        if "suppressions" in result and (comment.startswith(EXEMPTION_PREFIX) or comment == BASELINE_COMMENT):
            result["suppressions"] = [{"kind": "external", "justification": comment}]
    return doc


def render_sarif(reports: list[Any]) -> str:
    return json.dumps(sarif_document(reports), indent=2) + "\n"
