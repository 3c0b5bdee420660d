// Ed25519 key pairs (RFC 8032) from the WebAssembly core, encoded per RFC 8410, and Ed25519 /
// Ed25519ph (empty context) signatures made and checked in the core.

import {
  ed25519Pkcs8,
  ed25519Spki,
  parseEd25519Pkcs8,
  parseEd25519Spki,
  ED25519_KEY_BYTES,
  ED25519_SIGNATURE_BYTES,
} from '../der/ed25519.js';
import { checkStatus } from './errors.js';
import { Core } from './module.js';

/** The core's Ed25519 entry points (assembly/exports/ed25519.ts; the rest are in the test module only). */
export interface Ed25519Exports {
  ed25519_generate(outSeed: number, outPub: number): void;
  /** Status; ph = 1: Ed25519ph, msg the 64-byte SHA-512 digest. Writes the 64-byte signature. */
  ed25519_sign(seed: number, msg: number, msgLen: number, ph: number, outSig: number): number;
  /** 1 when the signature is valid, else 0. */
  ed25519_verify(pub: number, msg: number, msgLen: number, sig: number, ph: number): number;
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

/** Bytes of the SHA-512 digest that Ed25519ph signs. */
const SHA512_BYTES = 64;

function checkBytes(what: string, value: Uint8Array): void {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`);
}

function checkDigest(digest: Uint8Array): void {
  checkBytes('the digest', digest);
  if (digest.length !== SHA512_BYTES) {
    throw new RangeError(`Ed25519ph signs a ${SHA512_BYTES}-byte SHA-512 digest, got ${digest.length} bytes`);
  }
}

function sign(core: Core, pkcs8: Uint8Array, message: Uint8Array, ph: boolean): Uint8Array {
  checkBytes('the message', message);
  const seed = parseEd25519Pkcs8(pkcs8);
  const ed = exportsOf(core);
  try {
    return core.run(0, (x) => {
      const seedPtr = core.put(seed);
      const msgPtr = core.put(message);
      const out = x.alloc(ED25519_SIGNATURE_BYTES);
      checkStatus(ed.ed25519_sign(seedPtr, msgPtr, message.length, ph ? 1 : 0, out), 'ed25519_sign');
      return core.take(out, ED25519_SIGNATURE_BYTES);
    });
  } finally {
    seed.fill(0);
  }
}

function verify(core: Core, spki: Uint8Array, message: Uint8Array, signature: Uint8Array, ph: boolean): boolean {
  checkBytes('the message', message);
  checkBytes('the signature', signature);
  const publicKey = parseEd25519Spki(spki);
  if (signature.length !== ED25519_SIGNATURE_BYTES) return false;
  const ed = exportsOf(core);
  return core.run(0, () => {
    const pubPtr = core.put(publicKey);
    const msgPtr = core.put(message);
    const sigPtr = core.put(signature);
    return ed.ed25519_verify(pubPtr, msgPtr, message.length, sigPtr, ph ? 1 : 0) === 1;
  });
}

/**
 * The 64-byte Ed25519 signature R || S (RFC 8032 §5.1.6) of `message` under a DER PKCS#8
 * Ed25519 private key: what KMS Sign returns for ED25519_SHA_512 with MessageType RAW.
 */
export function ed25519Sign(core: Core, pkcs8: Uint8Array, message: Uint8Array): Uint8Array {
  return sign(core, pkcs8, message, false);
}

/**
 * Whether `signature` is a valid Ed25519 signature of `message` under a DER SubjectPublicKeyInfo
 * Ed25519 key (RFC 8032 §5.1.7: strict decoding, S < L, cofactorless [S]B = R + [k]A, as
 * OpenSSL checks). False for a signature of any length but 64 bytes.
 */
export function ed25519Verify(core: Core, spki: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return verify(core, spki, message, signature, false);
}

/**
 * The Ed25519ph signature (RFC 8032 §5.1, phflag 1, empty context) of the message whose
 * SHA-512 digest is `sha512Digest` (64 bytes, else RangeError): KMS's ED25519_PH_SHA_512.
 */
export function ed25519phSign(core: Core, pkcs8: Uint8Array, sha512Digest: Uint8Array): Uint8Array {
  checkDigest(sha512Digest);
  return sign(core, pkcs8, sha512Digest, true);
}

/** Whether `signature` is a valid Ed25519ph signature (empty context) on a 64-byte SHA-512 digest. */
export function ed25519phVerify(
  core: Core,
  spki: Uint8Array,
  sha512Digest: Uint8Array,
  signature: Uint8Array,
): boolean {
  checkDigest(sha512Digest);
  return verify(core, spki, sha512Digest, signature, true);
}
