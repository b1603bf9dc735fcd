"""Issue 10, finding 7: NUL characters (U+0000) behave the same on SQLite and PostgreSQL.

On main, PostgreSQL answered 500 for a NUL in an event id (and lost the good items of the same
batch or CSV upload), accepted a NUL in a learner or assessment name and then rejected the event
`processing_failed`, and answered 500 for `%00` in an event or learner path; SQLite stored them.
Now every store refuses them at intake: 422 with the path of the field, per item."""

from __future__ import annotations

import json

import pytest

from .conftest import bearer, native, stored_nothing
from .test_bulk import ANA, csv_rows, post_batch, post_csv, provider_event_ids

NUL = "\u0000"


@pytest.mark.parametrize("changes, path", [
    ({"event_id": f"nul{NUL}id"}, "/event_id"),
    ({"learner": {"email": "ana@example.org", "name": f"Ana{NUL}Diaz"}}, "/learner/name"),
    ({"assessment": {"id": "quiz-17", "name": f"Dispensing{NUL}", "url": "https://lms.example.org/q"}},
     "/assessment/name"),
    ({"extra": {f"k{NUL}": 1}}, f"/extra/k{NUL}"),
])
def test_a_nul_anywhere_in_an_event_is_422_with_its_path(client, key, services, changes, path):
    response = client.post("/api/v1/events", data=json.dumps(native(**changes)), headers=bearer(key),
                           content_type="application/json")
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    errors = response.get_json()["errors"]
    assert [(e["code"], e["path"]) for e in errors] == [("schema_violation", path)]
    assert "NUL" in errors[0]["message"]
    assert stored_nothing(services)


def test_a_batch_keeps_its_good_items(client, key, services):
    response = post_batch(client, key, {"events": [native(event_id="good-1"), native(event_id=f"bad{NUL}"),
                                                   native(event_id="good-2")]})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == [202, 422, 202]
    assert results[1]["error"]["errors"][0]["path"] == "/event_id"
    assert provider_event_ids(services) == ["good-1", "good-2"]


def test_a_csv_upload_keeps_its_good_rows(client, key, services):
    text = csv_rows(f"csv-1,{ANA},P01,0.9,", f"csv-{NUL}2,{ANA},P02,0.9,", f"csv-3,{ANA},P03,0.9,")
    response = post_csv(client, key, text)
    assert response.status_code == 200
    rows = response.get_json()["rows"]
    assert [(r["row"], r["status"]) for r in rows] == [(2, 202), (3, 422), (4, 202)]
    assert rows[1]["error"]["errors"][0]["column"] == "event_id"
    assert provider_event_ids(services) == ["csv-1", "csv-3"]


@pytest.mark.parametrize("path", ["/api/v1/events/%00", "/api/v1/events/a%00b",
                                  "/api/v1/learners/ana%00@example.org/credentials",
                                  "/api/v1/credentials/%00"])
def test_nul_in_a_path_is_404_not_500(client, key, path):
    response = client.get(path, headers=bearer(key))
    assert response.status_code == 404, response.status_code
    assert response.mimetype == "application/problem+json" and response.get_json()["code"] == "not_found"
