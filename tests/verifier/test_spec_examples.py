"""The signed examples in ../shared/spec/examples (W3C DI EdDSA, OB 3.0, Bitstring Status List).

Every proof in them verifies. Their issuers are illustrative URLs that do not control the
did:key that signed them, and the verifier says exactly that (`issuer` fails with
key_not_issuers) rather than calling them verified. The OB vector's https key URL is
served from a controller document built from the vector's own key.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.verifier.conftest import NOW, WorldFetcher
from verifier.app import VerifierSettings, make_engine
from tests.spec_data import SPEC_EXAMPLES

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "spec" / "examples"
if not EXAMPLES.is_dir():
    EXAMPLES = SPEC_EXAMPLES
W3C = ["vc-di-eddsa/eddsa-rdfc-2022/signedDataInt.json", "vc-di-eddsa/eddsa-rdfc-2022/employ/signedDataInt.json",
       "vc-di-eddsa/eddsa-jcs-2022/signedJCS.json", "vc-di-eddsa/Ed25519Signature2020/signedEdSig.json",
       "vc-di-eddsa/proof-set-chain/signedProofSet2.json", "vc-di-eddsa/proof-set-chain/signedProofChain2.json"]
BSL = EXAMPLES / "bitstring-status-list"
OB = EXAMPLES / "ob3-eddsa-rdfc-2022-test-vector"

pytestmark = pytest.mark.skipif(not EXAMPLES.is_dir(), reason="spec examples not present")


def load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def examples_engine(registry):
    key = load(OB / "keypair.json")
    controller = {"@context": ["https://www.w3.org/ns/cid/v1"], "id": key["controller"],
                  "verificationMethod": [{k: key[k] for k in ("id", "type", "controller", "publicKeyMultibase")}],
                  "assertionMethod": [key["id"]]}
    world = {key["controller"]: controller,
             "https://example.com/credentials/status/3": load(BSL / "status-list-credential.eddsa-rdfc-2022.json")}
    return make_engine(VerifierSettings(), fetcher=WorldFetcher(world), registry=registry, clock=lambda: NOW)


@pytest.mark.parametrize("name", W3C)
def test_w3c_vectors_proofs_verify_and_the_issuer_binding_is_reported(examples_engine, name):
    verification = examples_engine.verify_bytes((EXAMPLES / name).read_bytes())
    assert verification.report.check("proof").outcome.value == "pass", verification.body()
    issuer = verification.report.check("issuer")
    assert issuer.outcome.value == "fail" and issuer.problems[0].code == "key_not_issuers"


def test_ob_vector_verifies_with_its_https_key_url(examples_engine):
    verification = examples_engine.verify_bytes((OB / "signed-credential.json").read_bytes())
    assert verification.report.check("proof").outcome.value == "pass", verification.body()
    assert verification.report.check("issuer").outcome.value == "pass"
    assert verification.report.check("validity").outcome.value == "pass"


def test_ob_vector_tampered_fails(examples_engine):
    credential = load(OB / "signed-credential.json")
    credential["name"] = credential.get("name", "") + " (edited)"
    check = examples_engine.verify_value(credential).report.check("proof")
    assert check.outcome.value == "fail" and check.problems[0].code == "signature_invalid"


def test_bsl_vectors_proofs_verify_and_the_list_is_read(examples_engine):
    verification = examples_engine.verify_bytes((BSL / "revocable-credential.eddsa-rdfc-2022.json").read_bytes())
    assert verification.report.check("proof").outcome.value == "pass"
    list_report = examples_engine.verify_bytes((BSL / "status-list-credential.eddsa-rdfc-2022.json").read_bytes())
    assert list_report.report.check("proof").outcome.value == "pass"
    # the list's signer (a did:key) is not its issuer (did:example:12345), so the list cannot vouch
    status = verification.report.check("status")
    assert status.outcome.value == "cannot-check" and status.problems[0].code == "status_list_unverified"
