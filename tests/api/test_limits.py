"""413 by declared Content-Length and by the bytes actually streamed (chunked), on the test
client and on a real HTTP server; the batch/CSV cap is max_event_bytes * 64."""

from __future__ import annotations

import http.client
import io
import json

import pytest

from pipeline.api.events import BATCH_BYTES_FACTOR
from pipeline.store.models import Event

from .conftest import bearer, count_rows, native, stored_nothing

LIMIT = 256 * 1024


def padded(document: dict, size: int) -> bytes:
    """`document` as JSON followed by whitespace, exactly `size` bytes long."""
    body = json.dumps(document).encode()
    return body + b" " * (size - len(body))


def assert_413(response):
    assert response.status_code == 413
    assert response.get_json()["code"] == "payload_too_large"


def test_limit_setting_is_256_kib(settings):
    assert settings.max_event_bytes == LIMIT


def test_body_of_exactly_the_limit_is_accepted(client, key):
    response = client.post("/api/v1/events", data=padded(native(), LIMIT), headers=bearer(key),
                           content_type="application/json")
    assert response.status_code == 202


def test_content_length_over_the_limit(client, key, services):
    assert_413(client.post("/api/v1/events", data=padded(native(), LIMIT + 1), headers=bearer(key),
                           content_type="application/json"))
    assert stored_nothing(services)


def test_declared_length_is_refused_before_reading(client, key, services):
    # A small body declared as huge: refused on the header alone.
    response = client.post("/api/v1/events", data=json.dumps(native()), headers=bearer(key),
                           content_type="application/json", environ_overrides={"CONTENT_LENGTH": str(10**9)})
    assert_413(response)
    assert stored_nothing(services)


@pytest.mark.parametrize(("size", "status"), [(LIMIT, 202), (LIMIT + 1, 413)])
def test_streamed_body_without_content_length(client, key, services, size, status):
    response = client.post(
        "/api/v1/events", input_stream=io.BytesIO(padded(native(), size)), headers=bearer(key),
        content_type="application/json", environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == status
    assert count_rows(services, Event) == (1 if status == 202 else 0)


def test_batch_cap_is_larger(client, key, services):
    assert BATCH_BYTES_FACTOR * LIMIT == 16 * 1024 * 1024
    events = [native(event_id=f"e-{i}", assessment={"id": "quiz-17", "name": "x" * 400}) for i in range(600)]
    body = json.dumps({"events": events})
    assert LIMIT < len(body) < BATCH_BYTES_FACTOR * LIMIT
    response = client.post("/api/v1/events:batch", data=body, headers=bearer(key), content_type="application/json")
    assert response.status_code == 200 and response.get_json()["summary"]["accepted"] == 600
    too_big = client.post("/api/v1/events:batch", data=body, headers=bearer(key), content_type="application/json",
                          environ_overrides={"CONTENT_LENGTH": str(BATCH_BYTES_FACTOR * LIMIT + 1)})
    assert_413(too_big)
    csv_big = client.post("/api/v1/events:csv", data="x", headers=bearer(key), content_type="text/csv",
                          environ_overrides={"CONTENT_LENGTH": str(BATCH_BYTES_FACTOR * LIMIT + 1)})
    assert_413(csv_big)


# --- a real HTTP server and a real chunked request ---------------------------------------------

def post_chunked(port: int, key: str, body: bytes) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    chunks = (body[i:i + 10_000] for i in range(0, len(body), 10_000))
    try:
        connection.request("POST", "/api/v1/events", body=chunks, encode_chunked=True,
                           headers={**bearer(key), "Content-Type": "application/json", "Transfer-Encoding": "chunked"})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_real_chunked_requests(server, key, services):
    status, body = post_chunked(server, key, padded(native(), 40_000))
    assert status == 202 and body["state"] == "received"
    try:
        status, body = post_chunked(server, key, padded(native(event_id="too-big"), LIMIT + 50_000))
    except (BrokenPipeError, ConnectionResetError):
        pytest.fail("the server closed the connection instead of answering 413")
    assert status == 413 and body["code"] == "payload_too_large"
    assert count_rows(services, Event) == 1
