// GetParametersForImport (AWS KMS API Reference): a fresh wrapping key pair and an import token
// for an EXTERNAL key, valid 24 hours. Order: validate → resolve (key id or key ARN) → same
// account → origin EXTERNAL ([AWS-REC] UnsupportedOperationException "<ARN> origin is AWS_KMS
// which is not valid for this operation.") → key state (Enabled, Disabled, PendingImport pass;
// PendingDeletion [3]) → key spec this engine can import → wrapping algorithm and key spec
// (key-import.ts) → key pair (outside the store's lock) → the checks again under the lock → write. A later call replaces the earlier parameters, as in KMS:
// only the latest token imports. The wrapping private key is kept on the record
// (importParameters), which the stores seal like key material.

import { nowOf, type OperationContext, transactional } from '../context.js';
import {
  checkExternalKey,
  checkImportableSpec,
  checkImportState,
  checkWrappingParameters,
  importParameters,
  type WrappingAlgorithm,
  type WrappingKeySpec,
} from '../key-import.js';
import { resolveKey } from '../key-resolution.js';
import { validateInput } from '../validation.js';

export interface GetParametersForImportInput {
  KeyId: string | undefined;
  WrappingAlgorithm: WrappingAlgorithm | undefined;
  WrappingKeySpec: WrappingKeySpec | undefined;
}

export interface GetParametersForImportOutput {
  KeyId?: string;
  ImportToken?: Uint8Array;
  PublicKey?: Uint8Array;
  ParametersValidTo?: Date;
}

/** The checks, on the key as the store has it now. */
async function checkedKey(ctx: OperationContext, input: GetParametersForImportInput) {
  const key = await resolveKey(ctx, input.KeyId as string, {
    allowAlias: false,
    arnCheck: true,
    action: 'GetParametersForImport',
  });
  checkExternalKey(ctx, key);
  checkImportState(key);
  checkImportableSpec(key);
  checkWrappingParameters(
    key,
    ctx.region,
    input.WrappingAlgorithm as WrappingAlgorithm,
    input.WrappingKeySpec as WrappingKeySpec,
  );
  return key;
}

/**
 * The key is checked, the wrapping key pair made (by the context's generator: the endpoint's
 * worker pool, where an RSA_4096 pair takes about a second), and only then is the store's lock
 * taken, the key read and checked again, and the parameters written: other writers are not held
 * up while the pair is made. A pair that is not kept is wiped.
 */
export async function getParametersForImport(
  ctx: OperationContext,
  input: GetParametersForImportInput,
): Promise<GetParametersForImportOutput> {
  validateInput('GetParametersForImport', input);
  await checkedKey(ctx, input);
  const algorithm = input.WrappingAlgorithm as WrappingAlgorithm;
  const spec = input.WrappingKeySpec as WrappingKeySpec;
  const pair = await ctx.generateKeyPair(spec);
  let kept = false;
  try {
    return await transactional(async (tx: OperationContext) => {
      const key = await checkedKey(tx, input);
      const now = nowOf(tx);
      // The pair now belongs to the record, which the operation's run wipes when it ends.
      key.importParameters?.privateKey.fill(0);
      key.importParameters?.publicKey.fill(0);
      const { record, token } = importParameters(key, algorithm, spec, pair, now);
      key.importParameters = record;
      kept = true;
      await tx.store.putKey(key);
      return {
        KeyId: key.arn,
        ImportToken: token,
        PublicKey: record.publicKey.slice(),
        ParametersValidTo: new Date(record.validTo.getTime()),
      };
    })(ctx, input);
  } finally {
    if (!kept) {
      pair.privateKey.fill(0);
      pair.publicKey.fill(0);
    }
  }
}
