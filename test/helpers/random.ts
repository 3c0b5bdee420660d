// Runs code with the runtime's random source (globalThis.crypto.getRandomValues) replaced, as
// the core draws all its entropy through it; the original is always put back.

export function withRandom<R>(fill: (a: Uint8Array) => void, fn: () => R): R {
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
    return fn();
  } finally {
    Object.defineProperty(globalThis.crypto, 'getRandomValues', {
      value: original,
      configurable: true,
      writable: true,
    });
  }
}
