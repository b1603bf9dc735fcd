"""Embedded endorsements: verified like any credential (OB 3.0 §9.2, "Verifiers MUST verify them too").

An OB credential may carry EndorsementCredentials (`endorsement`, Data Integrity) or their
compact JWS form (`endorsementJwt`) on itself, on its issuer Profile, on the Achievement and
on the Achievement's creator Profile. Each is verified on its own (its own issuer, key,
dates and status) and the `endorsements` check sums them up:

* pass: every endorsement verified;
* fail: one did not (a broken endorsement inside a credential the issuer signed is a
  defect of that credential), or an item is not an EndorsementCredential;
* cannot-check: one could not be fully checked, or there were more than
  `MAX_ENDORSEMENTS` (the rest are not fetched: a credential must not make the verifier
  do unbounded work).

Endorsements inside endorsements are not followed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from issuer import problems as P
from issuer.problems import CheckResult, Outcome, Problem
from issuer.schema import endorsement_holders

if TYPE_CHECKING:
    from verifier.engine import Verification

NAME = "endorsements"
MAX_ENDORSEMENTS = 20


@dataclass(frozen=True)
class Embedded:
    """One embedded endorsement: where it sits (JSON pointer) and its value (object or JWS)."""

    path: str
    value: Any


def find_endorsements(credential: dict[str, Any]) -> list[Embedded]:
    found = []
    for pointer, holder in endorsement_holders(credential):
        for key in ("endorsement", "endorsementJwt"):
            items = holder.get(key)
            items = items if isinstance(items, list) else [] if items is None else [items]
            found += [Embedded(f"{pointer}/{key}/{i}", item) for i, item in enumerate(items)]
    return found


def _is_endorsement(verification: Verification) -> bool:
    types = (verification.credential or {}).get("type")
    types = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    return "EndorsementCredential" in types


def _endorser(credential: dict[str, Any] | None) -> dict[str, str | None]:
    issuer = (credential or {}).get("issuer")
    if isinstance(issuer, dict):
        return {"id": issuer.get("id") if isinstance(issuer.get("id"), str) else None,
                "name": issuer.get("name") if isinstance(issuer.get("name"), str) else None}
    return {"id": issuer if isinstance(issuer, str) else None, "name": None}


def _comment(credential: dict[str, Any] | None) -> str | None:
    subject = (credential or {}).get("credentialSubject")
    comment = subject.get("endorsementComment") if isinstance(subject, dict) else None
    return comment if isinstance(comment, str) else None


def check_endorsements(credential: dict[str, Any], verify: Callable[[Any], Verification]) -> CheckResult | None:
    """The `endorsements` check (None when the credential carries none); `verify` checks one endorsement."""
    found = find_endorsements(credential)
    if not found:
        return None
    entries, problems, incomplete = [], [], False
    for item in found[:MAX_ENDORSEMENTS]:
        verification = verify(item.value)
        endorser = _endorser(verification.credential)
        who = endorser["name"] or endorser["id"] or "an unnamed endorser"
        entries.append({"path": item.path, "verdict": verification.verdict, "endorser": endorser,
                        "comment": _comment(verification.credential)})
        failed = next((c for c in verification.report.checks if c.outcome is Outcome.FAIL), None)
        if failed is not None:
            first = failed.problems[0] if failed.problems else None
            problems.append(Problem(first.type if first else P.MALFORMED_VALUE_ERROR, "endorsement_not_verified",
                                    "Endorsement not verified",
                                    f"The endorsement by {who} did not verify ({failed.name}: {failed.summary.rstrip('.')}).",
                                    item.path))
        elif not _is_endorsement(verification):
            problems.append(Problem(P.MALFORMED_VALUE_ERROR, "endorsement_wrong_type", "Not an endorsement",
                                    f"The item at {item.path} is not an EndorsementCredential.", item.path))
        elif verification.verdict == "incomplete":
            incomplete = True
    skipped = len(found) - len(entries)
    details = {"count": len(found), "endorsements": entries}
    if problems:
        return CheckResult(NAME, Outcome.FAIL, problems[0].detail, problems, details)
    if skipped or incomplete:
        why = (f"only the first {MAX_ENDORSEMENTS} of {len(found)} endorsements were checked" if skipped
               else "some endorsements could not be fully checked")
        return CheckResult(NAME, Outcome.CANNOT_CHECK, why[:1].upper() + why[1:] + ".",
                           [Problem(P.MALFORMED_VALUE_ERROR, "endorsements_incomplete", "Endorsements not all checked",
                                    why[:1].upper() + why[1:] + ".")], details)
    names = ", ".join(dict.fromkeys(e["endorser"]["name"] or e["endorser"]["id"] or "unnamed" for e in entries))
    summary = (f"Endorsed by {names}; the endorsement is signed by its endorser." if len(entries) == 1 else
               f"Endorsed by {names}: {len(entries)} endorsements, each signed by its endorser.")
    return CheckResult(NAME, Outcome.PASS, summary, details=details)
