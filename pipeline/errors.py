"""The one error root of the issuing pipeline, with stable machine-readable codes.

Every error the pipeline raises on purpose is a `PipelineError`. `code` is stable and safe
to show to API clients; `path` (when set) is a JSON pointer (RFC 6901) to the offending
field, e.g. `/results/0/score`. Event validation collects every problem it finds as
`FieldError`s and raises them together as one `EventRejected`.
Plain-language messages for people live in `MESSAGES` (one table, not scattered strings).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from issuer.errors import CodedError, json_pointer

# Stable event-validation codes (issue 3, "Errors"); the API maps them to 400/415/422.
MALFORMED_JSON = "malformed_json"
SCHEMA_VIOLATION = "schema_violation"
UNKNOWN_FRAMEWORK_VERSION = "unknown_framework_version"
UNKNOWN_STATEMENT = "unknown_statement"
UNKNOWN_LEVEL = "unknown_level"
SCORE_OUT_OF_RANGE = "score_out_of_range"
FUTURE_DATE = "future_date"
INVALID_DATE = "invalid_date"
MISSING_LEARNER_IDENTITY = "missing_learner_identity"
UNSUPPORTED_FORMAT = "unsupported_format"

EVENT_CODES = frozenset({
    MALFORMED_JSON, SCHEMA_VIOLATION, UNKNOWN_FRAMEWORK_VERSION, UNKNOWN_STATEMENT,
    UNKNOWN_LEVEL, SCORE_OUT_OF_RANGE, FUTURE_DATE, INVALID_DATE, MISSING_LEARNER_IDENTITY,
    UNSUPPORTED_FORMAT,
})


def pointer(*parts: str | int) -> str:
    """Build a JSON pointer (RFC 6901 §3) from path segments, escaping `~` and `/`."""
    return json_pointer(parts)


@dataclass(frozen=True)
class FieldError:
    """One validation problem: stable `code`, a sentence, the JSON pointer `path`.

    `row` is set for CSV input only: the spreadsheet row number (header = row 1).
    """

    code: str
    message: str
    path: str = ""
    row: int | None = None

    def under(self, prefix: str) -> FieldError:
        """The same problem inside a document nested at JSON pointer `prefix`."""
        return FieldError(self.code, self.message, prefix + self.path, self.row)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message, "path": self.path}
        if self.row is not None:
            out["row"] = self.row
        return out


class PipelineError(CodedError):
    """Root of every error raised on purpose by the pipeline; `path` is a JSON pointer string."""

    code: str = "pipeline_error"

    def __init__(self, message: str, *, code: str | None = None, path: str = ""):
        super().__init__(message, code=code, path=path)


class EventRejected(PipelineError):
    """An event failed validation; `errors` lists every problem found (at least one).

    `code` and `path` are those of the first error, so a caller that reports one
    problem reports the first.
    """

    code = SCHEMA_VIOLATION

    def __init__(self, errors: Sequence[FieldError]):
        if not errors:
            raise ValueError("EventRejected needs at least one FieldError")
        self.errors: tuple[FieldError, ...] = tuple(errors)
        first = self.errors[0]
        super().__init__(first.message, code=first.code, path=first.path)

    def as_dict(self) -> dict[str, Any]:
        out = super().as_dict()
        out["errors"] = [e.as_dict() for e in self.errors]
        return out


class SettingsError(PipelineError):
    code = "settings_invalid"


class StoreError(PipelineError):
    """A store operation could not be done as asked (not a driver failure)."""

    code = "store_error"


class EventConflict(StoreError):
    """The provider reused an event id with a different body (issue 3: answer 409)."""

    code = "event_conflict"


class InvalidStateTransition(StoreError):
    code = "event_state_invalid"


class StatusListFull(StoreError):
    code = "status_list_full"


class AppendOnlyViolation(StoreError):
    """Something tried to change or delete append-only rows (evidence, status slots)."""

    code = "append_only"


# Plain-language messages for people (API problem titles, CLI). Keyed by code.
MESSAGES: dict[str, str] = {
    "pipeline_error": "Something went wrong in the issuing pipeline.",
    MALFORMED_JSON: "The request body is not valid JSON.",
    SCHEMA_VIOLATION: "The event does not match the event schema.",
    UNKNOWN_FRAMEWORK_VERSION: "That competency framework or version is not known here.",
    UNKNOWN_STATEMENT: "The event names a statement that is not in the framework version.",
    UNKNOWN_LEVEL: "The event names a level that is not in the framework version.",
    SCORE_OUT_OF_RANGE: "A score is outside the range 0 to 1.",
    FUTURE_DATE: "The event is dated in the future.",
    INVALID_DATE: "A date is malformed or has no UTC offset.",
    MISSING_LEARNER_IDENTITY: "The event names the learner by neither email nor DID.",
    UNSUPPORTED_FORMAT: "The event is in a format this service does not accept.",
    "settings_invalid": "The service settings are not valid.",
    "store_error": "The database could not do what was asked.",
    "event_conflict": "That event id was already used with a different body.",
    "event_state_invalid": "The event is not in a state that allows this step.",
    "status_list_full": "The status list has no free index left.",
    "append_only": "Evidence and status-list slots are never changed or deleted.",
    "public_url_changed": "The service was started under another public URL than the one its data records.",
    "key_rotation_unsupported": "This issuer's identity cannot change keys (a did:key is its key).",
}
