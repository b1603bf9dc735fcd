"""One JSON reader, one number model and one nesting limit for every entry point (issuer.jsondoc),
and the canonical forms of numbers (JSON-LD 1.1 §8.6, XSD 1.1, RFC 8785)."""

from __future__ import annotations

import json
import sys

import pytest

from issuer.canonical import jcs
from issuer.cryptosuites import add_proof, verify_proofs
from issuer.dids import resolve_did_key
from issuer.jsondoc import MAX_DEPTH, JsonDocumentError, parse_json
from issuer.jsonld import to_rdf
from issuer.keys import Ed25519Key, did_key_signer
from issuer.verify import parse_credential
from verifier.formats import read_text
from verifier.http import loads as api_loads

XSD = "http://www.w3.org/2001/XMLSchema#"
V2 = "https://www.w3.org/ns/credentials/v2"


def _literal(value, datatype=None):
    item = {"@value": value} if datatype is None else {"@value": value, "@type": datatype}
    [quad] = to_rdf({"@context": [V2, {"n": "https://example.org/n"}], "@id": "urn:x", "n": item})
    return quad.object


@pytest.mark.parametrize(("value", "datatype", "literal"), [
    (0, XSD + "double", f'"0.0E0"^^<{XSD}double>'),
    (0.0, XSD + "double", f'"0.0E0"^^<{XSD}double>'),
    (-0.0, XSD + "double", f'"-0.0E0"^^<{XSD}double>'),
    (999999999999999999999, None, f'"1.0E21"^^<{XSD}double>'),  # the double is 1e21: not < 10^21
    (99999999999999991611392, None, f'"9.999999999999999E22"^^<{XSD}double>'),  # toExponential(15), as the reference
    (123456789012345678901, None, f'"123456789012345683968"^^<{XSD}integer>'),  # the double's exact value
    (2**53 + 1, None, f'"9007199254740992"^^<{XSD}integer>'),
    (10**20, None, f'"100000000000000000000"^^<{XSD}integer>'),
    (1.5, None, f'"1.5E0"^^<{XSD}double>'),
])
def test_numbers_are_decided_on_the_double(value, datatype, literal):
    assert _literal(value, datatype) == literal


def test_jcs_writes_integers_from_2_53_as_doubles():
    assert jcs({"a": 2**53 - 1, "b": 2**53, "c": 2**53 + 1, "d": 10**21}) == \
        b'{"a":9007199254740991,"b":9007199254740992,"c":9007199254740992,"d":1e+21}'


def test_eddsa_jcs_2022_signs_and_verifies_a_large_integer():
    key = Ed25519Key.from_seed(b"\x05" * 32)
    doc = {"@context": [V2], "type": ["VerifiableCredential"], "issuer": key.did_key,
           "credentialSubject": {"id": "did:example:1", "big": 2**64 + 1}}
    signed = add_proof(doc, signer=did_key_signer(key), created="2026-01-01T00:00:00Z", cryptosuite="eddsa-jcs-2022")
    assert all(r.verified for r in verify_proofs(signed, resolve_key=resolve_did_key))
    signed["credentialSubject"]["big"] = float(2**64)  # the same double: the same JCS text, still valid
    assert all(r.verified for r in verify_proofs(signed, resolve_key=resolve_did_key))


def _nested(depth: int) -> str:
    return "[" * (depth - 1) + "{}" + "]" * (depth - 1)


@pytest.mark.parametrize("reader", [parse_json, api_loads, lambda text: read_text(text).credential],
                         ids=["core", "api", "page-cli"])
def test_every_entry_point_reads_the_same(reader):
    text = '{"a": 18446744073709551617, "b": 1.0, "c": [1e-7]}'
    value = reader(text if reader is not api_loads else text.encode())
    assert value == {"a": 18446744073709551617, "b": 1.0, "c": [1e-7]} and isinstance(value["a"], int)


@pytest.mark.parametrize("reader", [parse_json, api_loads, read_text], ids=["core", "api", "page-cli"])
@pytest.mark.parametrize(("text", "code"), [
    (_nested(MAX_DEPTH + 1), "json_too_deep"), ("[" * 100_000, "json_too_deep"),
    ('{"a": NaN}', "malformed_json"), ('{"a": 1e999}', "malformed_json"),
])
def test_every_entry_point_refuses_the_same(reader, text, code):
    with pytest.raises(Exception) as err:  # noqa: PT011 - each entry point has its own error root; the code is shared
        reader(text if reader is not api_loads else text.encode())
    assert getattr(err.value, "code", None) == code


def test_the_depth_limit_does_not_depend_on_the_call_stack():
    deep = json.loads(_nested(MAX_DEPTH + 1))
    at_top = parse_credential(deep)[1].problems[0].code

    def from_deep_stack(n):
        return from_deep_stack(n - 1) if n else parse_credential(deep)[1].problems[0].code

    assert at_top == from_deep_stack(sys.getrecursionlimit() - 200) == "json_too_deep"
    assert parse_json(_nested(MAX_DEPTH)) is not None


def test_a_deep_document_is_refused_by_the_canonicalizers_with_the_code():
    from issuer.errors import IssuerError
    from issuer.jsonld import canonical_nquads

    doc = {"@context": [V2], "@id": "urn:x", "@included": json.loads(_nested(MAX_DEPTH))}
    for canonicalize in (canonical_nquads, jcs):
        with pytest.raises(IssuerError) as err:
            canonicalize(doc)
        assert err.value.code == "json_too_deep"


def test_json_document_error_is_a_coded_value_error():
    with pytest.raises(JsonDocumentError) as err:
        parse_json(b"\xff")
    assert err.value.code == "malformed_json"
