"""The VC API exchange the Learner Credential Wallet uses (issue 9).

    app.register_blueprint(make_exchange_blueprint(services, bound_issuer))

The offer's LCW link (`https://lcw.app/mobile?request={"credentialRequestOrigin",
"protocols": {"vcapi": <exchange URL>}}`) opens the wallet, which then:

1. `POST /exchanges/<secret>` with `{}`: an open offer answers the DID-authentication
   Verifiable Presentation Request (`didauth.presentation_request`: challenge, domain =
   our public URL, `interact` = this URL);
2. `POST /exchanges/<secret>` with `{"verifiablePresentation": vp}`: the presentation is
   verified (`didauth.authenticated_holder`), the offer is redeemed by that holder (single
   use; the same holder may retry until the credential is issued), a worker signs the
   credential bound to the holder's DID, and the answer is
   `{"verifiablePresentation": {"type": "VerifiablePresentation", "verifiableCredential": [vc]}}`.

Errors are `{"error", "error_description"}` with the status of `pipeline.wallet.errors`:
unknown exchange 404 `not_found`, used or expired 410 `offer_gone`, a bad presentation 400
`invalid_presentation`, no worker 503.
"""

from __future__ import annotations

from flask import Blueprint, Response

from issuer.verify import VC2_CONTEXT
from pipeline.services import Services
from pipeline.store.models import WalletOffer

from .didauth import authenticated_holder, didauth_engine, presentation_request
from .errors import WalletError
from .http import install_error_handlers, json_body, no_store_json
from .offers import digest, open_offer, redeem_exchange
from .signing import BoundIssuer, signed_or_refused


def make_exchange_blueprint(services: Services, bound_issuer: BoundIssuer | None) -> Blueprint:
    bp = Blueprint("vcapi_exchange", __name__)
    install_error_handlers(bp)
    public_url = services.settings.public_url
    engine = didauth_engine(services.registry, services.clock)

    @bp.post("/exchanges/<secret>")
    def exchange(secret: str) -> Response:
        body, now = json_body(), services.clock()
        vp = body.get("verifiablePresentation")
        if vp is None:
            with services.read_sessions() as session:
                offer = open_offer(session, secret, now)
                challenge = offer.challenge
            return no_store_json(presentation_request(challenge=challenge, domain=public_url,
                                                      exchange_url=f"{public_url}/exchanges/{secret}"))
        with services.read_sessions() as session:
            offer = session.get(WalletOffer, digest(secret))
            if offer is None:
                raise WalletError("no such exchange", code="not_found")
            challenge = offer.challenge
        holder = authenticated_holder(vp, engine, challenge=challenge, domain=public_url, now=now)
        with services.sessions.begin() as session:
            offer_id = redeem_exchange(session, secret, holder, now).id
        if bound_issuer is None:
            raise WalletError("no signing service is configured", code="temporarily_unavailable")
        signed = signed_or_refused(bound_issuer.issue(offer_id, holder))
        return no_store_json({"verifiablePresentation": {
            "@context": [VC2_CONTEXT], "type": ["VerifiablePresentation"], "verifiableCredential": [signed]}})

    return bp


__all__ = ["make_exchange_blueprint"]
