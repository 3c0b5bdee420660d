// UntagResource (AWS KMS API Reference): removes the tags with the keys given from a customer
// managed key; a key the tags do not have is ignored. Order: validate input → resolve (key id or
// key ARN) → a tag key beginning with `aws:` is TagException "Tags beginning with aws: are
// reserved" (the recorded TagResource text; AWS's answer for UntagResource is not recorded) →
// key state (PendingDeletion / PendingReplicaDeletion → KMSInvalidStateException [3]) → write.
// Cross-account use: no (authorize refuses another account's key).

import { NotFoundException, TagException } from '../exceptions.js';
import { type OperationContext, transactional } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { wipeRecord } from '../store.js';
import { checkTaggable, removeTags } from '../tags.js';
import { validateInput } from '../validation.js';

export interface UntagResourceInput {
  KeyId: string | undefined;
  TagKeys: string[] | undefined;
}

export type UntagResourceOutput = Record<string, never>;

async function untagResourceUnlocked(ctx: OperationContext, input: UntagResourceInput): Promise<UntagResourceOutput> {
  validateInput('UntagResource', input);
  const key = await resolveKey(ctx, input.KeyId as string, {
    allowAlias: false,
    arnCheck: true,
    action: 'UntagResource',
  });
  try {
    // Cross-account use: no. (Unreachable while authorize refuses every other account.)
    if (key.account !== ctx.account) throw new NotFoundException(`Key '${key.arn}' does not exist`);
    const keys = input.TagKeys as string[];
    if (keys.some((k) => k.toLowerCase().startsWith('aws:')))
      throw new TagException('Tags beginning with aws: are reserved');
    checkTaggable(key);
    key.tags = removeTags(key.tags, keys);
    await ctx.store.putKey(key);
  } finally {
    wipeRecord(key);
  }
  return {};
}

/** UntagResource, inside the store's transaction (context.ts transactional). */
export const untagResource = transactional(untagResourceUnlocked);
