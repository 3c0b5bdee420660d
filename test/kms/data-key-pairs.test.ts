// The KMS engine end to end through KMSClient: CreateKey → GenerateDataKeyPair(WithoutPlaintext)
// → Decrypt for every spec, with the pairs checked against code that shares nothing with the
// core (node:crypto, @noble/post-quantum); key resolution (id, ARN, alias, alias ARN, other
// accounts and Regions); key states; DryRun; the exceptions' shape and messages.

import { describe, it, expect } from 'vitest';
import { createECDH, createPrivateKey, createPublicKey } from 'node:crypto';
import { ml_kem512, ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import {
  KMSClient,
  MemoryKeyStore,
  DescribeKeyCommand,
  EnableKeyCommand,
  DisableKeyCommand,
  ScheduleKeyDeletionCommand,
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  DecryptCommand,
  EncryptCommand,
  NotFoundException,
  DisabledException,
  KMSInvalidStateException,
  InvalidCiphertextException,
  IncorrectKeyException,
  AccessDeniedException,
  InvalidKeyUsageException,
  DryRunOperationException,
  ValidationException,
  UnsupportedOperationException,
  KEY_PAIR_SPECS,
  type KeyPairSpec,
  type KeyStore,
} from '../../src/kms/index.js';
import { newKey, rejection } from '../helpers/kms.js';
import { unhex } from '../helpers/hex.js';

const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';

function clients(store: KeyStore = new MemoryKeyStore()) {
  return {
    store,
    us: new KMSClient({ store }),
    cn: new KMSClient({ store, region: 'cn-north-1' }),
    other: new KMSClient({ store, accountId: OTHER_ACCOUNT }),
    west: new KMSClient({ store, region: 'us-west-2' }),
  };
}



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
      new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'ECC_NIST_P256', EncryptionContext: { tenant: 'a' } }),
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
      const out = await client.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: spec, EncryptionContext: ctx }));
      expect(out.PrivateKeyCiphertextBlob!.length).toBeLessThanOrEqual(6144);
      expectPairMatches(spec, out.PrivateKeyPlaintext!, out.PublicKey!);
      const back = await client.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob, EncryptionContext: ctx }));
      expect(back.Plaintext).toEqual(out.PrivateKeyPlaintext);
    }, 60_000);
    it(`${spec}: WithoutPlaintext has no plaintext; its blob decrypts to a PKCS#8 matching PublicKey`, async () => {
      const md = await newKey(client);
      const out = await client.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: md.KeyId, KeyPairSpec: spec }));
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
    await rejection(us.send(new GenerateDataKeyPairCommand({ KeyId: a.KeyId, KeyPairSpec: 'SM2', DryRun: true })), UnsupportedOperationException);
    await rejection(cn.send(new GenerateDataKeyPairCommand({ KeyId: b.KeyId, KeyPairSpec: 'ML_KEM_768' })), UnsupportedOperationException);
  });
});

describe('Decrypt failures', () => {
  it('a wrong context, a shifted context, a missing context and every flipped byte give InvalidCiphertextException with an empty message', async () => {
    const { us } = clients();
    const md = await newKey(us);
    const out = await us.send(
      new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: md.KeyId, KeyPairSpec: 'ECC_NIST_P256', EncryptionContext: { a: 'bc' } }),
    );
    const blob = out.PrivateKeyCiphertextBlob!;
    // The account digits of the key ARN in the header: a flipped bit there names another account's key.
    const at = Buffer.from(blob).indexOf(`:${ACCOUNT}:key/`);
    expect(at).toBeGreaterThan(0);
    const accountBytes = new Set(Array.from({ length: 12 }, (_, k) => at + 1 + k));
    const wrongContexts: (Record<string, string> | undefined)[] = [{ ab: 'c' }, { a: 'b' }, {}, undefined, { a: 'bc', x: 'y' }];
    for (const ctx of wrongContexts) {
      const e = await rejection(us.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: ctx })), InvalidCiphertextException);
      expect(e.message).toBe('');
    }
    for (let i = 0; i < blob.length; i++) {
      const bad = blob.slice();
      bad[i] ^= 0x01;
      let err: unknown;
      try {
        await us.send(new DecryptCommand({ CiphertextBlob: bad, EncryptionContext: { a: 'bc' } }));
      } catch (e) {
        err = e;
      }
      if (accountBytes.has(i)) {
        // Another account's key, existing or not: refused without naming it (authorize.ts).
        expect(err, `byte ${i}`).toBeInstanceOf(AccessDeniedException);
        expect((err as Error).message).toBe(
          `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: kms:Decrypt on the resource associated with this ciphertext because no resource-based policy allows the kms:Decrypt action`,
        );
        continue;
      }
      // Every other changed byte, in the header (the rest of the key's ARN) or the body, is InvalidCiphertext.
      expect(err, `byte ${i}`).toBeInstanceOf(InvalidCiphertextException);
      expect((err as Error).message).toBe('');
    }
    for (let n = 0; n < blob.length; n++) {
      await rejection(us.send(new DecryptCommand({ CiphertextBlob: blob.slice(0, n || 1), EncryptionContext: { a: 'bc' } })), InvalidCiphertextException);
    }
    const e = await rejection(us.send(new DecryptCommand({ CiphertextBlob: Uint8Array.of(1, 2, 3) })), InvalidCiphertextException);
    expect(e.message).toBe('');
  });

  it('Decrypt with another KeyId is IncorrectKeyException; with the same key by alias it works', async () => {
    const { us } = clients();
    const a = await newKey(us);
    const b = await newKey(us);
    await us.send(new CreateAliasCommand({ AliasName: 'alias/a', TargetKeyId: a.KeyId }));
    const out = await us.send(new GenerateDataKeyPairCommand({ KeyId: a.KeyId, KeyPairSpec: 'ECC_NIST_EDWARDS25519' }));
    const e = await rejection(
      us.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob, KeyId: b.KeyId })),
      IncorrectKeyException,
    );
    expect(e.message).toBe('The key ID in the request does not identify a CMK that can perform this operation.');
    const back = await us.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob, KeyId: 'alias/a' }));
    expect(back.Plaintext).toEqual(out.PrivateKeyPlaintext);
  });

  it('Decrypt under a disabled key is DisabledException', async () => {
    const { us } = clients();
    const md = await newKey(us);
    const out = await us.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'ECC_NIST_P256' }));
    await us.send(new DisableKeyCommand({ KeyId: md.KeyId }));
    const e = await rejection(us.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob })), DisabledException);
    expect(e.message).toBe(`${md.Arn} is disabled.`);
  });
});

describe('key states', () => {
  it('Disabled → DisabledException; enabled again it works', async () => {
    const { us } = clients();
    const md = await newKey(us);
    await us.send(new DisableKeyCommand({ KeyId: md.KeyId }));
    await us.send(new DisableKeyCommand({ KeyId: md.Arn })); // idempotent, by ARN
    const d = await us.send(new DescribeKeyCommand({ KeyId: md.KeyId }));
    expect(d.KeyMetadata).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    const e = await rejection(us.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'RSA_2048' })), DisabledException);
    expect(e.message).toBe(`${md.Arn} is disabled.`);
    await us.send(new EnableKeyCommand({ KeyId: md.KeyId }));
    const out = await us.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: md.KeyId, KeyPairSpec: 'ECC_NIST_P384' }));
    expect(out.KeyId).toBe(md.Arn);
  });

  it('PendingDeletion → KMSInvalidStateException; CancelKeyDeletion brings it back Disabled', async () => {
    const { us } = clients();
    const md = await newKey(us);
    const before = Date.now();
    const s = await us.send(new ScheduleKeyDeletionCommand({ KeyId: md.KeyId, PendingWindowInDays: 7 }));
    expect(s).toMatchObject({ KeyId: md.Arn, KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    expect(s.DeletionDate!.getTime()).toBeGreaterThanOrEqual(before + 7 * 86_400_000);
    const d = await us.send(new DescribeKeyCommand({ KeyId: md.KeyId }));
    expect(d.KeyMetadata).toMatchObject({ KeyState: 'PendingDeletion', Enabled: false, PendingDeletionWindowInDays: 7 });
    expect(d.KeyMetadata!.DeletionDate).toBeInstanceOf(Date);
    const e = await rejection(us.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'ECC_NIST_P256' })), KMSInvalidStateException);
    expect(e.message).toBe(`${md.Arn} is pending deletion.`);
    await rejection(us.send(new ScheduleKeyDeletionCommand({ KeyId: md.KeyId })), KMSInvalidStateException);
    await rejection(us.send(new EnableKeyCommand({ KeyId: md.KeyId })), KMSInvalidStateException);
    const c = await us.send(new CancelKeyDeletionCommand({ KeyId: md.KeyId }));
    expect(c.KeyId).toBe(md.Arn);
    const after = await us.send(new DescribeKeyCommand({ KeyId: md.KeyId }));
    expect(after.KeyMetadata).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    expect(after.KeyMetadata).not.toHaveProperty('DeletionDate');
    const e2 = await rejection(us.send(new CancelKeyDeletionCommand({ KeyId: md.KeyId })), KMSInvalidStateException);
    expect(e2.message).toBe(`${md.Arn} is not pending deletion.`);
  });

  it('ScheduleKeyDeletion defaults to 30 days and refuses 6', async () => {
    const { us } = clients();
    const md = await newKey(us);
    await rejection(us.send(new ScheduleKeyDeletionCommand({ KeyId: md.KeyId, PendingWindowInDays: 6 })), ValidationException);
    const s = await us.send(new ScheduleKeyDeletionCommand({ KeyId: md.KeyId }));
    expect(s.PendingWindowInDays).toBe(30);
  });

  it('Origin EXTERNAL → PendingImport with no material → KMSInvalidStateException', async () => {
    const { us } = clients();
    const md = await newKey(us, { Origin: 'EXTERNAL' });
    expect(md).toMatchObject({ KeyState: 'PendingImport', Enabled: false, Origin: 'EXTERNAL' });
    expect(md).not.toHaveProperty('CurrentKeyMaterialId');
    const e = await rejection(us.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'ECC_NIST_P256' })), KMSInvalidStateException);
    expect(e.message).toBe(`${md.Arn} is pending import.`);
  });
});

describe('key usage and custom key stores', () => {
  it('a SIGN_VERIFY key is InvalidKeyUsageException with the recorded pattern', async () => {
    const { us } = clients();
    const md = await newKey(us, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const e = await rejection(us.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'ECC_NIST_P256' })), InvalidKeyUsageException);
    expect(e.message).toBe(`${md.Arn} key usage is SIGN_VERIFY which is not valid for GenerateDataKeyPair.`);
  });

  it('a key in a custom key store is UnsupportedOperationException for GenerateDataKeyPair', async () => {
    const { us, store } = clients();
    const md = await newKey(us);
    const rec = (await store.getKey(ACCOUNT, 'us-east-1', md.KeyId))!;
    rec.customKeyStoreId = 'cks-1234567890abcdef0';
    await store.putKey(rec);
    await rejection(us.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'ECC_NIST_P256' })), UnsupportedOperationException);
  });

  it('Recipient is UnsupportedOperationException (not built)', async () => {
    const { us } = clients();
    const md = await newKey(us);
    const e = await rejection(
      us.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'ECC_NIST_P256', Recipient: { AttestationDocument: Uint8Array.of(1) } })),
      UnsupportedOperationException,
    );
    expect(e.message).toMatch(/Recipient/);
  });
});

describe('key resolution', () => {
  it('key id, key ARN, alias name and alias ARN all name the key', async () => {
    const { us } = clients();
    const md = await newKey(us, { Description: 'mine' });
    await us.send(new CreateAliasCommand({ AliasName: 'alias/mine', TargetKeyId: md.KeyId }));
    for (const id of [md.KeyId, md.Arn!, 'alias/mine', `arn:aws:kms:us-east-1:${ACCOUNT}:alias/mine`]) {
      const out = await us.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: id, KeyPairSpec: 'ECC_SECG_P256K1' }));
      expect(out.KeyId).toBe(md.Arn);
      const d = await us.send(new DescribeKeyCommand({ KeyId: id }));
      expect(d.KeyMetadata!.Description).toBe('mine');
    }
  });

  it('unknown key and alias are NotFoundException with AWS wording', async () => {
    const { us } = clients();
    const id = '00000000-0000-4000-8000-000000000000';
    const e = await rejection(us.send(new GenerateDataKeyPairCommand({ KeyId: id, KeyPairSpec: 'ECC_NIST_P256' })), NotFoundException);
    expect(e.message).toBe(`Key 'arn:aws:kms:us-east-1:${ACCOUNT}:key/${id}' does not exist`);
    const a = await rejection(us.send(new DescribeKeyCommand({ KeyId: 'alias/nope' })), NotFoundException);
    expect(a.message).toBe(`Alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/nope is not found.`);
  });

  it("another account's key is AccessDenied by ARN and NotFound by bare id; another Region's ARN is NotFound", async () => {
    const { us, other, west } = clients();
    const md = await newKey(other);
    expect(md.Arn).toBe(`arn:aws:kms:us-east-1:${OTHER_ACCOUNT}:key/${md.KeyId}`);
    // The default key policy allows only the key's own account.
    const denied = await rejection(us.send(new GenerateDataKeyPairCommand({ KeyId: md.Arn, KeyPairSpec: 'ECC_NIST_P256' })), AccessDeniedException);
    expect(denied.message).toBe(
      `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: kms:GenerateDataKeyPair on resource: ${md.Arn} because no resource-based policy allows the kms:GenerateDataKeyPair action`,
    );
    const out = await other.send(new GenerateDataKeyPairCommand({ KeyId: md.Arn, KeyPairSpec: 'ECC_NIST_P256' }));
    expect(out.KeyId).toBe(md.Arn);
    await rejection(us.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob })), AccessDeniedException);
    const back = await other.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob }));
    expect(back.Plaintext).toEqual(out.PrivateKeyPlaintext);
    await rejection(us.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'ECC_NIST_P256' })), NotFoundException);
    // [AWS-REC] DescribeKey with another Region's key ARN: "Invalid arn <that Region>".
    const e = await rejection(west.send(new DescribeKeyCommand({ KeyId: md.Arn })), NotFoundException);
    expect(e.message).toBe('Invalid arn us-east-1');
    // [AWS-REC] malformed key ids
    for (const bad of ['fake-key-id', '134f2428cec14b25a1ae9048164dba47', 'mrk-fake-key-id']) {
      const m = await rejection(us.send(new DescribeKeyCommand({ KeyId: bad })), NotFoundException);
      expect(m.message).toBe(`Invalid keyId '${bad}'`);
    }
    const mine = await newKey(us);
    await rejection(west.send(new GenerateDataKeyPairCommand({ KeyId: mine.Arn, KeyPairSpec: 'ECC_NIST_P256' })), NotFoundException);
  });

  it('China Region keys have aws-cn ARNs; an ARN with the wrong partition names nothing', async () => {
    const { cn } = clients();
    const md = await newKey(cn);
    expect(md.Arn).toBe(`arn:aws-cn:kms:cn-north-1:${ACCOUNT}:key/${md.KeyId}`);
    const out = await cn.send(new GenerateDataKeyPairCommand({ KeyId: md.Arn, KeyPairSpec: 'SM2' }));
    expect(out.KeyId).toBe(md.Arn);
    await cn.send(new CreateAliasCommand({ AliasName: 'alias/cn-test', TargetKeyId: md.KeyId }));
    const byAlias = await cn.send(new DescribeKeyCommand({ KeyId: `arn:aws-cn:kms:cn-north-1:${ACCOUNT}:alias/cn-test` }));
    expect(byAlias.KeyMetadata!.Arn).toBe(md.Arn);
    const wrong = `arn:aws:kms:cn-north-1:${ACCOUNT}:key/${md.KeyId}`;
    const e = await rejection(cn.send(new DescribeKeyCommand({ KeyId: wrong })), NotFoundException);
    expect(e.message).toBe(`Key '${wrong}' does not exist`);
    await rejection(cn.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:cn-north-1:${ACCOUNT}:alias/cn-test` })), NotFoundException);
  });
});

describe('DryRun', () => {
  it('passes every check, then DryRunOperationException, and generates nothing', async () => {
    const { us } = clients();
    const md = await newKey(us);
    for (const Command of [GenerateDataKeyPairCommand, GenerateDataKeyPairWithoutPlaintextCommand]) {
      const e = await rejection(us.send(new Command({ KeyId: md.KeyId, KeyPairSpec: 'RSA_4096', DryRun: true })), DryRunOperationException);
      expect(e.message).toBe('The request would have succeeded, but the DryRun option is set.');
    }
    // The key checks still come first.
    await us.send(new DisableKeyCommand({ KeyId: md.KeyId }));
    await rejection(us.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'RSA_2048', DryRun: true })), DisabledException);
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
    expect(e.message).toBe("1 validation error detected: Value null at 'keyPairSpec' failed to satisfy constraint: Member must not be null");
    const e2 = await rejection(us.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'RSA_1024' as never })), ValidationException);
    expect(e2.message).toMatch(/^1 validation error detected: Value 'RSA_1024' at 'keyPairSpec' failed to satisfy constraint: Member must satisfy enum value set: \[/);
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
        'AWSAccountId', 'Arn', 'CreationDate', 'CurrentKeyMaterialId', 'CustomerMasterKeySpec', 'Description', 'Enabled',
        'EncryptionAlgorithms', 'KeyId', 'KeyManager', 'KeySpec', 'KeyState', 'KeyUsage', 'MultiRegion', 'Origin',
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
    const back = await us.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { k: 'v' } }));
    expect(back.Plaintext).toEqual(pt);
    await rejection(us.send(new EncryptCommand({ KeyId: md.KeyId, Plaintext: new Uint8Array(4097) })), ValidationException);
  });

  it('CreateAlias refuses a name in use and an alias target', async () => {
    const { us } = clients();
    const md = await newKey(us);
    await us.send(new CreateAliasCommand({ AliasName: 'alias/one', TargetKeyId: md.KeyId }));
    await expect(us.send(new CreateAliasCommand({ AliasName: 'alias/one', TargetKeyId: md.KeyId }))).rejects.toMatchObject({
      name: 'AlreadyExistsException',
    });
    await rejection(us.send(new CreateAliasCommand({ AliasName: 'alias/two', TargetKeyId: 'alias/one' })), NotFoundException);
    const e = await rejection(us.send(new CreateAliasCommand({ AliasName: 'bad', TargetKeyId: md.KeyId })), ValidationException);
    expect(e.message).toMatch(/^Alias must start with the prefix "alias\/"/);
  });
});
