// What a key record keeps beside its key material: tags, its key policy, grants, rotation
// history, imported material's state, multi-Region links and last use. Plain data (strings,
// numbers, booleans, Dates, arrays and objects of them); the only bytes are secrets (a wrapping
// private key while an import is pending), which stores seal like key material. Stores copy
// these fields with structuredClone and persist them through one generic codec
// (file store: encode.ts / decode.ts, `extensions`), so a field added here needs no store code.

/** A tag of a KMS key (TagResource, CreateKey's Tags): at most 50 per key. */
export interface TagRecord {
  key: string;
  value: string;
}

/** The constraints of a grant (CreateGrant's Constraints). */
export interface GrantConstraintsRecord {
  encryptionContextSubset?: Record<string, string>;
  encryptionContextEquals?: Record<string, string>;
  sourceArn?: string;
}

/** A grant on a KMS key; deleted with its key. */
export interface GrantRecord {
  /** 64 lowercase hex. */
  grantId: string;
  name?: string;
  /** The grantee; for a grant to a service principal, that service principal. */
  granteePrincipal: string;
  granteeServicePrincipal?: string;
  retiringPrincipal?: string;
  retiringServicePrincipal?: string;
  /** The ARN of the account that created the grant (arn:aws:iam::ACCOUNT:root). */
  issuingAccount: string;
  operations: string[];
  constraints?: GrantConstraintsRecord;
  creationDate: Date;
  /**
   * 32 random bytes, a secret: the MAC key of this grant's version-1 grant tokens (src/kms/grants.ts).
   * Only grants made before the key record held grantTokenKey have one; it is kept so that their
   * tokens keep working, and goes with the grant. New grants have none: their tokens are MACed
   * under the key's grantTokenKey.
   */
  tokenKey?: Uint8Array;
}

/** One rotation of a key's material (ListKeyRotations). */
export interface RotationRecord {
  keyMaterialId: string;
  rotationDate: Date;
  rotationType: 'AUTOMATIC' | 'ON_DEMAND';
}

/** The state of one imported key material of an EXTERNAL key, by its id. */
export interface ImportedMaterialRecord {
  keyMaterialId: string;
  description?: string;
  /** IMPORTED while its bytes are in keyMaterials (or keyPair / hmacKey); PENDING_IMPORT once deleted or expired. */
  importState: 'IMPORTED' | 'PENDING_IMPORT';
  /**
   * CURRENT, NON_CURRENT, PENDING_ROTATION (imported for a later RotateKeyOnDemand), or
   * PENDING_MULTI_REGION_IMPORT_AND_ROTATION (a multi-Region key's: imported into the primary but
   * not yet into every replica).
   */
  keyMaterialState: 'CURRENT' | 'NON_CURRENT' | 'PENDING_ROTATION' | 'PENDING_MULTI_REGION_IMPORT_AND_ROTATION';
  expirationModel?: 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';
  validTo?: Date;
  importDate?: Date;
}

/** The parameters of the last GetParametersForImport, valid until `validTo` (24 hours). */
export interface ImportParametersRecord {
  /** The import token handed out, base64. */
  importToken: string;
  wrappingAlgorithm: string;
  wrappingKeySpec: string;
  /** The wrapping key pair: SPKI and PKCS#8 DER. The private key is a secret. */
  publicKey: Uint8Array;
  privateKey: Uint8Array;
  validTo: Date;
}

/** A multi-Region key's links: its primary's Region and its replicas' Regions. */
export interface MultiRegionRecord {
  type: 'PRIMARY' | 'REPLICA';
  primaryRegion: string;
  /** Kept current on the primary and on every replica, in the order the replicas were made. */
  replicaRegions: string[];
  /**
   * Replicas scheduled for deletion: the Region and the end of the waiting period, after which
   * the replica counts as deleted (multi-region.ts). Kept on every member, like the Regions.
   */
  replicaDeletions?: { region: string; deletionDate: Date }[];
}

/** The last cryptographic operation that used the key (GetKeyLastUsage, last-usage.ts). */
export interface LastUsageRecord {
  /** When tracking began: the key's creation, or when it was first tracked (a key made before tracking existed has none until then). */
  trackingStartDate?: Date;
  /** The operation (KeyLastUsageTrackingOperation); absent while the key has not been used since tracking began. */
  operation?: string;
  timestamp?: Date;
  kmsRequestId?: string;
}

/** The fields of KeyRecord that hold the records above, each optional. */
export interface KeyRecordExtensions {
  tags?: TagRecord[];
  /** The key policy document as given (PutKeyPolicy, CreateKey); undefined: the default key policy. */
  policy?: string;
  grants?: GrantRecord[];
  /**
   * 32 random bytes, a secret: the MAC key of the grant tokens of every grant of this key
   * (src/kms/grants.ts), set by the key's first CreateGrant. One per key, so that loading a key
   * unseals no secret per grant.
   */
  grantTokenKey?: Uint8Array;
  rotations?: RotationRecord[];
  importedMaterials?: ImportedMaterialRecord[];
  importParameters?: ImportParametersRecord;
  multiRegionConfiguration?: MultiRegionRecord;
  lastUsage?: LastUsageRecord;
}

/** The names of those fields: what the stores' generic copy and codec handle. */
export const EXTENSION_FIELDS = [
  'tags',
  'policy',
  'grants',
  'grantTokenKey',
  'rotations',
  'importedMaterials',
  'importParameters',
  'multiRegionConfiguration',
  'lastUsage',
] as const satisfies readonly (keyof KeyRecordExtensions)[];

/** Zeroes every byte array held in `value` (the extension fields' secrets), however deep. */
export function wipeBytesIn(value: unknown): void {
  if (value instanceof Uint8Array) value.fill(0);
  else if (Array.isArray(value)) for (const v of value) wipeBytesIn(v);
  else if (typeof value === 'object' && value !== null && !(value instanceof Date))
    for (const v of Object.values(value)) wipeBytesIn(v);
}
