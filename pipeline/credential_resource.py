"""The credential resource (issue 8): what the provider API and the CLI show about one
credential's life, next to the signed document itself.

    {"id", "url", "document_url", "status", "issued_at", "valid_from", "valid_until",
     "revoked_at", "revocation_reason", "framework": {"id", "version"}, "level", "renewal",
     "credential_status": {"list", "index", "purpose"} | null,
     "replaces": {"id", "url"} | null, "superseded_by": {"id", "url"} | null,
     "audit": [{"action", "actor", "provider_id", "reason", "at"}]}

`status` is `revoked` (for good), else `expired` (past `validUntil`), else `active`. A
renewed credential stays `active` until its own `validUntil`; `superseded_by` names the newer
one and the newer one's `replaces` names it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.dates import format_datetime_z
from pipeline.outcomes import credential_url
from pipeline.store.models import Credential, CredentialAudit

ACTIVE, EXPIRED, REVOKED = "active", "expired", "revoked"


def _date(value: datetime | None) -> str | None:
    return format_datetime_z(value) if value is not None else None


def status_of(credential: Credential, now: datetime) -> str:
    if credential.revoked_at is not None:
        return REVOKED
    if credential.valid_until is not None and credential.valid_until <= now:
        return EXPIRED
    return ACTIVE


def _link(credential_id: str | None, public_url: str) -> dict[str, str] | None:
    return None if credential_id is None else {"id": credential_id, "url": credential_url(public_url, credential_id)}


def _status_entry(document: dict[str, Any]) -> dict[str, Any] | None:
    entry = document.get("credentialStatus")
    if not isinstance(entry, dict):
        return None
    return {"list": entry.get("statusListCredential"), "index": entry.get("statusListIndex"),
            "purpose": entry.get("statusPurpose")}


def audit_trail(session: Session, credential_id: str) -> list[dict[str, Any]]:
    rows = session.scalars(select(CredentialAudit).where(CredentialAudit.credential_id == credential_id)
                           .order_by(CredentialAudit.at, CredentialAudit.id))
    return [{"action": r.action, "actor": r.actor, "provider_id": r.provider_id, "reason": r.reason,
             "at": _date(r.at)} for r in rows]


def superseded_by(session: Session, credential_id: str) -> str | None:
    """The newest credential that renews this one, if any."""
    return session.scalar(select(Credential.id).where(Credential.replaces_id == credential_id)
                          .order_by(Credential.issued_at.desc(), Credential.id).limit(1))


def credential_resource(session: Session, credential: Credential, *, public_url: str, now: datetime) -> dict[str, Any]:
    """The resource of the module docstring for one credential row (its award loaded)."""
    award, document = credential.award, credential.document
    url = credential_url(public_url, credential.id)
    return {
        "id": credential.id, "url": url + "/resource", "document_url": url, "status": status_of(credential, now),
        "issued_at": _date(credential.issued_at), "valid_from": document.get("validFrom"),
        "valid_until": _date(credential.valid_until), "revoked_at": _date(credential.revoked_at),
        "revocation_reason": credential.revocation_reason,
        "framework": {"id": award.framework_code, "version": award.framework_version}, "level": award.level,
        "renewal": award.renewal, "credential_status": _status_entry(document),
        "replaces": _link(credential.replaces_id, public_url),
        "superseded_by": _link(superseded_by(session, credential.id), public_url),
        "audit": audit_trail(session, credential.id),
    }


__all__ = ["ACTIVE", "EXPIRED", "REVOKED", "audit_trail", "credential_resource", "status_of", "superseded_by"]
