"""Framework versions stored as data (issue 14) on SQLite and PostgreSQL: seeded, added once,
never changed, retired; every problem reported and nothing stored; another process's
registry sees additions on its next refresh."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from issuer.frameworks import FrameworkRegistry
from pipeline.framework_catalog import (
    FrameworkRefused,
    LiveRegistry,
    add_framework_version,
    load_registry,
    retire_framework_version,
)
from pipeline.store.framework_documents import FrameworkConflict, FrameworkNotHeld
from pipeline.store.models import FrameworkCrosswalk, FrameworkDocument
from tests.frameworks.testdata import CROSSWALK, PT, PT_V2611, PT_V2611_POLICY, SURGICAL

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def counts(sessions) -> tuple[int, int]:
    with sessions() as s:
        return (s.scalar(select(func.count()).select_from(FrameworkDocument)),
                s.scalar(select(func.count()).select_from(FrameworkCrosswalk)))


def add_v2611(sessions, **kwargs):
    return add_framework_version(sessions, document=PT_V2611.read_bytes(), policy=PT_V2611_POLICY.read_bytes(),
                                 now=NOW, **kwargs)


def test_bundled_version_is_seeded_by_the_migration(sessions):
    bundled = FrameworkRegistry.bundled().get(PT, "v.26.05")
    with sessions() as s:
        [row] = s.scalars(select(FrameworkDocument)).all()
        assert bytes(row.document) == bundled.raw_bytes and row.sha256 == bundled.sha256_hex
        assert row.policy is not None and row.retired_at is None
        assert load_registry(s).get(PT, "v.26.05") == bundled


def test_add_stores_exact_bytes_and_is_idempotent(sessions):
    first = add_v2611(sessions, crosswalks=[CROSSWALK.read_bytes()])
    assert first.changed and first.document == "added" and first.crosswalks[0][1] == "added"
    again = add_v2611(sessions, crosswalks=[CROSSWALK.read_bytes()])
    assert not again.changed and again.document == "unchanged"
    assert counts(sessions) == (2, 1)
    with sessions() as s:
        row = s.scalars(select(FrameworkDocument).where(FrameworkDocument.version == "v.26.11")).one()
        assert bytes(row.document) == PT_V2611.read_bytes()
        assert row.sha256 == hashlib.sha256(PT_V2611.read_bytes()).hexdigest()


def test_different_bytes_under_a_published_version_conflict(sessions):
    add_v2611(sessions)
    changed = json.loads(PT_V2611.read_bytes())
    changed["framework"]["levels"]["advanced"]["statements"][0] = "Something else entirely."
    with pytest.raises(FrameworkConflict) as err:
        add_framework_version(sessions, document=json.dumps(changed).encode(), now=NOW)
    assert err.value.code == "framework_conflict"
    assert counts(sessions) == (2, 0)


@pytest.mark.parametrize("case", ["malformed", "wrong_digest", "policy_unknown_statement", "crosswalk_unknown_statement"])
def test_every_error_is_clear_and_nothing_is_stored(sessions, case):
    document, policy, walks, sha = PT_V2611.read_bytes(), PT_V2611_POLICY.read_bytes(), [CROSSWALK.read_bytes()], None
    if case == "malformed":
        broken = json.loads(document)
        broken["occupation"]["soc"] = "29-2052"
        broken["framework"]["levels"]["emerging"]["statements"] = []
        document = json.dumps(broken).encode()
        expected = ("framework_invalid", ["/document/occupation/soc", "/document/framework/levels/emerging/statements"])
    elif case == "wrong_digest":
        sha = hashlib.sha256(b"something else").hexdigest()
        expected = ("framework_digest_mismatch", ["/sha256"])
    elif case == "policy_unknown_statement":
        policy = json.dumps({"levels": {"proficient": {"requiredStatements": ["P12"]}}}).encode()
        expected = ("policy_invalid", ["/policy/levels/proficient/requiredStatements/0"])
    else:
        data = json.loads(walks[0])
        data["mappings"][3]["to"] = "E44"
        walks = [json.dumps(data).encode()]
        expected = ("crosswalk_invalid", ["/crosswalks/0/mappings/3/to"])
    with pytest.raises(FrameworkRefused) as err:
        add_framework_version(sessions, document=document, policy=policy, crosswalks=walks, expected_sha256=sha,
                              now=NOW)
    assert (err.value.code, [e["path"] for e in err.value.errors]) == expected
    assert all(e["message"] for e in err.value.errors)
    assert counts(sessions) == (1, 0)


def test_retire_is_recorded_and_unknown_versions_are_404(sessions):
    add_v2611(sessions)
    at = retire_framework_version(sessions, PT, "v.26.05", NOW)
    assert retire_framework_version(sessions, PT, "v.26.05", datetime(2027, 1, 1, tzinfo=timezone.utc)) == at
    with sessions() as s:
        registry = load_registry(s)
    assert registry.is_retired(PT, "v.26.05") and not registry.is_retired(PT, "v.26.11")
    assert registry.get(PT, "v.26.05")  # still held: pages and verification stay
    with pytest.raises(FrameworkNotHeld):
        retire_framework_version(sessions, PT, "v.99.01", NOW)


def test_live_registries_see_what_another_process_added(sessions):
    web, worker = LiveRegistry(sessions, min_interval_s=0), LiveRegistry(sessions, min_interval_s=0)
    assert web.versions(PT) == ["v.26.05"] and not web.refresh()  # nothing changed: no reload
    add_v2611(sessions, crosswalks=[CROSSWALK.read_bytes()])
    add_framework_version(sessions, document=SURGICAL.read_bytes(), now=NOW)
    assert worker.refresh() and web.refresh()
    for registry in (web, worker):
        assert registry.versions(PT) == ["v.26.05", "v.26.11"] and registry.latest(PT).version == "v.26.11"
        assert registry.codes() == [PT, "29-2055.00"]
        assert [c.from_key for c in registry.crosswalks_into(registry.get(PT, "v.26.11"))] == [(PT, "v.26.05")]
    retire_framework_version(sessions, PT, "v.26.05", NOW)
    assert web.refresh() and web.is_retired(PT, "v.26.05")


def test_a_throttled_registry_finds_a_new_version_at_once_and_a_retirement_later(sessions):
    clock = [100.0]
    live = LiveRegistry(sessions, min_interval_s=1.0, monotonic=lambda: clock[0])
    add_v2611(sessions)
    assert not live.refresh() and live.versions(PT) == ["v.26.05"]  # asked less than a second ago
    assert live.get(PT, "v.26.11").version == "v.26.11"  # a miss checks the store at once
    retire_framework_version(sessions, PT, "v.26.05", NOW)
    assert not live.refresh() and not live.is_retired(PT, "v.26.05")
    clock[0] += 1.0
    assert live.refresh() and live.is_retired(PT, "v.26.05")
