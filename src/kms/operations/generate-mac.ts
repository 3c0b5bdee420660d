// GenerateMac (AWS KMS API Reference), and the checks VerifyMac shares. Order: validate input →
// resolve key → key state → key usage (GENERATE_VERIFY_MAC) → MAC algorithm of the key spec →
// DryRun → HMAC in the core.
//
// An HMAC_224/256/384/512 key takes only HMAC_SHA_224/256/384/512 with the same digest size; its
// HMAC key is the record's hmacKey (28, 32, 48 or 64 random bytes, create-key.ts), wiped here
// after use. The message is 1..4096 bytes (the input shape).
//
// Messages [AWS-REC]: "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224." and the
// enum message of an unknown MacAlgorithm (validation.ts, in the order KMS listed the values).
// The key usage message follows the pattern recorded for other operations ("<ARN> key usage is
// ENCRYPT_DECRYPT which is not valid for GenerateMac."): inferred.

import { hmac, type HmacHashName } from '../../core/symmetric.js';
import { InvalidKeyUsageException, KMSInternalException } from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { checkDryRun, checkUsableForCrypto } from '../key-state.js';
import { keyAlgorithms } from '../key-metadata.js';
import type { MacAlgorithmSpec } from '../schema.js';
import type { KeyRecord } from '../store.js';
import { validateInput } from '../validation.js';

export interface GenerateMacInput {
  Message: Uint8Array | undefined;
  KeyId: string | undefined;
  MacAlgorithm: MacAlgorithmSpec | undefined;
  GrantTokens?: string[];
  DryRun?: boolean;
}

export interface GenerateMacOutput {
  Mac?: Uint8Array;
  MacAlgorithm?: MacAlgorithmSpec;
  KeyId?: string;
}

/** The hash each MAC algorithm names. */
export const MAC_HASHES: Readonly<Record<MacAlgorithmSpec, HmacHashName>> = {
  HMAC_SHA_224: 'SHA-224',
  HMAC_SHA_256: 'SHA-256',
  HMAC_SHA_384: 'SHA-384',
  HMAC_SHA_512: 'SHA-512',
};

/** A GenerateMac/VerifyMac request as checked: the key, its material and the hash. */
export interface MacRequest {
  key: KeyRecord;
  algorithm: MacAlgorithmSpec;
  hash: HmacHashName;
}

/**
 * The checks GenerateMac and VerifyMac share, after validation: resolve → state → usage →
 * algorithm of the key spec. `operation` names the operation in the messages and the action.
 */
export async function checkMacRequest(
  ctx: OperationContext,
  operation: 'GenerateMac' | 'VerifyMac',
  input: { KeyId: string | undefined; MacAlgorithm?: string },
): Promise<MacRequest> {
  const key = await resolveKey(ctx, input.KeyId as string, { action: operation });
  checkUsableForCrypto(key);
  if (key.keyUsage !== 'GENERATE_VERIFY_MAC') {
    throw new InvalidKeyUsageException(`${key.arn} key usage is ${key.keyUsage} which is not valid for ${operation}.`);
  }
  const algorithm = input.MacAlgorithm as MacAlgorithmSpec;
  if (!(keyAlgorithms(key.keySpec, key.keyUsage).MacAlgorithms ?? []).includes(algorithm)) {
    throw new InvalidKeyUsageException(`Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`);
  }
  return { key, algorithm, hash: MAC_HASHES[algorithm] };
}

/** The HMAC key of a checked key (every HMAC key that passed the state checks has one). */
export function macKeyOf(key: KeyRecord): Uint8Array {
  if (key.hmacKey === undefined) throw new KMSInternalException(`${key.arn} has no HMAC key material.`);
  return key.hmacKey;
}

export async function generateMac(ctx: OperationContext, input: GenerateMacInput): Promise<GenerateMacOutput> {
  validateInput('GenerateMac', input);
  const { key, algorithm, hash } = await checkMacRequest(ctx, 'GenerateMac', input);
  try {
    checkDryRun(input.DryRun);
    const mac = hmac(ctx.core(), hash, macKeyOf(key), input.Message as Uint8Array);
    return { Mac: mac, MacAlgorithm: algorithm, KeyId: key.arn };
  } finally {
    key.hmacKey?.fill(0);
  }
}
