"""Serving the verifier alone: waitress, in one process or in several sharing one socket.

waitress buffers each request body in its I/O thread before the app sees it, and closes idle
connections after 30 s, so a slow or silent client costs a socket, not a worker thread. It
runs Python, so one process uses at most one core (the GIL): `processes=N` binds the socket
once, forks N children that each run waitress (`threads` threads) on it, starts a new child
when one dies, and on SIGTERM or SIGINT stops them all. Children die with the parent
(`die_with_parent`, Linux). The app is built once, before the fork, and shared copy-on-write.
Slow clients are bounded by `verifier.waitress_guard` (connection limit, header and body times).
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from verifier.app import VerifierSettings

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
RESPAWN_DELAY_S = 1.0


def die_with_parent() -> None:
    """Ask the kernel to send this process SIGTERM when its parent dies (Linux; a no-op elsewhere).
    Used as a child's first step here and as `preexec_fn` by `pipeline.processes`."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        except OSError:  # pragma: no cover - no libc: best effort
            pass


def waitress_options(settings: VerifierSettings, threads: int = 8) -> dict[str, Any]:
    """waitress settings of the verifier (`serve` and the benchmark use the same).

    `asyncore_use_poll`: poll(2) rather than select(2) (no 1024-descriptor limit, cheaper with
    many keep-alive connections). `channel_timeout` 30 s: idle keep-alive connections are closed
    sooner than waitress's 120 s default. `ident`: no version in the Server header. `recv_bytes`
    64 KiB: a credential-sized body (12-20 KB) arrives in one recv rather than two or three.
    """
    return {"threads": threads, "asyncore_use_poll": True, "channel_timeout": 30, "ident": "badgeline",
            "recv_bytes": 64 * 1024,
            "max_request_body_size": max(settings.max_image_bytes, settings.batch_max_bytes) + 64 * 1024}


def serve(settings: VerifierSettings | None = None, host: str = "127.0.0.1", port: int = 8001,
          threads: int = 8, processes: int = 1) -> None:
    """Run the verifier alone (what `badgeline verifier` calls) until SIGTERM or SIGINT."""
    from verifier.app import VerifierSettings, create_app

    settings = settings or VerifierSettings()
    serve_on(listen(host, port), create_app(settings), settings, threads=threads, processes=processes)


def listen(host: str, port: int) -> socket.socket:
    """The listening socket (`port` 0: a free one), bound before any process is forked."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.create_server((host, port), family=family, backlog=1024)
    listener.set_inheritable(True)
    return listener


def serve_on(listener: socket.socket, app: Any, settings: VerifierSettings, *, threads: int = 8,
             processes: int = 1) -> None:
    """Serve `app` on `listener` with waitress in this process, or in `processes` children."""
    from verifier.waitress_guard import create_guarded_server

    def serve_forever() -> None:
        create_guarded_server(app, sockets=[listener], **waitress_options(settings, threads)).run()

    if processes > 1:
        Prefork(serve_forever, processes).run()
        return
    try:
        serve_forever()
    except KeyboardInterrupt:
        pass


class Prefork:
    """`processes` children running `serve_forever`; one is started again when it dies."""

    def __init__(self, serve_forever: Any, processes: int) -> None:
        self.serve_forever, self.processes = serve_forever, processes
        self.children: dict[int, int] = {}  # pid -> slot
        self.stopping = False

    def run(self) -> None:
        parent = os.getpid()
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            for slot in range(self.processes):
                self._spawn(slot, parent)
            while self.children:
                try:
                    pid, status = os.wait()
                except ChildProcessError:
                    break
                slot = self.children.pop(pid, None)
                if slot is None or self.stopping:
                    continue
                log.warning("server process %d (slot %d) exited with status %d; starting another", pid, slot,
                            os.waitstatus_to_exitcode(status))
                time.sleep(RESPAWN_DELAY_S)  # a child that dies at once must not spin
                if not self.stopping:
                    self._spawn(slot, parent)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self._signal_children(signal.SIGKILL)  # only what did not stop on SIGTERM

    def _spawn(self, slot: int, parent: int) -> None:
        pid = os.fork()
        if pid:
            self.children[pid] = slot
            return
        code = 0
        try:  # the child: never returns into the parent's code
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, signal.SIG_DFL)
            die_with_parent()
            if os.getppid() == parent:  # else the parent died before prctl took effect
                self.serve_forever()
        except BaseException:  # noqa: BLE001 - report, then leave with a failure status
            log.exception("server process %d failed", os.getpid())
            code = 1
        finally:
            os._exit(code)

    def _stop(self, signum: int, frame: Any) -> None:
        self.stopping = True
        self._signal_children(signal.SIGTERM)

    def _signal_children(self, sig: int) -> None:
        for pid in list(self.children):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
