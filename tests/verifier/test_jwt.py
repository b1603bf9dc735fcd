"""VC-JWT / VC-JOSE: RS256, ES256 and EdDSA; kid on a did:web document (publicKeyJwk) or an
embedded jwk; OB claims; the legacy VC 1.1 `vc` claim; headers that must be refused."""

from __future__ import annotations

import base64
import copy
import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from tests.verifier.conftest import NOW, WorldFetcher, load_scenario, load_world
from tests.verifier.fixtures.generate import ISSUER, KEY_1, _credential, jwt_payload
from verifier.app import VerifierSettings, make_engine
from verifier.errors import JwtError
from verifier.jwt import parse_compact_jws

DID = "did:web:jose.example"
DOC_URL = "https://jose.example/.well-known/did.json"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def int_b64(value: int, length: int) -> str:
    return b64(value.to_bytes(length, "big"))


def sign(header: dict, payload: dict, key) -> str:
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}".encode()
    if isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        signature = key.sign(signing_input)
    return signing_input.decode() + "." + b64(signature)


def public_jwk(key) -> dict:
    public = key.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        n = public.public_numbers()
        return {"kty": "RSA", "n": int_b64(n.n, (n.n.bit_length() + 7) // 8), "e": int_b64(n.e, 3)}
    if isinstance(public, ec.EllipticCurvePublicKey):
        n = public.public_numbers()
        return {"kty": "EC", "crv": "P-256", "x": int_b64(n.x, 32), "y": int_b64(n.y, 32)}
    from cryptography.hazmat.primitives import serialization
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": b64(raw)}


KEYS = {"RS256": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "ES256": ec.generate_private_key(ec.SECP256R1()),
        "EdDSA": ed25519.Ed25519PrivateKey.generate()}


@pytest.fixture(scope="module")
def jose_world():
    methods = [{"id": f"{DID}#{alg}", "type": "JsonWebKey", "controller": DID, "publicKeyJwk": public_jwk(k)}
               for alg, k in KEYS.items()]
    document = {"@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"], "id": DID,
                "verificationMethod": methods, "assertionMethod": [m["id"] for m in methods]}
    return {**load_world(), DOC_URL: document,
            "https://jose.example/.well-known/jwks.json": {"keys": [public_jwk(KEYS["ES256"])]}}


@pytest.fixture
def jose_engine(jose_world, registry):
    return make_engine(VerifierSettings(), fetcher=WorldFetcher(jose_world), registry=registry, clock=lambda: NOW)


def payload_for(issuer: str) -> dict:
    credential = _credential(issuer=issuer)
    del credential["credentialStatus"]  # the fixture lists belong to did:web:issuer.example
    return {**credential, "iss": issuer, "jti": credential["id"], "nbf": 1779285791}


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_each_algorithm_with_a_kid_on_did_web(jose_engine, alg):
    token = sign({"alg": alg, "typ": "JWT", "kid": f"{DID}#{alg}"}, payload_for(DID), KEYS[alg])
    verification = jose_engine.verify_text(token)
    assert verification.verdict == "verified", verification.body()
    assert verification.report.check("proof").details["alg"] == alg


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_each_algorithm_rejects_a_changed_payload(jose_engine, alg):
    token = sign({"alg": alg, "kid": f"{DID}#{alg}"}, payload_for(DID), KEYS[alg])
    head, body, sig = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=="))
    payload["credentialSubject"]["achievement"]["name"] = "Something else"
    forged = ".".join([head, b64(json.dumps(payload).encode()), sig])
    check = jose_engine.verify_text(forged).report.check("proof")
    assert check.outcome.value == "fail" and check.problems[0].code == "jws_signature_invalid"


def test_key_of_another_alg_does_not_verify(jose_engine):
    token = sign({"alg": "ES256", "kid": f"{DID}#RS256"}, payload_for(DID), KEYS["ES256"])
    check = jose_engine.verify_text(token).report.check("proof")
    assert check.problems[0].code == "jws_key_mismatch"


def test_embedded_jwk_bound_through_the_issuers_jwks(jose_engine):
    issuer = "https://jose.example/issuer"
    ok = sign({"alg": "ES256", "jwk": public_jwk(KEYS["ES256"])}, payload_for(issuer), KEYS["ES256"])
    assert jose_engine.verify_text(ok).verdict == "verified"
    stranger = ec.generate_private_key(ec.SECP256R1())
    bad = sign({"alg": "ES256", "jwk": public_jwk(stranger)}, payload_for(issuer), stranger)
    check = jose_engine.verify_text(bad).report.check("issuer")
    assert check.outcome.value == "fail" and check.problems[0].code == "key_not_issuers"


def test_embedded_jwk_must_not_be_private(jose_engine):
    jwk = {**public_jwk(KEYS["EdDSA"]), "d": "AAAA"}
    token = sign({"alg": "EdDSA", "jwk": jwk}, payload_for(DID), KEYS["EdDSA"])
    assert jose_engine.verify_text(token).report.check("proof").problems[0].code == "jwk_private"


@pytest.mark.parametrize("header, code", [
    ({"alg": "none", "kid": "x#y"}, "jws_alg_unsupported"),
    ({"alg": "HS256", "kid": "x#y"}, "jws_alg_unsupported"),
    ({"alg": "EdDSA", "kid": "x#y", "crit": ["b64"]}, "jws_header_invalid"),
    ({"alg": "EdDSA", "kid": "x#y", "typ": "text/html"}, "jws_header_invalid"),
    ({"alg": "EdDSA"}, "jws_key_missing"),
])
def test_refused_headers(header, code):
    token = f"{b64(json.dumps(header).encode())}.{b64(b'{}')}.{b64(b'sig')}"
    with pytest.raises(JwtError) as refused:
        parse_compact_jws(token)
    assert refused.value.code == code


def test_legacy_vc_claim_is_unwrapped_and_claims_fill_the_credential(engine):
    credential = _credential()
    legacy = {k: v for k, v in credential.items() if k not in ("id", "validFrom", "issuer")}
    payload = {"vc": legacy, "iss": ISSUER, "jti": credential["id"], "nbf": 1779285791}
    token = sign({"alg": "EdDSA", "kid": f"{ISSUER}#key-1"}, payload, KEY_1._private)
    verification = engine.verify_text(token)
    assert verification.credential["issuer"] == ISSUER and verification.credential["id"] == credential["id"]
    assert verification.report.check("proof").outcome.value == "pass"
    assert verification.report.check("claims").outcome.value == "pass"


@pytest.mark.parametrize("claim, value", [("iss", "did:web:someone.example"), ("nbf", 1),
                                          ("exp", 1), ("jti", "urn:uuid:x")])
def test_claims_must_match_the_credential(engine, claim, value):
    credential = _credential(valid_until="2027-01-01T00:00:00Z")
    payload = {**jwt_payload(credential), "exp": 1798761600, claim: value}
    token = sign({"alg": "EdDSA", "kid": f"{ISSUER}#key-1"}, payload, KEY_1._private)
    check = engine.verify_text(token).report.check("claims")
    assert check.outcome.value == "fail" and check.problems[0].path == f"/{claim}"


def test_jwt_scenario_signature_is_over_the_exact_bytes(engine):
    token = load_scenario("jwt-valid")["input"]["value"]
    assert engine.verify_text(token).verified
    head, body, sig = token.split(".")
    assert not engine.verify_text(".".join([head, body, sig[:-2] + ("AA" if sig[-2:] != "AA" else "BB")])).verified
    assert not engine.verify_text(copy.copy(token).replace(".", "..", 1)).verified
