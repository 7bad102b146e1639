"""Import list data, device recognition in free text, and the key-length thresholds."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from cn_crossborder.domain import devices
from cn_crossborder.domain.devices import (
    ImportItem,
    catalogue_vendors,
    exceeds_thresholds,
    import_list,
    match_device,
    parse_algorithm,
)
from cn_crossborder.domain.yamlsrc import load_packaged_yaml

# --- the import list -----------------------------------------------------------------------------


def test_import_list_instrument() -> None:
    il = import_list()
    assert il.effective == dt.date(2021, 1, 1)
    assert "No. 63 of 2020" in il.announcement
    assert "商用密码进口许可清单" in il.title
    assert list(il.items) == ["encrypted_telephone", "encrypted_fax", "cipher_machine", "vpn_device"]
    # the export list gave way to the dual-use list; the import list stands
    assert "2024-12-01" in il.note and "2024 No. 51" in il.note and "import list stands" in il.note
    assert "aqygzj.mofcom.gov.cn" in il.source


def test_import_list_items_and_thresholds() -> None:
    items = import_list().items
    phone = items["encrypted_telephone"]
    assert (phone.name_zh, phone.name_en) == ("加密电话机", "Encrypted telephone")
    assert phone.thresholds == {"symmetric": 64, "integer_factorisation": 768, "elliptic_curve": 128}
    for item_id in ("encrypted_telephone", "encrypted_fax", "cipher_machine", "vpn_device"):
        item = items[item_id]
        assert item.thresholds == phone.thresholds
        assert not item.thresholds_verified
        assert "indicator" in item.note
    assert all(item.hs_code == "UNVERIFIED" for item in items.values())
    assert all(item.source.startswith("http") for item in items.values())


def test_import_list_exemption_and_legal_basis() -> None:
    il = import_list()
    assert "mass-consumer" in il.exemption
    assert "Art. 28(2)" in il.exemption and "Art. 31(3)" in il.exemption
    basis = " | ".join(il.legal_basis)
    for cited in ("Encryption Law", "Art. 28:", "Art. 38:", "Arts. 31-34:", "Art. 58:", "2020 No. 75"):
        assert cited in basis


# --- device recognition --------------------------------------------------------------------------

# One realistic text per catalogue vendor (and per family where the family has its own pattern).
REALISTIC = [
    ("Cisco ASA 5525-X", "Cisco", "ASA", "ASA 5525-X", "vpn_device", "US"),
    ("cisco-asa", "Cisco", "ASA", "ASA", "vpn_device", "US"),
    ("Cisco Firepower 2130 NGFW", "Cisco", "Firepower", "Firepower 2130 NGFW", "vpn_device", "US"),
    ("FPR-4115", "Cisco", "Firepower", "FPR-4115", "vpn_device", "US"),
    ("Cisco ISR 4331", "Cisco", "ISR", "ISR 4331", "vpn_device", "US"),
    ("Catalyst 8300-1N1S-6T", "Cisco", "Catalyst 8000", "Catalyst 8300-1N1S-6T", "vpn_device", "US"),
    ("Cisco Meraki MX68", "Cisco", "Meraki MX", "MX68", "vpn_device", "US"),
    ("Juniper SRX345", "Juniper Networks", "SRX", "SRX345", "vpn_device", "US"),
    ("Juniper vSRX", "Juniper Networks", "vSRX", "vSRX", "vpn_device", "US"),
    ("Juniper MX204", "Juniper Networks", "MX", "MX204", "vpn_device", "US"),
    ("FortiGate 100F", "Fortinet", "FortiGate", "FortiGate 100F", "vpn_device", "US"),
    ("FGT-60F", "Fortinet", "FortiGate", "FGT-60F", "vpn_device", "US"),
    ("PA-3220", "Palo Alto Networks", "PA-Series", "PA-3220", "vpn_device", "US"),
    ("Palo Alto Networks VM-Series", "Palo Alto Networks", "VM-Series", "VM-Series", "vpn_device", "US"),
    ("Check Point Quantum Spark 1590", "Check Point", "Quantum", "Quantum Spark 1590", "vpn_device", "IL"),
    ("SonicWall TZ370", "SonicWall", "TZ", "TZ370", "vpn_device", "US"),
    ("SonicWall NSa 2700", "SonicWall", "NSa", "NSa 2700", "vpn_device", "US"),
    ("Sophos XGS 2100", "Sophos", "XGS", "XGS 2100", "vpn_device", "GB"),
    ("WatchGuard Firebox M470", "WatchGuard", "Firebox", "Firebox M470", "vpn_device", "US"),
    (
        "Barracuda CloudGen Firewall F180",
        "Barracuda Networks",
        "CloudGen Firewall",
        "CloudGen Firewall F180",
        "vpn_device",
        "US",
    ),
    ("Zyxel USG FLEX 200", "Zyxel", "USG FLEX / ZyWALL", "USG FLEX 200", "vpn_device", "TW"),
    (
        "Aruba EdgeConnect EC-XS",
        "HPE Aruba Networking",
        "Gateway / EdgeConnect",
        "EdgeConnect EC-XS",
        "vpn_device",
        "US",
    ),
    ("F5 BIG-IP i5800", "F5", "BIG-IP", "BIG-IP i5800", "vpn_device", "US"),
    ("pfSense", "Netgate", "pfSense", "pfSense", "vpn_device", "US"),
    ("Yamaha RTX830", "Yamaha", "RTX", "RTX830", "vpn_device", "JP"),
    ("Thales Luna 7", "Thales", "Luna HSM", "Luna 7", "cipher_machine", "CA"),
    ("SafeNet Luna Network HSM A790", "Thales", "Luna HSM", "Luna Network HSM A790", "cipher_machine", "CA"),
    ("payShield10K_LMK1_CPS60", "Thales", "payShield", "payShield10K LMK1 CPS60", "cipher_machine", "GB"),
    ("Entrust nShield Connect XC", "Entrust", "nShield", "nShield Connect XC", "cipher_machine", "GB"),
    (
        "Utimaco SecurityServer Se52",
        "Utimaco",
        "SecurityServer",
        "SecurityServer Se52",
        "cipher_machine",
        "DE",
    ),
    ("Marvell LiquidSecurity", "Marvell", "LiquidSecurity", "LiquidSecurity", "cipher_machine", "US"),
    ("Huawei USG6650E", "Huawei", "USG", "USG6650E", "vpn_device", "CN"),
    ("华为 USG6000", "Huawei", "USG", "USG6000", "vpn_device", "CN"),
    ("华为USG6000E", "Huawei", "USG", "USG6000E", "vpn_device", "CN"),
    ("Huawei AR6140", "Huawei", "AR", "AR6140", "vpn_device", "CN"),
    ("Eudemon8000E-X8", "Huawei", "Eudemon", "Eudemon8000E-X8", "vpn_device", "CN"),
    ("H3C SecPath F1000", "H3C", "SecPath", "SecPath F1000", "vpn_device", "CN"),
    ("深信服 NGAF", "Sangfor", "NGAF", "NGAF", "vpn_device", "CN"),
    ("Sangfor SSL VPN", "Sangfor", "VPN", "SSL VPN", "vpn_device", "CN"),
    ("Hillstone SG-6000-E3960", "Hillstone Networks", "SG-6000", "SG-6000-E3960", "vpn_device", "CN"),
    ("天融信 NGFW4000", "Topsec", "NGFW", "NGFW4000", "vpn_device", "CN"),
    ("启明星辰 天清汉马USG", "Venustech", "USG (天清汉马)", "天清汉马 USG", "vpn_device", "CN"),
    ("Ruijie RG-WALL 1600", "Ruijie Networks", "RG-WALL / RG-EG", "RG-WALL 1600", "vpn_device", "CN"),
    ("DPtech FW1000", "DPtech", "FW", "FW1000", "vpn_device", "CN"),
    ("ZTE ZXR10 5960", "ZTE", "ZXR10 / ZXSEC", "ZXR10 5960", "vpn_device", "CN"),
    (
        "三未信安 服务器密码机",
        "Sansec",
        "server cipher machine (服务器密码机)",
        "服务器密码机",
        "cipher_machine",
        "CN",
    ),
    ("Westone 卫士通 密码机", "Westone", "cipher machine (密码机)", "密码机", "cipher_machine", "CN"),
]


@pytest.mark.parametrize(("text", "vendor", "family", "model", "category", "made_in"), REALISTIC)
def test_realistic_names(
    text: str,
    vendor: str,
    family: str,
    model: str,
    category: str,
    made_in: str,
) -> None:
    found = match_device(text)
    assert found is not None, text
    assert (found.vendor, found.family, found.model, found.category, found.made_in) == (
        vendor,
        family,
        model,
        category,
        made_in,
    )
    assert found.origin == "catalogue"
    assert found.matched_text and found.matched_text in devices._working_text(text)
    assert found.foreign is (made_in != "CN")


def test_every_catalogue_vendor_is_exercised() -> None:
    assert {row[1] for row in REALISTIC} == set(catalogue_vendors())


def test_matched_text_and_evidence() -> None:
    found = match_device("Cisco ASA 5525-X")
    assert found is not None
    assert found.matched_text == "Cisco ASA 5525"
    assert not found.verified and "UNVERIFIED" in found.source


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "Ubuntu server",
        "Debian 12 VM",
        "nginx ingress",
        "RTX 3080 GPU node",
        "vm-100",
        "asa",
        "MX record",
        "tz-300",
        "HSM",
        "Windows Server 2022 security server",
        "AR-15",
    ],
)
def test_no_false_positives(text: str | None) -> None:
    assert match_device(text) is None


def test_vendor_named_without_family() -> None:
    cisco = match_device("Cisco 1234 in rack 4")
    assert cisco is not None
    assert (cisco.vendor, cisco.family, cisco.model, cisco.category, cisco.made_in) == (
        "Cisco",
        "",
        "1234 in rack 4",
        "vpn_device",
        "US",
    )
    # Thales' families come from CA and GB: outside the mainland, country not settled
    thales = match_device("THALES")
    assert thales is not None
    assert (thales.family, thales.category, thales.made_in, thales.foreign) == (
        "",
        "cipher_machine",
        "OUTSIDE",
        True,
    )


def test_named_vendor_beats_another_vendors_pattern() -> None:
    # Zyxel also sells "USG" models; with the vendor named, the Huawei pattern does not win
    found = match_device("Zyxel USG60W")
    assert found is not None and found.vendor == "Zyxel"
    venus = match_device("启明星辰 USG")
    assert venus is not None and venus.vendor == "Venustech"


def test_separators_and_width_are_tolerated() -> None:
    for text in ("cisco_asa_5525", "CISCO  ASA5525-X", "Ｃｉｓｃｏ ＡＳＡ ５５２５"):
        found = match_device(text)
        assert found is not None and (found.vendor, found.family) == ("Cisco", "ASA"), text


# --- policy entries ------------------------------------------------------------------------------

LOCAL_ASA = {"vendor": "Cisco", "models": ["ASA 5525-X"], "category": "vpn_device", "made_in": "CN"}
ACME = {
    "vendor": "Acme",
    "patterns": [r"\bacme-?gw\d+"],
    "category": "vpn_device",
    "made_in": "FR",
    "mass_consumer": True,
}


def test_policy_entry_wins_over_catalogue() -> None:
    found = match_device("Cisco ASA5525-X", [LOCAL_ASA])
    assert found is not None
    assert (found.origin, found.made_in, found.model, found.verified) == ("policy", "CN", "ASA 5525-X", True)
    assert not found.foreign


def test_policy_entry_limited_to_its_models() -> None:
    found = match_device("Cisco ISR 4331", [LOCAL_ASA])
    assert found is not None and (found.origin, found.family, found.made_in) == ("catalogue", "ISR", "US")


def test_policy_entry_adds_a_vendor() -> None:
    found = match_device("ACMEGW200 branch box", [ACME])
    assert found is not None
    assert (found.vendor, found.made_in, found.mass_consumer, found.origin) == ("Acme", "FR", True, "policy")
    assert match_device("ACMEGW200 branch box") is None


def test_policy_entry_with_family() -> None:
    entry = {
        "vendor": "Huawei",
        "family": "AR",
        "category": "vpn_device",
        "made_in": "CN",
        "mass_consumer": True,
    }
    found = match_device("Huawei AR161", [entry])
    assert found is not None and (found.origin, found.family, found.mass_consumer) == ("policy", "AR", True)
    other = match_device("Huawei USG6650E", [entry])
    assert other is not None and (other.origin, other.family) == ("catalogue", "USG")


# --- thresholds ----------------------------------------------------------------------------------


def _phone() -> ImportItem:
    return import_list().items["encrypted_telephone"]


def test_above_thresholds() -> None:
    hit, reasons = exceeds_thresholds(
        _phone(),
        [
            {"name": "AES", "kind": "symmetric", "key_bits": 256},
            {"name": "RSA", "kind": "rsa", "key_bits": 2048},
            {"name": "ECDSA", "kind": "ecc", "key_bits": 256},
        ],
    )
    assert hit
    assert reasons == [
        "AES-256: symmetric key 256 bits >= 64",
        "RSA-2048: integer-factorisation key 2048 bits >= 768",
        "ECDSA-256: elliptic-curve key 256 bits >= 128",
    ]


def test_at_threshold_counts() -> None:
    hit, reasons = exceeds_thresholds(_phone(), [{"name": "RSA", "kind": "rsa", "key_bits": 768}])
    assert hit and reasons == ["RSA-768: integer-factorisation key 768 bits >= 768"]


def test_below_thresholds() -> None:
    assert exceeds_thresholds(
        _phone(),
        [
            {"name": "DES", "kind": "symmetric", "key_bits": 56},
            {"name": "RSA", "kind": "rsa", "key_bits": 512},
            {"name": "ECC", "kind": "ecc", "key_bits": 112},
        ],
    ) == (False, [])


def test_hashes_and_discrete_log_never_count() -> None:
    assert exceeds_thresholds(
        _phone(),
        [
            {"name": "SHA-512", "kind": "hash", "key_bits": 512},
            {"name": "SM3", "kind": "sm3"},
            {"name": "HMAC-SHA256", "kind": "mac", "key_bits": 256},
            {"name": "DH group 14", "kind": "dh", "key_bits": 2048},
        ],
    ) == (False, [])
    assert exceeds_thresholds(_phone(), []) == (False, [])


def test_sm_algorithms() -> None:
    sm = [{"name": "SM2", "kind": "sm2"}, {"name": "SM4", "kind": "sm4"}]
    hit, reasons = exceeds_thresholds(_phone(), sm)
    assert hit
    assert reasons == ["SM2: elliptic-curve key 256 bits >= 128", "SM4: symmetric key 128 bits >= 64"]


def test_kind_and_length_read_from_name() -> None:
    hit, reasons = exceeds_thresholds(_phone(), [{"name": "AES256GCM128"}, {"name": "DES-CBC"}])
    assert hit and reasons == ["AES256GCM128: symmetric key 256 bits >= 64"]


@pytest.mark.parametrize(
    ("name", "kind", "bits"),
    [
        ("AES-CBC-256", "symmetric", 256),
        ("AES128GCM128", "symmetric", 128),
        ("aes", "symmetric", 128),
        ("3DES-CBC", "symmetric", 168),
        ("DES-CBC", "symmetric", 56),
        ("SM4", "sm4", 128),
        ("SM2", "sm2", 256),
        ("SM3", "hash", None),
        ("SHA-256", "hash", None),
        ("RSA-2048", "rsa", 2048),
        ("ECDSA-P384", "ecc", 384),
        ("X25519", "ecc", 256),
        ("GROUP14", "dh", None),
    ],
)
def test_parse_algorithm(name: str, kind: str, bits: int | None) -> None:
    assert parse_algorithm(name) == {"name": name, "kind": kind, "key_bits": bits}


def test_parse_algorithm_unknown() -> None:
    assert parse_algorithm("NULL") is None
    assert parse_algorithm("rot13") is None


# --- catalogue integrity -------------------------------------------------------------------------


def test_catalogue_entries_are_complete() -> None:
    raw = load_packaged_yaml("devices.yaml")["devices"]
    aliases_of: dict[str, str] = {}
    for entry in raw:
        assert entry["category"] in ("vpn_device", "cipher_machine", "none"), entry
        assert re.fullmatch(r"[A-Z]{2}", entry["made_in"]), entry
        assert entry["source"] and entry["family"] and entry["aliases"], entry
        assert entry.get("patterns") or entry.get("keywords"), entry
        if "UNVERIFIED" in entry["source"]:
            assert entry.get("unverified") is True, entry
        for alias in entry["aliases"]:
            owner = aliases_of.setdefault(alias.casefold(), entry["vendor"])
            assert owner == entry["vendor"], f"alias {alias!r} names both {owner} and {entry['vendor']}"
