#!/usr/bin/env node
/*!
 * The reference Bitstring Status List codec (@digitalbazaar/vc-bitstring-status-list).
 * stdin: {"length": N, "set": [i, ...]}  -> stdout {"encodedList"}
 *        {"encodedList": "u...", "get": [i, ...]} -> stdout {"length", "status": [bool]}
 * Exit 1 with {"error"} on failure.
 */
import {createList, decodeList} from '@digitalbazaar/vc-bitstring-status-list';

import {readStdinJson} from './lib.js';

try {
  const input = await readStdinJson();
  let out;
  if(typeof input.encodedList === 'string') {
    const list = await decodeList({encodedList: input.encodedList});
    out = {
      length: list.bitstring.length,
      status: (input.get || []).map(i => list.getStatus(i))
    };
  } else {
    const list = await createList({length: input.length});
    for(const i of input.set || []) {
      list.setStatus(i, true);
    }
    out = {encodedList: await list.encode()};
  }
  process.stdout.write(JSON.stringify(out));
} catch(e) {
  process.stdout.write(JSON.stringify({error: String(e && e.message || e)}));
  process.exitCode = 1;
}
