"""The revoke use case (issue 8, "Revocation"): withdraw a credential for good, with a reason.

Free of Flask and Celery; the provider API, the admin key and `badgeline revoke` call it.

1. Check the reason (`RevocationRefused`, code `reason_missing` / `reason_too_long`, 422).
2. Lock every `credentials` row of the credential's award (holder-bound copies of one award
   are further rows of it: they are revoked together) and, for each not yet revoked, set
   `revoked_at` and `revocation_reason` and append a `credential_audit` row (who, when, why).
   Revoking again changes nothing and writes no audit row. There is no un-revoke. The
   providers' webhooks get a `credential.revoked` notice in the same transaction.
3. Bump `status_lists.bits_version` of every list holding a changed bit, in the SAME
   transaction: the list is now due for re-signing (`signed_bits_version` is lower).
4. After commit, the caller asks a worker to re-sign those lists (`badgeline.publish_status_list`;
   the web process holds no key) or, in the CLI, re-signs them itself. If that message is
   lost, the worker's sweep finds the list by its versions (`lists_due`) and re-signs it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from pipeline.errors import PipelineError
from pipeline.store.models import Credential, CredentialAudit, StatusList
from pipeline.webhooks.outbox import notify_credential_revoked

REVOKED = "revoked"
MAX_REASON_CHARS = 1000
PROVIDER, ADMIN, CLI = "provider", "admin", "cli"


class RevocationRefused(PipelineError):
    """The revocation request is not acceptable as sent (answered 422)."""

    code = "reason_missing"


@dataclass(frozen=True)
class Actor:
    """Who revokes: a provider (by id), the holder of the admin key, or the operator's CLI."""

    kind: str
    provider_id: str | None = None


@dataclass(frozen=True)
class Revoked:
    """What one revocation did: the rows newly revoked and the lists now due for re-signing."""

    credential_ids: tuple[str, ...]
    list_ids: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.credential_ids)


def checked_reason(value: object) -> str:
    """The stripped reason, or `RevocationRefused` pointing at `/reason`."""
    if not isinstance(value, str) or not value.strip():
        raise RevocationRefused("give the reason for revoking as a non-empty string", path="/reason")
    reason = value.strip()
    if len(reason) > MAX_REASON_CHARS:
        raise RevocationRefused(f"the reason is longer than {MAX_REASON_CHARS} characters",
                                code="reason_too_long", path="/reason")
    return reason


def award_rows(session: Session, award_id: int, *, lock: bool = False) -> list[Credential]:
    """Every credential row of one award (the credential and any copies of it), oldest first."""
    query = select(Credential).where(Credential.award_id == award_id).order_by(Credential.issued_at, Credential.id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return list(session.scalars(query))


def mark_lists_changed(session: Session, list_ids: Iterable[str]) -> None:
    """Step 3: the bits of these lists changed in this transaction."""
    for list_id in sorted(set(list_ids)):
        session.execute(update(StatusList).where(StatusList.id == list_id)
                        .values(bits_version=StatusList.bits_version + 1))


def revoke_award(session: Session, credential: Credential, *, actor: Actor, reason: object,
                 now: datetime, public_url: str | None = None) -> Revoked:
    """Steps 1-3 for the award of `credential` (already found and authorized by the caller).
    With `public_url`, the providers' webhooks are told (`credential.revoked`, queued in this
    transaction; a worker delivers them)."""
    text = checked_reason(reason)
    changed: list[Credential] = []
    for row in award_rows(session, credential.award_id, lock=True):
        if row.revoked_at is not None:
            continue
        row.revoked_at, row.revocation_reason = now, text
        session.add(CredentialAudit(credential_id=row.id, action=REVOKED, actor=actor.kind,
                                    provider_id=actor.provider_id, reason=text, at=now))
        changed.append(row)
    lists = sorted({str(r.status_list_id) for r in changed if r.status_list_id is not None})
    mark_lists_changed(session, lists)
    session.flush()
    if public_url is not None:
        for row in changed:
            if row.derived_from is None:  # one notice per credential, not per wallet copy
                notify_credential_revoked(session, row.id, public_url=public_url, now=now)
    return Revoked(tuple(r.id for r in changed), tuple(lists))


def lists_due(session: Session, *, now: datetime, resign_after: timedelta) -> list[str]:
    """Lists whose bits changed since they were signed, or signed longer than `resign_after`
    ago (their `validUntil` must not pass while the service runs): the sweep re-signs them."""
    query = select(StatusList.id).where(or_(
        StatusList.signed_bits_version < StatusList.bits_version, StatusList.signed_at.is_(None), StatusList.signed_at <= now - resign_after,
    )).order_by(StatusList.id)
    return list(session.scalars(query))


__all__ = ["ADMIN", "CLI", "MAX_REASON_CHARS", "PROVIDER", "Actor", "Revoked", "RevocationRefused", "award_rows",
           "checked_reason", "lists_due", "mark_lists_changed", "revoke_award"]
