"""DID authentication for the VC API exchange (VC API exchanges; the Learner Credential Wallet).

1. `presentation_request`: the Verifiable Presentation Request the exchange answers first:
   a `DIDAuthentication` query (did:key accepted), our `challenge` and `domain`, and the
   same exchange URL as the `interact` service where the wallet posts its presentation.
2. `authenticated_holder`: the wallet's presentation, verified by the verifier engine
   (`verifier.presentations.verify_presentation`) with the expected challenge and domain:
   envelope, bundled contexts only, a Data Integrity proof (eddsa-rdfc-2022, or the older
   Ed25519Signature2020 the wallet may use) for `authentication` by the holder's key. The
   presentation must name its `holder`, a did:key DID, and carry no credentials of its own.
   The holder's keys resolve offline (did:key); the engine here fetches nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from issuer.frameworks.registry import FrameworkRegistry
from issuer.problems import Outcome
from verifier.engine import VerifierEngine, VerifyOptions
from verifier.errors import FetchError
from verifier.presentations import verify_presentation

from .errors import WalletError


class NoNetwork:
    """The engine's fetcher for DID authentication: did:key needs none, anything else is refused."""

    def fetch(self, url: str, *, accept: str = "application/json", max_age_s: float | None = None) -> bytes:
        raise FetchError(f"DID authentication resolves did:key only, not {url}", code="fetch_refused")


def didauth_engine(registry: FrameworkRegistry, clock: Callable[[], datetime]) -> VerifierEngine:
    return VerifierEngine(fetcher=NoNetwork(), registry=registry, clock=clock)


def presentation_request(*, challenge: str, domain: str, exchange_url: str) -> dict[str, Any]:
    """Step 1."""
    return {"verifiablePresentationRequest": {
        "query": [{"type": "DIDAuthentication", "acceptedMethods": [{"method": "key"}],
                   "acceptedCryptosuites": [{"cryptosuite": "eddsa-rdfc-2022"},
                                            {"cryptosuite": "Ed25519Signature2020"}]}],
        "challenge": challenge, "domain": domain,
        "interact": {"service": [{"type": "UnmediatedHttpPresentationService2021", "serviceEndpoint": exchange_url}]},
    }}


def _holder_of(vp: Any) -> str:
    holder = vp.get("holder") if isinstance(vp, dict) else None
    holder = holder.get("id") if isinstance(holder, dict) else holder
    if not isinstance(holder, str) or not holder.startswith("did:key:"):
        raise WalletError("the presentation must name its holder, a did:key DID", code="invalid_presentation")
    if vp.get("verifiableCredential"):
        raise WalletError("a DID authentication presentation carries no credentials", code="invalid_presentation")
    return holder


def authenticated_holder(vp: Any, engine: VerifierEngine, *, challenge: str, domain: str, now: datetime) -> str:
    """Step 2: the DID the presentation authenticates (`WalletError invalid_presentation` otherwise)."""
    holder = _holder_of(vp)
    result = verify_presentation(vp, engine, VerifyOptions(challenge=challenge, domain=domain), now=now)
    failed = [c for c in result.checks if c.outcome is not Outcome.PASS]
    if failed or not result.verified:
        first = failed[0] if failed else result.checks[-1]
        codes = ", ".join(p.code for c in failed for p in c.problems) or first.name
        raise WalletError(f"DID authentication failed ({codes}): {first.summary}", code="invalid_presentation")
    return holder


__all__ = ["NoNetwork", "authenticated_holder", "didauth_engine", "presentation_request"]
