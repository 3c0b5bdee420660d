// A random source that returns the same bytes every time makes FIPS 186-5 A.1.3 return
// FAILURE (5(nlen/2) candidates without a prime) and EC rejection sampling give up; the core
// must report it as a CoreError (KEYGEN_FAILED), not spin or trap. A throwing source is a
// CoreError with code ENTROPY_FAILURE.
import { describe, it, expect } from 'vitest';
import { loadCore } from '../src/core/module.js';
import { rsaComponents } from '../src/core/rsa.js';
import { generateKeyPair, CoreError } from '../src/core/index.js';
import { withRandom } from './helpers/random.js';
import { caughtSync } from './helpers/caught.js';

describe.each(['simd', 'scalar'] as const)('a broken random source (%s)', (variant) => {
  it('constant output gives a clear error instead of a hang', () => {
    const core = loadCore(variant);
    for (const byte of [0x00, 0xff, 0x5a]) {
      withRandom(
        (a) => a.fill(byte),
        () => {
          const err = caughtSync(() => rsaComponents(core, 2048));
          expect(err).toBeInstanceOf(CoreError);
          expect((err as CoreError).code).toBe('KEYGEN_FAILED');
          expect((err as Error).message).toMatch(/random source produced no usable prime/);
        },
      );
    }
    // and the core works again with a real source
    expect(rsaComponents(core, 2048).n.length).toBe(256);
  });
});

describe.each(['simd', 'scalar'] as const)('a broken random source, elliptic curves (%s)', (variant) => {
  it('all-zero output fails EC key generation with KEYGEN_FAILED, not a trap', () => {
    const core = loadCore(variant);
    for (const spec of ['ECC_NIST_P256', 'SM2', 'ECC_NIST_P521'] as const) {
      withRandom(
        (a) => a.fill(0),
        () => {
          const err = caughtSync(() => generateKeyPair(spec));
          expect(err, spec).toBeInstanceOf(CoreError);
          expect((err as CoreError).code, spec).toBe('KEYGEN_FAILED');
        },
      );
    }
    expect(generateKeyPair('ECC_NIST_P256').publicKey.length).toBe(91);
    expect(core.run(0, () => 1)).toBe(1);
  });
});

describe('a failing random source', () => {
  it('is reported as a CoreError with code ENTROPY_FAILURE and the cause', () => {
    const failure = new Error('no entropy today');
    withRandom(
      () => {
        throw failure;
      },
      () => {
        for (const spec of ['RSA_2048', 'ECC_NIST_P256', 'ECC_NIST_EDWARDS25519', 'ML_KEM_768'] as const) {
          const err = caughtSync(() => generateKeyPair(spec));
          expect(err, spec).toBeInstanceOf(CoreError);
          expect((err as CoreError).code, spec).toBe('ENTROPY_FAILURE');
          expect((err as CoreError).cause, spec).toBe(failure);
        }
      },
    );
  });
});

describe('input checks', () => {
  it('rejects modulus lengths the core does not support', () => {
    const core = loadCore('simd');
    for (const nlen of [0, 512, 1000, 2040, 2056, 4112, 4160, 8192, 2048.5, NaN]) {
      expect(() => rsaComponents(core, nlen)).toThrow(RangeError);
    }
  });
  it('names the valid specs for any unknown value, without throwing something else', () => {
    for (const bad of [
      1n,
      Symbol('x'),
      {
        toJSON() {
          throw new Error('boom');
        },
      },
      null,
      [],
      'RSA_1024',
    ]) {
      expect(() => generateKeyPair(bad as never)).toThrow(/valid specs are: RSA_2048, RSA_3072, RSA_4096/);
    }
  });
});
