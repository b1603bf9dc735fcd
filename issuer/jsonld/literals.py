"""Lexical forms of JSON-native values (JSON-LD 1.1 API §8.6 "Object to RDF Conversion").

Numbers follow the JSON-LD data model (a JSON number, regardless of how it was written):
an integral value with magnitude < 10^21 is an xsd:integer written in decimal; any other
number is an xsd:double in the canonical form `d.dddE[-]n` (JavaScript's
`toExponential(15)` with trailing zeros removed). @json values are RFC 8785 (JCS) text.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

import rfc8785

from issuer.errors import JsonLdError
from issuer.jsonld import safe

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
XSD_BOOLEAN = XSD + "boolean"
XSD_INTEGER = XSD + "integer"
XSD_DOUBLE = XSD + "double"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_JSON = RDF + "JSON"
RDF_LANGSTRING = RDF + "langString"


def double_lexical(value: float) -> str:
    """Canonical xsd:double as the reference writes it, e.g. 1.5 -> '1.5E0', 1e21 -> '1.0E21'.

    Rounds to 16 significant digits half away from zero, like ECMAScript toExponential.
    Zero is "0.0E0" (negative zero "-0.0E0"), the XSD 1.1 canonical forms.
    """
    if not math.isfinite(value):
        safe.fail(safe.SYNTAX, f"number {value!r} is not a JSON number")
    if value == 0:
        return "-0.0E0" if math.copysign(1.0, value) < 0 else "0.0E0"
    with localcontext() as ctx:
        ctx.prec, ctx.rounding = 16, ROUND_HALF_UP
        rounded = +Decimal(value)
    mantissa, exponent = f"{rounded:.15e}".split("e")
    mantissa = mantissa.rstrip("0")
    if mantissa.endswith("."):
        mantissa += "0"
    return f"{mantissa}E{int(exponent)}"


def as_double(value: int | float) -> float:
    """The IEEE double a JSON number denotes (JSON-LD 1.1 and RFC 8785 read numbers so)."""
    try:
        return float(value)
    except OverflowError as exc:
        raise JsonLdError(f"number {value} is out of range for a double", code=safe.SYNTAX) from exc


def number_literal(value: int | float, datatype: str | None) -> tuple[str, str]:
    """(lexical form, datatype IRI) for a JSON number with an optional coerced datatype.

    §8.6 step 10/11: the number is a double; an integral double below 10^21 in magnitude
    (decided on the double, so 999999999999999999999 is 1.0E21) is an xsd:integer.
    """
    double = as_double(value)
    if double.is_integer() and abs(double) < 1e21 and datatype != XSD_DOUBLE:
        exact = value if isinstance(value, int) and abs(value) <= 2**53 else int(double)
        return str(exact), datatype or XSD_INTEGER
    return double_lexical(double), datatype or XSD_DOUBLE


def json_literal(value: Any) -> str:
    """rdf:JSON lexical form: the JCS serialization (RFC 8785) of the value."""
    try:
        return rfc8785.dumps(value).decode("utf-8")
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise JsonLdError(f"@json value cannot be canonicalized: {exc}", code=safe.SYNTAX) from exc
