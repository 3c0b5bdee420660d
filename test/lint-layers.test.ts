// The layer rules of eslint.config.js fire: der ← core ← kms ← node, and only src/node imports
// Node's built-in modules. Each probe is linted as if it were a file at the path given (ESLint
// picks the rules by that path), so no file is written into src/ while other tests compile it.
import { describe, it, expect } from 'vitest';
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The messages of the import rule for `code` linted as the file `path`. */
async function importErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}/${path}` });
  return result!.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('ESLint layer rules', () => {
  it('src/kms must not import from src/node', async () => {
    const errors = await importErrors(
      'src/kms/layer-probe.ts',
      "import { FileKeyStore } from '../node/index.js';\nexport { FileKeyStore };\n",
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/src\/kms sits below src\/node/);
  });

  it('an operation in src/kms/operations must not import from src/node either, nor a type', async () => {
    const errors = await importErrors(
      'src/kms/operations/layer-probe.ts',
      "import type { Server } from '../../node/server.js';\nexport type S = Server;\n",
    );
    expect(errors).toHaveLength(1);
  });

  it('src/der imports nothing from core, kms or node; src/core nothing from kms or node', async () => {
    expect(await importErrors('src/der/layer-probe.ts', "export * from '../core/index.js';\n")).toHaveLength(1);
    expect(await importErrors('src/der/layer-probe.ts', "export * from '../kms/index.js';\n")).toHaveLength(1);
    expect(await importErrors('src/core/layer-probe.ts', "export * from '../kms/index.js';\n")).toHaveLength(1);
    expect(await importErrors('src/core/layer-probe.ts', "export * from 'wasm-kms/node';\n")).toHaveLength(1);
  });

  it('only src/node imports Node built-ins, with or without the node: prefix', async () => {
    for (const layer of ['der', 'core', 'kms']) {
      expect(
        await importErrors(
          `src/${layer}/layer-probe.ts`,
          "import { readFileSync } from 'node:fs';\nexport { readFileSync };\n",
        ),
      ).toHaveLength(1);
      expect(
        await importErrors(
          `src/${layer}/layer-probe.ts`,
          "import { createHash } from 'crypto';\nexport { createHash };\n",
        ),
      ).toHaveLength(1);
    }
    expect(
      await importErrors(
        'src/node/layer-probe.ts',
        "import { readFileSync } from 'node:fs';\nexport { readFileSync };\n",
      ),
    ).toEqual([]);
  });

  it('imports down the layers are allowed', async () => {
    expect(
      await importErrors(
        'src/kms/layer-probe.ts',
        "export * from '../core/index.js';\nexport * from '../der/index.js';\n",
      ),
    ).toEqual([]);
    expect(await importErrors('src/node/layer-probe.ts', "export * from '../kms/index.js';\n")).toEqual([]);
    expect(
      await importErrors(
        'src/kms/operations/layer-probe.ts',
        "export * from '../store.js';\nexport * from '../../core/index.js';\n",
      ),
    ).toEqual([]);
  });
});
