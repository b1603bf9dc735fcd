/*!
 * Shared parts of the interop harness: a closed document loader over the
 * bundled contexts (../issuer/contexts/index.json) plus did:key, key import,
 * and the reference sign/verify calls (@digitalbazaar/vc, VC 2.0,
 * Data Integrity eddsa-rdfc-2022). Nothing is ever fetched.
 */
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

const HERE = dirname(fileURLToPath(import.meta.url));
const CONTEXT_DIR = join(HERE, '..', 'issuer', 'contexts');

/** Bundled contexts: URL -> parsed document, SHA-256 checked when byteExact. */
function loadBundledContexts() {
  const index = JSON.parse(
    readFileSync(join(CONTEXT_DIR, 'index.json'), 'utf8')).contexts;
  const contexts = new Map();
  for(const [url, entry] of Object.entries(index)) {
    const bytes = readFileSync(join(CONTEXT_DIR, entry.file));
    const digest = createHash('sha256').update(bytes).digest('hex');
    if(entry.byteExact !== false && digest !== entry.sha256) {
      throw new Error(`bundled context ${url} does not match its SHA-256`);
    }
    contexts.set(url, JSON.parse(bytes.toString('utf8')));
  }
  return contexts;
}

const CONTEXTS = loadBundledContexts();
const DID_KEY = didKeyDriver();
DID_KEY.use({
  multibaseMultikeyHeader: 'z6Mk',
  fromMultibase: Ed25519Multikey.from
});

/** Closed loader: bundled contexts and did:key only; anything else fails. */
export async function documentLoader(url) {
  return loadClosed(url, new Map());
}

/**
 * A closed loader that also serves the given documents (e.g. status list
 * credentials handed in by the test) at their exact URLs.
 */
export function documentLoaderWith(documents = {}) {
  const extra = new Map(Object.entries(documents));
  return url => loadClosed(url, extra);
}

/**
 * A closed loader that also reads did:web DID documents (did:web method
 * "Read") and other documents (status lists) over HTTP, from the hosts
 * (`host:port`) in `hosts` only, over plain http (a local deployment such as
 * `badgeline up`). A did:web verification method URL loads the method with
 * the document's @context; the bare DID loads the whole document.
 */
export function documentLoaderFrom(hosts = []) {
  const allowed = new Set(hosts);
  return async url => {
    if(typeof url === 'string' && url.startsWith('did:web:')) {
      const [did, fragment] = url.split('#');
      const document = await fetchAllowed(didWebDocumentUrl(did), allowed);
      if(!fragment) {
        return {contextUrl: null, documentUrl: url, document};
      }
      const method = (document.verificationMethod || []).find(
        m => m.id === url || m.id === `#${fragment}`);
      if(!method) {
        throw new Error(`${url} is not in its DID document`);
      }
      return {contextUrl: null, documentUrl: url,
        document: {'@context': document['@context'], ...method}};
    }
    if(typeof url === 'string' && /^https?:\/\//.test(url) &&
      allowed.has(new URL(url).host)) {
      return {contextUrl: null, documentUrl: url,
        document: await fetchAllowed(url, allowed)};
    }
    return loadClosed(url, new Map());
  };
}

/** did:web:host%3Aport:a:b -> https://host:port/a/b/did.json (or .well-known). */
function didWebDocumentUrl(did) {
  const [domain, ...segments] = did.slice('did:web:'.length).split(':');
  const path = segments.length ?
    segments.map(decodeURIComponent).join('/') + '/did.json' :
    '.well-known/did.json';
  return `https://${decodeURIComponent(domain)}/${path}`;
}

async function fetchAllowed(url, allowed) {
  const target = new URL(url);
  if(!allowed.has(target.host)) {
    throw new Error(`documentLoader: ${target.host} is not an allowed host`);
  }
  target.protocol = 'http:';
  const response = await fetch(target, {headers: {accept: 'application/json'}});
  if(!response.ok) {
    throw new Error(`documentLoader: ${url} answered ${response.status}`);
  }
  return response.json();
}

async function loadClosed(url, extra) {
  if(CONTEXTS.has(url)) {
    return {contextUrl: null, documentUrl: url, document: CONTEXTS.get(url)};
  }
  if(extra.has(url)) {
    return {contextUrl: null, documentUrl: url, document: extra.get(url)};
  }
  if(typeof url === 'string' && url.startsWith('did:key:')) {
    const document = await DID_KEY.get({url});
    return {contextUrl: null, documentUrl: url, document};
  }
  throw new Error(`documentLoader: ${url} is not bundled and not did:key`);
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58btcDecode(text) {
  let value = 0n;
  for(const ch of text) {
    const digit = BASE58.indexOf(ch);
    if(digit < 0) {
      throw new Error(`invalid base58btc character ${JSON.stringify(ch)}`);
    }
    value = value * 58n + BigInt(digit);
  }
  const bytes = [];
  while(value > 0n) {
    bytes.unshift(Number(value % 256n));
    value /= 256n;
  }
  for(const ch of text) {
    if(ch !== '1') {
      break;
    }
    bytes.unshift(0);
  }
  return Uint8Array.from(bytes);
}

/** The 32-byte Ed25519 seed from {seedHex} or {secretKeyMultibase}. */
export function seedFrom({seedHex, secretKeyMultibase}) {
  if(typeof seedHex === 'string') {
    if(!/^[0-9a-fA-F]{64}$/.test(seedHex)) {
      throw new Error('"seedHex" must be 64 hex digits');
    }
    return Uint8Array.from(Buffer.from(seedHex, 'hex'));
  }
  if(typeof secretKeyMultibase === 'string' &&
    secretKeyMultibase.startsWith('z')) {
    const raw = base58btcDecode(secretKeyMultibase.slice(1));
    // CID 1.0 §2.2.2: 0x8026 header + 32-byte seed (legacy: + public key).
    if(raw[0] !== 0x80 || raw[1] !== 0x26 ||
      (raw.length !== 34 && raw.length !== 66)) {
      throw new Error('"secretKeyMultibase" is not an Ed25519 secret key');
    }
    return raw.slice(2, 34);
  }
  throw new Error('give "seedHex" or "secretKeyMultibase"');
}

/** A did:key Multikey key pair (id `did:key:z..#z..`) for the seed. */
export async function didKeyPair(seed) {
  const probe = await Ed25519Multikey.generate({seed});
  const did = `did:key:${probe.publicKeyMultibase}`;
  return Ed25519Multikey.generate({seed, controller: did});
}

/** Sign with the reference implementation (vc.issue, eddsa-rdfc-2022). */
export async function referenceSign({credential, keyPair, created}) {
  const suite = new DataIntegrityProof({
    signer: keyPair.signer(), date: created, cryptosuite: eddsaRdfc2022
  });
  return vc.issue({credential, suite, documentLoader});
}

/**
 * Verify with the reference implementation; never throws. A credentialStatus
 * is checked with @digitalbazaar/vc-bitstring-status-list against the list
 * credentials in `statusLists` ({url: signed list credential}); the status
 * values read are returned as `status` (true = the purpose applies).
 * `skipStatus` (benchmarks only) leaves the status unchecked. A given
 * `documentLoader` replaces the closed one (e.g. `documentLoaderFrom`).
 */
export async function referenceVerify({
  credential, now, statusLists = {}, skipStatus = false, documentLoader
}) {
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  try {
    const result = await vc.verifyCredential({
      credential, suite, now,
      checkStatus: skipStatus ? skipStatusCheck : checkStatus,
      documentLoader: documentLoader || documentLoaderWith(statusLists)
    });
    const out = {verified: result.verified, error: describeError(result)};
    if(result.statusResult) {
      out.status = (result.statusResult.results || []).map(r => r.status);
    }
    return out;
  } catch(e) {
    return {verified: false, error: String(e && e.message || e)};
  }
}

/** For benchmarks of proof verification only: the status is NOT checked. */
async function skipStatusCheck() {
  return {verified: true, skipped: true};
}

function describeError(result) {
  if(result.verified) {
    return null;
  }
  const errors = [];
  if(result.error) {
    errors.push(result.error);
    if(Array.isArray(result.error.errors)) {
      errors.push(...result.error.errors);
    }
  }
  if(result.statusResult && result.statusResult.error) {
    errors.push(result.statusResult.error);
  }
  for(const r of result.results || []) {
    if(r.error) {
      errors.push(r.error);
    }
  }
  const messages = errors.flatMap(causeChain);
  return [...new Set(messages)].join('; ') || 'not verified';
}

/** An error's message followed by those of its causes (jsonld nests them). */
function causeChain(error) {
  const messages = [];
  for(let e = error, depth = 0; e && depth < 8; ++depth) {
    messages.push(e.message || String(e));
    e = e.cause || (e.details && e.details.cause);
  }
  return messages;
}

/** Read all of stdin as JSON. */
export async function readStdinJson() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}
