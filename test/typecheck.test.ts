// The sources type-check under strict mode (the global setup builds dist/ even when they do
// not, so that this is reported as one failure rather than aborting the run).
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

  it('the SDK-shaped surface types as the SDK does (test/types: union send, KMS methods, paginators, SDK commands)', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const r = spawnSync('npx', ['tsc', '-p', 'test/types/tsconfig.json'], { cwd: root, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
