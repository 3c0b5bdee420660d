// verifyNitroAttestation on documents of a test PKI (test/helpers/nitro.ts): the valid one
// verifies with the test root, and each tampered variant (one part changed) is refused with the
// AttestationFailure that names what is wrong.
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AttestationError,
  verifyNitroAttestation,
  type AttestationFailure,
  type NitroAttestation,
} from '../../../src/kms/attestation/nitro.js';
import { AWS_NITRO_ENCLAVES_ROOT_G1 } from '../../../src/kms/attestation/aws-nitro-root.js';
import {
  CborIndefinite,
  CborRaw,
  cbor,
  defaultPcrs,
  enclaveKeyPair,
  makeAttestationDocument,
  makeCertificate,
  makeLeaf,
  makeTestPki,
  p384,
  sharedEnclaveKeyPair,
  x509Name,
  type CborInput,
  type CertificateOptions,
  type DocumentFields,
} from '../../helpers/nitro.js';
import { hex } from '../../helpers/hex.js';

const pki = makeTestPki();
const T = Date.parse('2026-06-01T12:00:00.000Z');
const NOW = new Date(T + 5 * 60_000);
const roots = [pki.rootDer];

const make = (fields: DocumentFields = {}): Uint8Array => makeAttestationDocument(pki, { timestamp: T, ...fields });
const verify = (doc: Uint8Array, now = NOW, r: readonly Uint8Array[] = roots): NitroAttestation =>
  verifyNitroAttestation(doc, { roots: r, now });

function failureOf(fn: () => unknown): AttestationFailure | 'none' {
  try {
    fn();
    return 'none';
  } catch (err) {
    if (err instanceof AttestationError) return err.failure;
    throw err;
  }
}
const refused = (fields: DocumentFields, now = NOW): AttestationFailure | 'none' =>
  failureOf(() => verify(make(fields), now));

describe('valid test documents', () => {
  it('verify with the test root and give back every field', () => {
    const key = enclaveKeyPair(2048);
    const pcrs: Record<number, Uint8Array> = {
      ...defaultPcrs('image A'),
      16: new Uint8Array(48).fill(7),
      31: new Uint8Array(64).fill(9),
    };
    const att = verify(
      make({
        publicKey: key.spki,
        pcrs,
        userData: Uint8Array.of(1, 2, 3),
        nonce: new Uint8Array(16).fill(5),
        moduleId: 'i-0aaaabbbbccccdddd-enc0123456789abcdef',
      }),
    );
    expect(att.moduleId).toBe('i-0aaaabbbbccccdddd-enc0123456789abcdef');
    expect(att.timestamp).toBe(T);
    expect(hex(att.publicKey!)).toBe(hex(key.spki));
    expect(hex(att.userData!)).toBe('010203');
    expect(hex(att.nonce!)).toBe('05'.repeat(16));
    expect([...att.pcrs.keys()]).toEqual([...Array.from({ length: 16 }, (_, i) => i), 16, 31]);
    expect(hex(att.pcrs.get(0)!)).toBe(hex(pcrs[0]));
    expect(att.cabundle.map(hex)).toEqual(pki.cabundle.map(hex));
  });

  it('verify tagged (COSE tag 18), with an indefinite-length payload map, and with public_key, user_data, nonce null', () => {
    expect(() => verify(make({ tagged: true }))).not.toThrow();
    expect(() => verify(make({ indefinitePayload: true }))).not.toThrow();
    const att = verify(make({ publicKey: null }));
    expect(att.publicKey).toBeUndefined();
    expect(att.userData).toBeUndefined();
    expect(att.nonce).toBeUndefined();
    const omitted = verify(make({ omit: ['public_key', 'user_data', 'nonce'] }));
    expect(omitted.publicKey).toBeUndefined();
  });

  it('verify at the edges of every validity: the leaf notBefore/notAfter, and the timestamp inside them', () => {
    const leafNotBefore = new Date(T - 60_000);
    const leafNotAfter = new Date(T + 3 * 3600_000);
    const doc = make({ leafNotBefore, leafNotAfter });
    expect(() => verify(doc, leafNotAfter)).not.toThrow();
    expect(() => verify(doc, new Date(T))).not.toThrow();
    expect(failureOf(() => verify(doc, new Date(leafNotAfter.getTime() + 1000)))).toBe('expired');
    expect(failureOf(() => verify(doc, new Date(leafNotBefore.getTime() - 1000)))).toBe('expired');
  });

  it('are not verified by AWS root', () => {
    expect(failureOf(() => verify(make(), NOW, [AWS_NITRO_ENCLAVES_ROOT_G1]))).toBe('untrusted');
  });
});

describe('tampered test documents', () => {
  it('a flipped payload bit inside a value, or a flipped signature bit: signature', () => {
    // The last payload byte: inside the nonce.
    expect(refused({ nonce: new Uint8Array(16), flipPayloadByte: -1 })).toBe('signature');
    const doc = make();
    const pcr0 = Buffer.from(doc).indexOf(Buffer.from(defaultPcrs()[0]));
    const changed = doc.slice();
    changed[pcr0 + 10] ^= 0x80;
    expect(failureOf(() => verify(changed))).toBe('signature');
    for (const i of [0, 47, 48, 95]) expect(refused({ flipSignatureByte: i })).toBe('signature');
  });

  it('signed by a key other than the leaf: signature', () => {
    expect(refused({ signer: p384().privateKey })).toBe('signature');
    expect(refused({ signer: pki.issuerKey })).toBe('signature');
  });

  it('a signature of the wrong size: malformed; r or s zero: signature', () => {
    expect(refused({ signature: new Uint8Array(95) })).toBe('malformed');
    expect(refused({ signature: new Uint8Array(104) })).toBe('malformed');
    expect(refused({ signature: new Uint8Array(96) })).toBe('signature');
  });

  it('a certificate of the bundle changed: untrusted for the root, chain for the others', () => {
    expect(refused({ tamperBundle: 0 })).toBe('untrusted');
    expect(refused({ tamperBundle: 1 })).toBe('chain');
    expect(refused({ tamperBundle: 2 })).toBe('chain');
  });

  it('a chain whose signatures verified before (remembered) is still refused when one of them changes', () => {
    // The same bundle and leaf, verified twice: the second time from the remembered signatures.
    verify(make());
    expect(verify(make()).moduleId).toBeTypeOf('string');
    expect(refused({ tamperBundle: 1 })).toBe('chain');
    expect(refused({ tamperBundle: 2 })).toBe('chain');
    // The remembered leaf under a second, valid instance CA of the same name with another key,
    // issued by the same intermediate: the leaf was not signed by that key.
    const twinKey = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const twin = makeCertificate({
      subject: pki.issuerName,
      issuer: x509Name('wasm-kms test regional'),
      publicKey: twinKey.publicKey,
      signer: pki.intermediateKey,
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2049-12-31T23:59:59Z'),
      ca: true,
      pathLen: 0,
      keyUsage: [5],
    });
    const leaf = makeLeaf(pki, T);
    expect(refused({ certificate: leaf.der, signer: leaf.key })).toBe('none');
    const twinBundle = [pki.rootDer, pki.intermediateDer, twin];
    expect(refused({ cabundle: twinBundle, certificate: leaf.der, signer: leaf.key })).toBe('chain');
    // The twin itself chains: a leaf it signs verifies.
    expect(refused({ cabundle: twinBundle, leaf: { signer: twinKey.privateKey } })).toBe('none');
  });

  it('the bundle out of order, missing a CA, or rooted elsewhere', () => {
    expect(refused({ cabundle: [pki.rootDer, pki.issuerDer, pki.intermediateDer] })).toBe('chain');
    expect(refused({ cabundle: [pki.rootDer, pki.issuerDer] })).toBe('chain');
    expect(refused({ cabundle: [pki.rootDer, pki.intermediateDer] })).toBe('chain');
    expect(refused({ cabundle: [pki.intermediateDer, pki.issuerDer] })).toBe('untrusted');
    const other = makeTestPki('other');
    expect(refused({ cabundle: [other.rootDer, pki.intermediateDer, pki.issuerDer] })).toBe('untrusted');
    expect(
      failureOf(() =>
        verify(make({ cabundle: [other.rootDer, pki.intermediateDer, pki.issuerDer] }), NOW, [other.rootDer]),
      ),
    ).toBe('chain');
  });

  it('a root not trusted: untrusted (even with the same names and a valid chain of its own)', () => {
    const other = makeTestPki();
    expect(failureOf(() => verify(makeAttestationDocument(other, { timestamp: T })))).toBe('untrusted');
    expect(() => verify(makeAttestationDocument(other, { timestamp: T }), NOW, [other.rootDer])).not.toThrow();
  });

  it('an expired or not yet valid leaf, and a timestamp outside the leaf validity: expired', () => {
    expect(refused({ leafNotAfter: new Date(T + 60_000) }, new Date(T + 61_000))).toBe('expired');
    expect(refused({ leafNotBefore: new Date(T + 10 * 60_000) })).toBe('expired');
    // Valid now, but not when the document says it was made.
    expect(refused({ leafNotBefore: new Date(T + 1000), leafNotAfter: new Date(T + 3600_000) })).toBe('expired');
    expect(
      refused({ leafNotBefore: new Date(T - 3600_000), leafNotAfter: new Date(T - 1000) }, new Date(T - 2000)),
    ).toBe('expired');
  });

  it('a CA of the chain expired at the verification time: expired', () => {
    const inter = p384();
    const intermediateDer = makeCertificate({
      subject: x509Name('wasm-kms test regional'),
      issuer: x509Name('wasm-kms test root'),
      publicKey: inter.publicKey,
      signer: pki.rootKey,
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date(T + 60_000),
      ca: true,
      pathLen: 1,
      keyUsage: [5],
    });
    // The issuer of the bundle is signed by the original intermediate key, so build a fresh issuer too.
    const iss = p384();
    const issuerDer = makeCertificate({
      subject: pki.issuerName,
      issuer: x509Name('wasm-kms test regional'),
      publicKey: createPublic(iss.privateKey),
      signer: inter.privateKey,
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2049-01-01T00:00:00Z'),
      ca: true,
      pathLen: 0,
      keyUsage: [5],
    });
    const pki2 = {
      ...pki,
      intermediateDer,
      issuerDer,
      issuerKey: iss.privateKey,
      cabundle: [pki.rootDer, intermediateDer, issuerDer],
    };
    const doc = makeAttestationDocument(pki2, { timestamp: T });
    expect(() => verifyNitroAttestation(doc, { roots, now: new Date(T + 60_000) })).not.toThrow();
    expect(failureOf(() => verifyNitroAttestation(doc, { roots, now: new Date(T + 61_000) }))).toBe('expired');
  });

  it('a missing mandatory field: malformed', () => {
    for (const key of ['module_id', 'digest', 'timestamp', 'pcrs', 'certificate', 'cabundle'] as const) {
      expect([key, refused({ omit: [key] })]).toEqual([key, 'malformed']);
    }
  });

  it('a protected header alg other than ES384: algorithm; a broken header: malformed', () => {
    expect(refused({ alg: -7 })).toBe('algorithm'); // ES256
    expect(refused({ alg: -36 })).toBe('algorithm'); // ES512
    expect(refused({ protectedHeader: cbor(new Map()) })).toBe('algorithm');
    expect(refused({ protectedHeader: cbor(new Map([[1, 'ES384']])) })).toBe('algorithm');
    expect(refused({ protectedHeader: new Uint8Array(0) })).toBe('malformed');
    expect(refused({ protectedHeader: cbor([1, -35]) })).toBe('malformed');
    // alg in the unprotected header: that header must be empty.
    expect(refused({ unprotected: new Map([[1, -35]]) })).toBe('malformed');
  });

  it('a certificate signature algorithm other than ecdsa-with-SHA384, or a key not P-384: algorithm', () => {
    expect(refused({ leaf: { signatureAlgorithm: '1.2.840.10045.4.3.2' } })).toBe('algorithm');
    const p256 = generateP256();
    expect(refused({ leaf: { publicKey: p256 } })).toBe('algorithm');
  });

  it('wrong field types and sizes: malformed', () => {
    const cases: [string, DocumentFields['payload']][] = [
      ['module_id number', { module_id: 42 }],
      ['module_id empty', { module_id: '' }],
      ['module_id bytes', { module_id: Uint8Array.of(0x69) }],
      ['digest SHA256', { digest: 'SHA256' }],
      ['digest bytes', { digest: new TextEncoder().encode('SHA384') }],
      ['timestamp 0', { timestamp: 0 }],
      ['timestamp negative', { timestamp: -5 }],
      ['timestamp text', { timestamp: String(T) }],
      ['timestamp beyond 2^53', { timestamp: 2n ** 60n }],
      ['pcrs empty', { pcrs: new Map() }],
      ['pcrs array', { pcrs: [new Uint8Array(48)] }],
      ['pcrs 33 entries', { pcrs: new Map(Array.from({ length: 33 }, (_, i) => [i, new Uint8Array(48)])) }],
      ['pcrs index 32', { pcrs: new Map([[32, new Uint8Array(48)]]) }],
      ['pcrs index -1', { pcrs: new Map([[-1, new Uint8Array(48)]]) }],
      ['pcrs index text', { pcrs: new Map([['0', new Uint8Array(48)]]) }],
      ['pcr of 47 bytes', { pcrs: new Map([[0, new Uint8Array(47)]]) }],
      ['pcr of 0 bytes', { pcrs: new Map([[0, new Uint8Array(0)]]) }],
      ['pcr text', { pcrs: new Map([[0, 'x'.repeat(48)]]) }],
      ['certificate empty', { certificate: new Uint8Array(0) }],
      ['certificate 1025 bytes', { certificate: new Uint8Array(1025) }],
      ['certificate array', { certificate: [] }],
      ['cabundle empty', { cabundle: [] }],
      ['cabundle a byte string', { cabundle: pki.rootDer }],
      ['cabundle entry text', { cabundle: ['x'] }],
      ['cabundle entry empty', { cabundle: [pki.rootDer, new Uint8Array(0)] }],
      ['cabundle 17 entries', { cabundle: Array.from({ length: 17 }, () => pki.rootDer) }],
      ['public_key empty', { public_key: new Uint8Array(0) }],
      ['public_key 1025 bytes', { public_key: new Uint8Array(1025) }],
      ['public_key text', { public_key: 'key' }],
      ['user_data 1025 bytes', { user_data: new Uint8Array(1025) }],
      ['user_data number', { user_data: 1 }],
      ['nonce 1025 bytes', { nonce: new Uint8Array(1025) }],
      ['nonce false', { nonce: false }],
      ['an unknown field', { extra: 1 }],
    ];
    for (const [name, payload] of cases) expect([name, refused({ payload })]).toEqual([name, 'malformed']);
  });

  it('the largest optional fields verify: public_key, user_data and nonce of 1024 bytes', () => {
    const big = new Uint8Array(1024).fill(1);
    const att = verify(make({ publicKey: big, userData: big, nonce: big }));
    expect([att.publicKey!.length, att.userData!.length, att.nonce!.length]).toEqual([1024, 1024, 1024]);
    expect(verify(make({ userData: new Uint8Array(0), nonce: new Uint8Array(0) })).userData!.length).toBe(0);
  });

  it('a payload that is not a map, or not CBOR: malformed', () => {
    expect(refused({ payload: { module_id: new CborRaw(Uint8Array.of(0x1c)) } })).toBe('malformed'); // reserved info
    expect(refused({ payload: { module_id: new CborRaw(Uint8Array.of(0xfb, 0, 0, 0, 0, 0, 0, 0, 0)) } })).toBe(
      'malformed',
    ); // float
    expect(refused({ payload: { digest: new CborIndefinite(['SHA', '384']) } })).toBe('none'); // chunked text is text
  });

  it('COSE_Sign1 of the wrong shape: malformed', () => {
    const sign1 = (parts: CborInput[]): Uint8Array => cbor(parts);
    const doc = make();
    expect(failureOf(() => verify(sign1([])))).toBe('malformed');
    expect(failureOf(() => verify(new Uint8Array(0)))).toBe('malformed');
    expect(failureOf(() => verify(doc.subarray(1)))).toBe('malformed');
    // Tag 98 (COSE_Sign) in place of 18.
    expect(failureOf(() => verify(Uint8Array.of(0xd8, 0x62, ...doc)))).toBe('malformed');
    expect(failureOf(() => verify(Uint8Array.of(0xd2, ...doc)))).toBe('none'); // tag 18
    // A fifth element.
    const five = doc.slice();
    five[0] = 0x85;
    expect(failureOf(() => verify(Uint8Array.of(...five, 0xf6)))).toBe('malformed');
    // Payload given as a map in place of a byte string, unprotected header as an array.
    expect(failureOf(() => verify(sign1([cbor(new Map([[1, -35]])), new Map(), new Map(), new Uint8Array(96)])))).toBe(
      'malformed',
    );
    expect(failureOf(() => verify(sign1([cbor(new Map([[1, -35]])), [], new Uint8Array(1), new Uint8Array(96)])))).toBe(
      'malformed',
    );
    // Larger than the API allows: refused before it is decoded.
    expect(() => verify(new Uint8Array(262_145))).toThrow(/document is 262145 bytes, not 1\.\.262144/);
    expect(() => verify(new Uint8Array(0))).toThrow(/document is 0 bytes/);
  });

  it('a leaf that is a CA or lacks digitalSignature, a CA without keyCertSign or cA, pathLen exceeded: chain', () => {
    expect(refused({ leaf: { keyUsage: [1] } })).toBe('chain');
    expect(refused({ leaf: { keyUsage: undefined } })).toBe('chain');
    expect(refused({ leaf: { ca: true } })).toBe('chain');
    // An unknown critical extension in the leaf; the same extension not critical is ignored.
    const ext = { oid: '1.3.6.1.4.1.99999.1', value: Uint8Array.of(0x05, 0x00) };
    expect(refused({ leaf: { extraExtensions: [{ ...ext, critical: true }] } })).toBe('chain');
    expect(refused({ leaf: { extraExtensions: [{ ...ext, critical: false }] } })).toBe('none');
    // An extension twice (keyUsage again, not critical).
    const keyUsageAgain = { oid: '2.5.29.15', critical: false, value: Uint8Array.of(0x03, 0x02, 0x07, 0x80) };
    expect(refused({ leaf: { extraExtensions: [keyUsageAgain] } })).toBe('chain');
    // Signed by the issuer's key but naming another issuer.
    expect(refused({ leaf: { issuer: x509Name('wasm-kms test elsewhere') } })).toBe('chain');
    // An X.509 v1 leaf.
    expect(refused({ leaf: { version: 0 } })).toBe('chain');
    const variant = (o: Partial<CertificateOptions>): Uint8Array =>
      makeCertificate({
        subject: pki.issuerName,
        issuer: x509Name('wasm-kms test regional'),
        publicKey: createPublic(pki.issuerKey),
        signer: pki.intermediateKey,
        notBefore: new Date('2020-01-01T00:00:00Z'),
        notAfter: new Date('2049-01-01T00:00:00Z'),
        ...o,
      });
    const bundleWith = (issuerDer: Uint8Array): Uint8Array[] => [pki.rootDer, pki.intermediateDer, issuerDer];
    expect(refused({ cabundle: bundleWith(variant({ ca: true, pathLen: 0, keyUsage: [5] })) })).toBe('none');
    expect(refused({ cabundle: bundleWith(variant({ ca: true, pathLen: 0, keyUsage: [0, 6] })) })).toBe('chain');
    expect(refused({ cabundle: bundleWith(variant({ ca: true, pathLen: 0 })) })).toBe('chain');
    expect(refused({ cabundle: bundleWith(variant({ ca: false, keyUsage: [5] })) })).toBe('chain');
    expect(refused({ cabundle: bundleWith(variant({ keyUsage: [5] })) })).toBe('chain');
    // basicConstraints must be critical in a CA (RFC 5280 §4.2.1.9, AWS's attestation process).
    expect(
      refused({
        cabundle: bundleWith(variant({ ca: true, pathLen: 0, keyUsage: [5], basicConstraintsCritical: false })),
      }),
    ).toBe('chain');
    // The intermediate allows one CA below it (pathLen 1); a second one below it exceeds that.
    const extra = p384();
    const extraName = x509Name('wasm-kms test extra');
    const extraDer = makeCertificate({
      subject: extraName,
      issuer: pki.issuerName,
      publicKey: extra.publicKey,
      signer: pki.issuerKey,
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2049-01-01T00:00:00Z'),
      ca: true,
      keyUsage: [5],
    });
    const deeper = { ...pki, issuerKey: extra.privateKey, issuerName: extraName };
    const longBundle = [pki.rootDer, pki.intermediateDer, variant({ ca: true, keyUsage: [5] }), extraDer];
    expect(failureOf(() => verify(makeAttestationDocument(deeper, { timestamp: T, cabundle: longBundle })))).toBe(
      'chain',
    );
    // Without the intermediate's limit (a fresh intermediate with no pathLen) the same depth is accepted.
    const interNoLimit = makeCertificate({
      subject: x509Name('wasm-kms test regional'),
      issuer: x509Name('wasm-kms test root'),
      publicKey: createPublic(pki.intermediateKey),
      signer: pki.rootKey,
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2049-01-01T00:00:00Z'),
      ca: true,
      keyUsage: [5],
    });
    const okBundle = [pki.rootDer, interNoLimit, variant({ ca: true, keyUsage: [5] }), extraDer];
    expect(failureOf(() => verify(makeAttestationDocument(deeper, { timestamp: T, cabundle: okBundle })))).toBe('none');
  });

  it('the shared enclave key is an RSA SPKI (what Recipient needs)', () => {
    expect(hex(sharedEnclaveKeyPair().spki.subarray(0, 4))).toBe('30820122');
  });
});

function createPublic(privateKey: KeyObject): KeyObject {
  return createPublicKey(privateKey);
}
function generateP256(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
}
