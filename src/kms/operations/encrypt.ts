// Encrypt (AWS KMS API Reference). Order: validate input → resolve key → key state → key usage
// (ENCRYPT_DECRYPT) → algorithm of the key → (asymmetric keys) encryption context, plaintext
// size → DryRun → encrypt.
//
// - A symmetric key seals Plaintext (1..4096 bytes) into this engine's blob, SYMMETRIC_DEFAULT
//   only. As in KMS, the output has no KeyMaterialId.
// - An RSA key (RSAES_OAEP_SHA_1 / RSAES_OAEP_SHA_256) or SM2 key (SM2PKE) encrypts with its
//   public key in the core; the ciphertext is the bare RSA-OAEP or SM2 ciphertext, as KMS returns
//   it, so anyone holding the public key makes the same kind and Decrypt needs KeyId and
//   EncryptionAlgorithm to open it. OAEP's limit is the modulus size − 2·hash − 2: 214/190,
//   342/318, 470/446 bytes; SM2PKE takes up to 1024 bytes (KMS developer guide, SM2 key spec).
//
// Messages: "Algorithm <alg> and key spec <spec> cannot encrypt data larger than <n> bytes."
// [AWS-REC]; "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_4096." is what KMS
// answers an Encrypt without EncryptionAlgorithm under an RSA key (InvalidKeyUsageException; not
// in the recordings). The encryption context refusal is inferred: KMS documents that asymmetric
// keys take no encryption context, its message is not recorded.

import { rsaOaepEncrypt } from '../../core/rsa.js';
import { sm2Encrypt } from '../../core/sm2.js';
import { InvalidKeyUsageException, ValidationException } from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { checkDryRun, checkUsableForCrypto, keyPairOf } from '../key-state.js';
import { sealUnderCurrentMaterial } from '../key-material.js';
import { keyAlgorithms } from '../key-metadata.js';
import type { EncryptionAlgorithmSpec } from '../schema.js';
import type { KeyRecord } from '../store.js';
import { validateInput } from '../validation.js';

export interface EncryptInput {
  KeyId: string | undefined;
  Plaintext: Uint8Array | undefined;
  EncryptionContext?: Record<string, string>;
  GrantTokens?: string[];
  EncryptionAlgorithm?: string;
  DryRun?: boolean;
}

export interface EncryptOutput {
  CiphertextBlob?: Uint8Array;
  KeyId?: string;
  EncryptionAlgorithm?: EncryptionAlgorithmSpec;
}

/** The asymmetric encryption algorithms, by the name KMS gives them. */
export type AsymmetricEncryptionAlgorithm = 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'SM2PKE';

/** Whether `algorithm` is one of the asymmetric encryption algorithms. */
export function isAsymmetricEncryption(algorithm: string | undefined): algorithm is AsymmetricEncryptionAlgorithm {
  return algorithm === 'RSAES_OAEP_SHA_1' || algorithm === 'RSAES_OAEP_SHA_256' || algorithm === 'SM2PKE';
}

/** The recorded usage message of the encryption operations. */
export function checkEncryptDecryptUsage(key: KeyRecord, operation: string): void {
  if (key.keyUsage !== 'ENCRYPT_DECRYPT') {
    throw new InvalidKeyUsageException(`${key.arn} key usage is ${key.keyUsage} which is not valid for ${operation}.`);
  }
}

/**
 * The checks of an asymmetric ENCRYPT_DECRYPT key and algorithm (the key's usage is checked
 * already): the algorithm must be one the key's spec lists (SYMMETRIC_DEFAULT, the default, is
 * not), and no encryption context may be given.
 */
export function checkAsymmetricAlgorithm(
  key: KeyRecord,
  algorithm: string | undefined,
  encryptionContext: Record<string, string> | undefined,
): AsymmetricEncryptionAlgorithm {
  const alg = algorithm ?? 'SYMMETRIC_DEFAULT';
  if (
    !isAsymmetricEncryption(alg) ||
    !(keyAlgorithms(key.keySpec, key.keyUsage).EncryptionAlgorithms ?? []).includes(alg)
  ) {
    throw new InvalidKeyUsageException(`Algorithm ${alg} is incompatible with key spec ${key.keySpec}.`);
  }
  if (encryptionContext !== undefined && Object.keys(encryptionContext).length > 0) {
    throw new ValidationException('EncryptionContext is not supported with asymmetric KMS keys.');
  }
  return alg;
}

const RSA_MODULUS_BYTES: Readonly<Record<string, number>> = { RSA_2048: 256, RSA_3072: 384, RSA_4096: 512 };
/** The most bytes SM2PKE encrypts (KMS developer guide, SM2 key spec). */
export const SM2PKE_MAX_PLAINTEXT_BYTES = 1024;

/** The most plaintext bytes `algorithm` encrypts under a key of `keySpec`. */
export function maxPlaintextBytes(keySpec: string, algorithm: AsymmetricEncryptionAlgorithm): number {
  if (algorithm === 'SM2PKE') return SM2PKE_MAX_PLAINTEXT_BYTES;
  const hashBytes = algorithm === 'RSAES_OAEP_SHA_1' ? 20 : 32;
  return (RSA_MODULUS_BYTES[keySpec] ?? 0) - 2 * hashBytes - 2;
}

/** [AWS-REC] ValidationException when the plaintext exceeds the algorithm's limit for the key. */
export function checkPlaintextSize(key: KeyRecord, algorithm: AsymmetricEncryptionAlgorithm, length: number): void {
  const max = maxPlaintextBytes(key.keySpec, algorithm);
  if (length > max) {
    throw new ValidationException(
      `Algorithm ${algorithm} and key spec ${key.keySpec} cannot encrypt data larger than ${max} bytes.`,
    );
  }
}

/** The bare ciphertext of `plaintext` under the key's public key. The private key is wiped, unused. */
export function asymmetricEncrypt(
  ctx: OperationContext,
  key: KeyRecord,
  algorithm: AsymmetricEncryptionAlgorithm,
  plaintext: Uint8Array,
): Uint8Array {
  const pair = keyPairOf(key);
  pair.privateKey.fill(0);
  if (algorithm === 'SM2PKE') return sm2Encrypt(ctx.core(), pair.publicKey, plaintext);
  return rsaOaepEncrypt(ctx.core(), pair.publicKey, algorithm === 'RSAES_OAEP_SHA_1' ? 'SHA-1' : 'SHA-256', plaintext);
}

export async function encrypt(ctx: OperationContext, input: EncryptInput): Promise<EncryptOutput> {
  validateInput('Encrypt', input);
  const key = await resolveKey(ctx, input.KeyId as string, { action: 'Encrypt' });
  checkUsableForCrypto(key);
  checkEncryptDecryptUsage(key, 'Encrypt');
  // The Plaintext is the caller's: it is not wiped here.
  const plaintext = input.Plaintext as Uint8Array;
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') {
    const algorithm = checkAsymmetricAlgorithm(key, input.EncryptionAlgorithm, input.EncryptionContext);
    checkPlaintextSize(key, algorithm, plaintext.length);
    checkDryRun(input.DryRun);
    return {
      CiphertextBlob: asymmetricEncrypt(ctx, key, algorithm, plaintext),
      KeyId: key.arn,
      EncryptionAlgorithm: algorithm,
    };
  }
  // Message ours: a symmetric key supports only SYMMETRIC_DEFAULT.
  if (input.EncryptionAlgorithm !== undefined && input.EncryptionAlgorithm !== 'SYMMETRIC_DEFAULT') {
    throw new InvalidKeyUsageException(
      `${key.arn} does not support encryption algorithm ${input.EncryptionAlgorithm}.`,
    );
  }
  checkDryRun(input.DryRun);
  const { blob } = sealUnderCurrentMaterial(ctx, key, plaintext, input.EncryptionContext);
  return { CiphertextBlob: blob, KeyId: key.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
}
