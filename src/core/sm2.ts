// SM3, SM2DSA signatures and SM2PKE encryption with SM2 KMS keys (sm2p256v1), computed in the
// WebAssembly core (assembly/ec/sm2.ts). DER in and out:
//   - signatures: SEQUENCE { r INTEGER, s INTEGER }, as AWS KMS and OpenSSL write them;
//   - ciphertexts: SEQUENCE { x INTEGER, y INTEGER, hash OCTET STRING, ciphertext OCTET STRING }
//     (C1 = (x, y), C3, C2), the GM/T 0009-2012 SM2Cipher that AWS KMS returns for SM2PKE and
//     accepts in Decrypt (KMS developer guide, "SM2 key spec (China Regions only)",
//     SM2OfflineOperationHelper.offlineSM2PKEEncrypt), and that OpenSSL and GmSSL write.

import { ecdsaSignatureDer, parseEcdsaSignatureDer, parseEcPkcs8, parseEcSpki } from '../der/ec.js';
import { DerError, DerReader } from '../der/reader.js';
import { derInteger, derOctetString, derSequence } from '../der/writer.js';
import { Core } from './module.js';
import { checkStatus, CORE_STATUS } from './errors.js';
import { ecFlag, EC_CURVES } from './ec.js';

interface Sm2Exports {
  sm3_digest(ptr: number, len: number, out: number): void;
  sm2_sign(d: number, pub: number, msg: number, len: number, raw: number, outR: number, outS: number): number;
  sm2_verify(pub: number, msg: number, len: number, raw: number, r: number, s: number): number;
  sm2_encrypt(pub: number, msg: number, len: number, outC1: number, outC3: number, outC2: number): number;
  sm2_decrypt(d: number, c1: number, c3: number, c2: number, len: number, out: number): number;
}

/** How Sign and Verify take the message: the message itself, or e = SM3(Z_A || M) (32 bytes). */
export type Sm2MessageType = 'RAW' | 'DIGEST';

/** Thrown by sm2Decrypt for every ciphertext that does not decrypt, whatever the reason. */
export class Sm2DecryptionError extends Error {
  constructor() {
    super('wasm-kms: the SM2PKE ciphertext could not be decrypted');
    this.name = 'Sm2DecryptionError';
  }
}

const SM2_FLAG = ecFlag(EC_CURVES.SM2.id);
const BYTES = 32;
/** The field prime p of sm2p256v1 (GB/T 32918.5-2017). */
const PRIME = 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn;

const sm2x = (x: unknown): Sm2Exports => x as Sm2Exports;

/** SM3 (GB/T 32905-2016) of `data`: 32 bytes. */
export function sm3(core: Core, data: Uint8Array): Uint8Array {
  return core.run(0, (x) => {
    const ptr = core.put(data);
    const out = x.alloc(BYTES);
    sm2x(x).sm3_digest(ptr, data.length, out);
    return core.take(out, BYTES);
  });
}

function messageArgs(message: Uint8Array, messageType: Sm2MessageType, op: string): number {
  if (messageType === 'RAW') return 1;
  if (messageType === 'DIGEST') {
    if (message.length !== BYTES) {
      throw new RangeError(`${op}: an SM2DSA DIGEST is e = SM3(Z_A || M), 32 bytes; got ${message.length}`);
    }
    return 0;
  }
  throw new TypeError(`${op}: messageType must be 'RAW' or 'DIGEST', got ${String(messageType)}`);
}

function requireSm2(curve: string, op: string): void {
  if (curve !== 'SM2') throw new TypeError(`${op} needs an SM2 key, got a ${curve} key`);
}

function bigintTo32(v: bigint): Uint8Array {
  const out = new Uint8Array(BYTES);
  for (let i = BYTES - 1; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

/**
 * An SM2DSA signature (GB/T 32918.2) of `message` with the private key `pkcs8`, DER encoded.
 * RAW: e = SM3(Z_A || M) with the default ID 1234567812345678 (as AWS KMS); DIGEST: message is
 * e. The nonce comes from fresh randomness hedged with d and e (assembly/ec/sm2.ts).
 */
export function sm2Sign(core: Core, pkcs8: Uint8Array, message: Uint8Array, messageType: Sm2MessageType): Uint8Array {
  const raw = messageArgs(message, messageType, 'sm2Sign');
  const key = parseEcPkcs8(pkcs8);
  requireSm2(key.curve, 'sm2Sign');
  try {
    const { r, s } = core.run(SM2_FLAG, (x) => {
      const d = core.put(key.privateKey);
      const pub = key.point ? core.put(key.point.subarray(1)) : 0;
      const msg = core.put(message);
      const outR = x.alloc(BYTES);
      const outS = x.alloc(BYTES);
      checkStatus(
        sm2x(x).sm2_sign(d, pub, msg, message.length, raw, outR, outS),
        'sm2_sign',
        'sm2Sign: the private key is not in [1, n - 2]',
      );
      return { r: core.take(outR, BYTES), s: core.take(outS, BYTES) };
    });
    // SM2DSA signatures are DER like ECDSA's: SEQUENCE { r INTEGER, s INTEGER }.
    return ecdsaSignatureDer(r, s);
  } finally {
    key.privateKey.fill(0);
  }
}

/**
 * Whether `signature` (DER) is a valid SM2DSA signature of `message` under the public key
 * `spki`; false also for a malformed signature.
 */
export function sm2Verify(
  core: Core,
  spki: Uint8Array,
  message: Uint8Array,
  messageType: Sm2MessageType,
  signature: Uint8Array,
): boolean {
  const raw = messageArgs(message, messageType, 'sm2Verify');
  const key = parseEcSpki(spki);
  requireSm2(key.curve, 'sm2Verify');
  // Strict DER; r and s in [1, n - 1] are checked in the core (false outside).
  const sig = parseEcdsaSignatureDer(signature, BYTES);
  if (!sig) return false;
  return core.run(SM2_FLAG, (x) => {
    const pub = core.put(key.point.subarray(1));
    const msg = core.put(message);
    return sm2x(x).sm2_verify(pub, msg, message.length, raw, core.put(sig.r), core.put(sig.s)) === 1;
  });
}

/**
 * SM2PKE encryption (GB/T 32918.4) of `plaintext` (at least one byte) under the public key
 * `spki`: the DER SM2Cipher SEQUENCE { x, y, hash (C3), ciphertext (C2) } that AWS KMS returns.
 */
export function sm2Encrypt(core: Core, spki: Uint8Array, plaintext: Uint8Array): Uint8Array {
  if (plaintext.length === 0) throw new RangeError('sm2Encrypt: the plaintext must not be empty');
  const key = parseEcSpki(spki);
  requireSm2(key.curve, 'sm2Encrypt');
  const { c1, c3, c2 } = core.run(SM2_FLAG, (x) => {
    const pub = core.put(key.point.subarray(1));
    const msg = core.put(plaintext);
    const outC1 = x.alloc(2 * BYTES);
    const outC3 = x.alloc(BYTES);
    const outC2 = x.alloc(plaintext.length);
    checkStatus(
      sm2x(x).sm2_encrypt(pub, msg, plaintext.length, outC1, outC3, outC2),
      'sm2_encrypt',
      'sm2Encrypt: the public key is not a point of the SM2 curve',
    );
    return {
      c1: core.take(outC1, 2 * BYTES),
      c3: core.take(outC3, BYTES),
      c2: core.take(outC2, plaintext.length),
    };
  });
  return derSequence(
    derInteger(c1.subarray(0, BYTES)),
    derInteger(c1.subarray(BYTES)),
    derOctetString(c3),
    derOctetString(c2),
  );
}

/** C1 (x || y), C3 and C2 of a DER SM2Cipher, or undefined when it is not one. */
function parseCiphertext(ciphertext: Uint8Array): { c1: Uint8Array; c3: Uint8Array; c2: Uint8Array } | undefined {
  try {
    const seq = new DerReader(ciphertext).readOnlySequence();
    const x = seq.readInteger();
    const y = seq.readInteger();
    const c3 = seq.readOctetString();
    const c2 = seq.readOctetString();
    seq.expectEnd();
    if (x < 0n || x >= PRIME || y < 0n || y >= PRIME || c3.length !== BYTES || c2.length === 0) return undefined;
    const c1 = new Uint8Array(2 * BYTES);
    c1.set(bigintTo32(x));
    c1.set(bigintTo32(y), BYTES);
    return { c1, c3, c2 };
  } catch (err) {
    if (err instanceof DerError) return undefined;
    throw err;
  }
}

/**
 * SM2PKE decryption (GB/T 32918.4) of a DER SM2Cipher with the private key `pkcs8`. Throws
 * Sm2DecryptionError for any ciphertext that does not decrypt: malformed, C1 not on the curve,
 * an all-zero key stream or a C3 that does not match (compared in constant time in the core).
 */
export function sm2Decrypt(core: Core, pkcs8: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const key = parseEcPkcs8(pkcs8);
  requireSm2(key.curve, 'sm2Decrypt');
  try {
    const parts = parseCiphertext(ciphertext);
    if (!parts) throw new Sm2DecryptionError();
    const { c1, c3, c2 } = parts;
    return core.run(SM2_FLAG, (x) => {
      const d = core.put(key.privateKey);
      const out = x.alloc(c2.length);
      const status = sm2x(x).sm2_decrypt(d, core.put(c1), core.put(c3), core.put(c2), c2.length, out);
      if (status === CORE_STATUS.AUTH_FAILED) throw new Sm2DecryptionError();
      checkStatus(status, 'sm2_decrypt', 'sm2Decrypt: the private key is not in [1, n - 1]');
      return core.take(out, c2.length);
    });
  } finally {
    key.privateKey.fill(0);
  }
}
