"""Issue 10, finding 10: protocol details of the issuing service's web app (provider API, published
material and the mounted verifier, as `badgeline web` serves them).

OPTIONS names only the path's own methods; every 405 carries `Allow`; errors are problem+json
unless a browser asks for HTML; the `AnyEvent` schema refuses what the service refuses; a CSV
row refused for its shape counts in the summary."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from pipeline.services import build_services
from pipeline.store.models import Event
from pipeline.web import create_app

from .conftest import bearer, event_data, native
from .test_bulk import ANA, csv_rows, post_csv

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def web(settings, clock, dispatcher):
    services = build_services(settings, clock=clock, dispatcher=dispatcher)
    from pipeline.store import migrate

    migrate(services.engine)
    yield create_app(settings, services=services).test_client()
    services.close()


@pytest.mark.parametrize("path, allowed", [
    ("/api/v1/events", "OPTIONS, POST"), ("/api/v1/events/x", "GET, HEAD, OPTIONS"),
    ("/api/v1/events:csv", "OPTIONS, POST"), ("/credentials/verify", "OPTIONS, POST"),
])
def test_options_names_only_the_paths_methods(web, path, allowed):
    response = web.open(path, method="OPTIONS")
    assert response.status_code in (200, 204)
    assert response.headers["Allow"] == allowed


@pytest.mark.parametrize("method, path", [
    ("DELETE", "/api/v1/events"), ("PUT", "/credentials/verify"), ("POST", "/healthz"),
    ("DELETE", "/verify"), ("POST", "/api/v1/openapi.json"), ("PUT", "/"),
])
def test_every_405_carries_allow_and_is_problem_json(web, method, path):
    response = web.open(path, method=method)
    assert response.status_code == 405
    assert response.headers.get("Allow"), (method, path)
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("path", ["/nope", "/credentials/nope", "/api/v1/nope", "/.well-known/nope"])
def test_404s_are_problem_json_unless_a_browser_asks_for_html(web, path):
    for accept in (None, "*/*", "application/json"):
        response = web.get(path, headers={"Accept": accept} if accept else {})
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json", (path, accept)
    browser = web.get(path, headers={"Accept": BROWSER_ACCEPT}).mimetype
    assert browser == ("application/problem+json" if path.startswith("/api/") else "text/html")


def test_the_upload_forms_400_is_json_for_api_clients(web):
    response = web.post("/verify", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and response.mimetype == "application/json"
    browser = web.post("/verify", data={}, content_type="multipart/form-data", headers={"Accept": BROWSER_ACCEPT})
    assert browser.status_code == 400 and browser.mimetype == "text/html"


def any_event_validator(client) -> Draft202012Validator:
    document = client.get("/api/v1/openapi.json").get_json()
    registry = Registry().with_resource("urn:oas", DRAFT202012.create_resource(document))
    return Draft202012Validator({"$ref": "urn:oas#/components/schemas/AnyEvent"}, registry=registry)


def refused_documents() -> list[dict]:
    xapi = event_data("xapi-passed-statement.adapted.json")
    caliper = event_data("caliper-grade-event.adapted.json")
    return [
        {**xapi, "verb": {"id": "http://adlnet.gov/expapi/verbs/attempted"}},  # a verb we do not read
        {**xapi, "event_id": "x-1"},                                             # read as native, then refused
        {**xapi, "object": "not an object"},
        {**caliper, "type": "AssessmentEvent"},
        {**caliper, "action": "Submitted"},
        {key: value for key, value in native().items() if key != "results"} | {"actor": {}, "verb": {},
                                                                                "object": {}},
    ]


def test_any_event_refuses_what_the_service_refuses(client, key):
    validator = any_event_validator(client)
    for sample in ("xapi-passed-statement.adapted.json", "caliper-grade-event.adapted.json"):
        assert validator.is_valid(event_data(sample)), sample
    assert validator.is_valid(native())
    for document in refused_documents():
        response = client.post("/api/v1/events", data=json.dumps(document), headers=bearer(key),
                               content_type="application/json")
        assert response.status_code >= 400, document
        assert not validator.is_valid(document), document


def test_a_csv_row_with_an_unterminated_quote_counts_as_refused(client, key):
    text = csv_rows(f"csv-1,{ANA},P01,0.9,") + f'csv-2,{ANA},"P02,0.9,\n'
    response = post_csv(client, key, text)
    assert response.status_code == 200
    body = response.get_json()
    assert [r["status"] for r in body["rows"]] == [202, 422]
    assert body["summary"] == {"accepted": 1, "replayed": 0, "refused": 1}


def test_metrics_are_prometheus_text_from_the_store(web, make_key):
    """Issue 10, "Operations": GET /metrics (Prometheus text format 0.0.4)."""
    _provider, key = make_key()
    for n in range(2):
        assert web.post("/api/v1/events", data=json.dumps(native(event_id=f"m-{n}")), headers=bearer(key),
                        content_type="application/json").status_code == 202
    response = web.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert 'badgeline_events{state="received"} 2' in lines
    assert 'badgeline_events{state="processed"} 0' in lines
    assert "badgeline_credentials_issued_total 0" in lines
    assert "# TYPE badgeline_credentials_issued_total counter" in lines
    samples = [line for line in lines if line and not line.startswith("#")]
    assert all(len(line.rsplit(" ", 1)) == 2 and float(line.rsplit(" ", 1)[1]) >= 0 for line in samples)


def test_metrics_report_processing_time_and_this_process_verdicts(web, make_key, settings):
    """The rest of issue 10's metrics: how long recent events took from acceptance to outcome (from
    the store, whichever worker did it), and the verifier's verdicts in this process."""
    _provider, key = make_key()
    ids = [web.post("/api/v1/events", data=json.dumps(native(event_id=f"t-{n}")), headers=bearer(key),
                    content_type="application/json").get_json()["id"] for n in range(2)]
    services = web.application.extensions["badgeline"]
    with services.sessions.begin() as session:
        for event_id, seconds in zip(ids, (1.0, 3.0)):
            event = session.get(Event, event_id)
            event.state, event.finished_at = "processed", event.received_at + timedelta(seconds=seconds)
    for body in ({"verifiableCredential": {}}, {"verifiableCredential": "not a credential"}):
        assert web.post("/credentials/verify", data=json.dumps(body), content_type="application/json").status_code == 400
    lines = web.get("/metrics").get_data(as_text=True).splitlines()
    assert "# TYPE badgeline_event_processing_seconds summary" in lines
    assert 'badgeline_event_processing_seconds{quantile="0.5"} 1' in lines
    assert 'badgeline_event_processing_seconds{quantile="0.99"} 3' in lines
    assert "badgeline_event_processing_seconds_count 2" in lines
    assert 'badgeline_verifications_total{verdict="not-verified"} 2' in lines
    assert 'badgeline_verifications_total{verdict="verified"} 0' in lines


def test_the_web_process_logs_json_with_the_event_and_provider_ids(web, make_key):
    """BADGELINE_LOG_FORMAT=json in the web process: the line for an accepted event carries its ids."""
    import io
    import logging

    from pipeline.json_logs import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("pipeline.api.events")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        provider_id, key = make_key()
        posted = web.post("/api/v1/events", data=json.dumps(native(event_id="log-1")), headers=bearer(key),
                          content_type="application/json").get_json()
    finally:
        logger.removeHandler(handler)
    [line] = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert line["event_id"] == posted["id"] and line["message"] == f"event {posted['id']} accepted"
    assert line["provider_id"] == provider_id
