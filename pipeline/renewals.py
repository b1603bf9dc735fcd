"""Expiry and renewal of level credentials (issue 8, "Expiry and renewal").

- A level's policy may set `validForDays`: its credentials carry `validUntil` = issuance +
  that many days (`valid_until_for`), also stored on `credentials.valid_until`.
- The renewal window of a credential opens `renewWithinDays` (default 30) before its
  `validUntil` and never closes. A learner whose latest credential of a level is in its
  window, not revoked, and who reaches the level again with passes ASSESSED since the
  window opened (older passes do not count twice) is due a renewal (`renewals_due`).
- A renewal is a new award of the same (learner, framework version, level) with the next
  `renewal` number (the unique key includes it, so exactly one worker creates it), and a new
  credential whose `replaces_id` is the old one. The old credential is not revoked: it
  stays valid until its own `validUntil`; its resource links to the newer one.
- A revoked credential is never renewed (revocation is permanent).
- `expiring_credentials`: credentials not revoked, not yet renewed, whose `validUntil` falls
  within a window from now (for `GET /credentials?expiring_within=` and the CLI).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, selectinload

from issuer.frameworks.models import Framework
from issuer.frameworks.policy import levels_reached
from pipeline.revocation import award_rows
from pipeline.store.models import Award, Credential, Evidence


@dataclass(frozen=True)
class Renewal:
    """A level due again: the award number to create and the credential it replaces."""

    level: str
    number: int
    replaces: Credential
    since: datetime
    """When the renewal window opened: only passes assessed since then count (and are cited)."""


def valid_until_for(framework: Framework, level: str, now: datetime) -> datetime | None:
    days = framework.policy.rule(level).valid_for_days
    return None if days is None else now + timedelta(days=days)


def window_opens(framework: Framework, level: str, valid_until: datetime) -> datetime:
    return valid_until - timedelta(days=framework.policy.rule(level).renew_within_days)


def latest_award(session: Session, *, learner_id: int, framework: Framework, level: str) -> Award | None:
    return session.scalar(select(Award).where(
        Award.learner_id == learner_id, Award.framework_code == framework.code,
        Award.framework_version == framework.version, Award.level == level,
    ).order_by(Award.renewal.desc()).limit(1))


def passed_since(session: Session, *, learner_id: int, framework: Framework, since: datetime) -> set[str]:
    """Statements of the framework version the learner passed in assessments dated `since` or later."""
    return set(session.scalars(select(Evidence.statement_code).distinct().where(
        Evidence.learner_id == learner_id, Evidence.framework_code == framework.code,
        Evidence.framework_version == framework.version, Evidence.passed.is_(True), Evidence.assessed_at >= since,
    )))


def renewal_of(session: Session, framework: Framework, learner_id: int, level: str, now: datetime) -> Renewal | None:
    """The renewal of `level` due now, if any (module docstring)."""
    award = latest_award(session, learner_id=learner_id, framework=framework, level=level)
    rows = award_rows(session, award.id) if award is not None else []
    if not rows or rows[0].valid_until is None or any(r.revoked_at is not None for r in rows):
        return None
    since = window_opens(framework, level, rows[0].valid_until)
    if now < since or since <= rows[0].issued_at:  # not open yet; or a policy no loader would accept
        return None
    passed = passed_since(session, learner_id=learner_id, framework=framework, since=since)
    if level not in levels_reached(framework, framework.policy, passed):
        return None
    return Renewal(level=level, number=award.renewal + 1, replaces=rows[0], since=since)


def expiring_levels(framework: Framework) -> list[str]:
    """The levels whose policy sets `validForDays`: the only ones a renewal can be due for."""
    return [level.key for level in framework.levels if framework.policy.rule(level.key).valid_for_days is not None]


def renewals_due(session: Session, framework: Framework, learner_id: int, awarded: Iterable[str],
                 now: datetime) -> list[Renewal]:
    """The renewals due for the levels already `awarded` to the learner (lowest level first);
    only levels that expire are looked at (no query at all for a framework without expiry)."""
    found = [renewal_of(session, framework, learner_id, level, now)
             for level in expiring_levels(framework) if level in set(awarded)]
    return [r for r in found if r is not None]


def cited_since(rows: Sequence[Evidence], renewal: Renewal | None) -> list[Evidence]:
    """The passing evidence a credential cites: for a renewal, only that assessed in its window."""
    return list(rows) if renewal is None else [r for r in rows if r.assessed_at >= renewal.since]


def expiring_credentials(session: Session, *, now: datetime, within: timedelta) -> list[Credential]:
    """Credentials, not revoked and not renewed, expiring in (now, now + within], soonest first."""
    newer = aliased(Credential)
    query = (select(Credential).options(selectinload(Credential.award))
             .where(Credential.valid_until > now, Credential.valid_until <= now + within,
                    Credential.revoked_at.is_(None), Credential.derived_from.is_(None),
                    ~select(newer.id).where(newer.replaces_id == Credential.id).exists())
             .order_by(Credential.valid_until, Credential.id))
    return list(session.scalars(query))


__all__ = ["Renewal", "cited_since", "expiring_credentials", "expiring_levels", "renewal_of", "renewals_due", "valid_until_for",
           "window_opens"]
