"""The signed status list at its URL (issue 8): `validFrom`, `validUntil`, `ttl`; `ETag`,
`Cache-Control` and conditional GET; a revocation changes the served bits and the ETag
once the list is re-signed (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import timedelta

from issuer.status import read_status
from pipeline.identity import load_issuing_identity
from pipeline.processing import Processor, process_event
from pipeline.revocation import CLI, Actor, lists_due, revoke_award
from pipeline.statuslists import LIST_TTL_MS, LIST_VALID_FOR, RESIGN_AFTER, publish_status_list
from pipeline.store.models import Credential

from .conftest import NOW, PUBLIC, REGISTRY, URLS, record, whole_level_event


def _issue(app) -> Credential:
    event_id = record(app.services, whole_level_event("e-1", "proficient"))
    processor = Processor(sessions=app.services.sessions, registry=REGISTRY, urls=URLS, public_url=PUBLIC,
                          clock=lambda: NOW, identity=lambda s, now: load_issuing_identity(app.settings, s, now))
    [credential_id] = process_event(processor, event_id).credential_ids
    with app.services.sessions() as s:
        return s.get(Credential, credential_id)


def test_the_list_carries_its_validity_and_ttl_and_is_served_with_cache_headers(published):
    app = published()
    _issue(app)
    response = app.get(f"{PUBLIC}/status/1")
    listing = json.loads(response.data)
    assert listing["validFrom"] == "2026-11-20T16:00:00Z"
    assert listing["validUntil"] == (NOW + LIST_VALID_FOR).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert listing["credentialSubject"]["ttl"] == LIST_TTL_MS
    assert response.headers["Cache-Control"] == f"public, max-age={LIST_TTL_MS // 1000}, must-revalidate"
    etag = response.headers["ETag"]
    assert etag.startswith('"') and len(etag) > 10
    again = app.client.get("/status/1", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert app.client.get("/status/1", headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_a_revocation_is_served_once_re_signed_and_the_etag_changes(published):
    app = published()
    credential = _issue(app)
    before = app.get(f"{PUBLIC}/status/1")
    with app.services.sessions.begin() as s:
        revoked = revoke_award(s, s.get(Credential, credential.id), actor=Actor(CLI), reason="test", now=NOW)
    assert revoked.list_ids == ("1",)
    with app.services.sessions() as s:
        assert lists_due(s, now=NOW, resign_after=RESIGN_AFTER) == ["1"]  # changed, not yet re-signed
    unchanged = app.client.get("/status/1", headers={"If-None-Match": before.headers["ETag"]})
    assert unchanged.status_code == 304  # nothing re-signed yet: same document
    later = NOW + timedelta(seconds=2)
    with app.services.sessions.begin() as s:
        publish_status_list(s, "1", identity=load_issuing_identity(app.settings, s, later), public_url=PUBLIC,
                            now=later)
    with app.services.sessions() as s:
        assert lists_due(s, now=later, resign_after=RESIGN_AFTER) == []
        assert lists_due(s, now=later + RESIGN_AFTER, resign_after=RESIGN_AFTER) == ["1"]  # half-life re-sign
    fresh = app.client.get("/status/1", headers={"If-None-Match": before.headers["ETag"]})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != before.headers["ETag"]
    assert read_status(json.loads(fresh.data), credential.document["credentialStatus"]) == 1
    assert read_status(json.loads(before.data), credential.document["credentialStatus"]) == 0
