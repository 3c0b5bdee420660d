// Shared by the file key store tests (test/file-store/): temporary store directories, records
// to write, and the paths of the helper processes that run on the built dist/ files.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileKeyStore } from '../../src/node/file-store/index.js';
import type { AliasRecord, CustomKeyStoreRecord, KeyRecord } from '../../src/kms/store.js';
import { ACCOUNT, writeFor } from './file-store-writer.mjs';

export { ACCOUNT };

export type Write =
  | { kind: 'key'; id: string; record: KeyRecord }
  | { kind: 'alias'; id: string; record: AliasRecord }
  | { kind: 'custom-key-store'; id: string; record: CustomKeyStoreRecord };
export const write = writeFor as (region: string, tag: string, i: number) => Write;

export const WRITER = fileURLToPath(new URL('./file-store-writer.mjs', import.meta.url));
export const THREADS = fileURLToPath(new URL('./file-store-threads.mjs', import.meta.url));
export const TXN = fileURLToPath(new URL('./file-store-txn.mjs', import.meta.url));
export const BOOT_ID = '/proc/sys/kernel/random/boot_id';
export const PID_NS = '/proc/self/ns/pid';
export const REGION = 'us-east-1';

const dirs: string[] = [];
/** A new temporary directory, removed by removeTempDirs (each test file's afterAll). */
export async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'wasm-kms-file-store-'));
  dirs.push(d);
  return d;
}
export async function removeTempDirs(): Promise<void> {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
}

/** Every file and directory below `dir`, with its mode bits. */
export async function walk(dir: string): Promise<{ path: string; dir: boolean; mode: number }[]> {
  const out: { path: string; dir: boolean; mode: number }[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    out.push({ path: p, dir: e.isDirectory(), mode: (await stat(p)).mode & 0o777 });
    if (e.isDirectory()) out.push(...(await walk(p)));
  }
  return out;
}

export async function put(store: FileKeyStore, w: Write): Promise<void> {
  if (w.kind === 'key') await store.putKey(w.record);
  else if (w.kind === 'alias') await store.putAlias(w.record);
  else await store.putCustomKeyStore(w.record);
}

export async function get(store: FileKeyStore, region: string, w: Write): Promise<unknown> {
  if (w.kind === 'key') return store.getKey(ACCOUNT, region, w.id);
  if (w.kind === 'alias') return store.getAlias(ACCOUNT, region, w.id);
  return store.getCustomKeyStore(ACCOUNT, region, w.id);
}

export function fullKey(keyId = '1234abcd-12ab-34cd-56ef-1234567890ab'): KeyRecord {
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

export function minimalKey(keyId: string): KeyRecord {
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

export function alias(aliasName: string, targetKeyId: string, region = REGION): AliasRecord {
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

export const OPTIONAL_KEY_FIELDS = [
  'deletionDate',
  'pendingWindowInDays',
  'customKeyStoreId',
  'currentKeyMaterialId',
  'keyPair',
  'hmacKey',
  'rotationPeriodInDays',
  'rotationSince',
];

/**
 * fullKey with every extension field of a key record set (src/kms/records.ts), its two secrets
 * (the pending import's wrapping private key, the grant token key) copies of the ones given.
 */
export function withExtensions(secret: Uint8Array, grantSecret: Uint8Array, keyId?: string): KeyRecord {
  return {
    ...fullKey(keyId),
    tags: [
      { key: 'Team', value: 'payments' },
      { key: 'Empty', value: '' },
    ],
    policy: '{"Version":"2012-10-17","Statement":[]}',
    grants: [
      {
        grantId: 'ab'.repeat(32),
        name: 'reader',
        granteePrincipal: 'arn:aws:iam::111122223333:role/reader',
        issuingAccount: 'arn:aws:iam::111122223333:root',
        operations: ['Decrypt', 'GenerateDataKeyPair'],
        constraints: { encryptionContextSubset: { app: 'x' } },
        creationDate: new Date(1_700_000_123_456),
      },
    ],
    grantTokenKey: grantSecret.slice(),
    rotations: [
      { keyMaterialId: 'cd'.repeat(32), rotationDate: new Date(1_700_100_000_000), rotationType: 'ON_DEMAND' },
    ],
    importedMaterials: [
      {
        keyMaterialId: 'ef'.repeat(32),
        importState: 'IMPORTED',
        keyMaterialState: 'CURRENT',
        expirationModel: 'KEY_MATERIAL_EXPIRES',
        validTo: new Date(1_800_000_000_000),
      },
    ],
    importParameters: {
      importToken: 'dG9rZW4=',
      wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      wrappingKeySpec: 'RSA_2048',
      publicKey: new Uint8Array([1, 2, 3]),
      privateKey: secret.slice(),
      validTo: new Date(1_700_086_400_000),
    },
    multiRegionConfiguration: { type: 'PRIMARY', primaryRegion: REGION, replicaRegions: ['eu-west-1'] },
    lastUsage: { operation: 'Decrypt', timestamp: new Date(1_700_000_500_000), kmsRequestId: 'r-1' },
  };
}
