#!/usr/bin/env node
/*!
 * node bench.js N FILE [SEED_HEX]
 * FILE holds an unsigned credential, or {"credential", "seedHex"?, "created"?}.
 * Signs the credential N times and verifies the result N times with the
 * reference implementation, one process (one core), and prints
 * {n, sign_per_s, verify_per_s, sign_median_ms, verify_median_ms, proofValue}.
 * The credential's issuer (id) is set to the signing did:key so the
 * reference's issuer / controller check passes. Verification checks the
 * proof, issuer binding and dates; a credentialStatus is NOT dereferenced.
 */
import {readFileSync} from 'node:fs';
import {performance} from 'node:perf_hooks';

import {didKeyPair, referenceSign, referenceVerify, seedFrom} from './lib.js';

const [countArg, file, seedArg] = process.argv.slice(2);
const n = Number.parseInt(countArg, 10);
if(!(n > 0) || !file) {
  process.stderr.write('usage: node bench.js N FILE [SEED_HEX]\n');
  process.exit(2);
}

const input = JSON.parse(readFileSync(file, 'utf8'));
const wrapped = !('@context' in input) && 'credential' in input;
const credential = wrapped ? input.credential : input;
const seedHex = seedArg || (wrapped && input.seedHex) || '9b'.repeat(32);
const created = (wrapped && input.created) || '2025-01-01T00:00:00Z';
const keyPair = await didKeyPair(seedFrom({seedHex}));
delete credential.proof;
credential.issuer = typeof credential.issuer === 'object' ?
  {...credential.issuer, id: keyPair.controller} : keyPair.controller;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function timeEach(count, op) {
  const times = [];
  let last;
  const start = performance.now();
  for(let i = 0; i < count; ++i) {
    const t0 = performance.now();
    last = await op();
    times.push(performance.now() - t0);
  }
  return {total: performance.now() - start, times, last};
}

// warm up (context processing caches, JIT) before timing
const warm = await referenceSign({
  credential: structuredClone(credential), keyPair, created
});
const warmCheck = await referenceVerify({credential: warm, skipStatus: true});
if(!warmCheck.verified) {
  throw new Error(`reference cannot verify its own output: ${warmCheck.error}`);
}

const signing = await timeEach(n, () => referenceSign({
  credential: structuredClone(credential), keyPair, created
}));
const verifying = await timeEach(n, async () => {
  const result = await referenceVerify({
    credential: signing.last, skipStatus: true
  });
  if(!result.verified) {
    throw new Error(`verification failed: ${result.error}`);
  }
  return result;
});

process.stdout.write(JSON.stringify({
  n,
  sign_per_s: n / (signing.total / 1000),
  verify_per_s: n / (verifying.total / 1000),
  sign_median_ms: median(signing.times),
  verify_median_ms: median(verifying.times),
  proofValue: signing.last.proof.proofValue
}) + '\n');
