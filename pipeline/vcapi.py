"""VC API issuing in the pipeline's web app: `POST /credentials/issue` (VCALM "Issue Credential").

    app.register_blueprint(make_vcapi_blueprint(settings, issuer))

- Feature switch: with no `BADGELINE_ADMIN_KEY_HASH` the route answers `404` (problem+json),
  as if it did not exist; nothing about the issuer is revealed.
- Auth: `Authorization: Bearer <admin key>`; SHA-256 of the key compared in constant time
  with the configured `sha256$<hex>`. Missing or wrong: `401` with `WWW-Authenticate`.
- The key stays in the worker: the request is checked for shape here (body, options) and
  handed to a `CredentialIssuer` (Celery: `badgeline.issue_credential`), which re-checks the
  credential and signs it. `201 {"verifiableCredential": ...}`; a malformed request `400`; a
  credential breaking VCDM 2.0 / OB 3.0 rules `422` with every problem in `errors`;
  no worker within the timeout or the broker down `503` with `Retry-After`.
- Every error is `application/problem+json`: VC ProblemDetails `type` URIs (VCDM 2.0 §7.1,
  VCALM `UNKNOWN_OPTION_PROVIDED`) for refusals, `urn:badgeline:problem:<code>` otherwise,
  always with a stable `code`. Malformed input never yields a `5xx`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from typing import Any

from flask import Blueprint, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from issuer import problems as P
from issuer.json_limits import JsonLimitError, bounded_loads
from issuer.jsondoc import JsonDocumentError, parse_json
from pipeline.api.auth import REALM, bearer_token
from pipeline.api.problems import PROBLEM_JSON, PROBLEM_TYPE_PREFIX
from pipeline.errors import SettingsError
from pipeline.issue_service import CredentialIssuer, IssueRefused, IssuerUnavailable, read_issue_request
from pipeline.settings import Settings

log = logging.getLogger(__name__)

MAX_ISSUE_BODY_BYTES = 2 * 1024 * 1024
RETRY_AFTER_S = "5"
_HASH = re.compile(r"^sha256\$([0-9a-fA-F]{64})$")


def admin_key_digest(configured: str) -> bytes:
    """The SHA-256 digest in `sha256$<hex>`; SettingsError when the setting is malformed."""
    match = _HASH.fullmatch(configured.strip())
    if match is None:
        raise SettingsError("BADGELINE_ADMIN_KEY_HASH must be sha256$ followed by 64 hex digits",
                            code="admin_key_hash_invalid")
    return bytes.fromhex(match[1])


def admin_key_hash(key: str) -> str:
    """The `BADGELINE_ADMIN_KEY_HASH` value for `key`."""
    return "sha256$" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def is_admin_key(token: str | None, digest: bytes) -> bool:
    """Whether `token` hashes to `digest`, compared in constant time."""
    presented = hashlib.sha256((token or "").encode("utf-8")).digest()
    return hmac.compare_digest(presented, digest) and token is not None


def _problem(status: int, code: str, title: str, detail: str, *, type_: str | None = None,
             path: str = "", headers: dict[str, str] | None = None,
             errors: list[dict[str, str]] | None = None) -> Response:
    body: dict[str, Any] = {"type": type_ or PROBLEM_TYPE_PREFIX + code, "title": title, "status": status,
                            "code": code, "detail": detail}
    if path:
        body["path"] = path
    if errors:
        body["errors"] = errors
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_JSON,
                    headers=headers or {})


def _refused(problem: dict[str, Any]) -> Response:
    """400 for a malformed request; 422 (with every problem under `errors`) for a data model breach."""
    return _problem(problem.get("status", 400), problem["code"], problem["title"], problem["detail"],
                    type_=problem["type"], path=problem.get("path", ""), errors=problem.get("errors"))


def _read_json() -> Any:
    request.max_content_length = MAX_ISSUE_BODY_BYTES
    raw = request.get_data(cache=False)
    try:
        return bounded_loads(raw, parse_json)
    except (JsonDocumentError, JsonLimitError) as exc:
        raise IssueRefused(f"the request body is not JSON: {exc.message}", code=exc.code,
                           type_=P.PARSING_ERROR) from exc


def make_vcapi_blueprint(settings: Settings, issuer: CredentialIssuer | None) -> Blueprint:
    """The issuing route; `issuer` may be None only when no admin key is configured."""
    bp = Blueprint("vcapi", __name__)
    digest = admin_key_digest(settings.admin_key_hash) if settings.admin_key_hash else None
    if digest is not None and issuer is None:
        raise SettingsError("the VC API issuer needs a CredentialIssuer", code="issuer_missing")

    @bp.post("/credentials/issue")
    def issue_credential() -> Response:
        if digest is None:
            return _problem(404, "not_found", "Not found", "There is nothing at this address.")
        authorization = request.headers.get("Authorization")
        if not is_admin_key(bearer_token(authorization), digest):
            challenge = f'Bearer realm="{REALM}"' + (', error="invalid_token"' if authorization else "")
            return _problem(401, "unauthenticated", "Admin key required",
                            "send the admin key as `Authorization: Bearer <key>`",
                            headers={"WWW-Authenticate": challenge})
        try:
            credential, options = read_issue_request(_read_json())
            result = issuer.issue(credential, options)
        except RequestEntityTooLarge:
            return _problem(413, "payload_too_large", "Request too large",
                            f"the request body is larger than {MAX_ISSUE_BODY_BYTES} bytes")
        except IssueRefused as refused:
            return _refused(refused.problem())
        except IssuerUnavailable as error:
            return _problem(503, error.code, "Issuer unavailable", error.message,
                            headers={"Retry-After": RETRY_AFTER_S})
        except Exception:  # noqa: BLE001 - the worker failed unexpectedly; logged, never shown
            log.exception("POST /credentials/issue: the issuing task failed")
            return _problem(500, "internal_error", "Internal error", "the credential could not be signed")
        if "problem" in result:
            return _refused(result["problem"])
        return Response(json.dumps({"verifiableCredential": result["verifiableCredential"]}, ensure_ascii=False),
                        status=201, mimetype="application/json")

    return bp


__all__ = ["MAX_ISSUE_BODY_BYTES", "admin_key_digest", "admin_key_hash", "is_admin_key", "make_vcapi_blueprint"]
