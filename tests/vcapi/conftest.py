"""VC API issuing fixtures: a real Ed25519 identity, the eddsa suite's input credential, and
(reused from tests/worker) real Redis, real worker subprocesses and both stores."""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from typing import Any

import pytest

from issuer.credentials import IssuerProfile
from issuer.dids import StaticKeyResolver
from issuer.keys import Ed25519Key, did_key_signer
from pipeline.issuance import IssuingIdentity
from pipeline.vcapi import admin_key_hash
from tests.worker.conftest import private_redis, reader, shared_redis, stack_factory  # noqa: F401 - fixtures

NOW = datetime(2026, 11, 20, 16, 0, tzinfo=timezone.utc)
ADMIN_KEY = "test-admin-key-0123456789abcdefghijklmnopqrstuv"
ADMIN_HASH = admin_key_hash(ADMIN_KEY)
AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}

# The shape w3c/vc-di-eddsa-test-suite sends (tests/vc-generator/validVc.js), issuer set by the suite.
VALID_VC: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "id": "urn:uuid:86294362-4254-4f36-854f-3952fe42555d",
    "type": ["VerifiableCredential"],
    "credentialSubject": {"id": "did:key:z6MktKwz7Ge1Yxzr4JHavN33wiwa8y81QdcMRLXQsrH9T53b", "name": "ExampleClaim"},
}


def identity_for(key: Ed25519Key) -> IssuingIdentity:
    return IssuingIdentity(profile=IssuerProfile(id=key.did_key, name="Test Issuer", url="https://badges.example.org"),
                           signer=did_key_signer(key), resolve_key=StaticKeyResolver())


@pytest.fixture(scope="session")
def key() -> Ed25519Key:
    return Ed25519Key.from_seed(bytes(range(32)))


@pytest.fixture(scope="session")
def identity(key) -> IssuingIdentity:
    return identity_for(key)


@pytest.fixture
def credential(identity) -> dict[str, Any]:
    vc = copy.deepcopy(VALID_VC)
    vc["issuer"] = identity.profile.id
    return vc
