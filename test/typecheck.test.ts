// The sources type-check under strict mode (the global setup builds dist/ even when they do
// not, so that this is reported as one failure rather than aborting the run), and so do the
// tests and the benchmarks: tsconfig.test.json (the TypeScript tests, strict like the
// sources) and tsconfig.mjs.json (the JavaScript modules of test/ and bench/, checked from
// their inferred types and JSDoc). Both read the declarations in dist/ that the benchmarks and
// the package tests import, which the global setup has just built.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

describe('TypeScript', () => {
  it('tsc --noEmit reports no errors', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const r = spawnSync('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json'], { cwd: root, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.each(['tsconfig.test.json', 'tsconfig.mjs.json'])(
    'tsc -p %s (tests and benchmarks) reports no errors',
    (config) => {
      const root = fileURLToPath(new URL('..', import.meta.url));
      const r = spawnSync('npx', ['tsc', '-p', config], { cwd: root, encoding: 'utf8' });
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
    },
  );

  it('the SDK-shaped surface types as the SDK does (test/types: union send, KMS methods, paginators, SDK commands)', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const r = spawnSync('npx', ['tsc', '-p', 'test/types/tsconfig.json'], { cwd: root, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
