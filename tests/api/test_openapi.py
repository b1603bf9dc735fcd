"""The OpenAPI 3.1 document is valid, covers every route, and the conformance check bites;
the published event schema is the native event's; a store that is down answers 503."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask, Response
from jsonschema import Draft202012Validator, ValidationError
from openapi_spec_validator import validate

from pipeline.api import BLUEPRINT_NAME, make_api_blueprint
from pipeline.events import native_event_json_schema
from pipeline.services import build_services
from pipeline.settings import Settings

from .conftest import NATIVE, PUBLIC, OpenApiChecker, native

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def document(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def blueprint_routes(app: Flask) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(BLUEPRINT_NAME + ".") and not rule.endpoint.endswith(".unknown_route"):
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            routes |= {(path, method.lower()) for method in rule.methods - IGNORED_METHODS}
    return routes


def documented_operations(doc: dict) -> set[tuple[str, str]]:
    return {(path, method) for path, item in doc["paths"].items() for method in item}


def normalized(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def test_document_is_valid_openapi_31(client):
    doc = document(client)
    assert doc["openapi"].startswith("3.1")
    validate(doc)
    assert doc["servers"] == [{"url": f"{PUBLIC}/api/v1"}]


def test_every_route_is_documented_and_nothing_else(client, app):
    routes = {(normalized(p), m) for p, m in blueprint_routes(app)}
    documented = {(normalized(p), m) for p, m in documented_operations(document(client))}
    assert routes == documented
    assert len(routes) == 16  # 8 of issue 3, 3 of issue 8 (lifecycle), 4 + 1 of issue 9 (collection:rotate, webhooks; offer)


def test_protected_operations_document_401_and_problems(client):
    doc = document(client)
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            if operation.get("security") == []:
                assert path in ("/openapi.json", "/schema/event.json")
                continue
            assert {"401", "500", "503"} <= responses.keys(), (path, method)
    post_event = doc["paths"]["/events"]["post"]["responses"]
    assert {"200", "202", "400", "401", "403", "409", "413", "415", "422"} <= post_event.keys()
    problem = doc["components"]["responses"]["Unprocessable"]["content"]["application/problem+json"]["schema"]
    assert "score_out_of_range" in problem["allOf"][1]["properties"]["code"]["enum"]


def test_native_event_schema_is_published(client):
    response = client.get("/api/v1/schema/event.json")
    assert response.status_code == 200 and response.mimetype == "application/schema+json"
    schema = response.get_json()
    assert schema["$id"] == f"{PUBLIC}/api/v1/schema/event.json"
    assert {k: v for k, v in schema.items() if k != "$id"} == native_event_json_schema()
    validator = Draft202012Validator(schema)
    assert validator.is_valid(NATIVE)
    assert not validator.is_valid(native(results=[{"statement": "P03", "score": 2}]))


def test_openapi_event_schema_accepts_the_issue_example(client):
    doc = document(client)
    checker = OpenApiChecker(doc)
    checker.validate(NATIVE, {"$ref": "urn:oas#/components/schemas/AnyEvent"})
    with pytest.raises(ValidationError, match="non-empty"):
        checker.validate({"events": []}, {"$ref": "urn:oas#/components/schemas/BatchRequest"})


def test_conformance_check_refuses_undocumented_answers(client):
    checker = OpenApiChecker(document(client))
    with pytest.raises(AssertionError, match="does not list"):
        checker.check("POST", "/events", Response("{}", status=418, mimetype="application/json"))
    with pytest.raises(ValidationError, match="required property"):
        checker.check("POST", "/events", Response(json.dumps({"id": "x"}), status=202, mimetype="application/json"))
    with pytest.raises(AssertionError, match="not documented"):
        checker.check("GET", "/events/x", Response("{}", status=404, mimetype="application/json"))


def test_store_down_is_503_problem(tmp_path):
    settings = Settings.explicit(database_url="postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2",
                                 public_url=PUBLIC, data_dir=tmp_path)
    services = build_services(settings)
    app = Flask(__name__)
    app.register_blueprint(make_api_blueprint(services), url_prefix="/api/v1")
    client = app.test_client()
    try:
        response = client.post("/api/v1/events", data=json.dumps(NATIVE), content_type="application/json",
                               headers={"Authorization": "Bearer bl_aaaaaaaaaaaa_secret"})
    finally:
        services.close()
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.get_json()["code"] == "store_unavailable"
    OpenApiChecker(client.get("/api/v1/openapi.json").get_json()).check("POST", "/events", response)
