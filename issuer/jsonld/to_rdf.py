"""Deserialize expanded JSON-LD to RDF quads (JSON-LD 1.1 API §8.1-§8.6).

Node objects are turned into quads where they appear (the same dataset the Node Map
Generation route produces, since a dataset is a set). Terms are kept in their N-Quads
form: `<iri>`, `_:label`, or a literal `"lexical"`, `"lexical"@lang`, `"lexical"^^<dt>`,
so the canonicalization and serialization steps never re-escape anything.

Base direction uses the `i18n-datatype` rdfDirection mode (§8.6 step 13), as the
eddsa-rdfc-2022 reference cryptosuite does: `{"@value": v, "@language": l, "@direction": d}`
becomes `"v"^^<https://www.w3.org/ns/i18n#l_d>` (language lower-cased, empty when absent).
"""

from __future__ import annotations

from typing import NamedTuple

from issuer.jsonld.literals import RDF, RDF_JSON, XSD_BOOLEAN, XSD_STRING, json_literal, number_literal
from issuer.jsonld.nquads import escape_iri, escape_literal

RDF_TYPE = f"<{RDF}type>"
RDF_FIRST = f"<{RDF}first>"
RDF_REST = f"<{RDF}rest>"
RDF_NIL = f"<{RDF}nil>"
I18N = "https://www.w3.org/ns/i18n#"


class Quad(NamedTuple):
    """One RDF quad, each term in N-Quads form; `graph` is "" for the default graph."""

    subject: str
    predicate: str
    object: str
    graph: str


class _Emitter:
    """Collects quads while walking the expanded document; issues blank node labels."""

    __slots__ = ("quads", "bnodes", "counter", "iris")

    def __init__(self) -> None:
        self.quads: dict[tuple[str, str, str, str], None] = {}
        self.bnodes: dict[str, str] = {}
        self.counter = 0
        self.iris: dict[str, str] = {}

    def fresh(self) -> str:
        self.counter += 1
        return f"_:b{self.counter - 1}"

    def term(self, iri: str) -> str:
        """The N-Quads term of an absolute IRI or a document blank node identifier."""
        found = self.iris.get(iri)
        if found is None:
            if iri.startswith("_:"):
                found = self.bnodes.get(iri)
                if found is None:
                    found = self.bnodes[iri] = self.fresh()
                return found
            found = self.iris[iri] = f"<{escape_iri(iri)}>"
        return found

    def node(self, node: dict, graph: str) -> str:
        """Emit a node object's quads in `graph`; returns its subject term."""
        ident = node.get("@id")
        subject = self.fresh() if ident is None else self.term(ident)
        quads = self.quads
        for prop, values in node.items():
            if prop[0] == "@":
                if prop == "@type":
                    for t in values:
                        quads[(subject, RDF_TYPE, self.term(t), graph)] = None
                elif prop == "@graph":
                    for inner in values:
                        self.node(inner, subject)
                elif prop == "@reverse":
                    self._reverse(values, subject, graph)
                elif prop == "@included":
                    for inner in values:
                        self.node(inner, graph)
                continue
            predicate = self.term(prop)
            for item in values:
                quads[(subject, predicate, self.object(item, graph), graph)] = None
        return subject

    def _reverse(self, reverse: dict, subject: str, graph: str) -> None:
        for prop, items in reverse.items():
            predicate = self.term(prop)
            for item in items:
                self.quads[(self.node(item, graph), predicate, subject, graph)] = None

    def object(self, item: dict, graph: str) -> str:
        if "@value" in item:
            return literal(item)
        if "@list" in item:
            return self.list(item["@list"], graph)
        return self.node(item, graph)

    def list(self, items: list, graph: str) -> str:
        """§8.5 List Conversion: rdf:first / rdf:rest chains, rdf:nil for an empty list."""
        if not items:
            return RDF_NIL
        labels = [self.fresh() for _ in items]
        for i, item in enumerate(items):
            self.quads[(labels[i], RDF_FIRST, self.object(item, graph), graph)] = None
            rest = labels[i + 1] if i + 1 < len(items) else RDF_NIL
            self.quads[(labels[i], RDF_REST, rest, graph)] = None
        return labels[0]


def literal(item: dict) -> str:
    """§8.6 Object to RDF Conversion for a value object, as an N-Quads literal term."""
    value = item["@value"]
    datatype = item.get("@type")
    if datatype == "@json":
        return f'"{escape_literal(json_literal(value))}"^^<{RDF_JSON}>'
    if value is True or value is False:
        lexical, datatype = ("true" if value else "false"), datatype or XSD_BOOLEAN
    elif isinstance(value, (int, float)):
        lexical, datatype = number_literal(value, datatype)
    elif "@direction" in item:
        lexical, datatype = value, direction_datatype(item.get("@language"), item["@direction"])
    elif "@language" in item:
        return f'"{escape_literal(value)}"@{item["@language"]}'
    else:
        lexical = value
    if datatype is None or datatype == XSD_STRING:
        return f'"{escape_literal(lexical)}"'
    return f'"{escape_literal(lexical)}"^^<{escape_iri(datatype)}>'


def direction_datatype(language: str | None, direction: str) -> str:
    """§8.6 step 13.2, rdfDirection `i18n-datatype`: the datatype IRI of a directed string."""
    return f"{I18N}{(language or '').lower()}_{direction}"


def dataset_from_expanded(expanded: list[dict]) -> list[tuple[str, str, str, str]]:
    """The RDF dataset (as unique quad tuples) of an expanded document."""
    emitter = _Emitter()
    for node in expanded:
        emitter.node(node, "")
    return list(emitter.quads)


__all__ = ["Quad", "dataset_from_expanded", "literal"]
