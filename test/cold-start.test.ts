// What makes the first key fast, checked for behaviour: the base64 decoder module gives the
// bytes a plain decode gives, and the built dist/core is one module that every path shares.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { decodeEmbedded } from '../src/core/module.js';
import { embeddedBuilds } from '../src/core/embedded.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const decoder = embeddedBuilds!.decoder;

describe('the base64 decoder module', () => {
  it('decodes every length of padding, empty input included', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 6, 31, 32, 33, 64, 65, 1000, 1001, 1002]) {
      const bytes = randomBytes(n);
      expect(Buffer.from(decodeEmbedded(bytes.toString('base64'), decoder)).equals(bytes), `${n} bytes`).toBe(true);
    }
  });

  it('decodes input larger than its initial memory (it grows)', () => {
    const bytes = randomBytes(400_000);
    expect(Buffer.from(decodeEmbedded(bytes.toString('base64'), decoder)).equals(bytes)).toBe(true);
  });

  it('decodes both embedded builds to the module files', () => {
    for (const variant of ['simd', 'scalar'] as const) {
      const file = readFileSync(join(root, 'build', `wasm-kms.${variant}.wasm`));
      const out = decodeEmbedded(embeddedBuilds![variant], decoder);
      expect(Buffer.from(out).equals(file), variant).toBe(true);
      // Decoded in place in the decoder module's memory (whole 64 KiB pages), not by the fallback
      // loop (an array of its own): the fast path really ran.
      expect(out.buffer.byteLength % 65536, variant).toBe(0);
      expect(out.buffer.byteLength, variant).toBeGreaterThan(out.length);
    }
  });

  it('the module itself refuses bytes outside the alphabet and lengths not a multiple of 4', () => {
    const x = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(decoder)), {}).exports as unknown as {
      memory: WebAssembly.Memory;
      input(): number;
      decode(len: number): number;
    };
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

  it('a decoder that fails leaves the plain decode to do the work', () => {
    const bytes = randomBytes(100);
    const out = decodeEmbedded(bytes.toString('base64'), [0, 1, 2]);
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
    expect(r.stdout.trim()).toBe('CoreError KEY_PAIR_SPECS generateKeyPair initCore simdSupported');
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
