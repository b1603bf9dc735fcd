"""Insert a row unless a unique constraint already holds its twin: one round trip, no savepoint.

`insert_or_skip(session, Model, values)` runs `INSERT ... ON CONFLICT DO NOTHING RETURNING`
(PostgreSQL and SQLite alike) and gives the new ORM object, or None when the row exists
(another transaction committed it first; on PostgreSQL a concurrent uncommitted twin is
waited for, as a plain INSERT would). It replaces "savepoint, insert, release or roll back
on IntegrityError", which costs three round trips and a rollback on every race.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

Model = TypeVar("Model")


def insert_or_skip(session: Session, model: type[Model], values: dict[str, Any]) -> Model | None:
    """The inserted row as an ORM object (in the session), or None on a unique conflict."""
    inserted = insert_all_or_skip(session, model, [values])
    return inserted[0] if inserted else None


def insert_all_or_skip(session: Session, model: type[Model], rows: list[dict[str, Any]]) -> list[Model]:
    """Many rows in as few statements as the driver allows (multi-row VALUES), conflicts
    skipped; the rows inserted, as ORM objects, in no promised order. The statement is
    built without its values (they travel as parameters), so SQLAlchemy caches its compilation."""
    if not rows:
        return []
    return list(session.scalars(insert_or_skip_statement(session, model).returning(model), rows))


def insert_or_skip_statement(session: Session, model: type[Model]):
    """`INSERT ... ON CONFLICT DO NOTHING` for `model` in the session's dialect; execute it with
    a list of rows (one multi-row statement, conflicts skipped, nothing returned)."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return insert(model).on_conflict_do_nothing()
