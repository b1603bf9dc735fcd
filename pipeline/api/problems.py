"""Problem responses (RFC 9457 `application/problem+json`) for the provider API.

Every error body is `{"type", "title", "status", "code", "detail"}` and, for validation,
`"errors": [{"code", "message", "path"}]` (`path` a JSON pointer into what was sent; CSV
errors add `row` and `column`). `type` is `urn:badgeline:problem:{code}`: stable across
deployments, so clients may match on it or on `code`. HTTP status by code:

    400 malformed_json, json_too_deep, bad_request   401 unauthenticated
    403 not_accredited                         404 not_found
    405 method_not_allowed                     409 event_conflict
    422 reason_missing, reason_too_long (revocation)
    413 payload_too_large, too_many_events, json_too_large   415 unsupported_media_type
    422 every other event validation code      500 internal_error
    503 store_unavailable
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from flask import Response

from pipeline import errors as codes
from pipeline.errors import MESSAGES, EventRejected, FieldError, PipelineError

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:badgeline:problem:"

UNAUTHENTICATED = "unauthenticated"
NOT_FOUND = "not_found"
METHOD_NOT_ALLOWED = "method_not_allowed"
PAYLOAD_TOO_LARGE = "payload_too_large"
UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
BAD_REQUEST = "bad_request"
JSON_TOO_DEEP = "json_too_deep"  # issuer.json_limits: more than 64 levels
JSON_TOO_LARGE = "json_too_large"  # issuer.json_limits: more tokens than a request may carry
STORE_UNAVAILABLE = "store_unavailable"
INTERNAL_ERROR = "internal_error"

# Titles for the codes only the API uses (the lead may fold these into pipeline.errors.MESSAGES).
API_MESSAGES: dict[str, str] = {
    UNAUTHENTICATED: "A valid API key is required: send `Authorization: Bearer <key>`.",
    "not_accredited": "This API key is not accredited for that framework version or level.",
    NOT_FOUND: "There is nothing at this address for this API key.",
    METHOD_NOT_ALLOWED: "This address does not accept that HTTP method.",
    PAYLOAD_TOO_LARGE: "The request body is larger than this service accepts.",
    "too_many_events": "The request holds more events than one request may carry.",
    UNSUPPORTED_MEDIA_TYPE: "The request body is not in a media type this address accepts.",
    BAD_REQUEST: "The request could not be understood.",
    "credential_revoked": "The credential is revoked: it cannot be offered to a wallet.",
    JSON_TOO_DEEP: "The JSON is nested too deeply (at most 64 levels).",
    JSON_TOO_LARGE: "The JSON holds more values than one request may carry.",
    STORE_UNAVAILABLE: "The database is unavailable right now; try again shortly.",
    INTERNAL_ERROR: "Something went wrong on our side; the request was not completed.",
    "reason_missing": "Say why the credential is revoked: send {\"reason\": \"...\"}.",
    "reason_too_long": "The revocation reason is too long.",
    "framework_version_retired": "That framework version is retired: it takes no new assessments.",
    "framework_conflict": "That framework version is already published with different content.",
    "crosswalk_conflict": "A different crosswalk between those versions is already published.",
    "framework_invalid": "The framework document is not valid.",
    "policy_invalid": "The level policy is not valid for that framework document.",
    "crosswalk_invalid": "The crosswalk is not valid for those framework versions.",
    "framework_digest_mismatch": "The document's SHA-256 digest is not the one expected.",
    "framework_unknown": "No framework version of that code and version is published here.",
}

STATUS_BY_CODE: dict[str, int] = {
    codes.MALFORMED_JSON: 400,
    JSON_TOO_DEEP: 400,
    JSON_TOO_LARGE: 413,
    BAD_REQUEST: 400,
    UNAUTHENTICATED: 401,
    "not_accredited": 403,
    NOT_FOUND: 404,
    METHOD_NOT_ALLOWED: 405,
    "event_conflict": 409,
    "reason_missing": 422,
    "reason_too_long": 422,
    "framework_conflict": 409,
    "crosswalk_conflict": 409,
    "framework_unknown": 404,
    "framework_invalid": 422,
    "policy_invalid": 422,
    "crosswalk_invalid": 422,
    "framework_digest_mismatch": 422,
    "framework_ref_invalid": 422,
    "credential_revoked": 409,
    PAYLOAD_TOO_LARGE: 413,
    "too_many_events": 413,
    UNSUPPORTED_MEDIA_TYPE: 415,
    INTERNAL_ERROR: 500,
    STORE_UNAVAILABLE: 503,
}


class PayloadTooLarge(PipelineError):
    code = PAYLOAD_TOO_LARGE


class UnsupportedMediaType(PipelineError):
    code = UNSUPPORTED_MEDIA_TYPE


class NotFound(PipelineError):
    code = NOT_FOUND


def title_for(code: str) -> str:
    """The plain-language title of `code` (one table: pipeline MESSAGES, then the API's own)."""
    return MESSAGES.get(code) or API_MESSAGES.get(code) or MESSAGES["pipeline_error"]


def status_for(error: PipelineError) -> int:
    """HTTP status of a refused request: the table above; event validation codes are 422."""
    if error.code in STATUS_BY_CODE:
        return STATUS_BY_CODE[error.code]
    if error.code in codes.EVENT_CODES or isinstance(error, EventRejected):
        return 422
    return 500


def field_error_entry(error: FieldError) -> dict[str, Any]:
    """`{code, message, path}` (+ `row` and `column` for CSV, whose paths are `/rows/{row}/{column}`)."""
    entry = error.as_dict()
    if error.row is not None:
        parts = error.path.split("/")
        entry["column"] = parts[3] if len(parts) > 3 and parts[3] else None
    return entry


def problem_body(status: int, code: str, detail: str | None = None, *,
                 errors: Sequence[FieldError] = ()) -> dict[str, Any]:
    """The problem object (also used for per-item errors of batch and CSV responses)."""
    title = title_for(code)
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_PREFIX + code, "title": title, "status": status, "code": code, "detail": detail or title,
    }
    if errors:
        body["errors"] = [field_error_entry(e) for e in errors]
    return body


def error_body(error: PipelineError) -> dict[str, Any]:
    """The problem object of a pipeline error; validation errors list every problem found."""
    if isinstance(error, EventRejected):
        found: Sequence[FieldError] = error.errors
    elif error.path:
        found = [FieldError(error.code, error.message, error.path)]
    else:
        found = []
    return problem_body(status_for(error), error.code, error.message, errors=found)


def problem_response(body: Mapping[str, Any], headers: Mapping[str, str] | None = None) -> Response:
    """A `application/problem+json` response carrying `body` with its `status`."""
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(payload, status=int(body["status"]), mimetype=PROBLEM_JSON, headers=dict(headers or {}))


def error_response(error: PipelineError, headers: Mapping[str, str] | None = None) -> Response:
    return problem_response(error_body(error), headers)
