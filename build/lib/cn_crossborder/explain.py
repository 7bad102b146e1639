"""``cn-crossborder explain``: everything a reviewer needs about one check, as plain text."""

from __future__ import annotations

import textwrap

from cn_crossborder.rules import get_rule


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, width=100, initial_indent=indent, subsequent_indent=indent)


def explain(check_id: str) -> str:
    rule = get_rule(check_id)
    lines = [
        f"{rule.id}: {rule.title}",
        f"Severity: {rule.severity}",
        "",
        "What it protects:",
        _wrap(rule.protects),
    ]
    lines += ["", "Fails when:", _wrap(rule.fails_when[0].upper() + rule.fails_when[1:] + ".")]
    lines += ["", "Legal basis:"]
    for c in rule.citations:
        mark = "" if c.verified else " [UNVERIFIED: background only, not a ground for failing]"
        lines += [_wrap(f"- {c.title}{mark}: {c.text}"), _wrap(f"Source: {c.source}", "    ")]
    lines += ["", "How to fix:", _wrap(rule.remediation), "", "Resource types (cloud, type, what is read):"]
    for cov in rule.coverage:
        role = "reported" if cov.reported else "read"
        lines.append(f"  {cov.cloud:<13} {cov.resource_type:<45} [{role}] {cov.reads}")
    extra = getattr(rule, "explain_extra", None)
    if extra:
        lines += ["", extra]
    return "\n".join(lines)
