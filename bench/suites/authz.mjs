// What authorization adds to a request: GenerateDataKeyPair (ECC_NIST_P256, the pair made
// beforehand, so the call is the KMS layer alone) through KMSClient.send, on one key, by callers
// whose requests need more and more policy evaluation (src/kms/authorize.ts, src/kms/policy.ts):
//
//   - the account's root with the default key policy: nothing to evaluate (the default policy
//     allows its account's root everything); the baseline;
//   - an IAM user with an identity policy, default key policy: the key policy's one statement
//     (it names the account) and the identity policy's are evaluated on every call;
//   - an IAM user named by a six-statement key policy with conditions (kms:CallerAccount,
//     kms:EncryptionContext:tenant, kms:DataKeyPairSpec, aws:SourceIp, a Deny that does not apply)
//     and an identity policy with a condition.
//
// Policies are compiled once and cached by their text; what remains per call is matching the
// statements and reading the condition keys they name. Targets: the second task adds ≤ 5 µs to the
// baseline's median (the default key policy), the third ≤ 15 µs.

import { generateKeyPair } from '../../dist/core/index.js';
import { KMSClient, CreateKeyCommand, GenerateDataKeyPairCommand, MemoryKeyStore } from '../../dist/kms/index.js';

export const id = 'authz';
export const title = 'Authorization on the hot path (GenerateDataKeyPair, pair made beforehand)';
export const baseline = 'account root, default key policy (nothing to evaluate)';

const ACCOUNT = '111122223333';
const USER = `arn:aws:iam::${ACCOUNT}:user/minter`;
const IDENTITY = 'IAM user, default key policy + identity policy';
const CONDITIONS = 'IAM user, 6-statement key policy with conditions + identity policy';

export const targets = [
  { group: 'ECC_NIST_P256', task: IDENTITY, maxAddedUs: 5 },
  { group: 'ECC_NIST_P256', task: CONDITIONS, maxAddedUs: 15 },
];

const ALLOW_KMS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };
const ALLOW_IF = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['kms:GenerateDataKeyPair*', 'kms:Decrypt'],
      Resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/*`,
      Condition: { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } },
    },
  ],
};

function keyPolicy() {
  const root = `arn:aws:iam::${ACCOUNT}:root`;
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'admins', Effect: 'Allow', Principal: { AWS: root }, Action: 'kms:*', Resource: '*' },
      {
        Sid: 'no deletion',
        Effect: 'Deny',
        Principal: '*',
        Action: ['kms:ScheduleKeyDeletion', 'kms:DisableKey'],
        Resource: '*',
      },
      {
        Sid: 'readers',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/reader` },
        Action: ['kms:Decrypt', 'kms:DescribeKey'],
        Resource: '*',
      },
      {
        Sid: 'minters',
        Effect: 'Allow',
        Principal: { AWS: USER },
        Action: 'kms:GenerateDataKeyPair*',
        Resource: '*',
        Condition: {
          StringEquals: { 'kms:CallerAccount': ACCOUNT, 'kms:EncryptionContext:tenant': ['a', 'b', 'c'] },
          'ForAnyValue:StringLike': { 'kms:DataKeyPairSpec': 'ECC_*' },
          IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '127.0.0.1/32'] },
        },
      },
      {
        Sid: 'no plaintext outside',
        Effect: 'Deny',
        Principal: '*',
        Action: 'kms:GenerateDataKeyPair',
        Resource: '*',
        Condition: { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '127.0.0.0/8'] } },
      },
      {
        Sid: 'auditors',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/auditor` },
        Action: ['kms:Get*', 'kms:List*', 'kms:Describe*'],
        Resource: '*',
      },
    ],
  });
}

function checkPair(out) {
  if (!(out.PublicKey instanceof Uint8Array) || !(out.PrivateKeyCiphertextBlob instanceof Uint8Array)) {
    throw new Error('GenerateDataKeyPair returned no pair');
  }
}

export async function groups() {
  const store = new MemoryKeyStore();
  const made = generateKeyPair('ECC_NIST_P256');
  const ready = () => ({ publicKey: made.publicKey.slice(), privateKey: made.privateKey.slice() });
  const root = new KMSClient({ store, accountId: ACCOUNT, generateKeyPair: ready });
  const newKey = async (input) => {
    const id = (await root.send(new CreateKeyCommand(input))).KeyMetadata?.KeyId;
    if (id === undefined) throw new Error('CreateKey answered no KeyId');
    return id;
  };
  const plain = await newKey({});
  const guarded = await newKey({ Policy: keyPolicy() });
  const user = (identityPolicies, extra = {}) =>
    new KMSClient({ store, accountId: ACCOUNT, principal: USER, identityPolicies, generateKeyPair: ready, ...extra });
  const withIdentity = user([ALLOW_KMS]);
  const withConditions = user([ALLOW_IF], { sourceIp: '127.0.0.1' });
  const call = (client, keyId) => () =>
    client.send(
      new GenerateDataKeyPairCommand({
        KeyId: keyId,
        KeyPairSpec: 'ECC_NIST_P256',
        EncryptionContext: { tenant: 'a' },
      }),
    );
  return [
    {
      name: 'ECC_NIST_P256',
      timeMs: 3_000,
      minSamples: 500,
      tasks: [
        { name: baseline, fn: call(root, plain), check: checkPair },
        { name: IDENTITY, fn: call(withIdentity, plain), check: checkPair },
        { name: CONDITIONS, fn: call(withConditions, guarded), check: checkPair },
      ],
    },
  ];
}
