// The table of authorization decisions, part 4: grants (AWS KMS Developer Guide "Grants in AWS
// KMS", "Creating grants" and its "Granting CreateGrant permission", "Retiring and revoking
// grants"; API Reference "GrantConstraints", "RetireGrant"). The grants are made by the key's
// root before the row's key policy is put in place; most rows run under a key policy that names
// neither the grantee nor its account, so only the grant can allow the call.

import { describe, it } from 'vitest';
import { MemoryKeyStore } from '../../src/kms/index.js';
import { A, doc, ip, kp, root, runRow, session, user, type GrantSetup, type Row } from './authorization-table/world.js';
import {
  ALICE,
  APP_ROLE,
  APP_SESSION,
  BOB,
  CAROL,
  POLICIES,
  USE,
  allowAll,
  byArn,
  encrypt,
  withIdentity,
} from './authorization-table/library.js';

const DAVE = user(A, 'dave');
const SUBSET = { EncryptionContextSubset: { project: 'alpha' } };
const EQUALS = { EncryptionContextEquals: { Project: 'alpha' } };

/** A key whose policy names only an administrator, with the given grants. */
const granted = (...grants: GrantSetup[]) => ({ policy: POLICIES.adminOnly(), grants });
const toAlice = (operations: string[], more: Partial<GrantSetup> = {}): GrantSetup => ({
  grantee: ALICE,
  operations,
  ...more,
});
const newGrant = (constraints?: Record<string, unknown>) => (k: { arn: string }) => {
  const input: Record<string, unknown> = { KeyId: k.arn, GranteePrincipal: CAROL, Operations: ['Encrypt'] };
  if (constraints !== undefined) input.Constraints = constraints;
  return input;
};

const rows: Row[] = [
  // ---- grantees
  {
    name: 'a grant to the user allows its operation under a key policy that does not name the user or the account',
    key: granted(toAlice(['Encrypt'])),
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt(),
    expect: 'allowed',
  },
  {
    name: 'a grant to the user does not allow an operation it does not list',
    key: granted(toAlice(['Encrypt'])),
    caller: { principal: ALICE },
    op: 'GenerateDataKey',
    input: (k) => ({ KeyId: k.arn, KeySpec: 'AES_256' }),
    expect: { why: 'no-resource' },
  },
  {
    name: 'a grant needs no identity policy under the default key policy either',
    key: { policy: POLICIES.rootOnly(), grants: [toAlice(['Encrypt', 'Decrypt'])] },
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt(),
    expect: 'allowed',
  },
  {
    name: 'under the default key policy, an operation the grant does not list needs an identity policy',
    key: { policy: POLICIES.rootOnly(), grants: [toAlice(['Encrypt'])] },
    caller: { principal: ALICE },
    op: 'DescribeKey',
    input: byArn,
    expect: { why: 'no-identity' },
  },
  {
    name: 'a grant to another user does not allow this one',
    key: granted({ grantee: CAROL, operations: ['Encrypt'] }),
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt(),
    expect: { why: 'no-resource' },
  },
  {
    name: "a grant on the account's other key does not allow this key",
    key: { ...granted(toAlice(['Encrypt'], { onOther: true })), other: true },
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt(),
    expect: { why: 'no-resource' },
  },
  {
    name: 'a grant to a role allows its sessions',
    key: granted({ grantee: APP_ROLE, operations: ['Encrypt', 'GenerateDataKey'] }),
    caller: { principal: APP_ROLE },
    op: 'GenerateDataKey',
    input: (k) => ({ KeyId: k.arn, KeySpec: 'AES_256' }),
    expect: 'allowed',
  },
  {
    name: 'a grant to a role session allows that session',
    key: granted({ grantee: APP_SESSION, operations: ['Encrypt'] }),
    caller: { principal: APP_ROLE },
    op: 'Encrypt',
    input: encrypt(),
    expect: 'allowed',
  },
  {
    name: 'a grant to a role session does not allow another session of the role',
    key: granted({ grantee: APP_SESSION, operations: ['Encrypt'] }),
    caller: { principal: APP_ROLE, roleSessionName: 'other' },
    op: 'Encrypt',
    input: encrypt(),
    expect: { why: 'no-resource' },
  },
  {
    name: 'a grant to a user does not allow a role session of the same name',
    key: granted({ grantee: user(A, 'app'), operations: ['Encrypt'] }),
    caller: { principal: APP_ROLE },
    op: 'Encrypt',
    input: encrypt(),
    expect: { why: 'no-resource' },
  },
  {
    name: "a grant to the account's root delegates to identity policies: a user with one",
    key: granted({ grantee: root(A), operations: ['Encrypt'] }),
    caller: withIdentity(ALICE, allowAll('kms:Encrypt')),
    op: 'Encrypt',
    input: encrypt(),
    expect: 'allowed',
  },
  {
    // Which of the two messages AWS gives here is not documented; the key policy allows neither the user nor its account.
    name: "a grant to the account's root delegates to identity policies: a user without one is denied",
    key: granted({ grantee: root(A), operations: ['Encrypt'] }),
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt(),
    expect: { why: 'no-resource' },
  },
  {
    name: "a grant to the account's root allows the root user",
    key: granted({ grantee: root(A), operations: ['DescribeKey'] }),
    caller: {},
    op: 'DescribeKey',
    input: byArn,
    expect: 'allowed',
  },
  {
    // "Grants in AWS KMS": the grantee principal can be in another account. Whether that grantee also needs an IAM
    // policy of its own account is not spelled out; this row follows the rule that a grant alone allows its grantee.
    name: 'a grant to a user of another account allows it without an identity policy',
    key: { policy: POLICIES.rootOnly(), grants: [{ grantee: BOB, operations: ['Encrypt', 'DescribeKey'] }] },
    caller: { principal: BOB },
    op: 'Encrypt',
    input: encrypt(),
    expect: 'allowed',
  },
  {
    name: 'a grant to a user of another account does not make a non-cross-account operation possible',
    key: { policy: POLICIES.rootOnly(), grants: [{ grantee: BOB, operations: ['Encrypt'] }] },
    caller: withIdentity(BOB, allowAll()),
    op: 'DisableKey',
    input: byArn,
    expect: { why: 'no-resource' },
  },
  {
    name: 'a grant allows Decrypt of a ciphertext given without KeyId',
    key: { ...granted(toAlice(['Decrypt'])), ciphertext: {} },
    caller: { principal: ALICE },
    op: 'Decrypt',
    input: (k) => ({ CiphertextBlob: k.blob }),
    expect: 'allowed',
  },
  {
    name: 'a grant token given with the request: the grant is used at once',
    key: granted(toAlice(['Encrypt'])),
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: (k) => ({ KeyId: k.arn, Plaintext: new Uint8Array([1]), GrantTokens: [k.grants[0].token] }),
    expect: 'allowed',
  },

  // ---- retired and revoked grants
  {
    name: 'a retired grant allows nothing',
    key: granted(toAlice(['Encrypt'], { then: 'retire' })),
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt(),
    expect: { why: 'no-resource' },
  },
  {
    name: 'a revoked grant allows nothing',
    key: granted(toAlice(['Encrypt'], { then: 'revoke' })),
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt(),
    expect: { why: 'no-resource' },
  },
  {
    name: "a revoked grant's token allows nothing either",
    key: granted(toAlice(['Encrypt'], { then: 'revoke' })),
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: (k) => ({ KeyId: k.arn, Plaintext: new Uint8Array([1]), GrantTokens: [k.grants[0].token] }),
    expect: { why: 'no-resource' },
  },
  {
    name: 'of two grants, the retired one does not matter when the other still allows',
    key: granted(toAlice(['Encrypt'], { then: 'retire' }), toAlice(['Encrypt', 'Decrypt'])),
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt(),
    expect: 'allowed',
  },

  // ---- explicit denies override grants
  {
    name: 'an explicit Deny in the key policy overrides a grant',
    key: {
      policy: doc(kp('Allow', root(A), 'kms:*'), kp('Deny', ALICE, 'kms:Encrypt')),
      grants: [toAlice(['Encrypt'])],
    },
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt(),
    expect: { why: 'explicit-resource' },
  },
  {
    name: 'an explicit Deny in the identity policy overrides a grant',
    key: granted(toAlice(['Encrypt'])),
    caller: withIdentity(ALICE, ip('Deny', 'kms:Encrypt')),
    op: 'Encrypt',
    input: encrypt(),
    expect: { why: 'explicit-identity' },
  },

  // ---- encryption context constraints: keys without case, values with case
  {
    name: 'EncryptionContextEquals: the same context, the key in another case',
    key: granted(toAlice(['Encrypt'], { constraints: EQUALS })),
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt({ project: 'alpha' }),
    expect: 'allowed',
  },
  {
    name: 'EncryptionContextEquals: the value in another case',
    key: granted(toAlice(['Encrypt'], { constraints: EQUALS })),
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt({ Project: 'Alpha' }),
    expect: { why: 'no-resource' },
  },
  {
    name: 'EncryptionContextEquals: one pair more',
    key: granted(toAlice(['Encrypt'], { constraints: EQUALS })),
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt({ Project: 'alpha', env: 'dev' }),
    expect: { why: 'no-resource' },
  },
  {
    name: 'EncryptionContextEquals: no encryption context',
    key: granted(toAlice(['Encrypt'], { constraints: EQUALS })),
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt(),
    expect: { why: 'no-resource' },
  },
  {
    name: 'EncryptionContextSubset: the pair and one more',
    key: granted(toAlice(['Encrypt'], { constraints: SUBSET })),
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt({ project: 'alpha', env: 'dev' }),
    expect: 'allowed',
  },
  {
    name: 'EncryptionContextSubset: the pair missing',
    key: granted(toAlice(['Encrypt'], { constraints: SUBSET })),
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt({ env: 'dev' }),
    expect: { why: 'no-resource' },
  },
  {
    name: 'EncryptionContextSubset: the key in upper case',
    key: granted(toAlice(['Encrypt'], { constraints: SUBSET })),
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt({ PROJECT: 'alpha' }),
    expect: 'allowed',
  },
  {
    name: 'EncryptionContextSubset: the value in upper case',
    key: granted(toAlice(['Encrypt'], { constraints: SUBSET })),
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt({ project: 'ALPHA' }),
    expect: { why: 'no-resource' },
  },
  {
    name: 'EncryptionContextSubset: no encryption context',
    key: granted(toAlice(['Encrypt'], { constraints: SUBSET })),
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt(),
    expect: { why: 'no-resource' },
  },
  {
    name: 'EncryptionContextSubset on GenerateDataKey',
    key: granted(toAlice(['GenerateDataKey'], { constraints: SUBSET })),
    caller: { principal: ALICE },
    op: 'GenerateDataKey',
    input: (k) => ({ KeyId: k.arn, KeySpec: 'AES_256', EncryptionContext: { project: 'alpha' } }),
    expect: 'allowed',
  },
  {
    name: "EncryptionContextSubset on Decrypt without KeyId: the ciphertext's context includes the pair",
    key: { ...granted(toAlice(['Decrypt'], { constraints: SUBSET })), ciphertext: { project: 'alpha', env: 'dev' } },
    caller: { principal: ALICE },
    op: 'Decrypt',
    input: (k) => ({ CiphertextBlob: k.blob, EncryptionContext: { project: 'alpha', env: 'dev' } }),
    expect: 'allowed',
  },
  {
    name: "EncryptionContextSubset on Decrypt without KeyId: the context lacks the pair (AWS's ciphertext message)",
    key: { ...granted(toAlice(['Decrypt'], { constraints: SUBSET })), ciphertext: { env: 'dev' } },
    caller: { principal: ALICE },
    op: 'Decrypt',
    input: (k) => ({ CiphertextBlob: k.blob, EncryptionContext: { env: 'dev' } }),
    expect: { why: 'ciphertext' },
  },
  {
    // API Reference, GrantConstraints: constraints are not applied to operations without an encryption context, such as DescribeKey.
    name: 'a constrained grant allows DescribeKey, which takes no encryption context',
    key: granted(toAlice(['DescribeKey', 'Encrypt'], { constraints: EQUALS })),
    caller: { principal: ALICE },
    op: 'DescribeKey',
    input: byArn,
    expect: 'allowed',
  },

  // ---- CreateGrant under a grant: constraints equal or stricter
  {
    name: 'CreateGrant under a Subset grant: a stricter Subset (one pair more)',
    key: granted(toAlice(['CreateGrant', 'Encrypt'], { constraints: SUBSET })),
    caller: { principal: ALICE },
    op: 'CreateGrant',
    input: newGrant({ EncryptionContextSubset: { project: 'alpha', env: 'dev' } }),
    expect: 'allowed',
  },
  {
    name: 'CreateGrant under a Subset grant: the same Subset',
    key: granted(toAlice(['CreateGrant', 'Encrypt'], { constraints: SUBSET })),
    caller: { principal: ALICE },
    op: 'CreateGrant',
    input: newGrant(SUBSET),
    expect: 'allowed',
  },
  {
    // Equals {project: alpha} allows only that exact context, which the parent's Subset allows too: stricter.
    name: 'CreateGrant under a Subset grant: Equals with the same pair is stricter',
    key: granted(toAlice(['CreateGrant', 'Encrypt'], { constraints: SUBSET })),
    caller: { principal: ALICE },
    op: 'CreateGrant',
    input: newGrant({ EncryptionContextEquals: { project: 'alpha' } }),
    expect: 'allowed',
  },
  {
    name: 'CreateGrant under a Subset grant: no constraint is looser',
    key: granted(toAlice(['CreateGrant', 'Encrypt'], { constraints: SUBSET })),
    caller: { principal: ALICE },
    op: 'CreateGrant',
    input: newGrant(),
    expect: { why: 'no-resource' },
  },
  {
    name: 'CreateGrant under a Subset grant: a Subset without the pair is looser',
    key: granted(toAlice(['CreateGrant', 'Encrypt'], { constraints: SUBSET })),
    caller: { principal: ALICE },
    op: 'CreateGrant',
    input: newGrant({ EncryptionContextSubset: { env: 'dev' } }),
    expect: { why: 'no-resource' },
  },
  {
    name: 'CreateGrant under an Equals grant: the same Equals',
    key: granted(toAlice(['CreateGrant', 'Encrypt'], { constraints: EQUALS })),
    caller: { principal: ALICE },
    op: 'CreateGrant',
    input: newGrant({ EncryptionContextEquals: { Project: 'alpha' } }),
    expect: 'allowed',
  },
  {
    name: 'CreateGrant under an Equals grant: a Subset of the same pair is looser',
    key: granted(toAlice(['CreateGrant', 'Encrypt'], { constraints: EQUALS })),
    caller: { principal: ALICE },
    op: 'CreateGrant',
    input: newGrant({ EncryptionContextSubset: { Project: 'alpha' } }),
    expect: { why: 'no-resource' },
  },
  {
    name: 'CreateGrant under an unconstrained grant that includes CreateGrant',
    key: granted(toAlice(['CreateGrant', 'Encrypt'])),
    caller: { principal: ALICE },
    op: 'CreateGrant',
    input: newGrant(),
    expect: 'allowed',
  },
  {
    name: 'CreateGrant under a grant that does not include CreateGrant',
    key: granted(toAlice(['Encrypt'])),
    caller: { principal: ALICE },
    op: 'CreateGrant',
    input: newGrant(),
    expect: { why: 'no-resource' },
  },

  // ---- RetireGrant
  {
    name: "RetireGrant by the grant's retiring principal, who has no other permission",
    key: granted(toAlice(['Encrypt'], { retiring: CAROL })),
    caller: { principal: CAROL },
    op: 'RetireGrant',
    input: (k) => ({ KeyId: k.arn, GrantId: k.grants[0].id }),
    expect: 'allowed',
  },
  {
    name: 'RetireGrant by the retiring principal with the grant token',
    key: granted(toAlice(['Encrypt'], { retiring: CAROL })),
    caller: { principal: CAROL },
    op: 'RetireGrant',
    input: (k) => ({ GrantToken: k.grants[0].token }),
    expect: 'allowed',
  },
  {
    name: 'RetireGrant by the grantee when the grant lists RetireGrant',
    key: granted(toAlice(['Encrypt', 'RetireGrant'])),
    caller: { principal: ALICE },
    op: 'RetireGrant',
    input: (k) => ({ KeyId: k.arn, GrantId: k.grants[0].id }),
    expect: 'allowed',
  },
  {
    name: 'RetireGrant by the grantee when the grant does not list RetireGrant',
    key: granted(toAlice(['Encrypt'])),
    caller: { principal: ALICE },
    op: 'RetireGrant',
    input: (k) => ({ KeyId: k.arn, GrantId: k.grants[0].id }),
    expect: { why: 'no-resource' },
  },
  {
    name: 'RetireGrant by a principal that is neither: denied',
    key: granted(toAlice(['Encrypt'], { retiring: CAROL })),
    caller: { principal: DAVE },
    op: 'RetireGrant',
    input: (k) => ({ KeyId: k.arn, GrantId: k.grants[0].id }),
    expect: { why: 'no-resource' },
  },
  {
    name: 'RetireGrant by another principal with kms:RetireGrant by policy',
    key: { policy: POLICIES.rootOnly(), grants: [toAlice(['Encrypt'], { retiring: CAROL })] },
    caller: withIdentity(DAVE, allowAll('kms:RetireGrant')),
    op: 'RetireGrant',
    input: (k) => ({ KeyId: k.arn, GrantId: k.grants[0].id }),
    expect: 'allowed',
  },
  {
    name: 'RetireGrant by a retiring principal of another account',
    key: granted(toAlice(['Encrypt'], { retiring: BOB })),
    caller: { principal: BOB },
    op: 'RetireGrant',
    input: (k) => ({ KeyId: k.arn, GrantId: k.grants[0].id }),
    expect: 'allowed',
  },
  {
    name: 'RevokeGrant is not something a grant gives: the grantee is denied',
    key: granted(toAlice(['Encrypt', 'RetireGrant'])),
    caller: { principal: ALICE },
    op: 'RevokeGrant',
    input: (k) => ({ KeyId: k.arn, GrantId: k.grants[0].id }),
    expect: { why: 'no-resource' },
  },
  {
    name: 'RevokeGrant by a user the key policy names',
    key: {
      policy: doc(kp('Allow', ALICE, [...USE, 'kms:RevokeGrant'])),
      grants: [{ grantee: CAROL, operations: ['Encrypt'] }],
    },
    caller: { principal: ALICE },
    op: 'RevokeGrant',
    input: (k) => ({ KeyId: k.arn, GrantId: k.grants[0].id }),
    expect: 'allowed',
  },
  {
    name: 'a grant to the session is found for a session ARN given directly as the principal',
    key: granted({ grantee: session(A, 'app', 'job'), operations: ['Encrypt'] }),
    caller: { principal: session(A, 'app', 'job') },
    op: 'Encrypt',
    input: encrypt(),
    expect: 'allowed',
  },
];

const store = new MemoryKeyStore();

describe('authorization decisions: grants', () => {
  for (const row of rows) it(row.name, () => runRow(store, row));
});
