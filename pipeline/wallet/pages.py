"""The offer page `GET /offers/<secret>`: the wallet links of one offer and their QR codes.

The collection page's "add to a wallet" button (and the API's `offer_page`) lead here. The
page shows the OID4VCI `openid-credential-offer://` link and the Learner Credential Wallet
link, each as a QR code (`segno`, inline SVG: no JavaScript, no external request), and the
expiry time. A used or expired offer shows a short explanation (410), an unknown one 404.
"""

from __future__ import annotations

import io

import segno
from flask import Blueprint, Response, render_template

from pipeline.services import Services
from pipeline.store.models import Credential

from .errors import WalletError
from .offers import links_for, open_offer


def qr_svg(text: str) -> str:
    """An inline SVG QR code (error correction M, quiet zone kept), dark on white."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=4, border=4, xmldecl=False, svgns=True, omitsize=True,
                                     dark="#111", light="#fff")
    return out.getvalue().decode("utf-8")


def make_offer_page_blueprint(services: Services) -> Blueprint:
    bp = Blueprint("wallet_pages", __name__)
    public_url = services.settings.public_url

    @bp.get("/offers/<secret>")
    def offer_page(secret: str) -> Response:
        with services.read_sessions() as session:
            try:
                offer = open_offer(session, secret, services.clock())
            except WalletError as error:
                status = 410 if error.code == "offer_gone" else 404
                html = render_template("wallet/offer.html", gone=True, name="")
                return Response(html, status=status, headers={"Cache-Control": "no-store"})
            links = links_for(offer, secret, public_url)
            name = (session.get(Credential, offer.credential_id).document or {}).get("name", "")
        html = render_template(
            "wallet/offer.html", gone=False, name=name, links=links,
            expires_at=links.as_json()["expires_at"], expires_at_text=links.expires_at.strftime("%Y-%m-%d %H:%M"),
            oid4vci_qr=qr_svg(links.openid_link), lcw_qr=qr_svg(links.lcw_link))
        return Response(html, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})

    return bp


__all__ = ["make_offer_page_blueprint", "qr_svg"]
