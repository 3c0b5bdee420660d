// Every operation of the engine by its KMS name: what a wire endpoint (the HTTP server, a worker)
// dispatches on. The command classes bind the same functions one by one.

import type { OperationContext } from '../context.js';
import type { OperationName } from '../schema.js';
import { runWipingLoadedKeys } from '../store.js';
import { cancelKeyDeletion } from './cancel-key-deletion.js';
import { createAlias } from './create-alias.js';
import { createCustomKeyStore } from './create-custom-key-store.js';
import { createKey } from './create-key.js';
import { decrypt } from './decrypt.js';
import { deleteAlias } from './delete-alias.js';
import { describeCustomKeyStores } from './describe-custom-key-stores.js';
import { describeKey } from './describe-key.js';
import { disableKey } from './disable-key.js';
import { disableKeyRotation } from './disable-key-rotation.js';
import { enableKey } from './enable-key.js';
import { enableKeyRotation } from './enable-key-rotation.js';
import { encrypt } from './encrypt.js';
import { generateDataKey } from './generate-data-key.js';
import { generateDataKeyPair } from './generate-data-key-pair.js';
import { generateDataKeyPairWithoutPlaintext } from './generate-data-key-pair-without-plaintext.js';
import { generateDataKeyWithoutPlaintext } from './generate-data-key-without-plaintext.js';
import { generateRandom } from './generate-random.js';
import { getKeyRotationStatus } from './get-key-rotation-status.js';
import { getPublicKey } from './get-public-key.js';
import { listAliases } from './list-aliases.js';
import { listKeys } from './list-keys.js';
import { reEncrypt } from './re-encrypt.js';
import { rotateKeyOnDemand } from './rotate-key-on-demand.js';
import { scheduleKeyDeletion } from './schedule-key-deletion.js';
import { updateAlias } from './update-alias.js';

/** An operation: validated, checked and carried out against `ctx`; rejects with a KMS exception. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OperationHandler = (ctx: OperationContext, input: any) => Promise<object>;

/** Every key record an operation loads is wiped when it ends (store.ts runWipingLoadedKeys). */
function wiping(op: OperationHandler): OperationHandler {
  return (ctx, input) => runWipingLoadedKeys(op, ctx, input);
}

const HANDLERS: Readonly<Record<OperationName, OperationHandler>> = {
  CreateKey: createKey,
  DescribeKey: describeKey,
  ListKeys: listKeys,
  CreateAlias: createAlias,
  UpdateAlias: updateAlias,
  DeleteAlias: deleteAlias,
  ListAliases: listAliases,
  EnableKey: enableKey,
  DisableKey: disableKey,
  ScheduleKeyDeletion: scheduleKeyDeletion,
  CancelKeyDeletion: cancelKeyDeletion,
  EnableKeyRotation: enableKeyRotation,
  DisableKeyRotation: disableKeyRotation,
  GetKeyRotationStatus: getKeyRotationStatus,
  RotateKeyOnDemand: rotateKeyOnDemand,
  GetPublicKey: getPublicKey,
  GenerateDataKeyPair: generateDataKeyPair,
  GenerateDataKeyPairWithoutPlaintext: generateDataKeyPairWithoutPlaintext,
  Decrypt: decrypt,
  Encrypt: encrypt,
  ReEncrypt: reEncrypt,
  GenerateDataKey: generateDataKey,
  GenerateDataKeyWithoutPlaintext: generateDataKeyWithoutPlaintext,
  GenerateRandom: generateRandom,
  CreateCustomKeyStore: createCustomKeyStore,
  DescribeCustomKeyStores: describeCustomKeyStores,
};

export const OPERATION_HANDLERS: Readonly<Record<OperationName, OperationHandler>> = Object.fromEntries(
  Object.entries(HANDLERS).map(([name, op]) => [name, wiping(op)]),
) as Record<OperationName, OperationHandler>;
