"""Mount the wallet routes on the issuing web app (composition: `pipeline.web.create_app`)."""

from __future__ import annotations

from flask import Flask

from pipeline.services import Services

from .exchange import make_exchange_blueprint
from .oid4vci import make_oid4vci_blueprint
from .pages import make_offer_page_blueprint
from .signing import BoundIssuer


def register_wallet_routes(app: Flask, services: Services, bound_issuer: BoundIssuer | None) -> None:
    """OID4VCI (metadata, offers, token, nonce, credential), the VC API exchange and the offer page.
    Without a `bound_issuer` (no broker configured) credential requests answer 503."""
    app.register_blueprint(make_oid4vci_blueprint(services, bound_issuer))
    app.register_blueprint(make_exchange_blueprint(services, bound_issuer))
    app.register_blueprint(make_offer_page_blueprint(services))


__all__ = ["register_wallet_routes"]
