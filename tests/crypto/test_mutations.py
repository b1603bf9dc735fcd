"""Hypothesis mutates a signed Open Badges credential: a value changed, a member added or removed,
members or array items reordered. A mutation that changes what the credential says (its RDF
dataset) must fail verification; one that does not (reordering object members, reordering an
unordered array) must still verify."""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from issuer.canonical import rdfc_nquads
from issuer.credentials import EvidenceItem, IssuerProfile, ProviderProfile, Recipient, build_achievement_credential
from issuer.cryptosuites import add_proof, verify_proofs
from issuer.dids import resolve_did_key
from issuer.errors import IssuerError
from issuer.frameworks.registry import FrameworkRegistry
from issuer.frameworks.urls import FrameworkUrls
from issuer.keys import Ed25519Key, did_key_signer
from issuer.status import status_entry

BASE = "https://badges.example.org"
WHEN = datetime(2026, 11, 20, 15, 4, 5, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def signed() -> dict[str, Any]:
    key = Ed25519Key.from_seed(bytes(range(32)))
    framework = FrameworkRegistry.bundled().get("29-2052.00", "v.26.05")
    unsigned = build_achievement_credential(
        framework=framework, level="developing", urls=FrameworkUrls(BASE),
        issuer=IssuerProfile(id=key.did_key, name="Example Issuer", url=BASE),
        recipient=Recipient(name="Ana Diaz", email="ana@example.org", salt="5a1t"),
        credential_id="urn:uuid:0b6f1d0e-33a5-4c39-9d0c-7f8f1a2b3c4d", valid_from=WHEN,
        evidence=[EvidenceItem(id=f"{BASE}/assessments/1", name="Exam", description=None, narrative=None,
                               provider_name="Northside", statements=("D01", "D02"), assessed_at=WHEN)],
        sources=[ProviderProfile(id=f"{BASE}/providers/northside", name="Northside")],
        status_entry=status_entry(f"{BASE}/status/1", 17, "revocation"),
    )
    return add_proof(unsigned, signer=did_key_signer(key), created="2026-11-20T15:04:06Z")


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    """Every member and array item below `value`, as paths (the proof's value excluded)."""
    out = []
    if isinstance(value, dict):
        for k, v in value.items():
            if path == () and k == "proof":
                continue
            out.append((*path, k))
            out += _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.append((*path, i))
            out += _paths(v, (*path, i))
    return out


def _parent(doc: Any, path: tuple) -> Any:
    for step in path[:-1]:
        doc = doc[step]
    return doc


def _dataset(doc: dict) -> str | None:
    try:
        return rdfc_nquads({k: v for k, v in doc.items() if k != "proof"})
    except IssuerError:
        return None


def _verifies(doc: dict) -> bool:
    results = verify_proofs(doc, resolve_key=resolve_did_key)
    return bool(results) and all(r.verified for r in results)


def _check(original: dict, mutated: dict) -> None:
    same_meaning = _dataset(mutated) is not None and _dataset(mutated) == _dataset(original)
    assert _verifies(mutated) == same_meaning


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(data=st.data())
def test_changed_value(signed, data):
    doc = copy.deepcopy(signed)
    leaves = [p for p in _paths(doc) if not isinstance(_parent(doc, p)[p[-1]], (dict, list))]
    path = data.draw(st.sampled_from(leaves))
    parent, old = _parent(doc, path), _parent(doc, path)[path[-1]]
    parent[path[-1]] = data.draw(st.one_of(st.text(max_size=12), st.integers(), st.booleans())
                                 .filter(lambda v: v != old or type(v) is not type(old)))
    assert not _verifies(doc)


@SETTINGS
@given(data=st.data())
def test_removed_member_or_item(signed, data):
    doc = copy.deepcopy(signed)
    path = data.draw(st.sampled_from(_paths(doc)))
    del _parent(doc, path)[path[-1]]
    _check(signed, doc)


@SETTINGS
@given(data=st.data(), name=st.sampled_from(["description", "name", "narrative", "zzUndefined"]),
       value=st.text(min_size=1, max_size=12))
def test_added_member(signed, data, name, value):
    doc = copy.deepcopy(signed)
    objects = [()] + [p for p in _paths(doc) if isinstance(_parent(doc, p)[p[-1]], dict)]
    path = data.draw(st.sampled_from(objects))
    target = doc if path == () else _parent(doc, path)[path[-1]]
    if name in target:
        target[name] = f"{target[name]}{value}" if isinstance(target[name], str) else value
    else:
        target[name] = value
    assert not _verifies(doc)


def _reorder_members(value: Any, rng) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _reorder_members(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_reorder_members(v, rng) for v in value]
    return value


@SETTINGS
@given(rng=st.randoms(use_true_random=False))
def test_reordered_members_still_verify(signed, rng):
    assert _verifies(_reorder_members(copy.deepcopy(signed), rng))


@SETTINGS
@given(data=st.data(), rng=st.randoms(use_true_random=False))
def test_reordered_array(signed, data, rng):
    doc = copy.deepcopy(signed)
    arrays = [p for p in _paths(doc) if isinstance(_parent(doc, p)[p[-1]], list) and len(_parent(doc, p)[p[-1]]) > 1]
    path = data.draw(st.sampled_from(arrays))
    items = _parent(doc, path)[path[-1]]
    rng.shuffle(items)
    _check(signed, doc)  # @context order matters; an unordered set (e.g. alignments) does not
