#!/usr/bin/env node
/*!
 * stdin: a JSON-LD document, or an array of them.
 * stdout: {"nquads": <RDFC-1.0 canonical N-Quads>} (or {"nquads": [...]} for
 * an array) from the reference stack (jsonld.canonize, safe mode, bundled
 * contexts, rdfDirection i18n-datatype like eddsa-rdfc-2022), or {"error"} with exit 1.
 */
import jsonld from 'jsonld';

import {documentLoader, readStdinJson} from './lib.js';

try {
  const input = await readStdinJson();
  const canonize = document => jsonld.canonize(document, {
    algorithm: 'RDFC-1.0', format: 'application/n-quads',
    documentLoader, safe: true, rdfDirection: 'i18n-datatype'
  });
  const nquads = Array.isArray(input) ?
    await Promise.all(input.map(canonize)) : await canonize(input);
  process.stdout.write(JSON.stringify({nquads}));
} catch(e) {
  process.stdout.write(JSON.stringify({error: String(e && e.message || e)}));
  process.exitCode = 1;
}
