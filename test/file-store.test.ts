// The file key store: exact round trips, permissions, sealing, refusal of corrupt and foreign
// files, locking between processes, and no acknowledged write lost when the writer is killed.
// The writer processes run test/helpers/file-store-writer.mjs on the built dist/ files.
import { describe, it, expect, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, realpath, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir, uptime } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileKeyStore, defaultStoreDir, masterKeyFromEnv } from '../src/node/file-store/index.js';
import type { AliasRecord, CustomKeyStoreRecord, KeyRecord } from '../src/kms/store.js';
import {
  CreateAliasCommand,
  CreateCustomKeyStoreCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeCustomKeyStoresCommand,
  DescribeKeyCommand,
  GenerateDataKeyPairCommand,
  KMSClient,
  ListAliasesCommand,
  RotateKeyOnDemandCommand,
  EnableKeyRotationCommand,
  GetKeyRotationStatusCommand,
  EncryptCommand,
} from '../src/kms/index.js';
import { ACCOUNT, writeFor } from './helpers/file-store-writer.mjs';
import { rejectionOf } from './helpers/caught.js';

type Write =
  | { kind: 'key'; id: string; record: KeyRecord }
  | { kind: 'alias'; id: string; record: AliasRecord }
  | { kind: 'custom-key-store'; id: string; record: CustomKeyStoreRecord };
const write = writeFor as (region: string, tag: string, i: number) => Write;

const WRITER = fileURLToPath(new URL('./helpers/file-store-writer.mjs', import.meta.url));
const THREADS = fileURLToPath(new URL('./helpers/file-store-threads.mjs', import.meta.url));
const BOOT_ID = '/proc/sys/kernel/random/boot_id';
const PID_NS = '/proc/self/ns/pid';
const REGION = 'us-east-1';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'wasm-kms-file-store-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Every file and directory below `dir`, with its mode bits. */
async function walk(dir: string): Promise<{ path: string; dir: boolean; mode: number }[]> {
  const out: { path: string; dir: boolean; mode: number }[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    out.push({ path: p, dir: e.isDirectory(), mode: (await stat(p)).mode & 0o777 });
    if (e.isDirectory()) out.push(...(await walk(p)));
  }
  return out;
}

async function put(store: FileKeyStore, w: Write): Promise<void> {
  if (w.kind === 'key') await store.putKey(w.record);
  else if (w.kind === 'alias') await store.putAlias(w.record);
  else await store.putCustomKeyStore(w.record);
}

async function get(store: FileKeyStore, region: string, w: Write): Promise<unknown> {
  if (w.kind === 'key') return store.getKey(ACCOUNT, region, w.id);
  if (w.kind === 'alias') return store.getAlias(ACCOUNT, region, w.id);
  return store.getCustomKeyStore(ACCOUNT, region, w.id);
}

function fullKey(keyId = '1234abcd-12ab-34cd-56ef-1234567890ab'): KeyRecord {
  return {
    keyId,
    account: ACCOUNT,
    region: REGION,
    arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`,
    creationDate: new Date(Date.UTC(2024, 1, 29, 12, 34, 56, 789)),
    description: 'every field ✓ "quoted" \\ \u0000 \ud83d\udd11',
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    origin: 'AWS_KMS',
    keyState: 'PendingDeletion',
    deletionDate: new Date(-62_198_755_200_001), // before year 0: the ISO form has a sign
    pendingWindowInDays: 30,
    customKeyStoreId: 'cks-1234567890abcdef0',
    multiRegion: true,
    keyMaterials: [
      { id: 'a'.repeat(64), material: new Uint8Array(randomBytes(32)) },
      { id: 'b'.repeat(64), material: new Uint8Array(randomBytes(32)) },
    ],
    currentKeyMaterialId: 'b'.repeat(64),
    keyPair: { publicKey: new Uint8Array(randomBytes(91)), privateKey: new Uint8Array(randomBytes(138)) },
    hmacKey: new Uint8Array(randomBytes(64)),
    rotationPeriodInDays: 180,
    rotationSince: new Date('2026-03-04T05:06:07.089Z'),
  };
}

function minimalKey(keyId: string): KeyRecord {
  return {
    keyId,
    account: ACCOUNT,
    region: REGION,
    arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`,
    creationDate: new Date(0),
    description: '',
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    origin: 'EXTERNAL',
    keyState: 'PendingImport',
    multiRegion: false,
    keyMaterials: [],
  };
}

function alias(aliasName: string, targetKeyId: string, region = REGION): AliasRecord {
  return {
    aliasName,
    account: ACCOUNT,
    region,
    aliasArn: `arn:aws:kms:${region}:${ACCOUNT}:${aliasName}`,
    targetKeyId,
    creationDate: new Date(1_700_000_000_123),
    lastUpdatedDate: new Date(1_700_000_999_456),
  };
}

const OPTIONAL_KEY_FIELDS = [
  'deletionDate', 'pendingWindowInDays', 'customKeyStoreId', 'currentKeyMaterialId', 'keyPair', 'hmacKey', 'rotationPeriodInDays', 'rotationSince',
];

describe('FileKeyStore records', () => {
  for (const sealed of [false, true]) {
    it(`round-trips every field exactly (${sealed ? 'sealed' : 'unsealed'})`, async () => {
      const dir = await tempDir();
      const masterKey = sealed ? new Uint8Array(randomBytes(32)) : undefined;
      const store = await FileKeyStore.open(dir, { masterKey });
      const full = fullKey();
      const min = minimalKey('mrk-0123456789abcdef0123456789abcdef');
      await store.putKey(full);
      await store.putKey(min);

      const again = await FileKeyStore.open(dir, { masterKey });
      const gotFull = await again.getKey(ACCOUNT, REGION, full.keyId);
      expect(gotFull).toStrictEqual(full);
      expect(gotFull!.creationDate).toBeInstanceOf(Date);
      expect(gotFull!.keyMaterials[0].material).toBeInstanceOf(Uint8Array);
      const gotMin = await again.getKey(ACCOUNT, REGION, min.keyId);
      expect(gotMin).toStrictEqual(min);
      // Absent stays absent (not null, not undefined-valued).
      for (const f of OPTIONAL_KEY_FIELDS) expect(Object.keys(gotMin!)).not.toContain(f);
      expect(Object.keys(gotFull!).sort()).toEqual(Object.keys(full).sort());

      // A record with an optional field explicitly undefined reads back without it.
      await again.putKey({ ...min, keyId: 'mrk-ffffffffffffffffffffffffffffffff', deletionDate: undefined });
      expect(Object.keys((await again.getKey(ACCOUNT, REGION, 'mrk-ffffffffffffffffffffffffffffffff'))!)).not.toContain('deletionDate');

      // Replacement, copies the caller owns.
      const changed = { ...full, keyState: 'Enabled' as const, description: 'changed' };
      delete changed.deletionDate;
      delete changed.pendingWindowInDays;
      await again.putKey(changed);
      const gotChanged = await store.getKey(ACCOUNT, REGION, full.keyId);
      expect(gotChanged).toStrictEqual(changed);
      gotChanged!.keyMaterials[0].material.fill(0);
      gotChanged!.creationDate.setTime(0);
      expect(await store.getKey(ACCOUNT, REGION, full.keyId)).toStrictEqual(changed);

      expect((await store.listKeys(ACCOUNT, REGION)).map((k) => k.keyId).sort()).toEqual(
        [full.keyId, min.keyId, 'mrk-ffffffffffffffffffffffffffffffff'].sort(),
      );
      expect(await store.listKeys(ACCOUNT, 'eu-west-1')).toEqual([]);
      expect(await store.listKeys('444455556666', REGION)).toEqual([]);
      expect(await store.getKey(ACCOUNT, 'eu-west-1', full.keyId)).toBeUndefined();
      await store.close();
      await again.close();
    });
  }

  it('keeps aliases apart by exact name (case, slashes, dots, non-ASCII, very long) and deletes them', async () => {
    const store = await FileKeyStore.open(await tempDir());
    const names = [
      'alias/prod', 'alias/Prod', 'alias/PROD', 'alias/a/b', 'alias/a%2Fb', 'alias/..', 'alias/.', 'alias/a.b',
      'alias/ключ', 'alias/' + 'x'.repeat(250), 'alias/' + 'x'.repeat(249) + 'X', '', 'alias/%', 'alias/%25',
    ];
    for (const [i, n] of names.entries()) await store.putAlias(alias(n, `key-${i}`));
    for (const [i, n] of names.entries()) expect(await store.getAlias(ACCOUNT, REGION, n)).toStrictEqual(alias(n, `key-${i}`));
    expect((await store.listAliases(ACCOUNT, REGION)).map((a) => a.aliasName).sort()).toEqual([...names].sort());
    // Nothing escaped the store's directory tree.
    for (const f of await walk(store.dir)) expect(resolve(f.path).startsWith(store.dir)).toBe(true);

    await store.putAlias({ ...alias('alias/Prod', 'other'), lastUpdatedDate: new Date(1_800_000_000_000) });
    expect((await store.getAlias(ACCOUNT, REGION, 'alias/Prod'))!.targetKeyId).toBe('other');
    expect(await store.deleteAlias(ACCOUNT, REGION, 'alias/Prod')).toBe(true);
    expect(await store.deleteAlias(ACCOUNT, REGION, 'alias/Prod')).toBe(false);
    expect(await store.getAlias(ACCOUNT, REGION, 'alias/Prod')).toBeUndefined();
    expect(await store.getAlias(ACCOUNT, REGION, 'alias/prod')).toStrictEqual(alias('alias/prod', 'key-0'));
    expect(await store.listAliases(ACCOUNT, REGION)).toHaveLength(names.length - 1);
    await store.close();
  });

  it('round-trips custom key stores and lists them in creation order, replacement keeping the place', async () => {
    const store = await FileKeyStore.open(await tempDir());
    const made: CustomKeyStoreRecord[] = [];
    // Ids in descending order, same creation time: only the store's own sequence gives the order.
    for (let i = 0; i < 5; i++) {
      const w = write(REGION, 'cks', 10 * (5 - i) + 9);
      const r = { ...(w.record as CustomKeyStoreRecord), creationDate: new Date(1_700_000_000_000) };
      await store.putCustomKeyStore(r);
      made.push(r);
    }
    expect(made.some((c) => c.xksProxyConfiguration !== undefined)).toBe(true);
    expect(made.some((c) => c.trustAnchorCertificate !== undefined)).toBe(true);
    const again = await FileKeyStore.open(store.dir);
    expect(await again.listCustomKeyStores(ACCOUNT, REGION)).toStrictEqual(made);
    const replaced = { ...made[1], connectionState: 'DISCONNECTED' as const };
    await again.putCustomKeyStore(replaced);
    expect(await store.getCustomKeyStore(ACCOUNT, REGION, made[1].customKeyStoreId)).toStrictEqual(replaced);
    expect((await store.listCustomKeyStores(ACCOUNT, REGION)).map((c) => c.customKeyStoreId)).toEqual(made.map((c) => c.customKeyStoreId));
    expect(await store.getCustomKeyStore(ACCOUNT, REGION, 'cks-00000000000000000')).toBeUndefined();
    await store.close();
    await again.close();
  });

  it('refuses records it could not store faithfully, writing nothing', async () => {
    const store = await FileKeyStore.open(await tempDir());
    const bad: [unknown, RegExp][] = [
      [{ ...fullKey(), creationDate: new Date(NaN) }, /creationDate must be a valid Date/],
      [{ ...fullKey(), keySpec: 'AES_999' }, /keySpec must be one of/],
      [{ ...fullKey(), hmacKey: [1, 2, 3] }, /hmacKey must be a Uint8Array/],
      [{ ...fullKey(), rotation: { days: 90 } }, /field rotation is not known/],
      [{ ...fullKey(), keyMaterials: [{ id: 'x', material: 'secret' }] }, /keyMaterials\[0\]\.material must be a Uint8Array/],
    ];
    for (const [record, message] of bad) {
      const err = await rejectionOf(store.putKey(record as KeyRecord));
      expect(err).toBeInstanceOf(TypeError);
      expect(err.message).toMatch(message);
    }
    expect(await store.listKeys(ACCOUNT, REGION)).toEqual([]);
    await store.close();
    await expect(store.getKey(ACCOUNT, REGION, 'x')).rejects.toThrow(/is closed/);
  });

  it('creates directories 0700 and files 0600 whatever the umask', async () => {
    const old = process.umask(0);
    try {
      const dir = join(await tempDir(), 'nested', 'store');
      const store = await FileKeyStore.open(dir, { masterKey: new Uint8Array(32).fill(7) });
      await store.putKey(fullKey());
      await store.putAlias(alias('alias/x', fullKey().keyId));
      await store.putCustomKeyStore(write(REGION, 'm', 9).record as CustomKeyStoreRecord);
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
      expect((await stat(join(dir, '..'))).mode & 0o777).toBe(0o700);
      const entries = await walk(dir);
      expect(entries.filter((e) => !e.dir).length).toBe(4); // marker + three records, no lock left behind
      for (const e of entries) expect([e.path, e.mode.toString(8)]).toEqual([e.path, e.dir ? '700' : '600']);
      await store.close();
    } finally {
      process.umask(old);
    }
  });
});

describe('FileKeyStore sealing', () => {
  /** Every secret of a record in the forms it could appear in a file. */
  function secretForms(r: KeyRecord): string[] {
    const secrets = [...r.keyMaterials.map((m) => m.material), r.keyPair!.privateKey, r.hmacKey!];
    return secrets.flatMap((s) => {
      const b = Buffer.from(s);
      // Base64 of an inner slice too, in case the encoding started at another offset.
      return [b.toString('latin1'), b.toString('hex'), b.toString('base64'), b.subarray(3, 27).toString('base64')];
    });
  }

  async function allFileBytes(dir: string): Promise<string> {
    const files = (await walk(dir)).filter((e) => !e.dir);
    return (await Promise.all(files.map((f) => readFile(f.path, 'latin1')))).join('\n');
  }

  it('keeps no plaintext key material on disk when sealed (and the search finds it when not)', async () => {
    const records = [fullKey('11111111-1111-4111-8111-111111111111'), fullKey('22222222-2222-4222-8222-222222222222')];
    const sealedDir = await tempDir();
    const plainDir = await tempDir();
    const sealed = await FileKeyStore.open(sealedDir, { masterKey: new Uint8Array(randomBytes(32)) });
    const plain = await FileKeyStore.open(plainDir);
    for (const r of records) {
      await sealed.putKey(r);
      await plain.putKey(r);
    }
    const sealedBytes = await allFileBytes(sealedDir);
    const plainBytes = await allFileBytes(plainDir);
    for (const r of records) {
      const forms = secretForms(r);
      for (const f of forms) expect(sealedBytes.includes(f)).toBe(false);
      expect(forms.filter((f) => plainBytes.includes(f)).length).toBeGreaterThan(0);
      expect(plainBytes).toContain(Buffer.from(r.hmacKey!).toString('base64'));
      // The public key is not secret and stays readable.
      expect(sealedBytes).toContain(Buffer.from(r.keyPair!.publicKey).toString('base64'));
    }
    expect(sealedBytes).toContain('"sealed"');
    await sealed.close();
    await plain.close();
  });

  it('fails at open with a missing, wrong or unexpected master key', async () => {
    const key = new Uint8Array(randomBytes(32));
    const sealedDir = await tempDir();
    const s = await FileKeyStore.open(sealedDir, { masterKey: key });
    await s.putKey(fullKey());
    await s.close();
    const marker = await readFile(join(sealedDir, 'wasm-kms-store.json'), 'utf8');

    expect((await rejectionOf(FileKeyStore.open(sealedDir))).message).toMatch(/is sealed; give its master key/);
    const wrong = key.slice();
    wrong[31] ^= 1;
    expect((await rejectionOf(FileKeyStore.open(sealedDir, { masterKey: wrong }))).message).toMatch(
      /master key given is not the one the store .* is sealed with/,
    );
    const plainDir = await tempDir();
    await (await FileKeyStore.open(plainDir)).close();
    expect((await rejectionOf(FileKeyStore.open(plainDir, { masterKey: key }))).message).toMatch(/is not sealed, but a master key was given/);
    await expect(FileKeyStore.open(plainDir, { masterKey: new Uint8Array(16) })).rejects.toThrow(TypeError);
    // Nothing was changed by the failed opens; the right key still reads.
    expect(await readFile(join(sealedDir, 'wasm-kms-store.json'), 'utf8')).toBe(marker);
    const ok = await FileKeyStore.open(sealedDir, { masterKey: key });
    expect((await ok.getKey(ACCOUNT, REGION, fullKey().keyId))!.keyId).toBe(fullKey().keyId);
    await ok.close();
  });

  /**
   * The record MAC as the header specifies it, computed here with node:crypto: HMAC-SHA-256 under
   * HKDF-SHA-256(master key, salt = store id, info) of the canonical JSON of the file without "mac".
   */
  async function remac(dir: string, masterKey: Uint8Array, file: Record<string, unknown>): Promise<Record<string, unknown>> {
    const storeId = Buffer.from(JSON.parse(await readFile(join(dir, 'wasm-kms-store.json'), 'utf8')).storeId, 'hex');
    const key = Buffer.from(hkdfSync('sha256', masterKey, storeId, 'wasm-kms file key store: record MAC key v1', 32));
    const canonical = (v: unknown): string => {
      if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
      if (typeof v === 'object' && v !== null) {
        const o = v as Record<string, unknown>;
        return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
      }
      return JSON.stringify(v);
    };
    const { mac: _, ...content } = file;
    return { ...content, mac: createHmac('sha256', key).update(canonical(content)).digest('base64') };
  }

  it('binds sealed values to their record and field', async () => {
    const dir = await tempDir();
    const masterKey = new Uint8Array(randomBytes(32));
    const store = await FileKeyStore.open(dir, { masterKey });
    const a = fullKey('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa');
    const b = fullKey('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb');
    await store.putKey(a);
    await store.putKey(b);
    const keys = join(dir, ACCOUNT, REGION, 'keys');
    const pathA = join(keys, `${a.keyId}.json`);
    const pathB = join(keys, `${b.keyId}.json`);
    const jsonA = JSON.parse(await readFile(pathA, 'utf8'));
    const jsonB = JSON.parse(await readFile(pathB, 'utf8'));

    // A's sealed material (same material ids) moved into B's record.
    jsonB.record.keyMaterials = jsonA.record.keyMaterials;
    // With a valid record MAC (as if the attacker had the MAC key), so the sealing itself is tested.
    const moved = JSON.stringify(await remac(dir, masterKey, jsonB));
    await writeFile(pathB, moved);
    let err = await rejectionOf(store.getKey(ACCOUNT, REGION, b.keyId));
    expect(err.message).toContain(pathB);
    expect(err.message).toMatch(/keyMaterials\[0\]\.material does not open/);
    expect(await readFile(pathB, 'utf8')).toBe(moved);

    // Two fields of one record swapped: the field name is bound too.
    const swapped = JSON.parse(await readFile(pathA, 'utf8'));
    [swapped.record.hmacKey, swapped.record.keyPair.privateKey] = [swapped.record.keyPair.privateKey, swapped.record.hmacKey];
    await writeFile(pathA, JSON.stringify(await remac(dir, masterKey, swapped)));
    err = await rejectionOf(store.getKey(ACCOUNT, REGION, a.keyId));
    expect(err.message).toMatch(/does not open/);

    // An unsealed secret slipped into a sealed store is refused, not taken.
    const plain = JSON.parse(JSON.stringify(jsonA));
    plain.record.hmacKey = Buffer.from(a.hmacKey!).toString('base64');
    await writeFile(pathA, JSON.stringify(await remac(dir, masterKey, plain)));
    err = await rejectionOf(store.getKey(ACCOUNT, REGION, a.keyId));
    expect(err.message).toMatch(/hmacKey is not sealed, but this store is/);
    // No secret in any of these messages.
    expect(err.message).not.toContain(Buffer.from(a.hmacKey!).toString('base64'));
    await store.close();
  });

  it('refuses metadata edited outside the store in a sealed store (record MAC), for keys, aliases and custom key stores', async () => {
    const dir = await tempDir();
    const masterKey = new Uint8Array(randomBytes(32));
    const store = await FileKeyStore.open(dir, { masterKey });
    const signing = (keyId: string): KeyRecord => ({
      ...minimalKey(keyId),
      keySpec: 'ECC_NIST_P256',
      keyUsage: 'SIGN_VERIFY',
      origin: 'AWS_KMS',
      keyState: 'Enabled',
      keyPair: { publicKey: new Uint8Array(randomBytes(91)), privateKey: new Uint8Array(randomBytes(138)) },
    });
    const a = signing('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa');
    const b = signing('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb');
    const sym = fullKey('cccccccc-cccc-4ccc-8ccc-cccccccccccc');
    const cks = write(REGION, 'mac', 9).record as CustomKeyStoreRecord;
    for (const k of [a, b, sym]) await store.putKey(k);
    await store.putAlias(alias('alias/signing', a.keyId));
    await store.putCustomKeyStore(cks);
    const base = join(dir, ACCOUNT, REGION);
    const keyFile = (k: KeyRecord) => join(base, 'keys', `${k.keyId}.json`);
    const aliasFile = join(base, 'aliases', 'alias%2Fsigning.json');
    const cksFile = join(base, 'custom-key-stores', `${cks.customKeyStoreId}.json`);
    const original = new Map<string, string>();
    for (const f of [keyFile(a), keyFile(sym), aliasFile, cksFile]) original.set(f, await readFile(f, 'utf8'));

    // Every file carries a MAC, computed as the header says.
    for (const text of original.values()) expect(await remac(dir, masterKey, JSON.parse(text))).toStrictEqual(JSON.parse(text));

    type Edit = [string, string, (j: any) => void, () => Promise<unknown>, () => Promise<unknown>];
    const bJson = JSON.parse(await readFile(keyFile(b), 'utf8'));
    const edits: Edit[] = [
      ["A's public key swapped for B's", keyFile(a), (j) => (j.record.keyPair.publicKey = bJson.record.keyPair.publicKey),
        () => store.getKey(ACCOUNT, REGION, a.keyId), () => store.listKeys(ACCOUNT, REGION)],
      ['the key usage changed', keyFile(a), (j) => (j.record.keyUsage = 'ENCRYPT_DECRYPT'),
        () => store.getKey(ACCOUNT, REGION, a.keyId), () => store.listKeys(ACCOUNT, REGION)],
      ['a rotation rolled back (current key material)', keyFile(sym), (j) => (j.record.currentKeyMaterialId = 'a'.repeat(64)),
        () => store.getKey(ACCOUNT, REGION, sym.keyId), () => store.listKeys(ACCOUNT, REGION)],
      ['the key state changed', keyFile(sym), (j) => (j.record.keyState = 'Enabled'),
        () => store.getKey(ACCOUNT, REGION, sym.keyId), () => store.listKeys(ACCOUNT, REGION)],
      ['the alias retargeted', aliasFile, (j) => (j.record.targetKeyId = b.keyId),
        () => store.getAlias(ACCOUNT, REGION, 'alias/signing'), () => store.listAliases(ACCOUNT, REGION)],
      ['the custom key store renamed', cksFile, (j) => (j.record.customKeyStoreName = 'other'),
        () => store.getCustomKeyStore(ACCOUNT, REGION, cks.customKeyStoreId), () => store.listCustomKeyStores(ACCOUNT, REGION)],
      ['the creation sequence changed', cksFile, (j) => (j.sequence = 7),
        () => store.getCustomKeyStore(ACCOUNT, REGION, cks.customKeyStoreId), () => store.listCustomKeyStores(ACCOUNT, REGION)],
      ['the MAC itself changed', aliasFile, (j) => (j.mac = Buffer.from(randomBytes(32)).toString('base64')),
        () => store.getAlias(ACCOUNT, REGION, 'alias/signing'), () => store.listAliases(ACCOUNT, REGION)],
    ];
    for (const [what, file, edit, get1, list] of edits) {
      const j = JSON.parse(original.get(file)!);
      edit(j);
      const edited = JSON.stringify(j, null, 2);
      await writeFile(file, edited);
      for (const call of [get1, list]) {
        const err = await rejectionOf(call());
        expect([what, err.message]).toEqual([what, expect.stringContaining(file)]);
        expect(err.message).toMatch(/record MAC does not match its content under the master key/);
      }
      expect(await readFile(file, 'utf8')).toBe(edited); // left as it is
      await writeFile(file, original.get(file)!);
    }
    // Deleting the alias checks its MAC too: a retargeted alias is not silently removed either.
    const retargeted = JSON.parse(original.get(aliasFile)!);
    retargeted.record.targetKeyId = b.keyId;
    await writeFile(aliasFile, JSON.stringify(retargeted));
    expect((await rejectionOf(store.deleteAlias(ACCOUNT, REGION, 'alias/signing'))).message).toMatch(/record MAC does not match/);
    // A file without a MAC is refused; a file only laid out differently is the same content.
    const stripped = JSON.parse(original.get(aliasFile)!);
    delete stripped.mac;
    await writeFile(aliasFile, JSON.stringify(stripped));
    expect((await rejectionOf(store.getAlias(ACCOUNT, REGION, 'alias/signing'))).message).toMatch(/mac is missing/);
    await writeFile(aliasFile, JSON.stringify(JSON.parse(original.get(aliasFile)!)));
    expect(await store.getAlias(ACCOUNT, REGION, 'alias/signing')).toStrictEqual(alias('alias/signing', a.keyId));
    expect(await store.getKey(ACCOUNT, REGION, a.keyId)).toStrictEqual(a);
    await store.close();
  });

  it('keeps unsealed stores as they were: no MAC, edits read back, a MAC refused', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir);
    await store.putAlias(alias('alias/x', 'k1'));
    const file = join(dir, ACCOUNT, REGION, 'aliases', 'alias%2Fx.json');
    const j = JSON.parse(await readFile(file, 'utf8'));
    expect(Object.keys(j).sort()).toEqual(['kind', 'record']);
    j.record.targetKeyId = 'k2';
    await writeFile(file, JSON.stringify(j));
    expect((await store.getAlias(ACCOUNT, REGION, 'alias/x'))!.targetKeyId).toBe('k2');
    await writeFile(file, JSON.stringify({ ...j, mac: Buffer.alloc(32).toString('base64') }));
    expect((await rejectionOf(store.getAlias(ACCOUNT, REGION, 'alias/x'))).message).toMatch(/mac is present, but this store is not sealed/);
    await store.close();
  });
});

describe('FileKeyStore refuses corrupt and foreign content', () => {
  async function storeWithKeys(): Promise<{ store: FileKeyStore; dir: string; keys: string; a: KeyRecord; b: KeyRecord }> {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir);
    const a = fullKey('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa');
    const b = fullKey('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb');
    await store.putKey(a);
    await store.putKey(b);
    return { store, dir, keys: join(dir, ACCOUNT, REGION, 'keys'), a, b };
  }

  const cases: [string, (text: string, a: KeyRecord) => string, RegExp][] = [
    ['not JSON', (t) => t.slice(0, t.length / 2), /not JSON/],
    ['a JSON array', () => '[]', /is not a JSON object/],
    ['an unknown field', (t) => t.replace('"keySpec"', '"colour": "red", "keySpec"'), /record\.colour is not a known field/],
    ['a wrong type', (t) => t.replace('"multiRegion": true', '"multiRegion": "yes"'), /record\.multiRegion is not a boolean/],
    ['an unknown enum value', (t) => t.replace('"SYMMETRIC_DEFAULT"', '"SYMMETRIC_FANCY"'), /record\.keySpec has an unknown value/],
    ['a loose date', (t) => t.replace('2024-02-29T12:34:56.789Z', '2024-02-29'), /record\.creationDate is not an ISO-8601 date/],
    ['bad base64', (t, a) => t.replace(Buffer.from(a.hmacKey!).toString('base64'), '!!!!'), /record\.hmacKey is not base64/],
    ['the wrong kind', (t) => t.replace('"kind": "key"', '"kind": "alias"'), /kind is not "key"/],
    ['another record', (t, a) => t.split(a.keyId).join('cccccccc-cccc-4ccc-8ccc-cccccccccccc'), /its record belongs at .*cccccccc/],
  ];

  it.each(cases)('a key file with %s: the error names the file, which is left untouched', async (_, corrupt, message) => {
    const { store, keys, a, b } = await storeWithKeys();
    const path = join(keys, `${a.keyId}.json`);
    const bad = corrupt(await readFile(path, 'utf8'), a);
    await writeFile(path, bad);
    // One call at a time: a second promise made up front could reject before it is awaited.
    for (const call of [() => store.getKey(ACCOUNT, REGION, a.keyId), () => store.listKeys(ACCOUNT, REGION)]) {
      const err = await rejectionOf(call());
      expect(err.message).toContain(path);
      expect(err.message).toMatch(message);
      expect(err.message).toMatch(/left unchanged/);
    }
    // Other records still read and write; the bad file is not rewritten or removed.
    expect(await store.getKey(ACCOUNT, REGION, b.keyId)).toStrictEqual(b);
    await store.putKey({ ...b, description: 'after' });
    await store.putAlias(alias('alias/after', b.keyId));
    expect(await readFile(path, 'utf8')).toBe(bad);
    await store.close();
  });

  it('refuses a foreign file in a record directory, and a corrupt alias on delete', async () => {
    const { store, keys, dir } = await storeWithKeys();
    await writeFile(join(keys, 'README.txt'), 'hello');
    const err = await rejectionOf(store.listKeys(ACCOUNT, REGION));
    expect(err.message).toContain(join(keys, 'README.txt'));
    await store.putAlias(alias('alias/z', 'k'));
    const aliasPath = join(dir, ACCOUNT, REGION, 'aliases', 'alias%2Fz.json');
    await writeFile(aliasPath, '{"kind":"alias","record":{}}');
    expect((await rejectionOf(store.deleteAlias(ACCOUNT, REGION, 'alias/z'))).message).toContain(aliasPath);
    expect(await readFile(aliasPath, 'utf8')).toBe('{"kind":"alias","record":{}}');
    await store.close();
  });

  it('lists past dotfiles other tools leave in record directories (.DS_Store, swap files, .nfs silly renames)', async () => {
    const { store, keys, dir, a, b } = await storeWithKeys();
    await store.putAlias(alias('alias/x', a.keyId));
    const aliases = join(dir, ACCOUNT, REGION, 'aliases');
    for (const [d, n] of [[keys, '.DS_Store'], [keys, `.${a.keyId}.json.swp`], [aliases, '.nfs000000000123abcd00000001']] as const) {
      await writeFile(join(d, n), 'not a record');
    }
    expect((await store.listKeys(ACCOUNT, REGION)).map((k) => k.keyId).sort()).toEqual([a.keyId, b.keyId]);
    expect(await store.listAliases(ACCOUNT, REGION)).toStrictEqual([alias('alias/x', a.keyId)]);
    // A record's own file name never starts with a dot, so none is skipped: `.x` is `%2Ex`.
    await store.putAlias(alias('.x', a.keyId));
    expect((await store.listAliases(ACCOUNT, REGION)).map((x) => x.aliasName).sort()).toEqual(['.x', 'alias/x']);
    await store.close();
  });

  it('creates a store in a directory that holds only lost+found (a fresh volume mounted as the store)', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'lost+found'), { mode: 0o700 });
    const store = await FileKeyStore.open(dir);
    await store.putKey(minimalKey('mrk-0000000000000000000000000000000f'));
    expect((await store.listKeys(ACCOUNT, REGION)).length).toBe(1);
    expect((await readdir(dir)).sort()).toEqual([ACCOUNT, 'lost+found', 'wasm-kms-store.json']);
    await store.close();
    // It is not a licence for anything else beside it.
    const other = await tempDir();
    await mkdir(join(other, 'lost+found'));
    await writeFile(join(other, 'notes.txt'), 'mine');
    expect((await rejectionOf(FileKeyStore.open(other))).message).toContain(join(other, 'notes.txt'));
  });

  it('refuses a directory that is not a store, and a marker it does not know, changing nothing', async () => {
    const foreign = await tempDir();
    await writeFile(join(foreign, 'notes.txt'), 'mine');
    const err = await rejectionOf(FileKeyStore.open(foreign));
    expect(err.message).toMatch(/is not empty and has no wasm-kms-store\.json/);
    expect(err.message).toContain(join(foreign, 'notes.txt'));
    expect(await readdir(foreign)).toEqual(['notes.txt']);

    const dir = await tempDir();
    await (await FileKeyStore.open(dir)).close();
    const markerPath = join(dir, 'wasm-kms-store.json');
    const marker = JSON.parse(await readFile(markerPath, 'utf8'));
    const variants: [string, RegExp][] = [
      ['{"format": "wasm-kms file key store", "version"', /not JSON/],
      [JSON.stringify({ ...marker, format: 'something else' }), /is not a wasm-kms store marker/],
      [JSON.stringify({ ...marker, version: 2 }), /format version 2; this wasm-kms reads version 1 only/],
      [JSON.stringify({ ...marker, storeId: 'xyz' }), /storeId is not 32 lowercase hex/],
      [JSON.stringify({ ...marker, extra: 1 }), /extra is not a known field/],
    ];
    for (const [text, message] of variants) {
      await writeFile(markerPath, text);
      const e = await rejectionOf(FileKeyStore.open(dir));
      expect(e.message).toContain(markerPath);
      expect(e.message).toMatch(message);
      expect(await readFile(markerPath, 'utf8')).toBe(text);
    }

    const file = join(await tempDir(), 'a-file');
    await writeFile(file, 'x');
    await expect(FileKeyStore.open(file)).rejects.toThrow(/cannot create the store directory|is not a directory/);
  });
});

describe('FileKeyStore refuses a directory others could read or write', () => {
  it('refuses a store directory its group or others can read, write or enter, or owned by another user, saying how to fix it', async () => {
    // A private directory of ours (mkdtemp makes it 0700) is accepted.
    const ok = await tempDir();
    await (await FileKeyStore.open(ok)).close();

    const cases = [
      [0o777, 'writable by its group and by others'],
      [0o770, 'writable by its group'],
      [0o702, 'writable by others'],
      [0o755, 'readable by its group and by others'],
      [0o750, 'readable by its group'],
      [0o704, 'readable by others'],
      [0o711, 'open to its group and others'],
      [0o701, 'open to others'],
    ] as const;
    for (const [mode, what] of cases) {
      const dir = await tempDir();
      await chmod(dir, mode);
      const err = await rejectionOf(FileKeyStore.open(dir));
      expect(err.message).toContain(`refusing the store directory ${dir}: it is ${what} (mode 0${mode.toString(8)})`);
      expect(err.message).toContain(`; run: chmod 700 ${dir}`);
      expect(await readdir(dir)).toEqual([]); // nothing created in it
      await chmod(dir, 0o700);
      await (await FileKeyStore.open(dir)).close();
    }
    // An existing store whose directory was opened up later is refused too, for reading as well.
    await chmod(ok, 0o777);
    expect((await rejectionOf(FileKeyStore.open(ok))).message).toMatch(/writable by its group and by others/);
    await chmod(ok, 0o755);
    expect((await rejectionOf(FileKeyStore.open(ok))).message).toMatch(/readable by its group and by others \(mode 0755\).*; run: chmod 700 /);
    await chmod(ok, 0o700);
    await (await FileKeyStore.open(ok)).close();

    // Owned by someone else: as root, a directory given to nobody; otherwise /, owned by root.
    const euid = process.geteuid!();
    let foreign = '/';
    if (euid === 0) {
      foreign = await tempDir();
      await chown(foreign, 65534, 65534);
    }
    const err = await rejectionOf(FileKeyStore.open(foreign));
    expect(err.message).toContain(`refusing the store directory ${foreign}: it is owned by uid ${euid === 0 ? 65534 : 0}, not by this user (uid ${euid})`);
  });

  it('resolves a symbolic link as the store directory once, checking its target', async () => {
    const target = await tempDir();
    const link = join(await tempDir(), 'store-link');
    await symlink(target, link);
    const store = await FileKeyStore.open(link);
    expect(store.dir).toBe(await realpath(target));
    await store.putKey(minimalKey('mrk-00000000000000000000000000000aaa'));
    expect(await readdir(target)).toContain(ACCOUNT);
    await store.close();
    // A link to a directory others can write to is refused, naming both.
    await chmod(target, 0o777);
    const err = await rejectionOf(FileKeyStore.open(link));
    expect(err.message).toContain(`${await realpath(target)} (the target of ${link})`);
    expect(err.message).toMatch(/writable by its group and by others/);
  });

  it('refuses symbolic links inside the store, for reads and writes, writing nothing through them', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir);
    const key = minimalKey('mrk-00000000000000000000000000000bbb');
    await store.putKey(key);
    // The region directory moved elsewhere and linked back in its place.
    const elsewhere = join(await tempDir(), 'region');
    const regionDir = join(dir, ACCOUNT, REGION);
    await rename(regionDir, elsewhere);
    await symlink(elsewhere, regionDir);
    const before = await readdir(join(elsewhere, 'keys'));
    for (const call of [
      () => store.getKey(ACCOUNT, REGION, key.keyId),
      () => store.listKeys(ACCOUNT, REGION),
      () => store.listAliases(ACCOUNT, REGION),
      () => store.putKey(minimalKey('mrk-00000000000000000000000000000ccc')),
      () => store.putAlias(alias('alias/planted', key.keyId)),
    ]) {
      const err = await rejectionOf(call());
      expect(err.message).toContain(`${regionDir} is a symbolic link; the store refuses symbolic links inside its directory`);
    }
    expect(await readdir(join(elsewhere, 'keys'))).toEqual(before);
    expect(await readdir(elsewhere)).toEqual(['keys']);

    // A missing directory that turns out to be a link when the store would create it.
    const planted = await tempDir();
    await symlink(planted, join(dir, ACCOUNT, 'eu-west-1'));
    expect((await rejectionOf(store.putKey({ ...key, region: 'eu-west-1' }))).message).toMatch(/eu-west-1 is a symbolic link/);
    expect(await readdir(planted)).toEqual([]);

    // A record file that is a link (to a valid record of this very store) is not read through.
    await rm(regionDir);
    await rename(elsewhere, regionDir);
    const keys = join(dir, ACCOUNT, REGION, 'keys');
    const copy = join(await tempDir(), 'copy.json');
    await rename(join(keys, `${key.keyId}.json`), copy);
    await symlink(copy, join(keys, `${key.keyId}.json`));
    expect((await rejectionOf(store.getKey(ACCOUNT, REGION, key.keyId))).message).toMatch(/it is a symbolic link/);
    await store.close();
  });
});

// ---------------------------------------------------------------------------------------------
// Processes

interface WriterRun {
  acked: number[];
  done: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs the writer; with `killAfterFirstAckMs`, SIGKILLs it that long after its first
 * acknowledgement. Resolves once the process has exited (and been reaped, so its pid is dead).
 */
function runWriter(dir: string, region: string, tag: string, count: number, env: NodeJS.ProcessEnv, killAfterFirstAckMs?: number): Promise<WriterRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [WRITER, dir, region, tag, String(count)], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: WriterRun = { acked: [], done: false, code: null, signal: null, stderr: '' };
    let buffered = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line === 'done') run.done = true;
        else run.acked.push(Number(/^ack (\d+)$/.exec(line)![1]));
        if (killAfterFirstAckMs !== undefined && timer === undefined) {
          timer = setTimeout(() => child.kill('SIGKILL'), killAfterFirstAckMs);
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (run.stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      run.code = code;
      run.signal = signal;
      resolvePromise(run);
    });
  });
}

/** Every record of a region, as written by `tag`: each must be exactly one of the writes 0..count-1. */
async function writtenIndexes(store: FileKeyStore, region: string, tag: string, count: number): Promise<number[]> {
  const byId = new Map<string, number>();
  for (let i = 0; i < count; i++) byId.set(`${write(region, tag, i).kind}:${write(region, tag, i).id}`, i);
  const found: number[] = [];
  const check = (kind: string, id: string, record: unknown): void => {
    const i = byId.get(`${kind}:${id}`);
    expect(i, `${kind} ${id} was never written`).toBeDefined();
    expect(record).toStrictEqual(write(region, tag, i!).record);
    found.push(i!);
  };
  for (const k of await store.listKeys(ACCOUNT, region)) check('key', k.keyId, k);
  for (const a of await store.listAliases(ACCOUNT, region)) check('alias', a.aliasName, a);
  for (const c of await store.listCustomKeyStores(ACCOUNT, region)) check('custom-key-store', c.customKeyStoreId, c);
  return found.sort((x, y) => x - y);
}

async function tempFiles(dir: string): Promise<string[]> {
  return (await walk(dir)).filter((e) => !e.dir && /\.tmp$/.test(e.path)).map((e) => e.path);
}

describe('FileKeyStore across processes', () => {
  it('keeps every acknowledged write when the writer is SIGKILLed at random moments', async () => {
    const dir = await tempDir();
    const masterKey = new Uint8Array(randomBytes(32));
    const env = { WASM_KMS_MASTER_KEY: Buffer.from(masterKey).toString('hex') };
    const rounds: { delay: number; acked: number; visible: number; lockLeft: boolean }[] = [];
    for (let round = 0; round < 6; round++) {
      const region = `crash-${round}`;
      const tag = `r${round}`;
      const delay = Math.floor(Math.random() * 700);
      const run = await runWriter(dir, region, tag, 1000, env, delay);
      expect(run.signal, run.stderr).toBe('SIGKILL');
      expect(run.acked).toEqual(Array.from({ length: run.acked.length }, (_, i) => i));

      const store = await FileKeyStore.open(dir, { masterKey });
      for (const i of run.acked) {
        const w = write(region, tag, i);
        expect(await get(store, region, w), `${region} write ${i}`).toStrictEqual(w.record);
      }
      // What is there is whole, and at most the one write in flight at the kill is extra.
      const visible = await writtenIndexes(store, region, tag, 1000);
      expect(visible.slice(0, run.acked.length)).toEqual(run.acked);
      expect(visible.length - run.acked.length).toBeLessThanOrEqual(1);
      await store.close();
      let lockLeft = true;
      await stat(join(dir, '.write-lock')).catch(() => (lockLeft = false));
      rounds.push({ delay, acked: run.acked.length, visible: visible.length, lockLeft });
    }
    expect(rounds.filter((r) => r.acked > 0).length).toBeGreaterThan(0);

    // A full run of 1,000 writes on the same store, after those kills (recovering any lock left).
    const run = await runWriter(dir, REGION, 'full', 1000, env);
    expect(run.stderr).toBe('');
    expect([run.code, run.done, run.acked.length]).toEqual([0, true, 1000]);
    const store = await FileKeyStore.open(dir, { masterKey });
    expect(await writtenIndexes(store, REGION, 'full', 1000)).toEqual(run.acked);
    // The earlier rounds are all still there too.
    for (let round = 0; round < rounds.length; round++) {
      expect((await writtenIndexes(store, `crash-${round}`, `r${round}`, 1000)).length).toBe(rounds[round].visible);
    }
    await store.close();
    // Temporary record files of killed writers were removed by the writer that recovered their lock.
    expect((await tempFiles(dir)).filter((f) => f.startsWith(join(dir, ACCOUNT)))).toEqual([]);
    await expect(stat(join(dir, '.write-lock'))).rejects.toThrow();
    console.log(`crash rounds: ${JSON.stringify(rounds)}`);
  });

  it('loses nothing with two processes writing at once', async () => {
    const dir = await tempDir();
    await (await FileKeyStore.open(dir)).close();
    const [one, two] = await Promise.all([runWriter(dir, REGION, 'one', 300, {}), runWriter(dir, REGION, 'two', 300, {})]);
    for (const run of [one, two]) expect([run.code, run.done, run.acked.length, run.stderr]).toEqual([0, true, 300, '']);
    const store = await FileKeyStore.open(dir);
    // Both writers' records in one region: split them by tag through the id maps.
    const all = await store.listKeys(ACCOUNT, REGION);
    const aliases = await store.listAliases(ACCOUNT, REGION);
    const cks = await store.listCustomKeyStores(ACCOUNT, REGION);
    const expected = { key: 0, alias: 0, 'custom-key-store': 0 };
    for (const tag of ['one', 'two']) {
      const mine: string[] = [];
      for (let i = 0; i < 300; i++) {
        const w = write(REGION, tag, i);
        expect(await get(store, REGION, w)).toStrictEqual(w.record);
        expected[w.kind]++;
        if (w.kind === 'custom-key-store') mine.push(w.id);
      }
      // Custom key stores list in each writer's own order.
      expect(cks.map((c) => c.customKeyStoreId).filter((id) => mine.includes(id))).toEqual(mine);
    }
    expect([all.length, aliases.length, cks.length]).toEqual([expected.key, expected.alias, expected['custom-key-store']]);
    expect(cks.length).toBe(60);
    // The creation sequence, assigned under the lock, is never given twice.
    const cksDir = join(dir, ACCOUNT, REGION, 'custom-key-stores');
    const sequences = await Promise.all((await readdir(cksDir)).map(async (n) => JSON.parse(await readFile(join(cksDir, n), 'utf8')).sequence));
    expect(new Set(sequences).size).toBe(60);
    await store.close();
  });

  /** A process that sleeps: its pid is alive until we kill it. */
  function sleeper(): { pid: number; kill: () => Promise<void> } {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' });
    const exited = new Promise<void>((r) => child.on('close', () => r()));
    return {
      pid: child.pid!,
      kill: async () => {
        child.kill('SIGKILL');
        await exited;
      },
    };
  }

  const lockInfo = (pid: number, host = hostname(), more: Record<string, unknown> = {}) =>
    JSON.stringify({ pid, hostname: host, time: new Date().toISOString(), token: 'f'.repeat(32), ...more });
  /** Before this process started (with room for the store's clock slack). */
  const beforeWeStarted = () => new Date(Date.now() - process.uptime() * 1000 - 60_000).toISOString();

  it('waits for a live lock holder, names it on timeout, and recovers the lock once the holder is killed', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir, { lockTimeoutMs: 300 });
    await store.putKey(minimalKey('mrk-00000000000000000000000000000001'));
    const holder = sleeper();
    const lockPath = join(dir, '.write-lock');
    const held = lockInfo(holder.pid);
    await writeFile(lockPath, held);
    // A killed writer's leftover temporary file: never read as a record.
    const keys = join(dir, ACCOUNT, REGION, 'keys');
    const stray = join(keys, `.mrk-00000000000000000000000000000002.json.${holder.pid}.0123456789abcdef.tmp`);
    await writeFile(stray, '{"half": ');
    expect(await store.listKeys(ACCOUNT, REGION)).toHaveLength(1);

    const err = await rejectionOf(store.putKey(minimalKey('mrk-00000000000000000000000000000002')));
    expect(err.message).toMatch(new RegExp(`could not take the write lock .* within 300 ms: held by process ${holder.pid} on `));
    expect(await readFile(lockPath, 'utf8')).toBe(held); // still theirs
    expect(await store.getKey(ACCOUNT, REGION, 'mrk-00000000000000000000000000000002')).toBeUndefined();

    await holder.kill();
    await store.putKey(minimalKey('mrk-00000000000000000000000000000002'));
    expect(await store.getKey(ACCOUNT, REGION, 'mrk-00000000000000000000000000000002')).toStrictEqual(minimalKey('mrk-00000000000000000000000000000002'));
    await expect(stat(lockPath)).rejects.toThrow(); // released
    await expect(stat(stray)).rejects.toThrow(); // swept by the recovering writer
    await store.close();
  });

  it("recovers a lock left by this pid's earlier life, never breaks another host's lock", async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir, { lockTimeoutMs: 200 });
    const lockPath = join(dir, '.write-lock');
    // Same pid, a token this process does not hold, taken before this process started: a previous
    // process that had our pid (a pid reused after a crash).
    await writeFile(lockPath, lockInfo(process.pid, hostname(), { time: beforeWeStarted() }));
    await store.putAlias(alias('alias/a', 'k'));
    await expect(stat(lockPath)).rejects.toThrow();

    const foreign = lockInfo(process.pid, `not-${hostname()}`, { time: beforeWeStarted() });
    await writeFile(lockPath, foreign);
    const err = await rejectionOf(store.putAlias(alias('alias/b', 'k')));
    expect(err.message).toMatch(/held by process \d+ on not-.*; if that process is no longer running, remove .*\.write-lock/);
    expect(await readFile(lockPath, 'utf8')).toBe(foreign);
    await writeFile(lockPath, 'garbage');
    expect((await rejectionOf(store.deleteAlias(ACCOUNT, REGION, 'alias/a'))).message).toMatch(/unreadable lock file/);
    await rm(lockPath);
    expect(await store.deleteAlias(ACCOUNT, REGION, 'alias/a')).toBe(true);
    await store.close();
  });

  it('never breaks a lock of this pid taken since this process started (another thread of it holds it)', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir, { lockTimeoutMs: 200 });
    const lockPath = join(dir, '.write-lock');
    // What a sibling worker thread's lock looks like from here: our pid, a token we do not hold, a time after our start.
    const sibling = lockInfo(process.pid);
    await writeFile(lockPath, sibling);
    const err = await rejectionOf(store.putAlias(alias('alias/a', 'k')));
    expect(err.message).toMatch(new RegExp(`could not take the write lock .* held by process ${process.pid} on `));
    expect(await readFile(lockPath, 'utf8')).toBe(sibling);
    expect(await store.getAlias(ACCOUNT, REGION, 'alias/a')).toBeUndefined();
    await store.close();
  });

  it('judges a lock by boot and pid namespace: another boot is stale, another namespace is waited for', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir, { lockTimeoutMs: 200 });
    const lockPath = join(dir, '.write-lock');
    const ourBoot = existsSync(BOOT_ID) ? (await readFile(BOOT_ID, 'utf8')).trim() : undefined;
    const ourNamespace = existsSync(PID_NS) ? (await stat(PID_NS)).ino : undefined;

    // The lock records both (where /proc has them), read while a transaction holds it.
    const recorded = await store.transaction(async () => JSON.parse(await readFile(lockPath, 'utf8')));
    expect([recorded.pid, recorded.bootId, recorded.pidNamespace]).toEqual([process.pid, ourBoot, ourNamespace]);

    // From another boot: stale even though its pid (a live sleeper's) runs now.
    const holder = sleeper();
    try {
      await writeFile(lockPath, lockInfo(holder.pid, hostname(), { bootId: '00000000-0000-4000-8000-000000000000' }));
      await store.putAlias(alias('alias/after-reboot', 'k'));
      await expect(stat(lockPath)).rejects.toThrow();
      // Same boot and namespace, live pid: waited for.
      const live = lockInfo(holder.pid, hostname(), { bootId: ourBoot, pidNamespace: ourNamespace });
      await writeFile(lockPath, live);
      expect((await rejectionOf(store.putAlias(alias('alias/x', 'k')))).message).toMatch(new RegExp(`held by process ${holder.pid} on `));
      expect(await readFile(lockPath, 'utf8')).toBe(live);
    } finally {
      await holder.kill();
    }
    // Another pid namespace (another container on this host): its pid means nothing here, dead or
    // not, so it is waited for and the error says what to remove.
    const dead = holder.pid;
    const container = lockInfo(dead, hostname(), { bootId: ourBoot, pidNamespace: (ourNamespace ?? 1) + 1 });
    await writeFile(lockPath, container);
    const err = await rejectionOf(store.putAlias(alias('alias/x', 'k')));
    expect(err.message).toContain(`held by process ${dead} in another pid namespace (another container) on ${hostname()}`);
    expect(err.message).toContain(`remove ${lockPath}`);
    expect(await readFile(lockPath, 'utf8')).toBe(container);
    // The same dead pid in our namespace: stale.
    await writeFile(lockPath, lockInfo(dead, hostname(), { bootId: ourBoot, pidNamespace: ourNamespace }));
    await store.putAlias(alias('alias/x', 'k'));
    expect(await store.getAlias(ACCOUNT, REGION, 'alias/x')).toStrictEqual(alias('alias/x', 'k'));
    await store.close();
  });

  it('breaks an empty or unparseable lock file from before the boot (a power loss), not a recent one', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir, { lockTimeoutMs: 200 });
    const lockPath = join(dir, '.write-lock');
    const bootTime = Date.now() - uptime() * 1000;
    for (const content of ['', '{"pid": 12']) {
      await writeFile(lockPath, content);
      expect((await rejectionOf(store.putAlias(alias('alias/p', 'k')))).message).toMatch(/held by an unreadable lock file/);
      expect(await readFile(lockPath, 'utf8')).toBe(content);
      const before = new Date(bootTime - 3_600_000);
      await utimes(lockPath, before, before);
      await store.putAlias(alias('alias/p', 'k'));
      await expect(stat(lockPath)).rejects.toThrow();
    }
    await store.close();
  });

  it('worker threads of one process writing to one store lose nothing and never break each other’s lock', async () => {
    const dir = await tempDir();
    await (await FileKeyStore.open(dir)).close();
    const run = (args: string[]) =>
      new Promise<{ out: string; stderr: string; code: number | null; pid: number }>((done, reject) => {
        const proc = spawn(process.execPath, [THREADS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let stderr = '';
        proc.stdout.on('data', (c) => (out += c));
        proc.stderr.on('data', (c) => (stderr += c));
        proc.on('error', reject);
        proc.on('close', (code) => done({ out, stderr, code, pid: proc.pid! }));
      });
    // A thread trying to write while the main thread holds a transaction waits (and here gives up).
    const blocked = await run(['blocked', dir]);
    expect([blocked.code, blocked.stderr]).toEqual([0, '']);
    const outcome = JSON.parse(blocked.out);
    expect(outcome.result).toMatch(new RegExp(`^error .*could not take the write lock .* held by process ${blocked.pid} on `));
    expect(outcome.description).toBe('');
    // Three threads, each 40 read-change-write transactions on one key and 40 keys of its own.
    const stress = await run(['stress', dir, '3', '40']);
    expect([stress.code, stress.stderr]).toEqual([0, '']);
    expect(JSON.parse(stress.out)).toEqual({ failures: [], materials: 120, keys: 121 });
    expect(await tempFiles(dir)).toEqual([]);
  });

  it('serialises writes of two instances in one process, and sees each other’s writes at once', async () => {
    const dir = await tempDir();
    const a = await FileKeyStore.open(dir);
    const b = await FileKeyStore.open(dir);
    const writes = Array.from({ length: 200 }, (_, i) => write(REGION, 'same', i));
    await Promise.all(writes.map((w, i) => put(i % 2 === 0 ? a : b, w)));
    for (const w of writes) {
      expect(await get(a, REGION, w)).toStrictEqual(w.record);
      expect(await get(b, REGION, w)).toStrictEqual(w.record);
    }
    // Custom key store sequences are read-modify-write: distinct only if the instances never overlapped.
    const stores = Array.from({ length: 60 }, (_, i) => write('eu-west-1', 'same', 10 * i + 9).record as CustomKeyStoreRecord);
    await Promise.all(stores.map((c, i) => (i % 2 === 0 ? a : b).putCustomKeyStore(c)));
    const cksDir = join(dir, ACCOUNT, 'eu-west-1', 'custom-key-stores');
    const sequences = await Promise.all((await readdir(cksDir)).map(async (n) => JSON.parse(await readFile(join(cksDir, n), 'utf8')).sequence));
    expect(sequences).toHaveLength(60);
    expect(new Set(sequences).size).toBe(60);
    await a.putAlias(alias('alias/fresh', 'k1'));
    expect((await b.getAlias(ACCOUNT, REGION, 'alias/fresh'))!.targetKeyId).toBe('k1');
    await b.putAlias(alias('alias/fresh', 'k2'));
    expect((await a.getAlias(ACCOUNT, REGION, 'alias/fresh'))!.targetKeyId).toBe('k2');
    await a.close();
    await b.close();
  });
});

// ---------------------------------------------------------------------------------------------
// Transactions

const TXN = fileURLToPath(new URL('./helpers/file-store-txn.mjs', import.meta.url));

interface Child {
  lines: string[];
  /** Resolves once the child has printed a line starting with `prefix`. */
  line(prefix: string): Promise<string>;
  exited: Promise<{ code: number | null; stderr: string }>;
}

function child(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const proc = spawn(process.execPath, [TXN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: { prefix: string; resolve: (l: string) => void }[] = [];
  let buffered = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const l of parts) {
      lines.push(l);
      for (const w of waiters.filter((x) => l.startsWith(x.prefix))) w.resolve(l);
    }
  });
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; stderr: string }>((r) => proc.on('close', (code) => r({ code, stderr })));
  return {
    lines,
    exited,
    line: (prefix) => {
      const seen = lines.find((l) => l.startsWith(prefix));
      if (seen !== undefined) return Promise.resolve(seen);
      return Promise.race([
        new Promise<string>((r) => waiters.push({ prefix, resolve: r })),
        exited.then(({ code, stderr: err }) => {
          throw new Error(`the child exited (${code}) before printing ${prefix}: ${err}`);
        }),
      ]);
    },
  };
}

/** A key to append key materials to. */
function emptyKey(keyId: string): KeyRecord {
  return { ...minimalKey(keyId), origin: 'AWS_KMS', keyState: 'Enabled' };
}

/** Adds one fresh key material to the key, reading and writing it through `store`. */
async function appendMaterial(store: FileKeyStore, keyId: string): Promise<void> {
  const key = (await store.getKey(ACCOUNT, REGION, keyId))!;
  await new Promise((r) => setImmediate(r)); // let any other writer in, if it can get in
  const m = { id: randomBytes(32).toString('hex'), material: new Uint8Array(randomBytes(32)) };
  key.keyMaterials.push(m);
  key.currentKeyMaterialId = m.id;
  await store.putKey(key);
}

describe('FileKeyStore transactions', () => {
  it('two processes doing read-change-write on one key in transactions lose nothing', async () => {
    const dir = await tempDir();
    const masterKey = new Uint8Array(randomBytes(32));
    const env = { WASM_KMS_MASTER_KEY: Buffer.from(masterKey).toString('hex') };
    const store = await FileKeyStore.open(dir, { masterKey });
    const keyId = 'mrk-000000000000000000000000000000a1';
    await store.putKey(emptyKey(keyId));
    const runs = [child(['append', dir, REGION, keyId, '50'], env), child(['append', dir, REGION, keyId, '50'], env)];
    // This process takes part too, through its own transactions.
    for (let i = 0; i < 20; i++) await store.transaction(() => appendMaterial(store, keyId));
    for (const r of runs) {
      const { code, stderr } = await r.exited;
      expect([code, stderr, r.lines]).toEqual([0, '', ['done']]);
    }
    const key = (await store.getKey(ACCOUNT, REGION, keyId))!;
    expect(key.keyMaterials).toHaveLength(120);
    expect(new Set(key.keyMaterials.map((m) => m.id)).size).toBe(120);
    await store.close();
  });

  it("holds the lock for the whole transaction: another process's putKey waits until it ends", async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir);
    const keyId = 'mrk-000000000000000000000000000000a2';
    await store.putKey(emptyKey(keyId));
    let other: Child | undefined;
    await store.transaction(async () => {
      // A writer that gives up quickly is refused, naming this process as the holder.
      const quick = child(['put', dir, REGION, keyId, 'quick', '300']);
      expect((await quick.exited).code).toBe(0);
      expect(quick.lines[1]).toMatch(new RegExp(`^error .*could not take the write lock .* held by process ${process.pid} on `));
      // A patient one is still waiting a while after it started trying.
      other = child(['put', dir, REGION, keyId, 'other', '60000']);
      await other.line('trying');
      await new Promise((r) => setTimeout(r, 300));
      expect(other.lines).toEqual(['trying']);
      const key = (await store.getKey(ACCOUNT, REGION, keyId))!;
      expect(key.description).toBe('');
      await store.putKey({ ...key, description: 'transaction' });
    });
    // Released: the waiting write goes in after the transaction's.
    expect(await other!.line('ok')).toBe('ok');
    expect((await other!.exited).code).toBe(0);
    expect((await store.getKey(ACCOUNT, REGION, keyId))!.description).toBe('other');
    await expect(stat(join(dir, '.write-lock'))).rejects.toThrow();
    await store.close();
  });

  it('runs the store’s own calls inside a transaction without waiting for the lock again; other calls wait', async () => {
    const dir = await tempDir();
    // A short lock timeout: a call that waited for the lock its own transaction holds would fail.
    const store = await FileKeyStore.open(dir, { lockTimeoutMs: 200 });
    const twin = await FileKeyStore.open(dir, { lockTimeoutMs: 200 });
    const keyId = 'mrk-000000000000000000000000000000a3';
    const key = emptyKey(keyId);
    const cks = write(REGION, 'txn', 9).record as CustomKeyStoreRecord;
    const result = await store.transaction(async () => {
      await store.putKey(key);
      await store.putAlias(alias('alias/one', keyId));
      await twin.putAlias(alias('alias/two', keyId)); // another instance over the same directory
      expect(await store.deleteAlias(ACCOUNT, REGION, 'alias/one')).toBe(true);
      await store.putCustomKeyStore(cks);
      // Writes started together inside run one after another (custom key store sequences stay distinct).
      await Promise.all([
        store.putCustomKeyStore(write(REGION, 'txn', 19).record as CustomKeyStoreRecord),
        twin.putCustomKeyStore(write(REGION, 'txn', 29).record as CustomKeyStoreRecord),
      ]);
      const nested = await store.transaction(async () => {
        await twin.transaction(() => store.putKey({ ...key, description: 'nested' }));
        return 'inner';
      });
      expect(await store.listAliases(ACCOUNT, REGION)).toStrictEqual([alias('alias/two', keyId)]);
      return `${nested} ${(await twin.getKey(ACCOUNT, REGION, keyId))!.description}`;
    });
    expect(result).toBe('inner nested');
    expect((await store.listCustomKeyStores(ACCOUNT, REGION)).map((c) => c.customKeyStoreId)).toEqual(
      [9, 19, 29].map((i) => (write(REGION, 'txn', i).record as CustomKeyStoreRecord).customKeyStoreId),
    );

    // A call from outside the transaction (another request in this process, on this instance or
    // another over the same directory) waits for its end.
    const slow = await FileKeyStore.open(dir, { lockTimeoutMs: 60_000 });
    const slowTwin = await FileKeyStore.open(dir, { lockTimeoutMs: 60_000 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const txn = slow.transaction(async () => {
      entered();
      await gate;
      const k = (await slow.getKey(ACCOUNT, REGION, keyId))!;
      await slow.putKey({ ...k, description: `${k.description} + transaction` });
    });
    await inside;
    const outside = Promise.all([slow.putKey({ ...key, description: 'outside' }), slowTwin.putAlias(alias('alias/outside', keyId))]);
    let outsideDone = false;
    void outside.then(() => (outsideDone = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(outsideDone).toBe(false);
    expect(await slow.getAlias(ACCOUNT, REGION, 'alias/outside')).toBeUndefined();
    release();
    await txn;
    await outside;
    // The transaction read the record before either outside write and its write came first.
    expect((await slow.getKey(ACCOUNT, REGION, keyId))!.description).toBe('outside');
    expect(await slow.getAlias(ACCOUNT, REGION, 'alias/outside')).toStrictEqual(alias('alias/outside', keyId));
    await Promise.all([store.close(), twin.close(), slow.close(), slowTwin.close()]);
  });

  it('serialises transactions of one instance and of two instances over the same directory', async () => {
    const dir = await tempDir();
    const a = await FileKeyStore.open(dir);
    const b = await FileKeyStore.open(dir);
    const keyId = 'mrk-000000000000000000000000000000a4';
    await a.putKey(emptyKey(keyId));
    await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? b : a).transaction(() => appendMaterial(i % 3 === 0 ? b : a, keyId))));
    const got = (await b.getKey(ACCOUNT, REGION, keyId))!;
    expect(got.keyMaterials).toHaveLength(60);
    await a.close();
    await b.close();
  });

  it('releases the lock when the transaction throws, keeping what it wrote before', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir, { lockTimeoutMs: 200 });
    const keyId = 'mrk-000000000000000000000000000000a5';
    const err = await rejectionOf(
      store.transaction(async () => {
        await store.putKey(emptyKey(keyId));
        throw new Error('boom');
      }),
    );
    expect(err.message).toBe('boom');
    await expect(stat(join(dir, '.write-lock'))).rejects.toThrow();
    // The next writers, in this process and in another, get the lock.
    await store.putAlias(alias('alias/after', keyId));
    const other = child(['put', dir, REGION, keyId, 'other', '200']);
    expect((await other.exited).code).toBe(0);
    expect(other.lines).toEqual(['trying', 'ok']);
    expect(await store.transaction(async () => (await store.getKey(ACCOUNT, REGION, keyId))!.description)).toBe('other');
    // A transaction that throws before any await, or is given no function, releases too.
    await expect(store.transaction(() => { throw new Error('sync'); })).rejects.toThrow('sync');
    await expect(store.transaction(undefined as unknown as () => Promise<void>)).rejects.toThrow(TypeError);
    await store.putKey(emptyKey(keyId));
    await store.close();
  });
});

describe('FileKeyStore under the KMS engine', () => {
  it('CreateKey → GenerateDataKeyPair → Decrypt in a new store instance over the same directory', async () => {
    const dir = await tempDir();
    const masterKey = new Uint8Array(randomBytes(32));
    const store = await FileKeyStore.open(dir, { masterKey });
    const kms = new KMSClient({ store });
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'file store' }));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/Files/Test', TargetKeyId: KeyMetadata!.KeyId }));
    const context = { tenant: 'a' };
    const pair = await kms.send(
      new GenerateDataKeyPairCommand({ KeyId: 'alias/Files/Test', KeyPairSpec: 'ECC_NIST_P256', EncryptionContext: context }),
    );
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: KeyMetadata!.KeyId }));
    await kms.send(new EnableKeyRotationCommand({ KeyId: KeyMetadata!.KeyId, RotationPeriodInDays: 200 }));
    const rotation = await kms.send(new GetKeyRotationStatusCommand({ KeyId: KeyMetadata!.KeyId }));
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: new Uint8Array([1, 2, 3]) }));
    const { CustomKeyStoreId } = await kms.send(
      new CreateCustomKeyStoreCommand({
        CustomKeyStoreName: 'hsm',
        CloudHsmClusterId: 'cluster-234567abcde',
        TrustAnchorCertificate: 'cert',
        KeyStorePassword: 'kmsPassword',
      }),
    );
    await store.close();

    const reopened = await FileKeyStore.open(dir, { masterKey });
    const kms2 = new KMSClient({ store: reopened });
    const { Plaintext } = await kms2.send(new DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob, EncryptionContext: context }));
    expect(Plaintext).toEqual(pair.PrivateKeyPlaintext);
    expect((await kms2.send(new DecryptCommand({ CiphertextBlob }))).Plaintext).toEqual(new Uint8Array([1, 2, 3]));
    const described = await kms2.send(new DescribeKeyCommand({ KeyId: 'alias/Files/Test' }));
    expect(described.KeyMetadata).toMatchObject({
      KeyId: KeyMetadata!.KeyId,
      Arn: KeyMetadata!.Arn,
      CreationDate: KeyMetadata!.CreationDate,
      Description: 'file store',
    });
    expect((await kms2.send(new ListAliasesCommand({}))).Aliases!.map((a) => a.AliasName)).toContain('alias/Files/Test');
    // Rotation settings live on the record, so the next process sees them.
    const rotationAgain = await kms2.send(new GetKeyRotationStatusCommand({ KeyId: KeyMetadata!.KeyId }));
    expect(rotationAgain).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 200, NextRotationDate: rotation.NextRotationDate });
    const stores = await kms2.send(new DescribeCustomKeyStoresCommand({}));
    expect(stores.CustomKeyStores!.map((c) => c.CustomKeyStoreId)).toEqual([CustomKeyStoreId]);
    // Two key materials after the rotation, both sealed on disk.
    const raw = await readFile(join(dir, ACCOUNT, 'us-east-1', 'keys', `${KeyMetadata!.KeyId}.json`), 'utf8');
    expect(JSON.parse(raw).record.keyMaterials).toHaveLength(2);
    expect(raw).not.toContain(Buffer.from(pair.PrivateKeyPlaintext!).toString('base64'));
    await reopened.close();
  });
});

describe('masterKeyFromEnv and defaultStoreDir', () => {
  const key = new Uint8Array(randomBytes(32));
  const hex = Buffer.from(key).toString('hex');
  const b64 = Buffer.from(key).toString('base64');

  it('reads the key as hex, base64 or base64url, or from a file in any of those forms or raw', async () => {
    expect(masterKeyFromEnv({})).toBeUndefined();
    expect(masterKeyFromEnv({ WASM_KMS_MASTER_KEY: '', WASM_KMS_MASTER_KEY_FILE: '' })).toBeUndefined();
    expect(masterKeyFromEnv({ WASM_KMS_MASTER_KEY: hex })).toEqual(key);
    expect(masterKeyFromEnv({ WASM_KMS_MASTER_KEY: hex.toUpperCase() })).toEqual(key);
    expect(masterKeyFromEnv({ WASM_KMS_MASTER_KEY: ` ${b64}\n` })).toEqual(key);
    expect(masterKeyFromEnv({ WASM_KMS_MASTER_KEY: Buffer.from(key).toString('base64url') })).toEqual(key);
    const dir = await tempDir();
    for (const [name, content] of [['raw', Buffer.from(key)], ['hex', `${hex}\n`], ['b64', `${b64}\n`]] as const) {
      const file = join(dir, name);
      await writeFile(file, content, { mode: 0o600 });
      expect(masterKeyFromEnv({ WASM_KMS_MASTER_KEY_FILE: file })).toEqual(key);
    }
  });

  it('gives clear errors that do not quote the key', async () => {
    const bad = ['abc', hex.slice(2), Buffer.from(key.subarray(0, 31)).toString('base64'), `${hex}00`, 'z'.repeat(64)];
    for (const v of bad) {
      const thrower = () => masterKeyFromEnv({ WASM_KMS_MASTER_KEY: v });
      expect(thrower).toThrow(/WASM_KMS_MASTER_KEY must be 64 hex characters or the base64 of 32 bytes/);
      try {
        thrower();
      } catch (err) {
        expect((err as Error).message).not.toContain(v);
      }
    }
    expect(() => masterKeyFromEnv({ WASM_KMS_MASTER_KEY: hex, WASM_KMS_MASTER_KEY_FILE: '/x' })).toThrow(/set only one/);
    const missing = join(await tempDir(), 'missing-key');
    expect(() => masterKeyFromEnv({ WASM_KMS_MASTER_KEY_FILE: missing })).toThrow(new RegExp(`cannot read ${missing}`));
    const short = join(await tempDir(), 'short-key');
    await writeFile(short, 'secret-ish');
    await chmod(short, 0o600);
    const err = (() => {
      try {
        masterKeyFromEnv({ WASM_KMS_MASTER_KEY_FILE: short });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toContain(short);
    expect(err?.message).not.toContain('secret-ish');
  });

  it('refuses a key file its group or others can read or write, before reading it, saying how to fix it', async () => {
    const dir = await tempDir();
    const file = join(dir, 'master.key');
    await writeFile(file, `${hex}\n`, { mode: 0o600 });
    const cases = [
      [0o644, 'readable by its group and by others'],
      [0o640, 'readable by its group'],
      [0o604, 'readable by others'],
      [0o620, 'writable by its group'],
      [0o666, 'writable by its group and by others'],
      [0o610, 'open to its group'],
    ] as const;
    for (const [mode, what] of cases) {
      await chmod(file, mode);
      const err = (() => {
        try {
          masterKeyFromEnv({ WASM_KMS_MASTER_KEY_FILE: file });
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err?.message).toBe(
        `WASM_KMS_MASTER_KEY_FILE: ${file} is ${what} (mode 0${mode.toString(8)}); the master key must be readable by its owner only; run: chmod 600 ${file}`,
      );
      expect(err?.message).not.toContain(hex);
    }
    // Through a symbolic link, the file it leads to is checked.
    const link = join(dir, 'key-link');
    await symlink(file, link);
    await chmod(file, 0o644);
    expect(() => masterKeyFromEnv({ WASM_KMS_MASTER_KEY_FILE: link })).toThrow(/is readable by its group and by others \(mode 0644\).*run: chmod 600 /);
    // Private to its owner, read-only or not, it is read.
    for (const mode of [0o600, 0o400]) {
      await chmod(file, mode);
      expect(masterKeyFromEnv({ WASM_KMS_MASTER_KEY_FILE: file })).toEqual(key);
      expect(masterKeyFromEnv({ WASM_KMS_MASTER_KEY_FILE: link })).toEqual(key);
    }
  });

  it('puts the store in $WASM_KMS_HOME, else ~/.wasm-kms', async () => {
    expect(defaultStoreDir({ WASM_KMS_HOME: '/srv/kms' })).toBe('/srv/kms');
    expect(defaultStoreDir({ WASM_KMS_HOME: 'rel/kms' })).toBe(resolve('rel/kms'));
    expect(defaultStoreDir({ HOME: '/home/someone' })).toBe(join('/home/someone', '.wasm-kms'));
    expect(defaultStoreDir({ WASM_KMS_HOME: '', HOME: '/home/x' })).toBe(join('/home/x', '.wasm-kms'));
    // Opening the default place creates it (under a temporary HOME here).
    const home = await tempDir();
    const store = await FileKeyStore.open(defaultStoreDir({ HOME: home }));
    expect(store.dir).toBe(join(home, '.wasm-kms'));
    expect((await stat(store.dir)).mode & 0o777).toBe(0o700);
    await store.close();
  });
});
