"""CASE 1.0 CFPackage export, validated with the OpenSALT CFPackage schema."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest

from issuer.frameworks import export_case

SCHEMA = json.loads((Path(__file__).parent / "data/case-v1p0-cfpackage-schema.json").read_text())

FORMATS = jsonschema.FormatChecker([])


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme == "urn") and " " not in value


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if isinstance(value, str):
        if datetime.fromisoformat(value).tzinfo is None:
            raise ValueError("no zone")
    return True


@pytest.fixture(scope="module")
def package(fw, urls):
    return export_case(fw, urls)


def test_validates_against_cfpackage_schema(package):
    jsonschema.Draft7Validator(SCHEMA, format_checker=FORMATS).validate(package)


def test_schema_check_is_live(package):
    broken = json.loads(json.dumps(package))
    broken["CFItems"][0]["uri"] = "not a uri"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(SCHEMA, format_checker=FORMATS).validate(broken)


def test_shape(package, fw, urls):
    items = package["CFItems"]
    assert len(items) == 4 + 40
    assert [i["humanCodingScheme"] for i in items if i["CFItemType"] == "Level"] == ["PT-L1", "PT-L2", "PT-L3", "PT-L4"]
    by_uri = {i["uri"]: i for i in items}
    assert by_uri[urls.statement(fw, "P03")]["fullStatement"] == fw.statement("P03").text
    assoc = package["CFAssociations"]
    assert len(assoc) == 44 and {a["associationType"] for a in assoc} == {"isChildOf"}
    child_of = {a["originNodeURI"]["uri"]: a["destinationNodeURI"]["uri"] for a in assoc}
    assert child_of[urls.statement(fw, "A10")] == urls.level(fw, "advanced")
    assert child_of[urls.level(fw, "advanced")] == urls.framework(fw)
    (rubric,) = package["CFRubrics"]
    levels = rubric["CFRubricCriteria"][0]["CFRubricCriterionLevels"]
    assert [(lv["quality"], lv["position"]) for lv in levels] == [
        ("Emerging", 1), ("Developing", 2), ("Proficient", 3), ("Advanced", 4)]
    assert package["CFDocument"]["version"] == "v.26.05"
    assert package["CFDocument"]["lastChangeDateTime"] == "2026-05-15T12:39:13+00:00"


def test_identifiers_are_deterministic_uuid5_and_unique(package, fw, urls):
    assert export_case(fw, urls) == package
    doc = package["CFDocument"]
    assert doc["identifier"] == str(uuid.uuid5(uuid.NAMESPACE_URL, urls.framework(fw)))
    ids = [doc["identifier"]] + [i["identifier"] for i in package["CFItems"]]
    ids += [a["identifier"] for a in package["CFAssociations"]]
    rubric = package["CFRubrics"][0]
    ids += [rubric["identifier"], rubric["CFRubricCriteria"][0]["identifier"]]
    ids += [lv["identifier"] for lv in rubric["CFRubricCriteria"][0]["CFRubricCriterionLevels"]]
    assert len(ids) == len(set(ids)) == 1 + 44 + 44 + 2 + 4
    assert all(uuid.UUID(i).version == 5 for i in ids)
