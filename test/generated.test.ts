// Generated sources are committed: assembly/ec/mont-unrolled.ts and mont-sparse.ts
// (scripts/gen-mont-unrolled.mjs), and assembly/ec/curves/*.ts and assembly/edwards/bases.ts (scripts/gen-curve-params.mjs, from
// test/vectors/facts and RFC 8032's base point). Each generator runs into a temporary directory
// here; a committed file that differs from its output (edited by hand, or a generator or its
// facts changed without `npm run generate`) fails the test.
import { describe, it, expect, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'wasm-kms-generated-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function generate(script: string): void {
  execFileSync(process.execPath, [join(root, 'scripts', script), '--out', out], { cwd: root, stdio: 'pipe' });
}

const same = (rel: string): void => {
  const committed = readFileSync(join(root, rel), 'utf8');
  const generated = readFileSync(join(out, rel), 'utf8');
  expect(committed === generated, `${rel} differs from its generator's output: run npm run generate`).toBe(true);
};

describe('generated sources match their generators', () => {
  it('assembly/ec/mont-unrolled.ts', () => {
    generate('gen-mont-unrolled.mjs');
    same('assembly/ec/mont-unrolled.ts');
  });

  it('assembly/ec/mont-sparse.ts (by gen-mont-unrolled.mjs)', () => {
    generate('gen-mont-unrolled.mjs');
    same('assembly/ec/mont-sparse.ts');
  });

  it('assembly/ec/curves/*.ts, one per curve, and no other file there', () => {
    generate('gen-curve-params.mjs');
    const made = readdirSync(join(out, 'assembly/ec/curves')).sort();
    expect(readdirSync(join(root, 'assembly/ec/curves')).sort()).toEqual(made);
    expect(made).toEqual(['p256.ts', 'p384.ts', 'p521.ts', 'secp256k1.ts', 'sm2.ts']);
    for (const f of made) same(`assembly/ec/curves/${f}`);
  });

  it('assembly/edwards/bases.ts (Ed25519 group bases, by gen-curve-params.mjs)', () => {
    generate('gen-curve-params.mjs');
    same('assembly/edwards/bases.ts');
  });

  it('the check sees a difference', () => {
    generate('gen-curve-params.mjs');
    const committed = readFileSync(join(root, 'assembly/ec/curves/p256.ts'), 'utf8');
    expect(committed).toBe(readFileSync(join(out, 'assembly/ec/curves/p256.ts'), 'utf8'));
    expect(committed.replace('0xff', '0xfe')).not.toBe(readFileSync(join(out, 'assembly/ec/curves/p256.ts'), 'utf8'));
  });
});
