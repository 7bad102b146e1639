"""Regions Terraform takes from the provider's environment, run end to end with the real Checkov."""

from __future__ import annotations

from pathlib import Path

from tests.harness import AS_OF, records, reports, run_cli

# A VPN to a Frankfurt customer gateway from a VPN gateway in whatever region the provider gives.
VPN_TO_FRANKFURT = """
resource "aws_customer_gateway" "frankfurt" {
  bgp_asn    = 65010
  ip_address = "85.214.10.1"
  type       = "ipsec.1"
}

resource "aws_vpn_connection" "no_region_written" {
  customer_gateway_id = aws_customer_gateway.frankfurt.id
  vpn_gateway_id      = "vgw-0123456789"
  type                = "ipsec.1"
}
"""

UNWRITTEN = (
    """
provider "aws" {
}
"""
    + VPN_TO_FRANKFURT
)


def _verdict(tree: Path, env: dict[str, str]) -> tuple[str, list[str]]:
    proc = run_cli("scan", str(tree), "--format", "json", "--as-of", AS_OF, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    for rec in records(reports(proc.stdout)):
        if rec["check_id"] == "CKV_CNX_101" and rec["resource"] == "aws_vpn_connection.no_region_written":
            return rec["check_result"]["result"], rec.get("details") or []
    raise AssertionError(proc.stdout[-2000:])


def test_region_from_the_provider_environment(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(UNWRITTEN, encoding="utf-8")
    clear = {"AWS_REGION": "", "AWS_DEFAULT_REGION": ""}
    result, details = _verdict(tmp_path, {**clear, "AWS_REGION": "eu-central-1"})
    assert result == "PASSED", details  # Frankfurt to Frankfurt: no border
    result, details = _verdict(tmp_path, {**clear, "AWS_DEFAULT_REGION": "cn-north-1"})
    assert result == "FAILED"
    assert any("via environment AWS_DEFAULT_REGION" in line for line in details), details


NULL_REGION = (
    """
variable "region" {
  type    = string
  default = null
}

provider "aws" {
  region = var.region
}
"""
    + VPN_TO_FRANKFURT
)


def test_a_region_variable_whose_value_is_null_leaves_the_region_to_the_environment(tmp_path: Path) -> None:
    """``region = var.region`` with ``default = null`` is a provider block naming no region, as in
    Terraform: the environment decides (never the text var.region as an unknown region)."""
    (tmp_path / "main.tf").write_text(NULL_REGION, encoding="utf-8")
    clear = {"AWS_REGION": "", "AWS_DEFAULT_REGION": ""}
    result, details = _verdict(tmp_path, {**clear, "AWS_REGION": "eu-central-1"})
    assert result == "PASSED", details
    result, details = _verdict(tmp_path, {**clear, "AWS_REGION": "cn-north-1"})
    assert result == "FAILED"
    assert any("via environment AWS_REGION" in line for line in details), details
