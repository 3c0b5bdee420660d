// EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus and RotateKeyOnDemand through KMSClient.

import { describe, it, expect } from 'vitest';
import {
  KMSClient,
  MemoryKeyStore,
  DescribeKeyCommand,
  DisableKeyCommand,
  ScheduleKeyDeletionCommand,
  CreateAliasCommand,
  EncryptCommand,
  DecryptCommand,
  GenerateDataKeyPairCommand,
  NotFoundException,
  DisabledException,
  KMSInvalidStateException,
  ValidationException,
  UnsupportedOperationException,
  LimitExceededException,
} from '../../src/kms/index.js';
import {
  EnableKeyRotationCommand,
  DisableKeyRotationCommand,
  GetKeyRotationStatusCommand,
  RotateKeyOnDemandCommand,
} from '../../src/kms/index.js';
import { clients, newKey, rejection } from '../helpers/kms.js';

describe('key rotation settings', () => {
  it('Enable / GetKeyRotationStatus / Disable', async () => {
    const { us } = clients();
    const k = await newKey(us);
    expect(await us.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId }))).toMatchObject({
      KeyId: k.Arn,
      KeyRotationEnabled: false,
    });
    const off = await us.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId }));
    expect(off).not.toHaveProperty('RotationPeriodInDays');
    expect(off).not.toHaveProperty('NextRotationDate');

    const t0 = Date.now();
    await us.send(new EnableKeyRotationCommand({ KeyId: k.KeyId }));
    const on = await us.send(new GetKeyRotationStatusCommand({ KeyId: k.Arn }));
    expect(on.KeyRotationEnabled).toBe(true);
    // The key ARN, as AWS answered in 2025.
    expect(on.KeyId).toBe(k.Arn);
    expect(on.RotationPeriodInDays).toBe(365);
    const days = (on.NextRotationDate!.getTime() - t0) / 86_400_000;
    expect(days).toBeGreaterThan(364.99);
    expect(days).toBeLessThan(365.01);

    await us.send(new EnableKeyRotationCommand({ KeyId: k.KeyId, RotationPeriodInDays: 90 }));
    expect((await us.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId }))).RotationPeriodInDays).toBe(90);

    await us.send(new DisableKeyRotationCommand({ KeyId: k.KeyId }));
    await us.send(new DisableKeyRotationCommand({ KeyId: k.KeyId }));
    expect((await us.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId }))).KeyRotationEnabled).toBe(false);
  });

  it('rejects periods outside 90..2560, non-symmetric keys, missing keys and bad states', async () => {
    const { us } = clients();
    const k = await newKey(us);
    await rejection(
      us.send(new EnableKeyRotationCommand({ KeyId: k.KeyId, RotationPeriodInDays: 89 })),
      ValidationException,
    );
    await rejection(
      us.send(new EnableKeyRotationCommand({ KeyId: k.KeyId, RotationPeriodInDays: 2561 })),
      ValidationException,
    );
    const ecc = await newKey(us, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const hmac = await newKey(us, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    for (const key of [ecc, hmac]) {
      await rejection(us.send(new EnableKeyRotationCommand({ KeyId: key.KeyId })), UnsupportedOperationException);
      await rejection(us.send(new DisableKeyRotationCommand({ KeyId: key.KeyId })), UnsupportedOperationException);
      await rejection(us.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId })), UnsupportedOperationException);
    }
    await rejection(
      us.send(new EnableKeyRotationCommand({ KeyId: '00000000-0000-4000-8000-000000000000' })),
      NotFoundException,
    );
    await us.send(new DisableKeyCommand({ KeyId: k.KeyId }));
    const d = await rejection(us.send(new EnableKeyRotationCommand({ KeyId: k.KeyId })), DisabledException);
    expect(d.message).toBe(`${k.Arn} is disabled.`);
    expect((await us.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId }))).KeyRotationEnabled).toBe(false);
    const p = await newKey(us);
    await us.send(new ScheduleKeyDeletionCommand({ KeyId: p.KeyId }));
    await rejection(us.send(new DisableKeyRotationCommand({ KeyId: p.KeyId })), KMSInvalidStateException);
  });

  it('settings are per store', async () => {
    const { us } = clients();
    const k = await newKey(us);
    await us.send(new EnableKeyRotationCommand({ KeyId: k.KeyId }));
    const other = new KMSClient({ store: new MemoryKeyStore() });
    await rejection(other.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId })), NotFoundException);
  });
});

describe('RotateKeyOnDemand', () => {
  it('makes new material current; old ciphertexts still decrypt with their material', async () => {
    const { us } = clients();
    const k = await newKey(us);
    const oldId = k.CurrentKeyMaterialId!;
    expect(oldId).toMatch(/^[0-9a-f]{64}$/);
    const plaintext = new Uint8Array([9, 8, 7, 6]);
    const oldBlob = (await us.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: plaintext }))).CiphertextBlob!;
    const oldPair = await us.send(new GenerateDataKeyPairCommand({ KeyId: k.KeyId, KeyPairSpec: 'ECC_NIST_P256' }));
    expect(oldPair.KeyMaterialId).toBe(oldId);

    const out = await us.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }));
    // The key ARN, as AWS answered in 2025, also when the input was the bare key id.
    expect(out.KeyId).toBe(k.Arn);
    const newId = (await us.send(new DescribeKeyCommand({ KeyId: k.KeyId }))).KeyMetadata!.CurrentKeyMaterialId!;
    expect(newId).toMatch(/^[0-9a-f]{64}$/);
    expect(newId).not.toBe(oldId);

    const pair = await us.send(new GenerateDataKeyPairCommand({ KeyId: k.KeyId, KeyPairSpec: 'ECC_NIST_P256' }));
    expect(pair.KeyMaterialId).toBe(newId);
    const newBlob = (await us.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: plaintext }))).CiphertextBlob!;
    const decNew = await us.send(new DecryptCommand({ CiphertextBlob: newBlob }));
    expect(decNew.KeyMaterialId).toBe(newId);
    expect(decNew.Plaintext).toEqual(plaintext);

    const decOld = await us.send(new DecryptCommand({ CiphertextBlob: oldBlob }));
    expect(decOld.KeyMaterialId).toBe(oldId);
    expect(decOld.Plaintext).toEqual(plaintext);
    const oldPriv = await us.send(new DecryptCommand({ CiphertextBlob: oldPair.PrivateKeyCiphertextBlob }));
    expect(oldPriv.KeyMaterialId).toBe(oldId);
    expect(oldPriv.Plaintext).toEqual(oldPair.PrivateKeyPlaintext);
  });

  it('through an alias; leaves automatic-rotation settings as they were', async () => {
    const { us } = clients();
    const k = await newKey(us);
    await us.send(new CreateAliasCommand({ AliasName: 'alias/r', TargetKeyId: k.KeyId }));
    await us.send(new EnableKeyRotationCommand({ KeyId: k.KeyId, RotationPeriodInDays: 180 }));
    expect((await us.send(new RotateKeyOnDemandCommand({ KeyId: 'alias/r' }))).KeyId).toBe(k.Arn);
    const st = await us.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId }));
    expect(st).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 180 });
  });

  it('errors: missing key, disabled, pending deletion, asymmetric/HMAC, imported material, limit', async () => {
    const { us } = clients();
    const missing = await rejection(
      us.send(new RotateKeyOnDemandCommand({ KeyId: '00000000-0000-4000-8000-000000000000' })),
      NotFoundException,
    );
    expect(missing.message).toBe(
      "Key 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000000' does not exist",
    );
    const d = await newKey(us);
    await us.send(new DisableKeyCommand({ KeyId: d.KeyId }));
    expect(
      (await rejection(us.send(new RotateKeyOnDemandCommand({ KeyId: d.KeyId })), DisabledException)).message,
    ).toBe(`${d.Arn} is disabled.`);
    const p = await newKey(us);
    await us.send(new ScheduleKeyDeletionCommand({ KeyId: p.KeyId }));
    expect(
      (await rejection(us.send(new RotateKeyOnDemandCommand({ KeyId: p.KeyId })), KMSInvalidStateException)).message,
    ).toBe(`${p.Arn} is pending deletion.`);
    for (const input of [
      { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' },
      { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' },
    ]) {
      const key = await newKey(us, input);
      expect(
        (await rejection(us.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })), UnsupportedOperationException))
          .message,
      ).toBe('');
    }
    const ext = await newKey(us, { Origin: 'EXTERNAL' });
    expect(
      (await rejection(us.send(new RotateKeyOnDemandCommand({ KeyId: ext.KeyId })), KMSInvalidStateException)).message,
    ).toBe(`${ext.Arn} is pending import.`);
    await rejection(us.send(new RotateKeyOnDemandCommand({} as never)), ValidationException);

    const lim = await newKey(us);
    for (let i = 0; i < 25; i++) await us.send(new RotateKeyOnDemandCommand({ KeyId: lim.KeyId }));
    const e = await rejection(us.send(new RotateKeyOnDemandCommand({ KeyId: lim.KeyId })), LimitExceededException);
    expect(e.message).toBe(
      `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${lim.Arn}`,
    );
  });
});
