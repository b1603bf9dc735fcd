"""Credential reads of the provider API (issue 3, "Provider API").

A provider sees a credential when one of its events produced it (the award's event) or the
credential cites its evidence: a passing row for a statement of the credential's level (same
learner, framework version) that existed when the level was awarded (issue 10, finding 1).
Evidence posted after the award is not in the signed credential and makes no contributor.
Anything else answers `404`, exactly like a credential that does not exist, so nothing leaks
across providers.

- `GET /credentials/<uuid>`: the signed credential document itself (`application/json`).
- `GET /learners/<email or DID>/credentials`: `{"learner": {"email"} | {"did"}, "credentials":
  [{"id", "url", "framework": {"id", "version"}, "level", "issued_at", "public_url"}], "collection_url"}`
  (`public_url`: the credential's public page; `collection_url`: the learner's private collection,
  `pipeline.holder.tokens`). The learner is
  looked up by DID (`did:...`), else by normalized email; an unknown learner and a learner
  with nothing visible both answer `200` with an empty list.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, Response
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload

from issuer.errors import IssuerError
from issuer.frameworks import FrameworkRegistry
from pipeline.events.normalized import normalize_email
from pipeline.holder.tokens import collection_url
from pipeline.outcomes import URN_UUID, credential_url, public_page_url
from pipeline.services import Services
from pipeline.store.learners import find_learner
from pipeline.store.models import Award, Credential, Event, Evidence, Learner

from .auth import current_caller
from .events import json_response
from .problems import NotFound


def level_statements(registry: FrameworkRegistry, award: Award) -> list[str] | None:
    """The statement codes of the award's level; None when the framework version is gone."""
    try:
        framework = registry.get(award.framework_code, award.framework_version)
        return [s.code for s in framework.level(award.level).statements]
    except IssuerError:
        return None


def produced_by(session: Session, award: Award, provider_id: str) -> bool:
    """True when the provider posted the event that completed the award."""
    if award.event_id is None:
        return False
    return session.scalar(select(Event.provider_id).where(Event.id == award.event_id)) == provider_id


def cited_evidence(award: Award) -> list[Any]:
    """Conditions selecting the evidence rows the award's credential cites: the passing rows
    of its learner and framework version that existed when it was awarded. Evidence of a
    learner is recorded under the learner's row lock, so rows inserted after the awarding
    event's own rows (higher id) came later; `recorded_at` bounds awards made without an event."""
    condition = [
        Evidence.learner_id == award.learner_id, Evidence.framework_code == award.framework_code,
        Evidence.framework_version == award.framework_version, Evidence.passed.is_(True),
        Evidence.recorded_at <= award.awarded_at,
    ]
    if award.event_id is not None:
        last_of_event = select(func.max(Evidence.id)).where(Evidence.event_id == award.event_id).scalar_subquery()
        condition.append(Evidence.id <= func.coalesce(last_of_event, Evidence.id))
    return condition


def contributed_by(session: Session, award: Award, provider_id: str, statements: list[str] | None) -> bool:
    """True when the award's credential cites passing evidence of the provider: recorded for
    the award's learner and framework version before the award and (when known) for one of
    the level's statements."""
    condition = [*cited_evidence(award), Evidence.provider_id == provider_id]
    if statements is not None:
        condition.append(Evidence.statement_code.in_(statements))
    return bool(session.scalar(select(exists().where(*condition))))


def visible_to(session: Session, registry: FrameworkRegistry, award: Award, provider_id: str) -> bool:
    return produced_by(session, award, provider_id) or contributed_by(
        session, award, provider_id, level_statements(registry, award))


def visible_credentials(session: Session, registry: FrameworkRegistry, learner_id: int,
                        provider_id: str) -> list[Credential]:
    """The learner's credentials the provider may read (`visible_to`), oldest first."""
    credentials = session.scalars(
        select(Credential).join(Award, Credential.award_id == Award.id)
        .where(Award.learner_id == learner_id, Credential.derived_from.is_(None))  # not wallet copies
        .options(selectinload(Credential.award))
        .order_by(Credential.issued_at, Credential.id)
    )
    return [c for c in credentials if visible_to(session, registry, c.award, provider_id)]


def credential_summary(credential: Credential, public_url: str) -> dict[str, Any]:
    award = credential.award
    return {
        "id": credential.id, "url": credential_url(public_url, credential.id),
        "framework": {"id": award.framework_code, "version": award.framework_version},
        "level": award.level, "issued_at": credential.issued_at.isoformat().replace("+00:00", "Z"),
        "public_url": public_page_url(public_url, credential.id),
    }


def learner_query(identifier: str) -> dict[str, str]:
    """`{"did": ...}` for a DID, `{"email": normalized}` for an email; `NotFound` otherwise."""
    text = identifier.strip()
    if text.startswith("did:"):
        return {"did": text}
    if "@" in text:
        return {"email": normalize_email(text)}
    raise NotFound("learners are named by email address or DID")


def find_named_learner(session: Session, query: dict[str, str]) -> Learner | None:
    """The learner a `learner_query` names (by DID, else by normalized email), or None."""
    return find_learner(session, did=query.get("did"), email=query.get("email"))


def credential_id_of(credential_uuid: str) -> str:
    """The `urn:uuid:` id of a credential named by its UUID in a route; `NotFound` otherwise."""
    try:
        return URN_UUID + str(uuid.UUID(credential_uuid))
    except ValueError as error:
        raise NotFound(f"{credential_uuid!r} is not a credential id (a UUID)") from error


def register_read_routes(bp: Blueprint, services: Services) -> None:
    """Add the credential routes to `bp` (mounted at `/api/v1`)."""
    public_url = services.settings.public_url

    @bp.get("/credentials/<credential_uuid>")
    def get_credential(credential_uuid: str) -> Response:
        caller = current_caller()
        credential_id = credential_id_of(credential_uuid)
        with services.read_sessions() as session:
            credential = session.get(Credential, credential_id, options=[selectinload(Credential.award)])
            if credential is None or not visible_to(session, services.registry, credential.award, caller.provider_id):
                raise NotFound(f"no credential {credential_uuid} for this API key")
            document = credential.document
        return json_response(document)

    @bp.get("/learners/<path:learner>/credentials")
    def get_learner_credentials(learner: str) -> Response:
        caller = current_caller()
        query = learner_query(learner)
        with services.read_sessions() as session:
            found = find_named_learner(session, query)
            listed: list[dict[str, Any]] = []
            learner_id = found.id if found is not None else None
            if found is not None:
                listed = [credential_summary(c, public_url)
                          for c in visible_credentials(session, services.registry, found.id, caller.provider_id)]
        collection = collection_url(services, learner_id) if listed and learner_id is not None else None
        return json_response({"learner": query, "credentials": listed, "collection_url": collection})
