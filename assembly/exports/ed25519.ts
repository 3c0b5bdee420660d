// Ed25519 entry point (RFC 8032). Every pointer is scratch memory allocated by the host
// after begin(); outputs are read back before wipe().

import { ed25519Generate } from '../edwards/keygen';

/** A fresh key pair: writes the 32-byte seed (the private key) and the 32-byte public key. */
export function ed25519_generate(outSeed: usize, outPub: usize): void {
  ed25519Generate(outSeed, outPub);
}
