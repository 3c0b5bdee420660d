// What every operation that names a key shares: resolving the KeyId input, the key-state rules
// of the key-state table (AWS KMS Developer Guide, "Key states of AWS KMS keys") and the key-usage rule of the encryption operations,
// plus the KeyMetadata view of a record. Operations call these in AWS's order: validate input →
// resolve key → authorize (authorize.ts, called by resolveKey) → key state → key usage → DryRun
// → work.

import type { Core } from '../core/module.js';
import type { KeyPair, KeyPairSpec } from '../core/index.js';
import {
  DisabledException,
  DryRunOperationException,
  InvalidArnException,
  InvalidCiphertextException,
  InvalidKeyUsageException,
  KMSInvalidStateException,
  NotFoundException,
  UnsupportedOperationException,
} from './exceptions.js';
import { aliasArn, keyArn, partitionOf, type KeyRecord, type KeyStore } from './store.js';
import { accessDenied, authorize, type KeyAction } from './authorize.js';
import { CUSTOMER_MASTER_KEY_SPECS } from './schema.js';

/** What an operation knows about its caller and where keys live. */
export interface OperationContext {
  store: KeyStore;
  account: string;
  region: string;
  /**
   * The caller's ARN as AccessDeniedException messages name it (an IAM user, a role session
   * `arn:aws:sts::<account>:assumed-role/<role>/<session>`); default the account's root,
   * `arn:<partition>:iam::<account>:root`. Its account is `account`.
   */
  principal?: string;
  core: () => Core;
  /**
   * Where key pairs come from; default the core's generateKeyPair in this thread. The Node
   * server and CLI pass a worker pool here. The caller owns (and wipes) the pair returned.
   */
  generateKeyPair?: (spec: KeyPairSpec) => KeyPair | Promise<KeyPair>;
}

/**
 * The operation, run inside the store's transaction where the store has one: for the
 * operations that read a record and write it back, or check that a name is free and take it,
 * so that a concurrent writer (another request, another process on the same file store)
 * cannot slip in between and have its change undone.
 */
export function transactional<I, O>(op: (ctx: OperationContext, input: I) => Promise<O>): (ctx: OperationContext, input: I) => Promise<O> {
  return (ctx, input) => (ctx.store.transaction === undefined ? op(ctx, input) : ctx.store.transaction(() => op(ctx, input)));
}

export interface ResolveOptions {
  /** The `kms:` action the caller is about to perform on the key; authorize (authorize.ts) decides. */
  action: KeyAction;
  /** The KeyId is the key ARN of a ciphertext blob's header, not the caller's input (authorize.ts). */
  viaCiphertext?: boolean;
  /** False for operations that take only a key id or key ARN (EnableKey, DisableKey, CreateAlias's target...). */
  allowAlias?: boolean;
  /**
   * True for the operations whose model lists InvalidArnException (DescribeKey, ListAliases,
   * EnableKey, DisableKey, ScheduleKeyDeletion, CancelKeyDeletion): a KeyId that starts with
   * `arn:` but is not a KMS key or alias ARN gets InvalidArnException there, and
   * NotFoundException "Invalid keyId" elsewhere (the operations whose model does not list it).
   */
  arnCheck?: boolean;
}

const ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):(key\/.+|alias\/.+)$/;

function keyNotFound(arn: string): NotFoundException {
  // [AWS-REC] "Key 'arn:aws:kms:<r>:<acct>:key/<id>' does not exist"
  return new NotFoundException(`Key '${arn}' does not exist`);
}

function aliasNotFound(arn: string): NotFoundException {
  // The wording LocalStack and local-kms use (AWS's is unrecorded).
  return new NotFoundException(`Alias ${arn} is not found.`);
}

/**
 * The key a KeyId input names, once the caller is authorized for `options.action` on it: a key
 * id, a key ARN, an alias name (`alias/x`) or an alias ARN. A bare id or alias name resolves only
 * in the caller's account; an ARN may name another account, whose keys are then subject to
 * authorize (authorize.ts: the default key policy refuses every other account). An ARN naming
 * another Region does not exist from the caller's Region: NotFoundException.
 *
 * In another account, a key or alias that does not exist is AccessDeniedException too, not
 * NotFoundException: there is no key policy that could allow the caller, and a caller without
 * access learns nothing about which keys exist there. (AWS's answer for this case is not
 * recorded; this is what its authorization model implies and what a careful user expects.)
 */
export async function resolveKey(ctx: OperationContext, keyIdInput: string, options: ResolveOptions): Promise<KeyRecord> {
  const record = await findKey(ctx, keyIdInput, options);
  authorize(ctx, record, options.action, { viaCiphertext: options.viaCiphertext });
  return record;
}

async function findKey(ctx: OperationContext, keyIdInput: string, options: ResolveOptions): Promise<KeyRecord> {
  const allowAlias = options.allowAlias ?? true;
  const m = ARN.exec(keyIdInput);
  if (m !== null) {
    const [, partition, region, account, resource] = m;
    // An ARN of another partition names nothing the caller's Region can see, like one of
    // another Region (this engine's choice; AWS's answer is unrecorded).
    const elsewhere = region !== ctx.region || partition !== partitionOf(ctx.region);
    if (resource.startsWith('alias/')) {
      if (!allowAlias) throw invalidKeyId(keyIdInput);
      if (elsewhere) throw aliasNotFound(keyIdInput);
      return resolveAlias(ctx, account, resource, options);
    }
    const id = resource.slice('key/'.length);
    // [AWS-REC] DescribeKey with the ARN of a key in another Region: "Invalid arn <that region>".
    if (region !== ctx.region) throw new NotFoundException(`Invalid arn ${region}`);
    if (elsewhere) throw keyNotFound(keyIdInput);
    const record = await ctx.store.getKey(account, region, id);
    if (record === undefined) throw account === ctx.account ? keyNotFound(keyIdInput) : denied(ctx, options, keyIdInput);
    return record;
  }
  if (keyIdInput.startsWith('arn:')) {
    // The message is this engine's wording; AWS's is unrecorded.
    if (options.arnCheck) throw new InvalidArnException(`'${keyIdInput}' is not a valid KMS key ARN or alias ARN.`);
    throw invalidKeyId(keyIdInput);
  }
  if (keyIdInput.startsWith('alias/')) {
    if (!allowAlias) throw invalidKeyId(keyIdInput);
    return resolveAlias(ctx, ctx.account, keyIdInput, options);
  }
  // [AWS-REC] a bare key id that is neither a UUID nor mrk- + 32 hex: "Invalid keyId '<value>'".
  if (!KEY_ID.test(keyIdInput)) throw invalidKeyId(keyIdInput);
  const record = await ctx.store.getKey(ctx.account, ctx.region, keyIdInput);
  if (record === undefined) throw keyNotFound(keyArn(ctx.region, ctx.account, keyIdInput));
  return record;
}

const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

async function resolveAlias(ctx: OperationContext, account: string, aliasName: string, options: ResolveOptions): Promise<KeyRecord> {
  const arn = aliasArn(ctx.region, account, aliasName);
  const alias = await ctx.store.getAlias(account, ctx.region, aliasName);
  if (alias === undefined) throw account === ctx.account ? aliasNotFound(arn) : denied(ctx, options, arn);
  const target = keyArn(ctx.region, account, alias.targetKeyId);
  const record = await ctx.store.getKey(account, ctx.region, alias.targetKeyId);
  if (record === undefined) throw account === ctx.account ? keyNotFound(target) : denied(ctx, options, target);
  return record;
}

/** AccessDeniedException for a key or alias of another account that does not exist. */
function denied(ctx: OperationContext, options: ResolveOptions, arn: string) {
  return accessDenied(ctx, options.action, options.viaCiphertext ? undefined : arn);
}

// [AWS-REC] for malformed key ids: NotFoundException "Invalid keyId '<value>'". Used as well,
// by inference, for a malformed ARN and for an alias where only a key is allowed.
function invalidKeyId(value: string): NotFoundException {
  return new NotFoundException(`Invalid keyId '${value}'`);
}

// ---------------------------------------------------------------------------------------------
// Key states (AWS KMS Developer Guide, "Key states of AWS KMS keys")

/**
 * The row of GenerateDataKeyPair(WithoutPlaintext), GenerateDataKey*, Encrypt, Decrypt and
 * ReEncrypt: only Enabled and Updating pass. PendingDeletion uses footnote [3]
 * (KMSInvalidStateException), as LocalStack and local-kms do; the docs allow [2] as well.
 */
export function checkUsableForCrypto(key: KeyRecord): void {
  switch (key.keyState) {
    case 'Enabled':
    case 'Updating':
      return;
    case 'Disabled':
      throw new DisabledException(`${key.arn} is disabled.`);
    default:
      throw invalidState(key);
  }
}

/** The KMSInvalidStateException a key's current state gives (footnotes [3], [5], [11], [14], [15]). */
export function invalidState(key: KeyRecord): KMSInvalidStateException {
  switch (key.keyState) {
    case 'PendingDeletion':
    case 'PendingReplicaDeletion':
      return new KMSInvalidStateException(`${key.arn} is pending deletion.`);
    case 'PendingImport':
      return new KMSInvalidStateException(`${key.arn} is pending import.`);
    case 'Unavailable':
      return new KMSInvalidStateException(`${key.arn} is unavailable.`);
    case 'Creating':
      return new KMSInvalidStateException(`${key.arn} is creating.`);
    case 'Updating':
      return new KMSInvalidStateException(`${key.arn} is updating.`);
    default:
      return new KMSInvalidStateException(`${key.arn} is ${key.keyState.toLowerCase()}.`);
  }
}

// ---------------------------------------------------------------------------------------------
// Key usage

/**
 * The encryption operations need a symmetric encryption key. The usage message follows the
 * pattern recorded for other operations: "<ARN> key usage is SIGN_VERIFY which is not valid for
 * GenerateDataKeyPair." A non-symmetric spec with ENCRYPT_DECRYPT usage (an RSA encryption key)
 * has no recorded message; the spec-based wording below is ours.
 */
export function checkSymmetricEncryptionKey(key: KeyRecord, operation: string): void {
  if (key.keyUsage !== 'ENCRYPT_DECRYPT') {
    throw new InvalidKeyUsageException(`${key.arn} key usage is ${key.keyUsage} which is not valid for ${operation}.`);
  }
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') {
    throw new InvalidKeyUsageException(`${key.arn} key spec is ${key.keySpec} which is not valid for ${operation}.`);
  }
}

/** GenerateDataKeyPair refuses keys in custom key stores (AWS KMS API Reference, GenerateDataKeyPair). The message is ours. */
export function checkNotInCustomKeyStore(key: KeyRecord, operation: string): void {
  if (key.customKeyStoreId !== undefined) {
    throw new UnsupportedOperationException(
      `${key.arn} is in custom key store ${key.customKeyStoreId}; ${operation} does not support keys in custom key stores.`,
    );
  }
}

export const DRY_RUN_MESSAGE = 'The request would have succeeded, but the DryRun option is set.';

/** Call after every check has passed. */
export function checkDryRun(dryRun: boolean | undefined): void {
  if (dryRun === true) throw new DryRunOperationException(DRY_RUN_MESSAGE);
}

/** The current key material, or undefined when the key has none (PendingImport). */
export function currentMaterial(key: KeyRecord): { id: string; material: Uint8Array } | undefined {
  if (key.currentKeyMaterialId === undefined) return undefined;
  return key.keyMaterials.find((m) => m.id === key.currentKeyMaterialId);
}

// ---------------------------------------------------------------------------------------------
// KeyMetadata

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
  'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512',
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
  if (keySpec === 'SM2') return keyUsage === 'SIGN_VERIFY' ? { SigningAlgorithms: ['SM2DSA'] } : { EncryptionAlgorithms: ['SM2PKE'] };
  if (keySpec === 'ECC_NIST_EDWARDS25519') return { SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] };
  const ecdsa = ECDSA_BY_SPEC[keySpec];
  return ecdsa === undefined ? {} : { SigningAlgorithms: [ecdsa] };
}

/** The members a real symmetric key returns (AWS KMS API Reference, KeyMetadata), and the deletion members while PendingDeletion. */
export function keyMetadata(key: KeyRecord): KeyMetadata {
  const md: KeyMetadata = {
    AWSAccountId: key.account,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: new Date(key.creationDate.getTime()),
    Enabled: key.keyState === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.keyState,
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
  // A multi-Region key here is always a primary without replicas (ReplicateKey is not served);
  // the shape is the one AWS answered for CreateKey and DescribeKey in 2025.
  if (key.multiRegion) {
    md.MultiRegionConfiguration = {
      MultiRegionKeyType: 'PRIMARY',
      PrimaryKey: { Arn: key.arn, Region: key.region },
      ReplicaKeys: [],
    };
  }
  if (key.keyState === 'PendingDeletion' && key.deletionDate !== undefined) {
    md.DeletionDate = new Date(key.deletionDate.getTime());
    if (key.pendingWindowInDays !== undefined) md.PendingDeletionWindowInDays = key.pendingWindowInDays;
  }
  return md;
}

/**
 * The key a ciphertext blob names. The name is not authenticated until the blob opens, so a
 * name that resolves to no key means a changed or foreign blob: InvalidCiphertextException with
 * an empty message, as for any other changed byte, rather than NotFoundException. A name in
 * another account is authorized like any other (authorize.ts), and refused without naming it.
 */
export async function resolveBlobKey(ctx: OperationContext, keyArn: string, action: KeyAction): Promise<KeyRecord> {
  try {
    return await resolveKey(ctx, keyArn, { allowAlias: false, action, viaCiphertext: true });
  } catch (err) {
    if (err instanceof NotFoundException) throw new InvalidCiphertextException('');
    throw err;
  }
}
