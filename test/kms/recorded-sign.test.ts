// The recorded AWS answers (test/vectors/kms/aws-recorded-responses.json) of Sign, Verify,
// DeriveSharedSecret and asymmetric Encrypt/ReEncrypt, replayed: each recorded test's calls are
// made against this engine in the recorded order and every recorded item is compared — the
// members and fixed values of a success, the code, status and exact message of an error (with
// <key-arn> put back). A recorded test with no content (parameter sets AWS dropped) must still
// fail here the way KMS fails it.

import { describe, it, expect } from 'vitest';
import { createHash, createPublicKey, verify as nodeVerify, constants } from 'node:crypto';
import {
  CreateKeyCommand,
  EncryptCommand,
  InvalidKeyUsageException,
  KMSClient,
  KMSServiceException,
  ReEncryptCommand,
} from '../../src/kms/index.js';
import { DeriveSharedSecretCommand, GetPublicKeyCommand, SignCommand, VerifyCommand } from '../../src/kms/registry.js';
import { readVectorText } from '../helpers/vectors.js';
import { caught } from '../helpers/caught.js';

type Item = Record<string, unknown> & {
  Error?: { Code: string; Message: string };
  ResponseMetadata?: { HTTPStatusCode: number };
};
const RECORDINGS = JSON.parse(readVectorText('kms/aws-recorded-responses.json')) as Record<
  string,
  { 'recorded-content': Record<string, Item> }
>;
const PREFIX = 'tests/aws/services/kms/test_kms.py::TestKMS::';
const content = (id: string) => {
  const t = RECORDINGS[PREFIX + id];
  expect(t, id).toBeDefined();
  return t['recorded-content'];
};

let compared = 0;

/** A success compared with its recording: the same members, and the same values where they are not placeholders. */
function sameSuccess(out: object, rec: Item): void {
  const members = (o: object) =>
    Object.keys(o)
      .filter((k) => k !== '$metadata' && k !== 'ResponseMetadata')
      .sort();
  expect(members(out)).toEqual(members(rec));
  for (const [k, v] of Object.entries(rec)) {
    if (k === 'ResponseMetadata') continue;
    if (typeof v === 'boolean' || (typeof v === 'string' && !v.includes('<') && !/^[a-z-]+$/.test(v))) {
      expect((out as Record<string, unknown>)[k], k).toEqual(v);
    }
  }
  expect(rec.ResponseMetadata?.HTTPStatusCode).toBe(200);
  compared++;
}

/** An error compared with its recording: class name, status and message (<key-arn> replaced). */
async function sameError(p: Promise<unknown>, rec: Item, arn = ''): Promise<void> {
  const err = await caught(p);
  expect(err).toBeInstanceOf(KMSServiceException);
  const e = err as KMSServiceException;
  expect(e.name).toBe(rec.Error!.Code);
  expect(e.$metadata.httpStatusCode).toBe(rec.ResponseMetadata!.HTTPStatusCode);
  expect(e.message).toBe(rec.Error!.Message.split('<key-arn>').join(arn));
  compared++;
}

const PLAINTEXT = new TextEncoder().encode('test message !%$@ 1234567890');
const HASHES: Record<string, string> = { SHA_256: 'sha256', SHA_384: 'sha384', SHA_512: 'sha512' };

const SIGN_VERIFY_IDS = Object.keys(RECORDINGS)
  .filter((k) => k.startsWith(`${PREFIX}test_sign_verify[`))
  .map((k) => k.slice(PREFIX.length));

describe('recorded Sign / Verify', () => {
  it.each(SIGN_VERIFY_IDS)('%s', async (id) => {
    const [spec, alg] = id.slice('test_sign_verify['.length, -1).split('-');
    const rec = content(id);
    const c = new KMSClient();
    const md = (await c.send(new CreateKeyCommand({ KeyUsage: 'SIGN_VERIFY', KeySpec: spec as never }))).KeyMetadata!;
    const kw = { KeyId: md.KeyId, SigningAlgorithm: alg as never };
    if (Object.keys(rec).length === 0) {
      // Not recorded: the algorithm is not one of the key spec's.
      const e = await caught(c.send(new SignCommand({ ...kw, MessageType: 'RAW', Message: PLAINTEXT })));
      expect(e).toBeInstanceOf(InvalidKeyUsageException);
      expect((e as Error).message).toBe(`Algorithm ${alg} is incompatible with key spec ${spec}.`);
      return;
    }
    const hash = HASHES[alg.slice(-7)];
    const digest = new Uint8Array(createHash(hash).update(PLAINTEXT).digest());
    const badSignature = (
      await c.send(new SignCommand({ ...kw, MessageType: 'RAW', Message: new TextEncoder().encode('bad') }))
    ).Signature!;
    const signature = await c.send(new SignCommand({ ...kw, MessageType: 'RAW', Message: PLAINTEXT }));
    sameSuccess({ ...signature, KeyId: '<key-id:1>' }, rec.signature);
    expect(signature.KeyId).toBe(md.Arn);
    const verification = await c.send(
      new VerifyCommand({ ...kw, MessageType: 'RAW', Signature: signature.Signature, Message: PLAINTEXT }),
    );
    sameSuccess(verification, rec.verification);
    const fromDigest = await c.send(new SignCommand({ ...kw, MessageType: 'DIGEST', Message: digest }));
    expect(
      (
        await c.send(
          new VerifyCommand({ ...kw, MessageType: 'DIGEST', Signature: fromDigest.Signature, Message: digest }),
        )
      ).SignatureValid,
    ).toBe(true);
    await sameError(c.send(new SignCommand({ ...kw, MessageType: 'DIGEST', Message: PLAINTEXT })), rec['bad-digest']);
    await sameError(
      c.send(new VerifyCommand({ ...kw, MessageType: 'RAW', Signature: badSignature, Message: PLAINTEXT })),
      rec['bad-signature'],
    );
    const badMessage = new TextEncoder().encode('bad message 321');
    await sameError(
      c.send(new VerifyCommand({ ...kw, MessageType: 'RAW', Signature: signature.Signature, Message: badMessage })),
      rec['bad-signature'],
    );
    const e = await caught(
      c.send(new VerifyCommand({ ...kw, MessageType: 'DIGEST', Signature: signature.Signature, Message: badMessage })),
    );
    expect((e as Error).name).toBe('ValidationException');
  });

  // Recorded with no content: the signatures, RAW and DIGEST, verify in an outside library (here
  // node:crypto) with PSS's salt as long as the hash.
  const SALT_IDS = Object.keys(RECORDINGS)
    .filter((k) => k.startsWith(`${PREFIX}test_verify_salt_length[`))
    .map((k) => k.slice(PREFIX.length));
  it.each(SALT_IDS)('%s', async (id) => {
    const [spec, alg] = id.slice('test_verify_salt_length['.length, -1).split('-');
    const c = new KMSClient();
    const md = (await c.send(new CreateKeyCommand({ KeyUsage: 'SIGN_VERIFY', KeySpec: spec as never }))).KeyMetadata!;
    const spki = (await c.send(new GetPublicKeyCommand({ KeyId: md.KeyId }))).PublicKey!;
    const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    const hash = HASHES[alg.slice(-7)];
    const digest = new Uint8Array(createHash(hash).update(PLAINTEXT).digest());
    for (const [type, message] of [
      ['RAW', PLAINTEXT],
      ['DIGEST', digest],
    ] as const) {
      const sig = (
        await c.send(
          new SignCommand({ KeyId: md.KeyId, SigningAlgorithm: alg as never, MessageType: type, Message: message }),
        )
      ).Signature!;
      const opts = alg.includes('PSS')
        ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(hash.slice(3)) / 8 }
        : alg.startsWith('ECDSA')
          ? { key, dsaEncoding: 'der' as const }
          : { key, padding: constants.RSA_PKCS1_PADDING };
      expect(nodeVerify(hash, PLAINTEXT, opts, sig), `${type}`).toBe(true);
    }
  });

  // The Sign and Verify answers recorded with imported EC key material. ImportKeyMaterial is not
  // served here, so the key is made by CreateKey; the answers must have the same members, the
  // same algorithm and the key ARN (account 111111111111 as recorded) as KeyId.
  const IMPORT_IDS = Object.keys(RECORDINGS)
    .filter((k) => k.startsWith(`${PREFIX}test_import_key_ecc_keys[`))
    .map((k) => k.slice(PREFIX.length));
  it.each(IMPORT_IDS)('%s: sign-result and verify-result', async (id) => {
    const spec = id.slice('test_import_key_ecc_keys['.length, -1);
    const rec = content(id);
    const c = new KMSClient({ accountId: '111111111111' });
    const md = (await c.send(new CreateKeyCommand({ KeyUsage: 'SIGN_VERIFY', KeySpec: spec as never }))).KeyMetadata!;
    const alg = rec['sign-result'].SigningAlgorithm as string;
    const arn = (rec['sign-result'].KeyId as string)
      .replace('<partition>', 'aws')
      .replace('<region>', 'us-east-1')
      .replace('<key-id:1>', md.KeyId);
    const message = new TextEncoder().encode('test content 123 !#');
    const kw = { KeyId: md.KeyId, SigningAlgorithm: alg as never, MessageType: 'RAW' as const, Message: message };
    const signed = await c.send(new SignCommand(kw));
    expect(signed.KeyId).toBe(arn);
    sameSuccess(signed, rec['sign-result']);
    const verified = await c.send(new VerifyCommand({ ...kw, Signature: signed.Signature }));
    expect(verified.KeyId).toBe(arn);
    sameSuccess(verified, rec['verify-result']);
  });

  it('test_error_messaging_for_invalid_keys: Sign and Verify', async () => {
    const rec = content('test_error_messaging_for_invalid_keys');
    const c = new KMSClient();
    const mac = (await c.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })))
      .KeyMetadata!;
    const sym = (await c.send(new CreateKeyCommand({}))).KeyMetadata!;
    await sameError(
      c.send(new SignCommand({ KeyId: mac.KeyId, Message: PLAINTEXT, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })),
      rec['sign-invalid-key-id'],
      mac.Arn,
    );
    await sameError(
      c.send(
        new VerifyCommand({
          KeyId: sym.KeyId,
          Message: PLAINTEXT,
          Signature: PLAINTEXT,
          SigningAlgorithm: 'RSASSA_PSS_SHA_256',
        }),
      ),
      rec['verify-invalid-key-id'],
      sym.Arn,
    );
  });
});

describe('recorded DeriveSharedSecret', () => {
  it('test_derive_shared_secret: all six items', async () => {
    const rec = content('test_derive_shared_secret');
    expect(Object.keys(rec).length).toBe(6);
    const c = new KMSClient();
    const key = async (input: object) => (await c.send(new CreateKeyCommand(input))).KeyMetadata!;
    const key1 = await key({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
    const pub1 = (await c.send(new GetPublicKeyCommand({ KeyId: key1.KeyId }))).PublicKey!;
    const key2 = await key({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
    const pub2 = (await c.send(new GetPublicKeyCommand({ KeyId: key2.KeyId }))).PublicKey!;
    const derive = (KeyId: string, PublicKey: Uint8Array, KeyAgreementAlgorithm = 'ECDH') =>
      c.send(
        new DeriveSharedSecretCommand({ KeyId, KeyAgreementAlgorithm: KeyAgreementAlgorithm as never, PublicKey }),
      );
    const secret1 = await derive(key1.KeyId, pub2);
    sameSuccess({ ...secret1, KeyId: '<key-id:1>', SharedSecret: 'shared-secret' }, rec.response);
    const secret2 = await derive(key2.KeyId, pub1);
    expect(secret1.SharedSecret).toEqual(secret2.SharedSecret);
    const key3 = await key({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    await sameError(derive(key3.KeyId, pub2), rec['response-invalid-key-usage'], key3.Arn);
    await sameError(
      c.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'KEY_AGREEMENT' })),
      rec['response-invalid-key-spec'],
    );
    await sameError(derive(key1.KeyId, pub2, 'INVALID'), rec['response-invalid-key-agreement-algo']);
    const key4 = await key({});
    await sameError(derive(key4.KeyId, pub2), rec['response-invalid-key'], key4.Arn);
    await sameError(
      derive(key1.KeyId, new TextEncoder().encode('InvalidPublicKey')),
      rec['response-invalid-public-key'],
    );
  });

  it('test_derive_shared_secret_matches_openssl: the response', async () => {
    const rec = content('test_derive_shared_secret_matches_openssl');
    const c = new KMSClient();
    const md = (await c.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' })))
      .KeyMetadata!;
    const other = (await c.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' })))
      .KeyMetadata!;
    const pub = (await c.send(new GetPublicKeyCommand({ KeyId: other.KeyId }))).PublicKey!;
    const out = await c.send(
      new DeriveSharedSecretCommand({ KeyId: md.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: pub }),
    );
    sameSuccess({ ...out, KeyId: '<key-id:1>', SharedSecret: 'shared-secret' }, rec['derived-shared-key-resp']);
  });
});

describe('recorded asymmetric Encrypt / ReEncrypt', () => {
  const IDS = Object.keys(RECORDINGS)
    .filter((k) => k.startsWith(`${PREFIX}test_encrypt_validate_plaintext_size_per_key_type[`))
    .map((k) => k.slice(PREFIX.length));
  it.each(IDS)('%s', async (id) => {
    const [spec, alg] = id.slice('test_encrypt_validate_plaintext_size_per_key_type['.length, -1).split('-');
    const c = new KMSClient();
    const md = (await c.send(new CreateKeyCommand({ KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: spec as never })))
      .KeyMetadata!;
    // The recorded call: 880 bytes, base64-encoded by the test (1,176 bytes).
    const message = Buffer.from(new TextEncoder().encode('more than 500 bytes and less than 4096 bytes'.repeat(20)));
    const plaintext = new TextEncoder().encode(message.toString('base64'));
    await sameError(
      c.send(new EncryptCommand({ KeyId: md.KeyId, Plaintext: plaintext, EncryptionAlgorithm: alg as never })),
      content(id)['generate-random-exc'],
    );
  });

  it('test_re_encrypt[RSA_2048-RSAES_OAEP_SHA_256]', async () => {
    const rec = content('test_re_encrypt[RSA_2048-RSAES_OAEP_SHA_256]');
    const c = new KMSClient();
    const source = (await c.send(new CreateKeyCommand({ KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'RSA_2048' })))
      .KeyMetadata!;
    const dest = (await c.send(new CreateKeyCommand({ KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'RSA_2048' })))
      .KeyMetadata!;
    const message = new TextEncoder().encode(Buffer.from('test message 123 !%$@ 1234567890').toString('base64'));
    const ct = await c.send(
      new EncryptCommand({ KeyId: source.KeyId, Plaintext: message, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
    );
    const out = await c.send(
      new ReEncryptCommand({
        SourceKeyId: source.KeyId,
        DestinationKeyId: dest.KeyId,
        CiphertextBlob: ct.CiphertextBlob,
        SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
        DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      }),
    );
    expect(out.SourceKeyId).toBe(source.Arn);
    expect(out.KeyId).toBe(dest.Arn);
    sameSuccess(
      { ...out, KeyId: '<key-id:1>', SourceKeyId: '<key-arn>', CiphertextBlob: 'ciphertext-blob' },
      rec.test_re_encrypt,
    );
  });

  it('compared every recorded item it names', () => {
    // Sign/Verify: 8 recorded tests × (2 successes + 3 errors); 4 × 2 answers of imported keys;
    // 2 invalid-key messages; DeriveSharedSecret: 6 + 1; Encrypt limits: 6; ReEncrypt: 1.
    expect(compared).toBe(8 * 5 + 4 * 2 + 2 + 7 + 6 + 1);
  });
});
