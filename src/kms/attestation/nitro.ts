// Verification of an AWS Nitro Enclaves attestation document, as AWS describes it in
// aws-nitro-enclaves-nsm-api docs/attestation_process.md: a COSE_Sign1 (RFC 9052, CBOR) signed
// with ES384 by the leaf certificate in its payload, whose chain runs from cabundle[0] (a trusted
// root, compared as DER) through the rest of cabundle to that leaf.
//
// Order of the checks: size and CBOR; COSE_Sign1 structure (definite lengths, shortest heads),
// its protected header (exactly alg ES384) and empty unprotected header; the payload's fields, types and sizes; each certificate's encoding, signature algorithm and key
// type; cabundle[0] among the trusted roots (before any signature is verified); names,
// signatures, CA flags, keyUsage and pathLen along the chain; every certificate's validity at the
// verification time and at the document's timestamp; last the COSE signature.

import { getCore, type Core } from '../../core/module.js';
import { digest } from '../../core/symmetric.js';
import { ecdsaVerify } from '../../core/ecdsa.js';
import { ecdsaSignatureDer } from '../../der/ec.js';
import { concatBytes } from '../../der/writer.js';
import { toHex } from '../store.js';
import { CborError, CborMap, CborTagged, cborHead, decodeCbor, type CborValue } from './cbor.js';
import {
  CertificateError,
  KEY_USAGE_BIT,
  bytesEqual,
  hasKeyUsage,
  issuedBy,
  parseCertificate,
  validAt,
  type Certificate,
} from './x509.js';

export { parsePemCertificates } from './x509.js';

export interface NitroAttestation {
  moduleId: string;
  digest: 'SHA384';
  /** ms since the epoch. */
  timestamp: number;
  pcrs: ReadonlyMap<number, Uint8Array>;
  /** DER of the leaf certificate. */
  certificate: Uint8Array;
  /** DER certificates, root first. */
  cabundle: readonly Uint8Array[];
  publicKey?: Uint8Array;
  userData?: Uint8Array;
  nonce?: Uint8Array;
}

export type AttestationFailure = 'malformed' | 'algorithm' | 'signature' | 'chain' | 'untrusted' | 'expired';

/** A refused attestation document: `failure` says why, the message names the field or certificate. */
export class AttestationError extends Error {
  readonly failure: AttestationFailure;

  constructor(failure: AttestationFailure, message: string) {
    super(`attestation document ${failure}: ${message}`);
    this.name = 'AttestationError';
    this.failure = failure;
  }
}

/** The largest AttestationDocument the KMS API accepts. */
export const MAX_ATTESTATION_DOCUMENT_BYTES = 262_144;
/** cabundle entries accepted at most (AWS's documents carry 4); bounds the signatures verified. */
export const MAX_CABUNDLE_ENTRIES = 16;

const ES384 = -35;
const COSE_SIGN1_TAG = 18;
const PAYLOAD_KEYS = new Set([
  'module_id',
  'digest',
  'timestamp',
  'pcrs',
  'certificate',
  'cabundle',
  'public_key',
  'user_data',
  'nonce',
]);

const fail = (failure: AttestationFailure, message: string): never => {
  throw new AttestationError(failure, message);
};

const isBytes = (v: CborValue | undefined): v is Uint8Array => v instanceof Uint8Array;

/** A byte string of `min..max` bytes, copied out. */
function bytesField(v: CborValue | undefined, name: string, min: number, max: number): Uint8Array {
  if (!isBytes(v)) return fail('malformed', `${name} is not a byte string`);
  if (v.length < min || v.length > max) return fail('malformed', `${name} is ${v.length} bytes, not ${min}..${max}`);
  return v.slice();
}

/** An optional byte string: absent or null give undefined. */
function optionalBytes(map: CborMap, name: string, min: number, max: number): Uint8Array | undefined {
  const v = map.get(name);
  return v === undefined || v === null ? undefined : bytesField(v, name, min, max);
}

function parsePayload(payload: Uint8Array): NitroAttestation {
  let map: CborValue;
  try {
    // Nothing in the payload nests deeper than pcrs and cabundle, nor holds more than 32 elements.
    map = decodeCbor(payload, { maxDepth: 2, maxEntries: 32 });
  } catch (err) {
    if (err instanceof CborError) return fail('malformed', `payload: ${err.message}`);
    throw err;
  }
  if (!(map instanceof CborMap)) return fail('malformed', 'payload is not a map');
  for (const [key] of map.entries) {
    if (typeof key !== 'string' || !PAYLOAD_KEYS.has(key)) {
      fail('malformed', `payload has a field not in the attestation document: ${String(key).slice(0, 32)}`);
    }
  }

  const moduleId = map.get('module_id');
  if (typeof moduleId !== 'string' || moduleId.length === 0) fail('malformed', 'module_id is not a non-empty text');

  if (map.get('digest') !== 'SHA384') fail('malformed', 'digest is not "SHA384"');

  const timestamp = map.get('timestamp');
  if (typeof timestamp !== 'number' || timestamp <= 0) fail('malformed', 'timestamp is not an integer > 0');

  const pcrMap = map.get('pcrs');
  if (!(pcrMap instanceof CborMap)) return fail('malformed', 'pcrs is not a map');
  if (pcrMap.size < 1 || pcrMap.size > 32) fail('malformed', `pcrs has ${pcrMap.size} entries, not 1..32`);
  const pcrs = new Map<number, Uint8Array>();
  for (const [index, value] of pcrMap.entries) {
    if (typeof index !== 'number' || index < 0 || index > 31) fail('malformed', 'a pcrs index is not 0..31');
    const n = index as number;
    if (!isBytes(value) || ![32, 48, 64].includes(value.length)) {
      fail('malformed', `pcrs[${n}] is not a byte string of 32, 48 or 64 bytes`);
    }
    pcrs.set(n, (value as Uint8Array).slice());
  }

  const certificate = bytesField(map.get('certificate'), 'certificate', 1, 1024);
  const bundle = map.get('cabundle');
  if (!Array.isArray(bundle)) return fail('malformed', 'cabundle is not an array');
  if (bundle.length < 1 || bundle.length > MAX_CABUNDLE_ENTRIES) {
    fail('malformed', `cabundle has ${bundle.length} entries, not 1..${MAX_CABUNDLE_ENTRIES}`);
  }
  const cabundle = bundle.map((c, i) => bytesField(c, `cabundle[${i}]`, 1, 1024));

  // public_key 1..1024 bytes; user_data and nonce 0..1024: the attestation document's CDDL
  // (user_data = bytes .size (0..1024)), what AWS Nitro hardware signs (documents with 1024-byte
  // user_data and nonce exist), where the prose of the same document says 0..512.
  const publicKey = optionalBytes(map, 'public_key', 1, 1024);
  const userData = optionalBytes(map, 'user_data', 0, 1024);
  const nonce = optionalBytes(map, 'nonce', 0, 1024);

  return {
    moduleId: moduleId as string,
    digest: 'SHA384',
    timestamp: timestamp as number,
    pcrs,
    certificate,
    cabundle,
    ...(publicKey !== undefined && { publicKey }),
    ...(userData !== undefined && { userData }),
    ...(nonce !== undefined && { nonce }),
  };
}

function certificate(der: Uint8Array, name: string): Certificate {
  try {
    return parseCertificate(der);
  } catch (err) {
    if (err instanceof CertificateError) {
      return fail(err.problem === 'algorithm' ? 'algorithm' : 'chain', `${name}: ${err.message}`);
    }
    throw err;
  }
}

/**
 * Certificate signatures that verified, by SHA-256 of the issuer's SubjectPublicKeyInfo followed
 * by the whole certificate (its tbsCertificate and signature included), least recently used first
 * out. One enclave's documents carry the same bundle and leaf for hours, so after the first, only
 * the COSE signature of each new document is checked: 1 P-384 verification in place of 5. What
 * depends on the request (names, CA flags, validity at the time) is checked every time.
 */
const verifiedIssues = new Map<string, true>();
const MAX_VERIFIED_ISSUES = 1024;

function issuedByRemembered(core: Core, cert: Certificate, issuer: Certificate): boolean {
  if (!bytesEqual(cert.issuer, issuer.subject)) return false;
  const id = toHex(digest(core, 'SHA-256', concatBytes(issuer.spki, cert.der)));
  if (verifiedIssues.delete(id)) {
    verifiedIssues.set(id, true);
    return true;
  }
  if (!issuedBy(core, cert, issuer)) return false;
  verifiedIssues.set(id, true);
  if (verifiedIssues.size > MAX_VERIFIED_ISSUES) verifiedIssues.delete(verifiedIssues.keys().next().value as string);
  return true;
}

const SIGNATURE1 = new TextEncoder().encode('Signature1');

/** Sig_structure = ["Signature1", body_protected, external_aad = h'', payload] (RFC 9052 §4.4), CBOR. */
function sigStructure(protectedHeader: Uint8Array, payload: Uint8Array): Uint8Array {
  return concatBytes(
    cborHead(4, 4),
    cborHead(3, SIGNATURE1.length),
    SIGNATURE1,
    cborHead(2, protectedHeader.length),
    protectedHeader,
    cborHead(2, 0),
    cborHead(2, payload.length),
    payload,
  );
}

/**
 * Verifies an attestation document at `now` against the trusted `roots` (DER certificates) and
 * returns its payload; throws AttestationError saying what is wrong.
 */
export function verifyNitroAttestation(
  document: Uint8Array,
  options: { roots: readonly Uint8Array[]; now: Date; core?: () => Core },
): NitroAttestation {
  if (!(document instanceof Uint8Array)) throw new TypeError('document must be a Uint8Array');
  const now = options.now.getTime();
  if (!Number.isFinite(now)) throw new TypeError('now must be a valid Date');
  if (document.length === 0 || document.length > MAX_ATTESTATION_DOCUMENT_BYTES) {
    fail('malformed', `document is ${document.length} bytes, not 1..${MAX_ATTESTATION_DOCUMENT_BYTES}`);
  }

  // COSE_Sign1 = [protected: bstr, unprotected: map, payload: bstr, signature: bstr], tag 18 or untagged.
  // At the COSE level, definite lengths and shortest heads only (as AWS encodes it); at most tag,
  // array and unprotected map nested; 4 elements at most in each.
  let outer: CborValue;
  try {
    outer = decodeCbor(document, { maxDepth: 3, maxEntries: 4, shortestDefinite: true });
  } catch (err) {
    if (err instanceof CborError) return fail('malformed', err.message);
    throw err;
  }
  if (outer instanceof CborTagged) {
    if (outer.tag !== COSE_SIGN1_TAG) fail('malformed', `CBOR tag ${outer.tag} is not COSE_Sign1 (18)`);
    outer = outer.value;
  }
  if (!Array.isArray(outer) || outer.length !== 4) return fail('malformed', 'not a COSE_Sign1 array of 4');
  const [protectedHeader, unprotected, payload, signature] = outer;
  if (!isBytes(protectedHeader)) return fail('malformed', 'COSE protected header is not a byte string');
  if (!(unprotected instanceof CborMap)) return fail('malformed', 'COSE unprotected header is not a map');
  if (!isBytes(payload)) return fail('malformed', 'COSE payload is not a byte string');
  if (!isBytes(signature)) return fail('malformed', 'COSE signature is not a byte string');

  let header: CborValue;
  try {
    header = decodeCbor(protectedHeader, { maxDepth: 2, maxEntries: 8, shortestDefinite: true });
  } catch (err) {
    if (err instanceof CborError) return fail('malformed', `COSE protected header: ${err.message}`);
    throw err;
  }
  if (!(header instanceof CborMap)) return fail('malformed', 'COSE protected header is not a map');
  // AWS's protected header is exactly {1: -35}. Any other label is refused, crit (2) included: an
  // unknown critical label must be refused (RFC 9052 §3.1), and no other one is expected.
  for (const [label] of header.entries) {
    if (label !== 1) {
      fail(
        'malformed',
        `COSE protected header label ${String(label).slice(0, 32)}${label === 2 ? ' (crit)' : ''} not accepted`,
      );
    }
  }
  const alg = header.get(1);
  if (alg !== ES384) fail('algorithm', `COSE alg is ${String(alg).slice(0, 32)}, not ES384 (-35)`);
  // AWS's unprotected header is empty; nothing in it would be covered by the signature.
  if (unprotected.size !== 0) fail('malformed', 'COSE unprotected header is not empty');
  if (signature.length !== 96) fail('malformed', `COSE signature is ${signature.length} bytes, not 96 (ES384 r || s)`);

  const doc = parsePayload(payload);

  // The chain: cabundle[0] (a trusted root), the rest of cabundle, then the leaf.
  const bundle = doc.cabundle.map((der, i) => certificate(der, `cabundle[${i}]`));
  const leaf = certificate(doc.certificate, 'certificate');
  if (!options.roots.some((root) => bytesEqual(root, doc.cabundle[0]))) {
    fail('untrusted', 'cabundle[0] is not a trusted root certificate');
  }
  const core = (options.core ?? getCore)();
  const path = [...bundle, leaf];
  const nameOf = (i: number): string => (i < bundle.length ? `cabundle[${i}]` : 'certificate');
  for (let i = 0; i < bundle.length; i++) {
    const ca = bundle[i];
    if (!ca.ca || !ca.basicConstraintsCritical)
      fail('chain', `${nameOf(i)} is not a CA (critical basicConstraints cA)`);
    if (!hasKeyUsage(ca, KEY_USAGE_BIT.keyCertSign)) fail('chain', `${nameOf(i)} lacks keyUsage keyCertSign`);
    // pathLenConstraint: the CA certificates that may follow this one (RFC 5280 §4.2.1.9).
    const following = bundle.length - 1 - i;
    if (ca.pathLen !== undefined && ca.pathLen < following) {
      fail('chain', `${nameOf(i)} pathLenConstraint ${ca.pathLen} is exceeded (${following} CAs follow)`);
    }
  }
  if (leaf.ca) fail('chain', 'certificate (the leaf) is a CA');
  if (!hasKeyUsage(leaf, KEY_USAGE_BIT.digitalSignature)) fail('chain', 'certificate lacks keyUsage digitalSignature');
  for (let i = 1; i < path.length; i++) {
    if (!issuedByRemembered(core, path[i], path[i - 1]))
      fail('chain', `${nameOf(i)} is not issued by ${nameOf(i - 1)}`);
  }
  for (let i = 0; i < path.length; i++) {
    if (!validAt(path[i], now)) fail('expired', `${nameOf(i)} is not valid at the verification time`);
    if (!validAt(path[i], doc.timestamp)) fail('expired', `${nameOf(i)} is not valid at the document's timestamp`);
  }

  const der = ecdsaSignatureDer(signature.subarray(0, 48), signature.subarray(48));
  const hash = digest(core, 'SHA-384', sigStructure(protectedHeader, payload));
  if (!ecdsaVerify(core, leaf.spki, hash, der))
    fail('signature', 'the COSE signature does not verify with certificate');
  return doc;
}
