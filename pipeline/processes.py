"""Child processes that never outlive `badgeline up`: started in order, stopped in reverse."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# preexec_fn: children never outlive us. A process helper (not pure, so not in issuer/); it stays in
# verifier.serving, which the standalone verifier needs without pipeline/ (pipeline may use verifier).
from verifier.serving import die_with_parent

@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]


@dataclass
class ProcessGroup:
    """Named children, each the leader of its own process group (a Celery worker forks pool and
    beat processes). `stop()` sends SIGTERM to each group in reverse start order, waits for the
    leaders, then SIGKILLs whatever is left in the groups, so no grandchild outlives us."""

    children: list[Child] = field(default_factory=list)

    def spawn(self, name: str, argv: Sequence[str], env: Mapping[str, str],
              log_path: Path | None = None) -> subprocess.Popen[bytes]:
        """Start a child; its output goes to `log_path` (appended) when given, else to ours."""
        log = open(log_path, "ab") if log_path else None  # noqa: SIM115 - the child keeps it open
        try:
            process = subprocess.Popen(list(argv), env=dict(env), preexec_fn=die_with_parent,
                                       start_new_session=True,
                                       stdout=log, stderr=subprocess.STDOUT if log else None)
        finally:
            if log:
                log.close()
        self.children.append(Child(name, process))
        return process

    def exited(self) -> Child | None:
        """The first child that has exited, if any."""
        return next((c for c in self.children if c.process.poll() is not None), None)

    def stop(self, grace_s: float = 15.0) -> None:
        for child in reversed(self.children):
            if child.process.poll() is None:
                _signal_group(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for child in reversed(self.children):
            remaining = max(0.1, deadline - time.monotonic())
            try:
                child.process.wait(remaining)
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
            _signal_group(child.process.pid, signal.SIGKILL)  # stragglers: pool or beat processes


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass  # the group is already empty


def child_env(base: Mapping[str, str], settings_env: Mapping[str, str]) -> dict[str, str]:
    env = dict(base)
    env.update(settings_env)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def python_module(*args: str) -> list[str]:
    return [sys.executable, "-m", *args]


__all__ = ["ProcessGroup", "child_env", "die_with_parent", "python_module"]
