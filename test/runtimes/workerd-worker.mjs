// A Cloudflare Worker (run by workerd in the workerd test): it imports the package's .wasm as a
// module — workerd, like Cloudflare, compiles WebAssembly only from modules it was given, never
// from bytes at run time — hands the compiled WebAssembly.Module to initCore, and serves data
// key pairs over HTTP:
//   GET /pair?spec=<KeyPairSpec>  → the scenario's JSON for one spec (GenerateDataKeyPair → Decrypt)
//   GET /without-init             → what the library says when used before initCore (call it first)
// The .wasm import stays external when esbuild bundles this file; the config names it.
import coreModule from 'wasm-kms/core.wasm';
import * as lib from '../../dist/kms/index.js';
import { createRunner } from './scenario.mjs';

let ready;
let runner;

function json(body, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/without-init') {
      try {
        lib.generateKeyPair('ECC_NIST_P256');
        return json({ error: null });
      } catch (err) {
        return json({ error: err instanceof Error ? err.message : String(err) });
      }
    }
    if (url.pathname === '/pair') {
      const spec = url.searchParams.get('spec');
      if (!spec || !lib.KEY_PAIR_SPECS.some((k) => k === spec)) {
        return json({ error: `spec must be one of ${lib.KEY_PAIR_SPECS.join(', ')}` }, 400);
      }
      ready ??= lib.initCore(coreModule);
      await ready;
      runner ??= createRunner(lib);
      return json(await runner.pair(spec));
    }
    return json({ error: 'not found' }, 404);
  },
};
