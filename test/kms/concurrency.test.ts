// Operations that read a record and write it back run inside the store's transaction, so that
// concurrent requests cannot undo each other's acknowledged changes.

import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileKeyStore } from '../../dist/node/file-store/index.js';
import {
  KMSClient,
  MemoryKeyStore,
  AlreadyExistsException,
  CreateAliasCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  GetKeyRotationStatusCommand,
  EnableKeyCommand,
  EncryptCommand,
  ListAliasesCommand,
  RotateKeyOnDemandCommand,
  type KeyStore,
} from '../../src/kms/index.js';
import { newKey } from '../helpers/kms.js';

/** A store without transaction(): the same records, unprotected updates (the control). */
function withoutTransactions(store: MemoryKeyStore): KeyStore {
  return {
    getKey: (...a) => store.getKey(...a),
    putKey: (r) => store.putKey(r),
    listKeys: (...a) => store.listKeys(...a),
    getAlias: (...a) => store.getAlias(...a),
    putAlias: (r) => store.putAlias(r),
    deleteAlias: (...a) => store.deleteAlias(...a),
    listAliases: (...a) => store.listAliases(...a),
  };
}

async function rotateWhileToggling(kms: KMSClient, store: MemoryKeyStore, rounds: number) {
  const key = await newKey(kms);
  const blobs: Uint8Array[] = [];
  await Promise.all(
    Array.from({ length: rounds }, async (_, i) => {
      await Promise.all([
        kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })),
        i % 2
          ? kms.send(new EnableKeyCommand({ KeyId: key.KeyId }))
          : kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 100 + i })),
      ]);
    }),
  );
  await kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
  for (let i = 0; i < 3; i++) {
    blobs.push(
      (await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: new Uint8Array([i + 1]) }))).CiphertextBlob!,
    );
  }
  const record = (await store.getKey('111122223333', 'us-east-1', key.KeyId))!;
  return { key, record, blobs };
}

describe('concurrent writers', () => {
  it('RotateKeyOnDemand racing EnableKey and EnableKeyRotation keeps every rotation and the rotation setting', async () => {
    const store = new MemoryKeyStore();
    const kms = new KMSClient({ store });
    const { key, record, blobs } = await rotateWhileToggling(kms, store, 10);
    expect(record.keyMaterials).toHaveLength(11);
    expect(new Set(record.keyMaterials.map((m) => m.id)).size).toBe(11);
    for (const [i, blob] of blobs.entries()) {
      expect((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext).toEqual(new Uint8Array([i + 1]));
    }
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe('Enabled');
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).KeyRotationEnabled).toBe(true);
  });

  it('the control: without transactions the same race loses rotations', async () => {
    const store = new MemoryKeyStore();
    const kms = new KMSClient({ store: withoutTransactions(store) });
    const { record } = await rotateWhileToggling(kms, store, 10);
    expect(record.keyMaterials.length).toBeLessThan(11);
  });

  it('CreateAlias racing for one name: exactly one succeeds, the rest are AlreadyExistsException', async () => {
    const store = new MemoryKeyStore();
    const kms = new KMSClient({ store });
    const keys = await Promise.all(Array.from({ length: 8 }, () => newKey(kms)));
    const results = await Promise.allSettled(
      keys.map((k) => kms.send(new CreateAliasCommand({ AliasName: 'alias/contended', TargetKeyId: k.KeyId }))),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(AlreadyExistsException);
    const winner = keys[results.findIndex((r) => r.status === 'fulfilled')];
    const aliases = (await kms.send(new ListAliasesCommand({}))).Aliases!;
    expect(aliases.filter((a) => a.AliasName === 'alias/contended').map((a) => a.TargetKeyId)).toEqual([winner.KeyId]);
  });

  it('a transaction that throws does not block the next one', async () => {
    const store = new MemoryKeyStore();
    await expect(
      store.transaction(async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(store.transaction(async () => 42)).resolves.toBe(42);
  });
});

describe('concurrent writers in two processes on one file store', () => {
  function writer(
    dir: string,
    keyId: string,
    rounds: number,
    tag: string,
  ): Promise<{ tag: string; rotated: number; aliases: string[] }> {
    const script = fileURLToPath(new URL('../helpers/engine-writer.mjs', import.meta.url));
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [script, dir, keyId, String(rounds), tag], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) =>
        code === 0 ? resolve(JSON.parse(out.trim())) : reject(new Error(`writer ${tag} exited ${code}: ${err}`)),
      );
    });
  }

  it('rotations, rotation settings and alias claims from both processes all land, each alias exactly once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wasm-kms-race-'));
    const setup = await FileKeyStore.open(dir);
    const key = await newKey(new KMSClient({ store: setup }));
    await setup.close();
    const rounds = 12; // 2 × 12 on-demand rotations stay under the limit of 25
    const [a, b] = await Promise.all([writer(dir, key.KeyId, rounds, 'a'), writer(dir, key.KeyId, rounds, 'b')]);
    expect(a.rotated + b.rotated).toBe(2 * rounds);
    const store = await FileKeyStore.open(dir);
    const record = (await store.getKey('111122223333', 'us-east-1', key.KeyId))!;
    expect(record.keyMaterials).toHaveLength(1 + 2 * rounds);
    expect(record.rotationPeriodInDays).toBeGreaterThanOrEqual(90);
    // Every alias name taken once, by one of the two.
    const claimed = [...a.aliases, ...b.aliases].sort();
    expect(claimed).toEqual(Array.from({ length: rounds }, (_, i) => `alias/race-${i}`).sort());
    const aliases = await store.listAliases('111122223333', 'us-east-1');
    expect(aliases.map((x) => x.aliasName).sort()).toEqual(claimed);
    await store.close();
  });
});
