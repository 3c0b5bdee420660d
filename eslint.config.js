// ESLint: typescript-eslint's recommended rules (syntax only, no type information, so it stays
// fast) and the layer rules of the library, der ← core ← kms ← node:
//   src/der   imports nothing from src/core, src/kms or src/node;
//   src/core  nothing from src/kms or src/node;
//   src/kms   nothing from src/node;
//   and only src/node may import Node's built-in modules (node:* or the bare names), since
//   src/der, src/core and src/kms run unchanged in browsers, Deno, Bun and edge runtimes.
// A layer is matched on the first folder name after the ../ steps of a relative import, and the
// package's own entries (wasm-kms, wasm-kms/core, wasm-kms/node) count as their layers too.
import { builtinModules } from 'node:module';
import { defineConfig } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const LAYERS = ['der', 'core', 'kms', 'node'];
/** The package's own entry of each layer (its "exports"), which a self-reference could import. */
const PACKAGE_ENTRY = { core: 'wasm-kms/core', kms: 'wasm-kms', node: 'wasm-kms/node' };

/** The no-restricted-imports options of a layer: the layers above it, and Node's built-ins. */
function layerRule(layer) {
  const above = LAYERS.slice(LAYERS.indexOf(layer) + 1);
  const nodeBuiltins = layer !== 'node';
  const patterns = [];
  if (above.length) {
    patterns.push({
      regex: `^(\\.\\./)+(${above.join('|')})(/|$)`,
      message: `src/${layer} sits below ${above.map((l) => `src/${l}`).join(', ')} and must not import from them.`,
    });
    const entries = above.map((l) => PACKAGE_ENTRY[l]).filter(Boolean);
    if (entries.length) {
      patterns.push({
        regex: `^(${entries.join('|')})$`,
        message: `src/${layer} must not import the package's entries of the layers above it.`,
      });
    }
  }
  if (nodeBuiltins) {
    patterns.push({
      regex: '^node:',
      message: `Only src/node may import Node's built-in modules (src/${layer} runs outside Node too).`,
    });
  }
  const paths = nodeBuiltins
    ? builtinModules
        .filter((name) => !name.startsWith('_'))
        .map((name) => ({
          name,
          message: `Only src/node may import Node's built-in modules (src/${layer} runs outside Node too).`,
        }))
    : [];
  return ['error', { paths, patterns }];
}

export default defineConfig(
  {
    ignores: [
      'dist/',
      'build/',
      'node_modules/',
      'assembly/',
      'src/core/generated/',
      'test/vectors/',
      'bench/results/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.node, ...globals.browser },
    },
    rules: {
      // `_`-prefixed names are deliberately unused (positional parameters, skipped destructuring).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // A variable that a closure reads before its one assignment (the core's memory, set after
      // instantiation) cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Off: a caught error is turned into a KMS exception, a usage message or an AWS CLI-style
      // message on purpose, and attaching it as `cause` would change what is printed and sent.
      'preserve-caught-error': 'off',
    },
  },
  {
    files: ['test/**'],
    rules: {
      // The tests read JSON printed by the CLI and sent by the server, and globals a browser page
      // sets, as untyped values: the assertions are what check their shape.
      '@typescript-eslint/no-explicit-any': 'off',
      // The tests match terminal output: escape sequences and column-aligned runs of spaces.
      'no-control-regex': 'off',
      'no-regex-spaces': 'off',
    },
  },
  {
    files: ['test/types/**'],
    rules: {
      // Type-level tests: a value declared only for the type checker to look at is the point.
      '@typescript-eslint/no-unused-vars': 'off',
    },
  },
  // The layer rules. typescript-eslint's variant also covers `import type` and `export … from`.
  ...LAYERS.map((layer) => ({
    files: [`src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': layerRule(layer),
    },
  })),
);
