#!/usr/bin/env node
/*!
 * A holder for the VC API exchange the Learner Credential Wallet runs, built on
 * the W3C reference implementation (@digitalbazaar/vc, DataIntegrityProof
 * eddsa-rdfc-2022) with its own did:key.
 *
 * stdin: {"link": "https://lcw.app/mobile?request=...", "seedHex"?: 64 hex}
 * stdout: {"holder", "request": the exchange's first answer,
 *          "status": HTTP status of the presentation post, "response": its JSON}
 *         or {"error": message} (exit 0 either way).
 *
 * As the wallet does (its exchanges.ts): read `protocols.vcapi` from the deep
 * link's `request` JSON, POST {} to it, answer a DIDAuthentication query with a
 * presentation signed for `authentication` with the request's challenge and
 * domain, POST it to the `interact` service endpoint.
 */
import {randomBytes} from 'node:crypto';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

import {didKeyPair, documentLoader, readStdinJson, seedFrom} from './lib.js';

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)
  });
  return {status: response.status, body: await response.json()};
}

async function run(input) {
  const request = JSON.parse(new URL(input.link).searchParams.get('request'));
  const exchangeUrl = request.protocols.vcapi;
  const seed = input.seedHex ? seedFrom({seedHex: input.seedHex}) : new Uint8Array(randomBytes(32));
  const keyPair = await didKeyPair(seed);
  const first = await post(exchangeUrl, {});
  const vpr = first.body.verifiablePresentationRequest;
  if(!vpr) {
    return {holder: keyPair.controller, request: first.body, status: first.status, response: null};
  }
  const queries = [].concat(vpr.query);
  if(!queries.some(q => q.type === 'DIDAuthentication')) {
    throw new Error('the exchange did not ask for DID authentication');
  }
  const presentation = vc.createPresentation({holder: keyPair.controller});
  const suite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite: eddsaRdfc2022});
  const signed = await vc.signPresentation({
    presentation, suite, documentLoader,
    challenge: input.challenge || vpr.challenge, domain: vpr.domain
  });
  const target = (vpr.interact && vpr.interact.service && vpr.interact.service[0].serviceEndpoint) || exchangeUrl;
  const second = await post(target, {verifiablePresentation: signed});
  return {holder: keyPair.controller, request: first.body, status: second.status, response: second.body};
}

let result;
try {
  result = await run(await readStdinJson());
} catch(e) {
  result = {error: String(e && e.message || e)};
}
process.stdout.write(JSON.stringify(result));
