"""Base direction (`@direction`) in the `i18n-datatype` rdfDirection mode (JSON-LD 1.1 API §8.6 step 13)."""

from __future__ import annotations

import pytest

from issuer.jsonld import canonical_nquads, to_rdf

from .conftest import V2

I18N = "https://www.w3.org/ns/i18n#"


@pytest.mark.parametrize(("name", "literal"), [
    ({"@value": "شهادة", "@language": "ar", "@direction": "rtl"}, f'"شهادة"^^<{I18N}ar_rtl>'),
    ({"@value": "Title", "@language": "EN-US", "@direction": "ltr"}, f'"Title"^^<{I18N}en-us_ltr>'),
    ({"@value": "Title", "@direction": "rtl"}, f'"Title"^^<{I18N}_rtl>'),
    ({"@value": "Title", "@language": "en"}, '"Title"@en'),
])
def test_a_directed_string_becomes_an_i18n_datatype_literal(name, literal):
    doc = {"@context": [V2], "id": "urn:x", "name": name}
    [quad] = to_rdf(doc)
    assert quad.object == literal


def test_a_default_direction_from_the_context_applies_to_plain_strings():
    doc = {"@context": [V2, {"@direction": "rtl", "@language": "he"}], "id": "urn:x", "name": "שלום"}
    assert canonical_nquads(doc) == f'<urn:x> <https://schema.org/name> "שלום"^^<{I18N}he_rtl> .\n'
