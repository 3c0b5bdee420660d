// RSA in the WebAssembly core: key pairs (DER SPKI and PKCS#8), RSASSA-PKCS1-v1_5 and
// RSASSA-PSS signatures of digests, RSAES-OAEP encryption (RFC 8017).

import { rsaSpki, rsaPkcs8, parseRsaPkcs8, parseRsaSpki, type RsaPrivateComponents } from '../der/rsa.js';
import { Core, FLAG_RSA, type CoreExports } from './module.js';
import { checkStatus, CORE_STATUS } from './errors.js';

const FIELDS = ['n', 'e', 'd', 'p', 'q', 'dP', 'dQ', 'qInv'] as const;

/** Raw components of a fresh RSA key (big-endian bytes). The caller must wipe them. */
export function rsaComponents(core: Core, nlen: number): RsaPrivateComponents {
  if (!Number.isInteger(nlen) || nlen < 1024 || nlen > 4096 || nlen % 16 !== 0) {
    throw new RangeError(`RSA modulus length must be a multiple of 16 from 1024 to 4096, got ${nlen}`);
  }
  return core.run(FLAG_RSA, (x) => {
    const record = x.alloc(FIELDS.length * 8);
    // KEYGEN_FAILED is FIPS 186-5 A.1.3 step 4.7/5.8: no prime among 5(nlen/2) candidates.
    checkStatus(
      x.rsa_generate(nlen, record),
      'rsa_generate',
      'RSA key generation failed: the random source produced no usable prime (is crypto.getRandomValues working?)',
    );
    const table = new Uint32Array(x.memory.buffer.slice(record, record + FIELDS.length * 8));
    const out = {} as Record<(typeof FIELDS)[number], Uint8Array>;
    FIELDS.forEach((name, i) => {
      out[name] = core.take(table[2 * i]!, table[2 * i + 1]!);
    });
    return out;
  });
}

export function generateRsa(core: Core, nlen: number): { publicKey: Uint8Array; privateKey: Uint8Array } {
  const c = rsaComponents(core, nlen);
  try {
    return { publicKey: rsaSpki(c.n, c.e), privateKey: rsaPkcs8(c) };
  } finally {
    for (const v of Object.values(c)) v.fill(0);
  }
}

// ---- Signatures and OAEP ------------------------------------------------------------------

/** The core's RSA entry points beyond key generation (assembly/exports/rsa.ts). */
interface RsaExports {
  rsa_sign(
    key: number,
    scheme: number,
    hashId: number,
    digest: number,
    digestLen: number,
    blind: number,
    fresh: number,
    out: number,
  ): number;
  rsa_verify(
    n: number,
    k: number,
    e: number,
    eLen: number,
    scheme: number,
    hashId: number,
    digest: number,
    digestLen: number,
    sig: number,
    sigLen: number,
    kept: number,
  ): number;
  rsa_oaep_encrypt(
    n: number,
    k: number,
    e: number,
    eLen: number,
    hashId: number,
    label: number,
    labelLen: number,
    msg: number,
    msgLen: number,
    out: number,
    kept: number,
  ): number;
  rsa_oaep_decrypt(
    key: number,
    hashId: number,
    label: number,
    labelLen: number,
    ct: number,
    ctLen: number,
    blind: number,
    fresh: number,
    out: number,
    outLen: number,
  ): number;
}

export type RsaSignatureScheme = 'PKCS1' | 'PSS';
export type RsaSignatureHash = 'SHA-256' | 'SHA-384' | 'SHA-512';
export type RsaOaepHash = 'SHA-1' | 'SHA-256';

/** RSAES-OAEP decryption failed. One error, with one message, for every reason. */
export class RsaDecryptionError extends Error {
  constructor() {
    super('wasm-kms: RSAES-OAEP decryption failed');
    this.name = 'RsaDecryptionError';
  }
}

const SCHEMES: Record<RsaSignatureScheme, number> = { PKCS1: 1, PSS: 2 };
const SIGN_HASHES: Record<RsaSignatureHash, { id: number; size: number }> = {
  'SHA-256': { id: 3, size: 32 },
  'SHA-384': { id: 4, size: 48 },
  'SHA-512': { id: 5, size: 64 },
};
const OAEP_HASHES: Record<RsaOaepHash, { id: number; size: number }> = {
  'SHA-1': { id: 1, size: 20 },
  'SHA-256': { id: 3, size: 32 },
};

function pick<K extends string, V>(table: Record<K, V>, name: unknown, what: string): V {
  if (typeof name !== 'string' || !Object.hasOwn(table, name)) {
    throw new TypeError(`${what} must be one of ${Object.keys(table).join(', ')}`);
  }
  return table[name as K];
}

/** The value of a lowercase hexadecimal digit's character code. */
function hexDigit(c: number): number {
  return c <= 57 ? c - 48 : c - 87;
}

/**
 * Minimal big-endian bytes of a positive integer: its hexadecimal digits decoded by character
 * code (parseInt per byte took most of a private key's preparation, 40 of 60 us at 2048 bits).
 */
function minimalBytes(x: bigint): Uint8Array {
  if (x <= 0n) throw new RangeError('RSA key values must be positive');
  const hex = x.toString(16);
  const odd = hex.length & 1;
  const out = new Uint8Array((hex.length + odd) >> 1);
  if (odd) out[0] = hexDigit(hex.charCodeAt(0));
  for (let i = odd, j = odd; i < out.length; i++, j += 2) {
    out[i] = (hexDigit(hex.charCodeAt(j)) << 4) | hexDigit(hex.charCodeAt(j + 1));
  }
  return out;
}

const EMPTY = new Uint8Array(0);
const MIN_MODULUS_BITS = 512;
const MAX_MODULUS_BITS = 8192;

function checkModulus(n: bigint, e: bigint): void {
  const hex = n.toString(16);
  const bits = 4 * hex.length - (Math.clz32(hexDigit(hex.charCodeAt(0))) - 28);
  if (bits < MIN_MODULUS_BITS || bits > MAX_MODULUS_BITS || (n & 1n) === 0n) {
    throw new RangeError(`RSA modulus must be odd and ${MIN_MODULUS_BITS} to ${MAX_MODULUS_BITS} bits`);
  }
  if (e < 3n || (e & 1n) === 0n || e >= 1n << 64n)
    throw new RangeError('RSA public exponent must be odd, 3 to 2^64 - 1');
}

export interface PrivateFields {
  /** n, e, d (empty: unused), p, q, dP, dQ, qInv as minimal big-endian bytes. */
  fields: Uint8Array[];
  /** Blinding cache key: the modulus and exponent in hex. */
  id: string;
  k: number;
}

/** Big-endian bytes of x, left-padded to the length of `like` (x must fit). */
function paddedBytes(x: bigint, like: Uint8Array): Uint8Array {
  const b = minimalBytes(x);
  if (b.length > like.length) throw new RangeError('RSA private key values out of range');
  const out = new Uint8Array(like.length);
  out.set(b, like.length - b.length);
  b.fill(0);
  return out;
}

/**
 * The private key record's fields for the core. n, e, p and q in their minimal length (public
 * sizes); dP and qInv padded to p's length and dQ to q's, so that the core's work does not
 * depend on their leading zero bytes. Exported for the tests.
 */
export function privateFields(pkcs8: Uint8Array): PrivateFields {
  const v = parseRsaPkcs8(pkcs8);
  checkModulus(v.n, v.e);
  const [n, e, p, q] = [v.n, v.e, v.p, v.q].map(minimalBytes) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const fields = [n, e, new Uint8Array([1]), p, q, paddedBytes(v.dP, p), paddedBytes(v.dQ, q), paddedBytes(v.qInv, p)];
  return { fields, id: `${v.e.toString(16)}:${v.n.toString(16)}`, k: n.length };
}

/** A public key as the core takes it, and the constants of its modulus once the core made them. */
interface PublicKey {
  n: Uint8Array;
  e: Uint8Array;
  /** R^2 mod n, R mod n and a flag byte (2k + 1 bytes, see rsaPublic in the core), once known. */
  kept: Uint8Array | undefined;
}

// Public keys seen by public operations, by their SPKI bytes (public data only): the parsed
// modulus and exponent, and the constants of the modulus that the core computes on first use
// and takes back on the next (a third of an RSA-2048 verification). The most recently used
// PUBLIC_KEYS keys are kept.
const PUBLIC_KEYS = 256;
const publicKeys = new Map<string, PublicKey>();

/** The SPKI bytes as a string (a map key): one character per byte. */
function bytesKey(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096) as unknown as number[]);
  }
  return s;
}

function publicKey(spki: Uint8Array): PublicKey {
  const id = bytesKey(spki);
  let key = publicKeys.get(id);
  if (key) {
    publicKeys.delete(id); // most recently used last
  } else {
    const v = parseRsaSpki(spki);
    checkModulus(v.n, v.e);
    key = { n: minimalBytes(v.n), e: minimalBytes(v.e), kept: undefined };
    if (publicKeys.size >= PUBLIC_KEYS) publicKeys.delete(publicKeys.keys().next().value as string);
  }
  publicKeys.set(id, key);
  return key;
}

/** How many public keys the cache holds (for the tests). */
export function rsaPublicKeysCached(): number {
  return publicKeys.size;
}

/**
 * Runs a public operation with the `kept` buffer (2k + 1 bytes, see rsaPublic in the core)
 * filled from the key's constants if known, and keeps what the core computed otherwise.
 */
function withConstants<T>(core: Core, x: CoreExports, key: PublicKey, op: (kept: number) => T): T {
  const size = 2 * key.n.length + 1;
  const kept = x.alloc(size);
  if (key.kept) core.bytes(kept, size).set(key.kept);
  const result = op(kept);
  if (!key.kept && core.bytes(kept + size - 1, 1)[0] === 1) key.kept = core.take(kept, size);
  return result;
}

/** Writes a private key record (8 (ptr, len) pairs) into the core; returns its pointer. */
function putKey(core: Core, x: CoreExports, fields: Uint8Array[]): number {
  const record = x.alloc(fields.length * 8);
  const table = new Uint32Array(fields.length * 2);
  fields.forEach((f, i) => {
    table[2 * i] = core.put(f);
    table[2 * i + 1] = f.length;
  });
  core.bytes(record, table.byteLength).set(new Uint8Array(table.buffer));
  return record;
}

// Blinding pairs (A = r^e, Ai = r^-1 mod n) per core and key, as OpenSSL keeps them with the
// key: each private operation returns the next pair (A^2, Ai^2), and a fresh r is drawn in
// the core every BLINDING_USES operations and for a key seen for the first time. The pairs are
// blinding values, not key material; at most BLINDING_KEYS keys per core keep one.
const BLINDING_USES = 32;
const BLINDING_KEYS = 64;

interface Blinding {
  pair: Uint8Array;
  uses: number;
}

const blindings = new WeakMap<Core, Map<string, Blinding>>();

/**
 * Runs a private operation: `op` gets the blinding buffer's pointer and whether it must be
 * made fresh. The core replaced the pair by the next one when the private operation ran to its
 * end (status OK, and DECRYPT_FAILED: an OAEP ciphertext that does not decode must not cost
 * its next decryption a fresh pair, or timing would tell it apart); that one is kept.
 */
function withBlinding(
  core: Core,
  x: CoreExports,
  key: PrivateFields,
  op: (blind: number, fresh: number) => number,
): number {
  let perCore = blindings.get(core);
  if (!perCore) blindings.set(core, (perCore = new Map()));
  const cached = perCore.get(key.id);
  perCore.delete(key.id);
  const fresh = !cached || cached.uses >= BLINDING_USES;
  const blind = x.alloc(2 * key.k);
  if (cached && !fresh) core.bytes(blind, 2 * key.k).set(cached.pair);
  cached?.pair.fill(0);
  const status = op(blind, fresh ? 1 : 0);
  if (status === CORE_STATUS.OK || status === CORE_STATUS.DECRYPT_FAILED) {
    perCore.set(key.id, { pair: core.take(blind, 2 * key.k), uses: fresh ? 1 : cached!.uses + 1 });
    if (perCore.size > BLINDING_KEYS) {
      const oldest = perCore.keys().next().value as string;
      perCore.get(oldest)?.pair.fill(0);
      perCore.delete(oldest);
    }
  }
  return status;
}

/** a < b for big-endian strings of the same length (public values). */
function below(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

function wipeFields(fields: Uint8Array[]): void {
  for (const f of fields) f.fill(0);
}

/**
 * RSASSA-PKCS1-v1_5 or RSASSA-PSS (MGF1 with the same hash, salt as long as the hash) signature
 * of a digest, with the key in PKCS#8. CRT with blinding; the result is checked before it is
 * returned (CoreError RSA_FAULT otherwise).
 */
export function rsaSign(
  core: Core,
  pkcs8: Uint8Array,
  scheme: RsaSignatureScheme,
  hash: RsaSignatureHash,
  digest: Uint8Array,
): Uint8Array {
  const schemeId = pick(SCHEMES, scheme, 'scheme');
  const h = pick(SIGN_HASHES, hash, 'hash');
  if (!(digest instanceof Uint8Array) || digest.length !== h.size) {
    throw new RangeError(`a ${hash} digest is ${h.size} bytes`);
  }
  const key = privateFields(pkcs8);
  try {
    return core.run(FLAG_RSA, (x) => {
      const r = x as unknown as RsaExports;
      const rec = putKey(core, x, key.fields);
      const d = core.put(digest);
      const out = x.alloc(key.k);
      const status = withBlinding(core, x, key, (blind, fresh) =>
        r.rsa_sign(rec, schemeId, h.id, d, digest.length, blind, fresh, out),
      );
      checkStatus(status, 'rsa_sign', signFailure(status));
      return core.take(out, key.k);
    });
  } finally {
    wipeFields(key.fields);
  }
}

function signFailure(status: number): string {
  if (status === CORE_STATUS.RSA_FAULT) return 'RSA signing failed: the result did not verify (fault detected)';
  if (status === CORE_STATUS.KEYGEN_FAILED) return 'RSA signing failed: the random source failed (blinding)';
  return 'RSA signing failed: the key is not usable for this scheme and hash';
}

/** Whether `signature` is a valid signature of `digest` (false also for a malformed one). */
export function rsaVerify(
  core: Core,
  spki: Uint8Array,
  scheme: RsaSignatureScheme,
  hash: RsaSignatureHash,
  digest: Uint8Array,
  signature: Uint8Array,
): boolean {
  const schemeId = pick(SCHEMES, scheme, 'scheme');
  const h = pick(SIGN_HASHES, hash, 'hash');
  if (!(digest instanceof Uint8Array) || digest.length !== h.size) {
    throw new RangeError(`a ${hash} digest is ${h.size} bytes`);
  }
  const key = publicKey(spki);
  const { n, e } = key;
  if (!(signature instanceof Uint8Array) || signature.length !== n.length) return false;
  return core.run(0, (x) => {
    const r = x as unknown as RsaExports;
    const np = core.put(n);
    const ep = core.put(e);
    const d = core.put(digest);
    const s = core.put(signature);
    return withConstants(
      core,
      x,
      key,
      (kept) =>
        r.rsa_verify(np, n.length, ep, e.length, schemeId, h.id, d, digest.length, s, signature.length, kept) === 1,
    );
  });
}

/** The longest plaintext RSAES-OAEP with `hash` encrypts under `spki` (k - 2 hLen - 2). */
export function rsaOaepMaxPlaintext(spki: Uint8Array, hash: RsaOaepHash): number {
  const h = pick(OAEP_HASHES, hash, 'hash');
  return publicKey(spki).n.length - 2 * h.size - 2;
}

/** RSAES-OAEP encryption (MGF1 with the same hash; the label is empty unless given, as in KMS). */
export function rsaOaepEncrypt(
  core: Core,
  spki: Uint8Array,
  hash: RsaOaepHash,
  plaintext: Uint8Array,
  label: Uint8Array = EMPTY,
): Uint8Array {
  const h = pick(OAEP_HASHES, hash, 'hash');
  const key = publicKey(spki);
  const { n, e } = key;
  const max = n.length - 2 * h.size - 2;
  if (plaintext.length > max) {
    throw new RangeError(`RSAES-OAEP with ${hash} and a ${n.length * 8}-bit key encrypts at most ${max} bytes`);
  }
  return core.run(0, (x) => {
    const r = x as unknown as RsaExports;
    const np = core.put(n);
    const ep = core.put(e);
    const m = core.put(plaintext);
    const l = core.put(label);
    const out = x.alloc(n.length);
    const status = withConstants(core, x, key, (kept) =>
      r.rsa_oaep_encrypt(np, n.length, ep, e.length, h.id, l, label.length, m, plaintext.length, out, kept),
    );
    checkStatus(status, 'rsa_oaep_encrypt');
    return core.take(out, n.length);
  });
}

/**
 * RSAES-OAEP decryption with the key in PKCS#8 (the label is empty unless given, as in KMS).
 * Every ciphertext that does not decrypt throws the same RsaDecryptionError, after the same
 * work in the core.
 */
export function rsaOaepDecrypt(
  core: Core,
  pkcs8: Uint8Array,
  hash: RsaOaepHash,
  ciphertext: Uint8Array,
  label: Uint8Array = EMPTY,
): Uint8Array {
  const h = pick(OAEP_HASHES, hash, 'hash');
  const key = privateFields(pkcs8);
  const max = key.k - 2 * h.size - 2;
  if (max < 0) throw new RangeError(`the key is too small for RSAES-OAEP with ${hash}`);
  // Public properties of the ciphertext, checked before any work on the key: k bytes, below n.
  if (!(ciphertext instanceof Uint8Array) || ciphertext.length !== key.k || !below(ciphertext, key.fields[0]!)) {
    wipeFields(key.fields);
    throw new RsaDecryptionError();
  }
  try {
    return core.run(FLAG_RSA, (x) => {
      const r = x as unknown as RsaExports;
      const rec = putKey(core, x, key.fields);
      const c = core.put(ciphertext);
      const l = core.put(label);
      const out = x.alloc(Math.max(max, 1));
      const outLen = x.alloc(4);
      const status = withBlinding(core, x, key, (blind, fresh) =>
        r.rsa_oaep_decrypt(rec, h.id, l, label.length, c, ciphertext.length, blind, fresh, out, outLen),
      );
      // DECRYPT_FAILED is the ciphertext's fault; anything else (a CRT fault caught by the result
      // check, a random source that failed while blinding) is the engine's, and says so.
      if (status === CORE_STATUS.DECRYPT_FAILED) throw new RsaDecryptionError();
      checkStatus(status, 'rsa_oaep_decrypt');
      const len = new DataView(x.memory.buffer).getInt32(outLen, true);
      return core.take(out, len);
    });
  } finally {
    wipeFields(key.fields);
  }
}
