"""Data Integrity cryptosuites: eddsa-rdfc-2022, eddsa-jcs-2022, legacy Ed25519Signature2020 (verify).

Public API: `add_proof` (VC DI 1.0 §4.2/§4.3) and `verify_proofs` (§4.4/§4.5), which
returns one `ProofResult` per proof and never raises on a bad document.
"""

from issuer.cryptosuites.common import ProofResult
from issuer.cryptosuites.proof_sets import SUITES, add_proof, verify_proofs

__all__ = ["ProofResult", "SUITES", "add_proof", "verify_proofs"]
