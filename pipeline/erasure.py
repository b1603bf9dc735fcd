"""Erasing a learner's personal data while their credentials stay verifiable (issue 10, finding 9).

Where a learner's personal data is stored (docs/reliability.md has the full table):
`learners` (email, email hash, DID, display name), `events` (the raw request bytes and the
normalized copy name the learner), and each signed credential (the email only as a salted
hash; the name as issued). Steps of `erase_learner`:

1. Find the learner by normalized email (or DID).
2. In every event of theirs (linked, or naming them and not yet linked), replace each string
   that is their email, `mailto:` email, DID or display name with `"erased"` in the stored
   raw bytes (re-serialized JSON) and the normalized copy.
3. Clear the learner row's email, email hash, DID, provider account and display name (the row and its awards
   stay, so levels are never awarded twice).
4. Leave credentials, evidence and status lists untouched: a signed credential cannot change
   without breaking its proof, and it holds no readable email. It stays verifiable;
   revoke it separately if the learner asks for that too.

A provider re-posting an erased event afterwards gets `409 event_conflict` (the stored bytes
differ), never a second credential.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.errors import StoreError
from pipeline.events.normalized import normalize_email
from pipeline.store.learners import find_learner, public_account
from pipeline.store.models import Award, Event, Learner

ERASED = "erased"


@dataclass(frozen=True)
class Erasure:
    learner_id: int
    events_redacted: int
    credentials_kept: int


def _redact(value: Any, personal: set[str]) -> Any:
    if isinstance(value, str):
        return ERASED if value.strip().lower() in personal else value
    if isinstance(value, list):
        return [_redact(item, personal) for item in value]
    if isinstance(value, dict):
        return {key: _redact(item, personal) for key, item in value.items()}
    return value


def _personal_strings(learner: Learner) -> set[str]:
    found = {text.strip().lower() for text in (learner.email, learner.did, learner.display_name) if text}
    if learner.email:
        found.add("mailto:" + learner.email.lower())
    account = public_account(learner.account)  # `homePage#name`; the name alone is in xAPI actors
    if account:
        found.update({account.lower(), account.rpartition("#")[2].lower()})
    return found


def _learner_events(session: Session, learner: Learner) -> list[Event]:
    linked = list(session.scalars(select(Event).where(Event.learner_id == learner.id)))
    unlinked = session.scalars(select(Event).where(Event.learner_id.is_(None)))
    email = (learner.email or "").lower()
    naming = [e for e in unlinked if email and email in e.raw_payload.decode("utf-8", "replace").lower()]
    return linked + naming


def redact_event(event: Event, personal: set[str]) -> None:
    try:
        raw = json.loads(event.raw_payload)
        event.raw_payload = json.dumps(_redact(raw, personal), separators=(",", ":")).encode()
    except ValueError:  # not JSON (never stored today): keep nothing of it
        event.raw_payload = json.dumps({ERASED: True}).encode()
    if event.parsed is not None:
        event.parsed = _redact(event.parsed, personal)


def erase_learner(session: Session, *, email: str | None = None, did: str | None = None) -> Erasure:
    """Steps 1-4 of the module docstring, in the caller's transaction."""
    learner = find_learner(session, did=did, email=normalize_email(email) if email else None)
    if learner is None:
        raise StoreError("no learner with that email address or DID", code="learner_not_found")
    personal = _personal_strings(learner)
    events = _learner_events(session, learner)
    for event in events:
        redact_event(event, personal)
    kept = sum(1 for award in session.scalars(select(Award).where(Award.learner_id == learner.id))
               if award.credential is not None)
    learner.email = learner.email_hash = learner.did = learner.display_name = learner.account = None
    session.flush()
    return Erasure(learner.id, len(events), kept)
