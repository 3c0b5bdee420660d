// Error cases of this group's operations (format: types.ts): TagResource, UntagResource,
// ListResourceTags.
import {
  ListResourceTagsCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '../../../src/kms/index.js';
import { env, ghostArn, type ErrorCase, type ErrorTable } from './types.js';

const NOT_KMS_ARN = 'arn:aws:s3:::bucket';
const notKmsArn = `'${NOT_KMS_ARN}' is not a valid KMS key ARN or alias ARN.`;
const tag = (k: string, v: string) => ({ TagKey: k, TagValue: v });

async function pendingDeletion() {
  const e = env();
  const k = await e.key({ Tags: [tag('t', 'v')] });
  await e.c.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId, PendingWindowInDays: 7 }));
  return { ...e, k };
}

const cases: ErrorCase[] = [
  // TagResource
  {
    op: 'TagResource',
    exception: 'InvalidArnException',
    title: 'TagResource: an ARN that is not a KMS key or alias ARN',
    run: async () => ({
      p: env().c.send(new TagResourceCommand({ KeyId: NOT_KMS_ARN, Tags: [tag('a', 'b')] })),
      message: notKmsArn,
    }),
  },
  {
    op: 'TagResource',
    exception: 'KMSInvalidStateException',
    title: 'TagResource: a key pending deletion',
    run: async () => {
      const { c, k } = await pendingDeletion();
      return {
        p: c.send(new TagResourceCommand({ KeyId: k.KeyId, Tags: [tag('a', 'b')] })),
        message: `${k.Arn} is pending deletion.`,
      };
    },
  },
  {
    op: 'TagResource',
    exception: 'NotFoundException',
    title: 'TagResource: a key that does not exist',
    run: async () => ({
      p: env().c.send(new TagResourceCommand({ KeyId: ghostArn(), Tags: [tag('a', 'b')] })),
      message: `Key '${ghostArn()}' does not exist`,
    }),
  },
  {
    op: 'TagResource',
    exception: 'TagException',
    title: 'TagResource: the same tag key twice',
    recorded: ['TestKMS::test_tag_key_with_duplicate_tag_keys_raises_error', 'duplicate-tag-keys'],
    run: async () => {
      const e = env();
      const k = await e.key();
      return {
        p: e.c.send(new TagResourceCommand({ KeyId: k.KeyId, Tags: [tag('a', '1'), tag('a', '2')] })),
        message: 'Duplicate tag keys',
      };
    },
  },
  {
    op: 'TagResource',
    exception: 'TagException',
    title: 'TagResource: a tag key beginning with aws:',
    recorded: ['TestKMS::test_tag_existing_key_with_invalid_tag_key', 'invalid-tag-key'],
    run: async () => {
      const e = env();
      const k = await e.key();
      return {
        p: e.c.send(new TagResourceCommand({ KeyId: k.KeyId, Tags: [tag('aws:team', 'a')] })),
        message: 'Tags beginning with aws: are reserved',
      };
    },
  },
  {
    op: 'TagResource',
    exception: 'TagException',
    title: 'TagResource: a 51st tag on a key',
    run: async () => {
      const e = env();
      const k = await e.key({ Tags: Array.from({ length: 50 }, (_, i) => tag(`k${i}`, 'v')) });
      return {
        p: e.c.send(new TagResourceCommand({ KeyId: k.KeyId, Tags: [tag('k50', 'v')] })),
        message: 'Too many tags',
      };
    },
  },
  // UntagResource
  {
    op: 'UntagResource',
    exception: 'InvalidArnException',
    title: 'UntagResource: an ARN that is not a KMS key or alias ARN',
    run: async () => ({
      p: env().c.send(new UntagResourceCommand({ KeyId: NOT_KMS_ARN, TagKeys: ['a'] })),
      message: notKmsArn,
    }),
  },
  {
    op: 'UntagResource',
    exception: 'KMSInvalidStateException',
    title: 'UntagResource: a key pending deletion',
    run: async () => {
      const { c, k } = await pendingDeletion();
      return {
        p: c.send(new UntagResourceCommand({ KeyId: k.KeyId, TagKeys: ['t'] })),
        message: `${k.Arn} is pending deletion.`,
      };
    },
  },
  {
    op: 'UntagResource',
    exception: 'NotFoundException',
    title: 'UntagResource: a key that does not exist',
    run: async () => ({
      p: env().c.send(new UntagResourceCommand({ KeyId: ghostArn(), TagKeys: ['a'] })),
      message: `Key '${ghostArn()}' does not exist`,
    }),
  },
  {
    op: 'UntagResource',
    exception: 'TagException',
    title: 'UntagResource: a tag key beginning with aws: (the TagResource text; unrecorded for UntagResource)',
    run: async () => {
      const e = env();
      const k = await e.key();
      return {
        p: e.c.send(new UntagResourceCommand({ KeyId: k.KeyId, TagKeys: ['AWS:team'] })),
        message: 'Tags beginning with aws: are reserved',
      };
    },
  },
  // ListResourceTags
  {
    op: 'ListResourceTags',
    exception: 'InvalidArnException',
    title: 'ListResourceTags: an ARN that is not a KMS key or alias ARN',
    run: async () => ({ p: env().c.send(new ListResourceTagsCommand({ KeyId: NOT_KMS_ARN })), message: notKmsArn }),
  },
  {
    op: 'ListResourceTags',
    exception: 'InvalidMarkerException',
    title: 'ListResourceTags: a marker this engine did not issue',
    run: async () => {
      const e = env();
      const k = await e.key();
      return {
        p: e.c.send(new ListResourceTagsCommand({ KeyId: k.KeyId, Marker: 'not-a-marker' })),
        message: 'Invalid marker: not-a-marker',
      };
    },
  },
  {
    op: 'ListResourceTags',
    exception: 'NotFoundException',
    title: 'ListResourceTags: a key that does not exist',
    run: async () => ({
      p: env().c.send(new ListResourceTagsCommand({ KeyId: ghostArn() })),
      message: `Key '${ghostArn()}' does not exist`,
    }),
  },
];

export const table: ErrorTable = {
  ops: ['TagResource', 'UntagResource', 'ListResourceTags'],
  cases,
  excused: {
    KMSInternalException: 'reserved for faults of the engine itself; no input or key state makes it raise one',
    'TagResource:LimitExceededException':
      'the only quota on tags is 50 per key, which KMS answers with TagException "Too many tags" (recorded for CreateKey), as this engine does',
  },
};
