"""The native event (issue 3, "The native event") as pydantic models, and its JSON Schema.

Two shapes share one model: statement results (`results`) or a whole level (`level`,
`score`, `passed`). The JSON Schema states that choice with `oneOf`; the validator in
`pipeline.events.native` enforces it with precise error paths. Unknown fields are refused,
and so is `null` anywhere (omit an optional field instead), so schema and validator agree.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

RFC3339 = r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
EMAIL = r"^\s*[^@\s]+@[^@\s]+\s*$"
DID = r"^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$"
HTTP_URL = r"^https?://\S+$"
EVENT_ID = r"^\S+$"

Score = Annotated[float, Field(ge=0, le=1, description="0..1")]

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class AccountIn(_Strict):
    """A learner's account with the provider (xAPI `actor.account`): meaningful only to that provider."""

    home_page: Annotated[str, Field(min_length=1, max_length=500, pattern=HTTP_URL, description="The system the account is on.")]
    name: Annotated[str, Field(min_length=1, max_length=255, description="The account's unique name there.")]


class LearnerIn(_Strict):
    """The learner: `did`, `email` or a provider `account` identify them (at least one is required)."""

    email: Annotated[str, Field(max_length=320, pattern=EMAIL, description="Matched case-insensitively.")] | SkipJsonSchema[None] = None
    name: Annotated[str, Field(min_length=1, max_length=200, description="Display name.")] | SkipJsonSchema[None] = None
    did: Annotated[str, Field(max_length=500, pattern=DID, description="Preferred for matching.")] | SkipJsonSchema[None] = None
    account: AccountIn | SkipJsonSchema[None] = None


class FrameworkIn(_Strict):
    """The framework version the assessment was aligned to."""

    id: str = Field(min_length=1, max_length=32, description="O*NET-SOC code, e.g. 29-2052.00.")
    version: str = Field(min_length=1, max_length=32, description="e.g. v.26.05.")


class AssessmentIn(_Strict):
    """The assessment that produced the result (cited as credential evidence)."""

    id: str = Field(min_length=1, max_length=500)
    name: str = Field(min_length=1, max_length=500)
    url: Annotated[str, Field(max_length=1000, pattern=HTTP_URL)] | SkipJsonSchema[None] = None


class ResultIn(_Strict):
    """One statement's result. `passed` omitted: `score >= passMark` of the framework policy."""

    model_config = ConfigDict(json_schema_extra={"anyOf": [{"required": ["score"]}, {"required": ["passed"]}]})

    statement: str = Field(min_length=1, max_length=16, description="Stable statement code, e.g. P03.")
    score: Score | SkipJsonSchema[None] = None
    passed: bool | SkipJsonSchema[None] = None


_ONE_OF_SHAPES: dict[str, Any] = {
    "oneOf": [
        {"required": ["results"], "not": {"anyOf": [{"required": [k]} for k in ("level", "score", "passed")]}},
        {
            "required": ["level"],
            "anyOf": [{"required": ["score"]}, {"required": ["passed"]}],
            "not": {"required": ["results"]},
        },
    ]
}


class NativeEvent(_Strict):
    """`assessment.completed`: statement results, or a whole level's result."""

    model_config = ConfigDict(json_schema_extra=_ONE_OF_SHAPES)

    event_id: str = Field(min_length=1, max_length=255, pattern=EVENT_ID, description="Provider's id; the idempotency key.")
    type: Literal["assessment.completed"]
    occurred_at: str = Field(
        description="RFC 3339 date-time with Z or an offset.",
        json_schema_extra={"pattern": RFC3339, "format": "date-time"},  # checked as `invalid_date`
    )
    learner: LearnerIn
    framework: FrameworkIn
    assessment: AssessmentIn
    results: Annotated[list[ResultIn], Field(min_length=1, max_length=100)] | SkipJsonSchema[None] = None
    level: Annotated[str, Field(min_length=1, max_length=32, description="emerging|developing|proficient|advanced")] | SkipJsonSchema[None] = None
    score: Score | SkipJsonSchema[None] = None
    passed: bool | SkipJsonSchema[None] = None


def native_event_json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of the native event, as published at /api/v1/schema/event.json."""
    schema = NativeEvent.model_json_schema()
    schema["$defs"]["LearnerIn"]["anyOf"] = [{"required": ["email"]}, {"required": ["did"]}, {"required": ["account"]}]
    return {"$schema": JSON_SCHEMA_DIALECT, **schema}
