// GenerateDataKey and GenerateDataKeyWithoutPlaintext through KMSClient: success paths, round trips
// through Decrypt, the error paths (validation wording, key resolution, key states, IncorrectKey,
// InvalidCiphertext, DryRun).

import { describe, it, expect } from 'vitest';
import {
  KMSClient,
  MemoryKeyStore,
  CreateAliasCommand,
  DisableKeyCommand,
  ScheduleKeyDeletionCommand,
  DecryptCommand,
  NotFoundException,
  DisabledException,
  KMSInvalidStateException,
  InvalidCiphertextException,
  InvalidKeyUsageException,
  DryRunOperationException,
  ValidationException,
} from '../../src/kms/index.js';
import { GenerateDataKeyCommand, GenerateDataKeyWithoutPlaintextCommand } from '../../src/kms/registry.js';
import { newKey, rejection } from '../helpers/kms.js';

const DRY_RUN = 'The request would have succeeded, but the DryRun option is set.';
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
    for (const [spec, n] of [
      ['AES_128', 16],
      ['AES_256', 32],
    ] as const) {
      const out = await c.send(
        new GenerateDataKeyCommand({ KeyId: md.KeyId, KeySpec: spec, EncryptionContext: { a: 'b' } }),
      );
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
    const zero = await rejection(
      c.send(new GenerateDataKeyCommand({ KeyId: md.KeyId, NumberOfBytes: 0 })),
      ValidationException,
    );
    expect(zero.message).toBe(
      "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    const big = await rejection(
      c.send(new GenerateDataKeyCommand({ KeyId: md.KeyId, NumberOfBytes: 1025 })),
      ValidationException,
    );
    expect(big.message).toBe(
      "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
    );
    const spec = await rejection(
      c.send(new GenerateDataKeyCommand({ KeyId: md.KeyId, KeySpec: 'AES_512' as never })),
      ValidationException,
    );
    expect(spec.message).toMatch(
      /^1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: \[/,
    );
    const noKey = await rejection(
      c.send(new GenerateDataKeyCommand({ KeyId: undefined, KeySpec: 'AES_256' })),
      ValidationException,
    );
    expect(noKey.message).toBe(
      "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
    );
  });

  it('NotFound, Disabled, PendingDeletion, key usage', async () => {
    const c = client();
    const missing = '00000000-0000-4000-8000-000000000000';
    const nf = await rejection(
      c.send(new GenerateDataKeyCommand({ KeyId: missing, KeySpec: 'AES_256' })),
      NotFoundException,
    );
    expect(nf.message).toBe(`Key 'arn:aws:kms:us-east-1:111122223333:key/${missing}' does not exist`);
    await rejection(c.send(new GenerateDataKeyCommand({ KeyId: 'alias/none', KeySpec: 'AES_256' })), NotFoundException);

    const disabled = await newKey(c);
    await c.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
    const d = await rejection(
      c.send(new GenerateDataKeyCommand({ KeyId: disabled.KeyId, KeySpec: 'AES_256' })),
      DisabledException,
    );
    expect(d.message).toBe(`${disabled.Arn} is disabled.`);

    const pending = await newKey(c);
    await c.send(new ScheduleKeyDeletionCommand({ KeyId: pending.KeyId, PendingWindowInDays: 7 }));
    const p = await rejection(
      c.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: pending.KeyId, KeySpec: 'AES_256' })),
      KMSInvalidStateException,
    );
    expect(p.message).toBe(`${pending.Arn} is pending deletion.`);

    const signing = await newKey(c, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const u = await rejection(
      c.send(new GenerateDataKeyCommand({ KeyId: signing.KeyId, KeySpec: 'AES_256' })),
      InvalidKeyUsageException,
    );
    expect(u.message).toBe(`${signing.Arn} key usage is SIGN_VERIFY which is not valid for GenerateDataKey.`);
  });

  it('refuses a Recipient whose attestation document is not one with ValidationException', async () => {
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
      ValidationException,
    );
    expect(e.message).toMatch(/^The attestation document in Recipient is not valid: it is not a well-formed/);
  });

  it('DryRun comes after every check', async () => {
    const c = client();
    const md = await newKey(c);
    const e = await rejection(
      c.send(new GenerateDataKeyCommand({ KeyId: md.KeyId, KeySpec: 'AES_256', DryRun: true })),
      DryRunOperationException,
    );
    expect(e.message).toBe(DRY_RUN);
    await c.send(new DisableKeyCommand({ KeyId: md.KeyId }));
    await rejection(
      c.send(new GenerateDataKeyCommand({ KeyId: md.KeyId, KeySpec: 'AES_256', DryRun: true })),
      DisabledException,
    );
    await rejection(c.send(new GenerateDataKeyCommand({ KeyId: md.KeyId, DryRun: true })), ValidationException);
  });
});

describe('GenerateDataKeyWithoutPlaintext', () => {
  it('returns only the blob, which decrypts to a key of the asked size', async () => {
    const c = client();
    const md = await newKey(c);
    const out = await c.send(
      new GenerateDataKeyWithoutPlaintextCommand({
        KeyId: md.KeyId,
        KeySpec: 'AES_128',
        EncryptionContext: { k: 'v' },
      }),
    );
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
    const v = await rejection(
      c.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: md.KeyId })),
      ValidationException,
    );
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
    await rejection(
      c.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: md.KeyId, NumberOfBytes: 16 })),
      DisabledException,
    );
  });
});
