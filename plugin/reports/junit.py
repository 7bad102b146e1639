"""``--format junitxml``: one test case per resource and check, failures that carry the whole finding.

Checkov's own JUnit output names the check and the resource but leaves out what a reviewer needs
(both endpoints and how each was resolved, why it failed, the legal basis, the fix). This renders the
same test suites and case names as Checkov (so dashboards that read Checkov's JUnit keep working)
from each record's structured finding.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any

from cn_crossborder.verdicts import recorded_finding


def _result(rec: Any) -> str:
    result = rec.check_result.get("result")
    return str(getattr(result, "value", result) or "")


def _severity(rec: Any) -> str:
    severity = getattr(rec, "severity", None)
    return str(getattr(severity, "name", severity) or "NONE")


def _lines(rec: Any) -> str:
    lines = getattr(rec, "file_line_range", None) or []
    return f"{lines[0]}-{lines[1]}" if len(lines) == 2 else ""


def failure_text(rec: Any) -> str:
    """Everything a reviewer needs, in the order they read it."""
    finding = recorded_finding(rec)
    out = [f"Resource: {rec.resource}", f"File: {rec.file_path}: {_lines(rec)}"]
    for link in finding.get("links", ()):
        for end in (link["local"], link["remote"]):
            out.append(f"Endpoint: {end['label']}: {end['jurisdiction']} {end['how']}".rstrip())
    if finding.get("reason"):
        out.append(f"Why: {finding['reason']}")
    elif rec.details:
        out += [str(d) for d in rec.details]
    out += [f"Policy problem: {p}" for p in finding.get("policy_problems", ())]
    if finding.get("legal_basis"):
        out.append("Legal basis: " + "; ".join(finding["legal_basis"]))
    if finding.get("fix"):
        out.append(f"Fix: {finding['fix']}")
    return "\n".join(out)


def _case(rec: Any) -> ET.Element:
    case = ET.Element(
        "testcase",
        {
            "name": f"[{_severity(rec)}][{rec.check_id}] {rec.check_name}",
            "classname": f"{rec.file_path}.{rec.resource}",
            "file": str(rec.file_path),
        },
    )
    result = _result(rec)
    if result == "FAILED":
        finding = recorded_finding(rec)
        failure = ET.SubElement(
            case, "failure", {"type": "failure", "message": str(finding.get("reason") or rec.check_name)}
        )
        failure.text = failure_text(rec)
    elif result == "SKIPPED":
        ET.SubElement(
            case, "skipped", {"type": "skipped", "message": str(rec.check_result.get("suppress_comment") or "")}
        )
    return case


def _unparsed(check_type: str, file: str) -> ET.Element:
    """A file that could not be parsed is an error, never a silent pass."""
    case = ET.Element("testcase", {"name": f"[{check_type}] parse {file}", "classname": file, "file": file})
    error = ET.SubElement(
        case, "error", {"type": "parse", "message": f"{file} could not be parsed; it was not scanned"}
    )
    error.text = "Fix the syntax so that the file can be checked."
    return case


def render_junit(reports: Iterable[Any]) -> str:
    """JUnit XML for Checkov ``Report`` objects: a suite per framework, a case per record."""
    root = ET.Element("testsuites")
    for report in reports:
        records = [*report.passed_checks, *report.failed_checks, *report.skipped_checks]
        cases = [_case(rec) for rec in records]
        unparsed = sorted(str(f) for f in (getattr(report, "parsing_errors", None) or []))
        cases += [_unparsed(report.check_type, file) for file in unparsed]
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": f"{report.check_type} scan",
                "tests": str(len(cases)),
                "failures": str(len(report.failed_checks)),
                "errors": str(len(unparsed)),
                "skipped": str(len(report.skipped_checks)),
            },
        )
        suite.extend(cases)
    for total in ("tests", "failures", "errors", "skipped"):
        root.set(total, str(sum(int(suite.get(total, "0")) for suite in root)))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
