"""Recipient identity hashing (OB#identityhash)."""

from __future__ import annotations

import hashlib
import json

import pytest

from issuer.errors import CredentialBuildError
from issuer.identity import hash_identity, identity_matches, normalize_email
from issuer.credentials import Recipient


def test_ob_check_vector():
    value = hash_identity("a@example.com", "Kosher")
    assert value.startswith("sha256$b5809d8a") and value.endswith("f399")
    assert len(value) == len("sha256$") + 64


@pytest.mark.parametrize("raw", ["a@example.com", " A@Example.COM", "a@EXAMPLE.com\n\t"])
def test_normalize_email(raw):
    assert normalize_email(raw) == "a@example.com"


@pytest.mark.parametrize("raw", ["", "plain", "a@b", "a b@example.com", "@example.com"])
def test_invalid_email(raw):
    with pytest.raises(CredentialBuildError) as err:
        normalize_email(raw)
    assert err.value.code == "recipient_email_invalid"


def test_identity_matches():
    value = hash_identity("a@example.com", "Kosher")
    assert identity_matches(value, "a@example.com", "Kosher")
    assert not identity_matches(value, "b@example.com", "Kosher")
    assert not identity_matches(value, "a@example.com", "kosher")
    md5 = "md5$" + hashlib.md5(b"a@example.comKosher").hexdigest()
    assert identity_matches(md5, "a@example.com", "Kosher")
    assert not identity_matches(md5, "a@example.com", None)
    assert not identity_matches("sha1$abc", "a@example.com", "Kosher")


def test_credential_carries_hash_of_normalized_email_never_plaintext(build):
    cred = build()
    text = json.dumps(cred).lower()
    assert "jane.doe@example.com" not in text and "example.com" not in text.replace("badges.example.org", "")
    email_id = cred["credentialSubject"]["identifier"][0]
    assert email_id == {"type": "IdentityObject", "hashed": True, "identityType": "emailAddress",
                        "identityHash": hash_identity("jane.doe@example.com", "pepper-salt-01"),
                        "salt": "pepper-salt-01"}
    assert identity_matches(email_id["identityHash"], normalize_email("JANE.DOE@example.com "), email_id["salt"])
    name_id = cred["credentialSubject"]["identifier"][1]
    assert name_id == {"type": "IdentityObject", "hashed": False, "identityType": "name", "identityHash": "Jane Doe"}
    assert "id" not in cred["credentialSubject"]


def test_random_salt_when_none_given(build):
    one = build(recipient=Recipient(name=None, email="x@example.org"))["credentialSubject"]["identifier"]
    two = build(recipient=Recipient(name=None, email="x@example.org"))["credentialSubject"]["identifier"]
    assert len(one) == 1 and one[0]["salt"] != two[0]["salt"] and len(one[0]["salt"]) >= 32
    assert identity_matches(one[0]["identityHash"], "x@example.org", one[0]["salt"])
