// GenerateDataKey, GenerateDataKeyWithoutPlaintext, ReEncrypt and GenerateRandom through
// KMSClient: success paths, round trips through Decrypt, the error paths (validation wording,
// key resolution, key states, IncorrectKey, InvalidCiphertext, DryRun), and fast-check
// properties of Encrypt → Decrypt over random plaintexts and encryption contexts.

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  KMSClient,
  MemoryKeyStore,
  CreateAliasCommand,
  DisableKeyCommand,
  ScheduleKeyDeletionCommand,
  DecryptCommand,
  EncryptCommand,
  NotFoundException,
  DisabledException,
  KMSInvalidStateException,
  InvalidCiphertextException,
  IncorrectKeyException,
  InvalidKeyUsageException,
  DryRunOperationException,
  ValidationException,
  UnsupportedOperationException,
  CustomKeyStoreNotFoundException,
  CustomKeyStoreInvalidStateException,
} from '../../src/kms/index.js';
import {
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  ReEncryptCommand,
  GenerateRandomCommand,
} from '../../src/kms/registry.js';
import { newKey, rejection } from '../helpers/kms.js';
import { putCustomKeyStoreRecord } from '../helpers/records.js';

const DRY_RUN = 'The request would have succeeded, but the DryRun option is set.';
const INCORRECT_KEY = 'The key ID in the request does not identify a CMK that can perform this operation.';

function client() {
  return new KMSClient({ store: new MemoryKeyStore() });
}



async function decrypts(c: KMSClient, blob: Uint8Array, ctx?: Record<string, string>) {
  return c.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: ctx }));
}

describe('GenerateDataKey', () => {
  it('returns KeySpec-sized keys whose blob decrypts to the plaintext', async () => {
    const c = client();
    const md = await newKey(c);
    for (const [spec, n] of [['AES_128', 16], ['AES_256', 32]] as const) {
      const out = await c.send(new GenerateDataKeyCommand({ KeyId: md.KeyId, KeySpec: spec, EncryptionContext: { a: 'b' } }));
      expect(out.KeyId).toBe(md.Arn);
      expect(out.KeyMaterialId).toBe(md.CurrentKeyMaterialId);
      expect(out.Plaintext).toBeInstanceOf(Uint8Array);
      expect(out.Plaintext!.length).toBe(n);
      const d = await decrypts(c, out.CiphertextBlob!, { a: 'b' });
      expect(d.Plaintext).toEqual(out.Plaintext);
      expect(d.KeyId).toBe(md.Arn);
      expect(d.KeyMaterialId).toBe(out.KeyMaterialId);
      await rejection(decrypts(c, out.CiphertextBlob!), InvalidCiphertextException);
    }
  });

  it('returns NumberOfBytes bytes, 1..1024, different each time', async () => {
    const c = client();
    const md = await newKey(c);
    for (const n of [1, 7, 64, 1024]) {
      const out = await c.send(new GenerateDataKeyCommand({ KeyId: md.Arn, NumberOfBytes: n }));
      expect(out.Plaintext!.length).toBe(n);
      expect((await decrypts(c, out.CiphertextBlob!)).Plaintext).toEqual(out.Plaintext);
    }
    const a = await c.send(new GenerateDataKeyCommand({ KeyId: md.KeyId, NumberOfBytes: 32 }));
    const b = await c.send(new GenerateDataKeyCommand({ KeyId: md.KeyId, NumberOfBytes: 32 }));
    expect(a.Plaintext).not.toEqual(b.Plaintext);
  });

  it('works through an alias', async () => {
    const c = client();
    const md = await newKey(c);
    await c.send(new CreateAliasCommand({ AliasName: 'alias/dk', TargetKeyId: md.KeyId }));
    const out = await c.send(new GenerateDataKeyCommand({ KeyId: 'alias/dk', KeySpec: 'AES_256' }));
    expect(out.KeyId).toBe(md.Arn);
  });

  it('wants exactly one of KeySpec and NumberOfBytes', async () => {
    const c = client();
    const md = await newKey(c);
    const neither = await rejection(c.send(new GenerateDataKeyCommand({ KeyId: md.KeyId })), ValidationException);
    expect(neither.message).toBe('Please specify either number of bytes or key spec.');
    const both = await rejection(
      c.send(new GenerateDataKeyCommand({ KeyId: md.KeyId, KeySpec: 'AES_256', NumberOfBytes: 32 })),
      ValidationException,
    );
    expect(both.message).toBe('Please specify either number of bytes or key spec.');
  });

  it('gives the schema messages for bad members', async () => {
    const c = client();
    const md = await newKey(c);
    const zero = await rejection(c.send(new GenerateDataKeyCommand({ KeyId: md.KeyId, NumberOfBytes: 0 })), ValidationException);
    expect(zero.message).toBe(
      "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    const big = await rejection(c.send(new GenerateDataKeyCommand({ KeyId: md.KeyId, NumberOfBytes: 1025 })), ValidationException);
    expect(big.message).toBe(
      "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
    );
    const spec = await rejection(
      c.send(new GenerateDataKeyCommand({ KeyId: md.KeyId, KeySpec: 'AES_512' as never })),
      ValidationException,
    );
    expect(spec.message).toMatch(/^1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: \[/);
    const noKey = await rejection(c.send(new GenerateDataKeyCommand({ KeyId: undefined, KeySpec: 'AES_256' })), ValidationException);
    expect(noKey.message).toBe("1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null");
  });

  it('NotFound, Disabled, PendingDeletion, key usage', async () => {
    const c = client();
    const missing = '00000000-0000-4000-8000-000000000000';
    const nf = await rejection(c.send(new GenerateDataKeyCommand({ KeyId: missing, KeySpec: 'AES_256' })), NotFoundException);
    expect(nf.message).toBe(`Key 'arn:aws:kms:us-east-1:111122223333:key/${missing}' does not exist`);
    await rejection(c.send(new GenerateDataKeyCommand({ KeyId: 'alias/none', KeySpec: 'AES_256' })), NotFoundException);

    const disabled = await newKey(c);
    await c.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
    const d = await rejection(c.send(new GenerateDataKeyCommand({ KeyId: disabled.KeyId, KeySpec: 'AES_256' })), DisabledException);
    expect(d.message).toBe(`${disabled.Arn} is disabled.`);

    const pending = await newKey(c);
    await c.send(new ScheduleKeyDeletionCommand({ KeyId: pending.KeyId, PendingWindowInDays: 7 }));
    const p = await rejection(
      c.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: pending.KeyId, KeySpec: 'AES_256' })),
      KMSInvalidStateException,
    );
    expect(p.message).toBe(`${pending.Arn} is pending deletion.`);

    const signing = await newKey(c, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const u = await rejection(c.send(new GenerateDataKeyCommand({ KeyId: signing.KeyId, KeySpec: 'AES_256' })), InvalidKeyUsageException);
    expect(u.message).toBe(`${signing.Arn} key usage is SIGN_VERIFY which is not valid for GenerateDataKey.`);
  });

  it('refuses Recipient with UnsupportedOperationException', async () => {
    const c = client();
    const md = await newKey(c);
    const e = await rejection(
      c.send(
        new GenerateDataKeyCommand({
          KeyId: md.KeyId,
          KeySpec: 'AES_256',
          Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: new Uint8Array(8) },
        }),
      ),
      UnsupportedOperationException,
    );
    expect(e.message).toMatch(/GenerateDataKey with Recipient/);
  });

  it('DryRun comes after every check', async () => {
    const c = client();
    const md = await newKey(c);
    const e = await rejection(c.send(new GenerateDataKeyCommand({ KeyId: md.KeyId, KeySpec: 'AES_256', DryRun: true })), DryRunOperationException);
    expect(e.message).toBe(DRY_RUN);
    await c.send(new DisableKeyCommand({ KeyId: md.KeyId }));
    await rejection(c.send(new GenerateDataKeyCommand({ KeyId: md.KeyId, KeySpec: 'AES_256', DryRun: true })), DisabledException);
    await rejection(c.send(new GenerateDataKeyCommand({ KeyId: md.KeyId, DryRun: true })), ValidationException);
  });
});

describe('GenerateDataKeyWithoutPlaintext', () => {
  it('returns only the blob, which decrypts to a key of the asked size', async () => {
    const c = client();
    const md = await newKey(c);
    const out = await c.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: md.KeyId, KeySpec: 'AES_128', EncryptionContext: { k: 'v' } }));
    expect(out).not.toHaveProperty('Plaintext');
    expect(out.KeyId).toBe(md.Arn);
    expect(out.KeyMaterialId).toBe(md.CurrentKeyMaterialId);
    expect((await decrypts(c, out.CiphertextBlob!, { k: 'v' })).Plaintext!.length).toBe(16);
    const n = await c.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: md.Arn, NumberOfBytes: 100 }));
    expect((await decrypts(c, n.CiphertextBlob!)).Plaintext!.length).toBe(100);
  });

  it('validation, NotFound, Disabled, DryRun', async () => {
    const c = client();
    const md = await newKey(c);
    const v = await rejection(c.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: md.KeyId })), ValidationException);
    expect(v.message).toBe('Please specify either number of bytes or key spec.');
    await rejection(
      c.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: 'alias/none', NumberOfBytes: 16 })),
      NotFoundException,
    );
    const dr = await rejection(
      c.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: md.KeyId, NumberOfBytes: 16, DryRun: true })),
      DryRunOperationException,
    );
    expect(dr.message).toBe(DRY_RUN);
    await c.send(new DisableKeyCommand({ KeyId: md.KeyId }));
    await rejection(c.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: md.KeyId, NumberOfBytes: 16 })), DisabledException);
  });
});

describe('ReEncrypt', () => {
  async function setup() {
    const c = client();
    const src = await newKey(c);
    const dst = await newKey(c);
    const plaintext = new TextEncoder().encode('re-encrypt me');
    const enc = await c.send(new EncryptCommand({ KeyId: src.KeyId, Plaintext: plaintext, EncryptionContext: { purpose: 'src' } }));
    return { c, src, dst, plaintext, blob: enc.CiphertextBlob! };
  }

  it('moves a ciphertext to the destination key and context', async () => {
    const { c, src, dst, plaintext, blob } = await setup();
    const out = await c.send(
      new ReEncryptCommand({
        CiphertextBlob: blob,
        SourceEncryptionContext: { purpose: 'src' },
        DestinationKeyId: dst.KeyId,
        DestinationEncryptionContext: { purpose: 'dst' },
      }),
    );
    expect(out).toMatchObject({
      SourceKeyId: src.Arn,
      KeyId: dst.Arn,
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      SourceKeyMaterialId: src.CurrentKeyMaterialId,
      DestinationKeyMaterialId: dst.CurrentKeyMaterialId,
    });
    expect(out).not.toHaveProperty('Plaintext');
    const d = await decrypts(c, out.CiphertextBlob!, { purpose: 'dst' });
    expect(d.Plaintext).toEqual(plaintext);
    expect(d.KeyId).toBe(dst.Arn);
    await rejection(decrypts(c, out.CiphertextBlob!, { purpose: 'src' }), InvalidCiphertextException);
    await rejection(decrypts(c, out.CiphertextBlob!), InvalidCiphertextException);
    await rejection(c.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob!, KeyId: src.KeyId, EncryptionContext: { purpose: 'dst' } })), IncorrectKeyException);
    // The old blob is untouched.
    expect((await decrypts(c, blob, { purpose: 'src' })).Plaintext).toEqual(plaintext);
  });

  it('can re-encrypt under the same key with a new context, and accepts a matching SourceKeyId', async () => {
    const { c, src, plaintext, blob } = await setup();
    await c.send(new CreateAliasCommand({ AliasName: 'alias/src', TargetKeyId: src.KeyId }));
    const out = await c.send(
      new ReEncryptCommand({
        CiphertextBlob: blob,
        SourceKeyId: 'alias/src',
        SourceEncryptionContext: { purpose: 'src' },
        DestinationKeyId: src.Arn,
      }),
    );
    expect(out.SourceKeyId).toBe(src.Arn);
    expect(out.KeyId).toBe(src.Arn);
    expect((await decrypts(c, out.CiphertextBlob!)).Plaintext).toEqual(plaintext);
  });

  it('a wrong source context or a damaged blob is InvalidCiphertextException with an empty message', async () => {
    const { c, dst, blob } = await setup();
    const wrong = await rejection(
      c.send(new ReEncryptCommand({ CiphertextBlob: blob, SourceEncryptionContext: { purpose: 'x' }, DestinationKeyId: dst.KeyId })),
      InvalidCiphertextException,
    );
    expect(wrong.message).toBe('');
    const none = await rejection(c.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: dst.KeyId })), InvalidCiphertextException);
    expect(none.message).toBe('');
    const flipped = blob.slice();
    flipped[flipped.length - 1] ^= 1;
    const f = await rejection(
      c.send(new ReEncryptCommand({ CiphertextBlob: flipped, SourceEncryptionContext: { purpose: 'src' }, DestinationKeyId: dst.KeyId })),
      InvalidCiphertextException,
    );
    expect(f.message).toBe('');
    const junk = await rejection(
      c.send(new ReEncryptCommand({ CiphertextBlob: new Uint8Array([1, 2, 3]), DestinationKeyId: dst.KeyId })),
      InvalidCiphertextException,
    );
    expect(junk.message).toBe('');
  });

  it('a different SourceKeyId is IncorrectKeyException', async () => {
    const { c, dst, blob } = await setup();
    const e = await rejection(
      c.send(new ReEncryptCommand({ CiphertextBlob: blob, SourceKeyId: dst.KeyId, SourceEncryptionContext: { purpose: 'src' }, DestinationKeyId: dst.KeyId })),
      IncorrectKeyException,
    );
    expect(e.message).toBe(INCORRECT_KEY);
  });

  it('checks the state and usage of both keys', async () => {
    const { c, src, dst, blob } = await setup();
    const args = { CiphertextBlob: blob, SourceEncryptionContext: { purpose: 'src' } };
    const nf = await rejection(c.send(new ReEncryptCommand({ ...args, DestinationKeyId: 'alias/none' })), NotFoundException);
    expect(nf.message).toBe('Alias arn:aws:kms:us-east-1:111122223333:alias/none is not found.');
    const signing = await newKey(c, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const u = await rejection(c.send(new ReEncryptCommand({ ...args, DestinationKeyId: signing.KeyId })), InvalidKeyUsageException);
    expect(u.message).toBe(`${signing.Arn} key usage is SIGN_VERIFY which is not valid for ReEncrypt.`);

    await c.send(new DisableKeyCommand({ KeyId: dst.KeyId }));
    const dd = await rejection(c.send(new ReEncryptCommand({ ...args, DestinationKeyId: dst.KeyId })), DisabledException);
    expect(dd.message).toBe(`${dst.Arn} is disabled.`);

    const other = await newKey(c);
    await c.send(new ScheduleKeyDeletionCommand({ KeyId: src.KeyId, PendingWindowInDays: 7 }));
    const sp = await rejection(c.send(new ReEncryptCommand({ ...args, DestinationKeyId: other.KeyId })), KMSInvalidStateException);
    expect(sp.message).toBe(`${src.Arn} is pending deletion.`);
  });

  it('a disabled source key is DisabledException', async () => {
    const { c, src, dst, blob } = await setup();
    await c.send(new DisableKeyCommand({ KeyId: src.KeyId }));
    const e = await rejection(
      c.send(new ReEncryptCommand({ CiphertextBlob: blob, SourceEncryptionContext: { purpose: 'src' }, DestinationKeyId: dst.KeyId })),
      DisabledException,
    );
    expect(e.message).toBe(`${src.Arn} is disabled.`);
  });

  it('validation: DestinationKeyId and CiphertextBlob are required', async () => {
    const { c, blob, dst } = await setup();
    const d = await rejection(c.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: undefined })), ValidationException);
    expect(d.message).toBe("1 validation error detected: Value null at 'destinationKeyId' failed to satisfy constraint: Member must not be null");
    const b = await rejection(c.send(new ReEncryptCommand({ DestinationKeyId: dst.KeyId })), ValidationException);
    expect(b.message).toBe("1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null");
  });

  it('DryRun after all checks, including the ciphertext', async () => {
    const { c, src, dst, blob } = await setup();
    const args = { CiphertextBlob: blob, SourceEncryptionContext: { purpose: 'src' }, DestinationKeyId: dst.KeyId };
    const e = await rejection(c.send(new ReEncryptCommand({ ...args, DryRun: true })), DryRunOperationException);
    expect(e.message).toBe(DRY_RUN);
    await rejection(c.send(new ReEncryptCommand({ ...args, SourceKeyId: dst.KeyId, DryRun: true })), IncorrectKeyException);
    const ign = await rejection(
      c.send(new ReEncryptCommand({ SourceKeyId: src.KeyId, DestinationKeyId: dst.KeyId, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] })),
      DryRunOperationException,
    );
    expect(ign.message).toBe(DRY_RUN);
    await c.send(new DisableKeyCommand({ KeyId: dst.KeyId }));
    await rejection(c.send(new ReEncryptCommand({ ...args, DryRun: true })), DisabledException);
  });
});

describe('GenerateRandom', () => {
  it('returns NumberOfBytes random bytes', async () => {
    const c = client();
    for (const n of [1, 16, 1024]) {
      const out = await c.send(new GenerateRandomCommand({ NumberOfBytes: n }));
      expect(out.Plaintext).toBeInstanceOf(Uint8Array);
      expect(out.Plaintext!.length).toBe(n);
    }
    const a = await c.send(new GenerateRandomCommand({ NumberOfBytes: 32 }));
    const b = await c.send(new GenerateRandomCommand({ NumberOfBytes: 32 }));
    expect(a.Plaintext).not.toEqual(b.Plaintext);
  });

  it('gives the recorded validation messages', async () => {
    const c = client();
    const missing = await rejection(c.send(new GenerateRandomCommand({})), ValidationException);
    expect(missing.message).toBe('NumberOfBytes is required.');
    const zero = await rejection(c.send(new GenerateRandomCommand({ NumberOfBytes: 0 })), ValidationException);
    expect(zero.message).toBe(
      "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    const big = await rejection(c.send(new GenerateRandomCommand({ NumberOfBytes: 1025 })), ValidationException);
    expect(big.message).toBe(
      "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
    );
  });

  it('CustomKeyStoreId: missing, external, disconnected, connected; Recipient is unsupported', async () => {
    const store = new MemoryKeyStore();
    const c = new KMSClient({ store });
    const e = await rejection(
      c.send(new GenerateRandomCommand({ NumberOfBytes: 16, CustomKeyStoreId: 'cks-1234567890abcdef0' })),
      CustomKeyStoreNotFoundException,
    );
    expect(e.message).toContain('cks-1234567890abcdef0');
    // Custom key store records put straight into the store (the operations that create them are elsewhere).
    const base = { account: '111122223333', region: 'us-east-1' };
    await putCustomKeyStoreRecord(store, { ...base, id: 'cks-00000000000000001', name: 'hsm', type: 'AWS_CLOUDHSM', connectionState: 'CONNECTED' });
    await putCustomKeyStoreRecord(store, { ...base, id: 'cks-00000000000000002', name: 'xks', type: 'EXTERNAL_KEY_STORE', connectionState: 'CONNECTED' });
    await putCustomKeyStoreRecord(store, { ...base, id: 'cks-00000000000000003', name: 'off', type: 'AWS_CLOUDHSM', connectionState: 'DISCONNECTED' });
    const ok = await c.send(new GenerateRandomCommand({ NumberOfBytes: 24, CustomKeyStoreId: 'cks-00000000000000001' }));
    expect(ok.Plaintext!.length).toBe(24);
    await rejection(c.send(new GenerateRandomCommand({ NumberOfBytes: 24, CustomKeyStoreId: 'cks-00000000000000002' })), UnsupportedOperationException);
    await rejection(c.send(new GenerateRandomCommand({ NumberOfBytes: 24, CustomKeyStoreId: 'cks-00000000000000003' })), CustomKeyStoreInvalidStateException);
    // Another account's store is not found.
    const other = new KMSClient({ store, accountId: '444455556666' });
    await rejection(other.send(new GenerateRandomCommand({ NumberOfBytes: 24, CustomKeyStoreId: 'cks-00000000000000001' })), CustomKeyStoreNotFoundException);
    // A KeyStore without custom key store methods.
    const plain = new KMSClient({
      store: { getKey: () => Promise.resolve(undefined), putKey: async () => {}, listKeys: async () => [], getAlias: async () => undefined, putAlias: async () => {}, deleteAlias: async () => false, listAliases: async () => [] },
    });
    await rejection(plain.send(new GenerateRandomCommand({ NumberOfBytes: 8, CustomKeyStoreId: 'cks-00000000000000001' })), UnsupportedOperationException);
    await rejection(
      c.send(new GenerateRandomCommand({ NumberOfBytes: 16, Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: new Uint8Array(4) } })),
      UnsupportedOperationException,
    );
  });
});

describe('Encrypt → Decrypt properties', () => {
  // Random Unicode (any code point, no lone surrogates) keys and values, 0..5 pairs.
  const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 16 });
  const context = fc.dictionary(text, fc.string({ unit: 'binary', maxLength: 16 }), { minKeys: 0, maxKeys: 5 });
  const plaintext = fc.uint8Array({ minLength: 1, maxLength: 4096 });

  it('round-trips any plaintext under any context', async () => {
    const c = client();
    const md = await newKey(c);
    await fc.assert(
      fc.asyncProperty(plaintext, context, async (pt, ec) => {
        const enc = await c.send(new EncryptCommand({ KeyId: md.KeyId, Plaintext: pt, EncryptionContext: ec }));
        const dec = await c.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob!, EncryptionContext: ec }));
        expect(dec.Plaintext).toEqual(pt);
        expect(dec.KeyId).toBe(md.Arn);
      }),
      { numRuns: 50 },
    );
  });

  it('any different context fails with InvalidCiphertextException', async () => {
    const c = client();
    const md = await newKey(c);
    const sameContext = (a: Record<string, string>, b: Record<string, string>) => {
      const ka = Object.keys(a);
      return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && b[k] === a[k]);
    };
    await fc.assert(
      fc.asyncProperty(
        plaintext,
        context,
        context,
        async (pt, ec, other) => {
          fc.pre(!sameContext(ec, other));
          const enc = await c.send(new EncryptCommand({ KeyId: md.KeyId, Plaintext: pt, EncryptionContext: ec }));
          const e = await rejection(
            c.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob!, EncryptionContext: other })),
            InvalidCiphertextException,
          );
          expect(e.message).toBe('');
        },
      ),
      { numRuns: 50 },
    );
  });
});
