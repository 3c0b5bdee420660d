// Ships the .wasm files next to the compiled library (dist/wasm/) for runtimes that must
// import a module file (Cloudflare Workers, Vercel Edge) and hand it to initCore().
import { copyFileSync, mkdirSync, chmodSync, existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(root, 'dist', 'wasm'), { recursive: true });
for (const variant of ['simd', 'scalar']) {
  copyFileSync(join(root, 'build', `wasm-kms.${variant}.wasm`), join(root, 'dist', 'wasm', `wasm-kms.${variant}.wasm`));
}
// The declaration of both module files (the "types" of ./core.wasm, ./wasm/simd and
// ./wasm/scalar): the default export as Wrangler, workerd and Vercel Edge give an imported
// .wasm file, a compiled WebAssembly.Module.
writeFileSync(
  join(root, 'dist', 'wasm', 'core-wasm.d.ts'),
  `/**
 * The compiled wasm-kms core, as workers bundlers (Wrangler, Vercel Edge) give an imported
 * .wasm file. Hand it to \`initCore\` before the first call:
 *
 *     import { initCore } from 'wasm-kms';
 *     import coreModule from 'wasm-kms/core.wasm';
 *     await initCore(coreModule);
 */
declare const coreModule: WebAssembly.Module;
export default coreModule;
`,
);
const cli = join(root, 'dist', 'node', 'cli', 'main.js');
if (existsSync(cli)) chmodSync(cli, 0o755);
