// ListResourceTags (AWS KMS API Reference): the tags of a key, in the order they were first added
// (tags.ts), a page of Limit (1..50, default 50) at a time. Works in every key state. The Marker
// is opaque: here the hex of "tags:<tag key of the last tag returned>", so a page starts after
// that tag wherever it now is. If that tag was removed meanwhile, where the next page starts
// cannot be known: InvalidMarkerException (message ours), as for a marker this engine did not
// issue.

import type { OperationContext } from '../context.js';
import { InvalidMarkerException, NotFoundException } from '../exceptions.js';
import { resolveKey } from '../key-resolution.js';
import { decodeMarker, encodeMarker } from '../pagination.js';
import { wipeRecord } from '../store.js';
import { wireTags } from '../tags.js';
import { validateInput } from '../validation.js';

export interface ListResourceTagsInput {
  KeyId: string | undefined;
  Limit?: number;
  Marker?: string;
}

export interface ListResourceTagsOutput {
  Tags?: { TagKey: string; TagValue: string }[];
  NextMarker?: string;
  Truncated?: boolean;
}

const MARKER_KIND = 'tags';

export async function listResourceTags(
  ctx: OperationContext,
  input: ListResourceTagsInput,
): Promise<ListResourceTagsOutput> {
  validateInput('ListResourceTags', input);
  const key = await resolveKey(ctx, input.KeyId as string, {
    allowAlias: false,
    arnCheck: true,
    action: 'ListResourceTags',
  });
  wipeRecord(key);
  // Cross-account use: no. (Unreachable while authorize refuses every other account.)
  if (key.account !== ctx.account) throw new NotFoundException(`Key '${key.arn}' does not exist`);
  const tags = wireTags(key.tags);
  let start = 0;
  if (input.Marker !== undefined) {
    const after = decodeMarker(MARKER_KIND, input.Marker);
    const at = tags.findIndex((t) => t.TagKey === after);
    if (at < 0) throw new InvalidMarkerException(`Invalid marker: ${input.Marker}`);
    start = at + 1;
  }
  const limit = input.Limit ?? 50;
  const items = tags.slice(start, start + limit);
  const truncated = start + limit < tags.length;
  const out: ListResourceTagsOutput = { Tags: items, Truncated: truncated };
  if (truncated) out.NextMarker = encodeMarker(MARKER_KIND, items[items.length - 1].TagKey);
  return out;
}
