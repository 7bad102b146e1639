"""Region catalogue and resolver: clashing ids, display names, fallbacks and data integrity."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import resources
from typing import Any

import pytest
import yaml
from cn_crossborder.domain import regions
from cn_crossborder.domain.regions import (
    CLOUDS,
    classify_region,
    cloud_of_resource_type,
    normalize_region,
    region_of_zone,
)

JURISDICTION_RE = re.compile(r"^(CN|HK|MO|TW|OUTSIDE|[A-Z]{2})$")


def _raw_catalogue() -> dict[str, Any]:
    text = (resources.files("cn_crossborder") / "data" / "regions.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _jurisdiction(cloud: str, region: str | None) -> str | None:
    info = classify_region(cloud, region)
    return None if info is None else info.jurisdiction


# --- catalogue coverage -----------------------------------------------------------------------


def test_every_cloud_is_catalogued() -> None:
    assert set(_raw_catalogue()) == set(CLOUDS)
    assert len(CLOUDS) == 7
    for cloud in CLOUDS:
        assert _raw_catalogue()[cloud]["regions"], cloud


@pytest.mark.parametrize(
    ("cloud", "region"),
    [
        ("aws", "cn-north-1"),
        ("aws", "cn-northwest-1"),
        ("azurerm", "chinaeast"),
        ("azurerm", "chinanorth3"),
        ("alicloud", "cn-beijing"),
        ("alicloud", "cn-shanghai-finance-1"),
        ("alicloud", "cn-north-2-gov-1"),
        ("tencentcloud", "ap-guangzhou"),
        ("huaweicloud", "cn-north-4"),
        ("huaweicloud", "cn-southwest-242"),
        ("volcengine", "cn-beijing"),
        ("baiducloud", "bj"),
        ("baiducloud", "yq"),
    ],
)
def test_mainland_regions(cloud: str, region: str) -> None:
    info = classify_region(cloud, region)
    assert info is not None
    assert info.jurisdiction == "CN"
    assert info.how == "catalogue"


# --- ids that mean different places on different clouds -----------------------------------------


def test_ap_southeast_1_clashes_between_clouds() -> None:
    assert _jurisdiction("huaweicloud", "ap-southeast-1") == "HK"
    assert _jurisdiction("alicloud", "ap-southeast-1") == "SG"
    assert _jurisdiction("aws", "ap-southeast-1") == "SG"
    assert _jurisdiction("volcengine", "ap-southeast-1") == "MY"


@pytest.mark.parametrize("cloud", ["alicloud", "volcengine"])
def test_cn_hongkong_is_not_mainland(cloud: str) -> None:
    info = classify_region(cloud, "cn-hongkong")
    assert info is not None
    assert info.jurisdiction == "HK"
    assert info.name == "Hong Kong"


def test_volcengine_hongkong_is_flagged_unverified() -> None:
    info = classify_region("volcengine", "cn-hongkong")
    assert info is not None and info.verified is False


def test_aws_hong_kong_and_taipei() -> None:
    hk = classify_region("aws", "ap-east-1")
    assert hk is not None
    assert (hk.cloud, hk.region, hk.jurisdiction, hk.name) == ("aws", "ap-east-1", "HK", "Hong Kong")
    assert hk.verified is True
    assert hk.how == "catalogue"
    assert "aws-sdk-go-base" in hk.source
    tw = classify_region("aws", "ap-east-2")
    assert tw is not None
    assert tw.jurisdiction == "TW"
    assert tw.verified is True  # "Asia Pacific (Taipei)" in aws-sdk-go-base endpoints_gen.go


def test_cn_north_1_depends_on_the_cloud() -> None:
    assert _jurisdiction("aws", "cn-north-1") == "CN"
    assert _jurisdiction("huaweicloud", "cn-north-1") == "CN"
    assert classify_region("tencentcloud", "cn-north-1") is None


# --- Azure locations --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "canonical", "jurisdiction"),
    [
        ("China North 3", "chinanorth3", "CN"),
        ("China East 2", "chinaeast2", "CN"),
        ("chinaeast2", "chinaeast2", "CN"),
        ("CHINANORTH", "chinanorth", "CN"),
        ("East Asia", "eastasia", "HK"),
        ("eastasia", "eastasia", "HK"),
        ("Southeast Asia", "southeastasia", "SG"),
        ("West Europe", "westeurope", "NL"),
        ("Germany West Central", "germanywestcentral", "DE"),
        ("Norway East", "norwayeast", "NO"),
    ],
)
def test_azure_display_names_and_ids(location: str, canonical: str, jurisdiction: str) -> None:
    info = classify_region("azurerm", location)
    assert info is not None
    assert info.region == canonical
    assert info.jurisdiction == jurisdiction
    assert info.how == "catalogue"


def test_azure_china_entry_carries_display_name() -> None:
    info = classify_region("azurerm", "chinanorth3")
    assert info is not None and info.name == "China North 3"


def test_azure_taiwan_is_unverified() -> None:
    for location in ("taiwannorth", "Taiwan Northwest"):
        info = classify_region("azurerm", location)
        assert info is not None
        assert info.jurisdiction == "TW"
        assert info.verified is False


def test_azure_unlisted_locations() -> None:
    # a location the catalogue does not list is unknown, never "outside"
    assert classify_region("azurerm", "USGov Virginia") is None
    # an unknown China location is never guessed to be outside, nor "global" to be a region
    assert classify_region("azurerm", "China North 4") is None
    assert classify_region("azurerm", "global") is None


# --- Tencent Cloud ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "jurisdiction"),
    [
        ("ap-taipei", "TW"),
        ("ap-hongkong", "HK"),
        ("ap-shanghai-fsi", "CN"),
        ("ap-jinan-ec", "CN"),
        ("ap-shanghai-adc", "CN"),
        ("ap-singapore", "SG"),
        ("na-ashburn", "US"),
    ],
)
def test_tencent_regions(region: str, jurisdiction: str) -> None:
    assert _jurisdiction("tencentcloud", region) == jurisdiction


def test_tencent_unlisted_variants_use_the_allow_list() -> None:
    info = classify_region("tencentcloud", "ap-chengdu-fsi")
    assert info is not None
    assert info.jurisdiction == "CN"
    assert info.how.startswith("pattern ")
    assert _jurisdiction("tencentcloud", "ap-lanzhou-ec") == "CN"


@pytest.mark.parametrize("region", ["ap-osaka", "me-riyadh", "ap-hongkong-fsi", "eu-paris"])
def test_unknown_tencent_region_is_not_guessed(region: str) -> None:
    assert classify_region("tencentcloud", region) is None


# --- other fallbacks --------------------------------------------------------------------------


def test_aws_unknown_region_is_unknown_not_outside() -> None:
    assert classify_region("aws", "us-east-9") is None
    assert _jurisdiction("aws", "cn-north-9") == "CN"
    assert _jurisdiction("aws", "eu-isoe-west-1") == "OUTSIDE"


def test_alicloud_fallbacks() -> None:
    assert _jurisdiction("alicloud", "cn-wuhan-lr") == "CN"
    assert classify_region("alicloud", "eu-south-7") is None
    assert _jurisdiction("volcengine", "cn-wuxi") == "CN"
    assert classify_region("volcengine", "ap-northeast-9") is None


@pytest.mark.parametrize(
    ("cloud", "region", "jurisdiction"),
    [
        ("baiducloud", "nj", "CN"),
        ("baiducloud", "hb-fsg", "CN"),
        ("tencentcloud", "ap-shanghai-wxzf", "CN"),
        ("tencentcloud", "ap-guangzhou-wxzf", "CN"),
        ("tencentcloud", "ap-shenzhen-jxcft", "CN"),
        ("tencentcloud", "ap-shanghai-hq-cft", "CN"),
        ("tencentcloud", "ap-shanghai-hq-uat-cft", "CN"),
        ("tencentcloud", "ap-shanghai-wxp-ops", "CN"),
        ("tencentcloud", "ap-nanjing-xf-cft", "CN"),
        ("tencentcloud", "me-saudi-arabia", "SA"),
        ("huaweicloud", "sa-chile-1", "CL"),
        ("alicloud", "ap-southeast-8", "MY"),
        ("alicloud", "us-southeast-1", "US"),
    ],
)
def test_audited_gaps_are_catalogued(cloud: str, region: str, jurisdiction: str) -> None:
    info = classify_region(cloud, region)
    assert info is not None and info.jurisdiction == jurisdiction
    assert info.source


@pytest.mark.parametrize(
    ("cloud", "region"),
    [("tencentcloud", "ap-shanghai-newzone"), ("baiducloud", "xa"), ("alicloud", "eu-south-9"), ("aws", "ap-east-9")],
)
def test_regions_the_catalogue_does_not_know_are_unknown(cloud: str, region: str) -> None:
    assert classify_region(cloud, region) is None


def test_huaweicloud_only_cn_prefix_is_generalised() -> None:
    assert _jurisdiction("huaweicloud", "cn-north-99") == "CN"
    assert classify_region("huaweicloud", "xx-custom-1") is None


def test_baidu_regions() -> None:
    assert _jurisdiction("baiducloud", "hkg") == "HK"
    assert _jurisdiction("baiducloud", "sin") == "SG"
    assert _jurisdiction("baiducloud", "fsh") == "CN"
    assert classify_region("baiducloud", "tokyo") is None


# --- values that are not regions --------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "${var.region}",
        "var.region",
        "local.region",
        "${local.cfg.region}",
        "module.net.region",
        "data.x.y",
        "",
        "  ",
    ],
)
def test_unrendered_or_empty_values(value: str) -> None:
    for cloud in CLOUDS:
        assert classify_region(cloud, value) is None


def test_none_and_unknown_cloud() -> None:
    assert classify_region("aws", None) is None
    assert classify_region("google", "asia-east2") is None
    assert classify_region("awscc", "cn-north-1") is None


def test_checkov_list_values_and_whitespace() -> None:
    assert _jurisdiction("aws", ["cn-northwest-1"]) == "CN"  # type: ignore[arg-type]
    assert _jurisdiction("aws", "  CN-NORTH-1 ") == "CN"
    assert classify_region("aws", ["cn-north-1", "us-east-1"]) is None  # type: ignore[arg-type]


def test_normalize_region() -> None:
    assert normalize_region("azurerm", "China North 3") == "chinanorth3"
    assert normalize_region("azurerm", " East  Asia ") == "eastasia"
    assert normalize_region("aws", " US-East-1 ") == "us-east-1"


@pytest.mark.parametrize(
    ("resource_type", "cloud"),
    [
        ("aws_vpn_connection", "aws"),
        ("azurerm_route", "azurerm"),
        ("alicloud_vpn_connection", "alicloud"),
        ("tencentcloud_vpn_connection", "tencentcloud"),
        ("huaweicloud_vpn_connection", "huaweicloud"),
        ("volcengine_customer_gateway", "volcengine"),
        ("baiducloud_vpn_conn", "baiducloud"),
        ("aws", "aws"),
        ("azurerm", "azurerm"),
        ("provider.aws", "aws"),
        ("aws.china", "aws"),
        ("awscc_ec2_vpc", None),
        ("azuread_user", None),
        ("google_compute_vpn_tunnel", None),
        ("", None),
    ],
)
def test_cloud_of_resource_type(resource_type: str, cloud: str | None) -> None:
    assert cloud_of_resource_type(resource_type) == cloud


def test_import_does_not_load_the_catalogue() -> None:
    code = "import cn_crossborder.domain.regions as r; assert r._load_catalogue.cache_info().currsize == 0"
    subprocess.run([sys.executable, "-c", code], check=True)


# --- data integrity ---------------------------------------------------------------------------


def test_catalogue_integrity() -> None:
    raw = _raw_catalogue()
    for cloud in CLOUDS:
        section = raw[cloud]
        assert isinstance(section.get("source"), str) and section["source"].strip(), cloud
        seen: set[str] = set()
        for entry in section["regions"]:
            where = f"{cloud}:{entry.get('id')}"
            assert isinstance(entry.get("id"), str) and entry["id"], where
            assert isinstance(entry.get("jurisdiction"), str), where
            assert JURISDICTION_RE.match(entry["jurisdiction"]), where
            assert isinstance(entry.get("name", ""), str), where
            assert entry.get("unverified", False) in (True, False), where
            key = normalize_region(cloud, entry["id"])
            assert key == entry["id"], f"{where}: ids are stored in canonical form"
            assert key not in seen, f"{where}: duplicate id"
            seen.add(key)
            if cloud == "azurerm":
                assert entry.get("display"), f"{where}: azure entries carry a display name"
                assert normalize_region(cloud, entry["display"]) == key, where
        assert section.get("patterns"), cloud
        for pattern in section["patterns"]:
            assert isinstance(pattern.get("source"), str) and pattern["source"].strip(), pattern
            assert pattern.get("note"), pattern
            assert JURISDICTION_RE.match(str(pattern.get("jurisdiction"))), pattern
            re.compile(pattern["match"])


def test_every_entry_resolves_to_itself() -> None:
    raw = _raw_catalogue()
    for cloud in CLOUDS:
        for entry in raw[cloud]["regions"]:
            info = classify_region(cloud, entry["id"])
            assert info is not None, (cloud, entry["id"])
            assert info.how == "catalogue"
            assert info.region == entry["id"]
            assert info.jurisdiction == entry["jurisdiction"]
            assert info.verified is not entry.get("unverified", False)
            assert info.source


def test_patterns_agree_with_the_listed_entries() -> None:
    """A fallback that contradicted a listed region would misclassify its unlisted neighbours."""
    loaded = regions._load_catalogue()
    for cloud in CLOUDS:
        for key, entry in loaded[cloud].entries.items():
            for pattern in loaded[cloud].patterns:
                if not pattern.regex.search(key):
                    continue
                if pattern.jurisdiction == "OUTSIDE":
                    assert entry["jurisdiction"] != "CN", (cloud, key, pattern)
                else:
                    assert pattern.jurisdiction == entry["jurisdiction"], (cloud, key, pattern)
                break


def test_region_info_is_frozen() -> None:
    info = classify_region("aws", "eu-central-1")
    assert info is not None and info.jurisdiction == "DE"
    with pytest.raises(AttributeError):
        info.jurisdiction = "CN"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("cloud", "zone", "region"),
    [
        ("tencentcloud", "ap-guangzhou-3", "ap-guangzhou"),
        ("alicloud", "cn-beijing-c", "cn-beijing"),
        ("aws", "cn-north-1a", "cn-north-1"),
        ("alicloud", "cn-nowhere-c", None),
        ("tencentcloud", "var.zone", None),
    ],
)
def test_zone_proves_its_region(cloud: str, zone: str, region: str | None) -> None:
    assert region_of_zone(cloud, zone) == region


@pytest.mark.parametrize("text", ["each.value", "${count.index}", "terraform.workspace", "lower(var.r)", ""])
def test_an_expression_is_read_as_no_region_the_way_every_value_is(text: str) -> None:
    from cn_crossborder.domain.resource import is_resolved

    assert not is_resolved(text)
    assert regions.classify_region("aws", text) is None
    assert regions.region_of_zone("aws", f"{text}a") is None
