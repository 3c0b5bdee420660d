// Ed25519 key pairs (RFC 8032) from the WebAssembly core, encoded per RFC 8410.

import { ed25519Pkcs8, ed25519Spki, ED25519_KEY_BYTES } from '../der/ed25519.js';
import { Core } from './module.js';

/** The core's Ed25519 entry points (assembly/exports/ed25519.ts; the rest are in the test module only). */
export interface Ed25519Exports {
  ed25519_generate(outSeed: number, outPub: number): void;
  /** Test only: the public key of a seed. */
  ed25519_public_from_seed(seed: number, outPub: number): void;
  /** Test only: encoded [k]B for a raw 32-byte little-endian k. */
  ed25519_scalar_mult_base(scalar32: number, out: number): void;
  /** Test only: SHA-512. */
  sha512_digest(ptr: number, len: number, out: number): void;
  /** Test only: SHA-512 through init/update/final in `chunk`-byte pieces. */
  sha512_digest_chunked(ptr: number, len: number, chunk: number, out: number): number;
}

const exportsOf = (core: Core): Ed25519Exports => core.exports as unknown as Ed25519Exports;

/** Raw key material: the 32-byte seed (the private key) and the 32-byte public key. The caller wipes the seed. */
export function ed25519KeyMaterial(core: Core): { seed: Uint8Array; publicKey: Uint8Array } {
  const ed = exportsOf(core);
  return core.run(0, (x) => {
    const outSeed = x.alloc(ED25519_KEY_BYTES);
    const outPub = x.alloc(ED25519_KEY_BYTES);
    ed.ed25519_generate(outSeed, outPub);
    return { seed: core.take(outSeed, ED25519_KEY_BYTES), publicKey: core.take(outPub, ED25519_KEY_BYTES) };
  });
}

/** A fresh Ed25519 key pair: DER SubjectPublicKeyInfo and DER PKCS#8. */
export function generateEd25519(core: Core): { publicKey: Uint8Array; privateKey: Uint8Array } {
  const { seed, publicKey } = ed25519KeyMaterial(core);
  try {
    return { publicKey: ed25519Spki(publicKey), privateKey: ed25519Pkcs8(seed) };
  } finally {
    seed.fill(0);
  }
}

/** Test module only: the 32-byte public key of a 32-byte seed (RFC 8032 §5.1.5). */
export function ed25519PublicFromSeed(core: Core, seed: Uint8Array): Uint8Array {
  if (!(seed instanceof Uint8Array) || seed.length !== ED25519_KEY_BYTES) {
    throw new RangeError(`Ed25519 seeds are ${ED25519_KEY_BYTES} bytes`);
  }
  const ed = exportsOf(core);
  return core.run(0, (x) => {
    const seedPtr = core.put(seed);
    const outPub = x.alloc(ED25519_KEY_BYTES);
    ed.ed25519_public_from_seed(seedPtr, outPub);
    return core.take(outPub, ED25519_KEY_BYTES);
  });
}

/** Test only: the encoding of [k]B for a raw 32-byte little-endian scalar k (not clamped). */
export function ed25519ScalarMultBase(core: Core, scalar: Uint8Array): Uint8Array {
  if (!(scalar instanceof Uint8Array) || scalar.length !== 32) throw new RangeError('Ed25519 scalars are 32 bytes');
  const ed = exportsOf(core);
  return core.run(0, (x) => {
    const k = core.put(scalar);
    const out = x.alloc(32);
    ed.ed25519_scalar_mult_base(k, out);
    return core.take(out, 32);
  });
}

/** Test only: SHA-512 of `data` computed in the core. */
export function sha512Core(core: Core, data: Uint8Array): Uint8Array {
  const ed = exportsOf(core);
  return core.run(0, (x) => {
    const ptr = core.put(data);
    const out = x.alloc(64);
    ed.sha512_digest(ptr, data.length, out);
    return core.take(out, 64);
  });
}
