// Encoding records (put): checks the caller's record so that nothing invalid reaches the disk,
// and seals its secret fields in a sealed store (docs/file-store.md, "Record files").
import { CUSTOM_KEY_STORE_TYPES, KEY_SPECS, KEY_STATES, KEY_USAGE_TYPES, ORIGIN_TYPES } from '../../kms/schema.js';
import type { AliasRecord, CustomKeyStoreRecord, KeyMaterial, KeyRecord } from '../../kms/store.js';
import { EXTENSION_FIELDS } from '../../kms/records.js';
import { toBase64, toHex, type Json } from './common.js';
import { FORMAT, VERSION } from './names.js';
import { additionalData, sealParts, type Identity, type Sealer } from './sealing.js';

class Encoder {
  readonly out: Json = {};

  constructor(
    readonly what: string,
    readonly src: object,
    readonly sealer: Sealer | undefined,
  ) {}

  #get(name: string): unknown {
    return (this.src as Json)[name];
  }

  #bad(name: string, expected: string): TypeError {
    return new TypeError(`${this.what}: ${name} must be ${expected}`);
  }

  string(name: string, optional = false): string | undefined {
    const v = this.#get(name);
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string') throw this.#bad(name, 'a string');
    this.out[name] = v;
    return v;
  }

  oneOf(name: string, values: readonly string[]): void {
    const v = this.#get(name);
    if (typeof v !== 'string' || !values.includes(v)) throw this.#bad(name, `one of ${values.join(', ')}`);
    this.out[name] = v;
  }

  date(name: string, optional = false): void {
    const v = this.#get(name);
    if (v === undefined && optional) return;
    if (!(v instanceof Date) || Number.isNaN(v.getTime())) throw this.#bad(name, 'a valid Date');
    this.out[name] = v.toISOString();
  }

  integer(name: string, optional = false): void {
    const v = this.#get(name);
    if (v === undefined && optional) return;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw this.#bad(name, 'an integer');
    this.out[name] = v;
  }

  boolean(name: string): void {
    const v = this.#get(name);
    if (typeof v !== 'boolean') throw this.#bad(name, 'a boolean');
    this.out[name] = v;
  }

  /** Refuses fields this store does not know: it would silently drop them otherwise. */
  only(names: readonly string[]): void {
    for (const [k, v] of Object.entries(this.src)) {
      if (v !== undefined && !names.includes(k))
        throw new TypeError(`${this.what}: field ${k} is not known to the file key store`);
    }
  }
}

function bytesOf(what: string, name: string, v: unknown): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new TypeError(`${what}: ${name} must be a Uint8Array`);
  return v;
}

function secretOut(sealer: Sealer | undefined, who: Identity, field: string, bytes: Uint8Array): unknown {
  if (sealer === undefined) return toBase64(bytes);
  return { sealed: toBase64(sealer.seal(bytes, additionalData(sealParts(who, field)))) };
}

const KEY_FIELDS = [
  'keyId',
  'account',
  'region',
  'arn',
  'creationDate',
  'description',
  'keySpec',
  'keyUsage',
  'origin',
  'keyState',
  'deletionDate',
  'pendingWindowInDays',
  'customKeyStoreId',
  'multiRegion',
  'keyMaterials',
  'currentKeyMaterialId',
  'keyPair',
  'hmacKey',
  'rotationPeriodInDays',
  'rotationSince',
  ...EXTENSION_FIELDS,
] as const;
const ALIAS_FIELDS = [
  'aliasName',
  'account',
  'region',
  'aliasArn',
  'targetKeyId',
  'creationDate',
  'lastUpdatedDate',
] as const;
const CKS_FIELDS = [
  'customKeyStoreId',
  'account',
  'region',
  'customKeyStoreName',
  'customKeyStoreType',
  'connectionState',
  'creationDate',
  'cloudHsmClusterId',
  'trustAnchorCertificate',
  'xksProxyConfiguration',
] as const;
export const XKS_FIELDS = [
  'Connectivity',
  'AccessKeyId',
  'UriEndpoint',
  'UriPath',
  'VpcEndpointServiceName',
  'VpcEndpointServiceOwner',
] as const;
export const CONNECTION_STATES = ['CONNECTED', 'CONNECTING', 'DISCONNECTED', 'DISCONNECTING', 'FAILED'] as const;

export function encodeKey(r: KeyRecord, sealer: Sealer | undefined): Json {
  const what = 'FileKeyStore.putKey';
  if (typeof r !== 'object' || r === null) throw new TypeError(`${what}: the record must be an object`);
  const e = new Encoder(what, r, sealer);
  e.only(KEY_FIELDS);
  const keyId = e.string('keyId')!;
  const account = e.string('account')!;
  const region = e.string('region')!;
  const who: Identity = { kind: 'key', account, region, id: keyId };
  e.string('arn');
  e.date('creationDate');
  e.string('description');
  e.oneOf('keySpec', KEY_SPECS);
  e.oneOf('keyUsage', KEY_USAGE_TYPES);
  e.oneOf('origin', ORIGIN_TYPES);
  e.oneOf('keyState', KEY_STATES);
  e.date('deletionDate', true);
  e.integer('pendingWindowInDays', true);
  e.string('customKeyStoreId', true);
  e.boolean('multiRegion');
  if (!Array.isArray(r.keyMaterials)) throw new TypeError(`${what}: keyMaterials must be an array`);
  e.out.keyMaterials = r.keyMaterials.map((m: KeyMaterial, i) => {
    if (typeof m !== 'object' || m === null || typeof m.id !== 'string')
      throw new TypeError(`${what}: keyMaterials[${i}].id must be a string`);
    const extra = Object.keys(m).find((k) => k !== 'id' && k !== 'material' && (m as unknown as Json)[k] !== undefined);
    if (extra !== undefined)
      throw new TypeError(`${what}: keyMaterials[${i}] field ${extra} is not known to the file key store`);
    const material = bytesOf(what, `keyMaterials[${i}].material`, m.material);
    return { id: m.id, material: secretOut(sealer, who, `keyMaterials/${m.id}`, material) };
  });
  e.string('currentKeyMaterialId', true);
  if (r.keyPair !== undefined) {
    const p = r.keyPair;
    if (typeof p !== 'object' || p === null) throw new TypeError(`${what}: keyPair must be an object`);
    const extra = Object.keys(p).find(
      (k) => k !== 'publicKey' && k !== 'privateKey' && (p as unknown as Json)[k] !== undefined,
    );
    if (extra !== undefined) throw new TypeError(`${what}: keyPair field ${extra} is not known to the file key store`);
    e.out.keyPair = {
      publicKey: toBase64(bytesOf(what, 'keyPair.publicKey', p.publicKey)),
      privateKey: secretOut(sealer, who, 'keyPair.privateKey', bytesOf(what, 'keyPair.privateKey', p.privateKey)),
    };
  }
  if (r.hmacKey !== undefined) e.out.hmacKey = secretOut(sealer, who, 'hmacKey', bytesOf(what, 'hmacKey', r.hmacKey));
  e.integer('rotationPeriodInDays', true);
  e.date('rotationSince', true);
  for (const f of EXTENSION_FIELDS) {
    if (r[f] !== undefined) e.out[f] = encodePlain(what, sealer, who, f, r[f]) as Json[string];
  }
  return e.out;
}

/**
 * An extension field of a key record (kms/records.ts) as JSON: strings, finite numbers, booleans,
 * arrays and plain objects as they are (undefined members left out); a Date as {"$date": ISO};
 * bytes, which are secrets there, as {"$bytes": ...} sealed like key material under the field's
 * path (base64 in an unsealed store). Anything else is refused.
 */
function encodePlain(what: string, sealer: Sealer | undefined, who: Identity, path: string, v: unknown): unknown {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`${what}: ${path} must be a finite number`);
    return v;
  }
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new TypeError(`${what}: ${path} must be a valid Date`);
    return { $date: v.toISOString() };
  }
  if (v instanceof Uint8Array) return { $bytes: secretOut(sealer, who, path, v) };
  if (Array.isArray(v)) return v.map((x, i) => encodePlain(what, sealer, who, `${path}/${i}`, x));
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      if (k.startsWith('$')) throw new TypeError(`${what}: ${path}/${k}: member names may not start with $`);
      if (x !== undefined) out[k] = encodePlain(what, sealer, who, `${path}/${k}`, x) as Json[string];
    }
    return out;
  }
  throw new TypeError(`${what}: ${path} holds a value the file key store cannot keep`);
}

export function encodeAlias(a: AliasRecord): Json {
  const what = 'FileKeyStore.putAlias';
  if (typeof a !== 'object' || a === null) throw new TypeError(`${what}: the record must be an object`);
  const e = new Encoder(what, a, undefined);
  e.only(ALIAS_FIELDS);
  e.string('aliasName');
  e.string('account');
  e.string('region');
  e.string('aliasArn');
  e.string('targetKeyId');
  e.date('creationDate');
  e.date('lastUpdatedDate');
  return e.out;
}

export function encodeCustomKeyStore(c: CustomKeyStoreRecord): Json {
  const what = 'FileKeyStore.putCustomKeyStore';
  if (typeof c !== 'object' || c === null) throw new TypeError(`${what}: the record must be an object`);
  const e = new Encoder(what, c, undefined);
  e.only(CKS_FIELDS);
  e.string('customKeyStoreId');
  e.string('account');
  e.string('region');
  e.string('customKeyStoreName');
  e.oneOf('customKeyStoreType', CUSTOM_KEY_STORE_TYPES);
  e.oneOf('connectionState', CONNECTION_STATES);
  e.date('creationDate');
  e.string('cloudHsmClusterId', true);
  e.string('trustAnchorCertificate', true);
  if (c.xksProxyConfiguration !== undefined) {
    const x = c.xksProxyConfiguration;
    if (typeof x !== 'object' || x === null) throw new TypeError(`${what}: xksProxyConfiguration must be an object`);
    const xe = new Encoder(`${what}: xksProxyConfiguration`, x, undefined);
    xe.only(XKS_FIELDS);
    for (const f of XKS_FIELDS) xe.string(f, true);
    e.out.xksProxyConfiguration = xe.out;
  }
  return e.out;
}

export function encodeMarker(storeId: Uint8Array, keyCheck: Uint8Array | undefined): string {
  const m = {
    format: FORMAT,
    version: VERSION,
    storeId: toHex(storeId),
    created: new Date().toISOString(),
    sealing:
      keyCheck === undefined
        ? null
        : { cipher: 'AES-256-GCM', keyDerivation: 'HKDF-SHA-256', keyCheck: toBase64(keyCheck) },
  };
  return JSON.stringify(m, null, 2) + '\n';
}
