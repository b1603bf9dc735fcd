// Reference timing / golden recording: digitalbazaar jsonld.js + rdf-canonize (RDFC-1.0, safe mode).
// Usage: NODE_PATH=<dir>/node_modules node bench/canon_ref.js <mode> <file.json>
//   mode "time": argv[4] = iterations; prints JSON {median_ms, per_s}
//   mode "canon": file holds a JSON array of documents; prints a JSON array of
//                 canonical N-Quads strings (or {"error": ...}).
// Contexts come only from issuer/contexts (index.json); nothing is fetched.
'use strict';
const fs = require('fs');
const path = require('path');
const jsonld = require('jsonld');

const ctxDir = path.join(__dirname, '..', 'issuer', 'contexts');
const index = JSON.parse(fs.readFileSync(path.join(ctxDir, 'index.json'), 'utf8')).contexts;
const cache = {};
const documentLoader = async url => {
  const entry = index[url];
  if(!entry) {
    throw new Error(`unknown context ${url}`);
  }
  if(!cache[url]) {
    cache[url] = JSON.parse(fs.readFileSync(path.join(ctxDir, entry.file), 'utf8'));
  }
  return {contextUrl: null, documentUrl: url, document: cache[url]};
};
const canon = doc => jsonld.canonize(doc, {
  algorithm: 'RDFC-1.0', format: 'application/n-quads', safe: true, base: null,
  documentLoader
});

async function main() {
  const [mode, file, iterations] = process.argv.slice(2);
  const input = JSON.parse(fs.readFileSync(file, 'utf8'));
  if(mode === 'canon') {
    const out = [];
    for(const doc of input) {
      try {
        out.push(await canon(doc));
      } catch(e) {
        out.push({error: String(e && e.message)});
      }
    }
    process.stdout.write(JSON.stringify(out));
    return;
  }
  const n = parseInt(iterations || '200', 10);
  for(let i = 0; i < 20; ++i) {
    await canon(input);
  }
  const times = [];
  const start = process.hrtime.bigint();
  for(let i = 0; i < n; ++i) {
    const t = process.hrtime.bigint();
    await canon(input);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const total = Number(process.hrtime.bigint() - start) / 1e9;
  times.sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({median_ms: times[Math.floor(n / 2)], per_s: n / total}));
}
main().catch(e => {
  console.error(e);
  process.exit(1);
});
