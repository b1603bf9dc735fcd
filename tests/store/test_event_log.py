"""Events are stored once per (provider, event id); replays return the original; states move forward."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from pipeline.errors import EventConflict, InvalidStateTransition
from pipeline.store.event_log import (
    claim_event, claim_waiting, events_to_resend, finish_event, mark_task_sent, record_event,
)
from pipeline.store.models import Event, Provider
from pipeline.store.types import new_ordered_uuid

from .conftest import NOW


def _record(session, provider, body=b'{"a":1}', event_id="lms-1", **kw):
    return record_event(session, provider_id=provider.id, provider_event_id=event_id, raw_payload=body,
                        source_format="native", parsed={"x": 1}, now=NOW, **kw)


def test_first_post_creates_and_replay_returns_it(sessions, provider):
    with sessions.begin() as s:
        first = _record(s, provider)
    with sessions.begin() as s:
        again = _record(s, provider)
    assert first.created and not again.created
    assert again.event.id == first.event.id and again.event.state == "received"


def test_same_id_different_body_conflicts(sessions, provider):
    with sessions.begin() as s:
        _record(s, provider)
    with sessions.begin() as s:
        with pytest.raises(EventConflict) as caught:
            _record(s, provider, body=b'{"a":2}')
    assert caught.value.code == "event_conflict"


def test_same_id_from_another_provider_is_another_event(sessions, provider):
    with sessions.begin() as s:
        other = Provider(name="other", created_at=NOW)
        s.add(other)
        s.flush()
        a = _record(s, provider)
        b = _record(s, other)
    assert a.created and b.created and a.event.id != b.event.id


def test_concurrent_posts_store_one_event(sessions, provider):
    results, failures = [], []
    barrier = threading.Barrier(6)

    def post():
        barrier.wait()
        try:
            with sessions.begin() as s:
                results.append(_record(s, provider).created)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            failures.append(error)

    threads = [threading.Thread(target=post) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert sorted(results) == [False] * 5 + [True]
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Event)) == 1


def test_states_move_forward_once(sessions, provider):
    with sessions.begin() as s:
        event_id = _record(s, provider).event.id
    with sessions.begin() as s:
        event = claim_event(s, event_id, now=NOW)
        assert event.state == "processing" and event.attempts == 1
        finish_event(s, event, state="processed", now=NOW, outcome_code="ok")
    with sessions.begin() as s:
        assert claim_event(s, event_id, now=NOW) is None
        event = s.get(Event, event_id)
        with pytest.raises(InvalidStateTransition):
            finish_event(s, event, state="rejected", now=NOW)
        with pytest.raises(InvalidStateTransition):
            finish_event(s, event, state="processing", now=NOW)
    with sessions() as s:
        stored = s.get(Event, event_id)
        assert (stored.state, stored.outcome_code, stored.finished_at) == ("processed", "ok", NOW)


def test_rejected_on_arrival_is_final(sessions, provider):
    with sessions.begin() as s:
        rec = _record(s, provider, state="rejected", outcome_code="unknown_statement", outcome_message="Z99")
    with sessions.begin() as s:
        assert claim_event(s, rec.event.id, now=NOW) is None


def test_sweep_finds_only_old_unsent_received_events(sessions, provider):
    with sessions.begin() as s:
        old = _record(s, provider, event_id="old").event.id
        sent = _record(s, provider, event_id="sent").event.id
        done = _record(s, provider, event_id="done").event.id
        finish_event(s, claim_event(s, done, now=NOW), state="processed", now=NOW)
        mark_task_sent(s, [sent], now=NOW + timedelta(seconds=50))
    with sessions() as s:
        later = NOW + timedelta(seconds=61)
        assert events_to_resend(s, now=later, min_age=timedelta(seconds=60)) == [old]
        assert events_to_resend(s, now=NOW + timedelta(seconds=5), min_age=timedelta(seconds=60)) == []
        much_later = NOW + timedelta(seconds=200)
        assert sorted(events_to_resend(s, now=much_later, min_age=timedelta(seconds=60))) == sorted([old, sent])


def test_event_ids_are_time_ordered_uuids():
    """Event ids sort in the order they were made (UUID version 7, RFC 9562), also many per millisecond."""
    ids = [new_ordered_uuid() for _ in range(10_000)]
    assert sorted(ids) == ids and len(set(ids)) == len(ids)
    parsed = uuid.UUID(ids[0])
    assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
    assert abs((parsed.int >> 80) - time.time() * 1000) < 60_000  # its first 48 bits are the time in ms


def test_claim_waiting_takes_the_oldest_received_in_acceptance_order(sessions, provider):
    with sessions.begin() as s:  # made first, accepted last: acceptance time comes before the id
        late = record_event(s, provider_id=provider.id, provider_event_id="late", raw_payload=b"{}",
                            source_format="native", parsed={"x": 1}, now=NOW + timedelta(seconds=1)).event.id
        ids = [_record(s, provider, event_id=f"w-{i}", body=b'{"i":%d}' % i).event.id for i in range(6)]
    with sessions.begin() as s:
        claim_event(s, ids[0], now=NOW)  # taken by a task already
        finish_event(s, s.get(Event, ids[1]), state="processed", now=NOW)
    with sessions.begin() as s:
        taken = claim_waiting(s, 3, now=NOW, lease=timedelta(seconds=15), exclude=[ids[2]])
    assert sorted(taken) == ids[3:6] and all(c.attempts == 1 for c in taken.values())
    with sessions.begin() as s:
        assert set(claim_waiting(s, 5, now=NOW, lease=timedelta(seconds=15))) == {ids[2], late}
        assert s.get(Event, late).state == "processing" and s.get(Event, late).lease_until is not None


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SKIP LOCKED; SQLite has one writer
def test_claim_waiting_skips_rows_another_transaction_holds(sessions, provider):
    with sessions.begin() as s:
        ids = [_record(s, provider, event_id=f"k-{i}", body=b'{"i":%d}' % i).event.id for i in range(3)]
    holder = sessions()
    holder.begin()
    holder.execute(select(Event.id).where(Event.id == ids[0]).with_for_update())
    try:
        with sessions.begin() as s:
            assert sorted(claim_waiting(s, 3, now=NOW, lease=timedelta(seconds=15))) == ids[1:]
    finally:
        holder.rollback()
        holder.close()
