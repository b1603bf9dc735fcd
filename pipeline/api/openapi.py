"""The provider API described as OpenAPI 3.1 (`GET /api/v1/openapi.json`), and the native event's
JSON Schema 2020-12 (`GET /api/v1/schema/event.json`). Both are public (no API key).

The native event schema comes from `pipeline.events.schema` (one source); in the OpenAPI
document its `$defs` become `components/schemas` entries. Every operation lists every
problem response it can give; `tests/api` validates real responses against this document.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from pipeline import errors as codes
from pipeline.events.xapi import VERBS as XAPI_VERBS
from pipeline.events import CSV_COLUMNS, native_event_json_schema
from pipeline.intake import NOT_ACCREDITED, TOO_MANY_EVENTS
from pipeline.services import Services
from pipeline.settings import Settings

from . import problems as p
from .events import BATCH_BYTES_FACTOR, json_response

SCHEMA_PATH = "/schema/event.json"
OPENAPI_PATH = "/openapi.json"
PROBLEM_STATUSES: dict[int, tuple[str, list[str]]] = {
    400: ("BadRequest", [codes.MALFORMED_JSON, p.JSON_TOO_DEEP, p.BAD_REQUEST]),
    401: ("Unauthenticated", [p.UNAUTHENTICATED]),
    403: ("NotAccredited", [NOT_ACCREDITED]),
    404: ("NotFound", [p.NOT_FOUND]),
    409: ("Conflict", ["event_conflict"]),
    413: ("PayloadTooLarge", [p.PAYLOAD_TOO_LARGE, TOO_MANY_EVENTS, p.JSON_TOO_LARGE]),
    415: ("UnsupportedMediaType", [p.UNSUPPORTED_MEDIA_TYPE]),
    422: ("Unprocessable", sorted(codes.EVENT_CODES - {codes.MALFORMED_JSON} | {"framework_version_retired"})),
    500: ("InternalError", [p.INTERNAL_ERROR]),
    503: ("StoreUnavailable", [p.STORE_UNAVAILABLE]),
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _content(schema: dict[str, Any], media_type: str = "application/json") -> dict[str, Any]:
    return {media_type: {"schema": schema}}


def _for_components(node: Any) -> Any:
    """Point `$defs` refs at `components/schemas`; drop `"default": null` on non-null types
    (pydantic emits it for omitted-only fields; OpenAPI validators reject the mismatch)."""
    if isinstance(node, dict):
        return {k: (v.replace("#/$defs/", "#/components/schemas/") if k == "$ref" else _for_components(v))
                for k, v in node.items() if not (k == "default" and v is None)}
    if isinstance(node, list):
        return [_for_components(v) for v in node]
    return node


def event_schema_document(settings: Settings) -> dict[str, Any]:
    """The native event JSON Schema as published, with its `$id`."""
    schema = native_event_json_schema()
    return {"$schema": schema.pop("$schema"), "$id": f"{settings.public_url}/api/v1{SCHEMA_PATH}", **schema}


def _event_schemas() -> dict[str, Any]:
    schema = native_event_json_schema()
    schema.pop("$schema", None)
    defs = schema.pop("$defs", {})
    return _for_components({**defs, "NativeEvent": schema})


#: what makes the service read a document as a native event (pipeline.events.adapters.detect_format)
NATIVE_MARKERS = {"anyOf": [{"required": ["event_id"]},
                            {"required": ["type"], "properties": {"type": {"const": "assessment.completed"}}}]}


def _shared_schemas(max_batch: int) -> dict[str, Any]:
    nullable_str = {"type": ["string", "null"]}
    problem_or_event = {"required": ["index", "status"], "oneOf": [{"required": ["event"]}, {"required": ["error"]}]}
    return {
        "FieldError": {"type": "object", "required": ["code", "message", "path"], "properties": {
            "code": {"type": "string"}, "message": {"type": "string"},
            "path": {"type": "string", "description": "JSON pointer (RFC 6901) into what was sent."},
            "row": {"type": "integer", "description": "CSV only: spreadsheet row (header = 1)."},
            "column": {"type": ["string", "null"], "description": "CSV only: the column at fault."}}},
        "Problem": {"type": "object", "required": ["type", "title", "status", "code", "detail"], "properties": {
            "type": {"type": "string", "description": "`urn:badgeline:problem:{code}`."},
            "title": {"type": "string"}, "status": {"type": "integer"}, "code": {"type": "string"},
            "detail": {"type": "string"}, "errors": {"type": "array", "items": _ref("FieldError")}}},
        "CredentialRef": {"type": "object", "required": ["id", "url", "level"], "properties": {
            "id": {"type": "string"}, "url": {"type": "string", "format": "uri"}, "level": {"type": "string"},
            "public_url": {"type": "string", "format": "uri", "description": "The holder's public page."}}},
        "Outcome": {"type": "object", "required": ["code", "message", "levels", "credentials"], "properties": {
            "code": nullable_str, "message": nullable_str,
            "levels": {"type": "array", "items": {"type": "string"}, "description": "Levels this event newly reached."},
            "credentials": {"type": "array", "items": _ref("CredentialRef")}}},
        "EventResource": {"type": "object", "required": ["id", "url", "event_id", "state", "outcome"], "properties": {
            "id": {"type": "string", "format": "uuid"}, "url": {"type": "string", "format": "uri"},
            "event_id": {"type": "string", "description": "The provider's event id."},
            "state": {"enum": ["received", "processing", "processed", "rejected"]},
            "outcome": {"oneOf": [{"type": "null"}, _ref("Outcome")], "description": "null until final."}}},
        "XapiStatement": {"type": "object", "required": ["id", "actor", "verb", "object"],
                          "not": NATIVE_MARKERS, "properties": {
            "id": {"type": "string"}, "actor": {"type": "object"}, "timestamp": {"type": "string"},
            "verb": {"type": "object", "required": ["id"], "properties": {"id": {"enum": sorted(XAPI_VERBS)}}},
            "object": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
            "result": {"type": "object"}},
                          "description": "An xAPI statement (verbs passed, completed, failed, scored)."},
        "CaliperGradeEvent": {"type": "object", "required": ["@context", "id", "type", "action", "object"],
                              "not": {"anyOf": [NATIVE_MARKERS, {"required": ["actor", "verb", "object"]}]},
                              "properties": {
            "id": {"type": "string"}, "type": {"const": "GradeEvent"}, "action": {"const": "Graded"},
            "object": {"type": "object"}},
                              "description": "A Caliper 1.2 GradeEvent (action Graded)."},
        "AnyEvent": {"description": "Read as native when it has `event_id` or type assessment.completed, else "
                                    "as xAPI (actor, verb, object), else as Caliper (@context).",
                     "anyOf": [_ref("NativeEvent"), _ref("XapiStatement"), _ref("CaliperGradeEvent")]},
        "BatchRequest": {"type": "object", "required": ["events"], "additionalProperties": False, "properties": {
            "events": {"type": "array", "minItems": 1, "maxItems": max_batch, "items": _ref("AnyEvent")}}},
        "ItemResult": {"type": "object", **problem_or_event, "description": (
            "One batch item, in request order. Error paths are JSON pointers into that item."), "properties": {
            "index": {"type": "integer"}, "status": {"type": "integer", "description": "202, 200 or a problem status."},
            "event": _ref("EventResource"), "error": _ref("Problem")}},
        "Summary": {"type": "object", "required": ["accepted", "replayed", "refused"], "properties": {
            "accepted": {"type": "integer"}, "replayed": {"type": "integer"}, "refused": {"type": "integer"}}},
        "BatchResponse": {"type": "object", "required": ["results", "summary"], "properties": {
            "results": {"type": "array", "items": _ref("ItemResult")}, "summary": _ref("Summary")}},
        "RowResult": {"type": "object", "required": ["row", "event_id", "status"],
                      "oneOf": [{"required": ["event"]}, {"required": ["error"]}], "properties": {
            "row": {"type": "integer"}, "event_id": nullable_str, "status": {"type": "integer"},
            "event": _ref("EventResource"), "error": _ref("Problem")}},
        "CsvResponse": {"type": "object", "required": ["rows", "summary"], "properties": {
            "rows": {"type": "array", "items": _ref("RowResult")},
            "summary": {**_ref("Summary"), "description": (
                "Counts events, not rows; a refused row that belongs to no event (no event_id, wrong "
                "cell count, an unterminated quote) counts as one refused item.")}}},
        "Credential": {"type": "object", "required": ["@context", "id", "type", "proof"],
                       "description": "The signed OB 3.0 AchievementCredential, exactly as issued."},
        "CredentialSummary": {"type": "object", "required": ["id", "url", "framework", "level", "issued_at"],
                              "properties": {
            "id": {"type": "string"}, "url": {"type": "string", "format": "uri"}, "level": {"type": "string"},
            "framework": {"type": "object", "required": ["id", "version"],
                          "properties": {"id": {"type": "string"}, "version": {"type": "string"}}},
            "issued_at": {"type": "string", "format": "date-time"},
            "public_url": {"type": "string", "format": "uri", "description": "The holder's public page."}}},
        "LearnerCredentials": {"type": "object", "required": ["learner", "credentials"], "properties": {
            "collection_url": {"type": ["string", "null"], "format": "uri", "description": (
                "The learner's private collection page (pass it on to the learner); null when none is visible.")},
            "learner": {"oneOf": [
                {"type": "object", "required": ["email"], "properties": {"email": {"type": "string"}}},
                {"type": "object", "required": ["did"], "properties": {"did": {"type": "string"}}}]},
            "credentials": {"type": "array", "items": _ref("CredentialSummary")}}},
        **_holder_schemas(),
    }


def _holder_schemas() -> dict[str, Any]:
    """Collection link and webhooks (issue 9)."""
    webhook = {"id": {"type": "string"}, "url": {"type": "string", "format": "uri"},
               "events": {"type": "array", "items": {"enum": ["credential.issued", "credential.revoked",
                                                              "credential.expiring"]}},
               "created_at": {"type": "string", "format": "date-time"}, "self": {"type": "string", "format": "uri"}}
    return {
        "CollectionLink": {"type": "object", "required": ["learner", "collection_url"], "properties": {
            "learner": {"type": "object"}, "collection_url": {"type": "string", "format": "uri"}}},
        "WebhookRequest": {"type": "object", "required": ["url"], "properties": {
            "url": webhook["url"], "events": webhook["events"]}},
        "Webhook": {"type": "object", "required": list(webhook), "properties": webhook},
        "NewWebhook": {"allOf": [_ref("Webhook"), {"type": "object", "required": ["secret"], "properties": {
            "secret": {"type": "string", "description": (
                "Shown once. Deliveries carry `Badgeline-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "
                "\"<t>.\" + body)>`, `Badgeline-Event` and `Badgeline-Delivery`.")}}}]},
        "WebhookList": {"type": "object", "required": ["webhooks"], "properties": {
            "webhooks": {"type": "array", "items": _ref("Webhook")}}},
    }


def _holder_paths() -> dict[str, Any]:
    return {
        "/learners/{learner}/collection:rotate": {"post": _operation(
            "rotateCollection", "A new private collection link for the learner; the old one stops working.",
            _responses({200: ("The new link.", _ref("CollectionLink"))}, [401, 404]),
            parameters=path_param("learner", "Email address or DID."))},
        "/webhooks": {
            "post": _operation("postWebhook", "Register a webhook (https; the secret is shown once).",
                               _responses({201: ("The webhook and its secret.", _ref("NewWebhook"))},
                                          [400, 401, 413, 415]),
                               requestBody={"required": True, "content": _content(_ref("WebhookRequest"))}),
            "get": _operation("listWebhooks", "Your active webhooks.",
                              _responses({200: ("The webhooks.", _ref("WebhookList"))}, [401]))},
        "/webhooks/{id}": {"delete": _operation(
            "deleteWebhook", "Stop a webhook.", {"204": {"description": "Deleted."},
                                                **_responses({}, [401, 404])},
            parameters=path_param("id", "The webhook's id."))},
    }


def _problem_response(status: int) -> dict[str, Any]:
    name, allowed = PROBLEM_STATUSES[status]
    schema = {"allOf": [_ref("Problem"), {"properties": {"status": {"const": status}, "code": {"enum": allowed}}}]}
    response: dict[str, Any] = {"description": p.title_for(allowed[0]), "content": _content(schema, p.PROBLEM_JSON)}
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    return response


def _responses(ok: dict[int, tuple[str, dict[str, Any]]], problems: list[int]) -> dict[str, Any]:
    out: dict[str, Any] = {str(s): {"description": d, "content": _content(c)} for s, (d, c) in ok.items()}
    for status in problems + [500, 503]:
        out[str(status)] = {"$ref": f"#/components/responses/{PROBLEM_STATUSES[status][0]}"}
    return out


def path_param(name: str, description: str) -> list[dict[str, Any]]:
    return [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}, "description": description}]


def _operation(op_id: str, summary: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"operationId": op_id, "summary": summary, "responses": responses, **extra}


_WALLET_OFFER: dict[str, Any] = {"type": "object", "required": [
    "id", "credential", "expires_at", "credential_offer_uri", "credential_offer_link", "offer_page", "vcapi_exchange",
    "lcw_link"], "properties": {
    "id": {"type": "string"}, "credential": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"},
    "credential_offer_uri": {"type": "string", "format": "uri"}, "credential_offer_link": {"type": "string"},
    "offer_page": {"type": "string", "format": "uri"}, "vcapi_exchange": {"type": "string", "format": "uri"},
    "lcw_link": {"type": "string", "format": "uri"}}}


def _paths(settings: Settings) -> dict[str, Any]:
    event_ok = ("The event resource.", _ref("EventResource"))
    location = {"Location": {"schema": {"type": "string", "format": "uri"}, "description": "The event's URL."}}
    post_event = _responses({202: event_ok, 200: event_ok}, [400, 401, 403, 409, 413, 415, 422])
    post_event["202"]["headers"] = post_event["200"]["headers"] = location
    public: dict[str, Any] = {"security": []}
    bulk = f"Body at most {settings.max_event_bytes * BATCH_BYTES_FACTOR} bytes, {settings.max_batch_events} events."
    return {
        "/events": {"post": _operation(
            "postEvent", "Post one event: 202 when stored, 200 for an identical replay.", post_event,
            description=("Native event, xAPI statement or Caliper GradeEvent; "
                         f"body at most {settings.max_event_bytes} bytes."),
            requestBody={"required": True, "content": _content(_ref("AnyEvent"))})},
        "/events:batch": {"post": _operation(
            "postEventBatch", "Post many events; always 200 with one result per item.",
            _responses({200: ("Per-item results.", _ref("BatchResponse"))}, [400, 401, 413, 415, 422]),
            description=bulk, requestBody={"required": True, "content": _content(_ref("BatchRequest"))})},
        "/events:csv": {"post": _operation(
            "postEventCsv", "Upload CSV rows (one per statement result); 200 with one result per row.",
            _responses({200: ("Per-row results.", _ref("CsvResponse"))}, [401, 413, 415, 422]),
            description=bulk + " Header: " + ",".join(CSV_COLUMNS),
            requestBody={"required": True, "content": _content({"type": "string"}, "text/csv")})},
        "/events/{id}": {"get": _operation(
            "getEvent", "Read back one of your events.", _responses({200: event_ok}, [401, 404]),
            parameters=path_param("id", "The event's id (from its URL), or the `event_id` you sent."))},
        "/credentials/{id}": {"get": _operation(
            "getCredential", "A credential your events produced or contributed to.",
            _responses({200: ("The signed credential.", _ref("Credential"))}, [401, 404]),
            parameters=path_param("id", "The UUID of the credential's urn:uuid id."))},
        "/learners/{learner}/credentials": {"get": _operation(
            "getLearnerCredentials", "A learner's credentials visible to you.",
            _responses({200: ("The credentials.", _ref("LearnerCredentials"))}, [401, 404]),
            parameters=path_param("learner", "Email address or DID."))},
        "/credentials/{id}/offer": {"post": _operation(
            "postCredentialOffer", "A single-use wallet offer for the credential (expires in 10 minutes).",
            _responses({201: ("The offer's links.", _WALLET_OFFER)}, [401, 404, 409]),
            description=("OID4VCI 1.0 pre-authorized code offer (`credential_offer_uri`, the "
                         "`openid-credential-offer://` link) and the VC API exchange of the Learner Credential "
                         "Wallet (`lcw_link`); `offer_page` shows both as QR codes. Whichever a wallet redeems "
                         "first uses the offer. 409 `credential_revoked`."),
            parameters=path_param("id", "The UUID of the credential's urn:uuid id."))},
        OPENAPI_PATH: {"get": _operation(
            "getOpenApi", "This document.", _responses({200: ("OpenAPI 3.1.", {"type": "object"})}, []), **public)},
        SCHEMA_PATH: {"get": {**_operation(
            "getEventSchema", "The native event's JSON Schema (2020-12).", {"200": {
                "description": "JSON Schema.", "content": _content({"type": "object"}, "application/schema+json")}}),
            **public}},
    }


def openapi_document(settings: Settings) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the provider API served under `{public_url}/api/v1`."""
    from .lifecycle_doc import lifecycle_paths, lifecycle_schemas  # it builds on this module's helpers

    return {
        "openapi": "3.1.0",
        "info": {"title": "badgeline provider API", "version": "1.0.0", "description": (
            "Training providers post completed assessments; workers issue Open Badges 3.0 credentials. "
            "Errors are application/problem+json (`urn:badgeline:problem:{code}`); unknown routes answer 404 "
            "and known routes with another method 405, as problems too. A refused event (400, 403, 409, 413, "
            "415, 422) is not stored at all; only accepted events get a row and a URL.")},
        "servers": [{"url": f"{settings.public_url}/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": {**_paths(settings), **lifecycle_paths(), **_holder_paths()},
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "description": "Provider API key."}},
            "schemas": {**_event_schemas(), **_shared_schemas(settings.max_batch_events), **lifecycle_schemas()},
            "responses": {name: _problem_response(status) for status, (name, _) in PROBLEM_STATUSES.items()},
        },
    }


def register_document_routes(bp: Blueprint, services: Services) -> None:
    """Add the public `/openapi.json` and `/schema/event.json` routes to `bp`."""
    document = openapi_document(services.settings)
    schema = event_schema_document(services.settings)

    @bp.get(OPENAPI_PATH)
    def get_openapi() -> Response:
        return json_response(document)

    @bp.get(SCHEMA_PATH)
    def get_event_schema() -> Response:
        response = json_response(schema)
        response.mimetype = "application/schema+json"
        return response
