// The shorthands the decision table's rows are written with: the principals of the two accounts,
// the small library of key policies the rows refer to by name, and request inputs.

import {
  A,
  B,
  doc,
  ip,
  kp,
  root,
  role,
  session,
  user,
  type Doc,
  type KeyRefs,
  type Row,
  type Statement,
} from './world.js';

export const ALICE = user(A, 'alice');
export const CAROL = user(A, 'carol');
export const ADMIN = user(A, 'admin');
export const BOB = user(B, 'bob');
export const APP_ROLE = role(A, 'app');
export const APP_SESSION = session(A, 'app');
export const CI_ROLE = role(B, 'ci');

export const PT = new Uint8Array([104, 105]);

/** Every key action a key user needs in the rows. */
export const USE = ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey', 'kms:ReEncrypt*'];

/** The key policies the rows refer to by name. */
export const POLICIES = {
  /** The default key policy: the account's root may do everything, so IAM policies decide for its principals. */
  rootOnly: (account = A): Doc => doc(kp('Allow', root(account), 'kms:*')),
  /** The default key policy plus alice named directly for key use. */
  aliceDirect: (): Doc => doc(kp('Allow', root(A), 'kms:*'), kp('Allow', ALICE, USE)),
  /** Only alice, and only for key use: neither the account nor anyone else. */
  aliceOnly: (): Doc => doc(kp('Allow', ALICE, USE)),
  /** An administrator only: the account is not named, so its root and its IAM policies have no say. */
  adminOnly: (): Doc => doc(kp('Allow', ADMIN, 'kms:*')),
  /** The default key policy plus account B's root for every action (cross-account use). */
  crossB: (): Doc => doc(kp('Allow', root(A), 'kms:*'), kp('Allow', root(B), 'kms:*')),
};

/** A caller of account A or B with identity policies made of the given statements. */
export function withIdentity(principal: string, ...statements: Statement[]) {
  return { principal, identity: statements.length === 0 ? undefined : [doc(...statements)] };
}

/** Identity statement allowing actions on every resource. */
export const allowAll = (action: string | string[] = 'kms:*') => ip('Allow', action, '*');

export const encrypt =
  (context?: Record<string, string>, keyId: (k: KeyRefs) => string = (k) => k.arn) =>
  (k: KeyRefs): Record<string, unknown> => {
    const input: Record<string, unknown> = { KeyId: keyId(k), Plaintext: PT };
    if (context !== undefined) input.EncryptionContext = context;
    return input;
  };

export const describe = (k: KeyRefs) => ({ KeyId: k.arn });
export const byArn = (k: KeyRefs) => ({ KeyId: k.arn });

export type { Row };
