// `wasm-kms serve --auth none` with a caller: --principal (default the --account-id root),
// --role-session-name, --identity-policy FILE (repeatable) and --principal-tag KEY=VALUE
// (repeatable), or their WASM_KMS_* variables. Every request through the real SDK is then that
// principal's: what its identity policies allow passes, the rest is AccessDeniedException naming
// it. Bad values are usage errors (exit 252) naming the option or variable.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sdk from '@aws-sdk/client-kms';
import { CLI_BIN } from './helpers/endpoint.js';
import { childEnv } from './helpers/env.js';

let work: string;
const env = (extra: Record<string, string> = {}) => childEnv(join(work, 'home'), extra);
const ALICE = 'arn:aws:iam::111122223333:user/alice';

/** Starts `serve --memory` with `args`; resolves with its URL and a stop() giving its exit code. */
function serve(args: string[], extraEnv: Record<string, string> = {}) {
  const child = spawn(
    process.execPath,
    [CLI_BIN, 'serve', '--memory', '--port', '0', '--threads', '1', '--quiet', ...args],
    { env: env(extraEnv), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise<{ url: string; stop: () => Promise<number | null> }>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^wasm-kms listening on (http:\/\/[0-9.]+:\d+)\n/.exec(out);
      if (m)
        resolve({
          url: m[1],
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
    });
    void exited.then((code) => reject(new Error(`serve exited early (${code}): ${err}`)));
  });
}

/** serve run to its end: a usage error never listens (one that wrongly does is killed after 30 s). */
function refused(args: string[], extraEnv: Record<string, string> = {}) {
  const r = spawnSync(
    process.execPath,
    [CLI_BIN, 'serve', '--memory', '--port', '0', '--threads', '1', '--quiet', ...args],
    { env: env(extraEnv), encoding: 'utf8', timeout: 30_000, cwd: work },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function client(url: string) {
  return new sdk.KMSClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDANY', secretAccessKey: 'unchecked' },
    maxAttempts: 1,
  });
}

async function rejection(p: Promise<unknown>): Promise<sdk.KMSServiceException> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(sdk.KMSServiceException);
    return e as sdk.KMSServiceException;
  }
  throw new Error('expected a rejection');
}

const policy = (actions: string[], extra: object = {}) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*', ...extra }] });

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'wasm-kms-serve-principals-'));
  mkdirSync(join(work, 'home'));
  writeFileSync(join(work, 'create-encrypt.json'), policy(['kms:CreateKey', 'kms:Encrypt']));
  writeFileSync(join(work, 'describe.json'), policy(['kms:DescribeKey']));
  // Allows TagResource only to callers tagged team=kms.
  writeFileSync(
    join(work, 'tagged.json'),
    policy(['kms:TagResource'], { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'kms' } } }),
  );
  writeFileSync(join(work, 'broken.json'), '{"Version": "2012-10-17", "Statement": [');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('serve --principal with --identity-policy', () => {
  it("every request is the principal's: its policies allow CreateKey, Encrypt and DescribeKey, not GenerateDataKey", async () => {
    const s = await serve([
      '--principal',
      ALICE,
      '--identity-policy',
      join(work, 'create-encrypt.json'),
      '--identity-policy',
      join(work, 'describe.json'),
    ]);
    const c = client(s.url);
    try {
      const key = (await c.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
      expect(key.AWSAccountId).toBe('111122223333');
      const blob = (await c.send(new sdk.EncryptCommand({ KeyId: key.KeyId, Plaintext: new Uint8Array([7]) })))
        .CiphertextBlob!;
      expect(blob.length).toBeGreaterThan(0);
      expect((await c.send(new sdk.DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.Arn).toBe(key.Arn);
      const e = await rejection(c.send(new sdk.GenerateDataKeyCommand({ KeyId: key.Arn, KeySpec: 'AES_256' })));
      expect(e.name).toBe('AccessDeniedException');
      expect(e.message).toBe(
        `User: ${ALICE} is not authorized to perform: kms:GenerateDataKey on resource: ${key.Arn} because no identity-based policy allows the kms:GenerateDataKey action`,
      );
    } finally {
      c.destroy();
      expect(await s.stop()).toBe(0);
    }
  });

  it("a role calls as its session, in the principal's account; tags reach aws:PrincipalTag; the variables stand for the flags", async () => {
    const role = 'arn:aws:iam::444455556666:role/deployer';
    const s = await serve([], {
      WASM_KMS_PRINCIPAL: role,
      WASM_KMS_ROLE_SESSION_NAME: 'ci',
      WASM_KMS_IDENTITY_POLICY: `${join(work, 'create-encrypt.json')},${join(work, 'tagged.json')}`,
      WASM_KMS_PRINCIPAL_TAG: 'team=kms,env=test',
    });
    const c = client(s.url);
    try {
      const key = (await c.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
      // No --account-id: the account is the principal's.
      expect(key.AWSAccountId).toBe('444455556666');
      await c.send(new sdk.TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'a', TagValue: 'b' }] }));
      const e = await rejection(c.send(new sdk.DescribeKeyCommand({ KeyId: key.KeyId })));
      expect(e.message).toBe(
        `User: arn:aws:sts::444455556666:assumed-role/deployer/ci is not authorized to perform: kms:DescribeKey on resource: ${key.Arn} because no identity-based policy allows the kms:DescribeKey action`,
      );
    } finally {
      c.destroy();
      expect(await s.stop()).toBe(0);
    }
    // Without the tag, the tagged policy does not apply.
    const untagged = await serve([
      '--principal',
      role,
      '--identity-policy',
      join(work, 'create-encrypt.json'),
      '--identity-policy',
      join(work, 'tagged.json'),
      '--principal-tag',
      'team=web',
    ]);
    const u = client(untagged.url);
    try {
      const key = (await u.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
      const e = await rejection(
        u.send(new sdk.TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'a', TagValue: 'b' }] })),
      );
      expect(e.message).toBe(
        `User: arn:aws:sts::444455556666:assumed-role/deployer/wasm-kms is not authorized to perform: kms:TagResource on resource: ${key.Arn} because no identity-based policy allows the kms:TagResource action`,
      );
    } finally {
      u.destroy();
      expect(await untagged.stop()).toBe(0);
    }
  });

  it('bad values are usage errors (exit 252) naming the option or variable, and serve does not start', () => {
    const cases: [string[], Record<string, string>, string][] = [
      [['--principal', 'alice'], {}, 'argument --principal: principal must be an IAM ARN'],
      [
        ['--principal', 'arn:aws:iam::444455556666:user/bob', '--account-id', '111122223333'],
        {},
        'argument --principal: principal arn:aws:iam::444455556666:user/bob is of account 444455556666, not of --account-id 111122223333',
      ],
      [
        ['--principal', ALICE, '--role-session-name', 'ci'],
        {},
        'argument --role-session-name: only for a role principal (--principal arn:aws:iam::ACCOUNT:role/NAME)',
      ],
      [
        ['--principal', 'arn:aws:iam::111122223333:role/ops', '--role-session-name', 'a b'],
        {},
        'argument --role-session-name: principal arn:aws:iam::111122223333:role/ops: the role session name must be',
      ],
      [
        ['--principal', ALICE, '--identity-policy', 'absent.json'],
        {},
        'argument --identity-policy: cannot read absent.json: ENOENT',
      ],
      [
        ['--principal', ALICE, '--identity-policy', 'broken.json'],
        {},
        'argument --identity-policy: broken.json: The policy is not a valid JSON document.',
      ],
      [
        ['--identity-policy', 'describe.json'],
        {},
        "argument --identity-policy: describe.json: identity policies are not for an account's root user (it holds every permission of its account); name a principal",
      ],
      [
        ['--principal', ALICE, '--principal-tag', 'team'],
        {},
        "argument --principal-tag: expected KEY=VALUE, got 'team'",
      ],
      [
        ['--principal', ALICE, '--principal-tag', 'team=a', '--principal-tag', 'Team=b'],
        {},
        'argument --principal-tag: the key Team is given twice (tag keys are compared without case)',
      ],
      [
        ['--principal-tag', 'team=a'],
        {},
        "argument --principal-tag: principalTags are not for an account's root user; name a principal",
      ],
      [
        ['--auth', 'sigv4', '--credentials', 'creds.json', '--principal', ALICE],
        {},
        'argument --principal: only used with --auth none (with --auth sigv4, each entry of --credentials names its caller)',
      ],
      [
        [],
        { WASM_KMS_PRINCIPAL: 'arn:aws:iam::111122223333:group/ops' },
        'environment variable WASM_KMS_PRINCIPAL: principal arn:aws:iam::111122223333:group/ops: only an account root',
      ],
      [
        ['--principal', ALICE],
        { WASM_KMS_PRINCIPAL_TAG: 'team=a,,' },
        "environment variable WASM_KMS_PRINCIPAL_TAG: expected KEY=VALUE, got ''",
      ],
    ];
    for (const [args, extraEnv, message] of cases) {
      const r = refused(args, extraEnv);
      const what = `${args.join(' ')} ${JSON.stringify(extraEnv)}`;
      expect(r.stdout, what).toBe('');
      expect(r.code, what).toBe(252);
      expect(r.stderr, what).toContain(message);
    }
  });

  it('--help describes the caller options', () => {
    const r = spawnSync(process.execPath, [CLI_BIN, 'serve', '--help'], { env: env(), encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const option of [
      '--principal <arn>',
      '--role-session-name <name>',
      '--identity-policy <file>',
      '--principal-tag <key=value>',
    ])
      expect(r.stdout).toContain(option);
    expect(r.stdout).toContain('WASM_KMS_PRINCIPAL');
  });
});
