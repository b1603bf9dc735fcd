"""eddsa-jcs-2022 (EdDSA 1.0 §B.3), legacy Ed25519Signature2020 (Appendix A, verify only),
proof sets and chains (§B.5, DI 1.0 §4.3/§4.5), and the signed Bitstring Status List examples."""

from __future__ import annotations

import copy
import hashlib

import pytest

from issuer.cryptosuites import add_proof, ed25519_signature_2020 as legacy, eddsa_jcs_2022 as jcs_suite, verify_proofs
from issuer.cryptosuites.common import without
from issuer.dids import resolve_did_key
from issuer.keys import Ed25519Key, did_key_signer
from tests.crypto.conftest import BSL, W3C, load_json, load_text

JCS = W3C / "eddsa-jcs-2022"
EDSIG = W3C / "Ed25519Signature2020"
CHAIN = W3C / "proof-set-chain"


def _hex(path) -> str:
    return load_text(path).strip()


def test_jcs_every_intermediate_value(w3c_key: Ed25519Key, alumni: dict) -> None:
    config = load_json(JCS / "proofConfigJCS.json")
    options = without(config, "@context")
    canon_cfg = jcs_suite.proof_configuration(options, alumni)
    canon_doc = jcs_suite.transformation(alumni, options)
    assert canon_cfg.decode() == load_text(JCS / "proofCanonJCS.txt")
    assert canon_doc.decode() == load_text(JCS / "canonDocJCS.txt")
    assert hashlib.sha256(canon_cfg).hexdigest() == _hex(JCS / "proofHashJCS.txt")
    assert hashlib.sha256(canon_doc).hexdigest() == _hex(JCS / "docHashJCS.txt")
    hash_data = jcs_suite.hashing(canon_doc, canon_cfg)
    assert hash_data.hex() == _hex(JCS / "combinedHashJCS.txt")
    assert jcs_suite.proof_serialization(hash_data, did_key_signer(w3c_key)).hex() == _hex(JCS / "sigHexJCS.txt")
    proof = jcs_suite.create_proof(alumni, options, did_key_signer(w3c_key))
    assert {**options, "@context": alumni["@context"]} == without(proof, "proofValue") == config
    assert proof["proofValue"] == _hex(JCS / "sigBTC58JCS.txt")


def test_jcs_add_proof_reproduces_and_verifies(w3c_key: Ed25519Key, alumni: dict) -> None:
    signed = add_proof(alumni, signer=did_key_signer(w3c_key), created="2023-02-24T23:36:38Z", cryptosuite="eddsa-jcs-2022")
    assert signed == load_json(JCS / "signedJCS.json")
    [result] = verify_proofs(signed, resolve_key=resolve_did_key)
    assert result.verified and result.cryptosuite == "eddsa-jcs-2022", result.problems


def test_jcs_proof_without_context_still_verifies() -> None:
    """EdDSA §3.3.2: the @context prefix check applies only when the proof carries one; the
    proof configuration takes the document's @context either way, so the signature holds."""
    signed = load_json(JCS / "signedJCS.json")
    del signed["proof"]["@context"]
    [result] = verify_proofs(signed, resolve_key=resolve_did_key)
    assert result.verified, result.problems


def test_jcs_proof_context_mismatch() -> None:
    signed = load_json(JCS / "signedJCS.json")
    signed["@context"] = list(reversed(signed["@context"]))
    [result] = verify_proofs(signed, resolve_key=resolve_did_key)
    assert [p.code for p in result.problems] == ["proof_context_mismatch"]


def test_ed25519_signature_2020_intermediates(w3c_key: Ed25519Key, alumni: dict) -> None:
    signed = load_json(EDSIG / "signedEdSig.json")
    unsigned = without(signed, "proof")
    config = load_json(EDSIG / "proofConfigEdSig.json")
    options = without(config, "@context")
    assert options == without(signed["proof"], "proofValue")
    canon_cfg = legacy.proof_configuration(options, unsigned)
    canon_doc = legacy.transformation(unsigned, options)
    assert canon_cfg == load_text(EDSIG / "proofCanonEdSig.txt")
    assert canon_doc == load_text(EDSIG / "canonDocEdSig.txt")
    assert hashlib.sha256(canon_cfg.encode()).hexdigest() == _hex(EDSIG / "proofHashEdSig.txt")
    assert hashlib.sha256(canon_doc.encode()).hexdigest() == _hex(EDSIG / "docHashEdSig.txt")
    hash_data = legacy.hashing(canon_doc, canon_cfg)
    assert hash_data.hex() == _hex(EDSIG / "combinedHashEdSig.txt")
    assert w3c_key.sign(hash_data).hex() == _hex(EDSIG / "sigHexEdSig.txt")
    assert signed["proof"]["proofValue"] == _hex(EDSIG / "sigBTC58EdSig.txt")


def test_ed25519_signature_2020_verifies_and_detects_tampering() -> None:
    signed = load_json(EDSIG / "signedEdSig.json")
    [result] = verify_proofs(signed, resolve_key=resolve_did_key)
    assert result.verified and result.cryptosuite == "Ed25519Signature2020", result.problems
    signed["credentialSubject"]["alumniOf"] = "Another School"
    [result] = verify_proofs(signed, resolve_key=resolve_did_key)
    assert [p.code for p in result.problems] == ["signature_invalid"]


def test_ed25519_signature_2020_is_verify_only(w3c_key: Ed25519Key, alumni: dict) -> None:
    from issuer.errors import ProofError

    with pytest.raises(ProofError) as info:
        add_proof(alumni, signer=did_key_signer(w3c_key), created=None, cryptosuite="Ed25519Signature2020")
    assert info.value.code == "cryptosuite_unsupported"


@pytest.fixture(scope="module")
def chain_keys() -> dict[str, Ed25519Key]:
    pairs = load_json(CHAIN / "multiKeyPairs.json")
    keys = {name: Ed25519Key.from_secret_multikey(pair["privateKeyMultibase"]) for name, pair in pairs.items()}
    for name, key in keys.items():
        assert key.public_multibase == pairs[name]["publicKeyMultibase"]
    return keys


def _add(document: dict, key: Ed25519Key, config: dict) -> dict:
    return add_proof(
        document, signer=did_key_signer(key), created=config["created"], proof_id=config.get("id"),
        previous_proof=config.get("previousProof"),
    )


def test_proof_set_and_chain_reproduce_every_step(chain_keys: dict[str, Ed25519Key]) -> None:
    unsigned = load_json(CHAIN / "unsigned.json")
    set1 = _add(unsigned, chain_keys["keyPair1"], load_json(CHAIN / "proofSetConfig1.json"))
    assert set1["proof"] == load_json(CHAIN / "proofSetConfigSigned1.json")
    assert set1 == load_json(CHAIN / "signedProofSet1.json")
    set2 = _add(set1, chain_keys["keyPair2"], load_json(CHAIN / "proofSetConfig2.json"))
    assert set2["proof"][1] == load_json(CHAIN / "proofSetConfigSigned2.json")
    assert set2 == load_json(CHAIN / "signedProofSet2.json")
    chain1 = _add(set2, chain_keys["keyPair3"], load_json(CHAIN / "proofChainConfig1.json"))
    assert chain1["proof"][2] == load_json(CHAIN / "proofChainConfigSigned1.json")
    assert chain1 == load_json(CHAIN / "signedProofChain1.json")
    chain2 = _add(chain1, chain_keys["keyPair4"], load_json(CHAIN / "proofChainConfig2.json"))
    assert chain2["proof"][3] == load_json(CHAIN / "proofChainConfigSigned2.json")
    assert chain2 == load_json(CHAIN / "signedProofChain2.json")
    assert set1 == load_json(CHAIN / "signedProofSet1.json")  # inputs never mutated


def test_proof_chain_temp_documents_are_what_was_signed(chain_keys: dict[str, Ed25519Key]) -> None:
    """DI §4.3 step 4: a chained proof signs the document carrying exactly its previous proofs."""
    from issuer.cryptosuites import eddsa_rdfc_2022 as suite

    for temp, config, signed in (("proofChainTempDoc1.json", "proofChainConfig1.json", "proofChainConfigSigned1.json"),
                                 ("proofChainTempDoc2.json", "proofChainConfig2.json", "proofChainConfigSigned2.json")):
        key = chain_keys["keyPair3" if temp.endswith("1.json") else "keyPair4"]
        proof = suite.create_proof(load_json(CHAIN / temp), load_json(CHAIN / config), did_key_signer(key))
        assert proof == load_json(CHAIN / signed)


@pytest.mark.parametrize("name", ["signedProofSet1.json", "signedProofSet2.json", "signedProofChain1.json", "signedProofChain2.json"])
def test_proof_set_and_chain_vectors_verify(name: str) -> None:
    results = verify_proofs(load_json(CHAIN / name), resolve_key=resolve_did_key)
    assert results and all(r.verified for r in results), [r.problems for r in results]
    assert [r.proof_index for r in results] == list(range(len(results)))


def test_chain_with_removed_previous_proof_fails() -> None:
    doc = load_json(CHAIN / "signedProofChain2.json")
    del doc["proof"][2]  # the proof the last one chains to
    results = verify_proofs(doc, resolve_key=resolve_did_key)
    assert [r.verified for r in results] == [True, True, False]
    assert [p.code for p in results[2].problems] == ["previous_proof_missing"]


def test_chain_with_altered_previous_proof_fails() -> None:
    doc = load_json(CHAIN / "signedProofChain2.json")
    doc["proof"][2]["created"] = "2023-02-26T22:06:39Z"
    results = verify_proofs(doc, resolve_key=resolve_did_key)
    codes = [[p.code for p in r.problems] for r in results]
    assert codes == [[], [], ["signature_invalid"], ["signature_invalid"]]


def test_proof_set_members_are_independent() -> None:
    doc = load_json(CHAIN / "signedProofSet2.json")
    doc["proof"][0]["proofValue"] = doc["proof"][1]["proofValue"]
    results = verify_proofs(doc, resolve_key=resolve_did_key)
    assert [r.verified for r in results] == [False, True]


@pytest.mark.parametrize("name", ["status-list-credential.eddsa-rdfc-2022.json", "revocable-credential.eddsa-rdfc-2022.json"])
def test_bitstring_status_list_examples_verify(name: str) -> None:
    signed = load_json(BSL / name)
    [result] = verify_proofs(signed, resolve_key=resolve_did_key)
    assert result.verified, result.problems
    assert result.controller == "did:key:z6MkeVw6bAm59CopQquZcVLUpapvEEELqfpdWfHkSont8HR6"
    unsigned = load_json(BSL / name.replace("eddsa-rdfc-2022", "unsigned"))
    assert without(signed, "proof") == unsigned
    tampered = copy.deepcopy(signed)
    tampered["validFrom"] = "2021-04-05T14:27:43Z"
    [result] = verify_proofs(tampered, resolve_key=resolve_did_key)
    assert [p.code for p in result.problems] == ["signature_invalid"]
