// Secrets must not outlive a call: after key generation, linear memory holds no trace of
// p, q or d, neither as bytes nor as the core's 28-bit limbs.
import { describe, it, expect } from 'vitest';
import { loadCore } from '../src/core/module.js';
import { rsaComponents } from '../src/core/rsa.js';
import { bytesToBigint } from '../src/core/bignum.js';

function limbBytes(x: bigint, count: number): Uint8Array {
  const out = new Uint8Array(count * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < count; i++) {
    view.setUint32(i * 4, Number(x & 0xfffffffn), true);
    x >>= 28n;
  }
  return out;
}

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  const first = needle[0]!;
  outer: for (let i = hay.indexOf(first); i !== -1 && i <= hay.length - needle.length; i = hay.indexOf(first, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

describe.each(['simd', 'scalar'] as const)('scratch memory is wiped (%s)', (variant) => {
  it('holds no p, q or d after RSA key generation', () => {
    const core = loadCore(variant);
    const c = rsaComponents(core, 2048);
    const memory = new Uint8Array(core.exports.memory.buffer);
    for (const name of ['p', 'q', 'd', 'dP', 'dQ', 'qInv'] as const) {
      const bytes = c[name];
      // 16-byte windows from the middle of each value: a leftover copy would contain them.
      expect(contains(memory, bytes.subarray(40, 56)), `${name} bytes`).toBe(false);
      const limbs = limbBytes(bytesToBigint(bytes), 12);
      expect(contains(memory, limbs.subarray(16, 40)), `${name} limbs`).toBe(false);
    }
    // The check itself must be able to see a value that is there.
    const n = c.n;
    const probe = core.exports.alloc(n.length);
    memory.set(n, probe);
    expect(contains(new Uint8Array(core.exports.memory.buffer), n.subarray(40, 56))).toBe(true);
    core.exports.wipe();
    expect(contains(new Uint8Array(core.exports.memory.buffer), n.subarray(40, 56))).toBe(false);
  });

  it('wipes scratch memory when a call fails midway', () => {
    const core = loadCore(variant);
    const original = globalThis.crypto.getRandomValues.bind(globalThis.crypto);
    let calls = 0;
    let seen: Uint8Array | undefined;
    const spy = (arr: Uint8Array) => {
      calls++;
      if (calls === 3) throw new Error('entropy source failed');
      const r = original(arr);
      // The tail of the second fill becomes the candidate being tested when the third
      // request fails: without the wipe it would still sit in the candidate buffer.
      if (calls === 2) seen = new Uint8Array(arr.subarray(arr.length - 200, arr.length - 168));
      return r;
    };
    Object.defineProperty(globalThis.crypto, 'getRandomValues', { value: spy, configurable: true, writable: true });
    try {
      expect(() => rsaComponents(core, 4096)).toThrow('entropy source failed');
    } finally {
      Object.defineProperty(globalThis.crypto, 'getRandomValues', {
        value: original,
        configurable: true,
        writable: true,
      });
    }
    expect(calls).toBe(3);
    expect(seen).toBeDefined();
    expect(contains(new Uint8Array(core.exports.memory.buffer), seen!.subarray(0, 16))).toBe(false);
    // the core is still usable
    expect(rsaComponents(core, 2048).n.length).toBe(256);
  });
});
