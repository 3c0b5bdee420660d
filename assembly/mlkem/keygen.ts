// ML-KEM key generation, FIPS 203: ML-KEM.KeyGen (Alg. 19) and ML-KEM.KeyGen_internal
// (Alg. 16) over K-PKE.KeyGen (Alg. 13), for k = 2, 3, 4 (ML-KEM-512, -768, -1024, Table 2).
//
// The private key is the 64-byte seed d ‖ z (what KMS returns; FIPS 203 lets the seed be
// kept in place of dk, which KeyGen_internal regenerates from it). Everything derived from it (σ, s, e and their NTTs, the products, the Keccak
// states) lives in scratch memory between mark() and release(), which zeroes it; the host
// wipes all scratch after the call as well. ρ and Â are public: ρ is the last 32 bytes of ek.
//
// Scratch use: 48 + 64 + 2·208 + 4k·512 + k²·528 + 512 bytes, about 17 KB for k = 4.

import { alloc, mark, release } from '../arena';
import { randomBytes } from '../entropy';
import { KECCAK_STATE_SIZE, sha3_256, sha3_512 } from '../symmetric/keccak';
import { POLY_BYTES, ntt, polyFreeze, basemulPrepare, polyRowMulAdd } from './ntt';
import { SAMPLE_SLACK, sampleNttVarTime, prf, cbd2, cbd3 } from './sample';
import { byteEncode12 } from './encode';

/** Bytes of ek, 384k + 32 (FIPS 203 Table 3). */
export function ekBytes(k: i32): i32 {
  return 384 * k + 32;
}

const A_STRIDE: usize = POLY_BYTES + SAMPLE_SLACK;

/**
 * K-PKE.KeyGen (Alg. 13) from line 2 on, given (ρ, σ) of line 1: writes ek_PKE (384k + 32
 * bytes) to `outEk` and, unless `outDkPke` is 0, dk_PKE (384k bytes) to `outDkPke`.
 * Its running time and memory accesses depend on ρ (SampleNTT) and on nothing else.
 */
export function kpkeKeyGen(k: i32, rho: usize, sigma: usize, outEk: usize, outDkPke: usize): void {
  if (k < 2 || k > 4) unreachable();
  const uk = <usize>k;
  // η1 = 3 for ML-KEM-512, 2 otherwise (Table 2).
  const eta = k == 2 ? 3 : 2;
  const m = mark();
  const st = alloc(KECCAK_STATE_SIZE);
  const buf = alloc(192 + 16); // PRF output; cbd3 reads one byte past the 192
  const s = alloc(uk * POLY_BYTES);
  const e = alloc(uk * POLY_BYTES);
  const bm = alloc(2 * uk * POLY_BYTES);
  const a = alloc(uk * uk * A_STRIDE);
  const t = alloc(POLY_BYTES);

  // Lines 2, 8-15: s[i] and e[i] ← SamplePolyCBD_η1(PRF_η1(σ, N)) with N = 0 .. 2k−1.
  for (let n: i32 = 0; n < 2 * k; n++) {
    const f = n < k ? s + <usize>n * POLY_BYTES : e + <usize>(n - k) * POLY_BYTES;
    prf(buf, st, sigma, n, eta);
    if (eta == 2) cbd2(f, buf);
    else cbd3(f, buf);
  }

  // Lines 16-17: ŝ ← NTT(s), ê ← NTT(e). ŝ is brought to [0, q) for ByteEncode_12 and the
  // products; ê stays lazily reduced (|ê_i| ≤ 23299), polyRowMulAdd reduces the sum.
  for (let i: usize = 0; i < uk; i++) {
    const si = s + i * POLY_BYTES;
    ntt(si);
    polyFreeze(si);
    ntt(e + i * POLY_BYTES);
    basemulPrepare(bm + 2 * i * POLY_BYTES, bm + (2 * i + 1) * POLY_BYTES, si);
  }

  // Lines 3-7: Â[i, j] ← SampleNTT(ρ ‖ j ‖ i), on public data.
  for (let i: i32 = 0; i < k; i++) {
    for (let j: i32 = 0; j < k; j++) {
      sampleNttVarTime(a + <usize>(i * k + j) * A_STRIDE, st, rho, j, i);
    }
  }

  // Lines 18-19: t̂ ← Â ∘ ŝ + ê, one entry at a time, and ek_PKE ← ByteEncode_12(t̂) ‖ ρ.
  for (let i: usize = 0; i < uk; i++) {
    polyRowMulAdd(t, a + i * uk * A_STRIDE, A_STRIDE, bm, k, e + i * POLY_BYTES);
    byteEncode12(outEk + i * 384, t);
  }
  memory.copy(outEk + uk * 384, rho, 32);

  // Line 20: dk_PKE ← ByteEncode_12(ŝ).
  if (outDkPke != 0) {
    for (let i: usize = 0; i < uk; i++) byteEncode12(outDkPke + i * 384, s + i * POLY_BYTES);
  }
  release(m);
}

/**
 * (ek, dk) ← ML-KEM.KeyGen_internal(d, z) (Alg. 16) for 32-byte d and z. Writes ek
 * (384k + 32 bytes) to `outEk` and, unless `outDk` is 0, dk (768k + 96 bytes) to `outDk`.
 * Without dk the work of H(ek) and ByteEncode_12(ŝ) is skipped: key pair generation keeps
 * the seed as the private key.
 */
export function mlkemKeyGenInternal(k: i32, d: usize, z: usize, outEk: usize, outDk: usize): void {
  if (k < 2 || k > 4) unreachable();
  const m = mark();
  const input = alloc(48);
  const rhoSigma = alloc(64);
  // Line 1 (Alg. 16 calls K-PKE.KeyGen(d)): K-PKE.KeyGen line 1, (ρ, σ) ← G(d ‖ k), with
  // G = SHA3-512 (§4.1) and the rank as a domain-separating byte.
  memory.copy(input, d, 32);
  store<u8>(input, <u8>k, 32);
  sha3_512(input, 33, rhoSigma);
  kpkeKeyGen(k, rhoSigma, rhoSigma + 32, outEk, outDk);
  if (outDk != 0) {
    // Lines 2-3: ek ← ek_PKE; dk ← dk_PKE ‖ ek ‖ H(ek) ‖ z, H = SHA3-256 (§4.1).
    const uk = <usize>k;
    const ekLen = <usize>ekBytes(k);
    const at = outDk + uk * 384;
    memory.copy(at, outEk, ekLen);
    sha3_256(outEk, ekLen, at + ekLen);
    memory.copy(at + ekLen + 32, z, 32);
  }
  release(m);
}

/**
 * ML-KEM.KeyGen (Alg. 19) in seed form: lines 1-2 draw d and z, 32 random bytes each, from
 * the host's entropy into `outSeed` (d ‖ z, the private key); line 5's KeyGen_internal
 * then gives ek, written to `outEk`. (Lines 3-4, the check for a failed draw, are the
 * host's: randomBytes traps rather than return fewer bytes.)
 */
export function mlkemGenerate(k: i32, outSeed: usize, outEk: usize): void {
  if (k < 2 || k > 4) unreachable();
  randomBytes(outSeed, 64);
  mlkemKeyGenInternal(k, outSeed, outSeed + 32, outEk, 0);
}
