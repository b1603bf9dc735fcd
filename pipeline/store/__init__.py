"""The store: SQLAlchemy 2 models, engine/session factory, migrations and the queries
the use cases need. SQLite by default, PostgreSQL by URL.

Modules: `models` (tables), `engine` (engine + sessions), `migrate` (Alembic upgrade),
`api_keys`, `event_log`, `learners`, `evidence` (evidence + awards), `status_slots`.
"""

from pipeline.store.engine import (create_store_engine, is_transient, normalize_url, read_session_factory,
                                   session_factory, statement_session_factory)
from pipeline.store.migrate import migrate

__all__ = ["create_store_engine", "is_transient", "migrate", "normalize_url", "read_session_factory", "session_factory",
           "statement_session_factory"]
