// ReEncrypt (AWS KMS API Reference): Decrypt's checks on the source and Encrypt's on the destination,
// then open and re-seal inside one call. Order: validate input → (IGNORE_CIPHERTEXT dry run:
// SourceKeyId and destination checks only) → read the blob's header (malformed:
// InvalidCiphertextException, empty message) → resolve the source key the blob names, and
// SourceKeyId if given (a different key is IncorrectKeyException) → source state → source usage
// → resolve destination → destination state → destination usage → DryRun → open under the source
// with SourceEncryptionContext → seal under the destination with DestinationEncryptionContext.
// The intermediate plaintext is wiped before returning, whatever happens.
//
// Either side may be asymmetric (RSA or SM2 ENCRYPT_DECRYPT keys), as in KMS. An asymmetric
// SourceEncryptionAlgorithm makes the CiphertextBlob a bare RSA-OAEP or SM2 ciphertext: the
// source key is then SourceKeyId (required) with Decrypt's asymmetric checks (decrypt.ts). An
// asymmetric destination takes DestinationEncryptionAlgorithm (required: the default
// SYMMETRIC_DEFAULT is not its), no DestinationEncryptionContext, and at most its algorithm's
// plaintext size, checked once the source is open. Key material ids are returned for the
// symmetric sides only.

import { blobKey, ignoreCiphertextDryRun, openWithKey, readBlobHeader } from '../blob-source.js';
import { InvalidKeyUsageException, ValidationException } from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { checkDryRun, checkUsableForCrypto } from '../key-state.js';
import { sealUnderCurrentMaterial, wipe } from '../key-material.js';
import type { EncryptionAlgorithmSpec } from '../schema.js';
import type { KeyRecord } from '../store.js';
import { formatValidationMessage, validateInput } from '../validation.js';
import { asymmetricDecrypt, asymmetricSourceKey } from './decrypt.js';
import {
  asymmetricEncrypt,
  checkAsymmetricAlgorithm,
  checkEncryptDecryptUsage,
  checkPlaintextSize,
  isAsymmetricEncryption,
  type AsymmetricEncryptionAlgorithm,
} from './encrypt.js';

export interface ReEncryptInput {
  CiphertextBlob?: Uint8Array;
  SourceEncryptionContext?: Record<string, string>;
  SourceKeyId?: string;
  DestinationKeyId: string | undefined;
  DestinationEncryptionContext?: Record<string, string>;
  SourceEncryptionAlgorithm?: string;
  DestinationEncryptionAlgorithm?: string;
  GrantTokens?: string[];
  DryRun?: boolean;
  DryRunModifiers?: string[];
}

export interface ReEncryptOutput {
  CiphertextBlob?: Uint8Array;
  SourceKeyId?: string;
  KeyId?: string;
  SourceEncryptionAlgorithm?: EncryptionAlgorithmSpec;
  DestinationEncryptionAlgorithm?: EncryptionAlgorithmSpec;
  SourceKeyMaterialId?: string;
  DestinationKeyMaterialId?: string;
}

interface Destination {
  key: KeyRecord;
  /** The asymmetric algorithm; undefined for a symmetric key. */
  algorithm?: AsymmetricEncryptionAlgorithm;
}

async function destinationKey(ctx: OperationContext, input: ReEncryptInput): Promise<Destination> {
  const dest = await resolveKey(ctx, input.DestinationKeyId as string, { action: 'ReEncryptTo' });
  checkUsableForCrypto(dest);
  checkEncryptDecryptUsage(dest, 'ReEncrypt');
  if (dest.keySpec !== 'SYMMETRIC_DEFAULT') {
    const algorithm = checkAsymmetricAlgorithm(
      dest,
      input.DestinationEncryptionAlgorithm,
      input.DestinationEncryptionContext,
    );
    return { key: dest, algorithm };
  }
  // Message ours, as Encrypt's: a symmetric key supports only SYMMETRIC_DEFAULT.
  if (
    input.DestinationEncryptionAlgorithm !== undefined &&
    input.DestinationEncryptionAlgorithm !== 'SYMMETRIC_DEFAULT'
  ) {
    throw new InvalidKeyUsageException(
      `${dest.arn} does not support encryption algorithm ${input.DestinationEncryptionAlgorithm}.`,
    );
  }
  return { key: dest };
}

const NULL_CIPHERTEXT = () =>
  // Required unless IGNORE_CIPHERTEXT (Coral format, inferred), as in Decrypt.
  new ValidationException(
    formatValidationMessage(["Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null"]),
  );

/** The source side, checked, and how to open it once the destination is checked too. */
interface Source {
  key: KeyRecord;
  algorithm: EncryptionAlgorithmSpec;
  keyMaterialId?: string;
  open: () => Uint8Array;
}

async function symmetricSource(ctx: OperationContext, input: ReEncryptInput): Promise<Source> {
  // Authorization-only dry run: the source key comes from SourceKeyId, then required; the
  // destination is checked too.
  await ignoreCiphertextDryRun(ctx, input, input.SourceKeyId, 'sourceKeyId', 'ReEncrypt', () =>
    destinationKey(ctx, input),
  );
  if (input.CiphertextBlob === undefined) throw NULL_CIPHERTEXT();
  const blob = input.CiphertextBlob;
  const header = readBlobHeader(blob);
  const key = await blobKey(ctx, header, input.SourceKeyId, 'ReEncrypt');
  return {
    key,
    algorithm: 'SYMMETRIC_DEFAULT',
    keyMaterialId: header.keyMaterialId,
    open: () => openWithKey(ctx, key, header, blob, input.SourceEncryptionContext),
  };
}

async function asymmetricSource(
  ctx: OperationContext,
  input: ReEncryptInput,
  algorithm: AsymmetricEncryptionAlgorithm,
): Promise<Source> {
  const key = await asymmetricSourceKey(
    ctx,
    input.SourceKeyId,
    'sourceKeyId',
    'ReEncrypt',
    algorithm,
    input.SourceEncryptionContext,
  );
  const ignoreCiphertext = input.DryRun === true && (input.DryRunModifiers ?? []).includes('IGNORE_CIPHERTEXT');
  if (input.CiphertextBlob === undefined && !ignoreCiphertext) throw NULL_CIPHERTEXT();
  const blob = input.CiphertextBlob as Uint8Array;
  return { key, algorithm, open: () => asymmetricDecrypt(ctx, key, algorithm, blob) };
}

export async function reEncrypt(ctx: OperationContext, input: ReEncryptInput): Promise<ReEncryptOutput> {
  validateInput('ReEncrypt', input);
  const source = isAsymmetricEncryption(input.SourceEncryptionAlgorithm)
    ? await asymmetricSource(ctx, input, input.SourceEncryptionAlgorithm)
    : await symmetricSource(ctx, input);
  const dest = await destinationKey(ctx, input);
  checkDryRun(input.DryRun);

  // The source's opening wipes its key material or private key, the destination's sealing its
  // own; the plaintext opened here is wiped here, whatever happens, and so is the destination's
  // key when the source did not open.
  let plaintext: Uint8Array | undefined;
  try {
    plaintext = source.open();
    const out: ReEncryptOutput = {
      SourceKeyId: source.key.arn,
      KeyId: dest.key.arn,
      SourceEncryptionAlgorithm: source.algorithm,
    };
    if (dest.algorithm !== undefined) {
      checkPlaintextSize(dest.key, dest.algorithm, plaintext.length);
      out.CiphertextBlob = asymmetricEncrypt(ctx, dest.key, dest.algorithm, plaintext);
      out.DestinationEncryptionAlgorithm = dest.algorithm;
    } else {
      const sealed = sealUnderCurrentMaterial(ctx, dest.key, plaintext, input.DestinationEncryptionContext);
      out.CiphertextBlob = sealed.blob;
      out.DestinationEncryptionAlgorithm = 'SYMMETRIC_DEFAULT';
      out.DestinationKeyMaterialId = sealed.keyMaterialId;
    }
    if (source.keyMaterialId !== undefined) out.SourceKeyMaterialId = source.keyMaterialId;
    return orderedOutput(out);
  } finally {
    plaintext?.fill(0);
    wipe(dest.key);
    dest.key.keyPair?.privateKey.fill(0);
  }
}

/** The output members in the model's order. */
function orderedOutput(o: ReEncryptOutput): ReEncryptOutput {
  const out: ReEncryptOutput = {
    CiphertextBlob: o.CiphertextBlob,
    SourceKeyId: o.SourceKeyId,
    KeyId: o.KeyId,
    SourceEncryptionAlgorithm: o.SourceEncryptionAlgorithm,
    DestinationEncryptionAlgorithm: o.DestinationEncryptionAlgorithm,
  };
  if (o.SourceKeyMaterialId !== undefined) out.SourceKeyMaterialId = o.SourceKeyMaterialId;
  if (o.DestinationKeyMaterialId !== undefined) out.DestinationKeyMaterialId = o.DestinationKeyMaterialId;
  return out;
}
