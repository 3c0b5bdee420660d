// Bundles tsc's output of the core and the DER layer (dist/core/**, dist/der/*) into one ES
// module, dist/core/bundle.js, and rewrites each of those files as a one-line re-export of it.
// Node's loader pays per file: importing wasm-kms/core as the 17 files tsc writes took 11 ms in
// a fresh process, as one file 3 ms. Every path stays importable (wasm-kms/core, the KMS
// layer's imports of core/module.js, core/symmetric.js and der/*), and all of them share the
// bundle's single module state (one loaded core). Declarations (.d.ts) are left as tsc wrote them.
//
//   node scripts/bundle-core.mjs      after tsc and scripts/build-edge.mjs (npm run build:ts)
import { build } from 'esbuild';
import ts from 'typescript';
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative, sep } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const BUNDLE = join(dist, 'core', 'bundle.js');
const MARK = '// Re-exports of dist/core/bundle.js (scripts/bundle-core.mjs).';

function jsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return jsFiles(p);
    return e.name.endsWith('.js') && p !== BUNDLE ? [p] : [];
  });
}

// The edge entry is built from embedded-none.js's tsc output (scripts/build-edge.mjs); it is
// no part of the bundle, which embeds the builds.
const built = [...jsFiles(join(dist, 'core')), ...jsFiles(join(dist, 'der'))].filter(
  (f) => !f.endsWith(`${sep}embedded-none.js`),
);
const isStub = (f) => readFileSync(f, 'utf8').startsWith(MARK);
const stubs = built.filter(isStub);
if (stubs.length === built.length) {
  throw new Error('dist/core is bundled already: run tsc first (npm run build:ts)');
}
// tsc has just rewritten the output of every source; a re-export file it left alone is what an
// earlier build wrote for a source that no longer exists (tsc never deletes outputs): remove it
// and its declarations, so that a renamed or deleted source does not stop the build.
for (const f of stubs) {
  rmSync(f);
  rmSync(f.replace(/\.js$/, '.d.ts'), { force: true });
  console.log(`removed ${relative(root, f)}: its source is gone`);
}
const files = built.filter((f) => !stubs.includes(f));

// Each file's export names, from a pass that only parses.
const scan = await build({
  entryPoints: files,
  outdir: join(root, 'build', 'bundle-scan'),
  absWorkingDir: root,
  bundle: false,
  write: false,
  format: 'esm',
  metafile: true,
  logLevel: 'warning',
});
const exportsOf = new Map();
for (const meta of Object.values(scan.metafile.outputs)) {
  if (meta.entryPoint) exportsOf.set(join(root, meta.entryPoint), meta.exports);
}

/** A name for export `name` of `file` in the bundle, unique across files. */
const alias = (file, name) =>
  `${relative(dist, file)
    .replace(/\.js$/, '')
    .replace(/[^A-Za-z0-9]/g, '_')}$${name}`;

const entry = files
  .flatMap((f) => (exportsOf.get(f) ?? []).map((n) => `export { ${n} as ${alias(f, n)} } from ${JSON.stringify(f)};`))
  .join('\n');

const result = await build({
  stdin: { contents: entry, resolveDir: dist, sourcefile: 'core-entry.js', loader: 'js' },
  outfile: BUNDLE,
  absWorkingDir: root,
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  minify: false,
  metafile: true,
  write: false,
  logLevel: 'warning',
});
const outside = Object.keys(result.metafile.inputs).filter(
  (f) => !/^dist\/(core|der)\//.test(f) && !f.endsWith('core-entry.js'),
);
if (outside.length) throw new Error(`the core bundle took in files outside dist/core and dist/der: ${outside}`);

// One module keeps a consumer's bundler from dropping whole unused files ("sideEffects":
// false): top-level constants computed by calls (DER prefixes, lookup maps) would be kept
// even when nothing uses them. Each such initializer is wrapped in an immediately called
// arrow marked pure, which bundlers drop when the constant is unused. They are pure: the
// modules were declared free of side effects file by file.
const text = result.outputFiles[0].text;
const source = ts.createSourceFile(BUNDLE, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
const edits = [];
for (const statement of source.statements) {
  if (!ts.isVariableStatement(statement)) continue;
  for (const d of statement.declarationList.declarations) {
    const init = d.initializer;
    if (!init || ts.isFunctionLike(init) || ts.isLiteralExpression(init)) continue;
    if (text.slice(init.pos, init.getStart(source)).includes('@__PURE__')) continue;
    let calls = false;
    const visit = (node) => {
      if (ts.isFunctionLike(node)) return;
      if (ts.isCallExpression(node) || ts.isNewExpression(node) || ts.isTaggedTemplateExpression(node)) calls = true;
      else ts.forEachChild(node, visit);
    };
    visit(init);
    if (calls) edits.push([init.getStart(source), init.getEnd()]);
  }
}
let wrapped = text;
for (const [start, end] of edits.reverse()) {
  wrapped = `${wrapped.slice(0, start)}/* @__PURE__ */ (() => (${wrapped.slice(start, end)}))()${wrapped.slice(end)}`;
}
/** Writes through a temporary file and a rename: a process loading dist/ meanwhile never reads half a file. */
function writeWhole(file, content) {
  writeFileSync(`${file}.tmp`, content);
  renameSync(`${file}.tmp`, file);
}
writeWhole(BUNDLE, wrapped);

for (const f of files) {
  const names = exportsOf.get(f) ?? [];
  let from = relative(dirname(f), BUNDLE).split(sep).join('/');
  if (!from.startsWith('.')) from = `./${from}`;
  const list = names.map((n) => `${alias(f, n)} as ${n}`).join(', ');
  writeWhole(f, `${MARK}\n${names.length ? `export { ${list} } from '${from}';` : `import '${from}';`}\n`);
}
console.log(`${relative(root, BUNDLE)}: ${Buffer.byteLength(wrapped)} bytes, ${files.length} files re-export it`);
