// Loading the core: embedded bytes with no init call, or initCore() with a compiled module,
// the .wasm bytes, or a Response — as runtimes that cannot compile bytes must do.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createPublicKey } from 'node:crypto';
import { initCore, simdSupported, generateKeyPair } from '../src/core/index.js';
import { getCore, embeddedWasm } from '../src/core/module.js';

const built = (variant: 'simd' | 'scalar') =>
  new Uint8Array(readFileSync(fileURLToPath(new URL(`../build/wasm-kms.${variant}.wasm`, import.meta.url))));

function works(): void {
  const { publicKey } = generateKeyPair('ECC_NIST_P256');
  expect(createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' }).asymmetricKeyType).toBe('ec');
}

describe('loader', () => {
  it('Node has SIMD, and the default core is the SIMD build, loaded with no init call', () => {
    expect(simdSupported()).toBe(true);
    works();
    expect(getCore().variant).toBe('simd');
  });

  it('the embedded bytes are the built module files', () => {
    expect(Buffer.from(embeddedWasm('simd'))).toEqual(Buffer.from(built('simd')));
    expect(Buffer.from(embeddedWasm('scalar'))).toEqual(Buffer.from(built('scalar')));
  });

  it('initCore() compiles the embedded bytes asynchronously', async () => {
    await initCore();
    expect(getCore().variant).toBe('simd');
    works();
  });

  it.each(['simd', 'scalar'] as const)('initCore takes a compiled WebAssembly.Module (%s) and tells the build apart', async (variant) => {
    await initCore(new WebAssembly.Module(built(variant)));
    expect(getCore().variant).toBe(variant);
    works();
  });

  it.each(['simd', 'scalar'] as const)('initCore takes the .wasm bytes (%s), as a Uint8Array or an ArrayBuffer', async (variant) => {
    await initCore(built(variant));
    expect(getCore().variant).toBe(variant);
    works();
    await initCore(built(variant).slice().buffer);
    expect(getCore().variant).toBe(variant);
    works();
  });

  it('initCore takes a Response, or a promise of one, and refuses a failed one', async () => {
    await initCore(new Response(built('scalar'), { headers: { 'content-type': 'application/wasm' } }));
    expect(getCore().variant).toBe('scalar');
    works();
    await initCore(Promise.resolve(new Response(built('simd'))));
    expect(getCore().variant).toBe('simd');
    works();
    await expect(initCore(new Response('nope', { status: 404 }))).rejects.toThrow('HTTP 404');
  });

  it('initCore rejects bytes that are not a WebAssembly module', async () => {
    await expect(initCore(new Uint8Array([1, 2, 3]))).rejects.toThrow();
    // the previous core stays in use
    works();
  });
});
