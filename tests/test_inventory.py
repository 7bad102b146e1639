"""Network inventory files: discovery, loading, and every problem reported with its line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cn_crossborder.domain.yamlsrc import InputError
from cn_crossborder.sources.inventory import (
    CLOUD_KEYS,
    INVENTORY_KIND,
    find_inventories,
    is_inventory_file,
    load_inventory,
)
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parent.parent
VALID = ROOT / "fixtures" / "inventory" / "valid" / "network.yaml"
INVALID = ROOT / "fixtures" / "inventory" / "invalid"
SCHEMA = ROOT / "plugin" / "schemas" / "inventory.schema.json"


def problems_of(path: Path) -> list[tuple[int | None, str, str]]:
    with pytest.raises(InputError) as info:
        load_inventory(path)
    assert all(p.file == str(path) for p in info.value.problems)
    return [(p.line, p.path, p.message) for p in info.value.problems]


# --- the valid example ---------------------------------------------------------------------------


def test_valid_example_loads() -> None:
    inv = load_inventory(VALID)
    assert inv.file == str(VALID)
    assert {(s.id, s.country, s.line) for s in inv.sites.values()} == {
        ("sha-office", "CN", 9),
        ("fra-dc", "DE", 14),
        ("hkg-office", "HK", 19),
    }
    assert inv.sites["sha-office"].addresses == ("58.246.10.0/28", "10.40.0.0/16")
    assert [d.id for d in inv.devices] == [
        "sha-fw-01",
        "sha-fw-02",
        "sha-hsm-01",
        "sha-gw-home",
        "fra-fw-01",
        "hkg-fw-01",
    ]
    assert [link.type for link in inv.links] == ["ipsec", "dedicated", "sd-wan", "ipsec", "ipsec", "ipsec"]


def test_valid_example_devices() -> None:
    inv = load_inventory(VALID)
    asa = inv.device("sha-fw-01")
    assert asa is not None and asa.line == 28 and asa.file == str(VALID)
    assert (asa.vendor, asa.model, asa.category, asa.licence, asa.mass_consumer) == (
        "Cisco",
        "ASA 5525-X",
        "vpn_device",
        None,
        False,
    )
    assert (asa.made_in, asa.made_in_source) == ("US", "catalogue")
    assert asa.algorithms[0] == {"name": "AES", "kind": "symmetric", "key_bits": 256}
    assert asa.tags == {"owner": "netops", "asset": "CN-0042"}
    assert inv.site_of(asa) is inv.sites["sha-office"]
    match = asa.match()
    assert match is not None and (match.family, match.model) == ("ASA", "ASA 5525-X")

    usg = inv.device("sha-fw-02")
    assert usg is not None and (usg.made_in, usg.made_in_source) == ("CN", "catalogue")
    fortigate = inv.device("fra-fw-01")
    assert fortigate is not None and (fortigate.made_in, fortigate.made_in_source) == ("US", "inventory")
    home = inv.device("sha-gw-home")
    assert home is not None and home.mass_consumer and (home.made_in, home.made_in_source) == (None, "")
    hsm = inv.device("sha-hsm-01")
    assert hsm is not None
    assert (hsm.licence, hsm.category, hsm.made_in) == ("IMP-2026-0011", "cipher_machine", "CA")
    assert inv.device("nope") is None


def test_valid_example_links() -> None:
    links = {link.id: link for link in load_inventory(VALID).links}
    tunnel = links["sha-fra-ipsec"]
    assert (tunnel.line, tunnel.a.site, tunnel.b.site, tunnel.device, tunnel.carrier) == (
        91,
        "sha-office",
        "fra-dc",
        "sha-fw-01",
        None,
    )
    assert tunnel.remote_subnets == ("10.60.0.0/16",) and not tunnel.default_route
    line = links["sha-fra-mpls"]
    assert (line.carrier, line.circuit) == ("China Unicom", "CU-SHA-FRA-0042")
    to_aws = links["sha-aws-fra"]
    assert (to_aws.b.kind, to_aws.b.cloud, to_aws.b.region, to_aws.b.line) == (
        "cloud",
        "aws",
        "eu-central-1",
        119,
    )
    assert to_aws.default_route and to_aws.b.describe() == "aws region eu-central-1"
    partner = links["fra-partner"]
    assert (partner.b.kind, partner.b.address, partner.a.kind) == ("address", "198.51.100.7", "site")


# --- malformed inventories -----------------------------------------------------------------------


def test_unknown_key() -> None:
    assert problems_of(INVALID / "unknown-key.yaml") == [
        (
            13,
            "devices[0].serial",
            "unknown key 'serial'; expected one of: algorithms, category, id, licence, "
            "made_in, mass_consumer, model, site, tags, vendor",
        ),
    ]


def test_missing_country() -> None:
    assert problems_of(INVALID / "missing-country.yaml") == [
        (7, "sites[1]", "'country' is required but missing"),
    ]


def test_missing_site_and_device_references() -> None:
    assert problems_of(INVALID / "missing-site.yaml") == [
        (
            12,
            "devices[0].site",
            "site 'sha-ofice' is not defined in this file; expected one of: fra-dc, sha-office",
        ),
        (
            19,
            "links[0].b.site",
            "site 'pek-office' is not defined in this file; expected one of: fra-dc, sha-office",
        ),
        (20, "links[0].device", "device 'sha-fw-02' is not defined in this file; expected one of: sha-fw-01"),
    ]


def test_bad_cidr() -> None:
    problems = problems_of(INVALID / "bad-cidr.yaml")
    assert [(line, path) for line, path, _ in problems] == [
        (10, "sites[0].addresses[1]"),
        (11, "sites[0].addresses[2]"),
        (12, "sites[0].addresses[3]"),
        (17, "links[0].b.address"),
        (18, "links[0].remote_subnets[1]"),
    ]
    messages = [message for _, _, message in problems]
    assert messages[0].startswith("'10.41.0.0/33' is not a valid IP address or CIDR")
    assert messages[1].endswith("did you mean 10.42.0.0/16?")
    assert messages[2].startswith("'office-lan' is not a valid IP address or CIDR")
    assert messages[3].startswith("'85.214.0.0/30' is not a valid IP address (")
    assert messages[4] == (
        "'10.61.1.0/16' is not a valid CIDR (10.61.1.0/16 has host bits set); did you mean 10.61.0.0/16?"
    )


def test_yaml_syntax_error() -> None:
    assert problems_of(INVALID / "yaml-syntax.yaml") == [
        (6, "", "is not valid YAML: mapping values are not allowed here"),
    ]


def test_duplicate_ids() -> None:
    assert problems_of(INVALID / "duplicate-ids.yaml") == [
        (7, "sites[1].id", "duplicate site id 'sha-office' (first defined on line 5); expected unique ids"),
        (14, "links[1].id", "duplicate link id 'tunnel-1' (first defined on line 10); expected unique ids"),
    ]


def test_bad_values() -> None:
    assert problems_of(INVALID / "bad-values.yaml") == [
        (
            13,
            "devices[0].category",
            "'firewall' is not allowed; expected one of: vpn_device, cipher_machine, "
            "encrypted_telephone, encrypted_fax, none",
        ),
        (
            14,
            "devices[0].made_in",
            "'Germany' is not valid; expected an ISO 3166-1 alpha-2 country code in capitals, e.g. CN, DE, HK",
        ),
        (16, "devices[0].algorithms[0]", "'key_bits' is required but missing"),
        (19, "links[0].type", "'vpn' is not allowed; expected one of: ipsec, dedicated, sd-wan"),
        (
            20,
            "links[0].a",
            "{'site': 'sha-office', 'region': 'cn-shanghai'} is not valid; expected one of "
            "{site: <site id>}, {cloud: <cloud>, region: <region id>} or {address: <IP>}",
        ),
        (21, "links[0].b.cloud", f"unknown cloud 'gcp'; expected one of: {', '.join(CLOUD_KEYS)}"),
    ]


def test_wrong_kind_and_version(tmp_path: Path) -> None:
    path = tmp_path / "inv.yaml"
    path.write_text(f"kind: {INVENTORY_KIND}\nversion: 2\nsites: {{}}\n", encoding="utf-8")
    assert problems_of(path) == [
        (2, "version", "2 is not valid; expected 1 (the only version of the format)"),
        (3, "sites", "{} is not valid; expected a list of sites"),
    ]


def test_every_invalid_fixture_is_tested() -> None:
    tested = {
        "unknown-key",
        "missing-country",
        "missing-site",
        "bad-cidr",
        "yaml-syntax",
        "duplicate-ids",
        "bad-values",
    }
    assert {p.stem for p in INVALID.glob("*.yaml")} == tested


# --- discovery -----------------------------------------------------------------------------------


def test_is_inventory_file(tmp_path: Path) -> None:
    assert is_inventory_file(VALID)
    # a file that fails to parse but names the kind is ours, so its error is reported
    assert is_inventory_file(INVALID / "yaml-syntax.yaml")
    other = tmp_path / "values.yaml"
    other.write_text("replicas: 3\n", encoding="utf-8")
    assert not is_inventory_file(other)
    mention = tmp_path / "notes.yml"
    mention.write_text(f"# see {INVENTORY_KIND}\nkind: Deployment\n", encoding="utf-8")
    assert not is_inventory_file(mention)
    upper = tmp_path / "NET.YML"
    upper.write_text(f"kind: {INVENTORY_KIND}\nversion: 1\n", encoding="utf-8")
    assert is_inventory_file(upper)
    text = tmp_path / "net.txt"
    text.write_text(f"kind: {INVENTORY_KIND}\nversion: 1\n", encoding="utf-8")
    assert not is_inventory_file(text)
    assert not is_inventory_file(tmp_path / "missing.yaml")
    assert not is_inventory_file(tmp_path)


def test_find_inventories_skips_tool_directories(tmp_path: Path) -> None:
    body = f"kind: {INVENTORY_KIND}\nversion: 1\n"
    wanted = [tmp_path / "net" / "a.yaml", tmp_path / "net" / "sub" / "b.yml"]
    skipped = [tmp_path / d / "x.yaml" for d in (".git", ".terraform", "node_modules", ".venv")]
    skipped.append(tmp_path / "pyenv" / "lib" / "x.yaml")
    for path in [*wanted, *skipped]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    (tmp_path / "pyenv" / "pyvenv.cfg").write_text("home = /usr\n", encoding="utf-8")
    (tmp_path / "net" / "policy.yaml").write_text("version: 1\n", encoding="utf-8")
    assert find_inventories([tmp_path]) == wanted
    # a file named directly, and the same file found twice, are listed once
    assert find_inventories([wanted[0], tmp_path / "net"]) == wanted


# --- schema and docs -----------------------------------------------------------------------------


def test_schema_is_valid_draft_2020_12() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["kind"]["const"] == INVENTORY_KIND


def test_valid_example_names_a_verdict_for_every_device_and_link() -> None:
    lines = VALID.read_text(encoding="utf-8").splitlines()
    inv = load_inventory(VALID)
    for item in (*inv.devices, *inv.links):
        above = [line.strip() for line in lines[item.line - 3 : item.line - 1]]
        assert any(re.match(r"# expect: (CKV_CNX_\d{3}=(PASSED|FAILED) ?)+$", a) for a in above), item.id


def test_docs_embed_the_valid_example() -> None:
    doc = (ROOT / "docs" / "inventory.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", doc, re.S)
    assert VALID.read_text(encoding="utf-8") in blocks
