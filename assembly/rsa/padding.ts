// RSA encodings of RFC 8017: EMSA-PKCS1-v1_5 (§9.2) and EMSA-PSS (§9.1) for signatures, and
// EME-OAEP (§7.1) for encryption, over the hashes of symmetric/hash.ts, with MGF1 (B.2.1).
//
// Signing encodes a digest the caller already has (KMS signs digests); PSS takes a random
// salt as long as the hash. Verification recomputes what the encoding must be and compares
// (public data, variable time). OAEP decoding after the private operation is constant time:
// every check runs over the whole block with masks and every failure gives one status after
// the same work, so a caller learns nothing but "valid" or "not" (no Manger oracle).

import { alloc, mark, release } from '../arena';
import { randomBytes } from '../entropy';
import { HASH_SHA1, HASH_SHA256, HASH_SHA384, HASH_SHA512, HASH_CTX_SIZE, hashSize, hashInit, hashUpdate, hashFinal, hashOnce } from '../symmetric/hash';

// DigestInfo prefixes (RFC 8017 §9.2 note 1): DER of AlgorithmIdentifier with NULL parameters
// and the OCTET STRING header of the digest.
const PREFIX_SHA256: StaticArray<u8> = [
  0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
];
const PREFIX_SHA384: StaticArray<u8> = [
  0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30,
];
const PREFIX_SHA512: StaticArray<u8> = [
  0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40,
];
const PREFIX_LEN: i32 = 19;

/** Hashes a signature scheme takes. */
export function signHashValid(id: i32): bool {
  return id == HASH_SHA256 || id == HASH_SHA384 || id == HASH_SHA512;
}

/** Hashes OAEP takes (RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256). */
export function oaepHashValid(id: i32): bool {
  return id == HASH_SHA1 || id == HASH_SHA256;
}

function prefixOf(id: i32): usize {
  if (id == HASH_SHA256) return changetype<usize>(PREFIX_SHA256);
  if (id == HASH_SHA384) return changetype<usize>(PREFIX_SHA384);
  return changetype<usize>(PREFIX_SHA512);
}

/** dst[0..len) ^= MGF1(seed, len) with hash `id`. */
export function mgf1Xor(id: i32, dst: usize, len: i32, seed: usize, seedLen: i32): void {
  const h = <i32>hashSize(id);
  const m = mark();
  const ctx = alloc(HASH_CTX_SIZE);
  const block = alloc(64);
  const counter = alloc(4);
  let done = 0;
  for (let i: u32 = 0; done < len; i++) {
    store<u8>(counter, <u8>(i >> 24));
    store<u8>(counter + 1, <u8>(i >> 16));
    store<u8>(counter + 2, <u8>(i >> 8));
    store<u8>(counter + 3, <u8>i);
    hashInit(ctx, id);
    hashUpdate(ctx, seed, <usize>seedLen);
    hashUpdate(ctx, counter, 4);
    hashFinal(ctx, block);
    const n = len - done < h ? len - done : h;
    for (let j = 0; j < n; j++) {
      const p = dst + <usize>(done + j);
      store<u8>(p, load<u8>(p) ^ load<u8>(block + <usize>j));
    }
    done += n;
  }
  release(m);
}

// ---- EMSA-PKCS1-v1_5 ---------------------------------------------------------------------

/** em (k bytes) = 0x00 0x01 FF..FF 0x00 || DigestInfo || digest. False if k is too small. */
export function pkcs1Encode(id: i32, digest: usize, em: usize, k: i32): bool {
  const h = <i32>hashSize(id);
  const tLen = PREFIX_LEN + h;
  if (k < tLen + 11) return false;
  store<u8>(em, 0);
  store<u8>(em + 1, 1);
  memory.fill(em + 2, 0xff, <usize>(k - tLen - 3));
  store<u8>(em + <usize>(k - tLen - 1), 0);
  memory.copy(em + <usize>(k - tLen), prefixOf(id), <usize>PREFIX_LEN);
  memory.copy(em + <usize>(k - h), digest, <usize>h);
  return true;
}

/** Whether em (k bytes, the public operation on a signature) is the encoding of digest. */
export function pkcs1Verify(id: i32, digest: usize, em: usize, k: i32): bool {
  const m = mark();
  const want = alloc(<usize>k);
  let ok = pkcs1Encode(id, digest, want, k);
  if (ok) ok = memory.compare(want, em, <usize>k) == 0;
  release(m);
  return ok;
}

// ---- EMSA-PSS (salt length = hash length) --------------------------------------------------

/** H = Hash(0x00 x 8 || mHash || salt). */
function pssHash(id: i32, digest: usize, salt: usize, sLen: i32, out: usize): void {
  const m = mark();
  const ctx = alloc(HASH_CTX_SIZE);
  const zeros = alloc(8);
  hashInit(ctx, id);
  hashUpdate(ctx, zeros, 8);
  hashUpdate(ctx, digest, hashSize(id));
  hashUpdate(ctx, salt, <usize>sLen);
  hashFinal(ctx, out);
  release(m);
}

/**
 * em (k bytes, right-aligned: the emLen = ceil((modBits - 1) / 8) bytes of EMSA-PSS after
 * k - emLen zero bytes) for a modulus of modBits bits. False if the modulus is too small.
 */
export function pssEncode(id: i32, digest: usize, em: usize, k: i32, modBits: i32): bool {
  const h = <i32>hashSize(id);
  const sLen = h;
  const emBits = modBits - 1;
  const emLen = (emBits + 7) >> 3;
  if (emLen < h + sLen + 2) return false;
  const m = mark();
  const salt = alloc(<usize>sLen);
  randomBytes(salt, sLen);
  memory.fill(em, 0, <usize>k);
  const e = em + <usize>(k - emLen);
  const dbLen = emLen - h - 1;
  // DB = PS || 0x01 || salt, then masked with MGF1(H)
  store<u8>(e + <usize>(dbLen - sLen - 1), 1);
  memory.copy(e + <usize>(dbLen - sLen), salt, <usize>sLen);
  pssHash(id, digest, salt, sLen, e + <usize>dbLen);
  mgf1Xor(id, e, dbLen, e + <usize>dbLen, h);
  store<u8>(e, load<u8>(e) & <u8>(<u32>0xff >> <u32>(8 * emLen - emBits)));
  store<u8>(e + <usize>(emLen - 1), 0xbc);
  release(m);
  return true;
}

/** EMSA-PSS-VERIFY with sLen = hLen on em (k bytes: the public operation on a signature). */
export function pssVerify(id: i32, digest: usize, em: usize, k: i32, modBits: i32): bool {
  const h = <i32>hashSize(id);
  const sLen = h;
  const emBits = modBits - 1;
  const emLen = (emBits + 7) >> 3;
  if (emLen < h + sLen + 2) return false;
  // The integer must fit in emLen bytes (I2OSP of RSAVP1's output).
  for (let i = 0; i < k - emLen; i++) if (load<u8>(em + <usize>i) != 0) return false;
  const e = em + <usize>(k - emLen);
  if (load<u8>(e + <usize>(emLen - 1)) != 0xbc) return false;
  const topMask = <u8>(<u32>0xff >> <u32>(8 * emLen - emBits));
  if ((load<u8>(e) & ~topMask) != 0) return false;
  const dbLen = emLen - h - 1;
  const m = mark();
  const db = alloc(<usize>dbLen);
  memory.copy(db, e, <usize>dbLen);
  mgf1Xor(id, db, dbLen, e + <usize>dbLen, h);
  store<u8>(db, load<u8>(db) & topMask);
  let ok = true;
  const psLen = dbLen - sLen - 1;
  for (let i = 0; i < psLen; i++) if (load<u8>(db + <usize>i) != 0) ok = false;
  if (load<u8>(db + <usize>psLen) != 1) ok = false;
  if (ok) {
    const hh = alloc(64);
    pssHash(id, digest, db + <usize>(dbLen - sLen), sLen, hh);
    ok = memory.compare(hh, e + <usize>dbLen, <usize>h) == 0;
  }
  release(m);
  return ok;
}

// ---- EME-OAEP (KMS uses the empty label) ---------------------------------------------------------------

/** Longest message OAEP with hash `id` encrypts under a k-byte modulus (may be negative). */
export function oaepMaxMessage(id: i32, k: i32): i32 {
  return k - 2 * <i32>hashSize(id) - 2;
}

/** em (k bytes) = 0x00 || maskedSeed || maskedDB for message [msg, msg+mLen) (checked by caller). */
export function oaepEncode(id: i32, label: usize, labelLen: i32, msg: usize, mLen: i32, em: usize, k: i32): void {
  const h = <i32>hashSize(id);
  const dbLen = k - h - 1;
  memory.fill(em, 0, <usize>k);
  const seed = em + 1;
  const db = em + 1 + <usize>h;
  hashOnce(id, label, <usize>labelLen, db); // lHash
  store<u8>(db + <usize>(dbLen - mLen - 1), 1);
  memory.copy(db + <usize>(dbLen - mLen), msg, <usize>mLen);
  randomBytes(seed, h);
  mgf1Xor(id, db, dbLen, seed, h);
  mgf1Xor(id, seed, h, db, dbLen);
}

/** All-ones if x == y (bytes or small values) else 0. */
@inline function eqMask(x: u32, y: u32): u32 {
  const d = x ^ y;
  return ((d | (0 - d)) >> 31) - 1;
}

/**
 * OAEP decoding of em (k bytes, the private operation's output) in constant time. Writes the
 * message to out[0..k - 2h - 2) (zero padded; all zero when invalid) and its length to
 * `outLen` (0 when invalid); returns all-ones when valid, else 0. The work done and the
 * addresses touched depend on k and the hash only.
 */
export function oaepDecode(id: i32, label: usize, labelLen: i32, em: usize, k: i32, out: usize, outLen: usize): u32 {
  const h = <i32>hashSize(id);
  const dbLen = k - h - 1;
  const m = mark();
  const seed = alloc(<usize>h);
  const db = alloc(<usize>dbLen);
  const lHash = alloc(64);
  memory.copy(seed, em + 1, <usize>h);
  memory.copy(db, em + 1 + <usize>h, <usize>dbLen);
  mgf1Xor(id, seed, h, db, dbLen);
  mgf1Xor(id, db, dbLen, seed, h);
  hashOnce(id, label, <usize>labelLen, lHash);
  // Y == 0 and lHash' == lHash
  let good = eqMask(<u32>load<u8>(em), 0);
  let diff: u32 = 0;
  for (let i = 0; i < h; i++) diff |= <u32>(load<u8>(db + <usize>i) ^ load<u8>(lHash + <usize>i));
  good &= eqMask(diff, 0);
  // PS || 0x01: the first nonzero byte after lHash must be 0x01; its index is `sep`.
  let found: u32 = 0;
  let bad: u32 = 0;
  let sep: u32 = 0;
  for (let i = h; i < dbLen; i++) {
    const b = <u32>load<u8>(db + <usize>i);
    const one = eqMask(b, 1);
    const zero = eqMask(b, 0);
    sep |= ~found & one & <u32>i;
    bad |= ~found & ~one & ~zero;
    found |= one;
  }
  good &= found & ~bad;
  // The message is db[sep+1 .. dbLen): move it to the front of a buffer of the largest
  // message length by a shift of (sep - h) bytes, one masked stage per bit of the shift.
  const maxLen = dbLen - h - 1;
  const buf = db + <usize>(h + 1);
  const shift = (sep - <u32>h) & good;
  for (let bitv = 1; bitv <= maxLen; bitv <<= 1) {
    const take = 0 - ((shift >> <u32>ctz(bitv)) & 1);
    for (let i = 0; i < maxLen; i++) {
      const j = i + bitv;
      const from = j < maxLen ? <u32>load<u8>(buf + <usize>j) : 0;
      const cur = <u32>load<u8>(buf + <usize>i);
      store<u8>(buf + <usize>i, <u8>(cur ^ (take & (cur ^ from))));
    }
  }
  for (let i = 0; i < maxLen; i++) store<u8>(out + <usize>i, <u8>(<u32>load<u8>(buf + <usize>i) & good));
  store<i32>(outLen, <i32>((<u32>(dbLen - 1) - sep) & good));
  release(m);
  return good;
}
