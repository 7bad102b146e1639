"""Approved carriers and the names they appear under, and operators that hold no gateway licence.

Only China Telecom, China Unicom and China Mobile may carry a cross-border line (see
``data/carriers.yaml`` for the legal basis and sources). Configs name them in dozens of ways: free
text ("China Unicom Global Ltd", "中国联通"), cloud enum values (``CU``, ``ChinaUnicom``, ``UNICOM``)
and abbreviations. Matching is tolerant of spelling but strict about short codes, so that ``cu`` is
China Unicom while "Securus" is nobody, and ``CO`` (another mainland provider) is never a carrier.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, TypeVar, Union

from cn_crossborder.domain.yamlsrc import load_packaged_yaml


@dataclass(frozen=True)
class Carrier:
    """A carrier a cross-border line may terminate on (built in, or added by a policy)."""

    id: str
    name: str
    name_zh: str
    names: tuple[str, ...]  # every name it is recognised under, display name first
    asns: tuple[int, ...]  # main ASNs: routing domains, not proof of a licensed product
    source: str
    builtin: bool
    regional_asns: tuple[int, ...] = ()  # provincial ASNs of the same group, still to be rechecked


@dataclass(frozen=True)
class KnownOperator:
    """An operator that shows up in configs but holds no international gateway licence."""

    name: str
    reason: str
    source: str
    id: str = ""
    unverified: bool = False  # the absence of a licence is inferred, not confirmed


Entry = Union[Carrier, KnownOperator]
_E = TypeVar("_E", Carrier, KnownOperator)

# Tokens dropped before comparing: company forms say nothing about who the carrier is.
_FILLER = frozenset(
    {"co", "ltd", "limited", "corporation", "corp", "group", "inc", "incorporated", "company", "llc", "plc"}
)
_ZH_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司", "股份")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[a-z0-9]+|[{_CJK}]+")
_IS_CJK = re.compile(rf"[{_CJK}]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_MAX_SPAN = 8  # longest alias, in tokens, looked for inside free text


def _tokens(text: str) -> list[str]:
    """Lower-cased word tokens: camelCase split, punctuation and company forms dropped."""
    text = _CAMEL.sub(" ", unicodedata.normalize("NFKC", text))
    out = []
    for tok in _TOKEN.findall(text.casefold()):
        if _IS_CJK.fullmatch(tok):
            tok = _strip_zh_suffixes(tok)
        out.append(tok)
    kept = [t for t in out if t not in _FILLER]
    return kept or out


def _strip_zh_suffixes(tok: str) -> str:
    changed = True
    while changed:
        changed = False
        for suffix in _ZH_SUFFIXES:
            if tok.endswith(suffix) and len(tok) > len(suffix):
                tok, changed = tok[: -len(suffix)], True
    return tok


def normalize(text: str) -> str:
    """Comparison key of a name: ``"China Unicom (Americas) Co., Ltd"`` -> ``chinaunicomamericas``."""
    return "".join(_tokens(text))


class _Matcher:
    """Alias index over carriers and known operators: exact value first, then longest phrase."""

    def __init__(self, entries: Iterable[tuple[str, Entry]], exact_only: frozenset[str]):
        self.exact: dict[str, Entry] = {}
        self.phrase: dict[str, Entry] = {}
        self.cjk_phrases: list[tuple[str, Entry]] = []
        for alias, entry in entries:
            key = normalize(alias)
            if not key:
                continue
            self.exact.setdefault(key, entry)
            if len(key) <= 2 or key in exact_only:
                continue  # "cu", "电信": too short to be looked for inside other words
            if key not in self.phrase:
                self.phrase[key] = entry
                if _IS_CJK.fullmatch(key):
                    self.cjk_phrases.append((key, entry))

    def find(self, text: str | None, kind: type[_E]) -> _E | None:
        """The ``kind`` entry ``text`` names, or None.

        An exact match decides alone. In free text, the longest name wins and a name inside a
        longer one does not count on its own ("China Telecom" inside "China Telecom Americas").
        """
        if not text or not isinstance(text, str):
            return None
        tokens = _tokens(text)
        hit = self.exact.get("".join(tokens))
        if hit is not None:
            return hit if isinstance(hit, kind) else None
        for entry in self._phrases_in(tokens):
            if isinstance(entry, kind):
                return entry
        return None

    def _phrases_in(self, tokens: list[str]) -> list[Entry]:
        """Entries named in ``tokens``, longest first, dropping names that overlap a longer one."""
        offsets = [0]
        for tok in tokens:
            offsets.append(offsets[-1] + len(tok))
        found: list[tuple[int, int, Entry]] = []  # (start, end) in the joined token string
        for i, tok in enumerate(tokens):
            compact = ""
            for j in range(i, min(len(tokens), i + _MAX_SPAN)):
                compact += tokens[j]
                entry = self.phrase.get(compact)
                if entry is not None:
                    found.append((offsets[i], offsets[j + 1], entry))
            if _IS_CJK.fullmatch(tok):  # Chinese has no spaces: look inside the run
                for key, entry in self.cjk_phrases:
                    at = tok.find(key)
                    while at >= 0:
                        found.append((offsets[i] + at, offsets[i] + at + len(key), entry))
                        at = tok.find(key, at + 1)
        found.sort(key=lambda f: (f[0] - f[1], f[0]))
        chosen: list[tuple[int, int, Entry]] = []
        for start, end, entry in found:
            if all(end <= s or start >= e for s, e, _ in chosen):
                chosen.append((start, end, entry))
        return [entry for _, _, entry in chosen]


def _cite(sources: Any) -> str:
    if isinstance(sources, str):
        return sources
    return "; ".join(f"{s['title']} ({s['url']}) [{s['trust']}]" for s in sources or ())


def _unique(names: Iterable[Any]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for name in names:
        if name:
            seen.setdefault(str(name), None)
    return tuple(seen)


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = load_packaged_yaml("carriers.yaml")
    return data


@cache
def builtin_carriers() -> dict[str, Carrier]:
    """The three licensed carriers, by id, in the order of the data file."""
    out = {}
    for cid, raw in _data()["carriers"].items():
        arm = raw.get("international_arm") or {}
        names = _unique(
            [
                raw["name"],
                raw["name_zh"],
                *raw.get("abbreviations", ()),
                arm.get("abbreviation"),
                arm.get("name"),
                arm.get("name_zh"),
                *raw.get("aliases", ()),
                *raw.get("exact_aliases", ()),
                *(v["value"] for v in raw.get("cloud_enum_values", ())),
            ]
        )
        asns = raw.get("asns", ())
        out[cid] = Carrier(
            id=cid,
            name=raw["name"],
            name_zh=raw["name_zh"],
            names=names,
            asns=tuple(a["asn"] for a in asns if not a.get("regional")),
            source=_cite(raw.get("source")),
            builtin=True,
            regional_asns=tuple(a["asn"] for a in asns if a.get("regional")),
        )
    return out


@cache
def known_operators() -> tuple[KnownOperator, ...]:
    """Operators without an international gateway licence that configs name in practice."""
    return tuple(
        KnownOperator(
            name=raw["name"],
            reason=" ".join(str(raw["reason"]).split()),
            source=_cite(raw.get("source")),
            id=raw["id"],
            unverified=bool(raw.get("unverified", False)),
        )
        for raw in _data()["not_licensed"]
    )


@cache
def _exact_only() -> frozenset[str]:
    """Names listed as ``exact_aliases``: real names that would misfire inside other words."""
    raws = [*_data()["carriers"].values(), *_data()["not_licensed"]]
    return frozenset(normalize(alias) for raw in raws for alias in raw.get("exact_aliases", ()))


@lru_cache(maxsize=64)
def _matcher(extra: tuple[Carrier, ...]) -> _Matcher:
    entries: list[tuple[str, Entry]] = []
    for carrier in (*builtin_carriers().values(), *extra):
        entries += [(name, carrier) for name in (carrier.id, *carrier.names)]
    raw_by_id = {raw["id"]: raw for raw in _data()["not_licensed"]}
    for op in known_operators():
        raw = raw_by_id[op.id]
        entries += [(name, op) for name in (*raw.get("aliases", ()), *raw.get("exact_aliases", ()))]
    return _Matcher(entries, _exact_only())


def match_carrier(text: str | None, extra: Iterable[Carrier] = ()) -> Carrier | None:
    """The built-in (or ``extra``) carrier that ``text`` names, approved or not; None if none.

    ``text`` may be an id (``china_unicom``), a cloud enum value (``CU``, ``ChinaUnicom``) or free
    text ("provider: China Telecom (CTG)"). A text that names an unlicensed operator is None.
    """
    return _matcher(tuple(extra)).find(text, Carrier)


def match_not_licensed(text: str | None) -> KnownOperator | None:
    """The unlicensed operator that ``text`` names (``CO``, "GDS", "中国广电"), or None."""
    return _matcher(()).find(text, KnownOperator)


def carrier_for_asn(asn: int, extra: Iterable[Carrier] = (), regional: bool = True) -> Carrier | None:
    """The carrier an ASN belongs to; a hint only, since an ASN says nothing about the product."""
    for carrier in (*builtin_carriers().values(), *extra):
        if asn in carrier.asns or (regional and asn in carrier.regional_asns):
            return carrier
    return None
