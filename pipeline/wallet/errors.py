"""The wallet delivery error root: OAuth 2.0 / OID4VCI 1.0 error codes with their HTTP status.

Token endpoint (RFC 6749 §5.2): `invalid_request`, `invalid_grant`, `unsupported_grant_type`
(400). Protected resources (RFC 6750 §3.1): `invalid_token` (401, with `WWW-Authenticate`).
Credential endpoint (OID4VCI 1.0 §8.3.1.2): `invalid_credential_request`,
`unknown_credential_configuration`, `unsupported_credential_format`, `invalid_proof`,
`invalid_nonce`, `credential_request_denied` (400). No worker in time: `temporarily_unavailable`
(503, RFC 6749 §4.1.2.1). The JSON body is `{"error", "error_description"}`.
"""

from __future__ import annotations

from pipeline.errors import PipelineError

STATUS = {
    "invalid_request": 400, "invalid_grant": 400, "unsupported_grant_type": 400, "invalid_client": 401,
    "invalid_token": 401, "invalid_credential_request": 400, "unknown_credential_configuration": 400,
    "unsupported_credential_format": 400, "invalid_proof": 400, "invalid_nonce": 400,
    "credential_request_denied": 400, "invalid_presentation": 400, "temporarily_unavailable": 503, "not_found": 404, "offer_gone": 410,
}


class WalletError(PipelineError):
    """A refused wallet request: `code` is the OAuth / OID4VCI `error` value."""

    code = "invalid_request"

    @property
    def status(self) -> int:
        return STATUS.get(self.code, 400)

    def body(self) -> dict[str, str]:
        return {"error": self.code, "error_description": self.message}


__all__ = ["STATUS", "WalletError"]
