"""The HTTP POST of a webhook delivery, through the verifier's address guard.

`GuardedPoster.post(url, body, headers)` checks the URL (https, or plain http for an allowed
host), resolves the host and connects only to a public address, unless the host is in
`BADGELINE_WEBHOOK_ALLOWED_HOSTS` (`verifier.resolvers.GuardedFetcher.check_url`,
`pick_address`, `connection`: the same rules as the verifier's fetches). No redirects are
followed; the answer's body is read up to 64 KiB and dropped.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass

from pipeline.errors import PipelineError
from verifier.errors import FetchError
from verifier.resolvers import GuardedFetcher, GuardPolicy, HostAllowlist, Resolve, system_resolve

TIMEOUT_S = 10.0
USER_AGENT = "badgeline-webhooks"


class DeliveryRefused(PipelineError):
    """The URL may not be posted to (scheme, or a private or loopback address): never retried."""

    code = "webhook_address_refused"


class DeliveryFailed(PipelineError):
    """The receiver could not be reached or did not answer: retried later."""

    code = "webhook_unreachable"


@dataclass(frozen=True)
class Answer:
    status: int


class GuardedPoster:
    def __init__(self, allowed_hosts: list[str] | tuple[str, ...] = (), *, timeout_s: float = TIMEOUT_S,
                 resolve: Resolve = system_resolve) -> None:
        policy = GuardPolicy(allowlist=HostAllowlist.parse(allowed_hosts), timeout_s=timeout_s)
        self.guard, self.timeout_s = GuardedFetcher(policy, resolve=resolve), timeout_s

    def check(self, url: str) -> None:
        """Refuse a URL that can never be delivered to (not http(s), or plain http to a host not allowed)."""
        try:
            self.guard.check_url(url)
        except FetchError as error:
            raise DeliveryRefused(error.message) from error

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Answer:
        try:
            scheme, host, port, target = self.guard.check_url(url)
            address = self.guard.pick_address(host, port)
        except FetchError as error:
            if error.code == "fetch_dns":
                raise DeliveryFailed(error.message) from error
            raise DeliveryRefused(error.message) from error
        conn = self.guard.connection(scheme, host, port, address, self.timeout_s)
        try:
            conn.request("POST", target, body=body, headers={
                "Content-Type": "application/json", "User-Agent": USER_AGENT, **headers})
            response = conn.getresponse()
            response.read(64 * 1024)
            return Answer(response.status)
        except (socket.timeout, TimeoutError, ssl.SSLError, OSError, http.client.HTTPException) as error:
            raise DeliveryFailed(f"POST {url} failed: {type(error).__name__}: {error}") from error
        finally:
            conn.close()
