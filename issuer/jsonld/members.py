"""Expansion of the members of one map (JSON-LD 1.1 API §5.1.2 step 13), safe mode."""

from __future__ import annotations

from typing import Any

from issuer.errors import JsonLdError
from issuer.jsonld import safe
from issuer.jsonld.active import UNSET, ActiveContext, expand_iri, key_info
from issuer.jsonld.expand import (_id_value, _with_path, check_language, expand_element,
                                  expand_value)
from issuer.jsonld.iri import is_absolute


def expand_members(active: ActiveContext, type_scoped: ActiveContext, prop: str | None, element: dict,
                   result: dict, nests: list[str], base_url: str | None, input_type: str | None) -> None:
    """Add the expansion of each member of `element` to `result` (keywords and properties)."""
    key_cache = active.key_cache
    for key, value in element.items():
        if key == "@context":
            continue
        try:
            info = key_cache.get(key)
            expanded, td = key_info(active, key) if info is None else info
            if expanded[0] == "@":
                _keyword(active, type_scoped, prop, key, expanded, value, result, nests, base_url,
                         input_type)
                continue
            if expanded[0] == "_" and expanded.startswith("_:"):
                safe.fail(safe.BLANK_PREDICATE, f"property {key!r} expands to a blank node")
            if value.__class__ is str and td is not None and td.context is UNSET and not td.container \
                    and not td.reverse and td.type != "@json":
                bucket = result.get(expanded)
                if bucket is None:
                    result[expanded] = [expand_value(active, td, value)]
                else:
                    bucket.append(expand_value(active, td, value))
                continue
            _property(active, td, key, expanded, value, result, base_url)
        except JsonLdError as exc:
            raise _with_path(exc, key) from None


def _property(active: ActiveContext, td: Any, key: str, expanded: str, value: Any, result: dict,
              base_url: str | None) -> None:
    """§5.1.2 steps 13.5-13.14 for a property member."""
    container = td.container if td is not None else frozenset()
    if td is not None and td.type == "@json":
        values: Any = {"@value": value, "@type": "@json"}
    elif "@language" in container and isinstance(value, dict):
        values = _language_map(active, td, value)
    elif container & {"@index", "@type", "@id"} and isinstance(value, dict):
        from issuer.jsonld.maps import expand_map_container
        values = expand_map_container(active, td, key, value, base_url)
    else:
        values = expand_element(active, key, value, base_url)
    if values is None:
        return
    if "@list" in container and not (isinstance(values, dict) and "@list" in values):
        values = {"@list": values if isinstance(values, list) else [values]}
    if "@graph" in container and "@id" not in container and "@index" not in container:
        values = [{"@graph": v if isinstance(v, list) else [v]}
                  for v in (values if isinstance(values, list) else [values])]
    if td is not None and td.reverse:
        reverse = result.setdefault("@reverse", {})
        for item in values if isinstance(values, list) else [values]:
            if "@value" in item or "@list" in item:
                safe.syntax("invalid reverse property value", key)
            reverse.setdefault(expanded, []).append(item)
        return
    bucket = result.get(expanded)
    if bucket is None:
        result[expanded] = values if isinstance(values, list) else [values]
    elif isinstance(values, list):
        bucket.extend(values)
    else:
        bucket.append(values)


def _language_map(active: ActiveContext, td: Any, value: dict) -> list:
    """§5.1.2 step 13.7: a language map becomes language-tagged strings."""
    direction = td.direction if td.direction is not UNSET else active.direction
    out = []
    for language in sorted(value):
        expanded_lang = active.vocab_iri(language)
        for item in value[language] if isinstance(value[language], list) else [value[language]]:
            if item is None:
                continue
            if not isinstance(item, str):
                safe.syntax("invalid language map value", item)
            v: dict[str, Any] = {"@value": item}
            if expanded_lang != "@none":
                v["@language"] = check_language(language)
            if direction is not None:
                v["@direction"] = direction
            out.append(v)
    return out


def _keyword(active: ActiveContext, type_scoped: ActiveContext, prop: str | None, key: str,
             expanded: str, value: Any, result: dict, nests: list[str], base_url: str | None,
             input_type: str | None) -> bool:
    """§5.1.2 step 13.4: one keyword member."""
    if prop == "@reverse":
        safe.syntax("invalid reverse property map", key)
    if expanded in result and expanded not in ("@included", "@type"):
        safe.syntax("colliding keywords", expanded)
    if expanded == "@id":
        if value is None:
            safe.fail(safe.DROPPED, "a null @id would be dropped")
        if not isinstance(value, str):
            safe.syntax("invalid @id value", value)
        result["@id"] = _id_value(active, value, vocab=False)
    elif expanded == "@type":
        result["@type"] = _types(type_scoped, value, result.get("@type"))
    elif expanded == "@graph":
        if not isinstance(value, (dict, list)):
            safe.syntax("invalid @graph value", value)
        graph = expand_element(active, "@graph", value, base_url)
        result["@graph"] = graph if isinstance(graph, list) else [graph]
    elif expanded == "@included":
        included = expand_element(active, None, value, base_url)
        included = included if isinstance(included, list) else [included]
        if not all(isinstance(n, dict) and "@value" not in n and "@list" not in n for n in included):
            safe.syntax("invalid @included value", value)
        result.setdefault("@included", []).extend(included)
    elif expanded == "@value":
        if input_type == "@json":
            result["@value"] = value
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            safe.syntax("invalid value object value", value)
        else:
            result["@value"] = value
    elif expanded == "@language":
        result["@language"] = check_language(value)
    elif expanded == "@direction":
        if value not in ("ltr", "rtl"):
            safe.syntax("invalid base direction", value)
        result["@direction"] = value
    elif expanded == "@index":
        if not isinstance(value, str):
            safe.syntax("invalid @index value", value)
        result["@index"] = value
    elif expanded == "@list":
        if prop is None or prop == "@graph":
            safe.fail(safe.DROPPED, "a free-floating @list would be dropped")
        items = expand_element(active, prop, value, base_url, inside_list=True)
        result["@list"] = items if isinstance(items, list) else ([] if items is None else [items])
    elif expanded == "@set":
        result["@set"] = expand_element(active, prop, value, base_url)
    elif expanded == "@reverse":
        _reverse(active, value, result, base_url)
    elif expanded == "@nest":
        nests.append(key)
    else:
        # @context is skipped by the caller; other keywords have no meaning in a node.
        safe.fail(safe.DROPPED, f"keyword {key!r} has no meaning here and would be dropped")
    return True


def _types(type_scoped: ActiveContext, value: Any, existing: Any) -> Any:
    """@type values: IRIs expanded with the type-scoped context, never relative."""
    items = value if isinstance(value, list) else [value]
    cache = type_scoped.type_cache
    out = []
    for item in items:
        iri = cache.get(item) if item.__class__ is str else None
        if iri is None:
            iri = _type_iri(type_scoped, item)
        out.append(iri)
    if existing is not None:
        out = (existing if isinstance(existing, list) else [existing]) + out
    return out if isinstance(value, list) or existing is not None else out[0]


def _type_iri(type_scoped: ActiveContext, item: Any) -> str:
    """One @type value expanded (vocab- and document-relative), absolute or an error."""
    if not isinstance(item, str):
        safe.syntax("invalid type value", item)
    iri = expand_iri(type_scoped, item, vocab=True, relative=True)
    if iri is None:
        safe.fail(safe.DROPPED, f"type {item!r} has the form of a keyword")
    if iri != "@json" and not is_absolute(iri):
        safe.fail(safe.RELATIVE_TYPE, f"type {item!r} is not defined and would be a relative IRI")
    if len(type_scoped.type_cache) < 4096:
        type_scoped.type_cache[item] = iri
    return iri


def _reverse(active: ActiveContext, value: Any, result: dict, base_url: str | None) -> None:
    if not isinstance(value, dict):
        safe.syntax("invalid @reverse value", value)
    expanded = expand_element(active, "@reverse", value, base_url)
    for rprop, items in expanded.get("@reverse", {}).items():
        result.setdefault(rprop, []).extend(items)
    others = {k: v for k, v in expanded.items() if k != "@reverse"}
    if others:
        reverse = result.setdefault("@reverse", {})
        for rprop, items in others.items():
            for item in items:
                if "@value" in item or "@list" in item:
                    safe.syntax("invalid reverse property value", rprop)
                reverse.setdefault(rprop, []).append(item)
