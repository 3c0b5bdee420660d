// Once before all test files: compile the TypeScript into dist/ (tests of the package
// surface, the CLI, the server and the runtimes run the built files). `npm test` has already
// rebuilt the WebAssembly (pretest); this makes dist/ match the sources under test, edge entry
// (dist/edge/, bundled from dist/ by scripts/build-edge.mjs) included. tsc emits
// even when it finds type errors; those fail test/typecheck.test.ts, so one type error in one
// file does not abort every other test.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'pipe' });
  } catch (e) {
    const out = String((e as { stdout?: Buffer }).stdout ?? '');
    console.warn(`tsc reported errors (test/typecheck.test.ts fails on them):\n${out.slice(0, 4000)}`);
  }
  execFileSync('node', ['scripts/copy-wasm.mjs'], { cwd: root, stdio: 'inherit' });
  try {
    execFileSync('node', ['scripts/build-edge.mjs'], { cwd: root, stdio: 'pipe' });
  } catch (e) {
    // The tests of the edge entry then fail on their own; the rest still run.
    console.warn(`scripts/build-edge.mjs failed:\n${String((e as { stderr?: Buffer }).stderr ?? e).slice(0, 4000)}`);
  }
  // As npm run build:ts does last: dist/core and dist/der become one module and re-exports of it.
  try {
    execFileSync('node', ['scripts/bundle-core.mjs'], { cwd: root, stdio: 'pipe' });
  } catch (e) {
    console.warn(`scripts/bundle-core.mjs failed:\n${String((e as { stderr?: Buffer }).stderr ?? e).slice(0, 4000)}`);
  }
}
