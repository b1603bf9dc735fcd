"""Status indexes: random, unused, never reused, safe under concurrency."""

from __future__ import annotations

import itertools
import threading

import pytest
from sqlalchemy import select

from pipeline.errors import AppendOnlyViolation, StatusListFull, StoreError
from pipeline.store.models import StatusList, StatusSlot
from pipeline.store.status_slots import allocate_status_index, ensure_status_list

from .conftest import NOW


def _list(sessions, size=64, list_id="rev-1"):
    with sessions.begin() as s:
        ensure_status_list(s, list_id=list_id, purpose="revocation", size=size, now=NOW)
        ensure_status_list(s, list_id=list_id, purpose="revocation", size=size, now=NOW)


def _allocate(sessions, list_id="rev-1", **kw):
    with sessions.begin() as s:
        return allocate_status_index(s, list_id=list_id, now=NOW, **kw).index


def test_indexes_are_distinct_and_in_range(sessions):
    _list(sessions, size=64)
    got = [_allocate(sessions) for _ in range(40)]
    assert len(set(got)) == 40 and all(0 <= i < 64 for i in got)
    assert got != sorted(got)  # random, not sequential (fails with probability ~1/40!)
    with sessions() as s:
        assert s.get(StatusList, "rev-1").allocated == 40


def test_collisions_are_retried(sessions):
    _list(sessions, size=8)
    assert _allocate(sessions, choose=lambda n: 3) == 3
    counter = itertools.count()
    # Always 3 for the random tries, then the fallback picks among the free ones.
    assert _allocate(sessions, choose=lambda n: 3 if n == 8 else next(counter) % n) == 0


def test_full_list_refuses(sessions):
    _list(sessions, size=3)
    assert sorted(_allocate(sessions) for _ in range(3)) == [0, 1, 2]
    with pytest.raises(StatusListFull):
        _allocate(sessions)


def test_unknown_list_and_purpose(sessions):
    with pytest.raises(StoreError) as caught:
        _allocate(sessions, list_id="nope")
    assert caught.value.code == "status_list_unknown"
    with sessions.begin() as s, pytest.raises(StoreError):
        ensure_status_list(s, list_id="x", purpose="refresh", now=NOW)


def test_slots_are_never_deleted_or_moved(sessions):
    _list(sessions)
    _allocate(sessions)
    with sessions() as s:
        slot = s.scalars(select(StatusSlot)).one()
        slot.index = slot.index + 1 if slot.index < 63 else 0
        with pytest.raises(AppendOnlyViolation):
            s.flush()
        s.rollback()
        s.delete(s.scalars(select(StatusSlot)).one())
        with pytest.raises(AppendOnlyViolation):
            s.flush()


def test_concurrent_allocation(sessions):
    _list(sessions, size=32)
    barrier = threading.Barrier(4)
    got, failures = [], []

    def work():
        barrier.wait()
        for _ in range(5):
            try:
                got.append(_allocate(sessions))
            except Exception as error:  # noqa: BLE001
                failures.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == [] and len(got) == 20 and len(set(got)) == 20
