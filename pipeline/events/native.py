"""Validate a native event document and turn it into an `AssessmentEvent`.

Every adapter ends here: xAPI, Caliper and CSV input is first mapped to the native shape,
with a `remap` function that turns native JSON pointers back into pointers into what the
provider sent. All problems found are reported together (`EventRejected.errors`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import BaseModel, ValidationError

from issuer.errors import IssuerError
from issuer.frameworks import Framework, FrameworkRegistry
from pipeline import errors as codes
from pipeline.errors import EventRejected, FieldError, pointer
from pipeline.events.normalized import (
    AssessmentEvent, LearnerRef, SourceFormat, StatementResult, account_key, normalize_email,
)
from pipeline.events.schema import RFC3339, AccountIn, AssessmentIn, FrameworkIn, LearnerIn, NativeEvent, ResultIn

FUTURE_TOLERANCE = timedelta(minutes=5)

Remap = Callable[[str], str]


def _identity(path: str) -> str:
    return path


@dataclass(frozen=True)
class EventContext:
    """What validation needs from outside: the frameworks, the public base URL, the time."""

    frameworks: FrameworkRegistry
    public_url: str
    now: datetime
    future_tolerance: timedelta = field(default=FUTURE_TOLERANCE)


def parse_rfc3339(value: str) -> datetime:
    """An RFC 3339 date-time with `Z` or a numeric offset, as UTC; ValueError otherwise."""
    if not re.match(RFC3339, value):
        raise ValueError("not an RFC 3339 date-time with a UTC offset (e.g. 2026-11-20T15:04:05Z)")
    text = value.upper().replace("Z", "+00:00")
    fraction = re.search(r"\.(\d+)", text)
    if fraction and len(fraction[1]) > 6:
        text = text.replace(fraction[0], "." + fraction[1][:6])
    parsed = datetime.fromisoformat(text)
    return parsed.astimezone(timezone.utc)


def check_occurred_at(value: str, ctx: EventContext, path: str) -> tuple[datetime | None, list[FieldError]]:
    """`invalid_date` if malformed or without offset; `future_date` if beyond now + tolerance."""
    try:
        when = parse_rfc3339(value)
    except ValueError as error:
        return None, [FieldError(codes.INVALID_DATE, str(error), path)]
    if when > ctx.now + ctx.future_tolerance:
        return when, [FieldError(codes.FUTURE_DATE, f"{value} is in the future", path)]
    return when, []


def _nulls(value: Any, *parts: str | int) -> list[FieldError]:
    if value is None:
        return [FieldError(codes.SCHEMA_VIOLATION, "null is not allowed; omit the field instead", pointer(*parts))]
    if isinstance(value, Mapping):
        return [e for k, v in value.items() for e in _nulls(v, *parts, k)]
    if isinstance(value, list):
        return [e for i, v in enumerate(value) for e in _nulls(v, *parts, i)]
    return []


_SCORE_RANGE = {"greater_than_equal", "less_than_equal"}
_PATTERN_MESSAGES = {
    "email": "not an email address",
    "did": "not a DID (did:<method>:<id>)",
    "url": "not an http(s) URL",
    "event_id": "must be non-empty and contain no whitespace",
}


def _field_names(*models: type[BaseModel]) -> frozenset[str]:
    return frozenset(name for model in models for name in model.model_fields)


_FIELD_NAMES = _field_names(NativeEvent, LearnerIn, AccountIn, FrameworkIn, AssessmentIn, ResultIn)


def _field_loc(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    # Optional fields validate as unions, whose branch tags ("constrained-float", "none")
    # appear in the location; keep only list indexes and real field names.
    return tuple(p for p in loc if isinstance(p, int) or p in _FIELD_NAMES)


def _pydantic_error(item: Any) -> FieldError | None:
    kind, raw = item["type"], tuple(item["loc"])
    loc = _field_loc(raw[:-1]) + raw[-1:] if kind == "extra_forbidden" else _field_loc(raw)
    if kind == "none_required":
        return None
    name = loc[-1] if loc else ""
    code, message = codes.SCHEMA_VIOLATION, item["msg"]
    if name == "score" and kind in _SCORE_RANGE:
        code = codes.SCORE_OUT_OF_RANGE
    elif kind == "string_pattern_mismatch" and name in _PATTERN_MESSAGES:
        message = _PATTERN_MESSAGES[str(name)]
    elif kind == "extra_forbidden":
        message = f"unexpected field {name!r}"
    return FieldError(code, message, pointer(*loc))


def _pydantic_errors(error: ValidationError) -> list[FieldError]:
    found = (_pydantic_error(item) for item in error.errors(include_url=False))
    return [e for e in found if e is not None]


def _shape_errors(given: set[str]) -> list[FieldError]:
    if "results" in given:
        extra = sorted(given & {"level", "score", "passed"})
        return [FieldError(codes.SCHEMA_VIOLATION, "give `results` or a whole `level`, not both", pointer(k)) for k in extra]
    if "level" not in given:
        return [FieldError(codes.SCHEMA_VIOLATION, "give `results` or a whole `level` with its `score`", "/results")]
    if not given & {"score", "passed"}:
        return [FieldError(codes.SCHEMA_VIOLATION, "a whole-level result needs `score` or `passed`", "/score")]
    return []


def _learner(data: LearnerIn) -> tuple[LearnerRef, list[FieldError]]:
    account = account_key(data.account.home_page, data.account.name) if data.account is not None else None
    if data.email is None and data.did is None and account is None:
        return LearnerRef(None, data.name, None), [
            FieldError(codes.MISSING_LEARNER_IDENTITY, "the learner needs an `email`, a `did` or an `account`",
                       "/learner")
        ]
    email = normalize_email(data.email) if data.email is not None else None
    return LearnerRef(email=email, name=data.name, did=data.did, account=account), []


def _framework(ref: FrameworkIn, frameworks: FrameworkRegistry) -> tuple[Framework | None, list[FieldError]]:
    try:
        return frameworks.get(ref.id, ref.version), []
    except IssuerError as error:
        known = frameworks.versions(ref.id)
        path = "/framework/version" if known else "/framework/id"
        return None, [FieldError(codes.UNKNOWN_FRAMEWORK_VERSION, error.message, path)]


def _verdict(score: float | None, passed: bool | None, pass_mark: float) -> bool:
    if passed is not None:
        return passed
    return score is not None and score >= pass_mark


def _statement_results(parts: _Parts, framework: Framework) -> tuple[list[StatementResult], list[FieldError]]:
    results: list[StatementResult] = []
    found: list[FieldError] = []
    seen: set[str] = set()
    pass_mark = framework.policy.pass_mark
    for i, item in parts.results:
        if item.score is None and item.passed is None:
            found.append(FieldError(codes.SCHEMA_VIOLATION, "a result needs `score` or `passed`", pointer("results", i)))
            continue
        try:
            statement = framework.statement(item.statement)
        except IssuerError as error:
            found.append(FieldError(codes.UNKNOWN_STATEMENT, error.message, pointer("results", i, "statement")))
            continue
        if statement.code in seen:
            found.append(FieldError(codes.SCHEMA_VIOLATION, f"statement {statement.code} appears twice", pointer("results", i, "statement")))
            continue
        seen.add(statement.code)
        results.append(StatementResult(statement.code, statement.level, item.score, _verdict(item.score, item.passed, pass_mark)))
    return results, found


def _level_results(parts: _Parts, framework: Framework) -> tuple[list[StatementResult], list[FieldError]]:
    if parts.level is None:  # the level itself was refused by the schema check
        return [], []
    try:
        level = framework.level(parts.level)
    except IssuerError as error:
        return [], [FieldError(codes.UNKNOWN_LEVEL, error.message, "/level")]
    passed = _verdict(parts.score, parts.passed, framework.policy.pass_mark)
    return [StatementResult(s.code, level.key, parts.score, passed) for s in level.statements], []


@dataclass
class _Parts:
    """The parts of an event that passed the schema check on their own, so that the checks of
    meaning (dates, identity, framework, statements) still run when another part was refused."""

    given: set[str]
    occurred_at: str | None = None
    learner: LearnerIn | None = None
    framework: FrameworkIn | None = None
    results: list[tuple[int, ResultIn]] = field(default_factory=list)
    level: str | None = None
    score: float | None = None
    passed: bool | None = None


def _valid_part(model: type[BaseModel], value: Any) -> Any:
    try:
        return model.model_validate(value)
    except ValidationError:
        return None


def _parts_of(document: Mapping[str, Any], refused: set[str]) -> _Parts:
    """Each top-level part of `document` that has no schema error (paths in `refused`)."""

    def ok(name: str) -> bool:
        return name in document and not any(p == f"/{name}" or p.startswith(f"/{name}/") for p in refused)

    parts = _Parts(given={k for k in document if k in NativeEvent.model_fields})
    if ok("occurred_at") and isinstance(document["occurred_at"], str):
        parts.occurred_at = document["occurred_at"]
    if ok("learner"):
        parts.learner = _valid_part(LearnerIn, document["learner"])
    if ok("framework"):
        parts.framework = _valid_part(FrameworkIn, document["framework"])
    if isinstance(document.get("results"), list) and "/results" not in refused:
        items = ((i, _valid_part(ResultIn, item)) for i, item in enumerate(document["results"]))
        parts.results = [(i, item) for i, item in items if item is not None and f"/results/{i}" not in refused]
    if ok("level") and isinstance(document["level"], str):
        parts.level = document["level"]
    for name in ("score", "passed"):
        if ok(name):
            setattr(parts, name, document[name])
    return parts


def _event_parts(event: NativeEvent) -> _Parts:
    return _Parts(given=set(event.model_fields_set), occurred_at=event.occurred_at, learner=event.learner,
                  framework=event.framework, results=list(enumerate(event.results or [])), level=event.level,
                  score=event.score, passed=event.passed)


def _meaning_errors(parts: _Parts, ctx: EventContext) -> tuple[datetime | None, LearnerRef | None, list[StatementResult], list[FieldError]]:
    """The checks of meaning on whatever parts are sound: every problem, not the first."""
    shape_errors = _shape_errors(parts.given)
    found = list(shape_errors)
    occurred_at = learner = framework = None
    if parts.occurred_at is not None:
        occurred_at, errors = check_occurred_at(parts.occurred_at, ctx, "/occurred_at")
        found += errors
    if parts.learner is not None:
        learner, errors = _learner(parts.learner)
        found += errors
    if parts.framework is not None:
        framework, errors = _framework(parts.framework, ctx.frameworks)
        found += errors
    results: list[StatementResult] = []
    if framework is not None and not shape_errors:
        build = _statement_results if "results" in parts.given else _level_results
        results, errors = build(parts, framework)
        found += errors
    return occurred_at, learner, results, found


def validate_native(
    document: Any, ctx: EventContext, *, source_format: SourceFormat = "native", remap: Remap = _identity
) -> AssessmentEvent:
    """The native event in `document` as an `AssessmentEvent`; `EventRejected` lists every problem."""

    def reject(found: list[FieldError]) -> EventRejected:
        return EventRejected([FieldError(e.code, e.message, remap(e.path), e.row) for e in found])

    if not isinstance(document, Mapping):
        raise reject([FieldError(codes.SCHEMA_VIOLATION, "the event must be a JSON object", "")])
    found = _nulls(document)
    try:
        event = NativeEvent.model_validate(document)
    except ValidationError as error:
        event = None
        nulls = {e.path for e in found}
        found += [e for e in _pydantic_errors(error) if e.path not in nulls]
    if found:  # a null in an optional field passes the model but is still refused
        event = None
    parts = _event_parts(event) if event is not None else _parts_of(document, {e.path for e in found})
    occurred_at, learner, results, meaning = _meaning_errors(parts, ctx)
    found += [e for e in meaning if e not in found]
    if found or event is None or occurred_at is None or learner is None:
        raise reject(found)
    return AssessmentEvent(
        provider_event_id=event.event_id,
        occurred_at=occurred_at,
        learner=learner,
        framework_code=event.framework.id,
        framework_version=event.framework.version,
        assessment_id=event.assessment.id,
        assessment_name=event.assessment.name,
        assessment_url=event.assessment.url,
        results=tuple(results),
        source_format=source_format,
        level=event.level if event.results is None else None,
    )
