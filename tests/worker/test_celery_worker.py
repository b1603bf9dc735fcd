"""Real Celery workers (subprocesses) on a real Redis, on SQLite and PostgreSQL: exactly one
outcome per event and one credential per level, through duplicates, concurrency, a worker
killed mid-transaction, a sweep of undispatched events and a Redis restart."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from issuer.dids import resolve_did_key
from issuer.status import read_status
from issuer.verify import verify_credential
from pipeline.processing import LEVELS_REACHED, NO_NEW_LEVEL
from pipeline.store.models import Award, Credential, Evidence, Learner, StatusList, StatusSlot
from pipeline.tasks import PUBLISH_STATUS_LIST
from pipeline.worker import BrokerUnavailable

from .conftest import CLOCK, codes, native

def _verified(document) -> None:
    report = verify_credential(document, resolve_key=resolve_did_key, now=CLOCK + timedelta(days=3650))
    checks = {c.name: c.outcome.name for c in report.checks}
    assert checks["proof"] == "PASS" and checks["schema"] == "PASS" and checks["contexts"] == "PASS", report.as_dict()


def _credentials_by_learner(store) -> Counter:
    with store.reader() as s:
        rows = s.execute(select(Learner.email, Award.level).join(Award, Award.learner_id == Learner.id)
                         .join(Credential, Credential.award_id == Award.id)).all()
    return Counter(rows)


def _record_all(store, provider, docs) -> list[str]:
    return [store.record(provider, doc) for doc in docs]


def _wait(predicate, timeout: float, what: str, stack) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{stack.logs()}")
        time.sleep(0.1)


def test_the_main_job_through_a_real_worker(stack):
    worker = stack.worker()
    store, dispatcher = stack.store, stack.dispatcher()
    alpha, beta = store.provider("Alpha"), store.provider("Beta")
    ana = "ana@example.org"
    ids = _record_all(store, alpha, [native("ana-1", email=ana, statements=codes("proficient", range(1, 6)))])
    ids += _record_all(store, beta, [
        native("ana-2", email=ana, statements=codes("proficient", range(6, 10)), assessment="b-2", minutes=1),
        native("ana-3", email=ana, statements=["P10"], assessment="b-3", minutes=2),
        native("bo-1", email="bo@example.org", statements=codes("emerging", range(1, 10))),
        native("cy-1", email="cy@example.org", level="developing", score=0.85),
        native("di-1", email="di@example.org", statements=codes("advanced", range(1, 6))),
        native("di-2", email="di@example.org", statements=codes("advanced", range(1, 6)), score=0.2, minutes=1),
        native("di-3", email="di@example.org", statements=codes("advanced", range(6, 11)), minutes=2),
    ])
    for event_id in ids[:-1]:
        dispatcher.send_process_event(event_id)
    dispatcher.send_process_event(ids[4])  # a duplicate delivery of cy-1, consumed before the last event
    dispatcher.send_process_event(ids[-1])
    events = store.wait_final(ids)
    assert [e.state for e in events] == ["processed"] * len(ids), stack.logs()
    assert [e.outcome_code for e in events] == [NO_NEW_LEVEL, NO_NEW_LEVEL, LEVELS_REACHED, NO_NEW_LEVEL,
                                               LEVELS_REACHED, NO_NEW_LEVEL, NO_NEW_LEVEL, LEVELS_REACHED]
    assert _credentials_by_learner(store) == Counter({(ana, "proficient"): 1, ("cy@example.org", "developing"): 1,
                                                      ("di@example.org", "advanced"): 1})
    # The duplicate ran and did nothing (the first task may have taken every waiting event, so
    # the other messages, the duplicate among them, can still be queued when all are final).
    _wait(lambda: f"event {ids[4]}: skipped" in worker.log(), 30, "the duplicate delivery", stack)
    assert store.event(ids[4]).attempts == 1 and store.count(Credential) == 3
    [ana_credential] = store.credentials_of(ids[2])
    _verified(ana_credential.document)
    assert len(ana_credential.document["evidence"]) == 3

    # A keyless process marks a revocation; the worker re-signs the list.
    with store.sessions.begin() as s:
        s.get(Credential, ana_credential.id).revoked_at = CLOCK
    with store.reader() as s:
        signed_before = s.get(StatusList, "1").signed_at
    stack.app.send_task(PUBLISH_STATUS_LIST, args=["1"])

    def resigned() -> bool:
        with store.reader() as s:
            return s.get(StatusList, "1").signed_at != signed_before

    _wait(resigned, 30, "the status list to be re-signed", stack)
    with store.reader() as s:
        document = s.get(StatusList, "1").document
    _verified(document)
    assert read_status(document, ana_credential.document["credentialStatus"]) == 1


@pytest.mark.parametrize("task_events", [0, 20])
def test_concurrent_events_of_one_learner_on_two_workers(stack, task_events):
    """Each event its own task on two workers, with workers working only their own events (0)
    and taking waiting events too (20, the default): the same single outcome either way."""
    stack.worker(BADGELINE_WORKER_TASK_EVENTS=task_events)
    stack.worker(BADGELINE_WORKER_TASK_EVENTS=task_events)
    store, dispatcher = stack.store, stack.dispatcher()
    providers = [store.provider("Alpha"), store.provider("Beta")]
    learners = [f"k{i}@example.org" for i in range(4)]
    ids = []
    for n in range(1, 11):  # one statement per event, interleaved across learners and providers
        for i, email in enumerate(learners):
            ids.append(store.record(providers[(n + i) % 2], native(f"{email}-{n}", email=email,
                                                                   statements=[f"P{n:02d}"], minutes=n)))
    for event_id in ids:
        dispatcher.send_process_event(event_id)
    events = store.wait_final(ids, timeout=60)
    assert {e.state for e in events} == {"processed"}, stack.logs()
    assert Counter(e.outcome_code for e in events) == {NO_NEW_LEVEL: 36, LEVELS_REACHED: 4}
    assert _credentials_by_learner(store) == Counter({(email, "proficient"): 1 for email in learners})
    assert store.count(Evidence) == 40 and store.count(StatusSlot) == 4
    if task_events == 0:
        assert all(": processed " in w.log() for w in stack.workers)  # both workers took part


def test_worker_killed_inside_the_transaction_and_the_redelivery_redoes_it(stack_factory, shared_redis):
    stack = stack_factory(shared_redis, visibility_s=3)
    store = stack.store
    doomed = stack.worker(BADGELINE_TEST_PAUSE_BEFORE_COMMIT_S=60)
    event_id = store.record(store.provider("Alpha"), native("kill-1", level="proficient"))
    stack.dispatcher().send_process_event(event_id)
    _wait(lambda: store.event(event_id).state == "processing", 30, "the claim", stack)
    time.sleep(2.0)  # the work transaction is now asleep before its commit
    doomed.kill()
    event = store.event(event_id)
    assert (event.state, event.attempts) == ("processing", 1)
    for model in (Award, Credential, Evidence, StatusSlot):
        assert store.count(model) == 0, model  # the killed transaction left nothing
    stack.worker()
    [event] = store.wait_final([event_id], timeout=40)
    assert (event.state, event.outcome_code, event.attempts) == ("processed", LEVELS_REACHED, 2), stack.logs()
    assert store.count(Credential) == 1 and store.count(Evidence) == 10 and store.count(StatusSlot) == 1
    _verified(store.credentials_of(event_id)[0].document)


def test_beat_sweep_resends_an_event_that_was_never_dispatched(stack_factory, shared_redis):
    stack = stack_factory(shared_redis, sweep_interval_s=1, sweep_min_age_s=1)
    stack.worker("-B")
    store = stack.store
    event_id = store.record(store.provider("Alpha"), native("lost-1", level="emerging"))  # no task sent
    [event] = store.wait_final([event_id], timeout=30)
    assert (event.state, event.outcome_code, event.attempts) == ("processed", LEVELS_REACHED, 1), stack.logs()
    assert event.task_sent_at is not None and store.count(Credential) == 1


def test_redis_restart_mid_stream_loses_nothing(stack_factory, private_redis):
    stack = stack_factory(private_redis.url, sweep_interval_s=1, sweep_min_age_s=2)
    stack.worker("-B")
    store, dispatcher = stack.store, stack.dispatcher()
    provider = store.provider("Alpha")
    before = [store.record(provider, native(f"r-{i}", email=f"r{i}@example.org", level="emerging")) for i in range(3)]
    for event_id in before:
        dispatcher.send_process_event(event_id)
    store.wait_final(before)

    private_redis.stop()
    during = [store.record(provider, native(f"s-{i}", email=f"r{i}@example.org", level="advanced")) for i in range(3)]
    with pytest.raises(BrokerUnavailable):
        dispatcher.send_process_event(during[0])  # the API logs this and answers 202 anyway
    private_redis.start()  # empty: whatever it held is gone

    events = store.wait_final(during, timeout=60)
    assert {e.state for e in events} == {"processed"}, stack.logs()
    assert stack.workers[0].process.poll() is None  # the same worker reconnected
    assert all(e.task_sent_at is not None for e in events)  # the sweep sent them
    assert _credentials_by_learner(store) == Counter(
        {(f"r{i}@example.org", level): 1 for i in range(3) for level in ("emerging", "advanced")})
