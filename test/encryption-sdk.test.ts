// The AWS Encryption SDK for JavaScript (@aws-crypto/client-node) with this engine in process:
// its KMS keyring calls a KMS client's generateDataKey / encrypt / decrypt methods, which the
// aggregated KMS class has, as the SDK's KMS class does. An encrypt/decrypt round trip under
// the strictest commitment policy, with an encryption context, and a second keyring that only
// wraps the data key with Encrypt.
import { describe, expect, it } from 'vitest';
import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';
import { CreateKeyCommand, DisableKeyCommand, KMS, KMSClient, MemoryKeyStore } from '../src/kms/index.js';

const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

async function setup() {
  const kms = new KMS({ store: new MemoryKeyStore() });
  const generatorKeyId = (await kms.createKey({ Description: 'encryption sdk generator' })).KeyMetadata!.Arn!;
  const otherKeyId = (await kms.createKey({})).KeyMetadata!.Arn!;
  // The keyring asks for a client per Region (taken from the key ARN); one in-process client serves all.
  const clientProvider = () => kms as never;
  return { kms, generatorKeyId, otherKeyId, clientProvider };
}

describe('AWS Encryption SDK over the in-process KMS', () => {
  it('encrypts and decrypts a message with a KMS keyring (GenerateDataKey, Encrypt, Decrypt)', async () => {
    const { kms, generatorKeyId, otherKeyId, clientProvider } = await setup();
    const keyring = new KmsKeyringNode({ generatorKeyId, keyIds: [otherKeyId], clientProvider });
    const context = { purpose: 'test', stage: 'dev' };
    const plaintext = new TextEncoder().encode('a message for the encryption sdk');

    const { result, messageHeader } = await encrypt(keyring, plaintext, { encryptionContext: context });
    // One encrypted data key per KMS key: from GenerateDataKey and from Encrypt.
    expect(messageHeader.encryptedDataKeys.map((k) => k.providerInfo).sort()).toEqual(
      [generatorKeyId, otherKeyId].sort(),
    );
    expect(messageHeader.encryptionContext).toMatchObject(context);

    const decrypted = await decrypt(keyring, result);
    expect(new TextDecoder().decode(decrypted.plaintext)).toBe('a message for the encryption sdk');
    expect(decrypted.messageHeader.encryptionContext).toMatchObject(context);

    // Either key decrypts alone: with the generator disabled, the other key's data key is used.
    await kms.send(new DisableKeyCommand({ KeyId: generatorKeyId }));
    const onlyOther = new KmsKeyringNode({ keyIds: [otherKeyId], clientProvider });
    expect(new TextDecoder().decode((await decrypt(onlyOther, result)).plaintext)).toBe(
      'a message for the encryption sdk',
    );
  });

  it('a keyring with a key of another store cannot decrypt', async () => {
    const { generatorKeyId, clientProvider } = await setup();
    const keyring = new KmsKeyringNode({ generatorKeyId, clientProvider });
    const { result } = await encrypt(keyring, new Uint8Array([1, 2, 3]), { encryptionContext: { a: 'b' } });
    const stranger = new KMS({ store: new MemoryKeyStore() });
    const strangerKey = (await stranger.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const otherRing = new KmsKeyringNode({ keyIds: [strangerKey], clientProvider: () => stranger as never });
    await expect(decrypt(otherRing, result)).rejects.toThrow();
  });

  it('a plain KMSClient is not enough for the keyring, which calls methods: KMS is the class to give it', async () => {
    const client = new KMSClient();
    expect('generateDataKey' in client).toBe(false);
    expect(typeof new KMS().generateDataKey).toBe('function');
  });
});
