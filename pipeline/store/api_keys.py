"""Provider API keys: random, shown once, stored as a prefix and a peppered hash, revocable, scoped.

A key is `bl_<prefix>_<secret>`: `prefix` is 12 random base32 characters (60 bits, stored
in clear for lookup), `secret` is 32 random bytes (256 bits) in base64url. Because the
secret has 256 bits of entropy, a slow password KDF adds nothing: the stored hash is
HMAC-SHA256(pepper, key) — plain SHA-256 when no pepper is configured — compared in
constant time. Scopes name framework codes, optionally one version and optionally levels.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.errors import StoreError
from pipeline.store.models import ApiKey

KEY_PREFIX = "bl_"
SECRET_BYTES = 32


@dataclass(frozen=True)
class Scope:
    """Accreditation: a framework code, one version (None: all) and levels (None: all)."""

    framework: str
    version: str | None = None
    levels: tuple[str, ...] | None = None

    def allows(self, framework: str, version: str, levels: Iterable[str] = ()) -> bool:
        if framework != self.framework or (self.version is not None and version != self.version):
            return False
        return self.levels is None or set(levels) <= set(self.levels)

    def to_json(self) -> dict[str, object]:
        return {"framework": self.framework, "version": self.version,
                "levels": list(self.levels) if self.levels is not None else None}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Scope:
        levels = data.get("levels")
        return cls(str(data["framework"]), data.get("version"), tuple(levels) if levels is not None else None)  # type: ignore[arg-type]


def scopes_of(key: ApiKey) -> list[Scope]:
    return [Scope.from_json(s) for s in key.scopes]


def key_allows(key: ApiKey, framework: str, version: str, levels: Iterable[str] = ()) -> bool:
    """True when one of the key's scopes covers the framework version and all `levels`."""
    wanted = tuple(levels)
    return any(scope.allows(framework, version, wanted) for scope in scopes_of(key))


def generate_api_key() -> tuple[str, str]:
    """A new key and its lookup prefix: (`bl_<prefix>_<secret>`, `<prefix>`)."""
    prefix = base64.b32encode(secrets.token_bytes(10)).decode("ascii")[:12].lower()
    secret = base64.urlsafe_b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")
    return f"{KEY_PREFIX}{prefix}_{secret}", prefix


def hash_api_key(key: str, pepper: bytes = b"") -> str:
    """Hex HMAC-SHA256(pepper, key); SHA-256 of the key when `pepper` is empty."""
    data = key.encode("utf-8")
    if pepper:
        return hmac.new(pepper, data, hashlib.sha256).hexdigest()
    return hashlib.sha256(data).hexdigest()


def prefix_of(key: str) -> str | None:
    """The lookup prefix of a presented key, or None when it is not shaped like ours."""
    if not key.startswith(KEY_PREFIX):
        return None
    prefix, sep, secret = key[len(KEY_PREFIX):].partition("_")
    return prefix if sep and len(prefix) == 12 and secret else None


def create_api_key(
    session: Session, *, provider_id: str, scopes: Iterable[Scope], now: datetime, pepper: bytes = b""
) -> tuple[ApiKey, str]:
    """Store a new key for the provider; returns the row and the key (shown once, never stored)."""
    scope_list = [s.to_json() for s in scopes]
    if not scope_list:
        raise StoreError("an API key needs at least one framework scope", code="api_key_scope_missing")
    key, prefix = generate_api_key()
    row = ApiKey(provider_id=provider_id, prefix=prefix, key_hash=hash_api_key(key, pepper),
                 scopes=scope_list, created_at=now)
    session.add(row)
    session.flush()
    return row, key


def authenticate(session: Session, presented: str, *, pepper: bytes = b"") -> ApiKey | None:
    """The live (not revoked) key matching `presented`, else None."""
    prefix = prefix_of(presented)
    if prefix is None:
        return None
    row = session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.key_hash, hash_api_key(presented, pepper)):
        return None
    return row


def _by_prefix(session: Session, text: str) -> ApiKey | None:
    """The key whose prefix `text` shows: `bl_<prefix>_…`, `bl_<prefix>_<secret>` or `<prefix>`."""
    parts = text.strip().rstrip("…").split("_")
    prefix = parts[1] if len(parts) >= 2 and parts[0] == "bl" else parts[0]
    return session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).one_or_none() if prefix else None


def revoke_api_key(session: Session, key_id: str, *, now: datetime) -> ApiKey:
    """Revoke a key (idempotent: the first revocation time is kept). `key_id` is the key's id, its
    prefix as `providers list` shows it (`bl_<prefix>_…` or `<prefix>`), or the whole key."""
    row = session.get(ApiKey, key_id) or _by_prefix(session, key_id)
    if row is None:
        raise StoreError(f"no API key {key_id} (give its id or its prefix, as `badgeline providers list` shows)",
                         code="api_key_unknown")
    if row.revoked_at is None:
        row.revoked_at = now
    return row
