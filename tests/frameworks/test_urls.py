"""Stable URLs under the public base URL, with the version in the path."""

from __future__ import annotations

import pytest

from issuer.errors import FrameworkError
from issuer.frameworks import FrameworkUrls

BASE = "https://badges.example.org/frameworks/29-2052.00/v.26.05"


def test_every_url_form(fw, urls):
    assert urls.framework(fw) == BASE
    assert urls.document(fw) == BASE + ".json"
    assert urls.level(fw, "proficient") == BASE + "/levels/proficient"
    assert urls.statement(fw, "P03") == BASE + "/statements/P03"
    assert urls.rubric(fw) == BASE + "/rubric"
    assert urls.achievement(fw, "advanced") == BASE + "/achievements/advanced"
    assert urls.case(fw) == BASE + "/case.json"


def test_base_with_path_and_trailing_slash(fw):
    urls = FrameworkUrls("https://example.org/badges/")
    assert urls.base == "https://example.org/badges"
    assert urls.rubric(fw) == "https://example.org/badges/frameworks/29-2052.00/v.26.05/rubric"


@pytest.mark.parametrize("base", ["badges.example.org", "ftp://x.org", "https://x.org/?a=1", "https://x.org#f", ""])
def test_bad_base_url(base):
    with pytest.raises(FrameworkError) as err:
        FrameworkUrls(base)
    assert err.value.code == "base_url_invalid"


def test_parse_statement_url_roundtrip(fw, urls):
    for statement in fw.statements:
        ref = urls.parse_statement(urls.statement(fw, statement.code))
        assert (ref.code, ref.version, ref.statement) == (fw.code, fw.version, statement.code)
    assert urls.parse_statement("https://other.org/frameworks/29-2052.00/v.26.05/statements/P03") is None
    assert urls.parse_statement(BASE + "/levels/proficient") is None
    assert urls.parse_statement(BASE + "/statements/P03/extra") is None
