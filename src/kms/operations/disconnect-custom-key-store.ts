// DisconnectCustomKeyStore: disconnects a custom key store; its keys can then be managed but not
// created or used in cryptographic operations (their KeyState reads Unavailable, or stays
// PendingDeletion: custom-key-stores.ts). Valid in every state but DISCONNECTING and
// DISCONNECTED; the store is DISCONNECTED when the call returns. Messages: custom-key-stores.ts
// (not recorded).

import { transactional, type OperationContext } from '../context.js';
import { validateInput } from '../validation.js';
import { authorizeAccount } from '../authorize.js';
import { customKeyStoreMethods, findCustomKeyStore, requireConnectionState } from '../custom-key-stores.js';

export interface DisconnectCustomKeyStoreInput {
  CustomKeyStoreId: string | undefined;
}

async function disconnectCustomKeyStoreUnlocked(
  ctx: OperationContext,
  input: DisconnectCustomKeyStoreInput,
): Promise<Record<string, never>> {
  validateInput('DisconnectCustomKeyStore', input);
  authorizeAccount(ctx, 'DisconnectCustomKeyStore');
  const cks = await findCustomKeyStore(ctx, input.CustomKeyStoreId as string);
  requireConnectionState(cks, 'DisconnectCustomKeyStore', ['CONNECTED', 'CONNECTING', 'FAILED']);
  cks.connectionState = 'DISCONNECTED';
  await customKeyStoreMethods(ctx.store).put(cks);
  return {};
}

/** DisconnectCustomKeyStore, inside the store's transaction (context.ts transactional). */
export const disconnectCustomKeyStore = transactional(disconnectCustomKeyStoreUnlocked);
