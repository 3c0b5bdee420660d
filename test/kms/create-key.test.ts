// CreateKey through KMSClient: HMAC keys, the KeySpec / KeyUsage / Region / Origin rules, tags, and
// keys of other usages refusing the symmetric encryption operations.

import { describe, it, expect } from 'vitest';
import {
  KMSClient,
  KMSServiceException,
  CreateKeyCommand,
  GenerateDataKeyPairCommand,
  EncryptCommand,
  DecryptCommand,
  InvalidKeyUsageException,
  ValidationException,
  UnsupportedOperationException,
  KMSInvalidStateException,
} from '../../src/kms/index.js';
import { GetPublicKeyCommand } from '../../src/kms/registry.js';
import { clients, newKey, rejection } from '../helpers/kms.js';
import { hex } from '../helpers/hex.js';

const ACCOUNT = '111122223333';

describe('HMAC keys', () => {
  it.each(['HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512'])('%s', async (spec) => {
    const { us, store } = clients();
    const md = await newKey(us, { KeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC' });
    expect(md).toMatchObject({
      KeySpec: spec,
      CustomerMasterKeySpec: spec,
      KeyUsage: 'GENERATE_VERIFY_MAC',
      MacAlgorithms: [`HMAC_SHA_${spec.slice(5)}`],
    });
    for (const m of ['EncryptionAlgorithms', 'SigningAlgorithms', 'KeyAgreementAlgorithms', 'EncapsulationAlgorithms'])
      expect(md).not.toHaveProperty(m);
    const rec = (await store.getKey(ACCOUNT, 'us-east-1', md.KeyId))!;
    expect(rec.hmacKey!.length).toBe(Number(spec.slice(5)) / 8);
    expect(rec.keyPair).toBeUndefined();
    const e = await rejection(us.send(new GetPublicKeyCommand({ KeyId: md.KeyId })), UnsupportedOperationException);
    expect(e.message).toBe(`${md.Arn} key spec is ${spec} which is not valid for GetPublicKey.`);
  });

  it('HMAC without KeyUsage → the recorded message', async () => {
    const { us } = clients();
    const e = await rejection(us.send(new CreateKeyCommand({ KeySpec: 'HMAC_256' })), ValidationException);
    expect(e.message).toBe('You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
  });
});

describe('asymmetric and HMAC keys refuse the symmetric encryption operations', () => {
  const specs: [string, string, 'us' | 'cn'][] = [
    ['RSA_2048', 'ENCRYPT_DECRYPT', 'us'],
    ['ECC_NIST_P256', 'SIGN_VERIFY', 'us'],
    ['ECC_NIST_P256', 'KEY_AGREEMENT', 'us'],
    ['ML_KEM_768', 'ENCAPSULATE_DECAPSULATE', 'us'],
    ['HMAC_256', 'GENERATE_VERIFY_MAC', 'us'],
    ['SM2', 'ENCRYPT_DECRYPT', 'cn'],
  ];
  it.each(specs)('%s %s', async (spec, usage, region) => {
    const client = clients()[region];
    const md = await newKey(client, { KeySpec: spec, KeyUsage: usage });
    const gdkp = await rejection(
      client.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'ECC_NIST_P256' })),
      InvalidKeyUsageException,
    );
    if (usage !== 'ENCRYPT_DECRYPT')
      expect(gdkp.message).toBe(`${md.Arn} key usage is ${usage} which is not valid for GenerateDataKeyPair.`);
    await rejection(
      client.send(new EncryptCommand({ KeyId: md.KeyId, Plaintext: Uint8Array.of(1, 2, 3) })),
      InvalidKeyUsageException,
    );
    // A symmetric ciphertext named to this key is refused before any decryption.
    const sym = await newKey(client);
    const ct = await client.send(new EncryptCommand({ KeyId: sym.KeyId, Plaintext: Uint8Array.of(1, 2, 3) }));
    await expect(
      client.send(new DecryptCommand({ KeyId: md.KeyId, CiphertextBlob: ct.CiphertextBlob })),
    ).rejects.toBeInstanceOf(KMSServiceException);
  });
});

describe('CreateKey: KeySpec / KeyUsage / Region / Origin rules', () => {
  const invalid: [string, string][] = [
    ['RSA_2048', 'KEY_AGREEMENT'],
    ['RSA_3072', 'GENERATE_VERIFY_MAC'],
    ['ECC_NIST_P256', 'ENCRYPT_DECRYPT'],
    ['ECC_SECG_P256K1', 'KEY_AGREEMENT'],
    ['ECC_NIST_EDWARDS25519', 'KEY_AGREEMENT'],
    ['ML_KEM_512', 'ENCRYPT_DECRYPT'],
    ['HMAC_256', 'SIGN_VERIFY'],
    ['SYMMETRIC_DEFAULT', 'SIGN_VERIFY'],
    ['RSA_2048', 'ENCAPSULATE_DECAPSULATE'],
  ];
  it.each(invalid)('%s with %s → ValidationException in the recorded wording', async (spec, usage) => {
    const { us } = clients();
    const e = await rejection(
      us.send(new CreateKeyCommand({ KeySpec: spec as never, KeyUsage: usage as never })),
      ValidationException,
    );
    expect(e.message).toBe(`KeyUsage ${usage} is not compatible with KeySpec ${spec}`);
  });

  it('the deprecated CustomerMasterKeySpec works as KeySpec', async () => {
    const { us } = clients();
    const md = await newKey(us, { CustomerMasterKeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    expect(md).toMatchObject({
      KeySpec: 'ECC_NIST_P256',
      CustomerMasterKeySpec: 'ECC_NIST_P256',
      SigningAlgorithms: ['ECDSA_SHA_256'],
    });
  });

  it('SM2 only in cn-* Regions, ML-KEM not there', async () => {
    const { us, cn } = clients();
    await rejection(
      us.send(new CreateKeyCommand({ KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' })),
      UnsupportedOperationException,
    );
    await rejection(
      cn.send(new CreateKeyCommand({ KeySpec: 'ML_KEM_768', KeyUsage: 'ENCAPSULATE_DECAPSULATE' })),
      UnsupportedOperationException,
    );
  });

  it('ML-DSA keys: made outside the China Regions, with their signing algorithm; not in cn-*', async () => {
    const { us, cn } = clients();
    for (const spec of ['ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87'] as const) {
      const md = await newKey(us, { KeySpec: spec, KeyUsage: 'SIGN_VERIFY' });
      expect(md).toMatchObject({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY', KeyState: 'Enabled' });
      expect(md.SigningAlgorithms).toEqual(['ML_DSA_SHAKE_256']);
      expect(md.CustomerMasterKeySpec).toBeUndefined();
      await rejection(
        cn.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' })),
        UnsupportedOperationException,
      );
    }
  });

  it('Origin EXTERNAL asymmetric → PendingImport, no key pair, algorithms listed (as recorded)', async () => {
    const { us, store } = clients();
    const md = await newKey(us, {
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
      Origin: 'EXTERNAL',
      Description: 'd',
    });
    expect(md).toEqual({
      AWSAccountId: ACCOUNT,
      Arn: md.Arn,
      CreationDate: md.CreationDate,
      CustomerMasterKeySpec: 'ECC_NIST_P256',
      Description: 'd',
      Enabled: false,
      KeyId: md.KeyId,
      KeyManager: 'CUSTOMER',
      KeySpec: 'ECC_NIST_P256',
      KeyState: 'PendingImport',
      KeyUsage: 'SIGN_VERIFY',
      MultiRegion: false,
      Origin: 'EXTERNAL',
      SigningAlgorithms: ['ECDSA_SHA_256'],
    });
    expect((await store.getKey(ACCOUNT, 'us-east-1', md.KeyId))!.keyPair).toBeUndefined();
    const e = await rejection(us.send(new GetPublicKeyCommand({ KeyId: md.KeyId })), KMSInvalidStateException);
    expect(e.message).toBe(`${md.Arn} is pending import.`);
  });

  it('the key pair is stored as SPKI + PKCS#8', async () => {
    const { us, store } = clients();
    const md = await newKey(us, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const rec = (await store.getKey(ACCOUNT, 'us-east-1', md.KeyId))!;
    const pub = await us.send(new GetPublicKeyCommand({ KeyId: md.KeyId }));
    expect(hex(rec.keyPair!.publicKey)).toBe(hex(pub.PublicKey!));
    expect(rec.keyPair!.privateKey[0]).toBe(0x30);
    expect(rec.keyPair!.privateKey.some((b) => b !== 0)).toBe(true);
    expect(rec.keyMaterials).toEqual([]);
  });
});

describe('CreateKey tags', () => {
  it('gives the recorded TagException messages', async () => {
    const kms = new KMSClient();
    const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ TagKey: `k${i}`, TagValue: 'v' }));
    await expect(kms.send(new CreateKeyCommand({ Tags: tags(51) }))).rejects.toMatchObject({
      name: 'TagException',
      message: 'Too many tags',
    });
    for (const TagKey of ['aws:x', 'AWS:x', 'Aws:x']) {
      await expect(kms.send(new CreateKeyCommand({ Tags: [{ TagKey, TagValue: 'v' }] }))).rejects.toMatchObject({
        name: 'TagException',
        message: 'Tags beginning with aws: are reserved',
        $metadata: { httpStatusCode: 400 },
      });
    }
    await expect(
      kms.send(
        new CreateKeyCommand({
          Tags: [
            { TagKey: 'a', TagValue: '1' },
            { TagKey: 'a', TagValue: '2' },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'TagException', message: 'Duplicate tag keys' });
    const ok = await kms.send(new CreateKeyCommand({ Tags: tags(50) }));
    expect(ok.KeyMetadata?.KeyState).toBe('Enabled');
  });
});
