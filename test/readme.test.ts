// The README's first example must run as written, against the built package (the package
// imports itself by name through its "exports"). The project's documents (README, changelog,
// contributing guide, security policy, docs/) link only to files of the repository, and the
// source files the guides name exist, so that a moved file shows up here. (Which links the
// published package can follow is test/runtimes/package-exports.test.ts's concern.)
import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { posix } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));

const DOCS = [
  'README.md',
  'CHANGELOG.md',
  'CONTRIBUTING.md',
  'SECURITY.md',
  ...readdirSync(`${root}docs`)
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
/** The guides whose code spans name repository files that must exist (the changelog names files as they were). */
const GUIDES = ['CONTRIBUTING.md', 'SECURITY.md', 'docs/architecture.md'];

/** A Markdown text without its fenced code blocks. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');
}

/** Relative link and image targets (path only): `[text](target)`, `[label]: target`, HTML src/href. */
function relativeLinks(markdown: string): string[] {
  const text = prose(markdown);
  return [
    ...[...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+["'(][^)]*)?\)/g)].map((m) => m[1]!),
    ...[...text.matchAll(/^[ \t]{0,3}\[[^\]]+\]:[ \t]*<?([^\s>]+)>?/gm)].map((m) => m[1]!),
    ...[...text.matchAll(/<(?:img|a|source)\b[^>]*?\s(?:src|href|srcset)=["']([^"']+)["']/gi)].map((m) => m[1]!),
  ]
    .filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith('#') && !t.startsWith('//'))
    .map((t) => decodeURI(t.split('#')[0]!));
}

/** Code spans that name a file or folder of the repository's sources (no wildcards or placeholders). */
function namedPaths(markdown: string): string[] {
  return [...prose(markdown).matchAll(/`((?:src|assembly|test|scripts|bench|docs)\/[^`\s]*)`/g)]
    .map((m) => m[1]!.replace(/[.,;:]$/, ''))
    .filter((p) => !/[*{}<>…]|\.\.\./.test(p));
}

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

describe('project documents', () => {
  it.each(DOCS)('%s: every relative link resolves to a file of the repository', (doc) => {
    const links = relativeLinks(readFileSync(`${root}${doc}`, 'utf8'));
    for (const target of links) {
      const file = posix.normalize(posix.join(posix.dirname(doc), target));
      expect(existsSync(`${root}${file}`), `${doc} links ${target}`).toBe(true);
    }
  });

  it.each(GUIDES)('%s: the source files and folders it names exist', (doc) => {
    const paths = namedPaths(readFileSync(`${root}${doc}`, 'utf8'));
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) expect(existsSync(`${root}${path}`), `${doc} names ${path}`).toBe(true);
  });
});
