"""Text every store accepts (issue 10, finding 7): no NUL character (U+0000) anywhere in an event.

PostgreSQL's text and JSON types cannot hold U+0000 while SQLite stores it, so the same event
was accepted on one and a 500 (or a `processing_failed` rejection later) on the other. The
intake refuses it on both, as a validation error with the JSON pointer of the field (or key)
that holds it, so one bad item of a batch or CSV upload never drops the good ones.
"""

from __future__ import annotations

from typing import Any

from pipeline import errors as codes
from pipeline.errors import FieldError, pointer

NUL = "\x00"
NUL_MESSAGE = "a NUL character (U+0000) is not allowed in any text"


def nul_errors(document: Any) -> list[FieldError]:
    """One `schema_violation` per string (value or key) of `document` holding U+0000."""
    found: list[FieldError] = []
    pending: list[tuple[Any, tuple[str | int, ...]]] = [(document, ())]
    while pending:
        value, path = pending.pop()
        if isinstance(value, str):
            if NUL in value:
                found.append(FieldError(codes.SCHEMA_VIOLATION, NUL_MESSAGE, pointer(*path)))
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and NUL in key:
                    found.append(FieldError(codes.SCHEMA_VIOLATION, f"{NUL_MESSAGE} (a key)", pointer(*path, key)))
                pending.append((item, (*path, key)))
        elif isinstance(value, list):
            pending.extend((item, (*path, index)) for index, item in enumerate(value))
    return sorted(found, key=lambda error: error.path)
