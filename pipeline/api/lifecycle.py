"""Credential lifecycle routes of the provider API (issue 8): revoke, the credential resource,
credentials about to expire. Mounted at `/api/v1` with the other routes.

- `POST /credentials/<uuid>/revoke` `{"reason": "..."}`: `200` with the credential resource
  (`"status": "revoked"`, `revoked_at`, `revocation_reason`, `audit`); again: `200`, nothing
  changed. Unknown or not visible to the caller: `404`; no reason: `422` (`path` `/reason`).
  After commit a worker is asked to re-sign the status list (`Dispatcher.send_publish_status_list`);
  if the broker is down the sweep re-signs it (`pipeline.revocation.lists_due`).
- `GET /credentials/<uuid>/resource`: the credential resource (`pipeline.credential_resource`).
  `GET /credentials/<uuid>` keeps answering the signed document itself.
- `GET /credentials?expiring_within=30d` (`<n>d` or `<n>h`): the caller's credentials, not
  revoked and not yet renewed, whose `validUntil` falls within that window, soonest first.

Who: the provider key of a provider that may see the credential (`pipeline.api.reads.visible_to`,
the same rule as the reads), or the admin key (`BADGELINE_ADMIN_KEY_HASH`, as for
`POST /credentials/issue`), which sees every credential.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, Response, g, request
from sqlalchemy.orm import Session, selectinload

from issuer.dates import format_datetime_z
from pipeline.credential_resource import credential_resource
from pipeline.errors import PipelineError
from pipeline.outcomes import URN_UUID
from pipeline.renewals import expiring_credentials
from pipeline.revocation import ADMIN, PROVIDER, Actor, revoke_award
from pipeline.services import Services
from pipeline.store.models import Credential

from .auth import bearer_token, current_caller
from .events import json_response
from .problems import BAD_REQUEST, NotFound
from .reads import credential_summary, visible_to

log = logging.getLogger(__name__)

ADMIN_ENDPOINTS = frozenset({"revoke_credential", "get_credential_resource", "list_credentials"})
"""Endpoints the admin key may call as well as provider keys."""
_ADMIN = "badgeline_admin"
_WINDOW = re.compile(r"^([1-9][0-9]{0,4})([dh])$")


class BadWindow(PipelineError):
    code = BAD_REQUEST


def admin_request(services: Services, authorization: str | None) -> bool:
    """Whether the request carries the configured admin key (remembered for the view)."""
    if not services.settings.admin_key_hash:
        return False
    from pipeline.vcapi import admin_key_digest, is_admin_key  # vcapi imports this package

    if not is_admin_key(bearer_token(authorization), admin_key_digest(services.settings.admin_key_hash)):
        return False
    setattr(g, _ADMIN, True)
    return True


def current_actor() -> Actor:
    if getattr(g, _ADMIN, False):
        return Actor(ADMIN)
    return Actor(PROVIDER, current_caller().provider_id)


def parse_window(value: str | None) -> timedelta:
    """`30d` or `12h` (`400 bad_request` otherwise)."""
    match = _WINDOW.match((value or "").strip())
    if match is None:
        raise BadWindow("expiring_within must be a number of days or hours, e.g. 30d or 12h",
                        path="/expiring_within")
    number = int(match[1])
    return timedelta(days=number) if match[2] == "d" else timedelta(hours=number)


def register_lifecycle_routes(bp: Blueprint, services: Services) -> None:
    """Add the routes of the module docstring to `bp`."""
    public_url = services.settings.public_url

    def visible_credential(session: Session, credential_uuid: str, actor: Actor) -> Credential:
        try:
            credential_id = URN_UUID + str(uuid.UUID(credential_uuid))
        except ValueError as error:
            raise NotFound(f"{credential_uuid!r} is not a credential id (a UUID)") from error
        credential = session.get(Credential, credential_id, options=[selectinload(Credential.award)])
        if credential is None or (actor.kind == PROVIDER and not visible_to(
                session, services.registry, credential.award, str(actor.provider_id))):
            raise NotFound(f"no credential {credential_uuid} for this API key")
        return credential

    def resource(session: Session, credential: Credential, now: datetime) -> dict[str, Any]:
        return credential_resource(session, credential, public_url=public_url, now=now)

    @bp.post("/credentials/<credential_uuid>/revoke")
    def revoke_credential(credential_uuid: str) -> Response:
        actor, now = current_actor(), services.clock()
        body = request.get_json(silent=True)
        with services.sessions.begin() as session:
            credential = visible_credential(session, credential_uuid, actor)
            revoked = revoke_award(session, credential, actor=actor,
                                   reason=body.get("reason") if isinstance(body, dict) else None, now=now,
                                   public_url=public_url)
        for credential_id in revoked.credential_ids:
            log.info("credential %s revoked", credential_id,
                     extra={"credential_id": credential_id, "provider_id": actor.provider_id})
        for list_id in revoked.list_ids:
            try:
                services.dispatcher.send_publish_status_list(list_id)
            except Exception as error:  # noqa: BLE001 - committed; the sweep re-signs the list
                log.warning("status list %s: re-signing not requested (%s); the sweep will do it", list_id, error)
        with services.read_sessions() as session:
            return json_response(resource(session, visible_credential(session, credential_uuid, actor), now))

    @bp.get("/credentials/<credential_uuid>/resource")
    def get_credential_resource(credential_uuid: str) -> Response:
        actor, now = current_actor(), services.clock()
        with services.read_sessions() as session:
            return json_response(resource(session, visible_credential(session, credential_uuid, actor), now))

    @bp.get("/credentials")
    def list_credentials() -> Response:
        actor, now = current_actor(), services.clock()
        window = parse_window(request.args.get("expiring_within"))
        with services.read_sessions() as session:
            found = [c for c in expiring_credentials(session, now=now, within=window)
                     if actor.kind != PROVIDER or visible_to(session, services.registry, c.award,
                                                             str(actor.provider_id))]
            listed = [{**credential_summary(c, public_url), "valid_until": format_datetime_z(c.valid_until)}
                      for c in found]
        return json_response({"expiring_within": request.args["expiring_within"], "credentials": listed})


__all__ = ["ADMIN_ENDPOINTS", "admin_request", "parse_window", "register_lifecycle_routes"]
