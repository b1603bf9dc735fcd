"""Every bundled context processes; processed contexts are cached and shared."""

from __future__ import annotations

import pytest

from issuer.contexts import known_urls
from issuer.jsonld.context import EMPTY, apply_context

from .conftest import OB, V2


@pytest.mark.parametrize("url", sorted(known_urls()))
def test_every_bundled_context_processes(url: str) -> None:
    active = apply_context(EMPTY, url, None)
    assert active.terms or active.vocab, url
    for term, definition in active.terms.items():
        assert definition.iri is None or ":" in definition.iri or definition.iri.startswith("@"), term


def test_processed_context_is_cached_and_shared() -> None:
    first = apply_context(EMPTY, [V2, OB], None)
    assert apply_context(EMPTY, [V2, OB], None) is first
    assert first.terms["name"].protected


def test_type_scoped_context_is_cached() -> None:
    active = apply_context(EMPTY, [V2, OB], None)
    td = active.terms["Achievement"]
    scoped = apply_context(active, td.context, td.base_url, key=td.context_key, propagate=False)
    assert scoped is apply_context(active, td.context, td.base_url, key=td.context_key, propagate=False)
    assert scoped.previous is active  # type-scoped contexts do not propagate
