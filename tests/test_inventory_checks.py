"""Network inventories through the real command and plain Checkov: exact verdicts per item."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.harness import (
    AS_OF,
    FIXTURES,
    ROOT,
    actual_inventory_verdicts,
    expected_inventory_verdicts,
    plain_checkov_frameworks,
    records,
    reports,
    run_cli,
    scan_fixture,
    scan_tree,
)

INVENTORIES = FIXTURES / "inventory"
INVALID = INVENTORIES / "invalid"
TREES = sorted(p for p in INVENTORIES.iterdir() if p.is_dir() and p.name != "invalid")


def _compare(expected: dict, actual: dict) -> None:
    missing = {k: v for k, v in expected.items() if k not in actual}
    unexpected = {k: v for k, v in actual.items() if k not in expected}
    wrong = {k: (expected[k], actual[k]) for k in expected.keys() & actual.keys() if expected[k] != actual[k]}
    assert not missing and not unexpected and not wrong, (
        f"missing={missing}\nunannotated={unexpected}\nwrong (expected, actual)={wrong}"
    )


@pytest.fixture(scope="module")
def checks_dir() -> str:
    proc = run_cli("checks-dir")
    assert proc.returncode == 0
    return proc.stdout.strip()


@pytest.mark.parametrize("tree", TREES, ids=[t.name for t in TREES])
def test_inventory_verdicts(tree: Path) -> None:
    expected = expected_inventory_verdicts(tree)
    assert expected, f"{tree} has no # expect: annotations"
    scan = scan_fixture(tree)
    assert scan.returncode in (0, 1), scan.stderr
    actual = actual_inventory_verdicts(scan.reports, tree)
    _compare(expected, actual)
    # scanned with the other trees that have a failure, and alone otherwise (harness.scan_fixture)
    assert "FAILED" in actual.values() or scan.together_with == (tree,)
    assert scan.returncode == (1 if "FAILED" in actual.values() else 0)


@pytest.mark.parametrize("tree", TREES, ids=[t.name for t in TREES])
def test_plain_checkov_gives_the_same_verdicts(tree: Path, checks_dir: str) -> None:
    _, reports = plain_checkov_frameworks(tree, checks_dir, "yaml")
    _compare(expected_inventory_verdicts(tree), actual_inventory_verdicts(reports, tree))


def test_findings_name_the_item_and_explain_it() -> None:
    reports = scan_fixture(INVENTORIES / "valid").reports
    recs = {(r["check_id"], r["resource"]): r for r in records(reports)}
    asa = recs[("CKV_CNX_202", "devices.sha-fw-01")]
    assert asa["file_line_range"] == [28, 37]
    text = "\n".join(asa["details"])
    assert "at site sha-office: CN by the site's declared country (network.yaml:9)" in text
    assert "Made in: US (device catalogue" in text
    assert "AES-256: symmetric key 256 bits >= 64" in text
    assert "no licence in the policy covers Cisco ASA 5525-X" in text
    assert "Legal basis: Encryption Law" in text and "Fix:" in text
    link = recs[("CKV_CNX_101", "links.sha-aws-fra")]
    text = "\n".join(link["details"])
    assert "eu-central-1 (Frankfurt): DE" in text and "self-built IPsec tunnel" in text
    assert "`carrier:`" in text


def test_valid_example_is_the_one_in_the_docs() -> None:
    page = (ROOT / "docs" / "inventory.md").read_text(encoding="utf-8")
    example = (INVENTORIES / "valid" / "network.yaml").read_text(encoding="utf-8")
    assert f"```yaml\n{example}```" in page


# --- broken inventories ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def broken_files_scanned() -> subprocess.CompletedProcess:
    """``scan`` given every broken inventory as a path, in one run: each file is judged in the
    context of its directory and only its own findings are reported, as when it is given alone."""
    files = sorted(INVALID.glob("*.yaml"))
    proc = run_cli("scan", *map(str, files), "--as-of", AS_OF, "--format", "json")
    assert {Path(r["file_abs_path"]) for r in records(reports(proc.stdout))} <= set(files), proc.stdout[-3000:]
    return proc


@pytest.mark.parametrize("file", sorted(INVALID.glob("*.yaml")), ids=lambda p: p.name)
def test_a_broken_inventory_fails_the_scan_with_located_messages(
    file: Path, broken_files_scanned: subprocess.CompletedProcess
) -> None:
    proc = broken_files_scanned
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"{file} is not a valid network inventory" in proc.stderr
    assert f"{file}:" in proc.stderr  # with a line number
    assert "Traceback" not in proc.stderr
    # the file's own records: all failed, so scanned alone it fails the scan too
    failed = [r for r in records(reports(proc.stdout)) if Path(r["file_abs_path"]) == file]
    assert failed and all(r["check_result"]["result"] == "FAILED" for r in failed)


def test_a_broken_inventory_does_not_stop_the_scan_of_the_others(tmp_path: Path) -> None:
    """Every broken file is named, every other file is still judged, and the report is written."""
    for file in INVALID.glob("*.yaml"):
        (tmp_path / file.name).write_bytes(file.read_bytes())
    kind = b"kind: cn-crossborder/network-inventory\nversion: 1\n"
    (tmp_path / "latin-1.yaml").write_bytes(kind + b"sites:\n  - id: caf\xe9\n    country: CN\n")
    (tmp_path / "duplicate-links.yaml").write_bytes(kind + b"sites: []\nlinks: []\nlinks: []\n")
    laughs = "".join(f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))
    (tmp_path / "laughs.yaml").write_text(kind.decode() + 'a: &a ["lol","lol","lol"]\n' + laughs, encoding="utf-8")
    links = INVENTORIES / "links"
    (tmp_path / "good").mkdir()
    for file in ("network.yaml", ".cn-crossborder.yaml"):
        (tmp_path / "good" / file).write_bytes((links / file).read_bytes())
    report = tmp_path / "out" / "report.sarif"
    report.parent.mkdir()
    proc = run_cli("scan", str(tmp_path), "--as-of", AS_OF, "--format", "sarif", "--output", str(report))
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    broken = [f.name for f in tmp_path.glob("*.yaml")]
    for name in broken:
        assert f"{tmp_path / name} is not a valid network inventory" in proc.stderr, name
    results = [r for run in json.loads(report.read_text(encoding="utf-8"))["runs"] for r in run["results"]]
    files = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].rsplit("/", 1)[-1] for r in results}
    assert set(broken) <= files and "network.yaml" in files


def test_plain_checkov_fails_every_broken_inventory_and_passes_nothing(checks_dir: str) -> None:
    code, reports = plain_checkov_frameworks(INVALID, checks_dir, "yaml")
    assert code == 1
    recs = records(reports)
    assert recs and all(r["check_result"]["result"] == "FAILED" for r in recs)
    failed_files = {Path(r["file_abs_path"]).name for r in recs}
    assert failed_files == {f.name for f in INVALID.glob("*.yaml")}
    syntax = [r for r in recs if r["file_abs_path"].endswith("yaml-syntax.yaml")]
    assert {r["check_id"] for r in syntax} == {
        "CKV_CNX_101",
        "CKV_CNX_102",
        "CKV_CNX_104",
        "CKV_CNX_201",
        "CKV_CNX_202",
    }
    assert all(r["resource"] == "inventory" for r in syntax)
    assert any("is not valid YAML" in line for line in syntax[0]["details"])
    site = next(
        r
        for r in recs
        if r["file_abs_path"].endswith("missing-site.yaml")
        and r["resource"] == "devices.sha-fw-01"
        and r["check_id"] == "CKV_CNX_202"
    )
    assert any("missing-site.yaml:12 at devices[0].site: site 'sha-ofice'" in d for d in site["details"])


# --- other YAML --------------------------------------------------------------------------------------


def test_other_yaml_is_ignored_and_its_syntax_is_not_our_business(tmp_path: Path) -> None:
    templates = tmp_path / "chart" / "templates"
    templates.mkdir(parents=True)
    (templates / "deployment.yaml").write_text(
        textwrap.dedent("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ .Release.Name }}
          {{- if .Values.labels }}
          labels: {{ toYaml .Values.labels | nindent 4 }}
          {{- end }}
    """),
        encoding="utf-8",
    )
    (tmp_path / "broken.yaml").write_text("a: [1, 2\nb: c\n", encoding="utf-8")
    (tmp_path / "broken.json").write_text('{"name": "x"', encoding="utf-8")
    (tmp_path / "catalogue.yaml").write_text(
        textwrap.dedent("""\
        # a list of devices that is not an inventory
        devices:
          - id: sha-fw-01
            vendor: Cisco
        links:
          - id: x
    """),
        encoding="utf-8",
    )
    (tmp_path / "net.yaml").write_text((INVENTORIES / "valid" / "network.yaml").read_text(encoding="utf-8"))
    proc, reports = scan_tree(tmp_path)
    assert "could not be parsed" not in proc.stderr, proc.stderr
    yaml_recs = [r for r in records(reports) if r["file_path"].endswith((".yaml", ".yml"))]
    assert yaml_recs and {Path(r["file_path"]).name for r in yaml_recs} == {"net.yaml"}
    assert proc.returncode == 1  # the inventory's own failures


def test_a_broken_terraform_file_still_counts(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_vpc" "x" {\n  cidr_block = \n', encoding="utf-8")
    (tmp_path / "chart.yaml").write_text("a: {{ .Values.x }}\n", encoding="utf-8")
    proc, _ = scan_tree(tmp_path)
    assert proc.returncode == 1
    assert "main.tf could not be parsed" in proc.stderr and "chart.yaml" not in proc.stderr


def test_an_invalid_policy_fails_every_inventory_item(tmp_path: Path, checks_dir: str) -> None:
    (tmp_path / "net.yaml").write_text((INVENTORIES / "valid" / "network.yaml").read_text(encoding="utf-8"))
    policy = "version: 1\nlicences:\n  - vendor: Cisco\n"  # a licence without an id
    (tmp_path / ".cn-crossborder.yaml").write_text(policy, encoding="utf-8")
    _, reports = plain_checkov_frameworks(tmp_path, checks_dir, "yaml")
    recs = records(reports)
    assert recs and all(r["check_result"]["result"] == "FAILED" for r in recs)
    assert any("Policy problem:" in d for d in recs[0]["details"])


# --- explain -----------------------------------------------------------------------------------------


def test_explain_says_what_the_list_is_and_how_to_get_and_record_a_licence() -> None:
    for check in ("CKV_CNX_201", "CKV_CNX_202"):
        proc = run_cli("explain", check)
        assert proc.returncode == 0, proc.stderr
        out = proc.stdout
        assert "Commercial Encryption Import Licence List" in out and "Announcement No. 63 of 2020" in out
        assert "Why a device is on it" in out
        assert "dual-use items import licence" in out and "Art. 32" in out and "Art. 34" in out
        assert "licences:" in out and ".cn-crossborder.yaml" in out
    proc = run_cli("explain", "CKV_CNX_201")
    for resource_type in (
        "aws_customer_gateway",
        "azurerm_local_network_gateway",
        "alicloud_vpn_customer_gateway",
        "tencentcloud_vpn_customer_gateway",
        "huaweicloud_vpn_customer_gateway",
        "volcengine_customer_gateway",
    ):
        assert resource_type in proc.stdout


def test_checkov_skip_comment_skips_one_item(tmp_path: Path) -> None:
    text = (INVENTORIES / "valid" / "network.yaml").read_text(encoding="utf-8")
    marker = "    tags: {owner: netops, asset: CN-0042}\n"
    assert marker in text
    skip = "    # checkov:skip=CKV_CNX_202: import licence applied for, ticket LEG-12\n"
    text = text.replace(marker, marker + skip)
    (tmp_path / "net.yaml").write_text(text, encoding="utf-8")
    _, reports = scan_tree(tmp_path)
    verdicts = actual_inventory_verdicts(reports, tmp_path)
    assert verdicts[("net.yaml", "devices.sha-fw-01", "CKV_CNX_202")] == "SKIPPED"
    assert verdicts[("net.yaml", "devices.sha-fw-01", "CKV_CNX_201")] == "FAILED"
    assert not any(resource == "inventory" for _, resource, _ in verdicts)


def test_an_inventory_is_parsed_once_per_scan(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Recognising, validating and judging an inventory share one parse of each file version."""
    from cn_crossborder import cli
    from cn_crossborder.domain import yamlsrc

    parsed: list[str] = []
    real = yamlsrc._parse_documents

    def counting(file: str, text: str | None) -> list[yamlsrc.LocatedDocument]:
        parsed.append(file)
        return real(file, text)

    monkeypatch.setattr(yamlsrc, "_parse_documents", counting)
    monkeypatch.setattr(yamlsrc, "_parsed", {})
    tree = FIXTURES / "inventory" / "links"
    assert cli.main(["scan", str(tree), "--format", "json", "--as-of", AS_OF]) == 1
    capsys.readouterr()
    inventory = str(tree / "network.yaml")
    assert parsed.count(inventory) == 1, parsed
