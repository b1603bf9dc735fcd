"""Issue 10, "Operations": PostgreSQL down while a worker has work. The worker's task fails
transiently, retries with backoff, and once the server is back the event ends in exactly one
outcome with one credential; nothing is half-written meanwhile. Real Celery worker, real Redis,
and a PostgreSQL the test starts, stops and starts again itself (skipped without its binaries)."""

from __future__ import annotations

import time

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import sessionmaker

from pipeline.store import create_store_engine, migrate, session_factory
from pipeline.store.models import Award, Credential, Event, Evidence
from tests.processes import wait_for
from tests.store.own_postgres import needs_own_postgres, own_postgres  # noqa: F401 - the fixture

from .conftest import Store, codes, forget_queue, make_stack, native

pytestmark = needs_own_postgres


def count(reader, model) -> int:
    with reader() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_the_worker_retries_while_postgres_is_down_and_finishes_once_it_is_back(own_postgres, shared_redis,
                                                                               tmp_path):
    engine = create_store_engine(own_postgres.url)
    migrate(engine)
    plain = create_engine(own_postgres.url)
    reader = sessionmaker(plain, expire_on_commit=False)
    store = Store(session_factory(engine), reader)
    stack = make_stack(store.sessions, reader, own_postgres.url, shared_redis, tmp_path)
    try:
        provider = store.provider("Northside")
        event_id = store.record(provider, native("down-1", statements=codes("emerging", range(1, 11))))
        stack.worker()
        engine.dispose()
        plain.dispose()
        own_postgres.stop()
        stack.dispatcher().send_process_event(event_id)
        time.sleep(8)  # the task runs, fails on the closed database and is retried with backoff
        assert all(w.process.poll() is None for w in stack.workers), stack.logs()
        own_postgres.start()
        wait_for(lambda: store.event(event_id).state in ("processed", "rejected"), 120,
                 "the event to finish once PostgreSQL is back")
        assert store.event(event_id).state == "processed", stack.logs()
        assert count(reader, Award) == count(reader, Credential) == 1
        assert count(reader, Evidence) == 10
        assert count(reader, Event) == 1
        assert "retry" in stack.logs().lower(), stack.logs()  # it was retried, not lucky
    finally:
        stack.close()
        forget_queue(shared_redis, stack.options.queue)
        engine.dispose()
        plain.dispose()
