"""`POST /api/v1/credentials/<uuid>/offer`: a single-use wallet offer for a credential (issue 9).

Same visibility as `GET /credentials/<uuid>` (`reads.visible_to`): a credential the caller
may not see, or a wallet copy, answers `404`; a revoked one `409 credential_revoked`. The
answer (`201`) is `pipeline.wallet.offers.OfferLinks.as_json`: `credential_offer_uri`, the
`openid-credential-offer://` link, the offer page (QR codes), the VC API exchange and the
Learner Credential Wallet link, and `expires_at` (10 minutes).
"""

from __future__ import annotations

from flask import Blueprint, Response
from sqlalchemy.orm import selectinload

from pipeline.errors import PipelineError
from pipeline.services import Services
from pipeline.store.models import Credential
from pipeline.wallet.offers import create_offer

from .auth import current_caller
from .events import json_response
from .problems import NotFound
from .reads import credential_id_of, visible_to


def register_offer_routes(bp: Blueprint, services: Services) -> None:
    @bp.post("/credentials/<credential_uuid>/offer")
    def post_credential_offer(credential_uuid: str) -> Response:
        caller = current_caller()
        credential_id = credential_id_of(credential_uuid)
        with services.sessions.begin() as session:
            credential = session.get(Credential, credential_id, options=[selectinload(Credential.award)])
            if (credential is None or credential.derived_from is not None
                    or not visible_to(session, services.registry, credential.award, caller.provider_id)):
                raise NotFound(f"no credential {credential_uuid} for this API key")
            if credential.revoked_at is not None:
                raise PipelineError("the credential is revoked", code="credential_revoked")
            links = create_offer(session, credential_id=credential_id, public_url=services.settings.public_url,
                                 now=services.clock())
        return json_response(links.as_json(), 201)
