"""Every term of a built credential is defined by its contexts: nothing is dropped in RDF.

Counting argument: converting to RDF, each JSON value except `@context`, node `id`s and
`type`s yields exactly one quad (a literal, an IRI, or an edge to a nested node), and each
`type` entry yields one rdf:type quad. A term no context defines would be dropped (or, in
safe mode, rejected), so the counts would differ.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from issuer.canonical import rdfc_nquads
from issuer.credentials import Recipient
from issuer.errors import JsonLdError

from .conftest import HOLDER_DID

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
GOLDEN = sorted((Path(__file__).parent / "golden").glob("*.json"))


def expected_counts(value, key=None) -> tuple[int, int, list[str]]:
    """(value quads, rdf:type quads, string leaves) a JSON-LD value should produce."""
    values, types, strings = 0, 0, []
    if isinstance(value, dict):
        for k, item in value.items():
            if k == "@context" or k == "id":
                if k == "id":
                    strings.append(item)
                continue
            if k == "type" and key != "__literal__":
                n = len(item) if isinstance(item, list) else 1
                types += n
                continue
            v, t, s = expected_counts(item, k)
            values, types, strings = values + v, types + t, strings + s
    elif isinstance(value, list):
        for item in value:
            v, t, s = expected_counts(item, key)
            values, types, strings = values + v, types + t, strings + s
    else:
        values += 1
        if isinstance(value, str):
            strings.append(value)
    if isinstance(value, dict) and key is not None:
        values += 1  # the edge from the parent node to this node
    return values, types, strings


def check_nothing_dropped(cred: dict) -> None:
    nquads = rdfc_nquads(cred)
    quads = nquads.splitlines()
    values, types, strings = expected_counts(cred)
    assert sum(1 for q in quads if f" {RDF_TYPE} " in q) == types
    assert sum(1 for q in quads if f" {RDF_TYPE} " not in q) == values
    for text in strings:
        escaped = json.dumps(text, ensure_ascii=False)[1:-1]
        assert f'"{escaped}"' in nquads or f"<{text}>" in nquads, text


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.name)
def test_golden_credentials_lose_nothing(path):
    check_nothing_dropped(json.loads(path.read_text(encoding="utf-8")))


def test_did_recipient_with_name_loses_nothing(build):
    check_nothing_dropped(build(recipient=Recipient(name="Zoë O'Brien\u00a0", did=HOLDER_DID)))


def test_the_count_detects_an_undefined_term(build):
    cred = build()
    cred["credentialSubject"]["achievement"]["frameworkVersionX"] = "v.26.05"
    with pytest.raises((AssertionError, JsonLdError)):  # dropped (count differs) or rejected (safe mode)
        check_nothing_dropped(cred)


def test_quads_name_the_framework_version(build):
    nquads = rdfc_nquads(build())
    assert len(re.findall(r"v\.26\.05", nquads)) > 20
