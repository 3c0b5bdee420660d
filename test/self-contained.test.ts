// The repository tests and documents itself: no tracked file may point outside it to a
// directory of notes or vectors that a fresh clone does not have. Every text file git tracks
// (or, outside a git checkout, every file under the root but node_modules/, dist/, build/ and
// .git/) is searched for the forbidden references, and each hit is reported as file:line.
// The vectors the tests need are in test/vectors (see its README).
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// Built by concatenation so that this file does not match itself.
const SHARED = 'shared';
const FORBIDDEN: readonly string[] = ['../' + SHARED, SHARED + '/', 'DESIGN' + '.md', 'kms-api' + '.md'];

/** Directories never walked when there is no git index to ask. */
const SKIP_DIRS = new Set(['.git', 'node_modules', 'dist', 'build']);

/**
 * Tracked files (paths relative to root, '/'-separated), or null when root is not in a git
 * checkout (or is an untracked folder of one).
 */
function gitFiles(root: string): string[] | null {
  const r = spawnSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  const files = r.stdout.split('\0').filter((f) => f !== '');
  return files.length === 0 ? null : files;
}

/** Every file under root, skipping SKIP_DIRS. */
function walkFiles(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
    const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) out.push(...walkFiles(root, path));
    } else if (entry.isFile()) {
      out.push(path);
    }
  }
  return out;
}

/** The files to check: git's list when root is a checkout, else the walk. */
function listFiles(root: string): { source: 'git' | 'walk'; files: string[] } {
  const tracked = gitFiles(root);
  return tracked === null ? { source: 'walk', files: walkFiles(root) } : { source: 'git', files: tracked };
}

/** "line N: <the line>" for every line of text that contains a forbidden reference. */
function findReferences(text: string): { line: number; text: string }[] {
  const hits: { line: number; text: string }[] = [];
  text.split('\n').forEach((line, i) => {
    if (FORBIDDEN.some((f) => line.includes(f))) hits.push({ line: i + 1, text: line.trim() });
  });
  return hits;
}

/** Every "file:line: text" hit under root; binary files (a NUL byte in their first 8 KiB) are skipped. */
function scan(root: string): { source: 'git' | 'walk'; checked: number; hits: string[] } {
  const { source, files } = listFiles(root);
  const hits: string[] = [];
  let checked = 0;
  for (const file of files) {
    const path = join(root, file);
    // A tracked file deleted in the working tree, or a submodule entry.
    if (!existsSync(path) || !statSync(path).isFile()) continue;
    const bytes = readFileSync(path);
    if (bytes.subarray(0, 8192).includes(0)) continue;
    checked++;
    for (const { line, text } of findReferences(bytes.toString('utf8'))) hits.push(`${file}:${line}: ${text}`);
  }
  return { source, checked, hits };
}

describe('self-contained repository', () => {
  it('no tracked file refers to notes or vectors outside the repository', () => {
    const { checked, hits } = scan(ROOT);
    // The repository has well over a hundred text files; far fewer means the listing broke.
    expect(checked).toBeGreaterThan(100);
    expect(
      hits,
      `forbidden references (cite the public source instead; vectors live in test/vectors):\n${hits.join('\n')}`,
    ).toEqual([]);
  });

  it('the vectors the tests read are in the repository', () => {
    const readme = readFileSync(join(ROOT, 'test/vectors/README.md'), 'utf8');
    expect(readme).toMatch(/byte-identical/);
    for (const dir of ['wycheproof', 'nist-cavp', 'nist-acvp', 'facts', 'kms', 'der']) {
      expect(statSync(join(ROOT, 'test/vectors', dir)).isDirectory(), dir).toBe(true);
    }
  });

  it('ships the Apache License 2.0 text that package.json names', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string };
    expect(pkg.license).toBe('Apache-2.0');
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(license).toContain('Apache License\n                           Version 2.0, January 2004');
    for (let section = 1; section <= 9; section++) expect(license).toMatch(new RegExp(`^   ${section}\\. [A-Z]`, 'm'));
    expect(license).toContain('END OF TERMS AND CONDITIONS');
    // npm puts LICENSE in every package whatever "files" says; the dry run shows what would ship.
    const r = spawnSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const [packed] = JSON.parse(r.stdout) as { files: { path: string }[] }[];
    expect(packed.files.map((f) => f.path)).toContain('LICENSE');
  });

  it('finds each forbidden reference, on the right line, and nothing in clean text', () => {
    const lines = FORBIDDEN.map((f, i) => `const x${i} = '${f}';`);
    const text = ['// clean', ...lines, 'a shared secret; sharedSecret; design.md is another file'].join('\n');
    expect(findReferences(text)).toEqual(lines.map((l, i) => ({ line: i + 2, text: l })));
    expect(findReferences('readVector("wycheproof/eddsa_test.json")\nthe shared key store')).toEqual([]);
  });

  it('outside a git checkout, walks the tree (skipping node_modules, dist, build) and names file and line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-kms-self-contained-'));
    try {
      mkdirSync(join(dir, 'src', 'kms'), { recursive: true });
      mkdirSync(join(dir, 'node_modules', 'dep'), { recursive: true });
      mkdirSync(join(dir, 'dist'));
      const bad = `// notes in ${'kms-api' + '.md'} §1.3`;
      writeFileSync(join(dir, 'src', 'kms', 'decrypt.ts'), `// Decrypt\n${bad}\nexport {};\n`);
      writeFileSync(join(dir, 'README.md'), `# x\n\nSee ../${SHARED}/vectors.\n`);
      writeFileSync(join(dir, 'node_modules', 'dep', 'index.js'), `// ${'DESIGN' + '.md'}\n`);
      writeFileSync(join(dir, 'dist', 'decrypt.js'), `// ${'DESIGN' + '.md'}\n`);
      // Binary data is not text, whatever bytes it happens to hold.
      writeFileSync(join(dir, 'blob.gz'), Buffer.concat([Buffer.from([0x1f, 0x8b, 0]), Buffer.from(SHARED + '/')]));
      const { source, hits } = scan(dir);
      expect(source).toBe('walk');
      expect(hits.sort()).toEqual([`README.md:3: See ../${SHARED}/vectors.`, `src/kms/decrypt.ts:2: ${bad}`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
