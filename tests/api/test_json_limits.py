"""Issue 10, findings 5 and 6 on the provider API: deep JSON is `400 json_too_deep` (it was a
500), and an over-long batch is refused while it is read, before its items are built."""

from __future__ import annotations

import json

import pytest

from .conftest import bearer, event_data, native, stored_nothing


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def with_deep(document: dict, pointer: tuple[str, ...], depth: int) -> str:
    """`document` as JSON text with a `depth`-deep object at `pointer` (spliced in as text)."""
    marker = "__deep__"
    target = document
    for part in pointer[:-1]:
        target = target.setdefault(part, {})
    target[pointer[-1]] = marker
    return json.dumps(document).replace(json.dumps(marker), nested(depth))


@pytest.mark.parametrize("depth", [65, 1_000, 20_000])
def test_deep_json_is_400_json_too_deep_on_every_json_route(client, key, services, depth):
    bodies = {
        "/api/v1/events": [with_deep(native(), ("assessment", "extra"), depth)],
        "/api/v1/events:batch": ['{"events": [' + with_deep(native(), ("learner", "extra"), depth) + "]}"],
    }
    for path, texts in bodies.items():
        for text in texts:
            response = client.post(path, data=text, headers=bearer(key), content_type="application/json")
            assert response.status_code == 400, (path, response.status_code, response.get_data(as_text=True)[:300])
            assert response.get_json()["code"] == "json_too_deep"
            assert response.mimetype == "application/problem+json"
    assert stored_nothing(services)


def test_deep_xapi_result_extensions_are_refused(client, key, services):
    document = event_data("xapi-passed-statement.adapted.json")
    text = with_deep(document, ("result", "extensions", "https://example.org/x"), 5_000)
    response = client.post("/api/v1/events", data=text, headers=bearer(key), content_type="application/json")
    assert response.status_code == 400 and response.get_json()["code"] == "json_too_deep"
    assert stored_nothing(services)


def test_an_over_long_batch_is_refused_before_its_items_are_built(client, key, services):
    """A 2 MiB batch of `{}` items (more than the batch limit) is refused with 413 by the count
    made while reading; nothing is stored."""
    limit = services.settings.max_batch_events
    body = b'{"events": [' + b",".join([b"{}"] * 700_000) + b"]}"
    response = client.post("/api/v1/events:batch", data=body, headers=bearer(key), content_type="application/json")
    assert response.status_code == 413 and response.get_json()["code"] == "too_many_events"
    assert f"more than {limit}" in response.get_json()["detail"]
    assert stored_nothing(services)
