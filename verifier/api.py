"""The machine endpoints: VC API verify (credentials, presentations), batch, OpenAPI, health.

Status codes follow what the W3C VC test suites require: `200` only when verified; `400`
with the same body when a check fails or the input is malformed (no
`verifiableCredential`, a non-JWT string, `proof: null`, an unknown option). Bad input
never yields a `5xx`.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response

from verifier.engine import UNKNOWN_OPTION, Verification, VerifierEngine, VerifyOptions, parse_failure
from verifier.errors import RequestError
from verifier.http import json_body, json_response, request_error_body, request_error_response
from verifier.presentations import verify_presentation

if TYPE_CHECKING:
    from verifier.app import VerifierSettings


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.0 description of this service (verifier/openapi.json)."""
    return json.loads(resources.files("verifier").joinpath("openapi.json").read_text(encoding="utf-8"))


def verification_response(verification: Verification, options: VerifyOptions) -> Response:
    body = verification.body(include_credential=options.return_credential)
    return json_response(body, 200 if verification.verified else 400)


def _read_request(body: Any, member: str) -> tuple[Any, VerifyOptions]:
    if not isinstance(body, dict):
        raise RequestError("the request body must be a JSON object", code="body_not_object")
    if member not in body:
        raise RequestError(f"the request has no {member}", code=f"{member}_missing")
    return body[member], VerifyOptions.parse(body.get("options"))


def register(bp: Blueprint, engine: VerifierEngine, settings: VerifierSettings, *, health: bool = True) -> None:
    """Add the API routes to `bp` (and `/healthz` unless the host app has its own)."""

    @bp.post("/credentials/verify")
    def verify_credential_endpoint() -> Response:
        try:
            value, options = _read_request(json_body(settings.max_body_bytes), "verifiableCredential")
        except RequestError as exc:
            return _invalid(exc)
        return verification_response(engine.verify_value(value), options)

    @bp.post("/credentials/verify:batch")
    def verify_batch_endpoint() -> Response:
        try:
            values, options = _read_request(json_body(settings.batch_max_bytes), "verifiableCredentials")
            if not isinstance(values, list) or not values:
                raise RequestError("verifiableCredentials must be a non-empty array", code="batch_invalid")
            if len(values) > settings.batch_limit:
                raise RequestError(f"at most {settings.batch_limit} credentials per batch", code="batch_too_large")
        except RequestError as exc:
            return _invalid(exc)
        now = engine.clock()
        results = [engine.verify_value(value, now=now) for value in values]
        bodies = [r.body(include_credential=options.return_credential) for r in results]
        summary = {"count": len(results), "verified": sum(r.verified for r in results)}
        return json_response({"verified": all(r.verified for r in results), "summary": summary, "results": bodies})

    @bp.post("/presentations/verify")
    def verify_presentation_endpoint() -> Response:
        try:
            value, options = _read_request(json_body(settings.max_body_bytes), "verifiablePresentation")
        except RequestError as exc:
            return _invalid(exc)
        result = verify_presentation(value, engine, options)
        return json_response(result.body(), 200 if result.verified else 400)

    @bp.get("/openapi.json")
    def openapi() -> Response:
        return json_response(openapi_document())

    if health:
        @bp.get("/healthz")
        def healthz() -> Response:
            return json_response({"status": "ok"})


def _invalid(exc: RequestError) -> Response:
    """400 for malformed input: a problem document that also reads as a failed verification."""
    if exc.code == "unknown_option":
        return request_error_response(exc, UNKNOWN_OPTION)
    body = request_error_body(exc)
    body["checks"] = [c.as_dict() for c in parse_failure(exc.code, exc.message).checks]
    return json_response(body, 400, mimetype="application/problem+json")
