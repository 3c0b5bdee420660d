// The README's first example must run as written, against the built package (the package
// imports itself by name through its "exports").
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function firstExample(): string {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## First example'));
  const m = /```js\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README has no js block under "## First example"');
  return m[1]!;
}

describe('README', () => {

  it('the first example runs as written', () => {
    const code = firstExample();
    expect(code).toContain("from 'wasm-kms");
    const r = spawnSync('node', ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
    // the example ends by printing whether Decrypt gave back the private key
    expect(r.stdout.trim().endsWith('true')).toBe(true);
  });
});
