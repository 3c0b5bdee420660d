// ML-KEM decapsulation, FIPS 203: ML-KEM.Decaps (Alg. 21) and ML-KEM.Decaps_internal
// (Alg. 18) over K-PKE.Decrypt (Alg. 15), for k = 2, 3, 4, with implicit rejection: a
// ciphertext that does not re-encrypt to itself yields K̄ = J(z ‖ c), not an error.
//
// The private key is the 64-byte seed d ‖ z; the decapsulation key dk is expanded from it
// with ML-KEM.KeyGen_internal (Alg. 16) at every call, in scratch memory.
//
// Constant time: the ciphertext is public and the work depends on its length only; the
// decrypted message m', the coins r', K' and K̄ are secret: Decrypt, the re-encryption
// (kpkeEncrypt, constant time in m and r), the comparison of c with c' (ctEqual) and the
// choice between K' and K̄ (a mask) have no branch or address that depends on them.

import { alloc, mark, release } from '../arena';
import { sha3_512, shake256 } from '../symmetric/keccak';
import { ctEqual } from '../symmetric/hash';
import { POLY_BYTES, ntt, invNtt, polyFreeze, polySubFrom, basemulPrepare, polyRowMulAdd } from './ntt';
import { byteDecode12, compressEncode, decodeDecompress } from './encode';
import { ekBytes, mlkemKeyGenInternal } from './keygen';
import { kpkeEncrypt, ctBytes, duOf, dvOf } from './encaps';

/** Bytes of dk, 768k + 96 (Table 3). */
export function dkBytes(k: i32): i32 {
  return 768 * k + 96;
}

/** m ← K-PKE.Decrypt(dk_PKE, c) (Alg. 15): the 32-byte message to `outM`. */
export function kpkeDecrypt(k: i32, dkPke: usize, c: usize, outM: usize): void {
  if (k < 2 || k > 4) unreachable();
  const uk = <usize>k;
  const du = duOf(k);
  const dv = dvOf(k);
  const m0 = mark();
  const u = alloc(POLY_BYTES);
  const bm = alloc(2 * uk * POLY_BYTES);
  const s = alloc(uk * POLY_BYTES);
  const v = alloc(POLY_BYTES);
  const w = alloc(POLY_BYTES);
  const zero = alloc(POLY_BYTES);
  // Lines 1, 3: u' ← Decompress_du(ByteDecode_du(c1)), in [0, q); NTT(u') (its bound after
  // 7 layers, q + 7·3328 < 2^15, is within ntt's), reduced to [0, q) for the products.
  for (let i: usize = 0; i < uk; i++) {
    decodeDecompress(u, c + i * <usize>(32 * du), du);
    ntt(u);
    polyFreeze(u);
    basemulPrepare(bm + 2 * i * POLY_BYTES, bm + (2 * i + 1) * POLY_BYTES, u);
  }
  // Lines 2, 4: v' ← Decompress_dv(ByteDecode_dv(c2)).
  decodeDecompress(v, c + uk * <usize>(32 * du), dv);
  // Line 5: ŝ ← ByteDecode_12(dk_PKE); the key was made here, every coefficient is below q.
  for (let i: usize = 0; i < uk; i++) byteDecode12(s + i * POLY_BYTES, dkPke + i * 384);
  // Line 6: w ← v' − NTT^-1(ŝ^T ∘ NTT(u')).
  polyRowMulAdd(w, s, POLY_BYTES, bm, k, zero);
  invNtt(w);
  polySubFrom(w, v);
  polyFreeze(w);
  // Line 7: m ← ByteEncode_1(Compress_1(w)).
  compressEncode(outM, w, 1);
  release(m0);
}

/** K ← ML-KEM.Decaps_internal(dk, c) (Alg. 18): 32 bytes to `outK`, for c of ctBytes(k) bytes. */
export function mlkemDecapsInternal(k: i32, dk: usize, c: usize, outK: usize): void {
  const uk = <usize>k;
  const ctLen = <usize>ctBytes(k);
  // Lines 1-4: dk_PKE, ek_PKE, h and z within dk.
  const dkPke = dk;
  const ekPke = dk + 384 * uk;
  const h = ekPke + <usize>ekBytes(k);
  const z = h + 32;
  const m0 = mark();
  const input = alloc(64);
  const kr = alloc(64);
  const kBar = alloc(32);
  const zc = alloc(32 + ctLen);
  const c2 = alloc(ctLen);
  // Line 5: m' ← K-PKE.Decrypt(dk_PKE, c), straight into G's input.
  kpkeDecrypt(k, dkPke, c, input);
  // Line 6: (K', r') ← G(m' ‖ h).
  memory.copy(input + 32, h, 32);
  sha3_512(input, 64, kr);
  // Line 7: K̄ ← J(z ‖ c) = SHAKE256(z ‖ c, 8·32).
  memory.copy(zc, z, 32);
  memory.copy(zc + 32, c, ctLen);
  shake256(zc, 32 + ctLen, kBar, 32);
  // Line 8: c' ← K-PKE.Encrypt(ek_PKE, m', r'). ek_PKE came from KeyGen: it passes the check.
  if (!kpkeEncrypt(k, ekPke, input, kr + 32, c2)) unreachable();
  // Lines 9-11: K' if c = c', else K̄, chosen with a mask.
  const keep: u64 = 0 - <u64>ctEqual(c, c2, ctLen);
  for (let i: usize = 0; i < 32; i += 8) {
    store<u64>(outK + i, (load<u64>(kr + i) & keep) | (load<u64>(kBar + i) & ~keep));
  }
  release(m0);
}

/** K ← ML-KEM.Decaps(dk, c) with dk expanded from the 64-byte seed d ‖ z (Alg. 16, then Alg. 21). */
export function mlkemDecapsSeed(k: i32, seed: usize, c: usize, outK: usize): void {
  if (k < 2 || k > 4) unreachable();
  const m0 = mark();
  const ek = alloc(<usize>ekBytes(k));
  const dk = alloc(<usize>dkBytes(k));
  mlkemKeyGenInternal(k, seed, seed + 32, ek, dk);
  mlkemDecapsInternal(k, dk, c, outK);
  release(m0);
}
