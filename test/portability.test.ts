// The library outside src/node/ must run in browsers and edge workers: no node: imports,
// no Node globals. This reads the sources and fails on any such use.
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node' || name === 'generated' ? [] : sources(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

describe('portability', () => {
  const files = sources(join(root, 'src'));
  it('finds the library sources', () => {
    expect(files.length).toBeGreaterThan(5);
    expect(files.some((f) => f.endsWith(join('core', 'module.ts')))).toBe(true);
  });
  it.each(files.map((f) => [relative(root, f), f]))('%s uses no Node module or global', (_, file) => {
    const code = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|[^:])\/\/.*$/gm, '$1');
    expect(code).not.toMatch(/from\s+['"](node:|fs['"]|path['"]|crypto['"]|os['"]|child_process['"])/);
    expect(code).not.toMatch(/require\(/);
    expect(code).not.toMatch(/\b(Buffer|process|__dirname|__filename|setImmediate)\b/);
  });
});
