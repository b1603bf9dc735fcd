"""What the wallet routes share: `no-store` JSON answers, the error handler, the request body.

Every wallet answer carries `Cache-Control: no-store` (RFC 6749 §5.1: tokens, codes and
nonces must not be cached). A `WalletError` becomes `{"error", "error_description"}` with its
status; `invalid_token` adds `WWW-Authenticate: Bearer` (RFC 6750 §3). A store that is down
answers 503 `temporarily_unavailable`; an unexpected failure is logged and answered 500
`server_error` without details.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Blueprint, Response, request
from werkzeug.exceptions import HTTPException

from pipeline.store import is_transient

from .errors import WalletError

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 256 * 1024


def no_store_json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json",
                    headers={"Cache-Control": "no-store", **(headers or {})})


def error_response(error: WalletError) -> Response:
    headers = {}
    if error.code == "invalid_token":
        headers["WWW-Authenticate"] = f'Bearer error="invalid_token", error_description="{error.message}"'
    if error.code == "temporarily_unavailable":
        headers["Retry-After"] = "5"
    return no_store_json(error.body(), error.status, headers)


def json_body() -> dict[str, Any]:
    """The request's JSON object (an empty body is `{}`); `invalid_request` otherwise."""
    request.max_content_length = MAX_BODY_BYTES
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise WalletError("the request body is not JSON", code="invalid_request") from error
    if not isinstance(body, dict):
        raise WalletError("the request body must be a JSON object", code="invalid_request")
    return body


def install_error_handlers(bp: Blueprint) -> None:
    @bp.errorhandler(WalletError)
    def _wallet_error(error: WalletError) -> Response:
        return error_response(error)

    @bp.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        status = error.code or 400
        code = "not_found" if status == 404 else "invalid_request"
        return no_store_json({"error": code, "error_description": error.description}, status)

    @bp.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        if is_transient(error):
            return error_response(WalletError("the store is unavailable", code="temporarily_unavailable"))
        log.exception("wallet route %s failed", request.path)
        return no_store_json({"error": "server_error", "error_description": "internal error"}, 500)


__all__ = ["error_response", "install_error_handlers", "json_body", "no_store_json"]
