// The table of authorization decisions, part 2: every condition operator of the IAM policy
// language, positive and negative, with missing keys, ...IfExists, ForAnyValue / ForAllValues
// and negated operators (IAM User Guide "IAM JSON policy elements: Condition operators",
// "Conditions with multiple context keys or values", "Single-valued vs. multivalued context keys").
// Most rows put the condition on a key policy statement allowing Principal "*" kms:Encrypt, so
// the caller (alice, of the key's account) needs no identity policy, and a condition that does
// not hold leaves no statement allowing the call: "no resource-based policy allows".

import { describe, it } from 'vitest';
import { MemoryKeyStore } from '../../src/kms/index.js';
import {
  A,
  doc,
  kp,
  role,
  root,
  runRow,
  user,
  type Caller,
  type Condition,
  type Row,
} from './authorization-table/world.js';
import { ALICE, APP_ROLE, CAROL, encrypt } from './authorization-table/library.js';

type Ctx = Record<string, string> | undefined;

/** Encrypt under a key policy allowing Principal "*" kms:Encrypt only when `condition` holds. */
function enc(
  name: string,
  condition: Condition,
  context: Ctx,
  allowed: boolean,
  caller: Caller = { principal: ALICE },
): Row {
  return {
    name,
    key: { policy: doc(kp('Allow', '*', 'kms:Encrypt', condition)) },
    caller,
    op: 'Encrypt',
    input: encrypt(context),
    expect: allowed ? 'allowed' : { why: 'no-resource' },
  };
}

/** Encrypt under a key policy allowing root kms:* and alice kms:Encrypt, denying Principal "*" kms:Encrypt when `condition` holds. */
function denyIf(
  name: string,
  condition: Condition,
  context: Ctx,
  denied: boolean,
  caller: Caller = { principal: ALICE },
): Row {
  return {
    name,
    key: {
      policy: doc(
        kp('Allow', root(A), 'kms:*'),
        kp('Allow', '*', 'kms:Encrypt'),
        kp('Deny', '*', 'kms:Encrypt', condition),
      ),
    },
    caller,
    op: 'Encrypt',
    input: encrypt(context),
    expect: denied ? { why: 'explicit-resource' } : 'allowed',
  };
}

/** EnableKeyRotation with RotationPeriodInDays `days` under a key policy allowing it when `condition` holds. */
function rotation(name: string, condition: Condition, days: number, allowed: boolean): Row {
  return {
    name,
    key: { policy: doc(kp('Allow', '*', 'kms:EnableKeyRotation', condition)) },
    caller: { principal: ALICE },
    op: 'EnableKeyRotation',
    input: (k) => ({ KeyId: k.arn, RotationPeriodInDays: days }),
    expect: allowed ? 'allowed' : { why: 'no-resource' },
  };
}

/** Encrypt by alice whose clock reads `now`, under a key policy allowing it when `condition` holds. */
const at = (name: string, condition: Condition, now: string, allowed: boolean): Row =>
  enc(name, condition, undefined, allowed, { principal: ALICE, now });

const ip = (sourceIp: string | undefined): Caller =>
  sourceIp === undefined ? { principal: ALICE } : { principal: ALICE, sourceIp };

const EPOCH_2026 = String(Date.parse('2026-01-01T00:00:00Z') / 1000);

const rows: Row[] = [
  // ---- String operators
  enc(
    'StringEquals: the encryption context value matches',
    { StringEquals: { 'kms:EncryptionContext:project': 'alpha' } },
    { project: 'alpha' },
    true,
  ),
  enc(
    'StringEquals: values compare with case ("Alpha" is not "alpha")',
    { StringEquals: { 'kms:EncryptionContext:project': 'alpha' } },
    { project: 'Alpha' },
    false,
  ),
  // IAM User Guide, Condition element: the key-name part of kms:EncryptionContext:<key> is not case sensitive.
  enc(
    'StringEquals: the key part of kms:EncryptionContext:<key> matches without case',
    { StringEquals: { 'kms:EncryptionContext:Project': 'alpha' } },
    { project: 'alpha' },
    true,
  ),
  enc(
    'StringEquals: a missing encryption context key does not match',
    { StringEquals: { 'kms:EncryptionContext:project': 'alpha' } },
    { team: 'alpha' },
    false,
  ),
  enc(
    'StringEquals: several values are ORed',
    { StringEquals: { 'kms:EncryptionContext:project': ['alpha', 'beta'] } },
    { project: 'beta' },
    true,
  ),
  enc(
    'StringEquals: several keys are ANDed (one missing)',
    { StringEquals: { 'kms:EncryptionContext:project': 'alpha', 'kms:EncryptionContext:env': 'prod' } },
    { project: 'alpha' },
    false,
  ),
  enc(
    'StringEquals: several keys are ANDed (both present)',
    { StringEquals: { 'kms:EncryptionContext:project': 'alpha', 'kms:EncryptionContext:env': 'prod' } },
    { project: 'alpha', env: 'prod' },
    true,
  ),
  enc(
    'StringNotEquals: another value',
    { StringNotEquals: { 'kms:EncryptionContext:project': 'beta' } },
    { project: 'alpha' },
    true,
  ),
  enc(
    'StringNotEquals: the same value',
    { StringNotEquals: { 'kms:EncryptionContext:project': 'beta' } },
    { project: 'beta' },
    false,
  ),
  enc(
    'StringNotEquals: a missing key makes a negated operator true',
    { StringNotEquals: { 'kms:EncryptionContext:project': 'beta' } },
    undefined,
    true,
  ),
  enc(
    'StringNotEquals: several values are NORed (one matches)',
    { StringNotEquals: { 'kms:EncryptionContext:project': ['beta', 'gamma'] } },
    { project: 'gamma' },
    false,
  ),
  enc(
    'StringEqualsIgnoreCase: "ALPHA" matches "alpha"',
    { StringEqualsIgnoreCase: { 'kms:EncryptionContext:project': 'alpha' } },
    { project: 'ALPHA' },
    true,
  ),
  enc(
    'StringEqualsIgnoreCase: another value',
    { StringEqualsIgnoreCase: { 'kms:EncryptionContext:project': 'alpha' } },
    { project: 'beta' },
    false,
  ),
  enc(
    'StringNotEqualsIgnoreCase: "beta" is "BETA"',
    { StringNotEqualsIgnoreCase: { 'kms:EncryptionContext:project': 'BETA' } },
    { project: 'beta' },
    false,
  ),
  enc(
    'StringNotEqualsIgnoreCase: another value',
    { StringNotEqualsIgnoreCase: { 'kms:EncryptionContext:project': 'BETA' } },
    { project: 'alpha' },
    true,
  ),
  enc(
    'StringLike "*": a prefix match',
    { StringLike: { 'kms:EncryptionContext:app': 'app-*' } },
    { app: 'app-17' },
    true,
  ),
  enc('StringLike "*": no match', { StringLike: { 'kms:EncryptionContext:app': 'app-*' } }, { app: 'web-1' }, false),
  enc(
    'StringLike: compares with case',
    { StringLike: { 'kms:EncryptionContext:app': 'app-*' } },
    { app: 'APP-1' },
    false,
  ),
  enc(
    'StringLike "?": exactly one character',
    { StringLike: { 'kms:EncryptionContext:version': 'v?' } },
    { version: 'v1' },
    true,
  ),
  enc(
    'StringLike "?": two characters do not match',
    { StringLike: { 'kms:EncryptionContext:version': 'v?' } },
    { version: 'v10' },
    false,
  ),
  enc(
    'StringNotLike: a matching value',
    { StringNotLike: { 'kms:EncryptionContext:app': 'tmp-*' } },
    { app: 'tmp-1' },
    false,
  ),
  enc(
    'StringNotLike: another value',
    { StringNotLike: { 'kms:EncryptionContext:app': 'tmp-*' } },
    { app: 'data' },
    true,
  ),
  enc(
    'StringNotLike: a missing key makes a negated operator true',
    { StringNotLike: { 'kms:EncryptionContext:app': 'tmp-?' } },
    { other: 'x' },
    true,
  ),
  enc(
    "StringEquals with a policy variable ${aws:username}: the user's own name",
    { StringEquals: { 'kms:EncryptionContext:owner': '${aws:username}' } },
    { owner: 'alice' },
    true,
  ),
  enc(
    'StringEquals with a policy variable ${aws:username}: another name',
    { StringEquals: { 'kms:EncryptionContext:owner': '${aws:username}' } },
    { owner: 'carol' },
    false,
  ),

  // ---- ARN operators (aws:PrincipalArn: the user ARN, or the role ARN for a role session)
  enc('ArnEquals aws:PrincipalArn: the caller', { ArnEquals: { 'aws:PrincipalArn': ALICE } }, undefined, true),
  enc('ArnEquals aws:PrincipalArn: another user', { ArnEquals: { 'aws:PrincipalArn': ALICE } }, undefined, false, {
    principal: CAROL,
  }),
  enc(
    'ArnLike aws:PrincipalArn: a user under the path /dev/',
    { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${A}:user/dev/*` } },
    undefined,
    true,
    { principal: user(A, 'dev/alice') },
  ),
  enc(
    'ArnLike aws:PrincipalArn: a user outside the path /dev/',
    { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${A}:user/dev/*` } },
    undefined,
    false,
  ),
  enc(
    'ArnLike aws:PrincipalArn: a role session is matched by its role ARN',
    { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${A}:role/ap?` } },
    undefined,
    true,
    { principal: APP_ROLE },
  ),
  enc(
    'ArnEquals aws:PrincipalArn: a role session does not carry its session ARN there',
    { ArnEquals: { 'aws:PrincipalArn': `arn:aws:sts::${A}:assumed-role/app/wasm-kms` } },
    undefined,
    false,
    { principal: APP_ROLE },
  ),
  enc(
    'ArnNotEquals aws:PrincipalArn: another principal is named',
    { ArnNotEquals: { 'aws:PrincipalArn': CAROL } },
    undefined,
    true,
  ),
  enc(
    'ArnNotEquals aws:PrincipalArn: the caller is named',
    { ArnNotEquals: { 'aws:PrincipalArn': CAROL } },
    undefined,
    false,
    { principal: CAROL },
  ),
  enc(
    'ArnNotLike aws:PrincipalArn: roles excluded, a user passes',
    { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*' } },
    undefined,
    true,
  ),
  enc(
    'ArnNotLike aws:PrincipalArn: roles excluded, a role session does not',
    { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*' } },
    undefined,
    false,
    { principal: role(A, 'ops') },
  ),
  enc(
    'ArnNotLike on a key Encrypt does not have (kms:GranteePrincipal): true',
    { ArnNotLike: { 'kms:GranteePrincipal': 'arn:aws:iam::*:user/*' } },
    undefined,
    true,
  ),
  enc(
    'ArnLike on a key Encrypt does not have (kms:GranteePrincipal): false',
    { ArnLike: { 'kms:GranteePrincipal': 'arn:aws:iam::*:user/*' } },
    undefined,
    false,
  ),

  // ---- Numeric operators (kms:RotationPeriodInDays of EnableKeyRotation)
  rotation('NumericEquals: 180 is 180', { NumericEquals: { 'kms:RotationPeriodInDays': '180' } }, 180, true),
  rotation('NumericEquals: 181 is not 180', { NumericEquals: { 'kms:RotationPeriodInDays': '180' } }, 181, false),
  rotation(
    'NumericNotEquals: 365 is excluded',
    { NumericNotEquals: { 'kms:RotationPeriodInDays': '365' } },
    365,
    false,
  ),
  rotation('NumericNotEquals: 400 is not 365', { NumericNotEquals: { 'kms:RotationPeriodInDays': '365' } }, 400, true),
  rotation('NumericLessThan: 364 < 365', { NumericLessThan: { 'kms:RotationPeriodInDays': '365' } }, 364, true),
  rotation('NumericLessThan: 365 is not < 365', { NumericLessThan: { 'kms:RotationPeriodInDays': '365' } }, 365, false),
  rotation(
    'NumericLessThanEquals: 365 <= 365',
    { NumericLessThanEquals: { 'kms:RotationPeriodInDays': '365' } },
    365,
    true,
  ),
  rotation(
    'NumericLessThanEquals: 366 is not <= 365',
    { NumericLessThanEquals: { 'kms:RotationPeriodInDays': '365' } },
    366,
    false,
  ),
  rotation('NumericGreaterThan: 181 > 180', { NumericGreaterThan: { 'kms:RotationPeriodInDays': '180' } }, 181, true),
  rotation(
    'NumericGreaterThan: 180 is not > 180',
    { NumericGreaterThan: { 'kms:RotationPeriodInDays': '180' } },
    180,
    false,
  ),
  rotation(
    'NumericGreaterThanEquals: 180 >= 180',
    { NumericGreaterThanEquals: { 'kms:RotationPeriodInDays': '180' } },
    180,
    true,
  ),
  rotation(
    'NumericGreaterThanEquals: 179 is not >= 180',
    { NumericGreaterThanEquals: { 'kms:RotationPeriodInDays': '180' } },
    179,
    false,
  ),
  rotation(
    'NumericLessThan: several values are ORed',
    { NumericLessThan: { 'kms:RotationPeriodInDays': ['100', '200'] } },
    150,
    true,
  ),
  enc(
    'NumericLessThan on a key Encrypt does not have (kms:RotationPeriodInDays): false',
    { NumericLessThan: { 'kms:RotationPeriodInDays': '400' } },
    undefined,
    false,
  ),
  enc(
    'NumericLessThanIfExists on a key Encrypt does not have: true',
    { NumericLessThanIfExists: { 'kms:RotationPeriodInDays': '400' } },
    undefined,
    true,
  ),
  enc(
    'NumericNotEquals on a missing key: a negated operator is true',
    { NumericNotEquals: { 'kms:RotationPeriodInDays': '400' } },
    undefined,
    true,
  ),

  // ---- Date operators (aws:CurrentTime and aws:EpochTime from the client's clock)
  at(
    'DateGreaterThan aws:CurrentTime: after the date',
    { DateGreaterThan: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' } },
    '2026-06-01T00:00:00Z',
    true,
  ),
  at(
    'DateGreaterThan aws:CurrentTime: before the date',
    { DateGreaterThan: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' } },
    '2025-06-01T00:00:00Z',
    false,
  ),
  at(
    'DateLessThan aws:CurrentTime: one second before',
    { DateLessThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } },
    '2026-12-31T23:59:59Z',
    true,
  ),
  at(
    'DateLessThan aws:CurrentTime: one second after',
    { DateLessThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } },
    '2027-01-01T00:00:01Z',
    false,
  ),
  at(
    'DateEquals aws:CurrentTime: the same instant',
    { DateEquals: { 'aws:CurrentTime': '2026-03-01T12:00:00Z' } },
    '2026-03-01T12:00:00Z',
    true,
  ),
  at(
    'DateEquals aws:CurrentTime: one second later',
    { DateEquals: { 'aws:CurrentTime': '2026-03-01T12:00:00Z' } },
    '2026-03-01T12:00:01Z',
    false,
  ),
  at(
    'DateNotEquals aws:CurrentTime: the same instant',
    { DateNotEquals: { 'aws:CurrentTime': '2026-03-01T12:00:00Z' } },
    '2026-03-01T12:00:00Z',
    false,
  ),
  at(
    'DateNotEquals aws:CurrentTime: another instant',
    { DateNotEquals: { 'aws:CurrentTime': '2026-03-01T12:00:00Z' } },
    '2026-03-02T12:00:00Z',
    true,
  ),
  at(
    'DateLessThanEquals aws:CurrentTime: the boundary itself',
    { DateLessThanEquals: { 'aws:CurrentTime': '2026-03-01T12:00:00Z' } },
    '2026-03-01T12:00:00Z',
    true,
  ),
  at(
    'DateLessThanEquals aws:CurrentTime: after the boundary',
    { DateLessThanEquals: { 'aws:CurrentTime': '2026-03-01T12:00:00Z' } },
    '2026-03-01T12:00:01Z',
    false,
  ),
  at(
    'DateGreaterThanEquals aws:CurrentTime: the boundary itself',
    { DateGreaterThanEquals: { 'aws:CurrentTime': '2026-03-01T12:00:00Z' } },
    '2026-03-01T12:00:00Z',
    true,
  ),
  at(
    'DateGreaterThanEquals aws:CurrentTime: before the boundary',
    { DateGreaterThanEquals: { 'aws:CurrentTime': '2026-03-01T12:00:00Z' } },
    '2026-03-01T11:59:59Z',
    false,
  ),
  at(
    'DateGreaterThan aws:CurrentTime against a value in epoch seconds',
    { DateGreaterThan: { 'aws:CurrentTime': EPOCH_2026 } },
    '2026-06-01T00:00:00Z',
    true,
  ),
  at(
    'DateGreaterThan aws:EpochTime against an ISO 8601 date',
    { DateGreaterThan: { 'aws:EpochTime': '2026-01-01T00:00:00Z' } },
    '2025-12-31T00:00:00Z',
    false,
  ),
  at(
    'NumericGreaterThan aws:EpochTime: after',
    { NumericGreaterThan: { 'aws:EpochTime': EPOCH_2026 } },
    '2026-01-01T00:00:01Z',
    true,
  ),
  at(
    'NumericLessThan aws:EpochTime: after',
    { NumericLessThan: { 'aws:EpochTime': EPOCH_2026 } },
    '2026-01-01T00:00:01Z',
    false,
  ),
  enc(
    'DateLessThan on a date in the encryption context',
    { DateLessThan: { 'kms:EncryptionContext:expires': '2027-01-01T00:00:00Z' } },
    { expires: '2026-06-01T00:00:00Z' },
    true,
  ),
  enc(
    'DateLessThan on a missing key: false',
    { DateLessThan: { 'kms:EncryptionContext:expires': '2027-01-01T00:00:00Z' } },
    undefined,
    false,
  ),
  enc(
    'DateLessThanIfExists on a missing key: true',
    { DateLessThanIfExists: { 'kms:EncryptionContext:expires': '2027-01-01T00:00:00Z' } },
    undefined,
    true,
  ),
  enc(
    'DateLessThanIfExists on a present key that does not satisfy it',
    { DateLessThanIfExists: { 'kms:EncryptionContext:expires': '2027-01-01T00:00:00Z' } },
    { expires: '2027-06-01T00:00:00Z' },
    false,
  ),

  // ---- Bool
  enc(
    'Bool aws:SecureTransport true: an in-process call',
    { Bool: { 'aws:SecureTransport': 'true' } },
    undefined,
    true,
  ),
  enc(
    'Bool aws:SecureTransport true: a caller over plain HTTP',
    { Bool: { 'aws:SecureTransport': 'true' } },
    undefined,
    false,
    { principal: ALICE, secureTransport: false },
  ),
  denyIf(
    'Bool: Deny when aws:SecureTransport is false, over plain HTTP',
    { Bool: { 'aws:SecureTransport': 'false' } },
    undefined,
    true,
    { principal: ALICE, secureTransport: false },
  ),
  denyIf(
    'Bool: Deny when aws:SecureTransport is false, over TLS',
    { Bool: { 'aws:SecureTransport': 'false' } },
    undefined,
    false,
  ),
  enc('Bool kms:MultiRegion true on a single-Region key', { Bool: { 'kms:MultiRegion': 'true' } }, undefined, false),
  enc('Bool kms:MultiRegion false on a single-Region key', { Bool: { 'kms:MultiRegion': 'false' } }, undefined, true),
  enc(
    'Bool on a key Encrypt does not have (kms:BypassPolicyLockoutSafetyCheck): false',
    { Bool: { 'kms:BypassPolicyLockoutSafetyCheck': 'false' } },
    undefined,
    false,
  ),
  enc(
    'BoolIfExists on a key Encrypt does not have: true',
    { BoolIfExists: { 'kms:BypassPolicyLockoutSafetyCheck': 'false' } },
    undefined,
    true,
  ),

  // ---- Null
  enc(
    'Null false on kms:EncryptionContextKeys: an encryption context is present',
    { Null: { 'kms:EncryptionContextKeys': 'false' } },
    { project: 'alpha' },
    true,
  ),
  enc(
    'Null false on kms:EncryptionContextKeys: no encryption context',
    { Null: { 'kms:EncryptionContextKeys': 'false' } },
    undefined,
    false,
  ),
  enc(
    'Null true on kms:EncryptionContextKeys: no encryption context',
    { Null: { 'kms:EncryptionContextKeys': 'true' } },
    undefined,
    true,
  ),
  enc(
    'Null true on kms:EncryptionContextKeys: an encryption context is present',
    { Null: { 'kms:EncryptionContextKeys': 'true' } },
    { project: 'alpha' },
    false,
  ),
  enc('Null true on aws:SourceIp: no source address', { Null: { 'aws:SourceIp': 'true' } }, undefined, true),
  enc(
    'Null true on aws:SourceIp: a source address',
    { Null: { 'aws:SourceIp': 'true' } },
    undefined,
    false,
    ip('192.0.2.1'),
  ),
  enc('Null true on aws:username: a role session has none', { Null: { 'aws:username': 'true' } }, undefined, true, {
    principal: APP_ROLE,
  }),
  enc('Null true on aws:username: an IAM user has one', { Null: { 'aws:username': 'true' } }, undefined, false),

  // ---- IP address operators (aws:SourceIp)
  enc(
    'IpAddress: inside an IPv4 CIDR',
    { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
    undefined,
    true,
    ip('203.0.113.7'),
  ),
  enc(
    'IpAddress: outside an IPv4 CIDR',
    { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
    undefined,
    false,
    ip('198.51.100.1'),
  ),
  enc(
    'IpAddress: no source address',
    { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
    undefined,
    false,
    ip(undefined),
  ),
  enc(
    'IpAddress: inside an IPv6 CIDR',
    { IpAddress: { 'aws:SourceIp': '2001:db8::/32' } },
    undefined,
    true,
    ip('2001:db8:1::5'),
  ),
  enc(
    'IpAddress: outside an IPv6 CIDR',
    { IpAddress: { 'aws:SourceIp': '2001:db8::/32' } },
    undefined,
    false,
    ip('2001:db9::1'),
  ),
  enc(
    'IpAddress: a list of an IPv4 and an IPv6 CIDR, an IPv6 caller',
    { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } },
    undefined,
    true,
    ip('2001:db8::1'),
  ),
  enc(
    'NotIpAddress: inside the excluded CIDR',
    { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    undefined,
    false,
    ip('10.1.2.3'),
  ),
  enc(
    'NotIpAddress: outside the excluded CIDR',
    { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    undefined,
    true,
    ip('192.0.2.1'),
  ),
  enc(
    'NotIpAddress: no source address makes a negated operator true',
    { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    undefined,
    true,
    ip(undefined),
  ),
  enc(
    'NotIpAddress: inside an excluded IPv6 CIDR',
    { NotIpAddress: { 'aws:SourceIp': '2001:db8::/32' } },
    undefined,
    false,
    ip('2001:db8::1'),
  ),
  enc(
    'IpAddressIfExists: no source address',
    { IpAddressIfExists: { 'aws:SourceIp': '203.0.113.0/24' } },
    undefined,
    true,
    ip(undefined),
  ),
  enc(
    'IpAddressIfExists: a source address outside',
    { IpAddressIfExists: { 'aws:SourceIp': '203.0.113.0/24' } },
    undefined,
    false,
    ip('198.51.100.1'),
  ),

  // ---- ...IfExists on string and ARN operators
  enc(
    'StringEqualsIfExists: the key is missing',
    { StringEqualsIfExists: { 'kms:EncryptionContext:project': 'alpha' } },
    undefined,
    true,
  ),
  enc(
    'StringEqualsIfExists: the key is present with another value',
    { StringEqualsIfExists: { 'kms:EncryptionContext:project': 'alpha' } },
    { project: 'beta' },
    false,
  ),
  enc(
    'StringEqualsIfExists: the key is present with the value',
    { StringEqualsIfExists: { 'kms:EncryptionContext:project': 'alpha' } },
    { project: 'alpha' },
    true,
  ),
  enc(
    'StringNotEqualsIfExists: the key is missing',
    { StringNotEqualsIfExists: { 'kms:EncryptionContext:project': 'beta' } },
    undefined,
    true,
  ),
  enc(
    'StringLikeIfExists: the key is missing',
    { StringLikeIfExists: { 'kms:EncryptionContext:app': 'app-*' } },
    { other: 'x' },
    true,
  ),
  enc(
    'ArnLikeIfExists: the key is missing (kms:GranteePrincipal on Encrypt)',
    { ArnLikeIfExists: { 'kms:GranteePrincipal': 'arn:aws:iam::*:role/*' } },
    undefined,
    true,
  ),
  enc(
    'ArnEqualsIfExists: the key is present (aws:PrincipalArn) and another ARN',
    { ArnEqualsIfExists: { 'aws:PrincipalArn': CAROL } },
    undefined,
    false,
  ),

  // ---- multiple operators are ANDed
  enc(
    'two operators: both hold',
    { StringEquals: { 'kms:EncryptionContext:project': 'alpha' }, IpAddress: { 'aws:SourceIp': '192.0.2.0/24' } },
    { project: 'alpha' },
    true,
    ip('192.0.2.5'),
  ),
  enc(
    'two operators: only one holds',
    { StringEquals: { 'kms:EncryptionContext:project': 'alpha' }, IpAddress: { 'aws:SourceIp': '192.0.2.0/24' } },
    { project: 'alpha' },
    false,
    ip('198.51.100.5'),
  ),

  // ---- set operators on kms:EncryptionContextKeys (multivalued)
  enc(
    'ForAnyValue:StringEquals: one of the keys is listed',
    { 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'project' } },
    { project: 'alpha', env: 'dev' },
    true,
  ),
  enc(
    'ForAnyValue:StringEquals: none of the keys is listed',
    { 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'project' } },
    { env: 'dev' },
    false,
  ),
  enc(
    'ForAnyValue:StringEquals: no encryption context (missing key) is false',
    { 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'project' } },
    undefined,
    false,
  ),
  enc(
    'ForAllValues:StringEquals: every key is listed',
    { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['project', 'env'] } },
    { project: 'alpha' },
    true,
  ),
  enc(
    'ForAllValues:StringEquals: a key is not listed',
    { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['project', 'env'] } },
    { project: 'alpha', other: 'x' },
    false,
  ),
  enc(
    'ForAllValues:StringEquals: no encryption context (missing key) is true',
    { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['project', 'env'] } },
    undefined,
    true,
  ),
  enc(
    'ForAllValues:StringEquals: an empty encryption context is true',
    { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['project', 'env'] } },
    {},
    true,
  ),
  enc(
    'ForAllValues:StringLike: every key matches a pattern',
    { 'ForAllValues:StringLike': { 'kms:EncryptionContextKeys': ['app*', 'env'] } },
    { appName: 'x', appTier: 'y', env: 'z' },
    true,
  ),
  enc(
    'ForAnyValue:StringLike: no key matches the pattern',
    { 'ForAnyValue:StringLike': { 'kms:EncryptionContextKeys': 'aws:*' } },
    { appName: 'x' },
    false,
  ),
  denyIf(
    'ForAnyValue:StringEquals in a Deny: a forbidden key present',
    { 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'secret' } },
    { secret: 'x', project: 'alpha' },
    true,
  ),
  denyIf(
    'ForAnyValue:StringEquals in a Deny: no encryption context, the Deny does not apply',
    { 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'secret' } },
    undefined,
    false,
  ),
  denyIf(
    'StringNotEquals in a Deny: a missing key makes the Deny apply',
    { StringNotEquals: { 'kms:EncryptionContext:project': 'alpha' } },
    undefined,
    true,
  ),
];

const store = new MemoryKeyStore();

describe('authorization decisions: condition operators', () => {
  for (const row of rows) it(row.name, () => runRow(store, row));
});
