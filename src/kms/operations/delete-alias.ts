// DeleteAlias (AWS KMS API Reference): removes an alias of the caller's account and Region; the key it
// pointed at is untouched. A missing alias is NotFoundException ("Alias <arn> is not found.").

import { transactional, type OperationContext } from '../context.js';
import { aliasNotFound, checkAliasName } from '../key-resolution.js';
import { aliasArn, wipeRecord } from '../store.js';
import { authorize, authorizeAccount } from '../authorize.js';
import { validateInput } from '../validation.js';

export interface DeleteAliasInput {
  AliasName: string | undefined;
}

export type DeleteAliasOutput = Record<string, never>;

async function deleteAliasUnlocked(ctx: OperationContext, input: DeleteAliasInput): Promise<DeleteAliasOutput> {
  validateInput('DeleteAlias', input);
  const aliasName = input.AliasName as string;
  checkAliasName(aliasName);
  const arn = aliasArn(ctx.region, ctx.account, aliasName);
  // kms:DeleteAlias on the alias (identity policies) and on its key (the key policy), as in AWS.
  authorizeAccount(ctx, 'DeleteAlias', arn);
  const alias = await ctx.store.getAlias(ctx.account, ctx.region, aliasName);
  if (alias === undefined) throw aliasNotFound(arn);
  const key = await ctx.store.getKey(ctx.account, ctx.region, alias.targetKeyId);
  if (key !== undefined) {
    try {
      const pending = authorize(ctx, key, 'DeleteAlias');
      if (pending !== undefined) await pending;
    } finally {
      wipeRecord(key);
    }
  }
  if (!(await ctx.store.deleteAlias(ctx.account, ctx.region, aliasName))) throw aliasNotFound(arn);
  return {};
}

/** DeleteAlias, inside the store's transaction (context.ts transactional). */
export const deleteAlias = transactional(deleteAliasUnlocked);
