// Decoding records (get/list): strict, every problem an error naming the file; a key record that
// fails halfway has what was decoded of it wiped (docs/file-store.md, "Record files").
import { CUSTOM_KEY_STORE_TYPES, KEY_SPECS, KEY_STATES, KEY_USAGE_TYPES, ORIGIN_TYPES } from '../../kms/schema.js';
import { wipeRecord, type AliasRecord, type CustomKeyStoreRecord, type KeyRecord } from '../../kms/store.js';
import { EXTENSION_FIELDS } from '../../kms/records.js';
import { fromBase64, type Json } from './common.js';
import { CONNECTION_STATES, XKS_FIELDS } from './encode.js';
import { FORMAT, VERSION } from './names.js';
import { additionalData, equalBytes, MAC_BYTES, sealParts, SEALED_MIN, type Identity, type Sealer } from './sealing.js';
import { FileStoreError, StoreCorruptError } from './errors.js';

/** A store file that is not valid, and why (StoreCorruptError). */
export class CorruptFileError extends StoreCorruptError {
  constructor(file: string, why: string) {
    super(file, `wasm-kms file store: ${file} is not a valid store file (${why}); it was left unchanged`);
  }
}

export class Decoder {
  readonly #seen = new Set<string>();

  constructor(
    readonly file: string,
    readonly obj: Json,
    readonly where: string,
  ) {}

  static of(file: string, v: unknown, where: string): Decoder {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw new CorruptFileError(file, `${where || 'the file'} is not a JSON object`);
    return new Decoder(file, v as Json, where);
  }

  bad(name: string, why: string): CorruptFileError {
    return new CorruptFileError(this.file, `${this.where ? `${this.where}.` : ''}${name} ${why}`);
  }

  raw(name: string): unknown {
    this.#seen.add(name);
    return Object.prototype.hasOwnProperty.call(this.obj, name) ? this.obj[name] : undefined;
  }

  string(name: string): string {
    const v = this.raw(name);
    if (typeof v !== 'string') throw this.bad(name, 'is not a string');
    return v;
  }

  optString(name: string): string | undefined {
    return this.raw(name) === undefined ? undefined : this.string(name);
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T {
    const v = this.string(name);
    if (!(values as readonly string[]).includes(v)) throw this.bad(name, 'has an unknown value');
    return v as T;
  }

  date(name: string): Date {
    const v = this.string(name);
    const d = new Date(v);
    if (Number.isNaN(d.getTime()) || d.toISOString() !== v)
      throw this.bad(name, 'is not an ISO-8601 date as this store writes it');
    return d;
  }

  optDate(name: string): Date | undefined {
    return this.raw(name) === undefined ? undefined : this.date(name);
  }

  optInteger(name: string): number | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw this.bad(name, 'is not an integer');
    return v;
  }

  boolean(name: string): boolean {
    const v = this.raw(name);
    if (typeof v !== 'boolean') throw this.bad(name, 'is not a boolean');
    return v;
  }

  bytes(name: string): Uint8Array {
    const v = this.raw(name);
    const b = typeof v === 'string' ? fromBase64(v) : undefined;
    if (b === undefined) throw this.bad(name, 'is not base64');
    return b;
  }

  /** A secret field: sealed in a sealed store, base64 in an unsealed one, never the other. */
  secret(name: string, sealer: Sealer | undefined, who: Identity, field: string): Uint8Array {
    const v = this.raw(name);
    if (sealer === undefined) {
      if (typeof v === 'object' && v !== null) throw this.bad(name, 'is sealed, but this store is not');
      return this.bytes(name);
    }
    if (typeof v === 'string') throw this.bad(name, 'is not sealed, but this store is');
    const s = Decoder.of(this.file, v, this.where ? `${this.where}.${name}` : name);
    const blob = s.bytes('sealed');
    s.end();
    const plain = sealer.open(blob, additionalData(sealParts(who, field)));
    if (plain === null) {
      throw this.bad(
        name,
        'does not open under the master key for this record (changed, or moved from another record)',
      );
    }
    return plain;
  }

  /** Refuses fields this version does not know. */
  end(): void {
    for (const k of Object.keys(this.obj)) if (!this.#seen.has(k)) throw this.bad(k, 'is not a known field');
  }
}

export function decodeKey(file: string, v: unknown, sealer: Sealer | undefined): KeyRecord {
  const d = Decoder.of(file, v, 'record');
  const keyId = d.string('keyId');
  const account = d.string('account');
  const region = d.string('region');
  const who: Identity = { kind: 'key', account, region, id: keyId };
  const r: KeyRecord = {
    keyId,
    account,
    region,
    arn: d.string('arn'),
    creationDate: d.date('creationDate'),
    description: d.string('description'),
    keySpec: d.oneOf('keySpec', KEY_SPECS),
    keyUsage: d.oneOf('keyUsage', KEY_USAGE_TYPES),
    origin: d.oneOf('origin', ORIGIN_TYPES),
    keyState: d.oneOf('keyState', KEY_STATES),
    multiRegion: false,
    keyMaterials: [],
  };
  try {
    decodeKeyRest(file, d, r, sealer, who);
  } catch (err) {
    // A field after a secret one may be bad: what was decoded so far is wiped.
    wipeRecord(r);
    throw err;
  }
  return r;
}

/** decodeKey after the first fields: secrets go straight onto `r`, so that a failure can wipe them. */
function decodeKeyRest(file: string, d: Decoder, r: KeyRecord, sealer: Sealer | undefined, who: Identity): void {
  const deletionDate = d.optDate('deletionDate');
  if (deletionDate !== undefined) r.deletionDate = deletionDate;
  const pendingWindowInDays = d.optInteger('pendingWindowInDays');
  if (pendingWindowInDays !== undefined) r.pendingWindowInDays = pendingWindowInDays;
  const customKeyStoreId = d.optString('customKeyStoreId');
  if (customKeyStoreId !== undefined) r.customKeyStoreId = customKeyStoreId;
  r.multiRegion = d.boolean('multiRegion');
  const materials = d.raw('keyMaterials');
  if (!Array.isArray(materials)) throw d.bad('keyMaterials', 'is not an array');
  materials.forEach((m, i) => {
    const md = Decoder.of(file, m, `record.keyMaterials[${i}]`);
    const id = md.string('id');
    const material = md.secret('material', sealer, who, `keyMaterials/${id}`);
    r.keyMaterials.push({ id, material });
    md.end();
  });
  const currentKeyMaterialId = d.optString('currentKeyMaterialId');
  if (currentKeyMaterialId !== undefined) r.currentKeyMaterialId = currentKeyMaterialId;
  const pair = d.raw('keyPair');
  if (pair !== undefined) {
    const pd = Decoder.of(file, pair, 'record.keyPair');
    r.keyPair = {
      publicKey: pd.bytes('publicKey'),
      privateKey: pd.secret('privateKey', sealer, who, 'keyPair.privateKey'),
    };
    pd.end();
  }
  if (d.raw('hmacKey') !== undefined) r.hmacKey = d.secret('hmacKey', sealer, who, 'hmacKey');
  const rotationPeriodInDays = d.optInteger('rotationPeriodInDays');
  if (rotationPeriodInDays !== undefined) r.rotationPeriodInDays = rotationPeriodInDays;
  const rotationSince = d.optDate('rotationSince');
  if (rotationSince !== undefined) r.rotationSince = rotationSince;
  for (const f of EXTENSION_FIELDS) {
    const v = d.raw(f);
    // Decoded straight onto the record, so that a failure further on wipes its secrets too.
    if (v !== undefined)
      (r as unknown as Json)[f] = decodePlain(file, sealer, who, f, v, (x) => ((r as unknown as Json)[f] = x));
  }
  d.end();
}

/**
 * The reverse of encode.ts's encodePlain. `hold` is given every partial value as it is built,
 * so that bytes already opened are reachable from the record if a later member is bad.
 */
function decodePlain(
  file: string,
  sealer: Sealer | undefined,
  who: Identity,
  path: string,
  v: unknown,
  hold: (partial: unknown) => void,
): unknown {
  const bad = (why: string): CorruptFileError => new CorruptFileError(file, `record.${path} ${why}`);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw bad('is not a finite number');
    return v;
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    hold(out);
    v.forEach((x, i) => (out[i] = decodePlain(file, sealer, who, `${path}/${i}`, x, (p) => (out[i] = p))));
    return out;
  }
  if (typeof v !== 'object' || v === null) throw bad('is not a value this store writes');
  const o = v as Json;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === '$date') {
    const d = new Date(String(o.$date));
    if (typeof o.$date !== 'string' || Number.isNaN(d.getTime()) || d.toISOString() !== o.$date)
      throw bad('is not an ISO-8601 date as this store writes it');
    return d;
  }
  if (keys.length === 1 && keys[0] === '$bytes') {
    const holder = Decoder.of(file, o, `record.${path}`);
    return holder.secret('$bytes', sealer, who, path);
  }
  const out: Json = {};
  hold(out);
  for (const k of keys) {
    if (k.startsWith('$')) throw bad(`has an unknown member ${k}`);
    out[k] = decodePlain(file, sealer, who, `${path}/${k}`, o[k], (p) => (out[k] = p as Json[string])) as Json[string];
  }
  return out;
}

export function decodeAlias(file: string, v: unknown): AliasRecord {
  const d = Decoder.of(file, v, 'record');
  const a: AliasRecord = {
    aliasName: d.string('aliasName'),
    account: d.string('account'),
    region: d.string('region'),
    aliasArn: d.string('aliasArn'),
    targetKeyId: d.string('targetKeyId'),
    creationDate: d.date('creationDate'),
    lastUpdatedDate: d.date('lastUpdatedDate'),
  };
  d.end();
  return a;
}

export function decodeCustomKeyStore(file: string, v: unknown): CustomKeyStoreRecord {
  const d = Decoder.of(file, v, 'record');
  const c: CustomKeyStoreRecord = {
    customKeyStoreId: d.string('customKeyStoreId'),
    account: d.string('account'),
    region: d.string('region'),
    customKeyStoreName: d.string('customKeyStoreName'),
    customKeyStoreType: d.oneOf('customKeyStoreType', CUSTOM_KEY_STORE_TYPES),
    connectionState: d.oneOf('connectionState', CONNECTION_STATES),
    creationDate: d.date('creationDate'),
  };
  const cloudHsmClusterId = d.optString('cloudHsmClusterId');
  if (cloudHsmClusterId !== undefined) c.cloudHsmClusterId = cloudHsmClusterId;
  const trustAnchorCertificate = d.optString('trustAnchorCertificate');
  if (trustAnchorCertificate !== undefined) c.trustAnchorCertificate = trustAnchorCertificate;
  const xks = d.raw('xksProxyConfiguration');
  if (xks !== undefined) {
    const xd = Decoder.of(file, xks, 'record.xksProxyConfiguration');
    const out: NonNullable<CustomKeyStoreRecord['xksProxyConfiguration']> = {};
    for (const f of XKS_FIELDS) {
      const s = xd.optString(f);
      if (s !== undefined) out[f] = s;
    }
    xd.end();
    c.xksProxyConfiguration = out;
  }
  d.end();
  return c;
}

export interface Marker {
  storeId: Uint8Array;
  /** The key check value (iv ‖ tag of an empty plaintext) when the store is sealed. */
  keyCheck?: Uint8Array;
}

export function decodeMarker(file: string, text: string): Marker {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new FileStoreError(
      'STORE_NOT_A_STORE',
      `wasm-kms file store: ${file} is not a wasm-kms store marker (not JSON); refusing to use the directory`,
    );
  }
  if (typeof v !== 'object' || v === null || (v as Json).format !== FORMAT) {
    throw new FileStoreError(
      'STORE_NOT_A_STORE',
      `wasm-kms file store: ${file} is not a wasm-kms store marker (no "format": "${FORMAT}"); refusing to use the directory`,
    );
  }
  const version = (v as Json).version;
  if (version !== VERSION) {
    throw new FileStoreError(
      'STORE_VERSION',
      `wasm-kms file store: ${file} is format version ${JSON.stringify(version)}; this wasm-kms reads version ${VERSION} only`,
    );
  }
  const d = Decoder.of(file, v, '');
  d.string('format');
  d.raw('version');
  d.date('created');
  const idHex = d.string('storeId');
  if (!/^[0-9a-f]{32}$/.test(idHex)) throw d.bad('storeId', 'is not 32 lowercase hex digits');
  const marker: Marker = { storeId: new Uint8Array(Buffer.from(idHex, 'hex')) };
  const sealing = d.raw('sealing');
  if (sealing !== null) {
    const s = Decoder.of(file, sealing, 'sealing');
    if (s.string('cipher') !== 'AES-256-GCM') throw s.bad('cipher', 'is not AES-256-GCM');
    if (s.string('keyDerivation') !== 'HKDF-SHA-256') throw s.bad('keyDerivation', 'is not HKDF-SHA-256');
    marker.keyCheck = s.bytes('keyCheck');
    if (marker.keyCheck.length !== SEALED_MIN) throw s.bad('keyCheck', `is not ${SEALED_MIN} bytes`);
    s.end();
  }
  d.end();
  return marker;
}

/**
 * In a sealed store, a record's MAC (its `mac` member) must match its content under the master
 * key (docs/file-store.md, "Record MACs"); an unsealed store's records have none. `what` names
 * the record's container in messages: 'file' (file store) or 'row' (PostgreSQL store).
 */
export function checkRecordMac(d: Decoder, sealer: Sealer | undefined, what: 'file' | 'row'): void {
  const given = d.raw('mac');
  if (sealer === undefined) {
    if (given !== undefined) throw d.bad('mac', 'is present, but this store is not sealed');
    return;
  }
  if (given === undefined) {
    throw d.bad('mac', `is missing (every record ${what === 'file' ? 'file ' : ''}of a sealed store has one)`);
  }
  const mac = d.bytes('mac');
  if (mac.length !== MAC_BYTES) throw d.bad('mac', `is not ${MAC_BYTES} bytes`);
  const content: Json = { ...d.obj };
  delete content.mac;
  if (!equalBytes(sealer.mac(content), mac)) {
    throw new CorruptFileError(
      d.file,
      `its record MAC does not match its content under the master key: the ${what} was changed outside wasm-kms, or comes from another store`,
    );
  }
}
