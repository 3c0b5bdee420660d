// verifyNitroAttestation on three attestation documents signed by AWS Nitro hardware
// (test/vectors/nitro, provenance in test/vectors/README.md), with AWS's root certificate: each
// verifies at the time its source test uses, and is refused outside its leaf's validity, with
// another root, and with one bit of its payload or signature flipped.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AWS_NITRO_ENCLAVES_ROOT_G1 } from '../../../src/kms/attestation/aws-nitro-root.js';
import {
  AttestationError,
  parsePemCertificates,
  verifyNitroAttestation,
  type AttestationFailure,
  type NitroAttestation,
} from '../../../src/kms/attestation/nitro.js';
import { readVector, readVectorJson, readVectorText } from '../../helpers/vectors.js';
import { hex } from '../../helpers/hex.js';
import { makeTestPki } from '../../helpers/nitro.js';

interface DocumentEntry {
  file: string;
  valid_at: { check_time: string; leaf_not_before: string; leaf_not_after: string; document_timestamp: string };
  cose: { payload_map_encoding: string };
  payload: {
    module_id: string;
    timestamp: number;
    pcr_indexes: number[];
    pcr_length: number;
    pcr0: string;
    cabundle_length: number;
    public_key: { length: number; hex?: string };
    user_data_length: number | null;
    nonce_length: number | null;
  };
}

const index = readVectorJson<{ documents: DocumentEntry[] }>('nitro/documents.json');
const roots = [AWS_NITRO_ENCLAVES_ROOT_G1];

function failureOf(fn: () => unknown): AttestationFailure | 'none' {
  try {
    fn();
    return 'none';
  } catch (err) {
    if (err instanceof AttestationError) return err.failure;
    throw err;
  }
}

describe('AWS Nitro root certificate', () => {
  it('is the PEM of test/vectors/nitro, with the SHA-256 fingerprint AWS publishes', () => {
    const [fromVector] = parsePemCertificates(readVectorText('nitro/aws-nitro-enclaves-root-g1.pem'));
    expect(hex(AWS_NITRO_ENCLAVES_ROOT_G1)).toBe(hex(fromVector));
    expect(AWS_NITRO_ENCLAVES_ROOT_G1.length).toBe(533);
    expect(createHash('sha256').update(AWS_NITRO_ENCLAVES_ROOT_G1).digest('hex')).toBe(
      '641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b',
    );
  });
});

describe.each(index.documents)('real document $file', (entry) => {
  const document = new Uint8Array(readVector(`nitro/${entry.file}`));
  const at = (iso: string, deltaMs = 0): Date => new Date(Date.parse(iso) + deltaMs);
  const verify = (doc: Uint8Array, now: Date, r: readonly Uint8Array[] = roots): NitroAttestation =>
    verifyNitroAttestation(doc, { roots: r, now });

  it('verifies at its check time with AWS root, and gives the payload fields', () => {
    const att = verify(document, at(entry.valid_at.check_time));
    expect(att.moduleId).toBe(entry.payload.module_id);
    expect(att.digest).toBe('SHA384');
    expect(att.timestamp).toBe(entry.payload.timestamp);
    expect(new Date(att.timestamp).toISOString()).toBe(entry.valid_at.document_timestamp.replace(/Z$/, '') + 'Z');
    expect([...att.pcrs.keys()]).toEqual(entry.payload.pcr_indexes);
    for (const v of att.pcrs.values()) expect(v.length).toBe(entry.payload.pcr_length);
    expect(hex(att.pcrs.get(0)!)).toBe(entry.payload.pcr0);
    expect(att.cabundle.length).toBe(entry.payload.cabundle_length);
    expect(hex(att.cabundle[0])).toBe(hex(AWS_NITRO_ENCLAVES_ROOT_G1));
    expect(att.publicKey?.length).toBe(entry.payload.public_key.length);
    if (entry.payload.public_key.hex) expect(hex(att.publicKey!)).toBe(entry.payload.public_key.hex);
    expect(att.userData?.length).toBe(entry.payload.user_data_length ?? undefined);
    expect(att.nonce?.length).toBe(entry.payload.nonce_length ?? undefined);
  });

  it('verifies at both ends of the leaf validity that follow the timestamp, is expired one second out', () => {
    const notBefore = entry.valid_at.leaf_not_before;
    const notAfter = entry.valid_at.leaf_not_after;
    expect(() => verify(document, at(notAfter))).not.toThrow();
    expect(failureOf(() => verify(document, at(notAfter, 1000)))).toBe('expired');
    expect(failureOf(() => verify(document, at(notBefore, -1000)))).toBe('expired');
    expect(failureOf(() => verify(document, new Date('2049-10-28T14:28:06Z')))).toBe('expired');
  });

  it('is untrusted with another root, and without any', () => {
    const other = makeTestPki('other');
    const now = at(entry.valid_at.check_time);
    expect(failureOf(() => verify(document, now, [other.rootDer]))).toBe('untrusted');
    expect(failureOf(() => verify(document, now, []))).toBe('untrusted');
    expect(() => verify(document, now, [other.rootDer, AWS_NITRO_ENCLAVES_ROOT_G1])).not.toThrow();
  });

  it('fails the signature check for any one flipped bit of the signature, and of a PCR or module_id', () => {
    const now = at(entry.valid_at.check_time);
    const n = document.length;
    for (const offset of [n - 96, n - 49, n - 48, n - 1]) {
      for (const bit of [0, 7]) {
        const doc = document.slice();
        doc[offset] ^= 1 << bit;
        expect(failureOf(() => verify(doc, now))).toBe('signature');
      }
    }
    // Inside values the signature covers: the text of module_id and PCR0's bytes.
    for (const needle of [entry.payload.module_id, entry.payload.pcr0]) {
      const bytes = /^[0-9a-f]+$/.test(needle) ? Buffer.from(needle, 'hex') : Buffer.from(needle);
      const where = Buffer.from(document).indexOf(bytes);
      expect(where).toBeGreaterThan(0);
      const doc = document.slice();
      doc[where + 3] ^= 0x02;
      expect(failureOf(() => verify(doc, now))).toBe('signature');
    }
  });

  it('gives copies of the fields, also for a document given as a Node Buffer', () => {
    const buffer = Buffer.from(document);
    const att = verify(buffer, at(entry.valid_at.check_time));
    const pcr0 = hex(att.pcrs.get(0)!);
    const where = buffer.indexOf(Buffer.from(att.pcrs.get(0)!));
    buffer.fill(0);
    expect(where).toBeGreaterThan(0);
    expect(hex(att.pcrs.get(0)!)).toBe(pcr0);
    expect(hex(att.cabundle[0])).toBe(hex(AWS_NITRO_ENCLAVES_ROOT_G1));
    expect(att.publicKey!.some((b) => b !== 0)).toBe(true);
  });

  it('is malformed when truncated or followed by a byte', () => {
    const now = at(entry.valid_at.check_time);
    expect(failureOf(() => verify(document.subarray(0, document.length - 1), now))).toBe('malformed');
    expect(failureOf(() => verify(Uint8Array.of(...document, 0), now))).toBe('malformed');
  });
});

describe('real documents of other shapes', () => {
  it('an indefinite-length payload map (fastcrypto) verifies like a definite one', () => {
    const entry = index.documents.find((d) => d.cose.payload_map_encoding === 'indefinite-length')!;
    expect(entry).toBeDefined();
    const att = verifyNitroAttestation(new Uint8Array(readVector(`nitro/${entry.file}`)), {
      roots,
      now: new Date(entry.valid_at.check_time),
    });
    expect(att.pcrs.size).toBe(17);
    expect(att.userData).toEqual(new Uint8Array(0)); // empty byte string, not absent
    expect(att.nonce).toBeUndefined(); // null
  });
});
