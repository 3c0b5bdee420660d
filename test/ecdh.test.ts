// ECDH (ecdhDerive, src/core/ecdsa.ts): shared secrets equal node:crypto's diffieHellman on
// P-256, P-384, P-521 and secp256k1 (and SM2's x-coordinate equals [d]Q computed with
// node:crypto's ECDH on another key), and every Wycheproof ECDH case gives its expected
// result: valid secrets reproduced, invalid public keys (off the curve, wrong curve,
// coordinates >= p, the point at infinity, bad encodings) refused with EcPublicKeyError.

import { describe, it, expect } from 'vitest';
import crypto from 'node:crypto';
import { loadCore } from '../src/core/module.js';
import { generateKeyPair, type KeyPairSpec } from '../src/core/index.js';
import { ecdhDerive, EcPublicKeyError } from '../src/core/ecdsa.js';
import { EC_ALGORITHM_IDENTIFIER_DER } from '../src/der/constants.js';
import { derBitString, derSequence } from '../src/der/writer.js';
import { ecPkcs8, ecSpki, parseEcPkcs8, parseEcSpki, type EcCurve } from '../src/der/ec.js';
import { readVectorJson } from './helpers/vectors.js';
import { hex, unhex } from './helpers/hex.js';

const VARIANTS = ['simd', 'scalar'] as const;

const SPECS: { spec: KeyPairSpec; curve: EcCurve; node: string; bytes: number }[] = [
  { spec: 'ECC_NIST_P256', curve: 'P-256', node: 'prime256v1', bytes: 32 },
  { spec: 'ECC_NIST_P384', curve: 'P-384', node: 'secp384r1', bytes: 48 },
  { spec: 'ECC_NIST_P521', curve: 'P-521', node: 'secp521r1', bytes: 66 },
  { spec: 'ECC_SECG_P256K1', curve: 'secp256k1', node: 'secp256k1', bytes: 32 },
];

const privateKeyObject = (pkcs8: Uint8Array) =>
  crypto.createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
const publicKeyObject = (spki: Uint8Array) =>
  crypto.createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });

/** A PKCS#8 key for scalar d (any length; leading zeros dropped), its public point made by node:crypto. */
function pkcs8For(curve: EcCurve, node: string, bytes: number, d: Uint8Array): Uint8Array {
  let start = 0;
  while (start < d.length - 1 && d[start] === 0) start++;
  const scalar = new Uint8Array(bytes);
  scalar.set(d.subarray(start), bytes - (d.length - start));
  const ecdh = crypto.createECDH(node);
  ecdh.setPrivateKey(scalar);
  return ecPkcs8(curve, scalar, new Uint8Array(ecdh.getPublicKey()));
}

describe.each(VARIANTS)('ECDH against node:crypto (%s)', (variant) => {
  const core = loadCore(variant);
  it.each(SPECS)('$curve: the shared secret is diffieHellman()', ({ spec }) => {
    for (let i = 0; i < 6; i++) {
      const a = generateKeyPair(spec, () => core);
      const b = generateKeyPair(spec, () => core);
      const ours = ecdhDerive(core, a.privateKey, b.publicKey);
      const theirs = crypto.diffieHellman({
        privateKey: privateKeyObject(a.privateKey),
        publicKey: publicKeyObject(b.publicKey),
      });
      expect(hex(ours)).toBe(hex(theirs));
      expect(hex(ecdhDerive(core, b.privateKey, a.publicKey))).toBe(hex(ours));
    }
  });

  it('SM2: both sides agree, and the secret is x([d]Q) by node:crypto (which has SM2 ECDH)', () => {
    for (let i = 0; i < 4; i++) {
      const a = generateKeyPair('SM2', () => core);
      const b = generateKeyPair('SM2', () => core);
      const ab = ecdhDerive(core, a.privateKey, b.publicKey);
      expect(hex(ecdhDerive(core, b.privateKey, a.publicKey))).toBe(hex(ab));
      const ecdh = crypto.createECDH('SM2');
      ecdh.setPrivateKey(parseEcPkcs8(a.privateKey).privateKey);
      expect(hex(ab)).toBe(hex(ecdh.computeSecret(parseEcSpki(b.publicKey).point)));
    }
  });

  it('refuses a peer key on another curve, off the curve, with a coordinate >= p, or malformed', () => {
    const a = generateKeyPair('ECC_NIST_P256', () => core);
    const other = generateKeyPair('ECC_NIST_P384', () => core);
    expect(() => ecdhDerive(core, a.privateKey, other.publicKey)).toThrow(EcPublicKeyError);
    const point = parseEcSpki(generateKeyPair('ECC_NIST_P256', () => core).publicKey).point;
    const off = point.slice();
    off[64]! ^= 1;
    expect(() => ecdhDerive(core, a.privateKey, ecSpki('P-256', off))).toThrow(EcPublicKeyError);
    // x = p (a coordinate that only equals a valid one mod p)
    const p = unhex('ffffffff00000001000000000000000000000000ffffffffffffffffffffffff');
    const big = point.slice();
    big.set(p, 1);
    expect(() => ecdhDerive(core, a.privateKey, ecSpki('P-256', big))).toThrow(EcPublicKeyError);
    // (5, y) is on P-256; (p + 5, y) is the same point mod p written with x >= p, which only the
    // coordinate range check refuses (the curve equation holds for it).
    const y5 = unhex('459243b9aa581806fe913bce99817ade11ca503c64d9a3c533415c083248fbcc');
    const five = new Uint8Array(65);
    five[0] = 4;
    five[32] = 5;
    five.set(y5, 33);
    expect(ecdhDerive(core, a.privateKey, ecSpki('P-256', five))).toHaveLength(32);
    const fivePlusP = five.slice();
    fivePlusP.set(unhex('ffffffff00000001000000000000000000000001000000000000000000000004'), 1);
    expect(() => ecdhDerive(core, a.privateKey, ecSpki('P-256', fivePlusP))).toThrow(EcPublicKeyError);
    // (0, 0): what an encoder of the point at infinity as coordinates would send
    expect(() => ecdhDerive(core, a.privateKey, ecSpki('P-256', new Uint8Array(65).fill(0, 1).fill(4, 0, 1)))).toThrow(
      EcPublicKeyError,
    );
    expect(() => ecdhDerive(core, a.privateKey, new Uint8Array([0x30, 0x00]))).toThrow(EcPublicKeyError);
    // RSA keys are not EC keys
    const rsa = crypto
      .generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ format: 'der', type: 'spki' });
    expect(() => ecdhDerive(core, a.privateKey, new Uint8Array(rsa))).toThrow(EcPublicKeyError);
  });
});

// ---- Wycheproof ------------------------------------------------------------------------------

interface WycheproofEcdh {
  testGroups: {
    curve: string;
    tests: {
      tcId: number;
      public: string;
      private: string;
      shared: string;
      result: 'valid' | 'invalid' | 'acceptable';
      flags: string[];
    }[];
  }[];
}

const BY_WYCHEPROOF_NAME: Record<string, (typeof SPECS)[number]> = {
  secp256r1: SPECS[0]!,
  secp384r1: SPECS[1]!,
  secp521r1: SPECS[2]!,
  secp256k1: SPECS[3]!,
};

describe.each([
  'ecdh_secp256r1_test.json',
  'ecdh_secp384r1_test.json',
  'ecdh_secp521r1_test.json',
  'ecdh_secp256k1_test.json',
  'ecdh_secp256r1_ecpoint_test.json',
  'ecdh_secp384r1_ecpoint_test.json',
  'ecdh_secp521r1_ecpoint_test.json',
])('Wycheproof %s', (file) => {
  it('reproduces every valid secret, refuses every invalid key; acceptable cases are refused', () => {
    const core = loadCore();
    const data = readVectorJson<WycheproofEcdh>(`wycheproof/${file}`);
    const spkiInput = !file.includes('ecpoint');
    const wrong: string[] = [];
    const counts = { valid: 0, invalid: 0, acceptable: 0, acceptableRefused: 0 };
    for (const group of data.testGroups) {
      const { curve, node, bytes } = BY_WYCHEPROOF_NAME[group.curve]!;
      for (const t of group.tests) {
        counts[t.result]++;
        const pkcs8 = pkcs8For(curve, node, bytes, unhex(t.private));
        const pub = unhex(t.public);
        // The ecpoint files give the bare point: wrapped in an SPKI of the right curve as given.
        const spki = spkiInput ? pub : derSequence(EC_ALGORITHM_IDENTIFIER_DER[curve], derBitString(pub));
        let got: string;
        try {
          got = hex(ecdhDerive(core, pkcs8, spki));
        } catch (err) {
          if (!(err instanceof EcPublicKeyError)) throw err;
          got = 'refused';
        }
        if (t.result === 'valid' && got !== t.shared) wrong.push(`tcId ${t.tcId} valid: ${got}`);
        if (t.result === 'invalid' && got !== 'refused') wrong.push(`tcId ${t.tcId} invalid (${t.flags}): ${got}`);
        if (t.result === 'acceptable') {
          // Acceptable here: compressed points, BER or unusual SPKI encodings, explicit curve
          // parameters. wasm-kms takes only named-curve SPKIs with uncompressed points, as
          // KMS's GetPublicKey writes them, so each of these must be refused, never mis-derived.
          if (got === 'refused') counts.acceptableRefused++;
          else if (got !== t.shared) wrong.push(`tcId ${t.tcId} acceptable: wrong secret ${got}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(counts.valid).toBeGreaterThan(300);
    expect(counts.invalid).toBeGreaterThan(10);
    expect(counts.acceptableRefused).toBe(counts.acceptable);
  });
});
