// The public key-generation API: every spec it lists produces a pair that node:crypto takes
// as it is, and the pair is of the spec's type and size.
import { describe, it, expect } from 'vitest';
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { ml_kem512, ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { KEY_PAIR_SPECS, generateKeyPair, CoreError } from '../src/core/index.js';
import * as main from '../src/kms/index.js';
import { caughtSync } from './helpers/caught.js';
import { withRandom } from './helpers/random.js';

const EXPECTED: Record<string, { type: string; details: Record<string, unknown> }> = {
  RSA_2048: { type: 'rsa', details: { modulusLength: 2048, publicExponent: 65537n } },
  RSA_3072: { type: 'rsa', details: { modulusLength: 3072, publicExponent: 65537n } },
  RSA_4096: { type: 'rsa', details: { modulusLength: 4096, publicExponent: 65537n } },
  ECC_NIST_P256: { type: 'ec', details: { namedCurve: 'prime256v1' } },
  ECC_NIST_P384: { type: 'ec', details: { namedCurve: 'secp384r1' } },
  ECC_NIST_P521: { type: 'ec', details: { namedCurve: 'secp521r1' } },
  ECC_SECG_P256K1: { type: 'ec', details: { namedCurve: 'secp256k1' } },
  // Node 20 imports SM2 keys but reports neither a type nor details for them.
  SM2: { type: 'undefined', details: {} },
  ECC_NIST_EDWARDS25519: { type: 'ed25519', details: {} },
};

// Node 20 has no ML-KEM: @noble/post-quantum expands the seed in our PKCS#8 (its last 64
// bytes, the seed form) and must give exactly the encapsulation key in our SPKI (its tail).
const ML_KEM: Record<string, typeof ml_kem512> = {
  ML_KEM_512: ml_kem512,
  ML_KEM_768: ml_kem768,
  ML_KEM_1024: ml_kem1024,
};

describe('generateKeyPair', () => {
  it('lists all twelve KMS data key pair specs', () => {
    expect([...KEY_PAIR_SPECS].sort()).toEqual([...Object.keys(EXPECTED), ...Object.keys(ML_KEM)].sort());
  });

  it.each(Object.keys(ML_KEM))('%s: @noble/post-quantum expands our seed to our public key', (spec) => {
    for (let i = 0; i < 20; i++) {
      const { publicKey, privateKey } = generateKeyPair(spec as (typeof KEY_PAIR_SPECS)[number]);
      const seed = privateKey.subarray(privateKey.length - 64);
      const { publicKey: ek } = ML_KEM[spec]!.keygen(seed);
      expect(Buffer.from(publicKey.subarray(publicKey.length - ek.length))).toEqual(Buffer.from(ek));
      expect(privateKey.length).toBe(86);
    }
  });

  it.each([...KEY_PAIR_SPECS].filter((s) => !(s in ML_KEM)))(
    '%s: node:crypto imports the pair and derives our public key',
    (spec) => {
      const { publicKey, privateKey } = generateKeyPair(spec);
      const priv = createPrivateKey({ key: Buffer.from(privateKey), format: 'der', type: 'pkcs8' });
      const pub = createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' });
      const want = EXPECTED[spec]!;
      expect(String(priv.asymmetricKeyType)).toBe(want.type);
      expect(pub.asymmetricKeyDetails).toMatchObject(want.details);
      expect(Buffer.from(createPublicKey(priv).export({ type: 'spki', format: 'der' }))).toEqual(
        Buffer.from(publicKey),
      );
    },
  );
});

// 50 key pairs per elliptic-curve and Edwards spec through the public API: node:crypto
// imports the PKCS#8, derives exactly our SPKI from it, and signs with it; the SPKI verifies.
const SIGNING: Record<string, string | null> = {
  ECC_NIST_P256: 'sha256',
  ECC_NIST_P384: 'sha256',
  ECC_NIST_P521: 'sha256',
  ECC_SECG_P256K1: 'sha256',
  SM2: 'sm3', // OpenSSL signs SM2 keys only with the SM2 scheme (SM3 digest)
  ECC_NIST_EDWARDS25519: null, // Ed25519 takes no digest
};

describe.each(Object.keys(SIGNING))('%s: 50 key pairs through generateKeyPair', (spec) => {
  it('node:crypto imports each PKCS#8, derives our SPKI, and signs; the SPKI verifies', () => {
    const seen = new Set<string>();
    const message = Buffer.from('wasm-kms data key pair');
    for (let i = 0; i < 50; i++) {
      const { publicKey, privateKey } = generateKeyPair(spec as (typeof KEY_PAIR_SPECS)[number]);
      const priv = createPrivateKey({ key: Buffer.from(privateKey), format: 'der', type: 'pkcs8' });
      expect(Buffer.from(createPublicKey(priv).export({ type: 'spki', format: 'der' }))).toEqual(
        Buffer.from(publicKey),
      );
      const pub = createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' });
      const signature = sign(SIGNING[spec]!, message, priv);
      expect(verify(SIGNING[spec]!, message, pub, signature)).toBe(true);
      expect(verify(SIGNING[spec]!, Buffer.from('another message'), pub, signature)).toBe(false);
      seen.add(Buffer.from(publicKey).toString('hex'));
    }
    expect(seen.size).toBe(50);
  });
});

describe('CoreError', () => {
  it('is exported from wasm-kms/core and wasm-kms (one class)', () => {
    expect(main.CoreError).toBe(CoreError);
    const e = new CoreError('INVALID_ARGUMENT', 'x');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('CoreError');
    expect(e.code).toBe('INVALID_ARGUMENT');
  });

  it('is what generateKeyPair throws for a random source that fails (ENTROPY_FAILURE) or is constant (KEYGEN_FAILED)', () => {
    const failing = (): void => {
      throw new Error('no random bytes');
    };
    withRandom(failing, () => {
      const err = caughtSync(() => generateKeyPair('ECC_NIST_P384'));
      expect(err).toBeInstanceOf(CoreError);
      expect((err as CoreError).code).toBe('ENTROPY_FAILURE');
    });
    withRandom(
      (a) => a.fill(0xff),
      () => {
        for (const spec of ['RSA_2048', 'ECC_NIST_P256'] as const) {
          const err = caughtSync(() => generateKeyPair(spec));
          expect(err, spec).toBeInstanceOf(CoreError);
          expect((err as CoreError).code, spec).toBe('KEYGEN_FAILED');
        }
      },
    );
    // and the core works again with a real source
    expect(generateKeyPair('ECC_NIST_P256').publicKey.length).toBe(91);
  });
});
