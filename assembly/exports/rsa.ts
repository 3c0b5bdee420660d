// RSA entry point. The host calls begin(FLAG_RSA) first, which builds the small-prime and
// e-power tables.

import { rsaGenerate, rsaSupportedLength, OUT_FIELDS } from '../rsa/keygen';
import { OK, INVALID_ARGUMENT, KEYGEN_FAILED } from '../status';

/**
 * RSA key pair of nlen bits: writes 8 (ptr, len) i32 pairs to out (64 bytes): n, e, d, p,
 * q, dP, dQ, qInv. INVALID_ARGUMENT for an nlen the core does not generate; KEYGEN_FAILED
 * when FIPS 186-5 A.1.3 returns FAILURE (no prime among the candidates it allows).
 */
export function rsa_generate(nlen: i32, out: usize): i32 {
  if (!rsaSupportedLength(nlen)) return INVALID_ARGUMENT;
  const record = rsaGenerate(nlen);
  if (record == 0) return KEYGEN_FAILED;
  memory.copy(out, record, <usize>OUT_FIELDS * 8);
  return OK;
}
