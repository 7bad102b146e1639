"""CloudFormation templates get the same checks as Terraform, through the real command."""

from __future__ import annotations

from pathlib import Path

import pytest
from cn_crossborder.sources.cloudformation import AWS_TYPES, read_template

from tests.harness import (
    FIXTURES,
    actual_verdicts,
    expected_cfn_verdicts,
    plain_checkov_frameworks,
    records,
    run_cli,
    scan_fixture,
    scan_tree,
    scan_tree_once,
)

TREES = sorted(p for p in (FIXTURES / "cloudformation").iterdir() if p.is_dir())
UNKNOWN = FIXTURES / "cloudformation" / "region_unknown"
VPN = "AWS::EC2::VPNConnection"


def _verdicts(report_list: list[dict]) -> dict[tuple[str, str], str]:
    return {(rec["resource"], rec["check_id"]): rec["check_result"]["result"] for rec in records(report_list)}


@pytest.mark.parametrize("tree", TREES, ids=[t.name for t in TREES])
def test_fixture_verdicts(tree: Path) -> None:
    expected = expected_cfn_verdicts(tree)
    assert expected, f"{tree} has no # expect: annotations"
    scan = scan_fixture(tree)
    assert scan.returncode in (0, 1), scan.stderr
    found = scan.reports
    assert {r.get("check_type") for r in found} == {"cloudformation"}
    assert actual_verdicts(found, tree) == expected
    # scanned with the other trees that have a failure, and alone otherwise (harness.scan_fixture)
    assert "FAILED" in expected.values() or scan.together_with == (tree,)
    assert scan.returncode == (1 if "FAILED" in expected.values() else 0)


def test_findings_carry_details() -> None:
    found = scan_fixture(FIXTURES / "cloudformation" / "aws_cn_vpn").reports
    failed = [rec for r in found for rec in r["results"]["failed_checks"]]
    assert failed
    for rec in failed:
        text = "\n".join(rec.get("details") or [])
        where = "Device location:" if rec["check_id"] == "CKV_CNX_201" else "Endpoint:"  # a device has no link
        assert where in text and "Legal basis:" in text and "Fix:" in text, rec["resource"]
    peering = next(rec for rec in failed if rec["resource"].endswith("PeeringToFrankfurt"))
    assert "partition (aws-cn)" in "\n".join(peering["details"])


def test_unknown_region_is_said() -> None:
    found = scan_fixture(UNKNOWN).reports
    rec = next(r for r in records(found) if r["resource"] == f"{VPN}.ToShanghai" and r["check_id"] == "CKV_CNX_101")
    text = "\n".join(rec["details"])
    assert "stack region: unknown" in text and "--region" in text and "unknown_location: fail" in text


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("cn-north-1", {"ToFrankfurt": "FAILED", "ToShanghai": "PASSED", "DefaultRoute": "FAILED"}),
        ("eu-central-1", {"ToFrankfurt": "PASSED", "ToShanghai": "FAILED", "DefaultRoute": "PASSED"}),
    ],
)
def test_region_option(region: str, expected: dict[str, str]) -> None:
    proc, found = scan_tree_once(UNKNOWN, "--region", region)
    assert proc.returncode == 1, proc.stderr
    verdicts = _verdicts(found)
    assert verdicts[(f"{VPN}.ToFrankfurt", "CKV_CNX_101")] == expected["ToFrankfurt"]
    assert verdicts[(f"{VPN}.ToShanghai", "CKV_CNX_101")] == expected["ToShanghai"]
    assert verdicts[("AWS::EC2::Route.DefaultRoute", "CKV_CNX_104")] == expected["DefaultRoute"]
    rec = next(r for r in records(found) if r["resource"] == f"{VPN}.ToShanghai" and r["check_id"] == "CKV_CNX_101")
    assert f"{region}" in rec["details"][0] and "--region" in rec["details"][0]


def test_region_option_beats_the_region_parameter() -> None:
    _, found = scan_tree_once(FIXTURES / "cloudformation" / "aws_cn_vpn", "--region", "eu-central-1")
    verdicts = _verdicts(found)
    assert verdicts[(f"{VPN}.BeijingToFrankfurt", "CKV_CNX_101")] == "PASSED"
    assert verdicts[(f"{VPN}.BeijingToShanghai", "CKV_CNX_101")] == "FAILED"


def test_unknown_location_pass_policy(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\nunknown_location: pass\n", encoding="utf-8")
    _, found = scan_tree(UNKNOWN, "--policy", str(policy))
    assert _verdicts(found)[(f"{VPN}.ToShanghai", "CKV_CNX_101")] == "PASSED"


def test_plain_checkov_reads_the_region_variable() -> None:
    checks_dir = run_cli("checks-dir").stdout.strip()
    code, found = plain_checkov_frameworks(
        UNKNOWN, checks_dir, "cloudformation", extra_env={"CN_CROSSBORDER_REGION": "cn-north-1"}
    )
    assert code == 1
    plain = _verdicts(found)
    _, ours = scan_tree_once(UNKNOWN, "--region", "cn-north-1")  # the run test_region_option judges
    assert plain == _verdicts(ours)


def test_every_aws_spec_type_has_a_twin_or_a_reason() -> None:
    """What templates cannot be judged on is written down: each type the aws spec reads is the twin of
    a template type or has its reason in ``NO_TWIN``, never both, and no twin is a type the spec ignores."""
    from cn_crossborder.clouds import devices
    from cn_crossborder.clouds.cloudformation import untwinned
    from cn_crossborder.clouds.spec import all_specs, coverage_of

    aws = next(spec for spec in all_specs() if spec.cloud == "aws")
    read = {cov.resource_type for rows in coverage_of(aws).values() for cov in rows}
    read |= {cov.resource_type for rows in devices.COVERAGE.values() for cov in rows if cov.cloud == "aws"}
    twins = {tf_type for tf_type, _ in AWS_TYPES.values()}
    without = [tf_type for tf_type, _, _ in untwinned()]
    assert len(without) == len(set(without))
    assert twins <= read
    assert not twins & set(without)
    assert read == twins | set(without)


def test_list_properties_refer_to_each_item() -> None:
    """RouteTableIds refers to every table it lists; BgpPeers' CustomerAddress is read from each peer."""
    template = {
        "Resources": {
            "Vgw": {"Type": "AWS::EC2::VPNGateway", "Properties": {"Type": "ipsec.1"}},
            "RtA": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": "vpc-0a"}},
            "RtB": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": "vpc-0a"}},
            "Propagation": {
                "Type": "AWS::EC2::VPNGatewayRoutePropagation",
                "Properties": {
                    "VpnGatewayId": {"Ref": "Vgw"},
                    "RouteTableIds": [{"Ref": "RtA"}, {"Fn::GetAtt": ["RtB", "RouteTableId"]}, "rtb-0existing"],
                },
            },
            "Vif": {
                "Type": "AWS::DirectConnect::PrivateVirtualInterface",
                "Properties": {
                    "ConnectionId": "dxcon-0abc1234",
                    "BgpPeers": [
                        {"AddressFamily": "ipv4", "Asn": "65000", "CustomerAddress": "85.214.0.2/30"},
                        {"AddressFamily": "ipv6", "Asn": "65000"},
                    ],
                },
            },
        }
    }
    config = read_template("stack.yaml", template, "cn-north-1", "by test")
    (propagation,) = config.by_type["aws_vpn_gateway_route_propagation"]
    assert [r.address for r in propagation.refs["route_table_id"]] == [
        "AWS::EC2::RouteTable.RtA",
        "AWS::EC2::RouteTable.RtB",
    ]
    assert propagation.attrs["route_table_id"] == ["${RtA}", "${RtB.RouteTableId}", "rtb-0existing"]
    assert [r.address for r in propagation.refs["vpn_gateway_id"]] == ["AWS::EC2::VPNGateway.Vgw"]
    (vif,) = config.by_type["aws_dx_private_virtual_interface"]
    assert vif.attrs["customer_address"] == ["85.214.0.2/30"]
    assert vif.attrs["connection_id"] == "dxcon-0abc1234"


def test_list_items_read_as_nested_blocks() -> None:
    """``Entries.Cidr`` read as ``entry.cidr``: one entry block per item, as the Terraform twin writes them."""
    template = {
        "Parameters": {"Office": {"Type": "String", "Default": "10.10.0.0/16"}},
        "Resources": {
            "List": {
                "Type": "AWS::EC2::PrefixList",
                "Properties": {
                    "PrefixListName": "corp",
                    "AddressFamily": "IPv4",
                    "MaxEntries": 5,
                    "Entries": [{"Cidr": {"Ref": "Office"}, "Description": "office"}, {"Cidr": "0.0.0.0/0"}],
                },
            },
        },
    }
    config = read_template("stack.yaml", template, "cn-north-1", "by test")
    (plist,) = config.by_type["aws_ec2_managed_prefix_list"]
    assert plist.attrs["entry"] == [{"cidr": "10.10.0.0/16"}, {"cidr": "0.0.0.0/0"}]


def test_list_items_written_as_an_intrinsic_are_kept_not_known_statically() -> None:
    """An item (or the whole list) written ``Fn::If`` is an entry whose CIDR the template does not
    state: it is kept as a value not known statically, never dropped as though it were not there."""
    entries = [{"Cidr": "10.0.0.0/8"}, {"Fn::If": ["Abroad", {"Cidr": "0.0.0.0/0"}, {"Cidr": "10.1.0.0/16"}]}]
    template = {
        "Resources": {
            "Items": {"Type": "AWS::EC2::PrefixList", "Properties": {"Entries": entries}},
            "Whole": {"Type": "AWS::EC2::PrefixList", "Properties": {"Entries": {"Fn::If": ["Abroad", [], []]}}},
        },
    }
    config = read_template("stack.yaml", template, "cn-north-1", "by test")
    items, whole = config.by_type["aws_ec2_managed_prefix_list"]
    assert items.attrs["entry"] == [{"cidr": "10.0.0.0/8"}, {"cidr": "${Fn::If}"}]
    assert whole.attrs["entry"] == [{"cidr": "${Fn::If}"}]
