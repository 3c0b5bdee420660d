// The file key store: KMS keys, aliases and custom key stores as one JSON file per record in a
// directory that survives crashes and is shared safely by several processes. The default store
// of the CLI and the HTTP endpoint.
//
// Layout:
//
//   <dir>/wasm-kms-store.json                              marker: format, version, store id, sealing
//   <dir>/.write-lock                                      exists while a process writes (pid, host, time)
//   <dir>/<account>/<region>/keys/<keyId>.json             one KeyRecord
//   <dir>/<account>/<region>/aliases/<aliasName>.json      one AliasRecord
//   <dir>/<account>/<region>/custom-key-stores/<id>.json   one CustomKeyStoreRecord (+ its creation sequence)
//
// Every path component that comes from a record is encoded by fileName(): [a-z0-9_-] stand for
// themselves, any other ASCII character becomes %XX and any other UTF-16 unit %uXXXX (hex in
// upper case), the empty string is `%`, and a name longer than 200 characters becomes `#` and the
// SHA-256 of its encoding. So `alias/Prod` is `alias%2F%50rod`: no component can be `.`, `..` or
// contain a separator, and distinct names stay distinct on case-insensitive file systems too.
// Whatever a file's name, its content names the record; a file whose content does not encode back
// to its own path is refused.
//
// A record file is `{ "kind": ..., "record": { ... } }` with exactly the record's fields: Dates as
// ISO-8601 strings (millisecond exact), bytes as base64, optional fields absent when undefined.
// Reading is strict: an unknown field, a wrong type, bad base64, a non-canonical date or a record
// that belongs elsewhere is an error naming the file, and the file is left as it is.
//
// Durability: a write goes to `.<name>.<pid>.<random>.tmp` in the target's directory (created
// 0600), is fsynced, renamed over the target, and the directory is fsynced; new directories
// (0700) are fsynced into their parents. A write is acknowledged (its promise resolves) only after
// all of that. Temporary files are never read as records; a writer killed midway leaves one
// behind, and the next writer that recovers that writer's lock removes them (and the temporary
// files of locks in the root, once they are a minute old). Listings skip every dotfile (no
// record's file name starts with a dot), so what other tools leave beside the records
// (.DS_Store, editor swap files, NFS silly renames) does not stop them.
//
// Locking: all writes, from any process or thread, hold `<dir>/.write-lock`, created atomically (a
// fully written and fsynced temporary file hard-linked to the lock name, which fails if the name
// exists) and holding { pid, hostname, time, token } and, where /proc has them, the kernel's boot
// id and the inode of the holder's pid namespace. A lock is stale, and broken, only when its
// holder is certainly gone: a lock of this host from another boot (by boot id; without boot ids,
// by its time against the boot time); else, in the same pid namespace (or where that is unknown),
// a pid that no longer runs, or this very pid with a time before this process started (a pid
// reused after a crash; a lock of this pid taken since is another thread's and is live). A file
// at the lock's name that does not parse (a lock cut short by a power loss) is stale once its
// mtime is before the boot. A stale lock is broken under a second lock, `.write-lock.break`, so
// that two processes recovering at once cannot remove each other's fresh lock. A lock of another
// host, or of another pid namespace on this host (another container), is never broken: waiting
// for it ends with an error naming the holder (and the lock file to remove if the holder is gone)
// after lockTimeoutMs; so does a lock left by a worker thread terminated while writing, until its
// process exits. Hosts are told apart by hostname: two machines of one name sharing a store
// over a network file system would take each other's locks for their own.
// transaction(fn) holds the lock for the whole of fn, for the engine's read-change-write operations
// (the store's own calls inside fn do not take it again; see transaction()).
// Reads take no lock and keep no cache: each read opens the files, and a rename is atomic, so a
// read sees a write of any process as soon as it is acknowledged, and never half of one.
//
// Who may write, or read: open() refuses a store directory that another user could write to or
// read, as OpenSSH's StrictModes does: it must be owned by this process's effective uid and give
// its group and others no access at all, mode 0700 (the error says to run chmod 700). A master
// key file (WASM_KMS_MASTER_KEY_FILE) that its group or others may read or write is refused in
// the same way (chmod 600), as OpenSSH refuses an unprotected private key file. A symbolic link
// as the store directory is resolved once, at open, and its target is checked and used from then
// on. The directories above the store directory are not checked. Inside the store nothing is
// followed: every directory on the way to a record is checked with lstat and a symbolic link is
// refused (on every write, and on a store instance's first read of that directory), and record
// files are opened with O_NOFOLLOW. On platforms without uids (Windows) the owner and mode
// checks are skipped. These checks keep other users out; this user, who can write the store's
// files anyway, is not defended against.
//
// Sealing: with a master key, the secret fields (keyMaterials[].material, keyPair.privateKey,
// hmacKey) are stored as { "sealed": base64(iv ‖ ciphertext ‖ tag) }, AES-256-GCM from the
// WebAssembly core (src/core/symmetric.ts) under HKDF-SHA-256(master key, salt = the store id)
// with a fresh random 96-bit IV per field. The additional data names the record (kind, account,
// region, id) and the field (for key material, its id), so a sealed value copied to another
// record or field does not open. The marker holds a key check value (a GCM tag under the derived
// key), so opening with a missing or wrong key fails in open(), not at the first read. A sealed
// store refuses an unsealed secret field and vice versa.
//
// Record MACs: in a sealed store every record file (keys, aliases, custom key stores) also has a
// "mac" member: base64 of HMAC-SHA-256, under HKDF-SHA-256(master key, salt = the store id, info
// "wasm-kms file key store: record MAC key v1"), of the canonical JSON of the whole file without
// it (kind, sequence, record and all: members sorted by name, no whitespace, strings and numbers
// as JSON.stringify writes them). It is checked on every read before anything in the file is
// used, so metadata (the public key, key usage and state, current key material, alias targets)
// cannot be changed undetected; a mismatch is an error naming the file. An unsealed store has no
// MACs and refuses a file with one. What a MAC cannot show: a whole record file replaced by an
// older valid copy of itself (rollback, e.g. undoing a rotation or a deletion schedule), and a
// record file removed. Sealing keeps key material confidential and records unforged; it does not
// make the directory an append-only log.

import { AsyncLocalStorage } from 'node:async_hooks';
import { constants as fsConstants } from 'node:fs';
import { closeSync, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { Stats } from 'node:fs';
import { chmod, link, lstat, mkdir, open, readdir, readFile, realpath, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { homedir, hostname, uptime } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { getCore, randomBytes } from '../../core/module.js';
import { aes256GcmDecrypt, aes256GcmEncrypt, GCM_IV_BYTES, GCM_TAG_BYTES, hkdfSha256, hmacSha256, sha256 } from '../../core/symmetric.js';
import { CUSTOM_KEY_STORE_TYPES, KEY_SPECS, KEY_STATES, KEY_USAGE_TYPES, ORIGIN_TYPES } from '../../kms/schema.js';
import { wipeRecord, type AliasRecord, type CustomKeyStoreRecord, type KeyMaterial, type KeyRecord, type KeyStore } from '../../kms/store.js';

export interface FileKeyStoreOptions {
  /** 32-byte master key: when given, key material (KeyRecord.keyMaterials[].material, keyPair.privateKey, hmacKey) is sealed with AES-256-GCM under it on disk. */
  masterKey?: Uint8Array;
  /** How long to wait for the write lock before failing (ms, default 10_000). */
  lockTimeoutMs?: number;
}

const MARKER = 'wasm-kms-store.json';
const FORMAT = 'wasm-kms file key store';
const VERSION = 1;
const LOCK = '.write-lock';
const BREAK_LOCK = '.write-lock.break';
const LOST_AND_FOUND = 'lost+found';
const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
/** A lock's temporary file older than this in the store root is a dead writer's leftover. */
const LOCK_TEMP_MAX_AGE_MS = 60_000;
const MASTER_KEY_BYTES = 32;
const MAX_PLAIN_NAME = 200;
/** How many record files a listing reads at once (well under any descriptor limit). */
const READ_CONCURRENCY = 32;

const KEYS_DIR = 'keys';
const ALIASES_DIR = 'aliases';
const CKS_DIR = 'custom-key-stores';
const RECORD_DIRS = [KEYS_DIR, ALIASES_DIR, CKS_DIR] as const;

/** Our temporary files: `.<name>.<pid>.<16 hex>.tmp`. */
const TEMP_FILE = /^\..+\.(\d+)\.[0-9a-f]{16}\.tmp$/;

type Kind = 'key' | 'alias' | 'custom-key-store';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const toBase64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');

/** Standard base64 with padding, exactly as toBase64 writes it, or undefined. */
function fromBase64(s: string): Uint8Array | undefined {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
  const b = Buffer.from(s, 'base64');
  const out = b.toString('base64') === s ? new Uint8Array(b) : undefined;
  // The decoded bytes may be a secret field of an unsealed store: no copy is left behind.
  b.fill(0);
  return out;
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Public helpers

/** $WASM_KMS_HOME, else ~/.wasm-kms */
export function defaultStoreDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WASM_KMS_HOME) return resolve(env.WASM_KMS_HOME);
  return join(env.HOME || env.USERPROFILE || homedir(), '.wasm-kms');
}

/** 64 hex characters, or base64 (standard or URL-safe, padding optional) of exactly 32 bytes. */
function parseMasterKeyText(text: string): Uint8Array | undefined {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return new Uint8Array(Buffer.from(t, 'hex'));
  let s = t.replace(/-/g, '+').replace(/_/g, '/');
  if (s.length % 4 !== 0) s += '='.repeat(4 - (s.length % 4));
  const b = fromBase64(s);
  return b !== undefined && b.length === MASTER_KEY_BYTES ? b : undefined;
}

/**
 * The master key from WASM_KMS_MASTER_KEY (64 hex chars or base64 of 32 bytes) or
 * WASM_KMS_MASTER_KEY_FILE (a file holding either form, or 32 raw bytes); undefined when neither
 * is set (an empty variable counts as unset); a clear Error when malformed or when both are set.
 * Errors never quote the key.
 */
export function masterKeyFromEnv(env: NodeJS.ProcessEnv = process.env): Uint8Array | undefined {
  const text = env.WASM_KMS_MASTER_KEY;
  const file = env.WASM_KMS_MASTER_KEY_FILE;
  if (text && file) throw new Error('Both WASM_KMS_MASTER_KEY and WASM_KMS_MASTER_KEY_FILE are set; set only one.');
  if (text) {
    const key = parseMasterKeyText(text);
    if (key === undefined) {
      throw new Error(
        `WASM_KMS_MASTER_KEY must be 64 hex characters or the base64 of 32 bytes (it has ${text.trim().length} characters).`,
      );
    }
    return key;
  }
  if (file) {
    let raw: Buffer;
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (err) {
      throw new Error(`WASM_KMS_MASTER_KEY_FILE: cannot read ${file} (${errorCode(err) ?? String(err)}).`);
    }
    try {
      // The mode of the file opened (a symbolic link's target), checked before a byte is read.
      checkKeyFileMode(file, fstatSync(fd).mode);
      raw = readFileSync(fd);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('WASM_KMS_MASTER_KEY_FILE:')) throw err;
      throw new Error(`WASM_KMS_MASTER_KEY_FILE: cannot read ${file} (${errorCode(err) ?? String(err)}).`);
    } finally {
      closeSync(fd);
    }
    // 32 bytes can only be the raw key: the text forms are 44 (base64) or 64 (hex) characters.
    if (raw.length === MASTER_KEY_BYTES) {
      const key = new Uint8Array(raw);
      raw.fill(0);
      return key;
    }
    const key = parseMasterKeyText(raw.toString('latin1'));
    raw.fill(0);
    if (key === undefined) {
      throw new Error(
        `WASM_KMS_MASTER_KEY_FILE: ${file} must hold 32 raw bytes, 64 hex characters or the base64 of 32 bytes.`,
      );
    }
    return key;
  }
  return undefined;
}

/** Whether the platform has uids and mode bits that mean what they say (not Windows). */
const hasModeBits = (): boolean => typeof process.geteuid === 'function';

/**
 * Who besides the owner has access in `mode` (its group and/or others), and what access:
 * "writable" when any of them may write, "readable" when they may read, else "open" (a
 * directory they may pass through). Undefined when only the owner has access.
 */
function accessByOthers(mode: number): { what: 'writable' | 'readable' | 'open'; who: string } | undefined {
  const bits = mode & 0o077;
  if (bits === 0) return undefined;
  const group = (bits & 0o070) !== 0;
  const others = (bits & 0o007) !== 0;
  const who = group && others ? 'its group and by others' : group ? 'its group' : 'others';
  const what = (bits & 0o022) !== 0 ? 'writable' : (bits & 0o044) !== 0 ? 'readable' : 'open';
  return { what, who: what === 'open' ? who.replace('and by', 'and') : who };
}

const octalMode = (mode: number): string => (mode & 0o777).toString(8).padStart(4, '0');

/**
 * Refuses a master key file that anyone but its owner may read or write, as OpenSSH refuses an
 * unprotected private key file: the key seals every secret in the store.
 */
function checkKeyFileMode(file: string, mode: number): void {
  if (!hasModeBits()) return;
  const access = accessByOthers(mode);
  if (access === undefined) return;
  const by = access.what === 'open' ? `open to ${access.who}` : `${access.what} by ${access.who}`;
  throw new Error(
    `WASM_KMS_MASTER_KEY_FILE: ${file} is ${by} (mode ${octalMode(mode)}); the master key must be readable by its owner only; ` +
      `run: chmod 600 ${file}`,
  );
}

// ---------------------------------------------------------------------------------------------
// File names

const PLAIN_CHAR = /^[a-z0-9_-]$/;

/** The file name of a record id (see the header): injective, safe, case-insensitively distinct. */
function fileName(id: string): string {
  if (id === '') return '%';
  let out = '';
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    const ch = id[i];
    if (PLAIN_CHAR.test(ch)) out += ch;
    else if (c < 0x80) out += '%' + c.toString(16).toUpperCase().padStart(2, '0');
    else out += '%u' + c.toString(16).toUpperCase().padStart(4, '0');
  }
  if (out.length > MAX_PLAIN_NAME) return '#' + toHex(sha256(getCore(), utf8(out)));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sealing

const SEAL_INFO = utf8('wasm-kms file key store: sealing key v1');
const MAC_INFO = utf8('wasm-kms file key store: record MAC key v1');
const MAC_BYTES = 32;
const KEY_CHECK_AAD = utf8('wasm-kms file key store: key check v1');
const SEALED_MIN = GCM_IV_BYTES + GCM_TAG_BYTES;

/** Length-prefixed parts, so that no two different lists give the same bytes. */
function additionalData(parts: readonly string[]): Uint8Array {
  const encoded = parts.map(utf8);
  const out = new Uint8Array(encoded.reduce((n, p) => n + 4 + p.length, 0));
  const view = new DataView(out.buffer);
  let off = 0;
  for (const p of encoded) {
    view.setUint32(off, p.length);
    out.set(p, off + 4);
    off += 4 + p.length;
  }
  return out;
}

/**
 * The canonical JSON of a parsed or about-to-be-written file: object members sorted by name (as
 * UTF-16 code units), no whitespace, undefined members left out, everything else as JSON.stringify
 * writes it. The same content always gives the same bytes, however the file was laid out.
 */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Json;
    const members = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort(byName)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Equal bytes, in time that depends on the length only. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

class Sealer {
  readonly #key: Uint8Array;
  readonly #macKey: Uint8Array;

  constructor(masterKey: Uint8Array, storeId: Uint8Array) {
    this.#key = hkdfSha256(getCore(), masterKey, storeId, SEAL_INFO, 32);
    this.#macKey = hkdfSha256(getCore(), masterKey, storeId, MAC_INFO, MAC_BYTES);
  }

  /** The record MAC of a file's content (everything but its "mac" member). */
  mac(content: Json): Uint8Array {
    return hmacSha256(getCore(), this.#macKey, utf8(canonicalJson(content)));
  }

  seal(plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    const iv = randomBytes(GCM_IV_BYTES);
    const { ciphertext, tag } = aes256GcmEncrypt(getCore(), this.#key, iv, plaintext, aad);
    const out = new Uint8Array(iv.length + ciphertext.length + tag.length);
    out.set(iv, 0);
    out.set(ciphertext, iv.length);
    out.set(tag, iv.length + ciphertext.length);
    return out;
  }

  /** The plaintext, or null when the blob does not authenticate under this key and `aad`. */
  open(blob: Uint8Array, aad: Uint8Array): Uint8Array | null {
    if (blob.length < SEALED_MIN) return null;
    const iv = blob.subarray(0, GCM_IV_BYTES);
    const ciphertext = blob.subarray(GCM_IV_BYTES, blob.length - GCM_TAG_BYTES);
    const tag = blob.subarray(blob.length - GCM_TAG_BYTES);
    return aes256GcmDecrypt(getCore(), this.#key, iv, ciphertext, tag, aad);
  }

  wipe(): void {
    this.#key.fill(0);
    this.#macKey.fill(0);
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding records (put): checks the caller's record so that nothing invalid reaches the disk.

type Json = Record<string, unknown>;

/** Names a record and its secret fields for the additional data of sealing. */
interface Identity {
  kind: Kind;
  account: string;
  region: string;
  id: string;
}

const sealParts = (who: Identity, field: string): string[] => [FORMAT, who.kind, who.account, who.region, who.id, field];

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
      if (v !== undefined && !names.includes(k)) throw new TypeError(`${this.what}: field ${k} is not known to the file key store`);
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
  'keyId', 'account', 'region', 'arn', 'creationDate', 'description', 'keySpec', 'keyUsage', 'origin', 'keyState',
  'deletionDate', 'pendingWindowInDays', 'customKeyStoreId', 'multiRegion', 'keyMaterials', 'currentKeyMaterialId',
  'keyPair', 'hmacKey', 'rotationPeriodInDays', 'rotationSince',
] as const;
const ALIAS_FIELDS = ['aliasName', 'account', 'region', 'aliasArn', 'targetKeyId', 'creationDate', 'lastUpdatedDate'] as const;
const CKS_FIELDS = [
  'customKeyStoreId', 'account', 'region', 'customKeyStoreName', 'customKeyStoreType', 'connectionState', 'creationDate',
  'cloudHsmClusterId', 'trustAnchorCertificate', 'xksProxyConfiguration',
] as const;
const XKS_FIELDS = [
  'Connectivity', 'AccessKeyId', 'UriEndpoint', 'UriPath', 'VpcEndpointServiceName', 'VpcEndpointServiceOwner',
] as const;
const CONNECTION_STATES = ['CONNECTED', 'CONNECTING', 'DISCONNECTED', 'DISCONNECTING', 'FAILED'] as const;

function encodeKey(r: KeyRecord, sealer: Sealer | undefined): Json {
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
    if (typeof m !== 'object' || m === null || typeof m.id !== 'string') throw new TypeError(`${what}: keyMaterials[${i}].id must be a string`);
    const extra = Object.keys(m).find((k) => k !== 'id' && k !== 'material' && (m as unknown as Json)[k] !== undefined);
    if (extra !== undefined) throw new TypeError(`${what}: keyMaterials[${i}] field ${extra} is not known to the file key store`);
    const material = bytesOf(what, `keyMaterials[${i}].material`, m.material);
    return { id: m.id, material: secretOut(sealer, who, `keyMaterials/${m.id}`, material) };
  });
  e.string('currentKeyMaterialId', true);
  if (r.keyPair !== undefined) {
    const p = r.keyPair;
    if (typeof p !== 'object' || p === null) throw new TypeError(`${what}: keyPair must be an object`);
    const extra = Object.keys(p).find((k) => k !== 'publicKey' && k !== 'privateKey' && (p as unknown as Json)[k] !== undefined);
    if (extra !== undefined) throw new TypeError(`${what}: keyPair field ${extra} is not known to the file key store`);
    e.out.keyPair = {
      publicKey: toBase64(bytesOf(what, 'keyPair.publicKey', p.publicKey)),
      privateKey: secretOut(sealer, who, 'keyPair.privateKey', bytesOf(what, 'keyPair.privateKey', p.privateKey)),
    };
  }
  if (r.hmacKey !== undefined) e.out.hmacKey = secretOut(sealer, who, 'hmacKey', bytesOf(what, 'hmacKey', r.hmacKey));
  e.integer('rotationPeriodInDays', true);
  e.date('rotationSince', true);
  return e.out;
}

function encodeAlias(a: AliasRecord): Json {
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

function encodeCustomKeyStore(c: CustomKeyStoreRecord): Json {
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

// ---------------------------------------------------------------------------------------------
// Decoding records (get/list): strict, every problem an error naming the file.

class CorruptFileError extends Error {
  constructor(file: string, why: string) {
    super(`wasm-kms file store: ${file} is not a valid store file (${why}); it was left unchanged`);
  }
}

class Decoder {
  readonly #seen = new Set<string>();

  constructor(
    readonly file: string,
    readonly obj: Json,
    readonly where: string,
  ) {}

  static of(file: string, v: unknown, where: string): Decoder {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CorruptFileError(file, `${where || 'the file'} is not a JSON object`);
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
    if (Number.isNaN(d.getTime()) || d.toISOString() !== v) throw this.bad(name, 'is not an ISO-8601 date as this store writes it');
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
      throw this.bad(name, 'does not open under the master key for this record (changed, or moved from another record)');
    }
    return plain;
  }

  /** Refuses fields this version does not know. */
  end(): void {
    for (const k of Object.keys(this.obj)) if (!this.#seen.has(k)) throw this.bad(k, 'is not a known field');
  }
}

function decodeKey(file: string, v: unknown, sealer: Sealer | undefined): KeyRecord {
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
    r.keyPair = { publicKey: pd.bytes('publicKey'), privateKey: pd.secret('privateKey', sealer, who, 'keyPair.privateKey') };
    pd.end();
  }
  if (d.raw('hmacKey') !== undefined) r.hmacKey = d.secret('hmacKey', sealer, who, 'hmacKey');
  const rotationPeriodInDays = d.optInteger('rotationPeriodInDays');
  if (rotationPeriodInDays !== undefined) r.rotationPeriodInDays = rotationPeriodInDays;
  const rotationSince = d.optDate('rotationSince');
  if (rotationSince !== undefined) r.rotationSince = rotationSince;
  d.end();
}

function decodeAlias(file: string, v: unknown): AliasRecord {
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

function decodeCustomKeyStore(file: string, v: unknown): CustomKeyStoreRecord {
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

// ---------------------------------------------------------------------------------------------
// The marker

interface Marker {
  storeId: Uint8Array;
  /** The key check value (iv ‖ tag of an empty plaintext) when the store is sealed. */
  keyCheck?: Uint8Array;
}

function encodeMarker(storeId: Uint8Array, keyCheck: Uint8Array | undefined): string {
  const m = {
    format: FORMAT,
    version: VERSION,
    storeId: toHex(storeId),
    created: new Date().toISOString(),
    sealing: keyCheck === undefined ? null : { cipher: 'AES-256-GCM', keyDerivation: 'HKDF-SHA-256', keyCheck: toBase64(keyCheck) },
  };
  return JSON.stringify(m, null, 2) + '\n';
}

function decodeMarker(file: string, text: string): Marker {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error(`wasm-kms file store: ${file} is not a wasm-kms store marker (not JSON); refusing to use the directory`);
  }
  if (typeof v !== 'object' || v === null || (v as Json).format !== FORMAT) {
    throw new Error(`wasm-kms file store: ${file} is not a wasm-kms store marker (no "format": "${FORMAT}"); refusing to use the directory`);
  }
  const version = (v as Json).version;
  if (version !== VERSION) {
    throw new Error(
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

// ---------------------------------------------------------------------------------------------
// Files: atomic writes, directories, the lock

async function fsyncDir(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync; its rename is durable by other means (NTFS journal).
  if (process.platform === 'win32') return;
  const fh = await open(dir, fsConstants.O_RDONLY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function tempName(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${toHex(randomBytes(8))}.tmp`);
}

/** A new file with `data`, created 0600 (whatever the umask), fsynced when `durable`. */
async function writeNewFile(path: string, data: string, durable: boolean): Promise<void> {
  const fh = await open(path, 'wx', 0o600);
  try {
    await fh.chmod(0o600);
    await fh.writeFile(data);
    if (durable) await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(path).catch(() => undefined);
    throw err;
  }
  await fh.close();
}

/** Replaces `path` with `data` so that a crash leaves either the old file or the new, whole. */
async function writeFileAtomic(path: string, data: string): Promise<void> {
  const tmp = tempName(path);
  await writeNewFile(tmp, data, true);
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fsyncDir(dirname(path));
}

interface LockInfo {
  pid: number;
  hostname: string;
  time: string;
  token: string;
  /** The kernel's boot id (Linux), when the holder could read it. */
  bootId?: string;
  /** The inode of the holder's pid namespace (Linux), when it could read it. */
  pidNamespace?: number;
}

/** What is at a lock's name: nothing, a lock, or a file that does not parse (power loss). */
type LockState =
  | { state: 'absent' }
  | { state: 'held'; info: LockInfo }
  | { state: 'unreadable'; ino: number; mtimeMs: number };

/** Clocks disagree a little (uptimes are rounded; NTP slews): times closer than this prove nothing. */
const CLOCK_SLACK_MS = 2_000;

/** This machine's boot and this process's pid namespace, read once (absent where there is no /proc). */
let systemIds: { bootId?: string; pidNamespace?: number } | undefined;

function ourSystemIds(): { bootId?: string; pidNamespace?: number } {
  if (systemIds === undefined) {
    systemIds = {};
    try {
      const id = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      if (/^[0-9a-f-]{36}$/.test(id)) systemIds.bootId = id;
    } catch {
      // not Linux, or /proc not mounted
    }
    try {
      systemIds.pidNamespace = statSync('/proc/self/ns/pid').ino;
    } catch {
      // idem
    }
  }
  return systemIds;
}

/** When this machine booted, by the wall clock. */
const bootTime = (): number => Date.now() - uptime() * 1000;

/** When this process started, by the wall clock (the same for all its threads). */
const processStart = (): number => Date.now() - process.uptime() * 1000;

/** A transaction in progress: FileKeyStore.transaction(). */
interface Held {
  /** False once the transaction has ended (code it left running then takes the lock itself). */
  active: boolean;
  /** The writes made inside, one after another. */
  writes: Promise<unknown>;
}

/**
 * The transactions the current async call chain is inside, by store directory: what makes a
 * store's own calls from inside a transaction reentrant, and only those. Another request in this
 * process runs in another chain and waits for the lock as any writer does.
 */
const chainLocks = new AsyncLocalStorage<ReadonlyMap<string, Held>>();

/** Tokens of the locks this thread holds now (any FileKeyStore instance of this module). */
const heldLocks = new Set<string>();

async function readLock(path: string): Promise<LockState> {
  let fh: FileHandle;
  try {
    fh = await open(path, fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0));
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return { state: 'absent' };
    throw err;
  }
  let text: string;
  let st: Stats;
  try {
    // The identity and the content of one file, even if the name is replaced meanwhile.
    st = await fh.stat();
    text = await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
  try {
    const v = JSON.parse(text) as Json;
    if (typeof v.pid === 'number' && typeof v.hostname === 'string' && typeof v.time === 'string' && typeof v.token === 'string') {
      const info: LockInfo = { pid: v.pid, hostname: v.hostname, time: v.time, token: v.token };
      if (typeof v.bootId === 'string') info.bootId = v.bootId;
      if (typeof v.pidNamespace === 'number') info.pidNamespace = v.pidNamespace;
      return { state: 'held', info };
    }
  } catch {
    // fall through
  }
  return { state: 'unreadable', ino: st.ino, mtimeMs: st.mtimeMs };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return errorCode(err) !== 'ESRCH';
  }
}

/** The lock is from another pid namespace on this host (another container): its pid is not ours to look up. */
function otherPidNamespace(info: LockInfo): boolean {
  const ours = ourSystemIds().pidNamespace;
  return info.pidNamespace !== undefined && ours !== undefined && info.pidNamespace !== ours;
}

/**
 * True when the holder of the lock is certainly gone (see "Locking" in the header). Unsure is
 * never stale: another host, another pid namespace, and a lock of this pid taken since this
 * process started (another thread's, or another instance's of this module) are waited for.
 */
function isStale(lock: LockState): boolean {
  if (lock.state === 'absent') return false;
  // A file that does not parse is never a live lock's (those are written whole, then linked),
  // but can be one cut short by a power loss: stale once it predates this boot.
  if (lock.state === 'unreadable') return lock.mtimeMs < bootTime() - CLOCK_SLACK_MS;
  const info = lock.info;
  if (info.hostname !== hostname()) return false;
  if (heldLocks.has(info.token)) return false;
  const time = Date.parse(info.time);
  const ours = ourSystemIds();
  if (info.bootId !== undefined && ours.bootId !== undefined) {
    if (info.bootId !== ours.bootId) return true;
  } else if (time < bootTime() - CLOCK_SLACK_MS) {
    return true;
  }
  if (otherPidNamespace(info)) return false;
  // Our own pid: a thread of this process (its own heldLocks) or this pid's earlier life, which
  // ended before this process began.
  if (info.pid === process.pid) return time < processStart() - CLOCK_SLACK_MS;
  return !processAlive(info.pid);
}

/** The same lock file as `seen`, still: so that breaking it never removes a newer one. */
function sameLock(cur: LockState, seen: LockState): boolean {
  if (cur.state === 'held' && seen.state === 'held') return cur.info.token === seen.info.token;
  if (cur.state === 'unreadable' && seen.state === 'unreadable') return cur.ino === seen.ino && cur.mtimeMs === seen.mtimeMs;
  return false;
}

/**
 * Creates the lock file `path` whole or not at all; EEXIST when it is held. Returns the token,
 * which is in heldLocks from before the lock exists until the caller removes it.
 */
async function createLock(path: string): Promise<string> {
  const token = toHex(randomBytes(16));
  const info: LockInfo = { pid: process.pid, hostname: hostname(), time: new Date().toISOString(), token, ...ourSystemIds() };
  const tmp = tempName(path);
  // Fsynced before it is linked: after a power loss the lock is whole (and from another boot) or absent.
  await writeNewFile(tmp, JSON.stringify(info) + '\n', true);
  // Registered first: another instance in this thread must never see our lock as a dead one's.
  heldLocks.add(token);
  try {
    await link(tmp, path);
  } catch (err) {
    heldLocks.delete(token);
    throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  return token;
}

/** Removes our lock; the token is forgotten only after, so no instance of ours sees it as stale meanwhile. */
async function removeLock(path: string, token: string): Promise<void> {
  try {
    const cur = await readLock(path);
    if (cur.state === 'held' && cur.info.token === token) await unlink(path).catch(() => undefined);
  } finally {
    heldLocks.delete(token);
  }
}

function describeHolder(lock: LockState, path: string): string {
  if (lock.state !== 'held') return 'an unreadable lock file (remove it if no wasm-kms process is writing to this store)';
  const { pid, hostname: host, time } = lock.info;
  const where = otherPidNamespace(lock.info) ? ' in another pid namespace (another container)' : '';
  const which = host !== hostname() || where !== '' ? `; if that process is no longer running, remove ${path}` : '';
  return `process ${pid}${where} on ${host} since ${time}${which}`;
}

// ---------------------------------------------------------------------------------------------
// Who may write: the root must be ours and closed to others; no symbolic link inside

/**
 * Refuses a store directory that another user could write to (like OpenSSH's StrictModes): one
 * owned by another uid, or writable by its group or by others. Platforms without uids (Windows)
 * skip this; their ACLs are not mode bits.
 */
function checkOwner(named: string, real: string, s: Stats): void {
  const euid = typeof process.geteuid === 'function' ? process.geteuid() : undefined;
  if (euid === undefined) return;
  if (s.uid !== euid) {
    throw new Error(
      `wasm-kms file store: refusing the store directory ${named}: it is owned by uid ${s.uid}, not by this user (uid ${euid}), ` +
        'so its owner could replace or plant records; use a directory of your own (a missing one is created 0700)',
    );
  }
  // Any access by the group or others is refused, reading too: the file names in it are key
  // ids and alias names, which no one else needs to see.
  const access = accessByOthers(s.mode);
  if (access !== undefined) {
    const [by, risk] =
      access.what === 'writable'
        ? [`writable by ${access.who}`, 'another user could replace or plant records']
        : access.what === 'readable'
          ? [`readable by ${access.who}`, 'another user could list its keys and aliases']
          : [`open to ${access.who}`, 'another user could reach its files by name'];
    throw new Error(
      `wasm-kms file store: refusing the store directory ${named}: it is ${by} (mode ${octalMode(s.mode)}), so ${risk}; ` +
        `run: chmod 700 ${real}`,
    );
  }
}

/** A directory inside the store must be a real directory: a symbolic link could lead anywhere. */
function checkStoreDir(path: string, s: Stats): void {
  if (s.isSymbolicLink()) {
    throw new Error(
      `wasm-kms file store: ${path} is a symbolic link; the store refuses symbolic links inside its directory ` +
        '(replace it with the directory it points to)',
    );
  }
  if (!s.isDirectory()) throw new Error(`wasm-kms file store: ${path} is not a directory`);
}

// ---------------------------------------------------------------------------------------------
// The store

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A KeyStore in a directory (see the header for the layout and the guarantees). */
export class FileKeyStore implements KeyStore {
  readonly dir: string;
  readonly #sealer: Sealer | undefined;
  readonly #lockTimeoutMs: number;
  /** Writes of this instance, one after another (the file lock then orders processes). */
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  /** Record directories this instance has found to be real directories all the way down (for reads). */
  readonly #checkedDirs = new Set<string>();

  private constructor(dir: string, sealer: Sealer | undefined, lockTimeoutMs: number) {
    this.dir = dir;
    this.#sealer = sealer;
    this.#lockTimeoutMs = lockTimeoutMs;
  }

  /**
   * Opens the store in `dir`, creating the directory (0700) and the marker if the directory is
   * missing or empty. Refuses a directory with other content and no marker, a marker of another
   * format or version, a sealed store without the right master key and an unsealed store with one.
   */
  static async open(dir: string, options: FileKeyStoreOptions = {}): Promise<FileKeyStore> {
    if (typeof dir !== 'string' || dir === '') throw new TypeError('FileKeyStore.open: dir must be a non-empty string');
    const masterKey = options.masterKey;
    if (masterKey !== undefined && (!(masterKey instanceof Uint8Array) || masterKey.length !== MASTER_KEY_BYTES)) {
      throw new TypeError(`FileKeyStore.open: masterKey must be a Uint8Array of ${MASTER_KEY_BYTES} bytes`);
    }
    const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    if (typeof lockTimeoutMs !== 'number' || !(lockTimeoutMs >= 0) || !Number.isFinite(lockTimeoutMs)) {
      throw new TypeError('FileKeyStore.open: lockTimeoutMs must be a non-negative number');
    }
    const root = await FileKeyStore.#createRoot(resolve(dir));
    const markerPath = join(root, MARKER);
    let markerText = await readIfExists(markerPath);
    if (markerText === undefined) {
      await FileKeyStore.#checkEmpty(root);
      // Initialise under the lock: another process may be doing the same right now.
      const init = new FileKeyStore(root, undefined, lockTimeoutMs);
      await init.#withLock(async () => {
        if ((await readIfExists(markerPath)) !== undefined) return;
        await FileKeyStore.#checkEmpty(root);
        const storeId = randomBytes(16);
        let keyCheck: Uint8Array | undefined;
        if (masterKey !== undefined) {
          const sealer = new Sealer(masterKey, storeId);
          keyCheck = sealer.seal(new Uint8Array(0), KEY_CHECK_AAD);
          sealer.wipe();
        }
        await writeFileAtomic(markerPath, encodeMarker(storeId, keyCheck));
      });
      markerText = await readIfExists(markerPath);
      if (markerText === undefined) throw new Error(`wasm-kms file store: ${markerPath} vanished while opening the store`);
    }
    const marker = decodeMarker(markerPath, markerText);
    let sealer: Sealer | undefined;
    if (marker.keyCheck !== undefined) {
      if (masterKey === undefined) {
        throw new Error(
          `wasm-kms file store: the store at ${root} is sealed; give its master key (WASM_KMS_MASTER_KEY or WASM_KMS_MASTER_KEY_FILE)`,
        );
      }
      sealer = new Sealer(masterKey, marker.storeId);
      if (sealer.open(marker.keyCheck, KEY_CHECK_AAD) === null) {
        sealer.wipe();
        throw new Error(`wasm-kms file store: the master key given is not the one the store at ${root} is sealed with`);
      }
    } else if (masterKey !== undefined) {
      throw new Error(
        `wasm-kms file store: the store at ${root} is not sealed, but a master key was given; ` +
          'open it without one (a store is sealed or not from its creation)',
      );
    }
    return new FileKeyStore(root, sealer, lockTimeoutMs);
  }

  /**
   * Creates the store directory if it is missing, and returns its real path once it is known to
   * be safe (see "Who may write" in the header).
   */
  static async #createRoot(root: string): Promise<string> {
    let created: string | undefined;
    try {
      created = await mkdir(root, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new Error(`wasm-kms file store: cannot create the store directory ${root} (${errorCode(err) ?? String(err)})`);
    }
    if (created !== undefined) {
      await chmod(root, 0o700);
      // Each new level's entry in its parent, from the root up to the first one made.
      for (let d = root; ; d = dirname(d)) {
        await fsyncDir(dirname(d));
        if (d === created || dirname(d) === d) break;
      }
    }
    // A symbolic link as the root is followed once, here: from now on the store uses the real
    // path, so retargeting the link later does not move the store.
    let real: string;
    try {
      real = await realpath(root);
    } catch (err) {
      throw new Error(`wasm-kms file store: cannot resolve the store directory ${root} (${errorCode(err) ?? String(err)})`);
    }
    const s = await lstat(real);
    const named = real === root ? real : `${real} (the target of ${root})`;
    if (!s.isDirectory()) throw new Error(`wasm-kms file store: ${named} is not a directory`);
    checkOwner(named, real, s);
    return real;
  }

  /**
   * Only our own lock and temporary files may be in a directory that has no marker yet, and
   * `lost+found`, which a fresh file system has at its root (a volume mounted as the store).
   */
  static async #checkEmpty(root: string): Promise<void> {
    const foreign = (await readdir(root)).filter(
      (n) => n !== LOCK && n !== BREAK_LOCK && n !== LOST_AND_FOUND && !TEMP_FILE.test(n),
    );
    if (foreign.length > 0) {
      throw new Error(
        `wasm-kms file store: ${root} is not empty and has no ${MARKER}, so it is not a wasm-kms store ` +
          `(found ${join(root, foreign.sort(byName)[0])}); refusing to use it`,
      );
    }
  }

  /** Waits for the writes of this instance, then refuses further use and forgets the key. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue.catch(() => undefined);
    this.#sealer?.wipe();
  }

  #open(): void {
    if (this.#closed) throw new Error(`wasm-kms file store: the store at ${this.dir} is closed`);
  }

  // -- paths

  #recordDir(account: string, region: string, sub: (typeof RECORD_DIRS)[number]): string {
    return join(this.dir, fileName(account), fileName(region), sub);
  }

  #keyPath(account: string, region: string, keyId: string): string {
    return join(this.#recordDir(account, region, KEYS_DIR), `${fileName(keyId)}.json`);
  }

  #aliasPath(account: string, region: string, aliasName: string): string {
    return join(this.#recordDir(account, region, ALIASES_DIR), `${fileName(aliasName)}.json`);
  }

  #cksPath(account: string, region: string, id: string): string {
    return join(this.#recordDir(account, region, CKS_DIR), `${fileName(id)}.json`);
  }

  // -- writing

  /** The transaction of this store's directory that the current async call chain is inside. */
  #held(): Held | undefined {
    const held = chainLocks.getStore()?.get(this.dir);
    return held?.active === true ? held : undefined;
  }

  /**
   * Runs `fn` holding the store's write lock, after this instance's earlier writes. Inside a
   * transaction on this directory the lock is held already: `fn` runs after the transaction's
   * earlier writes, without waiting for the lock again.
   */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.#open();
    const held = this.#held();
    if (held !== undefined) {
      const run = held.writes.then(fn);
      held.writes = run.catch(() => undefined);
      return run;
    }
    const run = this.#queue.then(() => this.#withLock(fn));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Runs `fn` holding the store's cross-process write lock from start to end, so that a record
   * read inside it is still what is on disk when `fn` writes it back: no other process, and no
   * other call in this process (on this instance or another over the same directory), writes in
   * between. Calls of the store's methods made from inside `fn` (on any instance over this
   * directory) run without taking the lock again, their writes one after another; a nested
   * transaction simply runs. Calls from anywhere else wait until `fn` has settled. The lock is
   * released however `fn` ends; what `fn` wrote before an error stays written (this is mutual
   * exclusion, not rollback).
   *
   * Do not await, inside `fn`, a write of this store that was started outside it: that write
   * waits for the transaction, which would wait for it in turn.
   */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    this.#open();
    if (typeof fn !== 'function') throw new TypeError('FileKeyStore.transaction: fn must be a function');
    if (this.#held() !== undefined) return fn();
    return this.#exclusive(async () => {
      const held: Held = { active: true, writes: Promise.resolve() };
      const locks = new Map(chainLocks.getStore());
      locks.set(this.dir, held);
      try {
        return await chainLocks.run(locks, fn);
      } finally {
        // Writes that fn started and did not await still finish under the lock.
        for (let w = held.writes; ; w = held.writes) {
          await w;
          if (w === held.writes) break;
        }
        held.active = false;
      }
    });
  }

  async #withLock<T>(fn: () => Promise<T>): Promise<T> {
    const lockPath = join(this.dir, LOCK);
    const deadline = Date.now() + this.#lockTimeoutMs;
    let recovered = false;
    let wait = 2;
    let token: string;
    for (;;) {
      try {
        token = await createLock(lockPath);
        break;
      } catch (err) {
        if (errorCode(err) !== 'EEXIST') throw err;
      }
      const holder = await readLock(lockPath);
      if (holder.state === 'absent') continue;
      if (isStale(holder)) {
        if (await this.#breakStaleLock(holder)) {
          recovered = true;
          continue;
        }
      }
      if (Date.now() >= deadline) {
        throw new Error(
          `wasm-kms file store: could not take the write lock ${lockPath} within ${this.#lockTimeoutMs} ms: ` +
            `held by ${describeHolder(holder, lockPath)}`,
        );
      }
      await sleep(wait + Math.random() * wait);
      wait = Math.min(wait * 2, 50);
    }
    try {
      // Holding the lock, every temporary file is a leftover: its writer died before its rename.
      if (recovered) await this.#removeTempFiles();
      return await fn();
    } finally {
      await removeLock(lockPath, token);
    }
  }

  /**
   * Removes the stale lock `holder`, serialised under the break lock so that two processes
   * recovering at once cannot remove a lock one of them has just taken. True when the lock is
   * gone (by us or another), false when someone else is breaking it now.
   */
  async #breakStaleLock(holder: LockState): Promise<boolean> {
    const lockPath = join(this.dir, LOCK);
    const breakPath = join(this.dir, BREAK_LOCK);
    let breakToken: string;
    try {
      breakToken = await createLock(breakPath);
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw err;
      const breaker = await readLock(breakPath);
      // A breaker holds this lock for two file operations; one that died holding it is removed.
      if (isStale(breaker)) {
        const again = await readLock(breakPath);
        if (sameLock(again, breaker)) await unlink(breakPath).catch(() => undefined);
      }
      return false;
    }
    try {
      const cur = await readLock(lockPath);
      if (sameLock(cur, holder)) await unlink(lockPath).catch(() => undefined);
      return true;
    } finally {
      await removeLock(breakPath, breakToken);
    }
  }

  /**
   * Removes the temporary files of writers that died (called holding the lock). Below the root
   * every temporary file is a leftover, since records are written only under the lock; in the
   * root, lock files are made without it, so only old ones go: a lock's temporary file lives for
   * milliseconds, and its pid may be in another pid namespace, where it cannot be looked up.
   */
  async #removeTempFiles(): Promise<void> {
    const sweep = async (dir: string, leftover: (path: string) => Promise<boolean>): Promise<string[]> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        const path = join(dir, e.name);
        if (e.isFile() && TEMP_FILE.test(e.name) && (await leftover(path))) await unlink(path).catch(() => undefined);
      }
      return entries.filter((e) => e.isDirectory()).map((e) => join(dir, e.name));
    };
    const all = async (): Promise<boolean> => true;
    const old = async (path: string): Promise<boolean> => {
      const s = await lstat(path).catch(() => undefined);
      return s !== undefined && s.mtimeMs < Date.now() - LOCK_TEMP_MAX_AGE_MS;
    };
    for (const account of await sweep(this.dir, old)) {
      for (const region of await sweep(account, all)) {
        for (const sub of await sweep(region, all)) await sweep(sub, all);
      }
    }
  }

  /**
   * Checks the directories from the root down to `dir` (lstat: a symbolic link is refused, not
   * followed). True when they all exist; false at the first one missing. For reads, a directory
   * found sound is not checked again by this instance: only this user (or root) can change the
   * store's tree, and a read is on the hot path; every write checks anew (#ensureDir).
   */
  async #checkDirs(dir: string, reading = true): Promise<boolean> {
    if (reading && this.#checkedDirs.has(dir)) return true;
    const paths: string[] = [];
    let cur = this.dir;
    for (const part of dir.slice(this.dir.length + 1).split(/[\\/]/)) {
      cur = join(cur, part);
      paths.push(cur);
    }
    // All at once (a read is on the hot path), then judged from the root down.
    const found = await Promise.all(paths.map((p) => lstat(p).catch((err: unknown) => err)));
    for (const [i, s] of found.entries()) {
      if (!(s instanceof Stats)) {
        if (errorCode(s) === 'ENOENT') return false;
        throw s;
      }
      checkStoreDir(paths[i], s);
    }
    this.#checkedDirs.add(dir);
    return true;
  }

  /** Creates `dir` below the store root and any missing parents, 0700, each made durable. */
  async #ensureDir(dir: string): Promise<void> {
    if (await this.#checkDirs(dir, false)) return;
    let cur = this.dir;
    for (const part of dir.slice(this.dir.length + 1).split(/[\\/]/)) {
      const parent = cur;
      cur = join(cur, part);
      try {
        checkStoreDir(cur, await lstat(cur));
        continue;
      } catch (err) {
        if (errorCode(err) !== 'ENOENT') throw err;
      }
      try {
        await mkdir(cur, 0o700);
      } catch (err) {
        if (errorCode(err) !== 'EEXIST') throw err;
        // Made by another writer of this process an instant ago (or planted: checked like any).
        checkStoreDir(cur, await lstat(cur));
        continue;
      }
      await chmod(cur, 0o700);
      await fsyncDir(parent);
    }
  }

  async #write(path: string, kind: Kind, record: Json, extra: Json = {}): Promise<void> {
    const content: Json = { kind, ...extra, record };
    if (this.#sealer !== undefined) content.mac = toBase64(this.#sealer.mac(content));
    const text = JSON.stringify(content, null, 2) + '\n';
    // The record's directory is made on its first write only.
    await this.#ensureDir(dirname(path));
    await writeFileAtomic(path, text);
  }

  // -- reading

  /** The parsed envelope of a record file, or undefined if there is no such file. */
  async #readEnvelope(path: string, kind: Kind): Promise<Decoder | undefined> {
    if (!(await this.#checkDirs(dirname(path)))) return undefined;
    const text = await readRecordFile(path);
    if (text === undefined) return undefined;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw new CorruptFileError(path, 'not JSON');
    }
    const d = Decoder.of(path, v, '');
    this.#checkMac(d);
    if (d.string('kind') !== kind) throw d.bad('kind', `is not "${kind}"`);
    return d;
  }

  /** In a sealed store, the file's record MAC must match its content (see the header); else there is none. */
  #checkMac(d: Decoder): void {
    const given = d.raw('mac');
    if (this.#sealer === undefined) {
      if (given !== undefined) throw d.bad('mac', 'is present, but this store is not sealed');
      return;
    }
    if (given === undefined) throw d.bad('mac', 'is missing (every record file of a sealed store has one)');
    const mac = d.bytes('mac');
    if (mac.length !== MAC_BYTES) throw d.bad('mac', `is not ${MAC_BYTES} bytes`);
    const content: Json = { ...d.obj };
    delete content.mac;
    if (!equalBytes(this.#sealer.mac(content), mac)) {
      throw new CorruptFileError(
        d.file,
        'its record MAC does not match its content under the master key: the file was changed outside wasm-kms, or comes from another store',
      );
    }
  }

  #checkPlace(path: string, expected: string): void {
    if (path !== expected) throw new CorruptFileError(path, `its record belongs at ${expected}`);
  }

  async #readKey(path: string): Promise<KeyRecord | undefined> {
    const d = await this.#readEnvelope(path, 'key');
    if (d === undefined) return undefined;
    const r = decodeKey(path, d.raw('record'), this.#sealer);
    try {
      d.end();
      this.#checkPlace(path, this.#keyPath(r.account, r.region, r.keyId));
    } catch (err) {
      wipeRecord(r);
      throw err;
    }
    return r;
  }

  async #readAlias(path: string): Promise<AliasRecord | undefined> {
    const d = await this.#readEnvelope(path, 'alias');
    if (d === undefined) return undefined;
    const a = decodeAlias(path, d.raw('record'));
    d.end();
    this.#checkPlace(path, this.#aliasPath(a.account, a.region, a.aliasName));
    return a;
  }

  async #readCustomKeyStore(path: string): Promise<{ record: CustomKeyStoreRecord; sequence: number } | undefined> {
    const d = await this.#readEnvelope(path, 'custom-key-store');
    if (d === undefined) return undefined;
    const sequence = d.optInteger('sequence');
    if (sequence === undefined) throw d.bad('sequence', 'is missing');
    const c = decodeCustomKeyStore(path, d.raw('record'));
    d.end();
    this.#checkPlace(path, this.#cksPath(c.account, c.region, c.customKeyStoreId));
    return { record: c, sequence };
  }

  /**
   * The record files of a record directory. Dotfiles are skipped: our temporary files, and what
   * other tools leave (.DS_Store, editor swap files, NFS .nfsXXXX silly renames); any other name
   * that is not `*.json` is refused.
   */
  async #recordFiles(dir: string): Promise<string[]> {
    let names: string[];
    try {
      if (!(await this.#checkDirs(dir))) return [];
      names = await readdir(dir);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return [];
      throw err;
    }
    const files: string[] = [];
    for (const n of names.sort(byName)) {
      if (n.startsWith('.')) continue;
      if (!n.endsWith('.json')) throw new CorruptFileError(join(dir, n), 'not a record file of this store');
      files.push(join(dir, n));
    }
    return files;
  }

  // -- KeyStore

  async getKey(account: string, region: string, keyId: string): Promise<KeyRecord | undefined> {
    this.#open();
    return this.#readKey(this.#keyPath(account, region, keyId));
  }

  async putKey(record: KeyRecord): Promise<void> {
    this.#open();
    const json = encodeKey(record, this.#sealer);
    const path = this.#keyPath(record.account, record.region, record.keyId);
    await this.#exclusive(() => this.#write(path, 'key', json));
  }

  async listKeys(account: string, region: string): Promise<KeyRecord[]> {
    this.#open();
    const files = await this.#recordFiles(this.#recordDir(account, region, KEYS_DIR));
    // When one file fails, the records read (and still being read) are wiped, not dropped.
    const read: KeyRecord[] = [];
    let failed = false;
    try {
      const records = await mapLimit(files, READ_CONCURRENCY, async (f) => {
        const r = await this.#readKey(f);
        if (r !== undefined) {
          if (failed) wipeRecord(r);
          else read.push(r);
        }
        return r;
      });
      return records.filter((r): r is KeyRecord => r !== undefined);
    } catch (err) {
      failed = true;
      for (const r of read) wipeRecord(r);
      throw err;
    }
  }

  async getAlias(account: string, region: string, aliasName: string): Promise<AliasRecord | undefined> {
    this.#open();
    return this.#readAlias(this.#aliasPath(account, region, aliasName));
  }

  async putAlias(record: AliasRecord): Promise<void> {
    this.#open();
    const json = encodeAlias(record);
    const path = this.#aliasPath(record.account, record.region, record.aliasName);
    await this.#exclusive(() => this.#write(path, 'alias', json));
  }

  async deleteAlias(account: string, region: string, aliasName: string): Promise<boolean> {
    this.#open();
    const path = this.#aliasPath(account, region, aliasName);
    return this.#exclusive(async () => {
      // Only a valid alias file is removed: a corrupt one stays for someone to look at.
      if ((await this.#readAlias(path)) === undefined) return false;
      await unlink(path);
      await fsyncDir(dirname(path));
      return true;
    });
  }

  async listAliases(account: string, region: string): Promise<AliasRecord[]> {
    this.#open();
    const files = await this.#recordFiles(this.#recordDir(account, region, ALIASES_DIR));
    const records = await mapLimit(files, READ_CONCURRENCY, (f) => this.#readAlias(f));
    return records.filter((r): r is AliasRecord => r !== undefined);
  }

  async getCustomKeyStore(account: string, region: string, customKeyStoreId: string): Promise<CustomKeyStoreRecord | undefined> {
    this.#open();
    return (await this.#readCustomKeyStore(this.#cksPath(account, region, customKeyStoreId)))?.record;
  }

  async putCustomKeyStore(record: CustomKeyStoreRecord): Promise<void> {
    this.#open();
    const json = encodeCustomKeyStore(record);
    const path = this.#cksPath(record.account, record.region, record.customKeyStoreId);
    await this.#exclusive(async () => {
      // The creation order survives replacement: a new record takes the next sequence number.
      const existing = await this.#readCustomKeyStore(path);
      let sequence = existing?.sequence;
      if (sequence === undefined) {
        const all = await this.#listCustomKeyStores(record.account, record.region);
        sequence = all.reduce((max, c) => Math.max(max, c.sequence), 0) + 1;
      }
      await this.#write(path, 'custom-key-store', json, { sequence });
    });
  }

  async #listCustomKeyStores(account: string, region: string): Promise<{ record: CustomKeyStoreRecord; sequence: number }[]> {
    const files = await this.#recordFiles(this.#recordDir(account, region, CKS_DIR));
    const found = await mapLimit(files, READ_CONCURRENCY, (f) => this.#readCustomKeyStore(f));
    return found.filter((c): c is { record: CustomKeyStoreRecord; sequence: number } => c !== undefined);
  }

  async listCustomKeyStores(account: string, region: string): Promise<CustomKeyStoreRecord[]> {
    this.#open();
    const all = await this.#listCustomKeyStores(account, region);
    all.sort((a, b) => a.sequence - b.sequence || byName(a.record.customKeyStoreId, b.record.customKeyStoreId));
    return all.map((c) => c.record);
  }
}

/**
 * A record file's text, or undefined if there is none. A symbolic link is refused (O_NOFOLLOW
 * where the platform has it): a record is a regular file in its own directory.
 */
async function readRecordFile(path: string): Promise<string | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(path, fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0));
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new CorruptFileError(path, 'it is a symbolic link; the store refuses symbolic links inside its directory');
    throw new Error(`wasm-kms file store: cannot read ${path} (${code ?? String(err)})`);
  }
  try {
    return await fh.readFile('utf8');
  } catch (err) {
    throw new Error(`wasm-kms file store: cannot read ${path} (${errorCode(err) ?? String(err)})`);
  } finally {
    await fh.close();
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw new Error(`wasm-kms file store: cannot read ${path} (${errorCode(err) ?? String(err)})`);
  }
}
