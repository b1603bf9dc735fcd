"""`badgeline export` / `badgeline import`: every table of the store, between SQLite and
PostgreSQL (issue 10, "Operations").

Export: one JSON document per line, first `{"badgeline_export": 1, "tables": [...]}`, then
`{"table": name, "row": {...}}` for each row, parents before children (the metadata's
dependency order); datetimes as ISO 8601 text, bytes as base64. API-key hashes (`api_keys`)
are written only with `with_keys` (the signing key itself is a file, never in the store).
Import: the target is migrated, must hold no rows but what the migrations seed (the bundled
framework version, `SEEDED_TABLES`: replaced by the export's own rows), receives the rows in
the same order in one transaction, and has its PostgreSQL id sequences moved past the imported ids.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO, Any

from sqlalchemy import Integer, LargeBinary, Table, func, insert, select, text
from sqlalchemy.engine import Engine

from pipeline.errors import StoreError
from pipeline.store.migrate import migrate
from pipeline.store.models import Base
from pipeline.store.types import UtcDateTime

KEY_TABLES = frozenset({"api_keys"})
SEEDED_TABLES = frozenset({"framework_documents"})
"""Tables the migrations fill (migration 0009 stores the bundled framework version)."""


def _tables(with_keys: bool) -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if with_keys or t.name not in KEY_TABLES]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, value in row.items():
        kind = table.c[name].type
        if value is not None and isinstance(kind, UtcDateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(kind, LargeBinary):
            value = base64.b64decode(value)
        out[name] = value
    return out


def export_lines(engine: Engine, *, with_keys: bool = False) -> Iterator[str]:
    """The export, line by line."""
    tables = _tables(with_keys)
    yield json.dumps({"badgeline_export": 1, "tables": [t.name for t in tables]})
    with engine.connect() as connection:
        for table in tables:
            order = list(table.primary_key.columns)
            for row in connection.execute(select(table).order_by(*order)).mappings():
                yield json.dumps({"table": table.name, "row": {k: _encode(v) for k, v in row.items()}},
                                 ensure_ascii=False)


def export_store(engine: Engine, out: IO[str], *, with_keys: bool = False) -> int:
    count = -1
    for count, line in enumerate(export_lines(engine, with_keys=with_keys)):
        out.write(line + "\n")
    return count


def import_store(engine: Engine, lines: Iterable[str]) -> dict[str, int]:
    """Load an export into the empty store at `engine`; rows per table."""
    migrate(engine)
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    counts: dict[str, int] = {}
    iterator = iter(lines)
    header = json.loads(next(iterator))
    if header.get("badgeline_export") != 1:
        raise StoreError("not a badgeline export", code="import_invalid")
    with engine.begin() as connection:
        for table in tables.values():
            if table.name not in SEEDED_TABLES and connection.scalar(select(func.count()).select_from(table)):
                raise StoreError(f"the target store is not empty ({table.name})", code="import_target_not_empty")
        for name in SEEDED_TABLES:  # what the migrations seeded comes back with the export's rows
            connection.execute(tables[name].delete())
        for line in iterator:
            if not line.strip():
                continue
            item = json.loads(line)
            table = tables[item["table"]]
            connection.execute(insert(table), [_decode(table, item["row"])])
            counts[table.name] = counts.get(table.name, 0) + 1
        if connection.dialect.name == "postgresql":
            _advance_sequences(connection, tables.values())
    return counts


def _advance_sequences(connection: Any, tables: Iterable[Table]) -> None:
    for table in tables:
        for column in table.primary_key.columns:
            if isinstance(column.type, Integer) and column.autoincrement in (True, "auto"):
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                    f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"))
