// Error cases of this group's operations (format: types.ts): UpdateKeyDescription,
// ListKeyRotations, GetKeyLastUsage.
import {
  CreateKeyCommand,
  GetKeyLastUsageCommand,
  ListKeyRotationsCommand,
  ScheduleKeyDeletionCommand,
  UpdateKeyDescriptionCommand,
} from '../../../src/kms/index.js';
import { env, ghostArn, GHOST, type ErrorCase, type ErrorTable } from './types.js';

const NOT_KMS_ARN = 'arn:aws:s3:::bucket';
const notKmsArn = `'${NOT_KMS_ARN}' is not a valid KMS key ARN or alias ARN.`;

const cases: ErrorCase[] = [
  // UpdateKeyDescription
  {
    op: 'UpdateKeyDescription',
    exception: 'InvalidArnException',
    title: 'UpdateKeyDescription: an ARN that is not a KMS key or alias ARN',
    run: async () => ({
      p: env().c.send(new UpdateKeyDescriptionCommand({ KeyId: NOT_KMS_ARN, Description: 'd' })),
      message: notKmsArn,
    }),
  },
  {
    op: 'UpdateKeyDescription',
    exception: 'KMSInvalidStateException',
    title: 'UpdateKeyDescription: a key pending deletion',
    run: async () => {
      const e = env();
      const k = await e.key();
      await e.c.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId, PendingWindowInDays: 7 }));
      return {
        p: e.c.send(new UpdateKeyDescriptionCommand({ KeyId: k.KeyId, Description: 'd' })),
        message: `${k.Arn} is pending deletion.`,
      };
    },
  },
  {
    op: 'UpdateKeyDescription',
    exception: 'NotFoundException',
    title: 'UpdateKeyDescription: a key id no key has',
    recorded: ['TestKMS::test_get_key_does_not_exist', 'describe-nonexistent-key-with-id'],
    run: async () => ({
      p: env().c.send(new UpdateKeyDescriptionCommand({ KeyId: GHOST, Description: 'd' })),
      message: `Key '${ghostArn()}' does not exist`,
      subst: { '<key-arn>': ghostArn() },
    }),
  },
  // ListKeyRotations
  {
    op: 'ListKeyRotations',
    exception: 'InvalidArnException',
    title: 'ListKeyRotations: an ARN that is not a KMS key or alias ARN',
    run: async () => ({ p: env().c.send(new ListKeyRotationsCommand({ KeyId: NOT_KMS_ARN })), message: notKmsArn }),
  },
  {
    op: 'ListKeyRotations',
    exception: 'InvalidMarkerException',
    title: 'ListKeyRotations: a marker this engine did not issue',
    run: async () => {
      const e = env();
      const k = await e.key();
      return {
        p: e.c.send(new ListKeyRotationsCommand({ KeyId: k.KeyId, Marker: 'not-a-marker' })),
        message: 'Invalid marker: not-a-marker',
      };
    },
  },
  {
    op: 'ListKeyRotations',
    exception: 'NotFoundException',
    title: 'ListKeyRotations: an alias name (only a key id or key ARN is taken)',
    run: async () => ({
      p: env().c.send(new ListKeyRotationsCommand({ KeyId: 'alias/rotations' })),
      message: "Invalid keyId 'alias/rotations'",
    }),
  },
  {
    op: 'ListKeyRotations',
    exception: 'UnsupportedOperationException',
    title: 'ListKeyRotations: an asymmetric key (the empty message AWS gives for rotating one)',
    run: async () => {
      const e = env();
      const k = await e.key({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
      return { p: e.c.send(new ListKeyRotationsCommand({ KeyId: k.KeyId })), message: '' };
    },
  },
  {
    op: 'ListKeyRotations',
    exception: 'UnsupportedOperationException',
    title: 'ListKeyRotations: an HMAC key',
    run: async () => {
      const e = env();
      const k = await e.key({ KeySpec: 'HMAC_384', KeyUsage: 'GENERATE_VERIFY_MAC' });
      return { p: e.c.send(new ListKeyRotationsCommand({ KeyId: k.Arn })), message: '' };
    },
  },
  // GetKeyLastUsage
  {
    op: 'GetKeyLastUsage',
    exception: 'InvalidArnException',
    title: 'GetKeyLastUsage: an ARN that is not a KMS key or alias ARN',
    run: async () => ({ p: env().c.send(new GetKeyLastUsageCommand({ KeyId: NOT_KMS_ARN })), message: notKmsArn }),
  },
  {
    op: 'GetKeyLastUsage',
    exception: 'NotFoundException',
    title: 'GetKeyLastUsage: a key ARN no key has',
    recorded: ['TestKMS::test_get_key_does_not_exist', 'describe-nonexistent-with-arn'],
    run: async () => ({
      p: env().c.send(new GetKeyLastUsageCommand({ KeyId: ghostArn() })),
      message: `Key '${ghostArn()}' does not exist`,
      subst: { '<key-arn>': ghostArn() },
    }),
  },
  {
    op: 'GetKeyLastUsage',
    exception: 'NotFoundException',
    title: 'GetKeyLastUsage: an alias name ("Alias names are not supported")',
    run: async () => {
      const e = env();
      await e.c.send(new CreateKeyCommand({}));
      return {
        p: e.c.send(new GetKeyLastUsageCommand({ KeyId: 'alias/used' })),
        message: "Invalid keyId 'alias/used'",
      };
    },
  },
];

export const table: ErrorTable = {
  ops: ['UpdateKeyDescription', 'ListKeyRotations', 'GetKeyLastUsage'],
  cases,
  excused: {
    KMSInternalException: 'reserved for faults of the engine itself; no input or key state makes it raise one',
    DependencyTimeoutException:
      'raised when a service KMS depends on times out; this engine calls no other service while serving these operations',
    'ListKeyRotations:KMSInvalidStateException':
      'ListKeyRotations answers in every key state here, as DescribeKey and GetKeyRotationStatus do (LocalStack, checked against AWS, lets a key pending deletion through), and no custom key store back end exists to fail',
  },
};
