// TagResource (AWS KMS API Reference): adds tags to a customer managed key, or gives a tag key it
// already has a new value (the tag keeps its place in ListResourceTags). Order: validate input →
// resolve (key id or key ARN; an alias is NotFoundException "Invalid keyId", as for other
// key-only operations) → the tag rules (tags.ts: TagException as recorded) → key state
// (PendingDeletion / PendingReplicaDeletion → KMSInvalidStateException [3]; every other state,
// PendingImport included, may be tagged, as the key-state table says) → the 50-tags-per-key
// quota → write. Cross-account use: no (authorize refuses another account's key).

import { NotFoundException } from '../exceptions.js';
import { type OperationContext, transactional } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { wipeRecord } from '../store.js';
import { checkTaggable, checkTags, mergeTags } from '../tags.js';
import { validateInput } from '../validation.js';

export interface TagResourceInput {
  KeyId: string | undefined;
  Tags: { TagKey: string | undefined; TagValue: string | undefined }[] | undefined;
}

export type TagResourceOutput = Record<string, never>;

async function tagResourceUnlocked(ctx: OperationContext, input: TagResourceInput): Promise<TagResourceOutput> {
  validateInput('TagResource', input);
  const key = await resolveKey(ctx, input.KeyId as string, {
    allowAlias: false,
    arnCheck: true,
    action: 'TagResource',
  });
  try {
    // Cross-account use: no. (Unreachable while authorize refuses every other account.)
    if (key.account !== ctx.account) throw new NotFoundException(`Key '${key.arn}' does not exist`);
    const tags = checkTags(input.Tags);
    checkTaggable(key);
    key.tags = mergeTags(key.tags, tags);
    await ctx.store.putKey(key);
  } finally {
    wipeRecord(key);
  }
  return {};
}

/** TagResource, inside the store's transaction (context.ts transactional). */
export const tagResource = transactional(tagResourceUnlocked);
