"""Bearer keys (401) and accreditation scopes: framework, version, levels (403)."""

from __future__ import annotations

import json

import pytest

from pipeline.store.api_keys import Scope, revoke_api_key
from pipeline.store.models import ApiKey

from .conftest import FRAMEWORK, NOW, VERSION, bearer, native, stored_nothing

WHOLE_LEVEL = {**{k: v for k, v in native().items() if k != "results"}, "level": "emerging", "score": 0.9}


def post(client, headers, document=None):
    return client.post("/api/v1/events", data=json.dumps(document or native()), headers=headers,
                       content_type="application/json")


def assert_401(response, *, invalid_token: bool):
    assert response.status_code == 401
    assert response.get_json()["code"] == "unauthenticated"
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="badgeline"')
    assert ('error="invalid_token"' in challenge) is invalid_token


@pytest.mark.parametrize(("headers", "invalid_token"), [
    ({}, False),
    ({"Authorization": ""}, False),
    ({"Authorization": "Basic YWxhZGRpbjpvcGVuc2VzYW1l"}, True),
    ({"Authorization": "Bearer"}, True),
    ({"Authorization": "Bearer bl_aaaaaaaaaaaa_not-the-secret"}, True),
    ({"Authorization": "Bearer not-even-shaped-like-a-key"}, True),
])
def test_missing_or_wrong_key_is_401(client, services, key, headers, invalid_token):
    assert_401(post(client, headers), invalid_token=invalid_token)
    assert_401(client.get("/api/v1/events/whatever", headers=headers), invalid_token=invalid_token)
    assert stored_nothing(services)


def test_right_prefix_wrong_secret_is_401(client, key):
    tampered = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    assert_401(post(client, bearer(tampered)), invalid_token=True)


def test_revoked_key_is_401(client, services, make_key):
    _provider, key = make_key()
    assert post(client, bearer(key)).status_code == 202
    with services.sessions.begin() as session:
        row = session.query(ApiKey).one()
        revoke_api_key(session, row.id, now=NOW)
    assert_401(post(client, bearer(key), native(event_id="after-revocation")), invalid_token=True)


def test_scheme_is_case_insensitive(client, key):
    assert post(client, {"Authorization": f"bearer {key}"}).status_code == 202


def assert_403(response):
    assert response.status_code == 403
    problem = response.get_json()
    assert problem["code"] == "not_accredited" and problem["errors"][0]["path"] == "/framework"


def test_framework_scope(client, services, make_key):
    _p, other_framework = make_key(Scope("11-1111.00"))
    assert_403(post(client, bearer(other_framework)))
    assert stored_nothing(services)


def test_version_scope(client, services, make_key):
    _p, old_version = make_key(Scope(FRAMEWORK, "v.25.01"))
    assert_403(post(client, bearer(old_version)))
    _p, this_version = make_key(Scope(FRAMEWORK, VERSION))
    assert post(client, bearer(this_version)).status_code == 202


def test_level_scope(client, services, make_key):
    _p, emerging_only = make_key(Scope(FRAMEWORK, None, ("emerging",)))
    assert_403(post(client, bearer(emerging_only)))  # P03 is a proficient statement
    mixed = native(event_id="mixed", results=[{"statement": "E01", "passed": True},
                                              {"statement": "P03", "passed": True}])
    assert_403(post(client, bearer(emerging_only), mixed))  # every level must be covered
    assert stored_nothing(services)
    ok = native(event_id="emerging", results=[{"statement": "E01", "passed": True}])
    assert post(client, bearer(emerging_only), ok).status_code == 202
    assert post(client, bearer(emerging_only), WHOLE_LEVEL).status_code == 202
    assert_403(post(client, bearer(emerging_only), {**WHOLE_LEVEL, "event_id": "whole-adv", "level": "advanced"}))


def test_any_of_several_scopes_may_cover(client, make_key):
    _p, key = make_key(Scope("11-1111.00"), Scope(FRAMEWORK, VERSION, ("proficient",)))
    assert post(client, bearer(key)).status_code == 202


def test_public_documents_need_no_key(client):
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/schema/event.json").status_code == 200
