"""Status lists secured as a compact JWS (VC-JOSE, BSL §3.6), beyond the scenario fixtures:
a list whose payload was changed, and one signed by someone other than the credential's issuer."""

from __future__ import annotations

import base64
import json

from issuer.status import Bitstring, status_entry, status_list_credential
from tests.verifier.conftest import NOW, WorldFetcher, load_world
from tests.verifier.fixtures.generate import ISSUER, JWT_LIST, OTHER, _b64url, _credential, _sign, compact_jws
from verifier.app import VerifierSettings, make_engine


def _status_of(world: dict, registry) -> object:
    engine = make_engine(VerifierSettings(), fetcher=WorldFetcher(world), registry=registry, clock=lambda: NOW)
    return engine.verify_value(_sign(_credential(status=status_entry(JWT_LIST, 11, "revocation")))).report.check("status")


def test_a_changed_jwt_list_is_cannot_check_never_not_revoked(registry):
    world = load_world()
    head, payload, signature = world[JWT_LIST].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["encodedList"] = status_list_credential(
        list_url=JWT_LIST, issuer=ISSUER, purpose="revocation", bitstring=Bitstring(),
        valid_from="2026-05-01T00:00:00Z")["credentialSubject"]["encodedList"]  # "un-revoke" index 11
    world[JWT_LIST] = ".".join([head, _b64url(json.dumps(claims).encode()), signature])
    status = _status_of(world, registry)
    assert status.outcome.value == "cannot-check" and status.problems[0].code == "status_list_unverified"


def test_a_jwt_list_signed_by_another_party_cannot_vouch(registry):
    world = load_world()
    unsigned = status_list_credential(list_url=JWT_LIST, issuer=OTHER.did_key, purpose="revocation",
                                      bitstring=Bitstring(), valid_from="2026-05-01T00:00:00Z")
    world[JWT_LIST] = compact_jws({**unsigned, "iss": OTHER.did_key}, OTHER, OTHER.did_key_verification_method)
    status = _status_of(world, registry)
    assert status.outcome.value == "cannot-check" and status.problems[0].code == "status_list_foreign_issuer"
