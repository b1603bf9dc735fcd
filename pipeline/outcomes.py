"""The event resource (issue 3, "Provider API"): what the API, the worker and the CLI show
for a stored event.

    {"id", "url", "event_id", "state", "outcome"}

`state` is `received`, `processing`, `processed` or `rejected`. `outcome` is null until the
event is final, then `{"code", "message", "levels", "credentials"}`: the outcome code and
message the worker recorded on the event row, the levels this event newly reached (its
awards, `awards.event_id`) and the credentials issued for them, `[{"id", "url", "level"}]`.
A rejected event has its rejection code and empty lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from pipeline.store.event_log import FINAL_STATES
from pipeline.store.models import Award, Event

API_PREFIX = "/api/v1"
URN_UUID = "urn:uuid:"


def event_url(public_url: str, event_id: str) -> str:
    """`{public_url}/api/v1/events/{id}`: where the provider reads the event back."""
    return f"{public_url}{API_PREFIX}/events/{event_id}"


def credential_url(public_url: str, credential_id: str) -> str:
    """`{public_url}/api/v1/credentials/{uuid}` for a credential whose id is `urn:uuid:{uuid}`."""
    return f"{public_url}{API_PREFIX}/credentials/{credential_id.removeprefix(URN_UUID)}"


def public_page_url(public_url: str, credential_id: str) -> str:
    """`{public_url}/c/{uuid}`: the credential's public page (`pipeline.holder`)."""
    return f"{public_url}/c/{credential_id.removeprefix(URN_UUID)}"


def awards_by_event(session: Session, event_ids: Iterable[str]) -> dict[str, list[Award]]:
    """The awards each event completed (with their credentials loaded), oldest first."""
    ids = list(event_ids)
    found: dict[str, list[Award]] = {event_id: [] for event_id in ids}
    if not ids:
        return found
    query = (
        select(Award).where(Award.event_id.in_(ids)).options(selectinload(Award.credential)).order_by(Award.id)
    )
    for award in session.scalars(query):
        found[str(award.event_id)].append(award)
    return found


def outcome_of(event: Event, awards: Sequence[Award], public_url: str) -> dict[str, Any] | None:
    """The outcome object of a final event; None while it is `received` or `processing`."""
    if event.state not in FINAL_STATES:
        return None
    credentials = [
        {"id": award.credential.id, "url": credential_url(public_url, award.credential.id), "level": award.level,
         "public_url": public_page_url(public_url, award.credential.id)}
        for award in awards
        if award.credential is not None
    ]
    return {
        "code": event.outcome_code,
        "message": event.outcome_message,
        "levels": [award.level for award in awards],
        "credentials": credentials,
    }


def event_resource(event: Event, *, public_url: str, awards: Sequence[Award] = ()) -> dict[str, Any]:
    """The event resource of `event`; `awards` are those with `awards.event_id == event.id`."""
    return {
        "id": event.id,
        "url": event_url(public_url, event.id),
        "event_id": event.provider_event_id,
        "state": event.state,
        "outcome": outcome_of(event, awards, public_url),
    }


def load_event_resources(session: Session, events: Sequence[Event], *, public_url: str) -> list[dict[str, Any]]:
    """`event_resource` for each event, loading their awards in one query."""
    awards = awards_by_event(session, (e.id for e in events if e.state in FINAL_STATES))
    return [event_resource(e, public_url=public_url, awards=awards.get(e.id, [])) for e in events]


def load_event_resource(session: Session, event: Event, *, public_url: str) -> dict[str, Any]:
    """`event_resource` of one event, loading its awards."""
    return load_event_resources(session, [event], public_url=public_url)[0]
