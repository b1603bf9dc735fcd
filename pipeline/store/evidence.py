"""Evidence (append-only statement results) and awards (levels reached, once each).

A pass is never undone: the passed statements of a learner are every statement with at
least one passing evidence row, whatever later rows say.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from pipeline.events.normalized import AssessmentEvent
from pipeline.store.inserts import insert_all_or_skip, insert_or_skip
from pipeline.store.models import Award, Evidence


def record_evidence(
    session: Session, *, event: AssessmentEvent, event_id: str, learner_id: int, provider_id: str, now: datetime
) -> int:
    """Append one evidence row per statement result of `event`; rows already recorded for
    this event (a retried task) are skipped by UNIQUE(event_id, statement_code). One
    multi-row `INSERT ... ON CONFLICT DO NOTHING`. Returns how many rows were added."""
    rows = evidence_rows(event=event, event_id=event_id, learner_id=learner_id, provider_id=provider_id, now=now)
    return len(insert_all_or_skip(session, Evidence, rows))


def evidence_rows(*, event: AssessmentEvent, event_id: str, learner_id: int, provider_id: str,
                  now: datetime) -> list[dict]:
    """The evidence rows of `event`, one per statement result, as `record_evidence` inserts them."""
    return [dict(
        learner_id=learner_id, framework_code=event.framework_code, framework_version=event.framework_version,
        statement_code=result.statement, passed=result.passed, score=result.score, event_id=event_id,
        provider_id=provider_id, assessment_id=event.assessment_id, assessment_name=event.assessment_name,
        assessment_url=event.assessment_url, assessed_at=event.occurred_at, recorded_at=now,
    ) for result in event.results]


def passing_evidence_of(session: Session, learner_ids: Iterable[int]) -> list[Evidence]:
    """Every passing row of these learners, in every framework version, oldest first, with
    providers (one statement for a batch of events; `passing_evidence` for one learner)."""
    return list(session.scalars(select(Evidence).options(joinedload(Evidence.provider)).where(
        Evidence.learner_id.in_(set(learner_ids)), Evidence.passed.is_(True),
    ).order_by(Evidence.assessed_at, Evidence.id)))


def awards_of(session: Session, learner_ids: Iterable[int]) -> list[tuple[int, str, str, str]]:
    """(learner id, framework code, framework version, level) of every award of these learners."""
    return [tuple(row) for row in session.execute(select(
        Award.learner_id, Award.framework_code, Award.framework_version, Award.level,
    ).where(Award.learner_id.in_(set(learner_ids))))]


def passed_statement_codes(session: Session, *, learner_id: int, framework_code: str, framework_version: str) -> set[str]:
    """Every statement the learner has passed at least once in this framework version."""
    query = select(Evidence.statement_code).distinct().where(
        Evidence.learner_id == learner_id, Evidence.framework_code == framework_code,
        Evidence.framework_version == framework_version, Evidence.passed.is_(True),
    )
    return set(session.scalars(query))


def passing_evidence(
    session: Session, *, learner_id: int, framework_code: str, framework_version: str,
    statements: Iterable[str] | None = None,
) -> list[Evidence]:
    """The passing rows for `statements` (default: every statement), oldest first, each with its
    provider loaded in the same statement (for credential evidence and sources)."""
    query = select(Evidence).options(joinedload(Evidence.provider)).where(
        Evidence.learner_id == learner_id, Evidence.framework_code == framework_code,
        Evidence.framework_version == framework_version, Evidence.passed.is_(True),
    ).order_by(Evidence.assessed_at, Evidence.id)
    if statements is not None:
        query = query.where(Evidence.statement_code.in_(list(statements)))
    return list(session.scalars(query))


def awarded_levels(session: Session, *, learner_id: int, framework_code: str, framework_version: str) -> set[str]:
    query = select(Award.level).where(
        Award.learner_id == learner_id, Award.framework_code == framework_code,
        Award.framework_version == framework_version,
    )
    return set(session.scalars(query))


def create_award(
    session: Session, *, learner_id: int, framework_code: str, framework_version: str, level: str,
    event_id: str | None, now: datetime, renewal: int = 0, pending: bool = False,
) -> Award | None:
    """Insert the award for (learner, framework version, level, renewal); None when it already
    exists (another event or worker got there first). One `INSERT ... ON CONFLICT DO NOTHING`.
    `pending`: the caller holds the learner's row and knows the award is new; it goes out with
    the session's next flush (a twin there is an IntegrityError, which the caller retries)."""
    values = dict(learner_id=learner_id, framework_code=framework_code, framework_version=framework_version,
                  level=level, event_id=event_id, awarded_at=now, renewal=renewal)
    if pending:
        award = Award(**values)
        session.add(award)
        return award
    return insert_or_skip(session, Award, values)
