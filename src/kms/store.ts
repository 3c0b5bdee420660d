// The key store: where KMS keys and aliases live. An interface so the memory store (library,
// edge) and the file store (CLI, server) are interchangeable; every method is async so that a
// store backed by disk or a database fits the same shape.

import type { KeySpec, KeyState, KeyUsageType, OriginType } from './schema.js';
import { randomBytes } from '../core/module.js';
import { EXTENSION_FIELDS, wipeBytesIn, type KeyRecordExtensions } from './records.js';

export interface KeyMaterial {
  /** 64 lowercase hex characters. */
  id: string;
  /** 32 bytes. */
  material: Uint8Array;
}

/** A KMS key. Tags, policy, grants, rotations and the rest are its extensions (records.ts). */
export interface KeyRecord extends KeyRecordExtensions {
  keyId: string;
  account: string;
  region: string;
  arn: string;
  creationDate: Date;
  description: string;
  keySpec: KeySpec;
  keyUsage: KeyUsageType;
  origin: OriginType;
  keyState: KeyState;
  deletionDate?: Date;
  pendingWindowInDays?: number;
  customKeyStoreId?: string;
  multiRegion: boolean;
  /** Symmetric key material, oldest first. Empty while PendingImport. */
  keyMaterials: KeyMaterial[];
  /** The id of the material new ciphertexts use; undefined when there is none. */
  currentKeyMaterialId?: string;
  /** Asymmetric keys (RSA, ECC, SM2, Ed25519, ML-KEM): the key pair; absent while PendingImport. */
  keyPair?: { publicKey: Uint8Array; privateKey: Uint8Array };
  /** HMAC keys: the MAC key (28, 32, 48 or 64 bytes for HMAC_224/256/384/512); absent while PendingImport. */
  hmacKey?: Uint8Array;
  /** Automatic rotation, when enabled: its period (90..2560 days)... */
  rotationPeriodInDays?: number;
  /** ...and when it was (first) enabled; NextRotationDate is this plus the period. */
  rotationSince?: Date;
}

/** A custom key store record. Nothing stands behind it: no CloudHSM cluster, no XKS proxy. */
export interface CustomKeyStoreRecord {
  /** `cks-` + 17 lowercase hex. */
  customKeyStoreId: string;
  account: string;
  region: string;
  customKeyStoreName: string;
  customKeyStoreType: 'AWS_CLOUDHSM' | 'EXTERNAL_KEY_STORE';
  /**
   * DISCONNECTED from creation; ConnectCustomKeyStore makes it CONNECTED (at once: nothing stands
   * behind it, so CONNECTING is not seen), DisconnectCustomKeyStore DISCONNECTED again.
   */
  connectionState: 'CONNECTED' | 'CONNECTING' | 'DISCONNECTED' | 'DISCONNECTING' | 'FAILED';
  creationDate: Date;
  cloudHsmClusterId?: string;
  trustAnchorCertificate?: string;
  xksProxyConfiguration?: {
    Connectivity?: string;
    AccessKeyId?: string;
    UriEndpoint?: string;
    UriPath?: string;
    VpcEndpointServiceName?: string;
    VpcEndpointServiceOwner?: string;
  };
}

export interface AliasRecord {
  /** `alias/...` */
  aliasName: string;
  account: string;
  region: string;
  aliasArn: string;
  /** The key id (not ARN) of the target key. */
  targetKeyId: string;
  creationDate: Date;
  lastUpdatedDate: Date;
}

/** Every record a store returns is a copy the caller owns (operations may change or wipe it). */
export interface KeyStore {
  getKey(account: string, region: string, keyId: string): Promise<KeyRecord | undefined>;
  /** Inserts or replaces the record with the same account, region and keyId. */
  putKey(record: KeyRecord): Promise<void>;
  listKeys(account: string, region: string): Promise<KeyRecord[]>;
  getAlias(account: string, region: string, aliasName: string): Promise<AliasRecord | undefined>;
  /** Inserts or replaces the alias with the same account, region and name. */
  putAlias(record: AliasRecord): Promise<void>;
  /** True when an alias was removed. */
  deleteAlias(account: string, region: string, aliasName: string): Promise<boolean>;
  listAliases(account: string, region: string): Promise<AliasRecord[]>;
  /**
   * Runs `fn` with no other writer in between: the operations that read a record, change it
   * and write it back (or check that a name is free, then take it) run inside. A store shared
   * by several processes holds its cross-process lock for the whole of `fn`; calls of this
   * store's own methods from inside `fn` must not wait for that lock again. Optional: without
   * it, such updates are not protected from a concurrent writer.
   */
  transaction?<T>(fn: () => Promise<T>): Promise<T>;
  // Custom key stores. Optional so that stores written before them still fit; the custom key
  // store operations answer UnsupportedOperationException on a store without them.
  getCustomKeyStore?(
    account: string,
    region: string,
    customKeyStoreId: string,
  ): Promise<CustomKeyStoreRecord | undefined>;
  /** Inserts or replaces the record with the same account, region and id. */
  putCustomKeyStore?(record: CustomKeyStoreRecord): Promise<void>;
  /** In creation order. */
  listCustomKeyStores?(account: string, region: string): Promise<CustomKeyStoreRecord[]>;
  /** True when a custom key store was removed. */
  deleteCustomKeyStore?(account: string, region: string, customKeyStoreId: string): Promise<boolean>;
  // A store whose reads may come from a cache that lags writes made through other store objects
  // (PostgresKeyStore in its default, eventually consistent mode) has both of these; the engine
  // then confirms a refusal against the database before giving it (pipeline.ts). Stores that
  // always read what was last written leave them out.
  /** Changes whenever cached records were dropped because of writes made elsewhere, or the cache was cleared. */
  cacheGeneration?(): number;
  /** Resolves once every write committed anywhere before the call is reflected in what this store reads. */
  catchUp?(): Promise<void>;
}

/**
 * Zeroes every byte array a key record holds: each version of its key material (a rotated key
 * has several), its key pair (the private key, and the public key with it) and its HMAC key.
 * The record is useless afterwards: call it on a copy the caller owns (every record a store
 * returns is one), once the operation is done with it and anything to keep has been written
 * back with putKey.
 */
export function wipeRecord(record: KeyRecord): void {
  for (const m of record.keyMaterials ?? []) m.material?.fill(0);
  record.keyPair?.privateKey?.fill(0);
  record.keyPair?.publicKey?.fill(0);
  record.hmacKey?.fill(0);
  for (const f of EXTENSION_FIELDS) wipeBytesIn(record[f]);
}

/**
 * A view of a store that remembers every key record it hands out (getKey, listKeys), and
 * `wipe()`, which zeroes all of them. Every other method passes straight through; the optional
 * ones are undefined on the view where the store lacks them, as callers test. Custom key store
 * and alias records hold no secret bytes (a custom key store's password or XKS secret is never
 * kept). One per operation run; its methods live on the prototype, so making one is cheap.
 */
export class LoadedKeyRecords implements KeyStore {
  readonly #store: KeyStore;
  readonly #loaded: KeyRecord[] = [];

  constructor(store: KeyStore) {
    this.#store = store;
    if (store.transaction === undefined) this.transaction = undefined;
    if (store.getCustomKeyStore === undefined) this.getCustomKeyStore = undefined;
    if (store.putCustomKeyStore === undefined) this.putCustomKeyStore = undefined;
    if (store.listCustomKeyStores === undefined) this.listCustomKeyStores = undefined;
    if (store.deleteCustomKeyStore === undefined) this.deleteCustomKeyStore = undefined;
  }

  /** Zeroes every key record handed out so far. */
  wipe(): void {
    for (const r of this.#loaded.splice(0)) wipeRecord(r);
  }

  async getKey(account: string, region: string, keyId: string): Promise<KeyRecord | undefined> {
    const record = await this.#store.getKey(account, region, keyId);
    if (record !== undefined) this.#loaded.push(record);
    return record;
  }

  async listKeys(account: string, region: string): Promise<KeyRecord[]> {
    const records = await this.#store.listKeys(account, region);
    for (const r of records) this.#loaded.push(r);
    return records;
  }

  putKey(record: KeyRecord): Promise<void> {
    return this.#store.putKey(record);
  }

  transaction?<T>(fn: () => Promise<T>): Promise<T> {
    return this.#store.transaction!(fn);
  }

  getAlias(account: string, region: string, aliasName: string): Promise<AliasRecord | undefined> {
    return this.#store.getAlias(account, region, aliasName);
  }

  putAlias(record: AliasRecord): Promise<void> {
    return this.#store.putAlias(record);
  }

  deleteAlias(account: string, region: string, aliasName: string): Promise<boolean> {
    return this.#store.deleteAlias(account, region, aliasName);
  }

  listAliases(account: string, region: string): Promise<AliasRecord[]> {
    return this.#store.listAliases(account, region);
  }

  getCustomKeyStore?(
    account: string,
    region: string,
    customKeyStoreId: string,
  ): Promise<CustomKeyStoreRecord | undefined> {
    return this.#store.getCustomKeyStore!(account, region, customKeyStoreId);
  }

  putCustomKeyStore?(record: CustomKeyStoreRecord): Promise<void> {
    return this.#store.putCustomKeyStore!(record);
  }

  listCustomKeyStores?(account: string, region: string): Promise<CustomKeyStoreRecord[]> {
    return this.#store.listCustomKeyStores!(account, region);
  }

  deleteCustomKeyStore?(account: string, region: string, customKeyStoreId: string): Promise<boolean> {
    return this.#store.deleteCustomKeyStore!(account, region, customKeyStoreId);
  }
}

/**
 * Runs one operation so that every key record it loads from the store is wiped when it ends,
 * returned or thrown: its secrets do not outlive the call, whichever path the operation took.
 * Records it writes back are written before (putKey runs inside the operation); the store
 * keeps its own copy. Every dispatch of an operation (KMSClient.send, OPERATION_HANDLERS) goes
 * through here.
 */
export async function runWipingLoadedKeys<C extends { store: KeyStore }, I, O>(
  op: (ctx: C, input: I) => Promise<O>,
  ctx: C,
  input: I,
): Promise<O> {
  const loaded = new LoadedKeyRecords(ctx.store);
  try {
    return await op({ ...ctx, store: loaded }, input);
  } finally {
    loaded.wipe();
  }
}

function cloneKey(r: KeyRecord): KeyRecord {
  return {
    ...r,
    creationDate: new Date(r.creationDate.getTime()),
    deletionDate: r.deletionDate === undefined ? undefined : new Date(r.deletionDate.getTime()),
    keyMaterials: r.keyMaterials.map((m) => ({ id: m.id, material: m.material.slice() })),
    keyPair:
      r.keyPair === undefined
        ? undefined
        : { publicKey: r.keyPair.publicKey.slice(), privateKey: r.keyPair.privateKey.slice() },
    hmacKey: r.hmacKey === undefined ? undefined : r.hmacKey.slice(),
    rotationSince: r.rotationSince === undefined ? undefined : new Date(r.rotationSince.getTime()),
    ...cloneExtensions(r),
  };
}

/** Deep copies of the record's extension fields (records.ts), the ones it has. */
function cloneExtensions(r: KeyRecord): KeyRecordExtensions {
  const out: Record<string, unknown> = {};
  for (const f of EXTENSION_FIELDS) if (r[f] !== undefined) out[f] = clonePlain(r[f]);
  return out as KeyRecordExtensions;
}

/**
 * A deep copy of plain data as the extension fields hold it (strings, numbers, booleans, Dates,
 * byte arrays, arrays and plain objects; undefined members kept). What structuredClone does for
 * these, several times faster on the small values of every key load (a key's last-use record).
 */
function clonePlain<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (v instanceof Date) return new Date(v.getTime()) as T;
  if (v instanceof Uint8Array) return v.slice() as T;
  if (Array.isArray(v)) return v.map(clonePlain) as T;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = clonePlain((v as Record<string, unknown>)[k]);
  return out as T;
}

function cloneCustomKeyStore(c: CustomKeyStoreRecord): CustomKeyStoreRecord {
  return {
    ...c,
    creationDate: new Date(c.creationDate.getTime()),
    xksProxyConfiguration: c.xksProxyConfiguration === undefined ? undefined : { ...c.xksProxyConfiguration },
  };
}

function cloneAlias(a: AliasRecord): AliasRecord {
  return {
    ...a,
    creationDate: new Date(a.creationDate.getTime()),
    lastUpdatedDate: new Date(a.lastUpdatedDate.getTime()),
  };
}

const slot = (account: string, region: string, name: string): string => `${account}\u0000${region}\u0000${name}`;

/**
 * Keeps everything in process memory. Records are copied on the way in and out, so a caller
 * that changes a returned record changes nothing until it calls putKey/putAlias.
 */
export class MemoryKeyStore implements KeyStore {
  readonly #keys = new Map<string, KeyRecord>();
  readonly #aliases = new Map<string, AliasRecord>();
  readonly #customKeyStores = new Map<string, CustomKeyStoreRecord>();
  /** The end of the last transaction queued: transactions run one after another. */
  #tail: Promise<unknown> = Promise.resolve();

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn, fn);
    this.#tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async getKey(account: string, region: string, keyId: string): Promise<KeyRecord | undefined> {
    const r = this.#keys.get(slot(account, region, keyId));
    return r === undefined ? undefined : cloneKey(r);
  }

  async putKey(record: KeyRecord): Promise<void> {
    this.#keys.set(slot(record.account, record.region, record.keyId), cloneKey(record));
  }

  async listKeys(account: string, region: string): Promise<KeyRecord[]> {
    return [...this.#keys.values()].filter((r) => r.account === account && r.region === region).map(cloneKey);
  }

  async getAlias(account: string, region: string, aliasName: string): Promise<AliasRecord | undefined> {
    const a = this.#aliases.get(slot(account, region, aliasName));
    return a === undefined ? undefined : cloneAlias(a);
  }

  async putAlias(record: AliasRecord): Promise<void> {
    this.#aliases.set(slot(record.account, record.region, record.aliasName), cloneAlias(record));
  }

  async deleteAlias(account: string, region: string, aliasName: string): Promise<boolean> {
    return this.#aliases.delete(slot(account, region, aliasName));
  }

  async listAliases(account: string, region: string): Promise<AliasRecord[]> {
    return [...this.#aliases.values()].filter((a) => a.account === account && a.region === region).map(cloneAlias);
  }

  async getCustomKeyStore(
    account: string,
    region: string,
    customKeyStoreId: string,
  ): Promise<CustomKeyStoreRecord | undefined> {
    const c = this.#customKeyStores.get(slot(account, region, customKeyStoreId));
    return c === undefined ? undefined : cloneCustomKeyStore(c);
  }

  async putCustomKeyStore(record: CustomKeyStoreRecord): Promise<void> {
    this.#customKeyStores.set(
      slot(record.account, record.region, record.customKeyStoreId),
      cloneCustomKeyStore(record),
    );
  }

  async listCustomKeyStores(account: string, region: string): Promise<CustomKeyStoreRecord[]> {
    return [...this.#customKeyStores.values()]
      .filter((c) => c.account === account && c.region === region)
      .map(cloneCustomKeyStore);
  }

  async deleteCustomKeyStore(account: string, region: string, customKeyStoreId: string): Promise<boolean> {
    return this.#customKeyStores.delete(slot(account, region, customKeyStoreId));
  }
}

// ---------------------------------------------------------------------------------------------
// Identifiers

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** A random UUID v4 (RFC 9562), the form of a single-Region key id. */
export function newKeyId(): string {
  const b = randomBytes(16);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = toHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** `mrk-` + 32 lowercase hex, the form of a multi-Region key id. */
export function newMultiRegionKeyId(): string {
  return `mrk-${toHex(randomBytes(16))}`;
}

/** `cks-` + 17 lowercase hex, the form of a custom key store id. */
export function newCustomKeyStoreId(): string {
  return `cks-${toHex(randomBytes(9)).slice(0, 17)}`;
}

/** `n` fresh random bytes from the runtime's secure source. */
export function newRandomBytes(n: number): Uint8Array {
  return randomBytes(n);
}

/** Fresh symmetric key material with a 64-hex id. */
export function newKeyMaterial(): KeyMaterial {
  return { id: toHex(randomBytes(32)), material: randomBytes(32) };
}

/** The ARN partition a Region belongs to: aws-cn for the China Regions, aws-us-gov for GovCloud, else aws. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function keyArn(region: string, account: string, keyId: string): string {
  return `arn:${partitionOf(region)}:kms:${region}:${account}:key/${keyId}`;
}

export function aliasArn(region: string, account: string, aliasName: string): string {
  return `arn:${partitionOf(region)}:kms:${region}:${account}:${aliasName}`;
}
