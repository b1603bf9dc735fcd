"""Offline OB schema validation and the checks the schema cannot express."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from issuer import schema as schema_module
from issuer.schema import SchemaViolation, validate_ob_credential
from tests.spec_data import SPEC_EXAMPLES

EXAMPLES = SPEC_EXAMPLES
OB_EXAMPLES = sorted((EXAMPLES / "ob3").glob("*.json"))
BASIC = {
    "@context": ["https://www.w3.org/ns/credentials/v2",
                 "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    "id": "http://example.com/credentials/3527",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "https://example.com/issuers/876543", "type": ["Profile"], "name": "Example Corp"},
    "validFrom": "2010-01-01T00:00:00Z",
    "credentialSubject": {
        "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "type": ["AchievementSubject"],
        "achievement": {"id": "https://example.com/achievements/21st-century-skills/teamwork",
                        "type": ["Achievement"], "criteria": {"narrative": "Team members are nominated."},
                        "description": "This badge recognizes teamwork.", "name": "Teamwork"},
    },
}


def paths(document) -> list[str]:
    return [v.path for v in validate_ob_credential(document)]


@pytest.mark.skipif(not OB_EXAMPLES, reason="shared spec examples not present")
@pytest.mark.parametrize("path", OB_EXAMPLES, ids=lambda p: p.name)
def test_every_ob_example_validates(path):
    assert validate_ob_credential(json.loads(path.read_bytes())) == []


@pytest.mark.skipif(not (EXAMPLES / "ob3-eddsa-rdfc-2022-test-vector").exists(), reason="no OB vector")
def test_signed_vector_with_single_proof_object_validates():
    doc = json.loads((EXAMPLES / "ob3-eddsa-rdfc-2022-test-vector/signed-credential.json").read_bytes())
    assert isinstance(doc["proof"], dict)
    assert validate_ob_credential(doc) == []
    assert isinstance(doc["proof"], dict)  # the caller's document is not modified


def test_basic_is_valid():
    assert validate_ob_credential(BASIC) == []


MUTATIONS = [
    (lambda d: d.pop("issuer"), "/"),
    (lambda d: d["issuer"].__setitem__("id", "not a uri"), "/issuer/id"),
    (lambda d: d.__setitem__("issuer", "issuer-without-scheme"), "/issuer"),
    (lambda d: d["issuer"].__setitem__("type", "Profile"), "/issuer"),
    (lambda d: d.__setitem__("validFrom", "2010-01-01T00:00:00"), "/validFrom"),
    (lambda d: d.__setitem__("validFrom", "yesterday"), "/validFrom"),
    (lambda d: d.__setitem__("validUntil", "2009-01-01T00:00:00Z"), "/validUntil"),
    (lambda d: d["credentialSubject"].pop("id"), "/credentialSubject"),
    (lambda d: d["credentialSubject"]["achievement"].pop("criteria"), "/credentialSubject/achievement"),
    (lambda d: d["credentialSubject"]["achievement"].__setitem__("id", "teamwork"),
     "/credentialSubject/achievement/id"),
    (lambda d: d.__setitem__("proof", "z123"), "/proof"),
    (lambda d: d["credentialSubject"].__setitem__("result", [{"type": ["Result"], "achievedLevel": "urn:x:1"}]),
     "/credentialSubject/result/0/achievedLevel"),
    (lambda d: d["credentialSubject"].__setitem__("result", [{"type": ["Result"], "resultDescription": "urn:x"}]),
     "/credentialSubject/result/0/resultDescription"),
    (lambda d: d.__setitem__("validFrom", "2026-02-30T00:00:00Z"), "/validFrom"),
    (lambda d: d["credentialSubject"].__setitem__("activityEndDate", "2026-05-20 14:03:11Z"),
     "/credentialSubject/activityEndDate"),
    (lambda d: d["credentialSubject"].__setitem__("identifier", [{"type": "IdentityObject", "hashed": "yes",
                                                                  "identityHash": "x", "identityType": "name"}]),
     "/credentialSubject/identifier/0/hashed"),
    (lambda d: d["credentialSubject"]["achievement"].__setitem__("achievementType", "Skill"),
     "/credentialSubject/achievement/achievementType"),
]


@pytest.mark.parametrize(("mutate", "expected"), MUTATIONS)
def test_violations_name_the_field(mutate, expected):
    doc = copy.deepcopy(BASIC)
    mutate(doc)
    found = validate_ob_credential(doc)
    assert found, "mutation was not detected"
    assert expected in [v.path for v in found], found
    assert all(isinstance(v, SchemaViolation) and v.message for v in found)


def test_proof_map_and_array_are_both_accepted():
    proof = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "proofPurpose": "assertionMethod",
             "verificationMethod": "did:key:z6Mk#z6Mk", "proofValue": "z5"}
    assert validate_ob_credential({**BASIC, "proof": proof}) == []
    assert validate_ob_credential({**BASIC, "proof": [proof]}) == []
    assert "/proof/0" in paths({**BASIC, "proof": [{"proofValue": "z5"}]})


def test_not_an_object():
    assert set(paths([])) == {"/"}
    assert set(paths("x")) == {"/"}


@pytest.mark.skipif(schema_module._rs is None, reason="jsonschema-rs not installed")
@pytest.mark.parametrize("index", range(len(MUTATIONS) + 1))
def test_fast_and_reference_validators_agree(index):
    doc = copy.deepcopy(BASIC)
    if index:
        MUTATIONS[index - 1][0](doc)
    golden = sorted((Path(__file__).parent / "golden").glob("*.json"))
    docs = [doc] + [json.loads(p.read_bytes()) for p in [*OB_EXAMPLES, *golden]]
    for document in docs:
        url = schema_module._schema_for(document)
        ref = schema_module._validator(url).is_valid(document)
        assert schema_module._fast_validator(url).is_valid(document) == ref
