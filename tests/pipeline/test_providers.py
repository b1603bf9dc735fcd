"""pipeline.providers: accreditation scopes, provider accounts and their API keys (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from issuer.frameworks.registry import FrameworkRegistry
from pipeline.errors import PipelineError
from pipeline.providers import ProviderError, add_provider, list_providers, parse_scope, revoke_key
from pipeline.store.api_keys import Scope, authenticate, key_allows
from pipeline.store.models import ApiKey, Provider
from tests.db_fixtures import NOW

REGISTRY = FrameworkRegistry.bundled()


@pytest.mark.parametrize(("text", "scope"), [
    ("29-2052.00", Scope("29-2052.00")),
    ("29-2052.00@v.26.05", Scope("29-2052.00", "v.26.05")),
    ("29-2052.00@v.26.05:proficient+advanced", Scope("29-2052.00", "v.26.05", ("proficient", "advanced"))),
    ("29-2052.00:emerging", Scope("29-2052.00", None, ("emerging",))),
    (" 29-2052.00@v.26.05 ", Scope("29-2052.00", "v.26.05")),
])
def test_parse_scope_forms(text, scope):
    assert parse_scope(text, REGISTRY) == scope


@pytest.mark.parametrize(("text", "code", "message"), [
    ("11-1111.00", "framework_unknown", "known: 29-2052.00"),
    ("", "framework_unknown", "unknown framework"),
    ("29-2052.00@v.99.99", "framework_unknown", "v.26.05"),
    ("29-2052.00@v.26.05:expert", "level_unknown", "emerging, developing, proficient, advanced"),
    ("29-2052.00@v.26.05:proficient+", "level_unknown", "''"),
    ("29-2052.00@", "scope_invalid", "empty version"),
    ("29-2052.00@v.26.05:", "scope_invalid", "empty version or level list"),
])
def test_parse_scope_errors(text, code, message):
    with pytest.raises(ProviderError) as info:
        parse_scope(text, REGISTRY)
    assert info.value.code == code and message in info.value.message
    assert isinstance(info.value, PipelineError)


def test_add_provider_creates_it_with_a_working_scoped_key(sessions):
    scope = parse_scope("29-2052.00@v.26.05:proficient", REGISTRY)
    with sessions.begin() as s:
        new = add_provider(s, name="Northside College", scopes=[scope], now=NOW, url="https://northside.example.org",
                           pepper=b"pepper")
    assert new.key.startswith("bl_") and len(new.key) > 50
    with sessions() as s:
        provider = s.get(Provider, new.provider_id)
        assert (provider.name, provider.url) == ("Northside College", "https://northside.example.org")
        row = s.get(ApiKey, new.key_id)
        assert new.key not in (row.key_hash, row.prefix)  # only a hash is stored
        assert authenticate(s, new.key, pepper=b"pepper").id == new.key_id
        assert authenticate(s, new.key) is None  # wrong pepper
        assert key_allows(row, "29-2052.00", "v.26.05", ["proficient"])
        assert not key_allows(row, "29-2052.00", "v.26.05", ["advanced"])


def test_add_provider_reuses_the_provider_by_name(sessions):
    with sessions.begin() as s:
        first = add_provider(s, name="Alpha", scopes=[Scope("29-2052.00")], now=NOW)
    with sessions.begin() as s:
        second = add_provider(s, name="Alpha", scopes=[Scope("29-2052.00", "v.26.05")], now=NOW + timedelta(hours=1),
                              url="https://ignored.example.org")
        other = add_provider(s, name="Beta", scopes=[Scope("29-2052.00")], now=NOW)
    assert second.provider_id == first.provider_id and second.key_id != first.key_id and second.key != first.key
    assert other.provider_id != first.provider_id
    with sessions() as s:
        assert s.query(Provider).count() == 2
        assert s.get(Provider, first.provider_id).url is None  # an existing provider is not edited
        assert authenticate(s, first.key) is not None and authenticate(s, second.key) is not None


def test_add_provider_needs_a_scope(sessions):
    with sessions.begin() as s, pytest.raises(PipelineError) as info:
        add_provider(s, name="Nobody", scopes=[], now=NOW)
    assert info.value.code == "api_key_scope_missing"


def test_list_providers(sessions):
    with sessions.begin() as s:
        b1 = add_provider(s, name="Beta", scopes=[Scope("29-2052.00", "v.26.05", ("advanced",))], now=NOW)
        a1 = add_provider(s, name="Alpha", scopes=[Scope("29-2052.00")], now=NOW)
        b2 = add_provider(s, name="Beta", scopes=[Scope("29-2052.00")], now=NOW + timedelta(minutes=1))
    with sessions() as s:
        listed = list_providers(s)
    assert [p["name"] for p in listed] == ["Alpha", "Beta"]
    alpha, beta = listed
    assert alpha["id"] == a1.provider_id and [k["id"] for k in alpha["keys"]] == [a1.key_id]
    assert [k["id"] for k in beta["keys"]] == [b1.key_id, b2.key_id]  # oldest first
    key = beta["keys"][0]
    assert set(key) == {"id", "prefix", "scopes", "created_at", "revoked_at"}
    assert key["scopes"] == [{"framework": "29-2052.00", "version": "v.26.05", "levels": ["advanced"]}]
    assert key["revoked_at"] is None and b1.key.startswith(f"bl_{key['prefix']}_")
    assert key["created_at"].startswith("2026-11-20T15:04:05")
    assert all(b1.key not in str(p) for p in listed)


def test_revoke_key(sessions):
    with sessions.begin() as s:
        new = add_provider(s, name="Alpha", scopes=[Scope("29-2052.00")], now=NOW)
        kept = add_provider(s, name="Alpha", scopes=[Scope("29-2052.00")], now=NOW)
    with sessions.begin() as s:
        revoke_key(s, new.key_id, NOW + timedelta(days=1))
    with sessions.begin() as s:
        revoke_key(s, new.key_id, NOW + timedelta(days=2))  # again: the first time is kept
    with sessions() as s:
        assert authenticate(s, new.key) is None
        assert authenticate(s, kept.key) is not None
        [alpha] = list_providers(s)
    revoked = {k["id"]: k["revoked_at"] for k in alpha["keys"]}
    assert revoked[kept.key_id] is None and revoked[new.key_id].startswith("2026-11-21T15:04:05")


def test_revoke_unknown_key(sessions):
    with sessions.begin() as s, pytest.raises(PipelineError) as info:
        revoke_key(s, "no-such-key", NOW)
    assert info.value.code == "api_key_unknown"
