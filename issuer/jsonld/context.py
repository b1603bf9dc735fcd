"""Context Processing (JSON-LD 1.1 API §4.1.2), with processed contexts cached.

Remote contexts resolve only through the bundled loader (`issuer.contexts`); an unknown
URL raises `ContextError`. Results are memoised on the (immutable) active context they
were derived from, keyed by the local context, so a credential's `@context` list and the
type- and property-scoped contexts it triggers are processed once per process.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import orjson

from issuer.contexts import load_context
from issuer.errors import JsonLdError
from issuer.jsonld import safe
from issuer.jsonld.active import ActiveContext, expand_iri
from issuer.jsonld.iri import is_absolute, is_bcp47, resolve

MAX_REMOTE_DEPTH = 32
_MAX_DERIVED = 512
_CONTEXT_KEYWORDS = frozenset({"@base", "@direction", "@import", "@language", "@propagate",
                               "@protected", "@version", "@vocab"})

EMPTY = ActiveContext()


def context_key(local: Any) -> Any:
    """A hashable key for a local context value (URL, list of URLs or inline JSON)."""
    if isinstance(local, str):
        return local
    if isinstance(local, list) and all(isinstance(c, str) for c in local):
        return tuple(local)
    try:
        return ("json", orjson.dumps(local, option=orjson.OPT_SORT_KEYS))
    except TypeError as exc:
        raise JsonLdError("context is not JSON", code=safe.SYNTAX) from exc


def apply_context(active: ActiveContext, local: Any, base_url: str | None, *,
                  key: Any = None, override_protected: bool = False,
                  propagate: bool = True) -> ActiveContext:
    """`process_context`, memoised on `active` (safe: active contexts are immutable)."""
    cache_key = (context_key(local) if key is None else key, base_url, override_protected, propagate)
    found = active.derived.get(cache_key)
    if found is None:
        found = process_context(active, local, base_url, override_protected=override_protected,
                                propagate=propagate)
        if len(active.derived) < _MAX_DERIVED:
            active.derived[cache_key] = found
    return found


@lru_cache(maxsize=None)
def _remote_context(url: str) -> Any:
    """The `@context` value of a bundled context document (never fetched)."""
    document = load_context(url)
    if not isinstance(document, dict) or "@context" not in document:
        safe.syntax("invalid remote context", url)
    return document["@context"]


def process_context(active: ActiveContext, local: Any, base_url: str | None, *,
                    remote: tuple[str, ...] = (), override_protected: bool = False,
                    propagate: bool = True, validate_scoped: bool = True) -> ActiveContext:
    """Context Processing Algorithm (JSON-LD 1.1 API §4.1.2)."""
    result = active.clone()
    if isinstance(local, dict) and "@propagate" in local:
        propagate = local["@propagate"]
        if not isinstance(propagate, bool):
            safe.syntax("invalid @propagate value", propagate)
    if not propagate and result.previous is None:
        result.previous = active
    for context in local if isinstance(local, list) else [local]:
        if context is None:
            if not override_protected and result.has_protected():
                safe.fail(safe.PROTECTED, "a context nullification would drop protected terms")
            previous = result
            result = ActiveContext(active.original_base)
            if not propagate:
                result.previous = previous
            continue
        if isinstance(context, str):
            url = resolve(context, base_url) if base_url is not None else context
            if not validate_scoped and url in remote:
                continue
            if len(remote) > MAX_REMOTE_DEPTH:
                safe.syntax("context overflow", url)
            result = process_context(result, _remote_context(url), url, remote=remote + (url,),
                                     validate_scoped=validate_scoped)
            continue
        if not isinstance(context, dict):
            safe.syntax("invalid local context", context)
        _process_local(result, context, base_url, remote, override_protected)
    return result


def _process_local(result: ActiveContext, context: dict, base_url: str | None,
                   remote: tuple[str, ...], override_protected: bool) -> None:
    """Steps 5.5-5.13 of §4.1.2 for one local context map (mutates `result`)."""
    from issuer.jsonld.terms import create_term_definition

    if "@version" in context and context["@version"] != 1.1:
        safe.syntax("invalid @version value", context["@version"])
    if "@import" in context:
        context = _imported(context, base_url)
    if "@base" in context and not remote:
        _set_base(result, context["@base"])
    if "@vocab" in context:
        _set_vocab(result, context["@vocab"])
    if "@language" in context:
        _set_language(result, context["@language"])
    if "@direction" in context:
        value = context["@direction"]
        if value not in (None, "ltr", "rtl"):
            safe.syntax("invalid base direction", value)
        result.direction = value
    if "@propagate" in context and not isinstance(context["@propagate"], bool):
        safe.syntax("invalid @propagate value", context["@propagate"])
    protected = context.get("@protected", False)
    if not isinstance(protected, bool):
        safe.syntax("invalid @protected value", protected)
    defined: dict[str, bool] = {}
    for term in context:
        if term not in _CONTEXT_KEYWORDS:
            create_term_definition(result, context, term, defined, base_url=base_url,
                                   protected=protected, override_protected=override_protected,
                                   remote=remote)


def _imported(context: dict, base_url: str | None) -> dict:
    """§4.1.2 step 5.6: merge an @import-ed context under the local one."""
    value = context["@import"]
    if not isinstance(value, str):
        safe.syntax("invalid @import value", value)
    url = resolve(value, base_url) if base_url is not None else value
    imported = _remote_context(url)
    if not isinstance(imported, dict) or "@import" in imported:
        safe.syntax("invalid remote context", url)
    merged = dict(imported)
    merged.update({k: v for k, v in context.items() if k != "@import"})
    return merged


def _set_base(result: ActiveContext, value: Any) -> None:
    if value is None:
        result.base = None
    elif isinstance(value, str) and is_absolute(value):
        result.base = value
    elif isinstance(value, str) and result.base is not None:
        result.base = resolve(value, result.base)
    else:
        safe.syntax("invalid base IRI", value)


def _set_vocab(result: ActiveContext, value: Any) -> None:
    if value is None:
        result.vocab = None
        return
    if not isinstance(value, str):
        safe.syntax("invalid vocab mapping", value)
    vocab = expand_iri(result, value, vocab=True, relative=True)
    if vocab is None or not is_absolute(vocab):
        safe.fail(safe.RELATIVE_IRI, f"@vocab {value!r} is not an absolute IRI")
    result.vocab = vocab


def _set_language(result: ActiveContext, value: Any) -> None:
    if value is None:
        result.language = None
    elif isinstance(value, str):
        if not is_bcp47(value):
            safe.fail(safe.DROPPED, f"@language {value!r} is not a well-formed language tag")
        result.language = value.lower()
    else:
        safe.syntax("invalid default language", value)
