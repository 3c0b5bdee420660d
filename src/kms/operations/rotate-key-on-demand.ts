// RotateKeyOnDemand: adds fresh key material (32 random bytes, a new 64-hex KeyMaterialId) and
// makes it current. Older materials stay, so ciphertexts made before still decrypt. Output
// { KeyId } (the key ARN, as AWS answered in 2025). Order: validate → resolve → key state (Disabled →
// DisabledException "<arn> is disabled." [AWS-REC]; PendingImport → "<arn> is pending import."
// [AWS-REC]; PendingDeletion → KMSInvalidStateException) → key type (non-symmetric →
// UnsupportedOperationException with an empty message [AWS-REC]) → imported material (EXTERNAL
// keys: the material pending rotation becomes current, none is KMSInvalidStateException
// [AWS-REC wording]; a multi-Region primary's pending material must be imported into every
// replica first, else KMSInvalidStateException, message ours; then it becomes current in every
// member of the family) → limit of on-demand
// rotations (LimitExceededException [AWS-REC wording]) → work. Automatic-rotation settings are
// unchanged (recorded: status after on-demand rotation still reports them as before).

import { KMSInvalidStateException, LimitExceededException } from '../exceptions.js';
import { nowOf, type OperationContext, transactional } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { checkUsableForCrypto } from '../key-state.js';
import { newKeyMaterial } from '../store.js';
import { validateInput } from '../validation.js';
import { checkRotatableSpec, noPendingMaterial, wipe } from '../key-material.js';
import { appendRotation, onDemandRotationCount } from '../rotation.js';
import { checkNotReplica, otherMembers, settledLinks, shareWithReplicas, writeFamily } from '../multi-region.js';
import { followingReplicas, hasImported, makeImportedCurrent, pendingImported } from '../key-import.js';
import type { KeyRecord } from '../store.js';

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
      await rotateImported(ctx, key);
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

/**
 * Imported material (key-import.ts): the material imported as NEW_KEY_MATERIAL becomes current.
 * A multi-Region primary rotates only once every replica that follows it has imported that
 * material, and then it becomes current in each of them too (a replica scheduled for deletion
 * gets it as material to import).
 */
async function rotateImported(ctx: OperationContext, key: KeyRecord): Promise<void> {
  const pending = pendingImported(key);
  if (pending === undefined) throw noPendingMaterial(key);
  const id = pending.keyMaterialId;
  const now = nowOf(ctx);
  const view = settledLinks(key, now.getTime());
  if (view === undefined) {
    makeImportedCurrent(key, id);
    appendRotation(key, { keyMaterialId: id, rotationDate: now, rotationType: 'ON_DEMAND' });
    await ctx.store.putKey(key);
    return;
  }
  const following = await followingReplicas(ctx, key, now.getTime());
  const lacking = following.filter((r) => !hasImported(r, id)).map((r) => r.region);
  if (lacking.length > 0) {
    // Message ours (not recorded), after the model: the new material must be imported into
    // every replica Region key before RotateKeyOnDemand on the primary Region key.
    throw new KMSInvalidStateException(
      `Key material (id: ${id}) of ${key.arn} is pending import into the replica keys in ${lacking.join(', ')}. Import it into every replica key before rotating the primary key.`,
    );
  }
  const members = [key, ...(await otherMembers(ctx, key, now.getTime()))];
  for (const m of members) {
    makeImportedCurrent(m, id);
    appendRotation(m, { keyMaterialId: id, rotationDate: new Date(now), rotationType: 'ON_DEMAND' });
  }
  await writeFamily(ctx, members, view.links);
}

/** RotateKeyOnDemand, inside the store's transaction (context.ts transactional). */
export const rotateKeyOnDemand = transactional(rotateKeyOnDemandUnlocked);
