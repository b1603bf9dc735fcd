"""The store's tables as SQLAlchemy 2 typed declarative models (issue 3, "Store").

Unique constraints carry the deduplication (DESIGN.md rule 5):
`events (provider_id, provider_event_id)`, `awards (learner_id, framework_code,
framework_version, level)`, `status_slots (status_list_id, index)`, plus
`evidence (event_id, statement_code)` so a retried task records an event's evidence once.
Only portable types are used (JSON, LargeBinary, timezone-aware DateTime); every default
is Python-side, so the Alembic migration and these models compare equal on both backends.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from pipeline.errors import AppendOnlyViolation
from pipeline.store.types import UtcDateTime, new_uuid

EVENT_STATES = ("received", "processing", "processed", "rejected")
EVENT_FORMATS = ("native", "xapi", "caliper", "csv")
STATUS_PURPOSES = ("revocation", "suspension")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class Provider(Base):
    """A training provider accredited to post assessment events."""

    __tablename__ = "providers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]

    api_keys: Mapped[list[ApiKey]] = relationship(back_populates="provider")


class ApiKey(Base):
    """A provider API key: only a prefix (for lookup) and a hash are stored.

    `scopes` is a JSON list of `{"framework": code, "version": str | null, "levels":
    [level, ...] | null}`: the frameworks (one version or all) and optionally levels the
    provider is accredited to assess (see `pipeline.store.api_keys`).
    """

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[Any]]
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    provider: Mapped[Provider] = relationship(back_populates="api_keys")


class Learner(Base):
    """A learner, matched across providers by DID, else by normalized email."""

    __tablename__ = "learners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    did: Mapped[str | None] = mapped_column(String(500), unique=True)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    """Normalized (stripped, lower-cased) email."""
    email_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    """Hex SHA-256 of the normalized email, for lookups that must not carry the email."""
    display_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]


class Event(Base):
    """One posted event: the exact bytes received, the normalized form, state and outcome."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("provider_id", "provider_event_id"),
        CheckConstraint(_in("state", EVENT_STATES), name="state"),
        CheckConstraint(_in("format", EVENT_FORMATS), name="format"),
        Index(None, "state", "received_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id"))
    provider_event_id: Mapped[str] = mapped_column(String(255))
    raw_payload: Mapped[bytes] = mapped_column(LargeBinary)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(16))
    parsed: Mapped[dict[str, Any] | None]
    state: Mapped[str] = mapped_column(String(16), default="received")
    outcome_code: Mapped[str | None] = mapped_column(String(64))
    outcome_message: Mapped[str | None] = mapped_column(Text)
    learner_id: Mapped[int | None] = mapped_column(ForeignKey("learners.id"), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    task_sent_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    """While `processing`: the claiming worker holds the event until then (it renews the lease
    while it works); the sweep re-sends an event whose lease ran out (its worker died)."""

    provider: Mapped[Provider] = relationship()


class Evidence(Base):
    """One statement result from one event. Append-only: never updated, never deleted."""

    __tablename__ = "evidence"
    __table_args__ = (
        UniqueConstraint("event_id", "statement_code"),
        Index(None, "learner_id", "framework_code", "framework_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"))
    framework_code: Mapped[str] = mapped_column(String(32))
    framework_version: Mapped[str] = mapped_column(String(32))
    statement_code: Mapped[str] = mapped_column(String(16))
    passed: Mapped[bool] = mapped_column(Boolean)
    score: Mapped[float | None] = mapped_column(Float)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"))
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id"))
    assessment_id: Mapped[str] = mapped_column(String(500))
    assessment_name: Mapped[str] = mapped_column(String(500))
    assessment_url: Mapped[str | None] = mapped_column(String(1000))
    assessed_at: Mapped[datetime]
    recorded_at: Mapped[datetime]


class Award(Base):
    """A level reached: at most one per (learner, framework version, level)."""

    __tablename__ = "awards"
    __table_args__ = (UniqueConstraint("learner_id", "framework_code", "framework_version", "level"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"))
    framework_code: Mapped[str] = mapped_column(String(32))
    framework_version: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str | None] = mapped_column(ForeignKey("events.id"), index=True)
    """The event whose evidence completed the level (its outcome lists this award)."""
    awarded_at: Mapped[datetime]

    credential: Mapped[Credential | None] = relationship(back_populates="award", uselist=False)


class StatusList(Base):
    """A Bitstring Status List: `size` bits, `allocated` of them handed out so far."""

    __tablename__ = "status_lists"
    __table_args__ = (
        CheckConstraint(_in("purpose", STATUS_PURPOSES), name="purpose"),
        CheckConstraint("allocated >= 0 AND allocated <= size", name="allocated"),
    )

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    size: Mapped[int] = mapped_column(Integer)
    allocated: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    document: Mapped[dict[str, Any] | None]
    """The signed BitstringStatusListCredential as last published (the web process serves it
    as is: it holds no key). NULL until first signed (migration 0002)."""
    signed_at: Mapped[datetime | None]
    """When `document` was signed."""


class Credential(Base):
    """An issued, signed credential (the exact JSON document) and its status."""

    __tablename__ = "credentials"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    """`urn:uuid:...`, the credential's `id`."""
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id"), unique=True)
    document: Mapped[dict[str, Any]]
    issued_at: Mapped[datetime]
    status_list_id: Mapped[str | None] = mapped_column(ForeignKey("status_lists.id"))
    status_index: Mapped[int | None] = mapped_column(Integer)
    revoked_at: Mapped[datetime | None]
    suspended_at: Mapped[datetime | None]

    award: Mapped[Award] = relationship(back_populates="credential")


class StatusSlot(Base):
    """An allocated status-list index. Never deleted, so never reused."""

    __tablename__ = "status_slots"
    __table_args__ = (UniqueConstraint("status_list_id", "index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    status_list_id: Mapped[str] = mapped_column(ForeignKey("status_lists.id"))
    index: Mapped[int] = mapped_column(Integer)
    credential_id: Mapped[str | None] = mapped_column(ForeignKey("credentials.id"), index=True)
    allocated_at: Mapped[datetime]


class IssuerKey(Base):
    """An issuer signing key: the public part and where the private part is kept."""

    __tablename__ = "issuer_keys"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    """Verification method id, e.g. `did:key:z6Mk...#z6Mk...`."""
    public_key_multibase: Mapped[str] = mapped_column(String(128), unique=True)
    key_ref: Mapped[str] = mapped_column(String(1000))
    """Where the private key lives (a file path); never the key itself."""
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]


def _refuse_change(mapper: Any, connection: Any, target: Any) -> None:
    raise AppendOnlyViolation(f"{type(target).__name__} rows are append-only")


def _refuse_slot_change(mapper: Any, connection: Any, target: StatusSlot) -> None:
    # A slot may be linked to its credential once; its list and index never change.
    state = inspect(target)
    for name in ("status_list_id", "index", "allocated_at"):
        if state.attrs[name].history.has_changes():
            raise AppendOnlyViolation("status slots are never moved or reused")


event.listen(Evidence, "before_update", _refuse_change)
event.listen(Evidence, "before_delete", _refuse_change)
event.listen(StatusSlot, "before_delete", _refuse_change)
event.listen(StatusSlot, "before_update", _refuse_slot_change)
