"""RDF Dataset Canonicalization, RDFC-1.0 (W3C REC 2024-05-21), over N-Quads-form terms.

One function per algorithm of the spec: §4.4 canonicalize, §4.6 Hash First Degree Quads,
§4.7 Hash Related Blank Node, §4.8 Hash N-Degree Quads. SHA-256 throughout. Dataset
poisoning (§4.4 note, DI "MUST detect dataset poisoning") is bounded by a limit on
Hash N-Degree Quads calls, the reference implementation's default (work factor 1: as
many calls as there are blank nodes with a shared first-degree hash).
"""

from __future__ import annotations

from hashlib import sha256
from itertools import permutations

from issuer.jsonld import safe
from issuer.jsonld.nquads import statement

Quad = tuple[str, str, str, str]


class IdentifierIssuer:
    """§4.3 Identifier Issuer: prefix + counter, issued in order."""

    __slots__ = ("prefix", "counter", "issued")

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.counter = 0
        self.issued: dict[str, str] = {}

    def issue(self, existing: str) -> str:
        found = self.issued.get(existing)
        if found is None:
            found = self.issued[existing] = f"{self.prefix}{self.counter}"
            self.counter += 1
        return found

    def copy(self) -> IdentifierIssuer:
        out = IdentifierIssuer(self.prefix)
        out.counter, out.issued = self.counter, dict(self.issued)
        return out


class _State:
    """§4.2 Canonicalization state."""

    __slots__ = ("bnode_quads", "first_degree", "canonical", "budget")

    def __init__(self) -> None:
        self.bnode_quads: dict[str, list[Quad]] = {}
        self.first_degree: dict[str, str] = {}
        self.canonical = IdentifierIssuer("_:c14n")
        self.budget = 0


def canonicalize(quads: list[Quad], *, work_factor: int = 1) -> str:
    """§4.4 Canonicalization Algorithm, then §5 serialization: canonical N-Quads text."""
    state = _State()
    bnode_quads = state.bnode_quads
    for quad in quads:
        s, _, o, g = quad
        if s[0] == "_":
            bnode_quads.setdefault(s, []).append(quad)
        if o[0] == "_" and o != s:
            bnode_quads.setdefault(o, []).append(quad)
        if g and g[0] == "_" and g != s and g != o:
            bnode_quads.setdefault(g, []).append(quad)
    if not bnode_quads:
        return "".join(sorted(statement(*q) for q in quads))
    by_hash: dict[str, list[str]] = {}
    for node in bnode_quads:
        by_hash.setdefault(hash_first_degree_quads(state, node), []).append(node)
    shared: list[list[str]] = []
    for digest in sorted(by_hash):
        nodes = by_hash[digest]
        if len(nodes) == 1:
            state.canonical.issue(nodes[0])
        else:
            shared.append(nodes)
    state.budget = sum(len(n) for n in shared) ** work_factor
    for nodes in shared:
        results = []
        for node in nodes:
            if node in state.canonical.issued:
                continue
            issuer = IdentifierIssuer("_:b")
            issuer.issue(node)
            results.append(hash_n_degree_quads(state, node, issuer))
        results.sort(key=lambda r: r[0])
        for _, issuer in results:
            for existing in issuer.issued:
                state.canonical.issue(existing)
    return _serialize(quads, state.canonical.issued)


def _serialize(quads: list[Quad], labels: dict[str, str]) -> str:
    lines = []
    for s, p, o, g in quads:
        if s[0] == "_":
            s = labels[s]
        if o[0] == "_":
            o = labels[o]
        if g and g[0] == "_":
            g = labels[g]
        lines.append(statement(s, p, o, g))
    lines.sort()
    return "".join(lines)


def hash_first_degree_quads(state: _State, node: str) -> str:
    """§4.6: hash of the node's quads with itself as `_:a` and other blank nodes as `_:z`."""
    lines = []
    for s, p, o, g in state.bnode_quads[node]:
        if s[0] == "_":
            s = "_:a" if s == node else "_:z"
        if o[0] == "_":
            o = "_:a" if o == node else "_:z"
        if g and g[0] == "_":
            g = "_:a" if g == node else "_:z"
        lines.append(statement(s, p, o, g))
    lines.sort()
    digest = sha256("".join(lines).encode()).hexdigest()
    state.first_degree[node] = digest
    return digest


def hash_related_blank_node(state: _State, related: str, quad: Quad, issuer: IdentifierIssuer,
                            position: str) -> str:
    """§4.7 Hash Related Blank Node."""
    text = position if position == "g" else position + _unescaped_predicate(quad[1])
    label = state.canonical.issued.get(related) or issuer.issued.get(related)
    text += label if label is not None else state.first_degree[related]
    return sha256(text.encode()).hexdigest()


def _unescaped_predicate(term: str) -> str:
    """`<iri>` with any UCHAR escapes undone (the spec hashes the IRI itself)."""
    if "\\" not in term:
        return term
    return "<" + term[1:-1].encode("ascii", "backslashreplace").decode("unicode_escape") + ">"


def hash_n_degree_quads(state: _State, node: str, issuer: IdentifierIssuer) -> tuple[str, IdentifierIssuer]:
    """§4.8 Hash N-Degree Quads; returns (hash, issuer)."""
    if state.budget <= 0:
        safe.fail(safe.POISONED, "RDFC-1.0 work limit exceeded (possible dataset poisoning)")
    state.budget -= 1
    related_by_hash: dict[str, list[str]] = {}
    for quad in state.bnode_quads[node]:
        s, _, o, g = quad
        for component, position in ((s, "s"), (o, "o"), (g, "g")):
            if component and component[0] == "_" and component != node:
                digest = hash_related_blank_node(state, component, quad, issuer, position)
                related_by_hash.setdefault(digest, []).append(component)
    data = ""
    for digest in sorted(related_by_hash):
        data += digest
        chosen_path, chosen_issuer = "", issuer
        for permutation in permutations(sorted(related_by_hash[digest])):
            path, issuer_copy = _path(state, permutation, issuer.copy(), chosen_path)
            if path is not None and (not chosen_path or path < chosen_path):
                chosen_path, chosen_issuer = path, issuer_copy
        data += chosen_path
        issuer = chosen_issuer
    return sha256(data.encode()).hexdigest(), issuer


def _path(state: _State, permutation: tuple[str, ...], issuer: IdentifierIssuer,
          chosen: str) -> tuple[str | None, IdentifierIssuer]:
    """§4.8.3 step 5.4: the path of one permutation, or None once it cannot win."""
    path = ""
    recursion = []
    for related in permutation:
        label = state.canonical.issued.get(related)
        if label is None:
            if related not in issuer.issued:
                recursion.append(related)
            label = issuer.issue(related)
        path += label
        if chosen and path > chosen:
            return None, issuer
    for related in recursion:
        digest, issuer = hash_n_degree_quads(state, related, issuer)
        path += issuer.issue(related) + f"<{digest}>"
        if chosen and path > chosen:
            return None, issuer
    return path, issuer
