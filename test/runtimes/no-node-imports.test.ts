// What ships must run in browsers, Deno, Bun and workerd: no built file outside dist/node/
// imports a Node module — `node:` specifiers or bare builtin names ('fs', 'crypto',
// 'worker_threads', 'fs/promises', ...) — statically, dynamically or through require().
// This reads the compiled JavaScript (what bundlers and runtimes see), not the sources.
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, sep } from 'node:path';
import { root } from './check.js';

const dist = join(root, 'dist');

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return jsFiles(p);
    return /\.(m|c)?js$/.test(e.name) ? [p] : [];
  });
}

// Specifiers in: import/export ... from '<s>', import '<s>', import('<s>'), require('<s>').
// A template literal or an expression in import()/require() is reported as not analysable.
const STATIC = /(?:^|[\s;})])(?:import|export)\s*(?:[\w*${}\s,]+?\s*from\s*)?(['"])([^'"]+)\1/g;
const DYNAMIC = /\b(import|require)\s*\(\s*([^)]*?)\s*\)/g;

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, m.replace(/^node:/, '')]));

/** Each specifier a file's code loads, and any load whose specifier is not a plain string. */
function loads(code: string): { specifiers: string[]; opaque: string[] } {
  const specifiers: string[] = [];
  const opaque: string[] = [];
  for (const m of code.matchAll(STATIC)) specifiers.push(m[2]);
  for (const m of code.matchAll(DYNAMIC)) {
    const arg = m[2];
    const literal = /^(['"])([^'"]*)\1$/.exec(arg);
    if (literal) specifiers.push(literal[2]);
    else opaque.push(`${m[1]}(${arg})`);
  }
  return { specifiers, opaque };
}

/** The code without comments (tsc keeps them; their examples are not loads). */
function withoutComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"])\/\/.*$/gm, '$1');
}

function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0]);
}

describe('the scanner', () => {
  it('finds every form of load', () => {
    const code = [
      "import { a } from 'node:fs';",
      'import * as b from "crypto";',
      "import 'worker_threads';",
      "export { c } from 'fs/promises';",
      "export * from './local.js';",
      "const d = await import('node:path');",
      "const e = require('os');",
      'const f = import(name);',
    ].join('\n');
    const { specifiers, opaque } = loads(code);
    expect(specifiers).toEqual(['node:fs', 'crypto', 'worker_threads', 'fs/promises', './local.js', 'node:path', 'os']);
    expect(opaque).toEqual(['import(name)']);
    expect(specifiers.filter(isNodeBuiltin)).toEqual([
      'node:fs',
      'crypto',
      'worker_threads',
      'fs/promises',
      'node:path',
      'os',
    ]);
  });
});

describe('built files outside dist/node/', () => {
  const files = jsFiles(dist).filter((f) => !relative(dist, f).startsWith(`node${sep}`));

  it('the build is there: the main, core and der entries among them', () => {
    const names = files.map((f) => relative(dist, f).split(sep).join('/'));
    expect(names).toEqual(expect.arrayContaining(['kms/index.js', 'core/index.js', 'core/module.js', 'der/index.js']));
  });

  it.each(files.map((f) => [relative(root, f), f]))('%s loads no Node module', (_name, file) => {
    const { specifiers, opaque } = loads(withoutComments(readFileSync(file, 'utf8')));
    expect(specifiers.filter(isNodeBuiltin)).toEqual([]);
    expect(opaque).toEqual([]);
    // Outside src/node/ the library has no dependencies: every load is a relative file.
    expect(specifiers.filter((s) => !s.startsWith('./') && !s.startsWith('../'))).toEqual([]);
  });

  it('dist/node/ does use Node (the scan sees what is there)', () => {
    const nodeFiles = jsFiles(join(dist, 'node'));
    const used = nodeFiles
      .flatMap((f) => loads(withoutComments(readFileSync(f, 'utf8'))).specifiers)
      .filter(isNodeBuiltin);
    expect(used.length).toBeGreaterThan(0);
  });
});
