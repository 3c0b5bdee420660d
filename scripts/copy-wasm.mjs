// Ships the .wasm files next to the compiled library (dist/wasm/) for runtimes that must
// import a module file (Cloudflare Workers, Vercel Edge) and hand it to initCore().
import { copyFileSync, mkdirSync, chmodSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(root, 'dist', 'wasm'), { recursive: true });
for (const variant of ['simd', 'scalar']) {
  copyFileSync(join(root, 'build', `wasm-kms.${variant}.wasm`), join(root, 'dist', 'wasm', `wasm-kms.${variant}.wasm`));
}
const cli = join(root, 'dist', 'node', 'cli.js');
if (existsSync(cli)) chmodSync(cli, 0o755);
