// Resolving the KeyId input of an operation (key id, key ARN, alias name, alias ARN) to the key
// record it names, once authorize (authorize.ts) allows the caller's action on it; the key a
// ciphertext blob names; and the alias name rules and not-found answer the alias operations
// share. Operations call these in AWS's order: validate input → resolve key → authorize → key
// state → key usage → DryRun → work.

import {
  InvalidArnException,
  InvalidCiphertextException,
  NotFoundException,
  ValidationException,
} from './exceptions.js';
import { aliasArn, keyArn, partitionOf, type KeyRecord } from './store.js';
import { accessDenied, authorize, type KeyAction } from './authorize.js';
import type { OperationContext } from './context.js';
import { applyImportExpiry } from './key-import.js';
import { noteCustomKeyStoreConnection } from './custom-key-stores.js';
import { rotateIfDue } from './rotation.js';

export interface ResolveOptions {
  /** The `kms:` action the caller is about to perform on the key; authorize (authorize.ts) decides. */
  action: KeyAction;
  /** The KeyId is the key ARN of a ciphertext blob's header, not the caller's input (authorize.ts). */
  viaCiphertext?: boolean;
  /** False for operations that take only a key id or key ARN (EnableKey, DisableKey, CreateAlias's target...). */
  allowAlias?: boolean;
  /**
   * True for the operations whose model lists InvalidArnException (DescribeKey, ListAliases,
   * EnableKey, DisableKey, ScheduleKeyDeletion, CancelKeyDeletion): a KeyId that starts with
   * `arn:` but is not a KMS key or alias ARN gets InvalidArnException there, and
   * NotFoundException "Invalid keyId" elsewhere (the operations whose model does not list it).
   */
  arnCheck?: boolean;
  /**
   * The caller decides after it has read the key (RetireGrant: a grant's retiring principal and
   * grantee may retire it whatever the policies say), and calls authorize itself otherwise.
   */
  skipAuthorize?: boolean;
}

const ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):(key\/.+|alias\/.+)$/;

function keyNotFound(arn: string): NotFoundException {
  // [AWS-REC] "Key 'arn:aws:kms:<r>:<acct>:key/<id>' does not exist"
  return new NotFoundException(`Key '${arn}' does not exist`);
}

export function aliasNotFound(arn: string): NotFoundException {
  // The wording LocalStack and local-kms use (AWS's is unrecorded).
  return new NotFoundException(`Alias ${arn} is not found.`);
}

/** The prefix rules CreateAlias applies, shared by UpdateAlias and DeleteAlias. */
export function checkAliasName(aliasName: string): void {
  if (!aliasName.startsWith('alias/')) {
    throw new ValidationException(
      'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    );
  }
  if (aliasName.startsWith('alias/aws/')) {
    throw new ValidationException('Alias names that begin with "alias/aws/" are reserved for AWS managed keys.');
  }
}

/**
 * The key a KeyId input names, once the caller is authorized for `options.action` on it: a key
 * id, a key ARN, an alias name (`alias/x`) or an alias ARN. A bare id or alias name resolves only
 * in the caller's account; an ARN may name another account, whose keys are then subject to
 * authorize (authorize.ts: the default key policy refuses every other account). An ARN naming
 * another Region does not exist from the caller's Region: NotFoundException.
 *
 * In another account, a key or alias that does not exist is AccessDeniedException too, not
 * NotFoundException: there is no key policy that could allow the caller, and a caller without
 * access learns nothing about which keys exist there. (AWS's answer for this case is not
 * recorded; this is what its authorization model implies and what a careful user expects.)
 *
 * A key of a custom key store that is not connected reads as Unavailable to the key-state rules
 * (custom-key-stores.ts noteCustomKeyStoreConnection).
 */
export async function resolveKey(
  ctx: OperationContext,
  keyIdInput: string,
  options: ResolveOptions,
): Promise<KeyRecord> {
  const record = await findKey(ctx, keyIdInput, options);
  if (!options.skipAuthorize) {
    // authorize decides synchronously unless a policy reads the key's aliases.
    // Another account's key reached through its alias: a refusal names the alias, not the key.
    const shownAs = aliasShown.get(record);
    const pending = authorize(ctx, record, options.action, { viaCiphertext: options.viaCiphertext, shownAs });
    if (pending !== undefined) await pending;
  }
  // Each step below is awaited only for the keys it can concern: the hot path (a key of
  // AWS_KMS origin, outside custom key stores, without automatic rotation) awaits none of them.
  // Imported key material past its ValidTo is gone (key-import.ts), whatever the operation.
  if (record.origin === 'EXTERNAL') await applyImportExpiry(ctx, record);
  if (record.customKeyStoreId !== undefined) await noteCustomKeyStoreConnection(ctx, record);
  // Automatic rotation due by now is made first (rotation.ts); a key not due costs one comparison.
  return record.rotationSince === undefined ? record : rotateIfDue(ctx, record);
}

async function findKey(ctx: OperationContext, keyIdInput: string, options: ResolveOptions): Promise<KeyRecord> {
  const allowAlias = options.allowAlias ?? true;
  const m = ARN.exec(keyIdInput);
  if (m !== null) {
    const [, partition, region, account, resource] = m;
    // An ARN of another partition names nothing the caller's Region can see, like one of
    // another Region (this engine's choice; AWS's answer is unrecorded).
    const elsewhere = region !== ctx.region || partition !== partitionOf(ctx.region);
    if (resource.startsWith('alias/')) {
      if (!allowAlias) throw invalidKeyId(keyIdInput);
      if (elsewhere) throw aliasNotFound(keyIdInput);
      return resolveAlias(ctx, account, resource, options);
    }
    const id = resource.slice('key/'.length);
    // [AWS-REC] DescribeKey with the ARN of a key in another Region: "Invalid arn <that region>".
    if (region !== ctx.region) throw new NotFoundException(`Invalid arn ${region}`);
    if (elsewhere) throw keyNotFound(keyIdInput);
    const record = await ctx.store.getKey(account, region, id);
    if (record === undefined)
      throw account === ctx.account ? keyNotFound(keyIdInput) : denied(ctx, options, keyIdInput);
    return record;
  }
  if (keyIdInput.startsWith('arn:')) {
    // The message is this engine's wording; AWS's is unrecorded.
    if (options.arnCheck) throw new InvalidArnException(`'${keyIdInput}' is not a valid KMS key ARN or alias ARN.`);
    throw invalidKeyId(keyIdInput);
  }
  if (keyIdInput.startsWith('alias/')) {
    if (!allowAlias) throw invalidKeyId(keyIdInput);
    return resolveAlias(ctx, ctx.account, keyIdInput, options);
  }
  // [AWS-REC] a bare key id that is neither a UUID nor mrk- + 32 hex: "Invalid keyId '<value>'".
  if (!KEY_ID.test(keyIdInput)) throw invalidKeyId(keyIdInput);
  const record = await ctx.store.getKey(ctx.account, ctx.region, keyIdInput);
  if (record === undefined) throw keyNotFound(keyArn(ctx.region, ctx.account, keyIdInput));
  return record;
}

/** Key records found through another account's alias ARN, with that ARN (resolveKey names it in refusals). */
const aliasShown = new WeakMap<KeyRecord, string>();

const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

async function resolveAlias(
  ctx: OperationContext,
  account: string,
  aliasName: string,
  options: ResolveOptions,
): Promise<KeyRecord> {
  const arn = aliasArn(ctx.region, account, aliasName);
  const alias = await ctx.store.getAlias(account, ctx.region, aliasName);
  if (alias === undefined) throw account === ctx.account ? aliasNotFound(arn) : denied(ctx, options, arn);
  const target = keyArn(ctx.region, account, alias.targetKeyId);
  const record = await ctx.store.getKey(account, ctx.region, alias.targetKeyId);
  if (record === undefined) throw account === ctx.account ? keyNotFound(target) : denied(ctx, options, arn);
  if (account !== ctx.account) aliasShown.set(record, arn);
  return record;
}

/** AccessDeniedException for a key or alias of another account that does not exist. */
function denied(ctx: OperationContext, options: ResolveOptions, arn: string) {
  return accessDenied(ctx, options.action, options.viaCiphertext ? undefined : arn);
}

// [AWS-REC] for malformed key ids: NotFoundException "Invalid keyId '<value>'". Used as well,
// by inference, for a malformed ARN and for an alias where only a key is allowed.
function invalidKeyId(value: string): NotFoundException {
  return new NotFoundException(`Invalid keyId '${value}'`);
}

/**
 * The key a ciphertext blob names. The name is not authenticated until the blob opens, so a
 * name that resolves to no key means a changed or foreign blob: InvalidCiphertextException with
 * an empty message, as for any other changed byte, rather than NotFoundException. A name in
 * another account is authorized like any other (authorize.ts), and refused without naming it.
 */
export async function resolveBlobKey(
  ctx: OperationContext,
  keyArn: string,
  action: KeyAction,
  authorizedArn?: string,
): Promise<KeyRecord> {
  const here = sameKeyHere(ctx, keyArn);
  try {
    // The key the caller named by KeyId and was authorized for already: not authorized twice.
    return await resolveKey(ctx, here, {
      allowAlias: false,
      action,
      viaCiphertext: true,
      skipAuthorize: here === authorizedArn,
    });
  } catch (err) {
    if (err instanceof NotFoundException) throw new InvalidCiphertextException('');
    throw err;
  }
}

/**
 * The blob's key ARN, or for a multi-Region key (`mrk-` id) made in another Region of the
 * caller's partition, the ARN of the key with the same id in the caller's Region: related
 * multi-Region keys share their key id and key material, so a ciphertext made in one Region
 * decrypts in another with the key there, as in AWS (multi-region.ts). The blob's header, which
 * its authentication covers, is unchanged. Every other ARN is returned as it is.
 */
function sameKeyHere(ctx: OperationContext, arn: string): string {
  const m = ARN.exec(arn);
  if (m === null) return arn;
  const [, partition, region, account, resource] = m;
  if (region === ctx.region || partition !== partitionOf(ctx.region) || !resource.startsWith('key/mrk-')) return arn;
  return keyArn(ctx.region, account, resource.slice('key/'.length));
}
