"""A Terraform plan JSON gets the same verdicts as the HCL it was planned from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.harness import FIXTURES, actual_verdicts, expected_verdicts, records, scan_fixture

TREES = sorted(p for p in (FIXTURES / "plan").iterdir() if p.is_dir())


def _by_address(reports: list[dict], check_type: str) -> dict[tuple[str, str], str]:
    """(resource address, check) -> verdict: plan records name the JSON file, so files differ."""
    own = [report for report in reports if report.get("check_type") == check_type]
    return {(rec["resource"], rec["check_id"]): rec["check_result"]["result"] for rec in records(own)}


def _scan(tree: Path) -> tuple[object, list[dict]]:
    """The tree's share of the session's scan of the annotated fixtures."""
    scan = scan_fixture(tree)
    assert scan.returncode in (0, 1), scan.stderr
    return scan, scan.reports


@pytest.fixture(scope="module", params=TREES, ids=[t.name for t in TREES])
def scanned(request: pytest.FixtureRequest) -> tuple[Path, object, list[dict]]:
    tree = request.param
    proc, reports = _scan(tree)
    return tree, proc, reports


def test_hcl_matches_annotations(scanned: tuple[Path, object, list[dict]]) -> None:
    tree, _, reports = scanned
    hcl_reports = [r for r in reports if r.get("check_type") == "terraform"]
    expected = expected_verdicts(tree)
    assert expected
    assert actual_verdicts(hcl_reports, tree) == expected


def test_plan_verdicts_equal_hcl_verdicts(scanned: tuple[Path, object, list[dict]]) -> None:
    _, _, reports = scanned
    hcl = _by_address(reports, "terraform")
    plan = _by_address(reports, "terraform_plan")
    assert hcl, "the HCL side reported nothing"
    assert plan == hcl


def test_plan_records_name_the_plan_file(scanned: tuple[Path, object, list[dict]]) -> None:
    _, _, reports = scanned
    plan_recs = records(r for r in reports if r.get("check_type") == "terraform_plan")
    assert plan_recs and all(rec["file_path"].endswith(".json") for rec in plan_recs)


def test_region_variable_is_resolved_from_the_plan() -> None:
    """aws_vpn's plan keeps aws.china's region only as var.china_region; its value comes from the plan."""
    _, reports = _scan(FIXTURES / "plan" / "aws_vpn")
    plan_recs = records(r for r in reports if r.get("check_type") == "terraform_plan")
    conn = next(
        r
        for r in plan_recs
        if r["resource"] == "aws_vpn_connection.beijing_to_frankfurt" and r["check_id"] == "CKV_CNX_101"
    )
    assert conn["check_result"]["result"] == "FAILED"
    china_end = conn["details"][0]
    assert china_end.startswith("Endpoint: cn-north-1 (Beijing): CN via provider aws.china (tfplan.json) ")
    assert china_end.endswith("region = var.china_region = 'cn-north-1' from the plan's variables")


def _write_plan(tmp_path: Path, configuration: dict, variables: dict | None = None) -> str:
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "variables": variables or {},
        "planned_values": {"root_module": {}},
        "configuration": configuration,
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent=2), encoding="utf-8")
    return str(path)


def test_module_provider_region_from_module_argument(tmp_path: Path) -> None:
    from cn_crossborder.sources.plan import load_plan

    path = _write_plan(
        tmp_path,
        {
            "provider_config": {
                "module.site:aws": {
                    "name": "aws",
                    "module_address": "module.site",
                    "expressions": {"region": {"references": ["var.region"]}},
                },
            },
            "root_module": {
                "module_calls": {
                    "site": {
                        "expressions": {"region": {"references": ["var.site_region"]}},
                        "module": {
                            "resources": [
                                {
                                    "address": "aws_vpn_connection.this",
                                    "mode": "managed",
                                    "type": "aws_vpn_connection",
                                    "name": "this",
                                    "provider_config_key": "module.site:aws",
                                }
                            ],
                            "variables": {"region": {}},
                        },
                    }
                },
            },
        },
        {"site_region": {"value": "cn-northwest-1"}},
    )
    index = load_plan(path)
    assert index is not None
    provider = index.provider_for("module.site.aws_vpn_connection.this")
    assert provider is not None and provider.attrs["region"] == "cn-northwest-1"
    assert any("var.site_region" in step for step in provider.via)


def test_unknown_provider_key_gives_no_region(tmp_path: Path) -> None:
    """Old plans wrote module-local keys that the provider map lacks: unknown, never a guess."""
    from cn_crossborder.sources.plan import load_plan

    path = _write_plan(
        tmp_path,
        {
            "provider_config": {
                "aws": {"name": "aws", "expressions": {"region": {"constant_value": "eu-west-1"}}},
            },
            "root_module": {
                "module_calls": {
                    "site": {
                        "module": {
                            "resources": [
                                {
                                    "address": "aws_vpn_connection.this",
                                    "type": "aws_vpn_connection",
                                    "name": "this",
                                    "provider_config_key": "site:aws",
                                }
                            ]
                        }
                    }
                }
            },
        },
    )
    index = load_plan(path)
    assert index is not None
    provider = index.provider_for("module.site.aws_vpn_connection.this[0]")
    assert provider is not None and provider.attrs["region"] is None


def test_references_of_known_values(tmp_path: Path) -> None:
    from cn_crossborder.sources.plan import load_plan

    path = _write_plan(
        tmp_path,
        {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_vpn_connection.x",
                        "type": "aws_vpn_connection",
                        "name": "x",
                        "provider_config_key": "aws",
                        "expressions": {
                            "customer_gateway_id": {
                                "references": ["aws_customer_gateway.y.id", "aws_customer_gateway.y"]
                            },
                            "vpn_gateway_id": {"references": ["var.vgw"]},
                        },
                    },
                ]
            }
        },
    )
    index = load_plan(path)
    assert index is not None
    assert index.referenced("aws_vpn_connection.x", "customer_gateway_id") == ["aws_customer_gateway.y"]
    assert index.referenced("aws_vpn_connection.x", "vpn_gateway_id") == []


def test_non_plan_json_is_ignored(tmp_path: Path) -> None:
    from cn_crossborder.sources.plan import load_plan

    other = tmp_path / "data.json"
    other.write_text('{"hello": "world"}', encoding="utf-8")
    assert load_plan(str(other)) is None
    assert load_plan(str(tmp_path / "main.tf.json")) is None
