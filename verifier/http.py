"""HTTP plumbing shared by the verifier's endpoints: JSON, problem documents, response headers.

Errors are `application/problem+json` (RFC 9457) carrying, for VC API clients, the same
`verified: false` and `problemDetails` members a verification response has.

JSON is read by `issuer.jsondoc.parse_json`, the one reader of every entry point (the same
number model and nesting limit as the CLI and the page), and written with orjson (about 10x
faster to serialize than the standard library; what orjson refuses falls back to it).
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from flask import Response

from issuer import problems as P
from issuer.json_limits import bounded_loads
from issuer.jsondoc import parse_json
from verifier.errors import RequestError

ABOUT_BLANK = "about:blank"
#: sent with every verifier response (the standalone app adds them to its Flask responses too)
SECURITY_HEADERS = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"))


def problem_body(status: int, title: str, detail: str, *, type_: str = ABOUT_BLANK,
                 code: str | None = None) -> dict[str, Any]:
    """An RFC 9457 problem document, with `verified: false` for VC API clients."""
    problem: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail}
    if code:
        problem["code"] = code
    return {**problem, "verified": False,
            "problemDetails": [{k: v for k, v in problem.items() if k in ("type", "code", "title", "detail")}]}


def problem_response(status: int, title: str, detail: str, *, type_: str = ABOUT_BLANK,
                     code: str | None = None) -> Response:
    return json_response(problem_body(status, title, detail, type_=type_, code=code), status,
                         mimetype="application/problem+json")


def explicitly_accepts_html(accept: Any) -> bool:
    """True when an Accept header (werkzeug `MIMEAccept`) names `text/html` itself, as browsers
    do; `*/*` alone (curl, API clients) is not a request for a page (issue 10, finding 10)."""
    return any(value == "text/html" and quality > 0 for value, quality in accept)


def http_problem(exc: Any) -> Response:
    """An HTTPException as problem+json, keeping its `Allow` header (405)."""
    response = problem_response(exc.code or 500, exc.name, exc.description or "")
    allowed = getattr(exc, "valid_methods", None)
    if allowed:
        response.headers["Allow"] = ", ".join(sorted(allowed))
    return response


def request_error_body(exc: RequestError, type_: str = P.PARSING_ERROR) -> dict[str, Any]:
    return problem_body(400, "Invalid request", exc.message, type_=type_, code=exc.code)




def loads(raw: bytes | str, *, max_outer_items: int | None = None) -> Any:
    """Parse JSON with the one reader of every entry point (`issuer.jsondoc.parse_json`: exact
    integers, depth limit), after `issuer.json_limits`' pre-scan of large bodies for their size
    and item count (both raise ValueErrors with a `code`)."""
    return bounded_loads(raw, parse_json, max_outer_items=max_outer_items)


def dumps(body: Any) -> bytes:
    """UTF-8 JSON of `body` (orjson, else the standard library for what orjson refuses)."""
    try:
        return orjson.dumps(body)
    except TypeError:
        return json.dumps(body, ensure_ascii=False).encode("utf-8")


def json_response(body: Any, status: int = 200, *, mimetype: str = "application/json") -> Response:
    return Response(dumps(body), status=status, mimetype=mimetype)
