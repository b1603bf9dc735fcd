"""The one JSON reader of every entry point (VC API, CLI, web page, fetched documents).

Use case: the same bytes get the same verdict wherever they arrive. Steps:
1. `parse_json(data)`: UTF-8 (a BOM is tolerated) JSON text, read by the standard library
   with one number model: integers exact (Python `int`), other numbers IEEE doubles;
   `NaN`/`Infinity` are not JSON and a number beyond a double's range is refused (RFC 8259 §6);
2. the nesting limit: containers nested deeper than `MAX_DEPTH` are refused with
   `json_too_deep`, never left to Python's recursion limit (which depends on the caller's
   stack); `check_depth(value)` applies the same limit to a value built in memory.

Numbers keep their exact value here; where a specification reads a JSON number as a
double (JSON-LD 1.1 §8.6, RFC 8785), the canonicalizers convert (`issuer.jsonld.literals`,
`issuer.canonical.jcs`).
"""

from __future__ import annotations

import json
import math
from typing import Any

from issuer.errors import IssuerError

MAX_DEPTH = 64
"""Deepest nesting of JSON objects/arrays accepted anywhere (an OB credential with endorsements
nests about 12 levels)."""


class JsonDocumentError(IssuerError, ValueError):
    """The input is not JSON (`malformed_json`) or nests deeper than MAX_DEPTH (`json_too_deep`).
    A ValueError too, so callers that refuse unparsable JSON refuse it unchanged."""

    code = "malformed_json"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"{text} is beyond the range of a double")
    return value


def json_depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """Nesting depth of objects/arrays (a scalar is 0, `[]` is 1); stops counting past `limit`."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth)
            if depth > limit:
                return deepest
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def check_depth(value: Any) -> None:
    """Raise `json_too_deep` when `value` nests deeper than MAX_DEPTH."""
    if json_depth(value) > MAX_DEPTH:
        raise JsonDocumentError(f"the JSON nests deeper than {MAX_DEPTH} levels", code="json_too_deep")


def parse_json(data: bytes | str) -> Any:
    """Parse JSON text with the one number model and the explicit nesting limit."""
    try:
        text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data
        value = json.loads(text.lstrip("\ufeff"), parse_constant=_no_constant, parse_float=_finite)
    except RecursionError as exc:
        raise JsonDocumentError(f"the JSON nests deeper than {MAX_DEPTH} levels", code="json_too_deep") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise JsonDocumentError(f"not valid JSON: {exc}") from exc
    check_depth(value)
    return value


__all__ = ["MAX_DEPTH", "JsonDocumentError", "check_depth", "json_depth", "parse_json"]
