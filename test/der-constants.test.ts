// The literal DER of src/der/constants.ts (each AlgorithmIdentifier of the key formats) against
// two independent derivations: an X.690 encoder written here from the dotted OIDs (BigInt
// arcs, base 128), and the SubjectPublicKeyInfo node:crypto (OpenSSL) writes for a key of the
// same algorithm, whose AlgorithmIdentifier is its first element. ML-KEM is derived by the
// encoder only: Node 20's OpenSSL has no ML-KEM.
import { describe, it, expect } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import {
  EC_ALGORITHM_IDENTIFIER_DER,
  ED25519_ALGORITHM_IDENTIFIER_DER,
  ML_KEM_ALGORITHM_IDENTIFIER_DER,
  RSA_ALGORITHM_IDENTIFIER_DER,
} from '../src/der/constants.js';
import { EC_CURVES, EC_PUBLIC_KEY_OID, type EcCurve } from '../src/der/ec.js';
import { ED25519_OID } from '../src/der/ed25519.js';
import { RSA_ENCRYPTION_OID } from '../src/der/rsa.js';
import { ML_KEM_OIDS } from '../src/der/mlkem.js';
import { hex } from './helpers/hex.js';

/** TLV with a short-form length (every value here is under 128 bytes). */
function tlv(tag: number, contents: number[]): number[] {
  expect(contents.length).toBeLessThan(128);
  return [tag, contents.length, ...contents];
}

/** OBJECT IDENTIFIER from dotted form: 40·X + Y, then each arc in base 128, high digits first. */
function oid(dotted: string): number[] {
  const arcs = dotted.split('.').map((a) => BigInt(a));
  const subs = [arcs[0] * 40n + arcs[1], ...arcs.slice(2)];
  const out: number[] = [];
  for (const s of subs) {
    const digits: number[] = [];
    for (let v = s; ; v /= 128n) {
      digits.push(Number(v % 128n) | (digits.length > 0 ? 0x80 : 0));
      if (v < 128n) break;
    }
    out.push(...digits.reverse());
  }
  return tlv(0x06, out);
}

const seq = (...parts: number[][]): string => hex(Uint8Array.from(tlv(0x30, parts.flat())));

/** The first element of a SubjectPublicKeyInfo (its AlgorithmIdentifier), hex. */
function spkiAlgorithm(spki: Buffer): string {
  expect(spki[0]).toBe(0x30);
  const at = spki[1] < 0x80 ? 2 : 2 + (spki[1] & 0x7f);
  expect(spki[at]).toBe(0x30);
  return hex(spki.subarray(at, at + 2 + spki[at + 1]));
}

const spkiOf = (type: 'rsa' | 'ed25519' | 'ec', options: object): Buffer =>
  (generateKeyPairSync as (t: string, o: object) => { publicKey: { export(o: object): Buffer } })(
    type,
    options,
  ).publicKey.export({ type: 'spki', format: 'der' });

describe('the literal AlgorithmIdentifiers (src/der/constants.ts)', () => {
  it('rsaEncryption with NULL parameters', () => {
    const want = seq(oid(RSA_ENCRYPTION_OID), [0x05, 0x00]);
    expect(want).toBe('300d06092a864886f70d0101010500');
    expect(hex(RSA_ALGORITHM_IDENTIFIER_DER)).toBe(want);
    expect(hex(RSA_ALGORITHM_IDENTIFIER_DER)).toBe(spkiAlgorithm(spkiOf('rsa', { modulusLength: 1024 })));
  });

  it('id-Ed25519, parameters absent', () => {
    const want = seq(oid(ED25519_OID));
    expect(hex(ED25519_ALGORITHM_IDENTIFIER_DER)).toBe(want);
    expect(hex(ED25519_ALGORITHM_IDENTIFIER_DER)).toBe(spkiAlgorithm(spkiOf('ed25519', {})));
  });

  const OPENSSL: Record<EcCurve, string> = {
    'P-256': 'prime256v1',
    'P-384': 'secp384r1',
    'P-521': 'secp521r1',
    secp256k1: 'secp256k1',
    SM2: 'SM2',
  };
  it.each(Object.keys(EC_CURVES) as EcCurve[])('id-ecPublicKey with the named curve of %s', (curve) => {
    const want = seq(oid(EC_PUBLIC_KEY_OID), oid(EC_CURVES[curve].oid));
    expect(hex(EC_ALGORITHM_IDENTIFIER_DER[curve])).toBe(want);
    const fromNode = spkiAlgorithm(spkiOf('ec', { namedCurve: OPENSSL[curve] }));
    expect(hex(EC_ALGORITHM_IDENTIFIER_DER[curve])).toBe(fromNode);
  });

  it('the five curves and nothing else', () => {
    expect(Object.keys(EC_ALGORITHM_IDENTIFIER_DER).sort()).toEqual(Object.keys(EC_CURVES).sort());
  });

  it.each([2, 3, 4] as const)('id-alg-ml-kem for rank %i, parameters absent', (k) => {
    expect(hex(ML_KEM_ALGORITHM_IDENTIFIER_DER[k])).toBe(seq(oid(ML_KEM_OIDS[k])));
  });

  it('the encoder here is X.690: known encodings (a multi-octet arc, 40·X + Y over 127)', () => {
    expect(hex(Uint8Array.from(oid('1.2.840.113549')))).toBe('06062a864886f70d');
    expect(hex(Uint8Array.from(oid('2.16.840.1.101.3.4.4.1')))).toBe('06096086480165030404' + '01');
    expect(hex(Uint8Array.from(oid('1.2.156.10197.1.301')))).toBe('06082a811ccf5501822d');
  });
});
