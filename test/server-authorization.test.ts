// Authorization through the HTTP endpoint in strict mode, with the real @aws-sdk/client-kms: two
// accounts (111122223333 owns the keys, 444455556666 is the other) and three principals, each a
// credential of the endpoint:
//   - alice, an IAM user of the owner, with an identity policy allowing kms:* (inline);
//   - ops, a role of the owner used through temporary credentials (a session token), with an
//     identity policy read from a file named in a credentials file;
//   - bob, an IAM user of the other account, whose identity policy allows kms:GenerateDataKeyPair
//     and kms:Decrypt on the owner's key ARN.
// A key shared with the other account by its key policy serves bob, and what bob made decrypts
// for alice; PutKeyPolicy without the share refuses bob's next call; bob without his identity
// policy is refused while shared; wrong session tokens are refused; aws:SourceIp and
// aws:SecureTransport in key policy conditions are what the endpoint sees (the client's address,
// plain HTTP). Also the caller of a server without signatures (`principal` and the like).

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sdk from '@aws-sdk/client-kms';
import { KMSClient, CreateKeyCommand } from '../src/kms/index.js';
import { MemoryKeyStore } from '../src/kms/store.js';
import {
  startServer,
  loadCredentialsFile,
  type RunningServer,
  type ServerCredentials,
} from '../src/node/http/server.js';

const OWNER = '111122223333';
const OTHER = '444455556666';
const REGION = 'eu-west-1';
const ALICE_ARN = `arn:aws:iam::${OWNER}:user/alice`;
const BOB_ARN = `arn:aws:iam::${OTHER}:user/bob`;
const OPS_SESSION_ARN = `arn:aws:sts::${OWNER}:assumed-role/ops/nightly`;
const OPS_TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLEsessionTOKENfor/ops+nightly==';
const INVALID_TOKEN = 'The security token included in the request is invalid.';

const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const denied = (caller: string, action: string, resource: string, kind: 'resource' | 'identity') =>
  `User: ${caller} is not authorized to perform: kms:${action} on resource: ${resource} because no ${kind}-based policy allows the kms:${action} action`;

const ALICE: ServerCredentials = {
  accessKeyId: 'AKIDALICE00000000001',
  secretAccessKey: 'alice/secret+key/000000000000000000001',
  principal: ALICE_ARN,
  identityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }],
};
const BOB_KEYS = { accessKeyId: 'AKIDBOB0000000000003', secretAccessKey: 'bob/secret+key/00000000000000000000003' };
const OPS_KEYS = {
  accessKeyId: 'ASIAOPS0000000000002',
  secretAccessKey: 'ops/secret+key/000000000000000000000002',
  sessionToken: OPS_TOKEN,
};

function client(url: string, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) {
  return new sdk.KMSClient({ endpoint: url, region: REGION, credentials, maxAttempts: 1 });
}

/** The rejection of `p`, which must be an SDK exception named `name`. */
async function refused(p: Promise<unknown>, name: string): Promise<sdk.KMSServiceException> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${name}`).toBeInstanceOf(sdk.KMSServiceException);
  expect((err as sdk.KMSServiceException).name).toBe(name);
  return err as sdk.KMSServiceException;
}

/** Writes `text` on a new connection; resolves with the first response's status and body. */
function rawHttp(u: URL, text: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname, () => socket.write(text));
    let data = '';
    socket.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      const end = data.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(data);
      if (end >= 0 && length && data.length >= end + 4 + Number(length[1])) {
        resolve({ status: Number(data.slice(9, 12)), body: data.slice(end + 4) });
        socket.destroy();
      }
    });
    socket.on('error', reject);
  });
}

/** A key policy: the owner account's IAM policies decide (as the default policy), plus `more`. */
const ownerAndThen = (...more: object[]) =>
  policy(
    {
      Sid: 'Enable IAM policies',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${OWNER}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
    ...more,
  );
const SHARE = {
  Sid: 'Share with the other account',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
  Action: ['kms:GenerateDataKeyPair', 'kms:Decrypt', 'kms:DescribeKey'],
  Resource: '*',
};

describe('strict mode: key policies, identity policies and session tokens through the SDK', () => {
  let dir: string;
  const store = new MemoryKeyStore();
  /** Keys made before the endpoint starts, so that bob's identity policy can name their ARNs. */
  let shared: string;
  let unshared: string;
  let conditions: string;
  let server: RunningServer;
  /** The same store, restarted with bob's identity policy detached. */
  let bare: RunningServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wasm-kms-authz-'));
    // The owner's root makes the keys (no identity policy needed), each with its key policy.
    const root = new KMSClient({ store, accountId: OWNER, region: REGION });
    const make = async (Policy: string) =>
      (await root.send(new CreateKeyCommand({ Policy, BypassPolicyLockoutSafetyCheck: true }))).KeyMetadata!.Arn!;
    shared = await make(ownerAndThen(SHARE));
    unshared = await make(ownerAndThen(SHARE));
    conditions = await make(
      policy(
        {
          Sid: 'Encrypt from loopback',
          Effect: 'Allow',
          Principal: { AWS: ALICE_ARN },
          Action: 'kms:Encrypt',
          Resource: '*',
          Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.1/32' } },
        },
        {
          Sid: 'Data keys from the private network only',
          Effect: 'Allow',
          Principal: { AWS: ALICE_ARN },
          Action: 'kms:GenerateDataKey',
          Resource: '*',
          Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
        },
        {
          // As text: an IPv4 client of a dual-stack listener must be a.b.c.d, not ::ffff:a.b.c.d.
          Sid: 'Data keys without plaintext for the loopback address as text',
          Effect: 'Allow',
          Principal: { AWS: ALICE_ARN },
          Action: 'kms:GenerateDataKeyWithoutPlaintext',
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceIp': '127.0.0.1' } },
        },
        {
          Sid: 'Describe over plain HTTP',
          Effect: 'Allow',
          Principal: { AWS: ALICE_ARN },
          Action: 'kms:DescribeKey',
          Resource: '*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        {
          Sid: 'Rotation status over TLS only',
          Effect: 'Allow',
          Principal: { AWS: ALICE_ARN },
          Action: 'kms:GetKeyRotationStatus',
          Resource: '*',
          Condition: { Bool: { 'aws:SecureTransport': 'true' } },
        },
      ),
    );

    // ops comes from a credentials file, its identity policy from a file next to it.
    mkdirSync(join(dir, 'policies'));
    writeFileSync(
      join(dir, 'policies', 'ops.json'),
      policy({ Effect: 'Allow', Action: ['kms:DescribeKey', 'kms:Encrypt'], Resource: `arn:aws:kms:*:${OWNER}:key/*` }),
    );
    const file = join(dir, 'credentials');
    writeFileSync(
      file,
      [
        '[ops]',
        `aws_access_key_id = ${OPS_KEYS.accessKeyId}`,
        `aws_secret_access_key = ${OPS_KEYS.secretAccessKey}`,
        `aws_session_token = ${OPS_TOKEN}`,
        `principal = arn:aws:iam::${OWNER}:role/ops`,
        'role_session_name = nightly',
        'identity_policy_file = policies/ops.json',
        '',
      ].join('\n'),
    );
    chmodSync(file, 0o600);
    const [ops] = loadCredentialsFile(file);
    const bob: ServerCredentials = {
      ...BOB_KEYS,
      principal: BOB_ARN,
      identityPolicies: [
        policy({ Effect: 'Allow', Action: ['kms:GenerateDataKeyPair', 'kms:Decrypt'], Resource: [shared, unshared] }),
      ],
    };
    server = await startServer({ port: 0, store, region: REGION, auth: 'sigv4', credentials: [ALICE, ops, bob] });
    bare = await startServer({
      port: 0,
      store,
      region: REGION,
      auth: 'sigv4',
      credentials: [ALICE, { ...BOB_KEYS, principal: BOB_ARN }],
    });
  });
  afterAll(async () => {
    await server?.close();
    await bare?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a key shared by its policy serves the other account's user; what he made decrypts for the owner's user", async () => {
    const bob = client(server.url, BOB_KEYS);
    const alice = client(server.url, ALICE);
    const pair = await bob.send(new sdk.GenerateDataKeyPairCommand({ KeyId: shared, KeyPairSpec: 'ECC_NIST_P256' }));
    expect(pair.KeyId).toBe(shared);
    expect(pair.PrivateKeyPlaintext!.length).toBeGreaterThan(100);
    // Alice decrypts it here, without naming the key.
    const plain = await alice.send(new sdk.DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob }));
    expect(plain.KeyId).toBe(shared);
    expect(Buffer.from(plain.Plaintext!)).toEqual(Buffer.from(pair.PrivateKeyPlaintext!));
    // Bob's identity policy does not name DescribeKey: the key policy alone is not enough.
    const d = await refused(bob.send(new sdk.DescribeKeyCommand({ KeyId: shared })), 'AccessDeniedException');
    expect(d.message).toBe(denied(BOB_ARN, 'DescribeKey', shared, 'identity'));
    bob.destroy();
    alice.destroy();
  });

  it("PutKeyPolicy without the share refuses the other account's next call at once, with AWS's message", async () => {
    const bob = client(server.url, BOB_KEYS);
    const alice = client(server.url, ALICE);
    const before = await bob.send(
      new sdk.GenerateDataKeyPairCommand({ KeyId: unshared, KeyPairSpec: 'ECC_NIST_P256' }),
    );
    await alice.send(new sdk.PutKeyPolicyCommand({ KeyId: unshared, PolicyName: 'default', Policy: ownerAndThen() }));
    const e = await refused(
      bob.send(new sdk.GenerateDataKeyPairCommand({ KeyId: unshared, KeyPairSpec: 'ECC_NIST_P256' })),
      'AccessDeniedException',
    );
    expect(e.message).toBe(denied(BOB_ARN, 'GenerateDataKeyPair', unshared, 'resource'));
    expect(e.$metadata.httpStatusCode).toBe(400);
    // What he made before is no longer his to decrypt; the message does not name the key.
    const blob = await refused(
      bob.send(new sdk.DecryptCommand({ CiphertextBlob: before.PrivateKeyCiphertextBlob })),
      'AccessDeniedException',
    );
    expect(blob.message).toBe(
      `User: ${BOB_ARN} is not authorized to perform: kms:Decrypt on the resource associated with this ciphertext because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access`,
    );
    // The owner's user still decrypts it.
    const plain = await alice.send(new sdk.DecryptCommand({ CiphertextBlob: before.PrivateKeyCiphertextBlob }));
    expect(Buffer.from(plain.Plaintext!)).toEqual(Buffer.from(before.PrivateKeyPlaintext!));
    bob.destroy();
    alice.destroy();
  });

  it('the same user without his identity policy is refused with the identity-based message while the key is shared', async () => {
    const bob = client(bare.url, BOB_KEYS);
    const e = await refused(
      bob.send(new sdk.GenerateDataKeyPairCommand({ KeyId: shared, KeyPairSpec: 'ECC_NIST_P256' })),
      'AccessDeniedException',
    );
    expect(e.message).toBe(denied(BOB_ARN, 'GenerateDataKeyPair', shared, 'identity'));
    // The other endpoint, with the policy attached, serves him on the same store meanwhile.
    const withPolicy = client(server.url, BOB_KEYS);
    await withPolicy.send(new sdk.GenerateDataKeyPairCommand({ KeyId: shared, KeyPairSpec: 'ECC_NIST_P256' }));
    bob.destroy();
    withPolicy.destroy();
  });

  it('a role used through a session token calls as its session; a wrong, missing or misplaced token is refused', async () => {
    const ops = client(server.url, OPS_KEYS);
    const described = await ops.send(new sdk.DescribeKeyCommand({ KeyId: shared }));
    expect(described.KeyMetadata!.Arn).toBe(shared);
    // Its identity policy (from the file) allows DescribeKey and Encrypt only.
    const e = await refused(ops.send(new sdk.DisableKeyCommand({ KeyId: shared })), 'AccessDeniedException');
    expect(e.message).toBe(denied(OPS_SESSION_ARN, 'DisableKey', shared, 'identity'));
    ops.destroy();

    const cases: [string, { accessKeyId: string; secretAccessKey: string; sessionToken?: string }][] = [
      ['another token', { ...OPS_KEYS, sessionToken: `${OPS_TOKEN.slice(0, -1)}A` }],
      ['a longer token', { ...OPS_KEYS, sessionToken: `${OPS_TOKEN}x` }],
      ['no token', { accessKeyId: OPS_KEYS.accessKeyId, secretAccessKey: OPS_KEYS.secretAccessKey }],
      ["a token with a long-term key's credential", { ...BOB_KEYS, sessionToken: OPS_TOKEN }],
    ];
    for (const [what, credentials] of cases) {
      const c = client(server.url, credentials);
      const r = await refused(c.send(new sdk.DescribeKeyCommand({ KeyId: shared })), 'UnrecognizedClientException');
      expect(r.message, what).toBe(INVALID_TOKEN);
      c.destroy();
    }
  });

  it('a wrong or missing session token is answered before the body arrives', async () => {
    const u = new URL(server.url);
    const auth = (key: string) =>
      `Authorization: AWS4-HMAC-SHA256 Credential=${key}/20261207/${REGION}/kms/aws4_request, SignedHeaders=host;x-amz-security-token, Signature=${'e'.repeat(64)}\r\n`;
    for (const [what, headers] of [
      ['no token', auth(OPS_KEYS.accessKeyId)],
      ['another token', `${auth(OPS_KEYS.accessKeyId)}X-Amz-Security-Token: ${OPS_TOKEN}x\r\n`],
      ['a token for a long-term key', `${auth(BOB_KEYS.accessKeyId)}X-Amz-Security-Token: ${OPS_TOKEN}\r\n`],
    ]) {
      // 1,000,000 bytes announced, 10 sent: the answer comes without waiting for the rest.
      const r = await rawHttp(
        u,
        `POST / HTTP/1.1\r\nHost: ${u.host}\r\n${headers}X-Amz-Target: TrentService.ListKeys\r\nContent-Length: 1000000\r\n\r\n{"a":"bcd"`,
      );
      expect(r.status, what).toBe(400);
      expect(JSON.parse(r.body), what).toEqual({ __type: 'UnrecognizedClientException', message: INVALID_TOKEN });
    }
  });

  it('aws:SourceIp is the client address and aws:SecureTransport is false, as key policy conditions see them', async () => {
    const alice = client(server.url, ALICE);
    expect(server.host).toBe('127.0.0.1');
    const encrypted = await alice.send(
      new sdk.EncryptCommand({ KeyId: conditions, Plaintext: new Uint8Array([1, 2]) }),
    );
    expect(encrypted.KeyId).toBe(conditions);
    const ip = await refused(
      alice.send(new sdk.GenerateDataKeyCommand({ KeyId: conditions, KeySpec: 'AES_256' })),
      'AccessDeniedException',
    );
    expect(ip.message).toBe(denied(ALICE_ARN, 'GenerateDataKey', conditions, 'resource'));
    const made = await alice.send(
      new sdk.GenerateDataKeyWithoutPlaintextCommand({ KeyId: conditions, NumberOfBytes: 8 }),
    );
    expect(made.KeyId).toBe(conditions);
    expect((await alice.send(new sdk.DescribeKeyCommand({ KeyId: conditions }))).KeyMetadata!.Arn).toBe(conditions);
    const tls = await refused(
      alice.send(new sdk.GetKeyRotationStatusCommand({ KeyId: conditions })),
      'AccessDeniedException',
    );
    expect(tls.message).toBe(denied(ALICE_ARN, 'GetKeyRotationStatus', conditions, 'resource'));
    alice.destroy();
  });

  it('a client reaching a dual-stack listener over IPv4 is its IPv4 address (not ::ffff:127.0.0.1)', async () => {
    const dual = await startServer({ host: '::', port: 0, store, region: REGION, auth: 'sigv4', credentials: [ALICE] });
    try {
      const alice = client(`http://127.0.0.1:${dual.port}`, ALICE);
      const encrypted = await alice.send(new sdk.EncryptCommand({ KeyId: conditions, Plaintext: new Uint8Array([3]) }));
      expect(encrypted.KeyId).toBe(conditions);
      const made = await alice.send(
        new sdk.GenerateDataKeyWithoutPlaintextCommand({ KeyId: conditions, KeySpec: 'AES_128' }),
      );
      expect(made.KeyId).toBe(conditions);
      alice.destroy();
    } finally {
      await dual.close();
    }
  });
});

describe("without signatures: the caller is the server's principal", () => {
  it("principal, identityPolicies and the account of the principal make every request's caller", async () => {
    const server = await startServer({
      port: 0,
      region: REGION,
      principal: `arn:aws:iam::${OTHER}:role/deployer`,
      roleSessionName: 'ci',
      identityPolicies: [policy({ Effect: 'Allow', Action: ['kms:CreateKey', 'kms:Encrypt'], Resource: '*' })],
    });
    try {
      const c = client(server.url, { accessKeyId: 'AKIDANY', secretAccessKey: 'any' });
      const key = (await c.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
      // The account is the principal's.
      expect(key.AWSAccountId).toBe(OTHER);
      await c.send(new sdk.EncryptCommand({ KeyId: key.Arn, Plaintext: new Uint8Array([1]) }));
      const e = await refused(c.send(new sdk.DisableKeyCommand({ KeyId: key.Arn })), 'AccessDeniedException');
      expect(e.message).toBe(
        denied(`arn:aws:sts::${OTHER}:assumed-role/deployer/ci`, 'DisableKey', key.Arn!, 'identity'),
      );
      c.destroy();
    } finally {
      await server.close();
    }
  });

  it('refuses a principal of another account than accountId, and caller options in strict mode', async () => {
    await expect(startServer({ port: 0, accountId: OWNER, principal: BOB_ARN })).rejects.toThrow(
      `principal ${BOB_ARN} is of account ${OTHER}, not of accountId ${OWNER}`,
    );
    await expect(startServer({ port: 0, auth: 'sigv4', credentials: [ALICE], principal: ALICE_ARN })).rejects.toThrow(
      "principal is for auth 'none': in strict mode each credential names its own caller",
    );
    await expect(
      startServer({ port: 0, identityPolicies: [policy({ Effect: 'Allow', Action: 'kms:*', Resource: '*' })] }),
    ).rejects.toThrow(
      "identity policies are not for an account's root user (it holds every permission of its account); name a principal",
    );
  });
});
