"""Jurisdiction codes shared by every resolver and check.

A jurisdiction is ``CN`` (mainland China), ``HK``, ``MO``, ``TW``, another ISO 3166-1 alpha-2
code, ``OUTSIDE`` (outside the mainland, country not catalogued) or ``None`` (unknown).
Hong Kong, Macao and Taiwan are outside the mainland for every rule of this project.
"""

from __future__ import annotations

from typing import Optional

CN = "CN"
HK = "HK"
MO = "MO"
TW = "TW"
OUTSIDE = "OUTSIDE"

Jurisdiction = Optional[str]


def describe(jurisdiction: Jurisdiction) -> str:
    if jurisdiction is None:
        return "unknown"
    if jurisdiction == OUTSIDE:
        return "outside mainland China"
    return jurisdiction
