// Error cases of this group's operations (format: types.ts): GetKeyPolicy, PutKeyPolicy,
// ListKeyPolicies.
import { GetKeyPolicyCommand, ListKeyPoliciesCommand, PutKeyPolicyCommand } from '../../../src/kms/index.js';
import { ACCOUNT, env, ghostArn, type ErrorCase, type ErrorTable } from './types.js';

const NOT_KMS_ARN = 'arn:aws:s3:::bucket';
const notKmsArn = `'${NOT_KMS_ARN}' is not a valid KMS key ARN or alias ARN.`;
const ADMIN = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
});
const notFound = () => `Key '${ghostArn()}' does not exist`;

const cases: ErrorCase[] = [
  // GetKeyPolicy
  {
    op: 'GetKeyPolicy',
    exception: 'InvalidArnException',
    title: 'GetKeyPolicy: an ARN that is not a KMS key or alias ARN',
    run: async () => ({ p: env().c.send(new GetKeyPolicyCommand({ KeyId: NOT_KMS_ARN })), message: notKmsArn }),
  },
  {
    op: 'GetKeyPolicy',
    exception: 'NotFoundException',
    title: 'GetKeyPolicy: a key that does not exist',
    run: async () => ({ p: env().c.send(new GetKeyPolicyCommand({ KeyId: ghostArn() })), message: notFound() }),
  },
  {
    op: 'GetKeyPolicy',
    exception: 'NotFoundException',
    title: 'GetKeyPolicy: a policy name other than default',
    run: async () => {
      const e = env();
      const k = await e.key();
      return {
        p: e.c.send(new GetKeyPolicyCommand({ KeyId: k.KeyId, PolicyName: 'other' })),
        message: `No key policy named other exists for ${k.Arn}; the only key policy name is default.`,
      };
    },
  },
  // PutKeyPolicy
  {
    op: 'PutKeyPolicy',
    exception: 'InvalidArnException',
    title: 'PutKeyPolicy: an ARN that is not a KMS key or alias ARN',
    run: async () => ({
      p: env().c.send(new PutKeyPolicyCommand({ KeyId: NOT_KMS_ARN, Policy: ADMIN })),
      message: notKmsArn,
    }),
  },
  {
    op: 'PutKeyPolicy',
    exception: 'NotFoundException',
    title: 'PutKeyPolicy: a key that does not exist',
    run: async () => ({
      p: env().c.send(new PutKeyPolicyCommand({ KeyId: ghostArn(), Policy: ADMIN })),
      message: notFound(),
    }),
  },
  {
    op: 'PutKeyPolicy',
    exception: 'LimitExceededException',
    title: 'PutKeyPolicy: a document over the 32 KB key policy quota',
    run: async () => {
      const e = env();
      const k = await e.key();
      const big = ADMIN.replace('{', `{${' '.repeat(40000)}`);
      return {
        p: e.c.send(new PutKeyPolicyCommand({ KeyId: k.KeyId, Policy: big })),
        message: `The key policy is ${big.length} bytes; a key policy document can be at most 32768 bytes.`,
      };
    },
  },
  {
    op: 'PutKeyPolicy',
    exception: 'MalformedPolicyDocumentException',
    title: 'PutKeyPolicy: a policy that would lock the caller out of PutKeyPolicy',
    run: async () => {
      const e = env();
      const k = await e.key();
      const policy = JSON.stringify({
        Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:Encrypt', Resource: '*' }],
      });
      return {
        p: e.c.send(new PutKeyPolicyCommand({ KeyId: k.KeyId, Policy: policy })),
        message: 'The new key policy will not allow you to update the key policy in the future.',
      };
    },
  },
  {
    op: 'PutKeyPolicy',
    exception: 'MalformedPolicyDocumentException',
    title: 'PutKeyPolicy: a document that is not JSON',
    run: async () => {
      const e = env();
      const k = await e.key();
      return {
        p: e.c.send(
          new PutKeyPolicyCommand({ KeyId: k.KeyId, Policy: 'not json', BypassPolicyLockoutSafetyCheck: true }),
        ),
        message: 'The key policy is not a valid JSON document.',
      };
    },
  },
  // ListKeyPolicies
  {
    op: 'ListKeyPolicies',
    exception: 'InvalidArnException',
    title: 'ListKeyPolicies: an ARN that is not a KMS key or alias ARN',
    run: async () => ({ p: env().c.send(new ListKeyPoliciesCommand({ KeyId: NOT_KMS_ARN })), message: notKmsArn }),
  },
  {
    op: 'ListKeyPolicies',
    exception: 'NotFoundException',
    title: 'ListKeyPolicies: a key that does not exist',
    run: async () => ({ p: env().c.send(new ListKeyPoliciesCommand({ KeyId: ghostArn() })), message: notFound() }),
  },
];

export const table: ErrorTable = {
  ops: ['GetKeyPolicy', 'PutKeyPolicy', 'ListKeyPolicies'],
  cases,
  excused: {
    DependencyTimeoutException: 'the engine calls no remote dependency that could time out; only fault injection could',
    KMSInternalException: 'reserved for faults of the engine itself; no input or key state makes it raise one',
    KMSInvalidStateException:
      'the key-state table lets GetKeyPolicy, PutKeyPolicy and ListKeyPolicies work in every key state, so no key here is in a state they refuse',
    'PutKeyPolicy:UnsupportedOperationException':
      'every key of this engine is a customer managed key whose policy may be replaced; there are no AWS managed or AWS owned keys to refuse',
  },
};
