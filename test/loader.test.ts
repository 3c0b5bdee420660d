// Loading the core: embedded bytes with no init call, or initCore() with a compiled module,
// the .wasm bytes, or a Response — as runtimes that cannot compile bytes must do.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createPublicKey } from 'node:crypto';
import { initCore, simdSupported, generateKeyPair, KEY_PAIR_SPECS } from '../src/core/index.js';
import { getCore, embeddedWasm } from '../src/core/module.js';
import * as sym from '../src/core/symmetric.js';
import { mlkemEncapsulate, mlkemDecapsulate } from '../src/core/mlkem.js';
import { generateMlDsa, mldsaSign, mldsaVerify } from '../src/core/mldsa.js';
import { rsaSign, rsaVerify, rsaOaepEncrypt, rsaOaepDecrypt } from '../src/core/rsa.js';
import { ecdsaSign, ecdsaVerify, ecdhDerive } from '../src/core/ecdsa.js';
import { ed25519Sign, ed25519Verify } from '../src/core/ed25519.js';
import { sm3, sm2Sign, sm2Verify, sm2Encrypt, sm2Decrypt } from '../src/core/sm2.js';
import { testWasm } from './helpers/test-core.js';

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

  it.each(['simd', 'scalar'] as const)(
    'initCore takes a compiled WebAssembly.Module (%s) and tells the build apart',
    async (variant) => {
      await initCore(new WebAssembly.Module(built(variant)));
      expect(getCore().variant).toBe(variant);
      works();
    },
  );

  it.each(['simd', 'scalar'] as const)(
    'initCore takes the .wasm bytes (%s), as a Uint8Array or an ArrayBuffer',
    async (variant) => {
      await initCore(built(variant));
      expect(getCore().variant).toBe(variant);
      works();
      await initCore(built(variant).slice().buffer);
      expect(getCore().variant).toBe(variant);
      works();
    },
  );

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

describe('the shipped module exports what the library calls, and nothing else', () => {
  // Every entry point the library reaches, recorded while it generates a key pair of every
  // spec and runs every symmetric primitive (what the KMS operations and the file store
  // use). The test-only entry points are in the test module (assembly/test-exports.ts).
  async function usedByLibrary(variant: 'simd' | 'scalar'): Promise<Set<string>> {
    await initCore(new WebAssembly.Module(built(variant)));
    const core = getCore();
    const used = new Set<string>();
    const raw = core.exports;
    const recording = new Proxy(raw, {
      get(target, name, receiver) {
        if (typeof name === 'string') used.add(name);
        return Reflect.get(target, name, receiver);
      },
    });
    Object.defineProperty(core, 'exports', { value: recording });
    try {
      for (const spec of KEY_PAIR_SPECS) generateKeyPair(spec);
      const key = new Uint8Array(32).fill(7);
      const iv = new Uint8Array(12).fill(1);
      const data = new TextEncoder().encode('wasm-kms');
      sym.sha256(core, data);
      sym.hmacSha256(core, key, data);
      sym.digest(core, 'SHA-384', data);
      sym.hmac(core, 'SHA-512', key, data);
      sym.hmacVerify(core, 'SHA-224', key, data, new Uint8Array(28));
      sym.aes256KeyUnwrapPad(core, key, sym.aes256KeyWrapPad(core, key, data));
      const cbcIv = new Uint8Array(16).fill(2);
      sym.aes256CbcDecrypt(core, key, cbcIv, sym.aes256CbcEncrypt(core, key, cbcIv, data));
      const kem = generateKeyPair('ML_KEM_512');
      mlkemDecapsulate(core, kem.privateKey, mlkemEncapsulate(core, kem.publicKey).ciphertext);
      const dsa = generateMlDsa(core, 44);
      mldsaVerify(core, dsa.publicKey, data, 'RAW', mldsaSign(core, dsa.privateKey, data, 'RAW'));
      const rsa = generateKeyPair('RSA_2048');
      const digest = new Uint8Array(32);
      const signature = rsaSign(core, rsa.privateKey, 'PSS', 'SHA-256', digest);
      expect(rsaVerify(core, rsa.publicKey, 'PSS', 'SHA-256', digest, signature)).toBe(true);
      rsaOaepDecrypt(core, rsa.privateKey, 'SHA-256', rsaOaepEncrypt(core, rsa.publicKey, 'SHA-256', data));
      const p256 = generateKeyPair('ECC_NIST_P256');
      const h = sym.digest(core, 'SHA-256', data);
      expect(ecdsaVerify(core, p256.publicKey, h, ecdsaSign(core, p256.privateKey, h))).toBe(true);
      ecdhDerive(core, p256.privateKey, generateKeyPair('ECC_NIST_P256').publicKey);
      const ed = generateKeyPair('ECC_NIST_EDWARDS25519');
      expect(ed25519Verify(core, ed.publicKey, data, ed25519Sign(core, ed.privateKey, data))).toBe(true);
      const sm = generateKeyPair('SM2');
      sm3(core, data);
      expect(sm2Verify(core, sm.publicKey, data, 'RAW', sm2Sign(core, sm.privateKey, data, 'RAW'))).toBe(true);
      sm2Decrypt(core, sm.privateKey, sm2Encrypt(core, sm.publicKey, data));
      sym.hkdfSha256(core, key, data, data, 32);
      const { ciphertext, tag } = sym.aes256GcmEncrypt(core, key, iv, data, data);
      expect(sym.aes256GcmDecrypt(core, key, iv, ciphertext, tag, data)).not.toBeNull();
      const sealed = sym.hkdfAes256GcmSeal(core, key, data, data, iv, data, data);
      const ct = sealed.subarray(0, data.length);
      const t = sealed.subarray(data.length);
      expect(sym.hkdfAes256GcmOpen(core, key, data, data, iv, ct, t, data)).not.toBeNull();
    } finally {
      Object.defineProperty(core, 'exports', { value: raw });
    }
    return used;
  }

  it.each(['simd', 'scalar'] as const)(
    '%s: the export list equals the entry points the library calls',
    async (variant) => {
      const shipped = WebAssembly.Module.exports(new WebAssembly.Module(built(variant))).map((e) => e.name);
      const used = await usedByLibrary(variant);
      used.add('memory'); // read through core.bytes()/take(), and by the DER encoders' copies
      expect([...shipped].sort()).toEqual([...used].sort());
      for (const testOnly of [
        'sha512_digest',
        'aes_sub_bytes',
        'bn_modexp',
        'bn_miller_rabin',
        'scratchHighWater',
        'ec_scalar_mult_base',
      ]) {
        expect(shipped, testOnly).not.toContain(testOnly);
      }
      // The test module is the shipped ABI plus the test-only entry points.
      const test = WebAssembly.Module.exports(new WebAssembly.Module(testWasm(variant) as BufferSource)).map(
        (e) => e.name,
      );
      for (const name of shipped) expect(test, name).toContain(name);
      expect(test).toContain('sha512_digest');
      expect(test).toContain('bn_modexp');
      await initCore();
    },
  );
});
