"""The commercial encryption import licence list, and which vendor made a device.

CKV_CNX_201/202 need three facts about a device in mainland China: which import-list item it falls
under, where it was made, and whether its cryptography reaches the list's thresholds. The list
lives in ``data/import_list.yaml`` and the device catalogue in ``data/devices.yaml``, each fact with
its source; both are read on first use, not at import.

Device names come from free text (``device_name`` of a customer gateway, an inventory's vendor and
model, a ``cn-crossborder:device`` tag), so matching is tolerant: ``"Cisco ASA 5525-X"``,
``"cisco-asa"``, ``"PA-3220"`` and ``"华为 USG6000"`` are all recognised. Entries of the policy's
``devices:`` list take precedence over the catalogue, so a team can correct or extend it.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from cn_crossborder.domain import jurisdictions
from cn_crossborder.domain.yamlsrc import load_packaged_yaml

CATALOGUE = "catalogue"
POLICY = "policy"

VPN_DEVICE = "vpn_device"
CIPHER_MACHINE = "cipher_machine"
NO_CATEGORY = "none"

SYMMETRIC = "symmetric"
INTEGER_FACTORISATION = "integer_factorisation"
ELLIPTIC_CURVE = "elliptic_curve"


# ------------------------------------------------------------------------------------ import list


@dataclass(frozen=True)
class ImportItem:
    """One item type of the import list, with its key-length thresholds in bits."""

    id: str
    name_en: str
    name_zh: str
    thresholds: dict[str, int]  # symmetric / integer_factorisation / elliptic_curve -> minimum bits
    thresholds_verified: bool  # False: an indicator only, not a confirmed legal threshold
    source: str
    hs_code: str = "UNVERIFIED"
    note: str = ""


@dataclass(frozen=True)
class ImportList:
    """Announcement No. 63 of 2020: what needs an import licence, the exemption, the legal basis."""

    title: str
    announcement: str
    effective: _dt.date
    items: dict[str, ImportItem]
    exemption: str
    legal_basis: tuple[str, ...]
    note: str
    source: str


def _sources(value: Any) -> str:
    """A source list (url, what, trust) as one line a finding can quote."""
    if isinstance(value, str):
        return value
    parts = []
    for src in value or ():
        trust = f" [{src['trust']}]" if src.get("trust") else ""
        parts.append(f"{src['url']}{trust}")
    return "; ".join(parts)


def _as_date(value: Any) -> _dt.date:
    return value if isinstance(value, _dt.date) else _dt.date.fromisoformat(str(value))


def _cite(entry: Mapping[str, Any]) -> str:
    return f"{entry['instrument']} {entry['article']}"


@cache
def import_list() -> ImportList:
    """The Commercial Encryption Import Licence List as shipped in ``data/import_list.yaml``."""
    data = load_packaged_yaml("import_list.yaml")
    items = {
        raw["id"]: ImportItem(
            id=raw["id"],
            name_en=raw["name_en"],
            name_zh=raw["name_zh"],
            thresholds={k: int(v) for k, v in raw["thresholds"].items()},
            thresholds_verified=not raw.get("unverified", False),
            source=_sources(raw["source"]),
            hs_code=str(raw.get("hs_code", "UNVERIFIED")),
            note=" ".join(str(raw.get("note", "")).split()),
        )
        for raw in data["items"]
    }
    exemption = data["exemption"]
    basis = "; ".join(_cite(b) for b in exemption["basis"])
    return ImportList(
        title=f"{data['title']} ({data['title_zh']})",
        announcement=data["announcement"],
        effective=_as_date(data["effective"]),
        items=items,
        exemption=f"{' '.join(exemption['text'].split())} ({basis})",
        legal_basis=tuple(f"{_cite(b)}: {' '.join(b['summary'].split())}" for b in data["legal_basis"]),
        note=" ".join(data["note"].split()),
        source=_sources(data["source"]),
    )


# -------------------------------------------------------------------------------------- algorithms

_KIND_CLASS = {
    **dict.fromkeys(("symmetric", "sym", "block", "stream", "sm1", "sm4", "sm7", "zuc"), SYMMETRIC),
    **dict.fromkeys(("rsa", "ifp", "integer_factorisation", "integer_factorization"), INTEGER_FACTORISATION),
    **dict.fromkeys(("ecc", "ec", "ecdsa", "ecdh", "eddsa", "elliptic_curve", "sm2", "sm9"), ELLIPTIC_CURVE),
}
# Fixed key lengths of the Chinese standard algorithms (GB/T 32907 SM4, GB/T 32918 SM2, SM9 over
# a 256-bit BN curve; SM1, SM7 and ZUC use 128-bit keys).
_FIXED_BITS = {"sm1": 128, "sm4": 128, "sm7": 128, "zuc": 128, "sm2": 256, "sm9": 256}
_CLASS_WORDS = {
    SYMMETRIC: "symmetric",
    INTEGER_FACTORISATION: "integer-factorisation",
    ELLIPTIC_CURVE: "elliptic-curve",
}

# (name regex, kind, key bits when the name gives none, whether a number in the name is the key length)
_NAME_RULES: tuple[tuple[re.Pattern[str], str, int | None, bool], ...] = tuple(
    (re.compile(rx, re.I), kind, bits, read_bits)
    for rx, kind, bits, read_bits in (
        (r"^(?:sha|md5|md4|ripemd|blake|hmac|sm3|whirlpool|crc)", "hash", None, False),
        (r"^sm1", "sm1", 128, False),
        (r"^sm2", "sm2", 256, False),
        (r"^sm4", "sm4", 128, False),
        (r"^sm7", "sm7", 128, False),
        (r"^sm9", "sm9", 256, False),
        (r"^zuc", "zuc", 128, False),
        (r"^(?:3des|tdes|triple[ -]?des|des[ -]?ede)", "symmetric", 168, False),
        (r"^des(?:\b|-)", "symmetric", 56, False),
        (r"^aes", "symmetric", 128, True),  # AES-128 is the smallest AES key
        (r"^chacha", "symmetric", 256, False),
        (r"^(?:camellia|aria|seed|blowfish|twofish|cast)", "symmetric", 128, True),
        (r"^rsa", "rsa", None, True),
        (r"^(?:x25519|ed25519|curve25519)", "ecc", 256, False),
        (r"^(?:x448|ed448)", "ecc", 448, False),
        (
            r"^(?:ecdsa|ecdh|ecc|ec-|secp|prime|brainpool|nist ?p|p-?(?:192|224|256|384|521)\b)",
            "ecc",
            None,
            True,
        ),
        (r"^(?:dh|group|modp|dsa|elgamal)", "dh", None, False),
    )
)
_BITS_IN_NAME = re.compile(r"(?<!\d)(\d{2,5})(?!\d)")


def parse_algorithm(name: str) -> dict[str, Any] | None:
    """``{name, kind, key_bits}`` read from an algorithm name such as ``AES-CBC-256`` or ``SM4``.

    For Terraform enum values (``ike_proto_encry_algorithm = "AES256GCM128"``) that carry no
    separate kind or key length. The key length is the first number in the name (the second in
    ``AES128GCM128`` is the tag length), else the algorithm's fixed or smallest key length; None
    for hashes and DH groups. None when the name is not recognised.
    """
    text = unicodedata.normalize("NFKC", str(name)).strip()
    compact = text.replace("_", "-")
    for rx, kind, default_bits, read_bits in _NAME_RULES:
        if rx.search(compact):
            found = _BITS_IN_NAME.search(compact) if read_bits else None
            bits = int(found.group(1)) if found else default_bits
            return {"name": text, "kind": kind, "key_bits": bits}
    return None


def _label(name: str, bits: int, kind: str) -> str:
    if kind in _FIXED_BITS or str(bits) in name:
        return name
    return f"{name}-{bits}"


def exceeds_thresholds(item: ImportItem, algorithms: Sequence[Mapping[str, Any]]) -> tuple[bool, list[str]]:
    """Whether any algorithm is at or above ``item``'s thresholds, with one reason per such algorithm.

    Each algorithm is ``{name, kind, key_bits}``; a missing kind or key length is read from the name
    (``parse_algorithm``). Hashes and MACs never count, nor do finite-field discrete-log algorithms
    (DH, DSA), which are not among the list's three classes. SM2 and SM9 are elliptic-curve (256
    bits), SM1/SM4/SM7/ZUC symmetric (128 bits).
    """
    reasons = []
    for algo in algorithms:
        name = str(algo.get("name") or algo.get("kind") or "?")
        parsed = parse_algorithm(name) or {}
        kind = str(algo.get("kind") or parsed.get("kind") or "").lower()
        klass = _KIND_CLASS.get(kind)
        if klass is None or klass not in item.thresholds:
            continue
        bits = algo.get("key_bits") or _FIXED_BITS.get(kind) or parsed.get("key_bits")
        if not isinstance(bits, int) or isinstance(bits, bool):
            continue
        minimum = item.thresholds[klass]
        if bits >= minimum:
            reasons.append(f"{_label(name, bits, kind)}: {_CLASS_WORDS[klass]} key {bits} bits >= {minimum}")
    return bool(reasons), reasons


# --------------------------------------------------------------------------------- device matching


@dataclass(frozen=True)
class DeviceMatch:
    """A device recognised in free text: who made it, what it is, and on what evidence."""

    vendor: str
    family: str  # "" when only the vendor was recognised
    model: str  # the text after the vendor name, cleaned up ("ASA 5525-X"); "" when none
    category: str  # vpn_device | cipher_machine | encrypted_telephone | encrypted_fax | none
    made_in: str  # ISO 3166-1 alpha-2
    matched_text: str  # the part of the text that identified it
    source: str
    verified: bool  # False: the entry rests on general knowledge only
    origin: str  # "catalogue" or "policy"
    mass_consumer: bool = False  # declared by a policy entry
    acquired: str = ""  # a policy entry's acquired: imported-under-licence, bought-in-mainland, ...
    evidence: str = ""  # its licence (imported-under-licence) or source

    @property
    def foreign(self) -> bool:
        """Made outside mainland China (HK, MO and TW included); False when the origin is unknown."""
        return bool(self.made_in) and self.made_in != jurisdictions.CN


_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_ASCII = re.compile(rf"(?<=[{_CJK}])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")
_EDGE = " -_/.,:;|()[]{}#'\"<>+=~"


def _working_text(text: str) -> str:
    """Text as patterns see it: NFKC (full-width letters become ASCII), ``_`` as a space, a space
    between Chinese/Japanese and Latin script, runs of white space collapsed."""
    text = unicodedata.normalize("NFKC", text).replace("_", " ")
    return _SPACES.sub(" ", _CJK_ASCII.sub(" ", text)).strip()


def _phrase_regex(phrases: Sequence[str], digits_may_follow: bool = False) -> re.Pattern[str] | None:
    """Whole-word, case-insensitive regex for names; spaces and hyphens in a name are optional.

    ``digits_may_follow`` lets a family name run into its model number ("AR" in "AR161").
    """
    alts = []
    after = "(?![a-z])" if digits_may_follow else "(?![0-9a-z])"
    for phrase in sorted({p.strip() for p in phrases if p and p.strip()}, key=len, reverse=True):
        chunks = [re.escape(c) for c in re.split(r"[\s_-]+", _working_text(phrase)) if c]
        body = "[ -]?".join(chunks)
        left = "(?<![0-9a-z])" if phrase[0].isascii() and phrase[0].isalnum() else ""
        right = after if phrase[-1].isascii() and phrase[-1].isalnum() else ""
        alts.append(f"{left}{body}{right}")
    return re.compile("|".join(alts), re.I) if alts else None


def _compile_all(patterns: Any) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.I) for p in (patterns or ()))


def _first_hit(regexes: Sequence[re.Pattern[str]], text: str) -> re.Match[str] | None:
    hits = [m for m in (rx.search(text) for rx in regexes) if m]
    return min(hits, key=lambda m: (m.start(), -m.end())) if hits else None


@dataclass(frozen=True)
class _Entry:
    vendor: str
    family: str
    aliases: re.Pattern[str] | None
    patterns: tuple[re.Pattern[str], ...]
    keywords: tuple[re.Pattern[str], ...]
    models: tuple[tuple[str, re.Pattern[str]], ...]
    category: str
    made_in: str
    source: str
    verified: bool
    mass_consumer: bool
    origin: str
    acquired: str = ""
    evidence: str = ""


def _entry(raw: Mapping[str, Any], origin: str) -> _Entry:
    vendor = str(raw["vendor"])
    family = str(raw.get("family") or "")
    models = tuple((str(m), _phrase_regex([str(m)])) for m in raw.get("models") or ())
    keywords = _compile_all(raw.get("keywords"))
    family_words = _phrase_regex([family], digits_may_follow=True) if origin == POLICY and family else None
    if family_words is not None:
        keywords += (family_words,)  # words, not regexes
    default_source = "general knowledge — UNVERIFIED" if origin == CATALOGUE else "policy devices: entry"
    return _Entry(
        vendor=vendor,
        family=family,
        aliases=_phrase_regex([vendor, *(raw.get("aliases") or ())]),
        patterns=_compile_all(raw.get("patterns")),
        keywords=keywords,
        models=tuple((m, rx) for m, rx in models if rx is not None),
        category=str(raw.get("category") or NO_CATEGORY),
        made_in=str(raw.get("made_in") or "").upper(),
        source=str(raw.get("source") or default_source),
        verified=not raw.get("unverified", False),
        mass_consumer=bool(raw.get("mass_consumer", False)),
        origin=origin,
        acquired=str(raw.get("acquired") or "") if origin == POLICY else "",
        evidence=str(raw.get("licence") or raw.get("source") or "") if origin == POLICY else "",
    )


@cache
def _catalogue() -> tuple[_Entry, ...]:
    return tuple(_entry(raw, CATALOGUE) for raw in load_packaged_yaml("devices.yaml")["devices"])


def catalogue_vendors() -> tuple[str, ...]:
    """Vendors of the device catalogue, in catalogue order (for docs and ``explain``)."""
    return tuple(dict.fromkeys(e.vendor for e in _catalogue()))


@dataclass(frozen=True)
class _Hit:
    entry: _Entry
    score: int  # 3 vendor and family (or a listed model), 2 family pattern alone, 1 vendor alone
    family_span: tuple[int, int] | None
    vendor_span: tuple[int, int] | None
    model: str | None = None  # a policy entry's listed model that was found


def _evaluate(entry: _Entry, text: str) -> _Hit | None:
    vendor = entry.aliases.search(text) if entry.aliases else None
    vendor_span = vendor.span() if vendor else None
    for model, rx in entry.models:
        found = rx.search(text)
        if found:
            return _Hit(entry, 3, found.span(), vendor_span, model)
    if entry.models and entry.origin == POLICY and not entry.patterns:
        return None  # a policy entry limited to listed models covers nothing else
    pattern = _first_hit(entry.patterns, text)
    keyword = _first_hit(entry.keywords, text) if vendor else None
    family = min((m for m in (pattern, keyword) if m), key=lambda m: (m.start(), -m.end()), default=None)
    if vendor and family:
        return _Hit(entry, 3, family.span(), vendor_span)
    if pattern:
        return _Hit(entry, 2, pattern.span(), None)
    if vendor and not (entry.origin == POLICY and entry.family):
        return _Hit(entry, 1, None, vendor_span)
    return None


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip(_EDGE)


def _model(hit: _Hit, text: str) -> str:
    """What follows the vendor name (or starts at the family name), without the vendor's names."""
    if hit.model is not None:
        return hit.model
    if hit.family_span is not None:
        start = text.rfind(" ", 0, hit.family_span[0]) + 1  # from the start of the word ("服务器密码机")
    else:
        start = hit.vendor_span[1] if hit.vendor_span else 0
    tail = text[start:]
    if hit.entry.aliases is not None:
        tail = hit.entry.aliases.sub(" ", tail)
    model = _clean(tail)
    if hit.entry.family and model.lower() == hit.entry.family.lower():
        return hit.entry.family  # "cisco-asa" -> "ASA"
    return model


def _to_match(hit: _Hit, text: str) -> DeviceMatch:
    entry = hit.entry
    spans = [s for s in (hit.vendor_span, hit.family_span) if s]
    matched = text[min(s[0] for s in spans) : max(s[1] for s in spans)]
    return DeviceMatch(
        vendor=entry.vendor,
        family=entry.family if hit.family_span else "",
        model=_model(hit, text),
        category=entry.category,
        made_in=entry.made_in,
        matched_text=matched,
        source=entry.source,
        verified=entry.verified,
        origin=entry.origin,
        mass_consumer=entry.mass_consumer,
        acquired=entry.acquired,
        evidence=entry.evidence,
    )


def _shared(values: set[str], differing: str) -> str:
    return next(iter(values)) if len(values) == 1 else differing


def _vendor_level(hit: _Hit, text: str) -> DeviceMatch:
    """Only the vendor was named: what all its families share.

    Category "none" when the families differ; origin ``OUTSIDE`` when they come from different
    countries outside the mainland (Thales: Luna from CA, payShield from GB), "" when mixed with CN.
    """
    siblings = [e for e in _catalogue() if e.vendor == hit.entry.vendor]
    origins = {e.made_in for e in siblings}
    outside = "" if jurisdictions.CN in origins else jurisdictions.OUTSIDE
    return replace(
        _to_match(hit, text),
        category=_shared({e.category for e in siblings}, NO_CATEGORY),
        made_in=_shared(origins, outside),
        verified=all(e.verified for e in siblings),
    )


def _best(entries: Sequence[_Entry], text: str) -> _Hit | None:
    best: tuple[tuple[int, int, int], _Hit] | None = None
    for order, entry in enumerate(entries):
        hit = _evaluate(entry, text)
        if hit is None:
            continue
        span = hit.family_span or hit.vendor_span or (0, 0)
        key = (-hit.score, span[0], order)
        if best is None or key < best[0]:
            best = (key, hit)
    return best[1] if best else None


def match_device(text: str | None, extra: Sequence[Mapping[str, Any]] = ()) -> DeviceMatch | None:
    """The vendor, family and model named in ``text``; None when nothing is recognised.

    ``extra`` are the policy's ``devices:`` entries (vendor, family?, models?, patterns?, aliases?,
    category, made_in, mass_consumer?, source?); any of them that matches wins over the catalogue.
    A policy entry that lists ``models`` or a ``family`` matches only texts naming one of them.
    Within each source the most specific match wins: vendor and family, then a family pattern
    alone (``PA-3220``), then the vendor alone.
    """
    if not text or not isinstance(text, str):
        return None
    work = _working_text(text)
    if not work:
        return None
    if extra:
        hit = _best([_entry(raw, POLICY) for raw in extra], work)
        if hit is not None:
            return _to_match(hit, work)
    hit = _best(_catalogue(), work)
    if hit is None:
        return None
    return _vendor_level(hit, work) if hit.score == 1 else _to_match(hit, work)
