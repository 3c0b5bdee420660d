// Recipient through the HTTP endpoint: `wasm-kms serve` (the built bin, on a free port) called by
// the real @aws-sdk/client-kms. With --attestation-root naming the test PKI's root, each of the
// five operations that take a Recipient answers CiphertextForRecipient and no plaintext member,
// and OpenSSL (`openssl cms -decrypt` with only the enclave's private key) opens the envelope to
// the secret the engine holds. An endpoint with the default root (AWS's) refuses the same
// document; refusals reach the SDK as the exception class and message the engine raises in
// process.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sdk from '@aws-sdk/client-kms';
import {
  CreateKeyCommand,
  GenerateDataKeyCommand,
  KMSClient,
  KMSServiceException,
  MemoryKeyStore,
} from '../src/kms/index.js';
import { startServer } from '../src/node/http/server.js';
import { childEnv } from './helpers/env.js';
import { enclaveKeyPair, makeAttestationDocument, makeTestPki, type TestPki } from './helpers/nitro.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(root, 'dist/node/cli/main.js');
const OAEP = 'RSAES_OAEP_SHA_256';

let work: string;
let pki: TestPki;
let enclave: { spki: Uint8Array; pkcs8: Uint8Array; pem: string };
let enclaveKeyFile: string;
/** A valid document of the test PKI carrying the enclave's RSA public key. */
let document: Uint8Array;

interface Serving {
  url: string;
  stderr(): string;
  stop(): Promise<number | null>;
}

/** `wasm-kms [global...] serve --memory --port 0 ...args`, resolved once it prints its URL. */
function serve(args: string[], global: string[] = []): Promise<Serving> {
  const child: ChildProcess = spawn(
    process.execPath,
    [BIN, ...global, 'serve', '--memory', '--port', '0', '--threads', '1', '--quiet', ...args],
    { env: childEnv(join(work, 'home')), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /^wasm-kms listening on (http:\/\/[0-9.]+:\d+)\n/.exec(out);
      if (m)
        resolve({
          url: m[1],
          stderr: () => err,
          stop: () => {
            if (child.exitCode === null) child.kill('SIGTERM');
            return exited;
          },
        });
    });
    void exited.then((code) => reject(new Error(`serve exited early (${code}): ${err}`)));
  });
}

const client = (url: string) =>
  new sdk.KMSClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDRECIPIENTTEST', secretAccessKey: 'x' },
    maxAttempts: 1,
  });

/** What the enclave alone can do: open the CMS envelope with its private key (OpenSSL, no wasm-kms code). */
function opensslOpen(envelope: Uint8Array): Buffer {
  const r = spawnSync('openssl', ['cms', '-decrypt', '-inform', 'DER', '-inkey', enclaveKeyFile, '-binary'], {
    input: Buffer.from(envelope),
  });
  expect(r.status, r.stderr.toString()).toBe(0);
  return r.stdout;
}

/** The SPKI (DER) node:crypto derives from a PKCS#8 (DER) private key. */
const publicOf = (pkcs8: Uint8Array): Buffer =>
  createPublicKey(createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' })).export({
    type: 'spki',
    format: 'der',
  });

/** The exception a call ends with (fails the test when it succeeds). */
async function refusal(p: Promise<unknown>): Promise<sdk.KMSServiceException> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(sdk.KMSServiceException);
    return e as sdk.KMSServiceException;
  }
  throw new Error('the call succeeded');
}

/** The same GenerateDataKey request to the engine in this process: its exception's name and message. */
async function inProcessRefusal(
  roots: Uint8Array[] | undefined,
  input: (keyId: string) => ConstructorParameters<typeof GenerateDataKeyCommand>[0],
): Promise<{ name: string; message: string }> {
  const kms = new KMSClient({ store: new MemoryKeyStore(), attestationRoots: roots });
  const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  try {
    await kms.send(new GenerateDataKeyCommand(input(keyId)));
  } catch (e) {
    expect(e).toBeInstanceOf(KMSServiceException);
    // A refusal of the document itself, not of Recipient altogether (as before it was supported).
    expect((e as Error).name).not.toBe('UnsupportedOperationException');
    return { name: (e as Error).name, message: (e as Error).message };
  }
  throw new Error('the in-process call succeeded');
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'wasm-kms-recipient-endpoint-'));
  mkdirSync(join(work, 'home'));
  pki = makeTestPki('wasm-kms endpoint test');
  enclave = enclaveKeyPair(2048);
  enclaveKeyFile = join(work, 'enclave.pem');
  writeFileSync(enclaveKeyFile, enclave.pem, { mode: 0o600 });
  writeFileSync(join(work, 'root.pem'), pki.rootPem);
  document = makeAttestationDocument(pki, { publicKey: enclave.spki });
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('serve --attestation-root ROOT.pem: the five operations with Recipient', () => {
  let server: Serving;
  let kms: sdk.KMSClient;
  let keyId: string;
  const recipient = () => ({ KeyEncryptionAlgorithm: OAEP, AttestationDocument: document }) as const;

  beforeAll(async () => {
    server = await serve(['--attestation-root', join(work, 'root.pem')]);
    kms = client(server.url);
    keyId = (await kms.send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  });
  afterAll(async () => {
    kms?.destroy();
    if (server) expect(await server.stop()).toBe(0);
  });

  it('GenerateDataKeyPair: CiphertextForRecipient opens (OpenSSL) to the PKCS#8 of the PublicKey returned; no PrivateKeyPlaintext; the PrivateKeyCiphertextBlob decrypts without Recipient', async () => {
    const out = await kms.send(
      new sdk.GenerateDataKeyPairCommand({ KeyId: keyId, KeyPairSpec: 'ECC_NIST_P256', Recipient: recipient() }),
    );
    expect(out.PrivateKeyPlaintext).toBeUndefined();
    expect(out.PublicKey).toBeInstanceOf(Uint8Array);
    expect(out.PrivateKeyCiphertextBlob).toBeInstanceOf(Uint8Array);
    const pkcs8 = opensslOpen(out.CiphertextForRecipient!);
    expect(publicOf(pkcs8).equals(Buffer.from(out.PublicKey!))).toBe(true);
    const back = await kms.send(new sdk.DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob }));
    expect(back.CiphertextForRecipient).toBeUndefined();
    expect(Buffer.from(back.Plaintext!).equals(pkcs8)).toBe(true);
  });

  it('GenerateDataKey: the data key only in CiphertextForRecipient, the same key its CiphertextBlob decrypts to', async () => {
    const out = await kms.send(
      new sdk.GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', Recipient: recipient() }),
    );
    expect(out.Plaintext).toBeUndefined();
    const dataKey = opensslOpen(out.CiphertextForRecipient!);
    expect(dataKey.length).toBe(32);
    const back = await kms.send(new sdk.DecryptCommand({ CiphertextBlob: out.CiphertextBlob }));
    expect(Buffer.from(back.Plaintext!).equals(dataKey)).toBe(true);
  });

  it('Decrypt: the plaintext only in CiphertextForRecipient', async () => {
    const plaintext = randomBytes(100);
    const { CiphertextBlob } = await kms.send(new sdk.EncryptCommand({ KeyId: keyId, Plaintext: plaintext }));
    const out = await kms.send(new sdk.DecryptCommand({ CiphertextBlob, Recipient: recipient() }));
    expect(out.Plaintext).toBeUndefined();
    expect(out.KeyId).toMatch(new RegExp(`:key/${keyId}$`));
    expect(opensslOpen(out.CiphertextForRecipient!).equals(plaintext)).toBe(true);
  });

  it('GenerateRandom: the random bytes only in CiphertextForRecipient', async () => {
    const out = await kms.send(new sdk.GenerateRandomCommand({ NumberOfBytes: 48, Recipient: recipient() }));
    expect(out.Plaintext).toBeUndefined();
    expect(opensslOpen(out.CiphertextForRecipient!).length).toBe(48);
  });

  it('DeriveSharedSecret: the secret node:crypto derives on the peer side, only in CiphertextForRecipient', async () => {
    const agreement = (
      await kms.send(new sdk.CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' }))
    ).KeyMetadata!.KeyId!;
    const { PublicKey } = await kms.send(new sdk.GetPublicKeyCommand({ KeyId: agreement }));
    const peer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const out = await kms.send(
      new sdk.DeriveSharedSecretCommand({
        KeyId: agreement,
        KeyAgreementAlgorithm: 'ECDH',
        PublicKey: peer.publicKey.export({ type: 'spki', format: 'der' }),
        Recipient: recipient(),
      }),
    );
    expect(out.SharedSecret).toBeUndefined();
    const expected = diffieHellman({
      privateKey: peer.privateKey,
      publicKey: createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' }),
    });
    expect(opensslOpen(out.CiphertextForRecipient!).equals(expected)).toBe(true);
  });

  it('on the wire: the response body has CiphertextForRecipient and no Plaintext member at all', async () => {
    const r = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.GenerateDataKey' },
      body: JSON.stringify({
        KeyId: keyId,
        NumberOfBytes: 16,
        Recipient: { KeyEncryptionAlgorithm: OAEP, AttestationDocument: Buffer.from(document).toString('base64') },
      }),
    });
    expect(r.status).toBe(200);
    const body = (await r.json()) as Record<string, unknown>;
    expect(Object.keys(body)).not.toContain('Plaintext');
    expect(typeof body.CiphertextForRecipient).toBe('string');
    expect(opensslOpen(Buffer.from(body.CiphertextForRecipient as string, 'base64')).length).toBe(16);
  });

  it('a document that fails verification reaches the SDK as the engine raises it (class, message, 400)', async () => {
    const tampered = makeAttestationDocument(pki, { publicKey: enclave.spki, flipSignatureByte: 10 });
    const e = await refusal(
      kms.send(
        new sdk.GenerateDataKeyCommand({
          KeyId: keyId,
          NumberOfBytes: 32,
          Recipient: { KeyEncryptionAlgorithm: OAEP, AttestationDocument: tampered },
        }),
      ),
    );
    const expected = await inProcessRefusal([pki.rootDer], (id) => ({
      KeyId: id,
      NumberOfBytes: 32,
      Recipient: { KeyEncryptionAlgorithm: OAEP, AttestationDocument: tampered },
    }));
    expect({ name: e.name, message: e.message }).toEqual(expected);
    expect(e.$metadata.httpStatusCode).toBe(400);
    expect(e.name).not.toBe('KMSInternalException');
  });

  it('a KeyEncryptionAlgorithm other than RSAES_OAEP_SHA_256 is a ValidationException', async () => {
    const e = await refusal(
      kms.send(
        new sdk.GenerateRandomCommand({
          NumberOfBytes: 32,
          Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_1' as typeof OAEP, AttestationDocument: document },
        }),
      ),
    );
    expect(e.name).toBe('ValidationException');
    expect(e.$metadata.httpStatusCode).toBe(400);
  });
});

describe('serve without --attestation-root trusts AWS Nitro Enclaves root only', () => {
  let server: Serving;
  let kms: sdk.KMSClient;

  beforeAll(async () => {
    server = await serve([]);
    kms = client(server.url);
  });
  afterAll(async () => {
    kms?.destroy();
    if (server) expect(await server.stop()).toBe(0);
  });

  it('the test PKI document is refused with the engine exception for an untrusted root, and nothing is returned', async () => {
    const keyId = (await kms.send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const e = await refusal(
      kms.send(
        new sdk.GenerateDataKeyCommand({
          KeyId: keyId,
          KeySpec: 'AES_256',
          Recipient: { KeyEncryptionAlgorithm: OAEP, AttestationDocument: document },
        }),
      ),
    );
    const expected = await inProcessRefusal(undefined, (id) => ({
      KeyId: id,
      KeySpec: 'AES_256',
      Recipient: { KeyEncryptionAlgorithm: OAEP, AttestationDocument: document },
    }));
    expect({ name: e.name, message: e.message }).toEqual(expected);
    expect(e.$metadata.httpStatusCode).toBe(400);
    // The endpoint with the test root accepts this very document (above): what is refused is the root.
  });
});

describe('startServer({ attestationRoots }) in process', () => {
  it('an empty list is refused at start (it would refuse every document)', async () => {
    await expect(startServer({ port: 0, attestationRoots: [] })).rejects.toThrow(TypeError);
  });

  it("the roots are copied at start: changing the caller's bytes afterwards changes nothing", async () => {
    const roots = [Uint8Array.from(pki.rootDer)];
    const server = await startServer({ port: 0, attestationRoots: roots });
    const kms = client(server.url);
    try {
      roots[0].fill(0);
      const out = await kms.send(
        new sdk.GenerateRandomCommand({
          NumberOfBytes: 20,
          Recipient: { KeyEncryptionAlgorithm: OAEP, AttestationDocument: document },
        }),
      );
      expect(opensslOpen(out.CiphertextForRecipient!).length).toBe(20);
    } finally {
      kms.destroy();
      await server.close();
    }
  });
});
