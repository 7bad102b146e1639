"""The mainland place matcher that lets a line's customer-end attribute prove a domestic line."""

from __future__ import annotations

import pytest
from cn_crossborder.domain.places import mainland_place
from cn_crossborder.domain.yamlsrc import load_packaged_yaml


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Shanghai Jinqiao IDC, Pudong", "Shanghai"),
        ("beijing idc", "beijing"),
        ("北京市海淀区中关村数据中心", "北京"),
        ("廣州 IDC", "廣州"),
        ("Inner Mongolia Hohhot DC", "Inner Mongolia"),
        ("Ningxia Zhongwei", "Ningxia"),
        ("ＳＨＥＮＺＨＥＮ", "SHENZHEN"),  # full-width letters
    ],
)
def test_mainland_places_match(text: str, place: str) -> None:
    assert mainland_place(text) == place


@pytest.mark.parametrize(
    "text",
    [
        "Hong Kong Tseung Kwan O",
        "Shanghai Street, Kowloon",  # a mainland city's name in Hong Kong
        "香港葵涌 IDC",
        "Macau Cotai",
        "澳門 氹仔",
        "Taipei Neihu DC",
        "台北市南京東路",  # 南京 inside a Taipei address
        "Kaohsiung",
        "Hong Kong, China",
        "China",
        "Frankfurt office",
        "Singapore DC",
        "Canton, Ohio",
        "Cantonese restaurant",
        "customer DC 2",
        "",
        None,
    ],
)
def test_other_places_never_match(text: str | None) -> None:
    assert mainland_place(text) is None


def test_place_data_has_a_source_and_no_hk_mo_tw_name_among_mainland_places() -> None:
    data = load_packaged_yaml("places.yaml")
    assert data["source"] and all(src.get("ref") for src in data["source"])
    never = {n.lower() for e in data["never"] for n in [*e.get("en", ()), *e.get("zh", ())]}
    assert {e["jurisdiction"] for e in data["never"]} == {"HK", "MO", "TW"}
    for entry in data["mainland"]:
        for name in [*entry.get("en", ()), *entry.get("zh", ())]:
            assert name.lower() not in never, name
            assert mainland_place(name) is not None, name
