"""Suite-wide fixtures. The two-backend database fixtures live in tests/db_fixtures.py."""

pytest_plugins = ["tests.db_fixtures"]
