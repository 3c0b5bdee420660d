// Sealing (docs/file-store.md, "Sealing"): the master key, AES-256-GCM sealing of the secret
// fields and the record MAC, under keys derived from the master key and the store id.
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { getCore, randomBytes } from '../../core/module.js';
import {
  aes256GcmDecrypt,
  aes256GcmEncrypt,
  GCM_IV_BYTES,
  GCM_TAG_BYTES,
  hkdfSha256,
  hmacSha256,
} from '../../core/symmetric.js';
import { byName, errorCode, fromBase64, utf8, type Json } from './common.js';
import { FORMAT, type Kind } from './names.js';
import { checkKeyFileMode } from './permissions.js';
import { FileStoreError, MasterKeyError } from './errors.js';

export const MASTER_KEY_BYTES = 32;

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
  if (text && file)
    throw new MasterKeyError(
      'MASTER_KEY_INVALID',
      'Both WASM_KMS_MASTER_KEY and WASM_KMS_MASTER_KEY_FILE are set; set only one.',
    );
  if (text) {
    const key = parseMasterKeyText(text);
    if (key === undefined) {
      throw new MasterKeyError(
        'MASTER_KEY_INVALID',
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
      throw new MasterKeyError(
        'MASTER_KEY_INVALID',
        `WASM_KMS_MASTER_KEY_FILE: cannot read ${file} (${errorCode(err) ?? String(err)}).`,
      );
    }
    try {
      // The mode of the file opened (a symbolic link's target), checked before a byte is read.
      checkKeyFileMode(file, fstatSync(fd).mode);
      raw = readFileSync(fd);
    } catch (err) {
      if (err instanceof FileStoreError) throw err;
      throw new MasterKeyError(
        'MASTER_KEY_INVALID',
        `WASM_KMS_MASTER_KEY_FILE: cannot read ${file} (${errorCode(err) ?? String(err)}).`,
      );
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
      throw new MasterKeyError(
        'MASTER_KEY_INVALID',
        `WASM_KMS_MASTER_KEY_FILE: ${file} must hold 32 raw bytes, 64 hex characters or the base64 of 32 bytes.`,
      );
    }
    return key;
  }
  return undefined;
}

const SEAL_INFO = utf8('wasm-kms file key store: sealing key v1');
const MAC_INFO = utf8('wasm-kms file key store: record MAC key v1');
export const MAC_BYTES = 32;
export const KEY_CHECK_AAD = utf8('wasm-kms file key store: key check v1');
export const SEALED_MIN = GCM_IV_BYTES + GCM_TAG_BYTES;

/** Length-prefixed parts, so that no two different lists give the same bytes. */
export function additionalData(parts: readonly string[]): Uint8Array {
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
export function canonicalJson(v: unknown): string {
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
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

export class Sealer {
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

/** Names a record and its secret fields for the additional data of sealing. */
export interface Identity {
  kind: Kind;
  account: string;
  region: string;
  id: string;
}

export const sealParts = (who: Identity, field: string): string[] => [
  FORMAT,
  who.kind,
  who.account,
  who.region,
  who.id,
  field,
];
