"""waitress that keeps answering while slow clients hold connections (issue 10, finding 4).

waitress reads requests in its I/O thread, so a slow client costs a socket, not a worker
thread; but out of the box (a) it stops accepting at 100 open connections, and (b) its only
read timeout is `channel_timeout` of *inactivity*, which a client sending one byte every
few seconds resets forever. 110 such clients stopped both servers. The steps here:

1. `SLOW_CLIENT_OPTIONS`: a connection limit of 1,000 (poll(2), the process's descriptor
   soft limit raised to match) and a maintenance pass every second.
2. `guard_slow_requests(server)`: each pass also closes a connection whose request headers
   are not complete `header_timeout_s` (10 s) after its first byte, or whose body is not
   complete `body_timeout_s` (60 s) after it; a connection with a request being answered
   is left alone.
3. `ProblemErrorTask`: what waitress answers by itself (a body over `max_request_body_size`,
   malformed request lines or headers) is `application/problem+json` with a stable `code`,
   like every other error of ours, not waitress's plain text.
4. `main()`: the `waitress-serve`-like launcher the issuing service's web process uses
   (`python -m verifier.waitress_guard --listen H:P [--listen H:Q] [--processes N] --call
   module:factory`), so both web servers run with the same guard. The factory is named by import
   string; with `--processes N` the sockets are bound once and N forked children
   (`verifier.serving.Prefork`: restarted when one dies, all stopped by SIGTERM) each build the
   app and serve them with the same options and guard.
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import time
from collections.abc import Callable, Sequence
from typing import Any

from waitress.channel import HTTPChannel
from waitress.task import ErrorTask

HEADER_TIMEOUT_S = 10.0
BODY_TIMEOUT_S = 60.0
SLOW_CLIENT_OPTIONS: dict[str, Any] = {"connection_limit": 1000, "cleanup_interval": 1, "asyncore_use_poll": True}


def raise_descriptor_limit(wanted: int) -> None:
    """Lift the soft RLIMIT_NOFILE toward `wanted` (never above the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def _servers(server: Any) -> list[Any]:
    """The listening servers behind what `create_server` returned (one, or a MultiSocketServer)."""
    if hasattr(server, "active_channels"):
        return [server]
    return [s for s in server.map.values() if hasattr(s, "active_channels")]


def guard_slow_requests(server: Any, *, header_timeout_s: float = HEADER_TIMEOUT_S,
                        body_timeout_s: float = BODY_TIMEOUT_S, clock: Callable[[], float] = time.time) -> None:
    """Add step 2 to the maintenance pass of `server` (what waitress's `create_server` returned)."""
    for listener in _servers(server):
        started: dict[int, tuple[int, float]] = {}  # channel fileno -> (id of the request being read, first seen)
        original = listener.maintenance

        def maintenance(now: float, listener: Any = listener, original: Any = original,
                        started: dict[int, tuple[int, float]] = started) -> None:
            original(now)
            seen = clock()
            for fileno in [f for f in started if f not in listener.active_channels]:
                del started[fileno]
            for fileno, channel in list(listener.active_channels.items()):
                request = channel.request
                if request is None or channel.requests:
                    started.pop(fileno, None)
                    continue
                key, since = started.setdefault(fileno, (id(request), seen))
                if key != id(request):
                    started[fileno] = (id(request), seen)
                    continue
                limit = body_timeout_s if request.headers_finished else header_timeout_s
                if seen - since > limit:
                    channel.will_close = True

        listener.maintenance = maintenance


SERVER_ERROR_CODES = {400: "malformed_request", 413: "payload_too_large", 431: "headers_too_large",
                      500: "internal_error", 501: "not_implemented"}
"""Stable codes of the errors waitress answers before the application sees the request."""


class ProblemErrorTask(ErrorTask):
    """waitress's own error answers as problem+json (step 3)."""

    def execute(self) -> None:
        error = self.request.error
        code = SERVER_ERROR_CODES.get(error.code, "http_error")
        body = json.dumps({"type": f"urn:badgeline:problem:{code}", "title": error.reason, "status": error.code,
                           "code": code, "detail": str(error.body).strip()}).encode("utf-8")
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", "application/problem+json"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class ProblemChannel(HTTPChannel):
    error_task_class = ProblemErrorTask


def create_guarded_server(app: Any, *, header_timeout_s: float = HEADER_TIMEOUT_S,
                          body_timeout_s: float = BODY_TIMEOUT_S, **options: Any) -> Any:
    """waitress's `create_server(app, **options)` with the slow-client options and guard."""
    from waitress.server import create_server

    merged = {**SLOW_CLIENT_OPTIONS, **options}
    raise_descriptor_limit(int(merged["connection_limit"]) + 64)
    server = create_server(app, **merged)
    guard_slow_requests(server, header_timeout_s=header_timeout_s, body_timeout_s=body_timeout_s)
    for listener in _servers(server):
        listener.channel_class = ProblemChannel
    return server


def _factory(name: str) -> Any:
    module, _, attribute = name.partition(":")
    return getattr(importlib.import_module(module), attribute)()


def host_port(text: str) -> tuple[str, int]:
    """`host:port` (an IPv6 host in brackets, `[::1]:8000`) as (host, port)."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"not host:port: {text!r}")
    return host.strip("[]"), int(port)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m verifier.waitress_guard")
    parser.add_argument("--listen", required=True, action="append", help="host:port (repeatable)")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--processes", type=int, default=1,
                        help="processes sharing the listening sockets, each building the app and running "
                             "waitress with the same guard (one process uses at most one core)")
    parser.add_argument("--max-request-body-size", type=int, default=1024 * 1024 * 1024)
    parser.add_argument("--call", required=True, help="module:factory returning the WSGI app")
    args = parser.parse_args(argv)
    options = {"threads": args.threads, "max_request_body_size": args.max_request_body_size, "ident": "badgeline"}
    if args.processes <= 1:
        create_guarded_server(_factory(args.call), listen=" ".join(args.listen), **options).run()
        return
    from verifier.serving import Prefork, listen  # serving imports this module lazily: no cycle

    sockets = [listen(*host_port(text)) for text in args.listen]  # bound once, before the fork

    def serve_forever() -> None:  # in each child: its own app (database pools are never shared across a fork)
        create_guarded_server(_factory(args.call), sockets=sockets, **options).run()

    Prefork(serve_forever, args.processes).run()


if __name__ == "__main__":
    main()
