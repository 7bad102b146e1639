"""What one ``scan`` covers: its paths as Checkov runs, each under one policy, each finding once.

Each path is judged under its own policy (the nearest ``.cn-crossborder.yaml``), so the paths are
grouped by (directory, policy) and Checkov runs once per group; the reports are then merged into
one. A file is scanned with its directory, because a Terraform module is a directory (a provider or
a variable in a sibling file decides the region), and only the file's own findings are kept. Where
paths overlap, a finding belongs to the most specific path that holds its file: a subdirectory with
a policy of its own is judged under that policy, not its parent's, and a path inside a directory
scanned under the same policy adds nothing, so it is not run again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Target:
    """One path given to ``scan``, with the policy it is judged under."""

    path: Path  # resolved
    is_file: bool
    policy: Path | None  # resolved; None: the embedded defaults
    given: Path = field(compare=False, default=Path("."))  # as the user wrote it, for the report

    @property
    def directory(self) -> Path:
        return self.path.parent if self.is_file else self.path

    def holds(self, file: Path) -> bool:
        """Whether ``file`` (resolved) lies in this target."""
        return file == self.path or (not self.is_file and self.path in file.parents)


@dataclass(frozen=True)
class Run:
    """One Checkov run: a directory under one policy, reporting the findings its targets own."""

    directory: Path  # as given, for Checkov's relative paths
    policy: Path | None
    targets: tuple[Target, ...]


def target(path: Path, policy: Path | None) -> Target:
    return Target(path.resolve(), path.is_file(), policy.resolve() if policy else None, given=path)


def _covered(t: Target, by: Target) -> bool:
    """``by`` scans everything ``t`` does under the same policy, so ``t`` adds nothing."""
    return t != by and not by.is_file and by.policy == t.policy and by.holds(t.path)


class Scope:
    """The targets of a scan, reduced to the runs that cover them and who owns each finding."""

    def __init__(self, targets: Iterable[Target]):
        unique = list(dict.fromkeys(targets))
        self.targets = [t for t in unique if not any(_covered(t, other) for other in unique)]

    def runs(self) -> list[Run]:
        groups: dict[tuple[Path, Path | None], list[Target]] = {}
        for t in self.targets:
            groups.setdefault((t.directory, t.policy), []).append(t)
        return [
            Run(ts[0].given.parent if ts[0].is_file else ts[0].given, policy, tuple(ts))
            for (_, policy), ts in groups.items()
        ]

    def owner(self, file: Path) -> Target | None:
        """The most specific target holding ``file`` (resolved), if any."""
        holders = [t for t in self.targets if t.holds(file)]
        return max(holders, key=lambda t: (len(t.path.parts), t.is_file), default=None)

    def keeps(self, run: Run, file: Path) -> bool:
        """Whether ``run`` reports findings in ``file``: it owns the file, or no target holds it
        and the run scans a whole directory (a module outside every path, called from there)."""
        owner = self.owner(file)
        if owner is None:
            return any(not t.is_file for t in run.targets)
        return owner in run.targets
