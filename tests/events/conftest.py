from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from issuer.frameworks import FrameworkRegistry
from pipeline.events import EventContext

DATA = Path(__file__).parent / "data"
PUBLIC = "https://badges.example.org"
NOW = datetime(2026, 11, 20, 16, 0, 0, tzinfo=timezone.utc)

NATIVE = {
    "event_id": "lms-42-attempt-7", "type": "assessment.completed", "occurred_at": "2026-11-20T15:04:05Z",
    "learner": {"email": "Ana@Example.org", "name": "Ana Diaz"},
    "framework": {"id": "29-2052.00", "version": "v.26.05"},
    "assessment": {"id": "quiz-17", "name": "Dispensing workflow", "url": "https://lms.example.org/quiz/17"},
    "results": [{"statement": "P03", "score": 0.92, "passed": True}],
}


@pytest.fixture(scope="session")
def ctx() -> EventContext:
    return EventContext(frameworks=FrameworkRegistry.bundled(), public_url=PUBLIC, now=NOW)


@pytest.fixture
def native() -> dict:
    return copy.deepcopy(NATIVE)


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def codes_and_paths(rejected) -> list[tuple[str, str]]:
    return [(e.code, e.path) for e in rejected.errors]
