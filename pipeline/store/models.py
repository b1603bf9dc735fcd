"""The store's tables as SQLAlchemy 2 typed declarative models (issue 3, "Store").

Unique constraints carry the deduplication (DESIGN.md rule 5):
`events (provider_id, provider_event_id)`, `awards (learner_id, framework_code,
framework_version, level, renewal)`, `status_slots (status_list_id, index)`, plus
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
from pipeline.store.types import UtcDateTime, new_uuid, parse_valid_until

EVENT_STATES = ("received", "processing", "processed", "rejected")
EVENT_FORMATS = ("native", "xapi", "caliper", "csv")
STATUS_PURPOSES = ("revocation", "suspension")
AUDIT_ACTORS = ("provider", "admin", "cli")
DELIVERY_STATES = ("pending", "delivered", "failed")

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
    account: Mapped[str | None] = mapped_column(String(800), unique=True, index=True)
    """A provider's own account of the learner, `provider id|homePage#name` (migration 0010;
    `pipeline.store.learners`)."""
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

    provider: Mapped[Provider] = relationship(viewonly=True)


class Award(Base):
    """A level reached: at most one per (learner, framework version, level, renewal).

    `renewal` is 0 for the first award of a level and n for its n-th renewal (migration 0003,
    `pipeline.renewals`): the unique key still lets exactly one worker create each one."""

    __tablename__ = "awards"
    __table_args__ = (UniqueConstraint("learner_id", "framework_code", "framework_version", "level", "renewal",
                                       name="uq_awards_learner_level_renewal"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"))
    framework_code: Mapped[str] = mapped_column(String(32))
    framework_version: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str | None] = mapped_column(ForeignKey("events.id"), index=True)
    """The event whose evidence completed the level (its outcome lists this award)."""
    awarded_at: Mapped[datetime]
    renewal: Mapped[int] = mapped_column(Integer, default=0)

    credential: Mapped[Credential | None] = relationship(
        primaryjoin="and_(Award.id == Credential.award_id, Credential.derived_from.is_(None))",
        uselist=False, viewonly=True)
    """The credential issued for the award (not the copies delivered to wallets: `credentials`)."""
    credentials: Mapped[list[Credential]] = relationship(back_populates="award", viewonly=True)
    """Every credential of the award: the original and its holder-bound wallet copies."""


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
    bits_version: Mapped[int] = mapped_column(Integer, default=0)
    """Bumped in the transaction that changes a bit (a revocation, migration 0003)."""
    signed_bits_version: Mapped[int] = mapped_column(Integer, default=0)
    """The `bits_version` that `document` was signed from: lower means a re-signing is due."""


class Credential(Base):
    """An issued, signed credential (the exact JSON document) and its status."""

    __tablename__ = "credentials"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    """`urn:uuid:...`, the credential's `id`."""
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id"), index=True)
    """Several rows per award: the original, and its copies bound to a holder's DID (migration 0006)."""
    document: Mapped[dict[str, Any]]
    issued_at: Mapped[datetime]
    status_list_id: Mapped[str | None] = mapped_column(ForeignKey("status_lists.id"))
    status_index: Mapped[int | None] = mapped_column(Integer)
    revoked_at: Mapped[datetime | None]
    suspended_at: Mapped[datetime | None]
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    """Why it was revoked (migration 0003); the full history is in `credential_audit`."""
    valid_until: Mapped[datetime | None] = mapped_column(index=True)
    """The document's `validUntil` (level policy `validForDays`), for expiry queries."""
    replaces_id: Mapped[str | None] = mapped_column(ForeignKey("credentials.id"), index=True)
    """The credential this one renews (`pipeline.renewals`)."""
    hidden_at: Mapped[datetime | None]
    """When the holder hid the public page `/c/<uuid>` (migration 0005); the credential still verifies."""
    derived_from: Mapped[str | None] = mapped_column(ForeignKey("credentials.id"))
    """The original credential this one re-issues to a wallet (NULL for the original)."""
    bound_to_did: Mapped[str | None] = mapped_column(String(500))
    """The holder DID of a wallet copy (its `credentialSubject.id`)."""

    award: Mapped[Award] = relationship(back_populates="credentials")


class CredentialAudit(Base):
    """One change of a credential's status: who (a provider, the admin key, the CLI), when, why.
    Append-only: never updated, never deleted (migration 0003)."""

    __tablename__ = "credential_audit"
    __table_args__ = (CheckConstraint(_in("actor", AUDIT_ACTORS), name="actor"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    credential_id: Mapped[str] = mapped_column(ForeignKey("credentials.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(16))
    provider_id: Mapped[str | None] = mapped_column(ForeignKey("providers.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]


class StatusSlot(Base):
    """An allocated status-list index. Never deleted, so never reused."""

    __tablename__ = "status_slots"
    __table_args__ = (UniqueConstraint("status_list_id", "index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    status_list_id: Mapped[str] = mapped_column(ForeignKey("status_lists.id"))
    index: Mapped[int] = mapped_column(Integer)
    credential_id: Mapped[str | None] = mapped_column(ForeignKey("credentials.id"), index=True)
    allocated_at: Mapped[datetime]

    credential: Mapped[Credential | None] = relationship()
    """Set it (rather than `credential_id`) when the credential is not flushed yet: the unit of
    work then inserts the credential before it links the slot."""


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


class FrameworkDocument(Base):
    """One published framework version: the publisher's exact bytes, never changed once stored
    (migration 0009). `retired_at` set: no new assessments against it; its pages, credentials
    and verification stay. See `pipeline.store.framework_documents`."""

    __tablename__ = "framework_documents"
    __table_args__ = (UniqueConstraint("occupation_code", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occupation_code: Mapped[str] = mapped_column(String(20))
    version: Mapped[str] = mapped_column(String(40))
    document: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    policy: Mapped[bytes | None] = mapped_column(LargeBinary)
    added_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]


class FrameworkCrosswalk(Base):
    """A crosswalk (exact bytes) from one framework version's statements to another's."""

    __tablename__ = "framework_crosswalks"
    __table_args__ = (UniqueConstraint("from_code", "from_version", "to_code", "to_version",
                                       name="uq_framework_crosswalks_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    from_code: Mapped[str] = mapped_column(String(20))
    from_version: Mapped[str] = mapped_column(String(40))
    to_code: Mapped[str] = mapped_column(String(20))
    to_version: Mapped[str] = mapped_column(String(40))
    document: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime]
class LearnerCollection(Base):
    """The learner's private collection link `/me/<token>`: only the token's SHA-256 is stored.

    The token is HMAC(collection secret, `salt`), so the provider API can hand the same link
    out again; rotating draws a new salt and the old token stops working (`pipeline.holder.tokens`).
    """

    __tablename__ = "learner_collections"

    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    rotated_at: Mapped[datetime | None]


class Webhook(Base):
    """A provider's webhook endpoint. The HMAC secret is kept to sign deliveries (shown once)."""

    __tablename__ = "webhooks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id"), index=True)
    url: Mapped[str] = mapped_column(String(1000))
    secret: Mapped[str] = mapped_column(String(128))
    events: Mapped[list[Any]]
    created_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]


class WebhookDelivery(Base):
    """One notice to one webhook (an outbox row): retried until delivered or 3 days old.

    Unique `(webhook_id, event_type, credential_id)`: each notice is queued once.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_type", "credential_id"),
        CheckConstraint(_in("state", DELIVERY_STATES), name="state"),
        Index(None, "state", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    webhook_id: Mapped[str] = mapped_column(ForeignKey("webhooks.id"))
    event_type: Mapped[str] = mapped_column(String(64))
    credential_id: Mapped[str] = mapped_column(ForeignKey("credentials.id"), index=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


def _copy_valid_until(mapper: Any, connection: Any, target: Credential) -> None:
    if target.valid_until is None and isinstance(target.document, dict):
        target.valid_until = parse_valid_until(target.document)


class WalletOffer(Base):
    """A single-use offer to deliver a credential into a wallet (OID4VCI pre-authorized code or
    VC API exchange, whichever the wallet uses first). Secrets are stored as SHA-256 hex."""

    __tablename__ = "wallet_offers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    """SHA-256 hex of the offer secret that names the offer page, credential offer and exchange
    in URLs (the secret itself, and the code derived from it, are never stored)."""
    credential_id: Mapped[str] = mapped_column(ForeignKey("credentials.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the OID4VCI pre-authorized code."""
    challenge: Mapped[str] = mapped_column(String(64))
    """The DID-authentication challenge of the VC API exchange."""
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    redeemed_at: Mapped[datetime | None]
    """When the code was exchanged for a token or the exchange's DID authentication passed."""
    access_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None]
    holder_did: Mapped[str | None] = mapped_column(String(500))
    issued_credential_id: Mapped[str | None] = mapped_column(ForeignKey("credentials.id"))
    """The holder-bound credential delivered (set once, by the worker)."""


class WalletNonce(Base):
    """An OID4VCI `c_nonce` (SHA-256 hex), single use, short-lived."""

    __tablename__ = "wallet_nonces"

    value_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


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
event.listen(CredentialAudit, "before_update", _refuse_change)
event.listen(CredentialAudit, "before_delete", _refuse_change)
event.listen(StatusSlot, "before_delete", _refuse_change)
event.listen(StatusSlot, "before_update", _refuse_slot_change)


class ServiceMeta(Base):
    """Facts about the deployment recorded with the data (migration 0004), one JSON value per key:
    `public_url` (the base every published URL was built from) and `public_url_aliases` (earlier
    bases, still served). See `pipeline.public_url`."""

    __tablename__ = "service_meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime]
event.listen(Credential, "before_insert", _copy_valid_until)
