"""Canonical N-Quads (RDFC-1.0 §4 "canonical n-quads form"; RDF 1.2 N-Quads §Canonical).

In a literal, BS HT LF FF CR `"` and `\\` are written as the ECHARs `\\b \\t \\n \\f \\r \\" \\\\`;
the other characters U+0000-U+001F and U+007F as UCHAR `\\uXXXX` with upper-case hex;
everything else (non-ASCII and astral-plane characters included) as itself, in UTF-8.
In an IRI, U+0000-U+0020 and `<>"{}|^`\\` are written as `\\uXXXX`.
Statements are sorted in code point order and each ends with a single LF.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from issuer.errors import JsonLdError

_LITERAL_SPECIAL = re.compile(r'[\x00-\x1f\x7f"\\\ud800-\udfff]')
_LITERAL_ESCAPES = {chr(c): f"\\u{c:04X}" for c in list(range(0x20)) + [0x7F]}
_LITERAL_ESCAPES.update({"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r",
                         '"': '\\"', "\\": "\\\\"})
_IRI_SPECIAL = re.compile(r'[\x00-\x20<>"{}|^`\\\ud800-\udfff]')


def _literal_sub(match: re.Match[str]) -> str:
    char = match.group()
    if "\ud800" <= char <= "\udfff":
        _lone_surrogate(char)
    return _LITERAL_ESCAPES[char]


def _iri_sub(match: re.Match[str]) -> str:
    char = match.group()
    if "\ud800" <= char <= "\udfff":
        _lone_surrogate(char)
    return f"\\u{ord(char):04X}"


def _lone_surrogate(char: str) -> None:
    """A lone UTF-16 surrogate is not a Unicode scalar value: no UTF-8, no N-Quads."""
    raise JsonLdError(f"string holds the lone surrogate U+{ord(char):04X}", code="jsonld_syntax")


def escape_literal(value: str) -> str:
    """The characters of a literal's lexical form as canonical N-Quads writes them."""
    if _LITERAL_SPECIAL.search(value) is None:
        return value
    return _LITERAL_SPECIAL.sub(_literal_sub, value)


def escape_iri(iri: str) -> str:
    """An IRI as canonical N-Quads writes it between `<` and `>`."""
    if _IRI_SPECIAL.search(iri) is None:
        return iri
    return _IRI_SPECIAL.sub(_iri_sub, iri)


def statement(s: str, p: str, o: str, g: str) -> str:
    """One canonical N-Quads statement (terms already in N-Quads form)."""
    return f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n"


def serialize(quads: Iterable[tuple[str, str, str, str]]) -> str:
    """RDFC-1.0 §4.4.3 step 5 / §5: statements sorted in code point order, concatenated."""
    return "".join(sorted({statement(*q) for q in quads}))
