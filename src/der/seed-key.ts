// The DER of the lattice keys (ML-KEM, ML-DSA): a SubjectPublicKeyInfo around the public key
// bytes, and a PKCS#8 PrivateKeyInfo holding the seed in the `seed [0]` choice of the LAMPS
// private key formats. Everything around the key bytes is fixed for a parameter set, so it is
// built once with the writer (over zero bytes of the right lengths) and only the key bytes are
// copied per call.

import { derBitString, derContextPrimitive, derIntegerSmall, derOctetString, derSequence } from './writer.js';

export interface SeedKeyTemplate {
  spkiPrefix: Uint8Array;
  pkcs8Prefix: Uint8Array;
}

/** The fixed DER in front of the key bytes, for an AlgorithmIdentifier and the two lengths. */
export function seedKeyTemplate(algorithm: Uint8Array, publicKeyBytes: number, seedBytes: number): SeedKeyTemplate {
  const spki = derSequence(algorithm, derBitString(new Uint8Array(publicKeyBytes)));
  const pkcs8 = derSequence(
    derIntegerSmall(0),
    algorithm,
    derOctetString(derContextPrimitive(0, new Uint8Array(seedBytes))),
  );
  return {
    spkiPrefix: spki.subarray(0, spki.length - publicKeyBytes),
    pkcs8Prefix: pkcs8.subarray(0, pkcs8.length - seedBytes),
  };
}

/** prefix ‖ body, in a new array. */
export function prefixed(prefix: Uint8Array, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix, 0);
  out.set(body, prefix.length);
  return out;
}

/** RangeError unless `bytes` is a Uint8Array of `length` bytes ("<family> <what> must be ..."). */
export function checkKeyBytes(family: string, what: string, bytes: Uint8Array, length: number): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    const got = bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeof bytes;
    throw new RangeError(`${family} ${what} must be ${length} bytes, got ${got}`);
  }
}
