"""Learners, matched across providers by DID, else by normalized email, else (within one
provider only) by that provider's account of them.

Matching rules (documented for the README):
1. An event with a DID matches the learner holding that DID.
2. Otherwise an email matches the learner holding that normalized email; if that learner
   has no DID yet and the event brings one, it is recorded. If that learner already has a
   *different* DID, the event's DID wins: a new learner is created with the DID and no
   email (emails are unique), so two DIDs are never merged on an email.
3. A DID-matched learner without an email gets the event's email when no one else holds it.
4. An event with neither DID nor email names the learner by the provider's own account
   (xAPI `actor.account`): stored as `provider id|homePage#name`, so two providers' accounts
   never meet. A learner found by DID or email records the event's account when it is free.
Concurrent creation of the same learner is settled by the unique constraints
(`INSERT ... ON CONFLICT DO NOTHING`, then match again, once).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pipeline.errors import StoreError
from pipeline.events.normalized import LearnerRef, normalize_email
from pipeline.store.inserts import insert_all_or_skip, insert_or_skip
from pipeline.store.models import Learner


def email_hash(email: str) -> str:
    """Hex SHA-256 of the normalized email (a lookup key, not a published identifier)."""
    return hashlib.sha256(normalize_email(email).encode("utf-8")).hexdigest()


def scoped_account(provider_id: str, account: str) -> str:
    """The stored form of a provider's account of a learner: only that provider's events match it."""
    return f"{provider_id}|{account}"


def public_account(stored: str | None) -> str | None:
    """The account without its provider scope (`homePage#name`), as a credential hashes it."""
    return stored.split("|", 1)[1] if stored and "|" in stored else None


def find_learner(session: Session, *, did: str | None = None, email: str | None = None,
                 account: str | None = None, lock: bool = False) -> Learner | None:
    """The learner with this DID, else with this (normalized) email, else this scoped account;
    with `lock`, their row is held (`FOR UPDATE`) until the transaction ends."""
    def one(condition) -> Learner | None:
        query = select(Learner).where(condition)
        return session.scalars(query.with_for_update() if lock else query).one_or_none()

    if did:
        found = one(Learner.did == did)
        if found is not None:
            return found
    if email:
        found = one(Learner.email == normalize_email(email))
        if found is not None or not account:
            return found
    if account:
        return one(Learner.account == account)
    return None


def _email_free(session: Session, email: str) -> bool:
    return session.scalars(select(Learner.id).where(Learner.email == email)).first() is None


def _update(session: Session, learner: Learner, ref: LearnerRef, email: str | None, account: str | None) -> Learner:
    if ref.did and learner.did is None:
        learner.did = ref.did
    if account and learner.account is None and session.scalars(
            select(Learner.id).where(Learner.account == account)).first() is None:
        learner.account = account
    if email and learner.email is None and _email_free(session, email):
        learner.email, learner.email_hash = email, email_hash(email)
    if ref.name and not learner.display_name:
        learner.display_name = ref.name
    return learner


def _may_change(learner: Learner, ref: LearnerRef, email: str | None, account: str | None) -> bool:
    """Whether `_update` could change anything (if not, no savepoint is needed)."""
    return bool((ref.did and learner.did is None) or (account and learner.account is None)
                or (email and learner.email is None) or (ref.name and not learner.display_name))


Find = Callable[[str, str], "Learner | _New | None"]
"""(column, value) -> the learner holding that DID, email or account, if any."""


@dataclass(eq=False)
class _New:
    """A learner to create: what `ref` brings, less an email or account another learner holds."""

    did: str | None
    email: str | None
    account: str | None
    display_name: str | None

    def row(self, now: datetime) -> dict:
        return dict(did=self.did, email=self.email, email_hash=email_hash(self.email) if self.email else None,
                    account=self.account, display_name=self.display_name, created_at=now)


def _match(ref: LearnerRef, email: str | None, account: str | None, find: Find) -> Learner | _New | None:
    """Rules 1-4 of the module docstring: the learner `ref` names, found through `find`."""
    by_did = find("did", ref.did) if ref.did else None
    if by_did is not None:
        return by_did
    by_email = find("email", email) if email else None
    if by_email is not None and (ref.did is None or by_email.did is None):
        return by_email
    if account and not ref.did and not email:
        return find("account", account)
    return None


def _new(ref: LearnerRef, email: str | None, account: str | None, held: Find) -> _New:
    """The learner to create for `ref` when `_match` found none (`held`: who holds a value now)."""
    return _New(did=ref.did, email=email if email and (ref.did is None or held("email", email) is None) else None,
                account=account if account and held("account", account) is None else None, display_name=ref.name)


def match_learner(session: Session, ref: LearnerRef, *, now: datetime, provider_id: str | None = None,
                  lock: bool = False) -> Learner:
    """The learner `ref` names, created if new (see the module rules); `provider_id` scopes an account.

    With `lock`, a learner found is held (`FOR UPDATE`) until the transaction ends, so one
    learner's events are decided one after the other; a learner created here is this
    transaction's own row until it commits (a concurrent twin waits on the unique index, then
    finds it)."""
    account = scoped_account(provider_id, ref.account) if ref.account and provider_id else None
    if not ref.did and not ref.email and not account:
        raise StoreError("a learner needs a DID, an email or an account", code="missing_learner_identity")
    email = normalize_email(ref.email) if ref.email else None
    def found_by(column: str, value: str) -> Learner | None:
        return find_learner(session, **{column: value}, lock=lock)

    def held(column: str, value: str) -> Learner | None:  # no lock: only asks whether a value is taken
        return session.scalars(select(Learner).where(getattr(Learner, column) == value)).first()

    for _attempt in range(2):
        found = _match(ref, email, account, found_by)
        if found is not None:
            if not _may_change(found, ref, email, account):
                return found
            with session.begin_nested():
                return _update(session, found, ref, email, account)
        created = insert_or_skip(session, Learner, _new(ref, email, account, held).row(now))
        if created is not None:
            return created
        # someone created them meanwhile (a unique DID, email or account): match again
    raise StoreError("could not match or create the learner", code="learner_conflict")


class NotOneStatement(StoreError):
    """`match_learners` met a case it leaves to `match_learner` (one event at a time)."""

    code = "learners_one_by_one"


def match_learners(session: Session, refs: Sequence[tuple[LearnerRef, str]], *, now: datetime) -> list[Learner]:
    """`match_learner(lock=True)` for a batch of events, in their order, with one statement to
    find and lock every learner they may name and one to create the new ones (issue 12).

    The rules are the module's, applied one event after the other in memory, so a learner
    created by an earlier event of the batch is found by a later one. A case that would
    change a learner found (a DID, email, account or name to record), an event naming
    nobody, or a learner created meanwhile by another transaction raises `NotOneStatement`:
    the caller rolls back and matches one event at a time."""
    keyed = []
    for ref, provider_id in refs:
        account = scoped_account(provider_id, ref.account) if ref.account else None
        email = normalize_email(ref.email) if ref.email else None
        if not ref.did and not email and not account:
            raise NotOneStatement("an event names no learner")
        keyed.append((ref, email, account))
    dids = {ref.did for ref, _, _ in keyed if ref.did}
    emails = {email for _, email, _ in keyed if email}
    accounts = {account for _, _, account in keyed if account}
    found = session.scalars(select(Learner).where(or_(
        Learner.did.in_(dids), Learner.email.in_(emails), Learner.account.in_(accounts),
    )).order_by(Learner.id).with_for_update()).all()
    index: dict[str, dict[str, Learner | _New]] = {column: {} for column in ("did", "email", "account")}
    for row in found:
        for column, value in index.items():
            if getattr(row, column):
                value[getattr(row, column)] = row

    def known(column: str, value: str) -> Learner | _New | None:
        return index[column].get(value)

    chosen: list[Learner | _New] = []
    for ref, email, account in keyed:
        learner = _match(ref, email, account, known)
        if learner is not None:
            if _may_change(learner, ref, email, account):
                raise NotOneStatement("a learner found would change")
            chosen.append(learner)
            continue
        new = _new(ref, email, account, known)
        for column, value in index.items():  # later events of the batch find them
            if getattr(new, column):
                value[getattr(new, column)] = new
        chosen.append(new)
    pending = list(dict.fromkeys(c for c in chosen if isinstance(c, _New)))
    created = insert_all_or_skip(session, Learner, [n.row(now) for n in pending])
    if len(created) != len(pending):
        raise NotOneStatement("a learner was created meanwhile by another transaction")
    rows = {(r.did, r.email, r.account): r for r in created}
    return [c if isinstance(c, Learner) else rows[(c.did, c.email, c.account)] for c in chosen]
