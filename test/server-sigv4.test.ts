// Strict mode of the HTTP endpoint (auth: 'sigv4'): requests signed by @aws-sdk/client-kms pass;
// a wrong secret, a stale or future date, a changed body or header, an unknown access key, a
// missing or malformed Authorization header are each refused with the exception AWS answers
// with, checked as the SDK surfaces it. The account comes from the credential that signed.
// Also: botocore-style signing (no x-amz-content-sha256), the SDK correcting its clock from the
// server's Date header, and credentials files (JSON and the AWS INI form).

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import * as sdk from '@aws-sdk/client-kms';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import {
  startServer,
  loadCredentialsFile,
  type RunningServer,
  type ServerCredentials,
} from '../src/node/http/server.js';

const A: ServerCredentials = {
  accessKeyId: 'AKIDALPHA0000000000A',
  secretAccessKey: 'alpha/secret+key/0000000000000000000000A',
  accountId: '444455556666',
};
const B: ServerCredentials = {
  accessKeyId: 'AKIDBRAVO0000000000B',
  secretAccessKey: 'bravo/secret+key/0000000000000000000000B',
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

type ClientConfig = ConstructorParameters<typeof sdk.KMSClient>[0];

function client(
  url: string,
  creds: { accessKeyId: string; secretAccessKey: string },
  extra: Partial<ClientConfig> = {},
) {
  return new sdk.KMSClient({
    endpoint: url,
    region: 'eu-west-1',
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    maxAttempts: 1,
    ...extra,
  });
}

/** The rejection of `p`: an SDK KMSServiceException named `name`, client fault, 400. */
async function refused(p: Promise<unknown>, name: string): Promise<sdk.KMSServiceException> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(sdk.KMSServiceException);
  const e = err as sdk.KMSServiceException;
  expect(e.name).toBe(name);
  expect(e.$fault).toBe('client');
  expect(e.$metadata.httpStatusCode).toBe(400);
  expect(e.$metadata.requestId).toMatch(UUID);
  return e;
}

/** A middleware that changes the request after the SDK signed it (the body as text). */
function afterSigning(
  c: sdk.KMSClient,
  change: (request: { headers: Record<string, string>; body: string }) => void,
): void {
  c.middlewareStack.add(
    (next) => async (args) => {
      const request = (args as unknown as { request: { headers: Record<string, string>; body: string | Uint8Array } })
        .request;
      const view = {
        headers: request.headers,
        body: typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body),
      };
      change(view);
      request.body = view.body;
      return next(args);
    },
    // The deserialize step runs after finalizeRequest, where the SDK signs.
    { step: 'deserialize', name: 'tamperAfterSigning' },
  );
}

/** Signs a request by hand with @smithy/signature-v4, the way another SDK might, and posts it. */
async function signedPost(
  url: string,
  creds: { accessKeyId: string; secretAccessKey: string },
  target: string,
  body: string,
  options: { service?: string; region?: string; checksum?: boolean } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const u = new URL(url);
  const signer = new SignatureV4({
    service: options.service ?? 'kms',
    region: options.region ?? 'eu-west-1',
    credentials: creds,
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: options.checksum ?? false,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: u.hostname,
    port: Number(u.port),
    path: '/',
    query: {},
    headers: { host: u.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body,
  });
  const headers = { ...(signed.headers as Record<string, string>) };
  delete headers.host;
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function rawPost(url: string, headers: Record<string, string>, body = '{}') {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'TrentService.ListKeys', ...headers },
    body,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('strict mode (auth: sigv4)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, auth: 'sigv4', credentials: [A, B] });
  });
  afterAll(() => server.close());

  it("a correctly signed SDK request passes; the account is the credential's, the Region the scope's", async () => {
    const a = client(server.url, A);
    const key = (await a.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
    expect(key.Arn).toMatch(/^arn:aws:kms:eu-west-1:444455556666:key\//);
    expect(key.AWSAccountId).toBe('444455556666');
    const pair = await a.send(
      new sdk.GenerateDataKeyPairCommand({
        KeyId: key.KeyId,
        KeyPairSpec: 'ECC_NIST_P256',
        EncryptionContext: { k: 'v' },
      }),
    );
    const back = await a.send(
      new sdk.DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob, EncryptionContext: { k: 'v' } }),
    );
    expect(Buffer.from(back.Plaintext!)).toEqual(Buffer.from(pair.PrivateKeyPlaintext!));

    // B has no account of its own: the server's default. A's key is not B's by bare id.
    const b = client(server.url, B);
    const own = (await b.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
    expect(own.AWSAccountId).toBe('111122223333');
    await refused(b.send(new sdk.DescribeKeyCommand({ KeyId: key.KeyId })), 'NotFoundException');
    a.destroy();
    b.destroy();
  });

  it("a wrong secret is InvalidSignatureException with AWS's text, and the SDK does not retry it", async () => {
    const c = client(server.url, { accessKeyId: A.accessKeyId, secretAccessKey: 'wrong' }, { maxAttempts: 3 });
    const e = await refused(c.send(new sdk.ListKeysCommand({})), 'InvalidSignatureException');
    expect(e.message).toBe(MISMATCH);
    expect(e.$metadata.attempts).toBe(1);
    c.destroy();
  });

  it('an unknown access key is UnrecognizedClientException', async () => {
    const c = client(server.url, { accessKeyId: 'AKIDNOBODY000000000Z', secretAccessKey: A.secretAccessKey });
    const e = await refused(c.send(new sdk.ListKeysCommand({})), 'UnrecognizedClientException');
    expect(e.message).toBe('The security token included in the request is invalid.');
    c.destroy();
  });

  it('a date more than 5 minutes off is InvalidSignatureException "Signature expired" / "not yet current"', async () => {
    const stale = client(server.url, A, { systemClockOffset: -10 * 60 * 1000 });
    const e = await refused(stale.send(new sdk.ListKeysCommand({})), 'InvalidSignatureException');
    expect(e.message).toMatch(
      /^Signature expired: (\d{8}T\d{6}Z) is now earlier than (\d{8}T\d{6}Z) \((\d{8}T\d{6}Z) - 5 min\.\)$/,
    );
    const [, signed, limit, now] = /^Signature expired: (\S+) is now earlier than (\S+) \((\S+) - 5 min\.\)$/.exec(
      e.message,
    )!;
    const t = (s: string) =>
      Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(9, 11), +s.slice(11, 13), +s.slice(13, 15));
    expect(t(now) - t(limit)).toBe(5 * 60 * 1000);
    expect(Math.abs(t(now) - t(signed) - 10 * 60 * 1000)).toBeLessThan(60 * 1000);
    stale.destroy();

    const future = client(server.url, A, { systemClockOffset: 10 * 60 * 1000 });
    const f = await refused(future.send(new sdk.ListKeysCommand({})), 'InvalidSignatureException');
    expect(f.message).toMatch(
      /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$/,
    );
    future.destroy();
  });

  it("with retries, the SDK corrects its clock from the server's Date header and succeeds on the second attempt", async () => {
    const skewed = client(server.url, A, { systemClockOffset: -10 * 60 * 1000, maxAttempts: 3 });
    const out = await skewed.send(new sdk.ListKeysCommand({}));
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.$metadata.attempts).toBe(2);
    skewed.destroy();
  });

  it('a body changed after signing is refused, whatever x-amz-content-sha256 says', async () => {
    const body = (c: sdk.KMSClient) => c.send(new sdk.GenerateRandomCommand({ NumberOfBytes: 16 }));
    // The declared hash is the signed one; the body is not what was hashed.
    const kept = client(server.url, A);
    afterSigning(kept, (r) => (r.body = r.body.replace('16', '17')));
    expect((await refused(body(kept), 'InvalidSignatureException')).message).toBe(MISMATCH);
    // The declared hash updated to the new body: the signature no longer covers it.
    const rehashed = client(server.url, A);
    afterSigning(rehashed, (r) => {
      r.body = r.body.replace('16', '17');
      r.headers['x-amz-content-sha256'] = createHash('sha256').update(r.body).digest('hex');
    });
    expect((await refused(body(rehashed), 'InvalidSignatureException')).message).toBe(MISMATCH);
    // The untouched request passes, so the refusals are about the change.
    const plain = client(server.url, A);
    expect((await body(plain)).Plaintext).toHaveLength(16);
    for (const c of [kept, rehashed, plain]) c.destroy();
  });

  it('a signed header changed after signing is refused', async () => {
    const c = client(server.url, A);
    afterSigning(c, (r) => (r.headers['x-amz-target'] = 'TrentService.ListAliases'));
    expect((await refused(c.send(new sdk.ListKeysCommand({})), 'InvalidSignatureException')).message).toBe(MISMATCH);
    c.destroy();
  });

  it('no Authorization header is MissingAuthenticationTokenException, checked before the target', async () => {
    const r = await rawPost(server.url, {});
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      __type: 'MissingAuthenticationTokenException',
      message: 'Request is missing Authentication Token',
    });
    const unknown = await rawPost(server.url, { 'X-Amz-Target': 'TrentService.Nope' });
    expect(unknown.json.__type).toBe('MissingAuthenticationTokenException');
  });

  it('a malformed Authorization header is IncompleteSignatureException', async () => {
    const r = await rawPost(server.url, {
      Authorization: `AWS4-HMAC-SHA256 Credential=${A.accessKeyId}/20261129/eu-west-1/kms/aws4_request`,
      'X-Amz-Date': '20261129T120000Z',
    });
    expect(r.json).toEqual({
      __type: 'IncompleteSignatureException',
      message:
        "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter.",
    });
    const scope = await rawPost(server.url, {
      Authorization: `AWS4-HMAC-SHA256 Credential=${A.accessKeyId}/eu-west-1/kms, SignedHeaders=host, Signature=${'a'.repeat(64)}`,
    });
    expect(scope.json.__type).toBe('IncompleteSignatureException');
    const v2 = await rawPost(server.url, { Authorization: 'AWS AKID:c2lnbmF0dXJl' });
    expect(v2.json.__type).toBe('IncompleteSignatureException');
    const noDate = await rawPost(server.url, {
      Authorization: `AWS4-HMAC-SHA256 Credential=${A.accessKeyId}/20261129/eu-west-1/kms/aws4_request, SignedHeaders=host, Signature=${'a'.repeat(64)}`,
    });
    expect(noDate.json.__type).toBe('IncompleteSignatureException');
  });

  it('a request signed for another service is refused', async () => {
    const r = await signedPost(server.url, A, 'TrentService.ListKeys', '{}', { service: 'dynamodb' });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      __type: 'InvalidSignatureException',
      message: "Credential should be scoped to correct service: 'kms'. ",
    });
  });

  it('botocore-style signing (no x-amz-content-sha256, a smaller header set) passes', async () => {
    const r = await signedPost(server.url, B, 'TrentService.GenerateRandom', '{"NumberOfBytes":8}', {
      region: 'ap-south-1',
    });
    expect(r.status).toBe(200);
    expect(Buffer.from(r.json.Plaintext as string, 'base64')).toHaveLength(8);
    const withHash = await signedPost(server.url, B, 'TrentService.CreateKey', '{}', {
      region: 'ap-south-1',
      checksum: true,
    });
    expect((withHash.json.KeyMetadata as { Arn: string }).Arn).toMatch(/^arn:aws:kms:ap-south-1:111122223333:key\//);
  });

  it('a valid signature with an unknown target is UnknownOperationException; /health needs no signature', async () => {
    const r = await signedPost(server.url, A, 'TrentService.Nope', '{}');
    expect(r.json.__type).toBe('UnknownOperationException');
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
  });
});

/** Signs with @smithy/signature-v4 over `signedHeaders`, then lets `change` edit what is sent. */
async function signThenSend(
  url: string,
  creds: { accessKeyId: string; secretAccessKey: string },
  signedHeaders: Record<string, string>,
  change: (headers: Record<string, string>) => void,
  body = '{}',
): Promise<{ status: number; json: Record<string, unknown> }> {
  const u = new URL(url);
  const signer = new SignatureV4({
    service: 'kms',
    region: 'eu-west-1',
    credentials: creds,
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: u.hostname,
    port: Number(u.port),
    path: '/',
    query: {},
    headers: { host: u.host, 'content-type': 'application/x-amz-json-1.1', ...signedHeaders },
    body,
  });
  const headers = { ...(signed.headers as Record<string, string>) };
  delete headers.host;
  change(headers);
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Sends raw HTTP/1.1 text over a socket; resolves to the status line and body of the answer. */
function rawHttp(url: string, text: string, keepOpen = false): Promise<{ status: number; body: string; ms: number }> {
  const u = new URL(url);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname, () => socket.write(text));
    let data = '';
    socket.on('data', (d) => {
      data += d.toString('latin1');
      const end = data.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(data);
      if (end >= 0 && length && data.length >= end + 4 + Number(length[1])) {
        resolve({ status: Number(data.slice(9, 12)), body: data.slice(end + 4), ms: performance.now() - started });
        if (!keepOpen) socket.destroy();
      }
    });
    socket.on('error', reject);
  });
}

describe('strict mode: what must be signed, and what is checked before the body', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, auth: 'sigv4', credentials: [A, B] });
  });
  afterAll(async () => {
    await server.close();
  });

  it('X-Amz-Target must be signed: an unsigned target, added or swapped after signing, is refused', async () => {
    const ok = await signThenSend(server.url, A, { 'x-amz-target': 'TrentService.ListKeys' }, () => {});
    expect(ok.status).toBe(200);
    const unsigned = await signThenSend(server.url, A, {}, (h) => {
      h['x-amz-target'] = 'TrentService.CreateKey';
    });
    expect(unsigned.json.__type).toBe('InvalidSignatureException');
    expect(unsigned.json.message).toMatch(/X-Amz-Target' must be a 'SignedHeader'/);
  });

  it('a header listed as signed that did not arrive, or a listed name that is no header, is refused', async () => {
    const dropped = await signThenSend(
      server.url,
      A,
      { 'x-amz-target': 'TrentService.ListKeys', 'x-extra': 'yes' },
      (h) => {
        delete h['x-extra'];
      },
    );
    expect(dropped.json).toEqual({ __type: 'InvalidSignatureException', message: MISMATCH });
    const padded = await signThenSend(server.url, A, { 'x-amz-target': 'TrentService.ListKeys' }, (h) => {
      h.authorization = h.authorization.replace('SignedHeaders=', 'SignedHeaders=constructor;');
    });
    expect(padded.json).toEqual({ __type: 'InvalidSignatureException', message: MISMATCH });
  });

  it('a session token is UnrecognizedClientException: these credentials are long-term keys', async () => {
    const r = await signThenSend(server.url, A, { 'x-amz-target': 'TrentService.ListKeys' }, (h) => {
      h['x-amz-security-token'] = 'token';
    });
    expect(r.json).toEqual({
      __type: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
  });

  it('a date that does not exist is IncompleteSignatureException', async () => {
    const r = await rawPost(server.url, {
      Authorization: `AWS4-HMAC-SHA256 Credential=${A.accessKeyId}/20261329/eu-west-1/kms/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=${'a'.repeat(64)}`,
      'X-Amz-Date': '20261329T120000Z',
    });
    expect(r.json.__type).toBe('IncompleteSignatureException');
    expect(r.json.message).toMatch(/ISO-8601 'basic format'/);
  });

  it('two Authorization headers, or a parameter twice, are IncompleteSignatureException; no value of the header is echoed', async () => {
    const u = new URL(server.url);
    const auth = `AWS4-HMAC-SHA256 Credential=${A.accessKeyId}/20261129/eu-west-1/kms/aws4_request, SignedHeaders=host, Signature=${'b'.repeat(64)}`;
    const twice = await rawHttp(
      server.url,
      `POST / HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: ${auth}\r\nAuthorization: ${auth}\r\nX-Amz-Target: TrentService.ListKeys\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
    );
    expect(twice.status).toBe(400);
    expect(JSON.parse(twice.body).__type).toBe('IncompleteSignatureException');
    const param = await rawPost(server.url, {
      Authorization: `${auth}, Signature=${'c'.repeat(64)}`,
      'X-Amz-Date': '20261129T120000Z',
    });
    expect(param.json.__type).toBe('IncompleteSignatureException');
    const secret = await rawPost(server.url, { Authorization: 'sk_live_SUPERSECRETTOKEN123' });
    expect(secret.json.__type).toBe('IncompleteSignatureException');
    expect(JSON.stringify(secret.json)).not.toContain('SUPERSECRET');
  });

  it('an unsigned or unknown caller is answered before its body arrives', async () => {
    const u = new URL(server.url);
    for (const auth of [
      '',
      `Authorization: AWS4-HMAC-SHA256 Credential=AKIDNOBODY/20261129/eu-west-1/kms/aws4_request, SignedHeaders=host, Signature=${'d'.repeat(64)}\r\n`,
    ]) {
      // 1,000,000 bytes announced, 10 sent: the answer comes without waiting for the rest.
      const r = await rawHttp(
        server.url,
        `POST / HTTP/1.1\r\nHost: ${u.host}\r\n${auth}X-Amz-Target: TrentService.ListKeys\r\nContent-Length: 1000000\r\n\r\n{"a":"bcd"`,
        true,
      );
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body).__type).toBe(
        auth === '' ? 'MissingAuthenticationTokenException' : 'UnrecognizedClientException',
      );
    }
  });
});

describe('the default mode checks no signature', () => {
  it('serves a request signed with any secret', async () => {
    const server = await startServer({ port: 0, credentials: [A] });
    const c = client(server.url, { accessKeyId: 'anything', secretAccessKey: 'wrong' });
    const key = (await c.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
    // Not strict: the server's account, not a credential's.
    expect(key.AWSAccountId).toBe('111122223333');
    c.destroy();
    await server.close();
  });
});

describe('loadCredentialsFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wasm-kms-creds-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string, mode = 0o600) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    // Set after writing: the mode writeFileSync gives a new file depends on the umask.
    chmodSync(p, mode);
    return p;
  };

  it('reads the JSON form', () => {
    const p = file('c.json', JSON.stringify([A, B]));
    expect(loadCredentialsFile(p)).toEqual([A, B]);
  });

  it('reads the AWS shared-credentials INI form, with comments and aws_account_id', () => {
    const p = file(
      'credentials',
      [
        '# local KMS users',
        '[default]',
        `aws_access_key_id = ${A.accessKeyId}`,
        `aws_secret_access_key = ${A.secretAccessKey}`,
        'aws_account_id = 444455556666',
        '',
        '; second one',
        '[ci]',
        `aws_access_key_id=${B.accessKeyId}`,
        `aws_secret_access_key=${B.secretAccessKey}`,
      ].join('\r\n'),
    );
    expect(loadCredentialsFile(p)).toEqual([A, B]);
  });

  it('refuses what it cannot use, with an error that names the file and entry but no secret', () => {
    const cases: [string, string, RegExp][] = [
      ['object.json', JSON.stringify(A), /expected a JSON array/],
      ['empty.json', '[]', /holds no credentials/],
      ['nosecret.json', JSON.stringify([{ accessKeyId: 'AKID1' }]), /entry 1: secretAccessKey/],
      ['account.json', JSON.stringify([{ ...B, accountId: '12' }]), /entry 1: accountId must be 12 digits/],
      ['twice.json', JSON.stringify([A, { ...A, secretAccessKey: 'other' }]), /listed twice/],
      [
        'partial.ini',
        `[p1]\naws_access_key_id = X\n[p2]\naws_secret_access_key = ${A.secretAccessKey}\n`,
        /profile \[p1\] \(line 1\) has no aws_secret_access_key/,
      ],
      ['text.txt', 'hello world', /neither JSON nor an AWS credentials file/],
      // A key or member this file format does not have is an error, never ignored.
      [
        'region.ini',
        `[ci]\naws_access_key_id = X\naws_secret_access_key = ${A.secretAccessKey}\nregion = eu-west-1\n`,
        /profile \[ci\] has an unknown key 'region' on line 4 \(known: aws_access_key_id, aws_secret_access_key, aws_account_id, aws_session_token, principal, role_session_name, identity_policy_file, principal_tags\)/,
      ],
      [
        'token.ini',
        `[ci]\naws_access_key_id = X\naws_secret_access_key = ${A.secretAccessKey}\naws_session_token = T\n`,
        /entry 1: sessionToken is only for a role or role session principal \(temporary credentials\)/,
      ],
      [
        'typo.json',
        JSON.stringify([{ ...A, principle: 'arn:aws:iam::444455556666:user/a' }]),
        /entry 1 has an unknown member 'principle' \(known: accessKeyId, secretAccessKey, accountId, principal, roleSessionName, identityPolicies, identityPolicyFiles, principalTags, sessionToken\)/,
      ],
      ['badarn.json', JSON.stringify([{ ...A, principal: 'alice' }]), /entry 1: principal must be an IAM ARN/],
      [
        'group.json',
        JSON.stringify([{ ...A, principal: 'arn:aws:iam::444455556666:group/ops' }]),
        /entry 1: principal arn:aws:iam::444455556666:group\/ops: only an account root, an IAM user, an IAM role or an assumed-role session/,
      ],
      [
        'mismatch.json',
        JSON.stringify([{ ...A, principal: 'arn:aws:iam::777788889999:user/mallory' }]),
        /entry 1: principal arn:aws:iam::777788889999:user\/mallory is of account 777788889999, not of the entry's account 444455556666/,
      ],
      [
        'session.json',
        JSON.stringify([{ ...A, principal: 'arn:aws:iam::444455556666:user/a', roleSessionName: 'x1' }]),
        /entry 1: roleSessionName is only for a role principal/,
      ],
      [
        'session.ini',
        `[ci]\naws_access_key_id = X\naws_secret_access_key = ${A.secretAccessKey}\nprincipal = arn:aws:iam::444455556666:role/r\nrole_session_name = a b\n`,
        /entry 1: principal arn:aws:iam::444455556666:role\/r: the role session name must be/,
      ],
    ];
    for (const [name, text, message] of cases) {
      const p = file(name, text);
      let err: Error | undefined;
      try {
        loadCredentialsFile(p);
      } catch (e) {
        err = e as Error;
      }
      expect(err, name).toBeInstanceOf(Error);
      expect(err!.message, name).toMatch(message);
      expect(err!.message, name).toContain(p);
      expect(err!.message, name).not.toContain(A.secretAccessKey);
    }
    expect(() => loadCredentialsFile(join(dir, 'missing'))).toThrow(/cannot read credentials file .*missing: ENOENT/);
  });

  it('reads principal and role_session_name (INI) / principal and roleSessionName (JSON)', () => {
    const ini = file(
      'principals.ini',
      [
        '[alice]',
        `aws_access_key_id = ${A.accessKeyId}`,
        `aws_secret_access_key = ${A.secretAccessKey}`,
        'aws_account_id = 444455556666',
        'principal = arn:aws:iam::444455556666:user/alice',
        '[deploy]',
        `aws_access_key_id = ${B.accessKeyId}`,
        `aws_secret_access_key = ${B.secretAccessKey}`,
        'principal = arn:aws:iam::777788889999:role/ci/deployer',
        'role_session_name = nightly',
      ].join('\n'),
    );
    const expected = [
      { ...A, principal: 'arn:aws:iam::444455556666:user/alice' },
      { ...B, principal: 'arn:aws:iam::777788889999:role/ci/deployer', roleSessionName: 'nightly' },
    ];
    expect(loadCredentialsFile(ini)).toEqual(expected);
    expect(loadCredentialsFile(file('principals.json', JSON.stringify(expected)))).toEqual(expected);
  });

  it('a file that group or others can read or change is refused, with the chmod to run', () => {
    const text = JSON.stringify([A]);
    for (const mode of [0o644, 0o640, 0o604, 0o620, 0o602, 0o666]) {
      const p = file(`open-${mode.toString(8)}.json`, text, mode);
      if (process.platform === 'win32') {
        // No POSIX modes there: nothing to check.
        expect(loadCredentialsFile(p)).toEqual([A]);
        continue;
      }
      expect(() => loadCredentialsFile(p), mode.toString(8)).toThrow(
        `credentials file ${p} is open to group or others (mode 0${mode.toString(8)}) and holds secret keys; make it readable by its owner only: chmod 600 ${p}`,
      );
    }
    for (const mode of [0o600, 0o400])
      expect(loadCredentialsFile(file(`owner-${mode.toString(8)}.json`, text, mode))).toEqual([A]);
  });

  it('a strict server runs on what it read', async () => {
    const p = file(
      'run.ini',
      `[default]\naws_access_key_id = ${A.accessKeyId}\naws_secret_access_key = ${A.secretAccessKey}\naws_account_id = 444455556666\n`,
    );
    const server = await startServer({ port: 0, auth: 'sigv4', credentials: loadCredentialsFile(p) });
    const c = client(server.url, A);
    expect((await c.send(new sdk.CreateKeyCommand({}))).KeyMetadata!.AWSAccountId).toBe('444455556666');
    c.destroy();
    await server.close();
  });
});

describe("strict mode: a key belongs to its account (AWS's default key policy)", () => {
  const OWNER: ServerCredentials = {
    accessKeyId: 'AKIDOWNER00000000001',
    secretAccessKey: 'owner/secret+key/000000000000000000001',
    accountId: '444455556666',
  };
  // IAM users and roles act by their identity policies: these allow everything, so that only
  // the key policy stands between them and another account's key.
  const ALL = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }];
  const STRANGER: ServerCredentials = {
    accessKeyId: 'AKIDSTRANGER0000002',
    secretAccessKey: 'stranger/secret+key/0000000000000000002',
    principal: 'arn:aws:iam::777788889999:user/mallory',
    identityPolicies: ALL,
  };
  const ROLE: ServerCredentials = {
    accessKeyId: 'AKIDROLE000000000003',
    secretAccessKey: 'role/secret+key/00000000000000000000003',
    accountId: '777788889999',
    principal: 'arn:aws:iam::777788889999:role/ci/deployer',
    roleSessionName: 'nightly',
    identityPolicies: ALL,
  };
  const denied = (caller: string, action: string, resource: string) =>
    `User: ${caller} is not authorized to perform: kms:${action} on resource: ${resource} because no resource-based policy allows the kms:${action} action`;
  const deniedBlob = (caller: string, action: string) =>
    `User: ${caller} is not authorized to perform: kms:${action} on the resource associated with this ciphertext because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access`;
  const MALLORY = 'arn:aws:iam::777788889999:user/mallory';

  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, auth: 'sigv4', credentials: [OWNER, STRANGER, ROLE] });
  });
  afterAll(() => server.close());

  it("another account's credential gets AccessDeniedException for every operation that names the key, by key ARN and alias ARN; the owner keeps working", async () => {
    const owner = client(server.url, OWNER);
    const stranger = client(server.url, STRANGER);
    const key = (await owner.send(new sdk.CreateKeyCommand({ Description: 'owner' }))).KeyMetadata!;
    expect(key.AWSAccountId).toBe('444455556666');
    await owner.send(new sdk.CreateAliasCommand({ AliasName: 'alias/owned', TargetKeyId: key.KeyId }));
    const aliasArn = 'arn:aws:kms:eu-west-1:444455556666:alias/owned';
    // The stranger's account is the principal's: 777788889999.
    const own = (await stranger.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
    expect(own.AWSAccountId).toBe('777788889999');
    await stranger.send(new sdk.CreateAliasCommand({ AliasName: 'alias/mine', TargetKeyId: own.KeyId }));
    const ownBlob = (await stranger.send(new sdk.EncryptCommand({ KeyId: own.KeyId, Plaintext: new Uint8Array([1]) })))
      .CiphertextBlob!;
    const before = (await owner.send(new sdk.DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!;

    // [action, the request for a key reference sent by a client, whether the operation takes an alias]
    const cases: [string, (k: string, c: sdk.KMSClient) => Promise<unknown>, boolean][] = [
      ['DescribeKey', (k, c) => c.send(new sdk.DescribeKeyCommand({ KeyId: k })), true],
      ['EnableKey', (k, c) => c.send(new sdk.EnableKeyCommand({ KeyId: k })), false],
      ['DisableKey', (k, c) => c.send(new sdk.DisableKeyCommand({ KeyId: k })), false],
      [
        'ScheduleKeyDeletion',
        (k, c) => c.send(new sdk.ScheduleKeyDeletionCommand({ KeyId: k, PendingWindowInDays: 7 })),
        true,
      ],
      ['CancelKeyDeletion', (k, c) => c.send(new sdk.CancelKeyDeletionCommand({ KeyId: k })), true],
      ['EnableKeyRotation', (k, c) => c.send(new sdk.EnableKeyRotationCommand({ KeyId: k })), true],
      ['DisableKeyRotation', (k, c) => c.send(new sdk.DisableKeyRotationCommand({ KeyId: k })), true],
      ['GetKeyRotationStatus', (k, c) => c.send(new sdk.GetKeyRotationStatusCommand({ KeyId: k })), true],
      ['RotateKeyOnDemand', (k, c) => c.send(new sdk.RotateKeyOnDemandCommand({ KeyId: k })), true],
      [
        'GenerateDataKeyPair',
        (k, c) => c.send(new sdk.GenerateDataKeyPairCommand({ KeyId: k, KeyPairSpec: 'ECC_NIST_P256' })),
        true,
      ],
      [
        'GenerateDataKeyPairWithoutPlaintext',
        (k, c) =>
          c.send(new sdk.GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: k, KeyPairSpec: 'ECC_NIST_P256' })),
        true,
      ],
      ['GenerateDataKey', (k, c) => c.send(new sdk.GenerateDataKeyCommand({ KeyId: k, KeySpec: 'AES_256' })), true],
      [
        'GenerateDataKeyWithoutPlaintext',
        (k, c) => c.send(new sdk.GenerateDataKeyWithoutPlaintextCommand({ KeyId: k, NumberOfBytes: 16 })),
        true,
      ],
      ['Encrypt', (k, c) => c.send(new sdk.EncryptCommand({ KeyId: k, Plaintext: new Uint8Array([1]) })), true],
      ['GetPublicKey', (k, c) => c.send(new sdk.GetPublicKeyCommand({ KeyId: k })), true],
      ['ListAliases', (k, c) => c.send(new sdk.ListAliasesCommand({ KeyId: k })), false],
      [
        'CreateAlias',
        (k, c) => c.send(new sdk.CreateAliasCommand({ AliasName: 'alias/stolen', TargetKeyId: k })),
        false,
      ],
      ['UpdateAlias', (k, c) => c.send(new sdk.UpdateAliasCommand({ AliasName: 'alias/mine', TargetKeyId: k })), false],
      [
        'ReEncryptTo',
        (k, c) => c.send(new sdk.ReEncryptCommand({ CiphertextBlob: ownBlob, DestinationKeyId: k })),
        true,
      ],
    ];
    for (const [action, command, alias] of cases) {
      const e = await refused(command(key.Arn!, stranger), 'AccessDeniedException');
      expect(e.message, action).toBe(denied(MALLORY, action, key.Arn!));
      if (alias) {
        // Through another account's alias the refusal names the alias, not the key behind it.
        const a = await refused(command(aliasArn, stranger), 'AccessDeniedException');
        expect(a.message, action).toBe(denied(MALLORY, action, aliasArn));
      }
    }

    // The owner's key is as it was, and works for the owner by alias.
    expect((await owner.send(new sdk.DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata).toEqual(before);
    expect((await owner.send(new sdk.GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).KeyRotationEnabled).toBe(
      false,
    );
    const pair = await owner.send(
      new sdk.GenerateDataKeyPairCommand({ KeyId: 'alias/owned', KeyPairSpec: 'ECC_NIST_P256' }),
    );
    expect(pair.KeyId).toBe(key.Arn);
    expect(
      (await stranger.send(new sdk.ListAliasesCommand({}))).Aliases!.map((a) => [a.AliasName, a.TargetKeyId]),
    ).toEqual([['alias/mine', own.KeyId]]);
    owner.destroy();
    stranger.destroy();
  });

  it('Decrypt and ReEncrypt with the ciphertext alone are refused without naming the key; a role calls as its session', async () => {
    const owner = client(server.url, OWNER);
    const stranger = client(server.url, STRANGER);
    const role = client(server.url, ROLE);
    const key = (await owner.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
    const blob = (await owner.send(new sdk.EncryptCommand({ KeyId: key.KeyId, Plaintext: new Uint8Array([5, 6]) })))
      .CiphertextBlob!;
    const pair = await owner.send(
      new sdk.GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256' }),
    );

    const d = await refused(stranger.send(new sdk.DecryptCommand({ CiphertextBlob: blob })), 'AccessDeniedException');
    expect(d.message).toBe(deniedBlob(MALLORY, 'Decrypt'));
    expect(d.message).not.toContain(key.KeyId!);
    const p = await refused(
      stranger.send(new sdk.DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob })),
      'AccessDeniedException',
    );
    expect(p.message).toBe(deniedBlob(MALLORY, 'Decrypt'));
    const own = (await stranger.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
    const r = await refused(
      stranger.send(new sdk.ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: own.KeyId })),
      'AccessDeniedException',
    );
    expect(r.message).toBe(deniedBlob(MALLORY, 'ReEncryptFrom'));

    // The role's caller ARN is its session; the role's account is the stranger's, so the stranger's key is the role's.
    const session = 'arn:aws:sts::777788889999:assumed-role/deployer/nightly';
    const byRole = await refused(role.send(new sdk.DecryptCommand({ CiphertextBlob: blob })), 'AccessDeniedException');
    expect(byRole.message).toBe(deniedBlob(session, 'Decrypt'));
    const described = await refused(role.send(new sdk.DescribeKeyCommand({ KeyId: key.Arn })), 'AccessDeniedException');
    expect(described.message).toBe(denied(session, 'DescribeKey', key.Arn!));
    expect((await role.send(new sdk.DescribeKeyCommand({ KeyId: own.Arn }))).KeyMetadata!.KeyId).toBe(own.KeyId);

    // A key that does not exist in another account: AccessDenied as well, so nothing is learnt.
    const ghost = 'arn:aws:kms:eu-west-1:444455556666:key/00000000-0000-4000-8000-000000000000';
    expect(
      (await refused(stranger.send(new sdk.DescribeKeyCommand({ KeyId: ghost })), 'AccessDeniedException')).message,
    ).toBe(denied(MALLORY, 'DescribeKey', ghost));

    // The owner still decrypts both.
    expect(Buffer.from((await owner.send(new sdk.DecryptCommand({ CiphertextBlob: blob }))).Plaintext!)).toEqual(
      Buffer.from([5, 6]),
    );
    await owner.send(new sdk.DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob }));
    for (const c of [owner, stranger, role]) c.destroy();
  });

  it('startServer refuses a principal of another account than the entry, or one that is no IAM caller', async () => {
    await expect(
      startServer({
        port: 0,
        auth: 'sigv4',
        credentials: [{ ...OWNER, principal: 'arn:aws:iam::777788889999:user/mallory' }],
      }),
    ).rejects.toThrow(
      "credentials[0]: principal arn:aws:iam::777788889999:user/mallory is of account 777788889999, not of the entry's account 444455556666",
    );
    await expect(
      startServer({
        port: 0,
        auth: 'sigv4',
        credentials: [{ ...OWNER, principal: 'arn:aws:iam::444455556666:group/ops' }],
      }),
    ).rejects.toThrow(TypeError);
    await expect(
      startServer({ port: 0, auth: 'sigv4', credentials: [{ ...OWNER, roleSessionName: 'nightly' }] }),
    ).rejects.toThrow('credentials[0]: roleSessionName needs a role principal');
  });

  it('RotateKeyOnDemand and GetKeyRotationStatus answer the key ARN; a multi-Region key its configuration; InvalidCiphertext has no message on the wire', async () => {
    const owner = client(server.url, OWNER);
    const key = (await owner.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
    expect((await owner.send(new sdk.RotateKeyOnDemandCommand({ KeyId: key.KeyId }))).KeyId).toBe(key.Arn);
    expect((await owner.send(new sdk.GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).KeyId).toBe(key.Arn);
    const mrk = (await owner.send(new sdk.CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!;
    const config = {
      MultiRegionKeyType: 'PRIMARY',
      PrimaryKey: { Arn: mrk.Arn, Region: 'eu-west-1' },
      ReplicaKeys: [],
    };
    expect(mrk.MultiRegionConfiguration).toEqual(config);
    expect(
      (await owner.send(new sdk.DescribeKeyCommand({ KeyId: mrk.KeyId }))).KeyMetadata!.MultiRegionConfiguration,
    ).toEqual(config);
    const r = await signedPost(
      server.url,
      OWNER,
      'TrentService.Decrypt',
      JSON.stringify({ CiphertextBlob: Buffer.from([1, 2, 3]).toString('base64') }),
    );
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ __type: 'InvalidCiphertextException' });
    owner.destroy();
  });
});
