"""HTTP plumbing shared by the verifier's views: bounded JSON bodies and problem responses.

Errors are `application/problem+json` (RFC 9457) carrying, for VC API clients, the same
`verified: false` and `problemDetails` members a verification response has.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request

from issuer import problems as P
from verifier.errors import RequestError

ABOUT_BLANK = "about:blank"


def problem_response(status: int, title: str, detail: str, *, type_: str = ABOUT_BLANK,
                     code: str | None = None) -> Response:
    """An RFC 9457 problem document, with `verified: false` for VC API clients."""
    problem: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail}
    if code:
        problem["code"] = code
    body = {**problem, "verified": False,
            "problemDetails": [{k: v for k, v in problem.items() if k in ("type", "code", "title", "detail")}]}
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")


def request_error_response(exc: RequestError, type_: str = P.PARSING_ERROR) -> Response:
    return problem_response(400, "Invalid request", exc.message, type_=type_, code=exc.code)


def json_body(limit: int) -> Any:
    """The request body as JSON, at most `limit` bytes; RequestError (400) or 413 otherwise."""
    request.max_content_length = limit
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise RequestError("the request body is empty; send a JSON object", code="body_empty")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RequestError(f"the request body is not JSON: {exc}", code="malformed_json") from exc


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")
