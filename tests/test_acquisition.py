"""Policy `devices:` entries that say how the units in mainland China were acquired (CKV_CNX_201/202).

The import licence belongs to the import and the importer: units imported under a licence (the
user's or a distributor's), bought in the mainland from a licensed importer, made there, or
mass-consumer products need no licence in the user's name. Scanned through the real command.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from cn_crossborder.domain.policy import load_policy
from cn_crossborder.domain.yamlsrc import InputError

from tests.harness import actual_inventory_verdicts, actual_verdicts, records, scan_tree

POLICY = """\
version: 1
devices:
  - vendor: Fortinet
    models: ["FortiGate 100F"]
    category: vpn_device
    made_in: US
    acquired: bought-in-mainland
    source: PO 2026-118, Beijing distributor that imported them under its licence
  - vendor: Juniper
    models: ["SRX345"]
    category: vpn_device
    made_in: US
    acquired: imported-under-licence
    licence: DIST-IMP-2025-0412
  - vendor: Palo Alto Networks
    models: ["PA-3220"]
    category: vpn_device
    made_in: US
    acquired: made-in-mainland
    source: unit serial label, Suzhou factory
  - vendor: Ubiquiti
    models: ["UniFi Dream Router"]
    category: vpn_device
    made_in: US
    acquired: mass-consumer
  - vendor: Sophos
    models: ["XGS 2100"]
    category: vpn_device
    made_in: GB
"""

GATEWAYS = """\
provider "aws" {
  region = "eu-central-1"
}

resource "aws_customer_gateway" "bought" {
  bgp_asn     = 65001
  ip_address  = "116.228.111.118"
  type        = "ipsec.1"
  device_name = "Fortinet FortiGate 100F"
}

resource "aws_customer_gateway" "distributor_licence" {
  bgp_asn     = 65002
  ip_address  = "116.228.111.119"
  type        = "ipsec.1"
  device_name = "Juniper SRX345"
}

resource "aws_customer_gateway" "made_here" {
  bgp_asn     = 65003
  ip_address  = "116.228.111.120"
  type        = "ipsec.1"
  device_name = "Palo Alto Networks PA-3220"
}

resource "aws_customer_gateway" "consumer" {
  bgp_asn     = 65004
  ip_address  = "116.228.111.121"
  type        = "ipsec.1"
  device_name = "Ubiquiti UniFi Dream Router"
}

resource "aws_customer_gateway" "undeclared" {
  bgp_asn     = 65005
  ip_address  = "116.228.111.122"
  type        = "ipsec.1"
  device_name = "Sophos XGS 2100"
}
"""

INVENTORY = """\
kind: cn-crossborder/network-inventory
version: 1
sites:
  - id: sha-office
    name: Shanghai office
    country: CN
    city: Shanghai
    addresses: [116.228.111.0/24]
devices:
  - id: bought
    site: sha-office
    vendor: Fortinet
    model: FortiGate 100F
    category: vpn_device
  - id: made-here
    site: sha-office
    vendor: Palo Alto Networks
    model: PA-3220
    category: vpn_device
  - id: undeclared
    site: sha-office
    vendor: Sophos
    model: XGS 2100
    category: vpn_device
"""


def _tree(tmp_path: Path, **files: str) -> Path:
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def _details(reports: list[dict], check: str, resource: str) -> str:
    found = [r for r in records(reports) if r["check_id"] == check and r["resource"].endswith(resource)]
    assert found, f"no {check} record for {resource}"
    return "\n".join(found[0].get("details") or [])


def test_gateways_acquired_in_a_way_that_needs_no_licence_of_ours_pass(tmp_path: Path) -> None:
    tree = _tree(tmp_path, **{".cn-crossborder.yaml": POLICY, "main.tf": GATEWAYS})
    proc, reports = scan_tree(tree)
    assert proc.returncode == 1, proc.stderr
    verdicts = {res: v for (_, res, check), v in actual_verdicts(reports, tree).items() if check == "CKV_CNX_201"}
    assert verdicts == {
        "aws_customer_gateway.bought": "PASSED",
        "aws_customer_gateway.distributor_licence": "PASSED",
        "aws_customer_gateway.made_here": "PASSED",
        "aws_customer_gateway.consumer": "PASSED",
        "aws_customer_gateway.undeclared": "FAILED",
    }, verdicts
    failed = _details(reports, "CKV_CNX_201", "aws_customer_gateway.undeclared")
    assert "import licence it entered under" in failed
    assert "acquired: bought-in-mainland" in failed and "acquired: made-in-mainland" in failed
    assert "your distributor's" in failed and "acquired: mass-consumer" in failed


def test_inventory_device_declared_bought_or_made_in_mainland_passes_202(tmp_path: Path) -> None:
    tree = _tree(tmp_path, **{".cn-crossborder.yaml": POLICY, "network.yaml": INVENTORY})
    proc, reports = scan_tree(tree)
    assert proc.returncode == 1, proc.stderr
    verdicts = actual_inventory_verdicts(reports, tree)

    def verdict(device: str) -> str | None:
        found = [v for (_, res, check), v in verdicts.items() if check == "CKV_CNX_202" and res.endswith(device)]
        return found[0] if len(found) == 1 else None

    assert verdict("bought") == "PASSED", verdicts
    assert verdict("made-here") == "PASSED", verdicts
    assert verdict("undeclared") == "FAILED", verdicts


@pytest.mark.parametrize(
    ("acquired", "missing"),
    [("imported-under-licence", "licence"), ("bought-in-mainland", "source"), ("made-in-mainland", "source")],
)
def test_acquired_needs_its_evidence(tmp_path: Path, acquired: str, missing: str) -> None:
    policy = tmp_path / ".cn-crossborder.yaml"
    policy.write_text(
        "version: 1\ndevices:\n  - vendor: Fortinet\n    category: vpn_device\n    made_in: US\n"
        f"    acquired: {acquired}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        load_policy(policy)
    text = "\n".join(str(p) for p in err.value.problems)
    assert f"devices[0].{missing}" in text, text
    assert f"acquired: {acquired} needs {missing}" in text


def test_unknown_acquired_value_is_a_schema_error(tmp_path: Path) -> None:
    policy = tmp_path / ".cn-crossborder.yaml"
    policy.write_text(
        "version: 1\ndevices:\n  - vendor: Fortinet\n    category: vpn_device\n    made_in: US\n"
        "    acquired: smuggled\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        load_policy(policy)
    assert "imported-under-licence" in "\n".join(str(p) for p in err.value.problems)
