"""Bounded JSON parsing: the one helper every HTTP entry point parses untrusted JSON with
(issue 10, findings 5 and 6). Pure: bytes in, a value or a coded `JsonLimitError` out.

Two ways untrusted JSON hurts a Python service, and the step that stops each:

1. Nesting. 1,000 levels exceed the parsers' and every recursive walk's limits (a 500 and a
   traceback). `bounded_loads` refuses more than `MAX_JSON_DEPTH` levels (`json_too_deep`):
   a `RecursionError` or orjson's depth error while parsing, else a walk of the parsed value.
2. Memory. A parsed value costs 30-60 times its bytes (`[{},{},...]`: 32 MiB became 1 GB).
   Above `scan_above` bytes, `scan_json` first counts the tokens (strings, brackets, commas:
   one regular-expression pass, no values built), the nesting and the items of the outer
   arrays (the top-level array, or an array member of the top-level object), and stops at
   the first limit passed: `json_too_large` past `max_tokens`, `json_array_too_long` past
   `max_outer_items`. Only then is the body parsed, so memory per request is bounded by
   `max_tokens`, whatever the body size limit.

The scan does not validate: a malformed body still fails in the parser afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from issuer.errors import IssuerError

MAX_JSON_DEPTH = 64
SCAN_ABOVE_BYTES = 256 * 1024
DEFAULT_MAX_TOKENS = 1_000_000

_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{},]')
_OPEN, _CLOSE_ARRAY, _CLOSE_OBJECT, _COMMA = b"[{", ord("]"), ord("}"), ord(",")


class JsonLimitError(IssuerError, ValueError):
    """The JSON is nested too deeply or holds too much; `code` says which. A ValueError too, so
    a caller that refuses malformed JSON refuses this as well."""

    code = "json_too_deep"


def _too_deep(max_depth: int) -> JsonLimitError:
    return JsonLimitError(f"the JSON is nested more than {max_depth} levels deep", code="json_too_deep")


def scan_json(raw: bytes, *, max_depth: int = MAX_JSON_DEPTH, max_tokens: int = DEFAULT_MAX_TOKENS,
              max_outer_items: int | None = None) -> int:
    """Step 2 of the module docstring; returns the token count. `max_outer_items` bounds the
    items of the top-level array, or of each array member of the top-level object."""
    stack: list[list[int]] = []  # [opening byte, commas seen] per open container
    tokens = 0
    for match in _TOKENS.finditer(raw):
        tokens += 1
        if tokens > max_tokens:
            raise JsonLimitError(f"the JSON holds more than {max_tokens} tokens", code="json_too_large")
        first = raw[match.start()]
        if first == _COMMA:
            if stack:
                top = stack[-1]
                top[1] += 1
                if max_outer_items is not None and top[0] == 0x5B and len(stack) <= 2 and top[1] >= max_outer_items:
                    raise JsonLimitError(f"an array of the request holds more than {max_outer_items} items",
                                         code="json_array_too_long")
        elif first in _OPEN:
            stack.append([first, 0])
            if len(stack) > max_depth:
                raise _too_deep(max_depth)
        elif first in (_CLOSE_ARRAY, _CLOSE_OBJECT):
            if stack:
                stack.pop()
    return tokens


def check_depth(value: Any, max_depth: int = MAX_JSON_DEPTH) -> None:
    """`json_too_deep` when `value` (parsed JSON) nests more than `max_depth` containers."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > max_depth:
            raise _too_deep(max_depth)
        pending.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


def bounded_loads(raw: bytes | str, loads: Callable[[Any], Any], *, max_depth: int = MAX_JSON_DEPTH,
                  max_tokens: int = DEFAULT_MAX_TOKENS, max_outer_items: int | None = None,
                  scan_above: int = SCAN_ABOVE_BYTES) -> Any:
    """`loads(raw)` within the limits of the module docstring. `loads` is the caller's parser
    (its own errors pass through: ValueError for malformed JSON)."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    scanned = len(data) > scan_above
    if scanned:
        scan_json(data, max_depth=max_depth, max_tokens=max_tokens, max_outer_items=max_outer_items)
    try:
        value = loads(raw)
    except RecursionError as exc:
        raise _too_deep(max_depth) from exc
    except ValueError as exc:
        if "depth" in str(exc) or "recursion" in str(exc):  # orjson: "depth limit exceeded"
            raise _too_deep(max_depth) from exc
        raise
    if not scanned:
        check_depth(value, max_depth)
    return value
