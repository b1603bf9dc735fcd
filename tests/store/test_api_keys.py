"""API keys: shown once, stored only as a peppered hash, revocable, scoped."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from pipeline.errors import StoreError
from pipeline.store.api_keys import Scope, authenticate, create_api_key, hash_api_key, key_allows, revoke_api_key
from pipeline.store.models import ApiKey

from .conftest import NOW

PEPPER = b"server-side pepper"
SCOPES = [Scope("29-2052.00", "v.26.05"), Scope("11-1111.00", None, ("emerging",))]


def _create(sessions, provider, pepper=PEPPER):
    with sessions.begin() as s:
        row, key = create_api_key(s, provider_id=provider.id, scopes=SCOPES, now=NOW, pepper=pepper)
    return row, key


def test_key_has_256_bit_secret_and_is_stored_only_hashed(sessions, provider):
    row, key = _create(sessions, provider)
    secret = key.split("_", 2)[2]
    assert len(base64.urlsafe_b64decode(secret + "=")) == 32
    with sessions() as s:
        stored = s.scalars(select(ApiKey)).one()
        assert key not in repr(vars(stored)) and secret not in stored.key_hash
        assert stored.key_hash == hash_api_key(key, PEPPER) != hash_api_key(key)


def test_authenticate(sessions, provider):
    row, key = _create(sessions, provider)
    with sessions() as s:
        assert authenticate(s, key, pepper=PEPPER).id == row.id
        assert authenticate(s, key, pepper=b"other pepper") is None
        assert authenticate(s, key[:-1] + ("A" if key[-1] != "A" else "B"), pepper=PEPPER) is None
        assert authenticate(s, "Bearer nonsense", pepper=PEPPER) is None
        assert authenticate(s, "", pepper=PEPPER) is None


def test_two_keys_differ(sessions, provider):
    (_, a), (_, b) = _create(sessions, provider), _create(sessions, provider)
    assert a != b and a.split("_")[1] != b.split("_")[1]


def test_revoked_key_is_refused(sessions, provider):
    row, key = _create(sessions, provider)
    with sessions.begin() as s:
        revoke_api_key(s, row.id, now=NOW)
    with sessions() as s:
        assert authenticate(s, key, pepper=PEPPER) is None
        assert s.get(ApiKey, row.id).revoked_at == NOW
    with sessions.begin() as s, pytest.raises(StoreError):
        revoke_api_key(s, "missing", now=NOW)


def test_scopes(sessions, provider):
    row, _ = _create(sessions, provider)
    with sessions() as s:
        key = s.get(ApiKey, row.id)
        assert key_allows(key, "29-2052.00", "v.26.05", {"advanced", "emerging"})
        assert not key_allows(key, "29-2052.00", "v.27.01")
        assert key_allows(key, "11-1111.00", "v.anything", {"emerging"})
        assert not key_allows(key, "11-1111.00", "v.anything", {"emerging", "advanced"})
        assert not key_allows(key, "99-9999.00", "v.26.05")


def test_a_key_needs_a_scope(sessions, provider):
    with sessions.begin() as s, pytest.raises(StoreError) as caught:
        create_api_key(s, provider_id=provider.id, scopes=[], now=NOW)
    assert caught.value.code == "api_key_scope_missing"
