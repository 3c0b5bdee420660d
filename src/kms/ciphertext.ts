// The private-key wrapping blob (byte layout and reasons in
// docs/ciphertext-format.md). Real KMS's CiphertextBlob is opaque; this one is ours:
//
//   header = magic "WK" ‖ version ‖ u16 ARN length ‖ ARN (UTF-8) ‖ u8 id length ‖ key material id (ASCII)
//            ‖ salt (32 random bytes) ‖ IV (12 random bytes)
//   blob   = header ‖ AES-256-GCM ciphertext ‖ 16-byte tag
//
// The per-blob key is HKDF-SHA-256(ikm = key material, salt, info = LABEL ‖ version), so a KMS
// key never meets GCM's per-key limit on random IVs. The GCM additional data is the whole
// header followed by the encoded encryption context: any changed byte, or a context that is
// not the same set of pairs, fails authentication. All secret work happens in the WebAssembly
// core; this file only lays out bytes.

import { fillRandom, type Core } from '../core/module.js';
import { hkdfAes256GcmOpen, hkdfAes256GcmSeal, GCM_IV_BYTES, GCM_TAG_BYTES } from '../core/symmetric.js';
import { hasLoneSurrogate } from './unicode.js';

/** The only format version this code writes and reads. */
export const BLOB_VERSION = 1;
/** The two bytes every blob starts with: ASCII "WK". */
export const BLOB_MAGIC = Uint8Array.of(0x57, 0x4b);
export const BLOB_SALT_BYTES = 32;
export const BLOB_IV_BYTES = GCM_IV_BYTES;
export const BLOB_TAG_BYTES = GCM_TAG_BYTES;
/** magic (2) + version (1) + ARN length (2) + id length (1) + salt (32) + IV (12) + tag (16). */
export const BLOB_FIXED_OVERHEAD = 2 + 1 + 2 + 1 + BLOB_SALT_BYTES + BLOB_IV_BYTES + BLOB_TAG_BYTES;
/** Decrypt's limit on CiphertextBlob (AWS KMS API Reference, Decrypt). Not enforced here; the operation checks it. */
export const MAX_CIPHERTEXT_BLOB_BYTES = 6144;
/** KMS limits a key ARN to 2048 characters. */
export const MAX_KEY_ARN_CHARS = 2048;
export const MAX_KEY_MATERIAL_ID_CHARS = 255;
export const KEY_MATERIAL_BYTES = 32;
/** HKDF info = these ASCII bytes followed by the version byte. */
export const HKDF_INFO_LABEL = 'wasm-kms private key blob';

/**
 * A blob that cannot be parsed or does not authenticate. The message is empty, as in AWS's
 * InvalidCiphertextException; `reason` (non-enumerable, so it is not serialized) says why.
 */
export class CiphertextError extends Error {
  declare readonly reason: string;
  constructor(reason: string) {
    super('');
    this.name = 'CiphertextError';
    Object.defineProperty(this, 'reason', { value: reason, enumerable: false, writable: false, configurable: false });
  }
}

export interface BlobHeader {
  version: number;
  keyArn: string;
  keyMaterialId: string;
}

export interface SealInput {
  keyArn: string;
  keyMaterialId: string;
  /** 32 bytes of the KMS key's material. Not modified. */
  keyMaterial: Uint8Array;
  plaintext: Uint8Array;
  encryptionContext?: Record<string, string>;
}

const utf8 = new TextEncoder();
// fatal: malformed UTF-8 throws; ignoreBOM: a leading U+FEFF stays part of the ARN.
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// A lone surrogate would be replaced by U+FFFD when encoded, so two different strings would
// encode alike; such strings are refused instead.

function wellFormed(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`);
  if (hasLoneSurrogate(value)) throw new TypeError(`${name} must be well-formed Unicode (no lone surrogates)`);
  return value;
}

/**
 * UTF-8 of a well-formed string. Context keys and values are mostly ASCII: those are copied
 * byte by byte, which is several times faster than a TextEncoder call for short strings.
 */
function encodeString(value: unknown, name: string): Uint8Array {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`);
  const n = value.length;
  const ascii = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x80) return utf8.encode(wellFormed(name, value));
    ascii[i] = c;
  }
  return ascii;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

function putU32(out: Uint8Array, off: number, v: number): number {
  out[off] = v >>> 24;
  out[off + 1] = (v >>> 16) & 0xff;
  out[off + 2] = (v >>> 8) & 0xff;
  out[off + 3] = v & 0xff;
  return off + 4;
}

/**
 * The encryption context as bytes: u32 pair count, then per pair (sorted by the key's UTF-8
 * bytes) u32 key length ‖ key ‖ u32 value length ‖ value, all big-endian, UTF-8.
 * `{}` and undefined both give 00 00 00 00.
 */
export function encodeEncryptionContext(ctx: Record<string, string> | undefined): Uint8Array {
  if (ctx !== undefined && (ctx === null || typeof ctx !== 'object')) {
    throw new TypeError('encryption context must be an object of strings');
  }
  const keys = ctx === undefined ? [] : Object.keys(ctx);
  // The common cases, no pair or one, need no sorting and no intermediate arrays.
  if (keys.length === 0) return new Uint8Array(4);
  if (keys.length === 1) {
    const key = encodeString(keys[0], 'encryption context key');
    const value = encodeString((ctx as Record<string, string>)[keys[0]], 'encryption context value');
    const out = new Uint8Array(12 + key.length + value.length);
    let off = putU32(out, 0, 1);
    off = putU32(out, off, key.length);
    out.set(key, off);
    off = putU32(out, off + key.length, value.length);
    out.set(value, off);
    return out;
  }
  const pairs = keys.map((k) => ({
    key: encodeString(k, 'encryption context key'),
    value: encodeString((ctx as Record<string, string>)[k], 'encryption context value'),
  }));
  pairs.sort((a, b) => compareBytes(a.key, b.key));
  let size = 4;
  for (const p of pairs) size += 8 + p.key.length + p.value.length;
  const out = new Uint8Array(size);
  let off = putU32(out, 0, pairs.length);
  for (const p of pairs) {
    off = putU32(out, off, p.key.length);
    out.set(p.key, off);
    off += p.key.length;
    off = putU32(out, off, p.value.length);
    out.set(p.value, off);
    off += p.value.length;
  }
  return out;
}

function isKeyMaterialIdByte(b: number): boolean {
  return b >= 0x21 && b <= 0x7e; // printable ASCII, no space
}

// No random bytes are kept between calls: every blob's salt and IV come from one
// getRandomValues request made while sealing that blob. A pool drawn ahead of time would be
// copied by a snapshot of the process (a VM or Lambda SnapStart snapshot, a fork), and every
// copy would then hand out the same salts and IVs.

const infos = new Map<number, Uint8Array>();

/** The HKDF info of a version: the label, then the version byte (built once per version). */
function hkdfInfo(version: number): Uint8Array {
  let info = infos.get(version);
  if (!info) {
    const label = utf8.encode(HKDF_INFO_LABEL);
    info = new Uint8Array(label.length + 1);
    info.set(label, 0);
    info[label.length] = version;
    infos.set(version, info);
  }
  return info;
}

function checkKeyMaterial(keyMaterial: Uint8Array): void {
  if (!(keyMaterial instanceof Uint8Array) || keyMaterial.length !== KEY_MATERIAL_BYTES) {
    throw new RangeError(`key material must be a ${KEY_MATERIAL_BYTES}-byte Uint8Array`);
  }
}

/** The AAD: header ‖ encoded context. */
function additionalData(header: Uint8Array, context: Uint8Array): Uint8Array {
  const aad = new Uint8Array(header.length + context.length);
  aad.set(header, 0);
  aad.set(context, header.length);
  return aad;
}

/** The length of a sealed blob: BLOB_FIXED_OVERHEAD + UTF-8 ARN bytes + id bytes + plaintext bytes. */
export function sealedBlobLength(keyArn: string, keyMaterialId: string, plaintextLength: number): number {
  return BLOB_FIXED_OVERHEAD + utf8.encode(keyArn).length + keyMaterialId.length + plaintextLength;
}

// The header up to the salt (magic, version, ARN, key material id) depends only on the key and
// its material: it is encoded and checked once per pair and kept here. Bounded: cleared when
// full, so a process sealing under very many keys re-encodes now and then.
const PREFIX_CACHE_LIMIT = 1024;
// Keyed by ARN, then material id: looking up the caller's own strings reuses their cached hashes.
const prefixes = new Map<string, Map<string, Uint8Array>>();
let prefixCount = 0;

function headerPrefix(keyArn: string, keyMaterialId: string): Uint8Array {
  const cached = prefixes.get(keyArn)?.get(keyMaterialId);
  if (cached !== undefined) return cached;
  const arn = encodeString(keyArn, 'keyArn'); // a string, well-formed
  if (keyArn.length < 1 || keyArn.length > MAX_KEY_ARN_CHARS) {
    throw new RangeError(`keyArn must be 1 to ${MAX_KEY_ARN_CHARS} characters`);
  }
  if (
    typeof keyMaterialId !== 'string' ||
    keyMaterialId.length < 1 ||
    keyMaterialId.length > MAX_KEY_MATERIAL_ID_CHARS
  ) {
    throw new RangeError(`keyMaterialId must be 1 to ${MAX_KEY_MATERIAL_ID_CHARS} characters`);
  }
  for (let i = 0; i < keyMaterialId.length; i++) {
    if (!isKeyMaterialIdByte(keyMaterialId.charCodeAt(i)))
      throw new RangeError('keyMaterialId must be printable ASCII');
  }
  const prefix = new Uint8Array(2 + 1 + 2 + arn.length + 1 + keyMaterialId.length);
  let off = 0;
  prefix.set(BLOB_MAGIC, off);
  off += BLOB_MAGIC.length;
  prefix[off++] = BLOB_VERSION;
  prefix[off++] = arn.length >>> 8;
  prefix[off++] = arn.length & 0xff;
  prefix.set(arn, off);
  off += arn.length;
  prefix[off++] = keyMaterialId.length;
  for (let i = 0; i < keyMaterialId.length; i++) prefix[off++] = keyMaterialId.charCodeAt(i);
  if (prefixCount >= PREFIX_CACHE_LIMIT) {
    prefixes.clear();
    prefixCount = 0;
  }
  let byId = prefixes.get(keyArn);
  if (byId === undefined) prefixes.set(keyArn, (byId = new Map()));
  byId.set(keyMaterialId, prefix);
  prefixCount++;
  return prefix;
}

/** Encrypts `plaintext` under the key material into a fresh blob (new salt and IV every call). */
export function sealBlob(core: Core, input: SealInput): Uint8Array {
  const { keyArn, keyMaterialId, keyMaterial, plaintext, encryptionContext } = input;
  const prefix = headerPrefix(keyArn, keyMaterialId);
  checkKeyMaterial(keyMaterial);
  if (!(plaintext instanceof Uint8Array)) throw new TypeError('plaintext must be a Uint8Array');
  const context = encodeEncryptionContext(encryptionContext);

  const headerLength = prefix.length + BLOB_SALT_BYTES + BLOB_IV_BYTES;
  const blob = new Uint8Array(headerLength + plaintext.length + BLOB_TAG_BYTES);
  blob.set(prefix, 0);
  let off = prefix.length;
  // Salt and IV: public, but they must be unpredictable and never repeat, so they are drawn
  // for this blob, now (see above: nothing is drawn ahead).
  fillRandom(blob.subarray(off, off + BLOB_SALT_BYTES + BLOB_IV_BYTES));
  const salt = blob.subarray(off, off + BLOB_SALT_BYTES);
  off += BLOB_SALT_BYTES;
  const iv = blob.subarray(off, off + BLOB_IV_BYTES);

  // The per-blob key is derived and used inside the core, in one call; the AAD is the header
  // followed by the encoded context, laid side by side in the core's memory. The core writes
  // ciphertext ‖ tag straight into the blob after the header.
  hkdfAes256GcmSeal(
    core,
    keyMaterial,
    salt,
    hkdfInfo(BLOB_VERSION),
    iv,
    plaintext,
    blob.subarray(0, headerLength),
    context,
    blob.subarray(headerLength),
  );
  return blob;
}

interface ParsedBlob extends BlobHeader {
  headerLength: number;
  salt: Uint8Array;
  iv: Uint8Array;
}

function parse(blob: Uint8Array): ParsedBlob {
  if (!(blob instanceof Uint8Array)) throw new CiphertextError('blob is not a Uint8Array');
  const need = (end: number, what: string): void => {
    if (end > blob.length) throw new CiphertextError(`blob ends inside the ${what}`);
  };
  need(3, 'magic and version');
  if (blob[0] !== BLOB_MAGIC[0] || blob[1] !== BLOB_MAGIC[1]) throw new CiphertextError('bad magic');
  const version = blob[2];
  if (version !== BLOB_VERSION) throw new CiphertextError(`unknown version ${version}`);
  let off = 3;
  need(off + 2, 'ARN length');
  const arnLength = (blob[off] << 8) | blob[off + 1];
  off += 2;
  if (arnLength === 0) throw new CiphertextError('empty key ARN');
  need(off + arnLength, 'key ARN');
  let keyArn: string;
  try {
    keyArn = utf8Strict.decode(blob.subarray(off, off + arnLength));
  } catch {
    throw new CiphertextError('key ARN is not UTF-8');
  }
  if (keyArn.length > MAX_KEY_ARN_CHARS) throw new CiphertextError('key ARN is too long');
  off += arnLength;
  need(off + 1, 'key material id length');
  const idLength = blob[off++];
  if (idLength === 0) throw new CiphertextError('empty key material id');
  need(off + idLength, 'key material id');
  let keyMaterialId = '';
  for (let i = 0; i < idLength; i++) {
    const b = blob[off + i];
    if (!isKeyMaterialIdByte(b)) throw new CiphertextError('key material id is not printable ASCII');
    keyMaterialId += String.fromCharCode(b);
  }
  off += idLength;
  need(off + BLOB_SALT_BYTES, 'salt');
  const salt = blob.slice(off, off + BLOB_SALT_BYTES);
  off += BLOB_SALT_BYTES;
  need(off + BLOB_IV_BYTES, 'IV');
  const iv = blob.slice(off, off + BLOB_IV_BYTES);
  off += BLOB_IV_BYTES;
  need(off + BLOB_TAG_BYTES, 'tag');
  return { version, keyArn, keyMaterialId, headerLength: off, salt, iv };
}

/**
 * The header fields Decrypt needs to find the key before it has the key material. They are
 * not authenticated until openBlob succeeds. Throws CiphertextError on a malformed blob.
 */
export function parseBlobHeader(blob: Uint8Array): BlobHeader {
  const { version, keyArn, keyMaterialId } = parse(blob);
  return { version, keyArn, keyMaterialId };
}

/**
 * The plaintext of a blob sealed under `keyMaterial` with the same encryption context, or a
 * CiphertextError. No plaintext is released unless the tag authenticates.
 */
export function openBlob(
  core: Core,
  blob: Uint8Array,
  keyMaterial: Uint8Array,
  encryptionContext?: Record<string, string>,
): Uint8Array {
  checkKeyMaterial(keyMaterial);
  const parsed = parse(blob);
  let context: Uint8Array;
  try {
    context = encodeEncryptionContext(encryptionContext);
  } catch {
    // A context that cannot be encoded cannot be the one the blob was sealed with.
    throw new CiphertextError('encryption context cannot be encoded');
  }
  const { headerLength, salt, iv, version } = parsed;
  const aad = additionalData(blob.subarray(0, headerLength), context);
  const ciphertext = blob.subarray(headerLength, blob.length - BLOB_TAG_BYTES);
  const tag = blob.subarray(blob.length - BLOB_TAG_BYTES);
  const plaintext = hkdfAes256GcmOpen(core, keyMaterial, salt, hkdfInfo(version), iv, ciphertext, tag, aad);
  if (plaintext === null) throw new CiphertextError('authentication failed');
  return plaintext;
}
