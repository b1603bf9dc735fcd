"""What every pipeline process shares, composed once from Settings.

`build_services(settings)` is called by each composition root (`create_app`,
`create_celery_app`, the CLI). It opens the store, loads the framework registry (the
versions stored in it, `pipeline.framework_catalog.LiveRegistry`) and sets the clock; it does NOT load the signing key (see `pipeline.identity`, worker and CLI only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from issuer.frameworks.registry import FrameworkRegistry
from issuer.frameworks.urls import FrameworkUrls
from pipeline.framework_catalog import LiveRegistry
from pipeline.settings import Settings
from pipeline.store import create_store_engine, read_session_factory, session_factory

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Dispatcher(Protocol):
    """Sends the processing task for an event whose row is already committed, and the
    re-signing task of a status list whose bits changed (issue 8)."""

    def send_process_event(self, event_id: str) -> None: ...

    def send_publish_status_list(self, list_id: str) -> None: ...
    def send_process_events(self, event_ids: list[str]) -> None:
        """One task for many events, worked in this order."""
        ...


class NoDispatcher:
    """For processes that never send tasks (the sweeper resends whatever is left in `received`)."""

    def send_process_event(self, event_id: str) -> None:
        return None

    def send_publish_status_list(self, list_id: str) -> None:
        return None

    def send_process_events(self, event_ids: list[str]) -> None:
        return None


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]
    """For transactions that only read (never wait behind a writer on SQLite)."""
    registry: FrameworkRegistry
    urls: FrameworkUrls
    clock: Clock = utc_now
    dispatcher: Dispatcher = field(default_factory=NoDispatcher)

    def close(self) -> None:
        self.engine.dispose()


def build_services(settings: Settings, *, clock: Clock = utc_now, dispatcher: Dispatcher | None = None,
                   registry: FrameworkRegistry | None = None) -> Services:
    engine = create_store_engine(settings.database_url)
    read_sessions = read_session_factory(engine)
    return Services(
        settings=settings,
        engine=engine,
        sessions=session_factory(engine),
        read_sessions=read_sessions,
        registry=registry or LiveRegistry(read_sessions),
        urls=FrameworkUrls(settings.public_url),
        clock=clock,
        dispatcher=dispatcher or NoDispatcher(),
    )
