"""Canonical N-Quads escaping, compared with goldens recorded from the reference
(jsonld.js 9 + rdf-canonize 5, `bench/canon_ref.js canon`): every character U+0000..U+001F,
U+007F, quote and backslash, non-ASCII, astral-plane, and the sort order of statements."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from issuer.errors import JsonLdError
from issuer.jsonld import canonical_nquads
from issuer.jsonld.nquads import escape_iri, escape_literal

from .conftest import DATA, V2, load

GOLDEN = load(DATA / "escaping-golden.json")["cases"]
# The reference sorts statements by UTF-16 code unit; RDFC-1.0 §4.4.3/§5 says code point order.
# The two orders differ only where one statement has U+E000..U+FFFF and the other an
# astral-plane character at the first difference; we follow the spec there.
CODE_POINT_ORDER = [c for c in GOLDEN if isinstance(c["name"], list)]
SINGLE = [c for c in GOLDEN if isinstance(c["name"], str)]


def _doc(name: object) -> dict:
    return {"@context": [V2], "id": "urn:example:1", "type": ["VerifiableCredential"], "name": name}


def test_golden_covers_every_control_character() -> None:
    controls = {chr(c) for c in list(range(0x20)) + [0x7F]}
    covered = {ch for case in SINGLE for ch in case["name"]}
    assert controls <= covered
    assert any(ord(ch) > 0xFFFF for ch in covered)


@pytest.mark.parametrize("case", SINGLE, ids=lambda c: ascii(c["name"])[:24])
def test_literal_escaping_matches_reference(case: dict) -> None:
    assert canonical_nquads(_doc(case["name"])) == case["reference"]


@pytest.mark.parametrize("case", CODE_POINT_ORDER, ids=lambda c: ascii(c["name"]))
def test_statements_sorted_in_code_point_order(case: dict) -> None:
    out = canonical_nquads(_doc(case["name"]))
    lines = out.splitlines(keepends=True)
    assert lines == sorted(lines)  # code point order
    assert sorted(lines) == sorted(case["reference"].splitlines(keepends=True))  # same statements
    assert out != case["reference"]  # the reference orders these two by UTF-16 code unit


@pytest.mark.parametrize(("char", "escaped"), [
    ("\b", "\\b"), ("\t", "\\t"), ("\n", "\\n"), ("\f", "\\f"), ("\r", "\\r"), ('"', '\\"'),
    ("\\", "\\\\"), ("\x00", "\\u0000"), ("\x0b", "\\u000B"), ("\x1f", "\\u001F"), ("\x7f", "\\u007F"),
    ("\x80", "\x80"), ("é", "é"), ("\U0001F600", "\U0001F600"),
])
def test_escape_literal_rule(char: str, escaped: str) -> None:
    assert escape_literal(f"x{char}y") == f"x{escaped}y"


def test_escape_iri_rule() -> None:
    assert escape_iri("https://a.example/{x}|^`") == "https://a.example/\\u007Bx\\u007D\\u007C\\u005E\\u0060"
    assert escape_iri("https://a.example/é") == "https://a.example/é"


def test_lone_surrogate_is_an_error() -> None:
    with pytest.raises(JsonLdError) as err:
        canonical_nquads(_doc("a\ud800b"))
    assert err.value.code == "jsonld_syntax"


REFERENCE = Path(__file__).resolve().parents[2] / "interop" / "node_modules"  # npm ci --prefix interop


@pytest.mark.node
@pytest.mark.skipif(shutil.which("node") is None or not (REFERENCE / "jsonld").exists(),
                    reason="node or interop/node_modules is missing (npm ci --prefix interop)")
def test_goldens_still_match_the_reference(tmp_path: Path) -> None:
    import json

    docs = [_doc(c["name"]) for c in GOLDEN]
    (tmp_path / "docs.json").write_text(json.dumps(docs), encoding="utf-8")
    script = Path(__file__).resolve().parents[2] / "bench" / "canon_ref.js"
    out = subprocess.run(["node", str(script), "canon", str(tmp_path / "docs.json")], check=True,
                         capture_output=True, env={"NODE_PATH": str(REFERENCE), "PATH": "/usr/bin:/bin"})
    assert json.loads(out.stdout) == [c["reference"] for c in GOLDEN]
