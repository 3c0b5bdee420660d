// Imported key material: GetParametersForImport, ImportKeyMaterial and DeleteImportedKeyMaterial
// through KMSClient (material wrapped by node:crypto), with an injected clock for token and
// material expiry, on the file store across a reopen, through the endpoint with the real
// @aws-sdk/client-kms, and through the CLI.

import { afterAll, describe, expect, it } from 'vitest';
import {
  constants,
  createCipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as sdk from '@aws-sdk/client-kms';
import {
  AccessDeniedException,
  CreateKeyCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  EncryptCommand,
  ExpiredImportTokenException,
  GenerateMacCommand,
  GetParametersForImportCommand,
  GetPublicKeyCommand,
  ImportKeyMaterialCommand,
  IncorrectKeyMaterialException,
  InvalidCiphertextException,
  InvalidImportTokenException,
  KMSClient,
  KMSInvalidStateException,
  MemoryKeyStore,
  NotFoundException,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  UnsupportedOperationException,
  UpdateKeyDescriptionCommand,
  ValidationException,
  VerifyCommand,
  VerifyMacCommand,
  type KeyStore,
} from '../../src/kms/index.js';
import { createOperationContext, type OperationContext } from '../../src/kms/context.js';
import { getCore } from '../../src/core/module.js';
import { runWipingLoadedKeys, type KeyRecord } from '../../src/kms/store.js';
import { getParametersForImport } from '../../src/kms/operations/get-parameters-for-import.js';
import { importKeyMaterial } from '../../src/kms/operations/import-key-material.js';
import { describeKey } from '../../src/kms/operations/describe-key.js';
import { encrypt } from '../../src/kms/operations/encrypt.js';
import { FileKeyStore } from '../../src/node/file-store/index.js';
import { clients, newKey, rejection } from '../helpers/kms.js';
import { removeTempDirs, tempDir } from '../helpers/file-store.js';
import { useCli, useEndpoint } from '../helpers/endpoint.js';
import { readVectorJson } from '../helpers/vectors.js';
import { ecPkcs8, parseEcSpki } from '../../src/der/ec.js';
import { sm2 } from 'sm-crypto-v2';

afterAll(removeTempDirs);

type OaepAlgorithm = 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256';

/** `material` wrapped as a KMS user does it with OpenSSL: RSAES-OAEP under the SPKI KMS returned. */
function wrapOaep(publicKey: Uint8Array, algorithm: OaepAlgorithm, material: Uint8Array): Uint8Array {
  const key = createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' });
  const oaepHash = algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256';
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, material);
}

type RsaAesAlgorithm = 'RSA_AES_KEY_WRAP_SHA_1' | 'RSA_AES_KEY_WRAP_SHA_256';

/**
 * `material` wrapped the RSA_AES way with node:crypto: a fresh AES-256 key under RSAES-OAEP,
 * followed by the material under that key with AES key wrap with padding (RFC 5649).
 */
function wrapRsaAes(publicKey: Uint8Array, algorithm: RsaAesAlgorithm, material: Uint8Array): Uint8Array {
  const aesKey = randomBytes(32);
  const key = createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' });
  const oaepHash = algorithm === 'RSA_AES_KEY_WRAP_SHA_1' ? 'sha1' : 'sha256';
  const head = publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, aesKey);
  const kwp = createCipheriv('id-aes256-wrap-pad', aesKey, Buffer.from('A65959A6', 'hex'));
  return Buffer.concat([head, kwp.update(material), kwp.final()]);
}

interface Params {
  ImportToken: Uint8Array;
  PublicKey: Uint8Array;
  ParametersValidTo: Date;
  KeyId: string;
}

async function params(c: KMSClient, keyId: string, algorithm: OaepAlgorithm = 'RSAES_OAEP_SHA_256'): Promise<Params> {
  const out = await c.send(
    new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: algorithm, WrappingKeySpec: 'RSA_2048' }),
  );
  return out as Params;
}

/** GetParametersForImport, then ImportKeyMaterial of `material` wrapped with `algorithm`. */
async function importInto(
  c: KMSClient,
  keyId: string,
  material: Uint8Array,
  extra: Record<string, unknown> = { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' },
  algorithm: OaepAlgorithm = 'RSAES_OAEP_SHA_256',
) {
  const p = await params(c, keyId, algorithm);
  return c.send(
    new ImportKeyMaterialCommand({
      KeyId: keyId,
      ImportToken: p.ImportToken,
      EncryptedKeyMaterial: wrapOaep(p.PublicKey, algorithm, material),
      ...extra,
    }),
  );
}

/** GetParametersForImport with an RSA_AES algorithm, then ImportKeyMaterial of `material` wrapped that way. */
async function importRsaAes(c: KMSClient, keyId: string, material: Uint8Array, algorithm: RsaAesAlgorithm) {
  const p = await c.send(
    new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: algorithm, WrappingKeySpec: 'RSA_2048' }),
  );
  return c.send(
    new ImportKeyMaterialCommand({
      KeyId: keyId,
      ImportToken: p.ImportToken,
      EncryptedKeyMaterial: wrapRsaAes(p.PublicKey!, algorithm, material),
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    }),
  );
}

type Recorded = Record<string, { KeyMetadata?: Record<string, unknown> } & Record<string, unknown>>;

/** The recorded content of a real-AWS test (test/vectors/kms/aws-recorded-responses.json). */
function recording(test: string): Recorded {
  const all = readVectorJson<Record<string, { 'recorded-content': Recorded }>>('kms/aws-recorded-responses.json');
  const t = all[`tests/aws/services/kms/test_kms.py::TestKMS::${test}`];
  expect(t, test).toBeDefined();
  return t!['recorded-content'];
}

/**
 * KeyMetadata as AWS answered it: the same members, and the same values where the recording
 * keeps them (ids, ARNs and dates are placeholders there).
 */
function expectLikeRecorded(
  md: object,
  recorded: { KeyMetadata?: Record<string, unknown> } | Record<string, unknown> | undefined,
) {
  expect(recorded).toBeDefined();
  const r = ((recorded as { KeyMetadata?: Record<string, unknown> }).KeyMetadata ?? recorded) as Record<
    string,
    unknown
  >;
  const m = md as Record<string, unknown>;
  expect(Object.keys(m).sort()).toEqual(Object.keys(r).sort());
  for (const name of [
    'Enabled',
    'KeyState',
    'KeyUsage',
    'KeySpec',
    'Origin',
    'ExpirationModel',
    'KeyManager',
    'MultiRegion',
  ]) {
    expect(m[name], name).toEqual(r[name]);
  }
  for (const name of ['EncryptionAlgorithms', 'SigningAlgorithms', 'MacAlgorithms'])
    expect(m[name], name).toEqual(r[name]);
}

async function externalKey(c: KMSClient, input: Record<string, unknown> = {}) {
  return newKey(c, { Origin: 'EXTERNAL', ...input });
}

const describeOf = async (c: KMSClient, keyId: string) =>
  (await c.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;

describe('symmetric encryption keys', () => {
  it('import, encrypt, delete, re-import the same material: the earlier ciphertext decrypts', async () => {
    const { us } = clients();
    const k = await externalKey(us);
    expect(k.KeyState).toBe('PendingImport');
    const rec = recording('test_import_key_symmetric');
    expectLikeRecorded(k, rec['created-key']);
    expectLikeRecorded(await describeOf(us, k.KeyId!), rec['describe-key-before-import']);
    const pending = await rejection(
      us.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from('x') })),
      KMSInvalidStateException,
    );
    expect(pending.message).toBe(`${k.Arn} is pending import.`);

    const p = await params(us, k.KeyId!);
    expect(p.KeyId).toBe(k.Arn);
    const wrapping = createPublicKey({ key: Buffer.from(p.PublicKey), format: 'der', type: 'spki' });
    expect(wrapping.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(Math.abs(p.ParametersValidTo.getTime() - (Date.now() + 24 * 3600_000))).toBeLessThan(60_000);

    const material = randomBytes(32);
    const out = await us.send(
      new ImportKeyMaterialCommand({
        KeyId: k.KeyId,
        ImportToken: p.ImportToken,
        EncryptedKeyMaterial: wrapOaep(p.PublicKey, 'RSAES_OAEP_SHA_256', material),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
    );
    expect(out.KeyId).toBe(k.Arn);
    expect(
      Object.keys(out)
        .filter((n) => n !== '$metadata')
        .sort(),
    ).toEqual(['KeyId', 'KeyMaterialId']);
    expect(out.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    const md = await describeOf(us, k.KeyId!);
    expect(md).toMatchObject({
      KeyState: 'Enabled',
      Enabled: true,
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      CurrentKeyMaterialId: out.KeyMaterialId,
    });
    expect(md).not.toHaveProperty('ValidTo');
    expectLikeRecorded(md, rec['describe-key-after-import']);

    const blob = (await us.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from('sealed before') })))
      .CiphertextBlob!;

    const del = await us.send(new DeleteImportedKeyMaterialCommand({ KeyId: k.KeyId }));
    expect(del).toMatchObject({ KeyId: k.Arn, KeyMaterialId: out.KeyMaterialId });
    const gone = await describeOf(us, k.KeyId!);
    expect(gone).toMatchObject({ KeyState: 'PendingImport', Enabled: false, CurrentKeyMaterialId: out.KeyMaterialId });
    expect(gone).not.toHaveProperty('ExpirationModel');
    expectLikeRecorded(gone, rec['describe-key-after-deleted-import']);
    await rejection(us.send(new DecryptCommand({ CiphertextBlob: blob })), KMSInvalidStateException);
    const afterDelete = await rejection(
      us.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from('x') })),
      KMSInvalidStateException,
    );
    const recordedError = rec['encrypt-after-delete-error'] as { Error: { Message: string } };
    expect(afterDelete.message).toBe(
      recordedError.Error.Message.replace('arn:<partition>:kms:<region>:111111111111:key/<key-id:1>', k.Arn!),
    );

    // Other material is refused; the same material, wrapped the other way, is taken back.
    await rejection(importInto(us, k.KeyId!, randomBytes(32)), IncorrectKeyMaterialException);
    const again = await importInto(us, k.KeyId!, material, undefined, 'RSAES_OAEP_SHA_1');
    expect(again.KeyMaterialId).toBe(out.KeyMaterialId);
    expect((await describeOf(us, k.KeyId!)).KeyState).toBe('Enabled');
    const opened = await us.send(new DecryptCommand({ CiphertextBlob: blob }));
    expect(Buffer.from(opened.Plaintext!).toString()).toBe('sealed before');
  });

  it('the key material id depends on the material and the key: the same bytes in two keys get two ids', async () => {
    const { us } = clients();
    const material = randomBytes(32);
    const a = await externalKey(us);
    const b = await externalKey(us);
    const ia = await importInto(us, a.KeyId!, material);
    const ib = await importInto(us, b.KeyId!, material);
    expect(ia.KeyMaterialId).not.toBe(ib.KeyMaterialId);
    // Imported material really is the key: a blob of one key does not open with the other's.
    const blob = (await us.send(new EncryptCommand({ KeyId: a.KeyId, Plaintext: Buffer.from('m') }))).CiphertextBlob!;
    await expect(us.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: b.KeyId }))).rejects.toThrow();
  });

  it('refuses material that is not 32 bytes, and wrapped bytes that do not decrypt', async () => {
    const { us } = clients();
    const k = await externalKey(us);
    const short = await rejection(importInto(us, k.KeyId!, randomBytes(16)), IncorrectKeyMaterialException);
    expect(short.message).toContain('32 bytes');
    const p = await params(us, k.KeyId!);
    await rejection(
      us.send(
        new ImportKeyMaterialCommand({
          KeyId: k.KeyId,
          ImportToken: p.ImportToken,
          EncryptedKeyMaterial: randomBytes(256),
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        }),
      ),
      InvalidCiphertextException,
    );
    // Wrapped with the wrong OAEP hash: does not decrypt either.
    await rejection(
      us.send(
        new ImportKeyMaterialCommand({
          KeyId: k.KeyId,
          ImportToken: p.ImportToken,
          EncryptedKeyMaterial: wrapOaep(p.PublicKey, 'RSAES_OAEP_SHA_1', randomBytes(32)),
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        }),
      ),
      InvalidCiphertextException,
    );
    expect((await describeOf(us, k.KeyId!)).KeyState).toBe('PendingImport');
  });

  it('expiration inputs: ValidTo required with KEY_MATERIAL_EXPIRES (the default), refused without, in the past or beyond 365 days', async () => {
    const { us } = clients();
    const k = await externalKey(us);
    const material = randomBytes(32);
    const missing = await rejection(importInto(us, k.KeyId!, material, {}), ValidationException);
    expect(missing.message).toBe('A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES');
    await rejection(
      importInto(us, k.KeyId!, material, {
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        ValidTo: new Date(Date.now() + 3600_000),
      }),
      ValidationException,
    );
    await rejection(importInto(us, k.KeyId!, material, { ValidTo: new Date(Date.now() - 1000) }), ValidationException);
    await rejection(
      importInto(us, k.KeyId!, material, { ValidTo: new Date(Date.now() + 366 * 86400_000) }),
      ValidationException,
    );
    const validTo = new Date(Math.floor(Date.now() / 1000) * 1000 + 30 * 86400_000);
    await importInto(us, k.KeyId!, material, { ValidTo: validTo });
    const md = await describeOf(us, k.KeyId!);
    expect(md).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_EXPIRES' });
    expect(md.ValidTo?.getTime()).toBe(validTo.getTime());
  });
});

describe('import tokens', () => {
  it('a token is bound to its key and replaced by the next GetParametersForImport', async () => {
    const { us } = clients();
    const a = await externalKey(us);
    const b = await externalKey(us);
    const pa = await params(us, a.KeyId!);
    const material = randomBytes(32);
    const wrapped = wrapOaep(pa.PublicKey, 'RSAES_OAEP_SHA_256', material);
    const other = await rejection(
      us.send(
        new ImportKeyMaterialCommand({
          KeyId: b.KeyId,
          ImportToken: pa.ImportToken,
          EncryptedKeyMaterial: wrapped,
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        }),
      ),
      InvalidImportTokenException,
    );
    expect(other.message).toBe('The import token is invalid or is associated with a different KMS key.');
    // A second GetParametersForImport for a: the first token no longer imports.
    await params(us, a.KeyId!);
    await rejection(
      us.send(
        new ImportKeyMaterialCommand({
          KeyId: a.KeyId,
          ImportToken: pa.ImportToken,
          EncryptedKeyMaterial: wrapped,
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        }),
      ),
      InvalidImportTokenException,
    );
  });
});

/** An operation context on `store` whose clock reads `at`. */
function clockAt(store: KeyStore, at: Date): OperationContext {
  return createOperationContext({ store, account: '111122223333', region: 'us-east-1', core: getCore, now: () => at });
}

const HOUR = 3600_000;

/** The rejection of an operation run directly (no request id: the pipeline is not involved). */
async function directRejection<T>(p: Promise<unknown>, cls: new (...a: never[]) => T): Promise<T> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(cls);
  return err as T;
}

describe('expiry, with an injected clock', () => {
  it('a token 24 hours old is ExpiredImportTokenException; material past ValidTo is deleted and the key PendingImport', async () => {
    const store = new MemoryKeyStore();
    const { us } = clients(store);
    const k = await externalKey(us);
    const t0 = new Date(Date.UTC(2026, 0, 1));
    const run = <I, O>(op: (ctx: OperationContext, input: I) => Promise<O>, at: Date, input: I) =>
      runWipingLoadedKeys(op, clockAt(store, at), input);
    const p = await run(getParametersForImport, t0, {
      KeyId: k.KeyId,
      WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      WrappingKeySpec: 'RSA_2048',
    });
    expect(p.ParametersValidTo!.getTime()).toBe(t0.getTime() + 24 * HOUR);
    const input = {
      KeyId: k.KeyId,
      ImportToken: p.ImportToken!,
      EncryptedKeyMaterial: wrapOaep(p.PublicKey!, 'RSAES_OAEP_SHA_256', randomBytes(32)),
      ValidTo: new Date(t0.getTime() + 48 * HOUR),
    };
    const late = new Date(t0.getTime() + 24 * HOUR);
    const expired = await directRejection(run(importKeyMaterial, late, input), ExpiredImportTokenException);
    expect(expired.name).toBe('ExpiredImportTokenException');
    const t1 = new Date(t0.getTime() + 23 * HOUR);
    await run(importKeyMaterial, t1, input);
    const before = await run(describeKey, new Date(t0.getTime() + 47 * HOUR), { KeyId: k.KeyId });
    expect(before.KeyMetadata).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_EXPIRES' });
    await run(encrypt, new Date(t0.getTime() + 47 * HOUR), { KeyId: k.KeyId, Plaintext: Buffer.from('x') });
    // At ValidTo the material is gone: Encrypt refuses, DescribeKey shows PendingImport, and the
    // store no longer holds the bytes.
    const after = new Date(t0.getTime() + 48 * HOUR);
    const refused = await directRejection(
      run(encrypt, after, { KeyId: k.KeyId, Plaintext: Buffer.from('x') }),
      KMSInvalidStateException,
    );
    expect(refused.message).toBe(`${k.Arn} is pending import.`);
    const md = (await run(describeKey, after, { KeyId: k.KeyId })).KeyMetadata!;
    expect(md.KeyState).toBe('PendingImport');
    expect(md).not.toHaveProperty('ExpirationModel');
    const rec = (await store.getKey('111122223333', 'us-east-1', k.KeyId!))!;
    expect(rec.keyState).toBe('PendingImport');
    expect(rec.keyMaterials).toEqual([]);
    expect(rec.importedMaterials).toMatchObject([{ importState: 'PENDING_IMPORT', keyMaterialState: 'CURRENT' }]);
  });
});

describe("expiry through KMSClient's clock, on the file store", () => {
  it('an HMAC key past ValidTo: GenerateMac refuses, the deletion is written, the same material comes back', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir, { masterKey: randomBytes(32) });
    let now = new Date(Date.UTC(2026, 5, 1));
    const c = new KMSClient({ store, now: () => now });
    const k = await externalKey(c, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const p = await params(c, k.KeyId!);
    expect(p.ParametersValidTo.getTime()).toBe(now.getTime() + 24 * HOUR);
    const material = randomBytes(32);
    const validTo = new Date(now.getTime() + 10 * 24 * HOUR);
    await c.send(
      new ImportKeyMaterialCommand({
        KeyId: k.KeyId,
        ImportToken: p.ImportToken,
        EncryptedKeyMaterial: wrapOaep(p.PublicKey, 'RSAES_OAEP_SHA_256', material),
        ValidTo: validTo,
      }),
    );
    const mac = () =>
      c.send(new GenerateMacCommand({ KeyId: k.KeyId, Message: Buffer.from('m'), MacAlgorithm: 'HMAC_SHA_256' }));
    await mac();
    expect((await describeOf(c, k.KeyId!)).ValidTo?.getTime()).toBe(validTo.getTime());
    now = new Date(validTo.getTime() + 1);
    const err = await rejection(mac(), KMSInvalidStateException);
    expect(err.message).toBe(`${k.Arn} is pending import.`);
    const rec = (await store.getKey('111122223333', 'us-east-1', k.KeyId!))!;
    expect(rec.keyState).toBe('PendingImport');
    expect(rec.hmacKey).toBeUndefined();
    // A token 24 hours old no longer imports; fresh parameters do, with the same material.
    await rejection(
      c.send(
        new ImportKeyMaterialCommand({
          KeyId: k.KeyId,
          ImportToken: p.ImportToken,
          EncryptedKeyMaterial: wrapOaep(p.PublicKey, 'RSAES_OAEP_SHA_256', material),
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        }),
      ),
      ExpiredImportTokenException,
    );
    await importInto(c, k.KeyId!, material);
    const out = await mac();
    expect(Buffer.from(out.Mac!)).toEqual(createHmac('sha256', material).update('m').digest());
    await store.close();
  });
});

describe('HMAC keys', () => {
  const specs = [
    ['HMAC_224', 'sha224', 28],
    ['HMAC_256', 'sha256', 32],
    ['HMAC_384', 'sha384', 48],
    ['HMAC_512', 'sha512', 64],
  ] as const;
  it.each(specs)('%s: GenerateMac after import equals node:crypto HMAC with the material', async (spec, hash, len) => {
    const { us } = clients();
    const k = await externalKey(us, { KeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC' });
    const rec = recording(`test_import_key_hmac_keys[${spec}]`);
    expectLikeRecorded(await describeOf(us, k.KeyId!), rec['describe-key-before-import']);
    await rejection(importInto(us, k.KeyId!, randomBytes(len - 1)), IncorrectKeyMaterialException);
    const material = randomBytes(len);
    await importInto(us, k.KeyId!, material);
    const md = await describeOf(us, k.KeyId!);
    expect(md).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    expect(md).not.toHaveProperty('CurrentKeyMaterialId');
    expectLikeRecorded(md, rec['describe-key-after-import']);
    const message = Buffer.from('message to authenticate');
    const mac = await us.send(
      new GenerateMacCommand({ KeyId: k.KeyId, Message: message, MacAlgorithm: `HMAC_SHA_${spec.slice(5)}` as never }),
    );
    expect(Buffer.from(mac.Mac!).toString('hex')).toBe(createHmac(hash, material).update(message).digest('hex'));
    expect(mac).toMatchObject({ KeyId: k.Arn, MacAlgorithm: `HMAC_SHA_${spec.slice(5)}` });
    const verified = await us.send(
      new VerifyMacCommand({
        KeyId: k.KeyId,
        Message: message,
        Mac: mac.Mac,
        MacAlgorithm: `HMAC_SHA_${spec.slice(5)}` as never,
      }),
    );
    expect(verified).toMatchObject({ KeyId: k.Arn, MacValid: true });
    // Only this material comes back after a deletion.
    await us.send(new DeleteImportedKeyMaterialCommand({ KeyId: k.KeyId }));
    expectLikeRecorded(await describeOf(us, k.KeyId!), rec['describe-key-after-deleted-import']);
    await rejection(importInto(us, k.KeyId!, randomBytes(len)), IncorrectKeyMaterialException);
    await importInto(us, k.KeyId!, material);
    expect((await describeOf(us, k.KeyId!)).KeyState).toBe('Enabled');
  });
});

/** A node:crypto EC key pair of `curve` and its PKCS#8 (with the public key, as node writes it). */
function ecPair(curve: string): { pkcs8: Uint8Array; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  return { pkcs8: privateKey.export({ format: 'der', type: 'pkcs8' }), publicKey };
}

describe('asymmetric keys', () => {
  const curves = [
    ['ECC_NIST_P256', 'prime256v1', 'ECDSA_SHA_256', 'sha256'],
    ['ECC_NIST_P384', 'secp384r1', 'ECDSA_SHA_384', 'sha384'],
    ['ECC_SECG_P256K1', 'secp256k1', 'ECDSA_SHA_256', 'sha256'],
  ] as const;
  it.each(curves)('%s: Sign after import verifies with node:crypto', async (spec, curve, algorithm, hash) => {
    const { us } = clients();
    const k = await externalKey(us, { KeySpec: spec, KeyUsage: 'SIGN_VERIFY' });
    const rec = recording(`test_import_key_ecc_keys[${spec}]`);
    expectLikeRecorded(await describeOf(us, k.KeyId!), rec['describe-key-before-import']);
    const pair = ecPair(curve);
    const out = await importInto(us, k.KeyId!, pair.pkcs8);
    expect(out.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    const md = await describeOf(us, k.KeyId!);
    expect(md).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    expect(md).not.toHaveProperty('CurrentKeyMaterialId');
    expectLikeRecorded(md, rec['describe-key-after-import']);
    const pub = await us.send(new GetPublicKeyCommand({ KeyId: k.KeyId }));
    expect(Buffer.from(pub.PublicKey!)).toEqual(pair.publicKey.export({ format: 'der', type: 'spki' }));
    const message = Buffer.from('signed by imported material');
    const sig = await us.send(
      new SignCommand({ KeyId: k.KeyId, Message: message, MessageType: 'RAW', SigningAlgorithm: algorithm }),
    );
    expect(nodeVerify(hash, message, pair.publicKey, Buffer.from(sig.Signature!))).toBe(true);
    expect(sig).toMatchObject({ KeyId: k.Arn, SigningAlgorithm: algorithm });
    const verified = await us.send(
      new VerifyCommand({
        KeyId: k.KeyId,
        Message: message,
        MessageType: 'RAW',
        Signature: sig.Signature,
        SigningAlgorithm: algorithm,
      }),
    );
    expect(verified).toMatchObject({ KeyId: k.Arn, SignatureValid: true, SigningAlgorithm: algorithm });
    if (spec === 'ECC_NIST_P256') {
      // The same shapes as the other recording of an imported ECC_NIST_P256 key.
      const other = recording('test_import_key_asymmetric');
      expectLikeRecorded(md, other['describe-key-after-import']);
    }
    // After a deletion, only this key pair is taken back.
    await us.send(new DeleteImportedKeyMaterialCommand({ KeyId: k.KeyId }));
    expectLikeRecorded(await describeOf(us, k.KeyId!), rec['describe-key-after-deleted-import']);
    await rejection(importInto(us, k.KeyId!, ecPair(curve).pkcs8), IncorrectKeyMaterialException);
    await importInto(us, k.KeyId!, pair.pkcs8);
    expect((await describeOf(us, k.KeyId!)).KeyState).toBe('Enabled');
  });

  it('refuses a key of another curve, a PKCS#8 whose public key is not its own, and bytes that are not PKCS#8', async () => {
    const { us } = clients();
    const k = await externalKey(us, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const curve = await rejection(importInto(us, k.KeyId!, ecPair('secp384r1').pkcs8), IncorrectKeyMaterialException);
    expect(curve.message).toContain('P-384');
    // The public key of another P-256 pair spliced into the PKCS#8 (the last 65 bytes are the point).
    const mixed = Buffer.from(ecPair('prime256v1').pkcs8);
    Buffer.from(ecPair('prime256v1').pkcs8).copy(mixed, mixed.length - 65, mixed.length - 65);
    await rejection(importInto(us, k.KeyId!, mixed), IncorrectKeyMaterialException);
    await rejection(importInto(us, k.KeyId!, randomBytes(100)), IncorrectKeyMaterialException);
    expect((await describeOf(us, k.KeyId!)).KeyState).toBe('PendingImport');
  });

  it('RSA keys take only the RSA_AES wrapping algorithms', async () => {
    const { us } = clients();
    const k = await externalKey(us, { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    const err = await rejection(
      us.send(
        new GetParametersForImportCommand({
          KeyId: k.KeyId,
          WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
          WrappingKeySpec: 'RSA_4096',
        }),
      ),
      ValidationException,
    );
    expect(err.message).toContain('RSA_AES_KEY_WRAP_SHA_256');
  });

  it('RSA_2048 signing key through RSA_AES_KEY_WRAP_SHA_256: Sign verifies with node:crypto; another size is refused', async () => {
    const { us } = clients();
    const k = await externalKey(us, { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const small = generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey.export({
      format: 'der',
      type: 'pkcs8',
    });
    await rejection(importRsaAes(us, k.KeyId!, small, 'RSA_AES_KEY_WRAP_SHA_256'), IncorrectKeyMaterialException);
    await importRsaAes(us, k.KeyId!, privateKey.export({ format: 'der', type: 'pkcs8' }), 'RSA_AES_KEY_WRAP_SHA_256');
    const pub = await us.send(new GetPublicKeyCommand({ KeyId: k.KeyId }));
    expect(Buffer.from(pub.PublicKey!)).toEqual(publicKey.export({ format: 'der', type: 'spki' }));
    const message = Buffer.from('signed by an imported RSA key');
    for (const [algorithm, padding] of [
      ['RSASSA_PSS_SHA_256', constants.RSA_PKCS1_PSS_PADDING],
      ['RSASSA_PKCS1_V1_5_SHA_256', constants.RSA_PKCS1_PADDING],
    ] as const) {
      const sig = await us.send(
        new SignCommand({ KeyId: k.KeyId, Message: message, MessageType: 'RAW', SigningAlgorithm: algorithm }),
      );
      const ok = nodeVerify(
        'sha256',
        message,
        { key: publicKey, padding, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
        Buffer.from(sig.Signature!),
      );
      expect(ok, algorithm).toBe(true);
    }
  });

  it('RSA_4096 encryption key through RSA_AES_KEY_WRAP_SHA_1 (as recorded: DescribeKey before, after, after deletion)', async () => {
    const { us } = clients();
    const k = await externalKey(us, { KeySpec: 'RSA_4096', KeyUsage: 'ENCRYPT_DECRYPT', Description: 'test-key' });
    const before = await describeOf(us, k.KeyId!);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 4096 });
    await importRsaAes(us, k.KeyId!, privateKey.export({ format: 'der', type: 'pkcs8' }), 'RSA_AES_KEY_WRAP_SHA_1');
    const after = await describeOf(us, k.KeyId!);
    const enc = await us.send(
      new EncryptCommand({
        KeyId: k.KeyId,
        Plaintext: Buffer.from('to the holder'),
        EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      }),
    );
    const opened = privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      Buffer.from(enc.CiphertextBlob!),
    );
    expect(opened.toString()).toBe('to the holder');
    await us.send(new DeleteImportedKeyMaterialCommand({ KeyId: k.KeyId }));
    const deleted = await describeOf(us, k.KeyId!);
    const rec = recording('test_import_key_rsa_aes_wrap_sha256');
    expectLikeRecorded(before, rec['describe-before-import']);
    expectLikeRecorded(after, rec['import-key-material-response']);
    expectLikeRecorded(deleted, rec['describe-key-after-deleted-import']);
  });

  it('ECC_NIST_P521 through RSA_AES_KEY_WRAP_SHA_256 (too long for RSAES-OAEP under RSA_2048)', async () => {
    const { us } = clients();
    const k = await externalKey(us, { KeySpec: 'ECC_NIST_P521', KeyUsage: 'SIGN_VERIFY' });
    const rec = recording('test_import_key_ecc_keys[ECC_NIST_P521]');
    const pair = ecPair('secp521r1');
    const p = await params(us, k.KeyId!);
    expect(() => wrapOaep(p.PublicKey, 'RSAES_OAEP_SHA_256', pair.pkcs8)).toThrow();
    await importRsaAes(us, k.KeyId!, pair.pkcs8, 'RSA_AES_KEY_WRAP_SHA_256');
    const message = Buffer.from('P-521');
    const sig = await us.send(
      new SignCommand({ KeyId: k.KeyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_512' }),
    );
    expect(nodeVerify('sha512', message, pair.publicKey, Buffer.from(sig.Signature!))).toBe(true);
    expectLikeRecorded(await describeOf(us, k.KeyId!), rec['describe-key-after-import']);
    await us.send(new DeleteImportedKeyMaterialCommand({ KeyId: k.KeyId }));
    expectLikeRecorded(await describeOf(us, k.KeyId!), rec['describe-key-after-deleted-import']);
  });

  it('RSA_AES wrapping that does not unwrap is InvalidCiphertextException', async () => {
    const { us } = clients();
    const k = await externalKey(us);
    const p = await us.send(
      new GetParametersForImportCommand({
        KeyId: k.KeyId,
        WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256',
        WrappingKeySpec: 'RSA_2048',
      }),
    );
    const wrapped = Buffer.from(wrapRsaAes(p.PublicKey!, 'RSA_AES_KEY_WRAP_SHA_256', randomBytes(32)));
    wrapped[wrapped.length - 1]! ^= 1;
    const input = {
      KeyId: k.KeyId,
      ImportToken: p.ImportToken,
      ...{ ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' as const },
    };
    await rejection(
      us.send(new ImportKeyMaterialCommand({ ...input, EncryptedKeyMaterial: wrapped })),
      InvalidCiphertextException,
    );
    // Only the RSA part: nothing to unwrap.
    await rejection(
      us.send(new ImportKeyMaterialCommand({ ...input, EncryptedKeyMaterial: wrapped.subarray(0, 256) })),
      InvalidCiphertextException,
    );
    // Symmetric material through RSA_AES works too.
    const material = randomBytes(32);
    const ok = await us.send(
      new ImportKeyMaterialCommand({
        ...input,
        EncryptedKeyMaterial: wrapRsaAes(p.PublicKey!, 'RSA_AES_KEY_WRAP_SHA_256', material),
      }),
    );
    expect(ok.KeyMaterialId).toBe(createHmac('sha256', material).update(k.KeyId!).digest('hex'));
  });
});

describe('SM2PKE in the China Regions', () => {
  it('symmetric material wrapped by sm-crypto-v2 under the SM2 wrapping key; an SM2 signing key verifies with sm-crypto-v2', async () => {
    const { cn } = clients();
    const sm2params = (KeyId: string) =>
      cn.send(new GetParametersForImportCommand({ KeyId, WrappingAlgorithm: 'SM2PKE', WrappingKeySpec: 'SM2' }));
    const wrapSm2 = (spki: Uint8Array, material: Uint8Array) =>
      Buffer.from(sm2.doEncrypt(material, Buffer.from(spki.slice(-65)).toString('hex'), 1, { asn1: true }), 'hex');

    const k = await externalKey(cn);
    // SM2PKE goes with the SM2 wrapping key spec only.
    await rejection(
      cn.send(
        new GetParametersForImportCommand({ KeyId: k.KeyId, WrappingAlgorithm: 'SM2PKE', WrappingKeySpec: 'RSA_2048' }),
      ),
      ValidationException,
    );
    const p = await sm2params(k.KeyId!);
    expect(parseEcSpki(p.PublicKey!).curve).toBe('SM2');
    const material = randomBytes(32);
    await cn.send(
      new ImportKeyMaterialCommand({
        KeyId: k.KeyId,
        ImportToken: p.ImportToken,
        EncryptedKeyMaterial: wrapSm2(p.PublicKey!, material),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
    );
    const blob = (await cn.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from('cn') }))).CiphertextBlob!;
    expect(Buffer.from((await cn.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString()).toBe('cn');

    const s = await externalKey(cn, { KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' });
    const theirs = sm2.generateKeyPairHex();
    const point = Buffer.from(theirs.publicKey, 'hex');
    const pkcs8 = ecPkcs8('SM2', Buffer.from(theirs.privateKey.padStart(64, '0'), 'hex'), point);
    const ps = await sm2params(s.KeyId!);
    await cn.send(
      new ImportKeyMaterialCommand({
        KeyId: s.KeyId,
        ImportToken: ps.ImportToken,
        EncryptedKeyMaterial: wrapSm2(ps.PublicKey!, pkcs8),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
    );
    const message = Buffer.from('SM2DSA with imported material');
    const sig = await cn.send(
      new SignCommand({ KeyId: s.KeyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'SM2DSA' }),
    );
    expect(
      sm2.doVerifySignature(message, Buffer.from(sig.Signature!).toString('hex'), theirs.publicKey, {
        der: true,
        hash: true,
      }),
    ).toBe(true);
  });
});

describe('key material for rotation (ImportType NEW_KEY_MATERIAL)', () => {
  it('new material waits as PENDING_ROTATION until RotateKeyOnDemand; one at a time; old ciphertexts still decrypt', async () => {
    const { us } = clients();
    const k = await externalKey(us);
    const first = await importInto(us, k.KeyId!, randomBytes(32));
    const blob = (await us.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from('first') })))
      .CiphertextBlob!;
    // Without ImportType, later material must be the key's own.
    await rejection(importInto(us, k.KeyId!, randomBytes(32)), IncorrectKeyMaterialException);
    const second = await importInto(us, k.KeyId!, randomBytes(32), {
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      ImportType: 'NEW_KEY_MATERIAL',
      KeyMaterialDescription: 'second',
    });
    expect(second.KeyMaterialId).not.toBe(first.KeyMaterialId);
    expect((await describeOf(us, k.KeyId!)).CurrentKeyMaterialId).toBe(first.KeyMaterialId);
    const third = randomBytes(32);
    const err = await rejection(
      importInto(us, k.KeyId!, third, {
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        ImportType: 'NEW_KEY_MATERIAL',
      }),
      KMSInvalidStateException,
    );
    expect(err.message).toMatch(
      new RegExp(
        `^New key material \\(id: [0-9a-f]{64}\\) cannot be imported into KMS key ${k.Arn}, because another key material \\(id: ${second.KeyMaterialId}\\) is pending rotation\\.$`,
      ),
    );
    // The material already current is not new.
    await rejection(
      importInto(us, k.KeyId!, Buffer.alloc(32), {
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        KeyMaterialId: first.KeyMaterialId,
      }),
      IncorrectKeyMaterialException,
    );
    const rotated = await us.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }));
    expect(rotated.KeyId).toBe(k.Arn);
    expect((await describeOf(us, k.KeyId!)).CurrentKeyMaterialId).toBe(second.KeyMaterialId);
    const opened = await us.send(new DecryptCommand({ CiphertextBlob: blob }));
    expect(Buffer.from(opened.Plaintext!).toString()).toBe('first');
    // Nothing pending any more: the recorded answer.
    const none = await rejection(us.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId })), KMSInvalidStateException);
    expect(none.message).toBe(`No available key material pending rotation for the key: ${k.Arn}.`);
    // Deleting the non-current material makes the key PendingImport too.
    await us.send(new DeleteImportedKeyMaterialCommand({ KeyId: k.KeyId, KeyMaterialId: first.KeyMaterialId }));
    expect((await describeOf(us, k.KeyId!)).KeyState).toBe('PendingImport');
  });
});

describe('key rules', () => {
  it('only EXTERNAL keys, of the caller account, by key id or ARN; PendingDeletion', async () => {
    const { us, other } = clients();
    const aws = await newKey(us);
    const err = await rejection(
      us.send(
        new GetParametersForImportCommand({
          KeyId: aws.KeyId,
          WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
          WrappingKeySpec: 'RSA_2048',
        }),
      ),
      UnsupportedOperationException,
    );
    expect(err.message).toBe(`${aws.Arn} origin is AWS_KMS which is not valid for this operation.`);
    await rejection(us.send(new DeleteImportedKeyMaterialCommand({ KeyId: aws.KeyId })), UnsupportedOperationException);

    const k = await externalKey(us);
    await expect(other.send(new DeleteImportedKeyMaterialCommand({ KeyId: k.Arn }))).rejects.toBeInstanceOf(
      AccessDeniedException,
    );
    await rejection(us.send(new DeleteImportedKeyMaterialCommand({ KeyId: 'alias/nothing' })), NotFoundException);
    await rejection(
      us.send(
        new GetParametersForImportCommand({ KeyId: k.KeyId, WrappingAlgorithm: 'SM2PKE', WrappingKeySpec: 'SM2' }),
      ),
      UnsupportedOperationException,
    );
    await rejection(
      us.send(
        new GetParametersForImportCommand({
          KeyId: k.KeyId,
          WrappingAlgorithm: 'RSAES_PKCS1_V1_5',
          WrappingKeySpec: 'RSA_2048',
        }),
      ),
      UnsupportedOperationException,
    );

    // Key specs whose private key this engine cannot take (their public key would be derived from a seed).
    const ed = await externalKey(us, { KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' });
    const edErr = await rejection(
      us.send(
        new GetParametersForImportCommand({
          KeyId: ed.KeyId,
          WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
          WrappingKeySpec: 'RSA_2048',
        }),
      ),
      UnsupportedOperationException,
    );
    expect(edErr.message).toBe(
      `${ed.Arn} key spec is ECC_NIST_EDWARDS25519; this engine cannot import key material for it.`,
    );

    const material = randomBytes(32);
    await importInto(us, k.KeyId!, material);
    await us.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId, PendingWindowInDays: 7 }));
    const pd = await rejection(
      us.send(
        new GetParametersForImportCommand({
          KeyId: k.Arn,
          WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
          WrappingKeySpec: 'RSA_2048',
        }),
      ),
      KMSInvalidStateException,
    );
    expect(pd.message).toBe(`${k.Arn} is pending deletion.`);
    // DeleteImportedKeyMaterial works on a key pending deletion and leaves its state.
    await us.send(new DeleteImportedKeyMaterialCommand({ KeyId: k.KeyId }));
    expect((await describeOf(us, k.KeyId!)).KeyState).toBe('PendingDeletion');
  });
});

/** Every byte array of a key record: material, key pair, MAC key and the import parameters' keys. */
function buffersOf(r: KeyRecord): Uint8Array[] {
  const out = r.keyMaterials.map((m) => m.material);
  if (r.keyPair !== undefined) out.push(r.keyPair.privateKey, r.keyPair.publicKey);
  if (r.hmacKey !== undefined) out.push(r.hmacKey);
  if (r.importParameters !== undefined) out.push(r.importParameters.privateKey, r.importParameters.publicKey);
  return out;
}

describe('key records do not outlive an import operation', () => {
  it('every byte array of every record the three operations load is zero when they end, on success and error paths', async () => {
    const inner = new MemoryKeyStore();
    const handedOut: Uint8Array[] = [];
    const tracking: KeyStore = {
      getKey: async (a, r, id) => {
        const rec = await inner.getKey(a, r, id);
        if (rec !== undefined) handedOut.push(...buffersOf(rec));
        return rec;
      },
      putKey: (rec) => inner.putKey(rec),
      listKeys: (a, r) => inner.listKeys(a, r),
      getAlias: (a, r, n) => inner.getAlias(a, r, n),
      putAlias: (rec) => inner.putAlias(rec),
      deleteAlias: (a, r, n) => inner.deleteAlias(a, r, n),
      listAliases: (a, r) => inner.listAliases(a, r),
      transaction: (fn) => inner.transaction(fn),
    };
    const c = new KMSClient({ store: tracking });
    const check = async (what: string, p: Promise<unknown>) => {
      await p.catch(() => undefined);
      const dirty = handedOut.filter((b) => b.some((x) => x !== 0));
      expect(dirty.length, what).toBe(0);
      handedOut.length = 0;
    };
    const material = randomBytes(32);
    const sym = await externalKey(c);
    await check('GetParametersForImport', params(c, sym.KeyId!));
    await check('GetParametersForImport again (replaces)', params(c, sym.KeyId!));
    await check('ImportKeyMaterial', importInto(c, sym.KeyId!, material));
    await check('ImportKeyMaterial, same material again', importInto(c, sym.KeyId!, material));
    await check('ImportKeyMaterial, other material (refused)', importInto(c, sym.KeyId!, randomBytes(32)));
    await check('ImportKeyMaterial, 16 bytes (refused)', importInto(c, sym.KeyId!, randomBytes(16)));
    await check('DeleteImportedKeyMaterial', c.send(new DeleteImportedKeyMaterialCommand({ KeyId: sym.KeyId })));
    const ec = await externalKey(c, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const pair = ecPair('prime256v1');
    await check('ImportKeyMaterial, EC key', importInto(c, ec.KeyId!, pair.pkcs8));
    await check('ImportKeyMaterial, EC key again', importInto(c, ec.KeyId!, pair.pkcs8));
    await check('ImportKeyMaterial, another curve (refused)', importInto(c, ec.KeyId!, ecPair('secp384r1').pkcs8));
    await check('DeleteImportedKeyMaterial, EC key', c.send(new DeleteImportedKeyMaterialCommand({ KeyId: ec.KeyId })));
    const mac = await externalKey(c, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    await check('ImportKeyMaterial, HMAC key', importInto(c, mac.KeyId!, randomBytes(40)));
    await check(
      'DeleteImportedKeyMaterial, HMAC key',
      c.send(new DeleteImportedKeyMaterialCommand({ KeyId: mac.KeyId })),
    );
    // The store's own copies are intact: the symmetric key takes its material back.
    await importInto(c, sym.KeyId!, material);
    expect((await describeOf(c, sym.KeyId!)).KeyState).toBe('Enabled');
  });
});

describe('persistence on the file store', () => {
  it('import parameters survive a reopen; the wrapping private key is sealed on disk', async () => {
    const dir = await tempDir();
    const masterKey = randomBytes(32);
    let store = await FileKeyStore.open(dir, { masterKey });
    let c = new KMSClient({ store });
    const k = await externalKey(c);
    const p = await params(c, k.KeyId!);
    const rec = (await store.getKey('111122223333', 'us-east-1', k.KeyId!))!;
    const privateKey = Buffer.from(rec.importParameters!.privateKey);
    expect(createPrivateKey({ key: privateKey, format: 'der', type: 'pkcs8' }).asymmetricKeyType).toBe('rsa');
    await store.close();

    // No file holds the private key, in binary or base64.
    const texts: Buffer[] = [];
    const walkFiles = async (d: string): Promise<void> => {
      for (const e of await readdir(d, { withFileTypes: true })) {
        if (e.isDirectory()) await walkFiles(join(d, e.name));
        else texts.push(await readFile(join(d, e.name)));
      }
    };
    await walkFiles(dir);
    expect(texts.length).toBeGreaterThan(0);
    for (const t of texts) {
      expect(t.includes(privateKey)).toBe(false);
      expect(t.includes(Buffer.from(privateKey.toString('base64').slice(0, 64)))).toBe(false);
    }

    store = await FileKeyStore.open(dir, { masterKey });
    c = new KMSClient({ store });
    const material = randomBytes(32);
    await c.send(
      new ImportKeyMaterialCommand({
        KeyId: k.KeyId,
        ImportToken: p.ImportToken,
        EncryptedKeyMaterial: wrapOaep(p.PublicKey, 'RSAES_OAEP_SHA_256', material),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
    );
    const blob = (await c.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from('kept') }))).CiphertextBlob!;
    await c.send(new DeleteImportedKeyMaterialCommand({ KeyId: k.KeyId }));
    await store.close();

    store = await FileKeyStore.open(dir, { masterKey });
    c = new KMSClient({ store });
    expect((await describeOf(c, k.KeyId!)).KeyState).toBe('PendingImport');
    await importInto(c, k.KeyId!, material);
    expect(Buffer.from((await c.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString()).toBe(
      'kept',
    );
    await store.close();
  });
});

describe('through the endpoint with the real SDK', () => {
  const ep = useEndpoint();
  it('GetParametersForImport, ImportKeyMaterial, Encrypt / Decrypt, DeleteImportedKeyMaterial', async () => {
    const c = ep.sdk();
    const k = (await c.send(new sdk.CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!;
    const p = await c.send(
      new sdk.GetParametersForImportCommand({
        KeyId: k.KeyId,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_1',
        WrappingKeySpec: 'RSA_2048',
      }),
    );
    expect(p.KeyId).toBe(k.Arn);
    expect(p.ParametersValidTo).toBeInstanceOf(Date);
    const material = randomBytes(32);
    const out = await c.send(
      new sdk.ImportKeyMaterialCommand({
        KeyId: k.KeyId,
        ImportToken: p.ImportToken,
        EncryptedKeyMaterial: wrapOaep(p.PublicKey!, 'RSAES_OAEP_SHA_1', material),
        ValidTo: new Date(Date.now() + 86400_000),
      }),
    );
    expect(out.KeyId).toBe(k.Arn);
    const md = (await c.send(new sdk.DescribeKeyCommand({ KeyId: k.KeyId }))).KeyMetadata!;
    expect(md).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_EXPIRES' });
    expect(md.ValidTo).toBeInstanceOf(Date);
    const blob = (await c.send(new sdk.EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from('via sdk') })))
      .CiphertextBlob!;
    expect(Buffer.from((await c.send(new sdk.DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString()).toBe(
      'via sdk',
    );
    const del = await c.send(new sdk.DeleteImportedKeyMaterialCommand({ KeyId: k.KeyId }));
    expect(del.KeyMaterialId).toBe(out.KeyMaterialId);
    const err = await c
      .send(
        new sdk.ImportKeyMaterialCommand({
          KeyId: k.KeyId,
          ImportToken: Buffer.from('not a token'),
          EncryptedKeyMaterial: wrapOaep(p.PublicKey!, 'RSAES_OAEP_SHA_1', material),
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        }),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(sdk.InvalidImportTokenException);
    expect((err as sdk.InvalidImportTokenException).$metadata.httpStatusCode).toBe(400);
  });
});

describe('through the CLI', () => {
  const cli = useCli();
  it('get-parameters-for-import, import-key-material with fileb:// blobs, delete-imported-key-material; an error path', async () => {
    const k = cli.ok(['create-key', '--origin', 'EXTERNAL']).KeyMetadata as { KeyId: string; Arn: string };
    const p = cli.ok([
      'get-parameters-for-import',
      '--key-id',
      k.KeyId,
      '--wrapping-algorithm',
      'RSAES_OAEP_SHA_256',
      '--wrapping-key-spec',
      'RSA_2048',
    ]) as { ImportToken: string; PublicKey: string; KeyId: string };
    expect(p.KeyId).toBe(k.Arn);
    const material = randomBytes(32);
    const dir = await tempDir();
    const tokenFile = join(dir, 'token.bin');
    const wrappedFile = join(dir, 'wrapped.bin');
    await writeFile(tokenFile, Buffer.from(p.ImportToken, 'base64'));
    await writeFile(wrappedFile, wrapOaep(Buffer.from(p.PublicKey, 'base64'), 'RSAES_OAEP_SHA_256', material));
    const out = cli.ok([
      'import-key-material',
      '--key-id',
      k.KeyId,
      '--import-token',
      `fileb://${tokenFile}`,
      '--encrypted-key-material',
      `fileb://${wrappedFile}`,
      '--expiration-model',
      'KEY_MATERIAL_DOES_NOT_EXPIRE',
    ]);
    expect(out.KeyId).toBe(k.Arn);
    expect((cli.ok(['describe-key', '--key-id', k.KeyId]).KeyMetadata as { KeyState: string }).KeyState).toBe(
      'Enabled',
    );
    expect(cli.ok(['delete-imported-key-material', '--key-id', k.KeyId]).KeyMaterialId).toBe(out.KeyMaterialId);
    expect((cli.ok(['describe-key', '--key-id', k.KeyId]).KeyMetadata as { KeyState: string }).KeyState).toBe(
      'PendingImport',
    );
    // The same token again, with the material wrapped again: re-import works from the CLI.
    await writeFile(wrappedFile, wrapOaep(Buffer.from(p.PublicKey, 'base64'), 'RSAES_OAEP_SHA_256', material));
    expect(
      cli.ok([
        'import-key-material',
        '--key-id',
        k.KeyId,
        '--import-token',
        `fileb://${tokenFile}`,
        '--encrypted-key-material',
        `fileb://${wrappedFile}`,
        '--expiration-model',
        'KEY_MATERIAL_DOES_NOT_EXPIRE',
      ]).KeyMaterialId,
    ).toBe(out.KeyMaterialId);

    const aws = cli.ok(['create-key']).KeyMetadata as { KeyId: string; Arn: string };
    const r = cli.run(['delete-imported-key-material', '--key-id', aws.KeyId]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('UnsupportedOperationException');
    expect(r.stderr).toContain(`${aws.Arn} origin is AWS_KMS which is not valid for this operation.`);
    const badToken = cli.run([
      'import-key-material',
      '--key-id',
      k.KeyId,
      '--import-token',
      `fileb://${wrappedFile}`,
      '--encrypted-key-material',
      `fileb://${wrappedFile}`,
      '--expiration-model',
      'KEY_MATERIAL_DOES_NOT_EXPIRE',
    ]);
    expect(badToken.status).not.toBe(0);
    expect(badToken.stderr).toContain('InvalidImportTokenException');
  });
});

describe('GetParametersForImport and the store lock', () => {
  it('makes the wrapping key pair before taking the lock: other writes go on meanwhile, and the pair is kept', async () => {
    const store = new MemoryKeyStore();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let made: { publicKey: Uint8Array; privateKey: Uint8Array } | undefined;
    const client = new KMSClient({
      store,
      generateKeyPair: async (spec) => {
        await gate;
        const { generateKeyPair } = await import('../../src/core/index.js');
        made = generateKeyPair(spec);
        return made;
      },
    });
    const external = (await client.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!.KeyId!;
    const other = (await client.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const pending = client.send(
      new GetParametersForImportCommand({
        KeyId: external,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        WrappingKeySpec: 'RSA_2048',
      }),
    );
    // While the pair is being made, a read-change-write under the store's lock completes (it
    // would wait for GetParametersForImport if that held the lock).
    await client.send(new UpdateKeyDescriptionCommand({ KeyId: other, Description: 'changed meanwhile' }));
    expect((await client.send(new DescribeKeyCommand({ KeyId: other }))).KeyMetadata!.Description).toBe(
      'changed meanwhile',
    );
    release();
    const params = await pending;
    // The store keeps the pair that was made; the operation's own copies are wiped.
    const kept = (await store.getKey('111122223333', 'us-east-1', external))!.importParameters!;
    expect(Buffer.from(kept.publicKey).equals(Buffer.from(params.PublicKey!))).toBe(true);
    expect(made!.privateKey.every((b) => b === 0)).toBe(true);
    const spki = createPublicKey({ key: Buffer.from(params.PublicKey!), format: 'der', type: 'spki' });
    expect(spki.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('wipes a pair it could not keep (the key was deleted meanwhile)', async () => {
    const store = new MemoryKeyStore();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let made: { publicKey: Uint8Array; privateKey: Uint8Array } | undefined;
    const client = new KMSClient({
      store,
      generateKeyPair: async (spec) => {
        await gate;
        const { generateKeyPair } = await import('../../src/core/index.js');
        made = generateKeyPair(spec);
        return made;
      },
    });
    const external = (await client.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!.KeyId!;
    const pending = client.send(
      new GetParametersForImportCommand({
        KeyId: external,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        WrappingKeySpec: 'RSA_2048',
      }),
    );
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: external, PendingWindowInDays: 7 }));
    release();
    await rejection(pending, KMSInvalidStateException);
    expect(made!.privateKey.every((b) => b === 0)).toBe(true);
  });
});
