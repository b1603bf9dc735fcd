"""GET /credentials/<uuid> and /learners/<email or DID>/credentials: visible only to providers whose
events produced the credential or contributed passing evidence to its level."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest

from issuer.credentials import Recipient
from pipeline.events import AssessmentEvent
from pipeline.identity import load_issuing_identity
from pipeline.issuance import issue_level_credential
from pipeline.store.evidence import record_evidence
from pipeline.store.models import Award, Credential, Event, Learner

from .conftest import FRAMEWORK, NOW, PUBLIC, VERSION, bearer, native

ANA_DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


@dataclass
class World:
    keys: dict[str, str]
    proficient: dict
    developing: dict


def post(client, key, document) -> str:
    response = client.post("/api/v1/events", data=json.dumps(document), headers=bearer(key),
                           content_type="application/json")
    assert response.status_code == 202
    return response.get_json()["id"]


def results(*codes: str, passed: bool = True) -> list[dict]:
    return [{"statement": c, "passed": passed} for c in codes]


def _work(services, event_ids: dict[str, str], awards: dict[str, str]) -> dict[str, dict]:
    """Do what the worker does: match the learner, record evidence, award levels, sign credentials."""
    signed = {}
    with services.sessions.begin() as session:
        learner = Learner(email="ana@example.org", did=ANA_DID, display_name="Ana Diaz", created_at=NOW)
        session.add(learner)
        session.flush()
        for event_id in event_ids.values():
            event = session.get(Event, event_id)
            record_evidence(session, event=AssessmentEvent.from_json(event.parsed), event_id=event_id,
                            learner_id=learner.id, provider_id=event.provider_id, now=NOW)
        identity = load_issuing_identity(services.settings, session, NOW)
        framework = services.registry.get(FRAMEWORK, VERSION)
        for level, producer in awards.items():
            award = Award(learner_id=learner.id, framework_code=FRAMEWORK, framework_version=VERSION, level=level,
                          event_id=event_ids[producer], awarded_at=NOW)
            session.add(award)
            session.flush()
            document = issue_level_credential(framework=framework, level=level, urls=services.urls, identity=identity,
                                              recipient=Recipient(name="Ana Diaz", did=ANA_DID), now=NOW,
                                              credential_id=f"urn:uuid:{uuid.uuid4()}")
            session.add(Credential(id=document["id"], award_id=award.id, document=document, issued_at=NOW))
            signed[level] = document
    return signed


@pytest.fixture
def world(client, make_key, services) -> World:
    keys = {name: make_key(name=name)[1] for name in ("A", "B", "C", "D")}
    events = {
        "A": post(client, keys["A"], native(event_id="a-1", results=results("P01", "P02", "P03"))),
        "B": post(client, keys["B"], native(event_id="b-1", results=results(*(f"P{n:02d}" for n in range(4, 11)),
                                                                                *(f"D{n:02d}" for n in range(1, 11))))),
        "D": post(client, keys["D"], native(event_id="d-1", results=results("P01", passed=False))),
    }
    post(client, keys["C"], native(event_id="c-1", learner={"email": "ben@example.org"}))
    signed = _work(services, events, {"proficient": "B", "developing": "B"})
    return World(keys, signed["proficient"], signed["developing"])


def get_credential(client, key, document):
    return client.get(f"/api/v1/credentials/{document['id'].removeprefix('urn:uuid:')}", headers=bearer(key))


def test_credential_visible_to_producer_and_contributors_only(client, world):
    for name in ("A", "B"):  # B's event completed the level; A contributed P01-P03
        response = get_credential(client, world.keys[name], world.proficient)
        assert response.status_code == 200, name
        assert response.mimetype == "application/json" and response.get_json() == world.proficient
        assert response.get_json()["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    for name in ("C", "D"):  # C assessed another learner; D's result for Ana failed
        response = get_credential(client, world.keys[name], world.proficient)
        assert response.status_code == 404 and response.get_json()["code"] == "not_found"
    assert get_credential(client, world.keys["A"], world.developing).status_code == 404  # A gave no D-statement
    assert get_credential(client, world.keys["B"], world.developing).status_code == 200


def test_unknown_or_malformed_credential_id_is_404(client, world):
    for credential in ("00000000-0000-4000-8000-000000000000", "not-a-uuid"):
        response = client.get(f"/api/v1/credentials/{credential}", headers=bearer(world.keys["B"]))
        assert response.status_code == 404


def learner_credentials(client, key, learner):
    response = client.get(f"/api/v1/learners/{learner}/credentials", headers=bearer(key))
    assert response.status_code == 200
    return response.get_json()


def summary(document, level):
    return {"id": document["id"], "url": f"{PUBLIC}/api/v1/credentials/{document['id'].removeprefix('urn:uuid:')}",
            "framework": {"id": FRAMEWORK, "version": VERSION}, "level": level, "issued_at": "2026-11-20T16:00:00Z",
            "public_url": f"{PUBLIC}/c/{document['id'].removeprefix('urn:uuid:')}"}


def test_learner_credentials_by_email_or_did(client, world):
    by_email = learner_credentials(client, world.keys["A"], " Ana@Example.ORG ")
    collection = by_email.pop("collection_url")
    assert by_email == {"learner": {"email": "ana@example.org"},
                        "credentials": [summary(world.proficient, "proficient")]}
    assert collection.startswith(f"{PUBLIC}/me/")
    by_did = learner_credentials(client, world.keys["B"], ANA_DID)
    assert by_did["learner"] == {"did": ANA_DID} and by_did["collection_url"] == collection  # one learner, one link
    assert sorted(c["level"] for c in by_did["credentials"]) == ["developing", "proficient"]
    assert learner_credentials(client, world.keys["C"], "ana@example.org")["credentials"] == []


def test_unknown_learner_looks_like_a_learner_without_credentials(client, world):
    assert learner_credentials(client, world.keys["A"], "nobody@example.org") == {
        "learner": {"email": "nobody@example.org"}, "credentials": [], "collection_url": None}
    response = client.get("/api/v1/learners/plainname/credentials", headers=bearer(world.keys["A"]))
    assert response.status_code == 404


def test_collection_rotation_and_webhooks_match_the_openapi_document(client, world):
    """The holder routes (issue 9) through the OpenAPI-checking client."""
    old = learner_credentials(client, world.keys["A"], "ana@example.org")["collection_url"]
    rotated = client.post("/api/v1/learners/ana@example.org/collection:rotate", headers=bearer(world.keys["A"]))
    assert rotated.status_code == 200 and rotated.get_json()["collection_url"] != old
    refused = client.post("/api/v1/learners/ana@example.org/collection:rotate", headers=bearer(world.keys["C"]))
    assert refused.status_code == 404
    created = client.post("/api/v1/webhooks", data=json.dumps({"url": "https://hooks.example.org/badgeline"}),
                          headers=bearer(world.keys["A"]), content_type="application/json")
    assert created.status_code == 201 and created.get_json()["secret"]
    bad = client.post("/api/v1/webhooks", data=json.dumps({"url": "http://hooks.example.org/x"}),
                      headers=bearer(world.keys["A"]), content_type="application/json")
    assert bad.status_code == 400
    listed = client.get("/api/v1/webhooks", headers=bearer(world.keys["A"])).get_json()["webhooks"]
    assert [w["id"] for w in listed] == [created.get_json()["id"]]
    assert client.open("DELETE", f"/api/v1/webhooks/{listed[0]['id']}", headers=bearer(world.keys["A"])).status_code == 204


def test_reads_need_a_key(client, world):
    assert get_credential(client, "", world.proficient).status_code == 401
    assert client.get("/api/v1/learners/ana@example.org/credentials").status_code == 401


def test_evidence_posted_after_the_award_makes_no_contributor(client, make_key, services, clock, world):
    """Issue 10, finding 1: E posts a passing P01 for Ana after her credentials were signed;
    the credentials do not cite it, so E reads and lists none of them. Its row is recorded
    both at the award's instant and later (a worker whose clock read came before the award)."""
    _, e_key = make_key(name="E")
    late = {}
    for event_id in ("e-1", "e-2"):
        late[event_id] = post(client, e_key, native(event_id=event_id, results=results("P01", "D01")))
    with services.sessions.begin() as session:
        learner = session.query(Learner).filter_by(email="ana@example.org").one()
        for event_id, recorded in zip(late.values(), (NOW, NOW + timedelta(hours=1))):
            event = session.get(Event, event_id)
            record_evidence(session, event=AssessmentEvent.from_json(event.parsed), event_id=event_id,
                            learner_id=learner.id, provider_id=event.provider_id, now=recorded)
    for document in (world.proficient, world.developing):
        assert get_credential(client, e_key, document).status_code == 404
    assert learner_credentials(client, e_key, "ana@example.org")["credentials"] == []
    assert get_credential(client, world.keys["A"], world.proficient).status_code == 200  # cited before
