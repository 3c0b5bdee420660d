// ListKeys, UpdateAlias, DeleteAlias, ListAliases, EnableKeyRotation, DisableKeyRotation,
// GetKeyRotationStatus and RotateKeyOnDemand through KMSClient.

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
  InvalidMarkerException,
  ValidationException,
  UnsupportedOperationException,
  LimitExceededException,
} from '../../src/kms/index.js';
import {
  ListKeysCommand,
  UpdateAliasCommand,
  DeleteAliasCommand,
  ListAliasesCommand,
  EnableKeyRotationCommand,
  DisableKeyRotationCommand,
  GetKeyRotationStatusCommand,
  RotateKeyOnDemandCommand,
} from '../../src/kms/index.js';
import { newKey, rejection } from '../helpers/kms.js';


function setup() {
  const store = new MemoryKeyStore();
  return { store, us: new KMSClient({ store }), west: new KMSClient({ store, region: 'us-west-2' }), other: new KMSClient({ store, accountId: '444455556666' }) };
}

describe('ListKeys', () => {
  it('pages 25 keys with Limit 10, visiting each exactly once, caller account and Region only', async () => {
    const { us, west, other } = setup();
    const ids = new Set<string>();
    for (let i = 0; i < 25; i++) ids.add((await newKey(us)).KeyId);
    await newKey(west);
    await newKey(other);
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const out = await us.send(new ListKeysCommand({ Limit: 10, Marker: marker }));
      pages++;
      expect(out.Keys!.length).toBeLessThanOrEqual(10);
      for (const k of out.Keys!) {
        seen.push(k.KeyId!);
        expect(k.KeyArn).toBe(`arn:aws:kms:us-east-1:111122223333:key/${k.KeyId}`);
      }
      if (out.Truncated) expect(typeof out.NextMarker).toBe('string');
      else expect(out).not.toHaveProperty('NextMarker');
      marker = out.NextMarker;
    } while (marker !== undefined);
    expect(pages).toBe(3);
    expect(seen.length).toBe(25);
    expect(new Set(seen)).toEqual(ids);
  });

  it('defaults to 100 and reports Truncated false', async () => {
    const { us } = setup();
    for (let i = 0; i < 3; i++) await newKey(us);
    const out = await us.send(new ListKeysCommand({}));
    expect(out.Keys!.length).toBe(3);
    expect(out.Truncated).toBe(false);
    const again = await us.send(new ListKeysCommand({}));
    expect(again.Keys).toEqual(out.Keys);
  });

  it('rejects a bad Limit and an invalid marker', async () => {
    const { us } = setup();
    await newKey(us);
    const e = await rejection(us.send(new ListKeysCommand({ Limit: 0 })), ValidationException);
    expect(e.message).toBe("1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
    await rejection(us.send(new ListKeysCommand({ Limit: 1001 })), ValidationException);
    await rejection(us.send(new ListKeysCommand({ Marker: 'not-a-marker' })), InvalidMarkerException);
    // A marker of the other list is not a ListKeys marker.
    await us.send(new CreateAliasCommand({ AliasName: 'alias/a', TargetKeyId: (await newKey(us)).KeyId }));
    await us.send(new CreateAliasCommand({ AliasName: 'alias/b', TargetKeyId: (await newKey(us)).KeyId }));
    const al = await us.send(new ListAliasesCommand({ Limit: 1 }));
    await rejection(us.send(new ListKeysCommand({ Marker: al.NextMarker })), InvalidMarkerException);
  });
});

describe('aliases', () => {
  it('UpdateAlias retargets the alias; DescribeKey and Encrypt follow it', async () => {
    const { us } = setup();
    const a = await newKey(us);
    const b = await newKey(us);
    await us.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: a.KeyId }));
    expect((await us.send(new DescribeKeyCommand({ KeyId: 'alias/app' }))).KeyMetadata!.KeyId).toBe(a.KeyId);
    const before = await us.send(new ListAliasesCommand({}));
    const created = before.Aliases![0];
    await new Promise((r) => setTimeout(r, 5));
    await us.send(new UpdateAliasCommand({ AliasName: 'alias/app', TargetKeyId: b.Arn }));
    expect((await us.send(new DescribeKeyCommand({ KeyId: 'alias/app' }))).KeyMetadata!.KeyId).toBe(b.KeyId);
    const enc = await us.send(new EncryptCommand({ KeyId: 'alias/app', Plaintext: new Uint8Array([1, 2, 3]) }));
    expect(enc.KeyId).toBe(b.Arn);
    const after = (await us.send(new ListAliasesCommand({}))).Aliases![0];
    expect(after.TargetKeyId).toBe(b.KeyId);
    expect(after.CreationDate).toEqual(created.CreationDate);
    expect(after.LastUpdatedDate!.getTime()).toBeGreaterThan(created.LastUpdatedDate!.getTime());
  });

  it('UpdateAlias errors: missing alias, missing key, alias as target, other type, pending deletion, bad prefix', async () => {
    const { us } = setup();
    const a = await newKey(us);
    const b = await newKey(us);
    const hmac = await newKey(us, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    await us.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: a.KeyId }));
    const nf = await rejection(us.send(new UpdateAliasCommand({ AliasName: 'alias/none', TargetKeyId: b.KeyId })), NotFoundException);
    expect(nf.message).toBe('Alias arn:aws:kms:us-east-1:111122223333:alias/none is not found.');
    await rejection(
      us.send(new UpdateAliasCommand({ AliasName: 'alias/app', TargetKeyId: '00000000-0000-4000-8000-000000000000' })),
      NotFoundException,
    );
    await rejection(us.send(new UpdateAliasCommand({ AliasName: 'alias/app', TargetKeyId: 'alias/app' })), NotFoundException);
    await rejection(us.send(new UpdateAliasCommand({ AliasName: 'alias/app', TargetKeyId: hmac.KeyId })), ValidationException);
    await rejection(us.send(new UpdateAliasCommand({ AliasName: 'app', TargetKeyId: b.KeyId })), ValidationException);
    await rejection(us.send(new UpdateAliasCommand({ AliasName: 'alias/aws/x', TargetKeyId: b.KeyId })), ValidationException);
    await us.send(new ScheduleKeyDeletionCommand({ KeyId: b.KeyId }));
    const st = await rejection(us.send(new UpdateAliasCommand({ AliasName: 'alias/app', TargetKeyId: b.KeyId })), KMSInvalidStateException);
    expect(st.message).toBe(`${b.Arn} is pending deletion.`);
    expect((await us.send(new DescribeKeyCommand({ KeyId: 'alias/app' }))).KeyMetadata!.KeyId).toBe(a.KeyId);
  });

  it('DeleteAlias removes the alias, not the key', async () => {
    const { us } = setup();
    const a = await newKey(us);
    await us.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: a.KeyId }));
    await us.send(new DeleteAliasCommand({ AliasName: 'alias/app' }));
    await rejection(us.send(new DescribeKeyCommand({ KeyId: 'alias/app' })), NotFoundException);
    expect((await us.send(new DescribeKeyCommand({ KeyId: a.KeyId }))).KeyMetadata!.KeyId).toBe(a.KeyId);
    await rejection(us.send(new DeleteAliasCommand({ AliasName: 'alias/app' })), NotFoundException);
    await rejection(us.send(new DeleteAliasCommand({ AliasName: 'app' })), ValidationException);
    await rejection(us.send(new DeleteAliasCommand({} as never)), ValidationException);
    // The name can be reused.
    await us.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: a.KeyId }));
  });

  it('ListAliases: fields, KeyId filter, paging, Limit bounds, bad marker', async () => {
    const { us, west } = setup();
    const a = await newKey(us);
    const b = await newKey(us);
    const names: string[] = [];
    for (let i = 0; i < 7; i++) {
      const name = `alias/n${i}`;
      names.push(name);
      await us.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: i % 2 === 0 ? a.KeyId : b.KeyId }));
    }
    await west.send(new CreateAliasCommand({ AliasName: 'alias/west', TargetKeyId: (await newKey(west)).KeyId }));
    const all = await us.send(new ListAliasesCommand({}));
    expect(all.Truncated).toBe(false);
    expect(all).not.toHaveProperty('NextMarker');
    expect(all.Aliases!.map((x) => x.AliasName)).toEqual(names);
    const first = all.Aliases![0];
    expect(first.AliasArn).toBe('arn:aws:kms:us-east-1:111122223333:alias/n0');
    expect(first.TargetKeyId).toBe(a.KeyId);
    expect(first.CreationDate).toBeInstanceOf(Date);
    expect(first.LastUpdatedDate).toBeInstanceOf(Date);

    const ofB = await us.send(new ListAliasesCommand({ KeyId: b.Arn }));
    expect(ofB.Aliases!.map((x) => x.AliasName)).toEqual(['alias/n1', 'alias/n3', 'alias/n5']);
    await rejection(us.send(new ListAliasesCommand({ KeyId: '00000000-0000-4000-8000-000000000000' })), NotFoundException);

    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const out = await us.send(new ListAliasesCommand({ Limit: 3, Marker: marker }));
      seen.push(...out.Aliases!.map((x) => x.AliasName!));
      marker = out.NextMarker;
      expect(out.Truncated).toBe(marker !== undefined);
    } while (marker !== undefined);
    expect(seen).toEqual(names);

    await rejection(us.send(new ListAliasesCommand({ Limit: 101 })), ValidationException);
    await rejection(us.send(new ListAliasesCommand({ Limit: 0 })), ValidationException);
    await rejection(us.send(new ListAliasesCommand({ Marker: 'zz' })), InvalidMarkerException);
  });

  it('ListAliases defaults to 50', async () => {
    const { us } = setup();
    const a = await newKey(us);
    for (let i = 0; i < 51; i++) await us.send(new CreateAliasCommand({ AliasName: `alias/k${String(i).padStart(2, '0')}`, TargetKeyId: a.KeyId }));
    const out = await us.send(new ListAliasesCommand({}));
    expect(out.Aliases!.length).toBe(50);
    expect(out.Truncated).toBe(true);
    const rest = await us.send(new ListAliasesCommand({ Marker: out.NextMarker }));
    expect(rest.Aliases!.map((x) => x.AliasName)).toEqual(['alias/k50']);
  });
});

describe('key rotation settings', () => {
  it('Enable / GetKeyRotationStatus / Disable', async () => {
    const { us } = setup();
    const k = await newKey(us);
    expect(await us.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId }))).toMatchObject({ KeyId: k.Arn, KeyRotationEnabled: false });
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
    const { us } = setup();
    const k = await newKey(us);
    await rejection(us.send(new EnableKeyRotationCommand({ KeyId: k.KeyId, RotationPeriodInDays: 89 })), ValidationException);
    await rejection(us.send(new EnableKeyRotationCommand({ KeyId: k.KeyId, RotationPeriodInDays: 2561 })), ValidationException);
    const ecc = await newKey(us, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const hmac = await newKey(us, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    for (const key of [ecc, hmac]) {
      await rejection(us.send(new EnableKeyRotationCommand({ KeyId: key.KeyId })), UnsupportedOperationException);
      await rejection(us.send(new DisableKeyRotationCommand({ KeyId: key.KeyId })), UnsupportedOperationException);
      await rejection(us.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId })), UnsupportedOperationException);
    }
    await rejection(us.send(new EnableKeyRotationCommand({ KeyId: '00000000-0000-4000-8000-000000000000' })), NotFoundException);
    await us.send(new DisableKeyCommand({ KeyId: k.KeyId }));
    const d = await rejection(us.send(new EnableKeyRotationCommand({ KeyId: k.KeyId })), DisabledException);
    expect(d.message).toBe(`${k.Arn} is disabled.`);
    expect((await us.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId }))).KeyRotationEnabled).toBe(false);
    const p = await newKey(us);
    await us.send(new ScheduleKeyDeletionCommand({ KeyId: p.KeyId }));
    await rejection(us.send(new DisableKeyRotationCommand({ KeyId: p.KeyId })), KMSInvalidStateException);
  });

  it('settings are per store', async () => {
    const { us } = setup();
    const k = await newKey(us);
    await us.send(new EnableKeyRotationCommand({ KeyId: k.KeyId }));
    const other = new KMSClient({ store: new MemoryKeyStore() });
    await rejection(other.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId })), NotFoundException);
  });
});

describe('RotateKeyOnDemand', () => {
  it('makes new material current; old ciphertexts still decrypt with their material', async () => {
    const { us } = setup();
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
    const { us } = setup();
    const k = await newKey(us);
    await us.send(new CreateAliasCommand({ AliasName: 'alias/r', TargetKeyId: k.KeyId }));
    await us.send(new EnableKeyRotationCommand({ KeyId: k.KeyId, RotationPeriodInDays: 180 }));
    expect((await us.send(new RotateKeyOnDemandCommand({ KeyId: 'alias/r' }))).KeyId).toBe(k.Arn);
    const st = await us.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId }));
    expect(st).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 180 });
  });

  it('errors: missing key, disabled, pending deletion, asymmetric/HMAC, imported material, limit', async () => {
    const { us } = setup();
    const missing = await rejection(us.send(new RotateKeyOnDemandCommand({ KeyId: '00000000-0000-4000-8000-000000000000' })), NotFoundException);
    expect(missing.message).toBe("Key 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000000' does not exist");
    const d = await newKey(us);
    await us.send(new DisableKeyCommand({ KeyId: d.KeyId }));
    expect((await rejection(us.send(new RotateKeyOnDemandCommand({ KeyId: d.KeyId })), DisabledException)).message).toBe(`${d.Arn} is disabled.`);
    const p = await newKey(us);
    await us.send(new ScheduleKeyDeletionCommand({ KeyId: p.KeyId }));
    expect((await rejection(us.send(new RotateKeyOnDemandCommand({ KeyId: p.KeyId })), KMSInvalidStateException)).message).toBe(
      `${p.Arn} is pending deletion.`,
    );
    for (const input of [
      { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' },
      { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' },
    ]) {
      const key = await newKey(us, input);
      expect((await rejection(us.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })), UnsupportedOperationException)).message).toBe('');
    }
    const ext = await newKey(us, { Origin: 'EXTERNAL' });
    expect((await rejection(us.send(new RotateKeyOnDemandCommand({ KeyId: ext.KeyId })), KMSInvalidStateException)).message).toBe(
      `${ext.Arn} is pending import.`,
    );
    await rejection(us.send(new RotateKeyOnDemandCommand({} as never)), ValidationException);

    const lim = await newKey(us);
    for (let i = 0; i < 25; i++) await us.send(new RotateKeyOnDemandCommand({ KeyId: lim.KeyId }));
    const e = await rejection(us.send(new RotateKeyOnDemandCommand({ KeyId: lim.KeyId })), LimitExceededException);
    expect(e.message).toBe(
      `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${lim.Arn}`,
    );
  });
});
