// The package as consumers get it: the "exports" map (types and conditions, the .wasm module
// file as `wasm-kms/core.wasm`), "sideEffects": false as bundlers apply it, the size of the
// browser bundle of the main entry, and the files `npm pack` would ship.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { statSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { build } from 'esbuild';
import ts from 'typescript';
import { bundleForBrowser, sizes, MAIN_ENTRY } from '../../scripts/bundle.mjs';
import { expectPairMatches, root } from './check.js';

/**
 * Budget for the gzipped, minified esbuild browser bundle of the main entry (both embedded
 * WebAssembly builds included). Measured at 116,622 bytes; the budget leaves about 15%.
 */
const CORE_BUNDLE_GZIP_BUDGET = 134_000;

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const ENTRIES = { '.': 'kms/index', './core': 'core/index', './node': 'node/index' } as const;
/** The edge build of the entries that have one (export conditions "workerd" and "edge-light"). */
const EDGE_ENTRIES = { '.': './dist/edge/kms.js', './core': './dist/edge/core.js' } as const;

describe('exports', () => {
  it.each(Object.entries(ENTRIES))('%s: types first, then import and default, all built', (name, base) => {
    const target = pkg.exports[name];
    // Conditions are tried in order: "types" must come first for TypeScript to use it, and the
    // edge conditions before "import", which every bundler and runtime also matches.
    const edge = EDGE_ENTRIES[name as keyof typeof EDGE_ENTRIES];
    expect(Object.keys(target)).toEqual(edge ? ['types', 'workerd', 'edge-light', 'import', 'default'] : ['types', 'import', 'default']);
    expect(target).toMatchObject({ types: `./dist/${base}.d.ts`, import: `./dist/${base}.js`, default: `./dist/${base}.js` });
    if (edge) expect(target).toMatchObject({ workerd: edge, 'edge-light': edge });
  });

  it('wasm-kms/core.wasm is the SIMD build; ./wasm/simd and ./wasm/scalar stay; each has a declaration', () => {
    const types = './dist/wasm/core-wasm.d.ts';
    expect(pkg.exports['./core.wasm']).toEqual({ types, default: './dist/wasm/wasm-kms.simd.wasm' });
    expect(pkg.exports['./wasm/simd']).toEqual({ types, default: './dist/wasm/wasm-kms.simd.wasm' });
    expect(pkg.exports['./wasm/scalar']).toEqual({ types, default: './dist/wasm/wasm-kms.scalar.wasm' });
    expect(readFileSync(join(root, types), 'utf8')).toMatch(/declare const coreModule: WebAssembly\.Module;\s+export default coreModule;/);
    expect(pkg.sideEffects).toBe(false);
  });

  it('wasm-kms/core.wasm, resolved by name, compiles and initCore takes it', () => {
    const require = createRequire(import.meta.url);
    const file = require.resolve('wasm-kms/core.wasm');
    expect(file).toBe(join(root, 'dist', 'wasm', 'wasm-kms.simd.wasm'));
    // In a fresh Node process, through the exports map only (package self-reference).
    const out = JSON.parse(
      execFileSync(process.execPath, [join(root, 'test', 'runtimes', 'self-reference.mjs'), 'ECC_NIST_P256', 'ML_KEM_768', 'RSA_2048'], {
        cwd: root,
        encoding: 'utf8',
      }),
    );
    expect(out.wasmUrl).toBe(`file://${file}`);
    expect(out.simdSection).toEqual(['simd']);
    expect(out.sameGenerator).toBe(true);
    for (const p of out.pairs) {
      expectPairMatches(p.spec, Buffer.from(p.privateKey, 'base64'), Buffer.from(p.publicKey, 'base64'));
    }
  });

  it.each([
    ['NodeNext', ts.ModuleResolutionKind.NodeNext, ts.ModuleKind.NodeNext],
    ['Bundler', ts.ModuleResolutionKind.Bundler, ts.ModuleKind.ESNext],
  ] as const)('TypeScript (moduleResolution %s) finds the declarations of every entry', (_name, moduleResolution, module) => {
    const from = join(root, 'test', 'runtimes', 'consumer.ts');
    for (const [name, base] of Object.entries(ENTRIES)) {
      const specifier = name === '.' ? 'wasm-kms' : `wasm-kms/${name.slice(2)}`;
      const r = ts.resolveModuleName(specifier, from, { moduleResolution, module }, ts.sys, undefined, undefined, ts.ModuleKind.ESNext);
      expect(r.resolvedModule?.resolvedFileName, specifier).toBe(join(root, 'dist', `${base}.d.ts`));
    }
  });
});

describe('bundling', () => {
  // A consumer project with the package installed: node_modules/wasm-kms → this repository.
  let consumer: string;
  beforeAll(() => {
    consumer = mkdtempSync(join(tmpdir(), 'wasm-kms-consumer-'));
    mkdirSync(join(consumer, 'node_modules'));
    symlinkSync(root, join(consumer, 'node_modules', 'wasm-kms'), 'dir');
    writeFileSync(join(consumer, 'package.json'), '{"name":"consumer","type":"module","private":true}\n');
  });
  afterAll(() => {
    if (consumer) rmSync(consumer, { recursive: true, force: true });
  });

  async function bundle(contents: string, ignoreAnnotations = false): Promise<string> {
    const r = await build({
      stdin: { contents, resolveDir: consumer, loader: 'js' },
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      minify: true,
      logLevel: 'silent',
      // ignoreAnnotations makes esbuild disregard "sideEffects" (and /* @__PURE__ */).
      ignoreAnnotations,
    });
    return r.outputFiles[0].text;
  }

  it('"sideEffects": false lets a bundler drop what is not used', async () => {
    // Importing for nothing keeps nothing...
    expect((await bundle("import 'wasm-kms';")).trim()).toBe('');
    // ...where a bundler that ignores the field keeps the embedded WebAssembly.
    expect((await bundle("import 'wasm-kms';", true)).length).toBeGreaterThan(100_000);
    // The spec list alone does not pull in the WebAssembly core.
    const specsOnly = await bundle("import { KEY_PAIR_SPECS } from 'wasm-kms/core'; console.log(KEY_PAIR_SPECS);");
    expect(specsOnly).toContain('ML_KEM_1024');
    expect(specsOnly.length).toBeLessThan(2_000);
  });

  it('a browser bundle through the package name carries the core and no Node module', async () => {
    const text = await bundle("import { KMSClient, generateKeyPair } from 'wasm-kms'; console.log(KMSClient, generateKeyPair);");
    expect(text.length).toBeGreaterThan(200_000); // both embedded builds
    expect(text).not.toMatch(/["']node:/);
  });

  it(`the minified browser bundle of the main entry stays under ${CORE_BUNDLE_GZIP_BUDGET} bytes gzipped`, async () => {
    const { bytes, gzipBytes } = sizes(await bundleForBrowser(MAIN_ENTRY));
    console.log(`main entry, browser bundle: ${bytes} bytes minified, ${gzipBytes} bytes gzipped`);
    expect(gzipBytes).toBeGreaterThan(50_000); // the embedded core is in it
    expect(gzipBytes).toBeLessThan(CORE_BUNDLE_GZIP_BUDGET);
  });
});

describe('npm pack', () => {
  let files: string[];
  beforeAll(() => {
    // --ignore-scripts: "prepare" would rebuild the WebAssembly; the test's dist/ is current.
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
    files = (JSON.parse(out)[0].files as { path: string }[]).map((f) => f.path);
  });

  it('ships every export target, the bin, the README and the docs it links; no sources or tests', () => {
    const targets = Object.values<string | Record<string, string>>(pkg.exports).flatMap((t) =>
      typeof t === 'string' ? [t] : Object.values(t),
    );
    for (const t of [...targets, pkg.bin['wasm-kms']]) expect(files, t).toContain(posix.normalize(t));
    expect(files).toContain('README.md');
    expect(files).toContain('docs/ciphertext-format.md');
    expect(files.filter((f) => /^(src|test|assembly|scripts|build)\//.test(f))).toEqual([]);
    // Of the benchmarks, only the report the README links and its charts (not the 30 MB JSON).
    expect(files.filter((f) => f.startsWith('bench/')).sort()).toEqual([
      'bench/results/latest-timings.svg',
      'bench/results/latest.md',
      'bench/results/latest.svg',
    ]);
  });

  it('declares the embedded base64 as a string, not as a 136 KB literal type', () => {
    expect(files).toContain('dist/core/generated/wasm-simd.js');
    for (const f of files.filter((x) => x.startsWith('dist/core/generated/') && x.endsWith('.d.ts'))) {
      expect(statSync(join(root, f)).size, f).toBeLessThan(1024);
    }
    // Every relative import of a shipped declaration file is shipped.
    const shipped = new Set(files);
    for (const f of files.filter((x) => x.endsWith('.d.ts'))) {
      const text = readFileSync(join(root, f), 'utf8');
      for (const m of text.matchAll(/from\s+['"](\.{1,2}\/[^'"]+)\.js['"]/g)) {
        const target = posix.join(posix.dirname(f), `${m[1]}.d.ts`);
        expect(shipped.has(target), `${f} imports ${m[1]}.js`).toBe(true);
      }
    }
  });
});
