// ConnectCustomKeyStore: connects a custom key store. KMS starts the connection and answers at
// once, the store going through CONNECTING to CONNECTED (or FAILED); nothing stands behind this
// engine's stores, so the store is CONNECTED when the call returns and CONNECTING is never seen.
// Valid in every state but DISCONNECTING and FAILED (a FAILED store is disconnected first); a
// store that is CONNECTED already stays so. Messages: custom-key-stores.ts (not recorded).

import { transactional, type OperationContext } from '../context.js';
import { validateInput } from '../validation.js';
import { authorizeAccount } from '../authorize.js';
import { customKeyStoreMethods, findCustomKeyStore, requireConnectionState } from '../custom-key-stores.js';

export interface ConnectCustomKeyStoreInput {
  CustomKeyStoreId: string | undefined;
}

async function connectCustomKeyStoreUnlocked(
  ctx: OperationContext,
  input: ConnectCustomKeyStoreInput,
): Promise<Record<string, never>> {
  validateInput('ConnectCustomKeyStore', input);
  authorizeAccount(ctx, 'ConnectCustomKeyStore');
  const cks = await findCustomKeyStore(ctx, input.CustomKeyStoreId as string);
  requireConnectionState(cks, 'ConnectCustomKeyStore', ['CONNECTED', 'CONNECTING', 'DISCONNECTED']);
  if (cks.connectionState !== 'CONNECTED') {
    cks.connectionState = 'CONNECTED';
    await customKeyStoreMethods(ctx.store).put(cks);
  }
  return {};
}

/** ConnectCustomKeyStore, inside the store's transaction (context.ts transactional). */
export const connectCustomKeyStore = transactional(connectCustomKeyStoreUnlocked);
