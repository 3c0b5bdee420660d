// Once before all test files: compile the TypeScript into dist/ (tests of the package
// surface, the CLI and the README run the built files). `npm test` has already rebuilt the
// WebAssembly (pretest); this makes dist/ match the sources under test.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
  execFileSync('node', ['scripts/copy-wasm.mjs'], { cwd: root, stdio: 'inherit' });
}
