// DisableKeyRotation: turns off automatic rotation (settings kept beside the store, see
// enable-key-rotation.ts). Same checks as EnableKeyRotation; idempotent.

import { checkUsableForCrypto, resolveKey, type OperationContext } from '../keys.js';
import { validateInput } from '../validation.js';
import { checkRotatableSpec, setRotationSettings, wipe } from './enable-key-rotation.js';

export interface DisableKeyRotationInput {
  KeyId: string | undefined;
}

export type DisableKeyRotationOutput = Record<string, never>;

export async function disableKeyRotation(ctx: OperationContext, input: DisableKeyRotationInput): Promise<DisableKeyRotationOutput> {
  validateInput('DisableKeyRotation', input);
  const key = await resolveKey(ctx, input.KeyId as string);
  wipe(key);
  checkUsableForCrypto(key);
  checkRotatableSpec(key);
  setRotationSettings(ctx.store, key, undefined);
  return {};
}
