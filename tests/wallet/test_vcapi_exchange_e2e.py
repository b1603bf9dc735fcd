"""The VC API exchange the Learner Credential Wallet uses, end to end: the LCW deep link, the
DID-authentication request, a presentation signed by a holder with its own did:key through the W3C
reference implementation (interop/vcapi_holder.js), a REAL worker signing the holder-bound
credential, which verifies in our verifier and in the reference implementation."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from .conftest import Service
from .test_oid4vci_e2e import our_verifier, status_lists_of


def test_the_lcw_link_names_the_exchange(service: Service):
    links = service.offer()
    parts = urlsplit(links.lcw_link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "lcw.app", "/mobile")
    request = json.loads(parse_qs(parts.query)["request"][0])
    assert request == {"credentialRequestOrigin": service.base, "protocols": {"vcapi": links.exchange_url}}


def test_a_reference_holder_authenticates_and_receives_its_credential(service: Service, run_node):
    links = service.offer()
    out = run_node("vcapi_holder.js", {"link": links.lcw_link})
    assert "error" not in out and out["status"] == 200, (out, service.stack.logs())
    vpr = out["request"]["verifiablePresentationRequest"]
    assert vpr["query"][0]["type"] == "DIDAuthentication" and vpr["domain"] == service.base
    assert vpr["interact"]["service"][0]["serviceEndpoint"] == links.exchange_url
    [vc] = out["response"]["verifiablePresentation"]["verifiableCredential"]
    assert vc["credentialSubject"]["id"] == out["holder"]
    assert vc["credentialSubject"]["achievement"] == service.credential.document["credentialSubject"]["achievement"]
    verification = our_verifier(service).verify_value(vc)
    assert verification.verified, verification.body()
    reference = run_node("verify.js", {"credential": vc, "statusLists": status_lists_of(service, vc)})
    assert reference["verified"] and reference["status"] == [False], reference
    rows = service.credentials_of_award()
    assert [(r.derived_from, r.bound_to_did) for r in rows] == [(None, None), (service.credential.id, out["holder"])]

    again = run_node("vcapi_holder.js", {"link": links.lcw_link})  # single use: another holder finds it gone
    assert again["status"] == 410 and again["request"]["error"] == "offer_gone", again
    assert len(service.credentials_of_award()) == 2


def test_a_presentation_for_another_challenge_is_refused(service: Service, run_node):
    out = run_node("vcapi_holder.js", {"link": service.offer().lcw_link, "challenge": "not-the-challenge"})
    assert out["status"] == 400 and out["response"]["error"] == "invalid_presentation", out
    assert len(service.credentials_of_award()) == 1
