"""Whether a free-text place (an IDC or office address) names a place in mainland China.

Used only where a cloud's own attribute for the customer's end of a dedicated line is trusted to
say where that end is (``far_end`` of a cloud spec). The names live in ``data/places.yaml`` with
their source. A text that names Hong Kong, Macao or Taiwan, or one of their districts and cities,
never matches, whatever else it names; a text that names no listed place proves nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from cn_crossborder.domain.yamlsrc import load_packaged_yaml


@dataclass(frozen=True)
class _Names:
    latin: re.Pattern[str] | None
    chinese: tuple[str, ...]

    def find(self, text: str) -> str | None:
        hits: list[tuple[int, str]] = []
        if self.latin is not None:
            hits += [(m.start(), m.group(0)) for m in self.latin.finditer(text)]
        hits += [(text.find(name), name) for name in self.chinese if name in text]
        return min(hits)[1] if hits else None


def _names(latin: Iterable[str], chinese: Iterable[str]) -> _Names:
    alts = []
    for name in sorted({n.strip() for n in latin if n.strip()}, key=len, reverse=True):
        parts = [re.escape(p) for p in re.split(r"[\s-]+", name) if p]
        alts.append("[ -]?".join(parts))
    pattern = re.compile(rf"(?<![A-Za-z])(?:{'|'.join(alts)})(?![A-Za-z])", re.I) if alts else None
    return _Names(pattern, tuple(sorted(set(chinese), key=len, reverse=True)))


@cache
def _lists() -> tuple[_Names, _Names]:
    data = load_packaged_yaml("places.yaml")
    mainland = _names(
        (n for entry in data["mainland"] for n in entry.get("en", ())),
        (n for entry in data["mainland"] for n in entry.get("zh", ())),
    )
    never = _names(
        (n for entry in data["never"] for n in entry.get("en", ())),
        (n for entry in data["never"] for n in entry.get("zh", ())),
    )
    return mainland, never


def mainland_place(text: object) -> str | None:
    """The mainland place ``text`` names (as written in it), or None.

    None when the text names no listed mainland place, or names any place in Hong Kong, Macao or
    Taiwan: ``"Shanghai Jinqiao IDC"`` -> ``"Shanghai"``; ``"Kowloon, Shanghai Street"`` -> None.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    work = unicodedata.normalize("NFKC", text)
    mainland, never = _lists()
    if never.find(work) is not None:
        return None
    return mainland.find(work)
