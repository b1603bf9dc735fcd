"""The `proof`, `issuer` and `claims` checks for a credential secured as a compact JWS.

Key by `kid` (a DID URL or an https key URL, resolved through the guard; "#frag" is
relative to the issuer) or by an embedded public `jwk` (OB#jwt-proof). A `kid` key is the
issuer's when its controller document is the issuer and lists it under
`assertionMethod`; an embedded `jwk` is the issuer's when it is the issuer's did:key, or
is in the JWK Set at `https://{issuer authority}/.well-known/jwks.json` (OB-IMPL).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ed25519

from issuer import problems as P
from issuer.dids import resolve_did_key
from issuer.errors import IssuerError, KeyError_
from issuer.multibase import decode_ed25519_public_multikey
from issuer.problems import CheckResult, Outcome, Problem
from issuer.verify import issuer_id
from verifier.documents import GuardedKeyResolver, find_method
from verifier.jwt import CompactJws, PublicKey, b64url_decode, claim_problems, jwk_thumbprint_members, \
    public_key_from_jwk, verify_signature
from verifier.resolvers import fetch_json

JWKS_ACCEPT = "application/jwk-set+json, application/json;q=0.9"


@dataclass(frozen=True)
class JwtKey:
    """The key a JWS names, and what its controller document says about it."""

    public_key: PublicKey
    vm_id: str | None
    controller: str | None
    relationships: frozenset[str]
    jwk: dict[str, Any] | None = None


def resolve_jwt_key(jws: CompactJws, resolver: GuardedKeyResolver, issuer: str | None) -> JwtKey:
    """The verification key named by the JWS header (RFC 7515 §4.1.3 jwk, §4.1.4 kid)."""
    kid = jws.header.get("kid")
    if isinstance(kid, str) and kid.startswith("#") and issuer:
        kid = issuer + kid
    if isinstance(kid, str) and kid.startswith("did:key:"):
        method = resolve_did_key(kid)
        return JwtKey(ed25519.Ed25519PublicKey.from_public_bytes(method.public_key), method.id,
                      method.controller, method.relationships)
    if isinstance(kid, str) and "#" in kid:
        return _key_from_document(kid, resolver)
    if "jwk" in jws.header:
        return JwtKey(public_key_from_jwk(jws.header["jwk"]), None, None, frozenset(), jws.header["jwk"])
    raise KeyError_(f"the JWS key {kid!r} cannot be resolved (use a DID URL, an https key URL or jwk)",
                    code="key_unresolvable")


def _key_from_document(kid: str, resolver: GuardedKeyResolver) -> JwtKey:
    base = kid.partition("#")[0]
    document = resolver.controller_document(base)
    if document.get("id") != base:
        raise KeyError_(f"controller document id does not match {base!r}", code="controller_document_id_mismatch")
    method, relationships = find_method(document, kid)
    if method is None:
        raise KeyError_(f"{kid} is not in its controller document", code="key_unresolvable")
    controller = method.get("controller")
    controller = base + controller if isinstance(controller, str) and controller.startswith("#") else controller
    if controller != base:
        raise KeyError_(f"{kid} is not controlled by {base}", code="vm_controller_mismatch")
    if isinstance(method.get("publicKeyJwk"), dict):
        key = public_key_from_jwk(method["publicKeyJwk"])
    else:
        key = ed25519.Ed25519PublicKey.from_public_bytes(decode_ed25519_public_multikey(method.get("publicKeyMultibase")))
    return JwtKey(key, kid, base, relationships)


def _fail(name: str, type_: str, code: str, title: str, detail: str, path: str | None = None) -> CheckResult:
    return CheckResult(name, Outcome.FAIL, detail, [Problem(type_, code, title, detail, path)])


def check_jws(jws: CompactJws, credential: dict[str, Any], resolver: GuardedKeyResolver) -> list[CheckResult]:
    """`proof`: the JWS signature verifies with the key it names; `issuer`: that key is the issuer's."""
    issuer = issuer_id(credential)
    try:
        key = resolve_jwt_key(jws, resolver, issuer)
        valid = verify_signature(jws, key.public_key)
    except IssuerError as exc:
        detail = f"The JWT's signing key could not be used: {exc.message}"
        return [_fail("proof", P.CRYPTOGRAPHIC_SECURITY_ERROR, exc.code, "Unusable JWT key", detail, "/header"),
                CheckResult("issuer", Outcome.CANNOT_CHECK, "The signer cannot be tied to the issuer without a valid signature.")]
    if not valid:
        return [_fail("proof", P.CRYPTOGRAPHIC_SECURITY_ERROR, "jws_signature_invalid", "Invalid JWT signature",
                      "The JWT signature does not match its contents: the credential was altered or signed "
                      "with another key."),
                CheckResult("issuer", Outcome.CANNOT_CHECK, "The signer cannot be tied to the issuer without a valid signature.")]
    proof = CheckResult("proof", Outcome.PASS, f"The JWT signature ({jws.alg}) is valid.",
                        details={"format": "jwt", "alg": jws.alg, "verificationMethods": [key.vm_id] if key.vm_id else []})
    return [proof, _issuer_binding(key, issuer, resolver)]


def _issuer_binding(key: JwtKey, issuer: str | None, resolver: GuardedKeyResolver) -> CheckResult:
    if issuer is None:
        return _fail("issuer", P.MALFORMED_VALUE_ERROR, "issuer_missing", "No issuer",
                     "The credential does not name its issuer.", "/issuer")
    if key.jwk is not None:
        return _embedded_jwk_binding(key, issuer, resolver)
    if key.controller != issuer:
        return _fail("issuer", P.PROOF_VERIFICATION_ERROR, "key_not_issuers", "Key not the issuer's",
                     f"The signing key belongs to {key.controller}, not to the issuer {issuer}.", "/header/kid")
    if "assertionMethod" not in key.relationships:
        return _fail("issuer", P.PROOF_VERIFICATION_ERROR, "key_not_authorized", "Key not authorized",
                     f"{key.vm_id} is not listed under assertionMethod by {issuer}.", "/header/kid")
    return CheckResult("issuer", Outcome.PASS, f"Signed with a key that belongs to the issuer {issuer}.",
                       details={"issuer": issuer})


def _embedded_jwk_binding(key: JwtKey, issuer: str, resolver: GuardedKeyResolver) -> CheckResult:
    jwk = key.jwk or {}
    if issuer.startswith("did:key:"):
        mine = resolve_did_key(issuer).public_key
        theirs = b64url_decode(jwk.get("x", "")) if jwk.get("kty") == "OKP" else b""
        if mine == theirs:
            return CheckResult("issuer", Outcome.PASS, f"Signed with the key of the issuer {issuer}.")
        return _fail("issuer", P.PROOF_VERIFICATION_ERROR, "key_not_issuers", "Key not the issuer's",
                     f"The JWT's key is not the key of {issuer}.", "/header/jwk")
    parts = urlsplit(issuer)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return CheckResult("issuer", Outcome.CANNOT_CHECK,
                           f"The JWT carries its own key, and {issuer} publishes no key set this verifier can read.")
    jwks_url = f"{parts.scheme}://{parts.netloc}/.well-known/jwks.json"
    try:
        keys = fetch_json(resolver.fetcher, jwks_url, accept=JWKS_ACCEPT).get("keys", [])
    except (IssuerError, AttributeError) as exc:
        return CheckResult("issuer", Outcome.CANNOT_CHECK,
                           f"The issuer's key set at {jwks_url} could not be read ({exc}).",
                           [Problem(P.PROOF_VERIFICATION_ERROR, "jwks_unreachable", "Key set unavailable", str(exc))])
    wanted = jwk_thumbprint_members(jwk)
    if any(isinstance(k, dict) and jwk_thumbprint_members(k) == wanted for k in keys):
        return CheckResult("issuer", Outcome.PASS, f"The JWT's key is in the key set {issuer} publishes.")
    return _fail("issuer", P.PROOF_VERIFICATION_ERROR, "key_not_issuers", "Key not the issuer's",
                 f"The JWT's key is not in the key set {issuer} publishes at {jwks_url}.", "/header/jwk")


def check_claims(payload: dict[str, Any], credential: dict[str, Any], legacy: bool) -> CheckResult:
    """`claims`: iss, jti, sub, nbf and exp agree with the credential (OB#jwt-proof)."""
    problems = claim_problems(payload, credential, legacy)
    if problems:
        return CheckResult("claims", Outcome.FAIL, problems[0].detail, problems)
    return CheckResult("claims", Outcome.PASS, "The JWT's claims agree with the credential.")
