"""Create Term Definition (JSON-LD 1.1 API §4.2.2), incl. @protected, scoped contexts."""

from __future__ import annotations

from typing import Any

from issuer.errors import JsonLdError
from issuer.jsonld import safe
from issuer.jsonld.active import ActiveContext, TermDefinition, expand_iri
from issuer.jsonld.iri import KEYWORDS, ends_with_gen_delim, is_absolute, is_bcp47, is_keyword_form

_TERM_KEYS = frozenset({"@id", "@reverse", "@container", "@context", "@direction", "@index",
                        "@language", "@nest", "@prefix", "@protected", "@type"})
_CONTAINERS = frozenset({"@graph", "@id", "@index", "@language", "@list", "@set", "@type"})


def create_term_definition(active: ActiveContext, local: dict, term: str, defined: dict[str, bool],
                           *, base_url: str | None = None, protected: bool = False,
                           override_protected: bool = False, remote: tuple[str, ...] = ()) -> None:
    """Define `term` from `local` in `active` (which is still being built)."""
    if term in defined:
        if defined[term]:
            return
        safe.syntax("cyclic IRI mapping", term)
    if term == "":
        safe.syntax("invalid term definition", term)
    defined[term] = False
    value = local[term]
    if term == "@type" and isinstance(value, dict) and value and set(value) <= {"@container", "@protected"} \
            and value.get("@container", "@set") == "@set":
        pass
    elif term in KEYWORDS:
        safe.syntax("keyword redefinition", term)
    elif is_keyword_form(term):
        safe.fail(safe.DROPPED, f"term {term!r} has the form of a keyword and would be ignored")
    previous = active.terms.pop(term, None)
    simple = False
    if value is None:
        value = {"@id": None}
    elif isinstance(value, str):
        value, simple = {"@id": value}, True
    elif not isinstance(value, dict):
        safe.syntax("invalid term definition", term)
    if not set(value) <= _TERM_KEYS:
        safe.syntax("invalid term definition", term)
    td = TermDefinition()
    flag = value.get("@protected", protected)
    if not isinstance(flag, bool):
        safe.syntax("invalid @protected value", term)
    td.protected = flag
    if "@type" in value:
        _set_type(active, local, defined, td, value["@type"])
    if "@reverse" in value:
        _define_reverse(active, local, defined, td, term, value)
    else:
        _set_iri(active, local, defined, td, term, value, simple)
        if "@container" in value:
            td.container = _container(value["@container"], td)
    if "@index" in value:
        index = value["@index"]
        if "@index" not in td.container or not isinstance(index, str) or index.startswith("@"):
            safe.syntax("invalid term definition", term)
        if not is_absolute(expand_iri(active, index, vocab=True) or ""):
            safe.syntax("invalid term definition", term)
        td.index = index
    if "@context" in value:
        _set_scoped_context(active, td, value["@context"], base_url, remote)
    if "@language" in value and "@type" not in value:
        language = value["@language"]
        if language is not None and not isinstance(language, str):
            safe.syntax("invalid language mapping", term)
        if isinstance(language, str) and not is_bcp47(language):
            safe.fail(safe.DROPPED, f"@language {language!r} of term {term!r} is malformed")
        td.language = language.lower() if isinstance(language, str) else None
    if "@direction" in value and "@type" not in value:
        if value["@direction"] not in (None, "ltr", "rtl"):
            safe.syntax("invalid base direction", term)
        td.direction = value["@direction"]
    if "@nest" in value:
        nest = value["@nest"]
        if not isinstance(nest, str) or (nest in KEYWORDS and nest != "@nest"):
            safe.syntax("invalid @nest value", term)
        td.nest = nest
    if "@prefix" in value:
        if ":" in term or "/" in term or not isinstance(value["@prefix"], bool):
            safe.syntax("invalid term definition", term)
        td.prefix = value["@prefix"]
        if td.prefix and td.iri in KEYWORDS:
            safe.syntax("invalid term definition", term)
    if not override_protected and previous is not None and previous.protected:
        if not td.same_as(previous):
            safe.fail(safe.PROTECTED, f"context redefines the protected term {term!r}")
        td = previous
    active.terms[term] = td
    defined[term] = True


def _set_type(active: ActiveContext, local: dict, defined: dict, td: TermDefinition, value: Any) -> None:
    if not isinstance(value, str):
        safe.syntax("invalid type mapping", value)
    iri = expand_iri(active, value, vocab=True, local=local, defined=defined)
    if iri not in ("@id", "@json", "@none", "@vocab") and not (iri and is_absolute(iri) and not iri.startswith("_:")):
        safe.syntax("invalid type mapping", value)
    td.type = iri


def _define_reverse(active: ActiveContext, local: dict, defined: dict, td: TermDefinition,
                    term: str, value: dict) -> None:
    reverse = value["@reverse"]
    if "@id" in value or "@nest" in value or not isinstance(reverse, str):
        safe.syntax("invalid reverse property", term)
    if is_keyword_form(reverse):
        safe.fail(safe.DROPPED, f"@reverse {reverse!r} of term {term!r} has a keyword form")
    iri = expand_iri(active, reverse, vocab=True, local=local, defined=defined)
    if iri is None or not is_absolute(iri):
        safe.syntax("invalid IRI mapping", term)
    td.iri, td.reverse = iri, True
    if "@container" in value:
        container = value["@container"]
        if container not in (None, "@set", "@index"):
            safe.syntax("invalid reverse property", term)
        td.container = frozenset([container]) if container else frozenset()


def _set_iri(active: ActiveContext, local: dict, defined: dict, td: TermDefinition, term: str,
             value: dict, simple: bool) -> None:
    """§4.2.2 steps 14-20: the IRI mapping and the prefix flag."""
    if "@id" in value and value["@id"] != term:
        ident = value["@id"]
        if ident is None:
            return
        if not isinstance(ident, str):
            safe.syntax("invalid IRI mapping", term)
        if ident not in KEYWORDS and is_keyword_form(ident):
            safe.fail(safe.DROPPED, f"term {term!r} maps to the reserved form {ident!r}")
        iri = expand_iri(active, ident, vocab=True, local=local, defined=defined)
        if iri is None or (iri not in KEYWORDS and not is_absolute(iri)):
            safe.syntax("invalid IRI mapping", term)
        if iri == "@context":
            safe.syntax("invalid keyword alias", term)
        td.iri = iri
        if (":" in term[1:-1] or "/" in term):
            defined[term] = True
            if expand_iri(active, term, vocab=True, local=local, defined=defined) != iri:
                safe.syntax("invalid IRI mapping", term)
        if ":" not in term and "/" not in term and simple:
            td.prefix = ends_with_gen_delim(iri) or iri.startswith("_:")
        return
    colon = term.find(":", 1)
    if colon > 0:
        prefix, suffix = term[:colon], term[colon + 1:]
        if prefix in local:
            create_term_definition(active, local, prefix, defined)
        ptd = active.terms.get(prefix)
        td.iri = ptd.iri + suffix if ptd is not None and ptd.iri is not None else term
    elif "/" in term:
        iri = expand_iri(active, term, vocab=True)
        if iri is None or not is_absolute(iri):
            safe.syntax("invalid IRI mapping", term)
        td.iri = iri
    elif term == "@type":
        td.iri = "@type"
    elif active.vocab is None:
        safe.syntax("invalid IRI mapping", term)
    else:
        td.iri = active.vocab + term


def _container(value: Any, td: TermDefinition) -> frozenset[str]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(v, str) and v in _CONTAINERS for v in items):
        safe.syntax("invalid container mapping", value)
    container = frozenset(items)
    if "@list" in container and len(container) > 1:
        safe.syntax("invalid container mapping", value)
    if "@type" in container:
        if td.type is None:
            td.type = "@id"
        elif td.type not in ("@id", "@vocab"):
            safe.syntax("invalid type mapping", td.type)
    return container


def _set_scoped_context(active: ActiveContext, td: TermDefinition, context: Any,
                        base_url: str | None, remote: tuple[str, ...]) -> None:
    """§4.2.2 step 21: keep the scoped context, validated once here."""
    from issuer.jsonld.context import context_key, process_context

    try:
        process_context(active, context, base_url, remote=remote, override_protected=True,
                        validate_scoped=False)
    except JsonLdError as exc:
        if exc.code == safe.SYNTAX or exc.code == safe.PROTECTED:
            raise JsonLdError(f"invalid scoped context: {exc.message}", code=safe.SYNTAX) from exc
        raise
    td.context, td.context_key, td.base_url = context, context_key(context), base_url
