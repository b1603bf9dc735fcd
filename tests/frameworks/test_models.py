"""Loading the publisher's format: typed models, stable codes, ordering, digests, errors."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from issuer.errors import FrameworkError
from issuer.frameworks import LEVEL_ORDER, load_framework, version_key

from .conftest import BUNDLED_FILE, SHARED_FILE, dump


def test_bundled_file_is_the_publishers_file_unmodified():
    if SHARED_FILE.exists():
        assert BUNDLED_FILE.read_bytes() == SHARED_FILE.read_bytes()
    assert hashlib.sha256(BUNDLED_FILE.read_bytes()).hexdigest().startswith("3629ced5")


def test_identity_and_names(fw):
    assert (fw.code, fw.version) == ("29-2052.00", "v.26.05")
    assert fw.title == "Pharmacy Technicians"
    assert fw.name == "Pharmacy Technician Competency Framework"
    assert fw.achievement_name == "Pharmacy Technician"
    assert fw.human_code_prefix == "PT"
    assert fw.document.occupation.job_zone == 3


def test_levels_are_ordered_with_ranks(fw):
    assert [lv.key for lv in fw.levels] == list(LEVEL_ORDER)
    assert [lv.rank for lv in fw.levels] == [1, 2, 3, 4]
    assert [lv.label for lv in fw.levels] == ["Emerging", "Developing", "Proficient", "Advanced"]


def test_statement_codes_are_level_initial_and_two_digit_position(fw):
    codes = [s.code for s in fw.statements]
    assert len(codes) == 40 and len(set(codes)) == 40
    for initial, level in zip("EDPA", fw.levels, strict=True):
        assert level.codes == tuple(f"{initial}{n:02d}" for n in range(1, 11))
    raw = fw.document.framework.levels.proficient.statements
    assert fw.statement("P01").text == raw[0]
    assert fw.statement("P10").text == raw[9]
    assert fw.statement("A07").level == "advanced" and fw.statement("A07").position == 7


def test_unknown_level_and_statement_are_clear_errors(fw):
    with pytest.raises(FrameworkError) as err:
        fw.level("expert")
    assert err.value.code == "level_unknown" and "emerging" in str(err.value)
    with pytest.raises(FrameworkError) as err:
        fw.statement("P11")
    assert err.value.code == "statement_unknown"


def test_digest_of_exact_bytes_hex_and_sri(fw):
    raw = BUNDLED_FILE.read_bytes()
    assert fw.raw_bytes == raw
    assert fw.sha256_hex == hashlib.sha256(raw).hexdigest()
    assert re.fullmatch(r"sha256-[A-Za-z0-9+/]{43}=", fw.digest_sri)
    assert base64.b64decode(fw.digest_sri.removeprefix("sha256-")) == hashlib.sha256(raw).digest()


def test_reserialized_document_has_a_different_digest(fw, doc):
    other = load_framework(dump(doc))
    assert other.document == fw.document
    assert other.sha256_hex != fw.sha256_hex


def test_version_ordering_is_numeric():
    assert version_key("v.26.05") < version_key("v.26.11") < version_key("v.27.01") < version_key("v.100.1")


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d["framework"]["levels"].pop("proficient"), ("framework", "levels", "proficient")),
        (lambda d: d["framework"]["levels"]["developing"]["statements"].__setitem__(3, "  "),
         ("framework", "levels", "developing", "statements")),
        (lambda d: d["framework"]["levels"]["advanced"]["statements"].__setitem__(2, 7),
         ("framework", "levels", "advanced", "statements", 2)),
        (lambda d: d["framework"]["levels"]["emerging"].__setitem__("statements", []),
         ("framework", "levels", "emerging", "statements")),
        (lambda d: d["occupation"].__setitem__("soc", "292052"), ("occupation", "soc")),
        (lambda d: d["framework"].__setitem__("version", "26.05"), ("framework", "version")),
        (lambda d: d.__setitem__("exportedAt", "2026-05-15T12:39:13"), ("exportedAt",)),
        (lambda d: d.pop("schemaVersion"), ("schemaVersion",)),
        (lambda d: d["framework"]["levels"].__setitem__("expert", {"label": "X", "statements": ["x"]}),
         ("framework", "levels", "expert")),
    ],
)
def test_invalid_documents_name_the_offending_field(doc, mutate, path):
    mutate(doc)
    with pytest.raises(FrameworkError) as err:
        load_framework(dump(doc), source="bad.json")
    assert err.value.code == "framework_invalid"
    assert err.value.path == path
    assert "bad.json" in str(err.value)


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b"\xff\xfe"])
def test_non_json_or_non_object_is_a_framework_error(raw):
    with pytest.raises(FrameworkError):
        load_framework(raw)


def test_unknown_extra_fields_are_tolerated(doc):
    doc["occupation"]["brightOutlook"] = True
    doc["newTopLevel"] = {"x": 1}
    assert load_framework(dump(doc)).code == "29-2052.00"
