"""Delivery into wallets (issue 9): OID4VCI 1.0 pre-authorized code flow and the VC API exchange
the Learner Credential Wallet uses, both redeeming one single-use offer.

- `offers`: the offer, its pre-authorized code, access token and nonces in the store;
  `create_offer` (API and collection page).
- `errors`: the one error root, carrying the OAuth / OID4VCI error code and status.
- `proofs`: the OID4VCI `jwt` key proof of a holder's did:key (joserfc, EdDSA allowed).
- `didauth`: the VC API DID-authentication presentation, checked by the verifier engine.
- `bound`: the worker's use case: a credential re-issued to the holder's DID, stored with
  the award; `signing`: the web side asking a worker for it.
- `oid4vci`, `exchange`, `pages`: the Flask routes.
"""
