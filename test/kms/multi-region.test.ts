// Multi-Region keys: ReplicateKey, UpdatePrimaryRegion, DescribeKey's MultiRegionConfiguration,
// ciphertexts and signatures across Regions, rotation through the primary, the deletion rules
// of a primary with replicas, persistence in the file store, the endpoint with the real SDK in
// two Regions, and the CLI with --region.
import { afterEach, describe, it, expect, vi } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sdk from '@aws-sdk/client-kms';
import {
  KMSClient,
  MemoryKeyStore,
  AlreadyExistsException,
  CancelKeyDeletionCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetKeyRotationStatusCommand,
  GetPublicKeyCommand,
  InvalidCiphertextException,
  KMSInvalidStateException,
  MalformedPolicyDocumentException,
  NotFoundException,
  ReEncryptCommand,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  TagException,
  UnsupportedOperationException,
  UpdatePrimaryRegionCommand,
  VerifyCommand,
  VerifyMacCommand,
  type KeyStore,
} from '../../src/kms/index.js';
import { FileKeyStore } from '../../src/node/file-store/index.js';
import { clients, newKey, rejection } from '../helpers/kms.js';
import { useCli, useEndpoint } from '../helpers/endpoint.js';
import { readVectorJson } from '../helpers/vectors.js';

const ACCOUNT = '111122223333';
const DAY = 86_400_000;
const arnOf = (region: string, id: string) => `arn:aws:kms:${region}:${ACCOUNT}:key/${id}`;
const PLAINTEXT = new TextEncoder().encode('multi-Region secret');

type Recording = Record<string, { 'recorded-content': Record<string, Record<string, unknown>> }>;
const RECORDINGS = readVectorJson<Recording>('kms/aws-recorded-responses.json');
const recorded = (test: string, item: string) =>
  RECORDINGS[`tests/aws/services/kms/test_kms.py::TestKMS::${test}`]!['recorded-content'][item]!;

/** A multi-Region primary in us-east-1 (client `us`) and a replica of it in us-west-2 (client `west`). */
async function family(input: Record<string, unknown> = {}, store: KeyStore = new MemoryKeyStore()) {
  const c = clients(store);
  const primary = await newKey(c.us, { MultiRegion: true, Description: 'test replicated key', ...input });
  const replicated = await c.us.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'us-west-2' }));
  return { ...c, id: primary.KeyId, primary, replicated };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ReplicateKey', () => {
  it('answers as AWS recorded: the replica Creating, with the family and the default policy', async () => {
    const { id, primary, replicated } = await family();
    expect(id).toMatch(/^mrk-[0-9a-f]{32}$/);
    const rec = recorded('test_replicate_key', 'replicate-key');
    const md = replicated.ReplicaKeyMetadata!;
    // The same members as the recording, with the same values where they are not per-key.
    expect(Object.keys(md).sort()).toEqual(Object.keys(rec.ReplicaKeyMetadata as object).sort());
    expect(md).toMatchObject({
      AWSAccountId: ACCOUNT,
      Arn: arnOf('us-west-2', id),
      KeyId: id,
      Description: '',
      Enabled: false,
      KeyState: 'Creating',
      KeySpec: 'SYMMETRIC_DEFAULT',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      KeyManager: 'CUSTOMER',
      MultiRegion: true,
      Origin: 'AWS_KMS',
      MultiRegionConfiguration: {
        MultiRegionKeyType: 'REPLICA',
        PrimaryKey: { Arn: primary.Arn, Region: 'us-east-1' },
        ReplicaKeys: [{ Arn: arnOf('us-west-2', id), Region: 'us-west-2' }],
      },
    });
    expect(md.CreationDate).toBeInstanceOf(Date);
    // The default key policy, member for member as recorded (the recording's account is 111111111111).
    const policy = JSON.stringify(rec.ReplicaPolicy).split('111111111111').join(ACCOUNT).replace('<partition>', 'aws');
    expect(JSON.parse(replicated.ReplicaPolicy!)).toEqual(JSON.parse(policy));
    // No Tags given: no ReplicaTags, as recorded.
    expect(Object.keys(rec)).not.toContain('ReplicaTags');
    expect(replicated).not.toHaveProperty('ReplicaTags');
  });

  it('DescribeKey in both Regions shows the family as recorded, with the same key material id', async () => {
    const { us, west, id, primary } = await family();
    const here = (await us.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!;
    const there = (await west.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!;
    const recHere = recorded('test_replicate_key', 'describe-key-from-region').KeyMetadata as object;
    const recThere = recorded('test_replicate_key', 'describe-replicated-key').KeyMetadata as object;
    expect(Object.keys(here).sort()).toEqual(Object.keys(recHere).sort());
    expect(Object.keys(there).sort()).toEqual(Object.keys(recThere).sort());
    const links = {
      PrimaryKey: { Arn: primary.Arn, Region: 'us-east-1' },
      ReplicaKeys: [{ Arn: arnOf('us-west-2', id), Region: 'us-west-2' }],
    };
    expect(here).toMatchObject({
      KeyState: 'Enabled',
      Enabled: true,
      Description: 'test replicated key',
      MultiRegion: true,
      MultiRegionConfiguration: { MultiRegionKeyType: 'PRIMARY', ...links },
    });
    expect(there).toMatchObject({
      Arn: arnOf('us-west-2', id),
      KeyState: 'Enabled',
      Enabled: true,
      Description: '',
      MultiRegion: true,
      MultiRegionConfiguration: { MultiRegionKeyType: 'REPLICA', ...links },
    });
    expect(there.CurrentKeyMaterialId).toBe(here.CurrentKeyMaterialId);
    expect(there.CreationDate!.getTime()).toBeGreaterThanOrEqual(here.CreationDate!.getTime());
  });

  it('a ciphertext made in either Region decrypts in the other', async () => {
    const { us, west, id } = await family();
    const a = await us.send(new EncryptCommand({ KeyId: id, Plaintext: PLAINTEXT, EncryptionContext: { p: '1' } }));
    const b = await west.send(new EncryptCommand({ KeyId: id, Plaintext: PLAINTEXT }));
    const inWest = await west.send(
      new DecryptCommand({ CiphertextBlob: a.CiphertextBlob, EncryptionContext: { p: '1' } }),
    );
    expect(Buffer.from(inWest.Plaintext!).toString()).toBe('multi-Region secret');
    // Decrypt names the key of the Region that answers.
    expect(inWest.KeyId).toBe(arnOf('us-west-2', id));
    const inUs = await us.send(new DecryptCommand({ CiphertextBlob: b.CiphertextBlob, KeyId: id }));
    expect(Buffer.from(inUs.Plaintext!).toString()).toBe('multi-Region secret');
    // The encryption context is still bound.
    await rejection(west.send(new DecryptCommand({ CiphertextBlob: a.CiphertextBlob })), InvalidCiphertextException);
    // ReEncrypt reads the other Region's ciphertext too, and a KeyId given must be the key here.
    const re = await west.send(
      new ReEncryptCommand({
        CiphertextBlob: a.CiphertextBlob,
        SourceEncryptionContext: { p: '1' },
        SourceKeyId: id,
        DestinationKeyId: id,
      }),
    );
    expect(re.SourceKeyId).toBe(arnOf('us-west-2', id));
    const back = await us.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob }));
    expect(Buffer.from(back.Plaintext!).toString()).toBe('multi-Region secret');
  });

  it('a Region without a replica cannot decrypt, and a single-Region key stays bound to its Region', async () => {
    const { us, store, id } = await family();
    const east2 = new KMSClient({ store, region: 'us-east-2' });
    const blob = (await us.send(new EncryptCommand({ KeyId: id, Plaintext: PLAINTEXT }))).CiphertextBlob!;
    await rejection(east2.send(new DecryptCommand({ CiphertextBlob: blob })), InvalidCiphertextException);
    const single = await newKey(us);
    const west = new KMSClient({ store, region: 'us-west-2' });
    const sBlob = (await us.send(new EncryptCommand({ KeyId: single.KeyId, Plaintext: PLAINTEXT }))).CiphertextBlob!;
    await rejection(west.send(new DecryptCommand({ CiphertextBlob: sBlob })), InvalidCiphertextException);
  });

  it('replicates asymmetric and HMAC keys with the same key: signatures and MACs verify across Regions', async () => {
    const ec = await family({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const pubUs = await ec.us.send(new GetPublicKeyCommand({ KeyId: ec.id }));
    const pubWest = await ec.west.send(new GetPublicKeyCommand({ KeyId: ec.id }));
    expect(Buffer.from(pubWest.PublicKey!).equals(Buffer.from(pubUs.PublicKey!))).toBe(true);
    const sig = await ec.west.send(
      new SignCommand({ KeyId: ec.id, Message: PLAINTEXT, SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    const ok = await ec.us.send(
      new VerifyCommand({
        KeyId: ec.id,
        Message: PLAINTEXT,
        Signature: sig.Signature,
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    expect(ok.SignatureValid).toBe(true);
    expect(ec.replicated.ReplicaKeyMetadata).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });

    const mac = await family({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const m = await mac.us.send(
      new GenerateMacCommand({ KeyId: mac.id, Message: PLAINTEXT, MacAlgorithm: 'HMAC_SHA_256' }),
    );
    const v = await mac.west.send(
      new VerifyMacCommand({ KeyId: mac.id, Message: PLAINTEXT, Mac: m.Mac, MacAlgorithm: 'HMAC_SHA_256' }),
    );
    expect(v.MacValid).toBe(true);
  });

  it('keeps every version of the key material with its ids', async () => {
    const c = clients();
    const p = await newKey(c.us, { MultiRegion: true });
    const old = await c.us.send(new EncryptCommand({ KeyId: p.KeyId, Plaintext: PLAINTEXT }));
    await c.us.send(new RotateKeyOnDemandCommand({ KeyId: p.KeyId }));
    await c.us.send(new ReplicateKeyCommand({ KeyId: p.KeyId, ReplicaRegion: 'us-west-2' }));
    const recUs = (await c.store.getKey(ACCOUNT, 'us-east-1', p.KeyId))!;
    const recWest = (await c.store.getKey(ACCOUNT, 'us-west-2', p.KeyId))!;
    expect(recWest.keyMaterials.map((m) => m.id)).toEqual(recUs.keyMaterials.map((m) => m.id));
    expect(recWest.keyMaterials.length).toBe(2);
    expect(recWest.currentKeyMaterialId).toBe(recUs.currentKeyMaterialId);
    const dec = await c.west.send(new DecryptCommand({ CiphertextBlob: old.CiphertextBlob }));
    expect(Buffer.from(dec.Plaintext!).toString()).toBe('multi-Region secret');
  });

  it('gives the replica its own description, policy and tags', async () => {
    const c = clients();
    const p = await newKey(c.us, { MultiRegion: true, Description: 'primary', Tags: [{ TagKey: 'a', TagValue: '1' }] });
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
      ],
    });
    const out = await c.us.send(
      new ReplicateKeyCommand({
        KeyId: p.Arn,
        ReplicaRegion: 'eu-west-1',
        Description: 'replica',
        Policy: policy,
        Tags: [{ TagKey: 'team', TagValue: 'blue' }],
      }),
    );
    expect(out.ReplicaPolicy).toBe(policy);
    expect(out.ReplicaTags).toEqual([{ TagKey: 'team', TagValue: 'blue' }]);
    expect(out.ReplicaKeyMetadata!.Description).toBe('replica');
    const rec = (await c.store.getKey(ACCOUNT, 'eu-west-1', p.KeyId))!;
    expect(rec.policy).toBe(policy);
    expect(rec.tags).toEqual([{ key: 'team', value: 'blue' }]);
    const prim = (await c.store.getKey(ACCOUNT, 'us-east-1', p.KeyId))!;
    expect(prim.tags).toEqual([{ key: 'a', value: '1' }]);
    expect(prim.description).toBe('primary');
    expect(prim.policy).toBeUndefined();
    // A bad tag or policy makes no replica.
    await rejection(
      c.us.send(
        new ReplicateKeyCommand({
          KeyId: p.KeyId,
          ReplicaRegion: 'us-west-2',
          Tags: [{ TagKey: 'aws:x', TagValue: '' }],
        }),
      ),
      TagException,
    );
    await rejection(
      c.us.send(new ReplicateKeyCommand({ KeyId: p.KeyId, ReplicaRegion: 'us-west-2', Policy: '{"Statement": 1}' })),
      MalformedPolicyDocumentException,
    );
    expect(await c.store.getKey(ACCOUNT, 'us-west-2', p.KeyId)).toBeUndefined();
  });

  it('lists replicas in the order they were made, on every member', async () => {
    const { us, west, store, id } = await family();
    await us.send(new ReplicateKeyCommand({ KeyId: id, ReplicaRegion: 'eu-central-1' }));
    const eu = new KMSClient({ store, region: 'eu-central-1' });
    const expected = ['us-west-2', 'eu-central-1'].map((r) => ({ Arn: arnOf(r, id), Region: r }));
    for (const c of [us, west, eu]) {
      const md = (await c.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!;
      expect(md.MultiRegionConfiguration!.ReplicaKeys).toEqual(expected);
      expect(md.MultiRegionConfiguration!.PrimaryKey!.Region).toBe('us-east-1');
    }
  });

  it('refuses a replica, a single-Region key, a taken Region, another partition and a key pending deletion', async () => {
    const { us, west, id, store } = await family();
    const rec = recorded('test_replicate_replica_key_should_fail', 'fail-replicate-non-primary-key');
    const e1 = await rejection(
      west.send(new ReplicateKeyCommand({ KeyId: id, ReplicaRegion: 'eu-west-1' })),
      UnsupportedOperationException,
    );
    expect(e1.message).toBe(
      (rec.Error as { Message: string }).Message.replace('<mrk-key-arn>', arnOf('us-west-2', id)),
    );
    const single = await newKey(us);
    const e2 = await rejection(
      us.send(new ReplicateKeyCommand({ KeyId: single.KeyId, ReplicaRegion: 'us-west-2' })),
      UnsupportedOperationException,
    );
    expect(e2.message).toBe(`${single.Arn} is not a multi-region primary key.`);
    for (const region of ['us-west-2', 'us-east-1']) {
      const e = await rejection(
        us.send(new ReplicateKeyCommand({ KeyId: id, ReplicaRegion: region })),
        AlreadyExistsException,
      );
      expect(e.message).toBe(`Key '${arnOf(region, id)}' already exists`);
    }
    await rejection(
      us.send(new ReplicateKeyCommand({ KeyId: id, ReplicaRegion: 'cn-north-1' })),
      UnsupportedOperationException,
    );
    const nf = await rejection(
      us.send(new ReplicateKeyCommand({ KeyId: 'mrk-00000000000000000000000000000000', ReplicaRegion: 'eu-west-1' })),
      NotFoundException,
    );
    expect(nf.message).toBe(`Key '${arnOf('us-east-1', 'mrk-00000000000000000000000000000000')}' does not exist`);
    // A disabled primary can be replicated; the replica is Enabled.
    await us.send(new DisableKeyCommand({ KeyId: id }));
    await us.send(new ReplicateKeyCommand({ KeyId: id, ReplicaRegion: 'eu-west-1' }));
    const eu = new KMSClient({ store, region: 'eu-west-1' });
    expect((await eu.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.KeyState).toBe('Enabled');
    const other = await newKey(us, { MultiRegion: true });
    await us.send(new ScheduleKeyDeletionCommand({ KeyId: other.KeyId, PendingWindowInDays: 7 }));
    const e3 = await rejection(
      us.send(new ReplicateKeyCommand({ KeyId: other.KeyId, ReplicaRegion: 'eu-west-1' })),
      KMSInvalidStateException,
    );
    expect(e3.message).toBe(`${other.Arn} is pending deletion.`);
  });

  it('replicates a key with imported material without it: the replica is PendingImport', async () => {
    const c = clients();
    const p = await newKey(c.us, { MultiRegion: true, Origin: 'EXTERNAL' });
    const out = await c.us.send(new ReplicateKeyCommand({ KeyId: p.KeyId, ReplicaRegion: 'us-west-2' }));
    expect(out.ReplicaKeyMetadata).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'Creating' });
    const md = (await c.west.send(new DescribeKeyCommand({ KeyId: p.KeyId }))).KeyMetadata!;
    expect(md.KeyState).toBe('PendingImport');
    const rec = (await c.store.getKey(ACCOUNT, 'us-west-2', p.KeyId))!;
    expect(rec.keyMaterials).toEqual([]);
  });
});

describe('UpdatePrimaryRegion', () => {
  it('makes the replica the primary and the primary a replica, on every member', async () => {
    const { us, west, store, id } = await family();
    await us.send(new ReplicateKeyCommand({ KeyId: id, ReplicaRegion: 'eu-west-1' }));
    const eu = new KMSClient({ store, region: 'eu-west-1' });
    expect(await us.send(new UpdatePrimaryRegionCommand({ KeyId: id, PrimaryRegion: 'us-west-2' }))).toEqual({
      $metadata: expect.any(Object),
    });
    const expected = {
      PrimaryKey: { Arn: arnOf('us-west-2', id), Region: 'us-west-2' },
      ReplicaKeys: [
        { Arn: arnOf('us-east-1', id), Region: 'us-east-1' },
        { Arn: arnOf('eu-west-1', id), Region: 'eu-west-1' },
      ],
    };
    const types: Record<string, string> = {};
    for (const [name, c] of [
      ['us', us],
      ['west', west],
      ['eu', eu],
    ] as const) {
      const md = (await c.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!;
      expect(md.MultiRegionConfiguration).toMatchObject(expected);
      expect(md.KeyState).toBe('Enabled');
      types[name] = md.MultiRegionConfiguration!.MultiRegionKeyType!;
    }
    expect(types).toEqual({ us: 'REPLICA', west: 'PRIMARY', eu: 'REPLICA' });
    // The new primary replicates and rotates; the old one no longer does.
    await rejection(
      us.send(new ReplicateKeyCommand({ KeyId: id, ReplicaRegion: 'ap-south-1' })),
      UnsupportedOperationException,
    );
    await rejection(us.send(new RotateKeyOnDemandCommand({ KeyId: id })), UnsupportedOperationException);
    await west.send(new ReplicateKeyCommand({ KeyId: id, ReplicaRegion: 'ap-south-1' }));
    await west.send(new RotateKeyOnDemandCommand({ KeyId: id }));
    const cur = (await west.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.CurrentKeyMaterialId;
    expect((await us.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.CurrentKeyMaterialId).toBe(cur);
  });

  it('refuses what KMS refuses', async () => {
    const { us, west, id } = await family();
    const single = await newKey(us);
    const e1 = await rejection(
      us.send(new UpdatePrimaryRegionCommand({ KeyId: single.KeyId, PrimaryRegion: 'us-west-2' })),
      UnsupportedOperationException,
    );
    expect(e1.message).toBe(`${single.Arn} is not a multi-region primary key.`);
    const e2 = await rejection(
      west.send(new UpdatePrimaryRegionCommand({ KeyId: id, PrimaryRegion: 'us-east-1' })),
      UnsupportedOperationException,
    );
    expect(e2.message).toBe(`${arnOf('us-west-2', id)} is not a multi-region primary key.`);
    const e3 = await rejection(
      us.send(new UpdatePrimaryRegionCommand({ KeyId: id, PrimaryRegion: 'eu-west-1' })),
      NotFoundException,
    );
    expect(e3.message).toBe(`Key '${arnOf('eu-west-1', id)}' does not exist`);
    const e4 = await rejection(
      us.send(new UpdatePrimaryRegionCommand({ KeyId: id, PrimaryRegion: 'us-east-1' })),
      UnsupportedOperationException,
    );
    expect(e4.message).toBe(`${arnOf('us-east-1', id)} is already the primary key in us-east-1.`);
    // A replica pending deletion cannot become the primary.
    await west.send(new ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: 7 }));
    const e5 = await rejection(
      us.send(new UpdatePrimaryRegionCommand({ KeyId: id, PrimaryRegion: 'us-west-2' })),
      KMSInvalidStateException,
    );
    expect(e5.message).toBe(`${arnOf('us-west-2', id)} is pending deletion.`);
  });
});

describe('rotation of multi-Region keys', () => {
  it('a rotation of the primary reaches every replica in the same call; replicas refuse rotation operations', async () => {
    const { us, west, id } = await family();
    const before = (await west.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.CurrentKeyMaterialId;
    await us.send(new RotateKeyOnDemandCommand({ KeyId: id }));
    const here = (await us.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.CurrentKeyMaterialId;
    const there = (await west.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.CurrentKeyMaterialId;
    expect(here).not.toBe(before);
    expect(there).toBe(here);
    const blob = (await us.send(new EncryptCommand({ KeyId: id, Plaintext: PLAINTEXT }))).CiphertextBlob!;
    expect(Buffer.from((await west.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString()).toBe(
      'multi-Region secret',
    );

    await us.send(new EnableKeyRotationCommand({ KeyId: id, RotationPeriodInDays: 90 }));
    expect(await west.send(new GetKeyRotationStatusCommand({ KeyId: id }))).toMatchObject({
      KeyRotationEnabled: true,
      RotationPeriodInDays: 90,
    });
    await us.send(new DisableKeyRotationCommand({ KeyId: id }));
    expect((await west.send(new GetKeyRotationStatusCommand({ KeyId: id }))).KeyRotationEnabled).toBe(false);

    const replica = arnOf('us-west-2', id);
    for (const cmd of [
      new RotateKeyOnDemandCommand({ KeyId: id }),
      new EnableKeyRotationCommand({ KeyId: id }),
      new DisableKeyRotationCommand({ KeyId: id }),
    ]) {
      const e = await rejection(west.send(cmd as never), UnsupportedOperationException);
      expect(e.message).toBe(`${replica} is not a multi-region primary key.`);
    }
  });
});

describe('deletion of multi-Region keys', () => {
  it('a primary with replicas waits in PendingReplicaDeletion until its last replica is deleted', async () => {
    const { us, west, id } = await family();
    const out = await us.send(new ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: 10 }));
    expect(out).toMatchObject({
      KeyId: arnOf('us-east-1', id),
      KeyState: 'PendingReplicaDeletion',
      PendingWindowInDays: 10,
    });
    expect(out.DeletionDate).toBeUndefined();
    let md = (await us.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!;
    expect(md).toMatchObject({ KeyState: 'PendingReplicaDeletion', Enabled: false, PendingDeletionWindowInDays: 10 });
    expect(md.DeletionDate).toBeUndefined();
    const e = await rejection(
      us.send(new EncryptCommand({ KeyId: id, Plaintext: PLAINTEXT })),
      KMSInvalidStateException,
    );
    expect(e.message).toBe(`${arnOf('us-east-1', id)} is pending deletion.`);
    await rejection(
      us.send(new ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: 10 })),
      KMSInvalidStateException,
    );
    // The replica is still usable, and is scheduled on its own.
    await west.send(new EncryptCommand({ KeyId: id, Plaintext: PLAINTEXT }));
    const t0 = Date.now();
    const rep = await west.send(new ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: 7 }));
    expect(rep.KeyState).toBe('PendingDeletion');
    // Until its waiting period ends the replica is listed.
    md = (await us.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!;
    expect(md.MultiRegionConfiguration!.ReplicaKeys).toHaveLength(1);
    expect(md.KeyState).toBe('PendingReplicaDeletion');

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(t0 + 8 * DAY);
    md = (await us.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!;
    expect(md.MultiRegionConfiguration!.ReplicaKeys).toEqual([]);
    expect(md.KeyState).toBe('PendingDeletion');
    expect(md.PendingDeletionWindowInDays).toBe(10);
    // The waiting period of the primary starts at the replica's deletion.
    const expectedDate = rep.DeletionDate!.getTime() + 10 * DAY;
    expect(md.DeletionDate!.getTime()).toBe(expectedDate);
    // A deleted replica cannot come back.
    await rejection(west.send(new CancelKeyDeletionCommand({ KeyId: id })), NotFoundException);
    // The primary can still be cancelled: Disabled, as always.
    await us.send(new CancelKeyDeletionCommand({ KeyId: id }));
    md = (await us.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!;
    expect(md).toMatchObject({ KeyState: 'Disabled', MultiRegionConfiguration: { ReplicaKeys: [] } });
    // The Region is free again: a new replica replaces the deleted one.
    await us.send(new ReplicateKeyCommand({ KeyId: id, ReplicaRegion: 'us-west-2' }));
    const again = (await west.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!;
    expect(again).toMatchObject({ KeyState: 'Enabled', MultiRegionConfiguration: { MultiRegionKeyType: 'REPLICA' } });
  });

  it('CancelKeyDeletion of a primary in PendingReplicaDeletion, and of a replica, keeps the family', async () => {
    const { us, west, id } = await family();
    await us.send(new ScheduleKeyDeletionCommand({ KeyId: id }));
    await us.send(new CancelKeyDeletionCommand({ KeyId: id }));
    expect((await us.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.KeyState).toBe('Disabled');

    const t0 = Date.now();
    await west.send(new ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: 7 }));
    await west.send(new CancelKeyDeletionCommand({ KeyId: id }));
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(t0 + 30 * DAY);
    const md = (await us.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!;
    expect(md.MultiRegionConfiguration!.ReplicaKeys).toEqual([{ Arn: arnOf('us-west-2', id), Region: 'us-west-2' }]);
    expect((await west.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.KeyState).toBe('Disabled');
  });

  it('a primary without replicas is scheduled as any key', async () => {
    const c = clients();
    const p = await newKey(c.us, { MultiRegion: true });
    const out = await c.us.send(new ScheduleKeyDeletionCommand({ KeyId: p.KeyId, PendingWindowInDays: 7 }));
    expect(out.KeyState).toBe('PendingDeletion');
    expect(out.DeletionDate).toBeInstanceOf(Date);
  });
});

describe('multi-Region operations wipe what they load', () => {
  it('every key record ReplicateKey, UpdatePrimaryRegion and a shared rotation load is zero afterwards', async () => {
    const inner = new MemoryKeyStore();
    const handedOut: Uint8Array[] = [];
    const store = new Proxy(inner, {
      get(target, prop) {
        if (prop === 'getKey') {
          return async (...args: Parameters<MemoryKeyStore['getKey']>) => {
            const r = await target.getKey(...args);
            if (r !== undefined) {
              handedOut.push(...r.keyMaterials.map((m) => m.material));
              if (r.keyPair !== undefined) handedOut.push(r.keyPair.privateKey);
              if (r.hmacKey !== undefined) handedOut.push(r.hmacKey);
            }
            return r;
          };
        }
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const { us, west, id } = await family({}, store);
    const hmac = await newKey(us, { MultiRegion: true, KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    await us.send(new ReplicateKeyCommand({ KeyId: hmac.KeyId, ReplicaRegion: 'us-west-2' }));
    await us.send(new ReplicateKeyCommand({ KeyId: id, ReplicaRegion: 'eu-west-1' }));
    await us.send(new RotateKeyOnDemandCommand({ KeyId: id }));
    await us.send(new UpdatePrimaryRegionCommand({ KeyId: id, PrimaryRegion: 'us-west-2' }));
    await rejection(
      west.send(new ReplicateKeyCommand({ KeyId: id, ReplicaRegion: 'eu-west-1' })),
      AlreadyExistsException,
    );
    expect(handedOut.length).toBeGreaterThan(10);
    expect(handedOut.filter((b) => b.some((x) => x !== 0))).toEqual([]);
    // The store's own copies are intact: the rotated material decrypts in every Region.
    const blob = (await west.send(new EncryptCommand({ KeyId: id, Plaintext: PLAINTEXT }))).CiphertextBlob!;
    const eu = new KMSClient({ store: inner, region: 'eu-west-1' });
    expect(Buffer.from((await eu.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString()).toBe(
      'multi-Region secret',
    );
  });
});

describe('multi-Region keys in the file store', () => {
  it('the family, the links and the shared material survive closing and reopening the store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wasm-kms-mrk-'));
    try {
      const store = await FileKeyStore.open(dir);
      const { us, id } = await family({}, store);
      await us.send(new RotateKeyOnDemandCommand({ KeyId: id }));
      const blob = (await us.send(new EncryptCommand({ KeyId: id, Plaintext: PLAINTEXT }))).CiphertextBlob!;
      await us.send(new UpdatePrimaryRegionCommand({ KeyId: id, PrimaryRegion: 'us-west-2' }));
      await store.close();

      const again = await FileKeyStore.open(dir);
      const c = clients(again);
      const west = (await c.west.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!;
      expect(west.MultiRegionConfiguration).toEqual({
        MultiRegionKeyType: 'PRIMARY',
        PrimaryKey: { Arn: arnOf('us-west-2', id), Region: 'us-west-2' },
        ReplicaKeys: [{ Arn: arnOf('us-east-1', id), Region: 'us-east-1' }],
      });
      const dec = await c.west.send(new DecryptCommand({ CiphertextBlob: blob }));
      expect(Buffer.from(dec.Plaintext!).toString()).toBe('multi-Region secret');
      await c.us.send(new ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: 7 }));
      await again.close();
      const third = await FileKeyStore.open(dir);
      const rec = (await third.getKey(ACCOUNT, 'us-west-2', id))!;
      expect(rec.multiRegionConfiguration!.replicaDeletions).toHaveLength(1);
      expect(rec.multiRegionConfiguration!.replicaDeletions![0]!.deletionDate).toBeInstanceOf(Date);
      await third.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('multi-Region keys: the endpoint with @aws-sdk/client-kms in two Regions', () => {
  const ep = useEndpoint({ port: 0, store: new MemoryKeyStore() });

  it('replicates, describes, decrypts across Regions and moves the primary', async () => {
    const east = ep.sdk('us-east-1');
    const eu = ep.sdk('eu-west-1');
    const p = (await east.send(new sdk.CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!;
    const r = await east.send(new sdk.ReplicateKeyCommand({ KeyId: p.Arn, ReplicaRegion: 'eu-west-1' }));
    expect(r.ReplicaKeyMetadata).toMatchObject({ KeyState: 'Creating', KeyId: p.KeyId, Enabled: false });
    expect(JSON.parse(r.ReplicaPolicy!).Id).toBe('key-default-1');
    const md = (await eu.send(new sdk.DescribeKeyCommand({ KeyId: p.KeyId }))).KeyMetadata!;
    expect(md.MultiRegionConfiguration!.MultiRegionKeyType).toBe('REPLICA');
    const blob = (await east.send(new sdk.EncryptCommand({ KeyId: p.KeyId, Plaintext: PLAINTEXT }))).CiphertextBlob;
    const dec = await eu.send(new sdk.DecryptCommand({ CiphertextBlob: blob }));
    expect(Buffer.from(dec.Plaintext!).toString()).toBe('multi-Region secret');

    const err = await eu
      .send(new sdk.ReplicateKeyCommand({ KeyId: p.KeyId, ReplicaRegion: 'us-west-2' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(sdk.UnsupportedOperationException);
    expect((err as Error).message).toBe(`${arnOf('eu-west-1', p.KeyId!)} is not a multi-region primary key.`);
    expect((err as sdk.UnsupportedOperationException).$metadata.httpStatusCode).toBe(400);

    await east.send(new sdk.UpdatePrimaryRegionCommand({ KeyId: p.KeyId, PrimaryRegion: 'eu-west-1' }));
    const now = (await east.send(new sdk.DescribeKeyCommand({ KeyId: p.KeyId }))).KeyMetadata!;
    expect(now.MultiRegionConfiguration!.MultiRegionKeyType).toBe('REPLICA');
    expect(now.MultiRegionConfiguration!.PrimaryKey!.Region).toBe('eu-west-1');
    const taken = await eu
      .send(new sdk.ReplicateKeyCommand({ KeyId: p.KeyId, ReplicaRegion: 'us-east-1' }))
      .catch((e: unknown) => e);
    expect(taken).toBeInstanceOf(sdk.AlreadyExistsException);
  });
});

describe('multi-Region keys: the CLI', () => {
  const cli = useCli();

  it('replicate-key, describe-key --region, update-primary-region; a replica cannot be replicated (exit 254)', () => {
    const k = cli.ok(['create-key', '--multi-region']) as { KeyMetadata: { KeyId: string } };
    const id = k.KeyMetadata.KeyId;
    expect(id).toMatch(/^mrk-/);
    const r = cli.ok(['replicate-key', '--key-id', id, '--replica-region', 'us-west-2', '--description', 'copy']) as {
      ReplicaKeyMetadata: { KeyState: string; Description: string };
    };
    expect(r.ReplicaKeyMetadata).toMatchObject({ KeyState: 'Creating', Description: 'copy' });
    const md = cli.ok(['--region', 'us-west-2', 'describe-key', '--key-id', id]) as {
      KeyMetadata: { KeyState: string; MultiRegionConfiguration: { MultiRegionKeyType: string } };
    };
    expect(md.KeyMetadata.KeyState).toBe('Enabled');
    expect(md.KeyMetadata.MultiRegionConfiguration.MultiRegionKeyType).toBe('REPLICA');

    const bad = cli.run(['--region', 'us-west-2', 'replicate-key', '--key-id', id, '--replica-region', 'eu-west-1']);
    expect(bad.status).toBe(254);
    expect(bad.stderr).toContain(
      `An error occurred (UnsupportedOperationException) when calling the ReplicateKey operation: ${arnOf('us-west-2', id)} is not a multi-region primary key.`,
    );

    expect(cli.ok(['update-primary-region', '--key-id', id, '--primary-region', 'us-west-2'])).toEqual({});
    const after = cli.ok(['describe-key', '--key-id', id]) as {
      KeyMetadata: { MultiRegionConfiguration: { MultiRegionKeyType: string } };
    };
    expect(after.KeyMetadata.MultiRegionConfiguration.MultiRegionKeyType).toBe('REPLICA');
    const missing = cli.run([
      ...['--region', 'us-west-2', 'update-primary-region'],
      ...['--key-id', id, '--primary-region', 'eu-west-1'],
    ]);
    expect(missing.status).toBe(254);
    expect(missing.stderr).toContain(
      `An error occurred (NotFoundException) when calling the UpdatePrimaryRegion operation: Key '${arnOf('eu-west-1', id)}' does not exist`,
    );
  });
});

it('CreateKey with MultiRegion makes an mrk- primary with no replicas, as recorded', async () => {
  const c = new KMSClient({ store: new MemoryKeyStore() });
  const md = (await c.send(new CreateKeyCommand({ MultiRegion: true, Description: 'test multi region key' })))
    .KeyMetadata!;
  const rec = recorded('test_create_multi_region_key', 'create_multi_region_key');
  expect(Object.keys(md).sort()).toEqual(Object.keys(rec).sort());
  expect(md.MultiRegionConfiguration).toEqual({
    MultiRegionKeyType: 'PRIMARY',
    PrimaryKey: { Arn: md.Arn, Region: 'us-east-1' },
    ReplicaKeys: [],
  });
});
