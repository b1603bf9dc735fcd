"""The issuer's profile page, `/issuer`: what the `issuer.url` of our credentials links to.

An employer who follows the issuer link from a credential (or from the verifier's page) lands
here, not back on the verifier: the issuer's name, its DID, every key it signs with (current
and retired, as the DID document publishes them), the frameworks it assesses against and how to
check a credential. A JSON client gets the OB 3.0 `Profile`. Read from the store per request
(keys rotate without a restart); no signing key is needed.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, render_template
from sqlalchemy import select

from pipeline.services import Services
from pipeline.store.models import IssuerKey

OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
PROFILE_PATH = "/issuer"


@dataclass(frozen=True)
class KeyRow:
    id: str
    created_at: str
    retired: bool


def issuer_keys(session, did: str | None) -> tuple[str | None, list[KeyRow]]:
    """The issuer's DID (the setting, else the current key's did:key) and its keys, oldest first."""
    rows = session.scalars(select(IssuerKey).order_by(IssuerKey.created_at)).all()
    if did is None:
        current = [r for r in rows if r.retired_at is None]
        did = current[-1].id.partition("#")[0] if current else None
    keys = [KeyRow(r.id, r.created_at.strftime("%d %B %Y"), r.retired_at is not None)
            for r in rows if did and r.id.startswith(did + "#")]
    return did, keys


def register_issuer_page(bp: Blueprint, services: Services, wants_json, json_response,
                         did_document: str | None) -> None:
    """`/issuer` on `bp`; `did_document` is the path publish serves the did:web document at (or None)."""
    settings, registry = services.settings, services.registry

    @bp.get(PROFILE_PATH)
    def issuer_profile_page() -> Response:
        with services.read_sessions() as session:
            did, keys = issuer_keys(session, settings.issuer_did)
        if wants_json():
            return json_response({"@context": [OB_CONTEXT], "id": did, "type": ["Profile"],
                                  "name": settings.issuer_name, "url": settings.public_url + PROFILE_PATH})
        return Response(render_template("publish/issuer.html", name=settings.issuer_name, did=did, keys=keys,
                                        did_document=did_document, frameworks=registry.all()),
                        mimetype="text/html")
