"""The error roots' field paths are RFC 6901 JSON pointers: `~` and `/` inside a segment are escaped."""

from __future__ import annotations

from issuer.errors import JsonLdError, json_pointer
from pipeline.errors import pointer


def test_json_pointer_escapes_and_the_root_is_empty():
    assert json_pointer(()) == ""
    assert json_pointer(("credentialSubject", 0, "https://schema.org/name", "a~b")) == \
        "/credentialSubject/0/https:~1~1schema.org~1name/a~0b"
    assert pointer("results", 0, "score") == json_pointer(("results", 0, "score")) == "/results/0/score"


def test_an_issuer_error_reports_its_path_as_a_pointer():
    error = JsonLdError("undefined term", code="jsonld_undefined_term", path=("issuer", "https://example.org/x"))
    assert error.as_dict() == {"code": "jsonld_undefined_term", "message": "undefined term",
                               "path": "/issuer/https:~1~1example.org~1x"}


def test_every_package_root_shares_one_shape():
    from issuer.errors import CodedError, IssuerError
    from pipeline.errors import PipelineError
    from verifier.errors import VerifierError

    assert all(issubclass(root, CodedError) for root in (IssuerError, PipelineError, VerifierError))
    assert PipelineError("bad score", code="score_out_of_range", path="/results/0/score").as_dict() == \
        {"code": "score_out_of_range", "message": "bad score", "path": "/results/0/score"}
    assert VerifierError("refused", code="fetch_forbidden").as_dict() == {"code": "fetch_forbidden", "message": "refused"}
