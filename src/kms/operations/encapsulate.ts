// Encapsulate (AWS KMS API Reference), and the checks Decapsulate shares. Order: validate input →
// resolve key → key state → key usage (ENCAPSULATE_DECAPSULATE) → encapsulation algorithm of the
// key spec → DryRun → ML-KEM.Encaps (FIPS 203) to the key's public key in the core.
//
// ML_KEM_512/768/1024 keys take EncapsulationAlgorithm ML_KEM, the only value of the enum. The
// shared secret is 32 bytes; the ciphertext (SharedSecretCiphertextBlob) 768, 1088 or 1568 bytes.
// Anyone holding the public key (GetPublicKey) can make the same kind of ciphertext; Decapsulate
// opens both.
//
// Messages: the key usage message follows the pattern recorded for other operations ("<ARN> key
// usage is SIGN_VERIFY which is not valid for Encapsulate."), and the algorithm message the one
// recorded for MACs ("Algorithm <alg> is incompatible with key spec <spec>."): inferred, as no
// Encapsulate error is recorded.

import { mlkemEncapsulate } from '../../core/mlkem.js';
import { InvalidKeyUsageException } from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { checkDryRun, checkUsableForCrypto, keyPairOf } from '../key-state.js';
import { keyAlgorithms } from '../key-metadata.js';
import type { EncapsulationAlgorithmSpec } from '../schema.js';
import type { KeyRecord } from '../store.js';
import { validateInput } from '../validation.js';

export interface EncapsulateInput {
  KeyId: string | undefined;
  EncapsulationAlgorithm: EncapsulationAlgorithmSpec | undefined;
  GrantTokens?: string[];
  DryRun?: boolean;
}

export interface EncapsulateOutput {
  KeyId?: string;
  SharedSecret?: Uint8Array;
  SharedSecretCiphertextBlob?: Uint8Array;
  EncapsulationAlgorithm?: EncapsulationAlgorithmSpec;
}

/**
 * The checks Encapsulate and Decapsulate share, after validation: resolve → state → usage →
 * algorithm of the key spec.
 */
export async function checkKemRequest(
  ctx: OperationContext,
  operation: 'Encapsulate' | 'Decapsulate',
  input: { KeyId: string | undefined; EncapsulationAlgorithm?: string },
): Promise<{ key: KeyRecord; algorithm: EncapsulationAlgorithmSpec }> {
  const key = await resolveKey(ctx, input.KeyId as string, { action: operation });
  checkUsableForCrypto(key);
  if (key.keyUsage !== 'ENCAPSULATE_DECAPSULATE') {
    throw new InvalidKeyUsageException(`${key.arn} key usage is ${key.keyUsage} which is not valid for ${operation}.`);
  }
  const algorithm = input.EncapsulationAlgorithm as EncapsulationAlgorithmSpec;
  if (!(keyAlgorithms(key.keySpec, key.keyUsage).EncapsulationAlgorithms ?? []).includes(algorithm)) {
    throw new InvalidKeyUsageException(`Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`);
  }
  return { key, algorithm };
}

export async function encapsulate(ctx: OperationContext, input: EncapsulateInput): Promise<EncapsulateOutput> {
  validateInput('Encapsulate', input);
  const { key, algorithm } = await checkKemRequest(ctx, 'Encapsulate', input);
  const pair = keyPairOf(key);
  // Only the public key is used.
  pair.privateKey.fill(0);
  checkDryRun(input.DryRun);
  const { ciphertext, sharedSecret } = mlkemEncapsulate(ctx.core(), pair.publicKey);
  return {
    KeyId: key.arn,
    SharedSecret: sharedSecret,
    SharedSecretCiphertextBlob: ciphertext,
    EncapsulationAlgorithm: algorithm,
  };
}
