// The table of authorization decisions, part 3: every KMS condition key and every global
// condition key the engine gives a request, at least once each with a value that passes and one
// that does not (AWS KMS Developer Guide "Condition keys for AWS KMS"; IAM User Guide "AWS global
// condition context keys"), and attribute-based access control: aws:ResourceTag against
// aws:PrincipalTag through a policy variable, aws:RequestTag and aws:TagKeys on TagResource,
// UntagResource and CreateKey.

import { describe, it } from 'vitest';
import { MemoryKeyStore } from '../../src/kms/index.js';
import {
  A,
  B,
  PEER_P256,
  doc,
  ip,
  kp,
  root,
  runRow,
  type Caller,
  type Condition,
  type Expect,
  type KeySetup,
  type KeyRefs,
  type Row,
} from './authorization-table/world.js';
import {
  ADMIN,
  ALICE,
  APP_ROLE,
  BOB,
  CAROL,
  POLICIES,
  PT,
  encrypt,
  withIdentity,
} from './authorization-table/library.js';

/** A key policy allowing Principal "*" the action when `condition` holds. */
const allowIf = (action: string | string[], condition?: Condition) => doc(kp('Allow', '*', action, condition));
/** A key policy allowing root and Principal "*" everything, denying Principal "*" the action when `condition` holds. */
const denyIf = (action: string, condition: Condition) =>
  doc(kp('Allow', root(A), 'kms:*'), kp('Allow', '*', 'kms:*'), kp('Deny', '*', action, condition));

const no = (why: 'no-resource' | 'no-identity' | 'explicit-resource' | 'explicit-identity', on?: '*'): Expect =>
  on === undefined ? { why } : { why, on };

const DIGEST = new Uint8Array(32).fill(7);
const ECC_SIGN = { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' };
const HMAC = { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' };
const AGREE = { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' };

function row(
  name: string,
  key: KeySetup | undefined,
  caller: Caller | ((k: KeyRefs) => Caller),
  op: Row['op'],
  input: Row['input'],
  expect: Expect,
): Row {
  return { name, key, caller, op, input, expect };
}

const sign =
  (extra: Record<string, unknown> = {}) =>
  (k: KeyRefs) => ({
    KeyId: k.arn,
    Message: PT,
    SigningAlgorithm: 'ECDSA_SHA_256',
    ...extra,
  });
const grant = (extra: Record<string, unknown>) => (k: KeyRefs) => ({
  KeyId: k.arn,
  GranteePrincipal: APP_ROLE,
  Operations: ['Decrypt'],
  ...extra,
});
const createKey =
  (extra: Record<string, unknown> = {}) =>
  () =>
    extra;
const creator = (condition: Condition) =>
  withIdentity(ALICE, ip('Allow', ['kms:CreateKey', 'kms:TagResource'], '*', condition));
const alice: Caller = { principal: ALICE };
const tags = (t: Record<string, string>) => Object.entries(t).map(([TagKey, TagValue]) => ({ TagKey, TagValue }));

const rows: Row[] = [
  // ---- kms:EncryptionContext:<key> and kms:EncryptionContextKeys on operations other than Encrypt
  row(
    'kms:EncryptionContext:<key> on Decrypt through the ciphertext',
    {
      policy: allowIf('kms:Decrypt', { StringEquals: { 'kms:EncryptionContext:project': 'alpha' } }),
      ciphertext: { project: 'alpha' },
    },
    alice,
    'Decrypt',
    (k) => ({ CiphertextBlob: k.blob, EncryptionContext: { project: 'alpha' } }),
    'allowed',
  ),
  row(
    'kms:EncryptionContext:<key> on GenerateDataKey: another value',
    { policy: allowIf('kms:GenerateDataKey', { StringEquals: { 'kms:EncryptionContext:project': 'alpha' } }) },
    alice,
    'GenerateDataKey',
    (k) => ({ KeyId: k.arn, KeySpec: 'AES_256', EncryptionContext: { project: 'beta' } }),
    no('no-resource'),
  ),
  row(
    'kms:EncryptionContextKeys on GenerateDataKeyWithoutPlaintext: the key is present',
    {
      policy: allowIf('kms:GenerateDataKey*', {
        'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'tenant' },
      }),
    },
    alice,
    'GenerateDataKeyWithoutPlaintext',
    (k) => ({ KeyId: k.arn, NumberOfBytes: 16, EncryptionContext: { tenant: 't1' } }),
    'allowed',
  ),

  // ---- kms:DataKeyPairSpec
  row(
    'kms:DataKeyPairSpec: GenerateDataKeyPairWithoutPlaintext of the allowed spec',
    { policy: allowIf('kms:GenerateDataKeyPair*', { StringEquals: { 'kms:DataKeyPairSpec': 'ECC_NIST_P256' } }) },
    alice,
    'GenerateDataKeyPairWithoutPlaintext',
    (k) => ({ KeyId: k.arn, KeyPairSpec: 'ECC_NIST_P256' }),
    'allowed',
  ),
  row(
    'kms:DataKeyPairSpec: GenerateDataKeyPair of another spec',
    { policy: allowIf('kms:GenerateDataKeyPair*', { StringEquals: { 'kms:DataKeyPairSpec': 'ECC_NIST_P256' } }) },
    alice,
    'GenerateDataKeyPair',
    (k) => ({ KeyId: k.arn, KeyPairSpec: 'RSA_4096' }),
    no('no-resource'),
  ),
  row(
    'kms:DataKeyPairSpec with StringLike "ECC_*": ECC_NIST_P384',
    { policy: allowIf('kms:GenerateDataKeyPair', { StringLike: { 'kms:DataKeyPairSpec': 'ECC_*' } }) },
    alice,
    'GenerateDataKeyPair',
    (k) => ({ KeyId: k.arn, KeyPairSpec: 'ECC_NIST_P384' }),
    'allowed',
  ),

  // ---- kms:KeySpec, kms:KeyUsage, kms:KeyOrigin, kms:MultiRegion, kms:MultiRegionKeyType of an existing key
  row(
    'kms:KeySpec of the key: ECC_NIST_P256 for Sign',
    { policy: allowIf('kms:Sign', { StringEquals: { 'kms:KeySpec': 'ECC_NIST_P256' } }), create: ECC_SIGN },
    alice,
    'Sign',
    sign(),
    'allowed',
  ),
  row(
    'kms:KeySpec of the key: a symmetric key is not RSA_2048',
    { policy: allowIf('kms:Encrypt', { StringEquals: { 'kms:KeySpec': 'RSA_2048' } }) },
    alice,
    'Encrypt',
    encrypt(),
    no('no-resource'),
  ),
  row(
    'kms:KeySpec of the key: SYMMETRIC_DEFAULT',
    { policy: allowIf('kms:Encrypt', { StringEquals: { 'kms:KeySpec': 'SYMMETRIC_DEFAULT' } }) },
    alice,
    'Encrypt',
    encrypt(),
    'allowed',
  ),
  row(
    'kms:KeyUsage of the key: SIGN_VERIFY for Sign',
    { policy: allowIf('kms:Sign', { StringEquals: { 'kms:KeyUsage': 'SIGN_VERIFY' } }), create: ECC_SIGN },
    alice,
    'Sign',
    sign(),
    'allowed',
  ),
  row(
    'kms:KeyUsage of the key: a signing key is not ENCRYPT_DECRYPT',
    { policy: allowIf('kms:GetPublicKey', { StringEquals: { 'kms:KeyUsage': 'ENCRYPT_DECRYPT' } }), create: ECC_SIGN },
    alice,
    'GetPublicKey',
    (k) => ({ KeyId: k.arn }),
    no('no-resource'),
  ),
  row(
    'kms:KeyOrigin of the key: AWS_KMS',
    { policy: allowIf('kms:Encrypt', { StringEquals: { 'kms:KeyOrigin': 'AWS_KMS' } }) },
    alice,
    'Encrypt',
    encrypt(),
    'allowed',
  ),
  row(
    'kms:KeyOrigin of the key: EXTERNAL for a key awaiting its material (DescribeKey)',
    {
      policy: allowIf('kms:DescribeKey', { StringEquals: { 'kms:KeyOrigin': 'EXTERNAL' } }),
      create: { Origin: 'EXTERNAL' },
    },
    alice,
    'DescribeKey',
    (k) => ({ KeyId: k.arn }),
    'allowed',
  ),
  row(
    'kms:KeyOrigin of the key: an AWS_KMS key is not EXTERNAL',
    { policy: allowIf('kms:DescribeKey', { StringEquals: { 'kms:KeyOrigin': 'EXTERNAL' } }) },
    alice,
    'DescribeKey',
    (k) => ({ KeyId: k.arn }),
    no('no-resource'),
  ),
  row(
    'kms:MultiRegion of the key: a multi-Region key',
    { policy: allowIf('kms:Encrypt', { Bool: { 'kms:MultiRegion': 'true' } }), create: { MultiRegion: true } },
    alice,
    'Encrypt',
    encrypt(),
    'allowed',
  ),
  row(
    'kms:MultiRegionKeyType of the key: a multi-Region key without replicas is PRIMARY',
    {
      policy: allowIf('kms:Encrypt', { StringEquals: { 'kms:MultiRegionKeyType': 'PRIMARY' } }),
      create: { MultiRegion: true },
    },
    alice,
    'Encrypt',
    encrypt(),
    'allowed',
  ),
  row(
    'kms:MultiRegionKeyType of a single-Region key is absent (Null true)',
    { policy: allowIf('kms:Encrypt', { Null: { 'kms:MultiRegionKeyType': 'true' } }) },
    alice,
    'Encrypt',
    encrypt(),
    'allowed',
  ),
  row(
    'kms:MultiRegionKeyType of the key: a primary key is not REPLICA',
    {
      policy: allowIf('kms:Encrypt', { StringEquals: { 'kms:MultiRegionKeyType': 'REPLICA' } }),
      create: { MultiRegion: true },
    },
    alice,
    'Encrypt',
    encrypt(),
    no('no-resource'),
  ),

  // ---- CreateKey: kms:KeySpec / KeyUsage / KeyOrigin / MultiRegion from the request (defaults when absent)
  row(
    'CreateKey kms:KeySpec: HMAC_256 requested, HMAC_* allowed',
    undefined,
    creator({ StringLike: { 'kms:KeySpec': 'HMAC_*' } }),
    'CreateKey',
    createKey(HMAC),
    'allowed',
  ),
  row(
    'CreateKey kms:KeySpec: the default SYMMETRIC_DEFAULT is not HMAC_*',
    undefined,
    creator({ StringLike: { 'kms:KeySpec': 'HMAC_*' } }),
    'CreateKey',
    createKey(),
    no('no-identity', '*'),
  ),
  row(
    'CreateKey kms:KeyUsage: the default ENCRYPT_DECRYPT',
    undefined,
    creator({ StringEquals: { 'kms:KeyUsage': 'ENCRYPT_DECRYPT' } }),
    'CreateKey',
    createKey(),
    'allowed',
  ),
  row(
    'CreateKey kms:KeyUsage: SIGN_VERIFY requested, ENCRYPT_DECRYPT allowed',
    undefined,
    creator({ StringEquals: { 'kms:KeyUsage': 'ENCRYPT_DECRYPT' } }),
    'CreateKey',
    createKey(ECC_SIGN),
    no('no-identity', '*'),
  ),
  row(
    'CreateKey kms:KeyOrigin: the default AWS_KMS',
    undefined,
    creator({ StringEquals: { 'kms:KeyOrigin': 'AWS_KMS' } }),
    'CreateKey',
    createKey(),
    'allowed',
  ),
  row(
    'CreateKey kms:KeyOrigin: EXTERNAL requested, AWS_KMS allowed',
    undefined,
    creator({ StringEquals: { 'kms:KeyOrigin': 'AWS_KMS' } }),
    'CreateKey',
    createKey({ Origin: 'EXTERNAL' }),
    no('no-identity', '*'),
  ),
  row(
    'CreateKey kms:MultiRegion: true requested, false allowed',
    undefined,
    creator({ Bool: { 'kms:MultiRegion': 'false' } }),
    'CreateKey',
    createKey({ MultiRegion: true }),
    no('no-identity', '*'),
  ),
  row(
    'CreateKey kms:MultiRegion: the default false',
    undefined,
    creator({ Bool: { 'kms:MultiRegion': 'false' } }),
    'CreateKey',
    createKey(),
    'allowed',
  ),
  row(
    'CreateKey kms:MultiRegion: true requested and allowed',
    undefined,
    creator({ Bool: { 'kms:MultiRegion': 'true' } }),
    'CreateKey',
    createKey({ MultiRegion: true }),
    'allowed',
  ),

  // ---- kms:CallerAccount, aws:PrincipalAccount
  row(
    'kms:CallerAccount: Principal "*" limited to account B, a B user with an identity policy',
    { policy: allowIf('kms:Encrypt', { StringEquals: { 'kms:CallerAccount': B } }) },
    withIdentity(BOB, ip('Allow', 'kms:Encrypt')),
    'Encrypt',
    encrypt(),
    'allowed',
  ),
  row(
    'kms:CallerAccount: Principal "*" limited to account B, a user of the key\'s own account',
    { policy: allowIf('kms:Encrypt', { StringEquals: { 'kms:CallerAccount': B } }) },
    alice,
    'Encrypt',
    encrypt(),
    no('no-resource'),
  ),
  row(
    "kms:CallerAccount: the key's own account",
    { policy: allowIf('kms:DescribeKey', { StringEquals: { 'kms:CallerAccount': A } }) },
    alice,
    'DescribeKey',
    (k) => ({ KeyId: k.arn }),
    'allowed',
  ),
  row(
    'aws:PrincipalAccount: account B allowed, a B user with an identity policy',
    { policy: allowIf('kms:Encrypt', { StringEquals: { 'aws:PrincipalAccount': B } }) },
    withIdentity(BOB, ip('Allow', 'kms:Encrypt')),
    'Encrypt',
    encrypt(),
    'allowed',
  ),
  row(
    'aws:PrincipalAccount: account B allowed, a user of A',
    { policy: allowIf('kms:Encrypt', { StringEquals: { 'aws:PrincipalAccount': B } }) },
    alice,
    'Encrypt',
    encrypt(),
    no('no-resource'),
  ),

  // ---- kms:EncryptionAlgorithm, kms:SigningAlgorithm, kms:MessageType, kms:MacAlgorithm, kms:KeyAgreementAlgorithm
  row(
    'kms:EncryptionAlgorithm: Encrypt without the parameter is SYMMETRIC_DEFAULT',
    { policy: allowIf('kms:Encrypt', { StringEquals: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' } }) },
    alice,
    'Encrypt',
    encrypt(),
    'allowed',
  ),
  row(
    'kms:EncryptionAlgorithm: GenerateDataKey is SYMMETRIC_DEFAULT',
    { policy: allowIf('kms:GenerateDataKey', { StringEquals: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' } }) },
    alice,
    'GenerateDataKey',
    (k) => ({ KeyId: k.arn, KeySpec: 'AES_256' }),
    'allowed',
  ),
  row(
    'kms:EncryptionAlgorithm: a symmetric Encrypt is not RSAES_OAEP_SHA_256',
    { policy: allowIf('kms:Encrypt', { StringEquals: { 'kms:EncryptionAlgorithm': 'RSAES_OAEP_SHA_256' } }) },
    alice,
    'Encrypt',
    encrypt(),
    no('no-resource'),
  ),
  row(
    'kms:EncryptionAlgorithm: Decrypt naming SYMMETRIC_DEFAULT',
    {
      policy: allowIf('kms:Decrypt', { StringEquals: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' } }),
      ciphertext: {},
    },
    alice,
    'Decrypt',
    (k) => ({ CiphertextBlob: k.blob, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }),
    'allowed',
  ),
  row(
    'kms:SigningAlgorithm: the allowed algorithm',
    { policy: allowIf('kms:Sign', { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256' } }), create: ECC_SIGN },
    alice,
    'Sign',
    sign(),
    'allowed',
  ),
  row(
    'kms:SigningAlgorithm: another algorithm allowed only',
    { policy: allowIf('kms:Sign', { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_384' } }), create: ECC_SIGN },
    alice,
    'Sign',
    sign(),
    no('no-resource'),
  ),
  row(
    'kms:SigningAlgorithm on Verify: allowed, the signature is then found invalid',
    { policy: allowIf('kms:Verify', { StringLike: { 'kms:SigningAlgorithm': 'ECDSA_*' } }), create: ECC_SIGN },
    alice,
    'Verify',
    sign({ Signature: new Uint8Array(70).fill(1) }),
    { error: 'KMSInvalidSignatureException' },
  ),
  row(
    'kms:MessageType: Sign without MessageType is RAW',
    { policy: allowIf('kms:Sign', { StringEquals: { 'kms:MessageType': 'RAW' } }), create: ECC_SIGN },
    alice,
    'Sign',
    sign(),
    'allowed',
  ),
  row(
    'kms:MessageType: DIGEST where only RAW is allowed',
    { policy: allowIf('kms:Sign', { StringEquals: { 'kms:MessageType': 'RAW' } }), create: ECC_SIGN },
    alice,
    'Sign',
    sign({ Message: DIGEST, MessageType: 'DIGEST' }),
    no('no-resource'),
  ),
  row(
    'kms:MessageType: a Deny of DIGEST',
    { policy: denyIf('kms:Sign', { StringEquals: { 'kms:MessageType': 'DIGEST' } }), create: ECC_SIGN },
    alice,
    'Sign',
    sign({ Message: DIGEST, MessageType: 'DIGEST' }),
    no('explicit-resource'),
  ),
  row(
    'kms:MacAlgorithm: the allowed algorithm',
    { policy: allowIf('kms:GenerateMac', { StringEquals: { 'kms:MacAlgorithm': 'HMAC_SHA_256' } }), create: HMAC },
    alice,
    'GenerateMac',
    (k) => ({ KeyId: k.arn, Message: PT, MacAlgorithm: 'HMAC_SHA_256' }),
    'allowed',
  ),
  row(
    'kms:MacAlgorithm: another algorithm allowed only',
    { policy: allowIf('kms:GenerateMac', { StringEquals: { 'kms:MacAlgorithm': 'HMAC_SHA_512' } }), create: HMAC },
    alice,
    'GenerateMac',
    (k) => ({ KeyId: k.arn, Message: PT, MacAlgorithm: 'HMAC_SHA_256' }),
    no('no-resource'),
  ),
  row(
    'kms:KeyAgreementAlgorithm: ECDH allowed',
    {
      policy: allowIf('kms:DeriveSharedSecret', { StringEquals: { 'kms:KeyAgreementAlgorithm': 'ECDH' } }),
      create: AGREE,
    },
    alice,
    'DeriveSharedSecret',
    (k) => ({ KeyId: k.arn, KeyAgreementAlgorithm: 'ECDH', PublicKey: PEER_P256 }),
    'allowed',
  ),
  row(
    'kms:KeyAgreementAlgorithm: everything but ECDH allowed',
    {
      policy: allowIf('kms:DeriveSharedSecret', { StringNotEquals: { 'kms:KeyAgreementAlgorithm': 'ECDH' } }),
      create: AGREE,
    },
    alice,
    'DeriveSharedSecret',
    (k) => ({ KeyId: k.arn, KeyAgreementAlgorithm: 'ECDH', PublicKey: PEER_P256 }),
    no('no-resource'),
  ),

  // ---- grant condition keys on CreateGrant
  row(
    'kms:GrantOperations: every operation of the grant is allowed',
    {
      policy: allowIf('kms:CreateGrant', {
        'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Decrypt', 'Encrypt'] },
      }),
    },
    alice,
    'CreateGrant',
    grant({ Operations: ['Decrypt'] }),
    'allowed',
  ),
  row(
    'kms:GrantOperations: one operation of the grant is not allowed',
    {
      policy: allowIf('kms:CreateGrant', {
        'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Decrypt', 'Encrypt'] },
      }),
    },
    alice,
    'CreateGrant',
    grant({ Operations: ['Decrypt', 'ReEncryptFrom'] }),
    no('no-resource'),
  ),
  row(
    'kms:GrantOperations: a Deny of grants that pass on CreateGrant',
    { policy: denyIf('kms:CreateGrant', { 'ForAnyValue:StringEquals': { 'kms:GrantOperations': 'CreateGrant' } }) },
    alice,
    'CreateGrant',
    grant({ Operations: ['Decrypt', 'CreateGrant'] }),
    no('explicit-resource'),
  ),
  row(
    'kms:GranteePrincipal: the allowed grantee',
    { policy: allowIf('kms:CreateGrant', { StringEquals: { 'kms:GranteePrincipal': APP_ROLE } }) },
    alice,
    'CreateGrant',
    grant({}),
    'allowed',
  ),
  row(
    'kms:GranteePrincipal: another grantee',
    { policy: allowIf('kms:CreateGrant', { StringEquals: { 'kms:GranteePrincipal': APP_ROLE } }) },
    alice,
    'CreateGrant',
    grant({ GranteePrincipal: CAROL }),
    no('no-resource'),
  ),
  row(
    'kms:RetiringPrincipal: the allowed retiring principal',
    { policy: allowIf('kms:CreateGrant', { StringEquals: { 'kms:RetiringPrincipal': ADMIN } }) },
    alice,
    'CreateGrant',
    grant({ RetiringPrincipal: ADMIN }),
    'allowed',
  ),
  row(
    'kms:RetiringPrincipal: a grant without a retiring principal (missing key)',
    { policy: allowIf('kms:CreateGrant', { StringEquals: { 'kms:RetiringPrincipal': ADMIN } }) },
    alice,
    'CreateGrant',
    grant({}),
    no('no-resource'),
  ),
  row(
    'kms:GrantIsForAWSResource: true required, a direct call',
    { policy: allowIf('kms:CreateGrant', { Bool: { 'kms:GrantIsForAWSResource': 'true' } }) },
    alice,
    'CreateGrant',
    grant({}),
    no('no-resource'),
  ),
  row(
    'kms:GrantIsForAWSResource: false for a direct call',
    { policy: allowIf('kms:CreateGrant', { Bool: { 'kms:GrantIsForAWSResource': 'false' } }) },
    alice,
    'CreateGrant',
    grant({}),
    'allowed',
  ),
  row(
    'kms:GrantConstraintType: EncryptionContextSubset requested and required',
    { policy: allowIf('kms:CreateGrant', { StringEquals: { 'kms:GrantConstraintType': 'EncryptionContextSubset' } }) },
    alice,
    'CreateGrant',
    grant({ Constraints: { EncryptionContextSubset: { project: 'alpha' } } }),
    'allowed',
  ),
  row(
    'kms:GrantConstraintType: EncryptionContextEquals where Subset is required',
    { policy: allowIf('kms:CreateGrant', { StringEquals: { 'kms:GrantConstraintType': 'EncryptionContextSubset' } }) },
    alice,
    'CreateGrant',
    grant({ Constraints: { EncryptionContextEquals: { project: 'alpha' } } }),
    no('no-resource'),
  ),
  row(
    'kms:GrantConstraintType: a grant without constraints (missing key)',
    { policy: allowIf('kms:CreateGrant', { StringEquals: { 'kms:GrantConstraintType': 'EncryptionContextSubset' } }) },
    alice,
    'CreateGrant',
    grant({}),
    no('no-resource'),
  ),

  // ---- kms:RequestAlias, kms:ResourceAliases
  row(
    'kms:RequestAlias: the key named by an allowed alias',
    { policy: allowIf('kms:Encrypt', { StringLike: { 'kms:RequestAlias': 'alias/app-*' } }), aliases: ['app-'] },
    alice,
    'Encrypt',
    encrypt(undefined, (k) => k.aliases[0]),
    'allowed',
  ),
  row(
    'kms:RequestAlias: the key named by its ARN (missing key)',
    { policy: allowIf('kms:Encrypt', { StringLike: { 'kms:RequestAlias': 'alias/app-*' } }), aliases: ['app-'] },
    alice,
    'Encrypt',
    encrypt(),
    no('no-resource'),
  ),
  row(
    'kms:RequestAlias: the key named by another of its aliases',
    {
      policy: allowIf('kms:Encrypt', { StringLike: { 'kms:RequestAlias': 'alias/app-*' } }),
      aliases: ['app-', 'web-'],
    },
    alice,
    'Encrypt',
    encrypt(undefined, (k) => k.aliases[1]),
    no('no-resource'),
  ),
  row(
    'kms:RequestAlias: a Deny of one alias',
    { policy: denyIf('kms:Encrypt', { StringLike: { 'kms:RequestAlias': 'alias/old-*' } }), aliases: ['old-'] },
    alice,
    'Encrypt',
    encrypt(undefined, (k) => k.aliases[0]),
    no('explicit-resource'),
  ),
  row(
    'kms:ResourceAliases: the key has an allowed alias, named by ARN',
    {
      policy: allowIf('kms:Encrypt', { 'ForAnyValue:StringLike': { 'kms:ResourceAliases': 'alias/finance-*' } }),
      aliases: ['other-', 'finance-'],
    },
    alice,
    'Encrypt',
    encrypt(),
    'allowed',
  ),
  row(
    'kms:ResourceAliases: the key has only other aliases',
    {
      policy: allowIf('kms:Encrypt', { 'ForAnyValue:StringLike': { 'kms:ResourceAliases': 'alias/finance-*' } }),
      aliases: ['other-'],
    },
    alice,
    'Encrypt',
    encrypt(),
    no('no-resource'),
  ),
  row(
    'kms:ResourceAliases: the key has no alias',
    { policy: allowIf('kms:Encrypt', { 'ForAnyValue:StringLike': { 'kms:ResourceAliases': 'alias/finance-*' } }) },
    alice,
    'Encrypt',
    encrypt(),
    no('no-resource'),
  ),

  // ---- kms:ScheduleKeyDeletionPendingWindowInDays, kms:BypassPolicyLockoutSafetyCheck, kms:ReplicaRegion, kms:PrimaryRegion
  row(
    'kms:ScheduleKeyDeletionPendingWindowInDays: 30 >= 14',
    {
      policy: allowIf('kms:ScheduleKeyDeletion', {
        NumericGreaterThanEquals: { 'kms:ScheduleKeyDeletionPendingWindowInDays': '14' },
      }),
    },
    alice,
    'ScheduleKeyDeletion',
    (k) => ({ KeyId: k.arn, PendingWindowInDays: 30 }),
    'allowed',
  ),
  row(
    'kms:ScheduleKeyDeletionPendingWindowInDays: 7 is not >= 14',
    {
      policy: allowIf('kms:ScheduleKeyDeletion', {
        NumericGreaterThanEquals: { 'kms:ScheduleKeyDeletionPendingWindowInDays': '14' },
      }),
    },
    alice,
    'ScheduleKeyDeletion',
    (k) => ({ KeyId: k.arn, PendingWindowInDays: 7 }),
    no('no-resource'),
  ),
  row(
    'kms:BypassPolicyLockoutSafetyCheck: PutKeyPolicy bypassing the check under a Deny of it',
    { policy: denyIf('kms:PutKeyPolicy', { Bool: { 'kms:BypassPolicyLockoutSafetyCheck': 'true' } }) },
    {},
    'PutKeyPolicy',
    (k) => ({
      KeyId: k.arn,
      PolicyName: 'default',
      Policy: JSON.stringify(POLICIES.rootOnly()),
      BypassPolicyLockoutSafetyCheck: true,
    }),
    no('explicit-resource'),
  ),
  row(
    'kms:BypassPolicyLockoutSafetyCheck: PutKeyPolicy not bypassing the check under a Deny of bypassing',
    { policy: denyIf('kms:PutKeyPolicy', { Bool: { 'kms:BypassPolicyLockoutSafetyCheck': 'true' } }) },
    {},
    'PutKeyPolicy',
    (k) => ({
      KeyId: k.arn,
      PolicyName: 'default',
      Policy: JSON.stringify(POLICIES.rootOnly()),
      BypassPolicyLockoutSafetyCheck: false,
    }),
    'allowed',
  ),
  row(
    'kms:BypassPolicyLockoutSafetyCheck: CreateKey bypassing the check under an identity Deny of it',
    undefined,
    withIdentity(
      ALICE,
      ip('Allow', 'kms:CreateKey'),
      ip('Deny', 'kms:CreateKey', '*', { Bool: { 'kms:BypassPolicyLockoutSafetyCheck': 'true' } }),
    ),
    'CreateKey',
    createKey({ Policy: JSON.stringify(POLICIES.rootOnly()), BypassPolicyLockoutSafetyCheck: true }),
    no('explicit-identity', '*'),
  ),
  row(
    'kms:ReplicaRegion: ReplicateKey to the allowed Region',
    {
      policy: denyIf('kms:ReplicateKey', { StringNotEquals: { 'kms:ReplicaRegion': 'us-west-2' } }),
      create: { MultiRegion: true },
    },
    {},
    'ReplicateKey',
    (k) => ({ KeyId: k.arn, ReplicaRegion: 'us-west-2' }),
    'allowed',
  ),
  row(
    'kms:ReplicaRegion: ReplicateKey to another Region',
    {
      policy: denyIf('kms:ReplicateKey', { StringNotEquals: { 'kms:ReplicaRegion': 'us-west-2' } }),
      create: { MultiRegion: true },
    },
    {},
    'ReplicateKey',
    (k) => ({ KeyId: k.arn, ReplicaRegion: 'eu-west-1' }),
    no('explicit-resource'),
  ),
  row(
    'kms:PrimaryRegion: UpdatePrimaryRegion to a Region the Deny names',
    {
      policy: denyIf('kms:UpdatePrimaryRegion', { StringEquals: { 'kms:PrimaryRegion': 'us-west-2' } }),
      create: { MultiRegion: true },
      replicaIn: 'us-west-2',
    },
    {},
    'UpdatePrimaryRegion',
    (k) => ({ KeyId: k.arn, PrimaryRegion: 'us-west-2' }),
    no('explicit-resource'),
  ),
  row(
    'kms:PrimaryRegion: UpdatePrimaryRegion to a Region the Deny does not name',
    {
      policy: denyIf('kms:UpdatePrimaryRegion', { StringEquals: { 'kms:PrimaryRegion': 'eu-west-1' } }),
      create: { MultiRegion: true },
      replicaIn: 'us-west-2',
    },
    {},
    'UpdatePrimaryRegion',
    (k) => ({ KeyId: k.arn, PrimaryRegion: 'us-west-2' }),
    'allowed',
  ),

  // ---- aws:PrincipalType, aws:username, aws:PrincipalTag, aws:ResourceTag
  row(
    'aws:PrincipalType: User for an IAM user',
    { policy: allowIf('kms:Encrypt', { StringEquals: { 'aws:PrincipalType': 'User' } }) },
    alice,
    'Encrypt',
    encrypt(),
    'allowed',
  ),
  row(
    'aws:PrincipalType: AssumedRole for a role session',
    { policy: allowIf('kms:Encrypt', { StringEquals: { 'aws:PrincipalType': 'AssumedRole' } }) },
    { principal: APP_ROLE },
    'Encrypt',
    encrypt(),
    'allowed',
  ),
  row(
    'aws:PrincipalType: Account for the root user',
    { policy: allowIf('kms:Encrypt', { StringEquals: { 'aws:PrincipalType': 'Account' } }) },
    {},
    'Encrypt',
    encrypt(),
    'allowed',
  ),
  row(
    'aws:PrincipalType: the root user is not User',
    { policy: allowIf('kms:Encrypt', { StringEquals: { 'aws:PrincipalType': 'User' } }) },
    {},
    'Encrypt',
    encrypt(),
    no('no-resource'),
  ),
  row(
    'aws:username: the user',
    { policy: allowIf('kms:Encrypt', { StringEquals: { 'aws:username': 'alice' } }) },
    alice,
    'Encrypt',
    encrypt(),
    'allowed',
  ),
  row(
    'aws:username: another user',
    { policy: allowIf('kms:Encrypt', { StringEquals: { 'aws:username': 'alice' } }) },
    { principal: CAROL },
    'Encrypt',
    encrypt(),
    no('no-resource'),
  ),
  row(
    'aws:PrincipalTag/<k>: the tag value',
    { policy: allowIf('kms:Encrypt', { StringEquals: { 'aws:PrincipalTag/team': 'blue' } }) },
    { principal: ALICE, tags: { team: 'blue' } },
    'Encrypt',
    encrypt(),
    'allowed',
  ),
  row(
    'aws:PrincipalTag/<k>: another value',
    { policy: allowIf('kms:Encrypt', { StringEquals: { 'aws:PrincipalTag/team': 'blue' } }) },
    { principal: ALICE, tags: { team: 'red' } },
    'Encrypt',
    encrypt(),
    no('no-resource'),
  ),
  row(
    'aws:PrincipalTag/<k>: an untagged principal',
    { policy: allowIf('kms:Encrypt', { StringEquals: { 'aws:PrincipalTag/team': 'blue' } }) },
    alice,
    'Encrypt',
    encrypt(),
    no('no-resource'),
  ),
  row(
    'aws:ResourceTag/<k>: the key carries the tag',
    { policy: allowIf('kms:Encrypt', { StringEquals: { 'aws:ResourceTag/env': 'dev' } }), tags: { env: 'dev' } },
    alice,
    'Encrypt',
    encrypt(),
    'allowed',
  ),
  row(
    'aws:ResourceTag/<k>: the key carries another value',
    { policy: allowIf('kms:Encrypt', { StringEquals: { 'aws:ResourceTag/env': 'dev' } }), tags: { env: 'prod' } },
    alice,
    'Encrypt',
    encrypt(),
    no('no-resource'),
  ),
  row(
    'aws:ResourceTag/<k>: an untagged key',
    { policy: allowIf('kms:Encrypt', { StringEquals: { 'aws:ResourceTag/env': 'dev' } }) },
    alice,
    'Encrypt',
    encrypt(),
    no('no-resource'),
  ),

  // ---- ABAC: the key's tag against the principal's tag through a policy variable
  row(
    'ABAC: aws:ResourceTag/team equal to ${aws:PrincipalTag/team}',
    { policy: POLICIES.rootOnly(), tags: { team: 'blue' } },
    {
      principal: ALICE,
      tags: { team: 'blue' },
      identity: [
        doc(ip('Allow', 'kms:Encrypt', '*', { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } })),
      ],
    },
    'Encrypt',
    encrypt(),
    'allowed',
  ),
  row(
    'ABAC: aws:ResourceTag/team differs from ${aws:PrincipalTag/team}',
    { policy: POLICIES.rootOnly(), tags: { team: 'red' } },
    {
      principal: ALICE,
      tags: { team: 'blue' },
      identity: [
        doc(ip('Allow', 'kms:Encrypt', '*', { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } })),
      ],
    },
    'Encrypt',
    encrypt(),
    no('no-identity'),
  ),
  row(
    // IAM User Guide, policy variables: a variable whose key is missing makes the condition false.
    'ABAC: a principal without the tag the policy variable reads',
    { policy: POLICIES.rootOnly(), tags: { team: 'blue' } },
    {
      principal: ALICE,
      identity: [
        doc(ip('Allow', 'kms:Encrypt', '*', { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } })),
      ],
    },
    'Encrypt',
    encrypt(),
    no('no-identity'),
  ),
  row(
    'ABAC: a role session with the matching principal tag',
    { policy: POLICIES.rootOnly(), tags: { team: 'green' } },
    {
      principal: APP_ROLE,
      tags: { team: 'green' },
      identity: [
        doc(ip('Allow', 'kms:*', '*', { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } })),
      ],
    },
    'GenerateDataKey',
    (k) => ({ KeyId: k.arn, KeySpec: 'AES_256' }),
    'allowed',
  ),
  row(
    'ABAC in the key policy: Principal "*" with aws:ResourceTag/team = ${aws:PrincipalTag/team}, matching',
    {
      policy: allowIf('kms:Encrypt', { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } }),
      tags: { team: 'blue' },
    },
    { principal: CAROL, tags: { team: 'blue' } },
    'Encrypt',
    encrypt(),
    'allowed',
  ),

  // ---- aws:RequestTag/<k>, aws:TagKeys on TagResource, UntagResource and CreateKey
  row(
    'aws:RequestTag/<k> on TagResource: an allowed value',
    { policy: POLICIES.rootOnly() },
    withIdentity(
      ALICE,
      ip('Allow', 'kms:TagResource', '*', { StringEquals: { 'aws:RequestTag/env': ['dev', 'test'] } }),
    ),
    'TagResource',
    (k) => ({ KeyId: k.arn, Tags: tags({ env: 'dev' }) }),
    'allowed',
  ),
  row(
    'aws:RequestTag/<k> on TagResource: another value',
    { policy: POLICIES.rootOnly() },
    withIdentity(
      ALICE,
      ip('Allow', 'kms:TagResource', '*', { StringEquals: { 'aws:RequestTag/env': ['dev', 'test'] } }),
    ),
    'TagResource',
    (k) => ({ KeyId: k.arn, Tags: tags({ env: 'prod' }) }),
    no('no-identity'),
  ),
  row(
    'aws:TagKeys on TagResource: every key allowed',
    { policy: POLICIES.rootOnly() },
    withIdentity(
      ALICE,
      ip('Allow', 'kms:TagResource', '*', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } }),
    ),
    'TagResource',
    (k) => ({ KeyId: k.arn, Tags: tags({ env: 'dev', team: 'blue' }) }),
    'allowed',
  ),
  row(
    'aws:TagKeys on TagResource: a key not allowed',
    { policy: POLICIES.rootOnly() },
    withIdentity(
      ALICE,
      ip('Allow', 'kms:TagResource', '*', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } }),
    ),
    'TagResource',
    (k) => ({ KeyId: k.arn, Tags: tags({ env: 'dev', owner: 'x' }) }),
    no('no-identity'),
  ),
  row(
    'aws:TagKeys on UntagResource: a Deny of removing "protected"',
    {
      policy: denyIf('kms:UntagResource', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'protected' } }),
      tags: { protected: 'yes', env: 'dev' },
    },
    alice,
    'UntagResource',
    (k) => ({ KeyId: k.arn, TagKeys: ['protected'] }),
    no('explicit-resource'),
  ),
  row(
    'aws:TagKeys on UntagResource: removing another tag',
    {
      policy: denyIf('kms:UntagResource', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'protected' } }),
      tags: { protected: 'yes', env: 'dev' },
    },
    alice,
    'UntagResource',
    (k) => ({ KeyId: k.arn, TagKeys: ['env'] }),
    'allowed',
  ),
  row(
    'aws:RequestTag/<k> on CreateKey: the required tag',
    undefined,
    creator({ StringEquals: { 'aws:RequestTag/team': 'blue' } }),
    'CreateKey',
    createKey({ Tags: tags({ team: 'blue' }) }),
    'allowed',
  ),
  row(
    'aws:RequestTag/<k> on CreateKey: another value',
    undefined,
    creator({ StringEquals: { 'aws:RequestTag/team': 'blue' } }),
    'CreateKey',
    createKey({ Tags: tags({ team: 'red' }) }),
    no('no-identity', '*'),
  ),
  row(
    'aws:RequestTag/<k> on CreateKey: no tags (missing key)',
    undefined,
    creator({ StringEquals: { 'aws:RequestTag/team': 'blue' } }),
    'CreateKey',
    createKey(),
    no('no-identity', '*'),
  ),
  row(
    'aws:TagKeys on CreateKey: ForAllValues with keys under a prefix',
    undefined,
    creator({ 'ForAllValues:StringLike': { 'aws:TagKeys': 'app:*' } }),
    'CreateKey',
    createKey({ Tags: tags({ 'app:team': 'x', 'app:env': 'y' }) }),
    'allowed',
  ),
  row(
    'aws:TagKeys on CreateKey: ForAllValues with one key outside the prefix',
    undefined,
    creator({ 'ForAllValues:StringLike': { 'aws:TagKeys': 'app:*' } }),
    'CreateKey',
    createKey({ Tags: tags({ 'app:team': 'x', env: 'y' }) }),
    no('no-identity', '*'),
  ),
  row(
    'aws:TagKeys on CreateKey: ForAnyValue with no tags (missing key)',
    undefined,
    creator({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'team' } }),
    'CreateKey',
    createKey(),
    no('no-identity', '*'),
  ),
];

const store = new MemoryKeyStore();

describe('authorization decisions: KMS and global condition keys, ABAC', () => {
  for (const r of rows) it(r.name, () => runRow(store, r));
});
