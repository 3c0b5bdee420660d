// Recipient on the command line (the built bin, dist/node/cli/main.js, in child processes on a
// temporary file store): --recipient in the AWS CLI's shorthand with the document read by
// fileb:// (`AttestationDocument=fileb://doc.bin` and the AWS CLI v2's `AttestationDocument@=`),
// as base64 text, as JSON and from file://; CiphertextForRecipient printed as other blobs are
// (base64 in JSON, bare with --query ... --output text) and opened by OpenSSL with only the
// enclave's private key; --attestation-root FILE (repeatable, before or after the command) and
// its usage errors; the default root (AWS's) refusing a test PKI document.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateKeyCommand,
  GenerateDataKeyCommand,
  KMSClient,
  KMSServiceException,
  MemoryKeyStore,
} from '../src/kms/index.js';
import { childEnv } from './helpers/env.js';
import {
  certificatesPem,
  enclaveKeyPair,
  makeAttestationDocument,
  makeLeaf,
  makeTestPki,
  type TestPki,
} from './helpers/nitro.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(root, 'dist/node/cli/main.js');
const SHORTHAND = 'KeyEncryptionAlgorithm=RSAES_OAEP_SHA_256,AttestationDocument=fileb://doc.bin';

let work: string;
let pki: TestPki;
let enclave: { spki: Uint8Array; pkcs8: Uint8Array; pem: string };
let document: Uint8Array;
/** --attestation-root naming the test PKI's root (a path relative to the working directory). */
const TRUST = ['--attestation-root', 'root.pem'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI in the work directory (so that fileb://doc.bin is relative to it) on its own store. */
function cli(args: string[], extraEnv: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [BIN, '--store', join(work, 'store'), ...args], {
    cwd: work,
    env: childEnv(join(work, 'home'), extraEnv),
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(args: string[], extraEnv: Record<string, string> = {}): any {
  const r = cli(args, extraEnv);
  expect(r.stderr, args.join(' ')).toBe('');
  expect(r.code, args.join(' ')).toBe(0);
  return JSON.parse(r.stdout);
}

/** What only the enclave can do: open the CMS envelope (base64 as printed) with OpenSSL and its private key. */
function opensslOpen(base64: string): Buffer {
  const r = spawnSync(
    'openssl',
    ['cms', '-decrypt', '-inform', 'DER', '-inkey', join(work, 'enclave.pem'), '-binary'],
    { input: Buffer.from(base64, 'base64') },
  );
  expect(r.status, r.stderr.toString()).toBe(0);
  return r.stdout;
}

const publicOf = (pkcs8: Uint8Array): Buffer =>
  createPublicKey(createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' })).export({
    type: 'spki',
    format: 'der',
  });

/**
 * The AWS CLI's error line (as the CLI prints it on stderr) for what the engine in this process
 * answers to GenerateDataKey with `doc` as the Recipient's document and `roots` trusted.
 */
async function refusalLine(roots: Uint8Array[] | undefined, doc: Uint8Array): Promise<string> {
  const kms = new KMSClient({ store: new MemoryKeyStore(), attestationRoots: roots });
  const KeyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  const recipient = { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: doc } as const;
  const e = await kms.send(new GenerateDataKeyCommand({ KeyId, NumberOfBytes: 32, Recipient: recipient })).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(KMSServiceException);
  const { name, message } = e as KMSServiceException;
  // A refusal of the document itself, not the operation (as before Recipient was supported).
  expect(name).not.toBe('UnsupportedOperationException');
  return `\nAn error occurred (${name}) when calling the GenerateDataKey operation: ${message}\n`;
}

let keyId: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'wasm-kms-cli-recipient-'));
  mkdirSync(join(work, 'home'));
  pki = makeTestPki('wasm-kms CLI test');
  enclave = enclaveKeyPair(2048);
  document = makeAttestationDocument(pki, { publicKey: enclave.spki });
  writeFileSync(join(work, 'doc.bin'), document);
  writeFileSync(join(work, 'root.pem'), pki.rootPem);
  writeFileSync(join(work, 'enclave.pem'), enclave.pem, { mode: 0o600 });
  keyId = ok(['create-key']).KeyMetadata.KeyId;
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('--recipient: the secret only as CiphertextForRecipient', () => {
  it('generate-data-key-pair, AttestationDocument=fileb://doc.bin: the PKCS#8 of the PublicKey printed opens with OpenSSL; no PrivateKeyPlaintext; the PrivateKeyCiphertextBlob decrypts without --recipient', () => {
    const out = ok([
      ...TRUST,
      'generate-data-key-pair',
      '--key-id',
      keyId,
      '--key-pair-spec',
      'ECC_NIST_P256',
      '--recipient',
      SHORTHAND,
    ]);
    expect(Object.keys(out)).not.toContain('PrivateKeyPlaintext');
    expect(out.CiphertextForRecipient).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    const pkcs8 = opensslOpen(out.CiphertextForRecipient);
    expect(publicOf(pkcs8).toString('base64')).toBe(out.PublicKey);
    const back = ok(['decrypt', '--ciphertext-blob', out.PrivateKeyCiphertextBlob]);
    expect(back.Plaintext).toBe(pkcs8.toString('base64'));
    expect(Object.keys(back)).not.toContain('CiphertextForRecipient');
  });

  it("generate-data-key, the AWS CLI v2's AttestationDocument@=fileb://doc.bin: the key its CiphertextBlob decrypts to", () => {
    const out = ok([
      'generate-data-key',
      '--key-id',
      keyId,
      '--key-spec',
      'AES_256',
      '--recipient',
      'KeyEncryptionAlgorithm=RSAES_OAEP_SHA_256,AttestationDocument@=fileb://doc.bin',
      ...TRUST,
    ]);
    expect(Object.keys(out)).not.toContain('Plaintext');
    const dataKey = opensslOpen(out.CiphertextForRecipient);
    expect(dataKey.length).toBe(32);
    expect(ok(['decrypt', '--ciphertext-blob', out.CiphertextBlob]).Plaintext).toBe(dataKey.toString('base64'));
  });

  it('decrypt, --recipient as JSON (the document base64), and in --cli-input-json: the plaintext only for the enclave', () => {
    const plaintext = randomBytes(40);
    writeFileSync(join(work, 'plain.bin'), plaintext);
    const { CiphertextBlob } = ok(['encrypt', '--key-id', keyId, '--plaintext', 'fileb://plain.bin']);
    const recipient = JSON.stringify({
      KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      AttestationDocument: Buffer.from(document).toString('base64'),
    });
    const out = ok([...TRUST, 'decrypt', '--ciphertext-blob', CiphertextBlob, '--recipient', recipient]);
    expect(Object.keys(out)).not.toContain('Plaintext');
    expect(out.KeyId).toMatch(new RegExp(`:key/${keyId}$`));
    expect(opensslOpen(out.CiphertextForRecipient).equals(plaintext)).toBe(true);
    // The same in the whole input as JSON (--cli-input-json).
    const input = JSON.stringify({ CiphertextBlob, Recipient: JSON.parse(recipient) as object });
    const whole = ok([...TRUST, 'decrypt', '--cli-input-json', input]);
    expect(Object.keys(whole)).not.toContain('Plaintext');
    expect(opensslOpen(whole.CiphertextForRecipient).equals(plaintext)).toBe(true);
  });

  it('generate-random, --recipient file://recipient.json; --query CiphertextForRecipient --output text prints the base64 alone', () => {
    writeFileSync(
      join(work, 'recipient.json'),
      JSON.stringify({
        KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
        AttestationDocument: Buffer.from(document).toString('base64'),
      }),
    );
    const r = cli([
      ...TRUST,
      'generate-random',
      '--number-of-bytes',
      '24',
      '--recipient',
      'file://recipient.json',
      '--query',
      'CiphertextForRecipient',
      '--output',
      'text',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[A-Za-z0-9+/]+={0,2}\n$/);
    expect(opensslOpen(r.stdout.trim()).length).toBe(24);
    // --output text without --query: the only member, on one line.
    const text = cli([
      ...TRUST,
      'generate-random',
      '--number-of-bytes',
      '8',
      '--recipient',
      SHORTHAND,
      '--output',
      'text',
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^[A-Za-z0-9+/]+={0,2}\n$/);
    expect(opensslOpen(text.stdout.trim()).length).toBe(8);
  });

  it('derive-shared-secret, AttestationDocument as base64 text in the shorthand: the secret node:crypto derives on the peer side', () => {
    const agreement = ok(['create-key', '--key-spec', 'ECC_NIST_P256', '--key-usage', 'KEY_AGREEMENT']).KeyMetadata
      .KeyId as string;
    const { PublicKey } = ok(['get-public-key', '--key-id', agreement]);
    const peer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    writeFileSync(join(work, 'peer.der'), peer.publicKey.export({ type: 'spki', format: 'der' }));
    const out = ok([
      ...TRUST,
      'derive-shared-secret',
      '--key-id',
      agreement,
      '--key-agreement-algorithm',
      'ECDH',
      '--public-key',
      'fileb://peer.der',
      '--recipient',
      `KeyEncryptionAlgorithm=RSAES_OAEP_SHA_256,AttestationDocument=${Buffer.from(document).toString('base64')}`,
    ]);
    expect(Object.keys(out)).not.toContain('SharedSecret');
    const expected = diffieHellman({
      privateKey: peer.privateKey,
      publicKey: createPublicKey({ key: Buffer.from(PublicKey, 'base64'), format: 'der', type: 'spki' }),
    });
    expect(opensslOpen(out.CiphertextForRecipient).equals(expected)).toBe(true);
  });
});

describe('--attestation-root', () => {
  it('repeatable: a root that does not match and the right one, in either order', () => {
    const other = makeTestPki('another CA');
    writeFileSync(join(work, 'other.pem'), other.rootPem);
    for (const roots of [
      ['--attestation-root', 'other.pem', '--attestation-root', 'root.pem'],
      ['--attestation-root', 'root.pem', '--attestation-root', 'other.pem'],
    ]) {
      const out = ok([...roots, 'generate-random', '--number-of-bytes', '16', '--recipient', SHORTHAND]);
      expect(opensslOpen(out.CiphertextForRecipient).length).toBe(16);
    }
    // One file holding both certificates does the same.
    writeFileSync(join(work, 'both.pem'), other.rootPem + pki.rootPem);
    const out = ok([
      '--attestation-root',
      'both.pem',
      'generate-random',
      '--number-of-bytes',
      '16',
      '--recipient',
      SHORTHAND,
    ]);
    expect(opensslOpen(out.CiphertextForRecipient).length).toBe(16);
  });

  it('WASM_KMS_ATTESTATION_ROOT (files separated by commas) stands for it; the option wins over the variable', () => {
    writeFileSync(join(work, 'fourth.pem'), makeTestPki('a fourth CA').rootPem);
    const random = ['generate-random', '--number-of-bytes', '12', '--recipient', SHORTHAND];
    const out = ok(random, { WASM_KMS_ATTESTATION_ROOT: 'fourth.pem,root.pem' });
    expect(opensslOpen(out.CiphertextForRecipient).length).toBe(12);
    const flagWins = cli(['--attestation-root', 'fourth.pem', ...random], { WASM_KMS_ATTESTATION_ROOT: 'root.pem' });
    expect(flagWins.code).toBe(254);
    expect(flagWins.stdout).toBe('');
    const bad = cli(random, { WASM_KMS_ATTESTATION_ROOT: 'root.pem,nowhere.pem' });
    expect(bad.code).toBe(252);
    expect(bad.stderr).toMatch(
      /wasm-kms: error: environment variable WASM_KMS_ATTESTATION_ROOT: nowhere\.pem: cannot read it \(ENOENT\)\n$/,
    );
  });

  it('a DER certificate file is read as well as PEM', () => {
    writeFileSync(join(work, 'root.der'), pki.rootDer);
    const out = ok([
      '--attestation-root',
      'root.der',
      'generate-random',
      '--number-of-bytes',
      '4',
      '--recipient',
      SHORTHAND,
    ]);
    expect(opensslOpen(out.CiphertextForRecipient).length).toBe(4);
  });

  it("without it, AWS's root only: the test PKI's document is refused (254, the engine's error line, nothing on stdout)", async () => {
    const r = cli(['generate-data-key', '--key-id', keyId, '--number-of-bytes', '32', '--recipient', SHORTHAND]);
    expect(r.code).toBe(254);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(await refusalLine(undefined, document));
  });

  it('a root of another PKI only: refused the same way', async () => {
    const other = makeTestPki('a third CA');
    writeFileSync(join(work, 'third.pem'), other.rootPem);
    const untrusted = cli([
      '--attestation-root',
      'third.pem',
      'generate-data-key',
      '--key-id',
      keyId,
      '--number-of-bytes',
      '32',
      '--recipient',
      SHORTHAND,
    ]);
    const byDefault = cli([
      'generate-data-key',
      '--key-id',
      keyId,
      '--number-of-bytes',
      '32',
      '--recipient',
      SHORTHAND,
    ]);
    expect(untrusted.code).toBe(254);
    expect(untrusted.stdout).toBe('');
    expect(untrusted.stderr).toBe(byDefault.stderr);
    expect(untrusted.stderr).toBe(await refusalLine([other.rootDer], document));
  });

  it('a file that cannot be read, holds no certificate, a certificate that does not parse or cannot be a root: usage error (252) naming it', () => {
    const usage = (file: string, why: RegExp) => {
      const r = cli(['--attestation-root', file, 'generate-random', '--number-of-bytes', '8']);
      expect(r.code).toBe(252);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^usage: wasm-kms /);
      const last = r.stderr.trimEnd().split('\n').pop()!;
      expect(last).toMatch(new RegExp(`^wasm-kms: error: argument --attestation-root: ${file}: `));
      expect(last).toMatch(why);
    };
    usage('missing.pem', /cannot read it \(ENOENT\)/);
    usage('enclave.pem', /no certificate in it/); // a private key, no CERTIFICATE block
    writeFileSync(join(work, 'text.txt'), 'not a certificate\n');
    usage('text.txt', /no certificate in it/);
    writeFileSync(join(work, 'broken.pem'), '-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n');
    usage('broken.pem', /the certificate is not an X\.509 certificate/);
    writeFileSync(join(work, 'second-broken.pem'), pki.rootPem + certificatesPem(Uint8Array.of(0x30, 0x03, 1, 2, 3)));
    usage('second-broken.pem', /certificate 2 of 2 is not an X\.509 certificate/);
    // An X.509 certificate the verifier cannot use as a root: an RSA self-signed one, and the
    // test PKI's instance CA followed by a leaf-like certificate (not a CA).
    const rsa = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(work, 'rsa-key.pem'),
      '-out',
      join(work, 'rsa-root.pem'),
      '-subj',
      '/CN=rsa',
      '-days',
      '2',
    ]);
    expect(rsa.status).toBe(0);
    usage(
      'rsa-root.pem',
      /the certificate cannot be a root of attestation documents: signature algorithm .* is not ecdsa-with-SHA384/,
    );
    writeFileSync(join(work, 'not-ca.pem'), pki.rootPem + certificatesPem(makeLeaf(pki, Date.now()).der));
    usage('not-ca.pem', /certificate 2 of 2 cannot be a root of attestation documents: it is not a CA certificate/);
  });
});

describe('--recipient errors', () => {
  it("a missing fileb:// file is the AWS CLI's paramfile error (252), with = and with @=", () => {
    for (const op of ['=', '@=']) {
      const r = cli([
        ...TRUST,
        'generate-random',
        '--number-of-bytes',
        '8',
        '--recipient',
        `KeyEncryptionAlgorithm=RSAES_OAEP_SHA_256,AttestationDocument${op}fileb://missing.bin`,
      ]);
      expect(r.code).toBe(252);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        "\nError parsing parameter '--recipient': Unable to load paramfile fileb://missing.bin: [Errno 2] No such file or directory: 'missing.bin'\n",
      );
    }
  });

  it('a member the structure does not have is a usage error (252) listing the valid ones', () => {
    const r = cli(['generate-random', '--number-of-bytes', '8', '--recipient', 'Document=fileb://doc.bin']);
    expect(r.code).toBe(252);
    expect(r.stderr).toMatch(/unknown member 'Document', valid members are: .*AttestationDocument/);
  });

  it("a KeyEncryptionAlgorithm other than RSAES_OAEP_SHA_256 is the service's ValidationException (254)", () => {
    const r = cli([
      ...TRUST,
      'generate-random',
      '--number-of-bytes',
      '8',
      '--recipient',
      'KeyEncryptionAlgorithm=RSAES_OAEP_SHA_1,AttestationDocument=fileb://doc.bin',
    ]);
    expect(r.code).toBe(254);
    expect(r.stderr).toMatch(
      /^\nAn error occurred \(ValidationException\) when calling the GenerateRandom operation: /,
    );
  });

  it("a document with a broken signature, an expired leaf or no public key: the engine's refusal (254), nothing printed", async () => {
    const now = Date.now();
    const documents = {
      signature: makeAttestationDocument(pki, { publicKey: enclave.spki, flipSignatureByte: 5 }),
      expired: makeAttestationDocument(pki, {
        publicKey: enclave.spki,
        timestamp: now - 2 * 3600_000,
        leafNotBefore: new Date(now - 3 * 3600_000),
        leafNotAfter: new Date(now - 3600_000),
      }),
      'no-public-key': makeAttestationDocument(pki, { publicKey: null }),
    };
    const lines = new Set<string>();
    for (const [name, doc] of Object.entries(documents)) {
      writeFileSync(join(work, `${name}.bin`), doc);
      const r = cli([
        ...TRUST,
        'generate-data-key',
        '--key-id',
        keyId,
        '--number-of-bytes',
        '32',
        '--recipient',
        `KeyEncryptionAlgorithm=RSAES_OAEP_SHA_256,AttestationDocument=fileb://${name}.bin`,
      ]);
      expect(r.code, name).toBe(254);
      expect(r.stdout, name).toBe('');
      expect(r.stderr, name).toBe(await refusalLine([pki.rootDer], doc));
      lines.add(r.stderr);
    }
    // Each says what is wrong with its document.
    expect(lines.size).toBe(3);
  });
});
