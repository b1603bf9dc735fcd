"""Adding and verifying Data Integrity proofs, single, sets and chains (VC DI 1.0 §4.2–§4.5).

`add_proof` signs (errors raise `ProofError`); `verify_proofs` never raises on bad input:
every failure becomes a `ProofResult` with a coded ProblemDetails entry.
"""

from __future__ import annotations

import copy
from datetime import datetime
from types import ModuleType
from typing import Any

from issuer.cryptosuites import ed25519_signature_2020, eddsa_jcs_2022, eddsa_rdfc_2022
from issuer.cryptosuites.common import (
    DATA_INTEGRITY_PROOF,
    PROBLEM_TYPES,
    ProofResult,
    check_created,
    decode_proof_value,
    parse_xsd_datetime,
    problem,
)
from issuer.dids import KeyResolver, VerificationMethod
from issuer.errors import ContextError, IssuerError, JsonLdError, ProofError
from issuer.keys import Signer

SUITES: dict[str, ModuleType] = {
    eddsa_rdfc_2022.CRYPTOSUITE: eddsa_rdfc_2022,
    eddsa_jcs_2022.CRYPTOSUITE: eddsa_jcs_2022,
}
LEGACY_TYPES: dict[str, ModuleType] = {ed25519_signature_2020.PROOF_TYPE: ed25519_signature_2020}


def add_proof(
    unsecured: dict[str, Any], *, signer: Signer, created: str | None, cryptosuite: str = "eddsa-rdfc-2022",
    proof_purpose: str = "assertionMethod", previous_proof: str | list[str] | None = None,
    proof_id: str | None = None, challenge: str | None = None, domain: str | None = None,
    as_set: bool = False,
) -> dict[str, Any]:
    """DI 1.0 §4.2 Add Proof, or §4.3 Add Proof Set/Chain when `unsecured` already has proofs.

    Returns a new document; the input is never mutated. With no existing proof the
    result carries a single proof map (or, with `as_set`, a proof set of one: the array
    the OB 3.0 schema requires), otherwise a proof array with the new one last.
    """
    suite = SUITES.get(cryptosuite)
    if suite is None:
        raise ProofError(f"cryptosuite {cryptosuite!r} is not supported", code="cryptosuite_unsupported")
    options = _proof_options(signer, created, cryptosuite, proof_purpose, previous_proof, proof_id, challenge, domain)
    check_created(options)
    document = copy.deepcopy(unsecured)
    existing = document.pop("proof", None)
    all_proofs = [] if existing is None else existing if isinstance(existing, list) else [existing]
    input_document = dict(document)
    if previous_proof is not None:
        input_document["proof"] = _matching_proofs(all_proofs, previous_proof)
    proof = suite.create_proof(input_document, options, signer)
    document["proof"] = [*all_proofs, proof] if all_proofs or as_set else proof
    return document


def _proof_options(
    signer: Signer, created: str | None, cryptosuite: str, proof_purpose: str,
    previous_proof: str | list[str] | None, proof_id: str | None, challenge: str | None, domain: str | None,
) -> dict[str, Any]:
    options: dict[str, Any] = {"type": DATA_INTEGRITY_PROOF}
    if proof_id is not None:
        options["id"] = proof_id
    options["cryptosuite"] = cryptosuite
    if created is not None:
        options["created"] = created
    options["verificationMethod"] = signer.verification_method
    options["proofPurpose"] = proof_purpose
    optional = {"previousProof": previous_proof, "challenge": challenge, "domain": domain}
    options.update({k: copy.deepcopy(v) for k, v in optional.items() if v is not None})
    return options


def _matching_proofs(all_proofs: list[Any], previous_proof: Any) -> list[dict[str, Any]]:
    """DI 1.0 §4.3 step 4 / §4.5 step 3.2: the proofs whose ids previousProof names."""
    wanted = previous_proof if isinstance(previous_proof, list) else [previous_proof]
    by_id = {p.get("id"): p for p in all_proofs if isinstance(p, dict) and "id" in p}
    missing = [ref for ref in wanted if not isinstance(ref, str) or ref not in by_id]
    if missing:
        raise ProofError(f"previousProof {missing!r} names no proof in the set", code="previous_proof_missing")
    return [by_id[ref] for ref in wanted]


def verify_proofs(
    secured: dict[str, Any], *, resolve_key: KeyResolver, expected_purpose: str = "assertionMethod",
    challenge: str | None = None, domain: str | None = None, now: datetime | None = None,
) -> list[ProofResult]:
    """DI 1.0 §4.4 Verify Proof for a proof map, §4.5 for proof sets and chains.

    One result per proof, in document order. A chained proof is verified over the
    document carrying the proofs its `previousProof` names. `now` enables the
    `expires` check (the core has no clock).
    """
    if not isinstance(secured, dict):
        return [ProofResult(False, None, None, None, [problem("document_malformed", "not a JSON object")])]
    if "proof" not in secured or secured["proof"] in (None, []):
        return [ProofResult(False, None, None, None, [problem("proof_missing", "the document has no proof")])]
    raw = secured["proof"]
    if not isinstance(raw, (dict, list)):
        return [ProofResult(False, None, None, None, [problem("proof_malformed", "proof is not a map")])]
    all_proofs = raw if isinstance(raw, list) else [raw]
    unsecured = {k: v for k, v in secured.items() if k != "proof"}
    checks = _Checks(resolve_key, expected_purpose, challenge, domain, now)
    results = []
    for index, proof in enumerate(all_proofs):
        path = "/proof" + (f"/{index}" if isinstance(raw, list) else "")
        results.append(checks.run(unsecured, all_proofs, proof, index, path))
    return results


class _Checks:
    """The DI 1.0 §4.4 steps for one proof, in order; the first failure ends the run."""

    def __init__(self, resolve_key: KeyResolver, expected_purpose: str, challenge: str | None,
                 domain: str | None, now: datetime | None) -> None:
        self.resolve_key, self.expected_purpose = resolve_key, expected_purpose
        self.challenge, self.domain, self.now = challenge, domain, now

    def run(self, unsecured: dict[str, Any], all_proofs: list[Any], proof: Any, index: int, path: str) -> ProofResult:
        result = ProofResult(False, None, None, None, [], index)
        try:
            self._run(result, unsecured, all_proofs, proof)
        except IssuerError as exc:
            result.problems.append(problem(_problem_code(exc), _detail(exc), path))
        except Exception as exc:  # noqa: BLE001 - a verifier reports, it never raises on bad input
            result.problems.append(problem("proof_malformed", f"{type(exc).__name__}: {exc}", path))
        result.verified = not result.problems
        return result

    def _run(self, result: ProofResult, unsecured: dict[str, Any], all_proofs: list[Any], proof: Any) -> None:
        if not isinstance(proof, dict):
            raise ProofError("proof is not a map", code="proof_malformed")
        suite = _suite_for(proof)
        result.cryptosuite = proof.get("cryptosuite") or proof.get("type")
        self._check_required(proof)
        result.verification_method = proof["verificationMethod"]
        self._check_purpose_and_dates(proof)
        self._check_domain_and_challenge(proof)
        decode_proof_value(proof)
        method = self._resolve(proof["verificationMethod"])
        result.controller = method.controller
        if proof["proofPurpose"] not in method.relationships:
            raise ProofError(
                f"{method.id} is not listed under {proof['proofPurpose']} by {method.controller}",
                code="key_not_authorized",
            )
        input_document = dict(unsecured)
        if "previousProof" in proof:
            input_document["proof"] = _matching_proofs(all_proofs, proof["previousProof"])
        try:
            verified = suite.verify_proof(input_document, proof, method.public_key)
        except (JsonLdError, ContextError) as exc:
            raise ProofError(f"[{exc.code}] {exc.message}", code="proof_transformation") from exc
        if not verified:
            raise ProofError("the Ed25519 signature does not match the document", code="signature_invalid")

    @staticmethod
    def _check_required(proof: dict[str, Any]) -> None:
        for name in ("verificationMethod", "proofPurpose"):
            if not isinstance(proof.get(name), str) or not proof[name]:
                raise ProofError(f"proof.{name} is missing or not a string", code="proof_malformed")

    def _check_purpose_and_dates(self, proof: dict[str, Any]) -> None:
        if proof["proofPurpose"] != self.expected_purpose:
            raise ProofError(
                f"proofPurpose is {proof['proofPurpose']!r}, expected {self.expected_purpose!r}",
                code="proof_purpose_mismatch",
            )
        if "created" in proof and parse_xsd_datetime(proof["created"]) is None:
            raise ProofError(f"created {proof['created']!r} is not an xsd:dateTime", code="proof_created_invalid")
        if "expires" in proof:
            expires = parse_xsd_datetime(proof["expires"])
            if expires is None:
                raise ProofError(f"expires {proof['expires']!r} is not an xsd:dateTime", code="proof_expires_invalid")
            if self.now is not None and expires < self.now:
                raise ProofError(f"the proof expired at {proof['expires']}", code="proof_expired")

    def _check_domain_and_challenge(self, proof: dict[str, Any]) -> None:
        if self.domain is not None:
            domains = proof.get("domain")
            if self.domain not in (domains if isinstance(domains, list) else [domains]):
                raise ProofError(f"proof domain does not include {self.domain!r}", code="domain_mismatch")
        if self.challenge is not None and proof.get("challenge") != self.challenge:
            raise ProofError("proof challenge does not match", code="challenge_mismatch")

    def _resolve(self, vm_url: str) -> VerificationMethod:
        try:
            method = self.resolve_key(vm_url)
        except IssuerError:
            raise
        except Exception as exc:  # noqa: BLE001 - resolvers are supplied by callers
            raise ProofError(f"resolving {vm_url} failed: {type(exc).__name__}", code="key_unresolvable") from exc
        if not isinstance(method, VerificationMethod):
            raise ProofError(f"resolver returned no verification method for {vm_url}", code="key_unresolvable")
        return method


def _suite_for(proof: dict[str, Any]) -> ModuleType:
    """Dispatch on proof type, then cryptosuite (DI 1.0 §4.4 step 9)."""
    proof_type = proof.get("type")
    if proof_type == DATA_INTEGRITY_PROOF:
        cryptosuite = proof.get("cryptosuite")
        suite = SUITES.get(cryptosuite) if isinstance(cryptosuite, str) else None
        if suite is None:
            raise ProofError(f"cryptosuite {proof.get('cryptosuite')!r} is not supported", code="cryptosuite_unsupported")
        return suite
    if isinstance(proof_type, str) and proof_type in LEGACY_TYPES:
        return LEGACY_TYPES[proof_type]
    raise ProofError(f"proof type {proof_type!r} is not supported", code="proof_type_unsupported")


def _problem_code(exc: IssuerError) -> str:
    """Our problem code for an error raised while verifying (resolvers raise their own codes)."""
    if exc.code in PROBLEM_TYPES:
        return exc.code
    if exc.code in ("multibase_invalid", "multibase_unsupported", "key_length", "key_mismatch"):
        return "key_malformed"
    return "key_unresolvable"


def _detail(exc: IssuerError) -> str:
    return exc.message if exc.code in PROBLEM_TYPES else f"[{exc.code}] {exc.message}"
