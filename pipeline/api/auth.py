"""Bearer API keys (RFC 6750 §2.1) → the calling provider and its accreditation scopes.

`401 unauthenticated` when the `Authorization` header is missing, is not `Bearer <key>`, or
names a key that is unknown, wrong or revoked — the same answer for all, so a caller
cannot tell a revoked key from a mistyped one. Accreditation (`403 not_accredited`) is
decided per event by `pipeline.intake.check_accreditation` from the scopes found here.
"""

from __future__ import annotations

from flask import g

from pipeline.errors import PipelineError
from pipeline.intake import Caller
from pipeline.services import Services
from pipeline.store import statement_session_factory
from pipeline.store.api_keys import authenticate, scopes_of

from .problems import UNAUTHENTICATED

_CALLER = "badgeline_caller"
REALM = "badgeline"


class Unauthenticated(PipelineError):
    """No usable API key. `presented` tells whether a key was sent (for `WWW-Authenticate`)."""

    code = UNAUTHENTICATED

    def __init__(self, message: str, *, presented: bool):
        super().__init__(message)
        self.presented = presented

    def challenge(self) -> str:
        """The `WWW-Authenticate` value (RFC 6750 §3): `invalid_token` when a key was sent."""
        return f'Bearer realm="{REALM}", error="invalid_token"' if self.presented else f'Bearer realm="{REALM}"'


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (scheme case-insensitive)."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token and " " not in token else None


def pepper_of(services: Services) -> bytes:
    secret = services.settings.api_key_pepper
    return secret.get_secret_value().encode("utf-8") if secret is not None else b""


def authenticate_caller(services: Services, authorization: str | None) -> Caller:
    """The provider behind the presented key; `Unauthenticated` when there is none."""
    token = bearer_token(authorization)
    if token is None:
        raise Unauthenticated("send the API key as `Authorization: Bearer <key>`", presented=bool(authorization))
    with statement_session_factory(services.engine, read_only=True)() as session:  # one SELECT, no BEGIN on PostgreSQL
        key = authenticate(session, token, pepper=pepper_of(services))
        if key is None:
            raise Unauthenticated("the API key is unknown or revoked", presented=True)
        return Caller(provider_id=key.provider_id, scopes=tuple(scopes_of(key)), key_id=key.id)


def remember_caller(caller: Caller) -> None:
    setattr(g, _CALLER, caller)


def current_caller() -> Caller:
    """The caller authenticated for this request (set before every protected view)."""
    caller = getattr(g, _CALLER, None)
    if not isinstance(caller, Caller):
        raise Unauthenticated("this request was not authenticated", presented=False)
    return caller
