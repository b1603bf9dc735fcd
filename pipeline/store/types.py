"""Portable column types shared by the models (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import os
import threading
import time
import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    PostgreSQL stores `timestamptz`; SQLite has no time zones, so the value is stored as
    naive UTC and read back with `tzinfo=UTC`. Naive datetimes are refused on the way in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime given to a UtcDateTime column; pass an aware UTC time")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def new_uuid() -> str:
    """A random UUID (v4) as its 36-character string form."""
    return str(uuid.uuid4())


_ordered_lock = threading.Lock()
_ordered_last = [0, 0]  # the last (millisecond, 12-bit counter) handed out by this process


def new_ordered_uuid() -> str:
    """A time-ordered UUID (version 7, RFC 9562 §5.7): 48 bits of Unix milliseconds, a 12-bit
    counter (RFC 9562 §6.2 method 1) so ids made by one process sort in the order they were
    made, then 62 random bits. Event ids: a worker orders the events it takes by
    (`received_at`, id), which is acceptance order, also within one request."""
    with _ordered_lock:
        ms, counter = int(time.time() * 1000), 0
        if ms <= _ordered_last[0]:
            ms, counter = _ordered_last[0], _ordered_last[1] + 1
            if counter > 0xFFF:  # 4,096 ids in one millisecond: borrow the next one
                ms, counter = ms + 1, 0
        _ordered_last[:] = [ms, counter]
    value = (ms << 80) | (0x7 << 76) | (counter << 64) | (0b10 << 62) | (int.from_bytes(os.urandom(8), "big") >> 2)
    return str(uuid.UUID(int=value))


def parse_utc(value: Any) -> datetime | None:
    """An RFC 3339 date-time with a zone as an aware UTC datetime; None when absent or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(timezone.utc) if parsed.tzinfo else None


def parse_valid_until(document: dict[str, Any]) -> datetime | None:
    """A credential document's `validUntil` (`parse_utc`)."""
    return parse_utc(document.get("validUntil"))
