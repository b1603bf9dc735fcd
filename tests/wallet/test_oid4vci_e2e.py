"""OID4VCI 1.0 pre-authorized code flow end to end: a provider asks for an offer over the API,
the OpenWallet Foundation client (@openid4vc/openid4vci, interop/oid4vci_holder.js) with its own
did:key redeems it against the running service, a REAL worker signs the holder-bound credential,
and the credential verifies in our verifier (status fetched live from the service) and in the W3C
reference implementation. Revoking the credential (the revoke use case, by award) revokes the wallet copy too."""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlsplit

from pipeline.identity import load_issuing_identity
from pipeline.revocation import CLI, Actor, revoke_award
from pipeline.statuslists import publish_status_list
from pipeline.store.models import Credential
from verifier.app import VerifierSettings, make_engine

from .conftest import Service


def offer_over_api(service: Service) -> dict:
    uuid_part = service.credential.id.removeprefix("urn:uuid:")
    status, headers, body = service.http("POST", f"/api/v1/credentials/{uuid_part}/offer",
                                         headers={"Authorization": f"Bearer {service.api_key}"})
    assert status == 201, body
    return body


def our_verifier(service: Service):
    host = urlsplit(service.base).netloc
    return make_engine(VerifierSettings(allowed_hosts=[host], cache_ttl_s=0))


def status_lists_of(service: Service, credential: dict) -> dict:
    url = credential["credentialStatus"]["statusListCredential"]
    status, _, document = service.http("GET", url.removeprefix(service.base))
    assert status == 200
    return {url: document}


def test_the_openwallet_client_receives_a_credential_bound_to_its_did(service, run_node):
    offer = offer_over_api(service)
    assert offer["credential_offer_link"].startswith("openid-credential-offer://?credential_offer_uri=")
    out = run_node("oid4vci_holder.js", {"offer": offer["credential_offer_link"], "allowInsecureUrls": True})
    assert "error" not in out, (out, service.stack.logs())
    vc, holder, original = out["credential"], out["holder"], service.credential.document
    assert holder.startswith("did:key:z6Mk") and out["kid"] == f"{holder}#{holder.removeprefix('did:key:')}"
    assert vc["credentialSubject"]["id"] == holder != original["credentialSubject"].get("id")
    assert vc["credentialSubject"]["achievement"] == original["credentialSubject"]["achievement"]
    assert vc["id"] != original["id"] and vc["issuer"] == original["issuer"]
    assert vc["credentialStatus"] != original["credentialStatus"]

    verification = our_verifier(service).verify_value(vc)
    assert verification.verified, verification.body()
    reference = run_node("verify.js", {"credential": vc, "statusLists": status_lists_of(service, vc)})
    assert reference["verified"] and reference["status"] == [False], reference

    rows = service.credentials_of_award()
    assert [r.id for r in rows] == [original["id"], vc["id"]]
    copy = rows[1]
    assert copy.derived_from == original["id"] and copy.bound_to_did == holder and copy.document == vc
    assert (copy.status_list_id, copy.status_index) != (rows[0].status_list_id, rows[0].status_index)


def test_the_offer_is_single_use(service, run_node):
    link = service.offer().openid_link
    first = run_node("oid4vci_holder.js", {"offer": link, "allowInsecureUrls": True})
    assert "error" not in first, first
    second = run_node("oid4vci_holder.js", {"offer": link, "allowInsecureUrls": True})
    assert "error" in second and "410" in second["error"] + str(second.get("detail")), second
    assert len(service.credentials_of_award()) == 2


def test_revoking_the_awards_credentials_revokes_the_wallet_copy(service, run_node):
    out = run_node("oid4vci_holder.js", {"offer": service.offer().openid_link, "allowInsecureUrls": True})
    vc = out["credential"]
    now = datetime.now(timezone.utc)
    original = next(row for row in service.credentials_of_award() if row.derived_from is None)
    with service.services.sessions.begin() as session:  # the revoke use case: every row of the award
        revoked = revoke_award(session, session.get(Credential, original.id), actor=Actor(CLI),
                               reason="test: revoked with its wallet copy", now=now)
    assert len(revoked.credential_ids) == 2
    for list_id in revoked.list_ids:  # what the worker (or the CLI) does next
        with service.services.sessions.begin() as session:
            identity = load_issuing_identity(service.stack.settings, session, now)
            publish_status_list(session, list_id, identity=identity, public_url=service.base, now=now)
    verification = our_verifier(service).verify_value(vc)
    assert not verification.verified
    assert "revoked" in str(verification.body()).lower()
    reference = run_node("verify.js", {"credential": vc, "statusLists": status_lists_of(service, vc)})
    assert reference["status"] == [True], reference
