"""Credentials we issue pass the Digital Credentials Consortium's verifier library unmodified.

`@digitalcredentials/verifier-core` (used by the Learner Credential Wallet) validates an
Open Badge against the OB 3.0 JSON schema as it is, where `proof` is an array: our
credentials carry a proof set of one (`as_set`), and the library's signature check and
schema check both pass. A single proof object is what it reports as `/proof must be array`.
Offline: interop/verifier_core.js serves only bundled contexts and schemas.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from issuer.credentials import IssuerProfile, Recipient, build_achievement_credential
from issuer.cryptosuites import add_proof, verify_proofs
from issuer.dids import resolve_did_key
from issuer.frameworks import FrameworkRegistry
from issuer.frameworks.urls import FrameworkUrls
from issuer.keys import Ed25519Key, did_key_signer
from pipeline.issuance import IssuingIdentity, sign_and_check

KEY = Ed25519Key.from_seed(bytes(range(32)))
NOW = datetime(2026, 5, 20, 14, 3, 11, tzinfo=UTC)


def _unsigned() -> dict:
    return build_achievement_credential(
        framework=FrameworkRegistry.bundled().get("29-2052.00", "v.26.05"), level="proficient", urls=FrameworkUrls("https://badges.example.org"),
        issuer=IssuerProfile(id=KEY.did_key, name="Skills Board", url="https://badges.example.org"),
        recipient=Recipient(name="Jane Doe", email="jane@example.org", salt="salt-01"),
        credential_id="urn:uuid:6f1c1a1e-3c55-4f0f-9a33-0d2f1d0c5a11", valid_from=NOW)


@pytest.fixture(scope="module")
def verifier_core(run_node):
    from tests.interop.conftest import INTEROP

    if not (INTEROP / "node_modules/@digitalcredentials/verifier-core/package.json").is_file():
        pytest.skip("interop/node_modules lacks @digitalcredentials/verifier-core: run `npm ci --prefix interop`")

    def verify(credential: dict) -> dict:
        out = run_node("verifier_core.js", {"credential": credential})
        assert "error" not in out, out
        assert out["refused"] == [], f"verifier-core asked for {out['refused']}"
        return out

    return verify


def _schema_errors(out: dict) -> list[str]:
    [entry] = [e for e in out["schema"] if e["id"] == "schema_check"] if out["schema"] else [None]
    assert entry is not None and isinstance(entry["results"], list), out
    return [f"{err['instancePath']} {err['message']}" for r in entry["results"]
            for err in r["result"].get("errors", [])]


def test_what_we_issue_passes_verifier_core_signature_and_schema(verifier_core):
    identity = IssuingIdentity(profile=IssuerProfile(id=KEY.did_key, name="Skills Board"),
                               signer=did_key_signer(KEY), resolve_key=resolve_did_key)
    signed = sign_and_check(_unsigned(), identity, NOW)
    assert isinstance(signed["proof"], list) and len(signed["proof"]) == 1
    out = verifier_core(signed)
    assert out["errors"] == []
    assert {e["id"]: e["valid"] for e in out["log"]}["valid_signature"] is True
    assert _schema_errors(out) == []


def test_a_single_proof_object_is_what_verifier_core_reports(verifier_core):
    signed = add_proof(_unsigned(), signer=did_key_signer(KEY), created="2026-05-20T14:03:11Z")
    assert isinstance(signed["proof"], dict)
    assert all(r.verified for r in verify_proofs(signed, resolve_key=resolve_did_key))  # we still accept it
    assert "/proof must be array" in _schema_errors(verifier_core(signed))
