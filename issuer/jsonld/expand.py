"""Expansion Algorithm (JSON-LD 1.1 API §5.1.2) in safe mode.

Every place where §5.1.2 would silently drop a value, a property or an object, or leave a
relative IRI behind, raises `JsonLdError` instead (codes in `issuer.jsonld.safe`). Errors
carry the JSON path of the offending member.
"""

from __future__ import annotations

from typing import Any

from issuer.errors import JsonLdError
from issuer.jsonld import safe
from issuer.jsonld.active import UNSET, ActiveContext, TermDefinition, expand_iri
from issuer.jsonld.context import EMPTY, apply_context
from issuer.jsonld.iri import is_absolute, is_bcp47

_SCALARS = (str, int, float, bool)


def expand_document(document: Any, base: str | None = None) -> list[dict]:
    """JSON-LD 1.1 API §9.2.2 `expand()`: the expanded form of a whole document."""
    active = EMPTY if base is None else apply_context(EMPTY, {"@base": base}, None)
    result = expand_element(active, None, document, base)
    if isinstance(result, dict) and len(result) == 1 and "@graph" in result:
        result = result["@graph"]
    if result is None:
        return []
    return result if isinstance(result, list) else [result]


def _with_path(exc: JsonLdError, step: str | int) -> JsonLdError:
    exc.path = (step,) + tuple(exc.path)
    return exc


def expand_element(active: ActiveContext, prop: str | None, element: Any, base_url: str | None,
                   *, from_map: bool = False, inside_list: bool = False) -> Any:
    """§5.1.2 for one element; `prop` is the (unexpanded) active property."""
    if element is None:
        return None
    td = active.terms.get(prop) if prop is not None else None
    if isinstance(element, list):
        return _expand_array(active, prop, td, element, base_url, from_map, inside_list)
    if not isinstance(element, dict):
        if not isinstance(element, _SCALARS):
            safe.syntax("not a JSON value", type(element).__name__)
        if not inside_list and (prop is None or (td is not None and td.iri == "@graph") or prop == "@graph"):
            safe.fail(safe.DROPPED, f"free-floating scalar {element!r} would be dropped")
        if td is not None and td.context is not UNSET:
            active = apply_context(active, td.context, td.base_url, key=td.context_key,
                                   override_protected=True)
            td = active.terms.get(prop)  # type: ignore[arg-type]
        return expand_value(active, td, element)
    return _expand_map(active, prop, td, element, base_url, from_map, inside_list)


def _expand_array(active: ActiveContext, prop: str | None, td: TermDefinition | None, element: list,
                  base_url: str | None, from_map: bool, inside_list: bool) -> list:
    is_list = td is not None and "@list" in td.container
    result: list = []
    for i, item in enumerate(element):
        try:
            expanded = expand_element(active, prop, item, base_url, from_map=from_map,
                                      inside_list=inside_list or is_list)
        except JsonLdError as exc:
            raise _with_path(exc, i) from None
        if is_list and isinstance(expanded, list):
            expanded = {"@list": expanded}
        if isinstance(expanded, list):
            result.extend(expanded)
        elif expanded is not None:
            result.append(expanded)
    return result


def expand_value(active: ActiveContext, td: TermDefinition | None, value: Any) -> dict:
    """Value Expansion (§5.3.2)."""
    coerce = td.type if td is not None else None
    if coerce == "@id" and isinstance(value, str):
        return {"@id": _id_value(active, value, vocab=False)}
    if coerce == "@vocab" and isinstance(value, str):
        return {"@id": _id_value(active, value, vocab=True)}
    result: dict[str, Any] = {"@value": value}
    if coerce is not None and coerce not in ("@id", "@vocab", "@none"):
        result["@type"] = coerce
    elif isinstance(value, str):
        language = td.language if td is not None and td.language is not UNSET else active.language
        if language is not None:
            result["@language"] = language
        direction = td.direction if td is not None and td.direction is not UNSET else active.direction
        if direction is not None:
            result["@direction"] = direction
    return result


def _id_value(active: ActiveContext, value: str, *, vocab: bool) -> str:
    """An IRI-valued string (`@id`, or `@type: @id/@vocab` coercion), absolute or an error."""
    iri = expand_iri(active, value, vocab=vocab, relative=True)
    if iri is None:
        safe.fail(safe.DROPPED, f"{value!r} has the form of a keyword and would be dropped")
    if not is_absolute(iri):
        safe.fail(safe.RELATIVE_IRI, f"{value!r} would be a relative IRI reference")
    return iri


def _expand_map(active: ActiveContext, prop: str | None, td: TermDefinition | None, element: dict,
                base_url: str | None, from_map: bool, inside_list: bool) -> Any:
    """§5.1.2 steps 7-20 for a map."""
    if active.previous is not None and not from_map and not _keeps_context(active, element):
        active = active.previous
    if td is not None and td.context is not UNSET:
        active = apply_context(active, td.context, td.base_url, key=td.context_key,
                               override_protected=True)
    if "@context" in element:
        active = apply_context(active, element["@context"], base_url)
    type_scoped = active
    input_type = None
    type_keys = [k for k in element if k == "@type" or type_scoped.vocab_iri(k) == "@type"]
    if type_keys:
        type_keys.sort()
        for key in type_keys:
            values = element[key]
            terms = sorted(v for v in (values if isinstance(values, list) else [values]) if isinstance(v, str))
            for term in terms:
                ttd = type_scoped.terms.get(term)
                if ttd is not None and ttd.context is not UNSET:
                    active = apply_context(active, ttd.context, ttd.base_url, key=ttd.context_key,
                                           propagate=False)
        last = element[type_keys[0]]
        last = last[-1] if isinstance(last, list) and last else last
        if isinstance(last, str):
            input_type = expand_iri(active, last, vocab=True)
    result: dict[str, Any] = {}
    nests: list[str] = []
    from issuer.jsonld.members import expand_members
    expand_members(active, type_scoped, prop, element, result, nests, base_url, input_type)
    while nests:
        _expand_nested(active, type_scoped, prop, element, result, nests, base_url, input_type)
    return _finish_map(active, prop, td, result, inside_list)


def _keeps_context(active: ActiveContext, element: dict) -> bool:
    """§5.1.2 step 7: value objects and bare node references keep a non-propagated context."""
    vocab_iri = active.vocab_iri
    for key in element:
        if vocab_iri(key) == "@value":
            return True
    return len(element) == 1 and vocab_iri(next(iter(element))) == "@id"


def _expand_nested(active: ActiveContext, type_scoped: ActiveContext, prop: str | None, element: dict,
                   result: dict, nests: list[str], base_url: str | None, input_type: str | None) -> None:
    """§5.1.2 step 14: members under @nest-ing keys are expanded as if they were here."""
    from issuer.jsonld.members import expand_members

    key = nests.pop(0)
    values = element[key]
    for nested in values if isinstance(values, list) else [values]:
        if not isinstance(nested, dict) or any(active.vocab_iri(k) == "@value" for k in nested):
            safe.syntax("invalid @nest value", key)
        more: list[str] = []
        expand_members(active, type_scoped, prop, nested, result, more, base_url, input_type)
        for inner in more:
            _expand_nested(active, type_scoped, prop, nested, result, [inner], base_url, input_type)


def _finish_map(active: ActiveContext, prop: str | None, td: TermDefinition | None, result: dict,
                inside_list: bool) -> Any:
    """§5.1.2 steps 15-20: validate value/list/set objects and drop (= fail) empty ones."""
    count = len(result)
    if "@value" in result:
        _check_value_object(result)
        if result["@value"] is None and result.get("@type") != "@json":
            safe.fail(safe.DROPPED, "a null @value would be dropped")
    elif "@type" in result and not isinstance(result["@type"], list):
        result["@type"] = [result["@type"]]
    elif "@set" in result or "@list" in result:
        if count > 2 or (count == 2 and "@index" not in result):
            safe.syntax("invalid set or list object", sorted(result))
        if "@set" in result:
            result = result["@set"]
            count = len(result) if isinstance(result, dict) else -1
    elif count == 1 and "@language" in result:
        safe.fail(safe.DROPPED, "an object with only @language would be dropped")
    if isinstance(result, dict) and not inside_list and (
            prop is None or prop == "@graph" or (td is not None and td.iri == "@graph")
            or (td is not None and "@graph" in td.container)):
        if count == 0 or "@value" in result or "@list" in result or (count == 1 and "@id" in result):
            what = "an empty object" if count == 0 else f"a top-level object with only {sorted(result)}"
            safe.fail(safe.DROPPED, f"{what} would be dropped")
    return result


def _check_value_object(result: dict) -> None:
    if not set(result) <= {"@value", "@type", "@language", "@direction", "@index"}:
        safe.syntax("invalid value object", sorted(result))
    if "@type" in result and ("@language" in result or "@direction" in result):
        safe.syntax("invalid value object", sorted(result))
    value, vtype = result["@value"], result.get("@type")
    if vtype == "@json":
        return
    if value is None:
        return
    if isinstance(value, (dict, list)):
        safe.syntax("invalid value object value", value)
    if "@language" in result and not isinstance(value, str):
        safe.syntax("invalid language-tagged value", value)
    if vtype is not None and (not isinstance(vtype, str) or not is_absolute(vtype) or vtype.startswith("_:")):
        safe.syntax("invalid typed value", vtype)
    lang = result.get("@language")
    if lang is not None and not is_bcp47(lang):
        safe.fail(safe.DROPPED, f"@language {lang!r} is not a well-formed language tag")


def check_language(value: Any) -> str:
    """A language tag for @language / language maps: lower-cased, well-formed or an error."""
    if not isinstance(value, str):
        safe.syntax("invalid language-tagged string", value)
    if not is_bcp47(value):
        safe.fail(safe.DROPPED, f"@language {value!r} is not a well-formed language tag")
    return value.lower()


__all__ = ["expand_document", "expand_element", "expand_value", "check_language"]
