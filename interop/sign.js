#!/usr/bin/env node
/*!
 * stdin: {"credential", "seedHex" | "secretKeyMultibase", "created"}
 * stdout: the credential signed by the reference implementation
 * (eddsa-rdfc-2022, did:key verification method). Exit 1 with
 * {"error"} on stdout when signing fails.
 */
import {didKeyPair, readStdinJson, referenceSign, seedFrom} from './lib.js';

try {
  const input = await readStdinJson();
  const keyPair = await didKeyPair(seedFrom(input));
  const signed = await referenceSign({
    credential: input.credential, keyPair, created: input.created
  });
  process.stdout.write(JSON.stringify(signed));
} catch(e) {
  process.stdout.write(JSON.stringify({error: String(e && e.message || e)}));
  process.exitCode = 1;
}
