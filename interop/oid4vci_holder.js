#!/usr/bin/env node
/*!
 * A wallet holder for OID4VCI 1.0, pre-authorized code flow, built on the
 * OpenWallet Foundation client (@openid4vc/openid4vci, as used by Credo).
 *
 * stdin: {"offer": "openid-credential-offer://?credential_offer_uri=...",
 *         "seedHex"?: 64 hex digits (else a fresh random key),
 *         "allowInsecureUrls"?: true (tests on http://127.0.0.1 only)}
 * stdout: {"holder": did:key DID, "kid", "accessTokenResponse", "credential"}
 *         or {"error": message} (exit 0 either way).
 *
 * The holder makes its own did:key (Ed25519 Multikey), resolves the offer and
 * the issuer metadata, trades the pre-authorized code for an access token,
 * asks the nonce endpoint for a c_nonce, signs the `jwt` key proof (typ
 * openid4vci-proof+jwt, alg EdDSA, kid = did:key DID URL) and requests the
 * credential. Nothing but the issuer under test is contacted.
 */
import {createHash, randomBytes} from 'node:crypto';

import {Openid4vciClient, setGlobalConfig} from '@openid4vc/openid4vci';
import {clientAuthenticationAnonymous} from '@openid4vc/oauth2';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

import {didKeyPair, readStdinJson, seedFrom} from './lib.js';

const b64url = bytes => Buffer.from(bytes).toString('base64url');

function callbacks(keyPair, publicJwk) {
  return {
    fetch: globalThis.fetch,
    hash: (data, alg) => {
      const name = {'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512'}[String(alg).toLowerCase()];
      return new Uint8Array(createHash(name || 'sha256').update(data).digest());
    },
    generateRandom: n => new Uint8Array(randomBytes(n)),
    clientAuthentication: clientAuthenticationAnonymous(),
    signJwt: async (signer, {header, payload}) => {
      if(signer.method !== 'did' || signer.didUrl !== keyPair.id) {
        throw new Error(`this holder signs only as ${keyPair.id}`);
      }
      const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
      const signature = await keyPair.signer().sign({data: new TextEncoder().encode(input)});
      return {jwt: `${input}.${b64url(signature)}`, signerJwk: publicJwk};
    }
  };
}

async function run(input) {
  if(input.allowInsecureUrls) {
    setGlobalConfig({allowInsecureUrls: true});
  }
  const seed = input.seedHex ? seedFrom({seedHex: input.seedHex}) : new Uint8Array(randomBytes(32));
  const keyPair = await didKeyPair(seed);
  const publicJwk = await Ed25519Multikey.toJwk({keyPair});
  const client = new Openid4vciClient({callbacks: callbacks(keyPair, publicJwk)});

  const credentialOffer = await client.resolveCredentialOffer(input.offer);
  const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
  const {accessTokenResponse} = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer, issuerMetadata
  });
  const credentialConfigurationId = credentialOffer.credential_configuration_ids[0];
  const {c_nonce: nonce} = await client.requestNonce({issuerMetadata});
  const {jwt} = await client.createCredentialRequestJwtProof({
    issuerMetadata, credentialConfigurationId, nonce,
    signer: {method: 'did', didUrl: keyPair.id, alg: 'EdDSA'}
  });
  const response = await client.retrieveCredentials({
    issuerMetadata, credentialConfigurationId,
    accessToken: accessTokenResponse.access_token,
    proofs: {jwt: [jwt]}
  });
  const body = response.credentialResponse;
  const credential = body.credentials ? body.credentials[0].credential : body.credential;
  return {holder: keyPair.controller, kid: keyPair.id, accessTokenResponse, credential};
}

let result;
try {
  result = await run(await readStdinJson());
} catch(e) {
  const detail = e && (e.errorResponse || e.response && e.response.body);
  result = {error: String(e && e.message || e), detail: detail || null};
}
process.stdout.write(JSON.stringify(result));
