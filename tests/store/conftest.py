"""Store tests use the shared database fixtures of tests/db_fixtures.py (see tests/conftest.py)."""

from tests.db_fixtures import NOW, postgres_url  # noqa: F401  (re-exported for older imports)
