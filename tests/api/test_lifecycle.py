"""Issue 8 through the provider API: POST /credentials/<uuid>/revoke (provider and admin keys),
GET /credentials/<uuid>/resource and GET /credentials?expiring_within=, on SQLite and PostgreSQL.
Credentials are issued by the worker's own use case (`process_event`), in process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from pipeline.identity import load_issuing_identity
from pipeline.processing import Processor, process_event
from pipeline.services import Services, build_services
from pipeline.settings import Settings
from pipeline.store import migrate
from pipeline.store.models import Credential, CredentialAudit, StatusList
from pipeline.vcapi import admin_key_hash
from tests.lifecycle_data import VALID_FOR_DAYS, expiring_registry

from .conftest import NOW, PEPPER, PUBLIC, bearer, later, native

ADMIN_KEY = "admin-key-for-tests-0123456789"
PROFICIENT = [{"statement": f"P{n:02d}", "passed": True} for n in range(1, 11)]


@pytest.fixture
def settings(db_url, tmp_path) -> Settings:
    return Settings.explicit(database_url=db_url, public_url=PUBLIC, data_dir=tmp_path, api_key_pepper=PEPPER,
                             admin_key_hash=admin_key_hash(ADMIN_KEY))


@pytest.fixture
def services(settings, clock, dispatcher) -> Iterator[Services]:
    built = build_services(settings, clock=clock, dispatcher=dispatcher, registry=expiring_registry())
    migrate(built.engine)
    yield built
    built.close()


def issue(client, services, key: str, event_id: str, email: str) -> str:
    """Post a passing proficient event and process it as the worker would; the credential's UUID."""
    response = client.post("/api/v1/events", data=json.dumps(native(
        event_id=event_id, learner={"email": email}, results=PROFICIENT)), headers=bearer(key),
        content_type="application/json")
    assert response.status_code == 202, response.get_json()
    processor = Processor(sessions=services.sessions, registry=services.registry, urls=services.urls,
                          public_url=PUBLIC, clock=services.clock,
                          identity=lambda s, now: load_issuing_identity(services.settings, s, now))
    done = process_event(processor, response.get_json()["id"])
    [credential_id] = done.credential_ids
    return credential_id.removeprefix("urn:uuid:")


@pytest.fixture
def two(client, services, make_key):
    """Providers A and B, each with one credential of its own."""
    (a_id, a_key), (b_id, b_key) = make_key(name="A"), make_key(name="B")
    return {"a": (a_id, a_key, issue(client, services, a_key, "a-1", "ana@example.org")),
            "b": (b_id, b_key, issue(client, services, b_key, "b-1", "ben@example.org"))}


def revoke(client, uuid: str, key: str, body: object = None):
    data = json.dumps({"reason": "issued in error"} if body is None else body)
    return client.post(f"/api/v1/credentials/{uuid}/revoke", data=data, headers=bearer(key),
                       content_type="application/json")


def test_a_contributing_provider_revokes_and_the_list_is_due_for_re_signing(client, services, dispatcher, two):
    provider_id, key, uuid = two["a"]
    response = revoke(client, uuid, key)
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "revoked" and body["revoked_at"] == "2026-11-20T16:00:00Z"
    assert body["revocation_reason"] == "issued in error"
    assert body["audit"] == [{"action": "revoked", "actor": "provider", "provider_id": provider_id,
                              "reason": "issued in error", "at": "2026-11-20T16:00:00Z"}]
    assert dispatcher.published == ["1"]  # sent after commit, to a worker that holds the key
    with services.sessions() as session:
        listing = session.get(StatusList, "1")
        assert listing.bits_version == 1 and listing.signed_bits_version == 0
        assert session.get(Credential, f"urn:uuid:{uuid}").revoked_at is not None
        other = session.get(Credential, f"urn:uuid:{two['b'][2]}")
        assert other.revoked_at is None


def test_revoking_again_changes_nothing(client, services, dispatcher, clock, two):
    _, key, uuid = two["a"]
    first = revoke(client, uuid, key).get_json()
    later(clock, hours=1)
    again = revoke(client, uuid, key, {"reason": "another reason"})
    assert again.status_code == 200
    body = again.get_json()
    assert body["revoked_at"] == first["revoked_at"] and body["revocation_reason"] == "issued in error"
    assert len(body["audit"]) == 1 and dispatcher.published == ["1"]
    with services.sessions() as session:
        assert session.get(StatusList, "1").bits_version == 1


def test_foreign_unknown_and_malformed_credentials_are_404(client, services, two):
    _, a_key, _ = two["a"]
    for uuid in (two["b"][2], "6f1c1c7e-5d43-4d1b-9a57-5f2f8b2a0f11", "not-a-uuid"):
        response = revoke(client, uuid, a_key)
        assert response.status_code == 404 and response.mimetype == "application/problem+json"
    with services.sessions() as session:
        assert session.scalars(select(CredentialAudit)).all() == []
        assert session.get(Credential, f"urn:uuid:{two['b'][2]}").revoked_at is None


@pytest.mark.parametrize("body", [{}, {"reason": "   "}, {"reason": 7}, ["issued in error"]])
def test_a_missing_reason_is_422_with_a_path(client, services, two, body):
    _, key, uuid = two["a"]
    response = revoke(client, uuid, key, body)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["code"] == "reason_missing" and problem["errors"][0]["path"] == "/reason"
    with services.sessions() as session:
        assert session.get(Credential, f"urn:uuid:{uuid}").revoked_at is None


def test_the_admin_key_revokes_any_credential(client, two):
    uuid = two["b"][2]
    response = revoke(client, uuid, ADMIN_KEY, {"reason": "fraud reported by the employer"})
    assert response.status_code == 200
    assert response.get_json()["audit"][0] | {"at": None} == {
        "action": "revoked", "actor": "admin", "provider_id": None, "reason": "fraud reported by the employer",
        "at": None}
    assert client.get(f"/api/v1/credentials/{uuid}/resource", headers=bearer(ADMIN_KEY)).status_code == 200
    assert client.get("/api/v1/events/whatever", headers=bearer(ADMIN_KEY)).status_code == 401  # only lifecycle


def test_the_resource_and_the_signed_document(client, two):
    _, key, uuid = two["a"]
    resource = client.get(f"/api/v1/credentials/{uuid}/resource", headers=bearer(key)).get_json()
    assert resource["status"] == "active" and resource["revoked_at"] is None and resource["audit"] == []
    assert resource["valid_until"] == (NOW + timedelta(days=VALID_FOR_DAYS)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert resource["credential_status"] == {"list": f"{PUBLIC}/status/1", "purpose": "revocation",
                                             "index": resource["credential_status"]["index"]}
    document = client.get(resource["document_url"].removeprefix(PUBLIC), headers=bearer(key)).get_json()
    assert document["id"] == f"urn:uuid:{uuid}" and document["validUntil"] == resource["valid_until"]
    assert client.get(f"/api/v1/credentials/{uuid}/resource", headers=bearer(two["b"][1])).status_code == 404


def test_credentials_expiring_within_a_window(client, clock, two):
    _, a_key, a_uuid = two["a"]
    assert client.get("/api/v1/credentials?expiring_within=30d", headers=bearer(a_key)).get_json()[
        "credentials"] == []
    later(clock, days=VALID_FOR_DAYS - 20)
    listed = client.get("/api/v1/credentials?expiring_within=30d", headers=bearer(a_key)).get_json()
    assert [c["id"] for c in listed["credentials"]] == [f"urn:uuid:{a_uuid}"]
    assert listed["credentials"][0]["valid_until"].startswith("2027-11-20")
    assert client.get("/api/v1/credentials?expiring_within=10d", headers=bearer(a_key)).get_json()[
        "credentials"] == []
    everyone = client.get("/api/v1/credentials?expiring_within=30d", headers=bearer(ADMIN_KEY)).get_json()
    assert len(everyone["credentials"]) == 2
    revoke(client, a_uuid, a_key)
    assert client.get("/api/v1/credentials?expiring_within=30d", headers=bearer(a_key)).get_json()[
        "credentials"] == []  # revoked: nothing to act on
    later(clock, days=30)
    assert client.get(f"/api/v1/credentials/{two['b'][2]}/resource", headers=bearer(two["b"][1])).get_json()[
        "status"] == "expired"


@pytest.mark.parametrize("window", ["", "30", "0d", "30m", "d", "-3d"])
def test_a_malformed_window_is_400(client, two, window):
    response = client.get(f"/api/v1/credentials?expiring_within={window}", headers=bearer(two["a"][1]))
    assert response.status_code == 400 and response.get_json()["code"] == "bad_request"


def test_suspension_is_not_offered_because_ob3_allows_one_status_entry(client, services, two):
    """README "Suspension: not supported": one revocation entry per credential; a second entry
    (an array) is not valid OB 3.0, and there is no suspend route."""
    from issuer.schema import validate_ob_credential
    from issuer.status import status_entry

    _, key, uuid = two["a"]
    with services.sessions() as session:
        document = session.get(Credential, f"urn:uuid:{uuid}").document
    assert isinstance(document["credentialStatus"], dict)
    assert document["credentialStatus"]["statusPurpose"] == "revocation"
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    assert validate_ob_credential(unsigned) == []
    both = {**unsigned, "credentialStatus": [document["credentialStatus"],
                                             status_entry(f"{PUBLIC}/status/s1", 5, "suspension")]}
    assert validate_ob_credential(both) != []
    response = client.post(f"/api/v1/credentials/{uuid}/suspend", json={"reason": "x"}, headers=bearer(key))
    assert response.status_code == 404


def test_a_broker_failure_after_commit_still_answers_200_and_leaves_the_list_due(client, services, dispatcher, two):
    from pipeline.revocation import lists_due
    from pipeline.statuslists import RESIGN_AFTER

    dispatcher.fail = True
    _, key, uuid = two["a"]
    response = revoke(client, uuid, key)
    assert response.status_code == 200 and response.get_json()["status"] == "revoked"
    assert dispatcher.published == []
    with services.sessions() as session:
        assert lists_due(session, now=NOW, resign_after=RESIGN_AFTER) == ["1"]  # the sweep re-signs it
