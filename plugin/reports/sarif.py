"""SARIF for code scanning: Checkov's own SARIF, completed with each rule's metadata and the fix.

Checkov's SARIF names a rule only by its title and attaches details in a shape the SARIF 2.1.0
schema rejects (attachments need an artifact location); GitHub code scanning shows a rule's help
next to every alert. So the rule entries get what the rule knows (what it protects, when it fails,
legal basis, fix), results carry the details in their message, locations are made relative to the
repository holding the working directory (``%SRCROOT%``; the repository root in CI), which is what
code scanning maps, and files that could not be parsed are tool execution notifications.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from cn_crossborder import __version__
from cn_crossborder.baseline import SKIP_COMMENT
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


SRCROOT = "%SRCROOT%"


def source_root(cwd: Path | None = None) -> Path:
    """Where artifact URIs start: the repository holding the working directory (the nearest
    ancestor with ``.git``; code scanning maps paths from the repository root), else the working
    directory itself. Scanning ``../x`` from a subdirectory thus still names ``x`` correctly."""
    cwd = (cwd or Path.cwd()).resolve()
    return next((d for d in (cwd, *cwd.parents) if (d / ".git").exists()), cwd)


def _location(abs_path: str | None, fallback: str, root: Path) -> dict[str, Any]:
    """An artifact location: relative to ``root`` (``%SRCROOT%``) when the file lies below it,
    else an absolute ``file:`` URI; never a ``../`` path that resolves to the wrong file."""
    if not abs_path:
        return {"uri": quote(fallback.lstrip("/")), "uriBaseId": SRCROOT}
    path = Path(os.path.abspath(abs_path))
    try:
        return {"uri": quote(path.relative_to(root).as_posix()), "uriBaseId": SRCROOT}
    except ValueError:
        return {"uri": path.as_uri()}


def _uri(record: Any, root: Path) -> dict[str, Any]:
    return _location(getattr(record, "file_abs_path", None), str(record.repo_file_path or record.file_path), root)


def _caller_location(record: Any, root: Path) -> dict[str, Any] | None:
    """Where the module holding the resource is called, so a reviewer sees both places."""
    caller, lines = getattr(record, "caller_file_path", None), getattr(record, "caller_file_line_range", None)
    if not caller:
        return None
    abs_path, own = str(getattr(record, "file_abs_path", "") or ""), str(record.file_path)
    caller_abs = abs_path[: -len(own)] + caller if own and abs_path.endswith(own) else None
    location: dict[str, Any] = {"artifactLocation": _location(caller_abs, caller, root)}
    if lines:
        location["region"] = {"startLine": int(lines[0]), "endLine": int(lines[1])}
    return {"id": 0, "physicalLocation": location, "message": {"text": "module call that creates this resource"}}


def _unparsed(file: str, root: Path) -> dict[str, Any]:
    """A file that could not be parsed: named, at error level, never a silent pass."""
    return {
        "level": "error",
        "message": {"text": f"{file} could not be parsed; it was not scanned. Fix the syntax so it can be checked."},
        "locations": [{"physicalLocation": {"artifactLocation": _location(file, file, root)}}],
        "descriptor": {"id": "parse-error"},
    }


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
    root = source_root()
    run["originalUriBaseIds"] = {SRCROOT: {"uri": root.as_uri() + "/"}}
    unparsed = sorted({str(f) for rep in reports for f in (getattr(rep, "parsing_errors", None) or [])})
    run["invocations"] = [
        {
            "executionSuccessful": not unparsed,
            "toolExecutionNotifications": [_unparsed(file, root) for file in unparsed],
        }
    ]
    # Checkov emits one result per failed or skipped record, in this order (it drops only package
    # findings without data, which these checks never produce).
    paired = zip(results, records) if len(results) == len(records) else ((r, None) for r in results)
    for result, record in paired:
        result.pop("attachments", None)
        if record is None or record.check_id != result.get("ruleId"):
            continue
        result["message"] = {"text": _message(record)}
        location = result["locations"][0]["physicalLocation"]
        location["artifactLocation"] = _uri(record, root)
        result["properties"] = {"resource": record.resource}
        caller = _caller_location(record, root)
        if caller is not None:
            result["relatedLocations"] = [caller]
        comment = (record.check_result or {}).get("suppress_comment") or ""
        # an exemption of the policy, or a known finding of a baseline (scan --baseline)
        if "suppressions" in result and (comment.startswith(EXEMPTION_PREFIX) or comment == SKIP_COMMENT):
            result["suppressions"] = [{"kind": "external", "justification": comment}]
    return doc


def render_sarif(reports: list[Any]) -> str:
    return json.dumps(sarif_document(reports), indent=2) + "\n"
