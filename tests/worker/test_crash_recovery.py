"""Issue 10, finding 2: the events a SIGKILLed worker held come back within seconds, not minutes.

Real worker processes on a real Redis, on SQLite and PostgreSQL, with the DEFAULT lease, sweep
interval and a 300 s broker visibility timeout (so Redis's own redelivery cannot be what saves
the events). Promise: every event final within 60 s of the worker's restart, each exactly once.
"""

from __future__ import annotations

import time
from collections import Counter

from pipeline.processing import LEVELS_REACHED
from pipeline.store.models import Award, Credential, StatusSlot

from .conftest import native
from .test_celery_worker import _credentials_by_learner, _verified, _wait

PROMISE_S = 60.0


def _docs(prefix: str, n: int) -> list[dict]:
    return [native(f"{prefix}-{i}", email=f"{prefix}{i}@example.org", level="emerging") for i in range(n)]


def test_a_batch_held_by_a_killed_worker_is_done_within_a_minute_of_the_restart(stack_factory, shared_redis):
    stack = stack_factory(shared_redis)
    store = stack.store
    provider = store.provider("Alpha")
    ids = [store.record(provider, doc) for doc in _docs("held", 8)]
    doomed = stack.worker(BADGELINE_TEST_PAUSE_BEFORE_COMMIT_S=120)
    stack.dispatcher().send_process_events(ids)
    _wait(lambda: all(store.event(i).state == "processing" for i in ids), 30, "the claim of the batch", stack)
    time.sleep(1.0)  # the first event's work transaction is asleep before its commit
    doomed.kill()
    assert store.count(Credential) == 0  # the killed transaction left nothing

    stack.worker("-B")  # the restart (with the sweep, as `badgeline up` runs it)
    restarted = time.monotonic()
    events = store.wait_final(ids, timeout=PROMISE_S)
    took = time.monotonic() - restarted
    assert {(e.state, e.outcome_code) for e in events} == {("processed", LEVELS_REACHED)}, stack.logs()
    assert all(e.attempts == 2 for e in events), [e.attempts for e in events]
    assert store.count(Credential) == 8 and store.count(StatusSlot) == 8
    print(f"batch of 8 held by a killed worker: all processed {took:.1f} s after the restart")


def test_three_sigkills_mid_stream_lose_and_duplicate_nothing(stack_factory, shared_redis):
    stack = stack_factory(shared_redis)
    store, dispatcher = stack.store, stack.dispatcher()
    provider = store.provider("Alpha")
    ids = [store.record(provider, doc) for doc in _docs("s", 150)]
    stack.worker("-B")  # the sweeper: never killed
    victim = stack.worker()
    for start in range(0, len(ids), 10):
        dispatcher.send_process_events(ids[start:start + 10])
    for _ in range(3):
        _wait(lambda: store.count(Award) > 0, 30, "some progress", stack)
        time.sleep(0.7)
        victim.kill()
        victim = stack.worker()
    restarted = time.monotonic()
    events = store.wait_final(ids, timeout=PROMISE_S)
    took = time.monotonic() - restarted
    assert {(e.state, e.outcome_code) for e in events} == {("processed", LEVELS_REACHED)}, stack.logs()
    assert _credentials_by_learner(store) == Counter({(f"s{i}@example.org", "emerging"): 1 for i in range(150)})
    assert store.count(StatusSlot) == 150 and store.count(Award) == 150
    _verified(store.credentials_of(ids[0])[0].document)
    print(f"150 events, 3 SIGKILLs: all processed {took:.1f} s after the last restart; "
          f"attempts {Counter(e.attempts for e in events)}")
