// Encrypt, Decrypt and ReEncrypt through KMSClient: Decrypt's failures, ReEncrypt's success and error
// paths, and fast-check properties of Encrypt → Decrypt over random plaintexts and encryption contexts.

import { describe, it, expect } from 'vitest';
import {
  KMSClient,
  MemoryKeyStore,
  DisableKeyCommand,
  ScheduleKeyDeletionCommand,
  CreateAliasCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  DecryptCommand,
  EncryptCommand,
  NotFoundException,
  DisabledException,
  KMSInvalidStateException,
  InvalidCiphertextException,
  IncorrectKeyException,
  AccessDeniedException,
  InvalidKeyUsageException,
  DryRunOperationException,
  ValidationException,
} from '../../src/kms/index.js';
import { clients, newKey, rejection } from '../helpers/kms.js';
import fc from 'fast-check';
import { ReEncryptCommand } from '../../src/kms/registry.js';

const ACCOUNT = '111122223333';

describe('Decrypt failures', () => {
  it('a wrong context, a shifted context, a missing context and every flipped byte give InvalidCiphertextException with an empty message', async () => {
    const { us } = clients();
    const md = await newKey(us);
    const out = await us.send(
      new GenerateDataKeyPairWithoutPlaintextCommand({
        KeyId: md.KeyId,
        KeyPairSpec: 'ECC_NIST_P256',
        EncryptionContext: { a: 'bc' },
      }),
    );
    const blob = out.PrivateKeyCiphertextBlob!;
    // The account digits of the key ARN in the header: a flipped bit there names another account's key.
    const at = Buffer.from(blob).indexOf(`:${ACCOUNT}:key/`);
    expect(at).toBeGreaterThan(0);
    const accountBytes = new Set(Array.from({ length: 12 }, (_, k) => at + 1 + k));
    const wrongContexts: (Record<string, string> | undefined)[] = [
      { ab: 'c' },
      { a: 'b' },
      {},
      undefined,
      { a: 'bc', x: 'y' },
    ];
    for (const ctx of wrongContexts) {
      const e = await rejection(
        us.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: ctx })),
        InvalidCiphertextException,
      );
      expect(e.message).toBe('');
    }
    for (let i = 0; i < blob.length; i++) {
      const bad = blob.slice();
      bad[i] ^= 0x01;
      let err: unknown;
      try {
        await us.send(new DecryptCommand({ CiphertextBlob: bad, EncryptionContext: { a: 'bc' } }));
      } catch (e) {
        err = e;
      }
      if (accountBytes.has(i)) {
        // Another account's key, existing or not: refused without naming it (authorize.ts).
        expect(err, `byte ${i}`).toBeInstanceOf(AccessDeniedException);
        expect((err as Error).message).toBe(
          `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: kms:Decrypt on the resource associated with this ciphertext because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access`,
        );
        continue;
      }
      // Every other changed byte, in the header (the rest of the key's ARN) or the body, is InvalidCiphertext.
      expect(err, `byte ${i}`).toBeInstanceOf(InvalidCiphertextException);
      expect((err as Error).message).toBe('');
    }
    for (let n = 0; n < blob.length; n++) {
      await rejection(
        us.send(new DecryptCommand({ CiphertextBlob: blob.slice(0, n || 1), EncryptionContext: { a: 'bc' } })),
        InvalidCiphertextException,
      );
    }
    const e = await rejection(
      us.send(new DecryptCommand({ CiphertextBlob: Uint8Array.of(1, 2, 3) })),
      InvalidCiphertextException,
    );
    expect(e.message).toBe('');
  });

  it('Decrypt with another KeyId is IncorrectKeyException; with the same key by alias it works', async () => {
    const { us } = clients();
    const a = await newKey(us);
    const b = await newKey(us);
    await us.send(new CreateAliasCommand({ AliasName: 'alias/a', TargetKeyId: a.KeyId }));
    const out = await us.send(new GenerateDataKeyPairCommand({ KeyId: a.KeyId, KeyPairSpec: 'ECC_NIST_EDWARDS25519' }));
    const e = await rejection(
      us.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob, KeyId: b.KeyId })),
      IncorrectKeyException,
    );
    expect(e.message).toBe('The key ID in the request does not identify a CMK that can perform this operation.');
    const back = await us.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob, KeyId: 'alias/a' }));
    expect(back.Plaintext).toEqual(out.PrivateKeyPlaintext);
  });

  it('Decrypt under a disabled key is DisabledException', async () => {
    const { us } = clients();
    const md = await newKey(us);
    const out = await us.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'ECC_NIST_P256' }));
    await us.send(new DisableKeyCommand({ KeyId: md.KeyId }));
    const e = await rejection(
      us.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob })),
      DisabledException,
    );
    expect(e.message).toBe(`${md.Arn} is disabled.`);
  });
});

const DRY_RUN = 'The request would have succeeded, but the DryRun option is set.';
const INCORRECT_KEY = 'The key ID in the request does not identify a CMK that can perform this operation.';

function client() {
  return new KMSClient({ store: new MemoryKeyStore() });
}

async function decrypts(c: KMSClient, blob: Uint8Array, ctx?: Record<string, string>) {
  return c.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: ctx }));
}

describe('ReEncrypt', () => {
  async function clients() {
    const c = client();
    const src = await newKey(c);
    const dst = await newKey(c);
    const plaintext = new TextEncoder().encode('re-encrypt me');
    const enc = await c.send(
      new EncryptCommand({ KeyId: src.KeyId, Plaintext: plaintext, EncryptionContext: { purpose: 'src' } }),
    );
    return { c, src, dst, plaintext, blob: enc.CiphertextBlob! };
  }

  it('moves a ciphertext to the destination key and context', async () => {
    const { c, src, dst, plaintext, blob } = await clients();
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
    await rejection(
      c.send(
        new DecryptCommand({
          CiphertextBlob: out.CiphertextBlob!,
          KeyId: src.KeyId,
          EncryptionContext: { purpose: 'dst' },
        }),
      ),
      IncorrectKeyException,
    );
    // The old blob is untouched.
    expect((await decrypts(c, blob, { purpose: 'src' })).Plaintext).toEqual(plaintext);
  });

  it('can re-encrypt under the same key with a new context, and accepts a matching SourceKeyId', async () => {
    const { c, src, plaintext, blob } = await clients();
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
    const { c, dst, blob } = await clients();
    const wrong = await rejection(
      c.send(
        new ReEncryptCommand({
          CiphertextBlob: blob,
          SourceEncryptionContext: { purpose: 'x' },
          DestinationKeyId: dst.KeyId,
        }),
      ),
      InvalidCiphertextException,
    );
    expect(wrong.message).toBe('');
    const none = await rejection(
      c.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: dst.KeyId })),
      InvalidCiphertextException,
    );
    expect(none.message).toBe('');
    const flipped = blob.slice();
    flipped[flipped.length - 1] ^= 1;
    const f = await rejection(
      c.send(
        new ReEncryptCommand({
          CiphertextBlob: flipped,
          SourceEncryptionContext: { purpose: 'src' },
          DestinationKeyId: dst.KeyId,
        }),
      ),
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
    const { c, dst, blob } = await clients();
    const e = await rejection(
      c.send(
        new ReEncryptCommand({
          CiphertextBlob: blob,
          SourceKeyId: dst.KeyId,
          SourceEncryptionContext: { purpose: 'src' },
          DestinationKeyId: dst.KeyId,
        }),
      ),
      IncorrectKeyException,
    );
    expect(e.message).toBe(INCORRECT_KEY);
  });

  it('checks the state and usage of both keys', async () => {
    const { c, src, dst, blob } = await clients();
    const args = { CiphertextBlob: blob, SourceEncryptionContext: { purpose: 'src' } };
    const nf = await rejection(
      c.send(new ReEncryptCommand({ ...args, DestinationKeyId: 'alias/none' })),
      NotFoundException,
    );
    expect(nf.message).toBe('Alias arn:aws:kms:us-east-1:111122223333:alias/none is not found.');
    const signing = await newKey(c, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const u = await rejection(
      c.send(new ReEncryptCommand({ ...args, DestinationKeyId: signing.KeyId })),
      InvalidKeyUsageException,
    );
    expect(u.message).toBe(`${signing.Arn} key usage is SIGN_VERIFY which is not valid for ReEncrypt.`);

    await c.send(new DisableKeyCommand({ KeyId: dst.KeyId }));
    const dd = await rejection(
      c.send(new ReEncryptCommand({ ...args, DestinationKeyId: dst.KeyId })),
      DisabledException,
    );
    expect(dd.message).toBe(`${dst.Arn} is disabled.`);

    const other = await newKey(c);
    await c.send(new ScheduleKeyDeletionCommand({ KeyId: src.KeyId, PendingWindowInDays: 7 }));
    const sp = await rejection(
      c.send(new ReEncryptCommand({ ...args, DestinationKeyId: other.KeyId })),
      KMSInvalidStateException,
    );
    expect(sp.message).toBe(`${src.Arn} is pending deletion.`);
  });

  it('a disabled source key is DisabledException', async () => {
    const { c, src, dst, blob } = await clients();
    await c.send(new DisableKeyCommand({ KeyId: src.KeyId }));
    const e = await rejection(
      c.send(
        new ReEncryptCommand({
          CiphertextBlob: blob,
          SourceEncryptionContext: { purpose: 'src' },
          DestinationKeyId: dst.KeyId,
        }),
      ),
      DisabledException,
    );
    expect(e.message).toBe(`${src.Arn} is disabled.`);
  });

  it('validation: DestinationKeyId and CiphertextBlob are required', async () => {
    const { c, blob, dst } = await clients();
    const d = await rejection(
      c.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: undefined })),
      ValidationException,
    );
    expect(d.message).toBe(
      "1 validation error detected: Value null at 'destinationKeyId' failed to satisfy constraint: Member must not be null",
    );
    const b = await rejection(c.send(new ReEncryptCommand({ DestinationKeyId: dst.KeyId })), ValidationException);
    expect(b.message).toBe(
      "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null",
    );
  });

  it('DryRun after all checks, including the ciphertext', async () => {
    const { c, src, dst, blob } = await clients();
    const args = { CiphertextBlob: blob, SourceEncryptionContext: { purpose: 'src' }, DestinationKeyId: dst.KeyId };
    const e = await rejection(c.send(new ReEncryptCommand({ ...args, DryRun: true })), DryRunOperationException);
    expect(e.message).toBe(DRY_RUN);
    await rejection(
      c.send(new ReEncryptCommand({ ...args, SourceKeyId: dst.KeyId, DryRun: true })),
      IncorrectKeyException,
    );
    const ign = await rejection(
      c.send(
        new ReEncryptCommand({
          SourceKeyId: src.KeyId,
          DestinationKeyId: dst.KeyId,
          DryRun: true,
          DryRunModifiers: ['IGNORE_CIPHERTEXT'],
        }),
      ),
      DryRunOperationException,
    );
    expect(ign.message).toBe(DRY_RUN);
    await c.send(new DisableKeyCommand({ KeyId: dst.KeyId }));
    await rejection(c.send(new ReEncryptCommand({ ...args, DryRun: true })), DisabledException);
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
      return (
        ka.length === Object.keys(b).length &&
        ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && b[k] === a[k])
      );
    };
    await fc.assert(
      fc.asyncProperty(plaintext, context, context, async (pt, ec, other) => {
        fc.pre(!sameContext(ec, other));
        const enc = await c.send(new EncryptCommand({ KeyId: md.KeyId, Plaintext: pt, EncryptionContext: ec }));
        const e = await rejection(
          c.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob!, EncryptionContext: other })),
          InvalidCiphertextException,
        );
        expect(e.message).toBe('');
      }),
      { numRuns: 50 },
    );
  });
});
