// The members of a credentials entry that make its caller for authorization: identityPolicies,
// identityPolicyFiles (relative to the credentials file), principalTags and sessionToken in JSON;
// aws_session_token, identity_policy_file and principal_tags in the INI form. Good entries are
// read as given (policy files folded into identityPolicies); each bad one is refused with a
// message naming the file, the entry and what is wrong, and quoting neither secret nor token.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCredentialsFile, startServer, type ServerCredentials } from '../src/node/http/server.js';

const SECRET = 'secret/key+never/in/messages0000000000';
const TOKEN = 'FQoGZXIvYXdzEXAMPLEtokenNeverInMessages';
const KEY = { accessKeyId: 'ASIAEXAMPLE000000001', secretAccessKey: SECRET };
const ROLE = 'arn:aws:iam::111122223333:role/ops';
const USER = 'arn:aws:iam::111122223333:user/alice';
const ALLOW_ENCRYPT = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }] };
const ALLOW_DECRYPT = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}}';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wasm-kms-credentials-'));
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'policies', 'decrypt.json'), ALLOW_DECRYPT);
  writeFileSync(join(dir, 'policies', 'not-json.json'), 'Allow everything');
  writeFileSync(
    join(dir, 'policies', 'with-principal.json'),
    JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }] }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a credentials file (mode 600) and returns its path. */
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  chmodSync(p, 0o600);
  return p;
}

/** The message loadCredentialsFile throws for `text`, after checking it quotes no secret. */
function refusal(name: string, text: string): string {
  let err: Error | undefined;
  try {
    loadCredentialsFile(file(name, text));
  } catch (e) {
    err = e as Error;
  }
  expect(err, name).toBeInstanceOf(Error);
  expect(err!.message).not.toContain(SECRET);
  expect(err!.message).not.toContain(TOKEN);
  return err!.message;
}

describe('credentials entries: identity policies, principal tags, session tokens', () => {
  it('JSON: inline policies, policy files relative to the file (read, folded into identityPolicies), tags, token', () => {
    const entry: ServerCredentials = {
      ...KEY,
      principal: ROLE,
      roleSessionName: 'nightly',
      sessionToken: TOKEN,
      identityPolicies: [ALLOW_ENCRYPT],
      identityPolicyFiles: ['policies/decrypt.json'],
      principalTags: { team: 'kms', env: '' },
    };
    const p = file(
      'good.json',
      JSON.stringify([entry, { ...KEY, accessKeyId: 'AKIDUSER000000000002', principal: USER }]),
    );
    const [role, user] = loadCredentialsFile(p);
    expect(role).toEqual({
      ...KEY,
      principal: ROLE,
      roleSessionName: 'nightly',
      sessionToken: TOKEN,
      identityPolicies: [ALLOW_ENCRYPT, ALLOW_DECRYPT],
      principalTags: { team: 'kms', env: '' },
    });
    expect(user).toEqual({ ...KEY, accessKeyId: 'AKIDUSER000000000002', principal: USER });
  });

  it('INI: aws_session_token, identity_policy_file (several, separated by commas), principal_tags', () => {
    const p = file(
      'good.ini',
      [
        '[ops]',
        `aws_access_key_id = ${KEY.accessKeyId}`,
        `aws_secret_access_key = ${SECRET}`,
        `aws_session_token = ${TOKEN}`,
        `principal = arn:aws:sts::111122223333:assumed-role/ops/nightly`,
        'identity_policy_file = policies/decrypt.json, policies/decrypt.json',
        'principal_tags = team=kms, cost-center = 42 ,empty=',
        '',
      ].join('\n'),
    );
    expect(loadCredentialsFile(p)).toEqual([
      {
        ...KEY,
        sessionToken: TOKEN,
        principal: 'arn:aws:sts::111122223333:assumed-role/ops/nightly',
        identityPolicies: [ALLOW_DECRYPT, ALLOW_DECRYPT],
        principalTags: { team: 'kms', 'cost-center': '42', empty: '' },
      },
    ]);
  });

  it('refuses each bad entry with a message naming the file, the entry and the fault', () => {
    const policyPath = (name: string) => join(dir, 'policies', name);
    // [file, text, the message after the file's name, and for a policy's own fault what follows it]
    const cases: [string, string, string, RegExp?][] = [
      [
        'missing-file.json',
        JSON.stringify([{ ...KEY, principal: USER, identityPolicyFiles: ['policies/absent.json'] }]),
        `entry 1: cannot read identity policy file ${policyPath('absent.json')}: ENOENT`,
      ],
      [
        'not-json-file.json',
        JSON.stringify([
          {
            ...KEY,
            principal: USER,
            identityPolicies: [ALLOW_ENCRYPT],
            identityPolicyFiles: ['policies/not-json.json'],
          },
        ]),
        `entry 1: identity policy file ${policyPath('not-json.json')}: The policy is not a valid JSON document.`,
      ],
      [
        'principal-in-identity.ini',
        `[a]\naws_access_key_id = A1\naws_secret_access_key = ${SECRET}\nprincipal = ${USER}\nidentity_policy_file = policies/with-principal.json\n`,
        `entry 1: identity policy file ${policyPath('with-principal.json')}: `,
        /with-principal\.json: .*Principal/,
      ],
      [
        'bad-inline.json',
        JSON.stringify([
          KEY,
          { ...KEY, accessKeyId: 'A2', principal: USER, identityPolicies: [ALLOW_ENCRYPT, '{"Statement": 7}'] },
        ]),
        'entry 2: identityPolicies[1]: ',
        /identityPolicies\[1\]: .*statement/i,
      ],
      [
        'inline-not-document.json',
        JSON.stringify([{ ...KEY, principal: USER, identityPolicies: [42] }]),
        'entry 1: identityPolicies[0] must be an IAM policy document (JSON text or an object)',
      ],
      [
        'inline-not-list.json',
        JSON.stringify([{ ...KEY, principal: USER, identityPolicies: ALLOW_ENCRYPT }]),
        'entry 1: identityPolicies must be a list of IAM policy documents (JSON text or objects)',
      ],
      [
        'files-not-list.json',
        JSON.stringify([{ ...KEY, principal: USER, identityPolicyFiles: 'policies/decrypt.json' }]),
        'entry 1: identityPolicyFiles must be a list of file paths',
      ],
      [
        'root-policies.json',
        JSON.stringify([{ ...KEY, accountId: '111122223333', identityPolicies: [ALLOW_ENCRYPT] }]),
        "entry 1: identity policies are not for an account's root user (it holds every permission of its account); name a principal",
      ],
      [
        'root-arn-policies.json',
        JSON.stringify([
          { ...KEY, principal: 'arn:aws:iam::111122223333:root', identityPolicyFiles: ['policies/decrypt.json'] },
        ]),
        "entry 1: identity policies are not for an account's root user (it holds every permission of its account); name a principal",
      ],
      [
        'root-tags.json',
        JSON.stringify([{ ...KEY, principalTags: { team: 'kms' } }]),
        "entry 1: principalTags are not for an account's root user; name a principal",
      ],
      [
        'tags-not-strings.json',
        JSON.stringify([{ ...KEY, principal: USER, principalTags: { team: 7 } }]),
        'entry 1: principalTags must map tag keys to string values',
      ],
      [
        'tags-case.json',
        JSON.stringify([{ ...KEY, principal: USER, principalTags: { Team: 'a', team: 'b' } }]),
        'entry 1: principalTags: the key team is given twice (tag keys are compared without case)',
      ],
      [
        'tags-long.json',
        JSON.stringify([{ ...KEY, principal: USER, principalTags: { team: 'x'.repeat(257) } }]),
        'entry 1: principalTags: the value of team is longer than 256 characters',
      ],
      [
        'token-user.json',
        JSON.stringify([{ ...KEY, principal: USER, sessionToken: TOKEN }]),
        `entry 1: sessionToken is only for a role or role session principal (temporary credentials); ${USER} is not one`,
      ],
      [
        'token-root.ini',
        `[a]\naws_access_key_id = A1\naws_secret_access_key = ${SECRET}\naws_session_token = ${TOKEN}\n`,
        'entry 1: sessionToken is only for a role or role session principal (temporary credentials)',
      ],
      [
        'token-empty.json',
        JSON.stringify([{ ...KEY, principal: ROLE, sessionToken: '' }]),
        'entry 1: sessionToken must be a non-empty string',
      ],
      [
        'tags-ini.ini',
        `[ci]\naws_access_key_id = A1\naws_secret_access_key = ${SECRET}\nprincipal = ${USER}\nprincipal_tags = team=kms,owner\n`,
        "profile [ci]: principal_tags is key=value pairs separated by commas, got 'owner'",
      ],
      [
        'tags-ini-twice.ini',
        `[ci]\naws_access_key_id = A1\naws_secret_access_key = ${SECRET}\nprincipal = ${USER}\nprincipal_tags = team=a, team=b\n`,
        "profile [ci]: principal_tags has the key 'team' twice",
      ],
      [
        'files-ini-empty.ini',
        `[ci]\naws_access_key_id = A1\naws_secret_access_key = ${SECRET}\nprincipal = ${USER}\nidentity_policy_file = policies/decrypt.json,\n`,
        'profile [ci]: identity_policy_file is one or more paths separated by commas, with none empty',
      ],
    ];
    for (const [name, text, message, detail] of cases) {
      const got = refusal(name, text);
      expect(got, name).toContain(`credentials file ${join(dir, name)}: ${message}`);
      if (detail !== undefined) expect(got, name).toMatch(detail);
      else expect(got, name).toBe(`credentials file ${join(dir, name)}: ${message}`);
    }
  });

  it('startServer takes the same members, policy files relative to the working directory', async () => {
    await expect(
      startServer({
        port: 0,
        auth: 'sigv4',
        credentials: [{ ...KEY, principal: USER, identityPolicyFiles: [join(dir, 'policies', 'not-json.json')] }],
      }),
    ).rejects.toThrow(
      `credentials[0]: identity policy file ${join(dir, 'policies', 'not-json.json')}: The policy is not a valid JSON document.`,
    );
    await expect(
      startServer({ port: 0, auth: 'sigv4', credentials: [{ ...KEY, principal: USER, sessionToken: TOKEN }] }),
    ).rejects.toThrow(`credentials[0]: sessionToken is only for a role or role session principal`);
    const server = await startServer({
      port: 0,
      auth: 'sigv4',
      credentials: [{ ...KEY, principal: ROLE, sessionToken: TOKEN, identityPolicies: [ALLOW_DECRYPT] }],
    });
    await server.close();
  });
});
