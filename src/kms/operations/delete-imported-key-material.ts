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
import { type OperationContext, transactional } from '../context.js';
import { checkExternalKey, currentImported, deleteMaterial } from '../key-import.js';
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
  deleteMaterial(key, material);
  await ctx.store.putKey(key);
  return { KeyId: key.arn, KeyMaterialId: material.keyMaterialId };
}

/** DeleteImportedKeyMaterial, inside the store's transaction (context.ts transactional). */
export const deleteImportedKeyMaterial = transactional(deleteImportedKeyMaterialUnlocked);
