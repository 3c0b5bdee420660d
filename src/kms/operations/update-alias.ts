// UpdateAlias (AWS KMS API Reference): points an existing alias at another key of the caller's
// account and Region, given as key id or key ARN. The new target must be of the same type
// (symmetric, asymmetric or HMAC) and key usage as the current one, and not PendingDeletion [3].
// A missing alias is NotFoundException ("Alias <arn> is not found.", as resolveKey words it).
// Messages for the prefix rule are the recorded CreateAlias ones; the type/usage mismatch text
// is ours (ValidationException).

import { NotFoundException, ValidationException } from '../exceptions.js';
import { type OperationContext, transactional } from '../context.js';
import { aliasNotFound, checkAliasName, resolveKey } from '../key-resolution.js';
import { authorize, authorizeAccount } from '../authorize.js';
import { invalidState } from '../key-state.js';
import { aliasArn, type KeyRecord } from '../store.js';
import { validateInput } from '../validation.js';

export interface UpdateAliasInput {
  AliasName: string | undefined;
  TargetKeyId: string | undefined;
}

export type UpdateAliasOutput = Record<string, never>;

function keyType(key: KeyRecord): string {
  if (key.keySpec === 'SYMMETRIC_DEFAULT') return 'SYMMETRIC';
  if (key.keySpec.startsWith('HMAC_')) return 'HMAC';
  return 'ASYMMETRIC';
}

async function updateAliasUnlocked(ctx: OperationContext, input: UpdateAliasInput): Promise<UpdateAliasOutput> {
  validateInput('UpdateAlias', input);
  const aliasName = input.AliasName as string;
  checkAliasName(aliasName);
  // kms:UpdateAlias on the alias (identity policies), on the new key and on the current key (their key policies).
  authorizeAccount(ctx, 'UpdateAlias', aliasArn(ctx.region, ctx.account, aliasName));
  const key = await resolveKey(ctx, input.TargetKeyId as string, { allowAlias: false, action: 'UpdateAlias' });
  for (const m of key.keyMaterials) m.material.fill(0);
  if (key.account !== ctx.account) throw new NotFoundException(`Key '${key.arn}' does not exist`);
  if (key.keyState === 'PendingDeletion' || key.keyState === 'PendingReplicaDeletion') throw invalidState(key);
  const arn = aliasArn(ctx.region, ctx.account, aliasName);
  const alias = await ctx.store.getAlias(ctx.account, ctx.region, aliasName);
  if (alias === undefined) throw aliasNotFound(arn);
  const current = await ctx.store.getKey(ctx.account, ctx.region, alias.targetKeyId);
  if (current !== undefined) {
    for (const m of current.keyMaterials) m.material.fill(0);
    const pending = authorize(ctx, current, 'UpdateAlias');
    if (pending !== undefined) await pending;
    if (keyType(current) !== keyType(key) || current.keyUsage !== key.keyUsage) {
      throw new ValidationException(
        `Alias ${arn} cannot be updated to ${key.arn}: the current and new KMS key must be of the same type ` +
          `(${keyType(current)}, ${current.keyUsage}) but the new key is ${keyType(key)}, ${key.keyUsage}.`,
      );
    }
  }
  alias.targetKeyId = key.keyId;
  alias.lastUpdatedDate = new Date();
  await ctx.store.putAlias(alias);
  return {};
}

/** UpdateAlias, inside the store's transaction (context.ts transactional). */
export const updateAlias = transactional(updateAliasUnlocked);
