#!/usr/bin/env node
/*!
 * stdin: {"credential": {...}, "documents": {url: json}} (documents: e.g. status lists).
 * stdout: {"errors": [...names/messages], "log": [...], "schema": [...]} from the Digital
 * Credentials Consortium's @digitalcredentials/verifier-core (verifyCredential, no issuer
 * registries). Offline: `fetch` is replaced before the library loads; it serves the
 * bundled contexts (../issuer/contexts), the OB schemas (../issuer/schemas) and the given
 * documents at their exact URLs, and fails for anything else. Nothing is fetched.
 */
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import {readStdinJson} from './lib.js';

const HERE = dirname(fileURLToPath(import.meta.url));

function served(dir) {
  const index = JSON.parse(readFileSync(join(HERE, '..', 'issuer', dir, 'index.json'), 'utf8'));
  const entries = index.contexts || index.schemas;
  return Object.entries(entries).map(
    ([url, entry]) => [url, readFileSync(join(HERE, '..', 'issuer', dir, entry.file), 'utf8')]);
}

const input = await readStdinJson();
const DOCUMENTS = new Map([...served('contexts'), ...served('schemas'),
  ...Object.entries(input.documents || {}).map(([url, doc]) => [url, JSON.stringify(doc)])]);
const refused = [];
globalThis.fetch = async resource => {
  const url = String(resource?.url ?? resource);
  const body = DOCUMENTS.get(url);
  if(body === undefined) {
    refused.push(url);
    throw new TypeError(`offline: ${url} is not served`);
  }
  return new Response(body, {status: 200, headers: {'content-type': 'application/json'}});
};

try {
  const {verifyCredential} = await import('@digitalcredentials/verifier-core');
  const result = await verifyCredential({credential: input.credential, knownDIDRegistries: []});
  const errors = (result.errors || []).map(e => ({name: e.name, message: e.message}));
  const log = (result.log || []).map(({id, valid, error}) => ({id, valid, ...(error && {error: String(error.message || error)})}));
  const schema = (result.additionalInformation || result.schemaCheck || null);
  process.stdout.write(JSON.stringify({errors, log, schema, refused}));
} catch(e) {
  process.stdout.write(JSON.stringify({error: String(e && e.message || e), refused}));
  process.exitCode = 1;
}
