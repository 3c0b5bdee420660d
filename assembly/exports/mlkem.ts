// ML-KEM entry point (FIPS 203). Every pointer is scratch memory allocated by the host after
// begin(); outputs are read back before wipe(). k is the module rank: 2, 3 or 4 for
// ML-KEM-512, -768 and -1024 (anything else is INVALID_ARGUMENT).

import { mlkemGenerate } from '../mlkem/keygen';
import { OK, INVALID_ARGUMENT } from '../status';

/** A fresh key pair (ML-KEM.KeyGen, Alg. 19): the 64-byte seed d ‖ z and ek (384k + 32 bytes). */
export function mlkem_generate(k: i32, outSeed: usize, outEk: usize): i32 {
  if (k < 2 || k > 4) return INVALID_ARGUMENT;
  mlkemGenerate(k, outSeed, outEk);
  return OK;
}
