"""The framework URLs credentials align to, served by pipeline.publish: HTML for people, JSON for machines."""

from __future__ import annotations

import base64
import hashlib
import json

import jsonschema
import pytest

from datetime import datetime, timezone

from issuer.credentials import IssuerProfile, Recipient, build_achievement, build_achievement_credential
from tests.frameworks.test_case import FORMATS, SCHEMA

from .conftest import FW, PUBLIC, URLS

BUNDLED = FW.raw_bytes
JSON_TYPES = ["application/json", "application/ld+json", "text/html;q=0.5, application/json"]


def test_index_html_and_json(pages):
    html = pages.get("/frameworks/")
    assert html.status_code == 200 and html.mimetype == "text/html"
    text = html.get_data(as_text=True)
    assert f'href="{URLS.framework(FW)}"' in text and "40 statements" in text
    assert '<nav aria-label="Site"><a href="/frameworks/">Frameworks</a></nav>' in text  # base.html
    listed = pages.get_json("/frameworks/")
    assert {"id": URLS.framework(FW), "code": FW.code, "version": FW.version, "title": FW.title,
            "sha256": FW.sha256_hex} in listed


@pytest.mark.parametrize("accept", [None, "*/*", "text/html", "text/html,application/xhtml+xml,*/*;q=0.8"])
def test_people_get_html(pages, accept):
    response = pages.get(URLS.framework(FW), accept)
    assert response.status_code == 200 and response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert f"<h1>{FW.label}</h1>" in text and FW.sha256_hex in text
    assert f'<link rel="alternate" type="application/json" href="{URLS.document(FW)}">' in text
    for level in FW.levels:
        assert f'href="{URLS.level(FW, level.key)}"' in text
    assert f'href="{URLS.case(FW)}"' in text


@pytest.mark.parametrize("accept", JSON_TYPES)
def test_machines_get_the_case_document(pages, accept):
    response = pages.get(URLS.framework(FW), accept)
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = json.loads(response.data)
    assert (document["uri"], document["version"]) == (URLS.framework(FW), FW.version)
    assert document["officialSourceURL"] == URLS.document(FW)
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_document_is_the_exact_pinned_bytes(pages):
    response = pages.get(URLS.document(FW))
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.data == BUNDLED
    digest = base64.b64encode(hashlib.sha256(response.data).digest()).decode()
    assert FW.digest_sri == f"sha256-{digest}"
    assert response.headers["Digest"] == f"sha-256={digest}"
    assert "immutable" in response.headers["Cache-Control"]


def test_document_bytes_match_what_a_credential_pins(pages):
    credential = build_achievement_credential(
        framework=FW, level="developing", urls=URLS, issuer=IssuerProfile(id="did:web:badges.example.org", name="X"),
        recipient=Recipient(name="Ana", email="ana@example.org", salt="s"), credential_id="urn:uuid:1a2b",
        valid_from=datetime(2026, 11, 20, tzinfo=timezone.utc))
    [resource] = credential["relatedResource"]
    body = pages.get(resource["id"]).data
    assert resource["digestSRI"] == "sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode()


@pytest.mark.parametrize("level", [lv.key for lv in FW.levels])
def test_levels(pages, level):
    lv = FW.level(level)
    html = pages.get(URLS.level(FW, level))
    assert html.status_code == 200 and html.mimetype == "text/html"
    text = html.get_data(as_text=True)
    assert f"<h1>{lv.label}</h1>" in text
    assert len(lv.statements) == 10
    for statement in lv.statements:
        assert f'href="{URLS.statement(FW, statement.code)}"' in text
    document = pages.get_json(URLS.level(FW, level), "application/ld+json")
    assert document["id"] == URLS.level(FW, level)
    assert (document["name"], document["level"]) == (lv.label, str(lv.rank))


@pytest.mark.parametrize("code", ["E01", "D10", "P03", "A07"])
def test_statements(pages, code):
    statement = FW.statement(code)
    html = pages.get(URLS.statement(FW, code)).get_data(as_text=True)
    assert f'<span class="code">{code}</span>' in html and statement.text.split(" —")[0] in html
    item = pages.get_json(URLS.statement(FW, code))
    assert (item["uri"], item["humanCodingScheme"], item["fullStatement"]) == (
        URLS.statement(FW, code), code, statement.text)


def test_rubric(pages):
    rubric = pages.get_json(URLS.rubric(FW))
    assert rubric["id"] == URLS.rubric(FW) and "requiredLevel" not in rubric
    assert [r["id"] for r in rubric["rubricCriterionLevel"]] == [URLS.level(FW, lv.key) for lv in FW.levels]
    assert pages.get(URLS.rubric(FW)).mimetype == "text/html"


@pytest.mark.parametrize("level", [lv.key for lv in FW.levels])
def test_achievements(pages, level):
    document = pages.get_json(URLS.achievement(FW, level))
    assert document == build_achievement(FW, level, URLS, image=URLS.achievement_image(FW, level))
    assert document["id"] == URLS.achievement(FW, level) and FW.version in document["id"]
    html = pages.get(URLS.achievement(FW, level))
    assert html.mimetype == "text/html" and f"<h1>{FW.level(level).label}</h1>" in html.get_data(as_text=True)


def test_case_package_validates(pages):
    package = pages.get_json(URLS.case(FW))
    jsonschema.Draft7Validator(SCHEMA, format_checker=FORMATS).validate(package)
    assert package["CFDocument"]["uri"] == URLS.framework(FW)


BASE = f"/frameworks/{FW.code}/{FW.version}"


@pytest.mark.parametrize("path", [
    "/frameworks/11-1111.00/v.26.05", "/frameworks/11-1111.00/v.26.05.json", f"/frameworks/{FW.code}/v.99.01",
    f"/frameworks/{FW.code}/v.99.01.json", f"/frameworks/{FW.code}/v.99.01/case.json",
    f"/frameworks/{FW.code}/v.99.01/rubric", f"/frameworks/{FW.code}/v.99.01/levels/proficient",
    f"{BASE}/levels/expert", f"{BASE}/statements/Z99", f"{BASE}/statements/P11", f"{BASE}/achievements/expert",
    f"{BASE}/achievements/expert/image.svg", f"{BASE}/nothing",
])
@pytest.mark.parametrize("accept", [None, "application/json"])
def test_unknown_things_are_404(pages, path, accept):
    assert pages.get(PUBLIC + path, accept).status_code == 404


def test_healthz(pages):
    response = pages.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "checks": {"database": True}}


def test_unknown_pages_answer_json_problems_to_json_clients(pages):
    response = pages.client.get("/frameworks/29-2052.00/v.99.99", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "not_found"
    html = pages.client.get("/frameworks/29-2052.00/v.99.99", headers={"Accept": "text/html"})
    assert html.status_code == 404 and html.mimetype == "text/html"
