// node-postgres is loaded by PostgresKeyStore.open(), not by importing wasm-kms/node: programs
// that use the file store, the CLI or the HTTP endpoint do not pay for loading it. Runs the built
// entry (dist/).
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const entry = JSON.stringify(`${root}dist/node/index.js`);

/** Runs `code` (an ES module body with the entry imported as `node`); whether pg was loaded at its end. */
function pgLoadedAfter(code: string): boolean {
  const script = [
    `const node = await import(${entry});`,
    code,
    `const { createRequire } = await import('node:module');`,
    `const cache = createRequire(import.meta.url).cache;`,
    `console.log(Object.keys(cache).some((k) => /[\\\\/]node_modules[\\\\/]pg[\\\\/]/.test(k)));`,
  ].join('\n');
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.trim() === 'true';
}

describe('wasm-kms/node and node-postgres', () => {
  it('importing the Node entry does not load pg', () => {
    expect(pgLoadedAfter('')).toBe(false);
  });

  it('PostgresKeyStore.open loads it (here failing to connect to a closed port)', () => {
    const open = `await node.PostgresKeyStore.open('postgres://postgres@127.0.0.1:1/none', { connectTimeoutMs: 1000 }).catch(() => undefined);`;
    expect(pgLoadedAfter(open)).toBe(true);
  });
});
