"""The verifier's errors: one root, `VerifierError`, with stable codes.

It subclasses the core's `IssuerError` so that errors raised inside a key resolver the
core calls (e.g. a refused fetch) keep their code in the core's proof report.
Plain-language sentences for people live in `MESSAGES`.
"""

from __future__ import annotations

from issuer.errors import IssuerError


class VerifierError(IssuerError):
    """Root of every error raised by the verifier service."""

    code = "verifier_error"


class FetchError(VerifierError):
    """The guarded resolver refused or failed to fetch a URL."""

    code = "fetch_failed"


class FormatError(VerifierError):
    """The input is not a credential in a format the verifier reads."""

    code = "format_unrecognized"


class JwtError(VerifierError):
    """A compact JWS is malformed, uses an unsupported algorithm, or does not verify."""

    code = "jwt_invalid"


class RequestError(VerifierError):
    """An HTTP request to the verifier is malformed (VC API "invalid input")."""

    code = "request_invalid"


MESSAGES: dict[str, str] = {
    "verifier_error": "Something went wrong in the verifier.",
    "fetch_failed": "A document the credential points to could not be fetched.",
    "fetch_forbidden": "A document the credential points to is at an address this verifier may not contact.",
    "fetch_timeout": "A document the credential points to took too long to arrive.",
    "fetch_too_large": "A document the credential points to is too large.",
    "format_unrecognized": "The file is not a credential this verifier can read (JSON, JWT, PNG or SVG).",
    "jwt_invalid": "The credential's JWT signature is missing, malformed or not valid.",
    "request_invalid": "The request is not a valid verification request.",
}
