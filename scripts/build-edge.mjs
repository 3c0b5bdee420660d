// Builds the package's edge entry, dist/edge/: the main entry (kms.js) and wasm-kms/core
// (core.js) as ES modules that share one chunk (so one core serves both), with
// dist/core/embedded-none.js in place of dist/core/embedded.js — no WebAssembly inside the
// JavaScript. The export conditions "workerd" (Cloudflare's Wrangler, workerd) and
// "edge-light" (Vercel Edge) select it; there the .wasm comes in as a module of its own
// (`import coreModule from 'wasm-kms/core.wasm'`) and is handed to initCore.
//
//   node scripts/build-edge.mjs      after tsc (npm run build:ts does both)
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const outdir = join(dist, 'edge');

/** The entries of the edge build, by output name: what "." and "./core" resolve to there. */
export const EDGE_ENTRIES = { kms: join(dist, 'kms', 'index.js'), core: join(dist, 'core', 'index.js') };

const embedded = join(dist, 'core', 'embedded.js');

/** Resolves the core's `./embedded.js` to `./embedded-none.js`; anything else as usual. */
const withoutEmbeddedCore = {
  name: 'without-embedded-core',
  setup(b) {
    b.onResolve({ filter: /\/embedded\.js$/ }, (args) => {
      const path = join(args.resolveDir, args.path);
      return path === embedded ? { path: join(dist, 'core', 'embedded-none.js') } : undefined;
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: EDGE_ENTRIES,
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  // Unminified, as tsc's output is: the consumer's bundler minifies if asked.
  minify: false,
  chunkNames: 'shared-[hash]',
  plugins: [withoutEmbeddedCore],
  metafile: true,
  logLevel: 'warning',
});
const inputs = Object.keys(result.metafile.inputs);
if (inputs.some((f) => /embedded\.js$|generated\//.test(f))) {
  throw new Error(`the edge build took in the embedded WebAssembly: ${inputs.join(', ')}`);
}
if (!inputs.some((f) => f.endsWith('embedded-none.js'))) {
  throw new Error('the edge build did not take dist/core/embedded-none.js');
}
for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) console.log(`${file}: ${bytes} bytes`);
