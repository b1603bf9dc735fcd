#!/usr/bin/env node
/*!
 * stdin: {"credential", "hosts": ["127.0.0.1:8000", ...], "now"?}
 * stdout: {"verified", "error", "status"?} from the reference implementation,
 * which resolves the issuer's did:web document and the status list over HTTP
 * from the given hosts (plain http: a local deployment), through
 * `documentLoaderFrom`. Exit 0 either way.
 */
import {documentLoaderFrom, readStdinJson, referenceVerify} from './lib.js';

let result;
try {
  const input = await readStdinJson();
  result = await referenceVerify({
    credential: input.credential, now: input.now,
    documentLoader: documentLoaderFrom(input.hosts || [])
  });
} catch(e) {
  result = {verified: false, error: String(e && e.message || e)};
}
process.stdout.write(JSON.stringify(result));
