// The file key store: under the KMS engine: what one store instance wrote, a new one over the same directory reads.
import { describe, it, expect, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileKeyStore } from '../../src/node/file-store/index.js';
import {
  CreateAliasCommand,
  CreateCustomKeyStoreCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeCustomKeyStoresCommand,
  DescribeKeyCommand,
  GenerateDataKeyPairCommand,
  KMSClient,
  ListAliasesCommand,
  RotateKeyOnDemandCommand,
  EnableKeyRotationCommand,
  GetKeyRotationStatusCommand,
  EncryptCommand,
} from '../../src/kms/index.js';
import { ACCOUNT, tempDir, removeTempDirs } from '../helpers/file-store.js';

afterAll(removeTempDirs);

describe('FileKeyStore under the KMS engine', () => {
  it('CreateKey → GenerateDataKeyPair → Decrypt in a new store instance over the same directory', async () => {
    const dir = await tempDir();
    const masterKey = new Uint8Array(randomBytes(32));
    const store = await FileKeyStore.open(dir, { masterKey });
    const kms = new KMSClient({ store });
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'file store' }));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/Files/Test', TargetKeyId: KeyMetadata!.KeyId }));
    const context = { tenant: 'a' };
    const pair = await kms.send(
      new GenerateDataKeyPairCommand({
        KeyId: 'alias/Files/Test',
        KeyPairSpec: 'ECC_NIST_P256',
        EncryptionContext: context,
      }),
    );
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: KeyMetadata!.KeyId }));
    await kms.send(new EnableKeyRotationCommand({ KeyId: KeyMetadata!.KeyId, RotationPeriodInDays: 200 }));
    const rotation = await kms.send(new GetKeyRotationStatusCommand({ KeyId: KeyMetadata!.KeyId }));
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: new Uint8Array([1, 2, 3]) }),
    );
    const { CustomKeyStoreId } = await kms.send(
      new CreateCustomKeyStoreCommand({
        CustomKeyStoreName: 'hsm',
        CloudHsmClusterId: 'cluster-234567abcde',
        TrustAnchorCertificate: 'cert',
        KeyStorePassword: 'kmsPassword',
      }),
    );
    await store.close();

    const reopened = await FileKeyStore.open(dir, { masterKey });
    const kms2 = new KMSClient({ store: reopened });
    const { Plaintext } = await kms2.send(
      new DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob, EncryptionContext: context }),
    );
    expect(Plaintext).toEqual(pair.PrivateKeyPlaintext);
    expect((await kms2.send(new DecryptCommand({ CiphertextBlob }))).Plaintext).toEqual(new Uint8Array([1, 2, 3]));
    const described = await kms2.send(new DescribeKeyCommand({ KeyId: 'alias/Files/Test' }));
    expect(described.KeyMetadata).toMatchObject({
      KeyId: KeyMetadata!.KeyId,
      Arn: KeyMetadata!.Arn,
      CreationDate: KeyMetadata!.CreationDate,
      Description: 'file store',
    });
    expect((await kms2.send(new ListAliasesCommand({}))).Aliases!.map((a) => a.AliasName)).toContain(
      'alias/Files/Test',
    );
    // Rotation settings live on the record, so the next process sees them.
    const rotationAgain = await kms2.send(new GetKeyRotationStatusCommand({ KeyId: KeyMetadata!.KeyId }));
    expect(rotationAgain).toMatchObject({
      KeyRotationEnabled: true,
      RotationPeriodInDays: 200,
      NextRotationDate: rotation.NextRotationDate,
    });
    const stores = await kms2.send(new DescribeCustomKeyStoresCommand({}));
    expect(stores.CustomKeyStores!.map((c) => c.CustomKeyStoreId)).toEqual([CustomKeyStoreId]);
    // Two key materials after the rotation, both sealed on disk.
    const raw = await readFile(join(dir, ACCOUNT, 'us-east-1', 'keys', `${KeyMetadata!.KeyId}.json`), 'utf8');
    expect(JSON.parse(raw).record.keyMaterials).toHaveLength(2);
    expect(raw).not.toContain(Buffer.from(pair.PrivateKeyPlaintext!).toString('base64'));
    await reopened.close();
  });
});
