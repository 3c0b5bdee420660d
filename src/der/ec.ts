/**
 * Elliptic-curve keys in SubjectPublicKeyInfo (RFC 5480 §2) and PKCS#8
 * PrivateKeyInfo (RFC 5208) form, around the RFC 5915 ECPrivateKey, for the
 * KMS key pair specs ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521,
 * ECC_SECG_P256K1 and SM2.
 *
 * The output is byte for byte what OpenSSL 3 (and so node:crypto) writes:
 * AlgorithmIdentifier { id-ecPublicKey, namedCurve OID } in both structures
 * (SM2 included: it uses id-ecPublicKey with the SM2 curve OID, not a
 * separate algorithm OID), and an ECPrivateKey with version 1, the private
 * key as a fixed-length OCTET STRING, no [0] parameters (the curve is in the
 * AlgorithmIdentifier already) and the [1] public key as an uncompressed
 * point.
 *
 * Only the encodings are checked here: a point is not checked to lie on the
 * curve, nor a private key to be below the group order.
 */
import { DerError, DerReader } from './reader.js';
import { derBitString, derContextExplicit, derIntegerSmall, derOctetString, derSequence } from './writer.js';
import { EC_ALGORITHM_IDENTIFIER_DER } from './constants.js';

/** The curves of the KMS EC key pair specs, by their JOSE / node names where they have one. */
export type EcCurve = 'P-256' | 'P-384' | 'P-521' | 'secp256k1' | 'SM2';

export interface EcCurveInfo {
  /** The namedCurve OBJECT IDENTIFIER, dotted. */
  readonly oid: string;
  /** Bytes of a field element, ceil(log2(p) / 8): the length of X, Y and the private key. */
  readonly fieldBytes: number;
}

/** id-ecPublicKey (RFC 5480 §2.1.1, ANSI X9.62). */
export const EC_PUBLIC_KEY_OID = '1.2.840.10045.2.1';

/** Named-curve OIDs (RFC 5480 §2.1.1.1, SEC 2 §A.2, GM/T 0006) and field sizes. */
export const EC_CURVES: Readonly<Record<EcCurve, EcCurveInfo>> = Object.freeze({
  'P-256': Object.freeze({ oid: '1.2.840.10045.3.1.7', fieldBytes: 32 }), // prime256v1 / secp256r1
  'P-384': Object.freeze({ oid: '1.3.132.0.34', fieldBytes: 48 }), // secp384r1
  'P-521': Object.freeze({ oid: '1.3.132.0.35', fieldBytes: 66 }), // secp521r1
  secp256k1: Object.freeze({ oid: '1.3.132.0.10', fieldBytes: 32 }),
  SM2: Object.freeze({ oid: '1.2.156.10197.1.301', fieldBytes: 32 }), // sm2p256v1
});

const CURVE_BY_OID: ReadonlyMap<string, EcCurve> = new Map(
  (Object.keys(EC_CURVES) as EcCurve[]).map((curve) => [EC_CURVES[curve].oid, curve]),
);

/** ECPrivateKey version ecPrivkeyVer1 (RFC 5915 §3). */
const EC_PRIVATE_KEY_VERSION = 1;

/** Context tags of the ECPrivateKey optional fields, [0] and [1] EXPLICIT (constructed). */
const TAG_PARAMETERS = 0xa0;
const TAG_PUBLIC_KEY = 0xa1;

/**
 * AlgorithmIdentifier { id-ecPublicKey, ECParameters namedCurve } per curve
 * (RFC 5480 §2.1.1). Only ever copied into outputs, never returned.
 */
const ALGORITHM_IDENTIFIERS: ReadonlyMap<EcCurve, Uint8Array> = new Map(
  (Object.keys(EC_CURVES) as EcCurve[]).map((curve) => [curve, EC_ALGORITHM_IDENTIFIER_DER[curve]]),
);

/** The table entry for `curve`, also guarding against strings from untyped callers. */
function curveInfo(curve: EcCurve): EcCurveInfo {
  if (typeof curve !== 'string' || !Object.prototype.hasOwnProperty.call(EC_CURVES, curve)) {
    throw new RangeError(`unsupported EC curve: ${String(curve)}`);
  }
  return EC_CURVES[curve];
}

/** Length of an uncompressed point 04‖X‖Y on a curve with `fieldBytes`-byte coordinates (SEC 1 §2.3.3). */
function pointLength(fieldBytes: number): number {
  return 1 + 2 * fieldBytes;
}

/** Why `point` is not an uncompressed point for the curve, or undefined if it is one. */
function pointProblem(curve: EcCurve, point: Uint8Array): string | undefined {
  const expected = pointLength(EC_CURVES[curve].fieldBytes);
  if (point.length !== expected) {
    return `${curve} uncompressed point must be ${expected} bytes, got ${point.length}`;
  }
  if (point[0] !== 0x04) {
    return `${curve} point must be uncompressed (prefix 0x04), got prefix 0x${point[0].toString(16).padStart(2, '0')}`;
  }
  return undefined;
}

function checkPoint(curve: EcCurve, point: Uint8Array): void {
  const problem = pointProblem(curve, point);
  if (problem !== undefined) throw new RangeError(problem);
}

/**
 * SubjectPublicKeyInfo ::= SEQUENCE { algorithm, subjectPublicKey BIT STRING }
 * with the uncompressed point 04‖X‖Y as the key bits (RFC 5480 §2.2).
 */
export function ecSpki(curve: EcCurve, point: Uint8Array): Uint8Array {
  curveInfo(curve);
  checkPoint(curve, point);
  const t = templates(curve);
  const out = new Uint8Array(t.spki.length);
  out.set(t.spki);
  out.set(point, out.length - point.length);
  return out;
}

/**
 * The fixed bytes of both encodings per curve, made once by the DER writer: for a curve every
 * field has a fixed length, so a key is its curve's template with the scalar and the point
 * written in (the point last in both), which costs a tenth of encoding it afresh. The scalar's
 * place is found from a marker value that occurs once.
 */
interface EcTemplates {
  spki: Uint8Array;
  pkcs8: Uint8Array;
  scalarAt: number;
}
const TEMPLATES = new Map<EcCurve, EcTemplates>();

function templates(curve: EcCurve): EcTemplates {
  let t = TEMPLATES.get(curve);
  if (t) return t;
  const { fieldBytes } = EC_CURVES[curve];
  const point = new Uint8Array(pointLength(fieldBytes));
  point[0] = 0x04;
  const marker = new Uint8Array(fieldBytes).fill(0x5a);
  const pkcs8 = derSequence(
    derIntegerSmall(0),
    ALGORITHM_IDENTIFIERS.get(curve)!,
    derOctetString(
      derSequence(
        derIntegerSmall(EC_PRIVATE_KEY_VERSION),
        derOctetString(marker),
        derContextExplicit(1, derBitString(point)),
      ),
    ),
  );
  let scalarAt = -1;
  for (let i = 0; i + fieldBytes <= pkcs8.length; i++) {
    if (pkcs8.subarray(i, i + fieldBytes).every((b) => b === 0x5a)) {
      if (scalarAt >= 0) throw new Error(`${curve}: the PKCS#8 template marker occurs twice`);
      scalarAt = i;
    }
  }
  if (scalarAt < 0) throw new Error(`${curve}: no PKCS#8 template marker`);
  pkcs8.fill(0, scalarAt, scalarAt + fieldBytes);
  t = { spki: derSequence(ALGORITHM_IDENTIFIERS.get(curve)!, derBitString(point)), pkcs8, scalarAt };
  TEMPLATES.set(curve, t);
  return t;
}

/**
 * PrivateKeyInfo ::= SEQUENCE { version 0, algorithm, privateKey OCTET STRING }
 * (no attributes), the OCTET STRING holding the RFC 5915
 * ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, [1] publicKey }.
 *
 * `privateScalar` is big-endian and may be shorter than the field length
 * (it is left-padded) or longer by leading zero bytes only. `point` is the
 * matching uncompressed public point; it is not recomputed or checked
 * against the scalar.
 */
export function ecPkcs8(curve: EcCurve, privateScalar: Uint8Array, point: Uint8Array): Uint8Array {
  curveInfo(curve);
  checkPoint(curve, point);
  const { fieldBytes } = EC_CURVES[curve];
  // RFC 5915 §3: the scalar as exactly fieldBytes bytes (ceiling(log2(n)/8), which OpenSSL
  // takes as the field length, the same for these curves): shorter input left-padded with
  // zeros, longer input only with leading zero bytes. Written straight into the output: no
  // other copy of the secret is made.
  let start = 0;
  while (start < privateScalar.length && privateScalar[start] === 0) start++;
  const significant = privateScalar.length - start;
  if (significant === 0) throw new RangeError(`${curve} private key must not be zero`);
  if (significant > fieldBytes) {
    throw new RangeError(`${curve} private key must fit in ${fieldBytes} bytes, got ${significant} significant bytes`);
  }
  const t = templates(curve);
  const out = new Uint8Array(t.pkcs8.length);
  out.set(t.pkcs8);
  out.set(privateScalar.subarray(start), t.scalarAt + fieldBytes - significant);
  out.set(point, out.length - point.length);
  return out;
}

/** Public values from an EC SubjectPublicKeyInfo. `point` is a copy. */
export interface EcPublicValues {
  curve: EcCurve;
  /** Uncompressed point 04‖X‖Y. */
  point: Uint8Array;
}

/** Values from an EC PKCS#8 PrivateKeyInfo. Both arrays are copies of the input. */
export interface EcPrivateValues {
  curve: EcCurve;
  /** The private key, exactly the curve's field length in bytes. */
  privateKey: Uint8Array;
  /** Uncompressed point 04‖X‖Y from the optional [1] publicKey, if present. */
  point: Uint8Array | undefined;
}

/** Reads a named-curve OID and maps it to a supported curve. */
function readCurveOid(r: DerReader): EcCurve {
  const oid = r.readOid();
  const curve = CURVE_BY_OID.get(oid);
  if (curve === undefined) throw new DerError(`unsupported EC named curve ${oid}`);
  return curve;
}

/**
 * AlgorithmIdentifier { id-ecPublicKey, namedCurve }. The parameters must be
 * a named curve (RFC 5480 §2.1.1: implicitCurve and specifiedCurve MUST NOT
 * be used).
 */
function readEcAlgorithm(r: DerReader): EcCurve {
  const alg = r.readSequence();
  const oid = alg.readOid();
  if (oid !== EC_PUBLIC_KEY_OID) {
    throw new DerError(`expected id-ecPublicKey (${EC_PUBLIC_KEY_OID}), found ${oid}`);
  }
  if (alg.done) throw new DerError('id-ecPublicKey AlgorithmIdentifier lacks its namedCurve parameters');
  const curve = readCurveOid(alg);
  alg.expectEnd();
  return curve;
}

/** A BIT STRING holding an uncompressed point on `curve`, copied out. */
function readPoint(r: DerReader, curve: EcCurve): Uint8Array {
  const { bytes, unusedBits } = r.readBitString();
  if (unusedBits !== 0) throw new DerError('EC public key BIT STRING has unused bits');
  const problem = pointProblem(curve, bytes);
  if (problem !== undefined) throw new DerError(problem);
  return bytes.slice();
}

/** Parses an EC SubjectPublicKeyInfo with a named curve and an uncompressed point. */
export function parseEcSpki(der: Uint8Array): EcPublicValues {
  const spki = new DerReader(der).readOnlySequence();
  const curve = readEcAlgorithm(spki);
  const point = readPoint(spki, curve);
  spki.expectEnd();
  return { curve, point };
}

/**
 * Parses an EC PKCS#8 PrivateKeyInfo (version 0, no attributes) holding an
 * RFC 5915 ECPrivateKey version 1 with a fixed-length private key. The
 * optional [0] parameters are accepted only if they name the same curve as
 * the AlgorithmIdentifier (RFC 5915 §3); the optional [1] public key, when
 * present, must be an uncompressed point on that curve.
 */
export function parseEcPkcs8(der: Uint8Array): EcPrivateValues {
  const info = new DerReader(der).readOnlySequence();
  const version = info.readInteger();
  if (version !== 0n) throw new DerError(`unsupported PrivateKeyInfo version ${version}`);
  const curve = readEcAlgorithm(info);
  const privateKeyOctets = info.readOctetString();
  info.expectEnd(); // optional attributes [0] are not supported

  const key = new DerReader(privateKeyOctets).readOnlySequence();
  const keyVersion = key.readInteger();
  if (keyVersion !== BigInt(EC_PRIVATE_KEY_VERSION)) {
    throw new DerError(`unsupported ECPrivateKey version ${keyVersion} (only ecPrivkeyVer1)`);
  }
  const scalar = key.readOctetString();
  const { fieldBytes } = EC_CURVES[curve];
  if (scalar.length !== fieldBytes) {
    throw new DerError(`${curve} private key must be ${fieldBytes} bytes, got ${scalar.length}`);
  }
  if (scalar.every((b) => b === 0)) throw new DerError(`${curve} private key is zero`);

  if (key.peekTag() === TAG_PARAMETERS) {
    const params = key.readElement(TAG_PARAMETERS);
    const inner = new DerReader(params.contents);
    const named = readCurveOid(inner);
    inner.expectEnd();
    if (named !== curve) {
      throw new DerError(`ECPrivateKey parameters name ${named}, but the AlgorithmIdentifier names ${curve}`);
    }
  }
  let point: Uint8Array | undefined;
  if (key.peekTag() === TAG_PUBLIC_KEY) {
    const publicKey = key.readElement(TAG_PUBLIC_KEY);
    const inner = new DerReader(publicKey.contents);
    point = readPoint(inner, curve);
    inner.expectEnd();
  }
  key.expectEnd();
  return { curve, privateKey: scalar.slice(), point };
}

/**
 * ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 3279 §2.2.3, SEC 1 §C.8) for
 * r and s given as unsigned big-endian bytes (any length; leading zeros are dropped).
 */
export function ecdsaSignatureDer(r: Uint8Array, s: Uint8Array): Uint8Array {
  const ri = minimalInteger(r);
  const si = minimalInteger(s);
  const body = 4 + ri.length + si.length;
  // At most 2 * (2 + 67) bytes for P-521: a one- or two-byte length.
  const head = body < 0x80 ? 2 : 3;
  const out = new Uint8Array(head + body);
  out[0] = 0x30;
  if (head === 2) out[1] = body;
  else {
    out[1] = 0x81;
    out[2] = body;
  }
  let at = head;
  for (const v of [ri, si]) {
    out[at] = 0x02;
    out[at + 1] = v.length;
    out.set(v, at + 2);
    at += 2 + v.length;
  }
  return out;
}

/** The contents octets of a nonnegative INTEGER (X.690 §8.3): minimal, a 0x00 before a high bit. */
function minimalInteger(v: Uint8Array): Uint8Array {
  let start = 0;
  while (start < v.length - 1 && v[start] === 0) start++;
  const digits = v.subarray(start);
  if (digits.length === 0) return new Uint8Array(1);
  if (digits[0]! & 0x80) {
    const out = new Uint8Array(digits.length + 1);
    out.set(digits, 1);
    return out;
  }
  return digits.slice();
}

/**
 * r and s of a DER ECDSA-Sig-Value as `fieldBytes`-byte big-endian strings, or undefined
 * unless the input is exactly one strict DER encoding: definite minimal lengths, INTEGERs
 * minimal and nonnegative, nothing after the SEQUENCE or inside it after s, and each value
 * short enough for `fieldBytes` bytes (the range [1, n-1] is the core's check).
 */
export function parseEcdsaSignatureDer(
  der: Uint8Array,
  fieldBytes: number,
): { r: Uint8Array; s: Uint8Array } | undefined {
  if (!(der instanceof Uint8Array) || der.length < 2 || der[0] !== 0x30) return undefined;
  const seq = readLength(der, 1);
  if (seq === undefined || seq.end !== der.length) return undefined;
  const r = readUnsignedInteger(der, seq.start, fieldBytes);
  if (r === undefined) return undefined;
  const s = readUnsignedInteger(der, r.next, fieldBytes);
  if (s === undefined || s.next !== der.length) return undefined;
  return { r: r.value, s: s.value };
}

/** A definite DER length at `at` (short form, or 0x81 with a value >= 0x80): contents' bounds. */
function readLength(der: Uint8Array, at: number): { start: number; end: number } | undefined {
  if (at >= der.length) return undefined;
  const first = der[at]!;
  let len: number;
  let start: number;
  if (first < 0x80) {
    len = first;
    start = at + 1;
  } else if (first === 0x81 && at + 1 < der.length && der[at + 1]! >= 0x80) {
    // Longer forms cannot be minimal for a signature of these sizes (under 256 bytes).
    len = der[at + 1]!;
    start = at + 2;
  } else {
    return undefined;
  }
  const end = start + len;
  return end <= der.length ? { start, end } : undefined;
}

function readUnsignedInteger(
  der: Uint8Array,
  at: number,
  fieldBytes: number,
): { value: Uint8Array; next: number } | undefined {
  if (at >= der.length || der[at] !== 0x02) return undefined;
  const body = readLength(der, at + 1);
  if (body === undefined) return undefined;
  const { start, end } = body;
  if (end === start) return undefined; // no contents octets
  if (der[start]! & 0x80) return undefined; // negative
  if (der[start] === 0 && end - start > 1 && !(der[start + 1]! & 0x80)) return undefined; // non-minimal
  const digits = der[start] === 0 ? der.subarray(start + 1, end) : der.subarray(start, end);
  if (digits.length > fieldBytes) return undefined;
  const value = new Uint8Array(fieldBytes);
  value.set(digits, fieldBytes - digits.length);
  return { value, next: end };
}
