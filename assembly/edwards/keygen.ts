// Ed25519 key generation, RFC 8032 §5.1.5.
//
// The private key is the 32-byte seed; everything derived from it (the hash h, the
// scalar s, the digits and every intermediate point) lives in scratch memory between
// mark() and release(), which zeroes it.

import { alloc, mark, release } from '../arena';
import { randomBytes } from '../entropy';
import { sha512 } from '../symmetric/sha512';
import { EXT_SIZE, extEncode } from './point';
import { scalarMultBase } from './basemul';

/** outPub = the encoded public key A of the 32-byte seed at `seed` (§5.1.5 steps 1-4). */
export function ed25519PublicFromSeed(outPub: usize, seed: usize): void {
  const m = mark();
  // Step 1: h = SHA-512(seed); only its first half is used for A.
  const h = alloc(64);
  sha512(seed, 32, h);
  // Step 2 (pruning): clear the lowest three bits of the first octet (a multiple of the
  // cofactor 8), clear the highest bit of the last octet and set the second highest.
  store<u8>(h, load<u8>(h) & 0xf8);
  store<u8>(h + 31, (load<u8>(h + 31) & 0x7f) | 0x40);
  // Step 3: A = [s]B with s the first 32 octets read little-endian.
  const a = alloc(EXT_SIZE);
  scalarMultBase(a, h);
  // Step 4: the public key is the encoding of A (§5.1.2).
  extEncode(outPub, a);
  release(m);
}

/** A fresh key pair: 32 random bytes as the seed (§5.1.5: "32 octets of cryptographically secure random data"). */
export function ed25519Generate(outSeed: usize, outPub: usize): void {
  randomBytes(outSeed, 32);
  ed25519PublicFromSeed(outPub, outSeed);
}
