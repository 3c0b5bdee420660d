// DeleteCustomKeyStore: deletes a custom key store record (nothing behind it is touched). Only a
// DISCONNECTED store (CustomKeyStoreInvalidStateException otherwise), and only one that holds no
// KMS key: a key pending deletion still counts until it is deleted (CustomKeyStoreHasCMKsException).
// The connection state is checked first (AWS's order is not recorded). Messages are ours.

import { transactional, type OperationContext } from '../context.js';
import { validateInput } from '../validation.js';
import { authorizeAccount } from '../authorize.js';
import { CustomKeyStoreHasCMKsException, UnsupportedOperationException } from '../exceptions.js';
import { findCustomKeyStore, requireConnectionState } from '../custom-key-stores.js';

export interface DeleteCustomKeyStoreInput {
  CustomKeyStoreId: string | undefined;
}

async function deleteCustomKeyStoreUnlocked(
  ctx: OperationContext,
  input: DeleteCustomKeyStoreInput,
): Promise<Record<string, never>> {
  validateInput('DeleteCustomKeyStore', input);
  authorizeAccount(ctx, 'DeleteCustomKeyStore');
  const cks = await findCustomKeyStore(ctx, input.CustomKeyStoreId as string);
  if (ctx.store.deleteCustomKeyStore === undefined) {
    throw new UnsupportedOperationException('This key store does not support deleting custom key stores.');
  }
  requireConnectionState(cks, 'DeleteCustomKeyStore', ['DISCONNECTED']);
  const keys = await ctx.store.listKeys(ctx.account, ctx.region);
  const held = keys.filter((k) => k.customKeyStoreId === cks.customKeyStoreId).length;
  if (held > 0) {
    throw new CustomKeyStoreHasCMKsException(
      `Custom key store ${cks.customKeyStoreId} contains ${held} KMS key${held === 1 ? '' : 's'} ` +
        '(a key pending deletion counts until it is deleted).',
    );
  }
  await ctx.store.deleteCustomKeyStore(ctx.account, ctx.region, cks.customKeyStoreId);
  return {};
}

/** DeleteCustomKeyStore, inside the store's transaction (context.ts transactional). */
export const deleteCustomKeyStore = transactional(deleteCustomKeyStoreUnlocked);
