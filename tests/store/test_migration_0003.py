"""Migration 0003 (credential lifecycle) over a store that already holds data (SQLite and
PostgreSQL): existing awards become renewal 0, lists version 0, and the widened award key
still refuses a second award of the same renewal."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from pipeline.store import create_store_engine, migrate

NOW = datetime(2026, 11, 20, 16, 0, tzinfo=timezone.utc)
AWARD = ("INSERT INTO awards (learner_id, framework_code, framework_version, level, awarded_at{extra}) "
         "VALUES (1, '29-2052.00', 'v.26.05', 'proficient', :now{value})")


def test_upgrade_from_0002_keeps_the_data_and_widens_the_award_key(db_url):
    migrate(db_url, "0002")
    engine = create_store_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO learners (email, created_at) VALUES ('ana@example.org', :now)"),
                         {"now": NOW})
            conn.execute(text(AWARD.format(extra="", value="")), {"now": NOW})
            conn.execute(text("INSERT INTO status_lists (id, purpose, size, allocated, created_at) "
                              "VALUES ('1', 'revocation', 131072, 0, :now)"), {"now": NOW})
        migrate(engine)
        with engine.begin() as conn:
            assert conn.execute(text("SELECT renewal FROM awards")).scalar_one() == 0
            assert conn.execute(text("SELECT bits_version, signed_bits_version FROM status_lists")).one() == (0, 0)
            conn.execute(text(AWARD.format(extra=", renewal", value=", 1")), {"now": NOW})
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text(AWARD.format(extra=", renewal", value=", 1")), {"now": NOW})
    finally:
        engine.dispose()
