"""The machine endpoints: VC API verify (credentials, presentations), batch, OpenAPI, health.

Status codes follow what the W3C VC test suites require: `200` only when verified; `400`
with the same body when a check fails or the input is malformed (no
`verifiableCredential`, a non-JWT string, `proof: null`, an unknown option). Bad input
never yields a `5xx`.

The three POST endpoints are plain WSGI (`MachineAPI`, in front of the Flask app that serves
the pages, OpenAPI and health). A verification is bytes in, JSON out, and Flask's
per-request machinery (contexts, routing, hooks, response objects) cost 0.15-0.25 ms of
server CPU per request, 15-20% of a whole verification (`python -m bench.verify_bench`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from http import HTTPStatus
from importlib import resources
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

from issuer.json_limits import JsonLimitError
from verifier.engine import UNKNOWN_OPTION, VerifierEngine, VerifyOptions, parse_failure
from verifier.errors import RequestError
from verifier.http import SECURITY_HEADERS, dumps, json_response, loads, problem_body, request_error_body
from verifier.presentations import verify_presentation
from verifier.resolvers import fetch_budget

if TYPE_CHECKING:
    from verifier.app import VerifierSettings

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.0 description of this service (verifier/openapi.json)."""
    return json.loads(resources.files("verifier").joinpath("openapi.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Reply:
    """One machine endpoint's answer, before serialization."""

    status: int
    body: dict[str, Any]
    mimetype: str = "application/json"
    headers: tuple[tuple[str, str], ...] = field(default=())


def _read_request(body: Any, member: str) -> tuple[Any, VerifyOptions]:
    if not isinstance(body, dict):
        raise RequestError("the request body must be a JSON object", code="body_not_object")
    if member not in body:
        raise RequestError(f"the request has no {member}", code=f"{member}_missing")
    return body[member], VerifyOptions.parse(body.get("options"))


def verify_credential(engine: VerifierEngine, settings: VerifierSettings, body: Any) -> Reply:
    value, options = _read_request(body, "verifiableCredential")
    verification = engine.verify_value(value)
    return Reply(200 if verification.verified else 400, verification.body(include_credential=options.return_credential))


def verify_batch(engine: VerifierEngine, settings: VerifierSettings, body: Any) -> Reply:
    values, options = _read_request(body, "verifiableCredentials")
    if not isinstance(values, list) or not values:
        raise RequestError("verifiableCredentials must be a non-empty array", code="batch_invalid")
    if len(values) > settings.batch_limit:
        raise RequestError(f"at most {settings.batch_limit} credentials per batch", code="batch_too_large")
    now = engine.clock()
    results = [engine.verify_value(value, now=now) for value in values]
    summary = {"count": len(results), "verified": sum(r.verified for r in results)}
    return Reply(200, {"verified": all(r.verified for r in results), "summary": summary,
                       "results": [r.body(include_credential=options.return_credential) for r in results]})


def verify_presentation_request(engine: VerifierEngine, settings: VerifierSettings, body: Any) -> Reply:
    value, options = _read_request(body, "verifiablePresentation")
    result = verify_presentation(value, engine, options)
    return Reply(200 if result.verified else 400, result.body())


Handler = Callable[[VerifierEngine, "VerifierSettings", Any], Reply]

#: path -> (the body limit for it, the handler)
POST_ROUTES: dict[str, tuple[Callable[[VerifierSettings], int], Handler]] = {
    "/credentials/verify": (lambda s: s.max_body_bytes, verify_credential),
    "/credentials/verify:batch": (lambda s: s.batch_max_bytes, verify_batch),
    "/presentations/verify": (lambda s: s.max_body_bytes, verify_presentation_request),
}


def invalid_input(exc: RequestError) -> Reply:
    """400 for malformed input: a problem document that also reads as a failed verification."""
    if exc.code == "unknown_option":
        return Reply(400, request_error_body(exc, UNKNOWN_OPTION), "application/problem+json")
    body = request_error_body(exc)
    body["checks"] = [c.as_dict() for c in parse_failure(exc.code, exc.message).checks]
    return Reply(400, body, "application/problem+json")


def _problem(status: int, detail: str, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
    return Reply(status, problem_body(status, HTTPStatus(status).phrase, detail), "application/problem+json", headers)


def read_body(environ: dict[str, Any], limit: int) -> bytes:
    """The request body, at most `limit` bytes (RequestEntityTooLarge beyond it, declared or streamed).

    A declared Content-Length is read exactly; a body without one is read only when the server
    ends the stream itself (`wsgi.input_terminated`, e.g. a de-chunked upload), as werkzeug does.
    """
    stream, declared = environ["wsgi.input"], environ.get("CONTENT_LENGTH")
    if declared:
        try:
            length = int(declared)
        except ValueError:
            length = -1
        if length < 0:
            raise RequestError("the Content-Length header is not a byte count", code="content_length_invalid")
        if length > limit:
            raise RequestEntityTooLarge()
        data = stream.read(length) if length else b""
        if len(data) < length:
            raise ClientDisconnected()
        return data
    if environ.get("wsgi.input_terminated"):
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise RequestEntityTooLarge()
        return data
    return b""


def read_json(environ: dict[str, Any], limit: int, max_items: int | None = None) -> Any:
    """The request body as JSON, at most `limit` bytes, `MAX_JSON_DEPTH` levels and (for a
    batch, counted before anything is built) `max_items` credentials."""
    raw = read_body(environ, limit)
    if not raw.strip():
        raise RequestError("the request body is empty; send a JSON object", code="body_empty")
    try:
        return loads(raw, max_outer_items=max_items)
    except JsonLimitError as exc:
        if exc.code == "json_array_too_long":
            raise RequestError(f"at most {max_items} credentials per batch", code="batch_too_large") from exc
        raise RequestError(exc.message, code=exc.code) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise RequestError(f"the request body is not JSON: {exc}", code=getattr(exc, "code", "malformed_json")) from exc


class MachineAPI:
    """WSGI middleware answering `POST_ROUTES` itself and passing every other request to `app`.
    Every request through it shares one fetch budget (`request_fetch_budget_s`), the pages' too."""

    def __init__(self, app: Callable[..., Iterable[bytes]], engine: VerifierEngine, settings: VerifierSettings) -> None:
        self.app, self.engine, self.settings = app, engine, settings

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        route = POST_ROUTES.get(environ.get("PATH_INFO", ""))
        with fetch_budget(self.settings.request_fetch_budget_s):
            if route is None:
                return self.app(environ, start_response)
            reply = self.answer(environ, *route)
        payload = b"" if environ.get("REQUEST_METHOD") == "OPTIONS" else dumps(reply.body)
        start_response(f"{reply.status} {HTTPStatus(reply.status).phrase}",
                       [("Content-Type", reply.mimetype), ("Content-Length", str(len(payload))),
                        *SECURITY_HEADERS, *reply.headers])
        return [payload]

    def answer(self, environ: dict[str, Any], limit: Callable[[VerifierSettings], int], handler: Handler) -> Reply:
        method = environ.get("REQUEST_METHOD")
        if method == "OPTIONS":
            return Reply(200, {}, headers=(("Allow", "OPTIONS, POST"),))
        if method != "POST":
            return _problem(405, f"use POST for {environ.get('PATH_INFO')}", (("Allow", "OPTIONS, POST"),))
        try:
            max_items = self.settings.batch_limit if handler is verify_batch else None
            return handler(self.engine, self.settings, read_json(environ, limit(self.settings), max_items))
        except RequestError as exc:
            return invalid_input(exc)
        except RequestEntityTooLarge:
            return _problem(413, f"the request body is larger than {limit(self.settings)} bytes")
        except ClientDisconnected:
            return _problem(400, "the client sent less than its Content-Length")
        except Exception:  # noqa: BLE001 - a bug must still answer in the API's own format
            log.exception("verifier endpoint %s failed", environ.get("PATH_INFO"))
            return _problem(500, "the verifier failed on this request; it has been logged")


def register(bp: Blueprint, *, health: bool = True) -> None:
    """Add the GET routes to `bp`: OpenAPI, and `/healthz` unless the host app has its own."""

    @bp.get("/openapi.json")
    def openapi() -> Response:
        return json_response(openapi_document())

    if health:
        @bp.get("/healthz")
        def healthz() -> Response:
            return json_response({"status": "ok"})
