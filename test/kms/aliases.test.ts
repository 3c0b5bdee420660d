// CreateAlias, UpdateAlias, DeleteAlias and ListAliases through KMSClient.

import { describe, it, expect } from 'vitest';
import {
  DescribeKeyCommand,
  ScheduleKeyDeletionCommand,
  CreateAliasCommand,
  EncryptCommand,
  NotFoundException,
  KMSInvalidStateException,
  InvalidMarkerException,
  ValidationException,
} from '../../src/kms/index.js';
import { UpdateAliasCommand, DeleteAliasCommand, ListAliasesCommand } from '../../src/kms/index.js';
import { clients, newKey, rejection } from '../helpers/kms.js';

describe('aliases', () => {
  it('UpdateAlias retargets the alias; DescribeKey and Encrypt follow it', async () => {
    const { us } = clients();
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
    const { us } = clients();
    const a = await newKey(us);
    const b = await newKey(us);
    const hmac = await newKey(us, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    await us.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: a.KeyId }));
    const nf = await rejection(
      us.send(new UpdateAliasCommand({ AliasName: 'alias/none', TargetKeyId: b.KeyId })),
      NotFoundException,
    );
    expect(nf.message).toBe('Alias arn:aws:kms:us-east-1:111122223333:alias/none is not found.');
    await rejection(
      us.send(new UpdateAliasCommand({ AliasName: 'alias/app', TargetKeyId: '00000000-0000-4000-8000-000000000000' })),
      NotFoundException,
    );
    await rejection(
      us.send(new UpdateAliasCommand({ AliasName: 'alias/app', TargetKeyId: 'alias/app' })),
      NotFoundException,
    );
    await rejection(
      us.send(new UpdateAliasCommand({ AliasName: 'alias/app', TargetKeyId: hmac.KeyId })),
      ValidationException,
    );
    await rejection(us.send(new UpdateAliasCommand({ AliasName: 'app', TargetKeyId: b.KeyId })), ValidationException);
    await rejection(
      us.send(new UpdateAliasCommand({ AliasName: 'alias/aws/x', TargetKeyId: b.KeyId })),
      ValidationException,
    );
    await us.send(new ScheduleKeyDeletionCommand({ KeyId: b.KeyId }));
    const st = await rejection(
      us.send(new UpdateAliasCommand({ AliasName: 'alias/app', TargetKeyId: b.KeyId })),
      KMSInvalidStateException,
    );
    expect(st.message).toBe(`${b.Arn} is pending deletion.`);
    expect((await us.send(new DescribeKeyCommand({ KeyId: 'alias/app' }))).KeyMetadata!.KeyId).toBe(a.KeyId);
  });

  it('DeleteAlias removes the alias, not the key', async () => {
    const { us } = clients();
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
    const { us, west } = clients();
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
    await rejection(
      us.send(new ListAliasesCommand({ KeyId: '00000000-0000-4000-8000-000000000000' })),
      NotFoundException,
    );

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
    const { us } = clients();
    const a = await newKey(us);
    for (let i = 0; i < 51; i++)
      await us.send(
        new CreateAliasCommand({ AliasName: `alias/k${String(i).padStart(2, '0')}`, TargetKeyId: a.KeyId }),
      );
    const out = await us.send(new ListAliasesCommand({}));
    expect(out.Aliases!.length).toBe(50);
    expect(out.Truncated).toBe(true);
    const rest = await us.send(new ListAliasesCommand({ Marker: out.NextMarker }));
    expect(rest.Aliases!.map((x) => x.AliasName)).toEqual(['alias/k50']);
  });
});
