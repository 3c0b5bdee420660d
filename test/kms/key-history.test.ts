// Key metadata and history: UpdateKeyDescription, ListKeyRotations (with the rotation history
// RotateKeyOnDemand and automatic rotation write), automatic rotation that really happens when
// a key's period has passed (seen through an injected clock), and GetKeyLastUsage with its
// in-memory recording written at most once a minute per key. Through the library
// (KMSClient + MemoryKeyStore), the file store across reopening, the HTTP endpoint with the real
// @aws-sdk/client-kms, and the CLI.
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import * as sdk from '@aws-sdk/client-kms';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import {
  CreateKeyCommand,
  AccessDeniedException,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyPairCommand,
  GetParametersForImportCommand,
  GetKeyLastUsageCommand,
  GetKeyRotationStatusCommand,
  ImportKeyMaterialCommand,
  InvalidArnException,
  InvalidCiphertextException,
  InvalidMarkerException,
  KMSClient,
  KMSInvalidStateException,
  LimitExceededException,
  ListKeyRotationsCommand,
  MemoryKeyStore,
  NotFoundException,
  ReEncryptCommand,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  UnsupportedOperationException,
  UpdateKeyDescriptionCommand,
  ValidationException,
  paginateListKeyRotations,
  type KeyStore,
} from '../../src/kms/index.js';
import { FileKeyStore } from '../../src/node/file-store/index.js';
import { LAST_USAGE_WRITE_INTERVAL_MS, flushLastUsage } from '../../src/kms/last-usage.js';
import { clients, newKey, OTHER_ACCOUNT, rejection } from '../helpers/kms.js';
import { removeTempDirs, tempDir } from '../helpers/file-store.js';
import { useCli, useEndpoint } from '../helpers/endpoint.js';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const DAY = 24 * 60 * 60 * 1000;

afterAll(removeTempDirs);

/** A clock that runs with the system's, `offset` ms ahead; move it with `advance`. */
function clock() {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance: (ms: number) => {
      offset += ms;
    },
  };
}

/** A store that counts its putKey calls. */
function counting(store: KeyStore = new MemoryKeyStore()) {
  let puts = 0;
  const wrapped: KeyStore = Object.create(store) as KeyStore;
  wrapped.putKey = (r) => {
    puts++;
    return store.putKey(r);
  };
  wrapped.transaction = store.transaction?.bind(store);
  wrapped.getKey = store.getKey.bind(store);
  return { store: wrapped, puts: () => puts };
}

async function describeOf(c: KMSClient, keyId: string) {
  return (await c.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
}

async function rotationsOf(c: KMSClient, keyId: string, all = false) {
  const out = await c.send(
    new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: all ? 'ALL_KEY_MATERIAL' : undefined }),
  );
  expect(out.Truncated).toBe(false);
  expect(out.NextMarker).toBeUndefined();
  return out.Rotations!;
}

const text = (b: Uint8Array | undefined) => Buffer.from(b!).toString();

describe('UpdateKeyDescription', () => {
  it('replaces the description DescribeKey shows, in every state but pending deletion', async () => {
    const { us } = clients();
    const k = await newKey(us, { Description: 'before' });
    expect(await us.send(new UpdateKeyDescriptionCommand({ KeyId: k.KeyId, Description: 'after' }))).toMatchObject({});
    expect((await describeOf(us, k.KeyId!)).Description).toBe('after');
    // By key ARN, to the longest description the model allows, and to the empty one.
    await us.send(new UpdateKeyDescriptionCommand({ KeyId: k.Arn, Description: 'd'.repeat(8192) }));
    expect((await describeOf(us, k.KeyId!)).Description).toBe('d'.repeat(8192));
    await us.send(new UpdateKeyDescriptionCommand({ KeyId: k.KeyId, Description: '' }));
    expect((await describeOf(us, k.KeyId!)).Description).toBe('');
    // A disabled key takes a new description.
    await us.send(new DisableKeyCommand({ KeyId: k.KeyId }));
    await us.send(new UpdateKeyDescriptionCommand({ KeyId: k.KeyId, Description: 'disabled' }));
    expect((await describeOf(us, k.KeyId!)).Description).toBe('disabled');
    // Pending deletion: refused, and the description stays.
    await us.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId, PendingWindowInDays: 7 }));
    const e = await rejection(
      us.send(new UpdateKeyDescriptionCommand({ KeyId: k.KeyId, Description: 'x' })),
      KMSInvalidStateException,
    );
    expect(e.message).toBe(`${k.Arn} is pending deletion.`);
    expect((await describeOf(us, k.KeyId!)).Description).toBe('disabled');
  });

  it('refuses a description over 8192 characters, an alias, a malformed ARN, a missing key and another account', async () => {
    const { us, other } = clients();
    const k = await newKey(us, { Description: 'kept' });
    await rejection(
      us.send(new UpdateKeyDescriptionCommand({ KeyId: k.KeyId, Description: 'd'.repeat(8193) })),
      ValidationException,
    );
    const alias = await rejection(
      us.send(new UpdateKeyDescriptionCommand({ KeyId: 'alias/some', Description: 'x' })),
      NotFoundException,
    );
    expect(alias.message).toBe("Invalid keyId 'alias/some'");
    await rejection(
      us.send(new UpdateKeyDescriptionCommand({ KeyId: 'arn:aws:s3:::bucket', Description: 'x' })),
      InvalidArnException,
    );
    const ghost = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0b3c1a5e-1111-4222-8333-944455556666`;
    expect(
      (await rejection(us.send(new UpdateKeyDescriptionCommand({ KeyId: ghost, Description: 'x' })), NotFoundException))
        .message,
    ).toBe(`Key '${ghost}' does not exist`);
    const denied = await rejection(
      other.send(new UpdateKeyDescriptionCommand({ KeyId: k.Arn, Description: 'theirs' })),
      AccessDeniedException,
    );
    expect(denied.message).toContain('kms:UpdateKeyDescription');
    expect((await describeOf(us, k.KeyId!)).Description).toBe('kept');
  });
});

describe('ListKeyRotations', () => {
  it('lists on-demand rotations oldest first; ALL_KEY_MATERIAL adds the first material', async () => {
    const { us } = clients();
    const k = await newKey(us);
    const first = (await describeOf(us, k.KeyId!)).CurrentKeyMaterialId!;
    expect(await rotationsOf(us, k.KeyId!)).toEqual([]);
    const before = Date.now();
    await us.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }));
    const second = (await describeOf(us, k.KeyId!)).CurrentKeyMaterialId!;
    await us.send(new RotateKeyOnDemandCommand({ KeyId: k.Arn }));
    const third = (await describeOf(us, k.KeyId!)).CurrentKeyMaterialId!;
    expect(new Set([first, second, third]).size).toBe(3);

    const rotations = await rotationsOf(us, k.KeyId!);
    expect(rotations.map((r) => [r.KeyId, r.KeyMaterialId, r.KeyMaterialState, r.RotationType])).toEqual([
      [k.KeyId, second, 'NON_CURRENT', 'ON_DEMAND'],
      [k.KeyId, third, 'CURRENT', 'ON_DEMAND'],
    ]);
    for (const r of rotations) {
      expect(r.RotationDate).toBeInstanceOf(Date);
      expect(r.RotationDate!.getTime()).toBeGreaterThanOrEqual(before);
      expect(r.RotationDate!.getTime()).toBeLessThanOrEqual(Date.now());
    }
    expect(rotations[0]!.RotationDate!.getTime()).toBeLessThanOrEqual(rotations[1]!.RotationDate!.getTime());

    const all = await rotationsOf(us, k.KeyId!, true);
    expect(all).toHaveLength(3);
    expect(all[0]).toEqual({ KeyId: k.KeyId, KeyMaterialId: first, KeyMaterialState: 'NON_CURRENT' });
    expect(all.slice(1)).toEqual(rotations);
    // ROTATIONS_ONLY is the default.
    const only = await us.send(new ListKeyRotationsCommand({ KeyId: k.KeyId, IncludeKeyMaterial: 'ROTATIONS_ONLY' }));
    expect(only.Rotations).toEqual(rotations);
  });

  it('a key rotated before rotations were recorded lists those materials as ON_DEMAND without a date', async () => {
    const { us, store } = clients();
    const k = await newKey(us);
    await us.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }));
    await us.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }));
    const record = (await store.getKey(ACCOUNT, REGION, k.KeyId!))!;
    delete record.rotations;
    await store.putKey(record);
    const listed = await rotationsOf(us, k.KeyId!);
    expect(listed.map((r) => [r.KeyMaterialId, r.RotationType, r.RotationDate])).toEqual([
      [record.keyMaterials[1]!.id, 'ON_DEMAND', undefined],
      [record.keyMaterials[2]!.id, 'ON_DEMAND', undefined],
    ]);
    // Those count toward the on-demand limit: 23 more, then LimitExceededException.
    for (let i = 0; i < 23; i++) await us.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }));
    await rejection(us.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId })), LimitExceededException);
  });

  it('a key of imported material lists its materials with their import state; pending rotation only with ALL_KEY_MATERIAL', async () => {
    const { us } = clients();
    const k = await newKey(us, { Origin: 'EXTERNAL' });
    const load = async (extra: Record<string, unknown>) => {
      const p = await us.send(
        new GetParametersForImportCommand({
          KeyId: k.KeyId,
          WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
          WrappingKeySpec: 'RSA_2048',
        }),
      );
      const key = createPublicKey({ key: Buffer.from(p.PublicKey!), format: 'der', type: 'spki' });
      const wrapped = publicEncrypt(
        { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
        randomBytes(32),
      );
      return us.send(
        new ImportKeyMaterialCommand({
          KeyId: k.KeyId,
          ImportToken: p.ImportToken,
          EncryptedKeyMaterial: wrapped,
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
          ...extra,
        }),
      );
    };
    const first = (await load({ KeyMaterialDescription: 'first' })).KeyMaterialId!;
    const second = (await load({ ImportType: 'NEW_KEY_MATERIAL', KeyMaterialDescription: 'second' })).KeyMaterialId!;
    expect(await rotationsOf(us, k.KeyId!)).toEqual([]);
    const common = { KeyId: k.KeyId, ImportState: 'IMPORTED', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' };
    expect(await rotationsOf(us, k.KeyId!, true)).toEqual([
      { ...common, KeyMaterialId: first, KeyMaterialDescription: 'first', KeyMaterialState: 'CURRENT' },
      { ...common, KeyMaterialId: second, KeyMaterialDescription: 'second', KeyMaterialState: 'PENDING_ROTATION' },
    ]);
    await us.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }));
    const rotated = await rotationsOf(us, k.KeyId!);
    expect(rotated).toHaveLength(1);
    expect(rotated[0]).toMatchObject({
      ...common,
      KeyMaterialId: second,
      KeyMaterialState: 'CURRENT',
      RotationType: 'ON_DEMAND',
    });
    expect(rotated[0]!.RotationDate).toBeInstanceOf(Date);
    expect((await rotationsOf(us, k.KeyId!, true))[0]).toMatchObject({
      KeyMaterialId: first,
      KeyMaterialState: 'NON_CURRENT',
    });
  });

  it('pages with Limit and Marker; a marker it did not issue is InvalidMarkerException', async () => {
    const { us } = clients();
    const k = await newKey(us);
    for (let i = 0; i < 5; i++) await us.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }));
    const whole = await rotationsOf(us, k.KeyId!, true);
    expect(whole).toHaveLength(6);
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const out = await us.send(
        new ListKeyRotationsCommand({
          KeyId: k.KeyId,
          IncludeKeyMaterial: 'ALL_KEY_MATERIAL',
          Limit: 4,
          Marker: marker,
        }),
      );
      pages++;
      expect(out.Rotations!.length).toBeLessThanOrEqual(4);
      seen.push(...out.Rotations!.map((r) => r.KeyMaterialId!));
      expect(out.Truncated).toBe(out.NextMarker !== undefined);
      marker = out.NextMarker;
      // A rotation made between pages neither repeats nor shifts the next page.
      if (pages === 1) await us.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }));
    } while (marker !== undefined);
    expect(pages).toBe(2);
    expect(seen.slice(0, 6)).toEqual(whole.map((r) => r.KeyMaterialId));
    expect(seen).toHaveLength(7);
    // The library's paginator walks the same list.
    const paged: string[] = [];
    for await (const page of paginateListKeyRotations({ client: us, pageSize: 2 }, { KeyId: k.KeyId }))
      paged.push(...page.Rotations!.map((r) => r.KeyMaterialId!));
    expect(paged).toEqual(seen.slice(1));

    for (const bad of ['zz', '6b6579733a61', 'not a marker']) {
      const e = await rejection(
        us.send(new ListKeyRotationsCommand({ KeyId: k.KeyId, Marker: bad })),
        InvalidMarkerException,
      );
      expect(e.message).toBe(`Invalid marker: ${bad}`);
    }
    await rejection(us.send(new ListKeyRotationsCommand({ KeyId: k.KeyId, Limit: 0 })), ValidationException);
    await rejection(us.send(new ListKeyRotationsCommand({ KeyId: k.KeyId, Limit: 1001 })), ValidationException);
  });

  it('asymmetric and HMAC keys have no rotations; every key state lists; another account is refused', async () => {
    const { us, other } = clients();
    for (const input of [
      { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' },
      { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' },
      { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' },
    ]) {
      const k = await newKey(us, input);
      const e = await rejection(
        us.send(new ListKeyRotationsCommand({ KeyId: k.KeyId })),
        UnsupportedOperationException,
      );
      expect(e.message).toBe('');
    }
    const k = await newKey(us);
    await us.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }));
    await us.send(new DisableKeyCommand({ KeyId: k.KeyId }));
    expect(await rotationsOf(us, k.KeyId!)).toHaveLength(1);
    await us.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId, PendingWindowInDays: 7 }));
    expect(await rotationsOf(us, k.KeyId!)).toHaveLength(1);
    await rejection(other.send(new ListKeyRotationsCommand({ KeyId: k.Arn })), AccessDeniedException);
    expect(
      (await rejection(us.send(new ListKeyRotationsCommand({ KeyId: 'alias/x' })), NotFoundException)).message,
    ).toBe("Invalid keyId 'alias/x'");
  });
});

describe('automatic rotation', () => {
  it('rotates when the period has passed, once per period, each dated when due; old blobs still decrypt', async () => {
    const t = clock();
    const store = new MemoryKeyStore();
    const c = new KMSClient({ store, now: t.now });
    const k = await newKey(c);
    const first = k.CurrentKeyMaterialId!;
    await c.send(new EnableKeyRotationCommand({ KeyId: k.KeyId, RotationPeriodInDays: 90 }));
    const next = (await c.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId }))).NextRotationDate!;
    const old = (await c.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from('before') })))
      .CiphertextBlob!;

    // Not yet due: nothing happens.
    t.advance(next.getTime() - Date.now() - 60_000);
    expect((await describeOf(c, k.KeyId!)).CurrentKeyMaterialId).toBe(first);
    expect(await rotationsOf(c, k.KeyId!)).toEqual([]);

    // Due: the next use (a cryptographic one) rotates.
    t.advance(120_000);
    const made = await c.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from('after') }));
    // The Encrypt itself rotated: the record holds the new material before anything else runs.
    const second = (await store.getKey(ACCOUNT, REGION, k.KeyId!))!.currentKeyMaterialId!;
    expect(second).not.toBe(first);
    expect((await describeOf(c, k.KeyId!)).CurrentKeyMaterialId).toBe(second);
    expect(await rotationsOf(c, k.KeyId!)).toEqual([
      {
        KeyId: k.KeyId,
        KeyMaterialId: second,
        KeyMaterialState: 'CURRENT',
        RotationDate: next,
        RotationType: 'AUTOMATIC',
      },
    ]);
    const status = await c.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId }));
    expect(status.NextRotationDate!.getTime()).toBe(next.getTime() + 90 * DAY);
    expect(text((await c.send(new DecryptCommand({ CiphertextBlob: old }))).Plaintext)).toBe('before');
    const decrypted = await c.send(new DecryptCommand({ CiphertextBlob: made.CiphertextBlob }));
    expect(text(decrypted.Plaintext)).toBe('after');
    expect(decrypted.KeyMaterialId).toBe(second);

    // Three periods later (seen by DescribeKey): three rotations, dated a period apart.
    t.advance(3 * 90 * DAY);
    const md = await describeOf(c, k.KeyId!);
    const rotations = await rotationsOf(c, k.KeyId!);
    expect(rotations.map((r) => r.RotationType)).toEqual(['AUTOMATIC', 'AUTOMATIC', 'AUTOMATIC', 'AUTOMATIC']);
    expect(rotations.map((r) => r.RotationDate!.getTime() - next.getTime())).toEqual(
      [0, 1, 2, 3].map((i) => i * 90 * DAY),
    );
    expect(md.CurrentKeyMaterialId).toBe(rotations[3]!.KeyMaterialId);
    expect(rotations.filter((r) => r.KeyMaterialState === 'CURRENT')).toHaveLength(1);
    expect((await c.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId }))).NextRotationDate!.getTime()).toBe(
      next.getTime() + 4 * 90 * DAY,
    );
    // Every material still decrypts what it sealed.
    expect(text((await c.send(new DecryptCommand({ CiphertextBlob: old }))).Plaintext)).toBe('before');
    expect(text((await c.send(new DecryptCommand({ CiphertextBlob: made.CiphertextBlob }))).Plaintext)).toBe('after');
  });

  it('a key that is not due costs no store write; concurrent users of a due key rotate it once', async () => {
    const t = clock();
    const counted = counting();
    const c = new KMSClient({ store: counted.store, now: t.now });
    const k = await newKey(c);
    await c.send(new EnableKeyRotationCommand({ KeyId: k.KeyId, RotationPeriodInDays: 90 }));
    await c.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from('x') }));
    const puts = counted.puts();
    for (let i = 0; i < 5; i++) {
      await c.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from('x') }));
      await c.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId }));
      await describeOf(c, k.KeyId!);
    }
    expect(counted.puts()).toBe(puts);

    t.advance(91 * DAY);
    const others = [0, 1, 2].map(() => new KMSClient({ store: counted.store, now: t.now }));
    const blobs = await Promise.all(
      others.flatMap((o) =>
        [0, 1, 2, 3].map(() => o.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from('y') }))),
      ),
    );
    expect(await rotationsOf(c, k.KeyId!)).toHaveLength(1);
    // Every blob was sealed under the one material kept: none under a rotation that was lost.
    for (const b of blobs) {
      const out = await c.send(new DecryptCommand({ CiphertextBlob: b.CiphertextBlob }));
      expect(text(out.Plaintext)).toBe('y');
    }
  });

  it('does not rotate a disabled key; once enabled, every rotation due is made; on-demand limit counts only on-demand', async () => {
    const t = clock();
    const c = new KMSClient({ store: new MemoryKeyStore(), now: t.now });
    const k = await newKey(c);
    await c.send(new EnableKeyRotationCommand({ KeyId: k.KeyId, RotationPeriodInDays: 100 }));
    await c.send(new DisableKeyCommand({ KeyId: k.KeyId }));
    t.advance(250 * DAY);
    expect((await describeOf(c, k.KeyId!)).CurrentKeyMaterialId).toBe(k.CurrentKeyMaterialId);
    expect(await rotationsOf(c, k.KeyId!)).toEqual([]);
    await c.send(new EnableKeyCommand({ KeyId: k.KeyId }));
    expect((await rotationsOf(c, k.KeyId!)).map((r) => r.RotationType)).toEqual(['AUTOMATIC', 'AUTOMATIC']);

    for (let i = 0; i < 25; i++) await c.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }));
    const e = await rejection(c.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId })), LimitExceededException);
    expect(e.message).toBe(
      `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${k.Arn}`,
    );
    const rotations = await rotationsOf(c, k.KeyId!);
    expect(rotations).toHaveLength(27);
    expect(rotations.filter((r) => r.RotationType === 'ON_DEMAND')).toHaveLength(25);
  });
});

describe('automatic rotation of a multi-Region key', () => {
  it('a replica found due rotates its primary, which shares the material; both decrypt either side', async () => {
    const t = clock();
    const store = new MemoryKeyStore();
    const east = new KMSClient({ store, now: t.now });
    const west = new KMSClient({ store, region: 'us-west-2', now: t.now });
    const p = await newKey(east, { MultiRegion: true });
    await east.send(new EnableKeyRotationCommand({ KeyId: p.KeyId, RotationPeriodInDays: 90 }));
    await east.send(new ReplicateKeyCommand({ KeyId: p.KeyId, ReplicaRegion: 'us-west-2' }));
    const old = (await east.send(new EncryptCommand({ KeyId: p.KeyId, Plaintext: Buffer.from('old') })))
      .CiphertextBlob!;
    t.advance(91 * DAY);
    // Used in the replica's Region first.
    const made = await west.send(new EncryptCommand({ KeyId: p.KeyId, Plaintext: Buffer.from('new') }));
    const replica = await describeOf(west, p.KeyId!);
    const primary = (await store.getKey(ACCOUNT, REGION, p.KeyId!))!;
    expect(primary.currentKeyMaterialId).toBe(replica.CurrentKeyMaterialId);
    expect(replica.CurrentKeyMaterialId).not.toBe(p.CurrentKeyMaterialId);
    const westRotations = await rotationsOf(west, p.KeyId!);
    expect(westRotations.map((r) => r.RotationType)).toEqual(['AUTOMATIC']);
    expect(await rotationsOf(east, p.KeyId!)).toEqual(westRotations);
    expect(text((await east.send(new DecryptCommand({ CiphertextBlob: made.CiphertextBlob }))).Plaintext)).toBe('new');
    expect(text((await west.send(new DecryptCommand({ CiphertextBlob: old }))).Plaintext)).toBe('old');
  });
});

describe('GetKeyLastUsage', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('empty until a successful cryptographic use; then its operation, time and request id', async () => {
    const { us } = clients();
    const k = await newKey(us);
    const fresh = await us.send(new GetKeyLastUsageCommand({ KeyId: k.KeyId }));
    expect(fresh.KeyId).toBe(k.KeyId);
    expect(fresh.KeyLastUsage).toEqual({});
    expect(fresh.KeyCreationDate).toEqual(k.CreationDate);
    expect(fresh.TrackingStartDate).toEqual(k.CreationDate);

    const before = Date.now();
    const enc = await us.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from('p') }));
    const used = await us.send(new GetKeyLastUsageCommand({ KeyId: k.Arn }));
    expect(used.KeyLastUsage!.Operation).toBe('Encrypt');
    expect(used.KeyLastUsage!.KmsRequestId).toBe(enc.$metadata.requestId);
    expect(used.KeyLastUsage!.Timestamp!.getTime()).toBeGreaterThanOrEqual(before);
    expect(used.KeyLastUsage!.Timestamp!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(used.TrackingStartDate).toEqual(k.CreationDate);

    // A failed operation, a DryRun and an operation that is not tracked change nothing.
    await rejection(
      us.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { a: 'b' } })),
      InvalidCiphertextException,
    );
    await expect(
      us.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from('p'), DryRun: true })),
    ).rejects.toThrow();
    await describeOf(us, k.KeyId!);
    await us.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }));
    expect((await us.send(new GetKeyLastUsageCommand({ KeyId: k.KeyId }))).KeyLastUsage).toEqual(used.KeyLastUsage);

    const dec = await us.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
    const after = (await us.send(new GetKeyLastUsageCommand({ KeyId: k.KeyId }))).KeyLastUsage!;
    expect(after.Operation).toBe('Decrypt');
    expect(after.KmsRequestId).toBe(dec.$metadata.requestId);
  });

  it('ReEncrypt is recorded for both keys; Sign and GenerateDataKeyPair for theirs', async () => {
    const { us } = clients();
    const a = await newKey(us);
    const b = await newKey(us);
    const s = await newKey(us, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const enc = await us.send(new EncryptCommand({ KeyId: a.KeyId, Plaintext: Buffer.from('p') }));
    const re = await us.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: b.KeyId }));
    for (const k of [a, b]) {
      const u = (await us.send(new GetKeyLastUsageCommand({ KeyId: k.KeyId }))).KeyLastUsage!;
      expect([u.Operation, u.KmsRequestId]).toEqual(['ReEncrypt', re.$metadata.requestId]);
    }
    await us.send(new SignCommand({ KeyId: s.KeyId, Message: Buffer.from('m'), SigningAlgorithm: 'ECDSA_SHA_256' }));
    expect((await us.send(new GetKeyLastUsageCommand({ KeyId: s.KeyId }))).KeyLastUsage!.Operation).toBe('Sign');
    await us.send(new GenerateDataKeyPairCommand({ KeyId: b.KeyId, KeyPairSpec: 'ECC_NIST_P256' }));
    expect((await us.send(new GetKeyLastUsageCommand({ KeyId: b.KeyId }))).KeyLastUsage!.Operation).toBe(
      'GenerateDataKeyPair',
    );
  });

  it('writes a key’s use at most once a minute: the first at once, a later one when the minute is over', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const t = clock();
    const counted = counting();
    const c = new KMSClient({ store: counted.store, now: t.now });
    const k = await newKey(c);
    const stored = async () => (await counted.store.getKey(ACCOUNT, REGION, k.KeyId!))!.lastUsage!;
    const puts = counted.puts();
    const first = await c.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from('1') }));
    expect(counted.puts()).toBe(puts + 1);
    expect((await stored()).kmsRequestId).toBe(first.$metadata.requestId);

    // A thousand uses within the minute: no write; GetKeyLastUsage sees the newest from memory.
    let last = first;
    for (let i = 0; i < 1000; i++)
      last = await c.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from('2') }));
    expect(counted.puts()).toBe(puts + 1);
    expect((await stored()).kmsRequestId).toBe(first.$metadata.requestId);
    expect((await c.send(new GetKeyLastUsageCommand({ KeyId: k.KeyId }))).KeyLastUsage!.KmsRequestId).toBe(
      last.$metadata.requestId,
    );
    // When the minute is over, the pending use is written without another request.
    t.advance(LAST_USAGE_WRITE_INTERVAL_MS);
    await vi.advanceTimersByTimeAsync(LAST_USAGE_WRITE_INTERVAL_MS);
    expect(counted.puts()).toBe(puts + 2);
    expect((await stored()).kmsRequestId).toBe(last.$metadata.requestId);
    expect((await stored()).trackingStartDate).toEqual(k.CreationDate);

    // A minute after that write, the next use is written at once; flushLastUsage writes what is pending.
    t.advance(LAST_USAGE_WRITE_INTERVAL_MS);
    const next = await c.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from('3') }));
    expect((await stored()).kmsRequestId).toBe(next.$metadata.requestId);
    const pending = await c.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from('4') }));
    expect((await stored()).kmsRequestId).toBe(next.$metadata.requestId);
    await flushLastUsage(counted.store);
    expect((await stored()).kmsRequestId).toBe(pending.$metadata.requestId);
  });

  it('a key made before tracking starts being tracked when first asked about or used', async () => {
    const t = clock();
    const store = new MemoryKeyStore();
    const c = new KMSClient({ store, now: t.now });
    const k = await newKey(c);
    const record = (await store.getKey(ACCOUNT, REGION, k.KeyId!))!;
    delete record.lastUsage;
    await store.putKey(record);
    t.advance(10 * DAY);
    const out = await c.send(new GetKeyLastUsageCommand({ KeyId: k.KeyId }));
    expect(out.KeyLastUsage).toEqual({});
    expect(out.KeyCreationDate).toEqual(k.CreationDate);
    expect(out.TrackingStartDate!.getTime()).toBeGreaterThan(k.CreationDate!.getTime() + 9 * DAY);
    t.advance(DAY);
    expect((await c.send(new GetKeyLastUsageCommand({ KeyId: k.KeyId }))).TrackingStartDate).toEqual(
      out.TrackingStartDate,
    );
    expect((await store.getKey(ACCOUNT, REGION, k.KeyId!))!.lastUsage!.trackingStartDate).toEqual(
      out.TrackingStartDate,
    );
  });

  it('refuses an alias, a malformed ARN, a missing key and another account’s key; every key state answers', async () => {
    const { us, other } = clients();
    const k = await newKey(us);
    expect(
      (await rejection(us.send(new GetKeyLastUsageCommand({ KeyId: 'alias/a' })), NotFoundException)).message,
    ).toBe("Invalid keyId 'alias/a'");
    await rejection(
      us.send(new GetKeyLastUsageCommand({ KeyId: 'arn:aws:iam::111122223333:root' })),
      InvalidArnException,
    );
    await rejection(
      us.send(new GetKeyLastUsageCommand({ KeyId: '0b3c1a5e-1111-4222-8333-944455556666' })),
      NotFoundException,
    );
    await rejection(other.send(new GetKeyLastUsageCommand({ KeyId: k.Arn })), AccessDeniedException);
    expect(OTHER_ACCOUNT).not.toBe(ACCOUNT);
    await us.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId, PendingWindowInDays: 7 }));
    expect((await us.send(new GetKeyLastUsageCommand({ KeyId: k.KeyId }))).KeyId).toBe(k.KeyId);
  });
});

describe('persistence on the file store', () => {
  it('description, rotation history, automatic rotation and last use survive closing and reopening', async () => {
    const dir = await tempDir();
    const t = clock();
    let store = await FileKeyStore.open(dir);
    let c = new KMSClient({ store, now: t.now });
    const k = await newKey(c);
    await c.send(new UpdateKeyDescriptionCommand({ KeyId: k.KeyId, Description: 'on disk' }));
    await c.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }));
    await c.send(new EnableKeyRotationCommand({ KeyId: k.KeyId, RotationPeriodInDays: 90 }));
    const blob = (await c.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from('kept') }))).CiphertextBlob!;
    t.advance(91 * DAY);
    const enc = await c.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from('new') }));
    const rotations = await rotationsOf(c, k.KeyId!, true);
    expect(rotations.map((r) => r.RotationType)).toEqual([undefined, 'ON_DEMAND', 'AUTOMATIC']);
    await store.close();

    store = await FileKeyStore.open(dir);
    c = new KMSClient({ store, now: t.now });
    expect((await describeOf(c, k.KeyId!)).Description).toBe('on disk');
    expect(await rotationsOf(c, k.KeyId!, true)).toEqual(rotations);
    expect((await describeOf(c, k.KeyId!)).CurrentKeyMaterialId).toBe(rotations[2]!.KeyMaterialId);
    // The last use written before closing is on disk.
    const lastUsage = (await store.getKey(ACCOUNT, REGION, k.KeyId!))!.lastUsage!;
    expect(lastUsage.trackingStartDate).toEqual(k.CreationDate);
    expect([lastUsage.operation, lastUsage.kmsRequestId]).toEqual(['Encrypt', enc.$metadata.requestId]);
    expect(text((await c.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext)).toBe('kept');
    expect((await c.send(new GetKeyLastUsageCommand({ KeyId: k.KeyId }))).KeyLastUsage!.Operation).toBe('Decrypt');
    await store.close();

    // Two stores over the same directory (two processes): a due key rotates once.
    t.advance(90 * DAY);
    const s1 = await FileKeyStore.open(dir);
    const s2 = await FileKeyStore.open(dir);
    const c1 = new KMSClient({ store: s1, now: t.now });
    const c2 = new KMSClient({ store: s2, now: t.now });
    await Promise.all([
      ...[0, 1, 2].map(() => c1.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from('a') }))),
      ...[0, 1, 2].map(() => c2.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from('b') }))),
    ]);
    expect(await rotationsOf(c1, k.KeyId!, true)).toHaveLength(4);
    await s1.close();
    await s2.close();
  });
});

describe('through the HTTP endpoint with @aws-sdk/client-kms', () => {
  const ep = useEndpoint();

  it('UpdateKeyDescription, ListKeyRotations (paginated) and GetKeyLastUsage', async () => {
    const kms = ep.sdk();
    const k = (await kms.send(new sdk.CreateKeyCommand({ Description: 'a' }))).KeyMetadata!;
    await kms.send(new sdk.UpdateKeyDescriptionCommand({ KeyId: k.KeyId, Description: 'b' }));
    expect((await kms.send(new sdk.DescribeKeyCommand({ KeyId: k.KeyId }))).KeyMetadata!.Description).toBe('b');

    for (let i = 0; i < 3; i++) await kms.send(new sdk.RotateKeyOnDemandCommand({ KeyId: k.KeyId }));
    const ids: string[] = [];
    for await (const page of sdk.paginateListKeyRotations(
      { client: kms, pageSize: 2 },
      { KeyId: k.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' },
    ))
      ids.push(...page.Rotations!.map((r) => r.KeyMaterialId!));
    expect(ids).toHaveLength(4);
    expect(ids[0]).toBe(k.CurrentKeyMaterialId);
    const last = (await kms.send(new sdk.ListKeyRotationsCommand({ KeyId: k.KeyId }))).Rotations!.at(-1)!;
    expect([last.KeyMaterialState, last.RotationType]).toEqual(['CURRENT', 'ON_DEMAND']);
    expect(last.RotationDate).toBeInstanceOf(Date);

    const enc = await kms.send(new sdk.EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from('x') }));
    const usage = await kms.send(new sdk.GetKeyLastUsageCommand({ KeyId: k.KeyId }));
    expect(usage.KeyId).toBe(k.KeyId);
    expect(usage.KeyLastUsage!.Operation).toBe('Encrypt');
    expect(usage.KeyLastUsage!.KmsRequestId).toBe(enc.$metadata.requestId);
    expect(usage.KeyCreationDate!.getTime()).toBe(k.CreationDate!.getTime());
    expect(usage.TrackingStartDate!.getTime()).toBe(k.CreationDate!.getTime());
  });

  it('error paths', async () => {
    const kms = ep.sdk();
    const ecc = (await kms.send(new sdk.CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })))
      .KeyMetadata!;
    const e1 = await kms.send(new sdk.ListKeyRotationsCommand({ KeyId: ecc.KeyId })).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(sdk.UnsupportedOperationException);
    const sym = (await kms.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
    const e2 = await kms
      .send(new sdk.ListKeyRotationsCommand({ KeyId: sym.KeyId, Marker: 'bogus' }))
      .catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(sdk.InvalidMarkerException);
    const e3 = await kms.send(new sdk.GetKeyLastUsageCommand({ KeyId: 'alias/none' })).catch((e: unknown) => e);
    expect(e3).toBeInstanceOf(sdk.NotFoundException);
    expect((e3 as Error).message).toBe("Invalid keyId 'alias/none'");
    await kms.send(new sdk.ScheduleKeyDeletionCommand({ KeyId: ecc.KeyId, PendingWindowInDays: 7 }));
    const e4 = await kms
      .send(new sdk.UpdateKeyDescriptionCommand({ KeyId: ecc.KeyId, Description: 'x' }))
      .catch((e: unknown) => e);
    expect(e4).toBeInstanceOf(sdk.KMSInvalidStateException);
    expect((e4 as Error).message).toBe(`${ecc.Arn} is pending deletion.`);
  });
});

describe('through the CLI', () => {
  const cli = useCli();

  it('update-key-description, list-key-rotations and get-key-last-usage, across processes', () => {
    const k = cli.ok(['create-key', '--description', 'one']).KeyMetadata as { KeyId: string; Arn: string };
    expect(cli.ok(['update-key-description', '--key-id', k.KeyId, '--description', 'two'])).toEqual({});
    expect((cli.ok(['describe-key', '--key-id', k.KeyId]).KeyMetadata as { Description: string }).Description).toBe(
      'two',
    );
    cli.ok(['rotate-key-on-demand', '--key-id', k.KeyId]);
    cli.ok(['rotate-key-on-demand', '--key-id', k.KeyId]);
    const listed = cli.ok(['list-key-rotations', '--key-id', k.KeyId]).Rotations as Array<Record<string, string>>;
    expect(listed.map((r) => [r.KeyId, r.RotationType, r.KeyMaterialState])).toEqual([
      [k.KeyId, 'ON_DEMAND', 'NON_CURRENT'],
      [k.KeyId, 'ON_DEMAND', 'CURRENT'],
    ]);
    const all = cli.ok(['list-key-rotations', '--key-id', k.KeyId, '--include-key-material', 'ALL_KEY_MATERIAL']);
    expect((all.Rotations as unknown[]).length).toBe(3);
    const page = cli.ok(['list-key-rotations', '--key-id', k.KeyId, '--limit', '1']);
    expect(page.Truncated).toBe(true);
    expect(typeof page.NextMarker).toBe('string');

    expect(cli.ok(['get-key-last-usage', '--key-id', k.KeyId]).KeyLastUsage).toEqual({});
    cli.ok(['encrypt', '--key-id', k.KeyId, '--plaintext', Buffer.from('hi').toString('base64')]);
    // Another process sees the use the encrypting process wrote.
    const usage = cli.ok(['get-key-last-usage', '--key-id', k.Arn]);
    expect(usage.KeyId).toBe(k.KeyId);
    expect((usage.KeyLastUsage as { Operation: string }).Operation).toBe('Encrypt');
  });

  it('error paths exit 254 with KMS’s exception', () => {
    const ghost = '0b3c1a5e-1111-4222-8333-944455556666';
    const r1 = cli.run(['update-key-description', '--key-id', ghost, '--description', 'x']);
    expect(r1.status).toBe(254);
    expect(r1.stderr).toContain(
      `An error occurred (NotFoundException) when calling the UpdateKeyDescription operation: Key 'arn:aws:kms:us-east-1:111122223333:key/${ghost}' does not exist`,
    );
    const k = cli.ok(['create-key']).KeyMetadata as { KeyId: string };
    const r2 = cli.run(['list-key-rotations', '--key-id', k.KeyId, '--marker', 'bogus']);
    expect(r2.status).toBe(254);
    expect(r2.stderr).toContain(
      '(InvalidMarkerException) when calling the ListKeyRotations operation: Invalid marker: bogus',
    );
    const r3 = cli.run(['get-key-last-usage', '--key-id', 'alias/none']);
    expect(r3.status).toBe(254);
    expect(r3.stderr).toContain(
      "(NotFoundException) when calling the GetKeyLastUsage operation: Invalid keyId 'alias/none'",
    );
  });
});

describe("the endpoint's close() writes the last uses held in memory", () => {
  it('a use newer than the one written at once reaches the store when the server closes', async () => {
    const { startServer } = await import('../../src/node/http/server.js');
    const { MemoryKeyStore } = await import('../../src/kms/store.js');
    const store = new MemoryKeyStore();
    const server = await startServer({ port: 0, store });
    try {
      const kms = new sdk.KMSClient({
        endpoint: server.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIDCLOSETEST', secretAccessKey: 'x' },
        maxAttempts: 1,
      });
      const key = (await kms.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
      // The first use is written at once; the second, within the minute, only held in memory.
      await kms.send(new sdk.EncryptCommand({ KeyId: key.KeyId, Plaintext: new Uint8Array([1]) }));
      await new Promise((r) => setTimeout(r, 5));
      await kms.send(new sdk.GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }));
      const shown = (await kms.send(new sdk.GetKeyLastUsageCommand({ KeyId: key.KeyId }))).KeyLastUsage!;
      expect(shown.Operation).toBe('GenerateDataKey');
      const before = (await store.getKey('111122223333', 'us-east-1', key.KeyId!))!.lastUsage!;
      expect(before.operation).toBe('Encrypt');
      await server.close();
      const after = (await store.getKey('111122223333', 'us-east-1', key.KeyId!))!.lastUsage!;
      expect(after.operation).toBe('GenerateDataKey');
      expect(after.timestamp!.getTime()).toBe(shown.Timestamp!.getTime());
    } finally {
      await server.close();
    }
  });
});

describe('GetKeyLastUsage leaves key material whole', () => {
  it('on a record without tracking data (a key from before tracking, or a replica), blobs still decrypt after it', async () => {
    const { MemoryKeyStore } = await import('../../src/kms/store.js');
    const store = new MemoryKeyStore();
    const us = new KMSClient({ store, region: 'us-east-1' });
    const eu = new KMSClient({ store, region: 'eu-west-1' });
    // A key whose record predates tracking: its lastUsage removed by hand.
    const old = (await us.send(new CreateKeyCommand({}))).KeyMetadata!;
    const record = (await store.getKey('111122223333', 'us-east-1', old.KeyId!))!;
    delete record.lastUsage;
    await store.putKey(record);
    const blob = (await us.send(new EncryptCommand({ KeyId: old.KeyId, Plaintext: new Uint8Array([1, 2, 3]) })))
      .CiphertextBlob!;
    const again = (await store.getKey('111122223333', 'us-east-1', old.KeyId!))!;
    delete again.lastUsage;
    await store.putKey(again);
    await us.send(new GetKeyLastUsageCommand({ KeyId: old.KeyId }));
    const plain = await us.send(new DecryptCommand({ CiphertextBlob: blob }));
    expect([...plain.Plaintext!]).toEqual([1, 2, 3]);
    // A replica, asked in its Region, then used there.
    const mrk = (await us.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!;
    const mblob = (await us.send(new EncryptCommand({ KeyId: mrk.KeyId, Plaintext: new Uint8Array([9]) })))
      .CiphertextBlob!;
    await us.send(new ReplicateKeyCommand({ KeyId: mrk.KeyId, ReplicaRegion: 'eu-west-1' }));
    const replica = (await store.getKey('111122223333', 'eu-west-1', mrk.KeyId!))!;
    delete replica.lastUsage;
    await store.putKey(replica);
    await eu.send(new GetKeyLastUsageCommand({ KeyId: mrk.KeyId }));
    expect([...(await eu.send(new DecryptCommand({ CiphertextBlob: mblob }))).Plaintext!]).toEqual([9]);
    const material = (await store.getKey('111122223333', 'eu-west-1', mrk.KeyId!))!.keyMaterials[0]!.material;
    expect(material.some((b) => b !== 0)).toBe(true);
  });

  it('a replica starts its tracking at its creation', async () => {
    const { MemoryKeyStore } = await import('../../src/kms/store.js');
    const store = new MemoryKeyStore();
    const us = new KMSClient({ store, region: 'us-east-1' });
    const mrk = (await us.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!;
    const out = await us.send(new ReplicateKeyCommand({ KeyId: mrk.KeyId, ReplicaRegion: 'eu-west-1' }));
    const replica = (await store.getKey('111122223333', 'eu-west-1', mrk.KeyId!))!;
    expect(replica.lastUsage?.trackingStartDate?.getTime()).toBe(out.ReplicaKeyMetadata!.CreationDate!.getTime());
  });
});
