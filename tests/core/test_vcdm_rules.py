"""issuer.vcdm_rules and issuer.related_resources: the VCDM 2.0 MUSTs checked before signing."""

from __future__ import annotations

import base64
import hashlib

import pytest

from issuer.contexts import load_context_bytes
from issuer.related_resources import digests_of, related_resource_problems
from issuer.vcdm_rules import issuer_violations

V2 = "https://www.w3.org/ns/credentials/v2"
V2_BYTES = load_context_bytes(V2)
SRI_384 = "sha384-" + base64.b64encode(hashlib.sha384(V2_BYTES).digest()).decode()
MB_256 = "u" + base64.urlsafe_b64encode(hashlib.sha256(V2_BYTES).digest()).decode().rstrip("=")
MB_MULTIHASH = "u" + base64.urlsafe_b64encode(b"\x12\x20" + hashlib.sha256(V2_BYTES).digest()).decode().rstrip("=")
WRONG_MB = "uM4RgWQc3RUDtjJCSgTJtTfvpZ7SPEg_LNO0ESlovQC0"  # a well-formed SHA-256 of something else


def _vc(**members):
    return {"@context": [V2], "type": ["VerifiableCredential"], "credentialSubject": {"id": "did:example:1"},
            **members}


def _codes(credential):
    return [(v.code, v.path) for v in issuer_violations(credential)]


def test_a_plain_credential_has_no_violation():
    assert _codes(_vc()) == []


@pytest.mark.parametrize("member", ["credentialStatus", "credentialSchema", "refreshService", "termsOfUse",
                                    "evidence"])
def test_each_typed_member_needs_a_type(member):
    assert ("type_missing", f"/{member}/type") in _codes(_vc(**{member: {"id": "https://example.org/1"}}))
    assert ("type_missing", f"/{member}/1/type") in _codes(_vc(**{member: [
        {"id": "https://example.org/1", "type": "T"}, {"id": "https://example.org/2"}]}))
    assert ("member_not_object", f"/{member}") in _codes(_vc(**{member: "https://example.org/1"}))


def test_credential_schema_needs_an_id_and_types_are_strings():
    assert _codes(_vc(credentialSchema={"type": "JsonSchema"})) == [("id_missing", "/credentialSchema/id")]
    assert _codes(_vc(termsOfUse={"type": [7]})) == [("type_invalid", "/termsOfUse/type")]
    assert _codes(_vc(type=[])) == [("type_invalid", "/type")]


@pytest.mark.parametrize("resource", [
    {"id": V2, "digestSRI": SRI_384},
    {"id": V2, "digestMultibase": MB_256},
    {"id": V2, "digestMultibase": MB_MULTIHASH},
    {"id": "https://example.org/not-held", "digestMultibase": WRONG_MB},  # not held here: only its form counts
])
def test_well_formed_and_correct_digests_pass(resource):
    assert related_resource_problems({"relatedResource": [resource]}) == []


@pytest.mark.parametrize(("value", "code", "path"), [
    (["https://example.org/a"], "related_resource_not_object", "/relatedResource/0"),
    ([], "related_resource_not_object", "/relatedResource"),
    ([{"digestSRI": SRI_384}], "related_resource_id", "/relatedResource/0/id"),
    ([{"id": V2}], "related_resource_digest_missing", "/relatedResource/0"),
    ([{"id": V2, "digestSRI": SRI_384}, {"id": V2, "digestMultibase": MB_256}], "related_resource_id_repeated",
     "/relatedResource/1/id"),
    ({"id": V2, "digestMultibase": WRONG_MB}, "related_resource_digest_mismatch", "/relatedResource/digestMultibase"),
    ([{"id": V2, "digestSRI": "sha384-" + "_rCVIV7fSXXTNIvpiq26jRDyj8JG8TDjij-tD0ewLk4JpnXEz6a5AeeY_1qQ0d0P"}],
     "related_resource_digest_malformed", "/relatedResource/0"),
    ([{"id": V2, "digestSRI": "md5-AAAA"}], "related_resource_digest_malformed", "/relatedResource/0"),
    ([{"id": V2, "digestMultibase": "uAAAA"}], "related_resource_digest_malformed", "/relatedResource/0"),
])
def test_related_resource_problems_have_a_code_and_a_pointer(value, code, path):
    assert [(v.code, v.path) for v in related_resource_problems({"relatedResource": value})] == [(code, path)]


def test_digests_of_reads_every_expression():
    resource = {"digestSRI": f"{SRI_384} sha256-{base64.b64encode(hashlib.sha256(b'x').digest()).decode()}",
                "digestMultibase": [MB_256]}
    assert [(m, a) for m, a, _ in digests_of(resource)] == [("digestSRI", "sha384"), ("digestSRI", "sha256"),
                                                           ("digestMultibase", "sha256")]
