"""Structured JSON logs (issue 10, "Operations"): one JSON object per line, carrying the event and
credential ids of the work being logged, for `BADGELINE_LOG_FORMAT=json`.

Steps: (1) `bound(event_id=...)` puts ids in a context variable for the duration of a piece of
work (a task), so every line logged inside it, by any module, carries them; ids passed as
`extra={...}` to one call are added too. (2) `JsonFormatter` writes `ts`, `level`, `logger`,
`message`, the ids and, for an exception, its `exc` text. (3) `use_json_logs()` puts the
formatter on the root logger's handlers (the web process); the worker calls it from Celery's
logging-setup signals, after Celery has made its own handlers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any

IDS = ("event_id", "credential_id", "credential_ids", "provider_id", "code")
_CONTEXT: ContextVar[dict[str, Any]] = ContextVar("badgeline_log_context", default={})


@contextmanager
def bound(**ids: Any) -> Iterator[None]:
    """Every line logged inside the block carries `ids` (step 1)."""
    token = _CONTEXT.set({**_CONTEXT.get(), **ids})
    try:
        yield
    finally:
        _CONTEXT.reset(token)


class JsonFormatter(logging.Formatter):
    """Step 2."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(), **_CONTEXT.get(),
        }
        line.update({name: getattr(record, name) for name in IDS if hasattr(record, name)})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def use_json_logs(logger: logging.Logger | None = None, level: int = logging.INFO) -> None:
    """Step 3: JSON on every handler of `logger` (the root logger by default); one on stderr if none."""
    target = logger or logging.getLogger()
    if not target.handlers:
        target.addHandler(logging.StreamHandler())
        target.setLevel(level)
    for handler in target.handlers:
        handler.setFormatter(JsonFormatter())
