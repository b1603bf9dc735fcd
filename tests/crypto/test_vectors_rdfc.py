"""eddsa-rdfc-2022 reproduced byte for byte: the W3C vectors (EdDSA 1.0 §B.1, §B.2 "employ")
and the OB 3.0 Implementation Guide vector. Every intermediate value is checked."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from issuer.cryptosuites import add_proof, eddsa_rdfc_2022 as suite, verify_proofs
from issuer.cryptosuites.common import without
from issuer.dids import StaticKeyResolver, resolve_did_key
from issuer.keys import Ed25519Key, Signer, did_key_signer
from tests.crypto.conftest import OB, W3C, load_json, load_text

W3C_CASES = {
    "alumni": (W3C / "eddsa-rdfc-2022", W3C / "unsigned.json"),
    "employ": (W3C / "eddsa-rdfc-2022" / "employ", W3C / "employmentAuth.json"),
}


@pytest.fixture(params=sorted(W3C_CASES), scope="module")
def case(request: pytest.FixtureRequest) -> dict:
    folder, unsigned = W3C_CASES[request.param]
    config = load_json(folder / "proofConfigDataInt.json")
    options = without(config, "@context")
    key = Ed25519Key.from_secret_multikey(load_json(W3C / "keyPair.json")["privateKeyMultibase"])
    return {"dir": folder, "unsigned": load_json(unsigned), "config": config, "options": options, "key": key}


def _text(folder: Path, name: str) -> str:
    return load_text(folder / name)


def test_proof_configuration_is_options_plus_document_context(case: dict) -> None:
    assert {**case["options"], "@context": case["unsigned"]["@context"]} == case["config"]


def test_canonical_proof_configuration(case: dict) -> None:
    canon = suite.proof_configuration(case["options"], case["unsigned"])
    assert canon == _text(case["dir"], "proofCanonDataInt.txt")


def test_transformation_canonical_document(case: dict) -> None:
    assert suite.transformation(case["unsigned"], case["options"]) == _text(case["dir"], "canonDocDataInt.txt")


def test_hashes(case: dict) -> None:
    folder = case["dir"]
    canon_doc = suite.transformation(case["unsigned"], case["options"])
    canon_cfg = suite.proof_configuration(case["options"], case["unsigned"])
    assert hashlib.sha256(canon_cfg.encode()).hexdigest() == _text(folder, "proofHashDataInt.txt").strip()
    assert hashlib.sha256(canon_doc.encode()).hexdigest() == _text(folder, "docHashDataInt.txt").strip()
    assert suite.hashing(canon_doc, canon_cfg).hex() == _text(folder, "combinedHashDataInt.txt").strip()


def test_signature_hex_and_base58(case: dict) -> None:
    hash_data = bytes.fromhex(_text(case["dir"], "combinedHashDataInt.txt").strip())
    signature = suite.proof_serialization(hash_data, did_key_signer(case["key"]))
    assert signature.hex() == _text(case["dir"], "sigHexDataInt.txt").strip()
    proof = suite.create_proof(case["unsigned"], case["options"], did_key_signer(case["key"]))
    assert proof["proofValue"] == _text(case["dir"], "sigBTC58DataInt.txt").strip()


def test_add_proof_reproduces_signed_document(case: dict) -> None:
    signed = add_proof(case["unsigned"], signer=did_key_signer(case["key"]), created=case["options"]["created"])
    assert signed == load_json(case["dir"] / "signedDataInt.json")
    assert "proof" not in case["unsigned"]


def test_signed_vector_verifies(case: dict) -> None:
    [result] = verify_proofs(load_json(case["dir"] / "signedDataInt.json"), resolve_key=resolve_did_key)
    assert result.verified, result.problems
    assert result.controller == case["key"].did_key


# --- OB 3.0 Implementation Guide vector (https VM, 64-byte secret key body) ---

OB_VM = "https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"


@pytest.fixture(scope="module")
def ob_key() -> Ed25519Key:
    return Ed25519Key.from_secret_multikey(load_json(OB / "keypair.json")["secretKeyMultibase"])


def test_ob_keypair_decodes_consistently(ob_key: Ed25519Key) -> None:
    pair = load_json(OB / "keypair.json")
    assert ob_key.public_bytes.hex() == pair["publicKeyHex"]
    assert ob_key.public_multibase == pair["publicKeyMultibase"]
    assert Ed25519Key.from_seed(bytes.fromhex(pair["privateKeySeedHex"])) == ob_key


def test_ob_canonical_forms_and_hashes() -> None:
    unsigned, options, hashes = load_json(OB / "unsigned-credential.json"), load_json(OB / "proof-options.json"), load_json(OB / "hashes.json")
    canon_doc = suite.transformation(unsigned, options)
    canon_cfg = suite.proof_configuration(options, unsigned)
    assert canon_doc == load_text(OB / "document-canon.nq")
    assert canon_cfg == load_text(OB / "proof-canon.nq")
    assert hashlib.sha256(canon_doc.encode()).hexdigest() == hashes["documentHashHex"]
    assert hashlib.sha256(canon_cfg.encode()).hexdigest() == hashes["proofConfigHashHex"]
    assert suite.hashing(canon_doc, canon_cfg).hex() == hashes["dataToSignHex"]


def test_ob_signature_and_signed_credential(ob_key: Ed25519Key) -> None:
    unsigned, hashes = load_json(OB / "unsigned-credential.json"), load_json(OB / "hashes.json")
    signer = Signer(ob_key, OB_VM)
    assert suite.proof_serialization(bytes.fromhex(hashes["dataToSignHex"]), signer).hex() == hashes["signatureHex"]
    options = load_json(OB / "proof-options.json")
    signed = add_proof(unsigned, signer=signer, created=options["created"])
    assert signed["proof"]["proofValue"] == hashes["proofValue"]
    assert signed == load_json(OB / "signed-credential.json")


def test_ob_signed_credential_verifies_with_issuer_profile_document() -> None:
    pair = load_json(OB / "keypair.json")
    controller = {
        "@context": ["https://www.w3.org/ns/cid/v1"],
        "id": pair["controller"],
        "verificationMethod": [{k: pair[k] for k in ("id", "type", "controller", "publicKeyMultibase")}],
        "assertionMethod": [pair["id"]],
    }
    [result] = verify_proofs(load_json(OB / "signed-credential.json"), resolve_key=StaticKeyResolver({pair["controller"]: controller}))
    assert result.verified, result.problems
    assert result.controller == "https://example.edu/issuers/565049"
