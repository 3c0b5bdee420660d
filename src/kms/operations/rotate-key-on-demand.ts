// RotateKeyOnDemand: adds fresh key material (32 random bytes, a new 64-hex KeyMaterialId) and
// makes it current. Older materials stay, so ciphertexts made before still decrypt. Output
// { KeyId } (the key ARN, as AWS answered in 2025). Order: validate → resolve → key state (Disabled →
// DisabledException "<arn> is disabled." [AWS-REC]; PendingImport → "<arn> is pending import."
// [AWS-REC]; PendingDeletion → KMSInvalidStateException) → key type (non-symmetric →
// UnsupportedOperationException with an empty message [AWS-REC]) → imported material (EXTERNAL
// keys: the material pending rotation becomes current, none is KMSInvalidStateException
// [AWS-REC wording]) → limit of on-demand
// rotations (LimitExceededException [AWS-REC wording]) → work. Automatic-rotation settings are
// unchanged (recorded: status after on-demand rotation still reports them as before).

import { LimitExceededException } from '../exceptions.js';
import { type OperationContext, transactional } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { checkUsableForCrypto } from '../key-state.js';
import { newKeyMaterial } from '../store.js';
import { validateInput } from '../validation.js';
import { checkRotatableSpec, noPendingMaterial, wipe } from '../key-material.js';
import { appendRotation, nowOf, onDemandRotationCount } from '../rotation.js';
import { checkNotReplica, shareWithReplicas } from '../multi-region.js';
import { rotateImportedMaterial } from '../key-import.js';

export interface RotateKeyOnDemandInput {
  KeyId: string | undefined;
}

export interface RotateKeyOnDemandOutput {
  KeyId?: string;
}

/** AWS's documented quota of on-demand rotations per key (it counts rotations, not materials). */
export const ON_DEMAND_ROTATION_LIMIT = 25;

async function rotateKeyOnDemandUnlocked(
  ctx: OperationContext,
  input: RotateKeyOnDemandInput,
): Promise<RotateKeyOnDemandOutput> {
  validateInput('RotateKeyOnDemand', input);
  const key = await resolveKey(ctx, input.KeyId as string, { action: 'RotateKeyOnDemand' });
  try {
    checkUsableForCrypto(key);
    checkRotatableSpec(key);
    // A multi-Region key rotates through its primary, which gives every replica the new material.
    checkNotReplica(key);
    if (key.origin === 'EXTERNAL') {
      // Imported material: the material imported as NEW_KEY_MATERIAL becomes current (key-import.ts).
      const id = rotateImportedMaterial(key);
      if (id === undefined) throw noPendingMaterial(key);
      appendRotation(key, { keyMaterialId: id, rotationDate: nowOf(ctx), rotationType: 'ON_DEMAND' });
      await ctx.store.putKey(key);
      return { KeyId: key.arn };
    }
    // Automatic rotations do not count (rotation.ts).
    if (onDemandRotationCount(key) >= ON_DEMAND_ROTATION_LIMIT) {
      throw new LimitExceededException(
        `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.arn}`,
      );
    }
    const material = newKeyMaterial();
    key.keyMaterials.push(material);
    key.currentKeyMaterialId = material.id;
    appendRotation(key, { keyMaterialId: material.id, rotationDate: nowOf(ctx), rotationType: 'ON_DEMAND' });
    await ctx.store.putKey(key);
    await shareWithReplicas(ctx, key);
    return { KeyId: key.arn };
  } finally {
    wipe(key);
  }
}

/** RotateKeyOnDemand, inside the store's transaction (context.ts transactional). */
export const rotateKeyOnDemand = transactional(rotateKeyOnDemandUnlocked);
