// CMS EnvelopedData (RFC 5652 §6) as AWS KMS returns it in CiphertextForRecipient: the secret is
// encrypted with AES-256-CBC under a fresh content-encryption key (CEK), and the CEK with
// RSAES-OAEP-SHA-256 to the RSA public key of an attested enclave (KeyTransRecipientInfo, RFC 5652
// §6.2.1; RSAES-OAEP in CMS: RFC 3560 / RFC 4055).
//
// The shape is the one of the two KMS envelopes in test/vectors/nitro/kms-cms-envelopeddata-parse.json
// (from the unit test of the AWS Nitro Enclaves SDK for C), byte for byte apart from the keys,
// the IV and the ciphertexts:
//
//   ContentInfo            SEQUENCE, indefinite length
//     contentType            id-envelopedData 1.2.840.113549.1.7.3
//     content [0]            indefinite length
//       EnvelopedData          SEQUENCE, indefinite length
//         version                2 (RFC 5652 §6.1: a recipient identified by key identifier)
//         recipientInfos         SET (definite) of one KeyTransRecipientInfo (SEQUENCE, definite):
//           version                2 (rid is a subjectKeyIdentifier)
//           rid                    [0] IMPLICIT SubjectKeyIdentifier, 32 bytes
//           keyEncryptionAlgorithm id-RSAES-OAEP 1.2.840.113549.1.1.7 with explicit parameters:
//                                  [0] sha256 (NULL parameters), [1] mgf1 with sha256 (NULL
//                                  parameters), pSource absent (the empty label)
//           encryptedKey           OCTET STRING, the modulus' length
//         encryptedContentInfo   SEQUENCE, indefinite length
//           contentType            id-data 1.2.840.113549.1.7.1
//           contentEncryptionAlgorithm  aes256-CBC 2.16.840.1.101.3.4.1.42, parameters the IV
//                                  (OCTET STRING, 16 bytes)
//           encryptedContent       [0] IMPLICIT OCTET STRING in the constructed form, indefinite
//                                  length, holding the ciphertext as one OCTET STRING segment
//
// The first vector carries its 48-byte content in one segment; how KMS splits a long content
// into segments is not known from them, so ours always writes one. The second vector uses the
// primitive [0] form instead: parseEnvelope reads both, and any BER (indefinite or definite
// lengths, long-form lengths, constructed strings nested to any depth).
//
// The subjectKeyIdentifier. Facts: both KMS envelopes carry 32 bytes there; the SDK's parser
// (aws_cms_parse_enveloped_data, source/cms.c) skips the rid without reading it, and so does
// OpenSSL's `cms -decrypt -inkey` when no certificate is given (it tries the key on each
// recipient). The enclave keys of the vectors are not published, so what KMS hashes cannot be
// checked. Our choice: SHA-256 of the recipient's SubjectPublicKeyInfo DER, the 32-byte key
// identifier of RFC 7093 §2 method 4; openEnvelope does not compare it (an envelope from KMS
// may identify the key otherwise).

import { getCore, randomBytes, type Core } from '../../core/module.js';
import { aes256CbcDecrypt, aes256CbcEncrypt, digest } from '../../core/symmetric.js';
import { RsaDecryptionError, rsaOaepDecrypt, rsaOaepEncrypt } from '../../core/rsa.js';
import { parseRsaSpki } from '../../der/rsa.js';
import {
  concatBytes,
  derIntegerSmall,
  derNull,
  derOctetString,
  derOid,
  derSequence,
  derTlv,
} from '../../der/writer.js';

/** The object identifiers of the envelope. */
export const CMS_OIDS = {
  envelopedData: '1.2.840.113549.1.7.3',
  data: '1.2.840.113549.1.7.1',
  rsaesOaep: '1.2.840.113549.1.1.7',
  mgf1: '1.2.840.113549.1.1.8',
  pSpecified: '1.2.840.113549.1.1.9',
  sha256: '2.16.840.1.101.3.4.2.1',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
} as const;

const RSA_MIN_BITS = 2048;
const RSA_MAX_BITS = 4096;
const CEK_BYTES = 32;
const IV_BYTES = 16;
/** BER nesting deeper than this is refused (the envelope needs 7 levels). */
const MAX_DEPTH = 32;

/** The recipient's key is not an RSA SubjectPublicKeyInfo of 2048 to 4096 bits with valid values: recipientKeyCheck. */
export class RecipientKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecipientKeyError';
  }
}

/** An envelope that is not the EnvelopedData this module reads, or that does not open. */
export class CmsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CmsError';
  }
}

export interface ParsedEnvelope {
  /** The rid's subjectKeyIdentifier. */
  recipientKeyId: Uint8Array;
  /** The keyEncryptionAlgorithm's OID. */
  keyEncryptionAlgorithm: string;
  encryptedKey: Uint8Array;
  /** The contentEncryptionAlgorithm's OID. */
  contentEncryptionAlgorithm: string;
  /** The contentEncryptionAlgorithm's parameters: the CBC IV. */
  iv: Uint8Array;
  /** The encrypted content, its segments joined. */
  encryptedContent: Uint8Array;
}

// ---- Writing ---------------------------------------------------------------------------------

/** A constructed element with the indefinite length (X.690 §8.1.3.6), ended by two zero octets. */
function indefinite(tag: number, ...parts: Uint8Array[]): Uint8Array {
  return concatBytes(Uint8Array.of(tag, 0x80), ...parts, Uint8Array.of(0, 0));
}

/** RSAES-OAEP-params (RFC 4055 §4.1) for SHA-256 and MGF1-SHA-256, the label empty (pSource absent). */
const OAEP_SHA256_ALGORITHM = derSequence(
  derOid(CMS_OIDS.rsaesOaep),
  derSequence(
    derTlv(0xa0, derSequence(derOid(CMS_OIDS.sha256), derNull())),
    derTlv(0xa1, derSequence(derOid(CMS_OIDS.mgf1), derSequence(derOid(CMS_OIDS.sha256), derNull()))),
  ),
);

/** The bound on a recipient key's public exponent, excluded (the exponents in use are far below it). */
const RSA_MAX_EXPONENT = 1n << 64n;

/**
 * The check of a recipient's key, the one place it is made: `spki` must be an RSA
 * SubjectPublicKeyInfo (DER) whose modulus has 2048 to 4096 bits and is odd, and whose public
 * exponent is odd, at least 3 and below 2^64. Returns the modulus size in bits; RecipientKeyError
 * (naming the property, not the key's bytes) otherwise. The Recipient check of the operations
 * (kms/recipient.ts) makes it before any secret exists, and envelopeForRecipient again.
 */
export function recipientKeyCheck(spki: Uint8Array): number {
  if (!(spki instanceof Uint8Array)) throw new RecipientKeyError('the recipient public key must be a Uint8Array');
  let n: bigint;
  let e: bigint;
  try {
    ({ n, e } = parseRsaSpki(spki));
  } catch {
    throw new RecipientKeyError('the recipient public key is not an RSA SubjectPublicKeyInfo (DER)');
  }
  const bits = n.toString(2).length;
  if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
    throw new RecipientKeyError(
      `the recipient public key is an RSA key of ${bits} bits; it must have ${RSA_MIN_BITS} to ${RSA_MAX_BITS}`,
    );
  }
  if ((n & 1n) === 0n) throw new RecipientKeyError('the modulus of the recipient public key is even');
  if (e < 3n || (e & 1n) === 0n || e >= RSA_MAX_EXPONENT) {
    throw new RecipientKeyError(
      'the public exponent of the recipient public key is not an odd number of at least 3 and below 2^64',
    );
  }
  return bits;
}

/**
 * `content` in a CMS EnvelopedData for the holder of the private key of `recipientSpki` (an RSA
 * SubjectPublicKeyInfo, DER, of 2048 to 4096 bits; RecipientKeyError otherwise: recipientKeyCheck), in
 * the shape KMS returns in CiphertextForRecipient (see the top of this file). The CEK and the IV are fresh
 * random bytes; the CEK is wiped once used.
 */
export function envelopeForRecipient(recipientSpki: Uint8Array, content: Uint8Array, core?: () => Core): Uint8Array {
  recipientKeyCheck(recipientSpki);
  if (!(content instanceof Uint8Array)) throw new TypeError('content must be a Uint8Array');
  const c = typeof core === 'function' ? core() : getCore();
  const cek = randomBytes(CEK_BYTES);
  let encryptedKey: Uint8Array;
  let ciphertext: Uint8Array;
  const iv = randomBytes(IV_BYTES);
  try {
    encryptedKey = rsaOaepEncrypt(c, recipientSpki, 'SHA-256', cek);
    ciphertext = aes256CbcEncrypt(c, cek, iv, content);
  } finally {
    cek.fill(0);
  }
  const recipientKeyId = digest(c, 'SHA-256', recipientSpki);
  const recipientInfo = derSequence(
    derIntegerSmall(2),
    derTlv(0x80, recipientKeyId),
    OAEP_SHA256_ALGORITHM,
    derOctetString(encryptedKey),
  );
  const encryptedContentInfo = indefinite(
    0x30,
    derOid(CMS_OIDS.data),
    derSequence(derOid(CMS_OIDS.aes256Cbc), derOctetString(iv)),
    indefinite(0xa0, derOctetString(ciphertext)),
  );
  const envelopedData = indefinite(0x30, derIntegerSmall(2), derTlv(0x31, recipientInfo), encryptedContentInfo);
  return indefinite(0x30, derOid(CMS_OIDS.envelopedData), indefinite(0xa0, envelopedData));
}

// ---- Reading (BER, X.690 §8) -----------------------------------------------------------------

interface Ber {
  /** The identifier octet (low tag numbers only). */
  tag: number;
  constructed: boolean;
  /** [start, end) of the contents, end-of-contents octets excluded. */
  start: number;
  end: number;
  /** Just past the element (its end-of-contents octets included). */
  next: number;
}

/** The BER element at `pos`, which must end by `limit`. */
function readBer(buf: Uint8Array, pos: number, limit: number, depth: number): Ber {
  if (depth > MAX_DEPTH) throw new CmsError('the envelope is nested too deeply');
  if (pos + 2 > limit) throw new CmsError('the envelope is truncated');
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) throw new CmsError('the envelope uses a high tag number');
  const constructed = (tag & 0x20) !== 0;
  const first = buf[pos + 1]!;
  let at = pos + 2;
  if (first === 0x80) {
    // §8.1.3.6: indefinite length, constructed only; the contents run to an end-of-contents pair.
    if (!constructed) throw new CmsError('the envelope has a primitive element of indefinite length');
    const start = at;
    for (;;) {
      if (at + 2 > limit) throw new CmsError('the envelope is truncated (no end-of-contents)');
      if (buf[at] === 0 && buf[at + 1] === 0) return { tag, constructed, start, end: at, next: at + 2 };
      at = readBer(buf, at, limit, depth + 1).next;
    }
  }
  let length = first;
  if (first > 0x80) {
    // §8.1.3.5: the long form; BER allows leading zero octets, so only the value is bounded.
    const count = first & 0x7f;
    if (first === 0xff) throw new CmsError('the envelope has a reserved length octet');
    if (at + count > limit) throw new CmsError('the envelope is truncated');
    length = 0;
    for (let i = 0; i < count; i++) {
      length = length * 256 + buf[at++]!;
      if (length > limit) throw new CmsError('the envelope is truncated');
    }
  }
  if (length > limit - at) throw new CmsError('the envelope is truncated');
  return { tag, constructed, start: at, end: at + length, next: at + length };
}

/** The elements inside a constructed element. */
function childrenOf(buf: Uint8Array, el: Ber, depth: number): Ber[] {
  if (!el.constructed) throw new CmsError('the envelope has a primitive element where a constructed one belongs');
  const out: Ber[] = [];
  for (let at = el.start; at < el.end;) {
    const child = readBer(buf, at, el.end, depth + 1);
    out.push(child);
    at = child.next;
  }
  return out;
}

/** The next child, which must carry `tag`; `what` names the field in errors. */
function take(list: Ber[], tag: number, what: string): Ber {
  const el = list.shift();
  if (el === undefined || el.tag !== tag) throw new CmsError(`the envelope's ${what} is missing or of the wrong type`);
  return el;
}

/**
 * The value of a string type in either form (§8.7, §8.21): the primitive contents, or the
 * segments of the constructed form (each an OCTET STRING, primitive or constructed) joined.
 */
function stringValue(buf: Uint8Array, el: Ber, depth: number, what: string): Uint8Array {
  if (!el.constructed) return buf.slice(el.start, el.end);
  const parts = childrenOf(buf, el, depth).map((seg) => {
    if ((seg.tag & 0xdf) !== 0x04)
      throw new CmsError(`the envelope's ${what} has a segment that is not an OCTET STRING`);
    return stringValue(buf, seg, depth + 1, what);
  });
  return concatBytes(...parts);
}

function oidValue(buf: Uint8Array, el: Ber, what: string): string {
  if (el.constructed || el.end === el.start) throw new CmsError(`the envelope's ${what} is not an OBJECT IDENTIFIER`);
  const arcs: bigint[] = [];
  let v = 0n;
  for (let i = el.start; i < el.end; i++) {
    v = (v << 7n) | BigInt(buf[i]! & 0x7f);
    if ((buf[i]! & 0x80) === 0) {
      arcs.push(v);
      v = 0n;
    } else if (i === el.end - 1) {
      throw new CmsError(`the envelope's ${what} is a truncated OBJECT IDENTIFIER`);
    }
  }
  const head = arcs[0]!;
  const x = head < 40n ? 0n : head < 80n ? 1n : 2n;
  return [x, head - 40n * x, ...arcs.slice(1)].join('.');
}

function smallInteger(buf: Uint8Array, el: Ber, what: string): number {
  const len = el.end - el.start;
  if (el.constructed || len < 1 || len > 4) throw new CmsError(`the envelope's ${what} is not a small INTEGER`);
  let v = 0;
  for (let i = el.start; i < el.end; i++) v = v * 256 + buf[i]!;
  if (buf[el.start]! & 0x80) throw new CmsError(`the envelope's ${what} is negative`);
  return v;
}

interface FullEnvelope extends ParsedEnvelope {
  /** The keyEncryptionAlgorithm's parameters, undefined when absent. */
  keyEncryptionParameters: { buf: Uint8Array; el: Ber } | undefined;
}

const TAG = { INTEGER: 0x02, OCTET_STRING: 0x04, NULL: 0x05, OID: 0x06, SEQUENCE: 0x30, SET: 0x31 } as const;

function parse(cms: Uint8Array): FullEnvelope {
  if (!(cms instanceof Uint8Array)) throw new TypeError('the envelope must be a Uint8Array');
  const buf = cms;
  const top = readBer(buf, 0, buf.length, 0);
  if (top.next !== buf.length) throw new CmsError('the envelope has bytes after its end');
  if (top.tag !== TAG.SEQUENCE) throw new CmsError('the envelope is not a ContentInfo SEQUENCE');
  const info = childrenOf(buf, top, 0);
  if (oidValue(buf, take(info, TAG.OID, 'contentType'), 'contentType') !== CMS_OIDS.envelopedData) {
    throw new CmsError("the envelope's contentType is not id-envelopedData");
  }
  const explicit = childrenOf(buf, take(info, 0xa0, 'content'), 1);
  if (explicit.length !== 1 || info.length !== 0) throw new CmsError("the envelope's ContentInfo has extra fields");
  const ed = childrenOf(buf, take(explicit, TAG.SEQUENCE, 'EnvelopedData'), 2);
  const version = smallInteger(buf, take(ed, TAG.INTEGER, 'EnvelopedData version'), 'EnvelopedData version');
  if (version !== 0 && version !== 2)
    throw new CmsError(`the envelope's EnvelopedData version ${version} is not 0 or 2`);
  if (ed[0]?.tag === 0xa0) ed.shift(); // originatorInfo: nothing in it concerns key transport
  const recipients = childrenOf(buf, take(ed, TAG.SET, 'recipientInfos'), 3);
  if (recipients.length !== 1) {
    throw new CmsError(`the envelope has ${recipients.length} recipientInfos; one is expected`);
  }
  const ktri = childrenOf(buf, take(recipients, TAG.SEQUENCE, 'KeyTransRecipientInfo'), 4);
  const riVersion = smallInteger(buf, take(ktri, TAG.INTEGER, 'recipient version'), 'recipient version');
  if (riVersion !== 2)
    throw new CmsError(`the envelope's recipient version ${riVersion} is not 2 (subjectKeyIdentifier)`);
  const rid = ktri.shift();
  if (rid === undefined || (rid.tag & 0xdf) !== 0x80) {
    throw new CmsError("the envelope's recipient is not identified by a subjectKeyIdentifier");
  }
  const recipientKeyId = stringValue(buf, rid, 5, 'subjectKeyIdentifier');
  const kea = childrenOf(buf, take(ktri, TAG.SEQUENCE, 'keyEncryptionAlgorithm'), 5);
  const keyEncryptionAlgorithm = oidValue(buf, take(kea, TAG.OID, 'keyEncryptionAlgorithm'), 'keyEncryptionAlgorithm');
  const keaParams = kea.shift();
  if (kea.length !== 0) throw new CmsError("the envelope's keyEncryptionAlgorithm has extra fields");
  const ek = ktri.shift();
  if (ek === undefined || (ek.tag & 0xdf) !== TAG.OCTET_STRING || ktri.length !== 0) {
    throw new CmsError("the envelope's encryptedKey is missing or of the wrong type");
  }
  const encryptedKey = stringValue(buf, ek, 5, 'encryptedKey');
  const eci = childrenOf(buf, take(ed, TAG.SEQUENCE, 'encryptedContentInfo'), 3);
  if (oidValue(buf, take(eci, TAG.OID, 'content type'), 'content type') !== CMS_OIDS.data) {
    throw new CmsError("the envelope's encrypted content type is not id-data");
  }
  const cea = childrenOf(buf, take(eci, TAG.SEQUENCE, 'contentEncryptionAlgorithm'), 4);
  const contentEncryptionAlgorithm = oidValue(
    buf,
    take(cea, TAG.OID, 'contentEncryptionAlgorithm'),
    'contentEncryptionAlgorithm',
  );
  const ivEl = cea.shift();
  if (ivEl === undefined || (ivEl.tag & 0xdf) !== TAG.OCTET_STRING || cea.length !== 0) {
    throw new CmsError("the envelope's contentEncryptionAlgorithm parameters are not an IV (OCTET STRING)");
  }
  const iv = stringValue(buf, ivEl, 5, 'IV');
  const ec = eci.shift();
  if (ec === undefined || (ec.tag & 0xdf) !== 0x80 || eci.length !== 0) {
    throw new CmsError("the envelope's encryptedContent is missing or of the wrong type");
  }
  const encryptedContent = stringValue(buf, ec, 4, 'encryptedContent');
  if (ed[0]?.tag === 0xa1) ed.shift(); // unprotectedAttrs
  if (ed.length !== 0) throw new CmsError("the envelope's EnvelopedData has extra fields");
  return {
    recipientKeyId,
    keyEncryptionAlgorithm,
    encryptedKey,
    contentEncryptionAlgorithm,
    iv,
    encryptedContent,
    keyEncryptionParameters: keaParams && { buf, el: keaParams },
  };
}

/**
 * The fields of a CMS EnvelopedData with one KeyTransRecipientInfo identified by a
 * subjectKeyIdentifier, in BER (indefinite lengths, constructed strings) or DER. The algorithms
 * are returned as found, not checked (openEnvelope checks them). CmsError names the field at fault.
 */
export function parseEnvelope(cms: Uint8Array): ParsedEnvelope {
  const e = parse(cms);
  return {
    recipientKeyId: e.recipientKeyId,
    keyEncryptionAlgorithm: e.keyEncryptionAlgorithm,
    encryptedKey: e.encryptedKey,
    contentEncryptionAlgorithm: e.contentEncryptionAlgorithm,
    iv: e.iv,
    encryptedContent: e.encryptedContent,
  };
}

/** AlgorithmIdentifier { oid, NULL or absent } with the given OID, or false. */
function isHashAlgorithm(buf: Uint8Array, el: Ber, oid: string, depth: number): boolean {
  if (el.tag !== TAG.SEQUENCE) return false;
  const parts = childrenOf(buf, el, depth);
  const id = parts.shift();
  if (id === undefined || id.tag !== TAG.OID || oidValue(buf, id, 'hash algorithm') !== oid) return false;
  const param = parts.shift();
  if (param !== undefined && (param.tag !== TAG.NULL || param.end !== param.start)) return false;
  return parts.length === 0;
}

/** True iff the RSAES-OAEP-params name SHA-256, MGF1 with SHA-256 and the empty label. */
function isOaepSha256(params: FullEnvelope['keyEncryptionParameters']): boolean {
  // Absent or empty parameters mean SHA-1 (RFC 4055 §4.1): refused.
  if (params === undefined || params.el.tag !== TAG.SEQUENCE) return false;
  const { buf } = params;
  const fields = childrenOf(buf, params.el, 6);
  const hash = fields.shift();
  if (hash?.tag !== 0xa0) return false;
  const hashIds = childrenOf(buf, hash, 7);
  if (hashIds.length !== 1 || !isHashAlgorithm(buf, hashIds[0]!, CMS_OIDS.sha256, 8)) return false;
  const mgf = fields.shift();
  if (mgf?.tag !== 0xa1) return false;
  const mgfIds = childrenOf(buf, mgf, 7);
  if (mgfIds.length !== 1 || mgfIds[0]!.tag !== TAG.SEQUENCE) return false;
  const mgfParts = childrenOf(buf, mgfIds[0]!, 8);
  const mgfId = mgfParts.shift();
  if (mgfId === undefined || mgfId.tag !== TAG.OID || oidValue(buf, mgfId, 'mask generation') !== CMS_OIDS.mgf1) {
    return false;
  }
  if (mgfParts.length !== 1 || !isHashAlgorithm(buf, mgfParts[0]!, CMS_OIDS.sha256, 9)) return false;
  const label = fields.shift();
  if (label !== undefined) {
    // [2] pSourceFunc: only pSpecified with an empty label, what "absent" means.
    if (label.tag !== 0xa2) return false;
    const src = childrenOf(buf, label, 7);
    if (src.length !== 1 || src[0]!.tag !== TAG.SEQUENCE) return false;
    const srcParts = childrenOf(buf, src[0]!, 8);
    const srcId = srcParts.shift();
    if (srcId?.tag !== TAG.OID || oidValue(buf, srcId, 'pSource') !== CMS_OIDS.pSpecified) return false;
    const value = srcParts.shift();
    if (value === undefined || (value.tag & 0xdf) !== TAG.OCTET_STRING || srcParts.length !== 0) return false;
    if (stringValue(buf, value, 9, 'label').length !== 0) return false;
  }
  return fields.length === 0;
}

/**
 * The content of an envelope made by envelopeForRecipient, or by KMS for an enclave's key
 * (RSAES-OAEP with SHA-256 and MGF1-SHA-256, AES-256-CBC), opened with the recipient's RSA private
 * key (PKCS#8 DER): what an enclave does with CiphertextForRecipient. CmsError when the envelope
 * is malformed or uses other algorithms, and one CmsError, whatever the reason, when it does not
 * open with this key. The CEK is wiped once used.
 */
export function openEnvelope(cms: Uint8Array, recipientPkcs8: Uint8Array, core?: () => Core): Uint8Array {
  const env = parse(cms);
  if (env.keyEncryptionAlgorithm !== CMS_OIDS.rsaesOaep || !isOaepSha256(env.keyEncryptionParameters)) {
    throw new CmsError("the envelope's keyEncryptionAlgorithm is not RSAES-OAEP with SHA-256 and MGF1-SHA-256");
  }
  if (env.contentEncryptionAlgorithm !== CMS_OIDS.aes256Cbc) {
    throw new CmsError("the envelope's contentEncryptionAlgorithm is not AES-256-CBC");
  }
  if (env.iv.length !== IV_BYTES) throw new CmsError(`the envelope's IV is ${env.iv.length} bytes, not ${IV_BYTES}`);
  const c = typeof core === 'function' ? core() : getCore();
  let cek: Uint8Array | undefined;
  let content: Uint8Array | null = null;
  try {
    cek = rsaOaepDecrypt(c, recipientPkcs8, 'SHA-256', env.encryptedKey);
    if (cek.length === CEK_BYTES) content = aes256CbcDecrypt(c, cek, env.iv, env.encryptedContent);
  } catch (err) {
    // A ciphertext that does not decrypt under this key; anything else (a key that is not an RSA
    // PKCS#8, a failure of the engine) is not the envelope's fault and goes through.
    if (!(err instanceof RsaDecryptionError)) throw err;
  } finally {
    cek?.fill(0);
  }
  if (content === null) throw new CmsError('the envelope does not open with this key');
  return content;
}
