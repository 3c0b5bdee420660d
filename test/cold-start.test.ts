// What makes the first key fast, checked for behaviour: the decoder module (assembly/base64.ts)
// gives back the bytes of the embedded base64 and, for the packed scalar build
// (scripts/embed-wasm.mjs, pack()), the bytes the packer was given, as the JavaScript fallback
// does; malformed packed input is refused without reading or writing out of bounds; and the
// built dist/core is one module that every path shares.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { decodeEmbedded, unpackBytes } from '../src/core/module.js';
import { embeddedBuilds } from '../src/core/embedded.js';
import { pack, unpack as referenceUnpack } from '../scripts/embed-wasm.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const decoder = embeddedBuilds!.decoder;

interface Decoder {
  memory: WebAssembly.Memory;
  input(): number;
  decode(len: number): number;
  unpack(len: number): number;
  output(): number;
}

const newDecoder = (): Decoder =>
  new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(decoder)), {}).exports as unknown as Decoder;

/** The decoder module's unpack() of `packed`: the bytes, or -1. */
function moduleUnpack(packed: Uint8Array): Uint8Array | -1 {
  const x = newDecoder();
  const short = x.input() + packed.length - x.memory.buffer.byteLength;
  if (short > 0) x.memory.grow(Math.ceil(short / 65536));
  new Uint8Array(x.memory.buffer, x.input(), packed.length).set(packed);
  const n = x.unpack(packed.length);
  return n < 0 ? -1 : new Uint8Array(x.memory.buffer, x.output(), n).slice();
}

const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');

/** Inputs with long runs, short repeats, overlapping matches, and none at all. */
function samples(): Uint8Array[] {
  const list: Uint8Array[] = [];
  for (const n of [0, 1, 3, 4, 5, 15, 16, 18, 19, 20, 33, 255, 270, 300, 1000, 70_000]) {
    list.push(randomBytes(n), new Uint8Array(n).fill(7));
    list.push(Uint8Array.from({ length: n }, (_, i) => (i * 7) % 13));
    list.push(Uint8Array.from({ length: n }, (_, i) => (i % 600 < 300 ? i & 0xff : (i * 31) & 0xff)));
  }
  return list;
}

describe('the packed builds and the decoder module', () => {
  it('base64, packed or not: decodeEmbedded gives back every input, by the module and by the fallback', () => {
    for (const bytes of samples()) {
      for (const packed of [true, false]) {
        const text = b64(packed ? pack(bytes) : bytes);
        const what = `${bytes.length} bytes${packed ? ', packed' : ''}`;
        const fast = decodeEmbedded(text, decoder, packed);
        expect(Buffer.from(fast).equals(bytes), what).toBe(true);
        const slow = decodeEmbedded(text, [0, 1, 2], packed);
        expect(Buffer.from(slow).equals(bytes), `${what}, fallback`).toBe(true);
      }
      expect(Buffer.from(referenceUnpack(pack(bytes))).equals(bytes)).toBe(true);
    }
  });

  it('packs the builds to well under half their size, and unpacks input larger than its memory', () => {
    for (const variant of ['simd', 'scalar'] as const) {
      const file = readFileSync(join(root, 'build', `wasm-kms.${variant}.wasm`));
      expect(pack(file).length, variant).toBeLessThan(file.length * 0.45);
    }
    const big = new Uint8Array(600_000).map((_, i) => (i >> 4) & 0xff);
    expect(Buffer.from(decodeEmbedded(b64(pack(big)), decoder, true)).equals(big)).toBe(true);
    expect(Buffer.from(decodeEmbedded(b64(big), decoder)).equals(big)).toBe(true);
  });

  it('decodes both embedded builds to the module files, in the decoder module; only the scalar one is packed', () => {
    // The SIMD build is the one every current runtime decodes: unpacking it cost about what its
    // shorter text saved. The scalar one is only parsed there, and packed it is 60 % shorter.
    expect(embeddedBuilds!.packed).toEqual({ simd: false, scalar: true });
    expect(embeddedBuilds!.scalar.length).toBeLessThan(embeddedBuilds!.simd.length * 0.5);
    for (const variant of ['simd', 'scalar'] as const) {
      const file = readFileSync(join(root, 'build', `wasm-kms.${variant}.wasm`));
      const out = decodeEmbedded(embeddedBuilds![variant], decoder, embeddedBuilds!.packed[variant]);
      expect(Buffer.from(out).equals(file), variant).toBe(true);
      // Unpacked in the decoder module's memory (whole 64 KiB pages), not by the fallback
      // loops (an array of its own): the fast path really ran.
      expect(out.buffer.byteLength % 65536, variant).toBe(0);
      expect(out.buffer.byteLength, variant).toBeGreaterThan(out.length);
    }
  });

  it('the module refuses bytes outside the alphabet and lengths not a multiple of 4', () => {
    const x = newDecoder();
    const put = (s: string): number => {
      new Uint8Array(x.memory.buffer, x.input(), s.length).set(Buffer.from(s, 'latin1'));
      return s.length;
    };
    expect(x.decode(put('QUJD'))).toBe(3);
    expect(x.decode(put('QU*D'))).toBe(-1);
    expect(x.decode(put('QUJ'))).toBe(-1);
    expect(x.decode(put('QU\u00ffD'))).toBe(-1);
    expect(x.decode(put('QQ=='))).toBe(1);
  });

  it('malformed packed input is refused by the module and by the fallback, never read past', () => {
    const good = pack(Uint8Array.from({ length: 2000 }, (_, i) => (i * 7) % 13));
    const le32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
    const cases: [string, Uint8Array][] = [
      ['shorter than its length', new Uint8Array(3)],
      ['truncated', good.subarray(0, good.length - 3)],
      ['a length longer than the content', Uint8Array.from([...le32(5), 0x30, 1, 2, 3])],
      ['a length shorter than the content', Uint8Array.from([...le32(2), 0x30, 1, 2, 3])],
      ['a match before the start', Uint8Array.from([...le32(8), 0x10, 9, 2, 0, 0x00])],
      ['a zero offset', Uint8Array.from([...le32(8), 0x10, 9, 0, 0, 0x00])],
      ['a truncated offset', Uint8Array.from([...le32(8), 0x10, 9, 1])],
      ['a truncated literal length', Uint8Array.from([...le32(300), 0xf0, 255])],
      ['literals past the end of the input', Uint8Array.from([...le32(9), 0x90, 1, 2])],
      ['a huge announced length', Uint8Array.from([...le32(0x7fffffff), 0x10, 1])],
    ];
    for (const [what, packed] of cases) {
      expect(moduleUnpack(packed), what).toBe(-1);
      expect(() => unpackBytes(packed), what).toThrow(/malformed/);
      expect(() => referenceUnpack(packed), what).toThrow();
    }
    // The same bytes well-formed are accepted (the cases fail for the reason they name).
    expect(Array.from(moduleUnpack(Uint8Array.from([...le32(3), 0x30, 1, 2, 3])) as Uint8Array)).toEqual([1, 2, 3]);
    expect(Array.from(moduleUnpack(Uint8Array.from([...le32(6), 0x11, 9, 1, 0])) as Uint8Array)).toEqual([
      9, 9, 9, 9, 9, 9,
    ]);
  });

  it('a decoder that fails leaves the JavaScript fallback to do the work', () => {
    const bytes = randomBytes(100);
    const out = decodeEmbedded(b64(pack(bytes)), [0, 1, 2], true);
    expect(Buffer.from(out).equals(bytes)).toBe(true);
    expect(out.buffer.byteLength).toBe(100);
  });
});

describe('dist/core, bundled (scripts/bundle-core.mjs)', () => {
  const run = (code: string) =>
    spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });

  it('wasm-kms/core loads two files: its entry and the bundle', () => {
    const r = run(`console.log(Object.keys(await import('./dist/core/index.js')).join(' '));`);
    expect(r.status, r.stderr).toBe(0);
    // (The exact surface is test/core-api.test.ts's to check.)
    expect(r.stdout.trim().split(' ')).toEqual(
      expect.arrayContaining(['CoreError', 'KEY_PAIR_SPECS', 'generateKeyPair', 'initCore', 'simdSupported']),
    );
    const index = readFileSync(join(root, 'dist/core/index.js'), 'utf8');
    const imports = [...index.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports).toEqual(['./bundle.js']);
    expect(readFileSync(join(root, 'dist/core/bundle.js'), 'utf8')).not.toMatch(/^\s*(import|export)\s.*from\s/m);
  });

  it('every built path shares one module state: initCore through one entry is the core of all', () => {
    const scalar = join(root, 'dist/wasm/wasm-kms.scalar.wasm');
    const r = run(`
      import { readFileSync } from 'node:fs';
      const core = await import('./dist/core/index.js');
      const module = await import('./dist/core/module.js');
      const kms = await import('./dist/kms/index.js');
      await core.initCore(readFileSync(${JSON.stringify(scalar)}));
      const { publicKey } = kms.generateKeyPair('ECC_NIST_P256');
      console.log(module.getCore().variant, publicKey.length);
    `);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('scalar 91');
  });
});
