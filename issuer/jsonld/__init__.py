"""Our JSON-LD 1.1 processor for credentials: expansion and RDF conversion in safe mode,
RDFC-1.0 canonicalization and canonical N-Quads.

Public API:
- `canonical_nquads(document)`: RDFC-1.0 canonical N-Quads text of a JSON-LD document.
- `to_rdf(document)`: its RDF dataset as `Quad`s (terms in N-Quads form).
- `expand(document)`: its expanded form (JSON-LD 1.1 API §9.2.2).
- `check_context(local)`: process a document's `@context` value (Context Processing,
  §4.1.2) and raise what it finds: a protected term redefined, a keyword redefined
  (a context definition nested under an `@context` key is one, §4.2.2 step 5), a remote
  context that is not bundled.

Contexts resolve only through the bundled loader (`issuer.contexts`): an unknown URL
raises `ContextError`. Anything that would be dropped or become a relative IRI raises
`JsonLdError` with a specific code (see `issuer.jsonld.safe`). Relative IRIs are never
resolved against a document location (there is none: base is null).
"""

from __future__ import annotations

from typing import Any

from issuer.errors import JsonLdError
from issuer.jsondoc import MAX_DEPTH, json_depth
from issuer.jsonld import safe
from issuer.jsonld.expand import expand_document
from issuer.jsonld.rdfc import canonicalize
from issuer.jsonld.to_rdf import Quad, dataset_from_expanded

__all__ = ["Quad", "canonical_nquads", "check_context", "expand", "to_rdf"]


def expand(document: Any) -> list[dict]:
    """The expanded form of `document` (safe mode, bundled contexts only)."""
    _check_document(document)
    if json_depth(document) > MAX_DEPTH:
        raise JsonLdError(f"the document nests deeper than {MAX_DEPTH} levels", code="json_too_deep")
    try:
        return expand_document(document)
    except RecursionError as exc:  # defensive: MAX_DEPTH keeps expansion far from the recursion limit
        raise JsonLdError("document is nested too deeply", code="json_too_deep") from exc


def check_context(local: Any) -> None:
    """Run Context Processing over a document's `@context` value; raises what it finds.

    Inline context objects are part of the (signed) document: they are processed like any
    other context, never fetched, and still may not redefine a protected term.
    """
    from issuer.jsonld.context import EMPTY, apply_context

    try:
        apply_context(EMPTY, local, None)
    except RecursionError as exc:
        raise JsonLdError("context is nested too deeply", code=safe.SYNTAX) from exc


def to_rdf(document: Any) -> list[Quad]:
    """The RDF dataset of `document` (JSON-LD 1.1 API §8.1 Deserialize JSON-LD to RDF)."""
    return [Quad(*q) for q in dataset_from_expanded(expand(document))]


def canonical_nquads(document: Any, *, work_factor: int = 1) -> str:
    """RDFC-1.0 canonical N-Quads of `document`: expand, to RDF, canonicalize, serialize.

    `work_factor` bounds Hash N-Degree Quads calls to (blank nodes with shared hashes) **
    work_factor; 1 is the reference implementation's default, so what it rejects as
    possible dataset poisoning, we reject too (`jsonld_dataset_poisoning`).
    """
    return canonicalize(dataset_from_expanded(expand(document)), work_factor=work_factor)


def _check_document(document: Any) -> None:
    if not isinstance(document, (dict, list)):
        raise JsonLdError("a JSON-LD document is a JSON object or array", code=safe.SYNTAX)
