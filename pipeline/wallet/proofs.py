"""The OID4VCI 1.0 `jwt` key proof (Appendix F.1) from a holder's did:key.

`holder_from_jwt_proof(jwt, issuer, now, nonce_ok)`, in the order of the specification:

1. the JOSE header: `typ` is `openid4vci-proof+jwt`; `alg` is on our allow-list (EdDSA and
   its RFC 9864 name Ed25519: joserfc accepts only HS256, RS256 and ES256 unless told);
   `kid` is a did:key DID URL (`did:key:z6Mk...#z6Mk...`, our one binding method); no `jwk`
   or `x5c` beside it;
2. the signature verifies with the key the did:key encodes (resolved offline);
3. the claims: `aud` is our credential issuer identifier, `iat` is within the allowed skew,
   `nonce` is a `c_nonce` we issued, unused and not expired (`nonce_ok`, single use).

Failures are `WalletError` `invalid_proof`, or `invalid_nonce` for step 3's nonce; the
holder's DID is returned.
"""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from issuer.dids import resolve_did_key
from issuer.errors import IssuerError

from .errors import WalletError

PROOF_TYP = "openid4vci-proof+jwt"
ALGORITHMS = ("EdDSA", "Ed25519")
IAT_SKEW = timedelta(minutes=5)


def _refuse(message: str) -> WalletError:
    return WalletError(message, code="invalid_proof")


def did_key_public_jwk(kid: str) -> tuple[str, OKPKey]:
    """The holder DID and the Ed25519 key of a did:key verification method URL."""
    try:
        method = resolve_did_key(kid)
    except IssuerError as error:
        raise _refuse(f"kid must be a did:key DID URL with an Ed25519 key: {error}") from error
    x = base64.urlsafe_b64encode(method.public_key).rstrip(b"=").decode()
    return method.controller, OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "x": x})


def checked_header(header: dict[str, Any]) -> str:
    """Step 1: the `kid` of a well-formed proof header."""
    if header.get("typ") != PROOF_TYP:
        raise _refuse(f"the proof's typ must be {PROOF_TYP}")
    if header.get("alg") not in ALGORITHMS:
        raise _refuse(f"the proof's alg must be one of {', '.join(ALGORITHMS)}")
    if "jwk" in header or "x5c" in header:
        raise _refuse("give the key as a did:key kid only (no jwk or x5c)")
    kid = header.get("kid")
    if not isinstance(kid, str) or "#" not in kid:
        raise _refuse("the proof's kid must be a did:key DID URL (did:key:...#...)")
    return kid


def verified_token(proof: str) -> tuple[str, dict[str, Any]]:
    """Steps 1-2: the holder DID and the claims of a proof whose signature verifies."""
    if not isinstance(proof, str) or proof.count(".") != 2:
        raise _refuse("the proof must be a compact JWS")
    header = _header_of(proof)
    holder, key = did_key_public_jwk(checked_header(header))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            token = jwt.decode(proof, key, algorithms=ALGORITHMS)
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise _refuse(f"the proof's signature does not verify: {error}") from error
    return holder, dict(token.claims)


def _header_of(proof: str) -> dict[str, Any]:
    try:
        encoded = proof.split(".")[0]
        header = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (ValueError, UnicodeDecodeError) as error:
        raise _refuse("the proof's header is not base64url JSON") from error
    if not isinstance(header, dict):
        raise _refuse("the proof's header is not a JSON object")
    return header


def check_claims(claims: dict[str, Any], *, issuer: str, now: datetime, nonce_ok: Callable[[Any], bool]) -> None:
    """Step 3."""
    audience = claims.get("aud")
    if audience != issuer and not (isinstance(audience, list) and issuer in audience):
        raise _refuse(f"the proof's aud must be {issuer}")
    iat = claims.get("iat")
    if not isinstance(iat, (int, float)) or isinstance(iat, bool):
        raise _refuse("the proof must carry iat (seconds since the epoch)")
    if abs(now.timestamp() - float(iat)) > IAT_SKEW.total_seconds():
        raise _refuse("the proof's iat is too far from now")
    if not nonce_ok(claims.get("nonce")):
        raise WalletError("the proof's nonce is missing, unknown, expired or used; get a new c_nonce",
                          code="invalid_nonce")


def holder_from_jwt_proof(proof: Any, *, issuer: str, now: datetime, nonce_ok: Callable[[Any], bool]) -> str:
    """Steps 1-3 of the module docstring; the holder's DID."""
    holder, claims = verified_token(proof)
    check_claims(claims, issuer=issuer, now=now, nonce_ok=nonce_ok)
    return holder


__all__ = ["ALGORITHMS", "PROOF_TYP", "check_claims", "checked_header", "holder_from_jwt_proof", "verified_token"]
