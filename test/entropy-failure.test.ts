// A random source that returns the same bytes every time makes FIPS 186-5 A.1.3 return
// FAILURE (5·nlen/2 candidates without a prime); the core must report it, not spin.
import { describe, it, expect } from 'vitest';
import { loadCore } from '../src/core/module.js';
import { rsaComponents } from '../src/core/rsa.js';
import { generateKeyPair } from '../src/core/index.js';

function withRandom(fill: (a: Uint8Array) => void, fn: () => void): void {
  const original = globalThis.crypto.getRandomValues;
  Object.defineProperty(globalThis.crypto, 'getRandomValues', {
    value: <T extends ArrayBufferView | null>(a: T): T => {
      fill(a as unknown as Uint8Array);
      return a;
    },
    configurable: true,
    writable: true,
  });
  try {
    fn();
  } finally {
    Object.defineProperty(globalThis.crypto, 'getRandomValues', { value: original, configurable: true, writable: true });
  }
}

describe.each(['simd', 'scalar'] as const)('a broken random source (%s)', (variant) => {
  it('constant output gives a clear error instead of a hang', () => {
    const core = loadCore(variant);
    for (const byte of [0x00, 0xff, 0x5a]) {
      withRandom(
        (a) => a.fill(byte),
        () => expect(() => rsaComponents(core, 2048)).toThrow(/random source produced no usable prime/),
      );
    }
    // and the core works again with a real source
    expect(rsaComponents(core, 2048).n.length).toBe(256);
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
    for (const bad of [1n, Symbol('x'), { toJSON() { throw new Error('boom'); } }, null, [], 'RSA_1024']) {
      expect(() => generateKeyPair(bad as never)).toThrow(/valid specs are: RSA_2048, RSA_3072, RSA_4096/);
    }
  });
});
