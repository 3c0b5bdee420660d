// Encrypt, Decrypt and ReEncrypt with asymmetric ENCRYPT_DECRYPT keys through KMSClient: RSA
// (RSAES_OAEP_SHA_1/256) and SM2 (SM2PKE, China Regions). Ciphertexts made here open in
// node:crypto / sm-crypto-v2 with the KMS key's private key, and theirs, made with the public key
// GetPublicKey returns, open here; the plaintext limits with AWS's recorded message; ReEncrypt
// between symmetric and asymmetric keys both ways; every refusal with its message.

import { describe, it, expect, beforeAll } from 'vitest';
import { constants, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';
import {
  DecryptCommand,
  DisableKeyCommand,
  DisabledException,
  DryRunOperationException,
  EncryptCommand,
  InvalidCiphertextException,
  InvalidKeyUsageException,
  ReEncryptCommand,
  ValidationException,
  type KMSClient,
  type MemoryKeyStore,
} from '../../src/kms/index.js';
import { GetPublicKeyCommand } from '../../src/kms/registry.js';
import { readVectorText } from '../helpers/vectors.js';
import { clients, newKey, rejection } from '../helpers/kms.js';

const RECORDINGS = JSON.parse(readVectorText('kms/aws-recorded-responses.json')) as Record<
  string,
  { 'recorded-content': Record<string, { Error?: { Code: string; Message: string } } & Record<string, unknown>> }
>;
const recorded = (id: string) => RECORDINGS[`tests/aws/services/kms/test_kms.py::TestKMS::${id}`]['recorded-content'];

interface AsymKey {
  keyId: string;
  arn: string;
  spki: Uint8Array;
  pkcs8: Uint8Array;
}

async function encryptionKey(c: KMSClient, store: MemoryKeyStore, spec: string, region: string): Promise<AsymKey> {
  const md = await newKey(c, { KeySpec: spec, KeyUsage: 'ENCRYPT_DECRYPT' });
  const spki = (await c.send(new GetPublicKeyCommand({ KeyId: md.KeyId }))).PublicKey!;
  const record = await store.getKey('111122223333', region, md.KeyId);
  return { keyId: md.KeyId, arn: md.Arn!, spki, pkcs8: record!.keyPair!.privateKey.slice() };
}

const OAEP_HASH = { RSAES_OAEP_SHA_1: 'sha1', RSAES_OAEP_SHA_256: 'sha256' } as const;
const LIMITS: Record<string, Record<string, number>> = {
  RSA_2048: { RSAES_OAEP_SHA_1: 214, RSAES_OAEP_SHA_256: 190 },
  RSA_3072: { RSAES_OAEP_SHA_1: 342, RSAES_OAEP_SHA_256: 318 },
  RSA_4096: { RSAES_OAEP_SHA_1: 470, RSAES_OAEP_SHA_256: 446 },
};
const bytes = (n: number, seed = 1) => new Uint8Array(n).map((_, i) => (i * 31 + seed) & 0xff);

describe.each(Object.keys(LIMITS))('%s', (spec) => {
  const { us: c, store } = clients();
  let k: AsymKey;
  beforeAll(async () => {
    k = await encryptionKey(c, store as MemoryKeyStore, spec, 'us-east-1');
  });

  it.each(Object.keys(OAEP_HASH) as Array<keyof typeof OAEP_HASH>)('%s both ways, up to the limit', async (alg) => {
    const max = LIMITS[spec][alg];
    for (const n of [1, 33, max]) {
      const pt = bytes(n, n);
      const out = await c.send(new EncryptCommand({ KeyId: k.keyId, Plaintext: pt, EncryptionAlgorithm: alg }));
      expect(out).toEqual({
        CiphertextBlob: expect.any(Uint8Array),
        KeyId: k.arn,
        EncryptionAlgorithm: alg,
        $metadata: expect.anything(),
      });
      // The bare OAEP ciphertext: one modulus long, opened by node:crypto with the private key.
      expect(out.CiphertextBlob!.length).toBe(Number(spec.slice(4)) / 8);
      const opened = privateDecrypt(
        {
          key: createPrivateKey({ key: Buffer.from(k.pkcs8), format: 'der', type: 'pkcs8' }),
          oaepHash: OAEP_HASH[alg],
        },
        out.CiphertextBlob!,
      );
      expect(new Uint8Array(opened)).toEqual(pt);
      // node:crypto's ciphertext under GetPublicKey's key opens here.
      const theirs = publicEncrypt(
        {
          key: createPublicKey({ key: Buffer.from(k.spki), format: 'der', type: 'spki' }),
          oaepHash: OAEP_HASH[alg],
          padding: constants.RSA_PKCS1_OAEP_PADDING,
        },
        pt,
      );
      const dec = await c.send(
        new DecryptCommand({ KeyId: k.keyId, CiphertextBlob: theirs, EncryptionAlgorithm: alg }),
      );
      expect(dec).toEqual({ KeyId: k.arn, Plaintext: pt, EncryptionAlgorithm: alg, $metadata: expect.anything() });
    }
    // One byte more: AWS's recorded refusal.
    const tooLong = c.send(new EncryptCommand({ KeyId: k.keyId, Plaintext: bytes(max + 1), EncryptionAlgorithm: alg }));
    const err = await rejection(tooLong, ValidationException);
    expect(err.message).toBe(`Algorithm ${alg} and key spec ${spec} cannot encrypt data larger than ${max} bytes.`);
    expect(err.message).toBe(
      recorded(`test_encrypt_validate_plaintext_size_per_key_type[${spec}-${alg}]`)['generate-random-exc'].Error!
        .Message,
    );
  });

  it('a ciphertext that does not open, or opened with the other hash, is InvalidCiphertextException with an empty message', async () => {
    const ct = (
      await c.send(
        new EncryptCommand({ KeyId: k.keyId, Plaintext: bytes(20), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
      )
    ).CiphertextBlob!;
    const cases: Array<[Uint8Array, string]> = [
      [ct, 'RSAES_OAEP_SHA_1'],
      [ct.map((b, i) => (i === 7 ? b ^ 1 : b)), 'RSAES_OAEP_SHA_256'],
      [ct.slice(1), 'RSAES_OAEP_SHA_256'],
      [new Uint8Array(ct.length).fill(0xff), 'RSAES_OAEP_SHA_256'],
      [new Uint8Array(ct.length), 'RSAES_OAEP_SHA_256'],
    ];
    for (const [blob, alg] of cases) {
      const p = c.send(new DecryptCommand({ KeyId: k.keyId, CiphertextBlob: blob, EncryptionAlgorithm: alg as never }));
      expect((await rejection(p, InvalidCiphertextException)).message).toBe('');
    }
  });
});

describe('SM2PKE (China Regions)', () => {
  const { cn: c, store } = clients();
  let k: AsymKey;
  beforeAll(async () => {
    k = await encryptionKey(c, store as MemoryKeyStore, 'SM2', 'cn-north-1');
  });

  it('both ways with sm-crypto-v2, up to 1024 bytes', async () => {
    const pub = Buffer.from(k.spki.slice(-65)).toString('hex');
    const at = Buffer.from(k.pkcs8).indexOf(Buffer.from([0x02, 0x01, 0x01, 0x04, 0x20]));
    const d = Buffer.from(k.pkcs8.slice(at + 5, at + 37)).toString('hex');
    for (const n of [1, 100, 1024]) {
      const pt = bytes(n, n);
      const out = await c.send(new EncryptCommand({ KeyId: k.keyId, Plaintext: pt, EncryptionAlgorithm: 'SM2PKE' }));
      expect(out.EncryptionAlgorithm).toBe('SM2PKE');
      const opened = await c.send(
        new DecryptCommand({ KeyId: k.keyId, CiphertextBlob: out.CiphertextBlob, EncryptionAlgorithm: 'SM2PKE' }),
      );
      expect(opened.Plaintext).toEqual(pt);
      // AWS's SM2PKE ciphertext is the DER SM2Cipher structure (C1 C3 C2, GB/T 35276).
      const theirs = Buffer.from(sm2.doEncrypt(pt, pub, 1, { asn1: true }), 'hex');
      const dec = await c.send(
        new DecryptCommand({ KeyId: k.keyId, CiphertextBlob: theirs, EncryptionAlgorithm: 'SM2PKE' }),
      );
      expect(dec.Plaintext).toEqual(pt);
      const ours = sm2.doDecrypt(Buffer.from(out.CiphertextBlob!).toString('hex'), d, 1, {
        output: 'array',
        asn1: true,
      });
      expect(new Uint8Array(ours)).toEqual(pt);
    }
    const tooLong = c.send(
      new EncryptCommand({ KeyId: k.keyId, Plaintext: bytes(1025), EncryptionAlgorithm: 'SM2PKE' }),
    );
    expect((await rejection(tooLong, ValidationException)).message).toBe(
      'Algorithm SM2PKE and key spec SM2 cannot encrypt data larger than 1024 bytes.',
    );
    const bad = c.send(
      new DecryptCommand({ KeyId: k.keyId, CiphertextBlob: bytes(120), EncryptionAlgorithm: 'SM2PKE' }),
    );
    expect((await rejection(bad, InvalidCiphertextException)).message).toBe('');
  });
});

describe('checks and messages', () => {
  const { us: c, store } = clients();
  let rsa: AsymKey;
  beforeAll(async () => {
    rsa = await encryptionKey(c, store as MemoryKeyStore, 'RSA_2048', 'us-east-1');
  });
  const PT = bytes(16);

  it('Encrypt: the algorithm must be the key’s, and no encryption context', async () => {
    for (const alg of [undefined, 'SYMMETRIC_DEFAULT', 'SM2PKE']) {
      const p = c.send(new EncryptCommand({ KeyId: rsa.keyId, Plaintext: PT, EncryptionAlgorithm: alg as never }));
      expect((await rejection(p, InvalidKeyUsageException)).message).toBe(
        `Algorithm ${alg ?? 'SYMMETRIC_DEFAULT'} is incompatible with key spec RSA_2048.`,
      );
    }
    const ctx = c.send(
      new EncryptCommand({
        KeyId: rsa.keyId,
        Plaintext: PT,
        EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
        EncryptionContext: { a: 'b' },
      }),
    );
    expect((await rejection(ctx, ValidationException)).message).toBe(
      'EncryptionContext is not supported with asymmetric KMS keys.',
    );
    // An empty context is no context.
    await c.send(
      new EncryptCommand({
        KeyId: rsa.keyId,
        Plaintext: PT,
        EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
        EncryptionContext: {},
      }),
    );
    // [AWS-REC] a SIGN_VERIFY key: "<ARN> key usage is SIGN_VERIFY which is not valid for Encrypt."
    const signer = await newKey(c, { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    const s = c.send(
      new EncryptCommand({ KeyId: signer.KeyId, Plaintext: PT, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
    );
    expect((await rejection(s, InvalidKeyUsageException)).message).toBe(
      `${signer.Arn} key usage is SIGN_VERIFY which is not valid for Encrypt.`,
    );
    const sym = await newKey(c);
    const y = c.send(new EncryptCommand({ KeyId: sym.KeyId, Plaintext: PT, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }));
    await rejection(y, InvalidKeyUsageException);
  });

  it('Decrypt: KeyId required, the key’s algorithm, no context, state, DryRun', async () => {
    const ct = (
      await c.send(new EncryptCommand({ KeyId: rsa.keyId, Plaintext: PT, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }))
    ).CiphertextBlob!;
    const noKey = c.send(new DecryptCommand({ CiphertextBlob: ct, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    expect((await rejection(noKey, ValidationException)).message).toBe(
      "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
    );
    // Without the algorithm the ciphertext is read as a symmetric blob, which it is not.
    const noAlg = c.send(new DecryptCommand({ CiphertextBlob: ct, KeyId: rsa.keyId }));
    expect((await rejection(noAlg, InvalidCiphertextException)).message).toBe('');
    const wrongAlg = c.send(
      new DecryptCommand({ CiphertextBlob: ct, KeyId: rsa.keyId, EncryptionAlgorithm: 'SM2PKE' }),
    );
    expect((await rejection(wrongAlg, InvalidKeyUsageException)).message).toBe(
      'Algorithm SM2PKE is incompatible with key spec RSA_2048.',
    );
    const withCtx = c.send(
      new DecryptCommand({
        CiphertextBlob: ct,
        KeyId: rsa.keyId,
        EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
        EncryptionContext: { a: 'b' },
      }),
    );
    expect((await rejection(withCtx, ValidationException)).message).toBe(
      'EncryptionContext is not supported with asymmetric KMS keys.',
    );
    const dry = c.send(
      new DecryptCommand({
        CiphertextBlob: ct,
        KeyId: rsa.keyId,
        EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
        DryRun: true,
      }),
    );
    await rejection(dry, DryRunOperationException);
    const ignore = c.send(
      new DecryptCommand({
        KeyId: rsa.keyId,
        EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
        DryRun: true,
        DryRunModifiers: ['IGNORE_CIPHERTEXT'],
      }),
    );
    await rejection(ignore, DryRunOperationException);
    const other = await encryptionKey(c, store as MemoryKeyStore, 'RSA_2048', 'us-east-1');
    await c.send(new DisableKeyCommand({ KeyId: other.keyId }));
    const off = c.send(
      new DecryptCommand({ CiphertextBlob: ct, KeyId: other.keyId, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
    );
    expect((await rejection(off, DisabledException)).message).toBe(`${other.arn} is disabled.`);
  });

  it('ReEncrypt between symmetric and asymmetric keys, both ways, and between asymmetric keys', async () => {
    const sym = await newKey(c);
    const rsa2 = await encryptionKey(c, store as MemoryKeyStore, 'RSA_3072', 'us-east-1');
    const pt = bytes(150, 9);
    const symBlob = (
      await c.send(new EncryptCommand({ KeyId: sym.KeyId, Plaintext: pt, EncryptionContext: { a: 'b' } }))
    ).CiphertextBlob!;
    // symmetric → RSA
    const toRsa = await c.send(
      new ReEncryptCommand({
        CiphertextBlob: symBlob,
        SourceEncryptionContext: { a: 'b' },
        DestinationKeyId: rsa.keyId,
        DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
      }),
    );
    expect(Object.keys(toRsa).filter((x) => x !== '$metadata')).toEqual([
      'CiphertextBlob',
      'SourceKeyId',
      'KeyId',
      'SourceEncryptionAlgorithm',
      'DestinationEncryptionAlgorithm',
      'SourceKeyMaterialId',
    ]);
    expect(toRsa).toMatchObject({
      SourceKeyId: sym.Arn,
      KeyId: rsa.arn,
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
    });
    const viaNode = privateDecrypt(
      { key: createPrivateKey({ key: Buffer.from(rsa.pkcs8), format: 'der', type: 'pkcs8' }), oaepHash: 'sha1' },
      toRsa.CiphertextBlob!,
    );
    expect(new Uint8Array(viaNode)).toEqual(pt);
    // RSA → RSA (as recorded: no key material ids)
    const rsaToRsa = await c.send(
      new ReEncryptCommand({
        CiphertextBlob: toRsa.CiphertextBlob,
        SourceKeyId: rsa.keyId,
        SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
        DestinationKeyId: rsa2.keyId,
        DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      }),
    );
    const rec = recorded('test_re_encrypt[RSA_2048-RSAES_OAEP_SHA_256]').test_re_encrypt;
    expect(
      Object.keys(rsaToRsa)
        .filter((x) => x !== '$metadata')
        .sort(),
    ).toEqual(
      Object.keys(rec)
        .filter((x) => x !== 'ResponseMetadata')
        .sort(),
    );
    // RSA → symmetric
    const back = await c.send(
      new ReEncryptCommand({
        CiphertextBlob: rsaToRsa.CiphertextBlob,
        SourceKeyId: rsa2.keyId,
        SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
        DestinationKeyId: sym.KeyId,
      }),
    );
    expect(back).toMatchObject({
      SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    });
    expect(back.DestinationKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    expect(back.SourceKeyMaterialId).toBeUndefined();
    expect((await c.send(new DecryptCommand({ CiphertextBlob: back.CiphertextBlob }))).Plaintext).toEqual(pt);
    // The destination's limit applies to the opened plaintext.
    const big = (await c.send(new EncryptCommand({ KeyId: sym.KeyId, Plaintext: bytes(300) }))).CiphertextBlob!;
    const over = c.send(
      new ReEncryptCommand({
        CiphertextBlob: big,
        DestinationKeyId: rsa.keyId,
        DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      }),
    );
    expect((await rejection(over, ValidationException)).message).toBe(
      'Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes.',
    );
    // An asymmetric destination needs its algorithm; the source needs SourceKeyId.
    const noAlg = c.send(
      new ReEncryptCommand({
        CiphertextBlob: symBlob,
        SourceEncryptionContext: { a: 'b' },
        DestinationKeyId: rsa.keyId,
      }),
    );
    expect((await rejection(noAlg, InvalidKeyUsageException)).message).toBe(
      'Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.',
    );
    const noSource = c.send(
      new ReEncryptCommand({
        CiphertextBlob: toRsa.CiphertextBlob,
        SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
        DestinationKeyId: sym.KeyId,
      }),
    );
    expect((await rejection(noSource, ValidationException)).message).toBe(
      "1 validation error detected: Value null at 'sourceKeyId' failed to satisfy constraint: Member must not be null",
    );
    const dry = c.send(
      new ReEncryptCommand({
        CiphertextBlob: toRsa.CiphertextBlob,
        SourceKeyId: rsa.keyId,
        SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
        DestinationKeyId: sym.KeyId,
        DryRun: true,
      }),
    );
    await rejection(dry, DryRunOperationException);
  });
});
