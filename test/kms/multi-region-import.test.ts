// Multi-Region keys of imported material stay one family: a replica takes only material its
// primary has (same key material id in every Region), never new material; new material for
// rotation is PENDING_MULTI_REGION_IMPORT_AND_ROTATION on the primary until every replica has
// imported it, then PENDING_ROTATION; RotateKeyOnDemand on the primary refuses until then and
// makes the material current in every member. Library on a memory store, and a file store
// closed and reopened.

import { afterAll, describe, expect, it } from 'vitest';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as sdk from '@aws-sdk/client-kms';
import {
  DeleteImportedKeyMaterialCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  IncorrectKeyMaterialException,
  InvalidCiphertextException,
  KMSClient,
  KMSInvalidStateException,
  ListKeyRotationsCommand,
  MemoryKeyStore,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  UnsupportedOperationException,
  VerifyMacCommand,
  type KeyStore,
} from '../../src/kms/index.js';
import { FileKeyStore } from '../../src/node/file-store/index.js';
import { rejection } from '../helpers/kms.js';
import { removeTempDirs, tempDir } from '../helpers/file-store.js';
import { useCli, useEndpoint } from '../helpers/endpoint.js';

afterAll(removeTempDirs);

const ACCOUNT = '111122223333';
const arnOf = (region: string, id: string) => `arn:aws:kms:${region}:${ACCOUNT}:key/${id}`;

interface Family {
  us: KMSClient;
  west: KMSClient;
  eu: KMSClient;
  id: string;
}

/** An EXTERNAL multi-Region symmetric key in us-east-1 with replicas in us-west-2 and (optionally) eu-west-1. */
async function family(store: KeyStore = new MemoryKeyStore(), replicas = ['us-west-2']): Promise<Family> {
  const us = new KMSClient({ store, region: 'us-east-1' });
  const west = new KMSClient({ store, region: 'us-west-2' });
  const eu = new KMSClient({ store, region: 'eu-west-1' });
  const md = (await us.send(new CreateKeyCommand({ Origin: 'EXTERNAL', MultiRegion: true }))).KeyMetadata!;
  for (const r of replicas) await us.send(new ReplicateKeyCommand({ KeyId: md.KeyId, ReplicaRegion: r }));
  return { us, west, eu, id: md.KeyId! };
}

/** `material` wrapped with node:crypto under RSAES_OAEP_SHA_256 for the SPKI `publicKey`. */
function wrap(publicKey: Uint8Array, material: Uint8Array): Uint8Array {
  const key = createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' });
  return new Uint8Array(
    publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material),
  );
}

/** ImportKeyMaterial of `material` (wrapped with node:crypto, RSAES_OAEP_SHA_256) through `c`. */
async function importInto(
  c: KMSClient,
  id: string,
  material: Uint8Array,
  extra: { ImportType?: 'NEW_KEY_MATERIAL' | 'EXISTING_KEY_MATERIAL'; KeyMaterialId?: string } = {},
) {
  const p = await c.send(
    new GetParametersForImportCommand({
      KeyId: id,
      WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      WrappingKeySpec: 'RSA_2048',
    }),
  );
  return c.send(
    new ImportKeyMaterialCommand({
      KeyId: id,
      ImportToken: p.ImportToken,
      EncryptedKeyMaterial: wrap(p.PublicKey!, material),
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      ...extra,
    }),
  );
}

/** Every material of the key as ListKeyRotations ALL_KEY_MATERIAL gives it: id → state. */
async function states(c: KMSClient, id: string): Promise<Record<string, string>> {
  const out = await c.send(new ListKeyRotationsCommand({ KeyId: id, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }));
  return Object.fromEntries(out.Rotations!.map((r) => [r.KeyMaterialId!, `${r.KeyMaterialState}/${r.ImportState}`]));
}

const keyState = async (c: KMSClient, id: string) =>
  (await c.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.KeyState;

const encryptWith = async (c: KMSClient, id: string, text: string) =>
  (await c.send(new EncryptCommand({ KeyId: id, Plaintext: new TextEncoder().encode(text) }))).CiphertextBlob!;

const decryptWith = async (c: KMSClient, id: string, blob: Uint8Array) =>
  new TextDecoder().decode((await c.send(new DecryptCommand({ KeyId: id, CiphertextBlob: blob }))).Plaintext!);

describe('a replica of an imported multi-Region key', () => {
  it('refuses material its primary does not have, and stays PendingImport', async () => {
    const f = await family();
    await importInto(f.us, f.id, randomBytes(32));
    const e = await rejection(importInto(f.west, f.id, randomBytes(32)), IncorrectKeyMaterialException);
    expect(e.message).toBe(
      `The key material is not key material of the primary key ${arnOf('us-east-1', f.id)}; a replica key takes only key material imported into its primary key.`,
    );
    expect(await keyState(f.west, f.id)).toBe('PendingImport');
    expect(await states(f.west, f.id)).toEqual({});
  });

  it('refuses any material while its primary has none', async () => {
    const f = await family();
    await rejection(importInto(f.west, f.id, randomBytes(32)), IncorrectKeyMaterialException);
    expect(await keyState(f.west, f.id)).toBe('PendingImport');
  });

  it('takes the primary material with the same id; blobs of either Region decrypt in both', async () => {
    const f = await family();
    const a = randomBytes(32);
    const first = await importInto(f.us, f.id, a);
    const replica = await importInto(f.west, f.id, a);
    expect(replica.KeyMaterialId).toBe(first.KeyMaterialId);
    expect(replica.KeyId).toBe(arnOf('us-west-2', f.id));
    expect(await keyState(f.west, f.id)).toBe('Enabled');
    expect(await states(f.west, f.id)).toEqual({ [first.KeyMaterialId!]: 'CURRENT/IMPORTED' });
    const fromUs = await encryptWith(f.us, f.id, 'made in us-east-1');
    const fromWest = await encryptWith(f.west, f.id, 'made in us-west-2');
    expect(await decryptWith(f.west, f.id, fromUs)).toBe('made in us-east-1');
    expect(await decryptWith(f.us, f.id, fromWest)).toBe('made in us-west-2');
  });

  it('refuses ImportType NEW_KEY_MATERIAL, even with the primary material', async () => {
    const f = await family();
    const a = randomBytes(32);
    await importInto(f.us, f.id, a);
    const e = await rejection(
      importInto(f.west, f.id, a, { ImportType: 'NEW_KEY_MATERIAL' }),
      UnsupportedOperationException,
    );
    expect(e.message).toBe(
      `New key material cannot be imported into the replica key ${arnOf('us-west-2', f.id)}. Import it into the primary key with ImportType NEW_KEY_MATERIAL, then into each replica key with ImportType EXISTING_KEY_MATERIAL.`,
    );
    expect(await keyState(f.west, f.id)).toBe('PendingImport');
    // EXISTING_KEY_MATERIAL, said or not, is how it takes it.
    await importInto(f.west, f.id, a, { ImportType: 'EXISTING_KEY_MATERIAL' });
    expect(await keyState(f.west, f.id)).toBe('Enabled');
  });

  it('lists the primary materials it lacks as PENDING_IMPORT and is Enabled only once it has them all', async () => {
    const f = await family(new MemoryKeyStore(), []);
    const a = randomBytes(32);
    const b = randomBytes(32);
    const ida = (await importInto(f.us, f.id, a)).KeyMaterialId!;
    const idb = (await importInto(f.us, f.id, b, { ImportType: 'NEW_KEY_MATERIAL' })).KeyMaterialId!;
    await f.us.send(new RotateKeyOnDemandCommand({ KeyId: f.id }));
    await f.us.send(new ReplicateKeyCommand({ KeyId: f.id, ReplicaRegion: 'us-west-2' }));
    // The replica imports the older material first: it knows the current one and waits for it.
    await importInto(f.west, f.id, a);
    expect(await states(f.west, f.id)).toEqual({ [ida]: 'NON_CURRENT/IMPORTED', [idb]: 'CURRENT/PENDING_IMPORT' });
    expect(await keyState(f.west, f.id)).toBe('PendingImport');
    await importInto(f.west, f.id, b);
    expect(await states(f.west, f.id)).toEqual({ [ida]: 'NON_CURRENT/IMPORTED', [idb]: 'CURRENT/IMPORTED' });
    expect(await keyState(f.west, f.id)).toBe('Enabled');
    const blob = await encryptWith(f.west, f.id, 'under b');
    expect(await decryptWith(f.us, f.id, blob)).toBe('under b');
  });
});

describe('a replica of an imported multi-Region HMAC key', () => {
  it('refuses other material and takes the primary one: a MAC of one Region verifies in the other', async () => {
    const store = new MemoryKeyStore();
    const us = new KMSClient({ store, region: 'us-east-1' });
    const west = new KMSClient({ store, region: 'us-west-2' });
    const md = (
      await us.send(
        new CreateKeyCommand({
          Origin: 'EXTERNAL',
          MultiRegion: true,
          KeySpec: 'HMAC_256',
          KeyUsage: 'GENERATE_VERIFY_MAC',
        }),
      )
    ).KeyMetadata!;
    const id = md.KeyId!;
    await us.send(new ReplicateKeyCommand({ KeyId: id, ReplicaRegion: 'us-west-2' }));
    const m = randomBytes(32);
    const first = await importInto(us, id, m);
    await rejection(importInto(west, id, randomBytes(32)), IncorrectKeyMaterialException);
    expect(await keyState(west, id)).toBe('PendingImport');
    expect((await importInto(west, id, m)).KeyMaterialId).toBe(first.KeyMaterialId);
    expect(await keyState(west, id)).toBe('Enabled');
    const message = new TextEncoder().encode('mac me');
    const mac = (await us.send(new GenerateMacCommand({ KeyId: id, Message: message, MacAlgorithm: 'HMAC_SHA_256' })))
      .Mac!;
    const v = await west.send(
      new VerifyMacCommand({ KeyId: id, Message: message, MacAlgorithm: 'HMAC_SHA_256', Mac: mac }),
    );
    expect(v.MacValid).toBe(true);
  });
});

describe('DeleteImportedKeyMaterial in a multi-Region family', () => {
  it("deleting a primary's material pending rotation deletes it from the replicas; a replica's deletion leaves the others", async () => {
    const f = await family(new MemoryKeyStore(), ['us-west-2', 'eu-west-1']);
    const a = randomBytes(32);
    const ida = (await importInto(f.us, f.id, a)).KeyMaterialId!;
    await importInto(f.west, f.id, a);
    await importInto(f.eu, f.id, a);
    const b = randomBytes(32);
    const idb = (await importInto(f.us, f.id, b, { ImportType: 'NEW_KEY_MATERIAL' })).KeyMaterialId!;
    await importInto(f.west, f.id, b);
    expect(Object.keys(await states(f.west, f.id))).toContain(idb);
    // The primary deletes its pending material: gone from the replica that had imported it too.
    await f.us.send(new DeleteImportedKeyMaterialCommand({ KeyId: f.id, KeyMaterialId: idb }));
    expect(Object.keys(await states(f.us, f.id))).not.toContain(idb);
    expect(Object.keys(await states(f.west, f.id))).not.toContain(idb);
    expect(await keyState(f.west, f.id)).toBe('Enabled');
    // A replica deleting its current material changes nothing elsewhere.
    await f.eu.send(new DeleteImportedKeyMaterialCommand({ KeyId: f.id, KeyMaterialId: ida }));
    expect(await keyState(f.eu, f.id)).toBe('PendingImport');
    expect(await keyState(f.us, f.id)).toBe('Enabled');
    expect((await states(f.west, f.id))[ida]).toBe('CURRENT/IMPORTED');
    const blob = await encryptWith(f.us, f.id, 'still one family');
    expect(await decryptWith(f.west, f.id, blob)).toBe('still one family');
  });
});

describe('rotation of an imported multi-Region primary', () => {
  it('is pending until every replica has the new material, then current everywhere', async () => {
    const f = await family(new MemoryKeyStore(), ['us-west-2', 'eu-west-1']);
    const a = randomBytes(32);
    const b = randomBytes(32);
    const ida = (await importInto(f.us, f.id, a)).KeyMaterialId!;
    await importInto(f.west, f.id, a);
    await importInto(f.eu, f.id, a);
    const beforeBlob = await encryptWith(f.eu, f.id, 'before rotation');

    const idb = (await importInto(f.us, f.id, b, { ImportType: 'NEW_KEY_MATERIAL' })).KeyMaterialId!;
    expect((await states(f.us, f.id))[idb]).toBe('PENDING_MULTI_REGION_IMPORT_AND_ROTATION/IMPORTED');
    // Material waiting for the family's rotation is no rotation yet in the default listing.
    const rotationsNow = (await f.us.send(new ListKeyRotationsCommand({ KeyId: f.id }))).Rotations!;
    expect(rotationsNow.map((r) => r.KeyMaterialId)).not.toContain(idb);
    // Another replica's material is refused: only the primary's new one may come.
    await rejection(importInto(f.west, f.id, randomBytes(32)), IncorrectKeyMaterialException);
    const refused = (regions: string) =>
      `Key material (id: ${idb}) of ${arnOf('us-east-1', f.id)} is pending import into the replica keys in ${regions}. Import it into every replica key before rotating the primary key.`;
    let e = await rejection(f.us.send(new RotateKeyOnDemandCommand({ KeyId: f.id })), KMSInvalidStateException);
    expect(e.message).toBe(refused('us-west-2, eu-west-1'));

    await importInto(f.west, f.id, b);
    expect((await states(f.us, f.id))[idb]).toBe('PENDING_MULTI_REGION_IMPORT_AND_ROTATION/IMPORTED');
    expect((await states(f.west, f.id))[idb]).toBe('PENDING_MULTI_REGION_IMPORT_AND_ROTATION/IMPORTED');
    e = await rejection(f.us.send(new RotateKeyOnDemandCommand({ KeyId: f.id })), KMSInvalidStateException);
    expect(e.message).toBe(refused('eu-west-1'));
    // Until the rotation, every member encrypts under the old material.
    const blobWest = await encryptWith(f.west, f.id, 'still a');
    expect(await decryptWith(f.us, f.id, blobWest)).toBe('still a');

    await importInto(f.eu, f.id, b);
    for (const c of [f.us, f.west, f.eu]) expect((await states(c, f.id))[idb]).toBe('PENDING_ROTATION/IMPORTED');

    await f.us.send(new RotateKeyOnDemandCommand({ KeyId: f.id }));
    for (const c of [f.us, f.west, f.eu]) {
      expect(await states(c, f.id)).toEqual({ [ida]: 'NON_CURRENT/IMPORTED', [idb]: 'CURRENT/IMPORTED' });
      const md = (await c.send(new DescribeKeyCommand({ KeyId: f.id }))).KeyMetadata!;
      expect(md.CurrentKeyMaterialId).toBe(idb);
      // The rotation is listed in every Region.
      const listed = await c.send(new ListKeyRotationsCommand({ KeyId: f.id }));
      expect(listed.Rotations!.map((r) => [r.KeyMaterialId, r.RotationType])).toEqual([[idb, 'ON_DEMAND']]);
    }
    // Blobs made after the rotation in any Region decrypt in every other; so do the old ones.
    const after = await encryptWith(f.west, f.id, 'under b');
    expect(await decryptWith(f.eu, f.id, after)).toBe('under b');
    expect(await decryptWith(f.us, f.id, after)).toBe('under b');
    expect(await decryptWith(f.west, f.id, beforeBlob)).toBe('before rotation');
  });

  it('does not wait for a replica scheduled for deletion, which gets the new material as PENDING_IMPORT', async () => {
    const f = await family(new MemoryKeyStore(), ['us-west-2', 'eu-west-1']);
    const a = randomBytes(32);
    const ida = (await importInto(f.us, f.id, a)).KeyMaterialId!;
    await importInto(f.west, f.id, a);
    await importInto(f.eu, f.id, a);
    await f.eu.send(new ScheduleKeyDeletionCommand({ KeyId: f.id, PendingWindowInDays: 7 }));
    const b = randomBytes(32);
    const idb = (await importInto(f.us, f.id, b, { ImportType: 'NEW_KEY_MATERIAL' })).KeyMaterialId!;
    expect((await states(f.us, f.id))[idb]).toBe('PENDING_MULTI_REGION_IMPORT_AND_ROTATION/IMPORTED');
    await importInto(f.west, f.id, b);
    expect((await states(f.us, f.id))[idb]).toBe('PENDING_ROTATION/IMPORTED');
    await f.us.send(new RotateKeyOnDemandCommand({ KeyId: f.id }));
    expect(await states(f.eu, f.id)).toEqual({ [ida]: 'NON_CURRENT/IMPORTED', [idb]: 'CURRENT/PENDING_IMPORT' });
    expect(await keyState(f.eu, f.id)).toBe('PendingDeletion');
  });

  it('a primary without replicas has PENDING_ROTATION at once and rotates', async () => {
    const f = await family(new MemoryKeyStore(), []);
    await importInto(f.us, f.id, randomBytes(32));
    const idb = (await importInto(f.us, f.id, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL' })).KeyMaterialId!;
    expect((await states(f.us, f.id))[idb]).toBe('PENDING_ROTATION/IMPORTED');
    await f.us.send(new RotateKeyOnDemandCommand({ KeyId: f.id }));
    expect((await states(f.us, f.id))[idb]).toBe('CURRENT/IMPORTED');
  });

  it('a primary blob never meets other material in the replica (InvalidCiphertextException)', async () => {
    const f = await family();
    await importInto(f.us, f.id, randomBytes(32));
    // The replica cannot be given other material, so no ciphertext of one Region fails in the other.
    await rejection(importInto(f.west, f.id, randomBytes(32)), IncorrectKeyMaterialException);
    const blob = await encryptWith(f.us, f.id, 'x');
    // The replica has no material yet: its state refuses, rather than InvalidCiphertextException.
    const err = await f.west.send(new DecryptCommand({ KeyId: f.id, CiphertextBlob: blob })).catch((x: unknown) => x);
    expect(err).not.toBeInstanceOf(InvalidCiphertextException);
    expect((err as Error).name).toBe('KMSInvalidStateException');
  });
});

describe('persistence on the file store', () => {
  it('keeps the family states and materials across closing and reopening', async () => {
    const dir = await tempDir();
    const masterKey = randomBytes(32);
    let store = await FileKeyStore.open(dir, { masterKey });
    let f = await family(store);
    const a = randomBytes(32);
    const b = randomBytes(32);
    const ida = (await importInto(f.us, f.id, a)).KeyMaterialId!;
    await importInto(f.west, f.id, a);
    const idb = (await importInto(f.us, f.id, b, { ImportType: 'NEW_KEY_MATERIAL' })).KeyMaterialId!;
    await store.close();

    store = await FileKeyStore.open(dir, { masterKey });
    f = {
      ...f,
      us: new KMSClient({ store, region: 'us-east-1' }),
      west: new KMSClient({ store, region: 'us-west-2' }),
    };
    expect((await states(f.us, f.id))[idb]).toBe('PENDING_MULTI_REGION_IMPORT_AND_ROTATION/IMPORTED');
    await rejection(f.us.send(new RotateKeyOnDemandCommand({ KeyId: f.id })), KMSInvalidStateException);
    await importInto(f.west, f.id, b);
    await store.close();

    store = await FileKeyStore.open(dir, { masterKey });
    f = {
      ...f,
      us: new KMSClient({ store, region: 'us-east-1' }),
      west: new KMSClient({ store, region: 'us-west-2' }),
    };
    expect((await states(f.west, f.id))[idb]).toBe('PENDING_ROTATION/IMPORTED');
    await f.us.send(new RotateKeyOnDemandCommand({ KeyId: f.id }));
    const blob = await encryptWith(f.west, f.id, 'persisted');
    await store.close();

    store = await FileKeyStore.open(dir, { masterKey });
    const us = new KMSClient({ store, region: 'us-east-1' });
    const west = new KMSClient({ store, region: 'us-west-2' });
    expect(await states(west, f.id)).toEqual({ [ida]: 'NON_CURRENT/IMPORTED', [idb]: 'CURRENT/IMPORTED' });
    expect(await decryptWith(us, f.id, blob)).toBe('persisted');
    await store.close();
  });
});

describe('over the endpoint with @aws-sdk/client-kms', () => {
  const ep = useEndpoint();

  /** ImportKeyMaterial through the real SDK in `region`. */
  async function sdkImport(region: string, id: string, material: Uint8Array, importType?: 'NEW_KEY_MATERIAL') {
    const c = ep.sdk(region);
    const p = await c.send(
      new sdk.GetParametersForImportCommand({
        KeyId: id,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        WrappingKeySpec: 'RSA_2048',
      }),
    );
    return c.send(
      new sdk.ImportKeyMaterialCommand({
        KeyId: id,
        ImportToken: p.ImportToken,
        EncryptedKeyMaterial: wrap(p.PublicKey!, material),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        ImportType: importType,
      }),
    );
  }

  it('a replica refuses other material, takes the primary one, and the primary rotates once it has the new one', async () => {
    const us = ep.sdk('us-east-1');
    const west = ep.sdk('us-west-2');
    const id = (await us.send(new sdk.CreateKeyCommand({ Origin: 'EXTERNAL', MultiRegion: true }))).KeyMetadata!.KeyId!;
    await us.send(new sdk.ReplicateKeyCommand({ KeyId: id, ReplicaRegion: 'us-west-2' }));
    const a = randomBytes(32);
    await sdkImport('us-east-1', id, a);
    const bad = await sdkImport('us-west-2', id, randomBytes(32)).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(sdk.IncorrectKeyMaterialException);
    expect((bad as Error).message).toContain('a replica key takes only key material imported into its primary key');
    const fresh = await sdkImport('us-west-2', id, a, 'NEW_KEY_MATERIAL').catch((e: unknown) => e);
    expect(fresh).toBeInstanceOf(sdk.UnsupportedOperationException);
    await sdkImport('us-west-2', id, a);
    const blob = (await us.send(new sdk.EncryptCommand({ KeyId: id, Plaintext: Buffer.from('over http') })))
      .CiphertextBlob!;
    const plain = (await west.send(new sdk.DecryptCommand({ CiphertextBlob: blob }))).Plaintext!;
    expect(Buffer.from(plain).toString()).toBe('over http');

    const b = randomBytes(32);
    const idb = (await sdkImport('us-east-1', id, b, 'NEW_KEY_MATERIAL')).KeyMaterialId!;
    const listed = await us.send(
      new sdk.ListKeyRotationsCommand({ KeyId: id, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }),
    );
    expect(listed.Rotations!.find((r) => r.KeyMaterialId === idb)!.KeyMaterialState).toBe(
      'PENDING_MULTI_REGION_IMPORT_AND_ROTATION',
    );
    const early = await us.send(new sdk.RotateKeyOnDemandCommand({ KeyId: id })).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(sdk.KMSInvalidStateException);
    await sdkImport('us-west-2', id, b);
    await us.send(new sdk.RotateKeyOnDemandCommand({ KeyId: id }));
    const md = (await west.send(new sdk.DescribeKeyCommand({ KeyId: id }))).KeyMetadata!;
    expect(md.CurrentKeyMaterialId).toBe(idb);
  });
});

describe('from the CLI', () => {
  const cli = useCli();

  /** import-key-material with fileb:// blobs in `region`; the run's result. */
  async function cliImport(region: string, id: string, material: Uint8Array, extra: string[] = []) {
    const p = cli.ok([
      ...['--region', region, 'get-parameters-for-import', '--key-id', id],
      ...['--wrapping-algorithm', 'RSAES_OAEP_SHA_256', '--wrapping-key-spec', 'RSA_2048'],
    ]) as { ImportToken: string; PublicKey: string };
    const dir = await tempDir();
    await writeFile(join(dir, 'token.bin'), Buffer.from(p.ImportToken, 'base64'));
    await writeFile(join(dir, 'wrapped.bin'), wrap(Buffer.from(p.PublicKey, 'base64'), material));
    return cli.run([
      ...['--region', region, 'import-key-material', '--key-id', id],
      ...['--import-token', `fileb://${join(dir, 'token.bin')}`],
      ...['--encrypted-key-material', `fileb://${join(dir, 'wrapped.bin')}`],
      ...['--expiration-model', 'KEY_MATERIAL_DOES_NOT_EXPIRE', ...extra],
    ]);
  }

  it('import-key-material into a replica: other material refused, the primary one taken; rotate-key-on-demand waits for it', async () => {
    const id = (cli.ok(['create-key', '--origin', 'EXTERNAL', '--multi-region']).KeyMetadata as { KeyId: string })
      .KeyId;
    cli.ok(['replicate-key', '--key-id', id, '--replica-region', 'us-west-2']);
    const a = randomBytes(32);
    expect((await cliImport('us-east-1', id, a)).status).toBe(0);
    const bad = await cliImport('us-west-2', id, randomBytes(32));
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('IncorrectKeyMaterialException');
    const ok = await cliImport('us-west-2', id, a);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const b = randomBytes(32);
    expect((await cliImport('us-east-1', id, b, ['--import-type', 'NEW_KEY_MATERIAL'])).status).toBe(0);
    const early = cli.run(['rotate-key-on-demand', '--key-id', id]);
    expect(early.status).not.toBe(0);
    expect(early.stderr).toContain('KMSInvalidStateException');
    expect((await cliImport('us-west-2', id, b)).status).toBe(0);
    cli.ok(['rotate-key-on-demand', '--key-id', id]);
    const md = cli.ok(['--region', 'us-west-2', 'describe-key', '--key-id', id]).KeyMetadata as {
      KeyState: string;
      CurrentKeyMaterialId: string;
    };
    expect(md.KeyState).toBe('Enabled');
    const listed = cli.ok(['list-key-rotations', '--key-id', id, '--include-key-material', 'ALL_KEY_MATERIAL']) as {
      Rotations: { KeyMaterialId: string; KeyMaterialState: string }[];
    };
    const current = listed.Rotations.find((r) => r.KeyMaterialState === 'CURRENT')!.KeyMaterialId;
    expect(md.CurrentKeyMaterialId).toBe(current);
  });
});
