"""`/admin/frameworks` through the web app (admin key): add, list, retire, refusals (issue 14).
The running-stack version of this is tests/worker/test_frameworks_live.py."""

from __future__ import annotations

import json

import pytest

from pipeline.vcapi import admin_key_hash
from tests.frameworks.testdata import PT, PT_V2611, SURGICAL
from tests.publish.conftest import FW, URLS

KEY = "frameworks-admin-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture
def admin(published):
    # a broker URL only because the VC API issuer is composed with the admin key; nothing is sent
    return published(admin_key_hash=admin_key_hash(KEY), redis_url="redis://127.0.0.1:6379/15")


def test_admin_routes_need_the_admin_key(admin):
    assert admin.client.get("/admin/frameworks").status_code == 401
    assert admin.client.get("/admin/frameworks", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert admin.client.get("/admin/frameworks", headers=AUTH).status_code == 200


def test_no_admin_key_no_routes(published):
    assert published().client.get("/admin/frameworks", headers=AUTH).status_code == 404


def test_add_list_retire_over_the_api(admin):
    body = {"document": SURGICAL.read_text(encoding="utf-8")}
    response = admin.client.post("/admin/frameworks", json=body, headers=AUTH)
    assert response.status_code == 201 and response.json["code"] == "29-2055.00" and response.json["current"]
    assert admin.client.post("/admin/frameworks", json=body, headers=AUTH).status_code == 200
    listed = admin.client.get("/admin/frameworks", headers=AUTH).json
    assert [(v["code"], v["version"]) for v in listed] == [(PT, "v.26.05"), ("29-2055.00", "v.26.10")]
    retired = admin.client.post(f"/admin/frameworks/{PT}/v.26.05/retire", headers=AUTH)
    assert retired.status_code == 200 and retired.json["retired"] and retired.json["retired_at"]
    assert admin.client.post(f"/admin/frameworks/{PT}/v.26.05/retire", headers=AUTH).json["retired_at"] == \
        retired.json["retired_at"]
    missing = admin.client.post(f"/admin/frameworks/{PT}/v.99.01/retire", headers=AUTH)
    assert missing.status_code == 404 and missing.json["code"] == "framework_unknown"
    page = admin.get(URLS.framework(FW)).get_data(as_text=True)
    assert "This version is retired" in page  # the page stays


def test_refusals_are_problem_documents_with_every_path(admin):
    as_object = admin.client.post("/admin/frameworks", json={"document": json.loads(PT_V2611.read_bytes())},
                                  headers=AUTH)
    assert as_object.status_code == 422 and as_object.json["errors"][0]["path"] == "/document"
    broken = json.loads(PT_V2611.read_bytes())
    del broken["schemaVersion"]
    broken["framework"]["version"] = "eleven"
    response = admin.client.post("/admin/frameworks", json={"document": json.dumps(broken)}, headers=AUTH)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert [e["path"] for e in response.json["errors"]] == ["/document/schemaVersion", "/document/framework/version"]
    assert admin.client.post("/admin/frameworks", data=b"{", headers=AUTH).status_code == 422
    assert [v["version"] for v in admin.client.get("/admin/frameworks", headers=AUTH).json] == ["v.26.05"]
