"""Credentials secured as a compact JWS: VC-JOSE-COSE (VC 2.0), OB 3.0 VC-JWT and legacy VC-JWT 1.1.

RFC 7515 §5.2 (validate a JWS), RFC 7518 §3.3/§3.4 (RS256, ES256), RFC 8037 (EdDSA,
Ed25519). OB 3.0 §8.2.4 (OB#jwt-proof): `iss`, `jti`, `nbf`, `sub`, `exp` must agree
with the credential; VC-JWT 1.1 §6.3.1: a `vc` claim holds the credential and the
registered claims fill its fields. Only `cryptography` is used.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from issuer import problems as P
from issuer.dates import DateError, parse_datetime_z
from issuer.json_limits import bounded_loads
from issuer.jsondoc import parse_json
from issuer.problems import Problem
from verifier.errors import JwtError

COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
ALGORITHMS = ("RS256", "ES256", "EdDSA")
ACCEPTED_TYP = frozenset({"jwt", "vc+jwt", "vc-ld+jwt", "vc+ld+jwt", "application/vc+jwt"})
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey


@dataclass(frozen=True)
class CompactJws:
    """A parsed compact JWS (RFC 7515 §7.1): decoded header and payload, signing input, signature."""

    text: str
    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes

    @property
    def alg(self) -> str:
        return self.header.get("alg", "")


def b64url_decode(segment: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (ValueError, TypeError) as exc:
        raise JwtError("a JWS segment is not base64url", code="jws_malformed") from exc


def is_compact_jws(text: str) -> bool:
    return bool(COMPACT_JWS.match(text.strip()))


def parse_compact_jws(text: str) -> CompactJws:
    """Split and decode (RFC 7515 §5.2 steps 1-7); the header must be one we accept."""
    text = text.strip()
    if not is_compact_jws(text):
        raise JwtError("not a compact JWS (header.payload.signature)", code="jws_malformed")
    head, body, sig = text.split(".")
    header = _json_object(b64url_decode(head), "header")
    payload = _json_object(b64url_decode(body), "payload")
    check_header(header)
    return CompactJws(text, header, payload, f"{head}.{body}".encode("ascii"), b64url_decode(sig))


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = bounded_loads(raw, parse_json)
    except (ValueError, UnicodeDecodeError) as exc:
        raise JwtError(f"the JWS {what} is not JSON", code=f"jws_{what}_invalid") from exc
    if not isinstance(value, dict):
        raise JwtError(f"the JWS {what} is not a JSON object", code=f"jws_{what}_invalid")
    return value


def check_header(header: dict[str, Any]) -> None:
    """alg is one we implement (never "none"); no `crit`; typ, if present, names a JWT credential."""
    if header.get("alg") not in ALGORITHMS:
        raise JwtError(f"JWS alg {header.get('alg')!r} is not supported (RS256, ES256, EdDSA)",
                       code="jws_alg_unsupported")
    if "crit" in header:
        raise JwtError("the JWS header carries critical extensions this verifier does not know",
                       code="jws_header_invalid")
    typ = header.get("typ")
    if typ is not None and (not isinstance(typ, str) or typ.lower() not in ACCEPTED_TYP):
        raise JwtError(f"JWS typ {typ!r} is not a JWT credential type", code="jws_header_invalid")
    if "jwk" in header and not isinstance(header["jwk"], dict):
        raise JwtError("the JWS header jwk is not an object", code="jws_header_invalid")
    if "jwk" not in header and not isinstance(header.get("kid"), str):
        raise JwtError("the JWS header names no key (kid or jwk)", code="jws_key_missing")


def public_key_from_jwk(jwk: Any) -> PublicKey:
    """A public key from a JWK (RFC 7517): RSA, EC P-256 or OKP Ed25519; private members are refused."""
    if not isinstance(jwk, dict):
        raise JwtError("the JWK is not an object", code="jwk_invalid")
    if "d" in jwk or "p" in jwk:
        raise JwtError("the JWK carries private key material", code="jwk_private")
    kty, crv = jwk.get("kty"), jwk.get("crv")
    try:
        if kty == "RSA":
            n, e = (int.from_bytes(b64url_decode(jwk[k]), "big") for k in ("n", "e"))
            return rsa.RSAPublicNumbers(e, n).public_key()
        if kty == "EC" and crv == "P-256":
            x, y = (int.from_bytes(b64url_decode(jwk[k]), "big") for k in ("x", "y"))
            return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
        if kty == "OKP" and crv == "Ed25519":
            return ed25519.Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise JwtError(f"the {kty} JWK is malformed: {exc}", code="jwk_invalid") from exc
    raise JwtError(f"JWK kty {kty!r} crv {crv!r} is not supported", code="jwk_unsupported")


def jwk_thumbprint_members(jwk: dict[str, Any]) -> tuple[Any, ...]:
    """The RFC 7638 required members, to compare two JWKs for the same public key."""
    members = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x")}
    return tuple(jwk.get(name) for name in members.get(jwk.get("kty"), ("kty",)))


def verify_signature(jws: CompactJws, key: PublicKey) -> bool:
    """RFC 7515 §5.2 step 8: the signature over the signing input, with the alg's key type."""
    alg = jws.alg
    try:
        if alg == "EdDSA" and isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(jws.signature, jws.signing_input)
        elif alg == "ES256" and isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1":
            if len(jws.signature) != 64:
                return False
            r, s = int.from_bytes(jws.signature[:32], "big"), int.from_bytes(jws.signature[32:], "big")
            key.verify(encode_dss_signature(r, s), jws.signing_input, ec.ECDSA(hashes.SHA256()))
        elif alg == "RS256" and isinstance(key, rsa.RSAPublicKey):
            if key.key_size < 2048:
                raise JwtError("RS256 keys must have at least 2048 bits", code="jwk_too_small")
            key.verify(jws.signature, jws.signing_input, padding.PKCS1v15(), hashes.SHA256())
        else:
            raise JwtError(f"the key does not fit alg {alg}", code="jws_key_mismatch")
    except InvalidSignature:
        return False
    return True


# --- the credential inside --------------------------------------------------------------
_CLAIMS = {"iss": "issuer", "jti": "id", "sub": "credentialSubject.id"}


def credential_from_payload(payload: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """(credential, legacy): the payload itself (VC-JOSE, OB), or the `vc` claim (VC-JWT 1.1)."""
    if isinstance(payload.get("vc"), dict) and "@context" not in payload:
        return dict(payload["vc"]), True
    return {k: v for k, v in payload.items() if k not in ("iss", "jti", "sub", "nbf", "exp", "iat", "aud")}, False


def _numeric_date(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return datetime.fromtimestamp(value, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def _credential_value(credential: dict[str, Any], name: str) -> Any:
    if name == "issuer":
        issuer = credential.get("issuer")
        return issuer.get("id") if isinstance(issuer, dict) else issuer
    if name == "credentialSubject.id":
        subject = credential.get("credentialSubject")
        return subject.get("id") if isinstance(subject, dict) else None
    return credential.get(name)


def _date_field(credential: dict[str, Any], legacy: bool, which: str) -> str:
    v1 = credential.get("@context", [None])[0] == "https://www.w3.org/2018/credentials/v1" if isinstance(
        credential.get("@context"), list) and credential.get("@context") else legacy
    return {"nbf": "issuanceDate" if v1 else "validFrom", "exp": "expirationDate" if v1 else "validUntil"}[which]


def claim_problems(payload: dict[str, Any], credential: dict[str, Any], legacy: bool) -> list[Problem]:
    """OB#jwt-proof verification: each registered claim present must agree with the credential."""
    problems: list[Problem] = []
    for claim, name in _CLAIMS.items():
        if claim in payload and _credential_value(credential, name) not in (None, payload[claim]):
            problems.append(_mismatch(claim, name, payload[claim], _credential_value(credential, name)))
    for claim in ("nbf", "exp"):
        if claim not in payload:
            continue
        moment = _numeric_date(payload[claim])
        if moment is None:
            problems.append(Problem(P.MALFORMED_VALUE_ERROR, "jwt_claim_invalid", "Invalid JWT claim",
                                    f"The JWT {claim} claim is not a NumericDate.", f"/{claim}"))
            continue
        field_name = _date_field(credential, legacy, claim)
        if field_name not in credential:
            continue
        try:
            stated = parse_datetime_z(credential[field_name], require_zone=False)
        except DateError:
            continue  # the validity check reports the malformed date
        if int(stated.timestamp()) != int(moment.timestamp()):
            problems.append(_mismatch(claim, field_name, moment.isoformat(), credential[field_name]))
    return problems


def _mismatch(claim: str, name: str, claimed: Any, stated: Any) -> Problem:
    return Problem(P.MALFORMED_VALUE_ERROR, "jwt_claims_mismatch", "JWT claims do not match",
                   f"The JWT {claim} claim ({claimed}) does not match the credential's {name} ({stated}).",
                   f"/{claim}")


def apply_claims(credential: dict[str, Any], payload: dict[str, Any], legacy: bool) -> dict[str, Any]:
    """VC-JWT 1.1 §6.3.1 decoding: registered claims fill fields the `vc` claim leaves out."""
    if not legacy:
        return credential
    out = dict(credential)
    if "jti" in payload and "id" not in out:
        out["id"] = payload["jti"]
    if "iss" in payload and "issuer" not in out:
        out["issuer"] = payload["iss"]
    for claim in ("nbf", "exp"):
        moment = _numeric_date(payload.get(claim))
        field_name = _date_field(out, legacy, claim)
        if moment is not None and field_name not in out:
            out[field_name] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    subject = out.get("credentialSubject")
    if "sub" in payload and isinstance(subject, dict) and "id" not in subject:
        out["credentialSubject"] = {**subject, "id": payload["sub"]}
    return out
