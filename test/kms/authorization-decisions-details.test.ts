// The table of authorization decisions, part 6: details of the policy language a KMS policy
// commonly relies on: wildcards inside values, literal wildcard variables, numbers written as
// decimals, dates written as bare days, IP addresses written in full, CIDR edges, encryption
// context keys holding colons, and the key part of tag and context condition keys compared
// without case (IAM User Guide "Condition element", "Condition operators", "Policy variables").

import { describe, it } from 'vitest';
import { MemoryKeyStore } from '../../src/kms/index.js';
import { A, doc, kp, root, runRow, type Caller, type Condition, type Row } from './authorization-table/world.js';
import { ALICE, encrypt } from './authorization-table/library.js';

type Ctx = Record<string, string> | undefined;

function enc(
  name: string,
  condition: Condition,
  context: Ctx,
  allowed: boolean,
  caller: Caller = { principal: ALICE },
  tags?: Record<string, string>,
): Row {
  return {
    name,
    key: { policy: doc(kp('Allow', '*', 'kms:Encrypt', condition)), tags },
    caller,
    op: 'Encrypt',
    input: encrypt(context),
    expect: allowed ? 'allowed' : { why: 'no-resource' },
  };
}
const from = (sourceIp: string): Caller => ({ principal: ALICE, sourceIp });

const rows: Row[] = [
  enc(
    'StringLike with two "*" inside the value: a match',
    { StringLike: { 'kms:EncryptionContext:path': 'a*b*c' } },
    { path: 'a-x-b-y-c' },
    true,
  ),
  enc(
    'StringLike with two "*" inside the value: the end differs',
    { StringLike: { 'kms:EncryptionContext:path': 'a*b*c' } },
    { path: 'a-x-b-y-d' },
    false,
  ),
  enc(
    'StringLike "*" alone matches any value',
    { StringLike: { 'kms:EncryptionContext:path': '*' } },
    { path: 'anything' },
    true,
  ),
  enc(
    'StringLike "*" alone still needs the key present',
    { StringLike: { 'kms:EncryptionContext:path': '*' } },
    undefined,
    false,
  ),
  enc(
    'StringLike with ${*}: a literal asterisk',
    { StringLike: { 'kms:EncryptionContext:mark': 'x${*}' } },
    { mark: 'x*' },
    true,
  ),
  enc(
    'StringLike with ${*}: not a wildcard',
    { StringLike: { 'kms:EncryptionContext:mark': 'x${*}' } },
    { mark: 'xyz' },
    false,
  ),
  enc(
    'StringEquals: "*" is not a wildcard for StringEquals',
    { StringEquals: { 'kms:EncryptionContext:path': 'a*' } },
    { path: 'abc' },
    false,
  ),
  enc(
    'an encryption context key holding colons (kms:EncryptionContext:aws:ebs:id)',
    { StringEquals: { 'kms:EncryptionContext:aws:ebs:id': 'vol-1' } },
    { 'aws:ebs:id': 'vol-1' },
    true,
  ),
  enc(
    'the request context key in another case than the condition key names it',
    { StringEquals: { 'kms:EncryptionContext:project': 'alpha' } },
    { Project: 'alpha' },
    true,
  ),
  enc(
    'aws:PrincipalTag/<k>: the tag key part compared without case',
    { StringEquals: { 'aws:PrincipalTag/Team': 'blue' } },
    undefined,
    true,
    { principal: ALICE, tags: { team: 'blue' } },
  ),
  enc(
    'aws:ResourceTag/<k>: the tag key part compared without case',
    { StringEquals: { 'aws:ResourceTag/ENV': 'dev' } },
    undefined,
    true,
    { principal: ALICE },
    { env: 'dev' },
  ),
  enc(
    'aws:ResourceTag/<k>: the tag value compared with case',
    { StringEquals: { 'aws:ResourceTag/env': 'dev' } },
    undefined,
    false,
    { principal: ALICE },
    { env: 'DEV' },
  ),
  enc(
    'NumericEquals aws:EpochTime against a value written as a decimal',
    { NumericEquals: { 'aws:EpochTime': '1772366400.0' } },
    undefined,
    true,
    { principal: ALICE, now: '2026-03-01T12:00:00Z' },
  ),
  enc(
    'DateGreaterThanEquals with a bare day "2026-03-01"',
    { DateGreaterThanEquals: { 'aws:CurrentTime': '2026-03-01' } },
    undefined,
    true,
    { principal: ALICE, now: '2026-03-01T00:00:01Z' },
  ),
  enc(
    'DateLessThan with a bare day "2026-03-01"',
    { DateLessThan: { 'aws:CurrentTime': '2026-03-01' } },
    undefined,
    false,
    { principal: ALICE, now: '2026-03-01T00:00:01Z' },
  ),
  enc(
    'IpAddress: the last address of a /24',
    { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
    undefined,
    true,
    from('203.0.113.255'),
  ),
  enc(
    'IpAddress: the first address after a /24',
    { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
    undefined,
    false,
    from('203.0.114.0'),
  ),
  enc(
    'IpAddress: a /0 holds every IPv4 address',
    { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } },
    undefined,
    true,
    from('198.51.100.77'),
  ),
  enc(
    'IpAddress: a single address without a prefix length',
    { IpAddress: { 'aws:SourceIp': '198.51.100.77' } },
    undefined,
    true,
    from('198.51.100.77'),
  ),
  enc(
    'IpAddress: a single address without a prefix length, another caller',
    { IpAddress: { 'aws:SourceIp': '198.51.100.77' } },
    undefined,
    false,
    from('198.51.100.78'),
  ),
  enc(
    'IpAddress: an IPv6 caller written in full inside a compressed CIDR',
    { IpAddress: { 'aws:SourceIp': '2001:db8::/32' } },
    undefined,
    true,
    from('2001:0db8:0000:0000:0000:0000:0000:0001'),
  ),
  enc(
    'IpAddress: an IPv4 CIDR does not hold an IPv6 caller',
    { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
    undefined,
    false,
    from('2001:db8::1'),
  ),
  enc(
    'IpAddress: an IPv6 /64 edge',
    { IpAddress: { 'aws:SourceIp': '2001:db8:0:1::/64' } },
    undefined,
    false,
    from('2001:db8:0:2::1'),
  ),
  {
    name: 'NotAction with a wildcard in a Deny: everything but kms:Describe* denied',
    key: {
      policy: doc(
        kp('Allow', root(A), 'kms:*'),
        kp('Allow', ALICE, 'kms:*'),
        kp('Deny', ALICE, 'kms:*', undefined, { Action: undefined, NotAction: 'kms:Describe*' }),
      ),
    },
    caller: { principal: ALICE },
    op: 'Encrypt',
    input: encrypt(),
    expect: { why: 'explicit-resource' },
  },
  {
    name: 'NotAction with a wildcard in a Deny: DescribeKey is outside the Deny',
    key: {
      policy: doc(
        kp('Allow', root(A), 'kms:*'),
        kp('Allow', ALICE, 'kms:*'),
        kp('Deny', ALICE, 'kms:*', undefined, { Action: undefined, NotAction: 'kms:Describe*' }),
      ),
    },
    caller: { principal: ALICE },
    op: 'DescribeKey',
    input: (k) => ({ KeyId: k.arn }),
    expect: 'allowed',
  },
  {
    name: 'key policy naming the account by a bare ID inside an array',
    key: { policy: doc(kp('Allow', [A], 'kms:*')) },
    caller: {},
    op: 'DescribeKey',
    input: (k) => ({ KeyId: k.arn }),
    expect: 'allowed',
  },
];

const store = new MemoryKeyStore();

describe('authorization decisions: details of the policy language', () => {
  for (const row of rows) it(row.name, () => runRow(store, row));
});
