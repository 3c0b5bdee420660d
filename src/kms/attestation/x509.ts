// X.509 (RFC 5280) certificates as the AWS Nitro Enclaves attestation PKI issues them: v3,
// ecdsa-with-SHA384 signatures, P-384 keys, basicConstraints and keyUsage. A strict DER parse
// (src/der) of what a path check needs, and the checks of one certificate against its issuer.
// Signatures are verified by the core (ecdsaVerify, SHA-384 digest).

import type { Core } from '../../core/module.js';
import { digest } from '../../core/symmetric.js';
import { ecdsaVerify } from '../../core/ecdsa.js';
import { DerError, DerReader, type DerElement } from '../../der/reader.js';
import { parseEcSpki } from '../../der/ec.js';

export const ECDSA_WITH_SHA384 = '1.2.840.10045.4.3.3';
const BASIC_CONSTRAINTS = '2.5.29.19';
const KEY_USAGE = '2.5.29.15';

/** Why a certificate is refused: its encoding or content ('malformed'), or its signature algorithm or key type. */
export class CertificateError extends Error {
  constructor(
    readonly problem: 'malformed' | 'algorithm',
    message: string,
  ) {
    super(message);
    this.name = 'CertificateError';
  }
}

/** KeyUsage bits (RFC 5280 §4.2.1.3) by their number. */
export const KEY_USAGE_BIT = { digitalSignature: 0, keyCertSign: 5 } as const;

export interface Certificate {
  /** The whole DER encoding. */
  der: Uint8Array;
  /** The DER of tbsCertificate (what the issuer signed). */
  tbs: Uint8Array;
  /** The DER of the issuer and subject Names (compared as bytes). */
  issuer: Uint8Array;
  subject: Uint8Array;
  /** Validity, ms since the epoch. */
  notBefore: number;
  notAfter: number;
  /** The DER SubjectPublicKeyInfo (a P-384 key). */
  spki: Uint8Array;
  /** basicConstraints: absent means not a CA; pathLen undefined means no limit. */
  ca: boolean;
  basicConstraintsCritical: boolean;
  pathLen: number | undefined;
  /** keyUsage bits, or undefined when the extension is absent. */
  keyUsage: number | undefined;
  /** The DER ECDSA-Sig-Value of the issuer's signature. */
  signature: Uint8Array;
}

const full = (bytes: Uint8Array, el: DerElement): Uint8Array => bytes.subarray(el.offset, el.end);

/** A signature AlgorithmIdentifier that must be ecdsa-with-SHA384 with absent parameters (RFC 5758 §3.2). */
function readSignatureAlgorithm(r: DerReader): void {
  const alg = r.readSequence();
  const oid = alg.readOid();
  if (oid !== ECDSA_WITH_SHA384 || !alg.done) {
    throw new CertificateError('algorithm', `signature algorithm ${oid} is not ecdsa-with-SHA384`);
  }
}

/** UTCTime (YYMMDDHHMMSSZ, 1950..2049) or GeneralizedTime (YYYYMMDDHHMMSSZ), RFC 5280 §4.1.2.5. */
function readTime(r: DerReader): number {
  const el = r.readElement();
  const text = String.fromCharCode(...el.contents);
  let year: number;
  let rest: string;
  if (el.tag === 0x17 && /^\d{12}Z$/.test(text)) {
    const yy = Number(text.slice(0, 2));
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    rest = text.slice(2);
  } else if (el.tag === 0x18 && /^\d{14}Z$/.test(text)) {
    year = Number(text.slice(0, 4));
    rest = text.slice(4);
  } else {
    throw new CertificateError('malformed', 'validity time is neither UTCTime nor GeneralizedTime of RFC 5280');
  }
  const [mo, d, h, mi, s] = [0, 2, 4, 6, 8].map((i) => Number(rest.slice(i, i + 2)));
  const ms = Date.UTC(year, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  // Date.UTC rolls over out-of-range fields (month 13, second 60): such a time is not a valid one.
  if (
    back.getUTCFullYear() !== year ||
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    back.getUTCHours() !== h ||
    back.getUTCMinutes() !== mi ||
    back.getUTCSeconds() !== s
  ) {
    throw new CertificateError('malformed', 'validity time out of range');
  }
  return ms;
}

function readBoolean(r: DerReader): boolean {
  const el = r.readElement(0x01);
  if (el.contents.length !== 1 || (el.contents[0] !== 0x00 && el.contents[0] !== 0xff)) {
    throw new CertificateError('malformed', 'BOOLEAN is not DER');
  }
  return el.contents[0] === 0xff;
}

function parseBasicConstraints(value: Uint8Array): { ca: boolean; pathLen: number | undefined } {
  const r = new DerReader(value).readOnlySequence();
  let ca = false;
  let pathLen: number | undefined;
  if (r.peekTag() === 0x01) ca = readBoolean(r);
  if (r.peekTag() === 0x02) {
    const n = r.readInteger();
    if (n > 255n) throw new CertificateError('malformed', 'basicConstraints pathLenConstraint too large');
    pathLen = Number(n);
  }
  r.expectEnd();
  return { ca, pathLen };
}

function parseKeyUsage(value: Uint8Array): number {
  const r = new DerReader(value);
  const { bytes } = r.readBitString();
  r.expectEnd();
  let v = 0;
  for (let bit = 0; bit < Math.min(bytes.length * 8, 16); bit++) {
    if (bytes[bit >> 3] & (0x80 >> (bit & 7))) v |= 1 << bit;
  }
  return v;
}

function parse(der: Uint8Array): Certificate {
  const cert = new DerReader(der).readOnlySequence();
  const tbsEl = cert.readElement(0x30);
  readSignatureAlgorithm(cert);
  const { bytes: signature, unusedBits } = cert.readBitString();
  if (unusedBits !== 0) throw new CertificateError('malformed', 'signatureValue has unused bits');
  cert.expectEnd();

  const tbs = new DerReader(der, tbsEl.contentsOffset, tbsEl.end);
  const version = tbs.readElement(0xa0);
  const v = new DerReader(der, version.contentsOffset, version.end);
  if (v.readInteger() !== 2n) throw new CertificateError('malformed', 'not an X.509 v3 certificate');
  v.expectEnd();
  tbs.readElement(0x02); // serialNumber: not interpreted
  readSignatureAlgorithm(tbs);
  const issuer = full(der, tbs.readElement(0x30));
  const validity = tbs.readSequence();
  const notBefore = readTime(validity);
  const notAfter = readTime(validity);
  validity.expectEnd();
  const subject = full(der, tbs.readElement(0x30));
  const spki = full(der, tbs.readElement(0x30));
  let curve: string;
  try {
    curve = parseEcSpki(spki).curve;
  } catch (err) {
    if (err instanceof DerError) throw new CertificateError('algorithm', 'subject public key is not an EC key');
    throw err;
  }
  if (curve !== 'P-384') throw new CertificateError('algorithm', `subject public key is ${curve}, not P-384`);
  if (tbs.peekTag() === 0x81) tbs.readElement(0x81); // issuerUniqueID
  if (tbs.peekTag() === 0x82) tbs.readElement(0x82); // subjectUniqueID

  let ca = false;
  let pathLen: number | undefined;
  let basicConstraintsCritical = false;
  let keyUsage: number | undefined;
  if (tbs.peekTag() === 0xa3) {
    const wrapper = tbs.readElement(0xa3);
    const outer = new DerReader(der, wrapper.contentsOffset, wrapper.end);
    const list = outer.readSequence();
    outer.expectEnd();
    if (list.done) throw new CertificateError('malformed', 'empty extensions');
    const seen = new Set<string>();
    while (!list.done) {
      const ext = list.readSequence();
      const id = ext.readOid();
      const critical = ext.peekTag() === 0x01 ? readBoolean(ext) : false;
      const value = ext.readOctetString();
      ext.expectEnd();
      if (seen.has(id)) throw new CertificateError('malformed', `extension ${id} appears twice`);
      seen.add(id);
      if (id === BASIC_CONSTRAINTS) {
        ({ ca, pathLen } = parseBasicConstraints(value));
        basicConstraintsCritical = critical;
      } else if (id === KEY_USAGE) {
        keyUsage = parseKeyUsage(value);
      } else if (critical) {
        // RFC 5280 §4.2: a critical extension that is not understood refuses the certificate.
        throw new CertificateError('malformed', `unknown critical extension ${id}`);
      }
    }
  }
  tbs.expectEnd();
  if (pathLen !== undefined && !ca) throw new CertificateError('malformed', 'pathLenConstraint without cA');
  return {
    der,
    tbs: full(der, tbsEl),
    issuer,
    subject,
    notBefore,
    notAfter,
    spki,
    ca,
    basicConstraintsCritical,
    pathLen,
    keyUsage,
    signature,
  };
}

/** Parses a DER certificate; throws CertificateError (malformed, or not ecdsa-with-SHA384 / P-384). */
export function parseCertificate(der: Uint8Array): Certificate {
  try {
    return parse(der);
  } catch (err) {
    if (err instanceof DerError) throw new CertificateError('malformed', `certificate is not DER: ${err.message}`);
    throw err;
  }
}

/** Whether `cert` names `issuer` as its issuer (Names compared as DER) and carries its valid signature. */
export function issuedBy(core: Core, cert: Certificate, issuer: Certificate): boolean {
  if (!bytesEqual(cert.issuer, issuer.subject)) return false;
  return ecdsaVerify(core, issuer.spki, digest(core, 'SHA-384', cert.tbs), cert.signature);
}

/** Whether `t` (ms) lies within the certificate's validity, both ends included (RFC 5280 §4.1.2.5). */
export const validAt = (cert: Certificate, t: number): boolean => cert.notBefore <= t && t <= cert.notAfter;

export const hasKeyUsage = (cert: Certificate, bit: number): boolean =>
  cert.keyUsage !== undefined && (cert.keyUsage & (1 << bit)) !== 0;

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUE = new Map(Array.from(B64, (c, i) => [c, i] as const));

/** Strict base64 (RFC 4648 §4, padded) to bytes; whitespace is ignored. */
function base64Decode(text: string): Uint8Array {
  const s = text.replace(/\s+/g, '');
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new TypeError('PEM body is not base64');
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) n = (n << 6) | (B64_VALUE.get(s[i + j]) ?? 0);
    for (const shift of [16, 8, 0]) if (o < out.length) out[o++] = (n >> shift) & 0xff;
  }
  return out;
}

/** The DER of each CERTIFICATE block of PEM text (RFC 7468), in order; TypeError when there is none. */
export function parsePemCertificates(pem: string): Uint8Array[] {
  if (typeof pem !== 'string') throw new TypeError('PEM text expected');
  const out: Uint8Array[] = [];
  const block = /-----BEGIN CERTIFICATE-----([^-]*)-----END CERTIFICATE-----/g;
  for (let m = block.exec(pem); m !== null; m = block.exec(pem)) out.push(base64Decode(m[1]));
  if (out.length === 0) throw new TypeError('no CERTIFICATE block in the PEM text');
  return out;
}
