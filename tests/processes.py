"""Helpers for tests that start real processes: poll for a condition, read /proc."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def wait_for(predicate: Callable[[], T], timeout: float, what: str) -> T:
    """The first truthy value of `predicate()`, polled until `timeout` seconds (AssertionError after)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def proc_stats() -> Iterator[tuple[int, list[str]]]:
    """(pid, the fields of /proc/<pid>/stat after the command name) for every process that can be read:
    [0] is the state (`Z` for a zombie), [1] the parent pid, [2] the process group."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                yield int(entry.name), (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue


def children_of(pid: int) -> set[int]:
    return {child for child, fields in proc_stats() if int(fields[1]) == pid}


def alive(pid: int) -> bool:
    return any(other == pid and fields[0] != "Z" for other, fields in proc_stats())
