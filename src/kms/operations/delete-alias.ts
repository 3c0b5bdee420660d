// DeleteAlias (AWS KMS API Reference): removes an alias of the caller's account and Region; the key it
// pointed at is untouched. A missing alias is NotFoundException ("Alias <arn> is not found.").

import { transactional, type OperationContext } from '../context.js';
import { aliasNotFound, checkAliasName } from '../key-resolution.js';
import { aliasArn } from '../store.js';
import { validateInput } from '../validation.js';

export interface DeleteAliasInput {
  AliasName: string | undefined;
}

export type DeleteAliasOutput = Record<string, never>;

async function deleteAliasUnlocked(ctx: OperationContext, input: DeleteAliasInput): Promise<DeleteAliasOutput> {
  validateInput('DeleteAlias', input);
  const aliasName = input.AliasName as string;
  checkAliasName(aliasName);
  if (!(await ctx.store.deleteAlias(ctx.account, ctx.region, aliasName))) {
    throw aliasNotFound(aliasArn(ctx.region, ctx.account, aliasName));
  }
  return {};
}

/** DeleteAlias, inside the store's transaction (context.ts transactional). */
export const deleteAlias = transactional(deleteAliasUnlocked);
