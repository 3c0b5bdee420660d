// CreateAlias (AWS KMS API Reference): the target is a key id or key ARN in the caller's account and
// Region; refused while the target is PendingDeletion [3]. An existing name gives
// AlreadyExistsException (wording LocalStack's, not recorded from AWS). The `alias/aws/`
// prefix is reserved: InvalidAliasNameException, as the model's error list for CreateAlias
// describes it (the message is this engine's wording).

import { validateInput } from '../validation.js';
import { AlreadyExistsException, InvalidAliasNameException, NotFoundException } from '../exceptions.js';
import { type OperationContext, transactional } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { authorizeAccount } from '../authorize.js';
import { invalidState } from '../key-state.js';
import { aliasArn } from '../store.js';

export interface CreateAliasInput {
  AliasName: string | undefined;
  TargetKeyId: string | undefined;
}

export type CreateAliasOutput = Record<string, never>;

async function createAliasUnlocked(ctx: OperationContext, input: CreateAliasInput): Promise<CreateAliasOutput> {
  validateInput('CreateAlias', input);
  const aliasName = input.AliasName as string;
  if (aliasName.startsWith('alias/aws/')) {
    throw new InvalidAliasNameException('Alias names that begin with "alias/aws/" are reserved for AWS managed keys.');
  }
  const arn = aliasArn(ctx.region, ctx.account, aliasName);
  // kms:CreateAlias on the alias (identity policies) and on the key (its key policy), as in AWS.
  authorizeAccount(ctx, 'CreateAlias', arn);
  const key = await resolveKey(ctx, input.TargetKeyId as string, { allowAlias: false, action: 'CreateAlias' });
  if (key.account !== ctx.account) throw new NotFoundException(`Key '${key.arn}' does not exist`);
  if (key.keyState === 'PendingDeletion' || key.keyState === 'PendingReplicaDeletion') throw invalidState(key);
  if ((await ctx.store.getAlias(ctx.account, ctx.region, aliasName)) !== undefined) {
    throw new AlreadyExistsException(`An alias with the name ${arn} already exists`);
  }
  const now = new Date();
  await ctx.store.putAlias({
    aliasName,
    account: ctx.account,
    region: ctx.region,
    aliasArn: arn,
    targetKeyId: key.keyId,
    creationDate: now,
    lastUpdatedDate: now,
  });
  return {};
}

/** CreateAlias, inside the store's transaction (context.ts transactional). */
export const createAlias = transactional(createAliasUnlocked);
