"""What a scan is evaluated against: the policy and the evaluation date.

``cn-crossborder scan`` passes both to Checkov's process through the environment, so that plain
``checkov --external-checks-dir`` runs, which read the same variables, reach the same verdicts.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from cn_crossborder.domain.policy import Policy, default_policy, discover_policy, load_policy
from cn_crossborder.domain.yamlsrc import InputError, Problem

AS_OF_ENV = "CN_CROSSBORDER_AS_OF"


@dataclass(frozen=True)
class ScanContext:
    policy: Policy
    as_of: dt.date
    problems: tuple[Problem, ...] = ()


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def parse_as_of(value: str | None) -> dt.date:
    """The evaluation date: YYYY-MM-DD only (``fromisoformat`` also takes ``20261123``, ``2026-W48-1``)."""
    if not value:
        return dt.date.today()
    text = value.strip()
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a date; expected YYYY-MM-DD") from None


def scanned_root(files: Iterable[str]) -> str:
    """The directory a scan was started from, as far as the scanned files tell."""
    dirs = [os.path.dirname(f) for f in files if f]
    if not dirs:
        return os.getcwd()
    try:
        return os.path.commonpath(dirs)
    except ValueError:  # files on different drives
        return dirs[0]


def context_for(files: Iterable[str], environ: Mapping[str, str] = os.environ) -> ScanContext:
    """The policy in force for the scanned files; a broken policy is carried, not raised.

    Inside Checkov a check cannot stop the run, so problems travel with the context and every
    finding names them: an invalid policy never passes silently.
    """
    problems: list[Problem] = []
    try:
        as_of = parse_as_of(environ.get(AS_OF_ENV))
    except ValueError as exc:
        problems.append(Problem(AS_OF_ENV, None, "", str(exc)))
        as_of = dt.date.today()
    path: Path | None = discover_policy(scanned_root(files), environ=environ)
    if path is None:
        return ScanContext(default_policy(), as_of, tuple(problems))
    try:
        return ScanContext(load_policy(path), as_of, tuple(problems))
    except InputError as exc:
        return ScanContext(default_policy(), as_of, (*problems, *exc.problems))
