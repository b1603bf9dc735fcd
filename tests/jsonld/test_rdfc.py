"""RDFC-1.0 on datasets whose blank nodes share first-degree hashes (Hash N-Degree Quads),
the work limit against dataset poisoning, and relabelling independence."""

from __future__ import annotations

import random

import pytest

from issuer.errors import JsonLdError
from issuer.jsonld import canonical_nquads, to_rdf
from issuer.jsonld.rdfc import canonicalize

from .conftest import pyld_nquads

EX = "https://example.org/"
P = f"<{EX}p>"


def test_symmetric_blank_nodes_match_pyld() -> None:
    doc = {"@context": {"@vocab": EX}, "@id": "urn:s",
           "item": [{"k": 1, "sub": {"v": "x"}}, {"k": 1, "sub": {"v": "x"}}, {"k": 2}]}
    assert canonical_nquads(doc) == pyld_nquads(doc)


def _cycle(n: int, prefix: str) -> list[tuple[str, str, str, str]]:
    return [(f"_:{prefix}{i}", P, f"_:{prefix}{(i + 1) % n}", "") for i in range(n)]


def test_two_cycles_need_n_degree_hashing() -> None:
    quads = _cycle(3, "x") + _cycle(3, "y")
    out = canonicalize(quads, work_factor=3)
    assert out.count("\n") == 6
    assert {line.split()[0] for line in out.splitlines()} == {f"_:c14n{i}" for i in range(6)}


def test_relabelling_and_reordering_do_not_change_the_result() -> None:
    quads = _cycle(4, "a") + [("_:a0", P, '"tag"', ""), ("<urn:s>", P, "_:a2", "_:a1")]
    expected = canonicalize(quads, work_factor=3)
    rng = random.Random(7)
    for _ in range(5):
        names = {f"_:a{i}": f"_:q{rng.randrange(10**6)}x{i}" for i in range(4)}
        shuffled = [tuple(names.get(t, t) for t in q) for q in quads]
        rng.shuffle(shuffled)
        assert canonicalize(shuffled, work_factor=3) == expected  # type: ignore[arg-type]


def test_poisoned_dataset_is_rejected() -> None:
    # a clique-like graph of indistinguishable blank nodes: exponential work for RDFC-1.0
    nodes = [f"_:n{i}" for i in range(8)]
    quads = [(a, P, b, "") for a in nodes for b in nodes if a != b]
    with pytest.raises(JsonLdError) as err:
        canonicalize(quads)
    assert err.value.code == "jsonld_dataset_poisoning"


def test_no_blank_nodes_is_sorted_serialization() -> None:
    quads = [(f"<urn:{c}>", P, '"x"', "") for c in "cab"]
    assert canonicalize(quads) == "".join(f"<urn:{c}> {P} \"x\" .\n" for c in "abc")


def test_to_rdf_returns_quads() -> None:
    (quad,) = to_rdf({"@context": {"@vocab": EX}, "@id": "urn:s", "p": "v"})
    assert quad == ("<urn:s>", f"<{EX}p>", '"v"', "")
    assert quad.graph == ""


@pytest.mark.parametrize(("count", "rejected"), [(3, False), (4, True), (6, True)])
def test_work_limit_is_the_references(count: int, rejected: bool) -> None:
    # recorded with jsonld.js 9 / rdf-canonize 5 (maxWorkFactor 1): a list of 3 equal strings
    # canonicalizes, 4 or more raise "Maximum deep iterations exceeded"
    doc = {"@context": {"@vocab": EX, "steps": {"@container": "@list"}}, "@id": "urn:x", "steps": [""] * count}
    if rejected:
        with pytest.raises(JsonLdError) as err:
            canonical_nquads(doc)
        assert err.value.code == "jsonld_dataset_poisoning"
        assert canonical_nquads(doc, work_factor=3) == pyld_nquads(doc)
    else:
        assert canonical_nquads(doc) == pyld_nquads(doc)
