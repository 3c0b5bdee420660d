// The format of the error tables of test/kms/error-paths-sdk-model.test.ts: one file per group of
// operations (tags.ts, policies.ts, grants.ts, import.ts, multi-region.ts, metadata.ts,
// custom-key-stores.ts), each a table of cases and of excuses. The test runs every case and
// checks that every exception the SDK's model lists (`@throws` in @aws-sdk/client-kms's
// dist-types/commands/<Op>Command.d.ts) for each operation of a table is raised by a case or
// excused with a reason.
import { KMSClient, MemoryKeyStore, CreateKeyCommand } from '../../../src/kms/index.js';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';
/** A well-formed key id no store holds. */
export const GHOST = '0b3c1a5e-1111-4222-8333-944455556666';
export const ghostArn = (account = ACCOUNT, region = REGION): string => `arn:aws:kms:${region}:${account}:key/${GHOST}`;
/** DryRun's message. */
export const DRY = 'The request would have succeeded, but the DryRun option is set.';

export interface Env {
  store: MemoryKeyStore;
  c: KMSClient;
  /** CreateKey with `input`: its id and ARN. */
  key: (input?: Record<string, unknown>) => Promise<{ KeyId: string; Arn: string }>;
}

/** A fresh memory store and a client on it (account ACCOUNT, or the one given; Region REGION). */
export function env(accountId = ACCOUNT, store = new MemoryKeyStore()): Env {
  const c = new KMSClient({ store, accountId, region: REGION });
  const key = async (input: Record<string, unknown> = {}) => {
    const md = (await c.send(new CreateKeyCommand(input))).KeyMetadata!;
    return { KeyId: md.KeyId!, Arn: md.Arn! };
  };
  return { store, c, key };
}

/** What a case's run returns: the promise that must reject, and the message it must have. */
export interface Outcome {
  p: Promise<unknown>;
  /** The exact message, or a pattern where a part is random (an id, a date). */
  message: string | RegExp;
  /** Placeholders of the recording to replace before comparing (recorded below). */
  subst?: Record<string, string>;
}

export interface ErrorCase {
  /** The operation (its KMS name). */
  op: string;
  /** The exception's name, which must be the rejection's class and name. */
  exception: string;
  title: string;
  /**
   * A real AWS recording to compare the message, code and status with:
   * [test id after "tests/aws/services/kms/test_kms.py::", content key] in
   * test/vectors/kms/aws-recorded-responses.json.
   */
  recorded?: [string, string];
  run: () => Promise<Outcome>;
}

export interface ErrorTable {
  /** The operations this table answers for: every exception their model lists is covered or excused. */
  ops: string[];
  cases: ErrorCase[];
  /**
   * Why an exception the model lists cannot be raised here: keyed "Op:Exception", or
   * "Exception" for every operation of the table. Each reason says why in a sentence.
   */
  excused: Record<string, string>;
}
