"""A task's events worked in one transaction (`pipeline.delivery.work_together`, issue 12)
decide exactly what working them one by one decides; anything out of the ordinary falls back
to one by one, and nothing of the failed attempt remains."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import event as sa_event, select

from pipeline import delivery
from pipeline.delivery import process_events
from pipeline.processing import process_event
from pipeline.store.models import Award, Credential, Event, Evidence, Learner

from .conftest import codes, native

# (event id, native() arguments): one learner accumulating over events, a DID learner matched
# by DID and by email, a learner named differently, a fail, a level already held, two levels.
SCENARIO = [
    ("1", dict(email="ana@x.org", statements=codes("proficient", range(1, 6)))),
    ("2", dict(email="bo@x.org", level="developing")),
    ("3", dict(email="ana@x.org", statements=codes("proficient", range(6, 11)), minutes=1)),
    ("4", dict(email="bo@x.org", name="Bo Other", level="emerging", minutes=1)),
    ("5", dict(email="cy@x.org", did="did:example:cy", level="advanced", score=0.2)),
    ("6", dict(email=None, did="did:example:cy", level="advanced", minutes=1)),
    ("7", dict(email="cy@x.org", did="did:example:cy", statements=codes("emerging", range(1, 11)), minutes=2)),
    ("8", dict(email="ana@x.org", statements=codes("proficient", range(1, 3)), minutes=3)),
    ("9", dict(email="di@x.org", statements=codes("emerging", range(1, 11)) + codes("developing", range(1, 11)))),
]


def _scenario(store, prefix: str) -> list[str]:
    provider = store.provider(prefix)
    ids = []
    for event_id, kwargs in SCENARIO:
        kwargs = dict(kwargs)
        if kwargs.get("email"):
            kwargs["email"] = f"{prefix}-{kwargs['email']}"
        if kwargs.get("did"):
            kwargs["did"] = f"{kwargs['did']}-{prefix}"
        ids.append(store.record(provider, native(f"{prefix}-{event_id}", **kwargs)))
    return ids


def _decided(store, ids: list[str], prefix: str) -> list[tuple]:
    """What was decided, with the run's prefix taken out."""
    with store.reader() as s:
        events = {e.id: e for e in s.scalars(select(Event).where(Event.id.in_(ids)))}
        awards = {(a.event_id, a.level) for a in s.scalars(select(Award).where(Award.event_id.in_(ids)))}
        learners = {e.learner_id for e in events.values()}
        evidence = s.scalars(select(Evidence.event_id).where(Evidence.event_id.in_(ids))).all()
        credentials = s.scalars(select(Credential.id).join(Award).where(Award.event_id.in_(ids))).all()
    return [(events[i].state, events[i].outcome_code, events[i].outcome_message.replace(prefix, "P"),
             sorted(level for event_id, level in awards if event_id == i)) for i in ids] + [
        ("learners", len(learners)), ("evidence", len(evidence)), ("credentials", len(credentials))]


def test_together_decides_what_one_by_one_decides(processor, store, monkeypatch):
    alone = _scenario(store, "alone")
    for event_id in alone:
        process_event(processor, event_id)
    together = _scenario(store, "together")
    monkeypatch.setattr(delivery, "deliver", lambda *a, **k: pytest.fail("fell back to one by one"))
    results = process_events(processor, together)
    assert [r.state for r in results] == ["processed"] * len(SCENARIO)
    assert _decided(store, together, "together") == _decided(store, alone, "alone")
    assert [r.levels for r in results][2] == ("proficient",)  # the third event completed it, not the first
    with store.reader() as s:
        assert s.scalar(select(Award.event_id).join(Learner).where(
            Learner.email == "together-ana@x.org", Award.level == "proficient")) == together[2]


def test_together_takes_fewer_statements(processor, store, sessions):
    alone, together = _scenario(store, "alone"), _scenario(store, "together")
    counted = []
    sa_event.listen(sessions.kw["bind"], "before_cursor_execute", lambda *a: counted.append(1))
    for event_id in alone:
        process_event(processor, event_id)
    one_by_one, counted[:] = len(counted), []
    process_events(processor, together)
    assert len(counted) < one_by_one * 0.6, (len(counted), one_by_one)


def test_a_rejected_event_sends_the_batch_one_by_one(processor, store):
    ids = _scenario(store, "mixed")
    with store.sessions.begin() as s:  # event 4 names nobody: rejected, alone
        row = s.get(Event, ids[3])
        row.parsed = dict(row.parsed, learner={"email": None, "name": "Nobody", "did": None})
    results = process_events(processor, ids)
    assert [(r.state, r.code) for r in results][3] == ("rejected", "missing_learner_identity")
    assert [r.state for r in results[:3] + results[4:]] == ["processed"] * (len(SCENARIO) - 1)
    assert results[2].levels == ("proficient",)
    assert store.count(Evidence) == sum(len(native("x", **kw).get("results") or [0] * 10)
                                        for i, (_, kw) in enumerate(SCENARIO) if i != 3)


def test_a_failure_leaves_nothing_of_the_batch_and_one_by_one_finishes(processor, store, monkeypatch):
    ids = _scenario(store, "undo")
    real = delivery.decide
    calls = []

    def failing_at_the_fifth(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise KeyError("an unexpected bug in the batch")
        return real(*args, **kwargs)

    monkeypatch.setattr(delivery, "decide", failing_at_the_fifth)
    results = process_events(processor, ids)
    assert len(calls) == 5  # the batch stopped at the fifth event, then one by one (not patched) did all
    assert [r.state for r in results] == ["processed"] * len(SCENARIO)
    with store.reader() as s:
        assert s.scalar(select(Award.event_id).join(Learner).where(
            Learner.email == "undo-ana@x.org", Award.level == "proficient")) == ids[2]
        assert len(s.scalars(select(Credential.id)).all()) == 7  # each once: none left by the batch


def test_a_task_takes_waiting_events_and_works_them_in_acceptance_order(processor, store):
    """A worker's task (`take_waiting`) claims the oldest waiting events with its own and works
    them all in acceptance order; the messages of the events it took then find them done."""
    ids = _scenario(store, "taken")
    worker = dataclasses.replace(processor, take_waiting=20)
    results = process_events(worker, [ids[3]])  # the message of the fourth event came first
    assert [r.event_id for r in results] == [ids[3]] + ids[:3] + ids[4:]
    assert all(r.state == "processed" for r in results)
    assert {r.event_id: r.levels for r in results}[ids[2]] == ("proficient",)  # still the third event's level
    assert [r.state for r in process_events(worker, [ids[0]])] == ["skipped"]
