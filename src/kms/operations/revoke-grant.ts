// RevokeGrant (AWS KMS API Reference): deletes a grant of a KMS key, named by the key (key id or
// key ARN; another account's key ARN is resolved and authorized like any key, as RevokeGrant is
// cross-account in AWS) and the grant id. Works in every key state (key-state table). Order:
// validate → grant id (not 64 lowercase hex: InvalidGrantIdException) → resolve → the grant
// (NotFoundException when the key has none of that id) → DryRun → work.

import { type OperationContext, transactional } from '../context.js';
import { checkGrantId, grantNotFound } from '../grants.js';
import { resolveKey } from '../key-resolution.js';
import { checkDryRun } from '../key-state.js';
import { wipeRecord } from '../store.js';
import { validateInput } from '../validation.js';

export interface RevokeGrantInput {
  KeyId: string | undefined;
  GrantId: string | undefined;
  DryRun?: boolean;
}

export type RevokeGrantOutput = Record<string, never>;

async function revokeGrantUnlocked(ctx: OperationContext, input: RevokeGrantInput): Promise<RevokeGrantOutput> {
  validateInput('RevokeGrant', input);
  const grantId = input.GrantId as string;
  checkGrantId(grantId);
  const key = await resolveKey(ctx, input.KeyId as string, {
    allowAlias: false,
    arnCheck: true,
    action: 'RevokeGrant',
  });
  try {
    const grants = key.grants ?? [];
    if (!grants.some((g) => g.grantId === grantId)) throw grantNotFound(grantId, key.arn);
    checkDryRun(input.DryRun);
    key.grants = grants.filter((g) => g.grantId !== grantId);
    // The record is wiped below, but the grant dropped from it would not be: its own token key
    // (grants made before the per-key token secret) is zeroed here.
    for (const g of grants) if (g.grantId === grantId) g.tokenKey?.fill(0);
    await ctx.store.putKey(key);
    return {};
  } finally {
    wipeRecord(key);
  }
}

/** RevokeGrant, inside the store's transaction (context.ts transactional). */
export const revokeGrant = transactional(revokeGrantUnlocked);
