"""Error codes of the JSON-LD processor, safe mode included.

Safe mode is the reference implementation's `safe: true`: every event where data would
be silently dropped or turned into a relative IRI is an error instead (JSON-LD 1.1 API
§5.1.2 and §8.4 "drop" steps; jsonld.js `safeEventHandler`). JSON-LD 1.1 API §9.4.2 errors
(syntax) are errors in any mode.
"""

from __future__ import annotations

from typing import NoReturn

from issuer.errors import JsonLdError

UNDEFINED_TERM = "jsonld_undefined_term"          # property not defined by any context
RELATIVE_TYPE = "jsonld_relative_type"            # @type value would be a relative IRI
RELATIVE_IRI = "jsonld_relative_iri"              # @id / object / graph / @vocab relative
PROTECTED = "jsonld_protected_term_redefinition"  # JSON-LD 1.1 §4.1.11 (any mode)
SYNTAX = "jsonld_syntax"                          # JSON-LD 1.1 API §9.4.2 errors
DROPPED = "jsonld_dropped_value"                  # a value or object would be dropped
BLANK_PREDICATE = "jsonld_blank_node_predicate"   # a property expands to a blank node
POISONED = "jsonld_dataset_poisoning"             # RDFC-1.0 §4.4 work limit exceeded


def fail(code: str, message: str, *, path: tuple[str | int, ...] = ()) -> NoReturn:
    """Raise the JsonLdError for `code`."""
    raise JsonLdError(message, code=code, path=path)


def syntax(kind: str, detail: object = "") -> NoReturn:
    """Raise a JSON-LD 1.1 API §9.4.2 error (`kind` is the spec's error name)."""
    suffix = f": {detail!r}" if detail != "" else ""
    raise JsonLdError(f"invalid JSON-LD ({kind}){suffix}", code=SYNTAX)
