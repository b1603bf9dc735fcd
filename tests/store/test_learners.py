"""Learners are matched across providers by DID, else by normalized email."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from pipeline.events.normalized import LearnerRef
from pipeline.store.learners import email_hash, find_learner, match_learner
from pipeline.store.models import Learner

from .conftest import NOW


def _match(sessions, email=None, did=None, name=None):
    with sessions.begin() as s:
        return match_learner(s, LearnerRef(email=email, name=name, did=did), now=NOW)


def _count(sessions):
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(Learner))


def test_email_matches_after_normalization(sessions):
    a = _match(sessions, email="ana@example.org", name="Ana")
    b = _match(sessions, email="  ANA@Example.org ")
    assert a.id == b.id and _count(sessions) == 1
    assert a.email_hash == email_hash("Ana@example.org")


def test_did_is_learned_then_preferred(sessions):
    a = _match(sessions, email="ana@example.org")
    b = _match(sessions, email="ana@example.org", did="did:key:z6MkAna")
    c = _match(sessions, did="did:key:z6MkAna", email="ana.other@example.org")
    assert a.id == b.id == c.id
    with sessions() as s:
        stored = s.get(Learner, a.id)
        assert (stored.did, stored.email) == ("did:key:z6MkAna", "ana@example.org")


def test_different_did_on_same_email_is_another_learner(sessions):
    a = _match(sessions, email="ana@example.org", did="did:key:z6MkOne")
    b = _match(sessions, email="ana@example.org", did="did:key:z6MkTwo")
    assert a.id != b.id and b.email is None
    with sessions() as s:
        assert find_learner(s, email="ana@example.org").id == a.id
        assert find_learner(s, did="did:key:z6MkTwo").id == b.id


def test_did_learner_gains_a_free_email(sessions):
    a = _match(sessions, did="did:key:z6MkAna", name="Ana")
    b = _match(sessions, did="did:key:z6MkAna", email="ana@example.org")
    assert a.id == b.id
    with sessions() as s:
        assert s.get(Learner, a.id).email == "ana@example.org"


def test_concurrent_first_events_create_one_learner(sessions):
    barrier = threading.Barrier(5)
    ids, failures = [], []

    def work():
        barrier.wait()
        try:
            ids.append(_match(sessions, email="race@example.org").id)
        except Exception as error:  # noqa: BLE001
            failures.append(error)

    threads = [threading.Thread(target=work) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == [] and len(set(ids)) == 1 and _count(sessions) == 1
