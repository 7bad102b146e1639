"""Baselines: today's failed findings, so that a review fails only on what a change adds.

``cn-crossborder baseline`` writes the failed findings of a scan; ``scan --baseline FILE`` then
fails only on findings that are not in it. A finding is identified by a fingerprint: the SHA-256 of
its check id, its resource address and its file path relative to the scanned path, joined by NUL
bytes. Line numbers are left out on purpose, so that moving a block inside its file, or editing the
lines around it, keeps the finding known; renaming the resource, moving it to another file or a new
check failing on it makes a new finding (Checkov's own baseline keys findings on file, resource and
check the same way). Paths are relative to the scanned path, so a baseline written in one checkout
matches in another, and on another machine.

Known findings are not dropped from the reports: like Checkov's ``--output-baseline-as-skipped``,
they become SKIPPED with the comment ``baseline-skipped``, so every format still shows them and
code scanning receives them as suppressed, not as fixed.

Records are Checkov's, read duck-typed as the reports read them; Checkov itself is not imported.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

BASELINE_FILENAME = ".cn-crossborder-baseline.json"
FORMAT_VERSION = 1
KIND = "cn-crossborder/baseline"
SKIP_COMMENT = "baseline-skipped"  # Checkov's own comment for baselined findings
FINGERPRINT_DOC = "sha256 of check_id, resource and file (relative to the scanned path), NUL-separated"


class BaselineError(Exception):
    """A baseline file that is missing or is not a baseline: a usage error naming the file."""


@dataclass(frozen=True)
class Entry:
    """One known finding, as the baseline file records it."""

    fingerprint: str
    check_id: str
    resource: str
    file: str

    def as_dict(self) -> dict[str, str]:
        return {
            "fingerprint": self.fingerprint,
            "check_id": self.check_id,
            "resource": self.resource,
            "file": self.file,
        }


def fingerprint(check_id: str, resource: str, file: str) -> str:
    """Stable over line moves: no line numbers, only what names the finding."""
    return hashlib.sha256("\0".join((check_id, resource, file)).encode("utf-8")).hexdigest()


def _bases(paths: Sequence[Path]) -> list[Path]:
    """The directories findings are relative to: each scanned directory, or a scanned file's directory."""
    return [(p if p.is_dir() else p.parent).resolve() for p in paths]


def relative_file(rec: Any, paths: Sequence[Path]) -> str:
    """The record's file relative to the scanned path that holds it (the deepest one)."""
    raw = getattr(rec, "file_abs_path", None) or rec.file_path
    path = Path(str(raw)).resolve()
    for base in sorted(_bases(paths), key=lambda b: len(b.parts), reverse=True):
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            continue
    return str(rec.file_path).lstrip("/")


def entry(rec: Any, paths: Sequence[Path]) -> Entry:
    file = relative_file(rec, paths)
    return Entry(fingerprint(rec.check_id, rec.resource, file), rec.check_id, rec.resource, file)


def failed_records(reports: Iterable[Any]) -> list[Any]:
    return [rec for rep in reports for rec in (getattr(rep, "failed_checks", None) or [])]


def baseline_document(reports: Iterable[Any], paths: Sequence[Path]) -> dict[str, Any]:
    """The baseline of the failed findings of ``reports``, sorted so that it diffs well."""
    entries = {e.fingerprint: e for e in (entry(rec, paths) for rec in failed_records(reports))}
    ordered = sorted(entries.values(), key=lambda e: (e.file, e.resource, e.check_id))
    return {
        "kind": KIND,
        "version": FORMAT_VERSION,
        "fingerprint": FINGERPRINT_DOC,
        "findings": [e.as_dict() for e in ordered],
    }


def write_baseline(file: Path, reports: Iterable[Any], paths: Sequence[Path]) -> int:
    """Write the baseline; return how many findings it holds."""
    doc = baseline_document(reports, paths)
    try:
        file.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"baseline file {file} cannot be written: {exc.strerror or exc}") from None
    return len(doc["findings"])


def load_baseline(file: Path) -> frozenset[str]:
    """The fingerprints of a baseline file; BaselineError names the file and what is wrong."""
    if not file.is_file():
        raise BaselineError(f"baseline file {file} does not exist; write one with `cn-crossborder baseline`")
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise BaselineError(f"baseline file {file} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"baseline file {file}: line {exc.lineno}: not valid JSON ({exc.msg})") from None
    except OSError as exc:
        raise BaselineError(f"baseline file {file} cannot be read: {exc.strerror or exc}") from None
    if not isinstance(doc, dict) or doc.get("kind") != KIND:
        raise BaselineError(f"baseline file {file} is not a cn-crossborder baseline (expected kind: {KIND})")
    if doc.get("version") != FORMAT_VERSION:
        raise BaselineError(f"baseline file {file}: version {doc.get('version')!r} is not {FORMAT_VERSION}")
    findings = doc.get("findings")
    if not isinstance(findings, list):
        raise BaselineError(f"baseline file {file}: findings must be a list")
    out = set()
    for i, item in enumerate(findings):
        value = item.get("fingerprint") if isinstance(item, dict) else None
        if not isinstance(value, str) or len(value) != 64:
            raise BaselineError(f"baseline file {file}: findings[{i}] has no fingerprint (64 hex digits)")
        out.add(value.lower())
    return frozenset(out)


@dataclass
class Comparison:
    """What a baseline did to a scan: the known records it set aside, and entries no longer found."""

    file: Path
    known: list[Any]
    new: int
    gone: int

    def summary(self) -> str:
        gone = f"; {self.gone} baseline entr{'y' if self.gone == 1 else 'ies'} no longer found" if self.gone else ""
        return (
            f"baseline {self.file}: {self.new} new failed finding(s); {len(self.known)} known finding(s) remain{gone}"
        )


def _skipped(result: Any) -> Any:
    """SKIPPED in the type the record already uses (Checkov's enum, or a string)."""
    return type(result)("SKIPPED") if isinstance(result, Enum) else "SKIPPED"


def apply_baseline(file: Path, known: frozenset[str], reports: Iterable[Any], paths: Sequence[Path]) -> Comparison:
    """Set the known failures aside as SKIPPED (``baseline-skipped``), leaving only new ones failed."""
    moved: list[Any] = []
    seen: set[str] = set()
    new = 0
    for rep in reports:
        keep = []
        for rec in getattr(rep, "failed_checks", None) or []:
            fp = entry(rec, paths).fingerprint
            if fp in known:
                seen.add(fp)
                rec.check_result["result"] = _skipped(rec.check_result.get("result"))
                rec.check_result["suppress_comment"] = SKIP_COMMENT
                moved.append(rec)
                rep.skipped_checks.append(rec)
            else:
                keep.append(rec)
                new += 1
        if getattr(rep, "failed_checks", None) is not None:
            rep.failed_checks = keep
    return Comparison(file, moved, new, len(known - seen))
