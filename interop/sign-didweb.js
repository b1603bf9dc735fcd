#!/usr/bin/env node
/*!
 * stdin: {"credential", "seedHex", "created", "did", "fragment"?}
 * stdout: the credential signed by the reference implementation
 * (eddsa-rdfc-2022) with the verification method `${did}#${fragment}`
 * (default fragment "key-1"), plus {"publicKeyMultibase"} so the caller can
 * publish the DID document. Exit 1 with {"error"} when signing fails.
 */
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

import {readStdinJson, referenceSign, seedFrom} from './lib.js';

try {
  const input = await readStdinJson();
  const fragment = input.fragment || 'key-1';
  const keyPair = await Ed25519Multikey.generate({
    seed: seedFrom(input), controller: input.did, id: `${input.did}#${fragment}`
  });
  const signed = await referenceSign({
    credential: input.credential, keyPair, created: input.created
  });
  process.stdout.write(JSON.stringify({
    credential: signed, publicKeyMultibase: keyPair.publicKeyMultibase
  }));
} catch(e) {
  process.stdout.write(JSON.stringify({error: String(e && e.message || e)}));
  process.exitCode = 1;
}
