"""Expiry and renewal (issue 8) through the worker's use case, on SQLite and PostgreSQL: a level
policy's `validForDays` gives `validUntil`; passing the level again inside the renewal window
(or after expiry) gives one new credential that replaces the old, which stays valid."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from pipeline.credential_resource import credential_resource
from pipeline.renewals import expiring_credentials
from pipeline.revocation import CLI, Actor, revoke_award
from pipeline.settings import Settings
from pipeline.store.evidence import create_award
from pipeline.store.models import Award, Credential
from tests.lifecycle_data import RENEW_WITHIN_DAYS, VALID_FOR_DAYS, Issuer, expiring_registry, proficient_event

PUBLIC = "https://badges.example.org"
T0 = datetime(2026, 1, 10, 9, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)


@pytest.fixture
def issuer(sessions, tmp_path) -> Issuer:
    settings = Settings.explicit(database_url="sqlite://", data_dir=tmp_path / "data", public_url=PUBLIC)
    return Issuer(sessions, settings, expiring_registry(), T0)


def at(issuer: Issuer, when: datetime) -> Issuer:
    issuer.now = when
    return issuer


def resource(issuer: Issuer, credential_id: str) -> dict:
    with issuer.sessions() as s:
        return credential_resource(s, s.get(Credential, credential_id), public_url=PUBLIC, now=issuer.now)


def test_policy_validity_gives_valid_until(issuer):
    [first] = issuer.passes("ana@example.org")
    with issuer.sessions() as s:
        credential = s.get(Credential, first)
        assert credential.document["validUntil"] == "2027-01-10T09:00:00Z"
        assert credential.valid_until == T0 + VALID_FOR_DAYS * DAY and credential.award.renewal == 0
    emerging = issuer.process({**proficient_event("bo-e", "bo@example.org", T0), "results": [
        {"statement": f"E{n:02d}", "passed": True} for n in range(1, 11)]})
    with issuer.sessions() as s:
        assert "validUntil" not in s.get(Credential, emerging[0]).document  # no validForDays: no expiry


def test_passing_again_in_the_window_renews_once_and_the_old_one_stays_valid(issuer):
    [old] = issuer.passes("ana@example.org")
    assert at(issuer, T0 + 100 * DAY).passes("ana@example.org") == []  # too early: no renewal
    window = T0 + (VALID_FOR_DAYS - RENEW_WITHIN_DAYS) * DAY
    assert at(issuer, window + 5 * DAY).process(proficient_event("late-but-old", "ana@example.org",
                                                                 window - DAY)) == []  # assessed before it opened
    [new] = at(issuer, window + 5 * DAY).passes("ana@example.org")
    assert at(issuer, window + 6 * DAY).passes("ana@example.org") == []  # the new one is not due yet
    with issuer.sessions() as s:
        renewed = s.get(Credential, new)
        assert renewed.replaces_id == old and renewed.award.renewal == 1
        assert renewed.valid_until == window + 5 * DAY + VALID_FOR_DAYS * DAY
        # cites only the pass of its window (not T0's, T0+100's nor the one assessed before the window)
        [cited] = renewed.document["evidence"]
        assert cited["id"] not in {e["id"] for e in s.get(Credential, old).document["evidence"]}
        assert s.get(Credential, old).revoked_at is None
        awards = s.scalars(select(Award.renewal).order_by(Award.renewal)).all()
        assert awards == [0, 1]
    old_view = resource(issuer, old)
    assert old_view["status"] == "active" and old_view["superseded_by"]["id"] == new
    assert resource(issuer, new)["replaces"]["id"] == old
    at(issuer, T0 + VALID_FOR_DAYS * DAY + DAY)
    assert resource(issuer, old)["status"] == "expired" and resource(issuer, new)["status"] == "active"
    with issuer.sessions() as s:  # renewed: nothing left to act on
        assert expiring_credentials(s, now=window, within=60 * DAY) == []


def test_after_expiry_a_fresh_pass_renews(issuer):
    [old] = issuer.passes("bo@example.org")
    [new] = at(issuer, T0 + 400 * DAY).passes("bo@example.org")
    with issuer.sessions() as s:
        assert s.get(Credential, new).replaces_id == old


def test_a_revoked_credential_is_never_renewed(issuer):
    [old] = issuer.passes("cy@example.org")
    with issuer.sessions.begin() as s:
        revoke_award(s, s.get(Credential, old), actor=Actor(CLI), reason="fraud", now=T0 + DAY)
    assert at(issuer, T0 + 350 * DAY).passes("cy@example.org") == []


def test_a_partial_pass_in_the_window_is_not_a_renewal(issuer):
    issuer.passes("di@example.org")
    late = T0 + 350 * DAY
    assert at(issuer, late).process(proficient_event("di-part", "di@example.org", late, statements=range(1, 10))) == []
    assert at(issuer, late).process(proficient_event("di-rest", "di@example.org", late,
                                                     statements=range(10, 11))) != []


def test_the_unique_key_lets_one_renewal_be_created(issuer):
    issuer.passes("ed@example.org")
    with issuer.sessions.begin() as s:
        first = s.scalars(select(Award)).one()
        key = dict(learner_id=first.learner_id, framework_code=first.framework_code,
                   framework_version=first.framework_version, level=first.level, event_id=None, now=T0)
        assert create_award(s, **key, renewal=1) is not None
        assert create_award(s, **key, renewal=1) is None
        assert create_award(s, **key, renewal=0) is None


def test_expiring_credentials_window(issuer):
    [ana] = issuer.passes("ana@example.org")
    [bo] = at(issuer, T0 + 10 * DAY).passes("bo@example.org")
    with issuer.sessions() as s:
        soon = T0 + (VALID_FOR_DAYS - 20) * DAY
        assert [c.id for c in expiring_credentials(s, now=soon, within=30 * DAY)] == [ana, bo]
        assert [c.id for c in expiring_credentials(s, now=soon, within=25 * DAY)] == [ana]
        assert expiring_credentials(s, now=T0 + 400 * DAY, within=30 * DAY) == []  # already expired
