// Key records do not outlive an operation: every byte array of every key record the engine
// loads from its store (each key material version of a rotated key, the key pair of an
// asymmetric key, the MAC key of an HMAC key) is zero once the operation has returned or
// thrown, in every operation of the engine, on its success and error paths, whichever way it
// is dispatched (KMSClient.send with and without middleware, as the server and the CLI run
// them through the pipeline, and the registry's handlers as OPERATION_HANDLERS gives them), over
// the memory store and a sealed file store. And the store's own
// copies survive: keys created at the start still decrypt and rotate at the end.
//
// The store under the engine is wrapped: every Uint8Array of every key record it hands out
// (key material, key pair, MAC key, and the bytes of the record's other fields: a grant's token
// key, the wrapping key pair of a pending import), and of every record an operation writes back
// (a new key, a replica), is remembered, and after each operation all of them must be zero.

import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as kms from '../../src/kms/index.js';
import { KMSClient, KMSCommand, MemoryKeyStore } from '../../src/kms/index.js';
import { OPERATION_HANDLERS } from '../../src/kms/operations/index.js';
import { getCore } from '../../src/core/module.js';
import { FileKeyStore } from '../../src/node/file-store/index.js';
import {
  LoadedKeyRecords,
  wipeRecord,
  type AliasRecord,
  type CustomKeyStoreRecord,
  type KeyRecord,
  type KeyStore,
} from '../../src/kms/store.js';
import type { OperationName } from '../../src/kms/schema.js';
import { createOperationContext } from '../../src/kms/context.js';
import { CLOUDHSM } from '../helpers/kms.js';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/wipe-grantee`;
const RETIRER = `arn:aws:iam::${ACCOUNT}:role/wipe-retirer`;

/** Every byte array of a key record, secret or not, however deep in the record it is, with its path there. */
function bytesOf(value: unknown, path = '', out: { buffer: Uint8Array; path: string }[] = []) {
  if (value instanceof Uint8Array) out.push({ buffer: value, path });
  else if (Array.isArray(value)) value.forEach((v, i) => bytesOf(v, `${path}[${i}]`, out));
  else if (typeof value === 'object' && value !== null && !(value instanceof Date))
    for (const [k, v] of Object.entries(value)) bytesOf(v, path === '' ? k : `${path}.${k}`, out);
  return out;
}
const buffersOf = (r: KeyRecord): Uint8Array[] => bytesOf(r).map((b) => b.buffer);

/** `material` wrapped for ImportKeyMaterial under RSAES_OAEP_SHA_256 with node:crypto. */
function wrapForImport(publicKey: Uint8Array, material: Uint8Array): Uint8Array {
  const key = createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' });
  return new Uint8Array(
    publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material),
  );
}

interface Tracked {
  buffer: Uint8Array;
  /** Where it was in the record when it was handed out or written (`keyMaterials[0].material`). */
  path: string;
  keyId: string;
}

/** A store that remembers every buffer of every key record it hands out, and of every one written to it. */
class TrackingStore implements KeyStore {
  readonly handedOut: Tracked[] = [];
  /** The secret bytes of the records written: the store copies them, so the writer's copy must be wiped too. */
  readonly written: Tracked[] = [];
  readonly transaction?: <T>(fn: () => Promise<T>) => Promise<T>;

  constructor(readonly inner: KeyStore) {
    if (inner.transaction !== undefined) this.transaction = (fn) => inner.transaction!(fn);
  }

  #track(r: KeyRecord): void {
    for (const b of bytesOf(r)) this.handedOut.push({ ...b, keyId: r.keyId });
  }

  async getKey(account: string, region: string, keyId: string): Promise<KeyRecord | undefined> {
    const r = await this.inner.getKey(account, region, keyId);
    if (r !== undefined) this.#track(r);
    return r;
  }
  async listKeys(account: string, region: string): Promise<KeyRecord[]> {
    const rs = await this.inner.listKeys(account, region);
    for (const r of rs) this.#track(r);
    return rs;
  }
  putKey(record: KeyRecord): Promise<void> {
    // Public keys are not secret: an operation may leave those of a record it made (CreateKey does).
    const open = [record.keyPair?.publicKey, record.importParameters?.publicKey];
    for (const b of bytesOf(record)) if (!open.includes(b.buffer)) this.written.push({ ...b, keyId: record.keyId });
    return this.inner.putKey(record);
  }
  getAlias(account: string, region: string, aliasName: string): Promise<AliasRecord | undefined> {
    return this.inner.getAlias(account, region, aliasName);
  }
  putAlias(record: AliasRecord): Promise<void> {
    return this.inner.putAlias(record);
  }
  deleteAlias(account: string, region: string, aliasName: string): Promise<boolean> {
    return this.inner.deleteAlias(account, region, aliasName);
  }
  listAliases(account: string, region: string): Promise<AliasRecord[]> {
    return this.inner.listAliases(account, region);
  }
  getCustomKeyStore(account: string, region: string, id: string): Promise<CustomKeyStoreRecord | undefined> {
    return this.inner.getCustomKeyStore!(account, region, id);
  }
  putCustomKeyStore(record: CustomKeyStoreRecord): Promise<void> {
    return this.inner.putCustomKeyStore!(record);
  }
  listCustomKeyStores(account: string, region: string): Promise<CustomKeyStoreRecord[]> {
    return this.inner.listCustomKeyStores!(account, region);
  }
  deleteCustomKeyStore(account: string, region: string, id: string): Promise<boolean> {
    return this.inner.deleteCustomKeyStore!(account, region, id);
  }
}

type Send = (name: OperationName, input: object) => Promise<Record<string, unknown>>;

/** The engine's command class of an operation, from the package's exports. */
function commandClass(name: OperationName): new (input: object) => KMSCommand<object, object> {
  const cls = (kms as unknown as Record<string, unknown>)[`${name}Command`];
  if (typeof cls !== 'function') throw new Error(`no ${name}Command exported`);
  return cls as new (input: object) => KMSCommand<object, object>;
}

const DISPATCHES: Record<string, (store: KeyStore) => Send> = {
  'KMSClient.send': (store) => {
    const client = new KMSClient({ store, accountId: ACCOUNT, region: REGION });
    return async (name, input) => (await client.send(new (commandClass(name))(input))) as Record<string, unknown>;
  },
  'KMSClient.send with a middleware': (store) => {
    const client = new KMSClient({ store, accountId: ACCOUNT, region: REGION });
    client.middlewareStack.add((next) => async (args) => next(args), { step: 'initialize' });
    return async (name, input) => (await client.send(new (commandClass(name))(input))) as Record<string, unknown>;
  },
  OPERATION_HANDLERS: (store) => {
    const ctx = createOperationContext({ store, account: ACCOUNT, region: REGION, core: getCore });
    return async (name, input) => (await OPERATION_HANDLERS[name](ctx, input)) as Record<string, unknown>;
  },
};

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const STORES: Record<string, () => Promise<KeyStore>> = {
  MemoryKeyStore: async () => new MemoryKeyStore(),
  'sealed FileKeyStore': async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wasm-kms-wipe-'));
    dirs.push(dir);
    return FileKeyStore.open(join(dir, 'store'), { masterKey: new Uint8Array(randomBytes(32)) });
  },
};

const nonZero = (b: Uint8Array): boolean => b.some((x) => x !== 0);

/** Operations whose every case in the run below loads a key record with bytes before it ends. */
const LOADING = new Set([
  'UpdateKeyDescription',
  'TagResource',
  'UntagResource',
  'ListResourceTags',
  'GetKeyPolicy',
  'PutKeyPolicy',
  'ListKeyPolicies',
  'CreateGrant',
  'ListGrants',
  'ListRetirableGrants',
  'RetireGrant',
  'RevokeGrant',
  'ListKeyRotations',
  'GetKeyLastUsage',
  'GetParametersForImport',
  'ImportKeyMaterial',
  'DeleteImportedKeyMaterial',
  'ReplicateKey',
  'UpdatePrimaryRegion',
]);

describe.each(Object.keys(STORES))('every key record an operation loads is wiped (%s)', (storeName) => {
  it.each(Object.keys(DISPATCHES))('through %s', async (dispatchName) => {
    const store = new TrackingStore(await STORES[storeName]());
    const send = DISPATCHES[dispatchName](store);
    const exercised = new Set<string>();
    /** Buffers handed out, per operation (and expected exception). */
    const loadedBy = new Map<string, number>();
    const failures: string[] = [];

    /** Runs one operation; `expected` is the exception name it must end in, if any. */
    async function op(name: OperationName, input: object, expected?: string): Promise<Record<string, unknown>> {
      const before = store.handedOut.length;
      let out: Record<string, unknown> = {};
      let error: unknown;
      try {
        out = await send(name, input);
      } catch (err) {
        error = err;
      }
      const label = `${name}${expected ? ` (${expected})` : ''}`;
      exercised.add(name);
      if (expected === undefined) expect(error, label).toBeUndefined();
      else expect((error as Error | undefined)?.name, label).toBe(expected);
      // Checked after every operation: the buffers of this one and of all before it.
      const left = [...store.handedOut, ...store.written].filter((h) => nonZero(h.buffer));
      for (const h of left) failures.push(`${label}: ${h.path} of ${h.keyId} not wiped`);
      for (const h of left) h.buffer.fill(0); // report each leak once
      loadedBy.set(label, (loadedBy.get(label) ?? 0) + store.handedOut.length - before);
      return out;
    }
    const id = (out: Record<string, unknown>) => (out.KeyMetadata as { KeyId: string }).KeyId;

    // Keys of every kind.
    const sym = id(await op('CreateKey', {}));
    const rotated = id(await op('CreateKey', { Description: 'rotated' }));
    const oldBlob = (await op('Encrypt', { KeyId: rotated, Plaintext: new Uint8Array([1, 2, 3]) }))
      .CiphertextBlob as Uint8Array;
    await op('RotateKeyOnDemand', { KeyId: rotated });
    await op('RotateKeyOnDemand', { KeyId: rotated });
    const ecc = id(await op('CreateKey', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    const hmac = id(await op('CreateKey', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }));
    const disabled = id(await op('CreateKey', {}));
    const disabledBlob = (await op('Encrypt', { KeyId: disabled, Plaintext: new Uint8Array([4]) }))
      .CiphertextBlob as Uint8Array;
    await op('DisableKey', { KeyId: disabled });
    const cks = (await op('CreateCustomKeyStore', { ...CLOUDHSM })).CustomKeyStoreId as string;
    await op('ConnectCustomKeyStore', { CustomKeyStoreId: cks });
    const inCks = id(await op('CreateKey', { CustomKeyStoreId: cks }));
    const doomed = id(await op('CreateKey', {}));
    await op('ScheduleKeyDeletion', { KeyId: doomed, PendingWindowInDays: 7 });
    const pendingImport = id(await op('CreateKey', { Origin: 'EXTERNAL' }));

    // Metadata and listing.
    for (const k of [sym, rotated, ecc, hmac, disabled, inCks, doomed, pendingImport])
      await op('DescribeKey', { KeyId: k });
    await op('DescribeKey', { KeyId: '00000000-0000-4000-8000-000000000000' }, 'NotFoundException');
    await op('ListKeys', {});
    await op('ListKeys', { Limit: 1 });

    // Aliases.
    await op('CreateAlias', { AliasName: 'alias/a', TargetKeyId: rotated });
    await op('CreateAlias', { AliasName: 'alias/b', TargetKeyId: hmac });
    await op('CreateAlias', { AliasName: 'alias/c', TargetKeyId: doomed }, 'KMSInvalidStateException');
    await op('UpdateAlias', { AliasName: 'alias/a', TargetKeyId: sym });
    await op('UpdateAlias', { AliasName: 'alias/a', TargetKeyId: ecc }, 'ValidationException');
    await op('ListAliases', {});
    await op('ListAliases', { KeyId: sym });
    await op('DeleteAlias', { AliasName: 'alias/b' });

    // Key state.
    await op('DisableKey', { KeyId: rotated });
    await op('Encrypt', { KeyId: rotated, Plaintext: new Uint8Array([5]) }, 'DisabledException');
    await op('GenerateDataKeyPair', { KeyId: rotated, KeyPairSpec: 'ECC_NIST_P256' }, 'DisabledException');
    await op('EnableKey', { KeyId: rotated });
    await op('EnableKey', { KeyId: pendingImport }, 'KMSInvalidStateException');
    await op('DisableKey', { KeyId: doomed }, 'KMSInvalidStateException');
    await op('CancelKeyDeletion', { KeyId: sym }, 'KMSInvalidStateException');
    await op('CancelKeyDeletion', { KeyId: doomed });
    await op('ScheduleKeyDeletion', { KeyId: doomed });
    await op('ScheduleKeyDeletion', { KeyId: doomed }, 'KMSInvalidStateException');

    // Rotation.
    await op('EnableKeyRotation', { KeyId: rotated, RotationPeriodInDays: 90 });
    await op('GetKeyRotationStatus', { KeyId: rotated });
    await op('DisableKeyRotation', { KeyId: rotated });
    await op('EnableKeyRotation', { KeyId: ecc }, 'UnsupportedOperationException');
    await op('EnableKeyRotation', { KeyId: disabled }, 'DisabledException');
    await op('DisableKeyRotation', { KeyId: hmac }, 'UnsupportedOperationException');
    await op('GetKeyRotationStatus', { KeyId: hmac }, 'UnsupportedOperationException');
    await op('RotateKeyOnDemand', { KeyId: rotated });
    await op('RotateKeyOnDemand', { KeyId: hmac }, 'UnsupportedOperationException');
    await op('RotateKeyOnDemand', { KeyId: disabled }, 'DisabledException');

    // Public keys.
    await op('GetPublicKey', { KeyId: ecc });
    await op('GetPublicKey', { KeyId: sym }, 'UnsupportedOperationException');
    await op('GetPublicKey', { KeyId: hmac }, 'UnsupportedOperationException');

    // Data key pairs.
    await op('GenerateDataKeyPair', { KeyId: rotated, KeyPairSpec: 'ECC_NIST_P256' });
    await op('GenerateDataKeyPairWithoutPlaintext', { KeyId: 'alias/a', KeyPairSpec: 'ECC_NIST_P256' });
    await op('GenerateDataKeyPair', { KeyId: ecc, KeyPairSpec: 'ECC_NIST_P256' }, 'InvalidKeyUsageException');
    await op('GenerateDataKeyPair', { KeyId: hmac, KeyPairSpec: 'ECC_NIST_P256' }, 'InvalidKeyUsageException');
    await op('GenerateDataKeyPair', { KeyId: inCks, KeyPairSpec: 'ECC_NIST_P256' }, 'UnsupportedOperationException');
    await op(
      'GenerateDataKeyPairWithoutPlaintext',
      { KeyId: disabled, KeyPairSpec: 'ECC_NIST_P256' },
      'DisabledException',
    );
    await op(
      'GenerateDataKeyPair',
      { KeyId: rotated, KeyPairSpec: 'ECC_NIST_P256', DryRun: true },
      'DryRunOperationException',
    );

    // Encryption.
    await op('Encrypt', { KeyId: rotated, Plaintext: new Uint8Array([6]) });
    await op('Encrypt', { KeyId: hmac, Plaintext: new Uint8Array([6]) }, 'InvalidKeyUsageException');
    await op('Encrypt', { KeyId: doomed, Plaintext: new Uint8Array([6]) }, 'KMSInvalidStateException');
    const decrypted = await op('Decrypt', { CiphertextBlob: oldBlob });
    expect([...(decrypted.Plaintext as Uint8Array)]).toEqual([1, 2, 3]);
    await op('Decrypt', { CiphertextBlob: oldBlob, KeyId: sym }, 'IncorrectKeyException');
    await op('Decrypt', { CiphertextBlob: disabledBlob }, 'DisabledException');
    const tampered = oldBlob.slice();
    tampered[tampered.length - 1] ^= 1;
    await op('Decrypt', { CiphertextBlob: tampered }, 'InvalidCiphertextException');
    await op('Decrypt', { CiphertextBlob: oldBlob, EncryptionContext: { a: 'b' } }, 'InvalidCiphertextException');
    await op('ReEncrypt', { CiphertextBlob: oldBlob, DestinationKeyId: sym });
    await op('ReEncrypt', { CiphertextBlob: oldBlob, DestinationKeyId: disabled }, 'DisabledException');
    await op('ReEncrypt', { CiphertextBlob: oldBlob, DestinationKeyId: ecc }, 'InvalidKeyUsageException');
    await op('GenerateDataKey', { KeyId: rotated, KeySpec: 'AES_256' });
    await op('GenerateDataKeyWithoutPlaintext', { KeyId: inCks, NumberOfBytes: 16 });
    await op('GenerateDataKey', { KeyId: disabled, KeySpec: 'AES_128' }, 'DisabledException');
    await op('GenerateDataKeyWithoutPlaintext', { KeyId: ecc, KeySpec: 'AES_128' }, 'InvalidKeyUsageException');

    // Signing, asymmetric encryption, key agreement.
    const message = new Uint8Array([7, 7, 7]);
    const signed = await op('Sign', { KeyId: ecc, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' });
    await op('Verify', {
      KeyId: ecc,
      Message: message,
      Signature: signed.Signature,
      SigningAlgorithm: 'ECDSA_SHA_256',
    });
    await op(
      'Verify',
      { KeyId: ecc, Message: new Uint8Array([8]), Signature: signed.Signature, SigningAlgorithm: 'ECDSA_SHA_256' },
      'KMSInvalidSignatureException',
    );
    await op('Sign', { KeyId: ecc, Message: message, SigningAlgorithm: 'ECDSA_SHA_384' }, 'InvalidKeyUsageException');
    await op(
      'Sign',
      { KeyId: ecc, Message: message, SigningAlgorithm: 'ECDSA_SHA_256', DryRun: true },
      'DryRunOperationException',
    );
    const agree = id(await op('CreateKey', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' }));
    const peer = (await op('GetPublicKey', { KeyId: agree })).PublicKey as Uint8Array;
    await op('DeriveSharedSecret', { KeyId: agree, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer });
    await op(
      'DeriveSharedSecret',
      { KeyId: agree, KeyAgreementAlgorithm: 'ECDH', PublicKey: new Uint8Array(9) },
      'ValidationException',
    );
    await op(
      'DeriveSharedSecret',
      { KeyId: ecc, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer },
      'InvalidKeyUsageException',
    );
    const rsa = id(await op('CreateKey', { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }));
    const rsaBlob = (await op('Encrypt', { KeyId: rsa, Plaintext: message, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }))
      .CiphertextBlob as Uint8Array;
    await op('Decrypt', { CiphertextBlob: rsaBlob, KeyId: rsa, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    await op(
      'Decrypt',
      { CiphertextBlob: rsaBlob, KeyId: rsa, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' },
      'InvalidCiphertextException',
    );
    await op('ReEncrypt', {
      CiphertextBlob: rsaBlob,
      SourceKeyId: rsa,
      SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      DestinationKeyId: sym,
    });
    await op('ReEncrypt', {
      CiphertextBlob: oldBlob,
      DestinationKeyId: rsa,
      DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
    });

    // MACs and key encapsulation.
    const mac = (await op('GenerateMac', { KeyId: hmac, Message: message, MacAlgorithm: 'HMAC_SHA_256' }))
      .Mac as Uint8Array;
    await op('VerifyMac', { KeyId: hmac, Message: message, MacAlgorithm: 'HMAC_SHA_256', Mac: mac });
    await op(
      'VerifyMac',
      { KeyId: hmac, Message: new Uint8Array([8]), MacAlgorithm: 'HMAC_SHA_256', Mac: mac },
      'KMSInvalidMacException',
    );
    await op(
      'GenerateMac',
      { KeyId: hmac, Message: message, MacAlgorithm: 'HMAC_SHA_384' },
      'InvalidKeyUsageException',
    );
    await op(
      'GenerateMac',
      { KeyId: hmac, Message: message, MacAlgorithm: 'HMAC_SHA_256', DryRun: true },
      'DryRunOperationException',
    );
    const kem = id(await op('CreateKey', { KeySpec: 'ML_KEM_512', KeyUsage: 'ENCAPSULATE_DECAPSULATE' }));
    const encapsulated = await op('Encapsulate', { KeyId: kem, EncapsulationAlgorithm: 'ML_KEM' });
    await op('Decapsulate', {
      KeyId: kem,
      EncapsulationAlgorithm: 'ML_KEM',
      SharedSecretCiphertextBlob: encapsulated.SharedSecretCiphertextBlob,
    });
    await op(
      'Decapsulate',
      { KeyId: kem, EncapsulationAlgorithm: 'ML_KEM', SharedSecretCiphertextBlob: new Uint8Array(9) },
      'InvalidCiphertextException',
    );
    await op('Encapsulate', { KeyId: hmac, EncapsulationAlgorithm: 'ML_KEM' }, 'InvalidKeyUsageException');

    // Descriptions, tags and key policies.
    await op('UpdateKeyDescription', { KeyId: rotated, Description: 'rotated, described' });
    await op('UpdateKeyDescription', { KeyId: doomed, Description: 'x' }, 'KMSInvalidStateException');
    await op('TagResource', {
      KeyId: rotated,
      Tags: [
        { TagKey: 'team', TagValue: 'a' },
        { TagKey: 'env', TagValue: 'test' },
      ],
    });
    await op('TagResource', { KeyId: hmac, Tags: [{ TagKey: 'aws:x', TagValue: 'y' }] }, 'TagException');
    await op('TagResource', { KeyId: doomed, Tags: [{ TagKey: 'team', TagValue: 'b' }] }, 'KMSInvalidStateException');
    await op('ListResourceTags', { KeyId: rotated, Limit: 1 });
    await op('ListResourceTags', { KeyId: rotated, Marker: 'zz' }, 'InvalidMarkerException');
    await op('UntagResource', { KeyId: rotated, TagKeys: ['env'] });
    await op('UntagResource', { KeyId: doomed, TagKeys: ['team'] }, 'KMSInvalidStateException');
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }],
    });
    await op('PutKeyPolicy', { KeyId: hmac, Policy: policy });
    await op('PutKeyPolicy', { KeyId: hmac, Policy: policy, PolicyName: 'other' }, 'NotFoundException');
    await op('PutKeyPolicy', { KeyId: hmac, Policy: '{"Statement": 1}' }, 'MalformedPolicyDocumentException');
    await op('GetKeyPolicy', { KeyId: hmac });
    await op('GetKeyPolicy', { KeyId: hmac, PolicyName: 'other' }, 'NotFoundException');
    await op('ListKeyPolicies', { KeyId: hmac });
    await op('ListKeyPolicies', { KeyId: hmac, Marker: 'zz' }, 'InvalidMarkerException');

    // Grants: their token keys are bytes of the record too.
    const grant = await op('CreateGrant', {
      KeyId: rotated,
      GranteePrincipal: ROLE,
      RetiringPrincipal: RETIRER,
      Operations: ['Encrypt', 'Decrypt'],
    });
    const kept = await op('CreateGrant', { KeyId: rotated, GranteePrincipal: ROLE, Operations: ['Decrypt'] });
    const byId = await op('CreateGrant', { KeyId: rotated, GranteePrincipal: ROLE, Operations: ['ReEncryptFrom'] });
    const macGrant = await op('CreateGrant', { KeyId: hmac, GranteePrincipal: ROLE, Operations: ['GenerateMac'] });
    await op('CreateGrant', { KeyId: sym, GranteePrincipal: ROLE, Operations: ['Sign'] }, 'ValidationException');
    await op('CreateGrant', { KeyId: disabled, GranteePrincipal: ROLE, Operations: ['Encrypt'] }, 'DisabledException');
    await op(
      'CreateGrant',
      { KeyId: rotated, GranteePrincipal: ROLE, Operations: ['Encrypt'], DryRun: true },
      'DryRunOperationException',
    );
    await op('Encrypt', { KeyId: rotated, Plaintext: message, GrantTokens: [grant.GrantToken] });
    await op('ListGrants', { KeyId: rotated });
    await op('ListGrants', { KeyId: rotated, Marker: 'zz' }, 'InvalidMarkerException');
    await op('ListRetirableGrants', { RetiringPrincipal: RETIRER });
    await op('ListRetirableGrants', { RetiringPrincipal: RETIRER, Marker: 'zz' }, 'InvalidMarkerException');
    await op('RetireGrant', { GrantToken: grant.GrantToken });
    await op('RetireGrant', { GrantToken: grant.GrantToken }, 'NotFoundException');
    await op('RetireGrant', { KeyId: rotated, GrantId: byId.GrantId });
    await op('Decrypt', { CiphertextBlob: oldBlob, GrantTokens: [kept.GrantToken] });
    await op('RevokeGrant', { KeyId: hmac, GrantId: macGrant.GrantId });
    await op('RevokeGrant', { KeyId: hmac, GrantId: macGrant.GrantId }, 'NotFoundException');

    // Rotations and last use.
    await op('ListKeyRotations', { KeyId: rotated, IncludeKeyMaterial: 'ALL_KEY_MATERIAL', Limit: 2 });
    await op('ListKeyRotations', { KeyId: rotated, Marker: 'zz' }, 'InvalidMarkerException');
    await op('ListKeyRotations', { KeyId: hmac }, 'UnsupportedOperationException');
    await op('GetKeyLastUsage', { KeyId: rotated });
    await op('GetKeyLastUsage', { KeyId: doomed });

    // Imported key material: the wrapping key pair is on the record while the import is pending.
    const wrapping = { WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' };
    const material = new Uint8Array(randomBytes(32));
    let params = await op('GetParametersForImport', { KeyId: pendingImport, ...wrapping });
    await op('ImportKeyMaterial', {
      KeyId: pendingImport,
      ImportToken: params.ImportToken,
      EncryptedKeyMaterial: wrapForImport(params.PublicKey as Uint8Array, material),
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    });
    params = await op('GetParametersForImport', { KeyId: pendingImport, ...wrapping });
    await op(
      'ImportKeyMaterial',
      {
        KeyId: pendingImport,
        ImportToken: params.ImportToken,
        EncryptedKeyMaterial: wrapForImport(params.PublicKey as Uint8Array, new Uint8Array(randomBytes(32))),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      },
      'IncorrectKeyMaterialException',
    );
    await op(
      'ImportKeyMaterial',
      {
        KeyId: pendingImport,
        ImportToken: params.ImportToken,
        EncryptedKeyMaterial: new Uint8Array(256).fill(1),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      },
      'InvalidCiphertextException',
    );
    await op('GetParametersForImport', { KeyId: sym, ...wrapping }, 'UnsupportedOperationException');
    await op('Encrypt', { KeyId: pendingImport, Plaintext: message });
    await op('DeleteImportedKeyMaterial', { KeyId: pendingImport });
    await op('DeleteImportedKeyMaterial', { KeyId: sym }, 'UnsupportedOperationException');

    // Multi-Region keys: a replica gets copies of every kind of key material.
    const mrk = id(await op('CreateKey', { MultiRegion: true }));
    const mrkPair = id(await op('CreateKey', { MultiRegion: true, KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    const mrkMac = id(
      await op('CreateKey', { MultiRegion: true, KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }),
    );
    await op('ReplicateKey', { KeyId: mrk, ReplicaRegion: 'us-west-2' });
    await op('ReplicateKey', { KeyId: mrkPair, ReplicaRegion: 'us-west-2' });
    await op('ReplicateKey', { KeyId: mrkMac, ReplicaRegion: 'eu-west-1' });
    await op('ReplicateKey', { KeyId: mrk, ReplicaRegion: 'us-west-2' }, 'AlreadyExistsException');
    await op('ReplicateKey', { KeyId: sym, ReplicaRegion: 'us-west-2' }, 'UnsupportedOperationException');
    await op('UpdatePrimaryRegion', { KeyId: mrk, PrimaryRegion: 'eu-west-1' }, 'NotFoundException');
    await op('UpdatePrimaryRegion', { KeyId: mrk, PrimaryRegion: 'us-west-2' });
    await op('UpdatePrimaryRegion', { KeyId: mrk, PrimaryRegion: 'us-west-2' }, 'UnsupportedOperationException');
    await op('ReplicateKey', { KeyId: mrk, ReplicaRegion: 'eu-west-1' }, 'UnsupportedOperationException');

    // No key involved.
    await op('GenerateRandom', { NumberOfBytes: 16 });
    await op('GenerateRandom', { NumberOfBytes: 16, CustomKeyStoreId: cks });
    await op('DescribeCustomKeyStores', {});
    await op('CreateCustomKeyStore', { ...CLOUDHSM }, 'CustomKeyStoreNameInUseException');
    // The custom key store lifecycle; its keys read as Unavailable while it is disconnected.
    await op('UpdateCustomKeyStore', { CustomKeyStoreId: cks, NewCustomKeyStoreName: 'renamed' });
    await op('DisconnectCustomKeyStore', { CustomKeyStoreId: cks });
    await op('DescribeKey', { KeyId: inCks });
    await op('Encrypt', { KeyId: inCks, Plaintext: new Uint8Array([5]) }, 'KMSInvalidStateException');
    await op('DeleteCustomKeyStore', { CustomKeyStoreId: cks }, 'CustomKeyStoreHasCMKsException');
    await op('ConnectCustomKeyStore', { CustomKeyStoreId: cks });
    const empty = (await op('CreateCustomKeyStore', { ...CLOUDHSM, CloudHsmClusterId: 'cluster-2a23b4cdefg' }))
      .CustomKeyStoreId as string;
    await op('DeleteCustomKeyStore', { CustomKeyStoreId: empty });

    // The store's own copies were never touched: the oldest material still opens its blob.
    const again = await op('Decrypt', { CiphertextBlob: oldBlob });
    expect([...(again.Plaintext as Uint8Array)]).toEqual([1, 2, 3]);

    expect(failures).toEqual([]);
    // Every operation of the engine ran, and the check saw real buffers.
    expect([...exercised].sort()).toEqual(Object.keys(OPERATION_HANDLERS).sort());
    expect(loadedBy.get('ListKeys')).toBeGreaterThanOrEqual(8);
    expect(loadedBy.get('DescribeKey')).toBeGreaterThan(0);
    expect(store.handedOut.length).toBeGreaterThan(100);
    // Each case of the operations below, success or error, ended after a record with bytes was loaded.
    for (const [label, n] of loadedBy) if (LOADING.has(label.split(' ')[0])) expect(n, label).toBeGreaterThan(0);
    // The bytes beside the key material were seen too, and those of the records written.
    const paths = new Set(store.handedOut.map((h) => h.path.replace(/\[\d+\]/g, '[]')));
    // The secret of the grant tokens: the grant's own token key, or one per key (grantTokenKey).
    expect(paths.has('grants[].tokenKey') || paths.has('grantTokenKey'), [...paths].join(', ')).toBe(true);
    expect(paths).toContain('importParameters.privateKey');
    expect(paths).toContain('keyPair.privateKey');
    expect(paths).toContain('hmacKey');
    expect(store.written.some((h) => h.path === 'importParameters.privateKey')).toBe(true);
    expect(store.written.some((h) => h.path === 'hmacKey' && h.keyId === mrkMac)).toBe(true);
  });
});

describe('wipeRecord', () => {
  it('zeroes every key material version, the key pair, the HMAC key, grant token keys and the wrapping key pair', () => {
    const r = {
      keyMaterials: [1, 2, 3].map((i) => ({ id: String(i), material: new Uint8Array(32).fill(i) })),
      keyPair: { publicKey: new Uint8Array(8).fill(7), privateKey: new Uint8Array(8).fill(8) },
      hmacKey: new Uint8Array(32).fill(9),
      grants: [10, 11].map((i) => ({
        grantId: String(i),
        creationDate: new Date(),
        tokenKey: new Uint8Array(32).fill(i),
      })),
      importParameters: { publicKey: new Uint8Array(8).fill(12), privateKey: new Uint8Array(8).fill(13) },
    } as unknown as KeyRecord;
    expect(buffersOf(r)).toHaveLength(10);
    wipeRecord(r);
    for (const b of buffersOf(r)) expect(nonZero(b)).toBe(false);
  });

  it('the view an operation runs over has the optional store methods exactly where the store has them', async () => {
    const full = new LoadedKeyRecords(new MemoryKeyStore());
    for (const m of [
      'transaction',
      'getCustomKeyStore',
      'putCustomKeyStore',
      'listCustomKeyStores',
      'deleteCustomKeyStore',
    ] as const) {
      expect(typeof full[m], m).toBe('function');
    }
    expect(await full.transaction!(async () => 42)).toBe(42);
    const bare: KeyStore = {
      getKey: async () => undefined,
      putKey: async () => undefined,
      listKeys: async () => [],
      getAlias: async () => undefined,
      putAlias: async () => undefined,
      deleteAlias: async () => false,
      listAliases: async () => [],
    };
    const view = new LoadedKeyRecords(bare);
    for (const m of [
      'transaction',
      'getCustomKeyStore',
      'putCustomKeyStore',
      'listCustomKeyStores',
      'deleteCustomKeyStore',
    ] as const) {
      expect(view[m], m).toBeUndefined();
    }
  });

  it("the memory store hands out copies: wiping one leaves the store's key intact", async () => {
    const store = new MemoryKeyStore();
    const client = new KMSClient({ store, accountId: ACCOUNT, region: REGION });
    const { KeyMetadata } = await client.send(new kms.CreateKeyCommand({}));
    const first = (await store.getKey(ACCOUNT, REGION, KeyMetadata!.KeyId))!;
    wipeRecord(first);
    const second = (await store.getKey(ACCOUNT, REGION, KeyMetadata!.KeyId))!;
    expect(nonZero(second.keyMaterials[0].material)).toBe(true);
    const listed = await store.listKeys(ACCOUNT, REGION);
    listed.forEach(wipeRecord);
    expect(nonZero((await store.getKey(ACCOUNT, REGION, KeyMetadata!.KeyId))!.keyMaterials[0].material)).toBe(true);
  });
});
