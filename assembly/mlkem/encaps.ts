// ML-KEM encapsulation, FIPS 203: ML-KEM.Encaps (Alg. 20) and ML-KEM.Encaps_internal
// (Alg. 17) over K-PKE.Encrypt (Alg. 14), for k = 2, 3, 4 (ML-KEM-512, -768, -1024).
//
// Secrets: the message m, the coins r and everything sampled from them (y, e1, e2, their
// NTTs and products), and the shared key K. They live in scratch memory between mark() and
// release(), which zeroes it; the host wipes all scratch after the call too. Decapsulation
// runs K-PKE.Encrypt again on the decrypted message, so Encrypt is constant time in m and r:
// its only data-dependent time is SampleNTT's on ρ, and the modulus check's outcome, both
// functions of the public encapsulation key.
//
// Scratch use (k = 4): about 2 KB of Keccak state and PRF output, k²·528 bytes of Â and
// (4k + 3)·512 bytes of polynomials, about 18 KB.

import { alloc, mark, release } from '../arena';
import { randomBytes } from '../entropy';
import { KECCAK_STATE_SIZE, sha3_256, sha3_512 } from '../symmetric/keccak';
import { POLY_BYTES, ntt, invNtt, polyFreeze, polyAdd, basemulPrepare, polyRowMulAdd } from './ntt';
import { SAMPLE_SLACK, sampleNttVarTime, prf, cbd2, cbd3 } from './sample';
import { byteDecode12, compressEncode, decodeDecompress } from './encode';
import { ekBytes } from './keygen';

const A_STRIDE: usize = POLY_BYTES + SAMPLE_SLACK;

/** d_u of Table 2: 10 for ML-KEM-512 and -768, 11 for ML-KEM-1024. */
export function duOf(k: i32): i32 {
  return k == 4 ? 11 : 10;
}

/** d_v of Table 2: 4 for ML-KEM-512 and -768, 5 for ML-KEM-1024. */
export function dvOf(k: i32): i32 {
  return k == 4 ? 5 : 4;
}

/** Bytes of a ciphertext, 32(d_u·k + d_v) (Table 3): 768, 1088, 1568. */
export function ctBytes(k: i32): i32 {
  return 32 * (duOf(k) * k + dvOf(k));
}

/**
 * c ← K-PKE.Encrypt(ek_PKE, m, r) (Alg. 14), written to `outC` (ctBytes(k) bytes), for a
 * 32-byte message m and 32-byte coins r. Returns false, with `outC` untouched, if ek fails
 * FIPS 203 §7.2's modulus check (a coefficient of t̂ not below q).
 */
export function kpkeEncrypt(k: i32, ek: usize, msg: usize, r: usize, outC: usize): bool {
  if (k < 2 || k > 4) unreachable();
  const uk = <usize>k;
  const eta1 = k == 2 ? 3 : 2; // η1 (Table 2); η2 = 2 for every parameter set
  const du = duOf(k);
  const dv = dvOf(k);
  const m0 = mark();
  const t = alloc(uk * POLY_BYTES);

  // Line 2: t̂ ← ByteDecode_12(ek[0 : 384k]), and the modulus check (a public outcome).
  let bad: u32 = 0;
  for (let i: usize = 0; i < uk; i++) bad |= byteDecode12(t + i * POLY_BYTES, ek + i * 384);
  if (bad != 0) {
    release(m0);
    return false;
  }
  const rho = ek + uk * 384; // line 3

  const st = alloc(KECCAK_STATE_SIZE);
  const buf = alloc(192 + 16); // PRF output; cbd3 reads one byte past the 192
  const a = alloc(uk * uk * A_STRIDE);
  const y = alloc(uk * POLY_BYTES);
  const e1 = alloc(uk * POLY_BYTES);
  const e2 = alloc(POLY_BYTES);
  const bm = alloc(2 * uk * POLY_BYTES);
  const zero = alloc(POLY_BYTES);
  const p = alloc(POLY_BYTES);
  const mu = alloc(POLY_BYTES);

  // Lines 4-8: Â[i, j] ← SampleNTT(ρ ‖ j ‖ i).
  for (let i: i32 = 0; i < k; i++) {
    for (let j: i32 = 0; j < k; j++) sampleNttVarTime(a + <usize>(i * k + j) * A_STRIDE, st, rho, j, i);
  }

  // Lines 9-17: y ← CBD_η1(PRF_η1(r, N)), e1 ← CBD_η2(PRF_η2(r, N)), e2, with N = 0 .. 2k.
  let n: i32 = 0;
  for (let i: usize = 0; i < uk; i++) {
    prf(buf, st, r, n++, eta1);
    if (eta1 == 2) cbd2(y + i * POLY_BYTES, buf);
    else cbd3(y + i * POLY_BYTES, buf);
  }
  for (let i: usize = 0; i < uk; i++) {
    prf(buf, st, r, n++, 2);
    cbd2(e1 + i * POLY_BYTES, buf);
  }
  prf(buf, st, r, n, 2);
  cbd2(e2, buf);

  // Line 18: ŷ ← NTT(y), in [0, q), and its multiplicands for the products.
  for (let i: usize = 0; i < uk; i++) {
    const yi = y + i * POLY_BYTES;
    ntt(yi);
    polyFreeze(yi);
    basemulPrepare(bm + 2 * i * POLY_BYTES, bm + (2 * i + 1) * POLY_BYTES, yi);
  }

  // Lines 19 and 22: u[i] ← NTT^-1((Â^T ∘ ŷ)[i]) + e1[i]; c1 ← ByteEncode_du(Compress_du(u)).
  // Row i of Â^T is column i of Â: entries Â[j, i] at a + (j·k + i)·A_STRIDE.
  for (let i: usize = 0; i < uk; i++) {
    polyRowMulAdd(p, a + i * A_STRIDE, uk * A_STRIDE, bm, k, zero);
    invNtt(p);
    polyAdd(p, e1 + i * POLY_BYTES);
    polyFreeze(p);
    compressEncode(outC + i * <usize>(32 * du), p, du);
  }

  // Lines 20-21 and 23: μ ← Decompress_1(ByteDecode_1(m)); v ← NTT^-1(t̂^T ∘ ŷ) + e2 + μ;
  // c2 ← ByteEncode_dv(Compress_dv(v)).
  decodeDecompress(mu, msg, 1);
  polyRowMulAdd(p, t, POLY_BYTES, bm, k, zero);
  invNtt(p);
  polyAdd(p, e2);
  polyAdd(p, mu);
  polyFreeze(p);
  compressEncode(outC + uk * <usize>(32 * du), p, dv);
  release(m0);
  return true;
}

/**
 * (K, c) ← ML-KEM.Encaps_internal(ek, m) (Alg. 17) for a 32-byte m: K (32 bytes) to `outK`,
 * c to `outC`. Returns false, with both untouched, if ek fails the modulus check.
 */
export function mlkemEncapsInternal(k: i32, ek: usize, msg: usize, outC: usize, outK: usize): bool {
  const m0 = mark();
  const input = alloc(64);
  const kr = alloc(64);
  // Line 1: (K, r) ← G(m ‖ H(ek)), G = SHA3-512, H = SHA3-256 (§4.1).
  memory.copy(input, msg, 32);
  sha3_256(ek, <usize>ekBytes(k), input + 32);
  sha3_512(input, 64, kr);
  // Line 2: c ← K-PKE.Encrypt(ek, m, r).
  const ok = kpkeEncrypt(k, ek, msg, kr + 32, outC);
  if (ok) memory.copy(outK, kr, 32);
  release(m0);
  return ok;
}

/**
 * ML-KEM.Encaps (Alg. 20): m ← 32 random bytes from the host's entropy (lines 1-2; a failed
 * draw traps in randomBytes), then Encaps_internal. false if ek fails the modulus check.
 */
export function mlkemEncaps(k: i32, ek: usize, outC: usize, outK: usize): bool {
  const m0 = mark();
  const msg = alloc(32);
  randomBytes(msg, 32);
  const ok = mlkemEncapsInternal(k, ek, msg, outC, outK);
  release(m0);
  return ok;
}
