// Error cases of this group's operations (format: types.ts): CreateGrant, ListGrants,
// ListRetirableGrants, RetireGrant, RevokeGrant. No grant operation was recorded against real AWS,
// so every message here is this engine's (src/kms/grants.ts and the operations' comments say so),
// except the key ones resolveKey and the key-state rules share with the recorded operations.
import {
  CreateGrantCommand,
  DisableKeyCommand,
  ListGrantsCommand,
  ListRetirableGrantsCommand,
  RetireGrantCommand,
  RevokeGrantCommand,
  ScheduleKeyDeletionCommand,
} from '../../../src/kms/index.js';
import { GRANTS_PER_KEY } from '../../../src/kms/grants.js';
import type { GrantRecord } from '../../../src/kms/records.js';
import { ACCOUNT, DRY, env, GHOST, ghostArn, REGION, type ErrorTable } from './types.js';

const ROLE = `arn:aws:iam::${ACCOUNT}:role/reader`;
const BAD_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:thing/x`;
const NO_GRANT = 'ab'.repeat(32);

/** A fresh key with one grant: the key's ids, the grant's id and token. */
async function withGrant() {
  const e = env();
  const k = await e.key();
  const g = await e.c.send(new CreateGrantCommand({ KeyId: k.KeyId, GranteePrincipal: ROLE, Operations: ['Encrypt'] }));
  return { ...e, k, GrantId: g.GrantId!, GrantToken: g.GrantToken! };
}

const create = (KeyId: string, input: Record<string, unknown> = {}) =>
  new CreateGrantCommand({ KeyId, GranteePrincipal: ROLE, Operations: ['Encrypt'], ...input });

export const table: ErrorTable = {
  ops: ['CreateGrant', 'ListGrants', 'ListRetirableGrants', 'RetireGrant', 'RevokeGrant'],
  cases: [
    // CreateGrant
    {
      op: 'CreateGrant',
      exception: 'DisabledException',
      title: 'CreateGrant on a disabled key',
      run: async () => {
        const { c, key } = env();
        const k = await key();
        await c.send(new DisableKeyCommand({ KeyId: k.KeyId }));
        return { p: c.send(create(k.KeyId)), message: `${k.Arn} is disabled.` };
      },
    },
    {
      op: 'CreateGrant',
      exception: 'DryRunOperationException',
      title: 'CreateGrant with DryRun',
      run: async () => {
        const { c, key } = env();
        const k = await key();
        return { p: c.send(create(k.KeyId, { DryRun: true })), message: DRY };
      },
    },
    {
      op: 'CreateGrant',
      exception: 'InvalidArnException',
      title: 'CreateGrant with an ARN that is not a key ARN',
      run: async () => ({
        p: env().c.send(create(BAD_ARN)),
        message: `'${BAD_ARN}' is not a valid KMS key ARN or alias ARN.`,
      }),
    },
    {
      op: 'CreateGrant',
      exception: 'InvalidGrantTokenException',
      title: 'CreateGrant with a malformed grant token in GrantTokens',
      run: async () => {
        const { c, key } = env();
        const k = await key();
        return {
          p: c.send(create(k.KeyId, { GrantTokens: ['not-a-token'] })),
          message: 'The grant token is not valid.',
        };
      },
    },
    {
      op: 'CreateGrant',
      exception: 'KMSInvalidStateException',
      title: 'CreateGrant on a key pending deletion',
      run: async () => {
        const { c, key } = env();
        const k = await key();
        await c.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId }));
        return { p: c.send(create(k.KeyId)), message: `${k.Arn} is pending deletion.` };
      },
    },
    {
      op: 'CreateGrant',
      exception: 'LimitExceededException',
      title: `CreateGrant on a key that has ${GRANTS_PER_KEY} grants`,
      run: async () => {
        const { c, store, key } = env();
        const k = await key();
        const record = (await store.getKey(ACCOUNT, REGION, k.KeyId))!;
        record.grants = Array.from({ length: GRANTS_PER_KEY }, (_, i): GrantRecord => ({
          grantId: i.toString(16).padStart(64, '0'),
          granteePrincipal: ROLE,
          issuingAccount: `arn:aws:iam::${ACCOUNT}:root`,
          operations: ['Decrypt'],
          creationDate: new Date(0),
        }));
        await store.putKey(record);
        return {
          p: c.send(create(k.KeyId)),
          message: `The grant quota has been reached for ${k.Arn}: a KMS key can have at most ${GRANTS_PER_KEY} grants.`,
        };
      },
    },
    {
      op: 'CreateGrant',
      exception: 'NotFoundException',
      title: 'CreateGrant on a key that does not exist',
      run: async () => ({ p: env().c.send(create(GHOST)), message: `Key '${ghostArn()}' does not exist` }),
    },
    // ListGrants
    {
      op: 'ListGrants',
      exception: 'InvalidArnException',
      title: 'ListGrants with an ARN that is not a key ARN',
      run: async () => ({
        p: env().c.send(new ListGrantsCommand({ KeyId: BAD_ARN })),
        message: `'${BAD_ARN}' is not a valid KMS key ARN or alias ARN.`,
      }),
    },
    {
      op: 'ListGrants',
      exception: 'InvalidGrantIdException',
      title: 'ListGrants with a GrantId that is not 64 lowercase hex',
      run: async () => {
        const { c, key } = env();
        const k = await key();
        return {
          p: c.send(new ListGrantsCommand({ KeyId: k.KeyId, GrantId: 'g-1' })),
          message: "Invalid grantId 'g-1'",
        };
      },
    },
    {
      op: 'ListGrants',
      exception: 'InvalidMarkerException',
      title: 'ListGrants with a marker this engine did not issue',
      run: async () => {
        const { c, key } = env();
        const k = await key();
        return { p: c.send(new ListGrantsCommand({ KeyId: k.KeyId, Marker: 'zz' })), message: 'Invalid marker: zz' };
      },
    },
    {
      op: 'ListGrants',
      exception: 'NotFoundException',
      title: 'ListGrants of a key that does not exist',
      run: async () => ({
        p: env().c.send(new ListGrantsCommand({ KeyId: GHOST })),
        message: `Key '${ghostArn()}' does not exist`,
      }),
    },
    // ListRetirableGrants
    {
      op: 'ListRetirableGrants',
      exception: 'InvalidArnException',
      title: 'ListRetirableGrants with a RetiringPrincipal that is not a principal ARN',
      run: async () => ({
        p: env().c.send(new ListRetirableGrantsCommand({ RetiringPrincipal: 'reader' })),
        message: "'reader' is not a valid principal ARN.",
      }),
    },
    {
      op: 'ListRetirableGrants',
      exception: 'InvalidMarkerException',
      title: 'ListRetirableGrants with a marker this engine did not issue',
      run: async () => ({
        p: env().c.send(new ListRetirableGrantsCommand({ RetiringPrincipal: ROLE, Marker: '00' })),
        message: 'Invalid marker: 00',
      }),
    },
    // RetireGrant
    {
      op: 'RetireGrant',
      exception: 'DryRunOperationException',
      title: 'RetireGrant with DryRun',
      run: async () => {
        const { c, GrantToken } = await withGrant();
        return { p: c.send(new RetireGrantCommand({ GrantToken, DryRun: true })), message: DRY };
      },
    },
    {
      op: 'RetireGrant',
      exception: 'InvalidArnException',
      title: 'RetireGrant with an ARN that is not a key ARN',
      run: async () => ({
        p: env().c.send(new RetireGrantCommand({ KeyId: BAD_ARN, GrantId: NO_GRANT })),
        message: `'${BAD_ARN}' is not a valid KMS key ARN or alias ARN.`,
      }),
    },
    {
      op: 'RetireGrant',
      exception: 'InvalidGrantIdException',
      title: 'RetireGrant with a GrantId that is not 64 lowercase hex',
      run: async () => {
        const { c, k } = await withGrant();
        return {
          p: c.send(new RetireGrantCommand({ KeyId: k.KeyId, GrantId: 'g-1' })),
          message: "Invalid grantId 'g-1'",
        };
      },
    },
    {
      op: 'RetireGrant',
      exception: 'InvalidGrantTokenException',
      title: 'RetireGrant with a token whose MAC is wrong',
      run: async () => {
        const { c, GrantToken } = await withGrant();
        // The second-to-last character is in the MAC; the last one's unused bits stay zero.
        const i = GrantToken.length - 2;
        const forged = GrantToken.slice(0, i) + (GrantToken[i] === 'A' ? 'B' : 'A') + GrantToken.slice(i + 1);
        return { p: c.send(new RetireGrantCommand({ GrantToken: forged })), message: 'The grant token is not valid.' };
      },
    },
    {
      op: 'RetireGrant',
      exception: 'NotFoundException',
      title: 'RetireGrant of a grant the key does not have',
      run: async () => {
        const { c, k } = await withGrant();
        return {
          p: c.send(new RetireGrantCommand({ KeyId: k.KeyId, GrantId: NO_GRANT })),
          message: `Grant '${NO_GRANT}' does not exist for key '${k.Arn}'`,
        };
      },
    },
    // RevokeGrant
    {
      op: 'RevokeGrant',
      exception: 'DryRunOperationException',
      title: 'RevokeGrant with DryRun',
      run: async () => {
        const { c, k, GrantId } = await withGrant();
        return { p: c.send(new RevokeGrantCommand({ KeyId: k.KeyId, GrantId, DryRun: true })), message: DRY };
      },
    },
    {
      op: 'RevokeGrant',
      exception: 'InvalidArnException',
      title: 'RevokeGrant with an ARN that is not a key ARN',
      run: async () => ({
        p: env().c.send(new RevokeGrantCommand({ KeyId: BAD_ARN, GrantId: NO_GRANT })),
        message: `'${BAD_ARN}' is not a valid KMS key ARN or alias ARN.`,
      }),
    },
    {
      op: 'RevokeGrant',
      exception: 'InvalidGrantIdException',
      title: 'RevokeGrant with a GrantId that is not 64 lowercase hex',
      run: async () => {
        const { c, k } = await withGrant();
        return {
          p: c.send(new RevokeGrantCommand({ KeyId: k.KeyId, GrantId: NO_GRANT.toUpperCase() })),
          message: `Invalid grantId '${NO_GRANT.toUpperCase()}'`,
        };
      },
    },
    {
      op: 'RevokeGrant',
      exception: 'NotFoundException',
      title: 'RevokeGrant of a grant the key does not have',
      run: async () => {
        const { c, k } = await withGrant();
        return {
          p: c.send(new RevokeGrantCommand({ KeyId: k.Arn, GrantId: NO_GRANT })),
          message: `Grant '${NO_GRANT}' does not exist for key '${k.Arn}'`,
        };
      },
    },
  ],
  excused: {
    DependencyTimeoutException:
      'The engine calls no dependency that could time out: every grant lives in the key record.',
    KMSInternalException: 'No input reaches an internal failure of the grant operations; only a broken store could.',
    'ListGrants:KMSInvalidStateException':
      'ListGrants works in every key state (the key-state table of the developer guide), so no key state refuses it.',
    'RetireGrant:KMSInvalidStateException':
      'RetireGrant works in every key state (the key-state table of the developer guide), so no key state refuses it.',
    'RevokeGrant:KMSInvalidStateException':
      'RevokeGrant works in every key state (the key-state table of the developer guide), so no key state refuses it.',
    'ListRetirableGrants:NotFoundException':
      'The engine has no IAM principals to look up: a retiring principal no grant names lists nothing instead.',
  },
};
