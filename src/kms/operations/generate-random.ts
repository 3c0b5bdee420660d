// GenerateRandom (AWS KMS API Reference): NumberOfBytes 1..1024 (schema; its absence is the recorded
// "NumberOfBytes is required.", applied by validation.ts) → CustomKeyStoreId → Recipient →
// random bytes from globalThis.crypto.getRandomValues (with a Recipient: only as
// CiphertextForRecipient). No key is involved, so there is no
// key-state or DryRun step (the operation has no DryRun member). CustomKeyStoreId: not found →
// CustomKeyStoreNotFoundException; external key store → UnsupportedOperationException; not
// CONNECTED → CustomKeyStoreInvalidStateException; a KeyStore without custom key store methods
// → UnsupportedOperationException (as the custom key store operations answer).

import {
  CustomKeyStoreInvalidStateException,
  CustomKeyStoreNotFoundException,
  UnsupportedOperationException,
} from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { validateInput } from '../validation.js';
import { authorizeAccount } from '../authorize.js';
import { randomBytes } from '../../core/module.js';
import { checkRecipient, sealForRecipient, type RecipientInfo } from '../recipient.js';

export interface GenerateRandomInput {
  NumberOfBytes?: number;
  CustomKeyStoreId?: string;
  Recipient?: RecipientInfo;
}

export interface GenerateRandomOutput {
  Plaintext?: Uint8Array;
  CiphertextForRecipient?: Uint8Array;
}

export async function generateRandom(ctx: OperationContext, input: GenerateRandomInput): Promise<GenerateRandomOutput> {
  validateInput('GenerateRandom', input);
  authorizeAccount(ctx, 'GenerateRandom');
  if (input.CustomKeyStoreId !== undefined) await checkCustomKeyStore(ctx, input.CustomKeyStoreId);
  const recipient = checkRecipient(ctx, input.Recipient);
  const bytes = randomBytes(input.NumberOfBytes as number);
  if (recipient === undefined) return { Plaintext: bytes };
  return { CiphertextForRecipient: sealForRecipient(ctx, recipient, bytes) };
}

/** What GenerateRandom needs of a custom key store record (store.ts's CustomKeyStoreRecord). */
interface CustomKeyStoreView {
  customKeyStoreType: string;
  connectionState: string;
}

/**
 * A CustomKeyStoreId must name a CloudHSM key store of the caller's account and Region that is
 * CONNECTED. Nothing stands behind this engine's custom key stores, so the bytes then come from
 * the same source as without one. Messages are ours (unrecorded), except the documented choice
 * of UnsupportedOperationException for an external key store.
 */
async function checkCustomKeyStore(ctx: OperationContext, id: string): Promise<void> {
  // Looked up structurally: getCustomKeyStore is an optional KeyStore method.
  const store = ctx.store as {
    getCustomKeyStore?: (account: string, region: string, id: string) => Promise<CustomKeyStoreView | undefined>;
  };
  if (typeof store.getCustomKeyStore !== 'function') {
    throw new UnsupportedOperationException('This key store does not support custom key stores.');
  }
  const cks = await store.getCustomKeyStore(ctx.account, ctx.region, id);
  if (cks === undefined) throw new CustomKeyStoreNotFoundException(`Custom key store ${id} does not exist.`);
  if (cks.customKeyStoreType === 'EXTERNAL_KEY_STORE') {
    // Documented: an external key store id is not valid here and gives UnsupportedOperationException.
    throw new UnsupportedOperationException(
      `GenerateRandom does not support external key stores; ${id} is an external key store.`,
    );
  }
  if (cks.connectionState !== 'CONNECTED') {
    throw new CustomKeyStoreInvalidStateException(
      `Custom key store ${id} is not connected (connection state ${cks.connectionState}).`,
    );
  }
}
