"""The one error root of the credential core, with stable machine-readable codes.

Every error raised by `issuer` is an `IssuerError`; `code` is stable and safe to show to
API clients, `path` (when set) is the offending field as a tuple of segments, reported as
a JSON pointer. Plain-language messages for people live in `MESSAGES` (one table, not
scattered strings). `CodedError` is the shape every package's root shares (the pipeline's
`PipelineError`, and through `IssuerError` the verifier's `VerifierError`).
"""

from __future__ import annotations

from collections.abc import Iterable


def json_pointer(parts: Iterable[str | int]) -> str:
    """A JSON pointer (RFC 6901 §3) to `parts`, escaping `~` and `/`; "" is the whole document.
    The one pointer builder of every package (error paths, schema violations, event fields)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class CodedError(Exception):
    """An error with a stable `code`, a message and an optional field `path` (segments, or a
    JSON pointer string); `as_dict` is what an API shows."""

    code: str = "error"

    def __init__(self, message: str, *, code: str | None = None, path: str | tuple[str | int, ...] = ""):
        super().__init__(message)
        if code is not None:
            self.code = code
        self.path = path

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    @property
    def pointer(self) -> str:
        """`path` as a JSON pointer ("" when there is none)."""
        return self.path if isinstance(self.path, str) else json_pointer(self.path)

    def as_dict(self) -> dict:
        out = {"code": self.code, "message": self.message}
        if self.pointer:
            out["path"] = self.pointer
        return out


class IssuerError(CodedError):
    """Root of every error raised by the credential core."""

    code: str = "issuer_error"

    def __init__(self, message: str, *, code: str | None = None, path: tuple[str | int, ...] = ()):
        super().__init__(message, code=code, path=path)


class FrameworkError(IssuerError):
    """A framework document, policy or crosswalk is invalid. `problems` lists every problem
    found as `(path segments, message)` pairs (the first is also `path`); empty when there
    is only the one in the message."""

    code = "framework_invalid"
    problems: tuple[tuple[tuple[str | int, ...], str], ...] = ()

    def problem_list(self) -> list[dict[str, str]]:
        """Every problem as `{"path": <JSON pointer>, "message": ...}` (at least this error)."""
        found = self.problems or ((self.path if isinstance(self.path, tuple) else (), self.message),)
        return [{"path": json_pointer(path), "message": message} for path, message in found]

    @classmethod
    def collected(cls, source: str, problems: list[tuple[tuple[str | int, ...], str]], *,
                  code: str | None = None) -> FrameworkError:
        """One error naming every problem (`source: /a/b: msg; /c: msg`), `path` = the first's."""
        text = "; ".join(f"{json_pointer(path) or '/'}: {message}" for path, message in problems)
        error = cls(f"{source}: {text}", code=code, path=problems[0][0])
        error.problems = tuple(problems)
        return error


class UnknownFrameworkError(FrameworkError):
    code = "framework_unknown"


class ContextError(IssuerError):
    """A JSON-LD context is not on the bundled allowlist, or fails its digest."""

    code = "context_unknown"


class JsonLdError(IssuerError):
    """JSON-LD expansion / RDF conversion failed (incl. safe-mode violations)."""

    code = "jsonld_invalid"


class KeyError_(IssuerError):
    """A key could not be generated, loaded, decoded or is of the wrong kind."""

    code = "key_invalid"


class ProofError(IssuerError):
    code = "proof_invalid"


class CredentialBuildError(IssuerError):
    """Building a credential failed (e.g. it does not validate against the OB schema)."""

    code = "credential_invalid"


class BakingError(IssuerError):
    code = "baking_invalid"


class StatusListError(IssuerError):
    code = "status_list_invalid"


# Plain-language messages for people (web pages, CLI). Keyed by code.
MESSAGES: dict[str, str] = {
    "issuer_error": "Something went wrong in the credential core.",
    "framework_invalid": "The competency framework document is not valid.",
    "framework_unknown": "That competency framework or version is not known here.",
    "context_unknown": "The credential uses a JSON-LD context this system does not trust.",
    "jsonld_invalid": "The credential's JSON-LD could not be interpreted exactly.",
    "key_invalid": "The key is missing, unreadable or of the wrong kind.",
    "proof_invalid": "The credential's digital signature is not valid.",
    "credential_invalid": "The credential does not match the Open Badges 3.0 format.",
    "baking_invalid": "The image does not hold exactly one readable credential.",
    "status_list_invalid": "The status list is malformed.",
}
