"""IRI helpers: the absolute-IRI test, keyword forms and RFC 3986 reference resolution.

JSON-LD 1.1 API §2 ("IRI" / "relative IRI reference"); RFC 3986 §5.2 (resolution).
"""

from __future__ import annotations

import re

# A string with a scheme and no whitespace, or a blank node identifier (the test the
# reference implementation uses before it emits a "relative ... reference" event).
_ABSOLUTE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+\-.]*|_):[^\s]*$")
# Strings of this form are reserved for future keywords (JSON-LD 1.1 §9.1).
_KEYWORD_FORM = re.compile(r"^@[A-Za-z]+$")
_BCP47 = re.compile(r"^[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*$")
_GEN_DELIMS = frozenset(":/?#[]@")

KEYWORDS = frozenset({
    "@base", "@container", "@context", "@default", "@direction", "@embed", "@explicit",
    "@graph", "@id", "@import", "@included", "@index", "@json", "@language", "@list",
    "@nest", "@none", "@omitDefault", "@prefix", "@preserve", "@propagate", "@protected",
    "@requireAll", "@reverse", "@set", "@type", "@value", "@version", "@vocab",
})


def is_absolute(value: str) -> bool:
    """True for an absolute IRI or a blank node identifier (`_:`)."""
    return _ABSOLUTE.match(value) is not None


def is_keyword_form(value: str) -> bool:
    """True when `value` looks like a keyword (`@` + letters), known or reserved."""
    return _KEYWORD_FORM.match(value) is not None


def is_bcp47(value: str) -> bool:
    """The well-formedness check JSON-LD processors apply to language tags."""
    return _BCP47.match(value) is not None


def ends_with_gen_delim(iri: str) -> bool:
    """JSON-LD 1.1 §4.2.2 step 14.2.4: prefix-capable IRI mappings end in a gen-delim."""
    return bool(iri) and iri[-1] in _GEN_DELIMS


_URI_PARTS = re.compile(r"^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", re.S)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4."""
    out: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == ".":
            if last:
                out.append("")
        elif seg == "..":
            if len(out) > 1 or (out and out[0] != ""):
                out.pop()
            if last:
                out.append("")
        else:
            out.append(seg)
    result = "/".join(out)
    if path.startswith("/") and not result.startswith("/"):
        result = "/" + result
    return result


def resolve(reference: str, base: str) -> str:
    """Resolve `reference` against the absolute IRI `base` (RFC 3986 §5.2.2, strict)."""
    r = _URI_PARTS.match(reference)
    b = _URI_PARTS.match(base)
    if r is None or b is None:  # pragma: no cover - the pattern matches every string
        return reference
    r_scheme, r_auth, r_path, r_query, r_frag = r.groups()
    b_scheme, b_auth, b_path, b_query, _ = b.groups()
    if r_scheme is not None:
        scheme, auth, path, query = r_scheme, r_auth, _remove_dot_segments(r_path), r_query
    elif r_auth is not None:
        scheme, auth, path, query = b_scheme, r_auth, _remove_dot_segments(r_path), r_query
    elif r_path == "":
        scheme, auth, path = b_scheme, b_auth, b_path
        query = r_query if r_query is not None else b_query
    else:
        if r_path.startswith("/"):
            path = _remove_dot_segments(r_path)
        elif b_auth is not None and b_path == "":
            path = _remove_dot_segments("/" + r_path)
        else:
            path = _remove_dot_segments(b_path[: b_path.rfind("/") + 1] + r_path)
        scheme, auth, query = b_scheme, b_auth, r_query
    out = f"{scheme}:" if scheme is not None else ""
    if auth is not None:
        out += "//" + auth
    out += path
    if query is not None:
        out += "?" + query
    if r_frag is not None:
        out += "#" + r_frag
    return out
