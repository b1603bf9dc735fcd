"""Native values, @json, @list, @graph, language maps and @reverse: lexical forms and structure
(JSON-LD 1.1 API §8.5-§8.6), each checked against pyld where pyld follows the spec."""

from __future__ import annotations

import pytest

from issuer.jsonld import canonical_nquads, to_rdf
from issuer.jsonld.literals import double_lexical, number_literal

from .conftest import pyld_nquads

EX = "https://example.org/"
CTX = {"@vocab": EX, "xsd": "http://www.w3.org/2001/XMLSchema#",
       "list": {"@container": "@list"}, "graph": {"@container": "@graph"},
       "json": {"@type": "@json"}, "lang": {"@container": "@language"},
       "idx": {"@container": "@index"}, "ids": {"@container": "@id"},
       "parent": {"@reverse": f"{EX}child"}, "dbl": {"@type": "xsd:double"},
       "date": {"@type": "xsd:date"}, "ref": {"@type": "@id"}, "word": {"@type": "@vocab"}}


def _doc(**members: object) -> dict:
    return {"@context": CTX, "@id": "urn:s", **members}


@pytest.mark.parametrize(("value", "expected"), [
    (5, ('"5"', "integer")), (-0, ('"0"', "integer")), (1.5, ('"1.5E0"', "double")),
    (1e21, ('"1.0E21"', "double")), (10**21, ('"1.0E21"', "double")), (0.1, ('"1.0E-1"', "double")),
    (123456789012.5, ('"1.234567890125E11"', "double")), (True, ('"true"', "boolean")),
    (False, ('"false"', "boolean")),
])
def test_native_values(value: object, expected: tuple[str, str]) -> None:
    (quad,) = to_rdf(_doc(v=value))
    lexical, kind = expected
    assert quad.object == f'{lexical}^^<http://www.w3.org/2001/XMLSchema#{kind}>'
    assert canonical_nquads(_doc(v=value)) == pyld_nquads(_doc(v=value))


def test_integral_float_is_an_integer_like_the_reference() -> None:
    # JSON 1.0 and 1 are the same number; pyld writes 1.0 as a double (it keeps Python's type)
    assert to_rdf(_doc(v=1.0))[0].object == '"1"^^<http://www.w3.org/2001/XMLSchema#integer>'


def test_large_integers_are_doubles_after_json_parsing() -> None:
    assert number_literal(2**53 + 1, None)[0] == str(2**53)  # nearest IEEE double, as JSON parsers read it
    assert number_literal(12345678901234567890, None)[0] == "12345678901234567168"


def test_double_rounding_is_half_up_like_toexponential() -> None:
    assert double_lexical(1234567890123456.5) == "1.234567890123457E15"
    assert double_lexical(-2.5e-7) == "-2.5E-7"
    assert double_lexical(5.960464477539063e-08) == "5.960464477539063E-8"  # reference; pyld: ...062E-8


def test_typed_values_and_coercions() -> None:
    doc = _doc(dbl=2, date="2026-01-01", ref="https://x.example/r", word="Thing")
    assert canonical_nquads(doc) == pyld_nquads(doc)
    assert '"2.0E0"^^<http://www.w3.org/2001/XMLSchema#double>' in canonical_nquads(doc)
    assert f"<{EX}Thing>" in canonical_nquads(doc)


def test_json_literal_is_jcs() -> None:
    doc = _doc(json={"b": [1, 2.5, "x"], "a": None})
    out = canonical_nquads(doc)
    assert '"{\\"a\\":null,\\"b\\":[1,2.5,\\"x\\"]}"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON>' in out
    assert out == pyld_nquads(doc)


@pytest.mark.parametrize("members", [
    {"list": [1, "two", {"@id": "urn:three"}]},
    {"list": []},
    {"graph": {"@id": "urn:inner", "name": "in a graph"}},
    {"lang": {"en": "colour", "de": ["Farbe", "Färbung"]}},
    {"idx": {"a": {"name": "A"}, "b": "B"}},
    {"ids": {"urn:one": {"name": "1"}}},
    {"parent": {"@id": "urn:p"}},
    {"@type": ["Thing", "Other"], "name": {"@value": "x", "@language": "EN-gb"}},
    {"@graph": [{"@id": "urn:a", "name": "a"}, {"name": "anonymous"}], "name": "named graph"},
    {"nested": {"nested": {"nested": {"value": 1}}}, "twin": [{"k": 1}, {"k": 1}]},
], ids=["list", "empty-list", "graph-container", "language-map", "index-map", "id-map", "reverse",
        "types-language", "named-graph", "nested-bnodes"])
def test_structures_match_pyld(members: dict) -> None:
    doc = _doc(**members)
    assert canonical_nquads(doc) == pyld_nquads(doc)
