"""What a rule reads on which resource type: declared by each cloud adapter, shown in docs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Coverage:
    """A resource type a rule reports on (``reported``) or only reads, and what it reads there."""

    cloud: str
    resource_type: str
    reads: str
    reported: bool = True
