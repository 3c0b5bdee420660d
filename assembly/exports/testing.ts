// Test-only entry points: known-answer and constant-time tests reach the primitives below the
// key generators through them. Built into the test module only (assembly/test-exports.ts);
// the library never calls them, so the shipped module does not export them. Every pointer is
// scratch memory allocated by the host after begin(); outputs are read back before wipe().
// Arguments outside what an entry point accepts return INVALID_ARGUMENT (assembly/status.ts).

import * as arena from '../arena';
import { alloc, mark, release } from '../arena';
import { OK, INVALID_ARGUMENT } from '../status';
import { scalarMultBase as ecScalarMultBase } from '../ec/weierstrass';
import { sha512, sha512Init, sha512Update, sha512Final, SHA512_STATE_SIZE } from '../symmetric/sha512';
import { ed25519PublicFromSeed } from '../edwards/keygen';
import { scalarMultBase } from '../edwards/basemul';
import { EXT_SIZE, extEncode } from '../edwards/point';
import { kpkeKeyGen, mlkemKeyGenInternal } from '../mlkem/keygen';
import {
  KECCAK_STATE_SIZE,
  SHAKE256_RATE,
  SHAKE_SUFFIX,
  keccakInit,
  keccakAbsorb,
  keccakFinish,
  keccakSqueeze,
  sha3_256 as sha3_256Impl,
  sha3_512 as sha3_512Impl,
  shake128 as shake128Impl,
  shake256 as shake256Impl,
} from '../symmetric/keccak';
import { sha256Init, sha256Update, sha256Final, SHA256_STATE_SIZE } from '../symmetric/sha256';
import { aes256KeySchedule, aes256Encrypt8, aesSubBytes, AES256_KS_SIZE, AES_BATCH_BYTES } from '../symmetric/aes';
import { ghash } from '../symmetric/gcm';

/** The most scratch memory in use at once since the module was instantiated. */
export function scratchHighWater(): i32 {
  return <i32>arena.scratchHighWater();
}

// ---- Elliptic curves --------------------------------------------------------------------

/** [k]G for a big-endian k of field length (any value below 2^bits); 0 = point at infinity. */
export function ec_scalar_mult_base(id: i32, k: usize, outX: usize, outY: usize): i32 {
  return ecScalarMultBase(id, k, outX, outY);
}

/** The same without the fixed-base table (the path of a curve's first key), table or not. */
export function ec_scalar_mult_base_no_table(id: i32, k: usize, outX: usize, outY: usize): i32 {
  return ecScalarMultBase(id, k, outX, outY, false);
}

// ---- Ed25519 and SHA-512 ----------------------------------------------------------------

/** The 32-byte public key of a 32-byte seed (RFC 8032 §5.1.5, for known-answer tests). */
export function ed25519_public_from_seed(seed: usize, outPub: usize): void {
  ed25519PublicFromSeed(outPub, seed);
}

/** The encoding of [k]B for a raw 32-byte little-endian k (no clamping). */
export function ed25519_scalar_mult_base(scalar32: usize, out: usize): void {
  const m = mark();
  const p = alloc(EXT_SIZE);
  scalarMultBase(p, scalar32);
  extEncode(out, p);
  release(m);
}

/** The same without the fixed-base table (the path of the first key), table or not. */
export function ed25519_scalar_mult_base_no_table(scalar32: usize, out: usize): void {
  const m = mark();
  const p = alloc(EXT_SIZE);
  scalarMultBase(p, scalar32, false);
  extEncode(out, p);
  release(m);
}

/** out = SHA-512 of [ptr, ptr+len). */
export function sha512_digest(ptr: usize, len: i32, out: usize): void {
  sha512(ptr, <usize>len, out);
}

/** SHA-512 through init/update/final, fed in `chunk`-byte pieces (chunk >= 1). */
export function sha512_digest_chunked(ptr: usize, len: i32, chunk: i32, out: usize): i32 {
  if (chunk < 1) return INVALID_ARGUMENT;
  const m = mark();
  const st = alloc(SHA512_STATE_SIZE);
  sha512Init(st);
  let off = 0;
  while (off < len) {
    const n = min(chunk, len - off);
    sha512Update(st, ptr + <usize>off, <usize>n);
    off += n;
  }
  sha512Final(st, out);
  release(m);
  return OK;
}

// ---- ML-KEM and SHA-3 -------------------------------------------------------------------

/** ML-KEM.KeyGen_internal(d, z) (Alg. 16) of seed64 = d ‖ z: ek (384k + 32 bytes), dk (768k + 96 bytes). */
export function mlkem_keygen_internal(k: i32, seed64: usize, outEk: usize, outDk: usize): i32 {
  if (k < 2 || k > 4 || outDk == 0) return INVALID_ARGUMENT;
  mlkemKeyGenInternal(k, seed64, seed64 + 32, outEk, outDk);
  return OK;
}

/**
 * K-PKE.KeyGen (Alg. 13) from line 2 on, for a given rhoSigma64 = ρ ‖ σ: ek_PKE (= ek) and
 * dk_PKE (384k bytes). The constant-time test keeps ρ and varies the secret σ.
 */
export function mlkem_kpke_keygen(k: i32, rhoSigma64: usize, outEk: usize, outDkPke: usize): i32 {
  if (k < 2 || k > 4 || outDkPke == 0) return INVALID_ARGUMENT;
  kpkeKeyGen(k, rhoSigma64, rhoSigma64 + 32, outEk, outDkPke);
  return OK;
}

// The four one-shots share one signature (ptr, len, out, outLen); SHA3-256 and SHA3-512
// have fixed output lengths, and any other outLen is INVALID_ARGUMENT.

/** out = SHA3-256 of [ptr, ptr+len); outLen must be 32. */
export function sha3_256(ptr: usize, len: i32, out: usize, outLen: i32): i32 {
  if (outLen != 32) return INVALID_ARGUMENT;
  sha3_256Impl(ptr, <usize>len, out);
  return OK;
}

/** out = SHA3-512 of [ptr, ptr+len); outLen must be 64. */
export function sha3_512(ptr: usize, len: i32, out: usize, outLen: i32): i32 {
  if (outLen != 64) return INVALID_ARGUMENT;
  sha3_512Impl(ptr, <usize>len, out);
  return OK;
}

/** out = SHAKE128 of [ptr, ptr+len), outLen bytes. */
export function shake128(ptr: usize, len: i32, out: usize, outLen: i32): i32 {
  shake128Impl(ptr, <usize>len, out, <usize>outLen);
  return OK;
}

/** out = SHAKE256 of [ptr, ptr+len), outLen bytes. */
export function shake256(ptr: usize, len: i32, out: usize, outLen: i32): i32 {
  shake256Impl(ptr, <usize>len, out, <usize>outLen);
  return OK;
}

/**
 * SHAKE256 through the incremental sponge, absorbing in `chunk`-byte pieces and squeezing in
 * `outChunk`-byte pieces (both >= 1), for the paths the one-shots do not take.
 */
export function shake256_chunked(ptr: usize, len: i32, chunk: i32, out: usize, outLen: i32, outChunk: i32): i32 {
  if (chunk < 1 || outChunk < 1) return INVALID_ARGUMENT;
  const m = mark();
  const st = alloc(KECCAK_STATE_SIZE);
  keccakInit(st, SHAKE256_RATE);
  for (let off = 0; off < len; off += chunk) keccakAbsorb(st, ptr + <usize>off, <usize>min(chunk, len - off));
  keccakFinish(st, SHAKE_SUFFIX);
  for (let off = 0; off < outLen; off += outChunk) keccakSqueeze(st, out + <usize>off, <usize>min(outChunk, outLen - off));
  release(m);
  return OK;
}

// ---- SHA-256, AES, GHASH ----------------------------------------------------------------

/** SHA-256 through init/update/final, fed in `chunk`-byte pieces (chunk >= 1). */
export function sha256_digest_chunked(ptr: usize, len: i32, chunk: i32, out: usize): i32 {
  if (chunk < 1) return INVALID_ARGUMENT;
  const m = mark();
  const st = alloc(SHA256_STATE_SIZE);
  sha256Init(st);
  let off = 0;
  while (off < len) {
    const n = min(chunk, len - off);
    sha256Update(st, ptr + <usize>off, <usize>n);
    off += n;
  }
  sha256Final(st, out);
  release(m);
  return OK;
}

/** AES-256 (FIPS 197 Cipher) of `blocks` 16-byte blocks, ECB, from src to dst. */
export function aes256_encrypt_blocks(key32: usize, src: usize, blocks: i32, dst: usize): void {
  aes256EcbBlocks(key32, src, blocks, dst, AES_BATCH_BYTES, (ks: usize, st: usize, buf: usize): void =>
    aes256Encrypt8(ks, st, buf, buf),
  );
}

/**
 * ECB over `blocks` blocks in batches of eight (the last batch zero-padded), the pass given as
 * `batch(ks, st, buf)` with `stBytes` of its scratch: encryption here, decryption in kwp-testing.ts.
 */
export function aes256EcbBlocks(
  key32: usize,
  src: usize,
  blocks: i32,
  dst: usize,
  stBytes: usize,
  batch: (ks: usize, st: usize, buf: usize) => void,
): void {
  const m = mark();
  const ks = alloc(AES256_KS_SIZE);
  const st = alloc(stBytes);
  const buf = alloc(AES_BATCH_BYTES);
  aes256KeySchedule(ks, key32);
  const len = <usize>blocks << 4;
  for (let off: usize = 0; off < len; off += AES_BATCH_BYTES) {
    let n = len - off;
    if (n > AES_BATCH_BYTES) n = AES_BATCH_BYTES;
    memory.fill(buf, 0, AES_BATCH_BYTES);
    memory.copy(buf, src + off, n);
    batch(ks, st, buf);
    memory.copy(dst + off, buf, n);
  }
  release(m);
}

/** The AES S-box applied in place to [ptr, ptr+len) through the bitsliced circuit. */
export function aes_sub_bytes(ptr: usize, len: i32): void {
  aesSubBytes(ptr, <usize>len);
}

/** GHASH_H (SP 800-38D §6.4) of [x, x+len) zero-padded, from a zero state; 16 bytes to out. */
export function gcm_ghash(h16: usize, x: usize, len: i32, out: usize): void {
  ghash(h16, x, <usize>len, out);
}
