// DeleteImportedKeyMaterial (AWS KMS API Reference): deletes imported key material; the key
// becomes PendingImport, unless it is PendingDeletion, which stays. Without KeyMaterialId the
// current material goes; with one, that material of a symmetric key (a material pending
// rotation goes entirely: it was never the key's). The material's id stays known, so only the
// same material can be imported again, and ciphertexts made before decrypt once it is.
// Symmetric keys keep their CurrentKeyMaterialId meanwhile [AWS-REC: DescribeKey after the
// deletion]. Order: validate → resolve (key id or key ARN) → same account → origin EXTERNAL
// ([AWS-REC] wording) → key state (Unavailable, Creating, Updating refuse) → material → write.
// A key without material to delete answers as if deleted (its state is already PendingImport).

import { NotFoundException } from '../exceptions.js';
import { nowMsOf, type OperationContext, transactional } from '../context.js';
import { checkExternalKey, currentImported, deleteMaterial, isPendingMaterial } from '../key-import.js';
import { isPrimary, otherMembers } from '../multi-region.js';
import { resolveKey } from '../key-resolution.js';
import { invalidState } from '../key-state.js';
import { validateInput } from '../validation.js';

export interface DeleteImportedKeyMaterialInput {
  KeyId: string | undefined;
  KeyMaterialId?: string;
}

export interface DeleteImportedKeyMaterialOutput {
  KeyId?: string;
  KeyMaterialId?: string;
}

async function deleteImportedKeyMaterialUnlocked(
  ctx: OperationContext,
  input: DeleteImportedKeyMaterialInput,
): Promise<DeleteImportedKeyMaterialOutput> {
  validateInput('DeleteImportedKeyMaterial', input);
  const key = await resolveKey(ctx, input.KeyId as string, {
    allowAlias: false,
    arnCheck: true,
    action: 'DeleteImportedKeyMaterial',
  });
  checkExternalKey(ctx, key);
  if (key.keyState === 'Unavailable' || key.keyState === 'Creating' || key.keyState === 'Updating')
    throw invalidState(key);
  let material = currentImported(key);
  if (input.KeyMaterialId !== undefined) {
    material = key.importedMaterials?.find((m) => m.keyMaterialId === input.KeyMaterialId);
    // Message ours.
    if (material === undefined)
      throw new NotFoundException(`Key material ${input.KeyMaterialId} is not associated with ${key.arn}.`);
  }
  if (material === undefined || material.importState !== 'IMPORTED') {
    return { KeyId: key.arn, ...(material === undefined ? {} : { KeyMaterialId: material.keyMaterialId }) };
  }
  const pending = isPendingMaterial(material);
  deleteMaterial(key, material);
  await ctx.store.putKey(key);
  // The model: deleting a primary's material that waits for rotation (PENDING_ROTATION or
  // PENDING_MULTI_REGION_IMPORT_AND_ROTATION) deletes it from the replicas too; deleting a
  // replica's material leaves the primary and the other replicas as they are.
  if (pending && key.multiRegion && isPrimary(key)) {
    for (const replica of await otherMembers(ctx, key, nowMsOf(ctx))) {
      const copy = replica.importedMaterials?.find((m) => m.keyMaterialId === material.keyMaterialId);
      if (copy === undefined) continue;
      deleteMaterial(replica, copy);
      await ctx.store.putKey(replica);
    }
  }
  return { KeyId: key.arn, KeyMaterialId: material.keyMaterialId };
}

/** DeleteImportedKeyMaterial, inside the store's transaction (context.ts transactional). */
export const deleteImportedKeyMaterial = transactional(deleteImportedKeyMaterialUnlocked);
