"""POST /events and GET /events/<id>: accept once, commit before dispatch, replays, conflicts, 422s."""

from __future__ import annotations

import http.client
import json
from concurrent.futures import ThreadPoolExecutor

from urllib.parse import quote

import pytest
from sqlalchemy import select

from pipeline.events import AssessmentEvent
from pipeline.store.models import Award, Credential, Event, Learner

from .conftest import FRAMEWORK, NOW, PUBLIC, VERSION, bearer, count_rows, event_data, native, stored_nothing


def post_json(client, key, document, **kwargs):
    body = document if isinstance(document, (bytes, str)) else json.dumps(document)
    return client.post("/api/v1/events", data=body, headers=bearer(key), content_type="application/json", **kwargs)


def stored_event(services, event_id: str) -> Event:
    with services.sessions() as session:
        return session.get(Event, event_id)


def test_post_stores_commits_then_dispatches(client, key, services, dispatcher):
    body = json.dumps(native(), indent=2).encode()
    response = post_json(client, key, body)
    assert response.status_code == 202
    resource = response.get_json()
    assert resource["state"] == "received" and resource["outcome"] is None
    assert resource["event_id"] == "lms-42-attempt-7"
    assert resource["url"] == f"{PUBLIC}/api/v1/events/{resource['id']}" == response.headers["Location"]
    # The dispatcher read the row through its own connection: it was committed before the send.
    assert dispatcher.sent == [resource["id"]] and dispatcher.states_seen == ["received"]
    row = stored_event(services, resource["id"])
    assert row.raw_payload == body and row.format == "native" and row.received_at == NOW
    parsed = AssessmentEvent.from_json(row.parsed)
    assert parsed.learner.email == "ana@example.org" and parsed.passed_statements == {"P03"}
    assert count_rows(services, Learner) == 0  # the worker matches learners, not the API


def test_identical_replay_answers_200_and_changes_nothing(client, key, services, dispatcher):
    first = post_json(client, key, native()).get_json()
    # Same document, other whitespace and key order: still the same body.
    reordered = json.dumps(dict(reversed(list(native().items()))), separators=(",", ":"))
    for body in (json.dumps(native()), reordered):
        response = post_json(client, key, body)
        assert response.status_code == 200
        assert response.get_json() == first and response.headers["Location"] == first["url"]
    assert dispatcher.sent == [first["id"]]
    assert count_rows(services, Event) == 1


def test_different_body_same_event_id_is_409(client, key, services, dispatcher):
    first = post_json(client, key, native())
    response = post_json(client, key, native(occurred_at="2026-11-20T15:05:00Z"))
    assert response.status_code == 409
    problem = response.get_json()
    assert problem["code"] == "event_conflict" and problem["type"] == "urn:badgeline:problem:event_conflict"
    assert problem["errors"][0]["path"] == "/event_id"
    assert stored_event(services, first.get_json()["id"]).raw_payload == json.dumps(native()).encode()
    assert len(dispatcher.sent) == 1 and count_rows(services, Event) == 1


def test_same_event_id_from_another_provider_is_another_event(client, make_key, dispatcher):
    ids = {post_json(client, make_key()[1], native()).get_json()["id"] for _ in range(2)}
    assert len(ids) == 2 and set(dispatcher.sent) == ids


def test_failed_send_still_answers_202_and_leaves_event_for_the_sweeper(client, key, services, dispatcher, caplog):
    dispatcher.fail = True
    response = post_json(client, key, native())
    assert response.status_code == 202
    assert dispatcher.states_seen == ["received"] and dispatcher.sent == []
    assert stored_event(services, response.get_json()["id"]).state == "received"
    assert "left to the sweeper" in caplog.text


def test_xapi_statement(client, key, services):
    response = post_json(client, key, event_data("xapi-passed-statement.adapted.json"))
    assert response.status_code == 202
    row = stored_event(services, response.get_json()["id"])
    assert row.format == "xapi" and row.provider_event_id == "be675bfa-5725-49ed-bda5-22b96b77122b"
    assert AssessmentEvent.from_json(row.parsed).passed_statements == {"P03"}


def test_caliper_grade_event(client, key, services):
    body = json.dumps(event_data("caliper-grade-event.adapted.json"))
    response = client.post("/api/v1/events", data=body, headers=bearer(key), content_type="application/ld+json")
    assert response.status_code == 202
    row = stored_event(services, response.get_json()["id"])
    parsed = AssessmentEvent.from_json(row.parsed)
    assert row.format == "caliper" and parsed.learner.email == "ben@example.edu"
    assert [(r.statement, r.passed) for r in parsed.results] == [("D04", False)]  # 10/15 < pass mark 0.8


def test_untouched_foreign_example_is_422(client, key, services):
    response = post_json(client, key, event_data("xapi-cmi5-passed-statement.json"))
    assert response.status_code == 422 and response.get_json()["code"] == "unknown_statement"
    assert stored_nothing(services)


def _results(**item):
    return {"results": [{"statement": "P03", "score": 0.9, **item}]}


INVALID = [
    ("unknown_framework_version", native(framework={"id": FRAMEWORK, "version": "v.99.01"}), "/framework/version"),
    ("unknown_framework_version", native(framework={"id": "00-0000.00", "version": VERSION}), "/framework/id"),
    ("unknown_statement", native(results=[{"statement": "Z99", "passed": True}]), "/results/0/statement"),
    ("unknown_level", {**{k: v for k, v in native().items() if k != "results"}, "level": "guru", "score": 0.9},
     "/level"),
    ("score_out_of_range", native(results=[{"statement": "P03", "score": 1.5}]), "/results/0/score"),
    ("future_date", native(occurred_at="2026-11-21T16:00:00Z"), "/occurred_at"),
    ("invalid_date", native(occurred_at="2026-11-20 15:04:05"), "/occurred_at"),
    ("missing_learner_identity", native(learner={"name": "Ana Diaz"}), "/learner"),
    ("schema_violation", {k: v for k, v in native().items() if k != "assessment"}, "/assessment"),
    ("unsupported_format", {"hello": "world"}, ""),
    ("unsupported_format", [native()], ""),
]


@pytest.mark.parametrize(("code", "document", "path"), INVALID, ids=[f"{c}{p}" for c, _, p in INVALID])
def test_every_validation_code_is_422_with_path_and_stores_nothing(client, key, services, dispatcher,
                                                                  code, document, path):
    response = post_json(client, key, document)
    assert response.status_code == 422
    problem = response.get_json()
    assert response.mimetype == "application/problem+json"
    assert problem["code"] == code and problem["status"] == 422
    assert (code, path) in [(e["code"], e["path"]) for e in problem["errors"]]
    assert stored_nothing(services) and dispatcher.states_seen == []


@pytest.mark.parametrize("body", [b"{", b"", b'{"a": 1, "a": 2}', b"\xff\xfe", b"NaN"])
def test_malformed_json_is_400(client, key, services, body):
    response = post_json(client, key, body)
    assert response.status_code == 400 and response.get_json()["code"] == "malformed_json"
    assert stored_nothing(services)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_not_json_is_415(client, key, services, content_type):
    response = client.post("/api/v1/events", data=json.dumps(native()), headers=bearer(key),
                           content_type=content_type)
    assert response.status_code == 415 and response.get_json()["code"] == "unsupported_media_type"
    assert stored_nothing(services)


def test_get_event_only_for_its_provider(client, make_key):
    _, ana_key = make_key()
    _, other_key = make_key()
    posted = post_json(client, ana_key, native()).get_json()
    own = client.get(f"/api/v1/events/{posted['id']}", headers=bearer(ana_key))
    assert own.status_code == 200 and own.get_json() == posted
    assert own.headers["Cache-Control"] == "no-store"
    for event_id in (posted["id"], "00000000-0000-4000-8000-000000000000", "not-an-id"):
        asker = other_key if event_id == posted["id"] else ana_key
        hidden = client.get(f"/api/v1/events/{event_id}", headers=bearer(asker))
        assert hidden.status_code == 404 and hidden.get_json()["code"] == "not_found"


def test_get_event_by_the_providers_own_event_id(client, make_key):
    """A provider looks its events up by the `event_id` it sent; another provider cannot."""
    _, ana_key = make_key()
    _, other_key = make_key()
    posted = post_json(client, ana_key, native(event_id="lms-42-attempt#7")).get_json()
    by_own_id = client.get(f"/api/v1/events/{quote(posted['event_id'])}", headers=bearer(ana_key))
    assert by_own_id.status_code == 200 and by_own_id.get_json() == posted
    foreign = client.get(f"/api/v1/events/{quote(posted['event_id'])}", headers=bearer(other_key))
    assert foreign.status_code == 404


def _finish(services, event_id: str, state: str, code: str, message: str, levels: tuple[str, ...] = ()) -> list[str]:
    """Record what the worker records: final state, outcome, awards (+ credentials) of this event."""
    ids = []
    with services.sessions.begin() as session:
        event = session.get(Event, event_id)
        event.state, event.outcome_code, event.outcome_message = state, code, message
        learner = Learner(email="ana@example.org", created_at=NOW)
        session.add(learner)
        session.flush()
        for level in levels:
            award = Award(learner_id=learner.id, framework_code=FRAMEWORK, framework_version=VERSION, level=level,
                          event_id=event_id, awarded_at=NOW)
            session.add(award)
            session.flush()
            credential_id = f"urn:uuid:00000000-0000-4000-8000-00000000000{len(ids)}"
            session.add(Credential(id=credential_id, award_id=award.id, document={"id": credential_id}, issued_at=NOW))
            ids.append(credential_id)
    return ids


def test_outcome_lists_levels_and_credentials_once_processed(client, key, services):
    posted = post_json(client, key, native()).get_json()
    credential_ids = _finish(services, posted["id"], "processed", "levels_reached", "Reached 2 levels.",
                             ("developing", "proficient"))
    resource = client.get(f"/api/v1/events/{posted['id']}", headers=bearer(key)).get_json()
    assert resource["state"] == "processed"
    assert resource["outcome"] == {
        "code": "levels_reached", "message": "Reached 2 levels.", "levels": ["developing", "proficient"],
        "credentials": [
            {"id": cid, "url": f"{PUBLIC}/api/v1/credentials/{cid.removeprefix('urn:uuid:')}", "level": level,
             "public_url": f"{PUBLIC}/c/{cid.removeprefix('urn:uuid:')}"}
            for cid, level in zip(credential_ids, ("developing", "proficient"), strict=True)
        ],
    }
    # A replay of a processed event returns it as it is now.
    replay = post_json(client, key, native())
    assert replay.status_code == 200 and replay.get_json() == resource


def test_rejected_event_outcome_has_its_code(client, key, services):
    posted = post_json(client, key, native()).get_json()
    _finish(services, posted["id"], "rejected", "framework_unknown", "The framework version was withdrawn.")
    outcome = client.get(f"/api/v1/events/{posted['id']}", headers=bearer(key)).get_json()["outcome"]
    assert outcome == {"code": "framework_unknown", "message": "The framework version was withdrawn.",
                       "levels": [], "credentials": []}


def test_unknown_routes_and_methods_are_problems(client, key):
    missing = client.get("/api/v1/nothing/here", headers=bearer(key))
    assert missing.status_code == 404 and missing.get_json()["code"] == "not_found"
    wrong = client.open("DELETE", "/api/v1/events", headers=bearer(key))
    assert wrong.status_code == 405 and wrong.get_json()["code"] == "method_not_allowed"
    assert "POST" in wrong.headers["Allow"]
    wrong_batch = client.get("/api/v1/events:batch")
    assert wrong_batch.status_code == 405 and wrong_batch.headers["Allow"].startswith("OPTIONS, POST")
    put_event = client.open("PUT", "/api/v1/events/abc")
    assert put_event.status_code == 405 and "GET" in put_event.headers["Allow"]


def test_stored_event_count_matches_accepted(services, client, key):
    post_json(client, key, native())
    post_json(client, key, native(event_id="lms-43"))
    with services.sessions() as session:
        assert sorted(session.scalars(select(Event.provider_event_id))) == ["lms-42-attempt-7", "lms-43"]


def test_concurrent_posts_of_one_event_store_and_send_it_once(server, key, services, dispatcher):
    body = json.dumps(native()).encode()

    def post_once(_: int) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", server, timeout=30)
        try:
            connection.request("POST", "/api/v1/events", body=body,
                               headers={**bearer(key), "Content-Type": "application/json"})
            response = connection.getresponse()
            return response.status, json.loads(response.read())["id"]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(post_once, range(12)))
    assert sorted(status for status, _ in answers) == [200] * 11 + [202]
    assert len({event_id for _, event_id in answers}) == 1
    assert count_rows(services, Event) == 1 and len(dispatcher.sent) == 1
