// The endpoint's response encoder (src/node/http/wire.ts, encodeOutput): outputs of strings,
// numbers and byte arrays take a path without a replacer; it must give exactly the text of the
// general path (bytes in base64, dates in epoch seconds, $metadata left out, undefined members
// dropped), which nested outputs still take.
import { describe, it, expect } from 'vitest';
import { encodeOutput } from '../src/node/http/wire.js';

/** The general encoding, written out independently: what every output must serialize to. */
function reference(output: object): string {
  return JSON.stringify(output, function (this: Record<string, unknown>, key: string, value: unknown) {
    if (key === '$metadata' && this === output) return undefined;
    const raw = this[key];
    if (raw instanceof Date) return raw.getTime() / 1000;
    if (raw instanceof Uint8Array) return Buffer.from(raw).toString('base64');
    return value;
  });
}

describe('encodeOutput', () => {
  it('a flat output: members in order, bytes (views included) in base64, undefined dropped, $metadata left out', () => {
    const backing = Uint8Array.from({ length: 40 }, (_, i) => i * 7);
    const output = {
      KeyId: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      KeyPairSpec: 'ECC_NIST_P256',
      PrivateKeyCiphertextBlob: backing.subarray(3, 29),
      PrivateKeyPlaintext: new Uint8Array(0),
      PublicKey: Uint8Array.of(0, 255, 128),
      KeyMaterialId: undefined,
      Truncated: false,
      Count: 3,
      Nothing: null,
      'Quote"d': 'line\nbreak \u2028 "x"',
      $metadata: { httpStatusCode: 200, requestId: 'r' },
    };
    const text = encodeOutput(output);
    expect(text).toBe(reference(output));
    expect(JSON.parse(text)).toEqual({
      KeyId: output.KeyId,
      KeyPairSpec: 'ECC_NIST_P256',
      PrivateKeyCiphertextBlob: Buffer.from(backing.subarray(3, 29)).toString('base64'),
      PrivateKeyPlaintext: '',
      PublicKey: 'AP+A',
      Truncated: false,
      Count: 3,
      Nothing: null,
      'Quote"d': 'line\nbreak \u2028 "x"',
    });
    expect(Object.keys(JSON.parse(text))[0]).toBe('KeyId');
  });

  it('nested outputs (metadata objects, lists, dates, bytes inside) encode as before', () => {
    const output = {
      KeyMetadata: {
        KeyId: 'k',
        CreationDate: new Date(1_700_000_000_500),
        Enabled: true,
        EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
        Inner: { Bytes: Uint8Array.of(1, 2, 3), $metadata: 'kept: only the top level drops it' },
      },
      Plaintext: Uint8Array.of(9, 9),
      Keys: [{ KeyId: 'a' }, { KeyId: 'b', When: new Date(0) }],
      $metadata: { httpStatusCode: 200 },
    };
    const text = encodeOutput(output);
    expect(text).toBe(reference(output));
    const parsed = JSON.parse(text);
    expect(parsed.KeyMetadata.CreationDate).toBe(1_700_000_000.5);
    expect(parsed.KeyMetadata.Inner).toEqual({ Bytes: 'AQID', $metadata: 'kept: only the top level drops it' });
    expect(parsed.Keys[1].When).toBe(0);
    expect(parsed.$metadata).toBeUndefined();
  });

  it('an empty output is {}', () => {
    expect(encodeOutput({ $metadata: {} })).toBe('{}');
  });
});
