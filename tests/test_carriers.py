"""Approved-carrier data and the name matcher: every spelling in, no false friends."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources

import pytest
import yaml
from cn_crossborder.domain.carriers import (
    Carrier,
    KnownOperator,
    builtin_carriers,
    carrier_for_asn,
    known_operators,
    match_carrier,
    match_not_licensed,
    normalize,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # ids, English and Chinese names, abbreviations
        ("china_telecom", "china_telecom"),
        ("China Telecom", "china_telecom"),
        ("中国电信", "china_telecom"),
        ("电信", "china_telecom"),
        ("CT", "china_telecom"),
        ("China Unicom", "china_unicom"),
        ("中国联通", "china_unicom"),
        ("联通", "china_unicom"),
        ("cu", "china_unicom"),
        ("China Mobile", "china_mobile"),
        ("中国移动", "china_mobile"),
        ("移动", "china_mobile"),
        ("CM", "china_mobile"),
        ("CMCC", "china_mobile"),
        # international arms and subsidiaries
        ("CTG", "china_telecom"),
        ("China Telecom Global", "china_telecom"),
        ("China Telecom Americas", "china_telecom"),
        ("CUG", "china_unicom"),
        ("China Unicom (Americas)", "china_unicom"),
        ("CMI", "china_mobile"),
        ("China Mobile International", "china_mobile"),
        ("中国移动国际有限公司", "china_mobile"),
        # Azure China ExpressRoute providers
        ("Beijing Telecom Ethernet", "china_telecom"),
        ("Shanghai Telecom Ethernet", "china_telecom"),
        ("上海电信以太网", "china_telecom"),
        ("北京电信", "china_telecom"),
        # cloud enum values
        ("ChinaTelecom", "china_telecom"),
        ("ChinaUnicom", "china_unicom"),
        ("ChinaMobile", "china_mobile"),
        ("UNICOM", "china_unicom"),
        # company forms and punctuation are ignored
        ("China Unicom Global Ltd", "china_unicom"),
        ("CHINA-UNICOM", "china_unicom"),
        ("china_mobile_international", "china_mobile"),
        ("China Mobile Communications Group Co., Ltd", "china_mobile"),
        ("China Telecom Corporation Limited", "china_telecom"),
        ("中国联合网络通信集团有限公司", "china_unicom"),
        # free text: the name as a whole word or phrase
        ("provider: China Telecom (CTG)", "china_telecom"),
        ("Hosted connection via China Unicom Global, port 2", "china_unicom"),
        ("经中国联通跨境专线接入", "china_unicom"),
        ("CN2 GIA", "china_telecom"),
    ],
)
def test_match_carrier_names(text: str, expected: str) -> None:
    carrier = match_carrier(text)
    assert carrier is not None, text
    assert carrier.id == expected


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "Securus",  # contains "cu"
        "CO",  # Alibaba: other mainland provider
        "Other",
        "ChinaOther",
        "InternationalOperator",
        "In-houseWiring",
        "China Broadcasting Network",
        "中国广电",
        "CITIC Networks",
        "GDS",
        "21Vianet",
        "Equinix",
        "PCCW Global",
        "line by CU",  # two-letter codes only match on their own
        "telecom",
        "互联互通",  # contains 联通 ("connect"), a common word in network descriptions
        "移动硬盘",  # contains 移动 ("mobile")
        "ChinaNetCenter",  # Wangsu CDN, not ChinaNet
        "Hong Kong Telecom",
    ],
)
def test_match_carrier_rejects(text: str | None) -> None:
    assert match_carrier(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CO", "alicloud_other_mainland"),
        ("Other", "alicloud_other_outside"),
        ("ChinaOther", "china_other"),
        ("InternationalOperator", "international_operator"),
        ("In-houseWiring", "in_house_wiring"),
        ("China Broadcasting Network", "china_broadcasting_network"),
        ("中国广电", "china_broadcasting_network"),
        ("CBN", "china_broadcasting_network"),
        ("CITIC Networks Co., Ltd", "citic_networks"),
        ("中信网络", "citic_networks"),
        ("GDS", "gds"),
        ("21Vianet", "21vianet"),
        ("世纪互联", "21vianet"),
        ("Beijing Sinnet Technology Co., Ltd", "sinnet"),
        ("光环新网", "sinnet"),
        ("NWCD", "nwcd"),
        ("西云数据", "nwcd"),
        ("Equinix", "equinix"),
        ("PCCW Global", "pccw_global"),
        ("CERNET", "cernet"),
        ("CSTNET", "cstnet"),
    ],
)
def test_match_not_licensed(text: str, expected: str) -> None:
    operator = match_not_licensed(text)
    assert operator is not None, text
    assert operator.id == expected
    assert operator.reason and operator.source


@pytest.mark.parametrize("text", ["China Unicom", "CU", "CM", "Securus", "Otherwise", "co-location", None])
def test_match_not_licensed_rejects(text: str | None) -> None:
    assert match_not_licensed(text) is None


def test_longest_name_wins_in_free_text() -> None:
    # A name inside a longer name does not count on its own: the longer one decides.
    assert match_carrier("China Telecom Americas, Inc.").id == "china_telecom"
    extra = Carrier("acme", "China Unicom Partner Net", "", ("China Unicom Partner Net",), (), "x", False)
    assert match_carrier("via China Unicom Partner Net", [extra]).id == "acme"
    assert match_carrier("via China Unicom", [extra]).id == "china_unicom"


def test_extra_carriers_are_matched_by_id_and_name() -> None:
    extra = Carrier("hkbn_cn", "HKBN China", "", ("HKBN China", "香港宽频中国"), (), "approval X", False)
    assert match_carrier("hkbn_cn", [extra]) == extra
    assert match_carrier("HKBN-China", [extra]) == extra
    assert match_carrier("HKBN China") is None


def test_normalize_drops_company_forms_but_never_everything() -> None:
    assert normalize("China Unicom (Americas) Co., Ltd.") == "chinaunicomamericas"
    assert normalize("CO") == "co"
    assert normalize("Group") == "group"


def test_builtin_carriers_shape() -> None:
    carriers = builtin_carriers()
    assert list(carriers) == ["china_telecom", "china_unicom", "china_mobile"]
    ct, cu, cm = carriers.values()
    assert (ct.name, ct.name_zh) == ("China Telecom", "中国电信")
    assert (cu.name_zh, cm.name_zh) == ("中国联通", "中国移动")
    assert all(c.builtin for c in carriers.values())
    assert ct.names[0] == "China Telecom"
    assert {"CT", "CTG", "China Telecom Global", "ChinaTelecom"} <= set(ct.names)
    assert {"CU", "CUG", "UNICOM", "ChinaUnicom"} <= set(cu.names)
    assert {"CM", "CMCC", "CMI", "ChinaMobile"} <= set(cm.names)
    assert ct.asns == (4134, 4809, 23764)
    assert cu.asns == (4837, 9929, 10099)
    assert cm.asns == (9808, 58453, 58807)
    assert 4812 in ct.regional_asns and 4812 not in ct.asns
    assert "[PRIMARY]" in ct.source and "gov.cn" in ct.source
    assert builtin_carriers() is carriers  # cached


def test_carrier_for_asn() -> None:
    assert carrier_for_asn(9929).id == "china_unicom"
    assert carrier_for_asn(9394).id == "china_mobile"  # China TieTong, regional
    assert carrier_for_asn(9394, regional=False) is None
    assert carrier_for_asn(58423) is None  # STRATANET-NZ, often misattributed to China Mobile


def test_data_file_records_sources_and_unverified_claims() -> None:
    text = resources.files("cn_crossborder").joinpath("data", "carriers.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    for cid, raw in data["carriers"].items():
        for key in (
            "name",
            "name_zh",
            "abbreviations",
            "international_arm",
            "aliases",
            "cloud_enum_values",
            "asns",
            "source",
        ):
            assert raw.get(key), f"{cid} lacks {key}"
        assert all(s["trust"] in {"PRIMARY", "PRIMARY-mirror", "SECONDARY", "LOW"} for s in raw["source"])
        assert all(a.get("recheck") for a in raw["asns"] if a.get("regional"))
    unverified = {raw["id"] for raw in data["not_licensed"] if raw.get("unverified")}
    assert {"china_broadcasting_network", "citic_networks", "cernet", "cstnet"} <= unverified
    assert "gds" not in unverified
    for raw in data["not_licensed"]:
        assert raw.get("reason") and raw.get("source"), raw["id"]
    assert len(known_operators()) == len(data["not_licensed"])
    assert all(isinstance(op, KnownOperator) for op in known_operators())


def test_no_name_belongs_to_two_entries() -> None:
    owners: dict[str, str] = {}
    for carrier in builtin_carriers().values():
        for name in (carrier.id, *carrier.names):
            assert owners.setdefault(normalize(name), carrier.id) == carrier.id, name
    data = yaml.safe_load(
        resources.files("cn_crossborder").joinpath("data", "carriers.yaml").read_text(encoding="utf-8")
    )
    for raw in data["not_licensed"]:
        for name in (*raw.get("aliases", ()), *raw.get("exact_aliases", ())):
            assert owners.setdefault(normalize(name), raw["id"]) == raw["id"], name


def test_import_does_no_work() -> None:
    code = (
        "import cn_crossborder.domain.carriers as c, cn_crossborder.domain.policy as p;"
        "print(c._data.cache_info().currsize, c.builtin_carriers.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["0", "0"]
