// ListAliases (AWS KMS API Reference): the caller's aliases in the caller's Region, ordered by alias
// name; optionally only those of one key (KeyId: key id or key ARN; a missing key is
// NotFoundException). Works in every key state. Limit 1..100 (default 50), opaque Marker as in
// ListKeys. This engine has no AWS managed keys, so no `alias/aws/...` entries appear.

import type { OperationContext } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { accessDenied, authorizeAccount } from '../authorize.js';
import { compareStrings, page } from '../pagination.js';
import { validateInput } from '../validation.js';

export interface ListAliasesInput {
  KeyId?: string;
  Limit?: number;
  Marker?: string;
}

export interface AliasListEntry {
  AliasName?: string;
  AliasArn?: string;
  TargetKeyId?: string;
  CreationDate?: Date;
  LastUpdatedDate?: Date;
}

export interface ListAliasesOutput {
  Aliases?: AliasListEntry[];
  NextMarker?: string;
  Truncated?: boolean;
}

export async function listAliases(ctx: OperationContext, input: ListAliasesInput): Promise<ListAliasesOutput> {
  validateInput('ListAliases', input);
  // kms:ListAliases is granted by identity policies (resource *), as in AWS.
  authorizeAccount(ctx, 'ListAliases');
  let aliases = await ctx.store.listAliases(ctx.account, ctx.region);
  if (input.KeyId !== undefined) {
    const key = await resolveKey(ctx, input.KeyId, {
      allowAlias: false,
      arnCheck: true,
      action: 'ListAliases',
      skipAuthorize: true,
    });
    for (const m of key.keyMaterials) m.material.fill(0);
    // Aliases belong to their account: another account's key lists none of them to the caller.
    if (key.account !== ctx.account) throw accessDenied(ctx, 'ListAliases', key.arn);
    aliases = aliases.filter((a) => a.account === key.account && a.targetKeyId === key.keyId);
  }
  aliases.sort((a, b) => compareStrings(a.aliasName, b.aliasName));
  const { items, nextMarker } = page(aliases, (a) => a.aliasName, 'aliases', input.Limit ?? 50, input.Marker);
  const out: ListAliasesOutput = {
    Aliases: items.map((a) => ({
      AliasName: a.aliasName,
      AliasArn: a.aliasArn,
      TargetKeyId: a.targetKeyId,
      CreationDate: new Date(a.creationDate.getTime()),
      LastUpdatedDate: new Date(a.lastUpdatedDate.getTime()),
    })),
    Truncated: nextMarker !== undefined,
  };
  if (nextMarker !== undefined) out.NextMarker = nextMarker;
  return out;
}
