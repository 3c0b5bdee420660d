// A key's life through KMSClient: ListKeys; key states (DisableKey, EnableKey, ScheduleKeyDeletion,
// CancelKeyDeletion) and what each state allows.

import { describe, it, expect } from 'vitest';
import {
  DescribeKeyCommand,
  DisableKeyCommand,
  ScheduleKeyDeletionCommand,
  CreateAliasCommand,
  GenerateDataKeyPairCommand,
  DisabledException,
  KMSInvalidStateException,
  InvalidMarkerException,
  ValidationException,
} from '../../src/kms/index.js';
import { ListKeysCommand, ListAliasesCommand } from '../../src/kms/index.js';
import { clients, newKey, rejection } from '../helpers/kms.js';
import {
  EnableKeyCommand,
  CancelKeyDeletionCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
} from '../../src/kms/index.js';

describe('ListKeys', () => {
  it('pages 25 keys with Limit 10, visiting each exactly once, caller account and Region only', async () => {
    const { us, west, other } = clients();
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
    const { us } = clients();
    for (let i = 0; i < 3; i++) await newKey(us);
    const out = await us.send(new ListKeysCommand({}));
    expect(out.Keys!.length).toBe(3);
    expect(out.Truncated).toBe(false);
    const again = await us.send(new ListKeysCommand({}));
    expect(again.Keys).toEqual(out.Keys);
  });

  it('rejects a bad Limit and an invalid marker', async () => {
    const { us } = clients();
    await newKey(us);
    const e = await rejection(us.send(new ListKeysCommand({ Limit: 0 })), ValidationException);
    expect(e.message).toBe(
      "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    await rejection(us.send(new ListKeysCommand({ Limit: 1001 })), ValidationException);
    await rejection(us.send(new ListKeysCommand({ Marker: 'not-a-marker' })), InvalidMarkerException);
    // A marker of the other list is not a ListKeys marker.
    await us.send(new CreateAliasCommand({ AliasName: 'alias/a', TargetKeyId: (await newKey(us)).KeyId }));
    await us.send(new CreateAliasCommand({ AliasName: 'alias/b', TargetKeyId: (await newKey(us)).KeyId }));
    const al = await us.send(new ListAliasesCommand({ Limit: 1 }));
    await rejection(us.send(new ListKeysCommand({ Marker: al.NextMarker })), InvalidMarkerException);
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
    const e = await rejection(
      us.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'RSA_2048' })),
      DisabledException,
    );
    expect(e.message).toBe(`${md.Arn} is disabled.`);
    await us.send(new EnableKeyCommand({ KeyId: md.KeyId }));
    const out = await us.send(
      new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: md.KeyId, KeyPairSpec: 'ECC_NIST_P384' }),
    );
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
    expect(d.KeyMetadata).toMatchObject({
      KeyState: 'PendingDeletion',
      Enabled: false,
      PendingDeletionWindowInDays: 7,
    });
    expect(d.KeyMetadata!.DeletionDate).toBeInstanceOf(Date);
    const e = await rejection(
      us.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'ECC_NIST_P256' })),
      KMSInvalidStateException,
    );
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
    await rejection(
      us.send(new ScheduleKeyDeletionCommand({ KeyId: md.KeyId, PendingWindowInDays: 6 })),
      ValidationException,
    );
    const s = await us.send(new ScheduleKeyDeletionCommand({ KeyId: md.KeyId }));
    expect(s.PendingWindowInDays).toBe(30);
  });

  it('Origin EXTERNAL → PendingImport with no material → KMSInvalidStateException', async () => {
    const { us } = clients();
    const md = await newKey(us, { Origin: 'EXTERNAL' });
    expect(md).toMatchObject({ KeyState: 'PendingImport', Enabled: false, Origin: 'EXTERNAL' });
    expect(md).not.toHaveProperty('CurrentKeyMaterialId');
    const e = await rejection(
      us.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'ECC_NIST_P256' })),
      KMSInvalidStateException,
    );
    expect(e.message).toBe(`${md.Arn} is pending import.`);
  });
});
