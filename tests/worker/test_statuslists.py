"""Status lists: created and signed on first use, verifiable, and re-signed when a credential is revoked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from issuer.dids import resolve_did_key
from issuer.status import Bitstring, read_status
from issuer.verify import verify_credential
from pipeline.errors import StoreError
from pipeline.identity import load_issuing_identity
from pipeline.processing import process_event
from pipeline.statuslists import (
    SlotReservations, allocate_entry, publish_status_list, revoke_credential, set_suspended, status_list_url,
)
from pipeline.store.models import Credential, StatusList, StatusSlot

from .conftest import CLOCK, PUBLIC, native

LATER = CLOCK + timedelta(hours=2)


def _issue(processor, store, n: int) -> list[Credential]:
    provider = store.provider("Alpha")
    for i in range(n):
        process_event(processor, store.record(provider, native(f"c-{i}", email=f"l{i}@example.org", level="proficient")))
    with store.sessions() as s:
        return list(s.query(Credential).order_by(Credential.issued_at, Credential.id))


def _list(store, list_id="1") -> StatusList:
    with store.sessions() as s:
        return s.get(StatusList, list_id)


def _checked(document, at=CLOCK):
    report = verify_credential(document, resolve_key=resolve_did_key, now=at)
    assert report.verified, report.as_dict()
    return document


def test_first_credential_creates_and_signs_the_list(processor, store):
    [credential] = _issue(processor, store, 1)
    status_list = _list(store)
    document = _checked(status_list.document)
    assert document["id"] == status_list_url(PUBLIC, "1") == f"{PUBLIC}/status/1"
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["issuer"] == credential.document["issuer"]["id"]
    assert document["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert status_list.signed_at == CLOCK and status_list.allocated == 1
    assert read_status(document, credential.document["credentialStatus"]) == 0


def test_revocation_flips_the_bit_and_re_signs(processor, store, settings):
    first, second = _issue(processor, store, 2)
    before = _list(store).document
    with store.sessions.begin() as s:
        identity = load_issuing_identity(settings, s, LATER)
        signed = revoke_credential(s, first.id, identity=identity, public_url=PUBLIC, now=LATER)
    status_list = _list(store)
    assert status_list.document == signed and status_list.signed_at == LATER
    _checked(signed, LATER)
    assert signed["proof"][0]["proofValue"] != before["proof"][0]["proofValue"]
    assert read_status(signed, first.document["credentialStatus"]) == 1
    assert read_status(signed, second.document["credentialStatus"]) == 0
    assert read_status(before, first.document["credentialStatus"]) == 0  # the old document said otherwise
    with store.sessions.begin() as s:
        identity = load_issuing_identity(settings, s, LATER)
        again = revoke_credential(s, first.id, identity=identity, public_url=PUBLIC, now=LATER + timedelta(hours=1))
        assert s.get(Credential, first.id).revoked_at == LATER  # the first revocation stands
    assert read_status(again, first.document["credentialStatus"]) == 1


def test_a_list_with_a_bit_flipped_by_someone_else_fails_verification(processor, store):
    [credential] = _issue(processor, store, 1)
    bits = Bitstring()
    bits.set(int(credential.document["credentialStatus"]["statusListIndex"]))
    document = dict(_list(store).document)
    document["credentialSubject"] = dict(document["credentialSubject"], encodedList=bits.encode())
    assert read_status(document, credential.document["credentialStatus"]) == 1
    report = verify_credential(document, resolve_key=resolve_did_key, now=CLOCK)
    assert not report.verified and report.check("proof").outcome.name == "FAIL"


def test_suspension_needs_a_suspension_entry(processor, store, settings):
    [credential] = _issue(processor, store, 1)
    with store.sessions.begin() as s:
        identity = load_issuing_identity(settings, s, LATER)
        with pytest.raises(StoreError) as caught:
            set_suspended(s, credential.id, True, identity=identity, public_url=PUBLIC, now=LATER)
    assert caught.value.code == "status_purpose_unavailable"


def test_unknown_credential_and_list_are_coded_errors(store, settings):
    with store.sessions.begin() as s:
        identity = load_issuing_identity(settings, s, LATER)
        with pytest.raises(StoreError) as unknown_credential:
            revoke_credential(s, "urn:uuid:nope", identity=identity, public_url=PUBLIC, now=LATER)
        with pytest.raises(StoreError) as unknown_list:
            publish_status_list(s, "404", identity=identity, public_url=PUBLIC, now=LATER)
    assert (unknown_credential.value.code, unknown_list.value.code) == ("credential_unknown", "status_list_unknown")


def test_a_full_list_rolls_over_to_the_next(processor, store, settings):
    _issue(processor, store, 1)
    with store.sessions.begin() as s:
        s.execute(update(StatusList).where(StatusList.id == "1").values(allocated=StatusList.size))
    with store.sessions.begin() as s:
        identity = load_issuing_identity(settings, s, LATER)
        allocated = allocate_entry(s, identity=identity, public_url=PUBLIC, now=LATER)
    assert allocated.slot.status_list_id == "2"
    assert allocated.entry["statusListCredential"] == f"{PUBLIC}/status/2"
    _checked(_list(store, "2").document, LATER)


def _allocate_many(store, settings, n: int, reservations, rollback_first: bool = False) -> list:
    with store.sessions.begin() as s:
        identity = load_issuing_identity(settings, s, LATER)
    got = []
    for _ in range(n):
        with store.sessions.begin() as s:
            allocated = allocate_entry(s, identity=identity, public_url=PUBLIC, now=LATER, reservations=reservations)
            got.append((allocated.slot.status_list_id, allocated.slot.index, allocated.entry["statusListCredential"]))
    return got


def test_reservations_hold_the_list_and_spend_spare_indexes(processor, store, settings):
    """A worker's `SlotReservations` (issue 12): distinct random slots on the current list, the
    counter raised a block at a time on PostgreSQL (spares spent without touching the list
    row) and one at a time on SQLite, never below the slots used."""
    _issue(processor, store, 1)  # list 1 exists and is signed
    reservations = SlotReservations(block=4)
    got = _allocate_many(store, settings, 6, reservations)
    assert {(list_id, url) for list_id, _, url in got} == {("1", f"{PUBLIC}/status/1")}
    assert len({index for _, index, _ in got}) == 6
    with store.sessions() as s:
        used = s.scalar(select(func.count()).select_from(StatusSlot).where(StatusSlot.status_list_id == "1"))
        allocated = s.get(StatusList, "1").allocated
    assert used == 7
    if store.sessions.kw["bind"].dialect.name == "postgresql":
        assert allocated == 1 + 4 + 4  # two blocks: six slots, two spares left with the process
    else:
        assert allocated == 7


def test_reservations_let_go_of_a_full_list(processor, store, settings):
    _issue(processor, store, 1)
    reservations = SlotReservations(block=4)
    _allocate_many(store, settings, 1, reservations)
    with store.sessions.begin() as s:  # another worker filled the list meanwhile
        s.execute(update(StatusList).where(StatusList.id == "1").values(allocated=StatusList.size))
    spare = 3 if store.sessions.kw["bind"].dialect.name == "postgresql" else 0
    got = _allocate_many(store, settings, spare + 1, reservations)
    assert [list_id for list_id, _, _ in got] == ["1"] * spare + ["2"]  # spares were reserved before it filled
    _checked(_list(store, "2").document, LATER)


def test_reservations_survive_a_rolled_back_list(processor, store, settings):
    """The held list was created in a transaction that rolled back: the next allocation finds
    the current list again instead of failing."""
    reservations = SlotReservations(block=4)
    with store.sessions.begin() as s:
        identity = load_issuing_identity(settings, s, LATER)
    with pytest.raises(RuntimeError), store.sessions.begin() as s:
        allocate_entry(s, identity=identity, public_url=PUBLIC, now=LATER, reservations=reservations)
        allocate_entry(s, identity=identity, public_url=PUBLIC, now=LATER, reservations=reservations)  # held now
        raise RuntimeError("the event failed after its credential was built")
    got = _allocate_many(store, settings, 2, reservations)
    assert [list_id for list_id, _, _ in got] == ["1", "1"]
    _checked(_list(store, "1").document, LATER)
