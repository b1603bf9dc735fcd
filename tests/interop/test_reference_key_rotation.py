"""Key rotation through a running `badgeline up` with a did:web issuer: `badgeline keys rotate`
while the service runs; credentials signed before and after verify in our verifier and in the
W3C reference implementation, which resolves the DID document and the status list over HTTP
from the service itself (interop/verify-didweb.js)."""

from __future__ import annotations

import json

import pytest

from pipeline.embedded_redis import free_port
from tests.service_up import Service, fetch, fully_verified, local_did_web


@pytest.mark.slow
def test_rotate_without_restart_and_both_verifiers_accept_old_and_new(tmp_path, run_node):
    port = free_port()
    service = Service(tmp_path / "data", {"BADGELINE_ISSUER_DID": local_did_web(port)})
    service.add_provider()
    up = service.start(port)
    try:
        before = service.issue("rotate-1", "ana@example.org")
        rotated = service.run("keys", "rotate")
        after = service.issue("rotate-2", "ben@example.org")
        old_vm, new_vm = before["proof"][0]["verificationMethod"], after["proof"][0]["verificationMethod"]
        assert old_vm != new_vm and f"current key   {new_vm}" in rotated.stdout
        assert up.poll() is None  # the same `up` (web and worker) served before and after

        status, _, body = fetch(f"{service.base}/.well-known/did.json", "application/did+json")
        document = json.loads(body)
        assert status == 200 and document["id"] == local_did_web(port)
        assert document["assertionMethod"] == [old_vm, new_vm] and document["authentication"] == [new_vm]
        entry = after["credentialStatus"]
        assert entry["statusListCredential"] == before["credentialStatus"]["statusListCredential"]
        status_list = json.loads(fetch(entry["statusListCredential"], "application/vc")[2])
        assert status_list["proof"][0]["verificationMethod"] == new_vm  # re-signed with the new key

        hosts = [f"127.0.0.1:{port}"]
        for credential in (before, after):
            assert fully_verified(service.verify(credential)), service.verify(credential)
            reference = run_node("verify-didweb.js", {"credential": credential, "hosts": hosts})
            assert reference == {"verified": True, "error": None, "status": [False]}, reference
        # the reference really read the DID document from the service: without the host it cannot
        refused = run_node("verify-didweb.js", {"credential": before, "hosts": []})
        assert refused["verified"] is False and "not an allowed host" in refused["error"]
    finally:
        service.stop()
