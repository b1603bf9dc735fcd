#!/usr/bin/env node
/*!
 * stdin: a secured credential, or {"credential", "now", "statusLists"} ("now":
 * an ISO date to check the validity period against; "statusLists": {url:
 * signed BitstringStatusListCredential} served to the status check).
 * stdout: {"verified": bool, "error": string|null, "status"?: [bool]} from the
 * reference implementation (@digitalbazaar/vc verifyCredential with
 * @digitalbazaar/vc-bitstring-status-list). Exit 0 either way.
 */
import {readStdinJson, referenceVerify} from './lib.js';

let result;
try {
  const input = await readStdinJson();
  const wrapped = input && typeof input === 'object' &&
    'credential' in input && !('@context' in input);
  result = await referenceVerify(wrapped ? {
    credential: input.credential, now: input.now,
    statusLists: input.statusLists
  } : {credential: input});
} catch(e) {
  result = {verified: false, error: String(e && e.message || e)};
}
process.stdout.write(JSON.stringify(result));
