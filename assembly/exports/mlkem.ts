// ML-KEM entry points (FIPS 203) and the SHA-3 one-shots the tests use.
// Every pointer is scratch memory allocated by the host after begin(); outputs are read
// back before wipe(). k is the module rank: 2, 3 or 4 for ML-KEM-512, -768 and -1024
// (anything else traps).

import { kpkeKeyGen, mlkemGenerate, mlkemKeyGenInternal } from '../mlkem/keygen';
import { alloc, mark, release } from '../arena';
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

/** A fresh key pair (ML-KEM.KeyGen, Alg. 19): the 64-byte seed d ‖ z and ek (384k + 32 bytes). */
export function mlkem_generate(k: i32, outSeed: usize, outEk: usize): void {
  mlkemGenerate(k, outSeed, outEk);
}

/** ML-KEM.KeyGen_internal(d, z) (Alg. 16) of seed64 = d ‖ z: ek (384k + 32 bytes), dk (768k + 96 bytes). */
export function mlkem_keygen_internal(k: i32, seed64: usize, outEk: usize, outDk: usize): void {
  if (outDk == 0) unreachable();
  mlkemKeyGenInternal(k, seed64, seed64 + 32, outEk, outDk);
}

/**
 * Test only: K-PKE.KeyGen (Alg. 13) from line 2 on, for a given rhoSigma64 = ρ ‖ σ: ek_PKE
 * (= ek) and dk_PKE (384k bytes). The constant-time test keeps ρ and varies the secret σ.
 */
export function mlkem_kpke_keygen(k: i32, rhoSigma64: usize, outEk: usize, outDkPke: usize): void {
  if (outDkPke == 0) unreachable();
  kpkeKeyGen(k, rhoSigma64, rhoSigma64 + 32, outEk, outDkPke);
}

// The four one-shots share one signature (ptr, len, out, outLen); SHA3-256 and SHA3-512
// have fixed output lengths, and any other outLen traps.

/** Test only: out = SHA3-256 of [ptr, ptr+len); outLen must be 32. */
export function sha3_256(ptr: usize, len: i32, out: usize, outLen: i32): void {
  if (outLen != 32) unreachable();
  sha3_256Impl(ptr, <usize>len, out);
}

/** Test only: out = SHA3-512 of [ptr, ptr+len); outLen must be 64. */
export function sha3_512(ptr: usize, len: i32, out: usize, outLen: i32): void {
  if (outLen != 64) unreachable();
  sha3_512Impl(ptr, <usize>len, out);
}

/** Test only: out = SHAKE128 of [ptr, ptr+len), outLen bytes. */
export function shake128(ptr: usize, len: i32, out: usize, outLen: i32): void {
  shake128Impl(ptr, <usize>len, out, <usize>outLen);
}

/** Test only: out = SHAKE256 of [ptr, ptr+len), outLen bytes. */
export function shake256(ptr: usize, len: i32, out: usize, outLen: i32): void {
  shake256Impl(ptr, <usize>len, out, <usize>outLen);
}

/**
 * Test only: SHAKE256 through the incremental sponge, absorbing in `chunk`-byte pieces and
 * squeezing in `outChunk`-byte pieces (both >= 1), for the paths the one-shots do not take.
 */
export function shake256_chunked(ptr: usize, len: i32, chunk: i32, out: usize, outLen: i32, outChunk: i32): void {
  if (chunk < 1 || outChunk < 1) unreachable();
  const m = mark();
  const st = alloc(KECCAK_STATE_SIZE);
  keccakInit(st, SHAKE256_RATE);
  for (let off = 0; off < len; off += chunk) keccakAbsorb(st, ptr + <usize>off, <usize>min(chunk, len - off));
  keccakFinish(st, SHAKE_SUFFIX);
  for (let off = 0; off < outLen; off += outChunk) keccakSqueeze(st, out + <usize>off, <usize>min(outChunk, outLen - off));
  release(m);
}
