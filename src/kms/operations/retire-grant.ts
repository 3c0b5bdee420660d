// RetireGrant (AWS KMS API Reference): deletes a grant, named by a grant token, or by its key
// (key id or key ARN) and grant id. Works in every key state (key-state table). Who may retire is
// decided by the grant first, as in AWS: its retiring principal, and its grantee when the grant's
// operations include RetireGrant, may retire it, in any account; anyone else needs kms:RetireGrant
// on the key from its key policy and identity policies (authorize.ts).
//
// Order: validate → which grant (neither a token nor KeyId and GrantId: ValidationException) →
// a token that is not of this engine's form: InvalidGrantTokenException; a grant id that is not 64
// lowercase hex: InvalidGrantIdException → the key (NotFoundException) → the grant
// (NotFoundException) → the token's MAC (InvalidGrantTokenException) → DryRun → work. A token given
// with a KeyId or GrantId must name the same key and grant (ValidationException). Messages of the
// rules beyond the key's are this engine's; AWS's are not recorded.

import { InvalidGrantTokenException, NotFoundException, ValidationException } from '../exceptions.js';
import { type OperationContext, transactional } from '../context.js';
import { checkGrantId, grantNotFound, grantTokenVerifies, parseGrantToken, type ParsedGrantToken } from '../grants.js';
import { resolveKey } from '../key-resolution.js';
import { checkDryRun } from '../key-state.js';
import { type KeyRecord, wipeRecord } from '../store.js';
import type { GrantRecord } from '../records.js';
import { accessDenied, authorize, callerOf } from '../authorize.js';
import { validateInput } from '../validation.js';

export interface RetireGrantInput {
  GrantToken?: string;
  KeyId?: string;
  GrantId?: string;
  DryRun?: boolean;
}

export type RetireGrantOutput = Record<string, never>;

async function retireGrantUnlocked(ctx: OperationContext, input: RetireGrantInput): Promise<RetireGrantOutput> {
  validateInput('RetireGrant', input);
  if (input.GrantToken === undefined && (input.KeyId === undefined || input.GrantId === undefined)) {
    throw new ValidationException('Either GrantToken, or both KeyId and GrantId, must be specified.');
  }
  const token = input.GrantToken === undefined ? undefined : parseGrantToken(input.GrantToken);
  if (input.GrantId !== undefined) checkGrantId(input.GrantId);
  if (token !== undefined && input.GrantId !== undefined && input.GrantId !== token.grantId) {
    throw new ValidationException('The GrantId does not name the grant of the GrantToken.');
  }
  const key = await keyOf(ctx, input, token);
  try {
    if (token !== undefined && key.arn !== token.keyArn) {
      throw new ValidationException('The KeyId does not name the key of the GrantToken.');
    }
    const grantId = token?.grantId ?? (input.GrantId as string);
    const grants = key.grants ?? [];
    const grant = grants.find((g) => g.grantId === grantId);
    if (grant === undefined) {
      // No grant to speak for the caller: only a caller the policies let retire grants on this key
      // learns that the grant is not there.
      const pending = authorize(ctx, key, 'RetireGrant');
      if (pending !== undefined) await pending;
      throw grantNotFound(grantId, key.arn);
    }
    if (token !== undefined && !grantTokenVerifies(ctx, token, key, grant)) {
      throw new InvalidGrantTokenException('The grant token is not valid.');
    }
    if (!mayRetire(ctx, grant)) {
      const pending = authorize(ctx, key, 'RetireGrant');
      if (pending !== undefined) await pending;
    }
    checkDryRun(input.DryRun);
    key.grants = grants.filter((g) => g !== grant);
    // The record is wiped below, but the grant dropped from it would not be: its own token key
    // (grants made before the per-key token secret) is zeroed here.
    grant.tokenKey?.fill(0);
    await ctx.store.putKey(key);
    return {};
  } finally {
    wipeRecord(key);
  }
}

/** The key of the grant: the KeyId's when given, else the token's. */
async function keyOf(ctx: OperationContext, input: RetireGrantInput, token: ParsedGrantToken | undefined) {
  if (input.KeyId !== undefined) {
    return resolveKey(ctx, input.KeyId, {
      allowAlias: false,
      arnCheck: true,
      action: 'RetireGrant',
      skipAuthorize: true,
    });
  }
  const t = token as ParsedGrantToken;
  const key: KeyRecord | undefined =
    t.region === ctx.region ? await ctx.store.getKey(t.account, t.region, t.keyId) : undefined;
  if (key === undefined) {
    // The token is not verified yet: another account learns nothing of which keys exist there.
    if (t.account !== ctx.account) throw accessDenied(ctx, 'RetireGrant', t.keyArn);
    // [AWS-REC] wording of a missing key, as resolveKey has it.
    throw new NotFoundException(`Key '${t.keyArn}' does not exist`);
  }
  return key;
}

/** The caller is the grant's retiring principal, or its grantee and the grant allows RetireGrant. */
function mayRetire(ctx: OperationContext, grant: GrantRecord): boolean {
  const caller = callerOf(ctx);
  const names = (p: string | undefined) => p !== undefined && (p === caller.arn || p === caller.principalArn);
  // The account that created the grant may retire it too (its root here; its users and roles
  // through kms:RetireGrant in the policies).
  return (
    names(grant.retiringPrincipal) ||
    (names(grant.granteePrincipal) && grant.operations.includes('RetireGrant')) ||
    (caller.root && grant.issuingAccount === caller.arn)
  );
}

/** RetireGrant, inside the store's transaction (context.ts transactional). */
export const retireGrant = transactional(retireGrantUnlocked);
