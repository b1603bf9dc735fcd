"""Index, id and type maps (JSON-LD 1.1 API §5.1.2 step 13.8)."""

from __future__ import annotations

from typing import Any

from issuer.jsonld import safe
from issuer.jsonld.active import UNSET, ActiveContext, TermDefinition, expand_iri
from issuer.jsonld.context import apply_context
from issuer.jsonld.expand import _id_value, expand_element, expand_value


def expand_map_container(active: ActiveContext, td: TermDefinition, key: str, value: dict,
                         base_url: str | None) -> list:
    """Expand an @index / @id / @type map into a list of expanded items."""
    container = td.container
    index_key = td.index or "@index"
    by_id_or_type = "@id" in container or "@type" in container
    out: list = []
    for index in sorted(value):
        map_context = active
        if by_id_or_type:
            map_context = active.previous or active
        if "@type" in container:
            itd = map_context.terms.get(index)
            if itd is not None and itd.context is not UNSET:
                map_context = apply_context(map_context, itd.context, itd.base_url, key=itd.context_key)
        expanded_index = active.vocab_iri(index)
        items = expand_element(map_context, key, value[index], base_url, from_map=True)
        for item in items if isinstance(items, list) else [items]:
            out.append(_tag(active, td, index, index_key, expanded_index, item))
    return out


def _tag(active: ActiveContext, td: TermDefinition, index: str, index_key: str,
         expanded_index: str | None, item: Any) -> Any:
    container = td.container
    if "@graph" in container and not (isinstance(item, dict) and "@graph" in item):
        item = {"@graph": item if isinstance(item, list) else [item]}
    if "@index" in container and index_key != "@index" and expanded_index != "@none":
        prop_iri = expand_iri(active, index_key, vocab=True)
        if "@value" in item:
            safe.syntax("invalid value object", index_key)
        re_expanded = expand_value(active, active.terms.get(index_key), index)
        item[prop_iri] = [re_expanded] + item.get(prop_iri, [])  # type: ignore[index]
    elif "@index" in container and "@index" not in item and expanded_index != "@none":
        item["@index"] = index
    elif "@id" in container and "@id" not in item and expanded_index != "@none":
        item["@id"] = _id_value(active, index, vocab=False)
    elif "@type" in container and expanded_index != "@none":
        if expanded_index is None or ":" not in expanded_index:
            safe.fail(safe.RELATIVE_TYPE, f"type map key {index!r} would be a relative IRI")
        item["@type"] = [expanded_index] + item.get("@type", [])
    return item
