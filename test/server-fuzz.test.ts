// The endpoint against malformed and hostile input, for every operation it serves: valid
// requests with one or two members changed or left out, requests built at random from each
// operation's schema (members out of range, of the wrong type, with lone surrogates, oversized
// encryption contexts), and random bodies (bytes that are not UTF-8, JSON of any shape, lone
// surrogate escapes). Whatever comes in, the answer is a
// complete HTTP response on a connection that stays usable, never a 5xx, and a JSON body with
// __type whenever the status is not 200.
//
// Then the input limits this relies on, over the wire and through the library (KMSClient):
// the encryption context's size cap and lone UTF-16 surrogates, on every operation that takes
// an encryption context.
//
// The fuzz runs are deterministic (seed below; FUZZ_SEED=n picks another); fast-check prints the
// seed and the path of a failing case, and each failure message names the operation and body.

import { describe, it, expect, beforeAll, beforeEach, afterAll } from 'vitest';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { startServer, type RunningServer } from '../src/node/http/server.js';
import { ENCRYPTION_CONTEXT_MAX_BYTES, type Members, type Shape } from '../src/kms/schema.js';
import { OPERATIONS, OPERATION_NAMES, type OperationName } from '../src/kms/registry.js';
import { generateKeyPair, type KeyPair, type KeyPairSpec } from '../src/core/index.js';
import * as kms from '../src/kms/index.js';
import { CLOUDHSM, rejection } from './helpers/kms.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const RUNS = Number(process.env.FUZZ_RUNS ?? 100);

// Key pairs are not what is fuzzed here: one per spec, made once, copied for every request.
const pairs = new Map<KeyPairSpec, KeyPair>();
function cachedPair(spec: KeyPairSpec): KeyPair {
  let pair = pairs.get(spec);
  if (pair === undefined) {
    pair = generateKeyPair(spec);
    pairs.set(spec, pair);
  }
  return { publicKey: pair.publicKey.slice(), privateKey: pair.privateKey.slice() };
}

interface Answer {
  status: number;
  body: string;
}

// One keep-alive connection at a time: a request the server drops shows as an error here.
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function post(url: string, target: string, body: Uint8Array | string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'Content-Type': 'application/x-amz-json-1.1',
          'X-Amz-Target': `TrentService.${target}`,
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (!res.complete) reject(new Error('response cut short'));
          else resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Every answer: below 500, a JSON object, and __type on anything but 200, with a string message
 * when there is one (InvalidCiphertextException comes without, as AWS sends it).
 */
function checkAnswer(answer: Answer, what: string): void {
  expect(answer.status, what).toBeGreaterThanOrEqual(200);
  expect(answer.status, what).toBeLessThan(500);
  let json: unknown;
  expect(() => (json = JSON.parse(answer.body)), what).not.toThrow();
  expect(typeof json === 'object' && json !== null && !Array.isArray(json), what).toBe(true);
  if (answer.status !== 200) {
    const e = json as Record<string, unknown>;
    expect(typeof e.__type, what).toBe('string');
    if (e.message !== undefined) expect(typeof e.message, what).toBe('string');
  }
}

const describeBody = (body: Uint8Array | string) =>
  typeof body === 'string'
    ? body.length > 300
      ? `${body.slice(0, 300)}... (${body.length} chars)`
      : body
    : `bytes ${Buffer.from(body).toString('hex').slice(0, 300)}`;

// ---------------------------------------------------------------------------------------------
// Generators

/** Strings of every kind: ASCII, any Unicode, and some with a lone surrogate. */
const anyString = (maxLength: number): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc
      .tuple(
        fc.string({ maxLength: 8 }),
        fc.constantFrom('\ud800', '\udfff', '\udbff\udbff', 'a\udc00'),
        fc.string({ maxLength: 8 }),
      )
      .map((p) => p.join('')),
  );

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** A value for a shape: mostly valid, sometimes just outside a bound or of another kind. */
function valueOf(shape: Shape, ids: fc.Arbitrary<string>, depth = 0): fc.Arbitrary<unknown> {
  switch (shape.type) {
    case 'string': {
      const min = shape.min ?? 0;
      const max = Math.min(shape.max ?? 64, 300);
      return fc.oneof(
        { weight: 3, arbitrary: ids },
        { weight: 3, arbitrary: fc.string({ minLength: min, maxLength: max }) },
        { weight: 1, arbitrary: anyString(max + 2) },
        { weight: 1, arbitrary: fc.constant('x'.repeat((shape.max ?? 64) + 1)) },
      );
    }
    case 'enum':
      return fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...shape.values) },
        { weight: 1, arbitrary: anyString(20) },
      );
    case 'blob':
      return fc.oneof(
        {
          weight: 4,
          arbitrary: fc
            .uint8Array({ minLength: shape.min ?? 0, maxLength: Math.min(shape.max ?? 64, 600) })
            .map(base64),
        },
        { weight: 1, arbitrary: fc.constantFrom('', 'not base64!', 'AQID=', 'AA==AA==') },
        { weight: 1, arbitrary: fc.constant(base64(new Uint8Array((shape.max ?? 64) + 1))) },
      );
    case 'integer':
      return fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min: shape.min ?? -10, max: shape.max ?? 10_000 }) },
        { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(1e300, -0, 2 ** 53 + 1)) },
      );
    case 'boolean':
      return fc.boolean();
    case 'timestamp':
      return fc.oneof(fc.integer({ min: 0, max: 2 ** 32 }), fc.double());
    case 'list':
      return depth > 3
        ? fc.constant([])
        : fc.array(valueOf(shape.member, ids, depth + 1), { maxLength: (shape.max ?? 4) + 1 });
    case 'map':
      return fc.oneof(
        { weight: 4, arbitrary: fc.dictionary(anyString(12), anyString(24), { maxKeys: 6 }) },
        // Around the encryption context's size cap, and far past it.
        {
          weight: 1,
          arbitrary: fc
            .constantFrom(ENCRYPTION_CONTEXT_MAX_BYTES - 2, ENCRYPTION_CONTEXT_MAX_BYTES - 1, 40_000)
            .map((n) => ({ k: 'v'.repeat(n) })),
        },
        {
          weight: 1,
          arbitrary: fc
            .integer({ min: 1000, max: 3000 })
            .map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`key${i}`, 'value']))),
        },
      );
    case 'structure':
      return depth > 3 ? fc.constant({}) : inputOf(shape.members, ids, depth + 1);
  }
}

/** Any JSON value, for members of the wrong type. */
const anyJson = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(null, [], {}, '', 0, true, [null], { a: {} }));

/** An input of a structure: each member present or not, a valid-ish value or anything at all. */
function inputOf(members: Members, ids: fc.Arbitrary<string>, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, member] of Object.entries(members)) {
    record[name] = fc.oneof(
      { weight: 5, arbitrary: valueOf(member.shape, ids, depth) },
      { weight: 1, arbitrary: anyJson },
    );
  }
  return fc.record(record, { requiredKeys: [] });
}

/** The body of a request: the input as JSON, now and then with extra members. */
function bodyOf(operation: OperationName, ids: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(
      inputOf(OPERATIONS[operation], ids),
      fc.option(fc.dictionary(fc.string({ maxLength: 10 }), anyJson, { maxKeys: 3 }), { nil: undefined }),
    )
    .map(([input, extra]) => JSON.stringify({ ...(extra ?? {}), ...input }));
}

/** Bodies that are not a request at all. */
const randomBody: fc.Arbitrary<Uint8Array | string> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc.constantFrom(
    new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    new Uint8Array([0xc0, 0x80]),
    new Uint8Array([0xed, 0xa0, 0x80]),
  ),
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 4 }),
  fc.constantFrom(
    '{',
    '{"a":',
    '[]',
    'null',
    '"\\ud800"',
    '{"\\udc00":1}',
    '{"KeyId":"\\ud800"}',
    '[[[[[[[[[[[[[[[[[[[[',
    '{"a":1}garbage',
    '\ufeff{}',
  ),
  // Lone surrogate escapes inside otherwise valid members.
  fc
    .constantFrom('\\ud800', '\\udfff', '\\udbff\\u0041')
    .map((esc) => `{"KeyId":"alias/x${esc}","EncryptionContext":{"k${esc}":"v"},"Description":"${esc}"}`),
);

// ---------------------------------------------------------------------------------------------

/** A valid input of every operation, around the fixture keys: the starting point of the mutations. */
function validInputs(f: {
  symmetric: string;
  victim: string;
  rsa: string;
  blob: string;
  signer: string;
  signature: string;
  agreement: string;
  peer: string;
  hmac: string;
  mac: string;
  kem: string;
  kemCiphertext: string;
  tagged: string;
  policyKey: string;
  policy: string;
  principal: string;
  retireToken: string;
  revokeId: string;
  parametersKey: string;
  importKey: string;
  importToken: string;
  wrappedMaterial: string;
  importedKey: string;
  replicable: string;
  replicated: string;
  stores: { update: string; delete: string; connect: string; disconnect: string };
}): Record<OperationName, Record<string, unknown>> {
  const context = { purpose: 'fuzz' };
  return {
    CreateKey: { Description: 'fuzz', KeyUsage: 'ENCRYPT_DECRYPT' },
    DescribeKey: { KeyId: f.symmetric },
    ListKeys: { Limit: 10 },
    CreateAlias: { AliasName: 'alias/fuzz-new', TargetKeyId: f.symmetric },
    UpdateAlias: { AliasName: 'alias/fuzz', TargetKeyId: f.symmetric },
    DeleteAlias: { AliasName: 'alias/fuzz-new' },
    ListAliases: { KeyId: f.symmetric, Limit: 10 },
    EnableKey: { KeyId: f.victim },
    DisableKey: { KeyId: f.victim },
    ScheduleKeyDeletion: { KeyId: f.victim, PendingWindowInDays: 7 },
    CancelKeyDeletion: { KeyId: f.victim },
    EnableKeyRotation: { KeyId: f.symmetric, RotationPeriodInDays: 365 },
    DisableKeyRotation: { KeyId: f.symmetric },
    GetKeyRotationStatus: { KeyId: f.symmetric },
    RotateKeyOnDemand: { KeyId: f.symmetric },
    GetPublicKey: { KeyId: f.rsa },
    GenerateDataKeyPair: { KeyId: f.symmetric, KeyPairSpec: 'ECC_NIST_P256', EncryptionContext: context },
    GenerateDataKeyPairWithoutPlaintext: {
      KeyId: f.symmetric,
      KeyPairSpec: 'ECC_NIST_P256',
      EncryptionContext: context,
    },
    Decrypt: { CiphertextBlob: f.blob, EncryptionContext: context },
    Encrypt: { KeyId: f.symmetric, Plaintext: 'AQID', EncryptionContext: context },
    ReEncrypt: {
      CiphertextBlob: f.blob,
      SourceEncryptionContext: context,
      DestinationKeyId: f.symmetric,
      DestinationEncryptionContext: context,
    },
    GenerateDataKey: { KeyId: f.symmetric, KeySpec: 'AES_256', EncryptionContext: context },
    GenerateDataKeyWithoutPlaintext: { KeyId: f.symmetric, NumberOfBytes: 32, EncryptionContext: context },
    GenerateRandom: { NumberOfBytes: 32 },
    CreateCustomKeyStore: { ...CLOUDHSM, CustomKeyStoreName: 'fuzz-store' },
    DescribeCustomKeyStores: { Limit: 5 },
    Sign: { KeyId: f.signer, Message: 'AQID', SigningAlgorithm: 'ECDSA_SHA_256' },
    Verify: { KeyId: f.signer, Message: 'AQID', Signature: f.signature, SigningAlgorithm: 'ECDSA_SHA_256' },
    DeriveSharedSecret: { KeyId: f.agreement, KeyAgreementAlgorithm: 'ECDH', PublicKey: f.peer },
    GenerateMac: { KeyId: f.hmac, Message: 'AQID', MacAlgorithm: 'HMAC_SHA_256' },
    VerifyMac: { KeyId: f.hmac, Message: 'AQID', MacAlgorithm: 'HMAC_SHA_256', Mac: f.mac },
    Encapsulate: { KeyId: f.kem, EncapsulationAlgorithm: 'ML_KEM' },
    Decapsulate: { KeyId: f.kem, EncapsulationAlgorithm: 'ML_KEM', SharedSecretCiphertextBlob: f.kemCiphertext },
    UpdateKeyDescription: { KeyId: f.symmetric, Description: 'fuzz, described again' },
    TagResource: { KeyId: f.tagged, Tags: [{ TagKey: 'fuzz', TagValue: 'yes' }] },
    UntagResource: { KeyId: f.tagged, TagKeys: ['fuzz'] },
    ListResourceTags: { KeyId: f.tagged, Limit: 10 },
    GetKeyPolicy: { KeyId: f.symmetric, PolicyName: 'default' },
    PutKeyPolicy: { KeyId: f.policyKey, PolicyName: 'default', Policy: f.policy },
    ListKeyPolicies: { KeyId: f.symmetric, Limit: 10 },
    CreateGrant: { KeyId: f.symmetric, GranteePrincipal: f.principal, Operations: ['Encrypt', 'Decrypt'] },
    ListGrants: { KeyId: f.symmetric, Limit: 10 },
    ListRetirableGrants: { RetiringPrincipal: f.principal, Limit: 10 },
    RetireGrant: { GrantToken: f.retireToken },
    RevokeGrant: { KeyId: f.symmetric, GrantId: f.revokeId },
    // RSA_2048: the server's key pairs are cached per spec (cachedPair), so a mutation to
    // RSA_4096 pays for the 4096-bit pair once, not per request.
    GetParametersForImport: {
      KeyId: f.parametersKey,
      WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      WrappingKeySpec: 'RSA_2048',
    },
    ImportKeyMaterial: {
      KeyId: f.importKey,
      ImportToken: f.importToken,
      EncryptedKeyMaterial: f.wrappedMaterial,
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    },
    DeleteImportedKeyMaterial: { KeyId: f.importedKey },
    ReplicateKey: { KeyId: f.replicable, ReplicaRegion: 'eu-west-1', Description: 'fuzz replica' },
    // The primary in the server's Region (us-east-1) hands the role to its replica in eu-west-1.
    UpdatePrimaryRegion: { KeyId: f.replicated, PrimaryRegion: 'eu-west-1' },
    ListKeyRotations: { KeyId: f.symmetric, Limit: 10 },
    GetKeyLastUsage: { KeyId: f.symmetric },
    UpdateCustomKeyStore: { CustomKeyStoreId: f.stores.update, NewCustomKeyStoreName: 'fuzz-store-renamed' },
    DeleteCustomKeyStore: { CustomKeyStoreId: f.stores.delete },
    ConnectCustomKeyStore: { CustomKeyStoreId: f.stores.connect },
    DisconnectCustomKeyStore: { CustomKeyStoreId: f.stores.disconnect },
  };
}

/** A valid request with one or two members changed (to a value of their shape, or any JSON) or left out. */
function mutationsOf(
  operation: OperationName,
  valid: Record<string, unknown>,
  ids: fc.Arbitrary<string>,
): fc.Arbitrary<string> {
  const members = OPERATIONS[operation] as Members;
  const names = Object.keys(members);
  const change = fc
    .constantFrom(...names)
    .chain((name) =>
      fc.oneof(
        { weight: 4, arbitrary: valueOf(members[name].shape, ids).map((v) => [name, v] as const) },
        { weight: 1, arbitrary: anyJson.map((v) => [name, v] as const) },
        { weight: 1, arbitrary: fc.constant([name, undefined] as const) },
      ),
    );
  return fc.array(change, { minLength: 1, maxLength: 2 }).map((changes) => {
    const input: Record<string, unknown> = { ...valid };
    for (const [name, v] of changes) {
      if (v === undefined) delete input[name];
      else input[name] = v;
    }
    return JSON.stringify(input);
  });
}

describe('every operation, fuzzed over HTTP', () => {
  let server: RunningServer;
  let ids: fc.Arbitrary<string>;
  let valid: Record<OperationName, Record<string, unknown>>;
  let symmetric: string;
  let requests = 0;
  const started = performance.now();
  const send = async (target: string, body: Uint8Array | string) => {
    requests++;
    return post(server.url, target, body);
  };

  beforeAll(async () => {
    server = await startServer({ port: 0, generateKeyPair: cachedPair });
    const setup = async (target: string, input: object) => {
      const answer = await post(server.url, target, JSON.stringify(input));
      if (answer.status !== 200) throw new Error(`setup ${target}: ${answer.status} ${answer.body}`);
      return JSON.parse(answer.body) as Record<string, any>;
    };
    symmetric = (await setup('CreateKey', {})).KeyMetadata.KeyId as string;
    const victim = (await setup('CreateKey', {})).KeyMetadata.KeyId as string;
    const rsa = (await setup('CreateKey', { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata
      .Arn as string;
    await setup('CreateAlias', { AliasName: 'alias/fuzz', TargetKeyId: symmetric });
    const blob = (
      await setup('Encrypt', {
        KeyId: symmetric,
        Plaintext: base64(new Uint8Array([1, 2, 3])),
        EncryptionContext: { purpose: 'fuzz' },
      })
    ).CiphertextBlob as string;
    const signer = (await setup('CreateKey', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata
      .Arn as string;
    const signature = (await setup('Sign', { KeyId: signer, Message: 'AQID', SigningAlgorithm: 'ECDSA_SHA_256' }))
      .Signature as string;
    const agreement = (await setup('CreateKey', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' })).KeyMetadata
      .Arn as string;
    const peer = (await setup('GetPublicKey', { KeyId: agreement })).PublicKey as string;
    const hmac = (await setup('CreateKey', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata
      .Arn as string;
    const mac = (await setup('GenerateMac', { KeyId: hmac, Message: 'AQID', MacAlgorithm: 'HMAC_SHA_256' }))
      .Mac as string;
    const kem = (await setup('CreateKey', { KeySpec: 'ML_KEM_512', KeyUsage: 'ENCAPSULATE_DECAPSULATE' })).KeyMetadata
      .Arn as string;
    const kemCiphertext = (await setup('Encapsulate', { KeyId: kem, EncapsulationAlgorithm: 'ML_KEM' }))
      .SharedSecretCiphertextBlob as string;
    const tagged = (await setup('CreateKey', { Tags: [{ TagKey: 'fuzz', TagValue: 'yes' }] })).KeyMetadata
      .KeyId as string;
    const policyKey = (await setup('CreateKey', {})).KeyMetadata.KeyId as string;
    const policy = (await setup('GetKeyPolicy', { KeyId: policyKey })).Policy as string;
    // Grants of their own for RetireGrant (by token) and RevokeGrant (by id).
    const principal = 'arn:aws:iam::111122223333:role/fuzz';
    const grant = { KeyId: symmetric, GranteePrincipal: principal, RetiringPrincipal: principal };
    const retireToken = (await setup('CreateGrant', { ...grant, Operations: ['Encrypt'] })).GrantToken as string;
    const revokeId = (await setup('CreateGrant', { ...grant, Operations: ['Decrypt'] })).GrantId as string;
    // EXTERNAL keys: one for GetParametersForImport, one with a token and wrapped material for
    // ImportKeyMaterial, one with material imported for DeleteImportedKeyMaterial.
    const external = async () => (await setup('CreateKey', { Origin: 'EXTERNAL' })).KeyMetadata.KeyId as string;
    const wrapFor = async (keyId: string) => {
      const params = await setup('GetParametersForImport', {
        KeyId: keyId,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        WrappingKeySpec: 'RSA_2048',
      });
      const wrapped = publicEncrypt(
        {
          key: createPublicKey({ key: Buffer.from(params.PublicKey as string, 'base64'), format: 'der', type: 'spki' }),
          padding: constants.RSA_PKCS1_OAEP_PADDING,
          oaepHash: 'sha256',
        },
        randomBytes(32),
      );
      return { token: params.ImportToken as string, wrapped: wrapped.toString('base64') };
    };
    const parametersKey = await external();
    const importKey = await external();
    const { token: importToken, wrapped: wrappedMaterial } = await wrapFor(importKey);
    const importedKey = await external();
    const material = await wrapFor(importedKey);
    await setup('ImportKeyMaterial', {
      KeyId: importedKey,
      ImportToken: material.token,
      EncryptedKeyMaterial: material.wrapped,
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    });
    // Multi-Region keys: one without replicas for ReplicateKey, one with a replica in eu-west-1
    // for UpdatePrimaryRegion.
    const replicable = (await setup('CreateKey', { MultiRegion: true })).KeyMetadata.Arn as string;
    const replicated = (await setup('CreateKey', { MultiRegion: true })).KeyMetadata.Arn as string;
    await setup('ReplicateKey', { KeyId: replicated, ReplicaRegion: 'eu-west-1' });
    // Custom key stores (DISCONNECTED when created), one per operation so that each valid input
    // holds whatever ran before it: the one DisconnectCustomKeyStore takes is connected first.
    const store = async (suffix: string) =>
      (
        await setup('CreateCustomKeyStore', {
          ...CLOUDHSM,
          CustomKeyStoreName: `fuzz-store-${suffix}`,
          CloudHsmClusterId: `cluster-fuzz${suffix}abcdef`.slice(0, 19),
        })
      ).CustomKeyStoreId as string;
    const stores = {
      update: await store('u'),
      delete: await store('d'),
      connect: await store('c'),
      disconnect: await store('x'),
    };
    await setup('ConnectCustomKeyStore', { CustomKeyStoreId: stores.disconnect });
    valid = validInputs({
      symmetric,
      victim,
      rsa,
      blob,
      signer,
      signature,
      agreement,
      peer,
      hmac,
      mac,
      kem,
      kemCiphertext,
      tagged,
      policyKey,
      policy,
      principal,
      retireToken,
      revokeId,
      parametersKey,
      importKey,
      importToken,
      wrappedMaterial,
      importedKey,
      replicable,
      replicated,
      stores,
    });
    // Real identifiers most of the time, so that requests get past key resolution to the work.
    ids = fc.constantFrom(
      symmetric,
      symmetric,
      victim,
      rsa,
      'alias/fuzz',
      'alias/none',
      `arn:aws:kms:us-east-1:111122223333:key/${symmetric}`,
      blob.slice(0, 20),
      '',
      // For the operations on grants, imported material, multi-Region keys and custom key stores.
      tagged,
      importKey,
      replicated,
      revokeId,
      principal,
      stores.connect,
    );
  });
  beforeEach(async () => {
    // A key a mutation disabled or scheduled for deletion is usable again for the next operation.
    await post(server.url, 'CancelKeyDeletion', JSON.stringify({ KeyId: symmetric }));
    await post(server.url, 'EnableKey', JSON.stringify({ KeyId: symmetric }));
  });
  afterAll(async () => {
    agent.destroy();
    await server.close();
    console.log(
      `fuzz: ${OPERATION_NAMES.length} operations, seed ${SEED}, ${requests} requests in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  });

  it('serves all 56 operations (the list fuzzed below), and each valid input is served', async () => {
    expect(OPERATION_NAMES).toHaveLength(56);
    for (const operation of OPERATION_NAMES) {
      const answer = await send(operation, JSON.stringify(valid[operation]));
      expect(answer.status, `${operation} ${answer.body}`).toBe(200);
    }
  });

  for (const operation of OPERATION_NAMES) {
    it(`${operation}: mutated valid requests never get a 5xx or a dropped connection`, async () => {
      await fc.assert(
        fc.asyncProperty(mutationsOf(operation, valid[operation], ids), async (body) => {
          checkAnswer(await send(operation, body), `${operation} ${describeBody(body)}`);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });

    it(`${operation}: requests built from the schema never get a 5xx or a dropped connection`, async () => {
      await fc.assert(
        fc.asyncProperty(bodyOf(operation, ids), async (body) => {
          checkAnswer(await send(operation, body), `${operation} ${describeBody(body)}`);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });

    it(`${operation}: random bodies (not UTF-8, not JSON, lone surrogate escapes) never get a 5xx or a dropped connection`, async () => {
      await fc.assert(
        fc.asyncProperty(randomBody, async (body) => {
          checkAnswer(await send(operation, body), `${operation} ${describeBody(body)}`);
        }),
        { seed: SEED, numRuns: Math.ceil(RUNS / 2) },
      );
    });
  }

  it('the connection stays usable: after everything above, a valid request on the same agent succeeds', async () => {
    const answer = await send('ListKeys', '{}');
    expect(answer.status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------

/** The operations that take an encryption context, with a valid input around `context`. */
function contextInputs(
  keyId: string,
  blob: Uint8Array,
  context: Record<string, string>,
): [string, Record<string, unknown>][] {
  return [
    ['Encrypt', { KeyId: keyId, Plaintext: new Uint8Array([1]), EncryptionContext: context }],
    ['Decrypt', { CiphertextBlob: blob, EncryptionContext: context }],
    ['ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: keyId, SourceEncryptionContext: context }],
    ['ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: keyId, DestinationEncryptionContext: context }],
    ['GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context }],
    ['GenerateDataKeyWithoutPlaintext', { KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context }],
    ['GenerateDataKeyPair', { KeyId: keyId, KeyPairSpec: 'ECC_NIST_P256', EncryptionContext: context }],
    ['GenerateDataKeyPairWithoutPlaintext', { KeyId: keyId, KeyPairSpec: 'ECC_NIST_P256', EncryptionContext: context }],
  ];
}

const COMMANDS: Record<string, new (input: any) => kms.KMSCommand<any, any>> = {
  Encrypt: kms.EncryptCommand,
  Decrypt: kms.DecryptCommand,
  ReEncrypt: kms.ReEncryptCommand,
  GenerateDataKey: kms.GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintext: kms.GenerateDataKeyWithoutPlaintextCommand,
  GenerateDataKeyPair: kms.GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintext: kms.GenerateDataKeyPairWithoutPlaintextCommand,
};

const toWire = (input: Record<string, unknown>) =>
  JSON.stringify(input, (_k, v: unknown) => (v instanceof Uint8Array ? base64(v) : v));

describe('encryption context size and lone surrogates, over the wire and in the library', () => {
  let server: RunningServer;
  let client: kms.KMSClient;
  let keyId: string;
  let blob: Uint8Array;
  let wireKeyId: string;
  let wireBlob: Uint8Array;

  beforeAll(async () => {
    const store = new kms.MemoryKeyStore();
    client = new kms.KMSClient({ store, generateKeyPair: cachedPair });
    keyId = (await client.send(new kms.CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    blob = (await client.send(new kms.EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([7]) })))
      .CiphertextBlob!;
    server = await startServer({ port: 0, generateKeyPair: cachedPair });
    wireKeyId = JSON.parse((await post(server.url, 'CreateKey', '{}')).body).KeyMetadata.KeyId;
    wireBlob = new Uint8Array(
      Buffer.from(
        JSON.parse((await post(server.url, 'Encrypt', JSON.stringify({ KeyId: wireKeyId, Plaintext: 'Bw==' }))).body)
          .CiphertextBlob,
        'base64',
      ),
    );
  });
  afterAll(() => server.close());

  // 8,192 bytes exactly, with multi-byte characters: 'é' is 2 bytes, '😀' 4.
  const atLimit = (): Record<string, string> => {
    const context: Record<string, string> = { clé: 'x'.repeat(1000), emoji: '😀'.repeat(100) };
    const used = 4 + 1000 + 5 + 400;
    context.rest = 'y'.repeat(ENCRYPTION_CONTEXT_MAX_BYTES - used - 4);
    return context;
  };

  it(`an encryption context of ${ENCRYPTION_CONTEXT_MAX_BYTES} UTF-8 bytes is taken by every operation; one byte more is ValidationException`, async () => {
    const fits = atLimit();
    const over = { ...fits, rest: `${fits.rest}y` };
    for (const [operation, input] of contextInputs(keyId, blob, fits)) {
      const e = await client.send(new COMMANDS[operation](input)).catch((err: unknown) => err);
      // Decrypt and ReEncrypt with a context the blob was not sealed with: the context was read, and is wrong.
      if (e instanceof Error) expect(e.name, operation).toBe('InvalidCiphertextException');
    }
    for (const [operation, input] of contextInputs(keyId, blob, over)) {
      const e = await rejection(client.send(new COMMANDS[operation](input)), kms.ValidationException);
      expect(e.message, operation).toMatch(
        /^1 validation error detected: Value at '(encryptionContext|sourceEncryptionContext|destinationEncryptionContext)' failed to satisfy constraint: Member must have a total size of keys and values less than or equal to 8192 bytes \(UTF-8\)$/,
      );
    }
    for (const [operation, input] of contextInputs(wireKeyId, wireBlob, over)) {
      const answer = await post(server.url, operation, toWire(input));
      expect(answer.status, operation).toBe(400);
      expect(JSON.parse(answer.body).__type, operation).toBe('ValidationException');
    }
  });

  it('a 0.73 MiB encryption context is refused without walking its pairs', async () => {
    const huge: Record<string, string> = {};
    for (let i = 0; i < 40_000; i++) huge[`k${i}`] = `value${i}`;
    const started = performance.now();
    const e = await rejection(
      client.send(new kms.EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([1]), EncryptionContext: huge })),
      kms.ValidationException,
    );
    const ms = performance.now() - started;
    // One violation, without the pairs in it.
    expect(e.message.length).toBeLessThan(300);
    const body = toWire({ KeyId: wireKeyId, Plaintext: new Uint8Array([1]), EncryptionContext: huge });
    expect(body.length).toBeGreaterThan(0.7 * 1024 * 1024);
    const wireStarted = performance.now();
    const answer = await post(server.url, 'Encrypt', body);
    const wireMs = performance.now() - wireStarted;
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).__type).toBe('ValidationException');
    console.log(
      `0.73 MiB encryption context refused: library ${ms.toFixed(2)} ms, over HTTP ${wireMs.toFixed(1)} ms (body ${(body.length / 1048576).toFixed(2)} MiB)`,
    );
  });

  it('a lone surrogate in an encryption context key or value: ValidationException in the library, SerializationException over the wire, never an internal error', async () => {
    const contexts: Record<string, string>[] = [{ '\ud800': 'x' }, { k: 'a\udfffb' }, { ['\udc00\ud800']: '\ud800' }];
    for (const context of contexts) {
      for (const [operation, input] of contextInputs(keyId, blob, context)) {
        const e = await rejection(client.send(new COMMANDS[operation](input)), kms.ValidationException);
        expect(e.message, operation).toContain('Member must be a well-formed Unicode string');
      }
      for (const [operation, input] of contextInputs(wireKeyId, wireBlob, context)) {
        const body = toWire(input);
        // JSON.stringify writes a lone surrogate as a \u escape.
        expect(body).toMatch(/\\ud[89a-f]/);
        const answer = await post(server.url, operation, body);
        expect(answer.status, operation).toBe(400);
        expect(JSON.parse(answer.body).__type, operation).toBe('SerializationException');
      }
    }
    // A well-formed pair written as escapes is a character like any other.
    const ok = await post(
      server.url,
      'Encrypt',
      `{"KeyId":"${wireKeyId}","Plaintext":"AQ==","EncryptionContext":{"\\ud83d\\ude00":"x"}}`,
    );
    expect(ok.status).toBe(200);
  });

  it('a lone surrogate in any other string member is a ValidationException in the library too', async () => {
    const e = await rejection(
      client.send(new kms.CreateKeyCommand({ Description: 'bad \ud800' })),
      kms.ValidationException,
    );
    expect(e.message).toBe(
      "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must be a well-formed Unicode string (a lone UTF-16 surrogate is not a character)",
    );
    await rejection(client.send(new kms.DescribeKeyCommand({ KeyId: `${keyId}\udc00` })), kms.ValidationException);
  });

  it('bytes that are not UTF-8 are SerializationException', async () => {
    for (const bytes of [
      [0x7b, 0x22, 0x4b, 0xff, 0x22, 0x3a, 0x31, 0x7d],
      [0xed, 0xa0, 0x80],
      [0xc0, 0xaf],
    ]) {
      const answer = await post(server.url, 'ListKeys', new Uint8Array(bytes));
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body).__type).toBe('SerializationException');
    }
  });
});
