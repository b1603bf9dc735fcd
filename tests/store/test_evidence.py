"""Evidence is append-only and a pass is never undone; each level is awarded once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from pipeline.errors import AppendOnlyViolation
from pipeline.events.normalized import AssessmentEvent, LearnerRef, StatementResult
from pipeline.store.event_log import record_event
from pipeline.store.evidence import (
    awarded_levels,
    create_award,
    passed_statement_codes,
    passing_evidence,
    record_evidence,
)
from pipeline.store.learners import match_learner
from pipeline.store.models import Award, Evidence

from .conftest import NOW

FW = ("29-2052.00", "v.26.05")


def _event(event_id, results, when=NOW):
    return AssessmentEvent(
        provider_event_id=event_id, occurred_at=when, learner=LearnerRef("ana@example.org", "Ana", None),
        framework_code=FW[0], framework_version=FW[1], assessment_id="quiz-17", assessment_name="Quiz 17",
        assessment_url=None, results=tuple(StatementResult(c, "proficient", sc, p) for c, sc, p in results),
        source_format="native",
    )


def _store(sessions, provider, event):
    with sessions.begin() as s:
        row = record_event(s, provider_id=provider.id, provider_event_id=event.provider_event_id,
                           raw_payload=event.provider_event_id.encode(), source_format="native",
                           parsed=event.to_json(), now=NOW).event
        learner = match_learner(s, event.learner, now=NOW)
        added = record_evidence(s, event=event, event_id=row.id, learner_id=learner.id, provider_id=provider.id, now=NOW)
    return row.id, learner.id, added


def _passed(sessions, learner_id):
    with sessions() as s:
        return passed_statement_codes(s, learner_id=learner_id, framework_code=FW[0], framework_version=FW[1])


def test_later_failure_does_not_undo_a_pass(sessions, provider):
    _, learner, _ = _store(sessions, provider, _event("e1", [("P01", 0.9, True), ("P02", 0.5, False)]))
    assert _passed(sessions, learner) == {"P01"}
    later = NOW + timedelta(days=1)
    _, learner2, _ = _store(sessions, provider, _event("e2", [("P01", 0.1, False), ("P02", 0.95, True)], later))
    assert learner2 == learner
    assert _passed(sessions, learner) == {"P01", "P02"}
    with sessions() as s:
        rows = passing_evidence(s, learner_id=learner, framework_code=FW[0], framework_version=FW[1], statements=["P01", "P02"])
        assert [(r.statement_code, r.score) for r in rows] == [("P01", 0.9), ("P02", 0.95)]


def test_recording_twice_adds_nothing(sessions, provider):
    event = _event("e1", [("P01", 0.9, True), ("P02", 0.9, True)])
    event_id, learner, added = _store(sessions, provider, event)
    with sessions.begin() as s:
        again = record_evidence(s, event=event, event_id=event_id, learner_id=learner, provider_id=provider.id, now=NOW)
    assert (added, again) == (2, 0)


def test_evidence_cannot_be_changed_or_deleted(sessions, provider):
    _store(sessions, provider, _event("e1", [("P01", 0.9, True)]))
    with sessions() as s:
        row = s.query(Evidence).one()
        row.passed = False
        with pytest.raises(AppendOnlyViolation):
            s.flush()
        s.rollback()
        s.delete(s.query(Evidence).one())
        with pytest.raises(AppendOnlyViolation):
            s.flush()


def test_award_is_created_once(sessions, provider):
    event_id, learner, _ = _store(sessions, provider, _event("e1", [("P01", 0.9, True)]))
    kw = dict(learner_id=learner, framework_code=FW[0], framework_version=FW[1], level="proficient", now=NOW)
    with sessions.begin() as s:
        first = create_award(s, event_id=event_id, **kw)
        again = create_award(s, event_id=None, **kw)
        assert first is not None and again is None
    with sessions() as s:
        assert awarded_levels(s, learner_id=learner, framework_code=FW[0], framework_version=FW[1]) == {"proficient"}
        assert s.get(Award, first.id).event_id == event_id


def test_concurrent_awards_make_one(sessions, provider):
    _, learner, _ = _store(sessions, provider, _event("e1", [("P01", 0.9, True)]))
    barrier = threading.Barrier(4)
    made, failures = [], []

    def work():
        barrier.wait()
        try:
            with sessions.begin() as s:
                made.append(create_award(s, learner_id=learner, framework_code=FW[0], framework_version=FW[1],
                                         level="advanced", event_id=None, now=NOW) is not None)
        except Exception as error:  # noqa: BLE001
            failures.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == [] and sorted(made) == [False, False, False, True]
