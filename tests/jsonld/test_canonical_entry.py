"""issuer.canonical.rdfc_nquads is our implementation, with its contract (safe mode, closed loader)."""

from __future__ import annotations

import pytest

from issuer import canonical
from issuer.errors import ContextError, JsonLdError

from .conftest import DATA, V2, load, pyld_nquads


def test_rdfc_nquads_uses_issuer_jsonld() -> None:
    doc = load(DATA / "ob-credential-40-alignments.json")
    assert canonical.rdfc_nquads(doc) == pyld_nquads(doc)
    assert "pyld" not in canonical.__dict__ and "jsonld" not in canonical.__dict__


def test_rdfc_nquads_contract_errors() -> None:
    with pytest.raises(ContextError):
        canonical.rdfc_nquads({"@context": "https://example.org/unknown", "name": "x"})
    with pytest.raises(JsonLdError) as err:
        canonical.rdfc_nquads({"@context": [V2], "id": "urn:x", "unknownTerm": 1})
    assert err.value.code == "jsonld_undefined_term"
