"""The provider API (issue 3, "Provider API") as one Flask blueprint, mounted at `/api/v1`:

    app.register_blueprint(make_api_blueprint(services), url_prefix="/api/v1")

Routes: `events` (POST /events, /events:batch, /events:csv; GET /events/<id>), `reads`
(GET /credentials/<uuid>, /learners/<email or DID>/credentials), `lifecycle` (POST
/credentials/<uuid>/revoke, GET /credentials/<uuid>/resource, GET /credentials?expiring_within=;
the admin key is accepted there too), `collections` (POST /learners/<id>/collection:rotate),
`webhooks` (POST/GET /webhooks, DELETE /webhooks/<id>), `offers` (POST /credentials/<uuid>/offer:
a wallet offer), `openapi` (public GET
/openapi.json, /schema/event.json). Every other route requires `Authorization: Bearer <key>`.
Every error, including unknown routes (404) and methods (405) under the prefix, is
`application/problem+json` (`problems`).
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map, Rule

from pipeline.errors import PipelineError
from pipeline.services import Services
from pipeline.store import is_transient

from . import problems as p
from .auth import Unauthenticated, authenticate_caller, remember_caller
from .collections import register_collection_routes
from .events import register_event_routes
from .lifecycle import ADMIN_ENDPOINTS, admin_request, register_lifecycle_routes
from .openapi import register_document_routes
from .offers import register_offer_routes
from .reads import register_read_routes
from .webhooks import register_webhook_routes

__all__ = ["BLUEPRINT_NAME", "make_api_blueprint"]

BLUEPRINT_NAME = "provider_api"
PUBLIC_ENDPOINTS = frozenset({"get_openapi", "get_event_schema", "unknown_route"})
HTTP_CODES = {400: p.BAD_REQUEST, 404: p.NOT_FOUND, 405: p.METHOD_NOT_ALLOWED, 413: p.PAYLOAD_TOO_LARGE,
              415: p.UNSUPPORTED_MEDIA_TYPE}
RETRY_AFTER_S = "5"

logger = logging.getLogger(__name__)


def _endpoint_name() -> str:
    return (request.endpoint or "").rpartition(".")[2]


def _own_routes() -> Map:
    prefix = f"{BLUEPRINT_NAME}."
    rules = [Rule(r.rule, endpoint=r.endpoint, methods=r.methods) for r in current_app.url_map.iter_rules()
             if r.endpoint.startswith(prefix) and r.endpoint != prefix + "unknown_route"]
    return Map(rules, strict_slashes=False)


def _unknown_route(rest: str = "") -> Response:
    """404 for paths no route has; 405 (with `Allow`) for a known path and another method."""
    try:
        _own_routes().bind("api").match(request.path, method=request.method)
    except MethodNotAllowed as error:
        allowed = ", ".join(sorted(error.valid_methods or []))
        body = p.problem_body(405, p.METHOD_NOT_ALLOWED, f"{request.method} is not allowed here; use {allowed}")
        return p.problem_response(body, {"Allow": allowed})
    except HTTPException:
        pass
    return p.problem_response(p.problem_body(404, p.NOT_FOUND, f"no API route {request.path}"))


def _options_answer() -> Response:
    allowed = _own_routes().bind("api").allowed_methods(request.path)
    if not allowed:
        return p.problem_response(p.problem_body(404, p.NOT_FOUND, f"no API route {request.path}"))
    return Response(status=204, headers={"Allow": ", ".join(sorted({*allowed, "OPTIONS"}))})


def _handle_pipeline_error(error: PipelineError) -> Response:
    headers = {"WWW-Authenticate": error.challenge()} if isinstance(error, Unauthenticated) else None
    return p.error_response(error, headers)


def _handle_http_error(error: HTTPException) -> Response:
    status = error.code or 500
    code = HTTP_CODES.get(status, p.BAD_REQUEST if status < 500 else p.INTERNAL_ERROR)
    return p.problem_response(p.problem_body(status, code, error.description))


def _handle_unexpected(error: Exception) -> Response:
    if is_transient(error):
        logger.warning("store unavailable: %s", error)
        body = p.problem_body(503, p.STORE_UNAVAILABLE)
        return p.problem_response(body, {"Retry-After": RETRY_AFTER_S})
    logger.exception("unexpected error in the provider API")
    return p.problem_response(p.problem_body(500, p.INTERNAL_ERROR))


def make_api_blueprint(services: Services) -> Blueprint:
    """The provider API blueprint, bound to `services` (store, registry, clock, dispatcher)."""
    bp = Blueprint(BLUEPRINT_NAME, __name__)

    @bp.before_request
    def _options() -> Response | None:
        """OPTIONS names only the methods the path has (the catch-all's are not advertised)."""
        return _options_answer() if request.method == "OPTIONS" else None

    @bp.before_request
    def _authenticate() -> None:
        if "\x00" in request.path:  # `%00`: no store can hold it, so nothing is there (issue 10, finding 7)
            raise p.NotFound("no resource has a NUL character (U+0000) in its address")
        if _endpoint_name() in ADMIN_ENDPOINTS and admin_request(services, request.headers.get("Authorization")):
            return
        if _endpoint_name() not in PUBLIC_ENDPOINTS:
            remember_caller(authenticate_caller(services, request.headers.get("Authorization")))

    @bp.after_request
    def _no_store(response: Response) -> Response:
        if _endpoint_name() not in PUBLIC_ENDPOINTS:
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    register_event_routes(bp, services)
    register_read_routes(bp, services)
    register_lifecycle_routes(bp, services)
    register_collection_routes(bp, services)
    register_webhook_routes(bp, services)
    register_offer_routes(bp, services)
    register_document_routes(bp, services)
    every_method = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    bp.add_url_rule("/", "unknown_route", _unknown_route, methods=every_method, provide_automatic_options=False)
    bp.add_url_rule("/<path:rest>", "unknown_route", _unknown_route, methods=every_method,
                    provide_automatic_options=False)
    bp.register_error_handler(PipelineError, _handle_pipeline_error)
    bp.register_error_handler(HTTPException, _handle_http_error)
    bp.register_error_handler(Exception, _handle_unexpected)
    return bp
