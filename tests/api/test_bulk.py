"""POST /events:batch and /events:csv: per-item results, bad items never block the others."""

from __future__ import annotations

import json

from sqlalchemy import select

from pipeline.store.api_keys import Scope
from pipeline.store.models import Event

from .conftest import FRAMEWORK, bearer, count_rows, event_data, native, stored_nothing

CSV_HEADER = ("event_id,occurred_at,learner_email,learner_name,learner_did,framework_id,framework_version,"
              "assessment_id,assessment_name,statement,score,passed")


def post_batch(client, key, payload):
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return client.post("/api/v1/events:batch", data=body, headers=bearer(key), content_type="application/json")


def post_csv(client, key, text, content_type="text/csv"):
    return client.post("/api/v1/events:csv", data=text.encode(), headers=bearer(key), content_type=content_type)


def provider_event_ids(services) -> list[str]:
    with services.sessions() as session:
        return sorted(session.scalars(select(Event.provider_event_id)))


def test_batch_with_mixed_items(client, make_key, services, dispatcher):
    _p, key = make_key(Scope(FRAMEWORK, None, ("proficient",)))
    items = [
        native(event_id="ok-1"),
        native(event_id="ok-1"),  # identical duplicate inside the batch
        native(event_id="ok-1", occurred_at="2026-11-20T15:00:00Z"),  # same id, other body
        native(event_id="bad-score", results=[{"statement": "P03", "score": 7}]),
        native(event_id="not-accredited", results=[{"statement": "E01", "passed": True}]),
        event_data("xapi-passed-statement.adapted.json"),
        "not an event",
        native(event_id="ok-2"),
    ]
    response = post_batch(client, key, {"events": items})
    assert response.status_code == 200
    body = response.get_json()
    results = body["results"]
    assert [r["index"] for r in results] == list(range(len(items)))
    assert [r["status"] for r in results] == [202, 200, 409, 422, 403, 202, 422, 202]
    assert results[1]["event"] == results[0]["event"]
    assert results[2]["error"]["code"] == "event_conflict"
    score_error = results[3]["error"]["errors"][0]
    assert (score_error["code"], score_error["path"]) == ("score_out_of_range", "/results/0/score")
    assert results[4]["error"]["code"] == "not_accredited"
    assert results[6]["error"]["code"] == "unsupported_format"
    assert body["summary"] == {"accepted": 3, "replayed": 1, "refused": 4}
    accepted = [r["event"]["id"] for r in results if r["status"] == 202]
    assert dispatcher.sent == accepted and dispatcher.states_seen == ["received"] * 3
    assert provider_event_ids(services) == sorted(["ok-1", "ok-2", "be675bfa-5725-49ed-bda5-22b96b77122b"])


def test_batch_item_replays_an_event_posted_alone(client, key, dispatcher):
    single = client.post("/api/v1/events", data=json.dumps(native(), indent=4), headers=bearer(key),
                         content_type="application/json").get_json()
    results = post_batch(client, key, {"events": [native()]}).get_json()["results"]
    assert results == [{"index": 0, "status": 200, "event": single}]
    assert dispatcher.sent == [single["id"]]


def test_batch_failed_send_stops_sending_but_keeps_events(client, key, services, dispatcher):
    dispatcher.fail = True
    body = post_batch(client, key, {"events": [native(event_id=f"e-{i}") for i in range(3)]}).get_json()
    assert [r["status"] for r in body["results"]] == [202, 202, 202]
    assert dispatcher.messages == 1 and dispatcher.sent == []  # one failed attempt, the rest left to the sweeper
    assert dispatcher.states_seen == ["received"] * 3  # one message holds the request's events
    assert count_rows(services, Event) == 3


def test_batch_envelope_errors(client, key, services):
    assert post_batch(client, key, b"{").status_code == 400
    for payload, path in [([native()], "/events"), ({"events": {}}, "/events"), ({"events": []}, "/events"),
                          ({"events": [native()], "extra": 1}, "/extra")]:
        response = post_batch(client, key, payload)
        assert response.status_code == 422, payload
        assert response.get_json()["errors"][0]["path"] == path
    response = client.post("/api/v1/events:batch", data="{}", headers=bearer(key), content_type="text/plain")
    assert response.status_code == 415
    assert stored_nothing(services)


def test_batch_over_max_events_is_413(client, key, services, settings):
    events = [{"event_id": str(i)} for i in range(settings.max_batch_events + 1)]
    response = post_batch(client, key, {"events": events})
    assert response.status_code == 413 and response.get_json()["code"] == "too_many_events"
    assert stored_nothing(services)


def csv_rows(*rows: str) -> str:
    return "\n".join([CSV_HEADER, *rows]) + "\n"


ANA = "2026-11-20T15:04:05Z,ana@example.org,Ana Diaz,,29-2052.00,v.26.05,quiz-17,Dispensing workflow"
BEN = "2026-11-20T15:04:05Z,ben@example.org,Ben Okafor,,29-2052.00,v.26.05,quiz-18,Storage check"


def test_csv_with_good_and_bad_rows(client, key, services, dispatcher):
    text = csv_rows(
        f"csv-1,{ANA},P01,0.9,",          # row 2: event csv-1
        f"csv-1,{ANA},P02,,true",         # row 3: event csv-1
        f"csv-2,{BEN},P01,lots,",         # row 4: bad score -> csv-2 rejected whole
        f"csv-2,{BEN},P02,0.95,",         # row 5: fine, but its event is rejected
        f"csv-3,{BEN},Z77,0.95,",         # row 6: unknown statement
        f",{BEN},P03,0.9,",               # row 7: no event id
        "csv-4,too,few,cells",            # row 8: wrong cell count
    )
    response = post_csv(client, key, text)
    assert response.status_code == 200
    rows = response.get_json()["rows"]
    assert [(r["row"], r["event_id"], r["status"]) for r in rows] == [
        (2, "csv-1", 202), (3, "csv-1", 202), (4, "csv-2", 422), (5, "csv-2", 422), (6, "csv-3", 422),
        (7, None, 422), (8, None, 422),
    ]
    assert rows[0]["event"] == rows[1]["event"] and rows[0]["event"]["event_id"] == "csv-1"
    score_error = rows[2]["error"]["errors"][0]
    assert (score_error["row"], score_error["column"], score_error["path"]) == (4, "score", "/rows/4/score")
    assert rows[4]["error"]["errors"][0]["code"] == "unknown_statement"
    assert rows[4]["error"]["errors"][0]["column"] == "statement"
    assert rows[5]["error"]["errors"][0]["column"] == "event_id"
    # refused: events csv-2 and csv-3, and rows 7 and 8 that belong to no event (issue 10, finding 10)
    assert response.get_json()["summary"] == {"accepted": 1, "replayed": 0, "refused": 4}
    assert provider_event_ids(services) == ["csv-1"]
    assert dispatcher.states_seen == ["received"]
    with services.sessions() as session:
        stored = session.scalars(select(Event)).one()
        assert stored.format == "csv"
        assert json.loads(stored.raw_payload)["results"][1] == {"statement": "P02", "passed": True}

    again = post_csv(client, key, text).get_json()
    assert [r["status"] for r in again["rows"][:2]] == [200, 200]
    assert len(dispatcher.sent) == 1


def test_csv_event_replayed_as_json_is_the_same_event(client, key):
    text = csv_rows(f"lms-42-attempt-7,{ANA},P03,0.92,true")
    csv_event = post_csv(client, key, text).get_json()["rows"][0]["event"]
    document = native(learner={"email": "ana@example.org", "name": "Ana Diaz"},
                      assessment={"id": "quiz-17", "name": "Dispensing workflow"})
    response = client.post("/api/v1/events", data=json.dumps(document), headers=bearer(key),
                           content_type="application/json")
    assert response.status_code == 200 and response.get_json()["id"] == csv_event["id"]


def test_csv_unreadable_file_is_422_and_stores_nothing(client, key, services):
    for text in ("event_id,score\nx,1\n", "", CSV_HEADER + "\n"):
        response = post_csv(client, key, text)
        assert response.status_code == 422, text
        assert response.get_json()["errors"][0]["path"].startswith("/rows/")
    bad_bytes = client.post("/api/v1/events:csv", data=b"\xff\xfe" + CSV_HEADER.encode(), headers=bearer(key),
                            content_type="text/csv")
    assert bad_bytes.status_code == 422
    assert post_csv(client, key, csv_rows(f"csv-1,{ANA},P01,0.9,"), content_type="application/json").status_code == 415
    assert stored_nothing(services)


def test_csv_not_accredited_rows_are_403(client, make_key, services):
    _p, key = make_key(Scope(FRAMEWORK, None, ("emerging",)))
    rows = post_csv(client, key, csv_rows(f"csv-1,{ANA},E01,0.9,", f"csv-2,{ANA},P01,0.9,")).get_json()["rows"]
    assert [(r["row"], r["status"]) for r in rows] == [(2, 202), (3, 403)]
    assert rows[1]["error"]["code"] == "not_accredited"
    assert provider_event_ids(services) == ["csv-1"]


def test_a_caliper_sensor_envelope_is_a_batch(client, key, services, dispatcher):
    """What Caliper sensors send: an Envelope with several events in `data`; the bad one is refused alone."""
    good = event_data("caliper-grade-event.adapted.json")
    second = json.loads(json.dumps(good))
    second["id"] = "urn:uuid:0e4b4d4c-1111-4222-8333-444455556666"
    navigation = {**good, "type": "NavigationEvent", "id": "urn:uuid:0e4b4d4c-1111-4222-8333-777777777777"}
    envelope = {"sensor": "https://lms.example.org/sensors/1", "sendTime": "2026-11-20T15:05:00.000Z",
                "dataVersion": "http://purl.imsglobal.org/ctx/caliper/v1p2", "data": [good, navigation, second]}
    body = post_batch(client, key, envelope).get_json()
    assert [r["status"] for r in body["results"]] == [202, 422, 202]
    assert body["results"][1]["error"]["code"] == "unsupported_format"
    one = client.post("/api/v1/events", data=json.dumps({**envelope, "data": [good]}), headers=bearer(key),
                      content_type="application/json")
    assert one.status_code == 200 and one.get_json()["event_id"] == good["id"]  # a replay of the first
