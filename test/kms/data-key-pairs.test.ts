// The KMS engine end to end through KMSClient: CreateKey → GenerateDataKeyPair(WithoutPlaintext)
// → Decrypt for every spec, with the pairs checked against code that shares nothing with the
// core (node:crypto, @noble/post-quantum); Region rules, key usage, DryRun; the exceptions' shape
// and messages.

import { describe, it, expect } from 'vitest';
import { createECDH, createPrivateKey, createPublicKey } from 'node:crypto';
import { ml_kem512, ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import {
  DescribeKeyCommand,
  DisableKeyCommand,
  CreateAliasCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  DecryptCommand,
  EncryptCommand,
  NotFoundException,
  DisabledException,
  InvalidKeyUsageException,
  DryRunOperationException,
  ValidationException,
  UnsupportedOperationException,
  KEY_PAIR_SPECS,
  type KeyPairSpec,
} from '../../src/kms/index.js';
import { clients, newKey, rejection } from '../helpers/kms.js';
import { unhex } from '../helpers/hex.js';

const ACCOUNT = '111122223333';

const SM2_PKCS8_PREFIX = unhex('308187020100301306072a8648ce3d020106082a811ccf5501822d046d306b0201010420');
const ML_KEM = { ML_KEM_512: ml_kem512, ML_KEM_768: ml_kem768, ML_KEM_1024: ml_kem1024 } as const;

/** Checks that `publicKey` (SPKI) is the public half of `pkcs8`, independently of the core. */
function expectPairMatches(spec: KeyPairSpec, pkcs8: Uint8Array, publicKey: Uint8Array): void {
  if (spec === 'SM2') {
    expect(Buffer.from(pkcs8.subarray(0, SM2_PKCS8_PREFIX.length))).toEqual(Buffer.from(SM2_PKCS8_PREFIX));
    const d = pkcs8.subarray(SM2_PKCS8_PREFIX.length, SM2_PKCS8_PREFIX.length + 32);
    const ecdh = createECDH('SM2');
    ecdh.setPrivateKey(Buffer.from(d));
    expect(Buffer.from(publicKey.subarray(publicKey.length - 65))).toEqual(ecdh.getPublicKey());
  } else if (spec in ML_KEM) {
    const seed = pkcs8.subarray(pkcs8.length - 64);
    const { publicKey: pk } = ML_KEM[spec as keyof typeof ML_KEM].keygen(seed);
    expect(Buffer.from(publicKey.subarray(publicKey.length - pk.length))).toEqual(Buffer.from(pk));
  } else {
    const priv = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
    const spki = createPublicKey(priv).export({ type: 'spki', format: 'der' });
    expect(Buffer.from(publicKey)).toEqual(spki);
  }
}

describe('the issue example', () => {
  it('CreateKey → GenerateDataKeyPair ECC_NIST_P256 with an encryption context → Decrypt', async () => {
    const { us } = clients();
    const md = await newKey(us);
    expect(md.KeyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const out = await us.send(
      new GenerateDataKeyPairCommand({
        KeyId: md.KeyId,
        KeyPairSpec: 'ECC_NIST_P256',
        EncryptionContext: { tenant: 'a' },
      }),
    );
    expect(out.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 1, totalRetryDelay: 0 });
    expect(out.KeyId).toBe(`arn:aws:kms:us-east-1:${ACCOUNT}:key/${md.KeyId}`);
    expect(out.KeyPairSpec).toBe('ECC_NIST_P256');
    expect(out.KeyMaterialId).toBe(md.CurrentKeyMaterialId);
    expect(out.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    expectPairMatches('ECC_NIST_P256', out.PrivateKeyPlaintext!, out.PublicKey!);
    const back = await us.send(
      new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob, EncryptionContext: { tenant: 'a' } }),
    );
    expect(back.Plaintext).toEqual(out.PrivateKeyPlaintext);
    expect(back.KeyId).toBe(out.KeyId);
    expect(back.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    expect(back.KeyMaterialId).toBe(out.KeyMaterialId);
  });
});

describe('every data key pair spec', () => {
  const { us, cn } = clients();
  for (const spec of KEY_PAIR_SPECS) {
    // SM2 exists only in the China Regions, ML-KEM everywhere else.
    const client = spec === 'SM2' ? cn : us;
    it(`${spec}: GenerateDataKeyPair → Decrypt gives the PKCS#8 back, and the pair matches`, async () => {
      const md = await newKey(client);
      const ctx = { purpose: spec };
      const out = await client.send(
        new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: spec, EncryptionContext: ctx }),
      );
      expect(out.PrivateKeyCiphertextBlob!.length).toBeLessThanOrEqual(6144);
      expectPairMatches(spec, out.PrivateKeyPlaintext!, out.PublicKey!);
      const back = await client.send(
        new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob, EncryptionContext: ctx }),
      );
      expect(back.Plaintext).toEqual(out.PrivateKeyPlaintext);
    }, 60_000);
    it(`${spec}: WithoutPlaintext has no plaintext; its blob decrypts to a PKCS#8 matching PublicKey`, async () => {
      const md = await newKey(client);
      const out = await client.send(
        new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: md.KeyId, KeyPairSpec: spec }),
      );
      expect(out).not.toHaveProperty('PrivateKeyPlaintext');
      expect(out.KeyPairSpec).toBe(spec);
      expect(out.KeyMaterialId).toBe(md.CurrentKeyMaterialId);
      const back = await client.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob }));
      expectPairMatches(spec, back.Plaintext!, out.PublicKey!);
    }, 60_000);
  }
});

describe('Region rules for specs', () => {
  it('SM2 outside China and ML-KEM inside China are UnsupportedOperationException, before DryRun', async () => {
    const { us, cn } = clients();
    const a = await newKey(us);
    const b = await newKey(cn);
    await rejection(
      us.send(new GenerateDataKeyPairCommand({ KeyId: a.KeyId, KeyPairSpec: 'SM2', DryRun: true })),
      UnsupportedOperationException,
    );
    await rejection(
      cn.send(new GenerateDataKeyPairCommand({ KeyId: b.KeyId, KeyPairSpec: 'ML_KEM_768' })),
      UnsupportedOperationException,
    );
  });
});

describe('key usage and custom key stores', () => {
  it('a SIGN_VERIFY key is InvalidKeyUsageException with the recorded pattern', async () => {
    const { us } = clients();
    const md = await newKey(us, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const e = await rejection(
      us.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'ECC_NIST_P256' })),
      InvalidKeyUsageException,
    );
    expect(e.message).toBe(`${md.Arn} key usage is SIGN_VERIFY which is not valid for GenerateDataKeyPair.`);
  });

  it('a key in a custom key store is UnsupportedOperationException for GenerateDataKeyPair', async () => {
    const { us, store } = clients();
    const md = await newKey(us);
    const rec = (await store.getKey(ACCOUNT, 'us-east-1', md.KeyId))!;
    rec.customKeyStoreId = 'cks-1234567890abcdef0';
    await store.putKey(rec);
    await rejection(
      us.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'ECC_NIST_P256' })),
      UnsupportedOperationException,
    );
  });

  it('a Recipient without its KeyEncryptionAlgorithm is ValidationException (test/kms/recipient.test.ts has the rest)', async () => {
    const { us } = clients();
    const md = await newKey(us);
    const e = await rejection(
      us.send(
        new GenerateDataKeyPairCommand({
          KeyId: md.KeyId,
          KeyPairSpec: 'ECC_NIST_P256',
          Recipient: { AttestationDocument: Uint8Array.of(1) },
        }),
      ),
      ValidationException,
    );
    expect(e.message).toBe('Recipient must have a KeyEncryptionAlgorithm: RSAES_OAEP_SHA_256.');
  });
});

describe('DryRun', () => {
  it('passes every check, then DryRunOperationException, and generates nothing', async () => {
    const { us } = clients();
    const md = await newKey(us);
    for (const Command of [GenerateDataKeyPairCommand, GenerateDataKeyPairWithoutPlaintextCommand]) {
      const e = await rejection(
        us.send(new Command({ KeyId: md.KeyId, KeyPairSpec: 'RSA_4096', DryRun: true })),
        DryRunOperationException,
      );
      expect(e.message).toBe('The request would have succeeded, but the DryRun option is set.');
    }
    // The key checks still come first.
    await us.send(new DisableKeyCommand({ KeyId: md.KeyId }));
    await rejection(
      us.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'RSA_2048', DryRun: true })),
      DisabledException,
    );
  });
});

describe('validation and command shape', () => {
  it('a missing or unknown KeyPairSpec is ValidationException with AWS wording', async () => {
    const { us } = clients();
    const md = await newKey(us);
    const e = await rejection(
      us.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId } as never)),
      ValidationException,
    );
    expect(e.message).toBe(
      "1 validation error detected: Value null at 'keyPairSpec' failed to satisfy constraint: Member must not be null",
    );
    const e2 = await rejection(
      us.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'RSA_1024' as never })),
      ValidationException,
    );
    expect(e2.message).toMatch(
      /^1 validation error detected: Value 'RSA_1024' at 'keyPairSpec' failed to satisfy constraint: Member must satisfy enum value set: \[/,
    );
  });

  it('command inputs are frozen copies', () => {
    const input = { KeyId: 'alias/x', KeyPairSpec: 'ECC_NIST_P256' as const };
    const cmd = new GenerateDataKeyPairCommand(input);
    expect(Object.isFrozen(cmd.input)).toBe(true);
    expect(cmd.input).not.toBe(input);
    expect(() => {
      (cmd.input as { KeyId: string }).KeyId = 'y';
    }).toThrow(TypeError);
  });

  it('DescribeKey of a new symmetric key has the members a real one has', async () => {
    const { us } = clients();
    const md = await newKey(us);
    const d = (await us.send(new DescribeKeyCommand({ KeyId: md.KeyId }))).KeyMetadata!;
    expect(Object.keys(d).sort()).toEqual(
      [
        'AWSAccountId',
        'Arn',
        'CreationDate',
        'CurrentKeyMaterialId',
        'CustomerMasterKeySpec',
        'Description',
        'Enabled',
        'EncryptionAlgorithms',
        'KeyId',
        'KeyManager',
        'KeySpec',
        'KeyState',
        'KeyUsage',
        'MultiRegion',
        'Origin',
      ].sort(),
    );
    expect(d).toMatchObject({
      AWSAccountId: ACCOUNT,
      Enabled: true,
      KeyState: 'Enabled',
      KeySpec: 'SYMMETRIC_DEFAULT',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      KeyManager: 'CUSTOMER',
      MultiRegion: false,
      Origin: 'AWS_KMS',
    });
    expect(d.CreationDate).toBeInstanceOf(Date);
    const mrk = await newKey(us, { MultiRegion: true });
    expect(mrk.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
  });

  it('Encrypt → Decrypt round trip, no KeyMaterialId in Encrypt output', async () => {
    const { us } = clients();
    const md = await newKey(us);
    const pt = new TextEncoder().encode('hello');
    const enc = await us.send(new EncryptCommand({ KeyId: md.KeyId, Plaintext: pt, EncryptionContext: { k: 'v' } }));
    expect(enc).not.toHaveProperty('KeyMaterialId');
    expect(enc.KeyId).toBe(md.Arn);
    const back = await us.send(
      new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { k: 'v' } }),
    );
    expect(back.Plaintext).toEqual(pt);
    await rejection(
      us.send(new EncryptCommand({ KeyId: md.KeyId, Plaintext: new Uint8Array(4097) })),
      ValidationException,
    );
  });

  it('CreateAlias refuses a name in use and an alias target', async () => {
    const { us } = clients();
    const md = await newKey(us);
    await us.send(new CreateAliasCommand({ AliasName: 'alias/one', TargetKeyId: md.KeyId }));
    await expect(
      us.send(new CreateAliasCommand({ AliasName: 'alias/one', TargetKeyId: md.KeyId })),
    ).rejects.toMatchObject({
      name: 'AlreadyExistsException',
    });
    await rejection(
      us.send(new CreateAliasCommand({ AliasName: 'alias/two', TargetKeyId: 'alias/one' })),
      NotFoundException,
    );
    const e = await rejection(
      us.send(new CreateAliasCommand({ AliasName: 'bad', TargetKeyId: md.KeyId })),
      ValidationException,
    );
    expect(e.message).toMatch(/^Alias must start with the prefix "alias\/"/);
  });
});
