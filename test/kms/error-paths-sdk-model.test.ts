// Error paths of the operations whose exception lists come from the SDK's model: for each table of
// test/kms/error-table/ (format: types.ts), every case rejects with the named exception (class,
// name, $fault, HTTP status, request id) and the exact message (the real AWS recording where
// one exists), and every exception the model lists for the table's operations (`@throws` in
// @aws-sdk/client-kms's dist-types/commands/<Op>Command.d.ts) is raised by some case or excused
// with a reason. No exception may be both excused and raised, and no excuse may name an
// exception the model does not list.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { EXCEPTIONS, KMSServiceException } from '../../src/kms/index.js';
import { readVectorText } from '../helpers/vectors.js';
import type { ErrorTable } from './error-table/types.js';
import { table as tags } from './error-table/tags.js';
import { table as policies } from './error-table/policies.js';
import { table as grants } from './error-table/grants.js';
import { table as imported } from './error-table/import.js';
import { table as multiRegion } from './error-table/multi-region.js';
import { table as metadata } from './error-table/metadata.js';
import { table as customKeyStores } from './error-table/custom-key-stores.js';

const TABLES: Record<string, ErrorTable> = {
  tags,
  policies,
  grants,
  import: imported,
  'multi-region': multiRegion,
  metadata,
  'custom-key-stores': customKeyStores,
};

const commandsDir = join(
  dirname(createRequire(import.meta.url).resolve('@aws-sdk/client-kms/package.json')),
  'dist-types',
  'commands',
);

/** The exceptions the SDK's model lists for `op`, KMSServiceException (the base class) left out. */
function modelThrows(op: string): string[] {
  const text = readFileSync(join(commandsDir, `${op}Command.d.ts`), 'utf8');
  const names = [...text.matchAll(/@throws \{@link (\w+)\}/g)].map((m) => m[1]!);
  return [...new Set(names)].filter((n) => n !== 'KMSServiceException');
}

const RECORDINGS = JSON.parse(readVectorText('kms/aws-recorded-responses.json')) as Record<
  string,
  {
    'recorded-content': Record<
      string,
      { Error?: { Code: string; Message: string }; ResponseMetadata?: { HTTPStatusCode: number } }
    >;
  }
>;

function recorded(rec: [string, string], subst: Record<string, string> = {}) {
  const t = RECORDINGS[`tests/aws/services/kms/test_kms.py::${rec[0]}`];
  expect(t, `recording ${rec[0]}`).toBeDefined();
  const c = t!['recorded-content'][rec[1]];
  expect(c?.Error, `recording ${rec.join(' / ')}`).toBeDefined();
  let message = c!.Error!.Message;
  for (const [k, v] of Object.entries(subst)) message = message.split(k).join(v);
  return { code: c!.Error!.Code, message, status: c!.ResponseMetadata!.HTTPStatusCode };
}

type ExceptionClass = (new (...a: never[]) => KMSServiceException) & { httpStatus: number; fault: string };
const classes = EXCEPTIONS as unknown as Record<string, ExceptionClass>;

for (const [group, t] of Object.entries(TABLES)) {
  describe(`error paths from the SDK model: ${group}`, () => {
    if (t.cases.length > 0) {
      it.each(t.cases.map((c) => [`${c.title} → ${c.exception}`, c] as const))('%s', async (_title, c) => {
        const { p, message, subst } = await c.run();
        let err: unknown;
        try {
          await p;
        } catch (e) {
          err = e;
        }
        const cls = classes[c.exception];
        expect(cls, `exception class ${c.exception}`).toBeDefined();
        expect(err).toBeInstanceOf(cls);
        const e = err as KMSServiceException;
        expect(e.name).toBe(c.exception);
        expect(e.$fault).toBe(cls!.fault);
        expect(e.$metadata.httpStatusCode).toBe(cls!.httpStatus);
        expect(e.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
        if (typeof message === 'string') expect(e.message).toBe(message);
        else expect(e.message).toMatch(message);
        if (c.recorded !== undefined) {
          const r = recorded(c.recorded, subst);
          expect(r.code).toBe(c.exception);
          expect(r.status).toBe(cls!.httpStatus);
          if (typeof message === 'string') expect(e.message).toBe(r.message);
          else expect(r.message).toMatch(message);
        }
      });
    }

    it('every exception the model lists for its operations is raised by a case or excused', () => {
      const unaccounted: string[] = [];
      for (const op of t.ops) {
        const listed = modelThrows(op);
        expect(listed.length, `${op}: the model lists exceptions`).toBeGreaterThan(0);
        for (const ex of listed) {
          const raised = t.cases.some((c) => c.op === op && c.exception === ex);
          const excuse = t.excused[`${op}:${ex}`] ?? t.excused[ex];
          if (raised) expect(excuse, `${op}:${ex} is raised and excused`).toBeUndefined();
          else if (excuse === undefined) unaccounted.push(`${op}:${ex}`);
          else expect(excuse.length, `${op}:${ex}: a reason`).toBeGreaterThan(20);
        }
      }
      expect(unaccounted).toEqual([]);
      // Every case is of an operation of the table and names an exception the model lists for it.
      for (const c of t.cases) {
        expect(t.ops, c.title).toContain(c.op);
        expect(modelThrows(c.op), `${c.op} lists ${c.exception}`).toContain(c.exception);
      }
      // Every excuse names an exception some operation of the table lists.
      for (const k of Object.keys(t.excused)) {
        const [op, ex] = k.includes(':') ? k.split(':') : [undefined, k];
        const ops = op === undefined ? t.ops : [op];
        expect(
          ops.some((o) => modelThrows(o).includes(ex!)),
          `excuse ${k} names a listed exception`,
        ).toBe(true);
      }
    });
  });
}

describe('error tables', () => {
  it('together answer for every operation the engine added beyond the first 33, each once', () => {
    const ops = Object.values(TABLES).flatMap((t) => t.ops);
    expect(new Set(ops).size).toBe(ops.length);
    expect(ops.sort()).toEqual(
      [
        'TagResource',
        'UntagResource',
        'ListResourceTags',
        'GetKeyPolicy',
        'PutKeyPolicy',
        'ListKeyPolicies',
        'CreateGrant',
        'ListGrants',
        'ListRetirableGrants',
        'RetireGrant',
        'RevokeGrant',
        'GetParametersForImport',
        'ImportKeyMaterial',
        'DeleteImportedKeyMaterial',
        'ReplicateKey',
        'UpdatePrimaryRegion',
        'UpdateKeyDescription',
        'ListKeyRotations',
        'GetKeyLastUsage',
        'UpdateCustomKeyStore',
        'DeleteCustomKeyStore',
        'ConnectCustomKeyStore',
        'DisconnectCustomKeyStore',
      ].sort(),
    );
  });
});
