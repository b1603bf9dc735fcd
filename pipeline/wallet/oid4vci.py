"""OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow (issue 9).

    app.register_blueprint(make_oid4vci_blueprint(services, bound_issuer))

The credential issuer identifier is `public_url`; it is its own authorization server.

- `GET /.well-known/openid-credential-issuer` (§12.2): one configuration, `ldp_vc`, the OB 3.0
  contexts and types, did:key binding, `jwt` proofs signed with EdDSA, a nonce endpoint.
- `GET /.well-known/oauth-authorization-server` (RFC 8414): the token endpoint and the
  pre-authorized code grant, anonymous access (no client authentication).
- `GET /oid4vci/offers/<secret>` (§4.1.3): the credential offer object of an open offer.
- `POST /oid4vci/token` (§6, form-encoded): `grant_type` = pre-authorized code; the code
  once for a Bearer token. Wrong, expired or reused: `invalid_grant`.
- `POST /oid4vci/nonce` (§7): a fresh single-use `c_nonce`.
- `POST /oid4vci/credential` (§8): Bearer token; `credential_configuration_id` and exactly one
  `jwt` proof (`proofs.jwt[0]`, or the draft `proof`); the proof's did:key becomes the
  subject; a worker signs (`pipeline.wallet.signing`); `{"credentials": [{"credential"}]}`.
Every answer is `no-store` JSON; errors are the codes of `pipeline.wallet.errors`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from issuer.models import CONTEXTS
from pipeline.services import Services

from .errors import WalletError
from .http import install_error_handlers, json_body, no_store_json
from .offers import (CONFIGURATION_ID, PRE_AUTHORIZED_GRANT, new_nonce, offer_for_token, open_offer,
                     pre_authorized_code, redeem_code, use_nonce)
from .proofs import ALGORITHMS, holder_from_jwt_proof
from .signing import BoundIssuer, signed_or_refused

CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
FORMAT = "ldp_vc"


def issuer_metadata(public_url: str, issuer_name: str) -> dict[str, Any]:
    """Credential issuer metadata (OID4VCI 1.0 §12.2.4)."""
    return {
        "credential_issuer": public_url,
        "credential_endpoint": f"{public_url}/oid4vci/credential",
        "nonce_endpoint": f"{public_url}/oid4vci/nonce",
        "display": [{"name": issuer_name, "locale": "en"}],
        "credential_configurations_supported": {CONFIGURATION_ID: {
            "format": FORMAT,
            "credential_definition": {"@context": list(CONTEXTS), "type": CREDENTIAL_TYPES},
            "cryptographic_binding_methods_supported": ["did:key"],
            "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
            "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["EdDSA"]}},
            "credential_metadata": {"display": [{"name": "Open Badge (OB 3.0 AchievementCredential)",
                                                 "locale": "en"}]},
        }},
    }


def authorization_server_metadata(public_url: str) -> dict[str, Any]:
    """RFC 8414 metadata with the OID4VCI 1.0 §12.3 parameter for anonymous pre-authorized access."""
    return {
        "issuer": public_url, "token_endpoint": f"{public_url}/oid4vci/token",
        "grant_types_supported": [PRE_AUTHORIZED_GRANT], "response_types_supported": [],
        "token_endpoint_auth_methods_supported": ["none"],
        "pre-authorized_grant_anonymous_access_supported": True,
    }


def credential_offer(public_url: str, secret: str) -> dict[str, Any]:
    """The credential offer object (OID4VCI 1.0 §4.1.1), no transaction code."""
    return {"credential_issuer": public_url, "credential_configuration_ids": [CONFIGURATION_ID],
            "grants": {PRE_AUTHORIZED_GRANT: {"pre-authorized_code": pre_authorized_code(secret)}}}


def requested_proof(body: dict[str, Any]) -> Any:
    """The one `jwt` proof of a credential request (OID4VCI 1.0 §8.2), after its configuration."""
    if "credential_configuration_id" not in body:
        fmt = body.get("format")
        if fmt is not None and fmt != FORMAT:
            raise WalletError(f"format {fmt!r} is not issued here; use {FORMAT}", code="unsupported_credential_format")
        raise WalletError("name the credential_configuration_id", code="invalid_credential_request")
    if body["credential_configuration_id"] != CONFIGURATION_ID:
        raise WalletError(f"unknown credential configuration {body['credential_configuration_id']!r}",
                          code="unknown_credential_configuration")
    proofs, proof = body.get("proofs"), body.get("proof")
    if isinstance(proofs, dict) and set(proofs) == {"jwt"} and isinstance(proofs["jwt"], list) and len(proofs["jwt"]) == 1:
        return proofs["jwt"][0]
    if proofs is None and isinstance(proof, dict) and proof.get("proof_type") == "jwt":
        return proof.get("jwt")
    raise WalletError("give exactly one jwt proof (proofs.jwt with one element)", code="invalid_proof")


def bearer(header: str | None) -> str | None:
    scheme, _, token = (header or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def make_oid4vci_blueprint(services: Services, bound_issuer: BoundIssuer | None) -> Blueprint:
    bp = Blueprint("oid4vci", __name__)
    install_error_handlers(bp)
    settings = services.settings
    public_url = settings.public_url

    @bp.get("/.well-known/openid-credential-issuer")
    def credential_issuer_metadata() -> Response:
        return no_store_json(issuer_metadata(public_url, settings.issuer_name))

    @bp.get("/.well-known/oauth-authorization-server")
    def oauth_metadata() -> Response:
        return no_store_json(authorization_server_metadata(public_url))

    @bp.get("/oid4vci/offers/<secret>")
    def get_offer(secret: str) -> Response:
        with services.read_sessions() as session:
            open_offer(session, secret, services.clock())
        return no_store_json(credential_offer(public_url, secret))

    @bp.post("/oid4vci/token")
    def token() -> Response:
        grant = request.form.get("grant_type")
        if grant is None:
            raise WalletError("grant_type is required", code="invalid_request")
        if grant != PRE_AUTHORIZED_GRANT:
            raise WalletError(f"only {PRE_AUTHORIZED_GRANT} is supported", code="unsupported_grant_type")
        code = request.form.get("pre-authorized_code")
        if not code:
            raise WalletError("pre-authorized_code is required", code="invalid_request")
        with services.sessions.begin() as session:
            access_token, expires_in = redeem_code(session, code, services.clock())
        return no_store_json({"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in})

    @bp.post("/oid4vci/nonce")
    def nonce() -> Response:
        with services.sessions.begin() as session:
            value, expires_in = new_nonce(session, services.clock())
        return no_store_json({"c_nonce": value, "c_nonce_expires_in": expires_in})

    @bp.post("/oid4vci/credential")
    def credential() -> Response:
        now = services.clock()
        with services.sessions.begin() as session:
            offer = offer_for_token(session, bearer(request.headers.get("Authorization")), now)
            proof = requested_proof(json_body())
            holder = holder_from_jwt_proof(proof, issuer=public_url, now=now,
                                           nonce_ok=lambda value: use_nonce(session, value, now))
            offer_id = offer.id
        if bound_issuer is None:
            raise WalletError("no signing service is configured", code="temporarily_unavailable")
        signed = signed_or_refused(bound_issuer.issue(offer_id, holder))
        return no_store_json({"credentials": [{"credential": signed}]})

    return bp


__all__ = ["ALGORITHMS", "authorization_server_metadata", "credential_offer", "issuer_metadata",
           "make_oid4vci_blueprint", "requested_proof"]
