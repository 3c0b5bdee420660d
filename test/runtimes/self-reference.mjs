// Run by Node from inside the package (test/runtimes/package-exports.test.ts): what a consumer
// gets through the package's "exports" — `wasm-kms`, `wasm-kms/core` and the module file
// `wasm-kms/core.wasm` — resolved by name (package self-reference), not by path. It compiles
// the exported .wasm, hands it to initCore, and prints one key pair per given spec as JSON.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as main from 'wasm-kms';
import * as core from 'wasm-kms/core';

/** @type {(s: string) => s is core.KeyPairSpec} */
const isSpec = (s) => core.KEY_PAIR_SPECS.some((k) => k === s);
const specs = process.argv.slice(2).map((s) => {
  if (!isSpec(s)) throw new Error(`not a key pair spec: ${s}`);
  return s;
});
const wasmUrl = import.meta.resolve('wasm-kms/core.wasm');
const module = await WebAssembly.compile(await readFile(fileURLToPath(wasmUrl)));
await core.initCore(module);
const pairs = specs.map((spec) => {
  const { publicKey, privateKey } = core.generateKeyPair(spec);
  return {
    spec,
    publicKey: Buffer.from(publicKey).toString('base64'),
    privateKey: Buffer.from(privateKey).toString('base64'),
  };
});
console.log(
  JSON.stringify({
    wasmUrl,
    sameGenerator: main.generateKeyPair === core.generateKeyPair,
    simdSection: WebAssembly.Module.customSections(module, 'wasm-kms.variant').map((s) => new TextDecoder().decode(s)),
    pairs,
  }),
);
