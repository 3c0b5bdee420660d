// The browser bundle of the package's main entry, as an application bundler would make it
// (esbuild, platform browser, ESM, minified), and its size raw and gzipped. The size is what
// a web page pays for the library: the JavaScript plus both embedded WebAssembly builds.
//
//   node scripts/bundle.mjs      (npm run build:bundle) writes build/bundle/wasm-kms.browser.min.js
//                                and prints the sizes; run after `npm run build`.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The built main entry (what `import ... from 'wasm-kms'` resolves to). */
export const MAIN_ENTRY = join(root, 'dist', 'kms', 'index.js');

/**
 * Bundles `entry` for the browser and returns the bundle's text. Every export of the entry is
 * kept (it is the bundle's entry point), so this is the whole library, not a tree-shaken part.
 */
export async function bundleForBrowser(entry = MAIN_ENTRY, { minify = true } = {}) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

/** Raw and gzipped (zlib's default level 6, as web servers commonly use) byte counts. */
export function sizes(text) {
  const raw = Buffer.from(text, 'utf8');
  return { bytes: raw.length, gzipBytes: gzipSync(raw).length };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = await bundleForBrowser();
  const outDir = join(root, 'build', 'bundle');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'wasm-kms.browser.min.js');
  writeFileSync(file, text);
  const { bytes, gzipBytes } = sizes(text);
  console.log(`${file}: ${bytes} bytes, ${gzipBytes} bytes gzipped`);
}
