// ML-KEM entry points (FIPS 203): key generation, encapsulation, decapsulation. Every pointer is scratch memory allocated by the host after
// begin(); outputs are read back before wipe(). k is the module rank: 2, 3 or 4 for
// ML-KEM-512, -768 and -1024 (anything else is INVALID_ARGUMENT).

import { mlkemGenerate } from '../mlkem/keygen';
import { mlkemEncaps } from '../mlkem/encaps';
import { mlkemDecapsSeed } from '../mlkem/decaps';
import { OK, INVALID_ARGUMENT } from '../status';

/** A fresh key pair (ML-KEM.KeyGen, Alg. 19): the 64-byte seed d ‖ z and ek (384k + 32 bytes). */
export function mlkem_generate(k: i32, outSeed: usize, outEk: usize): i32 {
  if (k < 2 || k > 4) return INVALID_ARGUMENT;
  mlkemGenerate(k, outSeed, outEk);
  return OK;
}

/**
 * ML-KEM.Encaps (Alg. 20) to ek (384k + 32 bytes): the ciphertext (32(d_u·k + d_v) bytes) to
 * outC and the 32-byte shared secret to outK. INVALID_ARGUMENT for a bad rank or an ek that
 * fails FIPS 203 §7.2's modulus check (outputs untouched).
 */
export function mlkem_encapsulate(k: i32, ek: usize, outC: usize, outK: usize): i32 {
  if (k < 2 || k > 4) return INVALID_ARGUMENT;
  return mlkemEncaps(k, ek, outC, outK) ? OK : INVALID_ARGUMENT;
}

/**
 * ML-KEM.Decaps (Alg. 21) of the ciphertext c (32(d_u·k + d_v) bytes, the host checks) under
 * the private key in seed form d ‖ z (64 bytes): the 32-byte shared secret to outK, K̄ = J(z ‖ c)
 * for a ciphertext that is not an encapsulation under the key (implicit rejection).
 */
export function mlkem_decapsulate(k: i32, seed64: usize, c: usize, outK: usize): i32 {
  if (k < 2 || k > 4) return INVALID_ARGUMENT;
  mlkemDecapsSeed(k, seed64, c, outK);
  return OK;
}
