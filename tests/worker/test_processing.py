"""The process-event use case in-process (no Celery), on SQLite and PostgreSQL, real key and signatures."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from issuer.dids import resolve_did_key
from issuer.errors import ProofError
from issuer.frameworks.registry import FrameworkRegistry
from issuer.identity import identity_matches
from issuer.verify import verify_credential
from pipeline.outcomes import load_event_resource
from pipeline.processing import LEVELS_REACHED, NO_NEW_LEVEL, process_event, sweep
from pipeline.store.event_log import claim_event, record_event
from pipeline.store.models import Award, Credential, Event, Evidence, Learner, StatusSlot

from .conftest import CLOCK, PUBLIC, codes, native


def _run(processor, store, provider, doc):
    event_id = store.record(provider, doc)
    return event_id, process_event(processor, event_id)


def _verified(document):
    report = verify_credential(document, resolve_key=resolve_did_key, now=CLOCK)
    assert report.verified, report.as_dict()
    return document


def test_accumulates_across_events_and_providers_one_credential_at_the_tenth(processor, store):
    alpha, beta = store.provider("Alpha"), store.provider("Beta")
    first_id, first = _run(processor, store, alpha, native("a-1", statements=codes("proficient", range(1, 6))))
    second_id, second = _run(processor, store, beta, native("b-1", statements=codes("proficient", range(6, 10)),
                                                            assessment="exam-2", minutes=5))
    assert (first.code, second.code) == (NO_NEW_LEVEL, NO_NEW_LEVEL)
    assert store.count(Credential) == 0  # nine of ten: nothing yet
    third_id, third = _run(processor, store, beta, native("b-2", statements=["P10"], assessment="exam-3", minutes=9))
    assert third.state == "processed" and third.code == LEVELS_REACHED and third.levels == ("proficient",)
    assert store.count(Credential) == 1 and store.count(Award) == 1

    [credential] = store.credentials_of(third_id)
    document = _verified(credential.document)
    assert document["id"] == third.credential_ids[0]
    assert "v.26.05" in document["credentialSubject"]["achievement"]["id"]
    evidence = document["evidence"]
    assert [e["id"] for e in evidence] == [f"https://lms.example.org/assessments/{a}" for a in ("quiz-1", "exam-2", "exam-3")]
    assert "P01, P02, P03, P04, P05." in evidence[0]["narrative"] and "Alpha" in evidence[0]["narrative"]
    assert "P10." in evidence[2]["narrative"] and "Beta" in evidence[2]["narrative"]
    assert document["credentialSubject"]["source"]["name"].startswith("Beta")  # latest evidence
    assert document["credentialStatus"]["statusPurpose"] == "revocation"
    assert document["credentialStatus"]["statusListCredential"] == f"{PUBLIC}/status/1"

    with store.sessions() as s:
        resource = load_event_resource(s, s.get(Event, third_id), public_url=PUBLIC)
        earlier = load_event_resource(s, s.get(Event, first_id), public_url=PUBLIC)
        slot = s.scalars(select(StatusSlot)).one()
    assert resource["state"] == "processed"
    assert resource["outcome"]["levels"] == ["proficient"]
    assert resource["outcome"]["credentials"][0]["id"] == credential.id
    assert earlier["outcome"] == {"code": NO_NEW_LEVEL, "message": earlier["outcome"]["message"], "levels": [],
                                  "credentials": []}
    assert slot.credential_id == credential.id and str(slot.index) == document["credentialStatus"]["statusListIndex"]


def test_nine_of_ten_statements_issue_nothing(processor, store):
    provider = store.provider("Alpha")
    _, result = _run(processor, store, provider, native("n-1", statements=codes("emerging", range(1, 10))))
    assert result.code == NO_NEW_LEVEL and "9 statement result(s) recorded, 9 passed" in store.event(result.event_id).outcome_message
    assert store.count(Evidence) == 9 and store.count(Award) == 0 and store.count(Credential) == 0


def test_whole_level_event_passes_on_the_pass_mark_and_fails_below_it(processor, store):
    provider = store.provider("Alpha")
    _, failed = _run(processor, store, provider, native("l-1", level="developing", score=0.79))
    assert failed.code == NO_NEW_LEVEL and store.count(Evidence) == 10
    _, passed = _run(processor, store, provider, native("l-2", level="developing", score=0.8, assessment="final"))
    assert passed.levels == ("developing",)
    [credential] = store.credentials_of(passed.event_id)
    document = _verified(credential.document)
    assert len(document["evidence"]) == 1
    assert "D01, D02, D03, D04, D05, D06, D07, D08, D09, D10." in document["evidence"][0]["narrative"]


def test_a_later_failing_score_does_not_undo_a_pass(processor, store):
    provider = store.provider("Alpha")
    _run(processor, store, provider, native("f-1", statements=codes("advanced", range(1, 6))))
    _run(processor, store, provider, native("f-2", statements=codes("advanced", range(1, 6)), score=0.1,
                                            assessment="retake", minutes=3))
    _, last = _run(processor, store, provider, native("f-3", statements=codes("advanced", range(6, 11)),
                                                      assessment="part-2", minutes=6))
    assert last.levels == ("advanced",)
    [credential] = store.credentials_of(last.event_id)
    names = [e["name"] for e in credential.document["evidence"]]
    assert names == ["Assessment quiz-1", "Assessment part-2"]  # the failed retake is not evidence


def test_duplicate_delivery_does_nothing_and_a_level_is_awarded_once(processor, store):
    provider = store.provider("Alpha")
    event_id, first = _run(processor, store, provider, native("d-1", level="emerging"))
    again = process_event(processor, event_id)
    assert again.state == "skipped" and store.event(event_id).attempts == 1
    _, replay = _run(processor, store, provider, native("d-2", level="emerging", assessment="other"))
    assert replay.code == NO_NEW_LEVEL and replay.levels == ()
    assert store.count(Credential) == 1 and first.levels == ("emerging",)


def test_two_levels_in_one_event_and_levels_are_independent(processor, store):
    provider = store.provider("Alpha")
    doc = native("two", statements=codes("advanced", range(1, 11)) + codes("emerging", range(1, 11)))
    _, result = _run(processor, store, provider, doc)
    assert set(result.levels) == {"emerging", "advanced"} and len(result.credential_ids) == 2
    with store.sessions() as s:
        indexes = s.scalars(select(StatusSlot.index)).all()
    assert len(set(indexes)) == 2


def test_learner_matched_by_did_else_email_and_did_is_the_recipient(processor, store):
    alpha, beta = store.provider("Alpha"), store.provider("Beta")
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    _run(processor, store, alpha, native("m-1", email="Ana@Example.org ", did=did, statements=codes("proficient", range(1, 4))))
    _run(processor, store, beta, native("m-2", email=None, did=did, statements=codes("proficient", range(4, 8))))
    _, last = _run(processor, store, beta, native("m-3", email="ana@example.org", statements=codes("proficient", range(8, 11))))
    assert store.count(Learner) == 1 and last.levels == ("proficient",)
    subject = store.credentials_of(last.event_id)[0].document["credentialSubject"]
    assert subject["id"] == did
    assert [i["identityType"] for i in subject["identifier"]] == ["name"]


def test_a_known_learner_named_differently_is_told_in_the_outcome(processor, store):
    provider = store.provider("Alpha")
    _run(processor, store, provider, native("n-1", name="Ana Diaz", statements=codes("proficient", range(1, 6))))
    event_id, _ = _run(processor, store, provider, native("n-2", name="Ana María Díaz",
                                                          statements=codes("proficient", range(6, 11))))
    with store.sessions() as session:
        message = session.get(Event, event_id).outcome_message
        assert "names the learner 'Ana María Díaz', but they are recorded as 'Ana Diaz'" in message
    [credential] = store.credentials_of(event_id)
    names = [i["identityHash"] for i in credential.document["credentialSubject"]["identifier"]
             if i["identityType"] == "name"]
    assert names == ["Ana Diaz"]


def test_an_account_learner_is_matched_within_its_provider_only(processor, store):
    """xAPI `actor.account` learners: one provider's account events accumulate to a credential whose
    subject is the hashed `accountId`; the same account name at another provider is someone else."""
    alpha, beta = store.provider("Alpha"), store.provider("Beta")

    def account_event(event_id: str, statements):
        doc = native(event_id, email=None, statements=statements)
        doc["learner"]["account"] = {"home_page": "https://lms.example.org", "name": "u-42"}
        return doc

    _run(processor, store, alpha, account_event("a-1", codes("emerging", range(1, 6))))
    _run(processor, store, beta, account_event("b-1", codes("emerging", range(6, 11))))
    assert store.count(Learner) == 2  # the same account name at two providers is two learners
    _, last = _run(processor, store, alpha, account_event("a-2", codes("emerging", range(6, 11))))
    assert last.levels == ("emerging",) and store.count(Learner) == 2
    subject = _verified(store.credentials_of(last.event_id)[0].document)["credentialSubject"]
    [account] = [i for i in subject["identifier"] if i["identityType"] == "accountId"]
    assert account["hashed"] is True
    assert identity_matches(account["identityHash"], "https://lms.example.org#u-42", account["salt"])


def test_email_recipient_is_hashed_with_a_fresh_salt_per_credential(processor, store):
    provider = store.provider("Alpha")
    _, one = _run(processor, store, provider, native("h-1", email="bo@example.org", name="Bo", level="emerging"))
    _, two = _run(processor, store, provider, native("h-2", email="bo@example.org", name="Bo", level="advanced"))
    ids = [store.credentials_of(r.event_id)[0].document["credentialSubject"]["identifier"][0] for r in (one, two)]
    assert ids[0]["salt"] != ids[1]["salt"]
    assert all(identity_matches(i["identityHash"], "bo@example.org", i["salt"]) for i in ids)
    assert "bo@example.org" not in str(store.credentials_of(one.event_id)[0].document)


def test_framework_gone_rejects_and_stores_nothing(processor, store):
    provider = store.provider("Alpha")
    event_id = store.record(provider, native("g-1", level="emerging"))
    result = process_event(dataclasses.replace(processor, registry=FrameworkRegistry()), event_id)
    event = store.event(event_id)
    assert (result.state, result.code) == ("rejected", "framework_unknown")
    assert (event.state, event.outcome_code, event.attempts) == ("rejected", "framework_unknown", 1)
    assert store.count(Evidence) == 0 and store.count(Learner) == 0
    assert process_event(processor, event_id).state == "skipped"  # final stays final


def test_unreadable_parsed_form_and_missing_learner_are_rejected(processor, store):
    provider = store.provider("Alpha")
    good = native("u-1", level="emerging")
    with store.sessions.begin() as s:
        unparsed = record_event(s, provider_id=provider, provider_event_id="u-1", raw_payload=b"{}",
                                source_format="native", parsed=None, now=CLOCK).event.id
    event_id = store.record(provider, dict(good, event_id="u-2"))
    with store.sessions.begin() as s:
        row = s.get(Event, event_id)
        row.parsed = dict(row.parsed, learner={"email": None, "name": "Nobody", "did": None})
    assert process_event(processor, unparsed).code == "event_unparsed"
    assert process_event(processor, event_id).code == "missing_learner_identity"
    assert store.count(Learner) == 0


def test_credential_that_fails_self_verification_is_never_stored(processor, store):
    provider = store.provider("Alpha")
    event_id = store.record(provider, native("s-1", level="proficient"))
    real = processor.identity

    def wrong_key_resolver(session, now):
        identity = real(session, now)

        def resolve(vm_url):
            raise ProofError(f"cannot resolve {vm_url}", code="key_unresolvable")

        return dataclasses.replace(identity, resolve_key=resolve)

    result = process_event(dataclasses.replace(processor, identity=wrong_key_resolver), event_id)
    assert (result.state, result.code) == ("rejected", "issuance_failed")
    assert "self_verification_failed" in store.event(event_id).outcome_message
    for model in (Award, Credential, StatusSlot, Evidence):
        assert store.count(model) == 0, model


def test_transient_failure_leaves_nothing_and_the_retry_finishes(processor, store):
    provider = store.provider("Alpha")
    event_id = store.record(provider, native("t-1", level="emerging"))

    def database_gone():
        raise OperationalError("COMMIT", {}, ConnectionError("server closed the connection unexpectedly"))

    with pytest.raises(OperationalError):
        process_event(dataclasses.replace(processor, before_commit=database_gone), event_id)
    event = store.event(event_id)
    assert (event.state, event.attempts) == ("processing", 1)
    assert store.count(Evidence) == 0 and store.count(Award) == 0 and store.count(StatusSlot) == 0
    result = process_event(processor, event_id)
    assert result.levels == ("emerging",) and store.event(event_id).attempts == 2


def test_an_event_that_never_completes_is_rejected_after_max_attempts(processor, store):
    provider = store.provider("Alpha")
    event_id = store.record(provider, native("t-2", level="emerging"))

    def always_busy():
        raise OperationalError("COMMIT", {}, TimeoutError("database is locked"))

    flaky = dataclasses.replace(processor, before_commit=always_busy, max_attempts=2)
    for _ in range(2):
        with pytest.raises(OperationalError):
            process_event(flaky, event_id)
    result = process_event(flaky, event_id)
    event = store.event(event_id)
    assert (result.code, event.state, event.outcome_code, event.attempts) == (
        "attempts_exhausted", "rejected", "attempts_exhausted", 3)
    assert store.count(Evidence) == 0


def test_unknown_event_raises_a_coded_error(processor):
    with pytest.raises(Exception) as caught:
        process_event(processor, "00000000-0000-0000-0000-000000000000")
    assert getattr(caught.value, "code", None) == "event_unknown"


class RecordingDispatcher:
    """An honest stand-in for the broker boundary: records what it was asked to send."""

    def __init__(self):
        self.sent: list[str] = []

    def send_process_event(self, event_id: str) -> None:
        self.sent.append(event_id)


def test_sweep_resends_received_and_stuck_processing_events_once(processor, store):
    provider = store.provider("Alpha")
    lost = store.record(provider, native("w-1", level="emerging"))
    stuck = store.record(provider, native("w-2", level="advanced"))
    done = store.record(provider, native("w-3", level="developing"))
    process_event(processor, done)
    with store.sessions.begin() as s:
        claim_event(s, stuck, now=CLOCK)
    dispatcher = RecordingDispatcher()
    kwargs = {"min_age": timedelta(seconds=60), "stuck_after": timedelta(seconds=600)}
    assert sweep(store.sessions, dispatcher, now=CLOCK, **kwargs) == []  # too young
    later = CLOCK + timedelta(seconds=61)
    assert sweep(store.sessions, dispatcher, now=later, **kwargs) == [lost]
    assert sweep(store.sessions, dispatcher, now=later + timedelta(seconds=1), **kwargs) == []  # just sent
    much_later = CLOCK + timedelta(seconds=700)
    assert set(sweep(store.sessions, dispatcher, now=much_later, **kwargs)) == {lost, stuck}
    with store.sessions() as s:
        sent_at = s.scalars(select(Event.task_sent_at).where(Event.id == stuck)).one()
    assert sent_at == much_later


def test_sweep_marks_only_what_was_sent(processor, store):
    provider = store.provider("Alpha")
    ids = [store.record(provider, native(f"x-{i}", level="emerging", email=f"x{i}@example.org")) for i in range(3)]

    class BrokerDiesAfterOne(RecordingDispatcher):
        def send_process_event(self, event_id):
            if self.sent:
                raise ConnectionError("broker went away")
            super().send_process_event(event_id)

    dispatcher = BrokerDiesAfterOne()
    with pytest.raises(ConnectionError):
        sweep(store.sessions, dispatcher, now=CLOCK + timedelta(hours=1), min_age=timedelta(0), stuck_after=timedelta(hours=1))
    with store.sessions() as s:
        marked = set(s.scalars(select(Event.id).where(Event.task_sent_at.is_not(None))))
    assert marked == {dispatcher.sent[0]} and dispatcher.sent[0] in ids

