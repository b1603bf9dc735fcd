"""did:web end to end over real HTTPS: DID document and status list served by a local server,
fetched through the guarded resolver (allowlisted loopback, test CA), through the HTTP endpoint.
Also the reference implementation's credentials (@digitalbazaar/vc), did:key and did:web."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from issuer.cryptosuites import add_proof
from issuer.dids import PublishedKey, did_web_document
from issuer.keys import Ed25519Key, Signer
from issuer.status import Bitstring, status_entry, status_list_credential
from tests.verifier.conftest import NOW
from tests.verifier.fixtures.generate import CREATED, _credential
from tests.verifier.servers import Route, RouteServer, make_certificate
from verifier.app import VerifierSettings, create_app

INTEROP = Path(__file__).resolve().parents[2] / "interop"
SEED = bytes([5]) * 32


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def site(certs):
    with RouteServer(tls_cert=certs[0]) as server:
        yield server


def publish(site: RouteServer, did: str, key: Ed25519Key, revoked: set[int] = frozenset()) -> str:
    site.routes["/.well-known/did.json"] = Route(json.dumps(did_web_document(
        did, [PublishedKey("key-1", key.public_multibase)])).encode())
    list_url = site.url("/status/1")
    bits = Bitstring()
    for index in revoked:
        bits.set(index)
    status_list = add_proof(status_list_credential(list_url=list_url, issuer=did, purpose="revocation", bitstring=bits,
                                                   valid_from="2026-05-01T00:00:00Z"),
                            signer=Signer(key, f"{did}#key-1"), created=CREATED)
    site.routes["/status/1"] = Route(json.dumps(status_list).encode())
    return list_url


def client_for(site: RouteServer, certs, registry, allowed=True):
    settings = VerifierSettings(allowed_hosts=[f"localhost:{site.port}"] if allowed else [], ca_file=str(certs[1]))
    return create_app(settings, registry=registry, clock=lambda: NOW).test_client()


def test_did_web_issuer_and_status_list_over_https(site, certs, registry):
    did, key = f"did:web:localhost%3A{site.port}", Ed25519Key.from_seed(SEED)
    list_url = publish(site, did, key, revoked={11})
    good = add_proof(_credential(issuer=did, status=status_entry(list_url, 10, "revocation")),
                     signer=Signer(key, f"{did}#key-1"), created=CREATED)
    revoked = add_proof(_credential(issuer=did, status=status_entry(list_url, 11, "revocation")),
                        signer=Signer(key, f"{did}#key-1"), created=CREATED)
    client = client_for(site, certs, registry)
    response = client.post("/credentials/verify", json={"verifiableCredential": good})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["verdict"] == "verified"
    response = client.post("/credentials/verify", json={"verifiableCredential": revoked})
    assert response.status_code == 400 and response.get_json()["errors"][0]["code"] == "revoked"
    hits = [path for path, _ in site.requests]
    assert hits.count("/.well-known/did.json") == 1 and hits.count("/status/1") == 1  # cached


def test_did_web_on_loopback_is_refused_without_the_allowlist(site, certs, registry):
    did, key = f"did:web:localhost%3A{site.port}", Ed25519Key.from_seed(SEED)
    publish(site, did, key)
    credential = add_proof(_credential(issuer=did), signer=Signer(key, f"{did}#key-1"), created=CREATED)
    del credential["credentialStatus"]
    response = client_for(site, certs, registry, allowed=False).post("/credentials/verify",
                                                                     json={"verifiableCredential": credential})
    assert response.status_code == 400
    proof = next(c for c in response.get_json()["checks"] if c["check"] == "proof")
    assert "fetch_forbidden" in proof["problems"][0]["detail"]
    assert site.requests == []


# --- the reference implementation (node) ---------------------------------------------------
def _node() -> str:
    node = shutil.which("node")
    if node is None or not (INTEROP / "node_modules" / "@digitalbazaar" / "vc" / "package.json").is_file():
        pytest.skip("node or interop/node_modules is missing (npm ci --prefix interop)")
    return node


def _run(script: str, payload: dict) -> dict:
    proc = subprocess.run([_node(), str(INTEROP / script)], input=json.dumps(payload).encode(), capture_output=True,
                          timeout=60, cwd=INTEROP, check=False)
    out = json.loads(proc.stdout or b"{}")
    if "error" in out or proc.returncode:
        raise AssertionError(f"{script}: {out.get('error')} {proc.stderr.decode(errors='replace')}")
    return out


@pytest.mark.node
def test_reference_signed_did_key_credential_verifies(client):
    key = Ed25519Key.from_seed(SEED)
    unsigned = _credential(issuer=key.did_key)
    del unsigned["credentialStatus"]
    signed = _run("sign.js", {"credential": unsigned, "seedHex": SEED.hex(), "created": CREATED})
    response = client.post("/credentials/verify", json={"verifiableCredential": signed})
    assert response.status_code == 200, response.get_json()
    tampered = {**signed, "name": "Edited"}
    assert client.post("/credentials/verify", json={"verifiableCredential": tampered}).status_code == 400


@pytest.mark.node
def test_reference_signed_did_web_credential_verifies(site, certs, registry):
    did = f"did:web:localhost%3A{site.port}"
    list_url = publish(site, did, Ed25519Key.from_seed(SEED))
    unsigned = _credential(issuer=did, status=status_entry(list_url, 4, "revocation"))
    out = _run("sign-didweb.js", {"credential": unsigned, "seedHex": SEED.hex(), "created": CREATED, "did": did})
    assert out["publicKeyMultibase"] == Ed25519Key.from_seed(SEED).public_multibase
    response = client_for(site, certs, registry).post("/credentials/verify",
                                                      json={"verifiableCredential": out["credential"]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["verdict"] == "verified"


def test_register_verifier_on_a_host_app_reads_its_own_http_did_web(registry):
    """`badgeline up` serves did:web over plain http on its own origin: allowed for that origin only."""
    from flask import Flask

    from verifier.app import register_verifier

    with RouteServer() as site:
        did, key = f"did:web:127.0.0.1%3A{site.port}", Ed25519Key.from_seed(SEED)
        list_url = publish(site, did, key).replace("localhost", "127.0.0.1")
        site.routes["/status/1"] = Route(json.dumps(add_proof(
            status_list_credential(list_url=list_url, issuer=did, purpose="revocation", bitstring=Bitstring(),
                                   valid_from="2026-05-01T00:00:00Z"),
            signer=Signer(key, f"{did}#key-1"), created=CREATED)).encode())
        credential = add_proof(_credential(issuer=did, status=status_entry(list_url, 1, "revocation")),
                               signer=Signer(key, f"{did}#key-1"), created=CREATED)
        host = Flask("host")

        @host.get("/healthz")
        def healthz():
            return {"status": "host"}

        register_verifier(host, own_origin=f"http://127.0.0.1:{site.port}")
        client = host.test_client()
        response = client.post("/credentials/verify", json={"verifiableCredential": credential})
        assert response.status_code == 200, response.get_json()
        assert client.get("/healthz").get_json() == {"status": "host"}
        assert client.get("/", headers={"Accept": "text/html"}).status_code == 200
        other = Flask("other")
        register_verifier(other)  # no own origin: loopback http is refused
        assert other.test_client().post("/credentials/verify",
                                        json={"verifiableCredential": credential}).status_code == 400
