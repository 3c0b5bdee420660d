// ListKeys (AWS KMS API Reference): the caller's keys in the caller's Region, ordered by key id so that
// paging is stable. Limit 1..1000 (default 100). The Marker is opaque to callers: here the hex of
// "keys:<last key id returned>", so keys created between pages neither repeat nor shift a page.
// A marker this engine did not issue gives InvalidMarkerException (message ours).

import type { OperationContext } from '../context.js';
import { compareStrings, page } from '../pagination.js';
import { validateInput } from '../validation.js';
import { authorizeAccount } from '../authorize.js';

export interface ListKeysInput {
  Limit?: number;
  Marker?: string;
}

export interface KeyListEntry {
  KeyId?: string;
  KeyArn?: string;
}

export interface ListKeysOutput {
  Keys?: KeyListEntry[];
  NextMarker?: string;
  Truncated?: boolean;
}

export async function listKeys(ctx: OperationContext, input: ListKeysInput): Promise<ListKeysOutput> {
  validateInput('ListKeys', input);
  authorizeAccount(ctx, 'ListKeys');
  const keys = (await ctx.store.listKeys(ctx.account, ctx.region)).sort((a, b) => compareStrings(a.keyId, b.keyId));
  const { items, nextMarker } = page(keys, (k) => k.keyId, 'keys', input.Limit ?? 100, input.Marker);
  for (const k of keys) for (const m of k.keyMaterials) m.material.fill(0);
  const out: ListKeysOutput = {
    Keys: items.map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })),
    Truncated: nextMarker !== undefined,
  };
  if (nextMarker !== undefined) out.NextMarker = nextMarker;
  return out;
}
