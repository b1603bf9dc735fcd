"""The one normalized form every accepted event becomes, whatever format it came in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

SourceFormat = Literal["native", "xapi", "caliper", "csv"]
SOURCE_FORMATS: tuple[SourceFormat, ...] = ("native", "xapi", "caliper", "csv")


def normalize_email(email: str) -> str:
    """Email as matched and stored: surrounding whitespace stripped, lower-cased."""
    return email.strip().lower()


def account_key(home_page: str, name: str) -> str:
    """A provider account as one string, `homePage#name` (what an `accountId` identity hashes)."""
    return f"{home_page}#{name}"


@dataclass(frozen=True)
class LearnerRef:
    """Who was assessed. At least one of `did`, `email` (normalized) and `account` is set.

    `account` is the provider's own account of the learner (`account_key`); it identifies the
    learner only together with that provider (`pipeline.store.learners`)."""

    email: str | None
    name: str | None
    did: str | None
    account: str | None = None


@dataclass(frozen=True)
class StatementResult:
    """One framework statement's result: its stable code, its level, score (0..1) and verdict."""

    statement: str
    level: str
    score: float | None
    passed: bool


@dataclass(frozen=True)
class AssessmentEvent:
    """A validated assessment result, ready for the evidence store.

    `occurred_at` is UTC. `level` is set when the event assessed a whole level; its
    `results` then hold that level's statements, each with the level's score and verdict.
    """

    provider_event_id: str
    occurred_at: datetime
    learner: LearnerRef
    framework_code: str
    framework_version: str
    assessment_id: str
    assessment_name: str
    assessment_url: str | None
    results: tuple[StatementResult, ...]
    source_format: SourceFormat
    level: str | None = None

    @property
    def passed_statements(self) -> frozenset[str]:
        return frozenset(r.statement for r in self.results if r.passed)

    @property
    def levels(self) -> frozenset[str]:
        """Every level this event has results for (for level-scoped API keys)."""
        return frozenset(r.level for r in self.results)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the store's `events.parsed`); `from_json` reverses it."""
        return {
            "provider_event_id": self.provider_event_id,
            "occurred_at": self.occurred_at.isoformat().replace("+00:00", "Z"),
            "learner": {"email": self.learner.email, "name": self.learner.name, "did": self.learner.did,
                        **({"account": self.learner.account} if self.learner.account else {})},
            "framework": {"id": self.framework_code, "version": self.framework_version},
            "assessment": {"id": self.assessment_id, "name": self.assessment_name, "url": self.assessment_url},
            "level": self.level,
            "results": [
                {"statement": r.statement, "level": r.level, "score": r.score, "passed": r.passed}
                for r in self.results
            ],
            "source_format": self.source_format,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AssessmentEvent:
        return cls(
            provider_event_id=data["provider_event_id"],
            occurred_at=datetime.fromisoformat(data["occurred_at"].replace("Z", "+00:00")),
            learner=LearnerRef(**data["learner"]),
            framework_code=data["framework"]["id"],
            framework_version=data["framework"]["version"],
            assessment_id=data["assessment"]["id"],
            assessment_name=data["assessment"]["name"],
            assessment_url=data["assessment"]["url"],
            results=tuple(StatementResult(**r) for r in data["results"]),
            source_format=data["source_format"],
            level=data["level"],
        )
