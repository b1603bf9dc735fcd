"""Versions side by side, lookups, clear errors for unknown ones."""

from __future__ import annotations

import json
import shutil

import pytest

from issuer.errors import FrameworkError, UnknownFrameworkError
from issuer.frameworks import FrameworkRegistry, load_framework
from issuer.frameworks.loader import policy_path_for

from .conftest import BUNDLED_FILE, dump


@pytest.fixture
def two_versions(tmp_path, doc):
    """The bundled version plus a synthetic v.26.11 (one statement reworded, own policy)."""
    shutil.copy(BUNDLED_FILE, tmp_path / BUNDLED_FILE.name)
    shutil.copy(policy_path_for(BUNDLED_FILE), tmp_path / policy_path_for(BUNDLED_FILE).name)
    doc["framework"]["version"] = "v.26.11"
    doc["framework"]["levels"]["proficient"]["statements"][2] = "Reworded statement for the November release."
    (tmp_path / "pharmacy-technicians.v26.11.json").write_bytes(dump(doc))
    (tmp_path / "pharmacy-technicians.v26.11.policy.json").write_text(json.dumps({"passMark": 0.7}))
    return tmp_path


def test_bundled_holds_the_pharmacy_technician_framework(registry):
    assert registry.codes() == ["29-2052.00"]
    assert registry.versions("29-2052.00") == ["v.26.05"]
    assert registry.latest("29-2052.00").version == "v.26.05"
    assert ("29-2052.00", "v.26.05") in registry and len(registry) == 1


def test_unknown_version_lists_known_ones(registry):
    with pytest.raises(UnknownFrameworkError) as err:
        registry.get("29-2052.00", "v.25.01")
    assert err.value.code == "framework_unknown"
    assert "29-2052.00 v.26.05" in str(err.value)
    with pytest.raises(UnknownFrameworkError) as err:
        registry.latest("15-1252.00")
    assert "29-2052.00 v.26.05" in str(err.value)
    assert registry.versions("15-1252.00") == []


def test_two_versions_held_side_by_side(two_versions):
    registry = FrameworkRegistry.from_directory(two_versions)
    assert registry.versions("29-2052.00") == ["v.26.05", "v.26.11"]
    old, new = registry.get("29-2052.00", "v.26.05"), registry.get("29-2052.00", "v.26.11")
    assert old.statement("P03").text != new.statement("P03").text
    assert new.statement("P03").text == "Reworded statement for the November release."
    assert old.sha256_hex != new.sha256_hex
    assert (old.policy.pass_mark, new.policy.pass_mark) == (0.8, 0.7)
    assert new.human_code_prefix == "PT"
    assert registry.latest("29-2052.00") is new
    assert registry.newer_than(old) == [new]
    assert registry.newer_than(new) == []
    assert [f.version for f in registry.all()] == ["v.26.05", "v.26.11"]


def test_versions_sort_numerically_not_lexically(doc):
    registry = FrameworkRegistry()
    for version in ("v.100.1", "v.26.05", "v.9.12"):
        doc["framework"]["version"] = version
        registry.add(load_framework(dump(doc)))
    assert registry.versions("29-2052.00") == ["v.9.12", "v.26.05", "v.100.1"]


def test_add_is_idempotent_but_rejects_conflicting_content(fw, doc):
    registry = FrameworkRegistry([fw])
    registry.add(load_framework(fw.raw_bytes))
    assert len(registry) == 1
    with pytest.raises(FrameworkError) as err:
        registry.add(load_framework(dump(doc)))
    assert err.value.code == "framework_conflict"


def test_from_directory_errors(tmp_path):
    with pytest.raises(FrameworkError):
        FrameworkRegistry.from_directory(tmp_path / "missing")
    (tmp_path / "broken.json").write_text('{"schemaVersion": "1.0"}')
    with pytest.raises(FrameworkError) as err:
        FrameworkRegistry.from_directory(tmp_path)
    assert "broken.json" in str(err.value)
