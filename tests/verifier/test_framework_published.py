"""The standalone verifier's framework check reads the published framework documents (issue 14):
a version it does not hold is fetched from the cited URL and accepted only when its bytes match
the pinned digest; the publisher's versions.json names the current version."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from issuer.frameworks import FrameworkRegistry
from pipeline.framework_catalog import add_framework_version, load_registry
from tests.frameworks.testdata import CROSSWALK, PT, PT_V2611, PT_V2611_POLICY
from tests.publish.conftest import NOW, PUBLIC, URLS, make_published
from verifier.errors import FetchError
from verifier.framework_check import check_framework

BUNDLED = FrameworkRegistry.bundled()


class PublisherFetcher:
    """A `Fetcher` over the issuing service's real publishing app (the network boundary)."""

    def __init__(self, client) -> None:
        self.client, self.calls = client, []

    def fetch(self, url: str, *, accept: str = "application/json", max_age_s: float | None = None) -> bytes:
        self.calls.append(url)
        if not url.startswith(PUBLIC + "/"):
            raise FetchError(f"{url} is not allowed", code="fetch_not_allowed")
        response = self.client.get(urlsplit(url).path, headers={"Accept": accept})
        if response.status_code != 200:
            raise FetchError(f"{url} answered {response.status_code}", code="fetch_failed")
        return response.data


@pytest.fixture(scope="module")
def publisher(tmp_path_factory):
    folder = tmp_path_factory.mktemp("publisher")
    item = make_published(f"sqlite:///{folder / 'store.sqlite3'}", folder / "data")
    add_framework_version(item.services.sessions, document=PT_V2611.read_bytes(), policy=PT_V2611_POLICY.read_bytes(),
                          crosswalks=[CROSSWALK.read_bytes()], now=NOW)
    yield item
    item.services.close()


def published_v2611(publisher):
    with publisher.services.sessions() as session:
        return load_registry(session).get(PT, "v.26.11")


def citing(framework) -> dict:
    return {"type": ["VerifiableCredential", "OpenBadgeCredential"],
            "relatedResource": [{"id": URLS.document(framework), "digestSRI": framework.digest_sri}]}


def test_held_version_names_the_published_current_one(publisher):
    fetcher = PublisherFetcher(publisher.client)
    result = check_framework(citing(BUNDLED.get(PT, "v.26.05")), BUNDLED, fetcher)
    assert result.outcome.value == "pass"
    assert "Assessed against v.26.05; v.26.11 is current." in result.summary
    assert result.details["newerVersions"] == ["v.26.11"] and result.details["attribution"]["line"] == "© EBSCOed"


def test_version_not_held_is_read_from_its_published_document(publisher):
    newer = published_v2611(publisher)
    fetcher = PublisherFetcher(publisher.client)
    result = check_framework(citing(newer), BUNDLED, fetcher)
    assert result.outcome.value == "pass" and result.details["source"] == "published"
    assert "This is the latest version." in result.summary and result.details["currentVersion"] == "v.26.11"
    assert URLS.document(newer) in fetcher.calls


def test_published_document_with_another_digest_is_not_used(publisher):
    newer = published_v2611(publisher)
    credential = citing(newer)
    credential["relatedResource"][0]["digestSRI"] = BUNDLED.get(PT, "v.26.05").digest_sri
    result = check_framework(credential, BUNDLED, PublisherFetcher(publisher.client))
    assert result.outcome.value == "cannot-check" and "does not match the pinned digest" in result.summary
    assert check_framework(citing(newer), BUNDLED).outcome.value == "cannot-check"  # no fetcher: not held
