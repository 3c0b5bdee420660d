// GetKeyPolicy, PutKeyPolicy, ListKeyPolicies and CreateKey's Policy: the default key policy's
// exact text, documents kept byte for byte, the policy checks (size, characters, elements) and
// the lockout safety check; through KMSClient on a memory store, on a file store across
// reopening, through the HTTP endpoint with the real @aws-sdk/client-kms, and through the CLI.

import { describe, it, expect } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sdk from '@aws-sdk/client-kms';
import {
  AccessDeniedException,
  CreateKeyCommand,
  DisableKeyCommand,
  GetKeyPolicyCommand,
  InvalidArnException,
  InvalidMarkerException,
  KMSClient,
  LimitExceededException,
  ListKeyPoliciesCommand,
  ListKeysCommand,
  MalformedPolicyDocumentException,
  MemoryKeyStore,
  NotFoundException,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
  paginateListKeyPolicies,
} from '../../src/kms/index.js';
import { actionMatches, checkKeyPolicy, defaultKeyPolicy } from '../../src/kms/key-policy.js';
import { FileKeyStore } from '../../src/node/file-store/index.js';
import { clients, newKey, rejection } from '../helpers/kms.js';
import { useCli, useEndpoint } from '../helpers/endpoint.js';

const ACCOUNT = '111122223333';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const LOCKOUT = 'The new key policy will not allow you to update the key policy in the future.';
const OVERLY_PERMISSIVE =
  'OverlyPermissiveCondition: Using the ForAllValues set operator with the single-valued condition key kms:EncryptionContext:dept is overly permissive.';

/** The default key policy as AWS returns it (developer guide, and its CloudTrail example of PutKeyPolicy). */
const DEFAULT_TEXT =
  '{\n  "Version" : "2012-10-17",\n  "Id" : "key-default-1",\n  "Statement" : [ {\n' +
  '    "Sid" : "Enable IAM User Permissions",\n    "Effect" : "Allow",\n    "Principal" : {\n' +
  '      "AWS" : "arn:aws:iam::111122223333:root"\n    },\n    "Action" : "kms:*",\n    "Resource" : "*"\n  } ]\n}';

/** A policy of one statement with the members given (Effect Allow, Resource * unless replaced). */
function policy(statement: Record<string, unknown>, top: Record<string, unknown> = {}): string {
  return JSON.stringify({
    Version: '2012-10-17',
    ...top,
    Statement: [{ Effect: 'Allow', Resource: '*', ...statement }],
  });
}
const ADMIN = policy({ Principal: { AWS: ROOT }, Action: 'kms:*' });

describe('key policies: KMSClient', () => {
  it('a key created without a policy has the default key policy, in the exact text AWS returns', async () => {
    const { us, cn } = clients();
    const k = await newKey(us);
    const out = await us.send(new GetKeyPolicyCommand({ KeyId: k.KeyId }));
    expect(out.Policy).toBe(DEFAULT_TEXT);
    expect(out.PolicyName).toBe('default');
    expect(JSON.parse(out.Policy!)).toEqual({
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: ROOT },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    });
    expect((await us.send(new GetKeyPolicyCommand({ KeyId: k.Arn, PolicyName: 'default' }))).Policy).toBe(DEFAULT_TEXT);
    // The partition follows the key's Region.
    const c = await newKey(cn);
    const cnPolicy = (await cn.send(new GetKeyPolicyCommand({ KeyId: c.KeyId }))).Policy!;
    expect(cnPolicy).toBe(DEFAULT_TEXT.replace('arn:aws:iam', 'arn:aws-cn:iam'));
    // The default policy passes the engine's own checks.
    checkKeyPolicy(defaultKeyPolicy('aws', ACCOUNT), { bypassLockoutCheck: false, callerArn: ROOT, account: ACCOUNT });
  });

  it('PutKeyPolicy and CreateKey keep the document exactly as given', async () => {
    const { us } = clients();
    const text = `{ "Statement":[ {"Sid":"a é","Effect":"Allow","Principal":{"AWS":"${ACCOUNT}"},\n\t"Action":["kms:Encrypt","kms:PutKeyPolicy","kms:GetKeyPolicy"],"Resource":"*"}]}  `;
    const k = await newKey(us, { Policy: text });
    expect((await us.send(new GetKeyPolicyCommand({ KeyId: k.KeyId }))).Policy).toBe(text);
    await us.send(new PutKeyPolicyCommand({ KeyId: k.KeyId, Policy: ADMIN }));
    expect((await us.send(new GetKeyPolicyCommand({ KeyId: k.KeyId }))).Policy).toBe(ADMIN);
    await us.send(new PutKeyPolicyCommand({ KeyId: k.Arn, PolicyName: 'default', Policy: text }));
    expect((await us.send(new GetKeyPolicyCommand({ KeyId: k.KeyId }))).Policy).toBe(text);
  });

  it('the lockout safety check: the caller must keep kms:PutKeyPolicy unless the check is bypassed', async () => {
    const { us } = clients();
    const k = await newKey(us);
    const passes = [
      ADMIN,
      policy({ Principal: '*', Action: '*' }),
      policy({ Principal: { AWS: '*' }, Action: 'kms:Put*' }),
      policy({
        Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:user/x`, ACCOUNT] },
        Action: ['kms:Encrypt', 'KMS:putkeypolicy'],
      }),
      policy({ Principal: { AWS: ROOT }, NotAction: 'kms:Encrypt' }),
      // A Deny with a Condition may not apply; the Allow stands.
      JSON.stringify({
        Statement: [
          { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
          {
            Effect: 'Deny',
            Principal: '*',
            Action: 'kms:PutKeyPolicy',
            Resource: '*',
            Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } },
          },
        ],
      }),
    ];
    for (const p of passes) await us.send(new PutKeyPolicyCommand({ KeyId: k.KeyId, Policy: p }));

    const lockouts = [
      policy({ Principal: { AWS: ROOT }, Action: 'kms:Encrypt' }),
      policy({ Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'kms:*' }),
      policy({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }, Action: 'kms:*' }),
      policy({ Principal: { Service: 'logs.amazonaws.com' }, Action: 'kms:*' }),
      policy({ Principal: { AWS: ROOT }, NotAction: 'kms:Put*' }),
      // An Allow without a Resource has no effect.
      JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*' }] }),
      JSON.stringify({
        Statement: [
          { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
          { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:PutKeyPolicy', Resource: '*' },
        ],
      }),
    ];
    const before = (await us.send(new GetKeyPolicyCommand({ KeyId: k.KeyId }))).Policy;
    for (const p of lockouts) {
      const locked = await newKey(us);
      const e = await rejection(
        us.send(new PutKeyPolicyCommand({ KeyId: locked.KeyId, Policy: p })),
        MalformedPolicyDocumentException,
      );
      expect(e.message, p).toBe(LOCKOUT);
      await us.send(new PutKeyPolicyCommand({ KeyId: locked.KeyId, Policy: p, BypassPolicyLockoutSafetyCheck: true }));
      // What the check warned of: the caller can no longer change the key policy.
      const denied = await rejection(
        us.send(new PutKeyPolicyCommand({ KeyId: locked.KeyId, Policy: before! })),
        AccessDeniedException,
      );
      expect(denied.message, p).toMatch(
        /^User: arn:aws:iam::111122223333:root is not authorized to perform: kms:PutKeyPolicy on resource: arn:aws:kms:/,
      );
    }
    // CreateKey applies the same check, and a refused policy creates no key.
    const e = await rejection(us.send(new CreateKeyCommand({ Policy: lockouts[0] })), MalformedPolicyDocumentException);
    expect(e.message).toBe(LOCKOUT);
    expect((await us.send(new ListKeysCommand({}))).Keys!.length).toBe(1 + lockouts.length);
    const readable = policy({ Principal: { AWS: ROOT }, Action: 'kms:GetKeyPolicy' });
    const bypassed = await newKey(us, { Policy: readable, BypassPolicyLockoutSafetyCheck: true });
    expect((await us.send(new GetKeyPolicyCommand({ KeyId: bypassed.KeyId }))).Policy).toBe(readable);
  });

  it('the caller is who the client calls as: an IAM user passes with its own ARN, not with another user', async () => {
    const store = new MemoryKeyStore();
    const everything = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }];
    const alice = new KMSClient({
      store,
      principal: `arn:aws:iam::${ACCOUNT}:user/alice`,
      identityPolicies: everything,
    });
    const k = await newKey(alice);
    const ROLE = `arn:aws:iam::${ACCOUNT}:role/path/admin`;
    await alice.send(
      new PutKeyPolicyCommand({
        KeyId: k.KeyId,
        Policy: policy({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }, Action: 'kms:PutKeyPolicy' }),
      }),
    );
    const e = await rejection(
      alice.send(
        new PutKeyPolicyCommand({
          KeyId: k.KeyId,
          Policy: policy({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` }, Action: 'kms:*' }),
        }),
      ),
      MalformedPolicyDocumentException,
    );
    expect(e.message).toBe(LOCKOUT);
    // The role is not named by the key policy: its identity policy alone does not let it in.
    const role = new KMSClient({ store, principal: ROLE, identityPolicies: everything });
    const roleOnly = policy({ Principal: { AWS: ROLE }, Action: 'kms:*' });
    const refused = await rejection(
      role.send(new PutKeyPolicyCommand({ KeyId: k.KeyId, Policy: roleOnly })),
      AccessDeniedException,
    );
    expect(refused.message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/admin/wasm-kms is not authorized to perform: kms:PutKeyPolicy on resource: ${k.Arn} because no resource-based policy allows the kms:PutKeyPolicy action`,
    );
    await alice.send(
      new PutKeyPolicyCommand({
        KeyId: k.KeyId,
        Policy: policy({ Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:user/alice`, ROLE] }, Action: 'kms:*' }),
      }),
    );
    // The role's session is the role the policy names: the lockout check passes for it.
    await role.send(new PutKeyPolicyCommand({ KeyId: k.KeyId, Policy: roleOnly }));
    await rejection(alice.send(new GetKeyPolicyCommand({ KeyId: k.KeyId })), AccessDeniedException);
  });

  it('documents that are not key policies are MalformedPolicyDocumentException', async () => {
    const { us } = clients();
    const k = await newKey(us);
    const P = { AWS: ROOT };
    const cases: [string, string][] = [
      ['{"Statement": [', 'The key policy is not a valid JSON document.'],
      ['[]', 'The key policy must be a JSON object.'],
      ['{"Version":"2012-10-17"}', 'The key policy has no Statement.'],
      ['{"Statement":[]}', 'The key policy has no Statement.'],
      [policy({ Principal: P, Action: 'kms:*' }, { Extra: 1 }), 'The key policy has an unknown element: Extra.'],
      [
        policy({ Principal: P, Action: 'kms:*' }, { Version: '2013-01-01' }),
        'The key policy Version must be 2012-10-17 or 2008-10-17.',
      ],
      [
        policy({ Principal: P, Action: 'kms:*', Effect: 'allow' }),
        'Each statement of the key policy needs an Effect of Allow or Deny.',
      ],
      [
        policy({ Principal: P, Action: 'kms:*', Effect: undefined }),
        'Each statement of the key policy needs an Effect of Allow or Deny.',
      ],
      [policy({ Principal: P }), 'Each statement of the key policy needs exactly one of Action and NotAction.'],
      [
        policy({ Principal: P, Action: 'kms:*', NotAction: 'kms:Encrypt' }),
        'Each statement of the key policy needs exactly one of Action and NotAction.',
      ],
      [
        policy({ Action: 'kms:*' }),
        'Each statement of the key policy needs exactly one of Principal and NotPrincipal.',
      ],
      [
        policy({ Principal: P, Action: 'kms:*', Pirncipal: P }),
        'A statement of the key policy has an unknown element: Pirncipal.',
      ],
      [
        policy({ NotPrincipal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'kms:*' }),
        'NotPrincipal can be used only in a statement with "Effect": "Deny".',
      ],
      [
        policy({
          Principal: P,
          Action: 'kms:*',
          Condition: { 'ForAllValues:StringEquals': { 'kms:EncryptionContext:dept': 'it' } },
        }),
        OVERLY_PERMISSIVE,
      ],
      [
        policy({ Principal: { AWS: 'bob' }, Action: 'kms:*' }),
        'Policy contains a statement with one or more invalid principals.',
      ],
      [
        policy({ Principal: { Person: 'x' }, Action: 'kms:*' }),
        'Policy contains a statement with one or more invalid principals.',
      ],
      [policy({ Principal: P, Action: 'kms Encrypt' }), 'The key policy has an invalid Action: kms Encrypt.'],
      [policy({ Principal: P, Action: [] }), 'A statement Action must be a string or a non-empty list of strings.'],
      [policy({ Principal: P, Action: 'kms:*', Condition: 'x' }), 'A statement Condition must be a JSON object.'],
      [
        policy({ Principal: P, Action: 'kms:*', Sid: '\u20ac' }),
        'The key policy contains a character that is not allowed: only tab, line feed, carriage return and U+0020 to U+00FF are.',
      ],
    ];
    for (const [text, message] of cases) {
      for (const bypass of [false, true]) {
        const e = await rejection(
          us.send(new PutKeyPolicyCommand({ KeyId: k.KeyId, Policy: text, BypassPolicyLockoutSafetyCheck: bypass })),
          MalformedPolicyDocumentException,
        );
        expect(e.message, text).toBe(message);
      }
      await rejection(us.send(new CreateKeyCommand({ Policy: text })), MalformedPolicyDocumentException);
    }
    expect((await us.send(new GetKeyPolicyCommand({ KeyId: k.KeyId }))).Policy).toBe(DEFAULT_TEXT);
    expect((await us.send(new ListKeysCommand({}))).Keys!.length).toBe(1);
  });

  it('a document over 32 KB (UTF-8 bytes) is LimitExceededException; 32 KB exactly is kept', async () => {
    const { us } = clients();
    const k = await newKey(us);
    const pad = (n: number) => ADMIN.replace('{', `{${' '.repeat(n - Buffer.byteLength(ADMIN))}`);
    await us.send(new PutKeyPolicyCommand({ KeyId: k.KeyId, Policy: pad(32768) }));
    expect((await us.send(new GetKeyPolicyCommand({ KeyId: k.KeyId }))).Policy!.length).toBe(32768);
    const e = await rejection(
      us.send(new PutKeyPolicyCommand({ KeyId: k.KeyId, Policy: pad(32769) })),
      LimitExceededException,
    );
    expect(e.message).toBe('The key policy is 32769 bytes; a key policy document can be at most 32768 bytes.');
    // Latin-1 letters count two bytes each.
    const wide = ADMIN.replace('{', `{"Id":"${'é'.repeat(16384)}",`);
    await rejection(us.send(new PutKeyPolicyCommand({ KeyId: k.KeyId, Policy: wide })), LimitExceededException);
  });

  it('PolicyName: default is the only name', async () => {
    const { us } = clients();
    const k = await newKey(us);
    const e1 = await rejection(
      us.send(new GetKeyPolicyCommand({ KeyId: k.KeyId, PolicyName: 'other' })),
      NotFoundException,
    );
    expect(e1.message).toBe(`No key policy named other exists for ${k.Arn}; the only key policy name is default.`);
    await rejection(
      us.send(new PutKeyPolicyCommand({ KeyId: k.KeyId, PolicyName: 'other', Policy: ADMIN })),
      NotFoundException,
    );
    expect((await us.send(new GetKeyPolicyCommand({ KeyId: k.KeyId }))).Policy).toBe(DEFAULT_TEXT);
  });

  it('ListKeyPolicies pages ["default"]; a marker it did not issue is InvalidMarkerException', async () => {
    const { us } = clients();
    const k = await newKey(us);
    expect(await us.send(new ListKeyPoliciesCommand({ KeyId: k.KeyId }))).toMatchObject({
      PolicyNames: ['default'],
      Truncated: false,
    });
    const one = await us.send(new ListKeyPoliciesCommand({ KeyId: k.Arn, Limit: 1 }));
    expect(one.PolicyNames).toEqual(['default']);
    expect(one.Truncated).toBe(false);
    expect(one.NextMarker).toBeUndefined();
    const names = [];
    for await (const p of paginateListKeyPolicies({ client: us, pageSize: 1 }, { KeyId: k.KeyId }))
      names.push(...p.PolicyNames!);
    expect(names).toEqual(['default']);
    await rejection(us.send(new ListKeyPoliciesCommand({ KeyId: k.KeyId, Marker: 'abc' })), InvalidMarkerException);
    await rejection(
      us.send(new ListKeyPoliciesCommand({ KeyId: k.KeyId, Marker: '6b6579733a78' })),
      InvalidMarkerException,
    );
  });

  it('every key state: Get, Put and List work on Disabled, PendingImport and PendingDeletion keys', async () => {
    const { us } = clients();
    const d = await newKey(us);
    await us.send(new DisableKeyCommand({ KeyId: d.KeyId }));
    const imp = await newKey(us, { Origin: 'EXTERNAL' });
    const p = await newKey(us);
    await us.send(new ScheduleKeyDeletionCommand({ KeyId: p.KeyId, PendingWindowInDays: 7 }));
    for (const k of [d, imp, p]) {
      await us.send(new PutKeyPolicyCommand({ KeyId: k.KeyId, Policy: ADMIN }));
      expect((await us.send(new GetKeyPolicyCommand({ KeyId: k.KeyId }))).Policy).toBe(ADMIN);
      expect((await us.send(new ListKeyPoliciesCommand({ KeyId: k.KeyId }))).PolicyNames).toEqual(['default']);
    }
  });

  it('key resolution: missing key, alias, other account, non-KMS ARN', async () => {
    const { us, other } = clients();
    const k = await newKey(us);
    const ghost = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0b3c1a5e-1111-4222-8333-944455556666`;
    const e1 = await rejection(us.send(new GetKeyPolicyCommand({ KeyId: ghost })), NotFoundException);
    expect(e1.message).toBe(`Key '${ghost}' does not exist`);
    await rejection(us.send(new PutKeyPolicyCommand({ KeyId: 'alias/x', Policy: ADMIN })), NotFoundException);
    const e2 = await rejection(
      other.send(new PutKeyPolicyCommand({ KeyId: k.Arn, Policy: ADMIN })),
      AccessDeniedException,
    );
    expect(e2.message).toContain('kms:PutKeyPolicy');
    await rejection(other.send(new GetKeyPolicyCommand({ KeyId: k.Arn })), AccessDeniedException);
    await rejection(
      us.send(new ListKeyPoliciesCommand({ KeyId: 'arn:aws:iam::111122223333:root' })),
      InvalidArnException,
    );
  });

  it('a key policy survives closing and reopening a file store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wasm-kms-policy-'));
    try {
      const store = await FileKeyStore.open(dir);
      const c = new KMSClient({ store });
      const a = await newKey(c, { Policy: ADMIN });
      const b = await newKey(c);
      const changed = policy({ Principal: '*', Action: 'kms:*' });
      await c.send(new PutKeyPolicyCommand({ KeyId: b.KeyId, Policy: changed }));
      await store.close();
      const again = await FileKeyStore.open(dir);
      const c2 = new KMSClient({ store: again });
      expect((await c2.send(new GetKeyPolicyCommand({ KeyId: a.KeyId }))).Policy).toBe(ADMIN);
      expect((await c2.send(new GetKeyPolicyCommand({ KeyId: b.KeyId }))).Policy).toBe(changed);
      await again.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('actionMatches: IAM wildcards, case-insensitive', () => {
    expect(actionMatches('kms:*', 'kms:PutKeyPolicy')).toBe(true);
    expect(actionMatches('*', 'kms:PutKeyPolicy')).toBe(true);
    expect(actionMatches('kms:Put*', 'kms:PutKeyPolicy')).toBe(true);
    expect(actionMatches('KMS:PUTKEYPOLICY', 'kms:PutKeyPolicy')).toBe(true);
    expect(actionMatches('kms:Get*', 'kms:PutKeyPolicy')).toBe(false);
    expect(actionMatches('kms:PutKeyPolicy?', 'kms:PutKeyPolicy')).toBe(false);
    expect(actionMatches('kms.PutKeyPolicy', 'kms:PutKeyPolicy')).toBe(false);
  });
});

describe('key policies: the endpoint with @aws-sdk/client-kms', () => {
  const ep = useEndpoint({ port: 0, store: new MemoryKeyStore() });

  it('GetKeyPolicy, PutKeyPolicy, ListKeyPolicies; a lockout is MalformedPolicyDocumentException', async () => {
    const c = ep.sdk();
    const k = (await c.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
    const got = await c.send(new sdk.GetKeyPolicyCommand({ KeyId: k.KeyId }));
    expect(got.Policy).toBe(DEFAULT_TEXT);
    expect(got.PolicyName).toBe('default');
    await c.send(new sdk.PutKeyPolicyCommand({ KeyId: k.Arn, Policy: ADMIN }));
    expect((await c.send(new sdk.GetKeyPolicyCommand({ KeyId: k.KeyId }))).Policy).toBe(ADMIN);
    const list = await c.send(new sdk.ListKeyPoliciesCommand({ KeyId: k.KeyId }));
    expect(list.PolicyNames).toEqual(['default']);
    expect(list.Truncated).toBe(false);

    const err = await c
      .send(new sdk.PutKeyPolicyCommand({ KeyId: k.KeyId, Policy: policy({ Principal: '*', Action: 'kms:Encrypt' }) }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(sdk.MalformedPolicyDocumentException);
    expect((err as sdk.MalformedPolicyDocumentException).message).toBe(LOCKOUT);
    expect((err as sdk.MalformedPolicyDocumentException).$metadata.httpStatusCode).toBe(400);
    const created = await c.send(new sdk.CreateKeyCommand({ Policy: ADMIN, Tags: [{ TagKey: 'a', TagValue: 'b' }] }));
    expect((await c.send(new sdk.GetKeyPolicyCommand({ KeyId: created.KeyMetadata!.KeyId }))).Policy).toBe(ADMIN);
  });
});

describe('key policies: the CLI', () => {
  const cli = useCli();

  it('get-key-policy, put-key-policy, list-key-policies; a malformed policy exits 254', () => {
    const k = cli.ok(['create-key']) as { KeyMetadata: { KeyId: string } };
    const id = k.KeyMetadata.KeyId;
    expect(cli.ok(['get-key-policy', '--key-id', id])).toEqual({ Policy: DEFAULT_TEXT, PolicyName: 'default' });
    expect(cli.ok(['put-key-policy', '--key-id', id, '--policy', ADMIN])).toEqual({});
    expect(cli.ok(['get-key-policy', '--key-id', id, '--policy-name', 'default']).Policy).toBe(ADMIN);
    expect(cli.ok(['list-key-policies', '--key-id', id]).PolicyNames).toEqual(['default']);

    const r = cli.run(['put-key-policy', '--key-id', id, '--policy', '{"Statement": 1']);
    expect(r.status).toBe(254);
    expect(r.stderr).toContain(
      'An error occurred (MalformedPolicyDocumentException) when calling the PutKeyPolicy operation: The key policy is not a valid JSON document.',
    );
    const r2 = cli.run(['get-key-policy', '--key-id', id, '--policy-name', 'other']);
    expect(r2.status).toBe(254);
    expect(r2.stderr).toContain('NotFoundException');
  });
});
