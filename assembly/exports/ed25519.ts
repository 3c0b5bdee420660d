// Ed25519 entry points (RFC 8032) and the SHA-512 entry point the tests use.
// Every pointer is scratch memory allocated by the host after begin(); outputs are
// read back before wipe().

import { sha512, sha512Init, sha512Update, sha512Final, SHA512_STATE_SIZE } from '../symmetric/sha512';
import { ed25519Generate, ed25519PublicFromSeed } from '../edwards/keygen';
import { scalarMultBase } from '../edwards/basemul';
import { EXT_SIZE, extEncode } from '../edwards/point';
import { alloc, mark, release } from '../arena';

/** A fresh key pair: writes the 32-byte seed (the private key) and the 32-byte public key. */
export function ed25519_generate(outSeed: usize, outPub: usize): void {
  ed25519Generate(outSeed, outPub);
}

/** The 32-byte public key of a 32-byte seed (for known-answer tests). */
export function ed25519_public_from_seed(seed: usize, outPub: usize): void {
  ed25519PublicFromSeed(outPub, seed);
}

/** Test only: the encoding of [k]B for a raw 32-byte little-endian k (no clamping). */
export function ed25519_scalar_mult_base(scalar32: usize, out: usize): void {
  const m = mark();
  const p = alloc(EXT_SIZE);
  scalarMultBase(p, scalar32);
  extEncode(out, p);
  release(m);
}

/** Test only: out = SHA-512 of [ptr, ptr+len). */
export function sha512_digest(ptr: usize, len: i32, out: usize): void {
  sha512(ptr, <usize>len, out);
}

/** Test only: SHA-512 through init/update/final, fed in `chunk`-byte pieces (chunk >= 1). */
export function sha512_digest_chunked(ptr: usize, len: i32, chunk: i32, out: usize): void {
  if (chunk < 1) unreachable();
  const m = mark();
  const st = alloc(SHA512_STATE_SIZE);
  sha512Init(st);
  let off = 0;
  while (off < len) {
    const n = min(chunk, len - off);
    sha512Update(st, ptr + <usize>off, <usize>n);
    off += n;
  }
  sha512Final(st, out);
  release(m);
}
