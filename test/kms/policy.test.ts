// The policy engine alone (src/kms/policy.ts): compiling documents, matching statements, the
// condition operators' rules for missing keys and multivalued keys, policy variables, IP ranges
// and dates. Decisions through KMSClient are in authorization-decisions*.test.ts.
import { describe, expect, it } from 'vitest';
import {
  ALLOW_ACCOUNT,
  ALLOW_DIRECT,
  compilePolicy,
  DENY,
  evaluatePolicy,
  parseDate,
  parseIp,
  PolicyError,
  type PolicyPrincipal,
} from '../../src/kms/policy.js';

const A = '111122223333';
const USER: PolicyPrincipal = {
  account: A,
  arn: `arn:aws:iam::${A}:user/alice`,
  principalArn: `arn:aws:iam::${A}:user/alice`,
};
const SESSION: PolicyPrincipal = {
  account: A,
  arn: `arn:aws:sts::${A}:assumed-role/ops/s1`,
  principalArn: `arn:aws:iam::${A}:role/team/ops`,
};
const KEY = `arn:aws:kms:us-east-1:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

function values(map: Record<string, string | string[]>) {
  const m = new Map(Object.entries(map).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v : [v]]));
  return { get: (k: string) => m.get(k) };
}

/** The bits of an identity policy with one Allow statement under `condition`. */
function identity(condition: object, vals: Record<string, string | string[]>, action = 'kms:encrypt'): number {
  const doc = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*', Condition: condition }],
  });
  return evaluatePolicy(compilePolicy(doc, 'identity'), undefined, action, KEY, values(vals));
}

const allows = (condition: object, vals: Record<string, string | string[]> = {}) =>
  identity(condition, vals) === ALLOW_DIRECT;

describe('policy documents', () => {
  it('refuses what is not a policy, naming the fault', () => {
    const bad: [string, 'resource' | 'identity', string][] = [
      ['{', 'identity', 'The policy is not a valid JSON document.'],
      ['{"Statement":[]}', 'identity', 'The policy has no Statement.'],
      [
        '{"Statement":{"Effect":"Allow","Action":"kms:*"}}',
        'identity',
        'Each statement of an identity policy needs a Resource or NotResource.',
      ],
      [
        '{"Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*","Principal":"*"}}',
        'identity',
        'A statement has an element that is not allowed here: Principal.',
      ],
      [
        '{"Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}',
        'resource',
        'Each statement needs exactly one of Principal and NotPrincipal.',
      ],
      [
        '{"Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"StringEqualz":{"a:b":"c"}}}}',
        'identity',
        'The policy has an invalid condition operator: StringEqualz.',
      ],
      [
        '{"Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"NullIfExists":{"a:b":"true"}}}}',
        'identity',
        'The policy has an invalid condition operator: NullIfExists.',
      ],
      [
        '{"Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"a:b":[]}}}}',
        'identity',
        'The condition key a:b must have a string, number or boolean value, or a list of them.',
      ],
      [
        '{"Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"nokey":"x"}}}}',
        'identity',
        'The policy has an invalid condition key: nokey.',
      ],
      [
        '{"Statement":{"Effect":"Allow","Action":"kms encrypt","Resource":"*"}}',
        'identity',
        'The policy has an invalid action: kms encrypt.',
      ],
      [
        '{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Principal":{"AWS":"alice"}}}',
        'resource',
        'Policy contains a statement with one or more invalid principals.',
      ],
    ];
    for (const [doc, kind, message] of bad) {
      expect(() => compilePolicy(doc, kind), doc).toThrow(PolicyError);
      expect(() => compilePolicy(doc, kind), doc).toThrow(message);
    }
  });

  it('is compiled once per text', () => {
    const doc = '{"Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}';
    expect(compilePolicy(doc, 'identity')).toBe(compilePolicy(doc, 'identity'));
    expect(compilePolicy(` ${doc}`, 'identity')).not.toBe(compilePolicy(doc, 'identity'));
  });
});

describe('statements', () => {
  const keyPolicy = (statement: object) =>
    compilePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [statement] }), 'resource');
  const evalFor = (p: PolicyPrincipal, statement: object, action = 'kms:encrypt', resource = KEY) =>
    evaluatePolicy(keyPolicy(statement), p, action, resource, values({}));

  it('principals: the account delegates, a user or role is named directly, a session by its role', () => {
    const s = (AWS: string | string[]) => ({ Effect: 'Allow', Principal: { AWS }, Action: 'kms:*', Resource: '*' });
    expect(evalFor(USER, s(`arn:aws:iam::${A}:root`))).toBe(ALLOW_ACCOUNT);
    expect(evalFor(USER, s(A))).toBe(ALLOW_ACCOUNT);
    expect(evalFor(USER, s(USER.arn))).toBe(ALLOW_DIRECT);
    expect(evalFor(USER, s('*'))).toBe(ALLOW_DIRECT);
    expect(evalFor(SESSION, s(`arn:aws:iam::${A}:role/team/ops`))).toBe(ALLOW_DIRECT);
    expect(evalFor(SESSION, s(SESSION.arn))).toBe(ALLOW_DIRECT);
    expect(evalFor(SESSION, s(`arn:aws:iam::${A}:role/ops`))).toBe(0);
    expect(evalFor(USER, s('arn:aws:iam::444455556666:root'))).toBe(0);
    expect(
      evalFor(USER, { Effect: 'Allow', Principal: { Service: 'logs.amazonaws.com' }, Action: '*', Resource: '*' }),
    ).toBe(0);
    // NotPrincipal with Deny exempts a caller only when every identity it carries is listed.
    const notP = (AWS: string[]) => ({ Effect: 'Deny', NotPrincipal: { AWS }, Action: '*', Resource: '*' });
    expect(evalFor(USER, notP([USER.arn, A]))).toBe(0);
    expect(evalFor(USER, notP([USER.arn]))).toBe(DENY);
    expect(evalFor(USER, notP([`arn:aws:iam::${A}:root`]))).toBe(DENY);
    expect(evalFor(SESSION, notP([USER.arn, A]))).toBe(DENY);
    expect(evalFor(SESSION, notP([SESSION.arn, A]))).toBe(DENY);
    expect(evalFor(SESSION, notP([SESSION.arn, SESSION.principalArn, A]))).toBe(0);
    const root: PolicyPrincipal = { account: A, arn: `arn:aws:iam::${A}:root`, principalArn: `arn:aws:iam::${A}:root` };
    expect(evalFor(root, notP([A]))).toBe(0);
  });

  it('actions without case and with wildcards; NotAction; resources with wildcards; NotResource; no Resource', () => {
    const s = (extra: object) => ({ Effect: 'Allow', Principal: '*', ...extra });
    expect(evalFor(USER, s({ Action: 'KMS:Encrypt', Resource: '*' }))).toBe(ALLOW_DIRECT);
    expect(evalFor(USER, s({ Action: 'kms:?ncrypt', Resource: '*' }))).toBe(ALLOW_DIRECT);
    expect(evalFor(USER, s({ Action: 'kms:?ncrypt', Resource: '*' }), 'kms:decrypt')).toBe(0);
    expect(evalFor(USER, s({ Action: 'kms:Generate*', Resource: '*' }), 'kms:generatedatakeypair')).toBe(ALLOW_DIRECT);
    expect(evalFor(USER, s({ NotAction: 'kms:Generate*', Resource: '*' }), 'kms:generatedatakeypair')).toBe(0);
    expect(evalFor(USER, s({ NotAction: 'kms:Generate*', Resource: '*' }))).toBe(ALLOW_DIRECT);
    expect(evalFor(USER, s({ Action: '*', Resource: `arn:aws:kms:*:${A}:key/*` }))).toBe(ALLOW_DIRECT);
    expect(evalFor(USER, s({ Action: '*', Resource: `arn:aws:kms:*:${A}:KEY/*` }))).toBe(0);
    expect(evalFor(USER, s({ Action: '*', NotResource: `arn:aws:kms:*:${A}:alias/*` }))).toBe(ALLOW_DIRECT);
    // A key policy statement without Resource applies to nothing.
    expect(evalFor(USER, s({ Action: '*' }))).toBe(0);
  });
});

describe('conditions', () => {
  it('a missing key: false for positive operators; true for negated ones, IfExists, ForAllValues and Null true', () => {
    expect(allows({ StringEquals: { 'kms:EncryptionContext:a': 'x' } })).toBe(false);
    expect(allows({ StringNotEquals: { 'kms:EncryptionContext:a': 'x' } })).toBe(true);
    expect(allows({ StringEqualsIfExists: { 'kms:EncryptionContext:a': 'x' } })).toBe(true);
    expect(allows({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })).toBe(true);
    expect(allows({ 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': 'a' } })).toBe(true);
    expect(allows({ 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'a' } })).toBe(false);
    expect(allows({ Null: { 'kms:EncryptionContextKeys': 'true' } })).toBe(true);
    expect(allows({ Null: { 'kms:EncryptionContextKeys': 'false' } })).toBe(false);
    expect(allows({ Null: { 'kms:EncryptionContextKeys': 'false' } }, { 'kms:EncryptionContextKeys': ['a'] })).toBe(
      true,
    );
  });

  it('values of a key are ORed, keys and operators ANDed; condition key names without case', () => {
    const vals = { 'kms:EncryptionContext:dept': 'it', 'aws:PrincipalAccount': A };
    expect(allows({ StringEquals: { 'KMS:encryptioncontext:Dept': ['hr', 'it'] } }, vals)).toBe(true);
    expect(
      allows({ StringEquals: { 'kms:EncryptionContext:dept': 'it', 'aws:PrincipalAccount': '444455556666' } }, vals),
    ).toBe(false);
    expect(
      allows(
        { StringEquals: { 'kms:EncryptionContext:dept': 'it' }, StringLike: { 'aws:PrincipalAccount': '1111*' } },
        vals,
      ),
    ).toBe(true);
  });

  it('multivalued keys: unqualified, ForAnyValue and ForAllValues, negated', () => {
    const vals = { 'kms:EncryptionContextKeys': ['a', 'b'] };
    expect(allows({ 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['a', 'b', 'c'] } }, vals)).toBe(true);
    expect(allows({ 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['a'] } }, vals)).toBe(false);
    expect(allows({ 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': ['b'] } }, vals)).toBe(true);
    expect(allows({ 'ForAnyValue:StringNotEquals': { 'kms:EncryptionContextKeys': ['a'] } }, vals)).toBe(true);
    expect(allows({ 'ForAllValues:StringNotEquals': { 'kms:EncryptionContextKeys': ['a'] } }, vals)).toBe(false);
    expect(allows({ StringNotEquals: { 'kms:EncryptionContextKeys': ['a'] } }, vals)).toBe(false);
    expect(allows({ StringNotEquals: { 'kms:EncryptionContextKeys': ['c'] } }, vals)).toBe(true);
  });

  it('string, number, date, bool, binary and ARN operators', () => {
    const v = { 'x:s': 'Alpha', 'x:n': '30', 'x:d': '2026-12-07T12:00:00Z', 'x:b': 'true', 'x:arn': USER.arn };
    const cases: [object, boolean][] = [
      [{ StringEqualsIgnoreCase: { 'x:s': 'alpha' } }, true],
      [{ StringEquals: { 'x:s': 'alpha' } }, false],
      [{ StringNotEqualsIgnoreCase: { 'x:s': 'ALPHA' } }, false],
      [{ StringLike: { 'x:s': 'Al?ha' } }, true],
      [{ StringLike: { 'x:s': 'al*' } }, false],
      [{ StringNotLike: { 'x:s': 'B*' } }, true],
      [{ NumericEquals: { 'x:n': 30 } }, true],
      [{ NumericLessThan: { 'x:n': '30' } }, false],
      [{ NumericLessThanEquals: { 'x:n': '30' } }, true],
      [{ NumericGreaterThan: { 'x:n': '7' } }, true],
      [{ NumericGreaterThanEquals: { 'x:n': '31' } }, false],
      [{ NumericNotEquals: { 'x:n': '30' } }, false],
      [{ NumericEquals: { 'x:n': 'thirty' } }, false],
      [{ DateGreaterThan: { 'x:d': '2026-12-07T11:59:59Z' } }, true],
      [{ DateLessThan: { 'x:d': '2026-12-07' } }, false],
      [{ DateEquals: { 'x:d': String(Date.parse('2026-12-07T12:00:00Z') / 1000) } }, true],
      [{ DateNotEquals: { 'x:d': '2026-12-07T12:00:00+00:00' } }, false],
      [{ DateLessThanEquals: { 'x:d': '2026-12-07T13:00:00+01:00' } }, true],
      [{ DateGreaterThanEquals: { 'x:d': 'not a date' } }, false],
      [{ Bool: { 'x:b': true } }, true],
      [{ Bool: { 'x:b': 'false' } }, false],
      [{ BinaryEquals: { 'x:s': 'Alpha' } }, true],
      [{ ArnLike: { 'x:arn': `arn:aws:iam::${A}:user/*` } }, true],
      [{ ArnEquals: { 'x:arn': `arn:aws:iam::*:user/alice` } }, true],
      [{ ArnNotLike: { 'x:arn': `arn:aws:iam::${A}:role/*` } }, true],
      [{ ArnNotEquals: { 'x:arn': USER.arn } }, false],
    ];
    for (const [condition, expected] of cases) expect(allows(condition, v), JSON.stringify(condition)).toBe(expected);
  });

  it('IP addresses: IPv4 and IPv6 ranges, single addresses, IPv4-mapped IPv6', () => {
    const ip = (addr: string, cidr: string | string[]) =>
      allows({ IpAddress: { 'aws:SourceIp': cidr } }, { 'aws:SourceIp': addr });
    expect(ip('10.1.2.3', '10.0.0.0/8')).toBe(true);
    expect(ip('11.1.2.3', '10.0.0.0/8')).toBe(false);
    expect(ip('192.168.1.77', '192.168.1.64/26')).toBe(true);
    expect(ip('192.168.1.128', '192.168.1.64/26')).toBe(false);
    expect(ip('127.0.0.1', '127.0.0.1')).toBe(true);
    expect(ip('127.0.0.2', ['10.0.0.0/8', '127.0.0.1/32'])).toBe(false);
    expect(ip('::ffff:10.0.0.1', '10.0.0.0/8')).toBe(true);
    expect(ip('2001:db8::1', '2001:db8::/32')).toBe(true);
    expect(ip('2001:db9::1', '2001:db8::/32')).toBe(false);
    expect(ip('::1', '::1/128')).toBe(true);
    expect(ip('10.0.0.1', '2001:db8::/32')).toBe(false);
    expect(ip('10.0.0.1', '10.0.0.0/33')).toBe(false);
    expect(parseIp('1.2.3')).toBeUndefined();
    expect(parseIp('1:2:3:4:5:6:7:8:9')).toBeUndefined();
    expect(parseIp('fe80::1::2')).toBeUndefined();
    expect([...parseIp('1:2:3:4:5:6:7:8')!]).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]);
  });

  it('wildcards take time proportional to the lengths, never exponential (no regular expressions)', () => {
    const value = `${'a-'.repeat(5000)}b`;
    expect(allows({ StringLike: { 'x:s': '*-*-*-*-*-*-*-*-prod' } }, { 'x:s': value })).toBe(false);
    expect(allows({ StringLike: { 'x:s': '*-*-*-*-*-*-*-*-b' } }, { 'x:s': value })).toBe(true);
    expect(allows({ StringLike: { 'x:s': 'a?-*' } }, { 'x:s': 'ab-' })).toBe(true);
    expect(allows({ StringLike: { 'x:s': '**' } }, { 'x:s': '' })).toBe(true);
    expect(allows({ StringLike: { 'x:s': '?' } }, { 'x:s': '' })).toBe(false);
  });

  it('ArnLike compares each of the six components: a pattern of fewer components matches nothing', () => {
    const v = { 'aws:PrincipalArn': `arn:aws:iam::${A}:role/path/ops` };
    expect(allows({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*' } }, v)).toBe(false);
    expect(allows({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*' } }, v)).toBe(true);
    expect(allows({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:*:*:*:role/path/ops' } }, v)).toBe(true);
    expect(allows({ ArnLike: { 'aws:PrincipalArn': 'arn:*:iam::*' } }, v)).toBe(false);
    expect(allows({ ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:sts::*:*' } }, v)).toBe(true);
  });

  it('dates: ISO 8601 and epoch seconds', () => {
    // A time without an offset is UTC whatever the host's time zone.
    expect(parseDate('2026-12-07T12:00:00')).toBe(Date.UTC(2026, 11, 7, 12));
    expect(parseDate('1700000000')).toBe(1_700_000_000_000);
    expect(parseDate('2026-12-07T12:00:00Z')).toBe(Date.UTC(2026, 11, 7, 12));
    expect(Number.isNaN(parseDate('07/12/2026'))).toBe(true);
  });

  it('policy variables in conditions and resources; ${*} is a literal star; a missing variable matches nothing', () => {
    const v = { 'aws:PrincipalTag/team': 'blue', 'aws:ResourceTag/team': 'blue', 'aws:username': 'alice' };
    expect(allows({ StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } }, v)).toBe(true);
    expect(allows({ StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/other}' } }, v)).toBe(false);
    expect(allows({ StringLike: { 'x:s': 'a${*}' } }, { 'x:s': 'a*' })).toBe(true);
    expect(allows({ StringLike: { 'x:s': 'a${*}' } }, { 'x:s': 'ab' })).toBe(false);
    const doc = (resource: string, version = '2012-10-17') =>
      compilePolicy(
        JSON.stringify({ Version: version, Statement: [{ Effect: 'Allow', Action: '*', Resource: resource }] }),
        'identity',
      );
    const alias = `arn:aws:kms:us-east-1:${A}:alias/alice-keys`;
    expect(
      evaluatePolicy(doc(`arn:aws:kms:*:*:alias/\${aws:username}-*`), undefined, 'kms:createalias', alias, values(v)),
    ).toBe(ALLOW_DIRECT);
    expect(
      evaluatePolicy(doc(`arn:aws:kms:*:*:alias/\${aws:username}-*`), undefined, 'kms:createalias', alias, values({})),
    ).toBe(0);
    // A default for a missing variable.
    expect(allows({ StringEquals: { 'aws:ResourceTag/team': "${aws:PrincipalTag/other, 'blue'}" } }, v)).toBe(true);
    expect(allows({ StringEquals: { 'aws:ResourceTag/team': "${aws:PrincipalTag/team, 'red'}" } }, v)).toBe(true);
    expect(allows({ StringEquals: { 'aws:ResourceTag/team': "${aws:PrincipalTag/other, 'red'}" } }, v)).toBe(false);
    // In a 2008-10-17 document, ${...} is text.
    expect(
      evaluatePolicy(
        doc(`arn:aws:kms:*:*:alias/\${aws:username}-*`, '2008-10-17'),
        undefined,
        'kms:createalias',
        alias,
        values(v),
      ),
    ).toBe(0);
  });
});
