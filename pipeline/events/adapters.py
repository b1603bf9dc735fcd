"""One entry point for every accepted format: bytes or a decoded document in, `AssessmentEvent` out.

Formats: `native` (our JSON event), `xapi` (an xAPI statement), `caliper` (a Caliper 1.2
GradeEvent) — detected from the document unless the caller names one — and `csv`
(`pipeline.events.csv_rows.parse_csv`, many events per upload).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from issuer.json_limits import JsonLimitError, bounded_loads
from pipeline import errors as codes
from pipeline.errors import EventRejected, FieldError
from pipeline.events.caliper import caliper_to_event, envelope_event, is_caliper_envelope, is_caliper_event
from pipeline.events.native import EventContext, validate_native
from pipeline.events.normalized import AssessmentEvent, SourceFormat
from pipeline.events.text_checks import nul_errors
from pipeline.events.xapi import is_xapi_statement, xapi_to_event

JSON_FORMATS: tuple[SourceFormat, ...] = ("native", "xapi", "caliper")


def _reject(code: str, message: str, path: str = "") -> EventRejected:
    return EventRejected([FieldError(code, message, path)])


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _strict_loads(text: str) -> Any:
    return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)


def decode_json(body: bytes | str, *, max_outer_items: int | None = None) -> Any:
    """Strict JSON (UTF-8, no duplicate keys, no NaN/Infinity); `malformed_json` otherwise.
    Within `issuer.json_limits` (`json_too_deep`, `json_too_large`, `json_array_too_long`
    past `max_outer_items`, counted before anything is built)."""
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        return bounded_loads(text, _strict_loads, max_outer_items=max_outer_items)
    except JsonLimitError as error:
        raise _reject(error.code, error.message) from error
    except (UnicodeDecodeError, ValueError) as error:
        raise _reject(codes.MALFORMED_JSON, f"not valid JSON: {error}") from error


def detect_format(document: Any) -> SourceFormat:
    """Which JSON format `document` is in; `unsupported_format` when none fits."""
    if isinstance(document, list):
        raise _reject(codes.UNSUPPORTED_FORMAT, "one event per request; send arrays to events:batch")
    if not isinstance(document, Mapping):
        raise _reject(codes.UNSUPPORTED_FORMAT, "an event is a JSON object")
    if "event_id" in document or document.get("type") == "assessment.completed":
        return "native"
    if is_xapi_statement(document):
        return "xapi"
    if is_caliper_event(document) or is_caliper_envelope(document):
        return "caliper"
    raise _reject(codes.UNSUPPORTED_FORMAT,
                  "not a native event, an xAPI statement (actor, verb, object) or a Caliper 1.2 event (@context)")


def parse_event(document: Any, ctx: EventContext, *, source_format: SourceFormat | None = None) -> AssessmentEvent:
    """Validate one decoded event of any JSON format into the normalized form."""
    nul = nul_errors(document)
    if nul:
        raise EventRejected(nul)
    fmt = source_format or detect_format(document)
    if fmt not in JSON_FORMATS:
        raise _reject(codes.UNSUPPORTED_FORMAT, f"{fmt!r} is not a JSON event format")
    if fmt != "native" and not isinstance(document, Mapping):
        raise _reject(codes.SCHEMA_VIOLATION, "an event is a JSON object")
    if fmt == "xapi":
        return xapi_to_event(document, ctx)
    if fmt == "caliper" and is_caliper_envelope(document):
        inner = _object(envelope_event(document), "/data/0")
        try:
            return caliper_to_event(inner, ctx)
        except EventRejected as rejected:
            raise EventRejected([e.under("/data/0") for e in rejected.errors]) from rejected
    if fmt == "caliper":
        return caliper_to_event(document, ctx)
    return validate_native(document, ctx)


def _object(document: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(document, Mapping):
        raise _reject(codes.SCHEMA_VIOLATION, "an event is a JSON object", path)
    return document


def parse_event_bytes(body: bytes, ctx: EventContext, *, source_format: SourceFormat | None = None) -> AssessmentEvent:
    """`decode_json` then `parse_event`."""
    return parse_event(decode_json(body), ctx, source_format=source_format)
