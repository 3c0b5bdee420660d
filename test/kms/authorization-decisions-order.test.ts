// The table of authorization decisions, part 5: the order of checks (validation, then key
// resolution, then authorization, then the key state), ReEncrypt's two keys, Resource and
// NotResource in key policies, several identity policies, context key names without case, policy
// variables in Resource, and keys named by alias, alias ARN or bare key ID.

import { describe, it } from 'vitest';
import { MemoryKeyStore } from '../../src/kms/index.js';
import { A, B, aliasArn, doc, ip, kp, root, runRow, type Row } from './authorization-table/world.js';
import {
  ALICE,
  BOB,
  CAROL,
  POLICIES,
  USE,
  allowAll,
  byArn,
  encrypt,
  withIdentity,
} from './authorization-table/library.js';

const REENCRYPT = doc(kp('Allow', root(A), 'kms:*'), kp('Allow', ALICE, 'kms:ReEncrypt*'));
const reEncrypt = (k: { blob: Uint8Array; otherArn: string }) => ({
  CiphertextBlob: k.blob,
  DestinationKeyId: k.otherArn,
});
const MISSING_KEY = `arn:aws:kms:us-east-1:${A}:key/00000000-0000-4000-8000-000000000000`;

const rows: Row[] = [
  // ---- validation, then key resolution, then authorization, then the key state
  {
    name: 'an invalid request is refused for what it is before authorization (ValidationException, not AccessDenied)',
    key: { policy: POLICIES.adminOnly() },
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: (k) => ({ KeyId: k.arn, Plaintext: new Uint8Array(0) }),
    expect: { error: 'ValidationException' },
  },
  {
    name: 'GenerateRandom with an invalid length by a caller without permission: ValidationException first',
    caller: { principal: ALICE },
    op: 'GenerateRandom',
    input: () => ({ NumberOfBytes: 0 }),
    expect: { error: 'ValidationException' },
  },
  {
    name: 'a key that does not exist: NotFoundException before authorization',
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: () => ({ KeyId: MISSING_KEY, Plaintext: new Uint8Array([1]) }),
    expect: { error: 'NotFoundException' },
  },
  {
    name: 'an alias that does not exist: NotFoundException before authorization',
    caller: { principal: ALICE },
    op: 'DescribeKey',
    input: () => ({ KeyId: 'alias/none-such-alias' }),
    expect: { error: 'NotFoundException' },
  },
  {
    name: 'a key pending deletion: an allowed caller gets KMSInvalidStateException',
    key: { policy: POLICIES.aliceDirect(), pendingDeletion: true },
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt(),
    expect: { error: 'KMSInvalidStateException' },
  },
  {
    name: 'a key pending deletion: a caller without permission gets AccessDeniedException',
    key: { policy: POLICIES.aliceDirect(), pendingDeletion: true },
    caller: { principal: CAROL },
    op: 'Encrypt',
    input: encrypt(),
    expect: { why: 'no-identity' },
  },
  {
    name: 'a key pending deletion: CancelKeyDeletion by the root user',
    key: { policy: POLICIES.rootOnly(), pendingDeletion: true },
    caller: {},
    op: 'CancelKeyDeletion',
    input: byArn,
    expect: 'allowed',
  },
  {
    name: 'a disabled key: EnableKey by a user without permission is denied',
    key: { policy: POLICIES.aliceDirect(), disabled: true },
    caller: { principal: ALICE },
    op: 'EnableKey',
    input: byArn,
    expect: { why: 'no-identity' },
  },

  // ---- the key named by alias, alias ARN or bare key ID: the decision and the message are about the key
  {
    name: 'KeyId as an alias name: allowed by the key policy of the key it names',
    key: { policy: POLICIES.aliceDirect(), aliases: ['use-'] },
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt(undefined, (k) => k.aliases[0]),
    expect: 'allowed',
  },
  {
    name: 'KeyId as an alias name: the denial names the key ARN',
    key: { policy: POLICIES.aliceDirect(), aliases: ['use-'] },
    caller: { principal: CAROL },
    op: 'Encrypt',
    input: encrypt(undefined, (k) => k.aliases[0]),
    expect: { why: 'no-identity' },
  },
  {
    name: 'KeyId as a bare key ID',
    key: { policy: POLICIES.aliceDirect() },
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt(undefined, (k) => k.id),
    expect: 'allowed',
  },
  {
    name: 'cross-account: the key named by its alias ARN, both policies allowing',
    key: { policy: POLICIES.crossB(), aliases: ['shared-'] },
    caller: withIdentity(BOB, allowAll('kms:Encrypt')),
    op: 'Encrypt',
    input: encrypt(undefined, (k) => aliasArn(A, k.aliases[0].slice('alias/'.length))),
    expect: 'allowed',
  },
  {
    name: 'cross-account: Decrypt without KeyId, both policies allowing',
    key: { policy: POLICIES.crossB(), ciphertext: {} },
    caller: withIdentity(BOB, allowAll('kms:Decrypt')),
    op: 'Decrypt',
    input: (k) => ({ CiphertextBlob: k.blob }),
    expect: 'allowed',
  },
  {
    name: 'cross-account: Sign with an asymmetric key of the other account',
    key: { policy: POLICIES.crossB(), create: { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' } },
    caller: withIdentity(BOB, allowAll(['kms:Sign', 'kms:GetPublicKey'])),
    op: 'Sign',
    input: (k) => ({ KeyId: k.arn, Message: new Uint8Array([5]), SigningAlgorithm: 'ECDSA_SHA_256' }),
    expect: 'allowed',
  },

  // ---- ReEncrypt: kms:ReEncryptFrom on the source key, kms:ReEncryptTo on the destination key
  {
    name: 'ReEncrypt: both keys allow the user',
    key: { policy: REENCRYPT, ciphertext: {}, other: REENCRYPT },
    caller: { principal: ALICE },
    op: 'ReEncrypt',
    input: reEncrypt,
    expect: 'allowed',
  },
  {
    name: 'ReEncrypt: the destination key does not allow ReEncryptTo',
    key: { policy: REENCRYPT, ciphertext: {}, other: POLICIES.adminOnly() },
    caller: { principal: ALICE },
    op: 'ReEncrypt',
    input: reEncrypt,
    expect: { why: 'no-resource', action: 'ReEncryptTo', on: 'other' },
  },
  {
    name: "ReEncrypt: the source key, found through the ciphertext, does not allow ReEncryptFrom (AWS's ciphertext message)",
    key: { policy: POLICIES.adminOnly(), ciphertext: {}, other: REENCRYPT },
    caller: { principal: ALICE },
    op: 'ReEncrypt',
    input: reEncrypt,
    expect: { why: 'ciphertext', action: 'ReEncryptFrom' },
  },
  {
    name: 'ReEncrypt: only kms:ReEncryptFrom allowed on both keys, the destination is denied ReEncryptTo',
    key: {
      policy: doc(kp('Allow', ALICE, 'kms:ReEncryptFrom')),
      ciphertext: {},
      other: doc(kp('Allow', ALICE, 'kms:ReEncryptFrom')),
    },
    caller: { principal: ALICE },
    op: 'ReEncrypt',
    input: reEncrypt,
    expect: { why: 'no-resource', action: 'ReEncryptTo', on: 'other' },
  },
  {
    name: 'ReEncrypt into the same key: one policy allowing both actions',
    key: { policy: REENCRYPT, ciphertext: {} },
    caller: { principal: ALICE },
    op: 'ReEncrypt',
    input: (k) => ({ CiphertextBlob: k.blob, DestinationKeyId: k.arn }),
    expect: 'allowed',
  },
  {
    name: 'ReEncrypt: the destination by grant (ReEncryptTo), the source by key policy',
    key: {
      policy: REENCRYPT,
      ciphertext: {},
      other: POLICIES.adminOnly(),
      grants: [{ grantee: ALICE, operations: ['ReEncryptTo'], onOther: true }],
    },
    caller: { principal: ALICE },
    op: 'ReEncrypt',
    input: reEncrypt,
    expect: 'allowed',
  },

  // ---- Resource and NotResource in a key policy
  {
    name: "key policy Resource naming the key's own ARN",
    key: { policy: (k) => doc(kp('Allow', ALICE, 'kms:Encrypt', undefined, { Resource: k.arn })) },
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt(),
    expect: 'allowed',
  },
  {
    name: "key policy Resource naming another key's ARN: the statement does not apply",
    key: { policy: (k) => doc(kp('Allow', ALICE, 'kms:Encrypt', undefined, { Resource: k.otherArn })), other: true },
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt(),
    expect: { why: 'no-resource' },
  },
  {
    name: "key policy NotResource naming another key's ARN: the statement applies",
    key: {
      policy: (k) =>
        doc(kp('Allow', ALICE, 'kms:Encrypt', undefined, { Resource: undefined, NotResource: k.otherArn })),
      other: true,
    },
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt(),
    expect: 'allowed',
  },
  {
    name: 'key policy Resource with wildcards (arn:aws:kms:*:*:key/*)',
    key: { policy: doc(kp('Allow', ALICE, 'kms:Encrypt', undefined, { Resource: 'arn:aws:kms:*:*:key/*' })) },
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt(),
    expect: 'allowed',
  },
  {
    name: 'a Deny with Resource naming the key applies; the root statement still allows other actions',
    key: {
      policy: (k) => doc(kp('Allow', ALICE, USE), kp('Deny', ALICE, 'kms:Encrypt', undefined, { Resource: k.arn })),
    },
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt(),
    expect: { why: 'explicit-resource' },
  },

  // ---- several identity policies, principals as arrays, context key names without case
  {
    name: 'two identity policies: an Allow in one, a Deny in the other',
    key: { policy: POLICIES.rootOnly() },
    caller: { principal: ALICE, identity: [doc(ip('Allow', 'kms:*')), doc(ip('Deny', 'kms:Encrypt'))] },
    op: 'Encrypt',
    input: encrypt(),
    expect: { why: 'explicit-identity' },
  },
  {
    name: 'two identity policies: the second allows the action',
    key: { policy: POLICIES.rootOnly() },
    caller: { principal: ALICE, identity: [doc(ip('Allow', 'kms:Decrypt')), doc(ip('Allow', 'kms:Encrypt'))] },
    op: 'Encrypt',
    input: encrypt(),
    expect: 'allowed',
  },
  {
    name: 'an identity policy whose statements are a single object (not an array)',
    key: { policy: POLICIES.rootOnly() },
    caller: { principal: ALICE, identity: [{ Version: '2012-10-17', Statement: ip('Allow', 'kms:Encrypt') as never }] },
    op: 'Encrypt',
    input: encrypt(),
    expect: 'allowed',
  },
  {
    name: 'key policy Principal as an array naming the caller among others',
    key: { policy: doc(kp('Allow', [CAROL, ALICE, root(B)], 'kms:Encrypt')) },
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt(),
    expect: 'allowed',
  },
  {
    // IAM User Guide, Condition element: context key names are not case-sensitive.
    name: 'a condition key name written in another case (AWS:SOURCEIP)',
    key: { policy: doc(kp('Allow', '*', 'kms:Encrypt', { IpAddress: { 'AWS:SOURCEIP': '203.0.113.0/24' } })) },
    caller: { principal: ALICE, sourceIp: '203.0.113.9' },
    op: 'Encrypt',
    input: encrypt(),
    expect: 'allowed',
  },
  {
    name: 'aws:PrincipalArn of the root user is the account root ARN',
    key: { policy: doc(kp('Allow', '*', 'kms:DescribeKey', { ArnEquals: { 'aws:PrincipalArn': root(A) } })) },
    caller: {},
    op: 'DescribeKey',
    input: byArn,
    expect: 'allowed',
  },
  {
    name: 'a policy variable in an identity policy Resource: ${aws:PrincipalAccount} is the key owner',
    key: { policy: POLICIES.rootOnly() },
    caller: withIdentity(ALICE, ip('Allow', 'kms:Encrypt', 'arn:aws:kms:us-east-1:${aws:PrincipalAccount}:key/*')),
    op: 'Encrypt',
    input: encrypt(),
    expect: 'allowed',
  },
  {
    name: 'a policy variable in an identity policy Resource: ${aws:PrincipalAccount} of another account does not match',
    key: { policy: POLICIES.crossB() },
    caller: withIdentity(BOB, ip('Allow', 'kms:Encrypt', 'arn:aws:kms:us-east-1:${aws:PrincipalAccount}:key/*')),
    op: 'Encrypt',
    input: encrypt(),
    expect: { why: 'no-identity' },
  },
];

const store = new MemoryKeyStore();

describe('authorization decisions: order of checks, ReEncrypt, resources, several policies', () => {
  for (const row of rows) it(row.name, () => runRow(store, row));
});
