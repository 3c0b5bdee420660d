// ECDSA signatures (FIPS 186-5) on P-256, P-384, P-521 and secp256k1, and ECDH shared
// secrets (SP 800-56A) on P-256, P-384, P-521 and SM2, computed in the WebAssembly core.
//
// Keys are the DER the key records hold: PKCS#8 private keys, SubjectPublicKeyInfo public keys.
// Signatures are DER ECDSA-Sig-Value, s as computed (no low-s normalisation, as KMS).

import {
  ecdsaSignatureDer,
  parseEcPkcs8,
  parseEcSpki,
  parseEcdsaSignatureDer,
  type EcCurve,
  type EcPublicValues,
} from '../der/ec.js';
import { DerError } from '../der/reader.js';
import { Core } from './module.js';
import { checkStatus } from './errors.js';
import { EC_CURVES, ecFlag } from './ec.js';

interface EcdsaExports {
  ec_ecdsa_sign(id: number, hashId: number, d: number, h: number, hLen: number, outR: number, outS: number): number;
  ec_ecdsa_verify(id: number, h: number, hLen: number, qx: number, qy: number, r: number, s: number): number;
  ec_ecdh(id: number, d: number, qx: number, qy: number, outX: number): number;
}

const exportsOf = (core: Core): EcdsaExports => core.exports as unknown as EcdsaExports;

/** Hash ids of the core (assembly/symmetric/hash.ts). */
const HASH_SHA1 = 1;
const HASH_SHA224 = 2;
const HASH_SHA256 = 3;
const HASH_SHA384 = 4;
const HASH_SHA512 = 5;

/** The ECDSA curves and the hash each pairs with in KMS (ECDSA_SHA_256/384/512). */
const ECDSA_HASH: Partial<Record<EcCurve, number>> = {
  'P-256': HASH_SHA256,
  'P-384': HASH_SHA384,
  'P-521': HASH_SHA512,
  secp256k1: HASH_SHA256,
};

/** The ECDH curves: KMS's KEY_AGREEMENT specs (P-256, P-384, P-521, SM2) and secp256k1. */
const ECDH_CURVES: ReadonlySet<EcCurve> = new Set(['P-256', 'P-384', 'P-521', 'secp256k1', 'SM2']);

/**
 * The hash of the nonce's HMAC_DRBG (RFC 6979 §3.2 uses the hash that made the digest): the
 * SHA-2 function of the digest's length, or the curve's own for any other length.
 */
function drbgHash(curve: EcCurve, digestLength: number): number {
  if (digestLength === 20) return HASH_SHA1;
  if (digestLength === 28) return HASH_SHA224;
  if (digestLength === 32) return HASH_SHA256;
  if (digestLength === 48) return HASH_SHA384;
  if (digestLength === 64) return HASH_SHA512;
  return ECDSA_HASH[curve]!;
}

/** A peer public key that cannot be used for ECDH: malformed, on another curve, or not a point of it. */
export class EcPublicKeyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EcPublicKeyError';
  }
}

function checkBytes(name: string, value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
}

function ecdsaCurve(curve: EcCurve): number {
  const hash = ECDSA_HASH[curve];
  if (hash === undefined) throw new RangeError(`ECDSA is not available on ${curve} keys`);
  return hash;
}

/**
 * The DER ECDSA-Sig-Value of `digest` (any length: its leftmost len(n) bits are used, FIPS
 * 186-5 §6.4.1) under the PKCS#8 key `pkcs8` (P-256, P-384, P-521 or secp256k1). The nonce is
 * RFC 6979's, hedged with 32 fresh random bytes from the core (RFC 6979 §3.6).
 */
export function ecdsaSign(core: Core, pkcs8: Uint8Array, digest: Uint8Array): Uint8Array {
  checkBytes('pkcs8', pkcs8);
  checkBytes('digest', digest);
  const { curve, privateKey } = parseEcPkcs8(pkcs8);
  try {
    ecdsaCurve(curve);
    const { id, bytes } = EC_CURVES[curve];
    const hashId = drbgHash(curve, digest.length);
    const ec = exportsOf(core);
    const rs = core.run(ecFlag(id), (x) => {
      // One block of scratch (wiped by run): r, s, d, digest.
      const hl = digest.length;
      const base = x.alloc(3 * bytes + hl);
      const view = core.bytes(base, 3 * bytes + hl);
      view.set(privateKey, 2 * bytes);
      view.set(digest, 3 * bytes);
      checkStatus(
        ec.ec_ecdsa_sign(id, hashId, base + 2 * bytes, base + 3 * bytes, hl, base, base + bytes),
        'ec_ecdsa_sign',
        `${curve} private key is not in [1, n-1]`,
      );
      return core.take(base, 2 * bytes);
    });
    return ecdsaSignatureDer(rs.subarray(0, bytes), rs.subarray(bytes));
  } finally {
    privateKey.fill(0);
  }
}

/**
 * Whether `signature` (DER ECDSA-Sig-Value, strictly: minimal lengths and integers, nothing
 * trailing, r and s in [1, n-1]) is valid for `digest` under the SubjectPublicKeyInfo `spki`.
 * False for any malformed signature or a public point not on the curve.
 */
export function ecdsaVerify(core: Core, spki: Uint8Array, digest: Uint8Array, signature: Uint8Array): boolean {
  checkBytes('spki', spki);
  checkBytes('digest', digest);
  checkBytes('signature', signature);
  const { curve, point } = parsedSpki(spki);
  ecdsaCurve(curve);
  const { id, bytes } = EC_CURVES[curve];
  const sig = parseEcdsaSignatureDer(signature, bytes);
  if (sig === undefined) return false;
  const ec = exportsOf(core);
  return core.run(ecFlag(id), (x) => {
    // One block of scratch: digest, x || y, r, s (the core reads them as bytes).
    const hl = digest.length;
    const base = x.alloc(hl + 4 * bytes);
    const view = core.bytes(base, hl + 4 * bytes);
    view.set(digest);
    view.set(point.subarray(1), hl);
    view.set(sig.r, hl + 2 * bytes);
    view.set(sig.s, hl + 3 * bytes);
    const q = base + hl;
    return ec.ec_ecdsa_verify(id, base, hl, q, q + bytes, q + 2 * bytes, q + 3 * bytes) === 1;
  });
}

/** Parsed public keys by their DER bytes (public values; a bounded map, oldest out first). */
const spkiCache = new Map<string, EcPublicValues>();
const SPKI_CACHE_SIZE = 64;
const SPKI_CACHE_MAX_BYTES = 256;

/**
 * parseEcSpki(spki), from the cache when the same bytes were parsed before: verification with
 * a key used again skips the DER walk. Only keys that parse are kept (their point copied);
 * callers only read them.
 */
function parsedSpki(spki: Uint8Array): EcPublicValues {
  if (spki.length > SPKI_CACHE_MAX_BYTES) return parseEcSpki(spki);
  const key = String.fromCharCode.apply(null, spki as unknown as number[]);
  let parsed = spkiCache.get(key);
  if (parsed === undefined) {
    const { curve, point } = parseEcSpki(spki);
    // A copy: the caller may reuse its buffer, and the entry must keep the bytes it was made from.
    parsed = { curve, point: point.slice() };
    if (spkiCache.size >= SPKI_CACHE_SIZE) spkiCache.delete(spkiCache.keys().next().value!);
    spkiCache.set(key, parsed);
  }
  return parsed;
}

/**
 * The ECDH shared secret (the x-coordinate of [d]Q, field-length bytes) of the PKCS#8 key
 * `pkcs8` (P-256, P-384, P-521, secp256k1 or SM2) and the peer's SubjectPublicKeyInfo `peerSpki`. Throws
 * EcPublicKeyError when the peer key is malformed, names another curve, or its point is not on
 * the curve (the identity has no uncompressed encoding, so it is refused as well).
 */
export function ecdhDerive(core: Core, pkcs8: Uint8Array, peerSpki: Uint8Array): Uint8Array {
  checkBytes('pkcs8', pkcs8);
  checkBytes('peerSpki', peerSpki);
  let peer: EcPublicValues;
  try {
    peer = parseEcSpki(peerSpki);
  } catch (err) {
    if (err instanceof DerError)
      throw new EcPublicKeyError(`the peer public key is not valid: ${err.message}`, { cause: err });
    throw err;
  }
  const { curve, privateKey } = parseEcPkcs8(pkcs8);
  try {
    if (!ECDH_CURVES.has(curve)) throw new RangeError(`ECDH is not available on ${curve} keys`);
    if (peer.curve !== curve) {
      throw new EcPublicKeyError(`the peer public key is on ${peer.curve}, the private key on ${curve}`);
    }
    const { id, bytes } = EC_CURVES[curve];
    const ec = exportsOf(core);
    const { status, secret } = core.run(ecFlag(id), (x) => {
      const d = core.put(privateKey);
      const qx = core.put(peer.point.subarray(1, 1 + bytes));
      const qy = core.put(peer.point.subarray(1 + bytes));
      const outX = x.alloc(bytes);
      const status = ec.ec_ecdh(id, d, qx, qy, outX);
      return { status, secret: status === 0 ? core.take(outX, bytes) : undefined };
    });
    if (status === 1) throw new EcPublicKeyError(`the peer public key is not a point of ${curve}`);
    if (status === 2) throw new RangeError(`${curve} private key is not in [1, n-1]`);
    if (secret === undefined) throw new RangeError(`ECDH failed on ${curve} (status ${status})`);
    return secret;
  } finally {
    privateKey.fill(0);
  }
}
