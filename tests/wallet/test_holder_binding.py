"""`issuer.holder_binding.bind_to_holder` (pure) and the RFC 9864 alg name in key proofs."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from issuer.holder_binding import HolderBindingError, bind_to_holder

GOLDEN = Path(__file__).resolve().parents[1] / "credentials" / "golden" / "proficient-email-status.json"
NOW = datetime(2026, 11, 21, 8, 30, tzinfo=timezone.utc)
HOLDER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
ENTRY = {"id": "https://badges.example.org/status/1#7", "type": "BitstringStatusListEntry",
         "statusPurpose": "revocation", "statusListIndex": "7",
         "statusListCredential": "https://badges.example.org/status/1"}


@pytest.fixture
def original() -> dict:
    return json.loads(GOLDEN.read_text())


def test_the_copy_is_the_same_achievement_bound_to_the_holder(original):
    before = copy.deepcopy(original)
    bound = bind_to_holder(original, holder_did=HOLDER, credential_id="urn:uuid:1", valid_from=NOW, status_entry=ENTRY)
    assert original == before  # not mutated
    assert "proof" not in bound and bound["id"] == "urn:uuid:1" and bound["validFrom"] == "2026-11-21T08:30:00Z"
    assert bound["credentialSubject"]["id"] == HOLDER and bound["credentialStatus"] == ENTRY
    assert bound["credentialSubject"]["achievement"] == original["credentialSubject"]["achievement"]
    unchanged = {k for k in original if k not in ("id", "validFrom", "credentialStatus", "credentialSubject", "proof")}
    assert all(bound[k] == original[k] for k in unchanged)
    assert "credentialStatus" not in bind_to_holder(original, holder_did=HOLDER, credential_id="urn:uuid:2",
                                                     valid_from=NOW, status_entry=None)


@pytest.mark.parametrize("did", ["", "mailto:a@example.org", None, "did:" + "x" * 600])
def test_only_a_did_binds(original, did):
    with pytest.raises(HolderBindingError):
        bind_to_holder(original, holder_did=did, credential_id="urn:uuid:1", valid_from=NOW, status_entry=None)


def test_a_subject_list_is_refused(original):
    original["credentialSubject"] = [original["credentialSubject"]]
    with pytest.raises(HolderBindingError):
        bind_to_holder(original, holder_did=HOLDER, credential_id="urn:uuid:1", valid_from=NOW, status_entry=None)
