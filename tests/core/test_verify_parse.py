"""issuer.verify: the `parse` and `contexts` checks (VCDM 2.0 §4; DI 1.0 §4.6 context allowlist)."""

from __future__ import annotations

import json

import pytest

from issuer import problems as P
from issuer.verify import VC1_CONTEXT, VC2_CONTEXT, parse_credential

from .conftest import outcomes, verify

OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def _minimal(**changes):
    doc = {"@context": [VC2_CONTEXT], "type": ["VerifiableCredential"], "credentialSubject": {"id": "did:example:1"}}
    doc.update(changes)
    return {k: v for k, v in doc.items() if v is not ...}


@pytest.mark.parametrize(("raw", "code", "path"), [
    (b"{not json", "malformed_json", None),
    ("", "malformed_json", None),
    (b"\xff\xfe\x00garbage", "malformed_json", None),
    (b"[" * 100_000, "json_too_deep", None),  # nesting beyond issuer.jsondoc.MAX_DEPTH: still a report
    ("[1, 2]", "not_an_object", None),
    ('"a string"', "not_an_object", None),
    (["a list"], "not_an_object", None),
    (_minimal(**{"@context": ...}), "context_missing", "/@context"),
    (_minimal(**{"@context": VC2_CONTEXT}), "context_missing", "/@context"),
    (_minimal(**{"@context": []}), "context_missing", "/@context"),
    (_minimal(**{"@context": [OB_CONTEXT, VC2_CONTEXT]}), "context_not_vc", "/@context/0"),
    (_minimal(**{"@context": [{"@vocab": "https://example.org/"}]}), "context_not_vc", "/@context/0"),
    (_minimal(type=["OpenBadgeCredential"]), "type_not_vc", "/type"),
    (_minimal(type=...), "type_not_vc", "/type"),
    (_minimal(type=7), "type_not_vc", "/type"),
    (_minimal(credentialSubject=...), "subject_missing", "/credentialSubject"),
    (_minimal(credentialSubject="did:example:1"), "subject_missing", "/credentialSubject"),
])
def test_parse_failures_stop_the_report_with_a_code(raw, code, path):
    report = verify(raw)
    assert not report.verified
    assert [c.name for c in report.checks] == ["parse"]
    [problem] = report.problems
    assert (problem.code, problem.path, problem.type) == (code, path, P.PARSING_ERROR)
    assert report.credential is None


@pytest.mark.parametrize(("context", "model"), [(VC2_CONTEXT, "2.0"), (VC1_CONTEXT, "1.1")])
def test_parse_names_the_data_model(context, model):
    credential, result = parse_credential(json.dumps(_minimal(**{"@context": [context]})))
    assert credential is not None and result.outcome.value == "pass"
    assert result.details == {"dataModel": model}


def test_parse_accepts_a_string_type_and_a_subject_array():
    credential, result = parse_credential(_minimal(type="VerifiableCredential", credentialSubject=[{"id": "x:1"}]))
    assert credential is not None and result.outcome.value == "pass"


def test_json_text_and_bytes_verify_like_the_object(signed):
    as_object = verify(signed).as_dict()
    assert as_object["verified"] is True
    assert verify(json.dumps(signed)).as_dict() == as_object
    assert verify(json.dumps(signed).encode("utf-8")).as_dict() == as_object


def test_an_inline_context_is_processed_and_accepted(signed):
    # VCDM 2.0 §4.3: @context items are URLs and/or objects; an object is part of the signed document.
    signed["@context"].append({"favourite": "https://example.org/favourite"})
    report = verify(signed)
    assert outcomes(report)["contexts"][0] == "pass"
    assert report.verified  # an unused term leaves the RDF dataset, and so the signature, unchanged


def test_an_inline_context_redefining_a_protected_term_is_refused(signed):
    signed["@context"].append({"name": "https://evil.example/name"})
    report = verify(signed)
    assert outcomes(report)["contexts"] == ("fail", ["jsonld_protected_term_redefinition"])
    assert report.check("contexts").problems[0].path == f"/@context/{len(signed['@context']) - 1}"
    assert not report.verified


@pytest.mark.parametrize(("entry", "code"), [
    # JSON-LD 1.1 API §4.2.2 step 5: `@context` is a keyword, so a context definition cannot define it.
    ({"@context": {"favourite": "https://example.org/favourite"}}, "jsonld_syntax"),
    ({"@import": "https://example.org/remote.jsonld"}, "context_unknown"),  # never fetched
    ({"favourite": {"@id": "https://example.org/f", "@context": "https://example.org/c"}}, "context_unknown"),
    (7, "context_invalid"),
])
def test_invalid_inline_contexts_are_refused_with_a_code(signed, entry, code):
    signed["@context"].append(entry)
    report = verify(signed)
    assert outcomes(report)["contexts"] == ("fail", [code])
    assert not report.verified


def test_unknown_context_is_refused(signed):
    signed["@context"].insert(1, "https://example.org/my-context.jsonld")
    report = verify(signed)
    problem = report.check("contexts").problems[0]
    assert (problem.code, problem.path) == ("context_unknown", "/@context/1")
    assert "https://example.org/my-context.jsonld" in problem.detail
    assert not report.verified


def test_allowlist_is_the_callers_when_given(signed):
    assert outcomes(verify(signed, allowed_contexts=frozenset(signed["@context"])))["contexts"] == ("pass", [])
    narrowed = verify(signed, allowed_contexts=frozenset({VC2_CONTEXT}))
    assert outcomes(narrowed)["contexts"] == ("fail", ["context_unknown"])
    assert narrowed.check("contexts").problems[0].path == "/@context/1"
    # an empty allowlist trusts nothing (it does not fall back to the bundled contexts)
    assert outcomes(verify(signed, allowed_contexts=frozenset()))["contexts"] == ("fail", ["context_unknown"])
