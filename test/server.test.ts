// The HTTP endpoint with the real @aws-sdk/client-kms (and raw HTTP where the SDK cannot send
// what is tested): every operation's success path; error paths as the SDK surfaces them (its
// exception classes, name, message, status, fault); GenerateDataKeyPair → Decrypt for all twelve
// specs, checked with node:crypto and @noble/post-quantum; 200 concurrent requests; the wire
// format (base64, epoch seconds, error bodies); malformed JSON, unknown targets, the body limit,
// health, the Region from the credential scope; graceful close with a request in flight.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  constants,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  publicEncrypt,
  randomBytes,
  verify,
} from 'node:crypto';
import { connect } from 'node:net';
import { ml_kem512, ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import * as sdk from '@aws-sdk/client-kms';
import { startServer, type RunningServer, type ServerOptions } from '../src/node/http/server.js';
import { OPERATION_NAMES } from '../src/kms/registry.js';
import { generateKeyPair, KEY_PAIR_SPECS, type KeyPair, type KeyPairSpec } from '../src/core/index.js';
import { MemoryKeyStore, type KeyStore } from '../src/kms/store.js';
import { caught } from './helpers/caught.js';

const ACCOUNT = '111122223333';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CREDENTIALS = { accessKeyId: 'AKIDSERVERTEST', secretAccessKey: 'not-checked-in-this-mode' };
const INTERNAL_MESSAGE = 'The request processing has failed because of an unknown error, exception or failure.';

function kmsClient(url: string, region = 'us-east-1'): sdk.KMSClient {
  // One attempt: a retried request would hide a failure of the first.
  return new sdk.KMSClient({ endpoint: url, region, credentials: CREDENTIALS, maxAttempts: 1 });
}

interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

async function raw(
  url: string,
  init: { method?: string; path?: string; target?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { 'Content-Type': 'application/x-amz-json-1.1', ...(init.headers ?? {}) };
  if (init.target !== undefined) headers['X-Amz-Target'] = init.target;
  const res = await fetch(url + (init.path ?? '/'), { method: init.method ?? 'POST', headers, body: init.body });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Left empty: the test looks at text.
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** The rejection of `p`, which must be an SDK exception of `cls` (and KMSServiceException) with the SDK's fields. */
async function sdkRejection<T extends sdk.KMSServiceException>(
  p: Promise<unknown>,
  cls: abstract new (...args: never[]) => T,
  name: string,
  status = 400,
  fault: 'client' | 'server' = 'client',
): Promise<T> {
  const err = await caught(p);
  expect(err).toBeInstanceOf(cls);
  expect(err).toBeInstanceOf(sdk.KMSServiceException);
  const e = err as T;
  expect(e.name).toBe(name);
  expect(e.$fault).toBe(fault);
  expect(e.$metadata.httpStatusCode).toBe(status);
  expect(e.$metadata.requestId).toMatch(UUID);
  return e;
}

const ML_KEM = { ML_KEM_512: ml_kem512, ML_KEM_768: ml_kem768, ML_KEM_1024: ml_kem1024 } as const;

/** `publicKey` is the public half of `pkcs8`, by code that shares nothing with the core. */
function expectPairMatches(spec: string, pkcs8: Uint8Array, publicKey: Uint8Array): void {
  if (spec in ML_KEM) {
    // Node 20 has no ML-KEM: noble expands the seed d‖z at the end of our PKCS#8.
    const { publicKey: pk } = ML_KEM[spec as keyof typeof ML_KEM].keygen(pkcs8.subarray(pkcs8.length - 64));
    expect(Buffer.from(publicKey.subarray(publicKey.length - pk.length))).toEqual(Buffer.from(pk));
    return;
  }
  const priv = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(priv).export({ type: 'spki', format: 'der' });
  expect(Buffer.from(publicKey)).toEqual(spki);
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const textBytes = (text: string) => new Uint8Array(Buffer.from(text));

// ---------------------------------------------------------------------------------------------

describe('the endpoint with @aws-sdk/client-kms', () => {
  let server: RunningServer;
  let kms: sdk.KMSClient;
  const log: string[] = [];

  beforeAll(async () => {
    server = await startServer({ port: 0, log: (line) => log.push(line) });
    kms = kmsClient(server.url);
  });
  afterAll(async () => {
    kms.destroy();
    await server.close();
  });

  it('listens on loopback at the URL it reports', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  describe('every operation succeeds', () => {
    const seen = new Set<string>();
    const send = async <O extends object = object>(op: string, command: { input: object }): Promise<O> => {
      const out = (await kms.send(command as never)) as O;
      seen.add(op);
      return out;
    };
    let key: sdk.KeyMetadata;
    let key2: sdk.KeyMetadata;

    it('CreateKey, DescribeKey, ListKeys: timestamps come back as Dates, the key in the SigV4 Region', async () => {
      const before = Date.now();
      const created = await send<sdk.CreateKeyCommandOutput>(
        'CreateKey',
        new sdk.CreateKeyCommand({ Description: 'first', Tags: [{ TagKey: 'team', TagValue: 'a' }] }),
      );
      key = created.KeyMetadata!;
      expect(key.KeyId).toMatch(UUID);
      expect(key.Arn).toBe(`arn:aws:kms:us-east-1:${ACCOUNT}:key/${key.KeyId}`);
      expect(key.AWSAccountId).toBe(ACCOUNT);
      expect(key.Description).toBe('first');
      expect(key.CreationDate).toBeInstanceOf(Date);
      expect(key.CreationDate!.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(key.CreationDate!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
      expect(created.$metadata.httpStatusCode).toBe(200);
      expect(created.$metadata.requestId).toMatch(UUID);

      const described = await send<sdk.DescribeKeyCommandOutput>(
        'DescribeKey',
        new sdk.DescribeKeyCommand({ KeyId: key.Arn }),
      );
      expect(described.KeyMetadata!.KeyId).toBe(key.KeyId);
      // Epoch seconds with a fraction carry the milliseconds across.
      expect(described.KeyMetadata!.CreationDate!.getTime()).toBe(key.CreationDate!.getTime());

      key2 = (await kms.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
      const listed = await send<sdk.ListKeysCommandOutput>('ListKeys', new sdk.ListKeysCommand({}));
      expect(listed.Keys!.map((k) => k.KeyId)).toEqual(expect.arrayContaining([key.KeyId, key2.KeyId]));
      expect(listed.Truncated).toBe(false);
    });

    it('CreateAlias, ListAliases, UpdateAlias, DeleteAlias', async () => {
      await send('CreateAlias', new sdk.CreateAliasCommand({ AliasName: 'alias/server-a', TargetKeyId: key.KeyId }));
      const listed = await send<sdk.ListAliasesCommandOutput>(
        'ListAliases',
        new sdk.ListAliasesCommand({ KeyId: key.KeyId }),
      );
      expect(listed.Aliases!.map((a) => a.AliasName)).toEqual(['alias/server-a']);
      expect(listed.Aliases![0].AliasArn).toBe(`arn:aws:kms:us-east-1:${ACCOUNT}:alias/server-a`);
      expect(listed.Aliases![0].CreationDate).toBeInstanceOf(Date);
      await send('UpdateAlias', new sdk.UpdateAliasCommand({ AliasName: 'alias/server-a', TargetKeyId: key2.KeyId }));
      const viaAlias = await kms.send(new sdk.DescribeKeyCommand({ KeyId: 'alias/server-a' }));
      expect(viaAlias.KeyMetadata!.KeyId).toBe(key2.KeyId);
      await send('DeleteAlias', new sdk.DeleteAliasCommand({ AliasName: 'alias/server-a' }));
      expect((await kms.send(new sdk.ListAliasesCommand({ KeyId: key2.KeyId }))).Aliases).toEqual([]);
    });

    it('DisableKey, EnableKey', async () => {
      await send('DisableKey', new sdk.DisableKeyCommand({ KeyId: key.KeyId }));
      expect((await kms.send(new sdk.DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe('Disabled');
      await send('EnableKey', new sdk.EnableKeyCommand({ KeyId: key.KeyId }));
      expect((await kms.send(new sdk.DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe('Enabled');
    });

    it('EnableKeyRotation, GetKeyRotationStatus, DisableKeyRotation, RotateKeyOnDemand', async () => {
      await send('EnableKeyRotation', new sdk.EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
      const on = await send<sdk.GetKeyRotationStatusCommandOutput>(
        'GetKeyRotationStatus',
        new sdk.GetKeyRotationStatusCommand({ KeyId: key.KeyId }),
      );
      expect(on.KeyRotationEnabled).toBe(true);
      expect(on.KeyId).toBe(key.Arn);
      expect(on.RotationPeriodInDays).toBe(90);
      expect(on.NextRotationDate).toBeInstanceOf(Date);
      expect(on.NextRotationDate!.getTime() - Date.now()).toBeGreaterThan(89 * 86_400_000);
      await send('DisableKeyRotation', new sdk.DisableKeyRotationCommand({ KeyId: key.KeyId }));
      expect((await kms.send(new sdk.GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).KeyRotationEnabled).toBe(
        false,
      );
      const rotated = await send<sdk.RotateKeyOnDemandCommandOutput>(
        'RotateKeyOnDemand',
        new sdk.RotateKeyOnDemandCommand({ KeyId: key.KeyId }),
      );
      // The key ARN, as AWS answered in 2025.
      expect(rotated.KeyId).toBe(key.Arn);
    });

    it('Encrypt, Decrypt, ReEncrypt: blobs travel as base64 both ways', async () => {
      const plaintext = new Uint8Array(300).map((_, i) => (i * 7) & 0xff);
      const ctx = { purpose: 'server-test' };
      const enc = await send<sdk.EncryptCommandOutput>(
        'Encrypt',
        new sdk.EncryptCommand({ KeyId: key.KeyId, Plaintext: plaintext, EncryptionContext: ctx }),
      );
      expect(enc.CiphertextBlob).toBeInstanceOf(Uint8Array);
      expect(enc.KeyId).toBe(key.Arn);
      const dec = await send<sdk.DecryptCommandOutput>(
        'Decrypt',
        new sdk.DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ctx }),
      );
      expect(Buffer.from(dec.Plaintext!)).toEqual(Buffer.from(plaintext));
      expect(dec.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
      const re = await send<sdk.ReEncryptCommandOutput>(
        'ReEncrypt',
        new sdk.ReEncryptCommand({
          CiphertextBlob: enc.CiphertextBlob,
          SourceEncryptionContext: ctx,
          DestinationKeyId: key2.KeyId,
        }),
      );
      expect(re.SourceKeyId).toBe(key.Arn);
      expect(re.KeyId).toBe(key2.Arn);
      const back = await kms.send(new sdk.DecryptCommand({ CiphertextBlob: re.CiphertextBlob }));
      expect(Buffer.from(back.Plaintext!)).toEqual(Buffer.from(plaintext));
      expect(back.KeyId).toBe(key2.Arn);
    });

    it('GenerateDataKey, GenerateDataKeyWithoutPlaintext, GenerateRandom', async () => {
      const dk = await send<sdk.GenerateDataKeyCommandOutput>(
        'GenerateDataKey',
        new sdk.GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }),
      );
      expect(dk.Plaintext!.length).toBe(32);
      const opened = await kms.send(new sdk.DecryptCommand({ CiphertextBlob: dk.CiphertextBlob }));
      expect(Buffer.from(opened.Plaintext!)).toEqual(Buffer.from(dk.Plaintext!));
      const np = await send<sdk.GenerateDataKeyWithoutPlaintextCommandOutput>(
        'GenerateDataKeyWithoutPlaintext',
        new sdk.GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, NumberOfBytes: 16 }),
      );
      expect(np).not.toHaveProperty('Plaintext');
      expect((await kms.send(new sdk.DecryptCommand({ CiphertextBlob: np.CiphertextBlob }))).Plaintext!.length).toBe(
        16,
      );
      const random = await send<sdk.GenerateRandomCommandOutput>(
        'GenerateRandom',
        new sdk.GenerateRandomCommand({ NumberOfBytes: 64 }),
      );
      expect(random.Plaintext!.length).toBe(64);
      expect(random.Plaintext!.some((b) => b !== 0)).toBe(true);
    });

    it('GetPublicKey of an asymmetric key is a SPKI node:crypto reads', async () => {
      const signing = (await kms.send(new sdk.CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })))
        .KeyMetadata!;
      const pub = await send<sdk.GetPublicKeyCommandOutput>(
        'GetPublicKey',
        new sdk.GetPublicKeyCommand({ KeyId: signing.KeyId }),
      );
      expect(pub.KeySpec).toBe('ECC_NIST_P256');
      expect(pub.KeyUsage).toBe('SIGN_VERIFY');
      const k = createPublicKey({ key: Buffer.from(pub.PublicKey!), format: 'der', type: 'spki' });
      expect(k.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    });

    it('GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext', async () => {
      const ctx = { tenant: 'a' };
      const pair = await send<sdk.GenerateDataKeyPairCommandOutput>(
        'GenerateDataKeyPair',
        new sdk.GenerateDataKeyPairCommand({
          KeyId: key.KeyId,
          KeyPairSpec: 'ECC_NIST_P256',
          EncryptionContext: ctx,
        }),
      );
      expect(pair.KeyId).toBe(key.Arn);
      expect(pair.KeyPairSpec).toBe('ECC_NIST_P256');
      expect(pair.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
      expectPairMatches('ECC_NIST_P256', pair.PrivateKeyPlaintext!, pair.PublicKey!);
      const opened = await kms.send(
        new sdk.DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob, EncryptionContext: ctx }),
      );
      expect(Buffer.from(opened.Plaintext!)).toEqual(Buffer.from(pair.PrivateKeyPlaintext!));

      const np = await send<sdk.GenerateDataKeyPairWithoutPlaintextCommandOutput>(
        'GenerateDataKeyPairWithoutPlaintext',
        new sdk.GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_EDWARDS25519' }),
      );
      expect(np).not.toHaveProperty('PrivateKeyPlaintext');
      const back = await kms.send(new sdk.DecryptCommand({ CiphertextBlob: np.PrivateKeyCiphertextBlob }));
      expectPairMatches('ECC_NIST_EDWARDS25519', back.Plaintext!, np.PublicKey!);
    });

    it('CreateCustomKeyStore, DescribeCustomKeyStores', async () => {
      const created = await send<sdk.CreateCustomKeyStoreCommandOutput>(
        'CreateCustomKeyStore',
        new sdk.CreateCustomKeyStoreCommand({
          CustomKeyStoreName: 'hsm-store',
          CloudHsmClusterId: 'cluster-1a23b4cdefg',
          TrustAnchorCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
          KeyStorePassword: 'kmsPassword',
        }),
      );
      expect(created.CustomKeyStoreId).toMatch(/^cks-[0-9a-f]{17}$/);
      const described = await send<sdk.DescribeCustomKeyStoresCommandOutput>(
        'DescribeCustomKeyStores',
        new sdk.DescribeCustomKeyStoresCommand({}),
      );
      const [store] = described.CustomKeyStores!;
      expect(store.CustomKeyStoreId).toBe(created.CustomKeyStoreId);
      expect(store.CustomKeyStoreName).toBe('hsm-store');
      expect(store.CreationDate).toBeInstanceOf(Date);
    });

    it('ScheduleKeyDeletion, CancelKeyDeletion', async () => {
      const scheduled = await send<sdk.ScheduleKeyDeletionCommandOutput>(
        'ScheduleKeyDeletion',
        new sdk.ScheduleKeyDeletionCommand({ KeyId: key2.KeyId, PendingWindowInDays: 7 }),
      );
      expect(scheduled.KeyState).toBe('PendingDeletion');
      expect(scheduled.PendingWindowInDays).toBe(7);
      expect(scheduled.DeletionDate).toBeInstanceOf(Date);
      const days = (scheduled.DeletionDate!.getTime() - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(6.9);
      expect(days).toBeLessThan(7.1);
      const cancelled = await send<sdk.CancelKeyDeletionCommandOutput>(
        'CancelKeyDeletion',
        new sdk.CancelKeyDeletionCommand({ KeyId: key2.KeyId }),
      );
      expect(cancelled.KeyId).toBe(key2.Arn);
      expect((await kms.send(new sdk.DescribeKeyCommand({ KeyId: key2.KeyId }))).KeyMetadata!.KeyState).toBe(
        'Disabled',
      );
    });

    it('Sign, Verify, DeriveSharedSecret: signatures node:crypto verifies, the secret node:crypto derives', async () => {
      const signing = (await kms.send(new sdk.CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })))
        .KeyMetadata!;
      const message = new TextEncoder().encode('signed over HTTP');
      const signed = await send<sdk.SignCommandOutput>(
        'Sign',
        new sdk.SignCommand({ KeyId: signing.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }),
      );
      expect(signed.KeyId).toBe(signing.Arn);
      const spki = (await kms.send(new sdk.GetPublicKeyCommand({ KeyId: signing.KeyId }))).PublicKey!;
      const pub = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      expect(verify('sha256', message, { key: pub, dsaEncoding: 'der' }, signed.Signature!)).toBe(true);
      const checked = await send<sdk.VerifyCommandOutput>(
        'Verify',
        new sdk.VerifyCommand({
          KeyId: signing.KeyId,
          Message: message,
          Signature: signed.Signature,
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      );
      expect(checked).toMatchObject({ KeyId: signing.Arn, SignatureValid: true, SigningAlgorithm: 'ECDSA_SHA_256' });
      const forged = kms.send(
        new sdk.VerifyCommand({
          KeyId: signing.KeyId,
          Message: new TextEncoder().encode('not signed'),
          Signature: signed.Signature,
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      );
      const e = await sdkRejection(forged, sdk.KMSInvalidSignatureException, 'KMSInvalidSignatureException');
      // The server sends no message, as AWS does; the SDK fills in "UnknownError".
      expect(e.message).toBe('UnknownError');

      const agreeing = (
        await kms.send(new sdk.CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' }))
      ).KeyMetadata!;
      const peer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const derived = await send<sdk.DeriveSharedSecretCommandOutput>(
        'DeriveSharedSecret',
        new sdk.DeriveSharedSecretCommand({
          KeyId: agreeing.KeyId,
          KeyAgreementAlgorithm: 'ECDH',
          PublicKey: peer.publicKey.export({ format: 'der', type: 'spki' }),
        }),
      );
      const agreeingSpki = (await kms.send(new sdk.GetPublicKeyCommand({ KeyId: agreeing.KeyId }))).PublicKey!;
      const expected = diffieHellman({
        privateKey: peer.privateKey,
        publicKey: createPublicKey({ key: Buffer.from(agreeingSpki), format: 'der', type: 'spki' }),
      });
      expect(Buffer.from(derived.SharedSecret!)).toEqual(expected);
      expect(derived).toMatchObject({ KeyId: agreeing.Arn, KeyAgreementAlgorithm: 'ECDH', KeyOrigin: 'AWS_KMS' });
    });

    it('GenerateMac, VerifyMac, Encapsulate, Decapsulate: the MAC verifies, one shared secret both ways', async () => {
      const macKey = (
        await kms.send(new sdk.CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }))
      ).KeyMetadata!;
      const message = new TextEncoder().encode('MAC over HTTP');
      const mac = await send<sdk.GenerateMacCommandOutput>(
        'GenerateMac',
        new sdk.GenerateMacCommand({ KeyId: macKey.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' }),
      );
      expect(mac.Mac).toHaveLength(32);
      const valid = await send<sdk.VerifyMacCommandOutput>(
        'VerifyMac',
        new sdk.VerifyMacCommand({ KeyId: macKey.KeyId, Message: message, Mac: mac.Mac, MacAlgorithm: 'HMAC_SHA_256' }),
      );
      expect(valid).toMatchObject({ KeyId: macKey.Arn, MacValid: true, MacAlgorithm: 'HMAC_SHA_256' });

      const kemKey = (
        await kms.send(new sdk.CreateKeyCommand({ KeySpec: 'ML_KEM_768', KeyUsage: 'ENCAPSULATE_DECAPSULATE' }))
      ).KeyMetadata!;
      const enc = await send<sdk.EncapsulateCommandOutput>(
        'Encapsulate',
        new sdk.EncapsulateCommand({ KeyId: kemKey.KeyId, EncapsulationAlgorithm: 'ML_KEM' }),
      );
      expect(enc.SharedSecret).toHaveLength(32);
      const dec = await send<sdk.DecapsulateCommandOutput>(
        'Decapsulate',
        new sdk.DecapsulateCommand({
          KeyId: kemKey.KeyId,
          SharedSecretCiphertextBlob: enc.SharedSecretCiphertextBlob,
          EncapsulationAlgorithm: 'ML_KEM',
        }),
      );
      expect(Buffer.from(dec.SharedSecret!)).toEqual(Buffer.from(enc.SharedSecret!));
    });

    it('UpdateKeyDescription, TagResource, UntagResource, ListResourceTags', async () => {
      await send(
        'UpdateKeyDescription',
        new sdk.UpdateKeyDescriptionCommand({ KeyId: key.KeyId, Description: 'second' }),
      );
      expect((await kms.send(new sdk.DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.Description).toBe(
        'second',
      );
      await send(
        'TagResource',
        new sdk.TagResourceCommand({ KeyId: key.Arn, Tags: [{ TagKey: 'env', TagValue: 'prod' }] }),
      );
      const both = await send<sdk.ListResourceTagsCommandOutput>(
        'ListResourceTags',
        new sdk.ListResourceTagsCommand({ KeyId: key.KeyId }),
      );
      expect(both.Tags).toHaveLength(2);
      expect(both.Tags).toEqual(
        expect.arrayContaining([
          { TagKey: 'env', TagValue: 'prod' },
          { TagKey: 'team', TagValue: 'a' },
        ]),
      );
      expect(both.Truncated).toBe(false);
      await send('UntagResource', new sdk.UntagResourceCommand({ KeyId: key.KeyId, TagKeys: ['team'] }));
      expect((await kms.send(new sdk.ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags).toEqual([
        { TagKey: 'env', TagValue: 'prod' },
      ]);
    });

    it('GetKeyPolicy, PutKeyPolicy, ListKeyPolicies: the policy put is the policy read, byte for byte', async () => {
      const before = await send<sdk.GetKeyPolicyCommandOutput>(
        'GetKeyPolicy',
        new sdk.GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }),
      );
      expect(before.PolicyName).toBe('default');
      const document = JSON.parse(before.Policy!) as { Id?: string; Statement: unknown[] };
      expect(document.Statement.length).toBeGreaterThan(0);
      const policy = JSON.stringify({ ...document, Id: 'server-test-policy' }, null, 1);
      await send(
        'PutKeyPolicy',
        new sdk.PutKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default', Policy: policy }),
      );
      expect((await kms.send(new sdk.GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy).toBe(policy);
      const names = await send<sdk.ListKeyPoliciesCommandOutput>(
        'ListKeyPolicies',
        new sdk.ListKeyPoliciesCommand({ KeyId: key.KeyId }),
      );
      expect(names.PolicyNames).toEqual(['default']);
      expect(names.Truncated).toBe(false);
    });

    it('CreateGrant, ListGrants, ListRetirableGrants, RetireGrant (by token), RevokeGrant (by id)', async () => {
      const principal = `arn:aws:iam::${ACCOUNT}:role/server-test`;
      const first = await send<sdk.CreateGrantCommandOutput>(
        'CreateGrant',
        new sdk.CreateGrantCommand({
          KeyId: key.KeyId,
          GranteePrincipal: principal,
          RetiringPrincipal: principal,
          Operations: ['Encrypt', 'Decrypt'],
          Name: 'first',
        }),
      );
      expect(first.GrantId).toMatch(/^[0-9a-f]{64}$/);
      expect(first.GrantToken!.length).toBeGreaterThan(0);
      const second = (
        await kms.send(
          new sdk.CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: principal, Operations: ['Encrypt'] }),
        )
      ).GrantId!;
      const listed = await send<sdk.ListGrantsCommandOutput>(
        'ListGrants',
        new sdk.ListGrantsCommand({ KeyId: key.KeyId }),
      );
      expect(listed.Grants!.map((g) => g.GrantId).sort()).toEqual([first.GrantId, second].sort());
      const entry = listed.Grants!.find((g) => g.GrantId === first.GrantId)!;
      expect(entry.KeyId).toBe(key.Arn);
      expect(entry.Name).toBe('first');
      expect(entry.GranteePrincipal).toBe(principal);
      expect(entry.RetiringPrincipal).toBe(principal);
      expect([...entry.Operations!].sort()).toEqual(['Decrypt', 'Encrypt']);
      expect(entry.CreationDate).toBeInstanceOf(Date);
      const retirable = await send<sdk.ListRetirableGrantsCommandOutput>(
        'ListRetirableGrants',
        new sdk.ListRetirableGrantsCommand({ RetiringPrincipal: principal }),
      );
      // Only the first grant names a retiring principal.
      expect(retirable.Grants!.map((g) => g.GrantId)).toEqual([first.GrantId]);
      await send('RetireGrant', new sdk.RetireGrantCommand({ GrantToken: first.GrantToken }));
      await send('RevokeGrant', new sdk.RevokeGrantCommand({ KeyId: key.KeyId, GrantId: second }));
      expect((await kms.send(new sdk.ListGrantsCommand({ KeyId: key.KeyId }))).Grants).toEqual([]);
    });

    it('GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial: material wrapped by node:crypto encrypts and decrypts', async () => {
      const external = (await kms.send(new sdk.CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!;
      expect(external.KeyState).toBe('PendingImport');
      const params = await send<sdk.GetParametersForImportCommandOutput>(
        'GetParametersForImport',
        new sdk.GetParametersForImportCommand({
          KeyId: external.KeyId,
          WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
          WrappingKeySpec: 'RSA_2048',
        }),
      );
      expect(params.KeyId).toBe(external.Arn);
      expect(params.ParametersValidTo).toBeInstanceOf(Date);
      const wrappingKey = createPublicKey({ key: Buffer.from(params.PublicKey!), format: 'der', type: 'spki' });
      expect(wrappingKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
      const material = randomBytes(32);
      const wrapped = publicEncrypt(
        { key: wrappingKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
        material,
      );
      const imported = await send<sdk.ImportKeyMaterialCommandOutput>(
        'ImportKeyMaterial',
        new sdk.ImportKeyMaterialCommand({
          KeyId: external.KeyId,
          ImportToken: params.ImportToken,
          EncryptedKeyMaterial: wrapped,
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        }),
      );
      expect(imported.KeyId).toBe(external.Arn);
      expect(imported.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
      expect((await kms.send(new sdk.DescribeKeyCommand({ KeyId: external.KeyId }))).KeyMetadata!.KeyState).toBe(
        'Enabled',
      );
      const sealed = await kms.send(
        new sdk.EncryptCommand({ KeyId: external.KeyId, Plaintext: textBytes('imported') }),
      );
      const opened = await kms.send(new sdk.DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }));
      expect(Buffer.from(opened.Plaintext!).toString()).toBe('imported');
      expect(opened.KeyId).toBe(external.Arn);
      const deleted = await send<sdk.DeleteImportedKeyMaterialCommandOutput>(
        'DeleteImportedKeyMaterial',
        new sdk.DeleteImportedKeyMaterialCommand({ KeyId: external.KeyId }),
      );
      expect(deleted.KeyId).toBe(external.Arn);
      expect(deleted.KeyMaterialId).toBe(imported.KeyMaterialId);
      expect((await kms.send(new sdk.DescribeKeyCommand({ KeyId: external.KeyId }))).KeyMetadata!.KeyState).toBe(
        'PendingImport',
      );
      await sdkRejection(
        kms.send(new sdk.DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob })),
        sdk.KMSInvalidStateException,
        'KMSInvalidStateException',
      );
    });

    it("ReplicateKey, UpdatePrimaryRegion: the replica is seen through a client in the replica's Region", async () => {
      const primary = (await kms.send(new sdk.CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!;
      expect(primary.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
      const replicated = await send<sdk.ReplicateKeyCommandOutput>(
        'ReplicateKey',
        new sdk.ReplicateKeyCommand({
          KeyId: primary.Arn,
          ReplicaRegion: 'eu-west-1',
          Description: 'west',
          Tags: [{ TagKey: 'copy', TagValue: 'yes' }],
        }),
      );
      const replicaArn = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${primary.KeyId}`;
      expect(replicated.ReplicaKeyMetadata!.Arn).toBe(replicaArn);
      expect(replicated.ReplicaTags).toEqual([{ TagKey: 'copy', TagValue: 'yes' }]);
      const west = kmsClient(server.url, 'eu-west-1');
      try {
        const replica = (await west.send(new sdk.DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata!;
        expect(replica.Arn).toBe(replicaArn);
        expect(replica.Description).toBe('west');
        expect(replica.MultiRegionConfiguration!.MultiRegionKeyType).toBe('REPLICA');
        expect(replica.MultiRegionConfiguration!.PrimaryKey).toEqual({ Arn: primary.Arn, Region: 'us-east-1' });
        // The replica shares the primary's material: what one seals, the other opens.
        const sealed = await kms.send(new sdk.EncryptCommand({ KeyId: primary.KeyId, Plaintext: textBytes('shared') }));
        const opened = await west.send(new sdk.DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }));
        expect(Buffer.from(opened.Plaintext!).toString()).toBe('shared');
        expect(opened.KeyId).toBe(replicaArn);

        await send(
          'UpdatePrimaryRegion',
          new sdk.UpdatePrimaryRegionCommand({ KeyId: primary.Arn, PrimaryRegion: 'eu-west-1' }),
        );
        const east = (await kms.send(new sdk.DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata!;
        expect(east.MultiRegionConfiguration!.MultiRegionKeyType).toBe('REPLICA');
        expect(east.MultiRegionConfiguration!.PrimaryKey).toEqual({ Arn: replicaArn, Region: 'eu-west-1' });
        const now = (await west.send(new sdk.DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata!;
        expect(now.MultiRegionConfiguration!.MultiRegionKeyType).toBe('PRIMARY');
        expect(now.MultiRegionConfiguration!.ReplicaKeys).toEqual([{ Arn: primary.Arn, Region: 'us-east-1' }]);
      } finally {
        west.destroy();
      }
    });

    it('ListKeyRotations, GetKeyLastUsage: the rotation made on demand, the last Encrypt', async () => {
      const rotations = await send<sdk.ListKeyRotationsCommandOutput>(
        'ListKeyRotations',
        new sdk.ListKeyRotationsCommand({ KeyId: key.KeyId }),
      );
      // RotateKeyOnDemand above, and nothing else rotated the key.
      expect(rotations.Rotations!.map((r) => r.RotationType)).toEqual(['ON_DEMAND']);
      // The key id, as in the model's example.
      expect(rotations.Rotations![0].KeyId).toBe(key.KeyId);
      expect(rotations.Rotations![0].RotationDate).toBeInstanceOf(Date);
      expect(rotations.Truncated).toBe(false);
      const before = Date.now();
      await kms.send(new sdk.EncryptCommand({ KeyId: key.KeyId, Plaintext: textBytes('used') }));
      const used = await send<sdk.GetKeyLastUsageCommandOutput>(
        'GetKeyLastUsage',
        new sdk.GetKeyLastUsageCommand({ KeyId: key.KeyId }),
      );
      expect(used.KeyLastUsage!.Operation).toBe('Encrypt');
      expect(used.KeyLastUsage!.Timestamp!.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(used.KeyLastUsage!.Timestamp!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
      expect(used.KeyCreationDate!.getTime()).toBe(key.CreationDate!.getTime());
      expect(used.TrackingStartDate).toBeInstanceOf(Date);
    });

    it('UpdateCustomKeyStore, ConnectCustomKeyStore, DisconnectCustomKeyStore, DeleteCustomKeyStore', async () => {
      const id = (
        await kms.send(
          new sdk.CreateCustomKeyStoreCommand({
            CustomKeyStoreName: 'server-store',
            CloudHsmClusterId: 'cluster-2b34c5defgh',
            TrustAnchorCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
            KeyStorePassword: 'kmsPassword',
          }),
        )
      ).CustomKeyStoreId!;
      const state = async () =>
        (await kms.send(new sdk.DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id }))).CustomKeyStores![0];
      expect((await state()).ConnectionState).toBe('DISCONNECTED');
      await send(
        'UpdateCustomKeyStore',
        new sdk.UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, NewCustomKeyStoreName: 'server-store-renamed' }),
      );
      expect((await state()).CustomKeyStoreName).toBe('server-store-renamed');
      await send('ConnectCustomKeyStore', new sdk.ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
      expect((await state()).ConnectionState).toBe('CONNECTED');
      await send('DisconnectCustomKeyStore', new sdk.DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
      expect((await state()).ConnectionState).toBe('DISCONNECTED');
      await send('DeleteCustomKeyStore', new sdk.DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id }));
      await sdkRejection(
        kms.send(new sdk.DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id })),
        sdk.CustomKeyStoreNotFoundException,
        'CustomKeyStoreNotFoundException',
      );
    });

    it('covered all 56 operations, and the server logged each one with status 200', () => {
      expect([...seen].sort()).toEqual([...OPERATION_NAMES].sort());
      expect(OPERATION_NAMES).toHaveLength(56);
      const ok = new Set(
        log.map((l) => /^POST TrentService\.(\w+) 200 /.exec(l)?.[1]).filter((x): x is string => x !== undefined),
      );
      for (const op of OPERATION_NAMES) expect(ok.has(op), op).toBe(true);
    });
  });

  describe('errors as the SDK surfaces them', () => {
    let key: sdk.KeyMetadata;
    beforeAll(async () => {
      key = (await kms.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
    });

    it("NotFoundException with AWS's recorded messages (400, not the model's 404)", async () => {
      const id = '0b5c9e4a-1d2f-4c3b-8a7e-6f5d4c3b2a19';
      const e = await sdkRejection(
        kms.send(new sdk.DescribeKeyCommand({ KeyId: id })),
        sdk.NotFoundException,
        'NotFoundException',
      );
      expect(e.message).toBe(`Key 'arn:aws:kms:us-east-1:${ACCOUNT}:key/${id}' does not exist`);
      const bad = await sdkRejection(
        kms.send(new sdk.DescribeKeyCommand({ KeyId: 'fake-key-id' })),
        sdk.NotFoundException,
        'NotFoundException',
      );
      expect(bad.message).toBe("Invalid keyId 'fake-key-id'");
    });

    it('ValidationException (unmodeled: a KMSServiceException named by __type) with the recorded wording', async () => {
      const e = await sdkRejection(
        kms.send(new sdk.GenerateRandomCommand({ NumberOfBytes: 0 })),
        sdk.KMSServiceException,
        'ValidationException',
      );
      expect(e.message).toBe(
        "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
      );
      const spec = await sdkRejection(
        kms.send(
          new sdk.GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'RSA_1024' as sdk.DataKeyPairSpec }),
        ),
        sdk.KMSServiceException,
        'ValidationException',
      );
      expect(spec.message).toBe(
        `1 validation error detected: Value 'RSA_1024' at 'keyPairSpec' failed to satisfy constraint: Member must satisfy enum value set: [${KEY_PAIR_SPECS.join(', ')}]`,
      );
    });

    it('DisabledException', async () => {
      const k = (await kms.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
      await kms.send(new sdk.DisableKeyCommand({ KeyId: k.KeyId }));
      const e = await sdkRejection(
        kms.send(new sdk.GenerateDataKeyPairCommand({ KeyId: k.KeyId, KeyPairSpec: 'ECC_NIST_P256' })),
        sdk.DisabledException,
        'DisabledException',
      );
      expect(e.message).toBe(`${k.Arn} is disabled.`);
    });

    it('KMSInvalidStateException for a key pending deletion', async () => {
      const k = (await kms.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
      await kms.send(new sdk.ScheduleKeyDeletionCommand({ KeyId: k.KeyId }));
      const e = await sdkRejection(
        kms.send(new sdk.GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: k.KeyId, KeyPairSpec: 'ECC_NIST_P256' })),
        sdk.KMSInvalidStateException,
        'KMSInvalidStateException',
      );
      expect(e.message).toBe(`${k.Arn} is pending deletion.`);
    });

    it('InvalidCiphertextException: the server sends no message, as AWS does, which the SDK turns into "UnknownError"', async () => {
      const pair = await kms.send(
        new sdk.GenerateDataKeyPairCommand({
          KeyId: key.KeyId,
          KeyPairSpec: 'ECC_NIST_P256',
          EncryptionContext: { a: 'b' },
        }),
      );
      const e = await sdkRejection(
        kms.send(
          new sdk.DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob, EncryptionContext: { a: 'c' } }),
        ),
        sdk.InvalidCiphertextException,
        'InvalidCiphertextException',
      );
      expect(e.message).toBe('UnknownError');
      const r = await raw(server.url, {
        target: 'TrentService.Decrypt',
        body: JSON.stringify({ CiphertextBlob: b64(pair.PrivateKeyCiphertextBlob!), EncryptionContext: { a: 'c' } }),
      });
      expect(r.status).toBe(400);
      // AWS's answer has no message member (recorded: botocore saw no "message" in the body).
      expect(r.json).toEqual({ __type: 'InvalidCiphertextException' });
    });

    it('IncorrectKeyException', async () => {
      const other = (await kms.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
      const enc = await kms.send(new sdk.EncryptCommand({ KeyId: key.KeyId, Plaintext: new Uint8Array([1, 2, 3]) }));
      const e = await sdkRejection(
        kms.send(new sdk.DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: other.KeyId })),
        sdk.IncorrectKeyException,
        'IncorrectKeyException',
      );
      expect(e.message).toBe('The key ID in the request does not identify a CMK that can perform this operation.');
    });

    it('DryRunOperationException is 400, as AWS answers (the model says 412)', async () => {
      const e = await sdkRejection(
        kms.send(new sdk.GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'RSA_4096', DryRun: true })),
        sdk.DryRunOperationException,
        'DryRunOperationException',
      );
      expect(e.message).toBe('The request would have succeeded, but the DryRun option is set.');
    });

    it('InvalidKeyUsageException, UnsupportedOperationException, AlreadyExistsException', async () => {
      const signing = (await kms.send(new sdk.CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })))
        .KeyMetadata!;
      const usage = await sdkRejection(
        kms.send(new sdk.GenerateDataKeyPairCommand({ KeyId: signing.KeyId, KeyPairSpec: 'ECC_NIST_P256' })),
        sdk.InvalidKeyUsageException,
        'InvalidKeyUsageException',
      );
      expect(usage.message).toBe(`${signing.Arn} key usage is SIGN_VERIFY which is not valid for GenerateDataKeyPair.`);
      const sm2 = await sdkRejection(
        kms.send(new sdk.GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'SM2' })),
        sdk.UnsupportedOperationException,
        'UnsupportedOperationException',
      );
      expect(sm2.message).toContain('SM2');
      await kms.send(new sdk.CreateAliasCommand({ AliasName: 'alias/twice', TargetKeyId: key.KeyId }));
      await sdkRejection(
        kms.send(new sdk.CreateAliasCommand({ AliasName: 'alias/twice', TargetKeyId: key.KeyId })),
        sdk.AlreadyExistsException,
        'AlreadyExistsException',
      );
    });

    it('the request id of an error is the x-amzn-RequestId the server sent and logged', async () => {
      const e = await sdkRejection(
        kms.send(new sdk.DescribeKeyCommand({ KeyId: 'alias/none' })),
        sdk.NotFoundException,
        'NotFoundException',
      );
      expect(
        log.some(
          (l) =>
            l.startsWith('POST TrentService.DescribeKey 400 ') &&
            l.includes(` ${e.$metadata.requestId} NotFoundException`),
        ),
      ).toBe(true);
    });
  });

  describe('GenerateDataKeyPair → Decrypt for all 12 specs', () => {
    const cn = () => kmsClient(server.url, 'cn-north-1');
    for (const spec of KEY_PAIR_SPECS) {
      it(`${spec}`, async () => {
        // SM2 exists only in the China Regions; ML-KEM everywhere but there.
        const client = spec === 'SM2' ? cn() : kms;
        const k = (await client.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
        expect(k.Arn).toContain(spec === 'SM2' ? ':cn-north-1:' : ':us-east-1:');
        const ctx = { spec };
        const pair = await client.send(
          new sdk.GenerateDataKeyPairCommand({
            KeyId: k.KeyId,
            KeyPairSpec: spec as sdk.DataKeyPairSpec,
            EncryptionContext: ctx,
          }),
        );
        expect(pair.KeyPairSpec).toBe(spec);
        expectPairMatches(spec, pair.PrivateKeyPlaintext!, pair.PublicKey!);
        const opened = await client.send(
          new sdk.DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob, EncryptionContext: ctx }),
        );
        expect(Buffer.from(opened.Plaintext!)).toEqual(Buffer.from(pair.PrivateKeyPlaintext!));
        expect(opened.KeyId).toBe(k.Arn);
        if (client !== kms) client.destroy();
      });
    }
  });

  it('200 concurrent GenerateDataKeyPair requests of mixed specs: every answer is the right one', async () => {
    const cn = kmsClient(server.url, 'cn-north-1');
    const usKey = (await kms.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
    const cnKey = (await cn.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
    // RSA is kept to three RSA_2048 pairs so that the test stays short on two cores.
    const cheap = KEY_PAIR_SPECS.filter((s) => !s.startsWith('RSA_'));
    const specs: KeyPairSpec[] = Array.from({ length: 200 }, (_, i) =>
      i % 67 === 5 ? 'RSA_2048' : cheap[i % cheap.length],
    );
    expect(specs.filter((s) => s === 'RSA_2048')).toHaveLength(3);
    const results = await Promise.all(
      specs.map(async (spec, i) => {
        const client = spec === 'SM2' ? cn : kms;
        const k = spec === 'SM2' ? cnKey : usKey;
        const ctx = { request: String(i) };
        const pair = await client.send(
          new sdk.GenerateDataKeyPairCommand({ KeyId: k.KeyId, KeyPairSpec: spec, EncryptionContext: ctx }),
        );
        return { spec, i, pair, client, ctx };
      }),
    );
    const ids = new Set<string>();
    for (const { spec, pair } of results) {
      expect(pair.KeyPairSpec).toBe(spec);
      expectPairMatches(spec, pair.PrivateKeyPlaintext!, pair.PublicKey!);
      ids.add(pair.$metadata.requestId!);
    }
    expect(ids.size).toBe(200);
    // Each blob opens only under its own request's context, to its own request's private key.
    const opened = await Promise.all(
      results.map(({ pair, client, ctx }) =>
        client.send(new sdk.DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob, EncryptionContext: ctx })),
      ),
    );
    opened.forEach((o, j) =>
      expect(Buffer.from(o.Plaintext!)).toEqual(Buffer.from(results[j].pair.PrivateKeyPlaintext!)),
    );
    cn.destroy();
  });

  it('logs one line per request without secrets or bodies', async () => {
    const k = (await kms.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
    const pair = await kms.send(
      new sdk.GenerateDataKeyPairCommand({
        KeyId: k.KeyId,
        KeyPairSpec: 'ECC_NIST_P256',
        EncryptionContext: { owner: 'log-check' },
      }),
    );
    const text = log.join('\n');
    for (const line of log) expect(line).toMatch(/^[A-Z]+ \S+ \d{3} \d+\.\dms [0-9a-f-]{36}( \S.*)?$/);
    expect(text).not.toContain(b64(pair.PrivateKeyPlaintext!));
    expect(text).not.toContain(b64(pair.PrivateKeyCiphertextBlob!));
    expect(text).not.toContain('log-check');
    expect(text).not.toContain(CREDENTIALS.secretAccessKey);
  });
});

// ---------------------------------------------------------------------------------------------

describe('the wire, over raw HTTP', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, region: 'ap-northeast-1', bodyLimit: 4096 });
  });
  afterAll(() => server.close());

  it('answers with x-amzn-RequestId, the JSON 1.1 content type, epoch-second timestamps and base64 blobs', async () => {
    const r = await raw(server.url, { target: 'TrentService.CreateKey', body: '{}' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(r.headers.get('x-amzn-requestid')).toMatch(UUID);
    // Node's Date header, from which the SDKs correct their clock.
    expect(r.headers.get('date')).not.toBeNull();
    const md = r.json.KeyMetadata as Record<string, unknown>;
    expect(typeof md.CreationDate).toBe('number');
    expect(Math.abs((md.CreationDate as number) - Date.now() / 1000)).toBeLessThan(60);
    // Absent members are omitted, not null.
    expect(r.text).not.toContain('null');
    const random = await raw(server.url, { target: 'TrentService.GenerateRandom', body: '{"NumberOfBytes":32}' });
    expect(random.json.Plaintext).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it('an empty body is an empty input; unknown members are ignored; JSON null is an absent member', async () => {
    expect((await raw(server.url, { target: 'TrentService.ListKeys', body: '' })).status).toBe(200);
    expect(
      (await raw(server.url, { target: 'TrentService.CreateKey', body: '{"Bogus":1,"Description":null}' })).status,
    ).toBe(200);
    const missing = await raw(server.url, { target: 'TrentService.DescribeKey', body: '{"KeyId":null}' });
    expect(missing.json).toEqual({
      __type: 'ValidationException',
      message:
        "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
    });
  });

  it('malformed JSON is SerializationException, and the message never quotes the body', async () => {
    const r = await raw(server.url, {
      target: 'TrentService.Encrypt',
      body: '{"KeyId":"k","Plaintext":"U0VDUkVUU0VDUkVU',
    });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(r.json.__type).toBe('SerializationException');
    expect(r.text).not.toContain('U0VDUkVU');
    for (const body of ['[]', '"x"', '42', 'null']) {
      const e = await raw(server.url, { target: 'TrentService.ListKeys', body });
      expect(e.status, body).toBe(400);
      expect(e.json.__type, body).toBe('SerializationException');
    }
  });

  it('a blob that is not base64 is SerializationException; a member of the wrong type too', async () => {
    const bad = await raw(server.url, { target: 'TrentService.Decrypt', body: '{"CiphertextBlob":"not base64!"}' });
    expect(bad.status).toBe(400);
    expect(bad.json.__type).toBe('SerializationException');
    const unpadded = await raw(server.url, { target: 'TrentService.Decrypt', body: '{"CiphertextBlob":"AQID="}' });
    expect(unpadded.json.__type).toBe('SerializationException');
    const typed = await raw(server.url, { target: 'TrentService.GenerateRandom', body: '{"NumberOfBytes":"12"}' });
    expect(typed.json).toEqual({
      __type: 'SerializationException',
      message: 'STRING_VALUE can not be converted to an Integer',
    });
  });

  it('an unknown, foreign or missing X-Amz-Target is UnknownOperationException', async () => {
    for (const target of ['TrentService.Nope', 'DynamoDB_20120810.ListTables', 'TrentService.constructor', undefined]) {
      const r = await raw(server.url, { target, body: '{}' });
      expect(r.status, String(target)).toBe(400);
      expect(r.json.__type, String(target)).toBe('UnknownOperationException');
      expect(r.headers.get('x-amzn-requestid')).toMatch(UUID);
    }
  });

  it('a body over the limit is 413 RequestEntityTooLargeException; the SDK surfaces it by that name', async () => {
    const r = await raw(server.url, {
      target: 'TrentService.ListKeys',
      body: JSON.stringify({ Marker: 'x'.repeat(5000) }),
    });
    expect(r.status).toBe(413);
    expect(r.json.__type).toBe('RequestEntityTooLargeException');
    expect(r.json.message).toContain('4096 bytes');
    // Just under the limit is served.
    const fits = await raw(server.url, {
      target: 'TrentService.CreateKey',
      body: JSON.stringify({ Description: 'x'.repeat(4000) }),
    });
    expect(fits.status).toBe(200);
    expect((fits.json.KeyMetadata as { Description: string }).Description).toHaveLength(4000);

    const client = kmsClient(server.url);
    const k = (await client.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
    const e = await sdkRejection(
      client.send(new sdk.EncryptCommand({ KeyId: k.KeyId, Plaintext: new Uint8Array(4000) })),
      sdk.KMSServiceException,
      'RequestEntityTooLargeException',
      413,
    );
    expect(e.message).toBe("The request body exceeds this server's limit of 4096 bytes.");
    client.destroy();
  });

  it('GET /health is 200 JSON; other methods and paths are 405 and 404', async () => {
    const health = await raw(server.url, { method: 'GET', path: '/health' });
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: 'ok', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    const postHealth = await raw(server.url, { method: 'POST', path: '/health', body: '{}' });
    expect(postHealth.status).toBe(405);
    expect(postHealth.headers.get('allow')).toBe('GET, HEAD');
    const getRoot = await raw(server.url, { method: 'GET', path: '/' });
    expect(getRoot.status).toBe(405);
    expect(getRoot.headers.get('allow')).toBe('POST');
    const other = await raw(server.url, {
      method: 'POST',
      path: '/v1/keys',
      target: 'TrentService.ListKeys',
      body: '{}',
    });
    expect(other.status).toBe(404);
  });

  it('takes the Region from the SigV4 credential scope, else the region option', async () => {
    const scoped = (region: string) => ({
      Authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/${region}/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
    });
    const west = await raw(server.url, { target: 'TrentService.CreateKey', body: '{}', headers: scoped('eu-west-1') });
    expect((west.json.KeyMetadata as { Arn: string }).Arn).toMatch(/^arn:aws:kms:eu-west-1:111122223333:key\//);
    const none = await raw(server.url, { target: 'TrentService.CreateKey', body: '{}' });
    expect((none.json.KeyMetadata as { Arn: string }).Arn).toMatch(/^arn:aws:kms:ap-northeast-1:111122223333:key\//);
    // A header that is not SigV4 says nothing about the Region.
    const basic = await raw(server.url, {
      target: 'TrentService.CreateKey',
      body: '{}',
      headers: { Authorization: 'Basic dXNlcjpwYXNz' },
    });
    expect((basic.json.KeyMetadata as { Arn: string }).Arn).toContain(':ap-northeast-1:');
    // Keys live per Region: the eu-west-1 key is not found from the default Region.
    const id = (west.json.KeyMetadata as { KeyId: string }).KeyId;
    expect(
      (
        await raw(server.url, {
          target: 'TrentService.DescribeKey',
          body: JSON.stringify({ KeyId: id }),
          headers: scoped('eu-west-1'),
        })
      ).status,
    ).toBe(200);
    expect(
      (await raw(server.url, { target: 'TrentService.DescribeKey', body: JSON.stringify({ KeyId: id }) })).json.__type,
    ).toBe('NotFoundException');
    // A scope that names no Region is refused rather than used.
    const junk = await raw(server.url, { target: 'TrentService.CreateKey', body: '{}', headers: scoped('EU_WEST..1') });
    expect(junk.status).toBe(400);
    expect(junk.json).toEqual({
      __type: 'InvalidSignatureException',
      message: "Credential should be scoped to a valid region, not 'EU_WEST..1'. ",
    });
  });

  it("the SDK's Region reaches the server through the scope", async () => {
    const client = kmsClient(server.url, 'sa-east-1');
    const k = (await client.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
    expect(k.Arn).toMatch(/^arn:aws:kms:sa-east-1:111122223333:key\//);
    client.destroy();
  });
});

// ---------------------------------------------------------------------------------------------

describe('server faults', () => {
  it('an unexpected error is 500 KMSInternalException with a fixed message; its text stays inside', async () => {
    const store = new MemoryKeyStore();
    const broken: KeyStore = Object.assign(Object.create(store) as KeyStore, {
      getKey: () => Promise.reject(new TypeError('internal detail: /var/lib/kms/secret-path')),
    });
    const log: string[] = [];
    const server = await startServer({ port: 0, store: broken, log: (l) => log.push(l) });
    const client = kmsClient(server.url);
    const e = await sdkRejection(
      client.send(new sdk.DescribeKeyCommand({ KeyId: '0b5c9e4a-1d2f-4c3b-8a7e-6f5d4c3b2a19' })),
      sdk.KMSInternalException,
      'KMSInternalException',
      500,
      'server',
    );
    expect(e.message).toBe(INTERNAL_MESSAGE);
    const r = await raw(server.url, {
      target: 'TrentService.DescribeKey',
      body: '{"KeyId":"0b5c9e4a-1d2f-4c3b-8a7e-6f5d4c3b2a19"}',
    });
    expect(r.status).toBe(500);
    expect(r.text).not.toContain('internal detail');
    expect(log.join('\n')).not.toContain('internal detail');
    expect(log.at(-1)).toMatch(/ 500 .* KMSInternalException \(TypeError\)$/);
    client.destroy();
    await server.close();
  });

  it('a failing log sink does not break requests, whether it throws or rejects', async () => {
    const server = await startServer({
      port: 0,
      log: () => {
        throw new Error('sink down');
      },
    });
    expect((await raw(server.url, { target: 'TrentService.ListKeys', body: '{}' })).status).toBe(200);
    await server.close();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const rejecting = await startServer({
        port: 0,
        log: async () => {
          throw new Error('async sink down');
        },
      });
      expect((await raw(rejecting.url, { method: 'GET', path: '/health' })).status).toBe(200);
      expect((await raw(rejecting.url, { target: 'TrentService.ListKeys', body: '{}' })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 50));
      await rejecting.close();
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});

describe('plaintext keys', () => {
  it('are wiped from memory once the response is encoded; the client still gets the key', async () => {
    const made: KeyPair[] = [];
    const server = await startServer({
      port: 0,
      generateKeyPair: (spec: KeyPairSpec) => {
        const pair = generateKeyPair(spec);
        made.push(pair);
        return pair;
      },
    });
    const client = kmsClient(server.url);
    const { KeyMetadata } = await client.send(new sdk.CreateKeyCommand({}));
    const out = await client.send(
      new sdk.GenerateDataKeyPairCommand({ KeyId: KeyMetadata!.KeyId, KeyPairSpec: 'ECC_NIST_P256' }),
    );
    expect(made).toHaveLength(1);
    expectPairMatches('ECC_NIST_P256', out.PrivateKeyPlaintext!, out.PublicKey!);
    expect(made[0].privateKey.length).toBe(out.PrivateKeyPlaintext!.length);
    expect(made[0].privateKey.every((b) => b === 0)).toBe(true);
    expect(Buffer.from(made[0].publicKey)).toEqual(Buffer.from(out.PublicKey!));
    client.destroy();
    await server.close();
  });
});

describe('options', () => {
  it('are checked before anything listens', async () => {
    const bad: [ServerOptions, RegExp][] = [
      [{ port: 70000 }, /port/],
      [{ port: 1.5 }, /port/],
      [{ region: 'US East' }, /region/],
      [{ accountId: '1234' }, /accountId/],
      [{ bodyLimit: 0 }, /bodyLimit/],
      [{ auth: 'sigv4' }, /credentials/],
      [{ auth: 'basic' as 'none' }, /auth/],
      [{ credentials: [{ accessKeyId: 'A', secretAccessKey: '' }] }, /secretAccessKey/],
      [
        {
          credentials: [
            { accessKeyId: 'A', secretAccessKey: 's' },
            { accessKeyId: 'A', secretAccessKey: 't' },
          ],
        },
        /twice/,
      ],
    ];
    for (const [options, message] of bad)
      await expect(startServer({ ...options, port: options.port ?? 0 })).rejects.toThrow(message);
  });

  it('a port in use rejects with the listen error', async () => {
    const first = await startServer({ port: 0 });
    await expect(startServer({ port: first.port })).rejects.toThrow(/EADDRINUSE/);
    await first.close();
  });
});

// ---------------------------------------------------------------------------------------------

describe('graceful close', () => {
  it('stops accepting, lets the request in flight finish, then resolves', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const inFlight = new Promise<void>((r) => (started = r));
    const server = await startServer({
      port: 0,
      generateKeyPair: async (spec: KeyPairSpec): Promise<KeyPair> => {
        started();
        await gate;
        return generateKeyPair(spec);
      },
    });
    const client = kmsClient(server.url);
    const k = (await client.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
    const pending = client.send(new sdk.GenerateDataKeyPairCommand({ KeyId: k.KeyId, KeyPairSpec: 'ECC_NIST_P384' }));
    await inFlight;

    let closed = false;
    const closing = server.close().then(() => (closed = true));
    // Not accepting new connections any more.
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(server.port, '127.0.0.1');
      socket.on('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(false);

    release();
    const pair = await pending;
    expectPairMatches('ECC_NIST_P384', pair.PrivateKeyPlaintext!, pair.PublicKey!);
    await closing;
    expect(closed).toBe(true);
    // close() again is the same settled promise.
    await server.close();
    client.destroy();
  });

  it('a client that stalls mid-request does not hold close() past its grace period', async () => {
    const server = await startServer({ port: 0, closeGraceMs: 300 });
    const socket = connect(server.port, '127.0.0.1');
    await new Promise<void>((r) => socket.on('connect', () => r()));
    let socketClosed = false;
    socket.on('close', () => (socketClosed = true));
    socket.on('error', () => {});
    // Headers and part of a body, then nothing.
    socket.write(
      'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: TrentService.ListKeys\r\nContent-Length: 100\r\n\r\n{"Li',
    );
    await new Promise((r) => setTimeout(r, 100));
    const started = performance.now();
    await server.close();
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(250);
    await new Promise((r) => setTimeout(r, 50));
    expect(socketClosed).toBe(true);
  });
});
