"""The web side of wallet signing: ask a worker for the holder-bound credential and wait.

The web process never loads the signing key (DESIGN.md): `CeleryBoundIssuer.issue` sends
`badgeline.issue_bound_credential(offer_id, holder_did)` and waits at most `timeout_s`
(the message expires with the wait). No worker in time, or the broker down:
`WalletError("temporarily_unavailable")`, a 503.
"""

from __future__ import annotations

from typing import Any, Protocol

from celery import Celery
from celery.exceptions import TimeoutError as CeleryTimeoutError
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from pipeline.tasks import ISSUE_BOUND_CREDENTIAL

from .errors import WalletError

BOUND_TIMEOUT_S = 10.0


class BoundIssuer(Protocol):
    """Returns `pipeline.wallet.bound.issue_bound_result`'s dict."""

    def issue(self, offer_id: str, holder_did: str) -> dict[str, Any]: ...


class CeleryBoundIssuer:
    def __init__(self, app: Celery, timeout_s: float = BOUND_TIMEOUT_S) -> None:
        self.app, self.timeout_s = app, timeout_s

    def issue(self, offer_id: str, holder_did: str) -> dict[str, Any]:
        try:
            result = self.app.send_task(ISSUE_BOUND_CREDENTIAL, args=[offer_id, holder_did], ignore_result=False,
                                        expires=self.timeout_s)
        except (KombuOperationalError, RedisError) as error:
            raise WalletError(f"the signing service is unreachable: {error}", code="temporarily_unavailable") from error
        try:
            return result.get(timeout=self.timeout_s)
        except CeleryTimeoutError as error:
            raise WalletError(f"no worker signed within {self.timeout_s:g} s",
                              code="temporarily_unavailable") from error
        except (RedisError, RuntimeError) as error:
            raise WalletError("the signing result could not be read", code="temporarily_unavailable") from error
        finally:
            try:
                result.forget()
            except (KombuOperationalError, RedisError):
                pass


def signed_or_refused(result: dict[str, Any]) -> dict[str, Any]:
    """The credential of a worker result, or its refusal raised as a `WalletError`."""
    if "verifiableCredential" in result:
        return result["verifiableCredential"]
    raise WalletError(str(result.get("error_description", "refused")), code=str(result.get("error", "invalid_request")))


__all__ = ["BOUND_TIMEOUT_S", "BoundIssuer", "CeleryBoundIssuer", "signed_or_refused"]
