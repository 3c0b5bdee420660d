// The wasm-kms command line, run as the package's bin (dist/node/cli/main.js) in child processes on a
// temporary file store: AWS CLI commands and output, the store persisting between processes,
// exit codes and error lines, the bulk command, and serve talking to @aws-sdk/client-kms.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  existsSync,
  mkdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  KMSClient as SdkClient,
  CreateKeyCommand as SdkCreateKey,
  DescribeKeyCommand as SdkDescribeKey,
  GenerateDataKeyPairCommand as SdkGenerateDataKeyPair,
} from '@aws-sdk/client-kms';
import { DecryptCommand, KMSClient } from '../src/kms/index.js';
import { FileKeyStore } from '../src/node/file-store/index.js';
import { childEnv } from './helpers/env.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(root, 'dist/node/cli/main.js');

let work: string;
let store: string;

/** The environment of every run: nothing inherited that would change where keys live or which Region is used. */
const baseEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => childEnv(join(work, 'home'), extra);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI on the shared test store (--store) unless `args` already names a store or env does. */
function cli(args: string[], options: { env?: Record<string, string>; noStore?: boolean } = {}): Run {
  const full = options.noStore ? args : ['--store', store, ...args];
  const r = spawnSync(process.execPath, [BIN, ...full], { env: baseEnv(options.env), encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A successful run's stdout as JSON. */
function ok(args: string[], options?: { env?: Record<string, string>; noStore?: boolean }): any {
  const r = cli(args, options);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

function newKeyId(args: string[] = []): string {
  return ok(['create-key', ...args]).KeyMetadata.KeyId;
}

const b64 = (s: string) => Buffer.from(s, 'base64');

/** The public key node:crypto derives from a DER PKCS#8 private key, as DER SPKI. */
function publicOf(pkcs8: Buffer): Buffer {
  const priv = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  return createPublicKey(priv).export({ type: 'spki', format: 'der' });
}

const AWS_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'wasm-kms-cli-'));
  mkdirSync(join(work, 'home'));
  store = join(work, 'store');
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('keys and aliases, one process after another', () => {
  it('create-key prints KeyMetadata as the AWS CLI does; describe-key in the next process finds it', () => {
    const r = cli(['create-key', '--description', 'first key']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    // 4-space indentation, members in the service's order.
    expect(
      r.stdout.startsWith('{\n    "KeyMetadata": {\n        "AWSAccountId": "111122223333",\n        "KeyId": "'),
    ).toBe(true);
    expect(r.stdout.endsWith('\n    }\n}\n')).toBe(true);
    const md = JSON.parse(r.stdout).KeyMetadata;
    expect(md).toMatchObject({
      Description: 'first key',
      KeyState: 'Enabled',
      KeySpec: 'SYMMETRIC_DEFAULT',
      Enabled: true,
    });
    expect(md.Arn).toBe(`arn:aws:kms:us-east-1:111122223333:key/${md.KeyId}`);
    expect(md.CreationDate).toMatch(AWS_TIMESTAMP);
    // The model's member order, whatever order the engine builds the object in.
    const order = Object.keys(md);
    expect(order.indexOf('KeyManager')).toBeLessThan(order.indexOf('CustomerMasterKeySpec'));
    expect(order.indexOf('CustomerMasterKeySpec')).toBeLessThan(order.indexOf('KeySpec'));
    expect(order.indexOf('EncryptionAlgorithms')).toBeLessThan(order.indexOf('MultiRegion'));
    expect(order.at(-1)).toBe('CurrentKeyMaterialId');
    expect(Math.abs(Date.parse(md.CreationDate) - Date.now())).toBeLessThan(10 * 60_000);
    const again = ok(['describe-key', '--key-id', md.Arn]).KeyMetadata;
    expect(again).toEqual(md);
  });

  it('create-alias prints nothing; the alias resolves in list-aliases and describe-key', () => {
    const keyId = newKeyId();
    const r = cli(['create-alias', '--alias-name', 'alias/cli-test', '--target-key-id', keyId]);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    const aliases = ok(['list-aliases']).Aliases;
    expect(aliases).toContainEqual(expect.objectContaining({ AliasName: 'alias/cli-test', TargetKeyId: keyId }));
    expect(ok(['list-aliases', '--key-id', keyId]).Aliases.map((a: any) => a.AliasName)).toEqual(['alias/cli-test']);
    expect(ok(['describe-key', '--key-id', 'alias/cli-test']).KeyMetadata.KeyId).toBe(keyId);
    expect(ok(['list-keys']).Keys).toContainEqual({
      KeyId: keyId,
      KeyArn: `arn:aws:kms:us-east-1:111122223333:key/${keyId}`,
    });
    // The same alias again: the service's error, exit 254.
    const dup = cli(['create-alias', '--alias-name', 'alias/cli-test', '--target-key-id', keyId]);
    expect(dup.code).toBe(254);
    expect(dup.stderr).toMatch(
      /^\nAn error occurred \(AlreadyExistsException\) when calling the CreateAlias operation: .+\n$/,
    );
  });

  it('WASM_KMS_HOME is the default store; --store names the same directory', () => {
    const home = join(work, 'home-store');
    const keyId = ok(['create-key', '--description', 'via env'], { env: { WASM_KMS_HOME: home }, noStore: true })
      .KeyMetadata.KeyId;
    expect(existsSync(join(home, 'wasm-kms-store.json'))).toBe(true);
    expect(ok(['--store', home, 'describe-key', '--key-id', keyId], { noStore: true }).KeyMetadata.Description).toBe(
      'via env',
    );
    // Global options may follow the command, as in the AWS CLI.
    expect(ok(['list-keys', '--store', home], { noStore: true }).Keys.map((k: any) => k.KeyId)).toEqual([keyId]);
    // Another Region of the same store has no keys.
    expect(ok(['list-keys'], { env: { WASM_KMS_HOME: home, AWS_REGION: 'eu-west-1' }, noStore: true })).toEqual({
      Keys: [],
    });
  });

  it('schedule-key-deletion and cancel-key-deletion', () => {
    const keyId = newKeyId();
    const s = ok(['schedule-key-deletion', '--key-id', keyId, '--pending-window-in-days', '7']);
    expect(s).toMatchObject({ KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    expect(s.DeletionDate).toMatch(AWS_TIMESTAMP);
    expect(ok(['cancel-key-deletion', '--key-id', keyId]).KeyId).toContain(keyId);
    expect(ok(['describe-key', '--key-id', keyId]).KeyMetadata.KeyState).toBe('Disabled');
  });

  it('list-keys pages through every key unless --limit/--marker; --max-items and --starting-token continue', () => {
    const dir = join(work, 'paging');
    const run = (args: string[]) => ok(['--store', dir, ...args], { noStore: true });
    const ids = [0, 1, 2].map(() => run(['create-key']).KeyMetadata.KeyId).sort();
    expect(run(['list-keys', '--page-size', '1', '--query', 'Keys[].KeyId'])).toEqual(ids);
    const one = run(['list-keys', '--limit', '1']);
    expect(one.Keys).toHaveLength(1);
    expect(one.Truncated).toBe(true);
    expect(typeof one.NextMarker).toBe('string');
    const rest = run(['list-keys', '--marker', one.NextMarker]);
    expect([...one.Keys, ...rest.Keys].map((k: any) => k.KeyId)).toEqual(ids);
    const first = run(['list-keys', '--max-items', '2', '--page-size', '1']);
    expect(first.Keys.map((k: any) => k.KeyId)).toEqual(ids.slice(0, 2));
    expect(typeof first.NextToken).toBe('string');
    expect(run(['list-keys', '--starting-token', first.NextToken]).Keys.map((k: any) => k.KeyId)).toEqual(ids.slice(2));
  });

  it('create-key takes --key-spec, --key-usage and shorthand --tags; get-public-key answers', () => {
    const md = ok([
      'create-key',
      '--key-spec',
      'ECC_NIST_P256',
      '--key-usage',
      'SIGN_VERIFY',
      '--tags',
      'TagKey=team,TagValue=a',
      'TagKey=env,TagValue=test',
    ]).KeyMetadata;
    expect(md).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const pub = ok(['get-public-key', '--key-id', md.KeyId]);
    expect(createPublicKey({ key: b64(pub.PublicKey), format: 'der', type: 'spki' }).asymmetricKeyType).toBe('ec');
  });
});

describe('data key pairs, encryption and data keys', () => {
  let keyId: string;
  beforeAll(() => {
    keyId = newKeyId(['--description', 'crypto']);
  });

  it('generate-data-key-pair: the PKCS#8 matches the public key; decrypt gives it back from fileb:// and from base64', () => {
    const pair = ok([
      'generate-data-key-pair',
      '--key-id',
      keyId,
      '--key-pair-spec',
      'ECC_NIST_P256',
      '--encryption-context',
      'tenant=a,purpose=cli test',
    ]);
    expect(Object.keys(pair)).toEqual([
      'PrivateKeyCiphertextBlob',
      'PrivateKeyPlaintext',
      'PublicKey',
      'KeyId',
      'KeyPairSpec',
      'KeyMaterialId',
    ]);
    expect(pair.KeyPairSpec).toBe('ECC_NIST_P256');
    expect(pair.KeyId).toBe(`arn:aws:kms:us-east-1:111122223333:key/${keyId}`);
    const pkcs8 = b64(pair.PrivateKeyPlaintext);
    expect(publicOf(pkcs8).equals(b64(pair.PublicKey))).toBe(true);

    const blobFile = join(work, 'pair.blob');
    writeFileSync(blobFile, b64(pair.PrivateKeyCiphertextBlob));
    const fromFile = ok([
      'decrypt',
      '--ciphertext-blob',
      `fileb://${blobFile}`,
      '--encryption-context',
      '{"purpose":"cli test","tenant":"a"}',
    ]);
    expect(b64(fromFile.Plaintext).equals(pkcs8)).toBe(true);
    expect(fromFile.KeyId).toBe(pair.KeyId);
    const fromText = ok([
      'decrypt',
      '--ciphertext-blob',
      pair.PrivateKeyCiphertextBlob,
      '--encryption-context',
      'purpose=cli test,tenant=a',
    ]);
    expect(fromText.Plaintext).toBe(pair.PrivateKeyPlaintext);
    // The AWS CLI idiom: the plaintext alone, as base64 text.
    const q = cli([
      'decrypt',
      '--ciphertext-blob',
      `fileb://${blobFile}`,
      '--encryption-context',
      'tenant=a,purpose=cli test',
      '--query',
      'Plaintext',
      '--output',
      'text',
    ]);
    expect(q.stdout).toBe(`${pair.PrivateKeyPlaintext}\n`);

    // Without the context: the service's error, and nothing secret on stderr.
    const bad = cli(['decrypt', '--ciphertext-blob', `fileb://${blobFile}`]);
    expect(bad.code).toBe(254);
    expect(bad.stderr).toMatch(
      /^\nAn error occurred \(InvalidCiphertextException\) when calling the Decrypt operation: /,
    );
    expect(bad.stdout).toBe('');
  });

  it('generate-data-key-pair-without-plaintext: no private key in the output; decrypt opens the blob', () => {
    const pair = ok([
      'generate-data-key-pair-without-plaintext',
      '--key-id',
      keyId,
      '--key-pair-spec',
      'ECC_NIST_EDWARDS25519',
    ]);
    expect(pair.PrivateKeyPlaintext).toBeUndefined();
    const plain = ok(['decrypt', '--ciphertext-blob', pair.PrivateKeyCiphertextBlob]).Plaintext;
    expect(publicOf(b64(plain)).equals(b64(pair.PublicKey))).toBe(true);
  });

  it('encrypt and decrypt round trip: fileb:// bytes, base64 text, and raw text with --cli-binary-format', () => {
    const data = randomBytes(300);
    const file = join(work, 'plain.bin');
    writeFileSync(file, data);
    const enc = ok(['encrypt', '--key-id', keyId, '--plaintext', `fileb://${file}`, '--encryption-context', 'k=v']);
    expect(enc.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    const dec = ok(['decrypt', '--ciphertext-blob', enc.CiphertextBlob, '--encryption-context', 'k=v']);
    expect(b64(dec.Plaintext).equals(data)).toBe(true);

    const enc2 = ok(['encrypt', '--key-id', keyId, '--plaintext', data.toString('base64')]);
    expect(b64(ok(['decrypt', '--ciphertext-blob', enc2.CiphertextBlob]).Plaintext).equals(data)).toBe(true);

    const enc3 = ok([
      '--cli-binary-format',
      'raw-in-base64-out',
      'encrypt',
      '--key-id',
      keyId,
      '--plaintext',
      'hello, KMS',
    ]);
    expect(b64(ok(['decrypt', '--ciphertext-blob', enc3.CiphertextBlob]).Plaintext).toString('utf8')).toBe(
      'hello, KMS',
    );
  });

  it('generate-data-key: --key-spec and --number-of-bytes; decrypt gives the data key back', () => {
    const dk = ok(['generate-data-key', '--key-id', keyId, '--key-spec', 'AES_256']);
    expect(b64(dk.Plaintext)).toHaveLength(32);
    expect(ok(['decrypt', '--ciphertext-blob', dk.CiphertextBlob]).Plaintext).toBe(dk.Plaintext);
    expect(b64(ok(['generate-data-key', '--key-id', keyId, '--number-of-bytes', '16']).Plaintext)).toHaveLength(16);
    const without = ok(['generate-data-key-without-plaintext', '--key-id', keyId, '--key-spec', 'AES_128']);
    expect(without.Plaintext).toBeUndefined();
    expect(b64(ok(['decrypt', '--ciphertext-blob', without.CiphertextBlob]).Plaintext)).toHaveLength(16);
  });

  it('generate-random gives the bytes asked for; without --number-of-bytes the service says so', () => {
    expect(b64(ok(['generate-random', '--number-of-bytes', '37']).Plaintext)).toHaveLength(37);
    const r = cli(['generate-random']);
    expect(r.code).toBe(254);
    expect(r.stderr).toBe(
      '\nAn error occurred (ValidationException) when calling the GenerateRandom operation: NumberOfBytes is required.\n',
    );
  });

  it('a disabled key: DisabledException on stderr, exit 254; enabled again it works', () => {
    const k = newKeyId();
    expect(cli(['disable-key', '--key-id', k])).toEqual({ code: 0, stdout: '', stderr: '' });
    const r = cli(['generate-data-key-pair', '--key-id', k, '--key-pair-spec', 'ECC_NIST_P256']);
    expect(r.code).toBe(254);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `\nAn error occurred (DisabledException) when calling the GenerateDataKeyPair operation: arn:aws:kms:us-east-1:111122223333:key/${k} is disabled.\n`,
    );
    expect(cli(['enable-key', '--key-id', k]).code).toBe(0);
    expect(ok(['generate-data-key-pair', '--key-id', k, '--key-pair-spec', 'ECC_NIST_P256']).KeyPairSpec).toBe(
      'ECC_NIST_P256',
    );
  });

  it('a key that does not exist: NotFoundException, exit 254', () => {
    const r = cli(['generate-data-key-pair', '--key-id', 'alias/no-such-alias', '--key-pair-spec', 'RSA_2048']);
    expect(r.code).toBe(254);
    expect(r.stderr).toMatch(
      /^\nAn error occurred \(NotFoundException\) when calling the GenerateDataKeyPair operation: .*alias\/no-such-alias.*\n$/,
    );
  });

  it("another --account-id's key: AccessDeniedException, exit 254, by ARN and through a ciphertext", () => {
    const k = newKeyId();
    const arn = `arn:aws:kms:us-east-1:111122223333:key/${k}`;
    const blob = ok(['encrypt', '--key-id', k, '--plaintext', 'aGVsbG8=']).CiphertextBlob as string;
    const other = ['--account-id', '444455556666'];
    const r = cli([...other, 'describe-key', '--key-id', arn]);
    expect(r.code).toBe(254);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `\nAn error occurred (AccessDeniedException) when calling the DescribeKey operation: User: arn:aws:iam::444455556666:root is not authorized to perform: kms:DescribeKey on resource: ${arn} because no resource-based policy allows the kms:DescribeKey action\n`,
    );
    const d = cli([...other, 'decrypt', '--ciphertext-blob', blob]);
    expect(d.code).toBe(254);
    expect(d.stderr).toBe(
      '\nAn error occurred (AccessDeniedException) when calling the Decrypt operation: User: arn:aws:iam::444455556666:root is not authorized to perform: kms:Decrypt on the resource associated with this ciphertext because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access\n',
    );
    expect(ok(['decrypt', '--ciphertext-blob', blob]).Plaintext).toBe('aGVsbG8=');
  });

  it('--dry-run: DryRunOperationException when the call would succeed', () => {
    const r = cli(['generate-data-key-pair', '--key-id', keyId, '--key-pair-spec', 'RSA_4096', '--dry-run']);
    expect(r.code).toBe(254);
    expect(r.stderr).toMatch(/\(DryRunOperationException\) when calling the GenerateDataKeyPair operation/);
  });

  it('generate-key-pair still makes a bare pair (no store needed)', () => {
    const pair = ok(['generate-key-pair', '--key-pair-spec', 'ECC_SECG_P256K1'], { noStore: true });
    expect(publicOf(b64(pair.PrivateKeyPlaintext)).equals(b64(pair.PublicKey))).toBe(true);
  });

  it('generate-key-pair takes --query and --output as every command does', () => {
    const der = cli(
      ['generate-key-pair', '--key-pair-spec', 'ECC_NIST_P384', '--query', 'PrivateKeyPlaintext', '--output', 'text'],
      { noStore: true },
    );
    expect(der.code).toBe(0);
    expect(der.stdout).toMatch(/^[A-Za-z0-9+/]+=*\n$/);
    expect(publicOf(b64(der.stdout.trim())).length).toBeGreaterThan(0);
    expect(
      ok(['generate-key-pair', '--key-pair-spec', 'ECC_NIST_P256', '--query', 'KeyPairSpec'], { noStore: true }),
    ).toBe('ECC_NIST_P256');
    // The AWS CLI's json for a missing member is null.
    expect(
      ok(['generate-key-pair', '--key-pair-spec', 'ECC_NIST_P256', '--query', 'Nope'], { noStore: true }),
    ).toBeNull();
    const text = cli(['generate-key-pair', '--key-pair-spec', 'ECC_NIST_EDWARDS25519', '--output', 'text'], {
      noStore: true,
    });
    expect(text.code).toBe(0);
    const [spec, priv, pub] = text.stdout.trimEnd().split('\t');
    expect(spec).toBe('ECC_NIST_EDWARDS25519');
    expect(publicOf(b64(priv)).equals(b64(pub))).toBe(true);
  });
});

describe('output formats', () => {
  it('--output text: the AWS CLI text layout', () => {
    const keyId = newKeyId(['--description', 'text']);
    const r = cli(['describe-key', '--key-id', keyId, '--output', 'text']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const cols = lines[0].split('\t');
    // Scalars in key order after the upper-cased member name; booleans as Python prints them.
    expect(cols[0]).toBe('KEYMETADATA');
    expect(cols[1]).toBe('111122223333'); // AWSAccountId
    expect(cols[2]).toBe(`arn:aws:kms:us-east-1:111122223333:key/${keyId}`); // Arn
    expect(cols[3]).toMatch(AWS_TIMESTAMP); // CreationDate
    expect(cols).toContain('True');
    expect(cols).toContain('text');
    expect(lines[1]).toBe('ENCRYPTIONALGORITHMS\tSYMMETRIC_DEFAULT');

    const rnd = cli(['generate-random', '--number-of-bytes', '8', '--output', 'text']);
    expect(rnd.stdout).toMatch(/^[A-Za-z0-9+/]{11}=\n$/);
    const arn = cli(['describe-key', '--key-id', keyId, '--query', 'KeyMetadata.Arn', '--output', 'text']);
    expect(arn.stdout).toBe(`arn:aws:kms:us-east-1:111122223333:key/${keyId}\n`);
    const keys = cli(['list-keys', '--output', 'text']).stdout.trimEnd().split('\n');
    expect(keys).toContain(`KEYS\tarn:aws:kms:us-east-1:111122223333:key/${keyId}\t${keyId}`);
  });

  it('--max-items with --output text: the items, then NEXTTOKEN<TAB>token as the last line; json keeps "NextToken"', () => {
    const dir = join(work, 'paging-text');
    const run = (args: string[]) => cli(['--store', dir, ...args], { noStore: true });
    for (let i = 0; i < 3; i++) expect(run(['create-key']).code).toBe(0);
    const json = JSON.parse(run(['list-keys', '--max-items', '2']).stdout);
    expect(Object.keys(json)).toEqual(['Keys', 'NextToken']);
    const text = run(['list-keys', '--max-items', '2', '--output', 'text']);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')).toEqual([
      ...json.Keys.map((k: any) => `KEYS\t${k.KeyArn}\t${k.KeyId}`),
      `NEXTTOKEN\t${json.NextToken}`,
      '',
    ]);
    // The last page has no token line.
    const rest = run(['list-keys', '--starting-token', json.NextToken, '--output', 'text'])
      .stdout.trimEnd()
      .split('\n');
    expect(rest).toHaveLength(1);
    expect(rest[0]).toMatch(/^KEYS\t/);
  });

  it('--query in json prints the selected value as JSON', () => {
    const keyId = newKeyId();
    expect(ok(['describe-key', '--key-id', keyId, '--query', 'KeyMetadata.KeyState'])).toBe('Enabled');
    expect(ok(['list-keys', '--query', 'Keys[].KeyId'])).toContain(keyId);
    const bad = cli(['list-keys', '--query', 'Keys[?KeyId==`x`]']);
    expect(bad.code).toBe(252);
  });

  it('a --query that cannot be used is refused for every command (252, the AWS CLI\'s "Bad value for --query"), before anything runs', () => {
    const keyId = newKeyId();
    const keys = () => ok(['list-keys', '--query', 'Keys[].KeyId']).length;
    const before = keys();
    const dir = join(work, 'bad-query');
    mkdirSync(dir);
    const commands = [
      ['create-key'],
      ['describe-key', '--key-id', keyId],
      ['list-keys'],
      ['generate-key-pair', '--key-pair-spec', 'ECC_NIST_P256'],
      [
        'generate-data-key-pairs',
        '--key-id',
        keyId,
        '--key-pair-spec',
        'ECC_NIST_P256',
        '--count',
        '2',
        '--out',
        join(dir, 'x.ndjson'),
      ],
      ['serve', '--port', '0'],
    ];
    for (const query of ['Keys[', 'KeyMetadata.', 'Keys[?KeyId==`x`]', 'length(Keys)', '']) {
      for (const args of commands) {
        const r = cli([...args, '--query', query]);
        expect(r.code, `${args[0]} --query '${query}'`).toBe(252);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(
          new RegExp(`^\\nBad value for --query ${query.replace(/[[\]().?`*]/g, '\\$&')}: .+\\n$`),
        );
      }
    }
    // Nothing was created, written or served.
    expect(keys()).toBe(before);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('generate-data-key-pairs and serve print no operation output: a valid --query, or --output text on the bulk command, is refused (252)', () => {
    const keyId = newKeyId();
    const dir = join(work, 'bulk-query');
    mkdirSync(dir);
    const bulk = [
      'generate-data-key-pairs',
      '--key-id',
      keyId,
      '--key-pair-spec',
      'ECC_NIST_P256',
      '--count',
      '2',
      '--out',
      join(dir, 'x.ndjson'),
    ];
    const q = cli([...bulk, '--query', 'KeyId']);
    expect(q.code).toBe(252);
    expect(q.stderr).toContain(
      'wasm-kms: error: argument --query: generate-data-key-pairs writes its pairs to --out (NDJSON) and prints nothing; --query does not apply',
    );
    const text = cli([...bulk, '--output', 'text']);
    expect(text.code).toBe(252);
    expect(text.stderr).toContain(
      'wasm-kms: error: argument --output: generate-data-key-pairs always writes NDJSON to --out',
    );
    expect(readdirSync(dir)).toEqual([]);
    expect(cli(['serve', '--port', '0', '--query', 'KeyId']).code).toBe(252);
    // --output json is what it writes anyway.
    expect(cli([...bulk, '--output', 'json']).code).toBe(0);
    expect(readdirSync(dir)).toEqual(['x.ndjson']);
  });
});

describe('usage and other errors', () => {
  const usageLine = 'usage: wasm-kms [options] <command> [parameters]';

  it('a missing required option exits 252 with a usage line', () => {
    const r = cli(['generate-data-key-pair', '--key-pair-spec', 'RSA_2048']);
    expect(r.code).toBe(252);
    expect(r.stdout).toBe('');
    expect(r.stderr.startsWith(usageLine)).toBe(true);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(
      'wasm-kms: error: the following arguments are required: --key-id',
    );
    const both = cli(['generate-data-key-pair']);
    expect(both.stderr).toContain('the following arguments are required: --key-id, --key-pair-spec');
  });

  it('an unknown command, an unknown option or a stray argument exits 252', () => {
    const cmd = cli(['describe-keys', '--key-id', 'x']);
    expect(cmd.code).toBe(252);
    expect(cmd.stderr).toContain(
      "wasm-kms: error: argument command: Invalid choice: 'describe-keys', valid choices are: create-key, describe-key",
    );
    const opt = cli(['describe-key', '--key-id', 'x', '--nope']);
    expect(opt.code).toBe(252);
    expect(opt.stderr).toContain('Unknown options: --nope');
    const stray = cli(['describe-key', 'x']);
    expect(stray.code).toBe(252);
    expect(stray.stderr).toContain('Unknown options: x');
    expect(cli([], { noStore: true }).code).toBe(252);
  });

  it("values under a minimum are refused before any call, as botocore's validation report (exit 252); maxima are the service's", () => {
    expect(cli(['generate-random', '--number-of-bytes', '0'])).toEqual({
      code: 252,
      stdout: '',
      stderr:
        '\nParameter validation failed:\nInvalid value for parameter NumberOfBytes, value: 0, valid min value: 1\n',
    });
    const empty = cli(['describe-key', '--key-id', '']);
    expect(empty.code).toBe(252);
    expect(empty.stderr).toBe(
      '\nParameter validation failed:\nInvalid length for parameter KeyId, value: 0, valid min length: 1\n',
    );
    const tag = cli(['create-key', '--tags', 'TagKey=,TagValue=v']);
    expect(tag.code).toBe(252);
    expect(tag.stderr).toContain('Invalid length for parameter Tags[0].TagKey, value: 0, valid min length: 1');
    const big = cli(['generate-random', '--number-of-bytes', '2000']);
    expect(big.code).toBe(254);
    expect(big.stderr).toContain(
      'An error occurred (ValidationException) when calling the GenerateRandom operation: 1 validation error detected',
    );
  });

  it('bad values exit 252 and never echo blob values', () => {
    const int = cli(['generate-random', '--number-of-bytes', 'twelve']);
    expect(int.code).toBe(252);
    expect(int.stderr).toContain("argument --number-of-bytes: invalid int value: 'twelve'");
    const secret = 'TOP-SECRET-VALUE!';
    const blob = cli(['encrypt', '--key-id', 'alias/x', '--plaintext', secret]);
    expect(blob.code).toBe(252);
    expect(blob.stderr).toContain("Error parsing parameter '--plaintext': Invalid base64");
    expect(blob.stderr).not.toContain(secret);
    const ctx = cli([
      'generate-data-key-pair',
      '--key-id',
      'alias/x',
      '--key-pair-spec',
      'RSA_2048',
      '--encryption-context',
      'novalue',
    ]);
    expect(ctx.code).toBe(252);
    expect(ctx.stderr).toContain("Error parsing parameter '--encryption-context'");
    expect(cli(['--output', 'yaml', 'list-keys']).code).toBe(252);
  });

  it("a fileb:// or file:// file that cannot be read exits 252 with the AWS CLI's paramfile error", () => {
    const missing = join(work, 'no-such-file.bin');
    const r = cli(['decrypt', '--ciphertext-blob', `fileb://${missing}`]);
    expect(r).toEqual({
      code: 252,
      stdout: '',
      stderr: `\nError parsing parameter '--ciphertext-blob': Unable to load paramfile fileb://${missing}: [Errno 2] No such file or directory: '${missing}'\n`,
    });
    const text = cli(['create-key', '--policy', 'file://no-such-policy.json']);
    expect(text.code).toBe(252);
    expect(text.stderr).toBe(
      "\nError parsing parameter '--policy': Unable to load paramfile file://no-such-policy.json: [Errno 2] No such file or directory: 'no-such-policy.json'\n",
    );
    const dir = cli(['encrypt', '--key-id', 'alias/x', '--plaintext', `fileb://${work}`]);
    expect(dir.code).toBe(252);
    expect(dir.stderr).toBe(
      `\nError parsing parameter '--plaintext': Unable to load paramfile fileb://${work}: [Errno 21] Is a directory: '${work}'\n`,
    );
    // file:// is text: bytes that are not UTF-8 are refused, pointing at fileb://.
    const binary = join(work, 'binary.bin');
    writeFileSync(binary, Buffer.from([0xff, 0xfe, 0x00, 0x80]));
    const notText = cli(['encrypt', '--key-id', 'alias/x', '--plaintext', `file://${binary}`]);
    expect(notText.code).toBe(252);
    expect(notText.stderr).toBe(
      `\nError parsing parameter '--plaintext': Unable to load paramfile (${binary}), text contents could not be decoded.  If this is a binary file, please use the fileb:// prefix instead of the file:// prefix.\n`,
    );
    // Paths are expanded as the AWS CLI expands them: ~ is $HOME, $VAR a variable.
    writeFileSync(join(work, 'home', 'ct.txt'), 'aGVsbG8=');
    const keyId = newKeyId();
    const blob = ok(['encrypt', '--key-id', keyId, '--plaintext', 'file://~/ct.txt']).CiphertextBlob;
    expect(ok(['decrypt', '--ciphertext-blob', blob]).Plaintext).toBe('aGVsbG8=');
    const viaVar = ok(['encrypt', '--key-id', keyId, '--plaintext', 'file://$WHERE/ct.txt'], {
      env: { WHERE: join(work, 'home') },
    });
    expect(typeof viaVar.CiphertextBlob).toBe('string');
  });

  it('a broken store exits 255 with one line', () => {
    const notAStore = join(work, 'not-a-store');
    mkdirSync(notAStore);
    writeFileSync(join(notAStore, 'something-else.txt'), 'x');
    const s = cli(['--store', notAStore, 'list-keys'], { noStore: true });
    expect(s.code).toBe(255);
    expect(s.stderr).toMatch(/^wasm-kms: error: cannot open the key store at .*not-a-store: .+\n$/);
    expect(s.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('--region, AWS_REGION and AWS_DEFAULT_REGION must be Region names, as botocore checks them (exit 252, nothing stored)', () => {
    const dir = join(work, 'regions');
    const run = (args: string[], env?: Record<string, string>) =>
      cli(['--store', dir, ...args], { noStore: true, env });
    const last = (r: Run) => r.stderr.trimEnd().split('\n').at(-1);
    for (const region of ['', 'Us East 1/x', '-us-east-1', 'us_east_1', 'a'.repeat(64)]) {
      const r = run(['--region', region, 'create-key']);
      expect(r.code).toBe(252);
      expect(r.stderr.startsWith('usage: wasm-kms')).toBe(true);
      expect(last(r)).toBe(
        `wasm-kms: error: argument --region: Provided region_name '${region}' doesn't match a supported format (letters, digits and hyphens, e.g. us-east-1).`,
      );
    }
    const env = run(['create-key'], { AWS_REGION: 'eu west 1' });
    expect(env.code).toBe(252);
    expect(last(env)).toMatch(/^wasm-kms: error: AWS_REGION: Provided region_name 'eu west 1' doesn't match/);
    const fallback = run(['create-key'], { AWS_DEFAULT_REGION: '../x' });
    expect(fallback.code).toBe(252);
    expect(last(fallback)).toMatch(/^wasm-kms: error: AWS_DEFAULT_REGION: Provided region_name '\.\.\/x'/);
    // Refused before the store is touched.
    expect(existsSync(dir)).toBe(false);
    // Good names pass; an empty variable counts as unset, and --region wins over the environment.
    expect(
      ok(['--store', dir, '--region', 'eu-central-1', 'create-key'], {
        noStore: true,
        env: { AWS_REGION: 'bad region' },
      }).KeyMetadata.Arn,
    ).toMatch(/^arn:aws:kms:eu-central-1:/);
    expect(
      ok(['--store', dir, 'create-key'], { noStore: true, env: { AWS_REGION: '', AWS_DEFAULT_REGION: 'ap-south-1' } })
        .KeyMetadata.Arn,
    ).toMatch(/^arn:aws:kms:ap-south-1:/);
    expect(ok(['--store', dir, '--region', 'x1', 'list-keys'], { noStore: true })).toEqual({ Keys: [] });
  });

  it('AWS CLI options about profiles, logging and connections are accepted and ignored; --endpoint-url is refused', () => {
    const keyId = ok([
      '--profile',
      'prod',
      '--debug',
      '--no-verify-ssl',
      '--color',
      'off',
      '--cli-read-timeout',
      '5',
      '--cli-connect-timeout',
      '0',
      'create-key',
      '--description',
      'globals',
    ]).KeyMetadata.KeyId;
    expect(
      ok(['describe-key', '--key-id', keyId, '--profile', 'other', '--color', 'auto', '--debug']).KeyMetadata
        .Description,
    ).toBe('globals');
    const color = cli(['--color', 'blue', 'list-keys']);
    expect(color.code).toBe(252);
    expect(color.stderr).toContain(
      "wasm-kms: error: argument --color: Invalid choice: 'blue', valid choices are: on, off, auto",
    );
    const timeout = cli(['list-keys', '--cli-read-timeout', 'soon']);
    expect(timeout.code).toBe(252);
    expect(timeout.stderr).toContain("wasm-kms: error: argument --cli-read-timeout: invalid int value: 'soon'");
    const endpoint = cli(['--endpoint-url', 'http://127.0.0.1:4599', 'list-keys']);
    expect(endpoint.code).toBe(252);
    expect(endpoint.stdout).toBe('');
    expect(endpoint.stderr).toMatch(
      /wasm-kms: error: argument --endpoint-url: not supported: wasm-kms runs the KMS engine in this process.*run `wasm-kms serve`/,
    );
  });

  it('a reader that goes away early (| true, | head) is not an error: exit 0, nothing on stderr', async () => {
    for (const args of [
      ['generate-key-pair', '--key-pair-spec', 'RSA_2048'],
      ['--store', store, 'list-keys', '--output', 'text'],
    ]) {
      const child = spawn(process.execPath, [BIN, ...args], { env: baseEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      // Close our end of its stdout before it writes anything: its writes meet EPIPE.
      child.stdout!.destroy();
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      expect(stderr).toBe('');
      expect(code).toBe(0);
    }
  });

  it('--help for the tool and each command, --version', () => {
    const top = cli(['--help'], { noStore: true });
    expect(top.code).toBe(0);
    for (const c of [
      'create-key',
      'generate-data-key-pair',
      'generate-data-key-pairs',
      'serve',
      'decrypt',
      'generate-random',
    ])
      expect(top.stdout).toContain(c);
    const sub = cli(['generate-data-key-pair', '--help'], { noStore: true });
    expect(sub.code).toBe(0);
    for (const o of ['--key-id', '--key-pair-spec', '--encryption-context', '--grant-tokens', '--dry-run'])
      expect(sub.stdout).toContain(o);
    expect(cli(['decrypt', 'help'], { noStore: true }).stdout).toContain('--ciphertext-blob');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(cli(['--version'], { noStore: true }).stdout).toBe(`wasm-kms ${pkg.version}\n`);
  });
});

describe('generate-data-key-pairs', () => {
  it('writes 20 pairs as NDJSON (0600), every line checked, and a summary line', async () => {
    const keyId = newKeyId(['--description', 'bulk']);
    const out = join(work, 'bulk', 'pairs.ndjson');
    mkdirSync(join(work, 'bulk'));
    const r = cli([
      'generate-data-key-pairs',
      '--key-id',
      keyId,
      '--key-pair-spec',
      'ECC_NIST_P256',
      '--count',
      '20',
      '--out',
      out,
      '--threads',
      '2',
      '--encryption-context',
      'batch=7',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    // Not a terminal: no progress bar, only the summary.
    expect(r.stderr).toMatch(/^20 pairs in \d+\.\d\d s \(\d+\.\d pairs\/s\)\n$/);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(work, 'bulk'))).toEqual(['pairs.ndjson']);

    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(20);
    const fileStore = await FileKeyStore.open(store);
    try {
      const kms = new KMSClient({ store: fileStore });
      const publics = new Set<string>();
      for (const line of lines) {
        const p = JSON.parse(line);
        expect(p.KeyId).toBe(`arn:aws:kms:us-east-1:111122223333:key/${keyId}`);
        expect(p.KeyPairSpec).toBe('ECC_NIST_P256');
        const pkcs8 = b64(p.PrivateKeyPlaintext);
        expect(publicOf(pkcs8).equals(b64(p.PublicKey))).toBe(true);
        const { Plaintext } = await kms.send(
          new DecryptCommand({ CiphertextBlob: b64(p.PrivateKeyCiphertextBlob), EncryptionContext: { batch: '7' } }),
        );
        expect(Buffer.from(Plaintext!).equals(pkcs8)).toBe(true);
        publics.add(p.PublicKey);
      }
      expect(publics.size).toBe(20);
    } finally {
      await fileStore.close();
    }
  });

  it('--without-plaintext leaves the private keys out', () => {
    const keyId = newKeyId();
    const out = join(work, 'bulk-np.ndjson');
    const r = cli([
      'generate-data-key-pairs',
      '--key-id',
      keyId,
      '--key-pair-spec',
      'ECC_NIST_EDWARDS25519',
      '--count',
      '5',
      '--out',
      out,
      '--without-plaintext',
      '--threads',
      '1',
    ]);
    expect(r.code).toBe(0);
    const lines = readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(5);
    for (const p of lines) {
      expect(p.PrivateKeyPlaintext).toBeUndefined();
      expect(typeof p.PrivateKeyCiphertextBlob).toBe('string');
    }
  });

  /** A long RSA_4096 bulk run into <work>/<name>/x.ndjson, resolved once its temporary file exists. */
  async function longBulkRun(name: string) {
    const keyId = newKeyId();
    const dir = join(work, name);
    mkdirSync(dir);
    const child = spawn(
      process.execPath,
      [
        BIN,
        '--store',
        store,
        'generate-data-key-pairs',
        '--key-id',
        keyId,
        '--key-pair-spec',
        'RSA_4096',
        '--count',
        '1000',
        '--out',
        join(dir, 'x.ndjson'),
        '--threads',
        '2',
      ],
      {
        env: baseEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const run = { child, dir, stderr: '', exited: false, done: undefined as unknown as Promise<number | null> };
    child.stderr!.on('data', (d) => (run.stderr += d));
    run.done = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => ((run.exited = true), resolve(code))),
    );
    // The run is under way once its temporary file exists (created 0600 before the first pair).
    while (readdirSync(dir).length === 0) await new Promise((r) => setTimeout(r, 20));
    return run;
  }

  it('SIGINT mid-run: exit 130, the temporary file removed, no output file', async () => {
    const run = await longBulkRun('bulk-interrupted');
    const { child, dir, done } = run;
    const [tmp] = readdirSync(dir);
    expect(tmp).toMatch(/^\.x\.ndjson\.\d+\.[0-9a-f]+\.tmp$/);
    expect(statSync(join(dir, tmp)).mode & 0o777).toBe(0o600);
    child.kill('SIGINT');
    expect(await done).toBe(130);
    expect(run.stderr).toContain(`interrupted (SIGINT); ${join(dir, 'x.ndjson')} not written`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a second SIGINT while the run stops exits at once (130), the temporary file removed', async () => {
    const run = await longBulkRun('bulk-twice');
    const { child, dir, done } = run;
    // The temporary file comes just before the first requests; let them reach the threads, so
    // that the first signal has RSA_4096 pairs (seconds each) to wait for.
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    // The first signal is taken: the run waits for the RSA_4096 pairs under way...
    while (!run.stderr.includes('send it again to stop at once') && !run.exited)
      await new Promise((r) => setTimeout(r, 5));
    // ...and the second does not wait for them.
    child.kill('SIGINT');
    expect(await done).toBe(130);
    expect(run.stderr).toContain(
      `wasm-kms: interrupted again (SIGINT); stopped at once, ${join(dir, 'x.ndjson')} not written\n`,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('temporary files of runs whose process is gone (killed outright) are removed at the start, and said so; others are kept', async () => {
    const keyId = newKeyId();
    const dir = join(work, 'bulk-leftovers');
    mkdirSync(dir);
    // The id of a process that has exited.
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => gone.on('exit', r));
    const deadPid = gone.pid!;
    const stale = `.x.ndjson.${deadPid}.0123456789ab.tmp`;
    const live = `.x.ndjson.${process.pid}.0123456789ab.tmp`;
    const other = `.y.ndjson.${deadPid}.0123456789ab.tmp`;
    const unlike = `.x.ndjson.${deadPid}.notours.tmp`;
    for (const f of [stale, live, other, unlike])
      writeFileSync(join(dir, f), '{"PrivateKeyPlaintext":"..."}\n', { mode: 0o600 });
    const r = cli([
      'generate-data-key-pairs',
      '--key-id',
      keyId,
      '--key-pair-spec',
      'ECC_NIST_P256',
      '--count',
      '2',
      '--out',
      join(dir, 'x.ndjson'),
      '--threads',
      '1',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n')[0]).toBe(
      `wasm-kms: removed ${join(dir, stale)}, left by an earlier run (process ${deadPid}) that did not finish`,
    );
    expect(readdirSync(dir).sort()).toEqual([live, unlike, other, 'x.ndjson'].sort());
  });

  it('an --out that cannot be written fails at once (255), before the key is even looked at', () => {
    const dir = join(work, 'bulk-out');
    mkdirSync(dir);
    writeFileSync(join(dir, 'file'), '');
    // A key that does not exist: a run that got as far as the key would fail with 254 instead.
    const run = (out: string) =>
      cli([
        'generate-data-key-pairs',
        '--key-id',
        'alias/no-such-key',
        '--key-pair-spec',
        'RSA_2048',
        '--count',
        '30',
        '--out',
        out,
      ]);
    const cases: Array<[string, string]> = [
      [dir, `cannot write ${dir}: it is a directory (--out names the file to write)`],
      [
        join(dir, 'missing', 'x.ndjson'),
        `cannot write ${join(dir, 'missing', 'x.ndjson')}: its directory ${join(dir, 'missing')}: no such directory`,
      ],
      [
        join(dir, 'file', 'x.ndjson'),
        `cannot write ${join(dir, 'file', 'x.ndjson')}: ${join(dir, 'file')} is not a directory`,
      ],
    ];
    for (const [out, message] of cases) {
      const r = run(out);
      expect(r.code).toBe(255);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`wasm-kms: error: ${message}\n`);
    }
    expect(readdirSync(dir)).toEqual(['file']);
  });

  it('a key that cannot be used fails before any file is written', () => {
    const keyId = newKeyId();
    cli(['disable-key', '--key-id', keyId]);
    const dir = join(work, 'bulk-fail');
    mkdirSync(dir);
    const r = cli([
      'generate-data-key-pairs',
      '--key-id',
      keyId,
      '--key-pair-spec',
      'RSA_2048',
      '--count',
      '3',
      '--out',
      join(dir, 'x.ndjson'),
    ]);
    expect(r.code).toBe(254);
    expect(r.stderr).toMatch(/\(DisabledException\) when calling the GenerateDataKeyPair operation/);
    expect(readdirSync(dir)).toEqual([]);
    const usage = cli([
      'generate-data-key-pairs',
      '--key-id',
      keyId,
      '--key-pair-spec',
      'RSA_2048',
      '--count',
      '0',
      '--out',
      join(dir, 'x.ndjson'),
    ]);
    expect(usage.code).toBe(252);
  });
});

describe('serve', () => {
  /** Starts `serve` on a free port; resolves with the URL it prints and the child. */
  function startServe(args: string[]): Promise<{ url: string; child: ReturnType<typeof spawn>; stderr: () => string }> {
    const child = spawn(process.execPath, [BIN, '--store', store, 'serve', '--port', '0', '--threads', '1', ...args], {
      env: baseEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    return new Promise((resolve, reject) => {
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /^wasm-kms listening on (http:\/\/[0-9.]+:(\d+))\n/.exec(out);
        if (m && Number(m[2]) > 0) resolve({ url: m[1], child, stderr: () => err });
      });
      child.on('exit', (code) => reject(new Error(`serve exited early (${code}): ${err}`)));
    });
  }

  const exited = (child: ReturnType<typeof spawn>) =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );

  it('@aws-sdk/client-kms talks to it on the same store as the CLI; SIGTERM exits 0', async () => {
    const keyId = newKeyId(['--description', 'served']);
    const { url, child, stderr } = await startServe([]);
    const done = exited(child);
    try {
      const sdk = new SdkClient({
        endpoint: url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      });
      // A key the CLI made in another process.
      const md = (await sdk.send(new SdkDescribeKey({ KeyId: keyId }))).KeyMetadata!;
      expect(md.Description).toBe('served');
      const pair = await sdk.send(
        new SdkGenerateDataKeyPair({ KeyId: keyId, KeyPairSpec: 'RSA_2048', EncryptionContext: { via: 'http' } }),
      );
      expect(publicOf(Buffer.from(pair.PrivateKeyPlaintext!)).equals(Buffer.from(pair.PublicKey!))).toBe(true);
      // A key the server made, used by the CLI.
      const created = (await sdk.send(new SdkCreateKey({ Description: 'from sdk' }))).KeyMetadata!;
      expect(ok(['describe-key', '--key-id', created.KeyId!]).KeyMetadata.Description).toBe('from sdk');
      const dec = ok([
        'decrypt',
        '--ciphertext-blob',
        Buffer.from(pair.PrivateKeyCiphertextBlob!).toString('base64'),
        '--encryption-context',
        'via=http',
      ]);
      expect(b64(dec.Plaintext).equals(Buffer.from(pair.PrivateKeyPlaintext!))).toBe(true);
      sdk.destroy();
    } finally {
      child.kill('SIGTERM');
    }
    expect(await done).toEqual({ code: 0, signal: null });
    expect(stderr()).toContain('TrentService.GenerateDataKeyPair 200');
    // Loopback only: no warning about --auth none.
    expect(stderr()).not.toContain('warning');
  });

  it('--auth none on an address other than loopback warns on stderr that anyone reaching it can use the keys', async () => {
    const { url, child, stderr } = await startServe(['--host', '0.0.0.0', '--quiet']);
    expect(url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    const done = exited(child);
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
    expect(stderr()).toBe(
      'wasm-kms: warning: listening on 0.0.0.0 (0.0.0.0) with --auth none: anyone who can reach this address can decrypt, encrypt and generate data keys and key pairs with every key in the store, without credentials. Use --auth sigv4 --credentials FILE to require signed requests, or --host 127.0.0.1.\n',
    );
  });

  it('--auth sigv4 with --credentials: signed requests pass, a wrong secret is refused', async () => {
    const creds = join(work, 'creds.json');
    writeFileSync(creds, JSON.stringify([{ accessKeyId: 'AKIACLITEST', secretAccessKey: 'right-secret' }]));
    chmodSync(creds, 0o600);
    const { url, child } = await startServe(['--auth', 'sigv4', '--credentials', creds, '--quiet']);
    const done = exited(child);
    try {
      const good = new SdkClient({
        endpoint: url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIACLITEST', secretAccessKey: 'right-secret' },
      });
      expect((await good.send(new SdkCreateKey({}))).KeyMetadata!.KeyState).toBe('Enabled');
      const bad = new SdkClient({
        endpoint: url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIACLITEST', secretAccessKey: 'wrong' },
      });
      await expect(bad.send(new SdkCreateKey({}))).rejects.toMatchObject({ $fault: 'client' });
      good.destroy();
      bad.destroy();
    } finally {
      child.kill('SIGINT');
    }
    expect((await done).code).toBe(0);
    const usage = cli(['serve', '--auth', 'sigv4']);
    expect(usage.code).toBe(252);
    expect(usage.stderr).toContain('--auth sigv4 needs --credentials FILE');
  });

  it('serve does not start on a credentials file others can read, or with a key it does not know', () => {
    const open = join(work, 'open-creds.json');
    writeFileSync(open, JSON.stringify([{ accessKeyId: 'AKIACLITEST', secretAccessKey: 'right-secret' }]));
    chmodSync(open, 0o644);
    const refused = cli(['serve', '--auth', 'sigv4', '--credentials', open, '--port', '0']);
    expect(refused.code).toBe(255);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      `wasm-kms: error: credentials file ${open} is open to group or others (mode 0644) and holds secret keys; make it readable by its owner only: chmod 600 ${open}\n`,
    );
    const typo = join(work, 'typo-creds');
    writeFileSync(
      typo,
      '[default]\naws_access_key_id = AKIACLITEST\naws_secret_access_key = right-secret\nprincipal_arn = arn:aws:iam::111122223333:user/x\n',
    );
    chmodSync(typo, 0o600);
    const unknown = cli(['serve', '--auth', 'sigv4', '--credentials', typo, '--port', '0']);
    expect(unknown.code).toBe(255);
    expect(unknown.stderr).toContain(
      `credentials file ${typo}: profile [default] has an unknown key 'principal_arn' on line 4`,
    );
    expect(unknown.stderr).not.toContain('right-secret');
  });
});
