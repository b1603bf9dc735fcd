"""Crosswalks (schema, statements on both sides), version order, the policy's named statements,
and the attribution the framework licence requires (issue 14, issue 8)."""

from __future__ import annotations

import json

import pytest

from issuer.errors import FrameworkError
from issuer.frameworks import FrameworkRegistry, FrameworkUrls, export_case, load_framework, parse_crosswalk
from issuer.frameworks.attribution import LICENCES, ONET_URL
from issuer.frameworks.models import version_key
from issuer.frameworks.policy import levels_reached

from .conftest import BUNDLED_FILE
from .testdata import CROSSWALK, PT, PT_V2611, PT_V2611_POLICY, SURGICAL


@pytest.fixture
def two_versions(registry) -> FrameworkRegistry:
    held = FrameworkRegistry(registry.all())
    held.add(load_framework(PT_V2611.read_bytes(), policy=PT_V2611_POLICY.read_bytes()))
    return held


def test_test_data_is_marked_and_differs_as_described(fw, two_versions):
    new = two_versions.get(PT, "v.26.11")
    assert "TEST DATA" in json.loads(PT_V2611.read_bytes())["_testData"]
    assert new.statement("D02").text != fw.statement("D02").text
    assert new.statement("P04").text == fw.statement("P05").text  # P04 removed, the rest moved up
    assert new.statement("P10").text not in {s.text for s in fw.statements}  # added


def test_versions_sort_as_the_publisher_numbers_them(two_versions):
    assert two_versions.versions(PT) == ["v.26.05", "v.26.11"]
    assert two_versions.latest(PT).version == "v.26.11"
    assert version_key("v.9.12") < version_key("v.26.05") < version_key("v.26.11") < version_key("v.100.1")


def test_crosswalk_carries_only_same(two_versions):
    walk = parse_crosswalk(CROSSWALK.read_bytes())
    two_versions.add_crosswalk(walk)
    carried = walk.carried()
    assert carried["P04"] == "P05" and carried["E01"] == "E01"
    assert "D02" not in carried and "D07" not in carried and "P10" not in carried  # narrower, broader, replaced
    assert two_versions.crosswalks_into(two_versions.get(PT, "v.26.11")) == [walk]


def test_crosswalk_naming_an_unknown_statement_lists_every_problem(two_versions):
    data = json.loads(CROSSWALK.read_bytes())
    data["mappings"][0]["from"] = "E11"
    data["mappings"][5]["to"] = "E12"
    with pytest.raises(FrameworkError) as err:
        two_versions.add_crosswalk(parse_crosswalk(json.dumps(data).encode()))
    assert err.value.code == "crosswalk_invalid"
    paths = [p["path"] for p in err.value.problem_list()]
    assert paths == ["/mappings/0/from", "/mappings/5/to"]
    assert "E11" in str(err.value) and "E12" in str(err.value)


def test_crosswalk_schema_errors_have_json_paths():
    bad = {"schemaVersion": "1.0", "type": "FrameworkCrosswalk", "from": {"occupation": PT, "version": "26.05"},
           "to": {"occupation": PT, "version": "v.26.11"}, "mappings": [{"from": "E01", "to": "E01", "relation": "same-ish"}]}
    with pytest.raises(FrameworkError) as err:
        parse_crosswalk(json.dumps(bad).encode())
    assert {p["path"] for p in err.value.problem_list()} == {"/from/version", "/mappings/0/relation"}


def test_crosswalk_to_a_version_not_held_is_refused(registry):
    with pytest.raises(FrameworkError) as err:
        FrameworkRegistry(registry.all()).add_crosswalk(parse_crosswalk(CROSSWALK.read_bytes()))
    assert err.value.code == "crosswalk_invalid" and "v.26.11" in str(err.value)


def test_document_errors_are_all_reported_at_once(doc):
    doc["occupation"]["soc"] = "bad"
    doc["framework"]["version"] = "26.05"
    with pytest.raises(FrameworkError) as err:
        load_framework(json.dumps(doc).encode(), source="bad.json")
    assert [p["path"] for p in err.value.problem_list()] == ["/occupation/soc", "/framework/version"]


def test_policy_naming_an_unknown_statement_is_refused():
    policy = json.dumps({"levels": {"proficient": {"requiredStatements": ["P03", "P11"]},
                                    "advanced": {"requiredStatements": ["E01"]}}}).encode()
    with pytest.raises(FrameworkError) as err:
        load_framework(BUNDLED_FILE.read_bytes(), policy=policy)
    assert err.value.code == "policy_invalid"
    assert [p["path"] for p in err.value.problem_list()] == [
        "/levels/proficient/requiredStatements/1", "/levels/advanced/requiredStatements/0"]


def test_required_statements_must_be_passed():
    policy = json.dumps({"levels": {"proficient": {"minStatements": 2, "requiredStatements": ["P09"]}}}).encode()
    fw = load_framework(BUNDLED_FILE.read_bytes(), policy=policy)
    assert levels_reached(fw, fw.policy, {"P01", "P02"}) == []
    assert levels_reached(fw, fw.policy, {"P01", "P09"}) == ["proficient"]


def test_attribution_from_the_document(fw):
    att = fw.attribution
    assert att.line == "© EBSCOed"
    [onet] = att.licensed
    assert onet.url == ONET_URL and onet.licence == "CC BY 4.0"
    assert onet.licence_url == LICENCES["CC BY 4.0"] and onet.version == "O*NET v30.2"
    assert "USDOL/ETA" in att.text() and "© EBSCOed" in att.text() and LICENCES["CC BY 4.0"] in att.text()


def test_case_export_carries_the_licence_and_attribution(fw):
    package = export_case(fw, FrameworkUrls("https://badges.example.org"))
    [licence] = package["CFDefinitions"]["CFLicenses"]
    assert licence["title"] == "CC BY 4.0" and "© EBSCOed" in licence["licenseText"]
    assert LICENCES["CC BY 4.0"] in licence["licenseText"] and ONET_URL in licence["licenseText"]
    assert package["CFDocument"]["licenseURI"]["uri"] == licence["uri"]
    assert "© EBSCOed" in package["CFDocument"]["notes"]
    assert all(item["licenseURI"]["uri"] == licence["uri"] for item in package["CFItems"])


def test_second_occupation_loads():
    surgical = load_framework(SURGICAL.read_bytes())
    assert surgical.code == "29-2055.00" and surgical.attribution.line == "TEST DATA publisher"
