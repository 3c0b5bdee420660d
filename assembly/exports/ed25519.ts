// Ed25519 entry points (RFC 8032). Every pointer is scratch memory allocated by the host
// after begin(); outputs are read back before wipe().

import { OK, INVALID_ARGUMENT } from '../status';
import { ed25519Generate } from '../edwards/keygen';
import { ed25519Sign } from '../edwards/sign';
import { ed25519VerifyVartime } from '../edwards/verify';

/** A fresh key pair: writes the 32-byte seed (the private key) and the 32-byte public key. */
export function ed25519_generate(outSeed: usize, outPub: usize): void {
  ed25519Generate(outSeed, outPub);
}

/**
 * outSig (64 bytes) = the signature of [msg, msg + msgLen) under the 32-byte seed. ph != 0:
 * Ed25519ph with an empty context, msg the 64-byte SHA-512 digest (any other length is
 * INVALID_ARGUMENT). Constant time in the seed and in the message's bytes.
 */
export function ed25519_sign(seed: usize, msg: usize, msgLen: i32, ph: i32, outSig: usize): i32 {
  if (msgLen < 0 || (ph != 0 && msgLen != 64)) return INVALID_ARGUMENT;
  ed25519Sign(outSig, seed, msg, <usize>msgLen, ph != 0);
  return OK;
}

/**
 * 1 when the 64-byte sig is a valid signature of [msg, msg + msgLen) under the 32-byte public
 * key (cofactorless, strict decoding: assembly/edwards/verify.ts), 0 when it is not, and 0
 * for ph != 0 with a message that is not 64 bytes. Variable time: every input is public.
 */
export function ed25519_verify(pub: usize, msg: usize, msgLen: i32, sig: usize, ph: i32): i32 {
  if (msgLen < 0 || (ph != 0 && msgLen != 64)) return 0;
  return ed25519VerifyVartime(pub, msg, <usize>msgLen, sig, ph != 0) ? 1 : 0;
}
