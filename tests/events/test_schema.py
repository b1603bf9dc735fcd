"""The exported JSON Schema agrees with the validator on the shape of native events."""

from __future__ import annotations

import copy

import jsonschema
import pytest

from pipeline.errors import EventRejected
from pipeline.events import native_event_json_schema, validate_native

from .conftest import NATIVE

LEVEL = {k: v for k, v in NATIVE.items() if k != "results"} | {"level": "proficient", "score": 0.88}


def _variant(base, **changes):
    doc = copy.deepcopy(base)
    for key, value in changes.items():
        if value is ...:
            doc.pop(key)
        else:
            doc[key] = value
    return doc


SAMPLES = [
    (NATIVE, True),
    (LEVEL, True),
    (_variant(LEVEL, score=..., passed=True), True),
    (_variant(NATIVE, learner={"did": "did:key:z6MkAna"}), True),
    (_variant(NATIVE, results=[{"statement": "P03"}]), False),
    (_variant(NATIVE, level="proficient"), False),
    (_variant(LEVEL, score=...), False),
    (_variant(NATIVE, results=...), False),
    (_variant(NATIVE, learner={"name": "Ana"}), False),
    (_variant(NATIVE, learner={"email": None, "name": "Ana"}), False),
    (_variant(NATIVE, extra=1), False),
    (_variant(NATIVE, occurred_at="2026-11-20 15:04:05"), False),
    (_variant(NATIVE, results=[{"statement": "P03", "score": 1.5}]), False),
    (_variant(NATIVE, results=[{"statement": "P03", "score": True}]), False),
    (_variant(NATIVE, event_id="has space"), False),
    (_variant(NATIVE, type="other"), False),
]


@pytest.fixture(scope="module")
def validator():
    schema = native_event_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize(("doc", "valid"), SAMPLES)
def test_schema_and_validator_agree(validator, ctx, doc, valid):
    assert validator.is_valid(doc) is valid
    try:
        validate_native(doc, ctx)
        accepted = True
    except EventRejected:
        accepted = False
    assert accepted is valid


def test_schema_is_closed_and_documents_dates():
    schema = native_event_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert schema["properties"]["occurred_at"]["format"] == "date-time"
    assert set(schema["required"]) == {"event_id", "type", "occurred_at", "learner", "framework", "assessment"}
