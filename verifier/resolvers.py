"""The guarded HTTP fetcher every network read of the verifier goes through (DESIGN rule 7).

Rules (issue 4): https only, unless the host is on the allowlist; never a private,
loopback, link-local or otherwise non-global address unless the host is on the
allowlist. The check is made on the addresses the name resolves to, and the connection
is pinned to the checked address (TLS still verifies the certificate for the host name),
so a DNS answer that changes between check and connect cannot redirect us (DNS
rebinding). A 5 s deadline covers the whole exchange (a watchdog shuts the socket when it
passes, so no read outlives it, however the server drips its answer), bodies over 1 MiB are refused,
redirects are re-checked hop by hop, and successful answers are cached with a TTL.
Inside `fetch_budget(s)` (one HTTP request to the verifier) all fetches share `s` seconds in
all, so a credential (or a batch) citing many slow hosts cannot hold a thread for long.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

from issuer.json_limits import bounded_loads
from issuer.jsondoc import parse_json
from verifier.errors import FetchError

MiB = 1024 * 1024
JSON_ACCEPT = "application/did+ld+json, application/ld+json, application/json;q=0.9, */*;q=0.1"
CREDENTIAL_ACCEPT = ("application/vc+ld+json, application/vc, application/ld+json, application/vc+jwt, "
                     "application/json;q=0.9, */*;q=0.1")
MAX_REDIRECTS = 3

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_BUDGET_DEADLINE: ContextVar[float | None] = ContextVar("fetch_budget_deadline", default=None)  # time.monotonic()


@contextmanager
def fetch_budget(seconds: float) -> Iterator[None]:
    """Every guarded fetch in this block (this thread or task) shares `seconds` in all; a fetch
    started after they are spent fails at once (`fetch_budget_spent`). Nested budgets never extend."""
    outer = _BUDGET_DEADLINE.get()
    deadline = time.monotonic() + seconds
    token = _BUDGET_DEADLINE.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _BUDGET_DEADLINE.reset(token)


def budget_left_s() -> float | None:
    """Seconds left in the current fetch budget (None outside one)."""
    deadline = _BUDGET_DEADLINE.get()
    return None if deadline is None else deadline - time.monotonic()


class Fetcher(Protocol):
    """What the verifier needs from the network: bytes for a URL, or a coded FetchError."""

    def fetch(self, url: str, *, accept: str = JSON_ACCEPT, max_age_s: float | None = None) -> bytes:
        """`max_age_s`: a cached copy older than this is not used (a status list's own `ttl`)."""
        ...


def fetch_json(fetcher: Fetcher, url: str, *, accept: str = JSON_ACCEPT) -> Any:
    """The JSON document at `url` (FetchError `fetch_not_json` when it is not JSON)."""
    body = fetcher.fetch(url, accept=accept)
    try:
        return bounded_loads(body, parse_json)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FetchError(f"{url} did not return JSON", code="fetch_not_json") from exc


@dataclass(frozen=True)
class HostAllowlist:
    """`host` or `host:port` entries (`[::1]:8443` for IPv6); a bare host allows every port."""

    entries: frozenset[tuple[str, int | None]] = frozenset()

    @classmethod
    def parse(cls, values: Iterable[str]) -> HostAllowlist:
        entries = set()
        for raw in values:
            value = raw.strip().lower()
            if not value:
                continue
            parts = urlsplit("//" + value)
            try:
                port = parts.port
            except ValueError as exc:
                raise FetchError(f"allowlist entry {raw!r} has an invalid port", code="allowlist_invalid") from exc
            if not parts.hostname or parts.path or parts.username:
                raise FetchError(f"allowlist entry {raw!r} is not host[:port]", code="allowlist_invalid")
            entries.add((parts.hostname, port))
        return cls(frozenset(entries))

    def allows(self, host: str, port: int) -> bool:
        host = host.lower()
        return (host, port) in self.entries or (host, None) in self.entries


@dataclass(frozen=True)
class GuardPolicy:
    """Limits of the guarded fetcher (defaults from issue 4)."""

    allowlist: HostAllowlist = field(default_factory=HostAllowlist)
    timeout_s: float = 5.0
    max_bytes: int = 1 * MiB
    cache_ttl_s: float = 300.0
    cache_entries: int = 512
    ca_file: str | None = None
    failure_ttl_s: float = 10.0
    """A failed fetch (no DNS answer, no connection, timeout, TLS, HTTP error) is answered from
    memory this long: a publisher that is down costs each verification nothing, not a lookup
    and a timeout (issue 12: one DNS lookup per verification bounded the engine at 24/s)."""


#: Failures worth remembering: about the remote side, not about this request or URL's form.
REMEMBERED_FAILURES = frozenset({"fetch_dns", "fetch_failed", "fetch_forbidden", "fetch_http_status", "fetch_timeout",
                                 "fetch_tls", "fetch_too_large", "fetch_redirect", "fetch_not_json"})


#: IPv6 ranges whose last 32 bits are an IPv4 address reached through them (issue 10, finding 8):
#: NAT64 well-known prefix, SIIT IPv4-translated, and the deprecated IPv4-compatible form.
_EMBEDDING_V4 = tuple(ipaddress.IPv6Network(net) for net in ("64:ff9b::/96", "::ffff:0:0:0/96", "::/96"))
#: IPv6 ranges that reach IPv4 addresses we cannot read off the address: refused outright
#: (local-use NAT64, RFC 8215, may embed the IPv4 address at any of several offsets).
_OPAQUE_V4 = (ipaddress.IPv6Network("64:ff9b:1::/48"),)


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for: IPv4-mapped, 6to4, NAT64, SIIT, IPv4-compatible."""
    for found in (address.ipv4_mapped, address.sixtofour):
        if found is not None:
            return found
    if any(address in net for net in _EMBEDDING_V4):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_is_public(address: IpAddress) -> bool:
    """A globally routable unicast address (not private, loopback, link-local, reserved...);
    an IPv6 form of an IPv4 address is judged by the IPv4 address it reaches."""
    if isinstance(address, ipaddress.IPv6Address):
        if any(address in net for net in _OPAQUE_V4):
            return False
        inner = embedded_ipv4(address)
        if inner is not None:
            return address_is_public(inner)
    return address.is_global and not address.is_multicast


Resolve = Callable[[str, int], list[str]]


def system_resolve(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to (TCP), in resolver order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class _Watchdog:
    """Shuts a fetch's socket down when its deadline passes, whatever read it is blocked in.

    A socket timeout bounds each `recv`, not the exchange: a server dripping its status line,
    headers or a `Connection: close` body a byte at a time never trips it (issue 10, finding
    3). The watchdog does, for every read; `fired` tells a timeout from a server's own close."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        """The connection's TCP socket (before TLS wraps it); shut at once if already late."""
        with self._lock:
            self._sock = sock
            if self.fired:
                self._shut()

    def cancel(self) -> None:
        self._timer.cancel()

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            self._shut()

    def _shut(self) -> None:
        if self._sock is not None:
            try:
                socket.socket.shutdown(self._sock, socket.SHUT_RDWR)  # the fd, under any TLS layer
            except OSError:
                pass


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to a pre-checked address; `Host` stays the URL's host."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float,
                 watchdog: _Watchdog | None = None) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address, self._watchdog = address, watchdog

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        if self._watchdog is not None:
            self._watchdog.watch(self.sock)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a pre-checked address; SNI and certificate checks use the URL's host."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float, context: ssl.SSLContext,
                 watchdog: _Watchdog | None = None) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address, self._tls, self._watchdog = address, context, watchdog

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        if self._watchdog is not None:
            self._watchdog.watch(sock)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


class GuardedFetcher:
    """The one way the verifier reads the network (thread-safe; shared by all requests)."""

    def __init__(self, policy: GuardPolicy | None = None, *, resolve: Resolve = system_resolve,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy or GuardPolicy()
        self._resolve, self._monotonic = resolve, monotonic
        self._cache: OrderedDict[tuple[str, str], tuple[float, bytes]] = OrderedDict()
        self._failures: OrderedDict[tuple[str, str], tuple[float, FetchError]] = OrderedDict()
        self._lock = threading.Lock()
        self._tls = ssl.create_default_context(cafile=self.policy.ca_file)

    def fetch(self, url: str, *, accept: str = JSON_ACCEPT, max_age_s: float | None = None) -> bytes:
        """The body at `url` (2xx only), from the cache while fresh (younger than the policy's TTL
        and than `max_age_s`); FetchError with a code otherwise."""
        cached = self._cached((url, accept), max_age_s)
        if cached is not None:
            return cached
        failed = self._failed_recently((url, accept))
        if failed is not None:
            raise failed
        try:
            return self._fetch_now(url, accept)
        except FetchError as error:
            if error.code in REMEMBERED_FAILURES and self.policy.failure_ttl_s > 0:
                with self._lock:
                    self._failures[(url, accept)] = (self._monotonic(), error)
                    while len(self._failures) > self.policy.cache_entries:
                        self._failures.popitem(last=False)
            raise

    def _failed_recently(self, key: tuple[str, str]) -> FetchError | None:
        with self._lock:
            entry = self._failures.get(key)
            if entry is None:
                return None
            if self._monotonic() - entry[0] >= self.policy.failure_ttl_s:
                del self._failures[key]
                return None
        return FetchError(f"{entry[1].message} (failed within the last {self.policy.failure_ttl_s:g} s)",
                          code=entry[1].code)

    def _fetch_now(self, url: str, accept: str) -> bytes:
        allowed_s, left = self.policy.timeout_s, budget_left_s()
        if left is not None:
            if left <= 0:
                raise FetchError(f"{url} was not fetched: this request's time for fetching is spent",
                                 code="fetch_budget_spent")
            allowed_s = min(allowed_s, left)
        deadline = self._monotonic() + allowed_s
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            status, location, body = self._exchange(current, accept, deadline)
            if status in (301, 302, 303, 307, 308) and location:
                current = urljoin(current, location)
                continue
            if not 200 <= status < 300:
                raise FetchError(f"{current} answered HTTP {status}", code="fetch_http_status")
            self._store((url, accept), body)
            return body
        raise FetchError(f"{url} redirected more than {MAX_REDIRECTS} times", code="fetch_redirect")

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
            self._failures.clear()

    # --- the checks --------------------------------------------------------------------
    def check_url(self, url: str) -> tuple[str, str, int, str]:
        """(scheme, host, port, path+query) of a URL we may fetch, else FetchError."""
        parts = urlsplit(url) if isinstance(url, str) else None
        try:
            port = parts.port if parts else None
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in ("https", "http") or not parts.hostname or parts.username:
            raise FetchError(f"{url!r} is not an absolute http(s) URL", code="fetch_url_invalid")
        port = port or (443 if parts.scheme == "https" else 80)
        allowed = self.policy.allowlist.allows(parts.hostname, port)
        if parts.scheme != "https" and not allowed:
            raise FetchError(f"{url} is not https (plain http only for allow-listed hosts)",
                             code="fetch_scheme_forbidden")
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return parts.scheme, parts.hostname, port, target

    def pick_address(self, host: str, port: int) -> str:
        """The first resolved address we may connect to (every address allowed for allow-listed hosts)."""
        try:
            addresses = self._resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise FetchError(f"{host} does not resolve: {exc}", code="fetch_dns") from exc
        allowed = self.policy.allowlist.allows(host, port)
        for text in addresses:
            try:
                address = ipaddress.ip_address(text.split("%")[0])
            except ValueError:
                continue
            if allowed or address_is_public(address):
                return str(address)
        raise FetchError(f"{host} resolves only to private, loopback or reserved addresses",
                         code="fetch_forbidden")

    def connection(self, scheme: str, host: str, port: int, address: str, timeout: float,
                   watchdog: _Watchdog | None = None) -> http.client.HTTPConnection:
        """An HTTP(S) connection to the checked `address` (`Host`, SNI and certificate: `host`);
        `watchdog` shuts its socket at the deadline, whatever read is under way. Also used by the
        pipeline's webhook deliveries, which POST through the same guard."""
        if scheme == "https":
            return _PinnedHTTPSConnection(host, port, address=address, timeout=timeout, context=self._tls,
                                          watchdog=watchdog)
        return _PinnedHTTPConnection(host, port, address=address, timeout=timeout, watchdog=watchdog)

    # --- the exchange ------------------------------------------------------------------
    def _exchange(self, url: str, accept: str, deadline: float) -> tuple[int, str | None, bytes]:
        scheme, host, port, target = self.check_url(url)
        address = self.pick_address(host, port)
        timeout = self._remaining(deadline, url)
        watchdog = _Watchdog(timeout)
        conn = self.connection(scheme, host, port, address, timeout, watchdog)
        try:
            conn.request("GET", target, headers={"Accept": accept, "User-Agent": "badgeline-verifier"})
            response = conn.getresponse()
            location = response.getheader("Location")
            if 300 <= response.status < 400:
                answer: tuple[int, str | None, bytes] = (response.status, location, b"")
            else:
                answer = (response.status, None, self._read_body(conn, response, deadline, url))
            if watchdog.fired:  # the socket was shut under a read: what came is cut short
                raise TimeoutError
            return answer
        except (socket.timeout, TimeoutError) as exc:
            raise FetchError(f"{url} did not answer in time", code="fetch_timeout") from exc
        except ssl.SSLError as exc:
            if watchdog.fired:
                raise FetchError(f"{url} did not answer in time", code="fetch_timeout") from exc
            raise FetchError(f"TLS with {host} failed: {exc.reason or exc}", code="fetch_tls") from exc
        except (OSError, http.client.HTTPException) as exc:
            if watchdog.fired:
                raise FetchError(f"{url} did not answer in time", code="fetch_timeout") from exc
            raise FetchError(f"fetching {url} failed: {type(exc).__name__}: {exc}", code="fetch_failed") from exc
        finally:
            watchdog.cancel()
            conn.close()

    def _read_body(self, conn: http.client.HTTPConnection, response: http.client.HTTPResponse,
                   deadline: float, url: str) -> bytes:
        limit = self.policy.max_bytes
        declared = response.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise FetchError(f"{url} is larger than {limit} bytes", code="fetch_too_large")
        chunks, size = [], 0
        while True:
            if conn.sock is not None:
                conn.sock.settimeout(self._remaining(deadline, url))
            chunk = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > limit:
                raise FetchError(f"{url} is larger than {limit} bytes", code="fetch_too_large")
            chunks.append(chunk)

    def _remaining(self, deadline: float, url: str) -> float:
        remaining = deadline - self._monotonic()
        if remaining <= 0:
            raise FetchError(f"{url} did not answer in time", code="fetch_timeout")
        return remaining

    # --- the cache ---------------------------------------------------------------------
    def _cached(self, key: tuple[str, str], max_age_s: float | None = None) -> bytes | None:
        with self._lock:
            entry = self._cache.get(key)
            if entry is None:
                return None
            age = self._monotonic() - entry[0]
            if age >= self.policy.cache_ttl_s or (max_age_s is not None and age >= max_age_s):
                del self._cache[key]
                return None
            self._cache.move_to_end(key)
            return entry[1]

    def _store(self, key: tuple[str, str], body: bytes) -> None:
        if self.policy.cache_ttl_s <= 0:
            return
        with self._lock:
            self._cache[key] = (self._monotonic(), body)
            self._cache.move_to_end(key)
            while len(self._cache) > self.policy.cache_entries:
                self._cache.popitem(last=False)
