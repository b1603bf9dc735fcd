"""The learner's private collection link `/me/<token>` (issue 9, "The technician's collection").

The token is `base64url(HMAC-SHA256(secret, salt))`: 256 bits no one can guess. The store keeps
the random `salt` and the token's SHA-256 (the lookup key), never the token: a copy of the
database alone cannot open a collection, yet the provider API can hand the same link out
again (`collection_token`). Rotating draws a new salt: the old token stops working at once.

The secret (`collection_secret`) is `BADGELINE_COLLECTION_SECRET`, else the API-key pepper,
else a random secret kept in `{data_dir}/collection-secret` (made on first use, mode 0600).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.services import Services
from pipeline.settings import Settings
from pipeline.store.models import Learner, LearnerCollection

SECRET_FILE = "collection-secret"
TOKEN_CONTEXT = b"badgeline collection link\x00"


def collection_secret(settings: Settings) -> bytes:
    """The secret the tokens derive from (see the module docstring). Called by composition roots."""
    for configured in (settings.collection_secret, settings.api_key_pepper):
        if configured is not None and configured.get_secret_value():
            return configured.get_secret_value().encode()
    return _secret_file(Path(settings.data_dir) / SECRET_FILE)


@lru_cache(maxsize=8)
def _secret_file(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as out:
        out.write(secrets.token_hex(32).encode())
    return path.read_bytes().strip()


def token_for(secret: bytes, salt: str) -> str:
    digest = hmac.new(secret, TOKEN_CONTEXT + salt.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def collection_token(session: Session, learner_id: int, secret: bytes, now: datetime) -> str:
    """The learner's current token, creating their collection link on first use."""
    row = session.get(LearnerCollection, learner_id)
    if row is None:
        salt = secrets.token_hex(16)
        row = LearnerCollection(learner_id=learner_id, salt=salt, token_hash=token_hash(token_for(secret, salt)),
                                created_at=now)
        session.add(row)
        session.flush()
    return token_for(secret, row.salt)


def rotate_token(session: Session, learner_id: int, secret: bytes, now: datetime) -> str:
    """A new token for the learner; the previous one no longer opens anything."""
    row = session.get(LearnerCollection, learner_id, with_for_update=True)
    if row is None:
        collection_token(session, learner_id, secret, now)
        row = session.get(LearnerCollection, learner_id)
    row.salt = secrets.token_hex(16)
    row.token_hash = token_hash(token_for(secret, row.salt))
    row.rotated_at = now
    session.flush()
    return token_for(secret, row.salt)


def learner_for_token(session: Session, token: str) -> Learner | None:
    """The learner whose current token is `token`; None for an unknown or rotated token."""
    if not token or len(token) > 100:
        return None
    learner_id = session.scalar(select(LearnerCollection.learner_id).where(
        LearnerCollection.token_hash == token_hash(token)))
    return session.get(Learner, learner_id) if learner_id is not None else None


def collection_path(token: str) -> str:
    return f"/me/{token}"


def collection_url(services: Services, learner_id: int) -> str:
    """The learner's collection URL (creating the link on first use, in its own transaction)."""
    secret = collection_secret(services.settings)
    with services.sessions.begin() as session:
        token = collection_token(session, learner_id, secret, services.clock())
    return services.settings.public_url + collection_path(token)
