// Error cases of this group's operations (format: types.ts): GetParametersForImport,
// ImportKeyMaterial, DeleteImportedKeyMaterial. Recorded against real AWS: the origin rule of
// GetParametersForImport and the material pending rotation of ImportKeyMaterial; the other
// messages are this engine's (src/kms/key-import.ts and the operations say which), except the
// key ones resolveKey and the key-state rules share with the recorded operations.
import { constants, createHmac, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import {
  DeleteImportedKeyMaterialCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  ScheduleKeyDeletionCommand,
  type KMSClient,
} from '../../../src/kms/index.js';
import { ACCOUNT, env, GHOST, ghostArn, REGION, type ErrorTable } from './types.js';

const BAD_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:thing/x`;
const NOT_EXPIRE = { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' } as const;

const params = (KeyId: string) =>
  new GetParametersForImportCommand({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });

/** `material` wrapped with RSAES-OAEP SHA-256 under the SPKI GetParametersForImport returned (node:crypto). */
function wrap(publicKey: Uint8Array, material: Uint8Array): Uint8Array {
  const key = createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' });
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);
}

/** An EXTERNAL key with import parameters: the client, the key and the token / public key. */
async function external(input: Record<string, unknown> = {}) {
  const e = env();
  const k = await e.key({ Origin: 'EXTERNAL', ...input });
  const p = await e.c.send(params(k.KeyId));
  return { ...e, k, token: p.ImportToken!, publicKey: p.PublicKey! };
}

/** ImportKeyMaterial of `material` into `keyId` with fresh parameters. */
async function importInto(c: KMSClient, keyId: string, material: Uint8Array, extra: Record<string, unknown> = {}) {
  const p = await c.send(params(keyId));
  return c.send(
    new ImportKeyMaterialCommand({
      KeyId: keyId,
      ImportToken: p.ImportToken!,
      EncryptedKeyMaterial: wrap(p.PublicKey!, material),
      ...NOT_EXPIRE,
      ...extra,
    }),
  );
}

const GHOST_NOT_FOUND = `Key '${ghostArn()}' does not exist`;
const BAD_ARN_MESSAGE = `'${BAD_ARN}' is not a valid KMS key ARN or alias ARN.`;

export const table: ErrorTable = {
  ops: ['GetParametersForImport', 'ImportKeyMaterial', 'DeleteImportedKeyMaterial'],
  cases: [
    // GetParametersForImport
    {
      op: 'GetParametersForImport',
      exception: 'InvalidArnException',
      title: 'GetParametersForImport with an ARN that is not a key ARN',
      run: async () => ({ p: env().c.send(params(BAD_ARN)), message: BAD_ARN_MESSAGE }),
    },
    {
      op: 'GetParametersForImport',
      exception: 'KMSInvalidStateException',
      title: 'GetParametersForImport on a key pending deletion',
      run: async () => {
        const { c, key } = env();
        const k = await key({ Origin: 'EXTERNAL' });
        await c.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId, PendingWindowInDays: 7 }));
        return { p: c.send(params(k.KeyId)), message: `${k.Arn} is pending deletion.` };
      },
    },
    {
      op: 'GetParametersForImport',
      exception: 'NotFoundException',
      title: 'GetParametersForImport on a key that does not exist',
      run: async () => ({ p: env().c.send(params(GHOST)), message: GHOST_NOT_FOUND }),
    },
    {
      op: 'GetParametersForImport',
      exception: 'UnsupportedOperationException',
      title: 'GetParametersForImport on a key of origin AWS_KMS',
      recorded: [
        'TestKMS::test_get_parameters_for_import_raises_for_non_external_kms_keys',
        'get-import-parameters-error',
      ],
      run: async () => {
        const { c, key } = env();
        const k = await key();
        return {
          p: c.send(params(k.KeyId)),
          message: `${k.Arn} origin is AWS_KMS which is not valid for this operation.`,
          subst: { '<key-arn>': k.Arn },
        };
      },
    },
    // ImportKeyMaterial
    {
      op: 'ImportKeyMaterial',
      exception: 'ExpiredImportTokenException',
      title: 'ImportKeyMaterial with a token past its 24 hours',
      run: async () => {
        const { c, store, k, token, publicKey } = await external();
        // The 24 hours pass: the parameters' validTo moves into the past.
        const rec = (await store.getKey(ACCOUNT, REGION, k.KeyId))!;
        rec.importParameters!.validTo = new Date(Date.now() - 1000);
        await store.putKey(rec);
        return {
          p: c.send(
            new ImportKeyMaterialCommand({
              KeyId: k.KeyId,
              ImportToken: token,
              EncryptedKeyMaterial: wrap(publicKey, randomBytes(32)),
              ...NOT_EXPIRE,
            }),
          ),
          message: 'The import token is expired. Use GetParametersForImport to get a new import token and public key.',
        };
      },
    },
    {
      op: 'ImportKeyMaterial',
      exception: 'IncorrectKeyMaterialException',
      title: 'ImportKeyMaterial of 16 bytes into a symmetric key',
      run: async () => {
        const { c, k, token, publicKey } = await external();
        return {
          p: c.send(
            new ImportKeyMaterialCommand({
              KeyId: k.KeyId,
              ImportToken: token,
              EncryptedKeyMaterial: wrap(publicKey, randomBytes(16)),
              ...NOT_EXPIRE,
            }),
          ),
          message: `The key material is not valid for ${k.Arn} (SYMMETRIC_DEFAULT): symmetric key material is 32 bytes, got 16.`,
        };
      },
    },
    {
      op: 'ImportKeyMaterial',
      exception: 'InvalidArnException',
      title: 'ImportKeyMaterial with an ARN that is not a key ARN',
      run: async () => ({
        p: env().c.send(
          new ImportKeyMaterialCommand({
            KeyId: BAD_ARN,
            ImportToken: randomBytes(40),
            EncryptedKeyMaterial: randomBytes(256),
            ...NOT_EXPIRE,
          }),
        ),
        message: BAD_ARN_MESSAGE,
      }),
    },
    {
      op: 'ImportKeyMaterial',
      exception: 'InvalidCiphertextException',
      title: 'ImportKeyMaterial of bytes that do not decrypt under the wrapping key',
      run: async () => {
        const { c, k, token } = await external();
        return {
          p: c.send(
            new ImportKeyMaterialCommand({
              KeyId: k.KeyId,
              ImportToken: token,
              EncryptedKeyMaterial: randomBytes(256),
              ...NOT_EXPIRE,
            }),
          ),
          message: 'The encrypted key material could not be decrypted with the wrapping key.',
        };
      },
    },
    {
      op: 'ImportKeyMaterial',
      exception: 'InvalidImportTokenException',
      title: "ImportKeyMaterial with another key's import token",
      run: async () => {
        const { c, key, token, publicKey } = await external();
        const other = await key({ Origin: 'EXTERNAL' });
        await c.send(params(other.KeyId));
        return {
          p: c.send(
            new ImportKeyMaterialCommand({
              KeyId: other.KeyId,
              ImportToken: token,
              EncryptedKeyMaterial: wrap(publicKey, randomBytes(32)),
              ...NOT_EXPIRE,
            }),
          ),
          message: 'The import token is invalid or is associated with a different KMS key.',
        };
      },
    },
    {
      op: 'ImportKeyMaterial',
      exception: 'KMSInvalidStateException',
      title: 'ImportKeyMaterial of new material while another is pending rotation',
      recorded: [
        'TestKMS::test_import_key_material_raises_if_there_is_already_key_material_pending',
        'existing-pending-material-error',
      ],
      run: async () => {
        const { c, key } = env();
        const k = await key({ Origin: 'EXTERNAL' });
        await importInto(c, k.KeyId, randomBytes(32));
        const pending = await importInto(c, k.KeyId, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL' });
        const third = randomBytes(32);
        // The id KMS would give the refused material: HMAC-SHA-256 keyed by it over the key id.
        const thirdId = createHmac('sha256', third).update(k.KeyId).digest('hex');
        return {
          p: importInto(c, k.KeyId, third, { ImportType: 'NEW_KEY_MATERIAL' }),
          message: `New key material (id: ${thirdId}) cannot be imported into KMS key ${k.Arn}, because another key material (id: ${pending.KeyMaterialId}) is pending rotation.`,
          subst: {
            '<key-material-id:2>': pending.KeyMaterialId!,
            '<key-material-id>': thirdId,
            '<key-id:1>': k.Arn,
          },
        };
      },
    },
    {
      op: 'ImportKeyMaterial',
      exception: 'NotFoundException',
      title: 'ImportKeyMaterial into a key that does not exist',
      run: async () => ({
        p: env().c.send(
          new ImportKeyMaterialCommand({
            KeyId: GHOST,
            ImportToken: randomBytes(40),
            EncryptedKeyMaterial: randomBytes(256),
            ...NOT_EXPIRE,
          }),
        ),
        message: GHOST_NOT_FOUND,
      }),
    },
    {
      op: 'ImportKeyMaterial',
      exception: 'UnsupportedOperationException',
      title: 'ImportKeyMaterial into a key of origin AWS_KMS',
      run: async () => {
        const { c, key } = env();
        const k = await key();
        return {
          p: c.send(
            new ImportKeyMaterialCommand({
              KeyId: k.KeyId,
              ImportToken: randomBytes(40),
              EncryptedKeyMaterial: randomBytes(256),
              ...NOT_EXPIRE,
            }),
          ),
          message: `${k.Arn} origin is AWS_KMS which is not valid for this operation.`,
        };
      },
    },
    // DeleteImportedKeyMaterial
    {
      op: 'DeleteImportedKeyMaterial',
      exception: 'InvalidArnException',
      title: 'DeleteImportedKeyMaterial with an ARN that is not a key ARN',
      run: async () => ({
        p: env().c.send(new DeleteImportedKeyMaterialCommand({ KeyId: BAD_ARN })),
        message: BAD_ARN_MESSAGE,
      }),
    },
    {
      op: 'DeleteImportedKeyMaterial',
      exception: 'KMSInvalidStateException',
      title: 'DeleteImportedKeyMaterial on a multi-Region key being updated (UpdatePrimaryRegion in progress)',
      run: async () => {
        const { c, store, key } = env();
        const k = await key({ Origin: 'EXTERNAL', MultiRegion: true });
        const rec = (await store.getKey(ACCOUNT, REGION, k.KeyId))!;
        rec.keyState = 'Updating';
        await store.putKey(rec);
        return {
          p: c.send(new DeleteImportedKeyMaterialCommand({ KeyId: k.KeyId })),
          message: `${k.Arn} is updating.`,
        };
      },
    },
    {
      op: 'DeleteImportedKeyMaterial',
      exception: 'NotFoundException',
      title: 'DeleteImportedKeyMaterial with a key material id the key does not have',
      run: async () => {
        const { c, key } = env();
        const k = await key({ Origin: 'EXTERNAL' });
        const id = 'ab'.repeat(32);
        return {
          p: c.send(new DeleteImportedKeyMaterialCommand({ KeyId: k.KeyId, KeyMaterialId: id })),
          message: `Key material ${id} is not associated with ${k.Arn}.`,
        };
      },
    },
    {
      op: 'DeleteImportedKeyMaterial',
      exception: 'UnsupportedOperationException',
      title: 'DeleteImportedKeyMaterial on a key of origin AWS_KMS',
      run: async () => {
        const { c, key } = env();
        const k = await key();
        return {
          p: c.send(new DeleteImportedKeyMaterialCommand({ KeyId: k.KeyId })),
          message: `${k.Arn} origin is AWS_KMS which is not valid for this operation.`,
        };
      },
    },
  ],
  excused: {
    DependencyTimeoutException:
      'Nothing here waits on a dependency that could time out: the store and the core answer in process.',
    KMSInternalException:
      'Only an engine fault raises it (a bug or a failed random source), which no input can bring about on purpose.',
  },
};
