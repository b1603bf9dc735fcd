"""Learners are matched across providers by DID, else by normalized email."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from pipeline.events.normalized import LearnerRef
from pipeline.store.learners import NotOneStatement, email_hash, find_learner, match_learner, match_learners
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


def _refs(*pairs):
    return [(LearnerRef(email=e, name=n, did=d), "provider-1") for e, d, n in pairs]


def test_match_learners_follows_the_rules_event_after_event(sessions):
    """`match_learners` (a worker's batch, issue 12): one learner per person, found or created
    once, in event order, with the module's rules; same answers as `match_learner`."""
    known = _match(sessions, email="ana@example.org", did="did:key:zAna", name="Ana")
    with sessions.begin() as s:
        got = match_learners(s, _refs(
            ("ANA@example.org", None, "Ana"),          # known, by email
            ("bo@example.org", None, "Bo"),            # new
            (None, "did:key:zBo2", "Bo"),              # new: a DID alone is someone else
            ("bo@example.org", None, "Bo"),            # the new Bo again, not twice
            ("ana@example.org", "did:key:zOther", "Ana"),  # the email holds another DID: a new learner, no email
        ), now=NOW)
        ids = [learner.id for learner in got]
        assert ids[0] == known.id and ids[1] == ids[3] and len(set(ids)) == 4
        assert (got[4].did, got[4].email) == ("did:key:zOther", None)
    assert _count(sessions) == 4


def test_match_learners_leaves_changes_and_nobody_to_one_by_one(sessions):
    _match(sessions, email="ana@example.org", name="Ana")
    for refs in (_refs(("ana@example.org", "did:key:zAna", "Ana")),  # would record Ana's DID
                 _refs((None, None, "Nobody"))):
        with pytest.raises(NotOneStatement), sessions.begin() as s:
            match_learners(s, refs, now=NOW)
    assert _count(sessions) == 1
