// The SHA family and HMAC over it, and SHA-256, HMAC-SHA-256, HKDF-SHA-256 and AES-256-GCM from
// the WebAssembly core: the primitives that wrap private keys (docs/ciphertext-format.md); AES-256-CBC, the content
// encryption of the CMS envelopes made for attested enclaves. Every call copies its
// inputs into scratch memory, runs, copies the outputs out, and the core wipes the scratch.

import { Core } from './module.js';
import { CORE_STATUS, checkStatus } from './errors.js';

/**
 * The core's symmetric entry points (assembly/exports/symmetric.ts; the test-only ones are in
 * the test module only, assembly/exports/testing.ts). Statuses: src/core/errors.ts.
 */
export interface SymmetricExports {
  /** OK, or INVALID_ARGUMENT for an unknown hash id. */
  hash_digest(id: number, ptr: number, len: number, out: number): number;
  /** OK, or INVALID_ARGUMENT for an unknown hash id. */
  hmac_any(id: number, key: number, keyLen: number, msg: number, msgLen: number, out: number): number;
  /** OK if the tag (the hash's size) is the MAC, AUTH_FAILED if not; compared in the core in constant time. */
  hmac_any_verify(id: number, key: number, keyLen: number, msg: number, msgLen: number, tag: number): number;
  sha256_digest(ptr: number, len: number, out: number): void;
  hmac_sha256(key: number, keyLen: number, msg: number, msgLen: number, out: number): void;
  /** OK, or INVALID_ARGUMENT if outLen > 255·32. */
  hkdf_sha256(
    ikm: number,
    ikmLen: number,
    salt: number,
    saltLen: number,
    info: number,
    infoLen: number,
    out: number,
    outLen: number,
  ): number;
  aes256_gcm_encrypt(
    key32: number,
    iv12: number,
    aad: number,
    aadLen: number,
    pt: number,
    ptLen: number,
    outCt: number,
    outTag16: number,
  ): void;
  /** OK if the tag authenticates (plaintext in outPt), else AUTH_FAILED with outPt zeroed. */
  aes256_gcm_decrypt(
    key32: number,
    iv12: number,
    aad: number,
    aadLen: number,
    ct: number,
    ctLen: number,
    tag16: number,
    outPt: number,
  ): number;
  /** HKDF-SHA-256 → 32-byte key → AES-256-GCM in one call; the key stays in the core. OK or INVALID_ARGUMENT. */
  hkdf_aes256_gcm_seal(
    ikm: number,
    ikmLen: number,
    salt: number,
    saltLen: number,
    info: number,
    infoLen: number,
    iv12: number,
    aad: number,
    aadLen: number,
    pt: number,
    ptLen: number,
    outCt: number,
    outTag16: number,
  ): number;
  /** The inverse of hkdf_aes256_gcm_seal: OK if authentic, else AUTH_FAILED with outPt zeroed. */
  hkdf_aes256_gcm_open(
    ikm: number,
    ikmLen: number,
    salt: number,
    saltLen: number,
    info: number,
    infoLen: number,
    iv12: number,
    aad: number,
    aadLen: number,
    ct: number,
    ctLen: number,
    tag16: number,
    outPt: number,
  ): number;
  /** OK, or INVALID_ARGUMENT if ptLen is 0. Writes 8·ceil(ptLen / 8) + 8 bytes. */
  aes256_kwp_wrap(kek32: number, pt: number, ptLen: number, out: number): number;
  /** OK with the length at outLen4, AUTH_FAILED (out zeroed), or INVALID_ARGUMENT for a bad ctLen. */
  aes256_kwp_unwrap(kek32: number, ct: number, ctLen: number, out: number, outLen4: number): number;
  /** OK (INVALID_ARGUMENT for a negative length). Writes (ptLen & ~15) + 16 bytes. */
  aes256_cbc_encrypt(key32: number, iv16: number, pt: number, ptLen: number, out: number): number;
  /** OK with the length at outLen4, AUTH_FAILED for a bad padding (out zeroed), or INVALID_ARGUMENT for a bad ctLen. */
  aes256_cbc_decrypt(key32: number, iv16: number, ct: number, ctLen: number, out: number, outLen4: number): number;
  /** Test only: SHA-256 through init/update/final in `chunk`-byte pieces. */
  sha256_digest_chunked(ptr: number, len: number, chunk: number, out: number): number;
  /** Test only: AES-256 of `blocks` 16-byte blocks (ECB). */
  aes256_encrypt_blocks(key32: number, src: number, blocks: number, dst: number): void;
  /** Test only: the AES S-box in place through the bitsliced circuit. */
  aes_sub_bytes(ptr: number, len: number): void;
  /** Test only: GHASH_H of zero-padded data from a zero state. */
  gcm_ghash(h16: number, x: number, len: number, out: number): void;
}

export const SHA256_BYTES = 32;
export const AES256_KEY_BYTES = 32;
export const GCM_IV_BYTES = 12;
export const GCM_TAG_BYTES = 16;
export const CBC_IV_BYTES = 16;
/** RFC 5869 §2.3: at most 255 blocks of HMAC output. */
export const HKDF_SHA256_MAX_LENGTH = 255 * SHA256_BYTES;
/** Lengths cross the ABI as i32. */
const MAX_INPUT = 0x7fffffff;

const exportsOf = (core: Core): SymmetricExports => core.exports as unknown as SymmetricExports;
const EMPTY = new Uint8Array(0);

function bytes(name: string, value: unknown, length?: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`${name} must be ${length} bytes, got ${value.length}`);
  }
  if (value.length > MAX_INPUT) throw new RangeError(`${name} is too long (${value.length} bytes)`);
  return value;
}

/** The hashes of digest() (FIPS 180-4). */
export type HashName = 'SHA-1' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512';
/** The hashes of hmac() and hmacVerify(). */
export type HmacHashName = Exclude<HashName, 'SHA-1'>;

/** The core's hash id (assembly/symmetric/hash.ts) and digest size of each hash. */
const HASHES: Record<HashName, { id: number; size: number }> = {
  'SHA-1': { id: 1, size: 20 },
  'SHA-224': { id: 2, size: 28 },
  'SHA-256': { id: 3, size: 32 },
  'SHA-384': { id: 4, size: 48 },
  'SHA-512': { id: 5, size: 64 },
};

function hashOf(hash: unknown, allowSha1: boolean): { id: number; size: number } {
  const h = typeof hash === 'string' && Object.hasOwn(HASHES, hash) ? HASHES[hash as HashName] : undefined;
  if (h === undefined || (!allowSha1 && hash === 'SHA-1')) {
    const names = Object.keys(HASHES).filter((n) => allowSha1 || n !== 'SHA-1');
    throw new TypeError(`hash must be one of ${names.join(', ')}`);
  }
  return h;
}

/** The FIPS 180-4 digest of `data` with `hash`. */
export function digest(core: Core, hash: HashName, data: Uint8Array): Uint8Array {
  const { id, size } = hashOf(hash, true);
  bytes('data', data);
  const x = exportsOf(core);
  return core.run(0, (c) => {
    const ptr = core.put(data);
    const out = c.alloc(size);
    checkStatus(x.hash_digest(id, ptr, data.length, out), 'hash_digest');
    return core.take(out, size);
  });
}

/** HMAC (RFC 2104) of `data` under `key` (any length; keys over the hash's block are hashed) with `hash`. */
export function hmac(core: Core, hash: HmacHashName, key: Uint8Array, data: Uint8Array): Uint8Array {
  const { id, size } = hashOf(hash, false);
  bytes('key', key);
  bytes('data', data);
  const x = exportsOf(core);
  return core.run(0, (c) => {
    const k = core.put(key);
    const m = core.put(data);
    const out = c.alloc(size);
    checkStatus(x.hmac_any(id, k, key.length, m, data.length, out), 'hmac_any');
    return core.take(out, size);
  });
}

/**
 * true iff `tag` is the HMAC of `data` under `key` with `hash`. The MAC is computed and
 * compared in the core, in constant time; it never reaches JavaScript. A tag of another
 * length than the hash's is false (its length is public).
 */
export function hmacVerify(
  core: Core,
  hash: HmacHashName,
  key: Uint8Array,
  data: Uint8Array,
  tag: Uint8Array,
): boolean {
  const { id, size } = hashOf(hash, false);
  bytes('key', key);
  bytes('data', data);
  bytes('tag', tag);
  if (tag.length !== size) return false;
  const x = exportsOf(core);
  return core.run(0, () => {
    const k = core.put(key);
    const m = core.put(data);
    const t = core.put(tag);
    const status = x.hmac_any_verify(id, k, key.length, m, data.length, t);
    if (status === CORE_STATUS.AUTH_FAILED) return false;
    checkStatus(status, 'hmac_any_verify');
    return true;
  });
}

/** SHA-256 (FIPS 180-4) of `data`. */
export function sha256(core: Core, data: Uint8Array): Uint8Array {
  bytes('data', data);
  const x = exportsOf(core);
  return core.run(0, (c) => {
    const ptr = core.put(data);
    const out = c.alloc(SHA256_BYTES);
    x.sha256_digest(ptr, data.length, out);
    return core.take(out, SHA256_BYTES);
  });
}

/** HMAC-SHA-256 (RFC 2104) of `data` under `key` (any length; keys over 64 bytes are hashed). */
export function hmacSha256(core: Core, key: Uint8Array, data: Uint8Array): Uint8Array {
  bytes('key', key);
  bytes('data', data);
  const x = exportsOf(core);
  return core.run(0, (c) => {
    const k = core.put(key);
    const m = core.put(data);
    const out = c.alloc(SHA256_BYTES);
    x.hmac_sha256(k, key.length, m, data.length, out);
    return core.take(out, SHA256_BYTES);
  });
}

/** HKDF-SHA-256 (RFC 5869): extract with `salt` (empty = no salt), expand with `info` to `length` bytes (at most 8160). */
export function hkdfSha256(
  core: Core,
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  length: number,
): Uint8Array {
  bytes('ikm', ikm);
  bytes('salt', salt);
  bytes('info', info);
  if (!Number.isInteger(length) || length < 0 || length > HKDF_SHA256_MAX_LENGTH) {
    throw new RangeError(
      `HKDF-SHA-256 output length must be an integer from 0 to ${HKDF_SHA256_MAX_LENGTH}, got ${length}`,
    );
  }
  const x = exportsOf(core);
  return core.run(0, (c) => {
    const i = core.put(ikm);
    const s = core.put(salt);
    const f = core.put(info);
    const out = c.alloc(length);
    // The length was checked above; INVALID_ARGUMENT cannot come back.
    checkStatus(x.hkdf_sha256(i, ikm.length, s, salt.length, f, info.length, out, length), 'hkdf_sha256');
    return core.take(out, length);
  });
}

/** AES-256-GCM encryption (SP 800-38D) with a 12-byte IV and a 16-byte tag. */
export function aes256GcmEncrypt(
  core: Core,
  key: Uint8Array,
  iv: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array = EMPTY,
): { ciphertext: Uint8Array; tag: Uint8Array } {
  bytes('key', key, AES256_KEY_BYTES);
  bytes('iv', iv, GCM_IV_BYTES);
  bytes('plaintext', plaintext);
  bytes('aad', aad);
  const x = exportsOf(core);
  return core.run(0, (c) => {
    const k = core.put(key);
    const n = core.put(iv);
    const a = core.put(aad);
    const p = core.put(plaintext);
    const out = c.alloc(plaintext.length);
    const tag = c.alloc(GCM_TAG_BYTES);
    x.aes256_gcm_encrypt(k, n, a, aad.length, p, plaintext.length, out, tag);
    return { ciphertext: core.take(out, plaintext.length), tag: core.take(tag, GCM_TAG_BYTES) };
  });
}

/**
 * AES-256-GCM decryption: the plaintext, or null when the tag does not authenticate the
 * ciphertext, IV and AAD under the key (no plaintext is released then).
 */
export function aes256GcmDecrypt(
  core: Core,
  key: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  aad: Uint8Array = EMPTY,
): Uint8Array | null {
  bytes('key', key, AES256_KEY_BYTES);
  bytes('iv', iv, GCM_IV_BYTES);
  bytes('ciphertext', ciphertext);
  bytes('tag', tag, GCM_TAG_BYTES);
  bytes('aad', aad);
  const x = exportsOf(core);
  return core.run(0, (c) => {
    const k = core.put(key);
    const n = core.put(iv);
    const a = core.put(aad);
    const ct = core.put(ciphertext);
    const t = core.put(tag);
    const out = c.alloc(ciphertext.length);
    const status = x.aes256_gcm_decrypt(k, n, a, aad.length, ct, ciphertext.length, t, out);
    if (status === CORE_STATUS.AUTH_FAILED) return null;
    checkStatus(status, 'aes256_gcm_decrypt');
    return core.take(out, ciphertext.length);
  });
}

/**
 * AES-256-GCM under the key HKDF-SHA-256(ikm, salt, info) of 32 bytes, derived and used inside
 * the core (one call; the derived key never reaches JavaScript), with additional data
 * aad ‖ aadTail. Returns ciphertext ‖ tag, written into `into` when given (its length must be
 * plaintext.length + 16).
 */
export function hkdfAes256GcmSeal(
  core: Core,
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  iv: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
  aadTail: Uint8Array = EMPTY,
  into?: Uint8Array,
): Uint8Array {
  bytes('iv', iv, GCM_IV_BYTES);
  const outLength = plaintext.length + GCM_TAG_BYTES;
  if (into !== undefined && (!(into instanceof Uint8Array) || into.length !== outLength)) {
    throw new RangeError(`the output must be ${outLength} bytes`);
  }
  const x = exportsOf(core);
  return core.run(0, (c) => {
    // One scratch block for all inputs and the output: one allocation and one view.
    const total = ikm.length + salt.length + info.length + iv.length + aad.length + aadTail.length + plaintext.length;
    const base = c.alloc(total + outLength);
    const mem = core.bytes(base, total + outLength);
    let off = 0;
    const place = (b: Uint8Array): number => {
      mem.set(b, off);
      const p = base + off;
      off += b.length;
      return p;
    };
    const pIkm = place(ikm),
      pSalt = place(salt),
      pInfo = place(info),
      pIv = place(iv),
      pAad = place(aad);
    place(aadTail); // right after aad: the additional data is aad ‖ aadTail
    const pPt = place(plaintext);
    const out = base + total;
    const aadLen = aad.length + aadTail.length;
    const rc = x.hkdf_aes256_gcm_seal(
      pIkm,
      ikm.length,
      pSalt,
      salt.length,
      pInfo,
      info.length,
      pIv,
      pAad,
      aadLen,
      pPt,
      plaintext.length,
      out,
      out + plaintext.length,
    );
    checkStatus(rc, 'hkdf_aes256_gcm_seal');
    // A fresh view: memory may have grown (and the old buffer been detached) during the call.
    const result = core.bytes(out, outLength);
    if (into === undefined) return result.slice();
    into.set(result);
    return into;
  });
}

/** The inverse of hkdfAes256GcmSeal: the plaintext, or null if the tag does not authenticate. */
export function hkdfAes256GcmOpen(
  core: Core,
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  aad: Uint8Array,
): Uint8Array | null {
  bytes('iv', iv, GCM_IV_BYTES);
  bytes('tag', tag, GCM_TAG_BYTES);
  const x = exportsOf(core);
  return core.run(0, (c) => {
    const out = c.alloc(ciphertext.length);
    const status = x.hkdf_aes256_gcm_open(
      core.put(ikm),
      ikm.length,
      core.put(salt),
      salt.length,
      core.put(info),
      info.length,
      core.put(iv),
      core.put(aad),
      aad.length,
      core.put(ciphertext),
      ciphertext.length,
      core.put(tag),
      out,
    );
    if (status === CORE_STATUS.AUTH_FAILED) return null;
    checkStatus(status, 'hkdf_aes256_gcm_open');
    return core.take(out, ciphertext.length);
  });
}

/** RFC 5649 §3: KWP wraps 1 to 2^32 - 1 bytes; the ABI's lengths are i32. */
const KWP_MAX_PLAINTEXT = MAX_INPUT - 15;

/**
 * AES key wrap with padding (RFC 5649, NIST SP 800-38F KWP) under the 32-byte key `kek`: the
 * wrapping of `plaintext` (1 byte or more), 8·ceil(length / 8) + 8 bytes. Deterministic, as
 * the algorithm is: the same key and plaintext always give the same bytes.
 */
export function aes256KeyWrapPad(core: Core, kek: Uint8Array, plaintext: Uint8Array): Uint8Array {
  bytes('kek', kek, AES256_KEY_BYTES);
  bytes('plaintext', plaintext);
  if (plaintext.length < 1 || plaintext.length > KWP_MAX_PLAINTEXT) {
    throw new RangeError(`plaintext must be 1 to ${KWP_MAX_PLAINTEXT} bytes, got ${plaintext.length}`);
  }
  const outLength = (Math.ceil(plaintext.length / 8) + 1) * 8;
  const x = exportsOf(core);
  return core.run(0, (c) => {
    const k = core.put(kek);
    const p = core.put(plaintext);
    const out = c.alloc(outLength);
    checkStatus(x.aes256_kwp_wrap(k, p, plaintext.length, out), 'aes256_kwp_wrap');
    return core.take(out, outLength);
  });
}

/**
 * The inverse of aes256KeyWrapPad: the plaintext, or null when `wrapped` does not unwrap under
 * `kek` (a wrong key, modified bytes, a bad length field or padding, or a length that is not a
 * multiple of 8 of at least 16). One answer for every reason; the check runs in the core in
 * constant time and no plaintext is released on failure.
 */
export function aes256KeyUnwrapPad(core: Core, kek: Uint8Array, wrapped: Uint8Array): Uint8Array | null {
  bytes('kek', kek, AES256_KEY_BYTES);
  bytes('wrapped', wrapped);
  // The length is public: refuse a malformed one without calling the core.
  if (wrapped.length < 16 || wrapped.length % 8 !== 0) return null;
  const outLength = wrapped.length - 8;
  const x = exportsOf(core);
  return core.run(0, (c) => {
    const k = core.put(kek);
    const w = core.put(wrapped);
    const out = c.alloc(outLength);
    const len = c.alloc(4);
    const status = x.aes256_kwp_unwrap(k, w, wrapped.length, out, len);
    if (status === CORE_STATUS.AUTH_FAILED) return null;
    checkStatus(status, 'aes256_kwp_unwrap');
    const n = new DataView(core.take(len, 4).buffer).getUint32(0, true);
    return core.take(out, n);
  });
}

/**
 * AES-256-CBC (NIST SP 800-38A §6.2) with PKCS#7 padding (RFC 5652 §6.3) under the 32-byte
 * `key` and 16-byte `iv`: (length & ~15) + 16 bytes, the padding adding 1 to 16 bytes.
 */
export function aes256CbcEncrypt(core: Core, key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
  bytes('key', key, AES256_KEY_BYTES);
  bytes('iv', iv, CBC_IV_BYTES);
  bytes('plaintext', plaintext);
  if (plaintext.length > MAX_INPUT - 16) throw new RangeError(`plaintext is too long (${plaintext.length} bytes)`);
  const outLength = plaintext.length - (plaintext.length % 16) + 16;
  const x = exportsOf(core);
  return core.run(0, (c) => {
    const k = core.put(key);
    const v = core.put(iv);
    const p = core.put(plaintext);
    const out = c.alloc(outLength);
    checkStatus(x.aes256_cbc_encrypt(k, v, p, plaintext.length, out), 'aes256_cbc_encrypt');
    return core.take(out, outLength);
  });
}

/**
 * The inverse of aes256CbcEncrypt: the plaintext, or null when the padding does not check (a
 * wrong key or IV, modified bytes) or the length is not a multiple of 16 of at least 16. One
 * answer for every reason; the padding is checked in the core in constant time, and no
 * plaintext is released on failure. CBC has no integrity: a wrong key passes the padding
 * check about once in 256 tries and gives garbage.
 */
export function aes256CbcDecrypt(
  core: Core,
  key: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
): Uint8Array | null {
  bytes('key', key, AES256_KEY_BYTES);
  bytes('iv', iv, CBC_IV_BYTES);
  bytes('ciphertext', ciphertext);
  // The length is public: refuse a malformed one without calling the core.
  if (ciphertext.length < 16 || ciphertext.length % 16 !== 0) return null;
  const x = exportsOf(core);
  return core.run(0, (c) => {
    const k = core.put(key);
    const v = core.put(iv);
    const ct = core.put(ciphertext);
    const out = c.alloc(ciphertext.length);
    const len = c.alloc(4);
    const status = x.aes256_cbc_decrypt(k, v, ct, ciphertext.length, out, len);
    if (status === CORE_STATUS.AUTH_FAILED) return null;
    checkStatus(status, 'aes256_cbc_decrypt');
    const n = new DataView(core.take(len, 4).buffer).getUint32(0, true);
    return core.take(out, n);
  });
}
