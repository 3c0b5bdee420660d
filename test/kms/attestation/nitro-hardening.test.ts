// verifyNitroAttestation against inputs built to cost time or to slip past a loose check:
// 262,144-byte documents whose CBOR is expensive to decode (maps as keys, many keys, many chunks)
// are refused as malformed; COSE headers other than AWS's ({1: -35} protected, empty unprotected)
// and non-canonical encodings of the COSE level are refused; a trusted root that is expired, not
// yet valid, not a CA, without keyCertSign, or whose pathLen is exceeded is refused.
import { describe, expect, it } from 'vitest';
import {
  AttestationError,
  MAX_ATTESTATION_DOCUMENT_BYTES,
  verifyNitroAttestation,
  type AttestationFailure,
} from '../../../src/kms/attestation/nitro.js';
import { CborRaw, cbor, makeAttestationDocument, makeTestPki, type DocumentFields } from '../../helpers/nitro.js';
import type { CertificateOptions } from '../../helpers/nitro.js';

const T = Date.parse('2026-06-01T12:00:00.000Z');
const NOW = new Date(T + 5 * 60_000);
const pki = makeTestPki();

function outcome(fn: () => unknown): { failure: AttestationFailure | 'none'; message: string } {
  try {
    fn();
    return { failure: 'none', message: '' };
  } catch (err) {
    if (err instanceof AttestationError) return { failure: err.failure, message: err.message };
    throw err;
  }
}
const verifyDoc = (doc: Uint8Array, roots = [pki.rootDer], now = NOW) =>
  outcome(() => verifyNitroAttestation(doc, { roots, now }));
const refused = (fields: DocumentFields): AttestationFailure | 'none' =>
  verifyDoc(makeAttestationDocument(pki, { timestamp: T, ...fields })).failure;

// ---------------------------------------------------------------------------------------------
// Crafted documents of exactly 262,144 bytes.

const SIZE = MAX_ATTESTATION_DOCUMENT_BYTES;
const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
function head(major: number, n: number): Uint8Array {
  const m = major << 5;
  if (n < 24) return Uint8Array.of(m | n);
  if (n < 0x100) return Uint8Array.of(m | 24, n);
  if (n < 0x10000) return Uint8Array.of(m | 25, n >> 8, n & 0xff);
  return Uint8Array.of(m | 26, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}
const bstr = (b: Uint8Array): Uint8Array => cat(head(2, b.length), b);
const ALG_ES384 = Uint8Array.of(0xa1, 0x01, 0x38, 0x22);

/** `prefix` followed by one byte string that takes what is left of SIZE. */
function filled(prefix: Uint8Array): Uint8Array {
  const left = SIZE - prefix.length;
  for (const h of [1, 2, 3, 5]) {
    const m = left - h;
    if (m >= 0 && head(2, m).length === h) return cat(prefix, head(2, m), new Uint8Array(m));
  }
  throw new Error('cannot fill');
}
/** Maps nested as each other's keys around one large byte string: {{…{h'07…': 0}…: 0}: 0}. */
const mapsAsKeys = (levels: number, n: number): Uint8Array =>
  cat(new Uint8Array(levels).fill(0xa1), bstr(new Uint8Array(n).fill(7)), new Uint8Array(levels).fill(0));
/** A map of `k` entries, key(i): 0. */
function manyKeys(k: number, key: (i: number) => Uint8Array): Uint8Array {
  const parts = [head(5, k)];
  for (let i = 0; i < k; i++) parts.push(key(i), Uint8Array.of(0));
  return cat(...parts);
}
const textKey = (i: number): Uint8Array => new TextEncoder().encode(`a${String(i).padStart(4, '0')}`);
/** A COSE_Sign1 with AWS's headers whose payload is `payload` plus a filler entry, SIZE bytes. */
function withPayload(payloadEntries: Uint8Array[], count: number): Uint8Array {
  const build = (m: number): Uint8Array =>
    cat(
      Uint8Array.of(0x84),
      bstr(ALG_ES384),
      Uint8Array.of(0xa0),
      bstr(cat(head(5, count + 1), ...payloadEntries, Uint8Array.of(0x62, 0x7a, 0x7a), bstr(new Uint8Array(m)))),
      bstr(new Uint8Array(96)),
    );
  let m = Math.max(0, SIZE - build(0).length);
  for (let i = 0; i < 8; i++) {
    const doc = build(m);
    if (doc.length === SIZE) return doc;
    m += SIZE - doc.length;
  }
  throw new Error('cannot fill');
}

const costly: [string, () => Uint8Array, RegExp][] = [
  [
    'protected header: 15 maps nested as keys',
    () => filled(cat(Uint8Array.of(0x84), bstr(mapsAsKeys(15, SIZE - 100)), Uint8Array.of(0xa0, 0x40))),
    /protected header.*map key is not an integer or a text string/,
  ],
  [
    'unprotected header: 14 maps nested as keys',
    () => filled(cat(Uint8Array.of(0x84), bstr(ALG_ES384), mapsAsKeys(14, SIZE - 100), Uint8Array.of(0x40))),
    /map key is not an integer or a text string/,
  ],
  [
    'unprotected header: 52,000 byte-string keys',
    () =>
      filled(
        cat(
          Uint8Array.of(0x84),
          bstr(ALG_ES384),
          manyKeys(52_000, (i) => Uint8Array.of(0x43, i >> 16, (i >> 8) & 0xff, i & 0xff)),
          Uint8Array.of(0x40),
        ),
      ),
    /more than 4 elements|map key is not/,
  ],
  [
    'unprotected header: 37,000 text keys',
    () =>
      filled(
        cat(
          Uint8Array.of(0x84),
          bstr(ALG_ES384),
          manyKeys(37_000, (i) => cbor(`${i}`)),
          Uint8Array.of(0x40),
        ),
      ),
    /more than 4 elements/,
  ],
  [
    'payload byte string of 262,000 empty chunks',
    () =>
      filled(
        cat(
          Uint8Array.of(0x84),
          bstr(ALG_ES384),
          Uint8Array.of(0xa0, 0x5f),
          new Uint8Array(SIZE - 120).fill(0x40),
          Uint8Array.of(0xff),
        ),
      ),
    /indefinite length/,
  ],
  [
    'payload map of 37,000 text keys',
    () => withPayload([manyKeys(37_000, textKey).subarray(head(5, 37_000).length)], 37_000),
    /payload.*more than 32 elements/,
  ],
  [
    'pcrs map of 40,000 integer keys',
    () =>
      withPayload(
        [cbor('pcrs'), manyKeys(40_000, (i) => Uint8Array.of(0x1a, 0, i >> 16, (i >> 8) & 0xff, i & 0xff))],
        1,
      ),
    /payload.*more than 32 elements/,
  ],
  [
    'payload text of 130,000 one-byte chunks',
    () =>
      withPayload(
        [
          cbor('a'),
          cat(
            Uint8Array.of(0x7f),
            new Uint8Array(260_000).map((_, i) => (i % 2 ? 0x78 : 0x61)),
            Uint8Array.of(0xff),
          ),
        ],
        1,
      ),
    /payload has a field not in the attestation document: a/,
  ],
];

describe('262,144-byte documents built to be costly to decode', () => {
  it.each(costly)('%s: malformed', (_name, build, message) => {
    const doc = build();
    expect(doc.length).toBe(SIZE);
    const result = verifyDoc(doc);
    expect(result.failure).toBe('malformed');
    expect(result.message).toMatch(message);
  });
});

// ---------------------------------------------------------------------------------------------

describe('COSE headers: exactly AWS protected {1: -35} and an empty unprotected header', () => {
  it('a protected header with crit (2) or any label other than alg (1): malformed', () => {
    const withLabels = (entries: [number | string, unknown][]): Uint8Array =>
      cbor(new Map([[1, -35], ...entries] as [number, number][]));
    expect(refused({ protectedHeader: withLabels([[2, [1]]]) })).toBe('malformed');
    expect(refused({ protectedHeader: withLabels([[2, ['x']]]) })).toBe('malformed');
    expect(refused({ protectedHeader: withLabels([[4, new Uint8Array(8)]]) })).toBe('malformed'); // kid
    expect(refused({ protectedHeader: withLabels([[3, 0]]) })).toBe('malformed'); // content type
    expect(refused({ protectedHeader: withLabels([['alg', -35]]) })).toBe('malformed');
    expect(refused({ protectedHeader: withLabels([[-65537, 0]]) })).toBe('malformed');
    expect(
      verifyDoc(makeAttestationDocument(pki, { timestamp: T, protectedHeader: withLabels([[2, [1]]]) })).message,
    ).toMatch(/label 2 \(crit\)/);
    // A map key that is neither an integer nor text.
    expect(refused({ protectedHeader: Uint8Array.of(0xa2, 0x01, 0x38, 0x22, 0x41, 0x00, 0x00) })).toBe('malformed');
    // The exact header verifies (the control).
    expect(refused({ protectedHeader: ALG_ES384 })).toBe('none');
  });

  it('an unprotected header that is not empty: malformed', () => {
    expect(refused({ unprotected: new Map([[4, new Uint8Array(8)]]) })).toBe('malformed'); // kid
    expect(refused({ unprotected: new Map([[33, [new Uint8Array(4)]]]) })).toBe('malformed'); // x5chain
    expect(refused({ unprotected: new Map([['note', 'x']]) })).toBe('malformed');
    expect(refused({ unprotected: new Map() })).toBe('none');
  });

  it('non-canonical encodings of the COSE level: malformed, though the signed bytes are the same', () => {
    for (const part of ['protectedHeader', 'payload', 'signature'] as const) {
      for (const form of ['chunked', 'wide'] as const) {
        expect([part, form, refused({ coseForm: { [part]: form } })]).toEqual([part, form, 'malformed']);
      }
    }
    expect(refused({ coseForm: { array: 'indefinite' } })).toBe('malformed');
    expect(refused({ coseForm: { array: 'wide' } })).toBe('malformed');
    expect(refused({ tagged: true, coseForm: { tag: 'wide' } })).toBe('malformed');
    expect(refused({ tagged: true })).toBe('none');
    // The protected header's own encoding: alg -35 in a two-byte head, or the map of indefinite length.
    expect(refused({ protectedHeader: Uint8Array.of(0xa1, 0x01, 0x39, 0x00, 0x22) })).toBe('malformed');
    expect(refused({ protectedHeader: Uint8Array.of(0xbf, 0x01, 0x38, 0x22, 0xff) })).toBe('malformed');
    expect(refused({ protectedHeader: Uint8Array.of(0xa1, 0x18, 0x01, 0x38, 0x22) })).toBe('malformed');
    // The payload may still be an indefinite-length map (AWS hardware writes some that way).
    expect(refused({ indefinitePayload: true })).toBe('none');
    expect(refused({ payload: { nonce: new CborRaw(Uint8Array.of(0x58, 0x01, 0x05)) } })).toBe('none');
  });
});

// ---------------------------------------------------------------------------------------------

describe("the trusted root's own checks", () => {
  const withRoot = (root: Partial<CertificateOptions>): AttestationFailure | 'none' => {
    const p = makeTestPki('wasm-kms root variant', { root });
    return verifyDoc(makeAttestationDocument(p, { timestamp: T }), [p.rootDer]).failure;
  };

  it('a root as makeTestPki makes it verifies (the control)', () => {
    expect(withRoot({})).toBe('none');
  });

  it('an expired root, a not yet valid root, a root not valid at the timestamp: expired', () => {
    expect(withRoot({ notAfter: new Date(T + 60_000) })).toBe('expired'); // expired before NOW
    expect(withRoot({ notBefore: new Date(T + 2 * 60_000) })).toBe('expired'); // valid from after T, before NOW
    expect(withRoot({ notBefore: new Date(NOW.getTime() + 1000) })).toBe('expired'); // not yet valid at NOW
    expect(withRoot({ notAfter: new Date(NOW.getTime()) })).toBe('none'); // both ends included
  });

  it('a root without cA, without basicConstraints, or not critical: chain', () => {
    expect(withRoot({ ca: false })).toBe('chain');
    expect(withRoot({ ca: undefined })).toBe('chain');
    expect(withRoot({ basicConstraintsCritical: false })).toBe('chain');
  });

  it('a root without keyCertSign, or without keyUsage: chain', () => {
    expect(withRoot({ keyUsage: [0, 6] })).toBe('chain');
    expect(withRoot({ keyUsage: undefined })).toBe('chain');
  });

  it('a root whose pathLen is below the two CAs under it: chain; 2 is enough', () => {
    expect(withRoot({ pathLen: 0 })).toBe('chain');
    expect(withRoot({ pathLen: 1 })).toBe('chain');
    expect(withRoot({ pathLen: 2 })).toBe('none');
  });
});
