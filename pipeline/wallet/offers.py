"""Wallet offers in the store: single use, short-lived, secrets kept only as SHA-256 digests.

1. `create_offer`: a random offer secret (in every URL of the offer); the OID4VCI
   pre-authorized code is derived from it (`pre_authorized_code`) and the DID-auth challenge
   drawn at random. The row holds SHA-256 digests of the secret and the code. The offer
   expires after `OFFER_TTL` (10 minutes).
2. OID4VCI: `redeem_code` exchanges the code once for an access token (`TOKEN_TTL`);
   `offer_for_token` finds the offer a token may still fetch its credential for;
   `new_nonce` / `use_nonce` keep single-use `c_nonce` values (`NONCE_TTL`).
3. VC API exchange: `exchange_offer` finds an offer still open for DID authentication;
   `redeem_exchange` marks it redeemed by the authenticated holder.
A wrong, expired or reused code is `invalid_grant`; a bad token `invalid_token`.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pipeline.outcomes import URN_UUID
from pipeline.store.models import Credential, WalletNonce, WalletOffer

from .errors import WalletError

OFFER_TTL = timedelta(minutes=10)
TOKEN_TTL = timedelta(minutes=10)
NONCE_TTL = timedelta(minutes=5)
PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
CONFIGURATION_ID = "OpenBadgeCredential_ldp_vc"
LCW_APP_LINK = "https://lcw.app/mobile"
"""The Learner Credential Wallet's universal link; `?request=` carries the exchange (its deepLink.ts)."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def pre_authorized_code(offer_secret: str) -> str:
    """The code of an offer, derived from its secret, so neither needs storing in clear."""
    return "pac_" + hashlib.sha256(b"badgeline pre-authorized code\x00" + offer_secret.encode()).hexdigest()


@dataclass(frozen=True)
class OfferLinks:
    """What the API and the offer page show for one offer."""

    secret: str
    credential_id: str
    expires_at: datetime
    public_url: str

    @property
    def credential_offer_uri(self) -> str:
        return f"{self.public_url}/oid4vci/offers/{self.secret}"

    @property
    def openid_link(self) -> str:
        return "openid-credential-offer://?credential_offer_uri=" + quote(self.credential_offer_uri, safe="")

    @property
    def page_url(self) -> str:
        return f"{self.public_url}/offers/{self.secret}"

    @property
    def exchange_url(self) -> str:
        return f"{self.public_url}/exchanges/{self.secret}"

    @property
    def lcw_link(self) -> str:
        request = {"credentialRequestOrigin": self.public_url, "protocols": {"vcapi": self.exchange_url}}
        return LCW_APP_LINK + "?request=" + quote(json.dumps(request, separators=(",", ":")), safe="")

    def as_json(self) -> dict[str, str]:
        return {
            "id": self.secret, "credential": self.credential_id, "expires_at": _z(self.expires_at),
            "credential_offer_uri": self.credential_offer_uri, "credential_offer_link": self.openid_link,
            "offer_page": self.page_url, "vcapi_exchange": self.exchange_url, "lcw_link": self.lcw_link,
        }


def _z(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def original_credential(session: Session, credential_id: str) -> Credential:
    """The credential to deliver: an original (not a wallet copy), not revoked."""
    credential = session.get(Credential, credential_id)
    if credential is None or credential.derived_from is not None:
        raise WalletError(f"no credential {credential_id}", code="not_found")
    if credential.revoked_at is not None:
        raise WalletError("the credential is revoked: it cannot be delivered", code="credential_request_denied")
    return credential


def create_offer(session: Session, *, credential_id: str, public_url: str, now: datetime,
                 ttl: timedelta = OFFER_TTL) -> OfferLinks:
    """Step 1 of the module docstring for an original, unrevoked credential (`urn:uuid:...`)."""
    if not credential_id.startswith(URN_UUID):
        credential_id = URN_UUID + credential_id
    original_credential(session, credential_id)
    secret = secrets.token_urlsafe(32)
    session.add(WalletOffer(id=digest(secret), credential_id=credential_id,
                            code_hash=digest(pre_authorized_code(secret)), challenge=secrets.token_urlsafe(24),
                            created_at=now, expires_at=now + ttl))
    session.flush()
    return OfferLinks(secret, credential_id, now + ttl, public_url)


def open_offer(session: Session, secret: str, now: datetime) -> WalletOffer:
    """An offer not yet redeemed nor expired (`not_found` / `offer_gone` otherwise)."""
    offer = session.get(WalletOffer, digest(secret))
    if offer is None:
        raise WalletError("no such offer", code="not_found")
    if offer.redeemed_at is not None or offer.expires_at <= now:
        raise WalletError("this offer was used or has expired; ask for a new one", code="offer_gone")
    return offer


def links_for(offer: WalletOffer, secret: str, public_url: str) -> OfferLinks:
    return OfferLinks(secret, offer.credential_id, offer.expires_at, public_url)


def redeem_code(session: Session, code: str, now: datetime, ttl: timedelta = TOKEN_TTL) -> tuple[str, int]:
    """The code, once, for a new access token and its lifetime in seconds (`invalid_grant` otherwise)."""
    token = "at_" + secrets.token_urlsafe(32)
    redeemed = session.execute(
        update(WalletOffer)
        .where(WalletOffer.code_hash == digest(code), WalletOffer.redeemed_at.is_(None), WalletOffer.expires_at > now)
        .values(redeemed_at=now, access_token_hash=digest(token), token_expires_at=now + ttl)
    ).rowcount
    if redeemed != 1:
        raise WalletError("the pre-authorized code is unknown, expired or already used", code="invalid_grant")
    return token, int(ttl.total_seconds())


def offer_for_token(session: Session, token: str | None, now: datetime) -> WalletOffer:
    """The offer a bearer token may still fetch its one credential for (`invalid_token` otherwise)."""
    offer = session.scalars(select(WalletOffer).where(WalletOffer.access_token_hash == digest(token))).one_or_none() \
        if token else None
    if offer is None or offer.token_expires_at is None or offer.token_expires_at <= now:
        raise WalletError("the access token is unknown or expired", code="invalid_token")
    if offer.issued_credential_id is not None:
        raise WalletError("the access token was already used for its credential", code="invalid_token")
    return offer


def new_nonce(session: Session, now: datetime, ttl: timedelta = NONCE_TTL) -> tuple[str, int]:
    nonce = secrets.token_urlsafe(24)
    session.add(WalletNonce(value_hash=digest(nonce), created_at=now, expires_at=now + ttl))
    return nonce, int(ttl.total_seconds())


def use_nonce(session: Session, nonce: object, now: datetime) -> bool:
    """True once for a nonce we issued that has not expired."""
    if not isinstance(nonce, str) or not nonce:
        return False
    return session.execute(
        update(WalletNonce).where(WalletNonce.value_hash == digest(nonce), WalletNonce.used_at.is_(None),
                                  WalletNonce.expires_at > now).values(used_at=now)
    ).rowcount == 1


def redeem_exchange(session: Session, secret: str, holder_did: str, now: datetime) -> WalletOffer:
    """Mark the exchange's offer redeemed by `holder_did`; the same holder may retry until the
    credential is issued (a worker that timed out), anyone else finds it gone."""
    offer = session.get(WalletOffer, digest(secret), with_for_update=True, populate_existing=True)
    if offer is None:
        raise WalletError("no such exchange", code="not_found")
    retry = offer.holder_did == holder_did and offer.issued_credential_id is None and offer.access_token_hash is None
    if offer.expires_at <= now or (offer.redeemed_at is not None and not retry):
        raise WalletError("this exchange was used or has expired; ask for a new offer", code="offer_gone")
    offer.redeemed_at, offer.holder_did = offer.redeemed_at or now, holder_did
    return offer


__all__ = [
    "CONFIGURATION_ID", "NONCE_TTL", "OFFER_TTL", "OfferLinks", "PRE_AUTHORIZED_GRANT", "TOKEN_TTL", "create_offer",
    "digest", "links_for", "new_nonce", "offer_for_token", "open_offer", "original_credential", "pre_authorized_code",
    "redeem_code", "redeem_exchange", "use_nonce",
]
