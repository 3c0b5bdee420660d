// Keeps the "prepare" script out of the packed package.json, and only there.
//
// In a clone, "prepare" is what builds on `npm install`. npm never runs it for a package
// installed from a tarball or the registry, but npm 11 lists a "prepare" script of a package
// installed from a file or URL among the "install scripts not yet covered by allowScripts"
// and warns on `npm install ./wasm-kms-<version>.tgz`. So `npm pack` and `npm publish` run:
//
//   prepack:  node scripts/pack-manifest.mjs strip     (after the build) removes the line
//   postpack: node scripts/pack-manifest.mjs restore   puts the same line back
//
// Both work on the package.json of the current directory (npm runs scripts in the package
// root) and edit that one line only, so the rest of the file stays byte for byte as it was.
// The removed line waits in build/pack-manifest/prepare-line until restored (the directory
// goes with it).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.cwd();
const manifest = join(dir, 'package.json');
const stashDir = join(dir, 'build', 'pack-manifest');
const stash = join(stashDir, 'prepare-line');

const PREPARE_LINE = /^[ \t]*"prepare"[ \t]*:[ \t]*"(?:[^"\\]|\\.)*",?[ \t]*\r?\n/m;
const SCRIPTS_LINE = /^[ \t]*"scripts"[ \t]*:[ \t]*\{[ \t]*\r?\n/m;

/** The parsed text, or a failure naming what would have broken it. */
function parse(text, what) {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`pack-manifest: ${what} would leave package.json invalid (${err.message}); nothing written`);
  }
}

function strip() {
  const text = readFileSync(manifest, 'utf8');
  const m = PREPARE_LINE.exec(text);
  if (!m) {
    if (existsSync(stash)) {
      throw new Error(
        'pack-manifest: package.json has no "prepare" line and an earlier one is stashed; run `node scripts/pack-manifest.mjs restore`',
      );
    }
    return; // nothing to keep out
  }
  const line = m[0];
  let before = text.slice(0, m.index);
  // The last script has no comma: the one before it then loses its own.
  if (!line.trimEnd().endsWith(',')) before = before.replace(/,([ \t]*\r?\n)$/, '$1');
  const after = before + text.slice(m.index + line.length);
  const pkg = parse(after, 'removing the "prepare" line');
  if (pkg.scripts && 'prepare' in pkg.scripts) throw new Error('pack-manifest: "prepare" is still in package.json');
  mkdirSync(stashDir, { recursive: true });
  writeFileSync(stash, line);
  writeFileSync(manifest, after);
}

function restore() {
  if (!existsSync(stash)) return; // nothing was stripped
  const line = readFileSync(stash, 'utf8');
  const text = readFileSync(manifest, 'utf8');
  if (PREPARE_LINE.test(text)) {
    rmSync(stashDir, { recursive: true }); // already back
    return;
  }
  const m = SCRIPTS_LINE.exec(text);
  if (!m) throw new Error('pack-manifest: package.json has no "scripts": { line to put "prepare" back under');
  const at = m.index + m[0].length;
  // A trailing comma only when another script follows, so the JSON stays valid.
  const followed = !/^[ \t]*\}/.test(text.slice(at));
  const fixed = followed ? line.replace(/"(,?)([ \t]*\r?\n)$/, '",$2') : line.replace(/",([ \t]*\r?\n)$/, '"$1');
  const back = text.slice(0, at) + fixed + text.slice(at);
  const pkg = parse(back, 'putting the "prepare" line back');
  if (!pkg.scripts?.prepare) throw new Error('pack-manifest: "prepare" did not come back');
  writeFileSync(manifest, back);
  rmSync(stashDir, { recursive: true });
}

const command = process.argv[2];
if (command === 'strip') strip();
else if (command === 'restore') restore();
else {
  console.error('usage: node scripts/pack-manifest.mjs strip|restore');
  process.exit(2);
}
