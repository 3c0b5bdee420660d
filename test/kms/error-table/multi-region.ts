// Error cases of the multi-Region key operations, ReplicateKey and UpdatePrimaryRegion (format: types.ts).
import {
  KMSClient,
  ReplicateKeyCommand,
  ScheduleKeyDeletionCommand,
  UpdatePrimaryRegionCommand,
} from '../../../src/kms/index.js';
import { LOCKOUT_MESSAGE } from '../../../src/kms/key-policy.js';
import { ACCOUNT, env, ghostArn, GHOST, type ErrorTable } from './types.js';

const NOT_A_KMS_ARN = 'arn:aws:s3:::bucket';

/** A multi-Region primary in REGION (us-east-1) and, optionally, its replica in us-west-2 with a client there. */
async function mrk(replicate = false) {
  const e = env();
  const k = await e.key({ MultiRegion: true });
  if (replicate) await e.c.send(new ReplicateKeyCommand({ KeyId: k.KeyId, ReplicaRegion: 'us-west-2' }));
  const west = new KMSClient({ store: e.store, accountId: ACCOUNT, region: 'us-west-2' });
  return { ...e, k, west, westArn: k.Arn.replace(':us-east-1:', ':us-west-2:') };
}

export const table: ErrorTable = {
  ops: ['ReplicateKey', 'UpdatePrimaryRegion'],
  cases: [
    {
      op: 'ReplicateKey',
      exception: 'AlreadyExistsException',
      title: 'a Region that already holds a replica',
      run: async () => {
        const { c, k, westArn } = await mrk(true);
        return {
          p: c.send(new ReplicateKeyCommand({ KeyId: k.KeyId, ReplicaRegion: 'us-west-2' })),
          // Message ours: AWS's is unrecorded.
          message: `Key '${westArn}' already exists`,
        };
      },
    },
    {
      op: 'ReplicateKey',
      exception: 'InvalidArnException',
      title: 'a KeyId that is an ARN but not a KMS key ARN',
      run: async () => {
        const { c } = env();
        return {
          p: c.send(new ReplicateKeyCommand({ KeyId: NOT_A_KMS_ARN, ReplicaRegion: 'us-west-2' })),
          message: `'${NOT_A_KMS_ARN}' is not a valid KMS key ARN or alias ARN.`,
        };
      },
    },
    {
      op: 'ReplicateKey',
      exception: 'KMSInvalidStateException',
      title: 'a primary pending deletion',
      run: async () => {
        const { c, k } = await mrk();
        await c.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId, PendingWindowInDays: 7 }));
        return {
          p: c.send(new ReplicateKeyCommand({ KeyId: k.KeyId, ReplicaRegion: 'us-west-2' })),
          message: `${k.Arn} is pending deletion.`,
        };
      },
    },
    {
      op: 'ReplicateKey',
      exception: 'LimitExceededException',
      title: 'a replica key policy over 32 KB',
      run: async () => {
        const { c, k } = await mrk();
        const policy = JSON.stringify({ Version: '2012-10-17', Id: 'x'.repeat(33_000), Statement: [] });
        const bytes = new TextEncoder().encode(policy).length;
        return {
          p: c.send(new ReplicateKeyCommand({ KeyId: k.KeyId, ReplicaRegion: 'us-west-2', Policy: policy })),
          message: `The key policy is ${bytes} bytes; a key policy document can be at most 32768 bytes.`,
        };
      },
    },
    {
      op: 'ReplicateKey',
      exception: 'MalformedPolicyDocumentException',
      title: 'a replica key policy that would lock the caller out',
      run: async () => {
        const { c, k } = await mrk();
        const policy = JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
              Action: 'kms:Encrypt',
              Resource: '*',
            },
          ],
        });
        return {
          p: c.send(new ReplicateKeyCommand({ KeyId: k.KeyId, ReplicaRegion: 'us-west-2', Policy: policy })),
          message: LOCKOUT_MESSAGE,
        };
      },
    },
    {
      op: 'ReplicateKey',
      exception: 'NotFoundException',
      title: 'a key that does not exist',
      run: async () => {
        const { c } = env();
        return {
          p: c.send(new ReplicateKeyCommand({ KeyId: GHOST, ReplicaRegion: 'us-west-2' })),
          message: `Key '${ghostArn()}' does not exist`,
        };
      },
    },
    {
      op: 'ReplicateKey',
      exception: 'TagException',
      title: 'a replica tag with the reserved aws: prefix',
      run: async () => {
        const { c, k } = await mrk();
        return {
          p: c.send(
            new ReplicateKeyCommand({
              KeyId: k.KeyId,
              ReplicaRegion: 'us-west-2',
              Tags: [{ TagKey: 'aws:team', TagValue: 'x' }],
            }),
          ),
          message: 'Tags beginning with aws: are reserved',
        };
      },
    },
    {
      op: 'ReplicateKey',
      exception: 'UnsupportedOperationException',
      title: 'a replica is not a multi-Region primary key',
      recorded: ['TestKMS::test_replicate_replica_key_should_fail', 'fail-replicate-non-primary-key'],
      run: async () => {
        const { west, k, westArn } = await mrk(true);
        return {
          p: west.send(new ReplicateKeyCommand({ KeyId: k.KeyId, ReplicaRegion: 'eu-west-1' })),
          message: `${westArn} is not a multi-region primary key.`,
          subst: { '<mrk-key-arn>': westArn },
        };
      },
    },
    {
      op: 'UpdatePrimaryRegion',
      exception: 'InvalidArnException',
      title: 'a KeyId that is an ARN but not a KMS key ARN',
      run: async () => {
        const { c } = env();
        return {
          p: c.send(new UpdatePrimaryRegionCommand({ KeyId: NOT_A_KMS_ARN, PrimaryRegion: 'us-west-2' })),
          message: `'${NOT_A_KMS_ARN}' is not a valid KMS key ARN or alias ARN.`,
        };
      },
    },
    {
      op: 'UpdatePrimaryRegion',
      exception: 'KMSInvalidStateException',
      title: 'a replica pending deletion cannot become the primary',
      run: async () => {
        const { c, west, k, westArn } = await mrk(true);
        await west.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId, PendingWindowInDays: 7 }));
        return {
          p: c.send(new UpdatePrimaryRegionCommand({ KeyId: k.KeyId, PrimaryRegion: 'us-west-2' })),
          message: `${westArn} is pending deletion.`,
        };
      },
    },
    {
      op: 'UpdatePrimaryRegion',
      exception: 'NotFoundException',
      title: 'a Region without a replica',
      run: async () => {
        const { c, k } = await mrk(true);
        return {
          p: c.send(new UpdatePrimaryRegionCommand({ KeyId: k.KeyId, PrimaryRegion: 'eu-west-1' })),
          // The recorded wording of a key that does not exist, for the key that would be the primary.
          message: `Key '${k.Arn.replace(':us-east-1:', ':eu-west-1:')}' does not exist`,
        };
      },
    },
    {
      op: 'UpdatePrimaryRegion',
      exception: 'UnsupportedOperationException',
      title: 'a single-Region key',
      run: async () => {
        const { c, key } = env();
        const k = await key();
        return {
          p: c.send(new UpdatePrimaryRegionCommand({ KeyId: k.KeyId, PrimaryRegion: 'us-west-2' })),
          message: `${k.Arn} is not a multi-region primary key.`,
        };
      },
    },
  ],
  excused: {
    DisabledException:
      'A disabled multi-Region key can still be replicated and change roles (KMS lets the management operations act on a Disabled key), so no key state leads to DisabledException here.',
    KMSInternalException:
      'An internal failure of the service, which no input can cause in this engine: its store and operations have no such failure to report.',
  },
};
