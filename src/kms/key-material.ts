// A key's material: the current version, which operations seal under.

import type { KeyRecord } from './store.js';

/** The current key material, or undefined when the key has none (PendingImport). */
export function currentMaterial(key: KeyRecord): { id: string; material: Uint8Array } | undefined {
  if (key.currentKeyMaterialId === undefined) return undefined;
  return key.keyMaterials.find((m) => m.id === key.currentKeyMaterialId);
}
