"""The active context and term definitions (JSON-LD 1.1 API §4.1), immutable once built.

An `ActiveContext` is never mutated after context processing returns it, so it can be
shared between documents and threads; it memoises IRI expansion of keys and the contexts
derived from it (`derived`).
"""

from __future__ import annotations

from typing import Any

from issuer.jsonld.iri import KEYWORDS, is_absolute, resolve

UNSET: Any = object()  # "no entry" for language / direction (None means explicit null)


class TermDefinition:
    """One term definition (JSON-LD 1.1 API §4.1, "term definition")."""

    __slots__ = ("iri", "reverse", "type", "container", "language", "direction", "context",
                 "context_key", "base_url", "protected", "prefix", "index", "nest")

    def __init__(self) -> None:
        self.iri: str | None = None
        self.reverse = False
        self.type: str | None = None
        self.container: frozenset[str] = frozenset()
        self.language: Any = UNSET
        self.direction: Any = UNSET
        self.context: Any = UNSET
        self.context_key: Any = None
        self.base_url: str | None = None
        self.protected = False
        self.prefix = False
        self.index: str | None = None
        self.nest: str | None = None

    def same_as(self, other: TermDefinition) -> bool:
        """Equal in everything but `protected` (§4.2.2 step 27: allowed redefinition)."""
        return (self.iri == other.iri and self.reverse == other.reverse and self.type == other.type
                and self.container == other.container and self.language == other.language
                and self.direction == other.direction and self.context == other.context
                and self.prefix == other.prefix and self.index == other.index
                and self.nest == other.nest)


class ActiveContext:
    """The active context: term definitions, @vocab, @base, default language, ..."""

    __slots__ = ("terms", "vocab", "base", "original_base", "language", "direction", "previous",
                 "iri_cache", "derived", "key_cache", "type_cache")

    def __init__(self, base: str | None = None) -> None:
        self.terms: dict[str, TermDefinition] = {}
        self.vocab: str | None = None
        self.base = base
        self.original_base = base
        self.language: str | None = None
        self.direction: str | None = None
        self.previous: ActiveContext | None = None
        self.iri_cache: dict[str, str | None] = {}
        self.derived: dict[Any, ActiveContext] = {}
        self.key_cache: dict[str, tuple[str, TermDefinition | None]] = {}
        self.type_cache: dict[str, str] = {}

    def clone(self) -> ActiveContext:
        """A fresh, unfrozen copy to build a derived context in (§4.1.2 step 1)."""
        out = ActiveContext(self.base)
        out.terms = dict(self.terms)
        out.vocab, out.original_base = self.vocab, self.original_base
        out.language, out.direction, out.previous = self.language, self.direction, self.previous
        return out

    def has_protected(self) -> bool:
        return any(td.protected for td in self.terms.values())

    def vocab_iri(self, value: str) -> str | None:
        """IRI expansion with vocab=true and no local context, memoised (§5.2.2)."""
        try:
            return self.iri_cache[value]
        except KeyError:
            result = expand_iri(self, value, vocab=True)
            if len(self.iri_cache) < 4096:
                self.iri_cache[value] = result
            return result


def key_info(active: ActiveContext, key: str) -> tuple[str, TermDefinition | None]:
    """(expanded IRI or keyword, term definition) of a map key; memoised when valid.

    Raises `jsonld_undefined_term` for a key that expands to nothing or to a relative IRI.
    """
    expanded = active.vocab_iri(key)
    if expanded is None or (expanded not in KEYWORDS and not is_absolute(expanded)):
        from issuer.jsonld import safe
        safe.fail(safe.UNDEFINED_TERM, f"property {key!r} is not defined by any context")
    info = (expanded, active.terms.get(key))
    if len(active.key_cache) < 4096:
        active.key_cache[key] = info
    return info


def expand_iri(active: ActiveContext, value: str, *, vocab: bool = False, relative: bool = False,
               local: dict | None = None, defined: dict | None = None) -> str | None:
    """IRI Expansion (JSON-LD 1.1 API §5.2.2); None for a null mapping or a reserved form."""
    if value in KEYWORDS:
        return value
    if value[:1] == "@" and value[1:].isalpha() and value.isascii():
        return None  # reserved keyword form (§5.2.2 step 2)
    if local is not None and value in local and defined.get(value) is not True:  # type: ignore[union-attr]
        from issuer.jsonld.terms import create_term_definition
        create_term_definition(active, local, value, defined)  # type: ignore[arg-type]
    td = active.terms.get(value)
    if td is not None:
        if td.iri in KEYWORDS:
            return td.iri
        if vocab:
            return td.iri
    colon = value.find(":")
    if colon > 0:
        prefix, suffix = value[:colon], value[colon + 1:]
        if prefix == "_" or suffix.startswith("//"):
            return value
        if local is not None and prefix in local and defined.get(prefix) is not True:  # type: ignore[union-attr]
            from issuer.jsonld.terms import create_term_definition
            create_term_definition(active, local, prefix, defined)  # type: ignore[arg-type]
        ptd = active.terms.get(prefix)
        if ptd is not None and ptd.iri is not None and ptd.prefix:
            return ptd.iri + suffix
        if is_absolute(value):
            return value
    if vocab and active.vocab is not None:
        return active.vocab + value
    if relative and active.base is not None:
        return resolve(value, active.base)
    return value
