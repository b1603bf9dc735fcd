"""Admin routes for framework versions (issue 14): what `badgeline frameworks add|retire` do, over HTTP.

Mounted only when `BADGELINE_ADMIN_KEY_HASH` is set; every route needs
`Authorization: Bearer <admin key>` (the key `POST /credentials/issue` takes).

    POST /admin/frameworks                           add a version (and/or crosswalks)
         {"document": "<exact JSON text>", "policy": "<JSON text>", "crosswalks": ["<JSON text>"],
          "sha256": "<hex, optional: the digest the document must have>"}
         201 added | 200 nothing changed (same bytes) | 409 framework_conflict | 422 with `errors`
    POST /admin/frameworks/<code>/<version>/retire   200 (again: 200, unchanged) | 404
    GET  /admin/frameworks                           every stored version, current and retired

Documents travel as JSON strings so their exact bytes (UTF-8) are what is stored and
digested; a document sent as a JSON object is refused (its bytes would not be the
publisher's).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, request

from pipeline.api.auth import bearer_token
from pipeline.api.problems import PROBLEM_JSON, error_response, problem_body, problem_response
from pipeline.errors import PipelineError
from pipeline.framework_catalog import (
    FrameworkRefused,
    add_framework_version,
    refresh_registry,
    retire_framework_version,
)
from pipeline.services import Services
from pipeline.vcapi import admin_key_digest, is_admin_key

MAX_BODY_BYTES = 4 * 1024 * 1024


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json",
                    headers={"Cache-Control": "no-store"})


def _refused(error: FrameworkRefused) -> Response:
    body = problem_body(422, error.code, error.message)
    body["errors"] = [{"code": error.code, **e} for e in error.errors]
    return problem_response(body)


def _text(body: dict[str, Any], name: str, *, required: bool = False) -> bytes | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise FrameworkRefused(f"`{name}` must be the file's JSON text as a string", code="bad_request",
                               errors=[{"path": f"/{name}", "message": "expected a string"}])
    return value.encode("utf-8")


def _read_body() -> dict[str, Any]:
    raw = request.get_data(cache=False)
    if len(raw) > MAX_BODY_BYTES:
        raise FrameworkRefused("request too large", code="payload_too_large", errors=[])
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FrameworkRefused(f"the request body is not JSON: {exc}", code="malformed_json",
                               errors=[{"path": "", "message": str(exc)}]) from exc
    if not isinstance(body, dict):
        raise FrameworkRefused("the request body must be a JSON object", code="bad_request",
                               errors=[{"path": "", "message": "expected an object"}])
    return body


def version_view(services: Services, code: str, version: str) -> dict[str, Any]:
    """One stored version as the admin API shows it."""
    registry, urls = services.registry, services.urls
    fw = registry.get(code, version)
    return {"code": fw.code, "version": fw.version, "title": fw.title, "sha256": fw.sha256_hex,
            "url": urls.framework(fw), "document": urls.document(fw), "retired": registry.is_retired(code, version),
            "current": registry.latest(code).version == version,
            "crosswalks_into": [f"{c.from_key[0]}@{c.from_key[1]}" for c in registry.crosswalks_into(fw)]}


def make_framework_admin_blueprint(services: Services) -> Blueprint:
    bp = Blueprint("framework_admin", __name__)
    digest = admin_key_digest(services.settings.admin_key_hash or "")

    @bp.before_request
    def _admin_only() -> Response | None:
        if not is_admin_key(bearer_token(request.headers.get("Authorization")), digest):
            body = problem_body(401, "unauthenticated", "send the admin key as `Authorization: Bearer <key>`")
            return Response(json.dumps(body), status=401, mimetype=PROBLEM_JSON,
                            headers={"WWW-Authenticate": 'Bearer realm="badgeline"'})
        return None

    @bp.post("/admin/frameworks")
    def add() -> Response:
        try:
            body = _read_body()
            crosswalks = body.get("crosswalks") or []
            if not isinstance(crosswalks, list):
                raise FrameworkRefused("`crosswalks` must be a list of JSON texts", code="bad_request",
                                       errors=[{"path": "/crosswalks", "message": "expected an array"}])
            texts = [_text({"crosswalk": c}, "crosswalk", required=True) or b"" for c in crosswalks]
            sha = body.get("sha256") if isinstance(body.get("sha256"), str) else None
            added = add_framework_version(services.sessions, document=_text(body, "document"),
                                          policy=_text(body, "policy"), crosswalks=texts, expected_sha256=sha,
                                          now=services.clock(), source="document")
        except FrameworkRefused as error:
            return _refused(error)
        except PipelineError as error:
            return error_response(error)
        refresh_registry(services.registry, force=True)
        view = version_view(services, added.framework.code, added.framework.version)
        view.update(changed=added.changed, document_state=added.document,
                    crosswalks_added=[{"from": f"{c.from_key[0]}@{c.from_key[1]}", "to": f"{c.to_key[0]}@{c.to_key[1]}",
                                       "state": state} for c, state in added.crosswalks])
        return _json(view, 201 if added.changed else 200)

    @bp.post("/admin/frameworks/<code>/<version>/retire")
    def retire(code: str, version: str) -> Response:
        try:
            retired_at = retire_framework_version(services.sessions, code, version, services.clock())
        except PipelineError as error:
            return error_response(error)
        refresh_registry(services.registry, force=True)
        view = version_view(services, code, version)
        view["retired_at"] = retired_at.isoformat()
        return _json(view)

    @bp.get("/admin/frameworks")
    def listing() -> Response:
        return _json([version_view(services, fw.code, fw.version) for fw in services.registry.all()])

    return bp


__all__ = ["make_framework_admin_blueprint", "version_view"]
