"""Policy file: loading, every problem reported with line and path, circuit validity, discovery."""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

import pytest
from cn_crossborder.domain.policy import (
    POLICY_ENV,
    POLICY_FILENAME,
    default_policy,
    discover_policy,
    load_policy,
)
from cn_crossborder.domain.yamlsrc import InputError

POLICIES = Path(__file__).resolve().parent.parent / "fixtures" / "policies"
ip = ipaddress.ip_address


def problems_of(path: Path | str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(InputError) as info:
        load_policy(path)
    return [(p.line, p.path, p.message) for p in info.value.problems]


def write(tmp_path: Path, text: str, name: str = POLICY_FILENAME) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the valid example ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def full():
    return load_policy(POLICIES / "valid-full.yaml")


def test_full_policy_sections(full) -> None:
    assert full.path == str(POLICIES / "valid-full.yaml")
    assert full.unknown_location == "fail"
    assert full.approved == ("china_telecom", "china_unicom", "china_mobile", "hkbn_cn")
    assert set(full.carriers) == set(full.approved)
    assert full.carriers["hkbn_cn"].builtin is False
    assert "工信部电管函" in full.carriers["hkbn_cn"].source
    assert [c.id for c in full.circuits] == ["CU-SHA-FRA-0042", "CT-PEK-SIN-0007", "GDS-SHA-HKG-0001"]
    assert [c.carrier_id for c in full.circuits] == ["china_unicom", "china_telecom", None]
    cu = full.circuit("CU-SHA-FRA-0042")
    assert cu.expires == dt.date(2027, 6, 30)
    assert cu.line == 11
    assert cu.endpoints[0].network == ipaddress.ip_network("85.214.0.0/30")
    ct = full.circuit("CT-PEK-SIN-0007")
    assert ct.endpoints[0].country == "SG"  # written in lower case
    assert ct.endpoints[1].network.version == 6
    assert full.circuit("nope") is None
    assert full.licences[0].models == ("ASA 5525-X",)
    assert full.licences[1].models is None and full.licences[1].expires is None
    assert full.exemptions[0].expires == dt.date(2026, 12, 31)
    assert full.devices[0]["made_in"] == "US" and full.devices[0]["category"] == "vpn_device"


def test_circuit_validity(full) -> None:
    today = dt.date(2026, 5, 1)
    assert full.circuit("CU-SHA-FRA-0042").validity(full, today) == (True, [])
    ok, why = full.circuit("CU-SHA-FRA-0042").validity(full, dt.date(2027, 7, 1))
    assert not ok and why == ["expired on 2027-06-30"]
    assert full.circuit("CU-SHA-FRA-0042").validity(full, dt.date(2027, 6, 30))[0]  # valid on its last day
    ok, why = full.circuit("GDS-SHA-HKG-0001").validity(full, today)
    assert not ok
    assert why[0].startswith("carrier 'GDS' is not an approved carrier: GDS, data-centre operator")
    assert why[1:] == ["purpose is 'resale', not 'internal'", "has no filing reference"]


def test_circuit_on_carrier_narrowed_out_is_not_valid(tmp_path: Path) -> None:
    policy = load_policy(
        write(
            tmp_path,
            """\
version: 1
carriers:
  approved: [china_unicom]
circuits:
  - {id: CM-1, carrier: CMI, purpose: internal, filing: F-1}
  - {id: CU-1, carrier: 中国联通, filing: F-2}
""",
        )
    )
    assert policy.approved == ("china_unicom",)
    cm, cu = policy.circuits
    assert cm.carrier_id == "china_mobile"  # known carrier, so not a load error...
    ok, why = cm.validity(policy, dt.date(2026, 1, 1))
    assert not ok  # ...but not approved by this policy
    assert why == [
        "carrier 'CMI' is not an approved carrier: China Mobile is not among the carriers this "
        "policy approves (carriers.approved)"
    ]
    assert cu.validity(policy, dt.date(2026, 1, 1)) == (
        False,
        ["has no purpose; a valid circuit has purpose 'internal'"],
    )
    assert policy.approved_carrier("China Unicom Global").id == "china_unicom"
    assert policy.approved_carrier("CM") is None
    assert policy.approved_carrier("Securus") is None


def test_contains_and_lookups(full) -> None:
    assert full.circuit("CU-SHA-FRA-0042").contains(ip("85.214.0.3"))
    assert not full.circuit("CU-SHA-FRA-0042").contains(ip("85.214.0.4"))
    assert full.circuit("CT-PEK-SIN-0007").contains(ip("2001:db8:7::1"))
    assert not full.circuit("CT-PEK-SIN-0007").contains(ip("2001:db8:8::1"))
    assert [c.id for c in full.circuits_containing(ip("198.51.100.8"))] == ["GDS-SHA-HKG-0001"]
    assert full.circuits_containing(ip("192.0.2.1")) == []


def test_location_most_specific_wins(full) -> None:
    assert full.location_of(ip("10.40.7.9")).country == "CN"
    assert full.location_of(ip("10.40.7.9")).note == "Shanghai office"
    assert full.location_of(ip("10.40.8.1")).country == "DE"
    assert full.location_of(ip("10.41.0.1")) is None
    assert full.location_of(ip("::1")) is None


def test_exemption_lookup_is_exact(full) -> None:
    exemption = full.exemption_for("CKV_CNX_101", "aws_vpn_connection.legacy")
    assert exemption.reason.startswith("moves to circuit CU-SHA-FRA-0042")
    assert exemption.active(dt.date(2026, 12, 31)) and not exemption.active(dt.date(2027, 1, 1))
    assert full.exemption_for("CKV_CNX_102", "aws_vpn_connection.legacy") is None
    assert full.exemption_for("CKV_CNX_101", "module.x.aws_vpn_connection.legacy") is None


def test_licence_coverage(full) -> None:
    cisco, fortinet = full.licences
    assert cisco.covers("cisco", "ASA5525-X") and not cisco.covers("Cisco", "ASA 5506-X")
    assert fortinet.covers("Fortinet", "anything") and not fortinet.covers("Juniper", None)
    assert cisco.active(dt.date(2028, 1, 1)) and not cisco.active(dt.date(2028, 1, 2))


def test_default_policy() -> None:
    policy = default_policy()
    assert policy.path is None
    assert policy.unknown_location == "fail"
    assert policy.approved == ("china_telecom", "china_unicom", "china_mobile")
    assert policy.circuits == () and policy.exemptions == () and policy.locations == ()
    assert policy.approved_carrier("ChinaMobile").id == "china_mobile"
    assert policy.approved_carrier("ChinaOther") is None


def test_minimal_policy_gets_defaults(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, "version: 1\nunknown_location: pass\n"))
    assert policy.unknown_location == "pass"
    assert policy.approved == default_policy().approved


def test_empty_approved_list_approves_only_additional(tmp_path: Path) -> None:
    policy = load_policy(
        write(
            tmp_path,
            """\
version: 1
carriers:
  approved: []
  additional: [{id: acme, names: [Acme Gateway], source: "MIIT approval 123"}]
""",
        )
    )
    assert policy.approved == ("acme",)
    assert policy.approved_carrier("acme gateway").id == "acme"
    assert policy.approved_carrier("China Telecom") is None


# --- invalid files: every problem, with line, path and what was expected -------------------------


def test_bad_cidr() -> None:
    assert problems_of(POLICIES / "bad-cidr.yaml") == [
        (
            7,
            "circuits[0].endpoints[0]",
            "'85.214.0.1/30' is not a valid IP address or CIDR "
            "(85.214.0.1/30 has host bits set); did you mean 85.214.0.0/30?",
        ),
        (
            7,
            "circuits[0].endpoints[1]",
            "'300.1.1.0/24' is not a valid IP address or CIDR "
            "('300.1.1.0/24' does not appear to be an IPv4 or IPv6 network)",
        ),
        (
            7,
            "circuits[0].endpoints[2]",
            "'not-an-ip' is not valid; expected an IP address or CIDR such as "
            "85.214.0.0/30, or a mapping {cidr, country}",
        ),
        (
            9,
            "locations[0].cidr",
            "'10.40.0.0/33' is not a valid IP address or CIDR "
            "('10.40.0.0/33' does not appear to be an IPv4 or IPv6 network)",
        ),
        (12, "locations[1].country", "'UK' is not an ISO 3166-1 alpha-2 country code; did you mean GB?"),
    ]


def test_bad_date() -> None:
    assert problems_of(POLICIES / "bad-date.yaml") == [
        (5, "circuits[0].expires", "'2027-02-30' is not a date; expected YYYY-MM-DD"),
        (10, "exemptions[0].expires", "'next year' is not a date; expected YYYY-MM-DD"),
    ]


def test_unknown_keys_point_at_the_key() -> None:
    problems = problems_of(POLICIES / "unknown-key.yaml")
    assert [(line, path) for line, path, _ in problems] == [(3, "circuit"), (9, "locations[0].city")]
    assert problems[0][2].startswith(
        "unknown key 'circuit'; expected one of: carriers, circuits, default_regions, devices,"
    )
    assert problems[1][2] == "unknown key 'city'; expected one of: cidr, country, note"


def test_missing_exemption_reason() -> None:
    assert problems_of(POLICIES / "missing-reason.yaml") == [
        (3, "exemptions[0]", "'reason' is required but missing"),
        (6, "exemptions[1].check", "'CKV_CN_101' is not valid; expected a check id such as CKV_CNX_101"),
    ]


def test_version_2() -> None:
    assert problems_of(POLICIES / "version-2.yaml") == [
        (1, "version", "2 is not valid; expected 1 (the only policy file format version)"),
        (2, "unknown_location", "'maybe' is not allowed; expected one of: fail, pass"),
    ]


def test_yaml_syntax_error() -> None:
    [(line, path, message)] = problems_of(POLICIES / "yaml-syntax.yaml")
    assert (line, path) == (5, "")
    assert message.startswith("is not valid YAML: ")


def test_unknown_carrier_and_duplicates() -> None:
    problems = problems_of(POLICIES / "unknown-carrier.yaml")
    expected_names = (
        "expected one of: china_telecom, china_unicom, china_mobile (or any of their names), "
        "or a name listed under carriers.additional"
    )
    assert problems == [
        (3, "carriers.approved[1]", f"unknown carrier 'Foo Telecom'; {expected_names}"),
        (
            3,
            "carriers.approved[2]",
            "'GDS' names GDS, which is not a licensed carrier: data-centre operator "
            "(an Azure China ExpressRoute provider), not an international gateway "
            "carrier; to approve it anyway, list it under carriers.additional with a "
            "source citing the approval",
        ),
        (5, "carriers.additional[0]", "'source' is required but missing"),
        (9, "circuits[0].carrier", f"unknown carrier 'Bar Networks'; {expected_names}"),
        (10, "circuits[1].id", "duplicate circuit id 'X-1' (first defined on line 8); expected unique ids"),
    ]
    # an unlicensed operator as a circuit's carrier is a finding for the checks, not a load error
    assert not any(p[1] == "circuits[1].carrier" for p in problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [(None, "", "expected exactly one YAML document, found no document")]),
        ("# only a comment\n", [(None, "", "expected exactly one YAML document, found no document")]),
        ("- version: 1\n", [(1, "", "is a list; expected a mapping that starts with 'version: 1'")]),
        ("unknown_location: pass\n", [(1, "", "'version' is required but missing")]),
        (
            "version: 1\nlocations:\n  - {cidr: 10.0.0.0/8, country: NO}\n",
            [
                (
                    3,
                    "locations[0].country",
                    "False is not valid; expected an ISO 3166-1 alpha-2 country code such "
                    'as DE (write "NO" in quotes for Norway)',
                )
            ],
        ),
        (
            "version: 1\nlocations:\n  - {cidr: 10.0.0.0/8, country: XX}\n  - {cidr: 10.0.0.0/8, country: DE}\n"
            "  - {cidr: 10.0.0.0/8, country: FR}\n",
            [
                (3, "locations[0].country", "'XX' is not an ISO 3166-1 alpha-2 country code"),
                (
                    5,
                    "locations[2].cidr",
                    "10.0.0.0/8 is already declared DE on line 4; expected one country per CIDR",
                ),
            ],
        ),
        (
            "version: 1\ncircuits:\n  - id: C-1\n    carrier: CU\n"
            "    endpoints: [{cidr: 10.0.0.0/8, country: ZZ}]\n    filing: 42\n",
            [
                (5, "circuits[0].endpoints[0].country", "'ZZ' is not an ISO 3166-1 alpha-2 country code"),
                (
                    6,
                    "circuits[0].filing",
                    "42 is not valid; expected the internal-use filing / record reference as "
                    "text, e.g. MIIT-REC-2025-0042",
                ),
            ],
        ),
        (
            "version: 1\ncarriers:\n  additional:\n    - id: china_unicom\n      names: [X]\n      source: s\n"
            "    - id: acme\n      names: [Acme, CUG]\n      source: s\n",
            [
                (
                    4,
                    "carriers.additional[0].id",
                    "carrier id 'china_unicom' is already used by china_unicom; expected a new id",
                ),
                (
                    8,
                    "carriers.additional[1].names[1]",
                    "name 'CUG' already names carrier china_unicom; expected a name of this carrier only",
                ),
            ],
        ),
        (
            "version: 1\ndevices:\n  - {vendor: V, category: hsm, made_in: US, patterns: ['(']}\n",
            [
                (
                    3,
                    "devices[0].category",
                    "'hsm' is not allowed; expected one of: vpn_device, cipher_machine, "
                    "encrypted_telephone, encrypted_fax, none",
                ),
                (
                    3,
                    "devices[0].patterns[0]",
                    "'(' is not a valid regular expression (missing ), unterminated subpattern at position 0)",
                ),
            ],
        ),
    ],
)
def test_other_invalid_files(tmp_path: Path, text: str, expected: list) -> None:
    path = write(tmp_path, text)
    assert problems_of(path) == expected
    with pytest.raises(InputError) as info:
        load_policy(path)
    assert str(info.value).startswith(str(path))  # every message names the file


# --- discovery: explicit > environment > nearest file walking up ---------------------------------


def test_discovery_order(tmp_path: Path) -> None:
    root = write(tmp_path, "version: 1\n")
    nested = tmp_path / "infra" / "prod"
    nested.mkdir(parents=True)
    inner = write(tmp_path / "infra", "version: 1\n")
    tf = nested / "main.tf"
    tf.write_text("", encoding="utf-8")
    env_file = write(tmp_path, "version: 1\n", "from-env.yaml")

    assert discover_policy(nested, environ={}) == inner
    assert discover_policy(tf, environ={}) == inner  # a file starts from its directory
    assert discover_policy(tmp_path, environ={}) == root
    assert discover_policy(nested, environ={POLICY_ENV: str(env_file)}) == env_file
    assert discover_policy(nested, explicit="x.yaml", environ={POLICY_ENV: str(env_file)}) == Path("x.yaml")
    assert discover_policy(nested, environ={POLICY_ENV: ""}) == inner  # empty variable is unset


def test_discovery_finds_nothing(tmp_path: Path) -> None:
    """No policy file at or above the start: None, whatever lies below or beside it."""
    above = [p / POLICY_FILENAME for p in tmp_path.resolve().parents if (p / POLICY_FILENAME).is_file()]
    assert above == [], "a policy file above pytest's temporary directory; move it away to run this test"
    start = tmp_path / "repo"
    (start / "infra").mkdir(parents=True)
    below = write(start / "infra", "version: 1\n")
    (tmp_path / "other").mkdir()
    write(tmp_path / "other", "version: 1\n")
    (start / "docs" / POLICY_FILENAME).mkdir(parents=True)  # a directory of that name is no policy file

    assert discover_policy(start, environ={}) is None
    assert discover_policy(start / "main.tf", environ={}) is None
    assert discover_policy(start / "docs", environ={}) is None
    assert discover_policy(start, environ={POLICY_ENV: ""}) is None
    assert discover_policy(start / "infra", environ={}) == below  # control: one in the start directory is found


def test_explicit_missing_file_is_an_input_error(tmp_path: Path) -> None:
    path = discover_policy(tmp_path, explicit=str(tmp_path / "missing.yaml"), environ={})
    [(line, where, message)] = problems_of(path)
    assert (line, where) == (None, "") and message.startswith("cannot be read")
