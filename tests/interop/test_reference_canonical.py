"""Our RDFC-1.0 canonical N-Quads against the reference's (jsonld.js / rdf-canonize, safe mode).

RDFC-1.0 §4.x / N-Quads canonical form: `\\b \\t \\n \\f \\r \\" \\\\` as ECHAR, the other
C0 controls and U+007F as UCHAR `\\u00XX` (upper-case hex), everything else as itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from issuer.canonical import rdfc_nquads
from issuer.errors import IssuerError
from tests.spec_data import SPEC_EXAMPLES

ALUMNI = json.loads(SPEC_EXAMPLES.joinpath("vc-di-eddsa/unsigned.json").read_text(encoding="utf-8"))
OB_BASIC = json.loads(
    SPEC_EXAMPLES.joinpath("ob3/basic-openbadgecredential.json").read_text(encoding="utf-8")
)

CODEPOINTS = [*range(0x00, 0x20), 0x22, 0x5C, 0x7F, 0x80, 0x85, 0x9F, 0xA0, 0xE9, 0x2028, 0xFEFF, 0xFFFF, 0x1F600]


@pytest.fixture(scope="module")
def reference_by_codepoint(reference_canonize_many) -> dict[int, str]:
    documents = [dict(ALUMNI, name=f"x{chr(cp)}y") for cp in CODEPOINTS]
    return dict(zip(CODEPOINTS, reference_canonize_many(documents)))


@pytest.mark.parametrize("codepoint", CODEPOINTS, ids=[f"U+{cp:04X}" for cp in CODEPOINTS])
def test_every_character_canonicalizes_like_the_reference(codepoint, reference_by_codepoint):
    ours = rdfc_nquads(dict(ALUMNI, name=f"x{chr(codepoint)}y"))
    assert ours == reference_by_codepoint[codepoint]


def test_the_test_vectors_canonicalize_identically(reference_canonize_many):
    documents = [ALUMNI, OB_BASIC, json.loads(
        SPEC_EXAMPLES.joinpath("ob3/complete-openbadgecredential.json").read_text(encoding="utf-8")
    )]
    assert [rdfc_nquads(d) for d in documents] == reference_canonize_many(documents)


SAFE_MODE_REFUSALS = {
    "relative-id": {"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "relative/x",
                    "type": "VerifiableCredential"},
    "undefined-term": {"@context": [{"ex": "https://ex.org/"}], "@id": "https://a.example/1", "foo": "bar"},
}


@pytest.mark.parametrize("document", SAFE_MODE_REFUSALS.values(), ids=SAFE_MODE_REFUSALS.keys())
def test_safe_mode_refusals_match_the_reference(document, reference_canonize):
    assert reference_canonize([document]) == [None]
    with pytest.raises(IssuerError):
        rdfc_nquads(document)
