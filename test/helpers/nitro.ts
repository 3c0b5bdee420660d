// AWS Nitro Enclaves attestation documents made in the tests: a P-384 test PKI (root ->
// intermediate -> leaf issuer, as AWS's root -> regional -> zonal/instance CAs), a leaf
// certificate per document, and the COSE_Sign1 around the payload, shaped exactly as AWS's
// (untagged, protected header a1013822, empty unprotected map, 96-byte r || s, payload keys in
// AWS's order). Everything here is independent of src/: keys and signatures come from
// node:crypto, the DER and CBOR encoders are the small ones below. Switches tamper with one part
// of a document at a time.
import { createHash, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

// ---------------------------------------------------------------------------------------------
// DER (X.690), just what certificates need.

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const body = concat(...contents);
  const n = body.length;
  let len: number[];
  if (n < 0x80) len = [n];
  else if (n < 0x100) len = [0x81, n];
  else if (n < 0x10000) len = [0x82, n >> 8, n & 0xff];
  else len = [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return concat(Uint8Array.of(tag, ...len), body);
}

const seq = (...parts: Uint8Array[]): Uint8Array => tlv(0x30, ...parts);
const set = (...parts: Uint8Array[]): Uint8Array => tlv(0x31, ...parts);
const explicit = (n: number, inner: Uint8Array): Uint8Array => tlv(0xa0 + n, inner);
const octets = (b: Uint8Array): Uint8Array => tlv(0x04, b);
const bits = (b: Uint8Array, unused = 0): Uint8Array => tlv(0x03, Uint8Array.of(unused), b);
const bool = (v: boolean): Uint8Array => tlv(0x01, Uint8Array.of(v ? 0xff : 0));

function uint(value: number | bigint | Uint8Array): Uint8Array {
  let b: Uint8Array;
  if (value instanceof Uint8Array) b = value;
  else {
    let h = BigInt(value).toString(16);
    if (h.length % 2) h = '0' + h;
    b = new Uint8Array(Buffer.from(h, 'hex'));
  }
  let i = 0;
  while (i < b.length - 1 && b[i] === 0 && b[i + 1] < 0x80) i++;
  b = b.subarray(i);
  return tlv(0x02, b[0] >= 0x80 ? concat(Uint8Array.of(0), b) : b);
}

function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(BigInt);
  const out: number[] = [];
  const push = (v: bigint): void => {
    const digits = [Number(v & 0x7fn)];
    for (v >>= 7n; v > 0n; v >>= 7n) digits.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...digits);
  };
  push(arcs[0] * 40n + arcs[1]);
  for (const a of arcs.slice(2)) push(a);
  return tlv(0x06, Uint8Array.from(out));
}

/** UTCTime for 1950..2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5). */
function time(d: Date): Uint8Array {
  const iso = d.toISOString(); // 2024-09-07T14:37:39.545Z
  const y = d.getUTCFullYear();
  const rest = iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19) + 'Z';
  if (y >= 1950 && y < 2050) return tlv(0x17, new TextEncoder().encode(String(y).slice(2) + rest));
  return tlv(0x18, new TextEncoder().encode(String(y).padStart(4, '0') + rest));
}

const OID = {
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  countryName: '2.5.4.6',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  commonName: '2.5.4.3',
} as const;

/** A Name of (C, O, OU, CN), the attribute order of AWS's root. */
export function x509Name(cn: string, org = 'Test'): Uint8Array {
  const attr = (type: string, value: string, tag: number): Uint8Array =>
    set(seq(oid(type), tlv(tag, new TextEncoder().encode(value))));
  return seq(
    attr(OID.countryName, 'US', 0x13),
    attr(OID.organizationName, org, 0x0c),
    attr(OID.organizationalUnitName, 'wasm-kms tests', 0x0c),
    attr(OID.commonName, cn, 0x0c),
  );
}

export interface CertificateOptions {
  subject: Uint8Array | string;
  issuer: Uint8Array | string;
  /** The certified key (its SPKI DER is taken from it). */
  publicKey: KeyObject;
  /** The issuer's private key (the subject's own for a self-signed root). */
  signer: KeyObject;
  notBefore: Date;
  notAfter: Date;
  serial?: bigint;
  /** basicConstraints: cA (and pathLenConstraint when a number); undefined leaves the extension out. */
  ca?: boolean;
  pathLen?: number;
  /** Whether basicConstraints is marked critical (default true). */
  basicConstraintsCritical?: boolean;
  /** keyUsage bits, as numbers: 0 digitalSignature, 1 nonRepudiation, 5 keyCertSign, 6 cRLSign; undefined: none. */
  keyUsage?: number[];
  /** Further extensions as they go into the certificate. */
  extraExtensions?: { oid: string; critical: boolean; value: Uint8Array }[];
  /** The signature algorithm OID written into the certificate (default ecdsa-with-SHA384). */
  signatureAlgorithm?: string;
  /** X.509 version field value (default 2, i.e. v3). */
  version?: number;
}

function keyUsageBits(list: number[]): Uint8Array {
  let v = 0;
  for (const b of list) v |= 0x8000 >> b;
  const bytes = v & 0xff ? [v >> 8, v & 0xff] : [v >> 8];
  const last = bytes[bytes.length - 1];
  let unused = 0;
  while (unused < 7 && (last & (1 << unused)) === 0) unused++;
  return bits(Uint8Array.from(bytes), last === 0 ? 0 : unused);
}

let serialCounter = 0x1000n;

/** A DER X.509 v3 certificate signed with ECDSA (SHA-384 unless the algorithm says SHA-256). */
export function makeCertificate(o: CertificateOptions): Uint8Array {
  const name = (n: Uint8Array | string): Uint8Array => (typeof n === 'string' ? x509Name(n) : n);
  const sigAlg = o.signatureAlgorithm ?? OID.ecdsaWithSha384;
  const extensions: Uint8Array[] = [];
  const ext = (id: string, critical: boolean, value: Uint8Array): void => {
    extensions.push(seq(oid(id), ...(critical ? [bool(true)] : []), octets(value)));
  };
  if (o.ca !== undefined) {
    const inner: Uint8Array[] = o.ca ? [bool(true)] : [];
    if (o.pathLen !== undefined) inner.push(uint(o.pathLen));
    ext(OID.basicConstraints, o.basicConstraintsCritical ?? true, seq(...inner));
  }
  if (o.keyUsage !== undefined) ext(OID.keyUsage, true, keyUsageBits(o.keyUsage));
  for (const e of o.extraExtensions ?? []) ext(e.oid, e.critical, e.value);
  const spki = new Uint8Array(o.publicKey.export({ type: 'spki', format: 'der' }));
  const tbs = seq(
    explicit(0, uint(o.version ?? 2)),
    uint(o.serial ?? serialCounter++),
    seq(oid(sigAlg)),
    name(o.issuer),
    seq(time(o.notBefore), time(o.notAfter)),
    name(o.subject),
    spki,
    ...(extensions.length ? [explicit(3, seq(...extensions))] : []),
  );
  const hash = sigAlg === OID.ecdsaWithSha256 ? 'sha256' : 'sha384';
  const signature = new Uint8Array(sign(hash, tbs, { key: o.signer, dsaEncoding: 'der' }));
  return seq(tbs, seq(oid(sigAlg)), bits(signature));
}

/** PEM text of DER certificates. */
export function certificatesPem(...ders: Uint8Array[]): string {
  return ders
    .map((der) => {
      const b64 = Buffer.from(der).toString('base64');
      return `-----BEGIN CERTIFICATE-----\n${b64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
    })
    .join('');
}

// ---------------------------------------------------------------------------------------------
// The test PKI.

export const p384 = (): { publicKey: KeyObject; privateKey: KeyObject } =>
  generateKeyPairSync('ec', { namedCurve: 'secp384r1' });

export interface TestPki {
  rootDer: Uint8Array;
  rootPem: string;
  rootKey: KeyObject;
  intermediateDer: Uint8Array;
  intermediateKey: KeyObject;
  /** The CA that issues each document's leaf certificate (AWS's per-instance CA). */
  issuerDer: Uint8Array;
  issuerKey: KeyObject;
  issuerName: Uint8Array;
  /** cabundle of the documents: [root, intermediate, issuer]. */
  cabundle: Uint8Array[];
}

const PKI_NOT_BEFORE = new Date('2020-01-01T00:00:00Z');
const PKI_NOT_AFTER = new Date('2049-12-31T23:59:59Z');

/**
 * A fresh P-384 root -> intermediate -> leaf issuer (CA:TRUE, pathLen 2/1/0 below the root as AWS's).
 * `root` replaces options of the root certificate (e.g. its validity, ca, keyUsage, pathLen).
 */
export function makeTestPki(label = 'wasm-kms test', options: { root?: Partial<CertificateOptions> } = {}): TestPki {
  const root = p384();
  const inter = p384();
  const issuer = p384();
  const rootName = x509Name(`${label} root`);
  const interName = x509Name(`${label} regional`);
  const issuerName = x509Name(`${label} instance`);
  const ca = { notBefore: PKI_NOT_BEFORE, notAfter: PKI_NOT_AFTER, ca: true, keyUsage: [0, 5, 6] };
  const rootDer = makeCertificate({
    ...ca,
    subject: rootName,
    issuer: rootName,
    publicKey: root.publicKey,
    signer: root.privateKey,
    ...options.root,
  });
  const intermediateDer = makeCertificate({
    ...ca,
    pathLen: 1,
    subject: interName,
    issuer: rootName,
    publicKey: inter.publicKey,
    signer: root.privateKey,
  });
  const issuerDer = makeCertificate({
    ...ca,
    pathLen: 0,
    keyUsage: [5],
    subject: issuerName,
    issuer: interName,
    publicKey: issuer.publicKey,
    signer: inter.privateKey,
  });
  return {
    rootDer,
    rootPem: certificatesPem(rootDer),
    rootKey: root.privateKey,
    intermediateDer,
    intermediateKey: inter.privateKey,
    issuerDer,
    issuerKey: issuer.privateKey,
    issuerName,
    cabundle: [rootDer, intermediateDer, issuerDer],
  };
}

// ---------------------------------------------------------------------------------------------
// CBOR (RFC 8949), just what COSE_Sign1 and the payload need.

/** A CBOR tag around a value. */
export class CborTag {
  constructor(
    readonly tag: number,
    readonly value: CborInput,
  ) {}
}
/** An array or map (or byte/text string given as its chunks) written with indefinite length. */
export class CborIndefinite {
  constructor(readonly value: CborInput[] | Map<CborInput, CborInput> | Uint8Array[] | string[]) {}
}
/** Bytes inserted as they are (an already encoded item, or something broken on purpose). */
export class CborRaw {
  constructor(readonly bytes: Uint8Array) {}
}
export type CborInput =
  | number
  | bigint
  | string
  | boolean
  | null
  | undefined
  | Uint8Array
  | CborInput[]
  | Map<CborInput, CborInput>
  | CborTag
  | CborIndefinite
  | CborRaw;

function head(major: number, n: number | bigint): Uint8Array {
  const v = BigInt(n);
  const m = major << 5;
  if (v < 24n) return Uint8Array.of(m | Number(v));
  if (v < 0x100n) return Uint8Array.of(m | 24, Number(v));
  if (v < 0x10000n) return Uint8Array.of(m | 25, Number(v >> 8n), Number(v & 0xffn));
  if (v < 0x100000000n) {
    const b = new Uint8Array(5);
    b[0] = m | 26;
    new DataView(b.buffer).setUint32(1, Number(v));
    return b;
  }
  const b = new Uint8Array(9);
  b[0] = m | 27;
  new DataView(b.buffer).setBigUint64(1, v);
  return b;
}

/** The CBOR encoding of `value` (definite lengths, integers in their shortest form, maps in the order given). */
export function cbor(value: CborInput): Uint8Array {
  if (value instanceof CborRaw) return value.bytes;
  if (value === null) return Uint8Array.of(0xf6);
  if (value === undefined) return Uint8Array.of(0xf7);
  if (value === false) return Uint8Array.of(0xf4);
  if (value === true) return Uint8Array.of(0xf5);
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'number' && !Number.isInteger(value)) throw new TypeError('cbor: integers only');
    const v = BigInt(value);
    return v >= 0n ? head(0, v) : head(1, -1n - v);
  }
  if (typeof value === 'string') {
    const b = new TextEncoder().encode(value);
    return concat(head(3, b.length), b);
  }
  if (value instanceof Uint8Array) return concat(head(2, value.length), value);
  if (Array.isArray(value)) return concat(head(4, value.length), ...value.map(cbor));
  if (value instanceof Map) {
    const parts: Uint8Array[] = [head(5, value.size)];
    for (const [k, v] of value) parts.push(cbor(k), cbor(v));
    return concat(...parts);
  }
  if (value instanceof CborTag) return concat(head(6, value.tag), cbor(value.value));
  const inner = value.value;
  if (inner instanceof Map) {
    const parts: Uint8Array[] = [Uint8Array.of(0xbf)];
    for (const [k, v] of inner) parts.push(cbor(k), cbor(v));
    return concat(...parts, Uint8Array.of(0xff));
  }
  if (inner.length > 0 && inner.every((c) => c instanceof Uint8Array)) {
    return concat(Uint8Array.of(0x5f), ...(inner as Uint8Array[]).map(cbor), Uint8Array.of(0xff));
  }
  if (inner.length > 0 && inner.every((c) => typeof c === 'string')) {
    return concat(Uint8Array.of(0x7f), ...(inner as string[]).map(cbor), Uint8Array.of(0xff));
  }
  return concat(Uint8Array.of(0x9f), ...(inner as CborInput[]).map(cbor), Uint8Array.of(0xff));
}

// ---------------------------------------------------------------------------------------------
// Attestation documents.

/** The payload keys in the order AWS's documents carry them. */
export const PAYLOAD_KEYS = [
  'module_id',
  'digest',
  'timestamp',
  'pcrs',
  'certificate',
  'cabundle',
  'public_key',
  'user_data',
  'nonce',
] as const;
export type PayloadKey = (typeof PAYLOAD_KEYS)[number];

export interface DocumentFields {
  /** The enclave's public_key (an RSA SPKI for Recipient); default: the shared enclave key's SPKI; null: null. */
  publicKey?: Uint8Array | null;
  /** PCRs by index; default 0..15 of 48 bytes (0, 1, 2 and 8 non-zero, the rest zeros). */
  pcrs?: Record<number, Uint8Array>;
  userData?: Uint8Array | null;
  nonce?: Uint8Array | null;
  /** ms since the epoch; default Date.now(). */
  timestamp?: number;
  moduleId?: string;
  /** The leaf certificate's validity; default timestamp - 1 min .. timestamp + 3 h (AWS's leaves live 3 h). */
  leafNotBefore?: Date;
  leafNotAfter?: Date;
  /** Options of the leaf certificate replaced (e.g. keyUsage, ca, signatureAlgorithm, extraExtensions). */
  leaf?: Partial<CertificateOptions>;

  // Tampering switches (one part of an otherwise valid document each).
  /** These payload keys left out. */
  omit?: PayloadKey[];
  /** Payload values replaced by these (any CBOR, e.g. a wrong type or size); keys not in AWS's list are added. */
  payload?: Partial<Record<string, CborInput>>;
  /** The cabundle in place of [root, intermediate, issuer] (the leaf is still signed by pki.issuerKey). */
  cabundle?: Uint8Array[];
  /** The leaf certificate in place of the one made for the document (the COSE is signed with `signer`). */
  certificate?: Uint8Array;
  /** The key that signs the COSE (default the leaf's). */
  signer?: KeyObject;
  /** Protected header bytes (default a1013822 = {1: -35}); or just the alg value. */
  protectedHeader?: Uint8Array;
  alg?: number;
  /** The unprotected header (default an empty map). */
  unprotected?: Map<CborInput, CborInput>;
  /** Flip bit 0 of this payload byte after signing (negative: from the end). */
  flipPayloadByte?: number;
  /** Flip bit 0 of this signature byte after signing. */
  flipSignatureByte?: number;
  /** Flip one bit in the signature value of cabundle[i] (after the bundle is made). */
  tamperBundle?: number;
  /** The signature bytes replaced (e.g. a wrong length). */
  signature?: Uint8Array;
  /** Payload map written with indefinite length (as some real documents are). */
  indefinitePayload?: boolean;
  /** COSE_Sign1 wrapped in tag 18. */
  tagged?: boolean;
  /**
   * Encodings of the COSE level other than AWS's (the signed bytes unchanged): a byte string
   * 'chunked' (indefinite length, two chunks) or 'wide' (its length in an 8-byte head); the array
   * head 'wide' or 'indefinite'; the tag 18 head 'wide' (d8 12).
   */
  coseForm?: {
    protectedHeader?: 'chunked' | 'wide';
    payload?: 'chunked' | 'wide';
    signature?: 'chunked' | 'wide';
    array?: 'wide' | 'indefinite';
    tag?: 'wide';
  };
}

function bstrForm(b: Uint8Array, form: 'chunked' | 'wide' | undefined): CborInput {
  if (form === 'chunked') return new CborIndefinite([b.subarray(0, b.length >> 1), b.subarray(b.length >> 1)]);
  if (form === 'wide') {
    const h = new Uint8Array(9);
    h[0] = 0x5b;
    new DataView(h.buffer).setBigUint64(1, BigInt(b.length));
    return new CborRaw(concat(h, b));
  }
  return b;
}

let sharedEnclave: { spki: Uint8Array; pkcs8: Uint8Array; pem: string } | undefined;

/** An RSA key pair of the enclave (node:crypto): SPKI and PKCS#8 DER, and the PKCS#8 private key as PEM. */
export function enclaveKeyPair(bits = 2048): { spki: Uint8Array; pkcs8: Uint8Array; pem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    spki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
    pkcs8: new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })),
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

/** One RSA-2048 enclave key pair shared by the documents that are not given a public key. */
export function sharedEnclaveKeyPair(): { spki: Uint8Array; pkcs8: Uint8Array; pem: string } {
  return (sharedEnclave ??= enclaveKeyPair(2048));
}

/** The default PCRs: 0..15 of 48 bytes, 0/1/2/8 derived from a label, the others zero. */
export function defaultPcrs(label = 'wasm-kms test image'): Record<number, Uint8Array> {
  const pcrs: Record<number, Uint8Array> = {};
  for (let i = 0; i < 16; i++) {
    pcrs[i] = [0, 1, 2, 8].includes(i)
      ? new Uint8Array(createHash('sha384').update(`${label} PCR${i}`).digest())
      : new Uint8Array(48);
  }
  return pcrs;
}

/** The leaf certificate and its key for a document (exported for tests that build documents by hand). */
export function makeLeaf(
  pki: TestPki,
  timestamp: number,
  fields: Pick<DocumentFields, 'leafNotBefore' | 'leafNotAfter' | 'leaf' | 'moduleId'> = {},
): { der: Uint8Array; key: KeyObject } {
  const leaf = p384();
  const der = makeCertificate({
    subject: x509Name(`${fields.moduleId ?? 'i-0123456789abcdef0-enc0123456789abcdef'}.test`),
    issuer: pki.issuerName,
    publicKey: leaf.publicKey,
    signer: pki.issuerKey,
    notBefore: fields.leafNotBefore ?? new Date(Math.floor(timestamp / 1000) * 1000 - 60_000),
    notAfter: fields.leafNotAfter ?? new Date(Math.floor(timestamp / 1000) * 1000 + 3 * 3600_000),
    ca: false,
    keyUsage: [0, 1],
    ...fields.leaf,
  });
  return { der, key: leaf.privateKey };
}

function flipInSignatureValue(cert: Uint8Array): Uint8Array {
  const out = cert.slice();
  out[out.length - 10] ^= 0x01; // inside the ECDSA s integer at the end of the signature BIT STRING
  return out;
}

/** A COSE_Sign1 attestation document of the test PKI (AWS's shape; see DocumentFields for the switches). */
export function makeAttestationDocument(pki: TestPki, fields: DocumentFields = {}): Uint8Array {
  const timestamp = fields.timestamp ?? Date.now();
  const leaf = makeLeaf(pki, timestamp, fields);
  const certificate = fields.certificate ?? leaf.der;
  let cabundle = fields.cabundle ?? pki.cabundle;
  if (fields.tamperBundle !== undefined) {
    cabundle = cabundle.map((c, i) => (i === fields.tamperBundle ? flipInSignatureValue(c) : c));
  }
  const pcrs = new Map<CborInput, CborInput>();
  for (const [k, v] of Object.entries(fields.pcrs ?? defaultPcrs())) pcrs.set(Number(k), v);
  const values: Record<PayloadKey, CborInput> = {
    module_id: fields.moduleId ?? 'i-0123456789abcdef0-enc0123456789abcdef',
    digest: 'SHA384',
    timestamp,
    pcrs,
    certificate,
    cabundle,
    public_key: fields.publicKey === undefined ? sharedEnclaveKeyPair().spki : fields.publicKey,
    user_data: fields.userData ?? null,
    nonce: fields.nonce ?? null,
  };
  const payloadMap = new Map<CborInput, CborInput>();
  for (const key of PAYLOAD_KEYS) {
    if (fields.omit?.includes(key)) continue;
    payloadMap.set(key, key in (fields.payload ?? {}) ? fields.payload![key] : values[key]);
  }
  for (const [key, value] of Object.entries(fields.payload ?? {})) {
    if (!(PAYLOAD_KEYS as readonly string[]).includes(key)) payloadMap.set(key, value);
  }
  const payload = cbor(fields.indefinitePayload ? new CborIndefinite(payloadMap) : payloadMap);
  const protectedHeader = fields.protectedHeader ?? cbor(new Map([[1, fields.alg ?? -35]]));
  const toBeSigned = cbor(['Signature1', protectedHeader, new Uint8Array(0), payload]);
  const signer = fields.signer ?? leaf.key;
  let signature: Uint8Array = new Uint8Array(sign('sha384', toBeSigned, { key: signer, dsaEncoding: 'ieee-p1363' }));
  if (fields.signature) signature = fields.signature.slice();
  if (fields.flipSignatureByte !== undefined) signature[fields.flipSignatureByte] ^= 0x01;
  const signedPayload = payload.slice();
  if (fields.flipPayloadByte !== undefined) {
    const i = fields.flipPayloadByte < 0 ? signedPayload.length + fields.flipPayloadByte : fields.flipPayloadByte;
    signedPayload[i] ^= 0x01;
  }
  const form = fields.coseForm ?? {};
  const sign1: CborInput[] = [
    bstrForm(protectedHeader, form.protectedHeader),
    fields.unprotected ?? new Map(),
    bstrForm(signedPayload, form.payload),
    bstrForm(signature, form.signature),
  ];
  let array = cbor(form.array === 'indefinite' ? new CborIndefinite(sign1) : sign1);
  if (form.array === 'wide') array = concat(Uint8Array.of(0x98, 4), array.subarray(1));
  if (!fields.tagged) return array;
  return concat(form.tag === 'wide' ? Uint8Array.of(0xd8, 18) : Uint8Array.of(0xd2), array);
}

/** A private key object from PKCS#8 DER (for tests that decrypt what was sent to the enclave). */
export const enclavePrivateKey = (pkcs8: Uint8Array): KeyObject =>
  createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
