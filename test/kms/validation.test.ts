// Input validation and the exception classes: messages must be AWS's, word for word, wherever
// real AWS was recorded; elsewhere they follow the same Coral format (see validation.ts).
import { describe, it, expect } from 'vitest';
import * as X from '../../src/kms/exceptions.js';
import {
  KMSServiceException,
  ValidationException,
  SerializationException,
  EXCEPTIONS,
  exceptionFromName,
} from '../../src/kms/exceptions.js';
import { DATA_KEY_PAIR_SPECS, KEY_SPECS, KEY_USAGE_TYPES, type Shape } from '../../src/kms/schema.js';
import { OPERATIONS, OPERATION_NAMES, type OperationName } from '../../src/kms/registry.js';
import { validateInput } from '../../src/kms/validation.js';
import { readVectorText } from '../helpers/vectors.js';

const kmsErrors = JSON.parse(readVectorText('kms/kms-errors.json')) as Record<string, unknown>;
const recorded = JSON.parse(readVectorText('kms/aws-recorded-responses.json')) as Record<string, unknown>;

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';

/** The exception `fn` throws (fails the test if it returns). */
function thrown(fn: () => void): KMSServiceException {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KMSServiceException);
    return e as KMSServiceException;
  }
  throw new Error('expected an exception');
}
const message = (op: OperationName, input: unknown) => {
  const e = thrown(() => validateInput(op, input));
  expect(e).toBeInstanceOf(ValidationException);
  return e.message;
};
const one = (s: string) => `1 validation error detected: ${s}`;

// ---------------------------------------------------------------------------------------------

describe('exception classes', () => {
  const fromFile = new Map<string, { httpStatus: number; fault: string }>();
  for (const [k, v] of Object.entries(kmsErrors)) {
    if (k === '_meta' || !Array.isArray(v)) continue;
    for (const e of v as { exception: string; httpStatus: number; fault: string }[]) fromFile.set(e.exception, e);
  }

  it('has a class for every exception name in kms-errors.json', () => {
    expect(fromFile.size).toBeGreaterThanOrEqual(30);
    for (const name of fromFile.keys()) expect(Object.keys(EXCEPTIONS)).toContain(name);
  });

  it.each([...fromFile.entries()])('%s: name, fault, status and instanceof', (name, info) => {
    const cls = (X as unknown as Record<string, new (o?: unknown) => KMSServiceException>)[name];
    expect(cls).toBeTypeOf('function');
    const e = new cls({ message: 'boom', $metadata: { requestId: 'r-1' } });
    expect(e).toBeInstanceOf(cls);
    expect(e).toBeInstanceOf(KMSServiceException);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe(name);
    expect(e.message).toBe('boom');
    expect(e.$fault).toBe(info.fault);
    expect(e.$metadata).toEqual({ httpStatusCode: info.httpStatus, requestId: 'r-1' });
    expect((cls as unknown as { httpStatus: number }).httpStatus).toBe(info.httpStatus);
  });

  it('every exported class is consistent: 400 client faults, 5xx server faults', () => {
    for (const [name, cls] of Object.entries(EXCEPTIONS)) {
      const e = new cls('m');
      expect(e.name).toBe(name);
      expect(e.message).toBe('m');
      expect(e.$metadata.httpStatusCode).toBe(e.$fault === 'client' ? 400 : cls.httpStatus);
      if (e.$fault === 'server') expect(e.$metadata.httpStatusCode).toBeGreaterThanOrEqual(500);
    }
    expect(new X.KMSInternalException().$metadata.httpStatusCode).toBe(500);
    expect(new X.DependencyTimeoutException().$metadata.httpStatusCode).toBe(503);
    expect(new X.InvalidCiphertextException().message).toBe('');
  });

  it('exceptionFromName builds modeled classes and falls back to KMSServiceException', () => {
    const e = exceptionFromName('NotFoundException', "Key 'x' does not exist");
    expect(e).toBeInstanceOf(X.NotFoundException);
    expect(e.message).toBe("Key 'x' does not exist");
    expect(e.$metadata.httpStatusCode).toBe(400);
    expect(exceptionFromName('ValidationException', 'v')).toBeInstanceOf(ValidationException);
    const u = exceptionFromName('SomethingNewException', 'n', { httpStatusCode: 502 });
    expect(u.constructor).toBe(KMSServiceException);
    expect([u.name, u.$fault]).toEqual(['SomethingNewException', 'server']);
    expect(exceptionFromName('OtherException', 'n').$fault).toBe('client');
    expect(exceptionFromName('toString', 'n').constructor).toBe(KMSServiceException);
  });
});

// ---------------------------------------------------------------------------------------------

const MINIMAL: Record<OperationName, Record<string, unknown>> = {
  CreateKey: {},
  DescribeKey: { KeyId: KEY },
  ListKeys: {},
  CreateAlias: { AliasName: 'alias/test', TargetKeyId: KEY },
  UpdateAlias: { AliasName: 'alias/test', TargetKeyId: KEY },
  DeleteAlias: { AliasName: 'alias/test' },
  ListAliases: {},
  EnableKey: { KeyId: KEY },
  DisableKey: { KeyId: KEY },
  ScheduleKeyDeletion: { KeyId: KEY },
  CancelKeyDeletion: { KeyId: KEY },
  EnableKeyRotation: { KeyId: KEY },
  DisableKeyRotation: { KeyId: KEY },
  GetKeyRotationStatus: { KeyId: KEY },
  RotateKeyOnDemand: { KeyId: KEY },
  GetPublicKey: { KeyId: KEY },
  GenerateDataKeyPair: { KeyId: KEY, KeyPairSpec: 'ECC_NIST_P256' },
  GenerateDataKeyPairWithoutPlaintext: { KeyId: KEY, KeyPairSpec: 'RSA_2048' },
  Decrypt: { CiphertextBlob: new Uint8Array(32) },
  Encrypt: { KeyId: KEY, Plaintext: new Uint8Array(1) },
  ReEncrypt: { CiphertextBlob: new Uint8Array(32), DestinationKeyId: KEY },
  GenerateDataKey: { KeyId: KEY, KeySpec: 'AES_256' },
  GenerateDataKeyWithoutPlaintext: { KeyId: KEY, NumberOfBytes: 32 },
  GenerateRandom: { NumberOfBytes: 32 },
  CreateCustomKeyStore: { CustomKeyStoreName: 'store' },
  DescribeCustomKeyStores: {},
  GenerateMac: { KeyId: KEY, Message: new Uint8Array(1), MacAlgorithm: 'HMAC_SHA_256' },
  VerifyMac: { KeyId: KEY, Message: new Uint8Array(1), MacAlgorithm: 'HMAC_SHA_256', Mac: new Uint8Array(1) },
  Encapsulate: { KeyId: KEY, EncapsulationAlgorithm: 'ML_KEM' },
  Decapsulate: { KeyId: KEY, EncapsulationAlgorithm: 'ML_KEM', SharedSecretCiphertextBlob: new Uint8Array(1) },
  Sign: { KeyId: KEY, Message: new Uint8Array(1), SigningAlgorithm: 'ECDSA_SHA_256' },
  Verify: { KeyId: KEY, Message: new Uint8Array(1), Signature: new Uint8Array(1), SigningAlgorithm: 'ECDSA_SHA_256' },
  DeriveSharedSecret: { KeyId: KEY, KeyAgreementAlgorithm: 'ECDH', PublicKey: new Uint8Array(1) },
  UpdateKeyDescription: { KeyId: KEY, Description: '' },
  TagResource: { KeyId: KEY, Tags: [{ TagKey: 'k', TagValue: '' }] },
  UntagResource: { KeyId: KEY, TagKeys: ['k'] },
  ListResourceTags: { KeyId: KEY },
  GetKeyPolicy: { KeyId: KEY },
  PutKeyPolicy: { KeyId: KEY, Policy: '{}' },
  ListKeyPolicies: { KeyId: KEY },
  CreateGrant: { KeyId: KEY, GranteePrincipal: 'arn:aws:iam::111122223333:root', Operations: ['Decrypt'] },
  ListGrants: { KeyId: KEY },
  ListRetirableGrants: {},
  RetireGrant: {},
  RevokeGrant: { KeyId: KEY, GrantId: 'g' },
  GetParametersForImport: { KeyId: KEY, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' },
  ImportKeyMaterial: { KeyId: KEY, ImportToken: new Uint8Array(1), EncryptedKeyMaterial: new Uint8Array(1) },
  DeleteImportedKeyMaterial: { KeyId: KEY },
  ReplicateKey: { KeyId: KEY, ReplicaRegion: 'eu-west-1' },
  UpdatePrimaryRegion: { KeyId: KEY, PrimaryRegion: 'eu-west-1' },
  ListKeyRotations: { KeyId: KEY },
  GetKeyLastUsage: { KeyId: KEY },
  UpdateCustomKeyStore: { CustomKeyStoreId: 'cks-1234567890abcdef0' },
  DeleteCustomKeyStore: { CustomKeyStoreId: 'cks-1234567890abcdef0' },
  ConnectCustomKeyStore: { CustomKeyStoreId: 'cks-1234567890abcdef0' },
  DisconnectCustomKeyStore: { CustomKeyStoreId: 'cks-1234567890abcdef0' },
};

describe('validateInput: exact messages for the main operations', () => {
  it('covers every operation in the schema', () => {
    expect(Object.keys(MINIMAL).sort()).toEqual([...OPERATION_NAMES].sort());
    expect(OPERATION_NAMES).toHaveLength(56);
  });

  it.each(OPERATION_NAMES)('%s: a minimal valid input passes, unknown members are ignored', (op) => {
    expect(() => validateInput(op, MINIMAL[op])).not.toThrow();
    expect(() => validateInput(op, { ...MINIMAL[op], SomethingElse: 42, Other: { x: [1] } })).not.toThrow();
  });

  it('DataKeyPairSpec has the twelve specs in SDK order', () => {
    expect(DATA_KEY_PAIR_SPECS).toEqual([
      'RSA_2048',
      'RSA_3072',
      'RSA_4096',
      'ECC_NIST_P256',
      'ECC_NIST_P384',
      'ECC_NIST_P521',
      'ECC_SECG_P256K1',
      'SM2',
      'ECC_NIST_EDWARDS25519',
      'ML_KEM_512',
      'ML_KEM_768',
      'ML_KEM_1024',
    ]);
    expect(KEY_SPECS).toHaveLength(20);
    for (const spec of DATA_KEY_PAIR_SPECS) {
      expect(() => validateInput('GenerateDataKeyPair', { KeyId: KEY, KeyPairSpec: spec })).not.toThrow();
    }
  });

  const SPEC_SET = `[${DATA_KEY_PAIR_SPECS.join(', ')}]`;
  const cases: [OperationName, Record<string, unknown>, string][] = [
    // GenerateDataKeyPair / WithoutPlaintext
    [
      'GenerateDataKeyPair',
      { KeyPairSpec: 'RSA_2048' },
      one("Value null at 'keyId' failed to satisfy constraint: Member must not be null"),
    ],
    [
      'GenerateDataKeyPair',
      { KeyId: KEY, KeyPairSpec: 'RSA_1024' },
      one(
        `Value 'RSA_1024' at 'keyPairSpec' failed to satisfy constraint: Member must satisfy enum value set: ${SPEC_SET}`,
      ),
    ],
    [
      'GenerateDataKeyPair',
      { KeyId: '', KeyPairSpec: 'SM2' },
      one("Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1"),
    ],
    [
      'GenerateDataKeyPair',
      { KeyId: 'k'.repeat(2049), KeyPairSpec: 'SM2' },
      one(
        `Value '${'k'.repeat(2049)}' at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048`,
      ),
    ],
    [
      'GenerateDataKeyPair',
      {},
      "2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'keyPairSpec' failed to satisfy constraint: Member must not be null",
    ],
    [
      'GenerateDataKeyPair',
      { KeyId: KEY, KeyPairSpec: 'ECC_NIST_P256', Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_1' } },
      one(
        "Value 'RSAES_OAEP_SHA_1' at 'recipient.keyEncryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RSAES_OAEP_SHA_256]",
      ),
    ],
    [
      'GenerateDataKeyPair',
      { KeyId: KEY, KeyPairSpec: 'ECC_NIST_P256', Recipient: { AttestationDocument: new Uint8Array(0) } },
      one(
        "Value at 'recipient.attestationDocument' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ),
    ],
    [
      'GenerateDataKeyPair',
      { KeyId: KEY, KeyPairSpec: 'ECC_NIST_P256', GrantTokens: Array.from({ length: 11 }, (_, i) => `g${i}`) },
      one("Value at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10"),
    ],
    [
      'GenerateDataKeyPair',
      { KeyId: KEY, KeyPairSpec: 'ECC_NIST_P256', GrantTokens: ['ok', ''] },
      one(
        "Value at 'grantTokens.2.member' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ),
    ],
    [
      'GenerateDataKeyPairWithoutPlaintext',
      { KeyId: KEY, KeyPairSpec: 'rsa_2048' },
      one(
        `Value 'rsa_2048' at 'keyPairSpec' failed to satisfy constraint: Member must satisfy enum value set: ${SPEC_SET}`,
      ),
    ],
    [
      'GenerateDataKeyPairWithoutPlaintext',
      { KeyId: KEY },
      one("Value null at 'keyPairSpec' failed to satisfy constraint: Member must not be null"),
    ],
    // Decrypt
    [
      'Decrypt',
      { CiphertextBlob: new Uint8Array(6145) },
      one("Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length less than or equal to 6144"),
    ],
    [
      'Decrypt',
      { CiphertextBlob: new Uint8Array(0), EncryptionAlgorithm: 'AES' },
      "2 validation errors detected: Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value 'AES' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]",
    ],
    [
      'Decrypt',
      { DryRun: true, DryRunModifiers: ['IGNORE_KEY'] },
      one(
        "Value 'IGNORE_KEY' at 'dryRunModifiers.1.member' failed to satisfy constraint: Member must satisfy enum value set: [IGNORE_CIPHERTEXT]",
      ),
    ],
    // Encrypt
    [
      'Encrypt',
      { KeyId: KEY, Plaintext: new Uint8Array(4097) },
      one("Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096"),
    ],
    ['Encrypt', { KeyId: KEY }, one("Value null at 'plaintext' failed to satisfy constraint: Member must not be null")],
    // GenerateDataKey
    [
      'GenerateDataKey',
      { KeyId: KEY, NumberOfBytes: 1025 },
      one(
        "Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
      ),
    ],
    [
      'GenerateDataKey',
      { KeyId: KEY, KeySpec: 'AES_512' },
      one(
        "Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_128, AES_256]",
      ),
    ],
    [
      'GenerateDataKeyWithoutPlaintext',
      { NumberOfBytes: 0 },
      "2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null; " +
        "Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
    ],
    // GenerateRandom
    [
      'GenerateRandom',
      { NumberOfBytes: 0 },
      one(
        "Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
      ),
    ],
    [
      'GenerateRandom',
      { NumberOfBytes: 16, CustomKeyStoreId: 'c'.repeat(65) },
      one(
        `Value '${'c'.repeat(65)}' at 'customKeyStoreId' failed to satisfy constraint: Member must have length less than or equal to 64`,
      ),
    ],
    ['GenerateRandom', {}, 'NumberOfBytes is required.'],
    // CreateKey
    [
      'CreateKey',
      { KeyUsage: 'ENCRYPT_DECRYPT', Description: 'd'.repeat(8193) },
      one(
        `Value '${'d'.repeat(8193)}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192`,
      ),
    ],
    [
      'CreateKey',
      { Origin: 'SOMEWHERE' },
      one(
        "Value 'SOMEWHERE' at 'origin' failed to satisfy constraint: Member must satisfy enum value set: [AWS_KMS, EXTERNAL, AWS_CLOUDHSM, EXTERNAL_KEY_STORE]",
      ),
    ],
    [
      'CreateKey',
      { Tags: [{ TagKey: 'k' }] },
      one("Value null at 'tags.1.member.tagValue' failed to satisfy constraint: Member must not be null"),
    ],
    [
      'CreateKey',
      { KeySpec: 'ECC_NIST_P256' },
      'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
    ],
    [
      'CreateKey',
      { XksKeyId: 'bad key!' },
      one(
        "Value 'bad key!' at 'xksKeyId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9-_.]+$",
      ),
    ],
    // DescribeKey
    ['DescribeKey', {}, one("Value null at 'keyId' failed to satisfy constraint: Member must not be null")],
    [
      'DescribeKey',
      { KeyId: KEY, GrantTokens: ['t'.repeat(8193)] },
      one(
        `Value at 'grantTokens.1.member' failed to satisfy constraint: Member must have length less than or equal to 8192`,
      ),
    ],
    // CreateAlias
    [
      'CreateAlias',
      { AliasName: 'alias/has space', TargetKeyId: KEY },
      one(
        "Value 'alias/has space' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
      ),
    ],
    [
      'CreateAlias',
      { AliasName: `alias/${'a'.repeat(251)}` },
      '2 validation errors detected: ' +
        `Value 'alias/${'a'.repeat(251)}' at 'aliasName' failed to satisfy constraint: Member must have length less than or equal to 256; ` +
        "Value null at 'targetKeyId' failed to satisfy constraint: Member must not be null",
    ],
    [
      'CreateAlias',
      { AliasName: 'alias/é x', TargetKeyId: '' },
      '2 validation errors detected: ' +
        "Value 'alias/é x' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$; " +
        "Value '' at 'targetKeyId' failed to satisfy constraint: Member must have length greater than or equal to 1",
    ],
    // The rest
    [
      'ListKeys',
      { Limit: 1001 },
      one("Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000"),
    ],
    [
      'ListKeys',
      { Marker: '' },
      one("Value '' at 'marker' failed to satisfy constraint: Member must have length greater than or equal to 1"),
    ],
    [
      'ListKeys',
      { Marker: 'm\u0100' },
      one(
        "Value 'm\u0100' at 'marker' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0020-\\u00FF]*",
      ),
    ],
    [
      'ListAliases',
      { Limit: 101 },
      one("Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"),
    ],
    [
      'ScheduleKeyDeletion',
      { KeyId: KEY, PendingWindowInDays: 6 },
      one(
        "Value '6' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 7",
      ),
    ],
    [
      'ScheduleKeyDeletion',
      { KeyId: KEY, PendingWindowInDays: 31 },
      one(
        "Value '31' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 30",
      ),
    ],
    [
      'EnableKeyRotation',
      { KeyId: KEY, RotationPeriodInDays: 89 },
      one(
        "Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90",
      ),
    ],
    ['DeleteAlias', {}, one("Value null at 'aliasName' failed to satisfy constraint: Member must not be null")],
    [
      'ReEncrypt',
      { CiphertextBlob: new Uint8Array(1) },
      one("Value null at 'destinationKeyId' failed to satisfy constraint: Member must not be null"),
    ],
    [
      'CreateCustomKeyStore',
      { CustomKeyStoreName: 's', KeyStorePassword: 'short' },
      one(
        "Value at 'keyStorePassword' failed to satisfy constraint: Member must have length greater than or equal to 7",
      ),
    ],
    [
      'CreateCustomKeyStore',
      { CustomKeyStoreName: 's', CustomKeyStoreType: 'HSM' },
      one(
        "Value 'HSM' at 'customKeyStoreType' failed to satisfy constraint: Member must satisfy enum value set: [AWS_CLOUDHSM, EXTERNAL_KEY_STORE]",
      ),
    ],
    [
      'CreateCustomKeyStore',
      { CustomKeyStoreName: 's', XksProxyAuthenticationCredential: { AccessKeyId: 'A'.repeat(20) } },
      one(
        "Value null at 'xksProxyAuthenticationCredential.rawSecretAccessKey' failed to satisfy constraint: Member must not be null",
      ),
    ],
    [
      'DescribeCustomKeyStores',
      { CustomKeyStoreName: '' },
      one(
        "Value '' at 'customKeyStoreName' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ),
    ],
  ];

  it.each(cases)('%s %j', (op, input, expected) => {
    expect(message(op, input)).toBe(expected);
  });

  it('single-key operations all require keyId', () => {
    for (const op of [
      'EnableKey',
      'DisableKey',
      'CancelKeyDeletion',
      'DisableKeyRotation',
      'GetKeyRotationStatus',
      'RotateKeyOnDemand',
      'GetPublicKey',
      'ScheduleKeyDeletion',
      'EnableKeyRotation',
    ] as OperationName[]) {
      expect(message(op, {})).toBe(one("Value null at 'keyId' failed to satisfy constraint: Member must not be null"));
      expect(message(op, { KeyId: 'x'.repeat(2049) })).toMatch(
        /at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048$/,
      );
    }
  });

  it('string lengths count code points; blob lengths count bytes', () => {
    expect(() => validateInput('CreateKey', { Tags: [{ TagKey: '😀'.repeat(128), TagValue: '' }] })).not.toThrow();
    expect(() => validateInput('Encrypt', { KeyId: KEY, Plaintext: new Uint8Array(4096) })).not.toThrow();
  });

  it('undefined and null members count as absent', () => {
    expect(() =>
      validateInput('GenerateDataKeyPair', { ...MINIMAL.GenerateDataKeyPair, GrantTokens: undefined, DryRun: null }),
    ).not.toThrow();
    expect(() => validateInput('ListKeys', undefined)).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------

describe('validateInput: generic cases derived from every operation schema', () => {
  // For each operation: a missing required member, an out-of-range integer, a too-long string and a
  // bad enum value, each built from the schema and expected in the documented format.
  type Case = [OperationName, string, Record<string, unknown>, string];
  const generic: Case[] = [];
  for (const op of OPERATION_NAMES) {
    const members = OPERATIONS[op] as Record<string, { shape: Shape; required?: boolean }>;
    for (const [name, m] of Object.entries(members)) {
      const path = name[0].toLowerCase() + name.slice(1);
      const base = { ...MINIMAL[op] };
      if (m.required) {
        const input = { ...base };
        delete input[name];
        const otherMissing = Object.entries(members).some(([n, x]) => x.required && n !== name && !(n in input));
        if (!otherMissing)
          generic.push([
            op,
            `missing ${name}`,
            input,
            one(`Value null at '${path}' failed to satisfy constraint: Member must not be null`),
          ]);
      }
      const s = m.shape;
      if (s.type === 'integer' && s.max !== undefined) {
        generic.push([
          op,
          `${name} too big`,
          { ...base, [name]: s.max + 1 },
          one(
            `Value '${s.max + 1}' at '${path}' failed to satisfy constraint: Member must have value less than or equal to ${s.max}`,
          ),
        ]);
      }
      if (s.type === 'string' && s.max !== undefined && s.pattern === undefined && !s.sensitive) {
        const v = 'a'.repeat(s.max + 1);
        generic.push([
          op,
          `${name} too long`,
          { ...base, [name]: v },
          one(
            `Value '${v}' at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${s.max}`,
          ),
        ]);
      }
      if (s.type === 'enum') {
        generic.push([
          op,
          `${name} bad enum`,
          { ...base, [name]: 'NOPE' },
          one(`Value 'NOPE' at '${path}' failed to satisfy constraint: Member must satisfy enum value set: [`),
        ]);
      }
    }
  }

  it('derives cases for every operation', () => {
    expect(new Set(generic.map((c) => c[0])).size).toBe(OPERATION_NAMES.length);
    expect(generic.length).toBeGreaterThan(60);
  });

  it.each(generic)('%s: %s', (op, _what, input, expected) => {
    const got = message(op, input);
    if (expected.endsWith('[')) expect(got.startsWith(expected) && got.endsWith(']')).toBe(true);
    else expect(got).toBe(expected);
  });
});

// ---------------------------------------------------------------------------------------------

describe('type errors are SerializationException', () => {
  it.each([
    ['GenerateRandom', { NumberOfBytes: '32' }, 'STRING_VALUE can not be converted to an Integer'],
    ['GenerateRandom', { NumberOfBytes: 1.5 }, 'NUMBER_VALUE can not be converted to an Integer'],
    [
      'DescribeKey',
      { KeyId: 42 },
      'class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String',
    ],
    [
      'GenerateDataKeyPair',
      { KeyId: KEY, KeyPairSpec: 'SM2', DryRun: 'yes' },
      'STRING_VALUE can not be converted to a Boolean',
    ],
    ['GenerateDataKeyPair', { KeyId: [KEY], KeyPairSpec: 'SM2' }, 'Start of list found where not expected'],
    [
      'GenerateDataKeyPair',
      { KeyId: KEY, KeyPairSpec: { a: 1 } },
      'Start of structure or map found where not expected.',
    ],
    [
      'GenerateDataKeyPair',
      { KeyId: KEY, KeyPairSpec: 'SM2', EncryptionContext: { a: 1 } },
      'class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String',
    ],
    ['GenerateDataKeyPair', { KeyId: KEY, KeyPairSpec: 'SM2', GrantTokens: 'g' }, 'Expected list or null'],
    ['Encrypt', { KeyId: KEY, Plaintext: 'aGVsbG8=' }, 'STRING_VALUE can not be converted to a Blob'],
  ] as [OperationName, Record<string, unknown>, string][])('%s %j', (op, input, expected) => {
    const e = thrown(() => validateInput(op, input));
    expect(e).toBeInstanceOf(SerializationException);
    expect([e.name, e.message, e.$fault, e.$metadata.httpStatusCode]).toEqual([
      'SerializationException',
      expected,
      'client',
      400,
    ]);
  });

  it('a non-object input is a SerializationException', () => {
    expect(thrown(() => validateInput('ListKeys', [1]))).toBeInstanceOf(SerializationException);
  });
});

// ---------------------------------------------------------------------------------------------

describe('every recorded AWS validation message that maps onto our operations', () => {
  interface Rec {
    test: string;
    key: string;
    code: string;
    message: string;
  }
  const records: Rec[] = [];
  for (const [test, body] of Object.entries(recorded)) {
    const content = (body as { 'recorded-content'?: Record<string, unknown> })['recorded-content'] ?? {};
    for (const [key, v] of Object.entries(content)) {
      const err = (v as { Error?: { Code?: string; Message?: string } } | null)?.Error;
      if (err?.Code === 'ValidationException') records.push({ test, key, code: err.Code, message: err.Message ?? '' });
    }
  }

  // Values added to KeySpec / KeyUsageType after the 2023 recordings; the message appends them.
  const addedSince = (all: readonly string[], msg: string) => {
    const listed = msg.slice(msg.lastIndexOf('[') + 1, -1).split(', ');
    return all.filter((x) => !listed.includes(x));
  };
  const withAdded = (msg: string, added: string[]) => `${msg.slice(0, -1)}, ${added.join(', ')}]`;
  const quoted = (msg: string) => /Value '(.*)' at '/s.exec(msg)![1];

  // test-name pattern + content key -> how to reproduce it.
  const mappers: { match: (r: Rec) => boolean; run: (r: Rec) => [OperationName, Record<string, unknown>, string] }[] = [
    {
      match: (r) => r.test.includes('test_generate_random_invalid_number_of_bytes['),
      run: (r) => {
        const param = /\[(.*)\]$/.exec(r.test)![1];
        return ['GenerateRandom', param === 'None' ? {} : { NumberOfBytes: Number(param) }, r.message];
      },
    },
    {
      match: (r) => r.test.endsWith('::test_create_alias') && r.key === 'create_alias',
      run: (r) => ['CreateAlias', { AliasName: 'no-prefix', TargetKeyId: KEY }, r.message],
    },
    {
      match: (r) => r.key === 'create-hmac-key-without-key-usage',
      run: (r) => ['CreateKey', { KeySpec: 'HMAC_256' }, r.message],
    },
    {
      match: (r) => r.key === 'create-hmac-key-invalid-spec',
      run: (r) => {
        const added = addedSince(KEY_SPECS, r.message);
        expect(added).toEqual([
          'ECC_NIST_EDWARDS25519',
          'SM2',
          'ML_DSA_44',
          'ML_DSA_65',
          'ML_DSA_87',
          'ML_KEM_512',
          'ML_KEM_768',
          'ML_KEM_1024',
        ]);
        return [
          'CreateKey',
          { KeySpec: quoted(r.message), KeyUsage: 'GENERATE_VERIFY_MAC' },
          withAdded(r.message, added),
        ];
      },
    },
    {
      match: (r) => r.key === 'create-hmac-key-invalid-key-usage',
      run: (r) => {
        const added = addedSince(KEY_USAGE_TYPES, r.message);
        expect(added).toEqual(['KEY_AGREEMENT', 'ENCAPSULATE_DECAPSULATE']);
        return ['CreateKey', { KeySpec: 'HMAC_256', KeyUsage: quoted(r.message) }, withAdded(r.message, added)];
      },
    },
    {
      match: (r) => r.key === 'invalid-plaintext-size-encrypt',
      run: (r) => ['Encrypt', { KeyId: KEY, Plaintext: new Uint8Array(4097) }, r.message],
    },
    {
      match: (r) => r.key === 'too-long-tag-value',
      run: (r) => ['CreateKey', { Tags: [{ TagKey: 'k', TagValue: quoted(r.message) }] }, r.message],
    },
    {
      match: (r) => r.key === 'invalid-tag-key',
      run: (r) => ['CreateKey', { Tags: [{ TagKey: quoted(r.message), TagValue: 'v' }] }, r.message],
    },
  ];

  const mapped = records.flatMap((r) => {
    const m = mappers.find((x) => x.match(r));
    return m ? [{ r, m }] : [];
  });

  it('found the recorded validation messages and maps the ten that concern our operations', () => {
    expect(records.length).toBeGreaterThanOrEqual(20);
    expect(mapped).toHaveLength(10);
    // Those left are checks the engine or other operations make (RSA plaintext size per key,
    // Sign digest length, GenerateMac/VerifyMac, ImportKeyMaterial, DeriveSharedSecret).
    const rest = records
      .filter((r) => !mapped.some((x) => x.r === r))
      .map((r) => r.test.replace(/^.*::/, '').replace(/\[.*$/, ''));
    expect(new Set(rest)).toEqual(
      new Set([
        'test_encrypt_validate_plaintext_size_per_key_type',
        'test_sign_verify',
        'test_invalid_generate_mac',
        'test_invalid_verify_mac',
        'test_import_key_symmetric',
        'test_derive_shared_secret',
      ]),
    );
  });

  it('reproduces each of them', () => {
    let checked = 0;
    for (const { r, m } of mapped) {
      const [op, input, expected] = m.run(r);
      expect(message(op, input), r.test).toBe(expected);
      checked++;
    }
    expect(checked).toBe(10);
  });
});
