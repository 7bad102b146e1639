"""``--format markdown``: the summary a reviewer reads in a pull-request comment.

Counts first, then one table row per failed finding (check, resource, file:line, why, fix), the
accepted exemptions, and a Mermaid flowchart of the cross-border links the checks saw, so that a
reviewer sees at a glance which network joins which jurisdiction over what. Rows and diagram come
from each record's structured finding (``check_result["cn_crossborder"]``: reason, links with both
endpoints, fix), never from parsing the details text; GitHub and GitLab render ``mermaid`` blocks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cn_crossborder.rules import all_rules
from cn_crossborder.verdicts import recorded_finding

TITLE = "cn-crossborder"
MAX_WHY_LINES = 3
MAX_EDGE_LABELS = 4


# ------------------------------------------------------------------------------------ helpers


def _cell(text: Any) -> str:
    """Text safe inside a Markdown table cell: no pipes, no raw HTML, no line breaks."""
    out = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return out.replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


_MERMAID_CODES = {
    "#": "#35;",
    "&": "#38;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "|": "#124;",
    "`": "#96;",
}


def _mermaid(text: str) -> str:
    """Text safe inside a quoted Mermaid label: entity codes for the characters Mermaid parses."""
    return "".join(_MERMAID_CODES.get(ch, ch) for ch in str(text).replace("\n", " "))


def _records(reports: Iterable[Any], attr: str) -> list[Any]:
    return [rec for rep in reports for rec in (getattr(rep, attr, None) or [])]


def _location(rec: Any) -> str:
    path = str(getattr(rec, "repo_file_path", None) or rec.file_path).lstrip("/")
    lines = getattr(rec, "file_line_range", None) or []
    start = lines[0] if lines else 0
    return f"{path}:{start}" if start else path


def _order(rec: Any) -> tuple[str, str, int, str]:
    path = str(getattr(rec, "repo_file_path", None) or rec.file_path)
    lines = getattr(rec, "file_line_range", None) or [0]
    return (rec.check_id, path, int(lines[0] or 0), rec.resource)


def _why(rec: Any) -> str:
    """The finding's own reason; a record without one (an error, a broken inventory) shows its details."""
    reason = recorded_finding(rec).get("reason")
    if reason:
        return str(reason)
    lines = list(dict.fromkeys(str(d) for d in (rec.details or [])))
    if not lines:
        return str(rec.check_name)
    more = len(lines) - MAX_WHY_LINES
    text = "\n".join(lines[:MAX_WHY_LINES])
    return text + (f"\n(+{more} more in the details)" if more > 0 else "")


_ABBREVIATIONS = ("e.g", "i.e", "etc", "cf", "vs", "Art", "Arts", "No", "Nos")


def _first_sentence(text: str) -> str:
    """The fix's first complete sentence, else the whole fix: never cut inside a parenthesis, a
    quotation or after an abbreviation ("e.g."), so the table never shows half an instruction."""
    text = text.strip()
    depth, quoted = 0, False
    for index, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        elif char in '`"':
            quoted = not quoted
        elif char == "." and depth == 0 and not quoted:
            rest = text[index + 1 :]
            if rest and not re.match(r"\s+[A-Z`(\"]", rest):
                continue  # a decimal point, a file name, a lower-case continuation
            word = re.split(r"[\s(]", text[:index])[-1]
            if word in _ABBREVIATIONS or word.lower() in _ABBREVIATIONS:
                continue
            return text[: index + 1]
    return text


def _fix(check_id: str) -> str:
    rule = all_rules().get(check_id)
    return rule.remediation if rule else ""


def _verdict(rec: Any) -> str:
    result = rec.check_result.get("result")
    return str(getattr(result, "value", result) or "")


# ------------------------------------------------------------------------------------ diagram


@dataclass(frozen=True)
class _Node:
    label: str
    jurisdiction: str

    @property
    def mainland(self) -> bool:
        return self.jurisdiction == "CN"


@dataclass
class _Graph:
    nodes: dict[_Node, str] = field(default_factory=dict)
    edges: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)

    def node(self, node: _Node) -> str:
        return self.nodes.setdefault(node, f"n{len(self.nodes)}")

    def add(self, a: _Node, b: _Node, label: str, verdict: str) -> None:
        if a.mainland == b.mainland:
            return  # both in mainland China, or neither: not a cross-border link
        key = (self.node(a), self.node(b))
        entries = self.edges.setdefault(key, [])
        if (label, verdict) not in entries:
            entries.append((label, verdict))


def _node(endpoint: Any) -> _Node:
    return _Node(str(endpoint.get("label", "?")), str(endpoint.get("jurisdiction", "unknown")))


ALL_RECORDS = ("failed_checks", "skipped_checks", "passed_checks")


def link_graph(reports: Iterable[Any], attrs: tuple[str, ...] = ALL_RECORDS) -> _Graph:
    """Cross-border links named in the structured records of ``attrs`` (all of them by default)."""
    graph = _Graph()
    reports = list(reports)
    for attr in attrs:
        for rec in _records(reports, attr):
            for link in recorded_finding(rec).get("links", ()):
                label = f"{rec.check_id} {_verdict(rec)}: {rec.resource}"
                graph.add(_node(link["local"]), _node(link["remote"]), label, _verdict(rec))
    return graph


def mermaid(graph: _Graph) -> str:
    lines = ["```mermaid", "flowchart LR"]
    for node, node_id in graph.nodes.items():
        where = "outside mainland China" if node.jurisdiction == "outside mainland China" else node.jurisdiction
        lines.append(f'    {node_id}["{_mermaid(node.label)}<br/>{_mermaid(where)}"]')
    styles = []
    for index, ((a, b), entries) in enumerate(graph.edges.items()):
        # failures first, then by check: the link's own check (1xx) before the route checks on it
        entries = sorted(entries, key=lambda e: (e[1] != "FAILED", e[0]))
        shown = [label for label, _ in entries[:MAX_EDGE_LABELS]]
        if len(entries) > MAX_EDGE_LABELS:
            shown.append(f"+{len(entries) - MAX_EDGE_LABELS} more")
        lines.append(f'    {a} ---|"{"<br/>".join(_mermaid(s) for s in shown)}"| {b}')
        if any(verdict == "FAILED" for _, verdict in entries):
            styles.append(f"    linkStyle {index} stroke:#d73a49,stroke-width:2px")
    mainland = [node_id for node, node_id in graph.nodes.items() if node.mainland]
    lines += styles
    if mainland:
        lines.append("    classDef mainland fill:#fde2e2,stroke:#d73a49")
        lines.append(f"    class {','.join(mainland)} mainland")
    lines.append("```")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------- report


def render_markdown(reports: Iterable[Any], known: list[Any] | None = None) -> str:
    """The pull-request comment for Checkov ``Report`` objects of a cn-crossborder scan.

    ``known`` are the records a baseline set aside (``scan --baseline``): they get their own
    section, and the diagram then shows only the links of the new findings, which is what the
    change adds, not the whole estate.
    """
    reports = list(reports)
    failed = _records(reports, "failed_checks")
    passed = _records(reports, "passed_checks")
    known_ids = {id(rec) for rec in known or ()}
    skipped = [rec for rec in _records(reports, "skipped_checks") if id(rec) not in known_ids]
    parse_errors = sorted({str(f) for rep in reports for f in (getattr(rep, "parsing_errors", None) or [])})

    status = "❌ failed" if failed or parse_errors else "✅ passed"
    out = [f"## {TITLE}: {status}", ""]
    counts = f"**{len(failed)} failed**"
    if known is not None:
        counts = f"**{len(failed)} new failed**, {len(known)} known (in the baseline)"
    out.append(
        f"{counts}, {len(passed)} passed, {len(skipped)} skipped"
        + (f", {len(parse_errors)} file(s) could not be parsed" if parse_errors else "")
        + "."
    )
    out.append("")

    if parse_errors:
        out += ["### Files that could not be parsed", ""]
        out += [f"- `{_cell(f)}`: not scanned; fix the syntax so it can be checked." for f in parse_errors]
        out.append("")

    if failed:
        out += [
            "### New findings" if known is not None else "### Findings",
            "",
            "| Check | Resource | File | Why | Fix |",
            "| --- | --- | --- | --- | --- |",
        ]
        for rec in sorted(failed, key=_order):
            out.append(
                f"| {rec.check_id} | `{_cell(rec.resource)}` | `{_cell(_location(rec))}` "
                f"| {_cell(_why(rec))} | {_cell(_first_sentence(_fix(rec.check_id)))} |"
            )
        out.append("")
        checks = sorted({rec.check_id for rec in failed})
        for check_id in checks:
            fix = _fix(check_id)
            if fix:
                out += [
                    f"<details><summary>How to fix {check_id}</summary>",
                    "",
                    fix,
                    "",
                    f"Legal basis and sources: `cn-crossborder explain {check_id}`.",
                    "",
                    "</details>",
                    "",
                ]

    if skipped:
        out += [
            "### Accepted (skipped)",
            "",
            "| Check | Resource | File | Reason |",
            "| --- | --- | --- | --- |",
        ]
        for rec in sorted(skipped, key=_order):
            reason = rec.check_result.get("suppress_comment") or "skipped"
            out.append(f"| {rec.check_id} | `{_cell(rec.resource)}` | `{_cell(_location(rec))}` | {_cell(reason)} |")
        out.append("")

    if known:
        out += _known_section(known)

    graph = link_graph(reports, ("failed_checks",) if known is not None else ALL_RECORDS)
    out += ["### Cross-border links of the new findings" if known is not None else "### Cross-border links", ""]
    if graph.edges:
        out += [
            "Each line joins two endpoints with their jurisdiction and names the resource, check and "
            "verdict; red lines carry a failure, red boxes are in mainland China.",
            "",
            mermaid(graph),
            "",
        ]
    elif known is not None:
        out += ["No new finding is on a cross-border link.", ""]
    else:
        out += ["No cross-border link was found in the scanned files.", ""]
    return "\n".join(out)


def _known_section(known: list[Any]) -> list[str]:
    """The baseline's findings that remain, folded: they are not what the change adds."""
    out = [
        "### Known findings (in the baseline)",
        "",
        f"<details><summary>{len(known)} known finding(s) remain</summary>",
        "",
        "| Check | Resource | File | Why |",
        "| --- | --- | --- | --- |",
    ]
    for rec in sorted(known, key=_order):
        out.append(f"| {rec.check_id} | `{_cell(rec.resource)}` | `{_cell(_location(rec))}` | {_cell(_why(rec))} |")
    return [*out, "", "</details>", ""]
