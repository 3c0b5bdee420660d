// The KeyMetadata view of a key record (AWS KMS API Reference, KeyMetadata).

import type { KeyRecord } from './store.js';
import { CUSTOMER_MASTER_KEY_SPECS } from './schema.js';
import { multiRegionConfiguration, settledLinks } from './multi-region.js';
import { keyStateOf } from './key-state.js';

export interface KeyMetadata {
  AWSAccountId?: string;
  KeyId: string;
  Arn?: string;
  CreationDate?: Date;
  Enabled?: boolean;
  Description?: string;
  KeyUsage?: string;
  KeyState?: string;
  DeletionDate?: Date;
  Origin?: string;
  CustomKeyStoreId?: string;
  KeyManager?: string;
  CustomerMasterKeySpec?: string;
  KeySpec?: string;
  EncryptionAlgorithms?: string[];
  SigningAlgorithms?: string[];
  KeyAgreementAlgorithms?: string[];
  EncapsulationAlgorithms?: string[];
  MacAlgorithms?: string[];
  MultiRegion?: boolean;
  MultiRegionConfiguration?: MultiRegionConfiguration;
  PendingDeletionWindowInDays?: number;
  CurrentKeyMaterialId?: string;
  ValidTo?: Date;
  ExpirationModel?: 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';
}

/** A multi-Region key's family: its primary and its replicas (KMS API Reference, MultiRegionConfiguration). */
export interface MultiRegionConfiguration {
  MultiRegionKeyType?: 'PRIMARY' | 'REPLICA';
  PrimaryKey?: { Arn?: string; Region?: string };
  ReplicaKeys?: { Arn?: string; Region?: string }[];
}

/** The algorithm lists of a key's spec and usage (KMS developer guide, key spec reference); only the applicable ones are set. */
export interface KeyAlgorithms {
  EncryptionAlgorithms?: string[];
  SigningAlgorithms?: string[];
  KeyAgreementAlgorithms?: string[];
  EncapsulationAlgorithms?: string[];
  MacAlgorithms?: string[];
}

const RSA_SIGNING = [
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
];
const ECDSA_BY_SPEC: Record<string, string> = {
  ECC_NIST_P256: 'ECDSA_SHA_256',
  ECC_NIST_P384: 'ECDSA_SHA_384',
  ECC_NIST_P521: 'ECDSA_SHA_512', // [AWS-REC] ECC_NIST_P521 lists ECDSA_SHA_512
  ECC_SECG_P256K1: 'ECDSA_SHA_256',
};

export function keyAlgorithms(keySpec: string, keyUsage: string): KeyAlgorithms {
  if (keySpec === 'SYMMETRIC_DEFAULT') return { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] };
  if (keySpec.startsWith('HMAC_')) return { MacAlgorithms: [`HMAC_SHA_${keySpec.slice(5)}`] };
  if (keySpec.startsWith('ML_KEM_')) return { EncapsulationAlgorithms: ['ML_KEM'] };
  if (keySpec.startsWith('ML_DSA_')) return { SigningAlgorithms: ['ML_DSA_SHAKE_256'] };
  if (keyUsage === 'KEY_AGREEMENT') return { KeyAgreementAlgorithms: ['ECDH'] };
  if (keySpec.startsWith('RSA_')) {
    return keyUsage === 'SIGN_VERIFY'
      ? { SigningAlgorithms: [...RSA_SIGNING] }
      : { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] };
  }
  if (keySpec === 'SM2')
    return keyUsage === 'SIGN_VERIFY' ? { SigningAlgorithms: ['SM2DSA'] } : { EncryptionAlgorithms: ['SM2PKE'] };
  if (keySpec === 'ECC_NIST_EDWARDS25519') return { SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] };
  const ecdsa = ECDSA_BY_SPEC[keySpec];
  return ecdsa === undefined ? {} : { SigningAlgorithms: [ecdsa] };
}

/**
 * The members a real symmetric key returns (AWS KMS API Reference, KeyMetadata), and the deletion
 * members while PendingDeletion; a multi-Region key's family as it stands at `now` (pass the
 * operation's clock, nowOf(ctx)).
 */
export function keyMetadata(key: KeyRecord, now: Date = new Date()): KeyMetadata {
  const md: KeyMetadata = {
    AWSAccountId: key.account,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: new Date(key.creationDate.getTime()),
    Enabled: keyStateOf(key) === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: keyStateOf(key),
    Origin: key.origin,
    KeyManager: 'CUSTOMER',
    KeySpec: key.keySpec,
    MultiRegion: key.multiRegion,
  };
  // The deprecated twin exists only for the specs it can name.
  if ((CUSTOMER_MASTER_KEY_SPECS as readonly string[]).includes(key.keySpec)) md.CustomerMasterKeySpec = key.keySpec;
  // Asymmetric and HMAC keys list their algorithms (recorded for ECC SIGN_VERIFY keys, 2025).
  Object.assign(md, keyAlgorithms(key.keySpec, key.keyUsage));
  if (key.currentKeyMaterialId !== undefined) md.CurrentKeyMaterialId = key.currentKeyMaterialId;
  if (key.customKeyStoreId !== undefined) md.CustomKeyStoreId = key.customKeyStoreId;
  // EXTERNAL keys: the expiration of the current material while it is imported [AWS-REC: present
  // after ImportKeyMaterial, absent before it and after DeleteImportedKeyMaterial].
  const imported = key.importedMaterials?.find((m) => m.keyMaterialState === 'CURRENT');
  if (key.origin === 'EXTERNAL' && imported?.importState === 'IMPORTED' && imported.expirationModel !== undefined) {
    md.ExpirationModel = imported.expirationModel;
    if (imported.validTo !== undefined) md.ValidTo = new Date(imported.validTo.getTime());
  }
  // A multi-Region key: its family as it stands now (multi-region.ts: deleted replicas left
  // out, a primary whose last replica is deleted PendingDeletion), in the shape AWS answered
  // for CreateKey, DescribeKey and ReplicateKey in 2025 (the primary's ReplicaKeys list every
  // replica; a replica's list includes itself).
  const view = settledLinks(key, now.getTime());
  if (view !== undefined) {
    md.MultiRegionConfiguration = multiRegionConfiguration(key, view.links);
    if (view.keyState !== key.keyState) {
      md.KeyState = view.keyState;
      md.Enabled = false;
    }
  }
  const deletionDate = view === undefined ? key.deletionDate : view.deletionDate;
  if (md.KeyState === 'PendingDeletion' && deletionDate !== undefined) {
    md.DeletionDate = new Date(deletionDate.getTime());
    if (key.pendingWindowInDays !== undefined) md.PendingDeletionWindowInDays = key.pendingWindowInDays;
  }
  // A primary waiting for its replicas' deletion: the window only, no date yet (KeyMetadata's doc).
  if (md.KeyState === 'PendingReplicaDeletion' && key.pendingWindowInDays !== undefined)
    md.PendingDeletionWindowInDays = key.pendingWindowInDays;
  return md;
}
