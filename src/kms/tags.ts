// The tags of a KMS key (TagResource, UntagResource, ListResourceTags, and the Tags of CreateKey
// and ReplicateKey): the service's rules beyond the schema, and the conversions between the wire
// form ({TagKey, TagValue}) and the record form ({key, value}, records.ts).
//
// Rules, with KMS's recorded answers [AWS-REC]:
//   - a TagKey of 1..128 characters and a TagValue of 0..256: ValidationException in the Coral
//     format at 'tags.N.member.tagKey' / 'tags.N.member.tagValue' (what the schema check says
//     first; repeated here for callers that build tags themselves);
//   - more than 50 tags in a request: TagException "Too many tags";
//   - a key beginning with `aws:` in any case: TagException "Tags beginning with aws: are reserved";
//   - a key twice in one request: TagException "Duplicate tag keys".
// Which rule wins when several fail is not recorded; this order is ours. More than 50 tags on a
// key after TagResource is the same TagException "Too many tags" (the 50-per-key quota; that
// answer to an existing key's overflow is not recorded).
//
// Order: tags keep the order they were first added in; a key given again keeps its place and
// takes the new value. The recordings (test_update_and_add_tags_on_tagged_key,
// test_untag_key_partially) list tags in that order.

import { TagException, ValidationException } from './exceptions.js';
import { invalidState } from './key-state.js';
import type { TagRecord } from './records.js';
import type { KeyRecord } from './store.js';
import { formatValidationMessage } from './validation.js';

/** At most this many tags on a key and in one request. */
export const MAX_TAGS = 50;
const MAX_KEY_CHARS = 128;
const MAX_VALUE_CHARS = 256;

const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** The Coral length violations of one tag member (null, too short, too long), as validateInput words them. */
function lengthViolations(v: unknown, path: string, min: number, max: number, out: string[]): void {
  if (v === undefined || v === null) {
    out.push(`Value null at '${path}' failed to satisfy constraint: Member must not be null`);
    return;
  }
  const s = String(v);
  const n = codePoints(s);
  if (n < min)
    out.push(
      `Value '${s}' at '${path}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`,
    );
  if (n > max)
    out.push(
      `Value '${s}' at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
    );
}

/**
 * Checks a request's tags (CreateKey, TagResource, ReplicateKey) and returns them as records, in
 * the order given. Throws ValidationException for a length violation and TagException for the
 * service's rules (header). `undefined` is no tags.
 */
export function checkTags(tags: readonly { TagKey?: string; TagValue?: string }[] | undefined): TagRecord[] {
  if (tags === undefined) return [];
  const violations: string[] = [];
  tags.forEach((t, i) => {
    lengthViolations(t.TagKey, `tags.${i + 1}.member.tagKey`, 1, MAX_KEY_CHARS, violations);
    lengthViolations(t.TagValue, `tags.${i + 1}.member.tagValue`, 0, MAX_VALUE_CHARS, violations);
  });
  if (violations.length > 0) throw new ValidationException(formatValidationMessage(violations));
  const records = tags.map((t) => ({ key: t.TagKey as string, value: t.TagValue as string }));
  if (records.length > MAX_TAGS) throw new TagException('Too many tags');
  if (records.some((t) => t.key.toLowerCase().startsWith('aws:')))
    throw new TagException('Tags beginning with aws: are reserved');
  if (new Set(records.map((t) => t.key)).size !== records.length) throw new TagException('Duplicate tag keys');
  return records;
}

/**
 * The tags of a key after `add` (checked by checkTags): a key already there keeps its place and
 * takes the new value, a new key goes last. TagException "Too many tags" if the key would carry
 * more than 50. Returns a new array; `existing` is not changed.
 */
export function mergeTags(existing: readonly TagRecord[] | undefined, add: readonly TagRecord[]): TagRecord[] {
  const merged = (existing ?? []).map((t) => ({ key: t.key, value: t.value }));
  const index = new Map(merged.map((t, i) => [t.key, i]));
  for (const t of add) {
    const at = index.get(t.key);
    if (at !== undefined) merged[at].value = t.value;
    else {
      index.set(t.key, merged.length);
      merged.push({ key: t.key, value: t.value });
    }
  }
  if (merged.length > MAX_TAGS) throw new TagException('Too many tags');
  return merged;
}

/** The tags of a key without the keys given (keys it does not have are ignored). A new array. */
export function removeTags(existing: readonly TagRecord[] | undefined, keys: readonly string[]): TagRecord[] {
  const drop = new Set(keys);
  return (existing ?? []).filter((t) => !drop.has(t.key)).map((t) => ({ key: t.key, value: t.value }));
}

/** A key's tags in the wire form of ListResourceTags and the Tags inputs, in the key's order. */
export function wireTags(records: readonly TagRecord[] | undefined): { TagKey: string; TagValue: string }[] {
  return (records ?? []).map((t) => ({ TagKey: t.key, TagValue: t.value }));
}

/**
 * TagResource and UntagResource refuse a key pending deletion (key-state table, footnote [3]:
 * KMSInvalidStateException "<ARN> is pending deletion."); every other state may be tagged.
 */
export function checkTaggable(key: KeyRecord): void {
  if (key.keyState === 'PendingDeletion' || key.keyState === 'PendingReplicaDeletion') throw invalidState(key);
}
