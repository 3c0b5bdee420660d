// Decapsulate (AWS KMS API Reference). Order: validate input → resolve key → key state → key
// usage (ENCAPSULATE_DECAPSULATE) → encapsulation algorithm of the key spec → ciphertext length
// of the key spec → DryRun → ML-KEM.Decaps (FIPS 203) with the key's private key in the core.
//
// ML-KEM decapsulation has no failure: a ciphertext of the right length that was not made for
// the key yields FIPS 203's implicit-rejection secret J(z ‖ c), a value unrelated to any secret
// an encapsulation gave, and that is what is returned (the parties' later use of it fails). A
// ciphertext of another length than the key spec's (768, 1088, 1568 bytes) is
// InvalidCiphertextException (message ours: not recorded).

import { mlkemDecapsulate, ML_KEM_CIPHERTEXT_BYTES, ML_KEM_SPEC_RANKS } from '../../core/mlkem.js';
import { InvalidCiphertextException } from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { checkDryRun, keyPairOf } from '../key-state.js';
import type { EncapsulationAlgorithmSpec } from '../schema.js';
import { validateInput } from '../validation.js';
import { checkKemRequest } from './encapsulate.js';

export interface DecapsulateInput {
  KeyId: string | undefined;
  SharedSecretCiphertextBlob: Uint8Array | undefined;
  EncapsulationAlgorithm: EncapsulationAlgorithmSpec | undefined;
  GrantTokens?: string[];
  DryRun?: boolean;
}

export interface DecapsulateOutput {
  KeyId?: string;
  SharedSecret?: Uint8Array;
  EncapsulationAlgorithm?: EncapsulationAlgorithmSpec;
}

export async function decapsulate(ctx: OperationContext, input: DecapsulateInput): Promise<DecapsulateOutput> {
  validateInput('Decapsulate', input);
  const { key, algorithm } = await checkKemRequest(ctx, 'Decapsulate', input);
  const pair = keyPairOf(key);
  try {
    const ciphertext = input.SharedSecretCiphertextBlob as Uint8Array;
    const expected = ML_KEM_CIPHERTEXT_BYTES[ML_KEM_SPEC_RANKS[key.keySpec as keyof typeof ML_KEM_SPEC_RANKS]];
    if (ciphertext.length !== expected) {
      throw new InvalidCiphertextException(
        `The ciphertext is ${ciphertext.length} bytes; an encapsulation under a ${key.keySpec} key is ${expected} bytes.`,
      );
    }
    checkDryRun(input.DryRun);
    const sharedSecret = mlkemDecapsulate(ctx.core(), pair.privateKey, ciphertext);
    return { KeyId: key.arn, SharedSecret: sharedSecret, EncapsulationAlgorithm: algorithm };
  } finally {
    pair.privateKey.fill(0);
  }
}
