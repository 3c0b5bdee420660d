// The package as consumers get it: the "exports" map (types and conditions, the .wasm module
// file as `wasm-kms/core.wasm`), "sideEffects": false as bundlers apply it, the size of the
// browser bundle of the main entry, the files `npm pack` would ship and the links between them,
// and the packed tarball installed offline into a fresh project: no install warning, types
// under every TypeScript module resolution, ESM only, the edge entry by condition.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  statSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, posix, relative } from 'node:path';
import { build } from 'esbuild';
import ts from 'typescript';
import { bundleForBrowser, sizes, MAIN_ENTRY } from '../../scripts/bundle.mjs';
import { expectPairMatches, root } from './check.js';

/**
 * Budget for the gzipped, minified esbuild browser bundle of the main entry (both embedded
 * WebAssembly builds included). Measured at 245,241 bytes once every operation of the KMS API
 * was built (tags, key policies, grants, imported key material with AES key wrap in the core,
 * multi-Region keys, key history, the custom key store lifecycle); 205,097 with signing,
 * verification, MACs, key agreement, encapsulation and ML-DSA; 116,622 with key pairs and the
 * symmetric primitives only. The budget leaves about 15%.
 */
const CORE_BUNDLE_GZIP_BUDGET = 282_000;

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/**
 * The relative targets (path only, no #fragment) of a Markdown text's links and images —
 * inline `[text](target)`, reference definitions `[label]: target`, and HTML src/href — outside
 * fenced code blocks; URLs with a scheme and same-page anchors are left out.
 */
function relativeLinks(markdown: string): string[] {
  const text = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');
  const targets = [
    ...[...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+["'(][^)]*)?\)/g)].map((m) => m[1]),
    ...[...text.matchAll(/^[ \t]{0,3}\[[^\]]+\]:[ \t]*<?([^\s>]+)>?/gm)].map((m) => m[1]),
    ...[...text.matchAll(/<(?:img|a|source)\b[^>]*?\s(?:src|href|srcset)=["']([^"']+)["']/gi)].map((m) => m[1]),
  ];
  return targets
    .filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith('#') && !t.startsWith('//'))
    .map((t) => decodeURI(t.split('#')[0]));
}
const ENTRIES = { '.': 'kms/index', './core': 'core/index', './node': 'node/index' } as const;
/** The edge build of the entries that have one (export conditions "workerd" and "edge-light"). */
const EDGE_ENTRIES = { '.': './dist/edge/kms.js', './core': './dist/edge/core.js' } as const;

describe('exports', () => {
  it.each(Object.entries(ENTRIES))('%s: types first, then import and default, all built', (name, base) => {
    const target = pkg.exports[name];
    // Conditions are tried in order: "types" must come first for TypeScript to use it, and the
    // edge conditions before "import", which every bundler and runtime also matches.
    const edge = EDGE_ENTRIES[name as keyof typeof EDGE_ENTRIES];
    expect(Object.keys(target)).toEqual(
      edge ? ['types', 'workerd', 'edge-light', 'import', 'default'] : ['types', 'import', 'default'],
    );
    expect(target).toMatchObject({
      types: `./dist/${base}.d.ts`,
      import: `./dist/${base}.js`,
      default: `./dist/${base}.js`,
    });
    if (edge) expect(target).toMatchObject({ workerd: edge, 'edge-light': edge });
  });

  it('wasm-kms/core.wasm is the SIMD build; ./wasm/simd and ./wasm/scalar stay; each has a declaration', () => {
    const types = './dist/wasm/core-wasm.d.ts';
    expect(pkg.exports['./core.wasm']).toEqual({ types, default: './dist/wasm/wasm-kms.simd.wasm' });
    expect(pkg.exports['./wasm/simd']).toEqual({ types, default: './dist/wasm/wasm-kms.simd.wasm' });
    expect(pkg.exports['./wasm/scalar']).toEqual({ types, default: './dist/wasm/wasm-kms.scalar.wasm' });
    expect(readFileSync(join(root, types), 'utf8')).toMatch(
      /declare const coreModule: WebAssembly\.Module;\s+export default coreModule;/,
    );
    expect(pkg.sideEffects).toBe(false);
  });

  it('wasm-kms/core.wasm, resolved by name, compiles and initCore takes it', () => {
    const require = createRequire(import.meta.url);
    const file = require.resolve('wasm-kms/core.wasm');
    expect(file).toBe(join(root, 'dist', 'wasm', 'wasm-kms.simd.wasm'));
    // In a fresh Node process, through the exports map only (package self-reference).
    const out = JSON.parse(
      execFileSync(
        process.execPath,
        [join(root, 'test', 'runtimes', 'self-reference.mjs'), 'ECC_NIST_P256', 'ML_KEM_768', 'RSA_2048'],
        {
          cwd: root,
          encoding: 'utf8',
        },
      ),
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
  ] as const)(
    'TypeScript (moduleResolution %s) finds the declarations of every entry',
    (_name, moduleResolution, module) => {
      const from = join(root, 'test', 'runtimes', 'consumer.ts');
      for (const [name, base] of Object.entries(ENTRIES)) {
        const specifier = name === '.' ? 'wasm-kms' : `wasm-kms/${name.slice(2)}`;
        const r = ts.resolveModuleName(
          specifier,
          from,
          { moduleResolution, module },
          ts.sys,
          undefined,
          undefined,
          ts.ModuleKind.ESNext,
        );
        expect(r.resolvedModule?.resolvedFileName, specifier).toBe(join(root, 'dist', `${base}.d.ts`));
      }
    },
  );
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
    const text = await bundle(
      "import { KMSClient, generateKeyPair } from 'wasm-kms'; console.log(KMSClient, generateKeyPair);",
    );
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
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: root,
      encoding: 'utf8',
    });
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
      'bench/results/latest-load.svg',
      'bench/results/latest-operations.svg',
      'bench/results/latest-timings.svg',
      'bench/results/latest.md',
      'bench/results/latest.svg',
    ]);
  });

  it('every relative link and image of README.md and of each shipped Markdown file is a shipped file', () => {
    const shipped = new Set(files);
    const markdown = files.filter((f) => f.endsWith('.md'));
    expect(markdown).toEqual(expect.arrayContaining(['README.md', 'docs/cli.md', 'bench/results/latest.md']));
    for (const md of markdown) {
      for (const target of relativeLinks(readFileSync(join(root, md), 'utf8'))) {
        const file = posix.normalize(posix.join(posix.dirname(md), target));
        expect(shipped.has(file), `${md} links ${target}, which the package does not ship`).toBe(true);
      }
    }
    // Not vacuous: the README's links to the docs and its chart are among those checked.
    expect(relativeLinks(readFileSync(join(root, 'README.md'), 'utf8'))).toEqual(
      expect.arrayContaining([
        'docs/ciphertext-format.md',
        'docs/cli.md',
        'bench/results/latest.svg',
        'bench/results/latest-load.svg',
        'bench/results/latest-operations.svg',
        'bench/results/latest.md',
      ]),
    );
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

// The tarball as users install it. `npm pack` runs in a copy of the packed files (so this
// repository's package.json is never touched) with the real prepack/postpack scripts; only
// "build" is a no-op there, since the test's dist/ is current. The tarball is installed into
// a fresh project with npm --offline and an empty cache: its dependencies are copied in from
// this repository's node_modules first, so nothing is fetched.
describe('the packed tarball, installed', () => {
  let work: string;
  let copy: string;
  let consumer: string;
  let tarball: string;
  let copyManifestBefore: string;
  let install: { status: number | null; output: string };

  /** The environment for npm without the npm_config_* of an `npm test` run around this one. */
  const cleanEnv = () =>
    Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))) as NodeJS.ProcessEnv;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'wasm-kms-tarball-'));
    copy = join(work, 'package');
    consumer = join(work, 'consumer');
    const listed = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }),
    )[0];
    for (const { path } of listed.files as { path: string }[]) {
      mkdirSync(join(copy, posix.dirname(path)), { recursive: true });
      copyFileSync(join(root, path), join(copy, path));
    }
    mkdirSync(join(copy, 'scripts'));
    copyFileSync(join(root, 'scripts', 'pack-manifest.mjs'), join(copy, 'scripts', 'pack-manifest.mjs'));
    const manifest = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8'));
    manifest.scripts.build = 'node -e 0';
    copyManifestBefore = `${JSON.stringify(manifest, null, 2)}\n`;
    writeFileSync(join(copy, 'package.json'), copyManifestBefore);
    // Lifecycle scripts print on stdout too: the JSON report is the part from the line "[" on.
    const packOut = execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: copy,
      encoding: 'utf8',
      env: cleanEnv(),
    });
    const packed = JSON.parse(packOut.slice(packOut.search(/^\[/m)));
    tarball = join(work, packed[0].filename);

    // The runtime dependencies, as `npm ls` finds them in this repository.
    let ls: string;
    try {
      ls = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
        cwd: root,
        encoding: 'utf8',
        env: cleanEnv(),
      });
    } catch (err) {
      ls = String((err as { stdout?: string }).stdout ?? '');
    }
    mkdirSync(join(consumer, 'node_modules'), { recursive: true });
    for (const dir of ls.split('\n').filter((l) => l.startsWith(join(root, 'node_modules')))) {
      cpSync(dir, join(consumer, relative(root, dir)), { recursive: true });
    }
    writeFileSync(
      join(consumer, 'package.json'),
      '{"name":"consumer","version":"1.0.0","private":true,"type":"module"}\n',
    );
    const r = spawnSync(
      'npm',
      [
        'install',
        '--offline',
        '--cache',
        join(work, 'npm-cache'),
        '--no-audit',
        '--no-fund',
        '--no-update-notifier',
        tarball,
      ],
      {
        cwd: consumer,
        encoding: 'utf8',
        env: cleanEnv(),
      },
    );
    install = { status: r.status, output: `${r.stdout}${r.stderr}` };
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('installs offline with no warning: the packed package.json has no "prepare" (npm 11 flags it for tarball installs)', () => {
    expect(install.status, install.output).toBe(0);
    expect(install.output).not.toMatch(/npm warn/i);
    expect(install.output).not.toContain('install-scripts');
    const installed = JSON.parse(readFileSync(join(consumer, 'node_modules', 'wasm-kms', 'package.json'), 'utf8'));
    expect(installed.scripts.prepare).toBeUndefined();
    for (const event of ['preinstall', 'install', 'postinstall'])
      expect(installed.scripts[event], event).toBeUndefined();
    expect(installed.exports).toEqual(pkg.exports);
    expect(installed.typesVersions).toEqual(pkg.typesVersions);
  });

  it('npm pack leaves package.json as it was, "prepare" included (postpack puts the line back)', () => {
    expect(readFileSync(join(copy, 'package.json'), 'utf8')).toBe(copyManifestBefore);
    expect(existsSync(join(copy, 'build', 'pack-manifest'))).toBe(false);
    expect(pkg.scripts.prepare).toBe('npm run build');
    expect(pkg.scripts.prepack).toMatch(/^npm run build && node scripts\/pack-manifest\.mjs strip$/);
    expect(pkg.scripts.postpack).toBe('node scripts/pack-manifest.mjs restore');
  });

  it.each([
    ['node (node10)', 'commonjs', 'node', true],
    // One of the three also checks the package's own declarations (it takes a few seconds more).
    ['nodenext', 'nodenext', 'nodenext', false],
    ['bundler', 'esnext', 'bundler', true],
  ] as const)(
    'TypeScript with moduleResolution %s type-checks a project importing every entry',
    (name, module, moduleResolution, skipLibCheck) => {
      const dir = join(consumer, `ts-${moduleResolution}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'index.ts'), CONSUMER_TS);
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            module,
            moduleResolution,
            target: 'es2022',
            lib: ['es2022', 'dom'],
            strict: true,
            noEmit: true,
            skipLibCheck,
            types: ['node'],
            typeRoots: [join(root, 'node_modules', '@types')],
          },
          files: ['index.ts'],
        }),
      );
      const r = spawnSync(
        process.execPath,
        [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')],
        {
          cwd: dir,
          encoding: 'utf8',
        },
      );
      expect(
        r.stdout.split('\n').filter((l) => /error TS\d+/.test(l)),
        name,
      ).toEqual([]);
      expect(r.status).toBe(0);
      // Each specifier finds its declarations inside the installed package.
      const installed = join(consumer, 'node_modules', 'wasm-kms');
      const { options } = ts.convertCompilerOptionsFromJson({ module, moduleResolution }, dir);
      const resolved = (spec: string) =>
        ts.resolveModuleName(spec, join(dir, 'index.ts'), options, ts.sys).resolvedModule?.resolvedFileName;
      expect(resolved('wasm-kms')).toBe(join(installed, 'dist', 'kms', 'index.d.ts'));
      expect(resolved('wasm-kms/core')).toBe(join(installed, 'dist', 'core', 'index.d.ts'));
      expect(resolved('wasm-kms/node')).toBe(join(installed, 'dist', 'node', 'index.d.ts'));
      for (const wasm of ['core.wasm', 'wasm/simd', 'wasm/scalar']) {
        expect(resolved(`wasm-kms/${wasm}`), wasm).toBe(join(installed, 'dist', 'wasm', 'core-wasm.d.ts'));
      }
    },
  );

  it("ESM only: import works; require() works only through Node's require(esm)", () => {
    writeFileSync(
      join(consumer, 'esm.mjs'),
      "import { generateKeyPair } from 'wasm-kms/core';\nconsole.log(generateKeyPair('ECC_NIST_P256').publicKey.length);\n",
    );
    expect(execFileSync(process.execPath, ['esm.mjs'], { cwd: consumer, encoding: 'utf8' }).trim()).toBe('91');
    writeFileSync(
      join(consumer, 'cjs.cjs'),
      "const { generateKeyPair } = require('wasm-kms');\nconsole.log(generateKeyPair('ECC_NIST_P256').publicKey.length);\n",
    );
    const r = spawnSync(process.execPath, ['cjs.cjs'], { cwd: consumer, encoding: 'utf8' });
    if ((process.features as { require_module?: boolean }).require_module) {
      // Node 20.19+ and 22.12+: the ES module graph (no top-level await in it) loads synchronously.
      expect(r.stderr).not.toMatch(/Error/);
      expect(r.stdout.trim()).toBe('91');
    } else {
      expect(r.stderr).toContain('ERR_REQUIRE_ESM');
    }
  });

  it('bundlers with the "workerd" or "edge-light" condition get the edge entry from the installed package', async () => {
    for (const condition of ['workerd', 'edge-light']) {
      const r = await build({
        stdin: {
          contents: "export { KMSClient } from 'wasm-kms'; export { generateKeyPair } from 'wasm-kms/core';",
          resolveDir: consumer,
          loader: 'js',
        },
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'neutral',
        conditions: [condition],
        metafile: true,
        logLevel: 'silent',
      });
      const inputs = Object.keys(r.metafile.inputs);
      for (const entry of ['kms', 'core']) {
        expect(
          inputs.some((f) => f.endsWith(`node_modules/wasm-kms/dist/edge/${entry}.js`)),
          `${condition}: ${inputs.join(', ')}`,
        ).toBe(true);
      }
      expect(inputs.some((f) => f.includes('/dist/kms/') || f.includes('/dist/core/'))).toBe(false);
      expect(r.outputFiles[0].text).not.toContain('AGFzbQ');
    }
  });
});

/** A consumer's TypeScript: every entry, with uses that fail to compile if a type is `any` or wrong. */
const CONSUMER_TS = `import { KMSClient, GenerateDataKeyPairCommand, initCore, type GenerateDataKeyPairOutput } from 'wasm-kms';
import { generateKeyPair, KEY_PAIR_SPECS, type KeyPair } from 'wasm-kms/core';
import { FileKeyStore, startServer } from 'wasm-kms/node';
import coreModule from 'wasm-kms/core.wasm';
import simdModule from 'wasm-kms/wasm/simd';
import scalarModule from 'wasm-kms/wasm/scalar';

export async function check(): Promise<void> {
  const modules: WebAssembly.Module[] = [coreModule, simdModule, scalarModule];
  await initCore(modules[0]);
  const pair: KeyPair = generateKeyPair(KEY_PAIR_SPECS[0]);
  // @ts-expect-error an unknown spec is a type error
  generateKeyPair('RSA_1024');
  // @ts-expect-error the .wasm import is a WebAssembly.Module, not a string
  const notText: string = coreModule;
  const kms = new KMSClient({ region: 'us-east-1', store: await FileKeyStore.open('/tmp/wasm-kms-types') });
  const out: GenerateDataKeyPairOutput = await kms.send(new GenerateDataKeyPairCommand({ KeyId: 'alias/x', KeyPairSpec: 'ECC_NIST_P256' }));
  console.log(pair, out, notText, typeof startServer);
}
`;
