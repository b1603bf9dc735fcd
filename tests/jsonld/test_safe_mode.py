"""Safe mode: whatever would be dropped or become a relative IRI is an error with a specific code."""

from __future__ import annotations

import copy

import pytest

from issuer.errors import ContextError, JsonLdError
from issuer.jsonld import canonical_nquads, to_rdf

from .conftest import DATA, OB, V2, load

BASE = {"@context": [V2, OB], "id": "urn:uuid:1", "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:example:issuer", "type": ["Profile"], "name": "Issuer"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner", "type": ["AchievementSubject"],
                              "achievement": {"id": "https://example.org/a", "type": ["Achievement"],
                                              "name": "A", "description": "D", "criteria": {"narrative": "N"}}}}


def _code(doc: dict) -> tuple[str, tuple]:
    with pytest.raises(JsonLdError) as err:
        canonical_nquads(doc)
    return err.value.code, err.value.path


def _with(**changes: object) -> dict:
    doc = copy.deepcopy(BASE)
    doc.update(changes)
    return doc


def test_base_document_is_fine() -> None:
    assert canonical_nquads(BASE).count("\n") > 5


def test_undefined_property() -> None:
    assert _code(_with(favouriteColour="blue")) == ("jsonld_undefined_term", ("favouriteColour",))


def test_undefined_nested_property_reports_its_path() -> None:
    doc = copy.deepcopy(BASE)
    doc["credentialSubject"]["achievement"]["critera"] = {"narrative": "typo"}
    assert _code(doc) == ("jsonld_undefined_term", ("credentialSubject", "achievement", "critera"))


def test_undefined_term_inside_array_reports_index() -> None:
    doc = _with(evidence=[{"type": ["Evidence"], "name": "ok"}, {"type": ["Evidence"], "nmae": "typo"}])
    assert _code(doc) == ("jsonld_undefined_term", ("evidence", 1, "nmae"))


def test_undefined_type() -> None:
    assert _code(_with(type=["VerifiableCredential", "MadeUpCredential"]))[0] == "jsonld_relative_type"


def test_relative_id() -> None:
    assert _code(_with(id="credential-1"))[0] == "jsonld_relative_iri"


def test_relative_iri_value_of_id_typed_term() -> None:
    doc = copy.deepcopy(BASE)
    doc["credentialSubject"]["achievement"]["criteria"]["id"] = "criteria.html"
    assert _code(doc)[0] == "jsonld_relative_iri"


def test_protected_term_redefinition() -> None:
    doc = _with(**{"@context": [V2, OB, {"name": "https://example.org/myName"}]})
    assert _code(doc)[0] == "jsonld_protected_term_redefinition"


def test_context_nullification_with_protected_terms() -> None:
    doc = _with(**{"@context": [V2, OB, None, {"@vocab": "https://example.org/"}]})
    assert _code(doc)[0] == "jsonld_protected_term_redefinition"


def test_identical_redefinition_of_protected_term_is_allowed() -> None:
    doc = _with(**{"@context": [V2, OB, {"id": "@id", "type": "@type"}]})
    assert canonical_nquads(doc) == canonical_nquads(BASE)


def test_unknown_context() -> None:
    with pytest.raises(ContextError) as err:
        canonical_nquads(_with(**{"@context": [V2, "https://example.org/evil-context.json"]}))
    assert err.value.code == "context_unknown"


@pytest.mark.parametrize("doc", [
    {"@context": [V2], "@id": 5},
    {"@context": [V2], "id": "urn:x", "type": [{"not": "a string"}]},
    {"@context": [V2], "id": "urn:x", "@value": "v", "@language": "en", "@type": "https://x.example/t"},
    {"@context": 7},
    {"@context": [V2, {"x": {"@id": "https://example.org/x", "@container": "@bogus"}}], "x": 1},
], ids=["id-not-string", "type-not-string", "value-lang-and-type", "context-number", "bad-container"])
def test_invalid_syntax(doc: dict) -> None:
    assert _code(doc)[0] == "jsonld_syntax"


@pytest.mark.parametrize(("doc", "code"), [
    ({"@context": [V2], "id": "urn:x", "name": {"@value": None}}, "jsonld_dropped_value"),
    ({"@context": [V2], "id": "urn:x", "name": {"@value": "x", "@language": "not a tag!"}}, "jsonld_dropped_value"),
    ({"@context": [V2], "@graph": ["free-floating"]}, "jsonld_dropped_value"),
    ({"@context": [V2], "id": "urn:x"}, "jsonld_dropped_value"),
    ({"@context": [V2]}, "jsonld_dropped_value"),
    ({"@context": [V2], "id": "urn:x", "type": "VerifiableCredential", "proof": {}}, "jsonld_dropped_value"),
    ({"@context": [V2, {"@vocab": "relative/"}], "id": "urn:x"}, "jsonld_relative_iri"),
    ({"@context": [V2, {"p": "_:b0"}], "id": "urn:x", "p": "v"}, "jsonld_blank_node_predicate"),
    ({"@context": [V2, {"@x": "https://example.org/x"}], "id": "urn:x", "name": "n"}, "jsonld_dropped_value"),
], ids=["null-value", "bad-language", "free-floating-scalar", "only-id", "empty-object", "empty-proof",
        "relative-vocab", "blank-predicate", "reserved-term"])
def test_dropped_or_unsafe(doc: dict, code: str) -> None:
    assert _code(doc)[0] == code


def test_not_a_document() -> None:
    with pytest.raises(JsonLdError) as err:
        to_rdf("just a string")  # type: ignore[arg-type]
    assert err.value.code == "jsonld_syntax"


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    doc: dict = {"@context": {"@vocab": "https://example.org/"}, "@id": "urn:x", "name": "n"}
    inner = doc
    for _ in range(5000):
        inner["next"] = {"name": "n"}
        inner = inner["next"]
    with pytest.raises(JsonLdError) as err:
        canonical_nquads(doc)
    assert err.value.code == "json_too_deep"  # issuer.jsondoc.MAX_DEPTH, not Python's recursion limit


def test_realistic_credential_is_safe() -> None:
    assert canonical_nquads(load(DATA / "ob-credential-40-alignments.json")).count("\n") > 300
