// GenerateMac and VerifyMac with HMAC_224/256/384/512 KMS keys:
//  - through KMSClient: the MAC equals node:crypto's HMAC under the key's material for message
//    lengths around both block sizes up to 4096, VerifyMac accepts it and answers
//    KMSInvalidMacException (empty message) for a changed message, MAC, MAC length or key;
//  - the recorded AWS answers (test_generate_and_verify_mac, test_invalid_generate_mac,
//    test_invalid_verify_mac) replayed item by item: members and fixed values of a success, code,
//    status and exact message of an error;
//  - every refusal in KMS's order (validation, key, state, usage, algorithm, DryRun) with its message;
//  - the HTTP endpoint with the real @aws-sdk/client-kms, and the CLI's generate-mac / verify-mac.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHmac, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sdk from '@aws-sdk/client-kms';
import {
  AccessDeniedException,
  DisableKeyCommand,
  DisabledException,
  DryRunOperationException,
  InvalidKeyUsageException,
  KMSInvalidMacException,
  KMSInvalidStateException,
  KMSServiceException,
  NotFoundException,
  ScheduleKeyDeletionCommand,
  ValidationException,
  type KMSClient,
  type MemoryKeyStore,
} from '../../src/kms/index.js';
import { CreateGrantCommand, GenerateMacCommand, VerifyMacCommand } from '../../src/kms/registry.js';
import { startServer, type RunningServer } from '../../src/node/http/server.js';
import { readVectorText } from '../helpers/vectors.js';
import { caught } from '../helpers/caught.js';
import { childEnv } from '../helpers/env.js';
import { clients, newKey, rejection } from '../helpers/kms.js';

const ACCOUNT = '111122223333';
const SPECS = ['HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512'] as const;
const ALGORITHMS = ['HMAC_SHA_224', 'HMAC_SHA_256', 'HMAC_SHA_384', 'HMAC_SHA_512'] as const;
const NODE_HASH: Record<string, string> = {
  HMAC_SHA_224: 'sha224',
  HMAC_SHA_256: 'sha256',
  HMAC_SHA_384: 'sha384',
  HMAC_SHA_512: 'sha512',
};
const KEY_BYTES: Record<string, number> = { HMAC_224: 28, HMAC_256: 32, HMAC_384: 48, HMAC_512: 64 };
const algOf = (spec: string) => `HMAC_SHA_${spec.slice(5)}` as (typeof ALGORITHMS)[number];
const rand = (n: number) => new Uint8Array(randomBytes(n));
const text = (s: string) => new TextEncoder().encode(s);
const members = (o: object) => Object.keys(o).filter((k) => k !== '$metadata');

async function hmacKey(c: KMSClient, store: MemoryKeyStore, spec: string) {
  const md = await newKey(c, { KeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC' });
  const record = await store.getKey(ACCOUNT, 'us-east-1', md.KeyId);
  return { keyId: md.KeyId, arn: md.Arn!, material: record!.hmacKey!.slice() };
}

describe.each(SPECS)('%s', (spec) => {
  const { us: c, store } = clients();
  const alg = algOf(spec);
  let k: Awaited<ReturnType<typeof hmacKey>>;
  beforeAll(async () => {
    k = await hmacKey(c, store as MemoryKeyStore, spec);
    expect(k.material.length).toBe(KEY_BYTES[spec]);
  });

  it('GenerateMac equals node:crypto HMAC under the key material, and VerifyMac accepts it', async () => {
    for (const n of [1, 2, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 1000, 4095, 4096]) {
      const msg = rand(n);
      const out = await c.send(new GenerateMacCommand({ KeyId: k.keyId, Message: msg, MacAlgorithm: alg }));
      expect(members(out)).toEqual(['Mac', 'MacAlgorithm', 'KeyId']);
      expect(out.KeyId).toBe(k.arn);
      expect(out.MacAlgorithm).toBe(alg);
      const want = createHmac(NODE_HASH[alg], k.material).update(msg).digest();
      expect(Buffer.from(out.Mac!), `${n} bytes`).toEqual(want);
      const v = await c.send(new VerifyMacCommand({ KeyId: k.keyId, Message: msg, MacAlgorithm: alg, Mac: want }));
      expect(members(v)).toEqual(['KeyId', 'MacValid', 'MacAlgorithm']);
      expect(v).toMatchObject({ KeyId: k.arn, MacValid: true, MacAlgorithm: alg });
    }
    // By alias too.
    const out = await c.send(new GenerateMacCommand({ KeyId: k.arn, Message: text('x'), MacAlgorithm: alg }));
    expect(Buffer.from(out.Mac!)).toEqual(createHmac(NODE_HASH[alg], k.material).update('x').digest());
  });

  it('VerifyMac: KMSInvalidMacException with an empty message for any changed input', async () => {
    const msg = text('some important message');
    const mac = createHmac(NODE_HASH[alg], k.material).update(msg).digest();
    const other = await hmacKey(c, store as MemoryKeyStore, spec);
    const cases: [string, Uint8Array, Uint8Array, string][] = [
      ['another message', text('some different important message'), mac, k.keyId],
      ['first bit of the MAC', msg, Buffer.from(mac.map((b, i) => (i === 0 ? b ^ 0x80 : b))), k.keyId],
      ['last bit of the MAC', msg, Buffer.from(mac.map((b, i) => (i === mac.length - 1 ? b ^ 1 : b))), k.keyId],
      ['a truncated MAC', msg, mac.subarray(0, mac.length - 1), k.keyId],
      ['a MAC with a byte more', msg, Buffer.concat([mac, Buffer.of(0)]), k.keyId],
      ['another key of the spec', msg, mac, other.keyId],
    ];
    for (const [what, m, tag, keyId] of cases) {
      const e = await rejection(
        c.send(new VerifyMacCommand({ KeyId: keyId, Message: m, MacAlgorithm: alg, Mac: tag })),
        KMSInvalidMacException,
      );
      expect(e.message, what).toBe('');
    }
  });

  it('the other MAC algorithms are refused with the recorded message', async () => {
    for (const a of ALGORITHMS.filter((x) => x !== alg)) {
      const e = await rejection(
        c.send(new GenerateMacCommand({ KeyId: k.keyId, Message: text('m'), MacAlgorithm: a })),
        InvalidKeyUsageException,
      );
      expect(e.message).toBe(`Algorithm ${a} is incompatible with key spec ${spec}.`);
      const v = await rejection(
        c.send(new VerifyMacCommand({ KeyId: k.keyId, Message: text('m'), MacAlgorithm: a, Mac: rand(32) })),
        InvalidKeyUsageException,
      );
      expect(v.message).toBe(`Algorithm ${a} is incompatible with key spec ${spec}.`);
    }
  });
});

// ---- The recorded AWS answers -----------------------------------------------------------------

type Item = Record<string, unknown> & {
  Error?: { Code: string; Message: string };
  ResponseMetadata?: { HTTPStatusCode: number };
};
const RECORDINGS = JSON.parse(readVectorText('kms/aws-recorded-responses.json')) as Record<
  string,
  { 'recorded-content': Record<string, Item> }
>;
const PREFIX = 'tests/aws/services/kms/test_kms.py::TestKMS::';
const content = (id: string) => RECORDINGS[PREFIX + id]['recorded-content'];
let compared = 0;

function sameSuccess(out: object, rec: Item): void {
  expect(members(out).sort()).toEqual(
    Object.keys(rec)
      .filter((k) => k !== 'ResponseMetadata')
      .sort(),
  );
  for (const [k, v] of Object.entries(rec)) {
    if (k === 'ResponseMetadata') continue;
    if (typeof v === 'boolean' || (typeof v === 'string' && !v.includes('<'))) {
      expect((out as Record<string, unknown>)[k], k).toEqual(v);
    }
  }
  expect(rec.ResponseMetadata?.HTTPStatusCode).toBe(200);
  compared++;
}

async function sameError(p: Promise<unknown>, rec: Item): Promise<void> {
  const err = await caught(p);
  expect(err).toBeInstanceOf(KMSServiceException);
  const e = err as KMSServiceException;
  expect(e.name).toBe(rec.Error!.Code);
  expect(e.$metadata.httpStatusCode).toBe(rec.ResponseMetadata!.HTTPStatusCode);
  expect(e.message).toBe(rec.Error!.Message);
  compared++;
}

const IMPORTANT = text('some important message');

describe('recorded GenerateMac / VerifyMac', () => {
  const { us: c } = clients();
  const ids = Object.keys(RECORDINGS)
    .filter((k) => /::test_(generate_and_verify_mac|invalid_generate_mac|invalid_verify_mac)\[/.test(k))
    .map((k) => k.slice(PREFIX.length));

  it('covers the 9 recorded tests', () => {
    expect(ids).toHaveLength(9);
  });

  it.each(ids)('%s', async (id) => {
    const rec = content(id);
    const params = id.slice(id.indexOf('[') + 1, -1).split('-');
    const spec = params[0];
    const keyId = (await newKey(c, { KeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyId;
    if (id.startsWith('test_generate_and_verify_mac')) {
      const alg = params[1] as never;
      const gen = await c.send(new GenerateMacCommand({ KeyId: keyId, Message: IMPORTANT, MacAlgorithm: alg }));
      sameSuccess(gen, rec['generate-mac']);
      const ver = await c.send(
        new VerifyMacCommand({ KeyId: keyId, Message: IMPORTANT, MacAlgorithm: alg, Mac: gen.Mac }),
      );
      sameSuccess(ver, rec['verify-mac']);
      await sameError(
        c.send(new GenerateMacCommand({ KeyId: 'key_id', Message: IMPORTANT, MacAlgorithm: alg })),
        rec['generate-mac-invalid-key-id'],
      );
      await sameError(
        c.send(new VerifyMacCommand({ KeyId: 'key_id', Message: IMPORTANT, MacAlgorithm: alg, Mac: gen.Mac })),
        rec['verify-mac-invalid-key-id'],
      );
    } else if (id.startsWith('test_invalid_generate_mac')) {
      await sameError(
        c.send(new GenerateMacCommand({ KeyId: keyId, Message: IMPORTANT, MacAlgorithm: params[1] as never })),
        rec['generate-mac'],
      );
    } else {
      // test_invalid_verify_mac[spec-alg-message]: a MAC of "some important message" with the
      // spec's algorithm, verified with the given algorithm and message.
      const gen = await c.send(new GenerateMacCommand({ KeyId: keyId, Message: IMPORTANT, MacAlgorithm: algOf(spec) }));
      sameSuccess(gen, rec['generate-mac']);
      await sameError(
        c.send(
          new VerifyMacCommand({
            KeyId: keyId,
            Message: text(params.slice(2).join('-')),
            MacAlgorithm: params[1] as never,
            Mac: gen.Mac,
          }),
        ),
        rec['verify-mac'],
      );
    }
  });

  afterAll(() => {
    // 4 × 4 items, 2 refused GenerateMacs, 3 × 2 items.
    expect(compared).toBe(24);
  });
});

// ---- Refusals in KMS's order ------------------------------------------------------------------

describe('GenerateMac / VerifyMac refusals', () => {
  const { us: c, other } = clients();
  const msg = text('m');

  it('validation: message 1..4096 bytes, MAC 1..6144 bytes, required members, grant tokens', async () => {
    const k = (await newKey(c, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyId;
    const gen = (input: Record<string, unknown>) =>
      rejection(
        c.send(new GenerateMacCommand({ KeyId: k, Message: msg, MacAlgorithm: 'HMAC_SHA_256', ...input } as never)),
        ValidationException,
      );
    const v1 = '1 validation error detected: ';
    expect((await gen({ Message: new Uint8Array(0) })).message).toBe(
      `${v1}Value at 'message' failed to satisfy constraint: Member must have length greater than or equal to 1`,
    );
    expect((await gen({ Message: new Uint8Array(4097) })).message).toBe(
      `${v1}Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096`,
    );
    expect((await gen({ MacAlgorithm: undefined })).message).toBe(
      `${v1}Value null at 'macAlgorithm' failed to satisfy constraint: Member must not be null`,
    );
    expect((await gen({ KeyId: undefined })).message).toBe(
      `${v1}Value null at 'keyId' failed to satisfy constraint: Member must not be null`,
    );
    expect((await gen({ GrantTokens: Array(11).fill('t') })).message).toMatch(
      /at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10$/,
    );
    expect((await gen({ GrantTokens: [''] })).message).toBe(
      `${v1}Value at 'grantTokens.1.member' failed to satisfy constraint: Member must have length greater than or equal to 1`,
    );
    // Up to 10 grant tokens are accepted (well-formed ones: a malformed token is InvalidGrantTokenException).
    const { GrantToken } = await c.send(
      new CreateGrantCommand({
        KeyId: k,
        GranteePrincipal: `arn:aws:iam::${ACCOUNT}:role/r`,
        Operations: ['GenerateMac'],
      }),
    );
    await c.send(
      new GenerateMacCommand({
        KeyId: k,
        Message: msg,
        MacAlgorithm: 'HMAC_SHA_256',
        GrantTokens: Array(10).fill(GrantToken),
      }),
    );
    const ver = (mac: Uint8Array) =>
      rejection(
        c.send(new VerifyMacCommand({ KeyId: k, Message: msg, MacAlgorithm: 'HMAC_SHA_256', Mac: mac })),
        ValidationException,
      );
    expect((await ver(new Uint8Array(0))).message).toBe(
      `${v1}Value at 'mac' failed to satisfy constraint: Member must have length greater than or equal to 1`,
    );
    expect((await ver(new Uint8Array(6145))).message).toBe(
      `${v1}Value at 'mac' failed to satisfy constraint: Member must have length less than or equal to 6144`,
    );
  });

  it('key usage: keys that are not HMAC keys', async () => {
    for (const [input, usage] of [
      [{}, 'ENCRYPT_DECRYPT'],
      [{ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }, 'SIGN_VERIFY'],
      [{ KeySpec: 'ML_KEM_512', KeyUsage: 'ENCAPSULATE_DECAPSULATE' }, 'ENCAPSULATE_DECAPSULATE'],
    ] as const) {
      const md = await newKey(c, input);
      const e = await rejection(
        c.send(new GenerateMacCommand({ KeyId: md.KeyId, Message: msg, MacAlgorithm: 'HMAC_SHA_256' })),
        InvalidKeyUsageException,
      );
      expect(e.message).toBe(`${md.Arn} key usage is ${usage} which is not valid for GenerateMac.`);
      const v = await rejection(
        c.send(new VerifyMacCommand({ KeyId: md.KeyId, Message: msg, MacAlgorithm: 'HMAC_SHA_256', Mac: rand(32) })),
        InvalidKeyUsageException,
      );
      expect(v.message).toBe(`${md.Arn} key usage is ${usage} which is not valid for VerifyMac.`);
    }
  });

  it('key state: disabled and pending deletion, before the usage and algorithm checks', async () => {
    const md = await newKey(c, { KeySpec: 'HMAC_384', KeyUsage: 'GENERATE_VERIFY_MAC' });
    await c.send(new DisableKeyCommand({ KeyId: md.KeyId }));
    const d = await rejection(
      c.send(new GenerateMacCommand({ KeyId: md.KeyId, Message: msg, MacAlgorithm: 'HMAC_SHA_256' })),
      DisabledException,
    );
    expect(d.message).toBe(`${md.Arn} is disabled.`);
    await c.send(new ScheduleKeyDeletionCommand({ KeyId: md.KeyId, PendingWindowInDays: 7 }));
    const p = await rejection(
      c.send(new VerifyMacCommand({ KeyId: md.KeyId, Message: msg, MacAlgorithm: 'HMAC_SHA_384', Mac: rand(48) })),
      KMSInvalidStateException,
    );
    expect(p.message).toBe(`${md.Arn} is pending deletion.`);
  });

  it('DryRun: after every check, before the MAC; a wrong MAC under DryRun is still a dry run', async () => {
    const md = await newKey(c, { KeySpec: 'HMAC_512', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const dry = await rejection(
      c.send(new GenerateMacCommand({ KeyId: md.KeyId, Message: msg, MacAlgorithm: 'HMAC_SHA_512', DryRun: true })),
      DryRunOperationException,
    );
    expect(dry.message).toBe('The request would have succeeded, but the DryRun option is set.');
    await rejection(
      c.send(
        new VerifyMacCommand({
          KeyId: md.KeyId,
          Message: msg,
          MacAlgorithm: 'HMAC_SHA_512',
          Mac: rand(64),
          DryRun: true,
        }),
      ),
      DryRunOperationException,
    );
    await rejection(
      c.send(new GenerateMacCommand({ KeyId: md.KeyId, Message: msg, MacAlgorithm: 'HMAC_SHA_256', DryRun: true })),
      InvalidKeyUsageException,
    );
    const gen = await c.send(
      new GenerateMacCommand({ KeyId: md.KeyId, Message: msg, MacAlgorithm: 'HMAC_SHA_512', DryRun: false }),
    );
    expect(gen.Mac!.length).toBe(64);
  });

  it('unknown keys and other accounts', async () => {
    const e = await rejection(
      c.send(new GenerateMacCommand({ KeyId: 'key_id', Message: msg, MacAlgorithm: 'HMAC_SHA_256' })),
      NotFoundException,
    );
    expect(e.message).toBe("Invalid keyId 'key_id'");
    const md = await newKey(c, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const denied = await rejection(
      other.send(new GenerateMacCommand({ KeyId: md.Arn, Message: msg, MacAlgorithm: 'HMAC_SHA_256' })),
      AccessDeniedException,
    );
    expect(denied.message).toMatch(/is not authorized to perform: kms:GenerateMac on resource: /);
  });
});

// ---- The endpoint and the CLI -----------------------------------------------------------------

describe('the endpoint with @aws-sdk/client-kms', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('GenerateMac and VerifyMac, and KMSInvalidMacException as the SDK parses it', async () => {
    const client = new sdk.KMSClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDMACTEST', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    const md = (await client.send(new sdk.CreateKeyCommand({ KeySpec: 'HMAC_224', KeyUsage: 'GENERATE_VERIFY_MAC' })))
      .KeyMetadata!;
    const message = rand(300);
    const gen = await client.send(
      new sdk.GenerateMacCommand({ KeyId: md.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_224' }),
    );
    expect(gen.Mac!.length).toBe(28);
    expect(gen.KeyId).toBe(md.Arn);
    const ver = await client.send(
      new sdk.VerifyMacCommand({ KeyId: md.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_224', Mac: gen.Mac }),
    );
    expect(ver.MacValid).toBe(true);
    const bad = gen.Mac!.slice();
    bad[3] ^= 4;
    const err = await caught(
      client.send(
        new sdk.VerifyMacCommand({ KeyId: md.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_224', Mac: bad }),
      ),
    );
    expect(err).toBeInstanceOf(sdk.KMSInvalidMacException);
    client.destroy();
  });
});

describe('wasm-kms generate-mac / verify-mac', () => {
  const BIN = join(fileURLToPath(new URL('../..', import.meta.url)), 'dist/node/cli/main.js');
  let work: string;
  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, '--store', join(work, 'store'), ...args], {
      env: childEnv(join(work, 'home')),
      encoding: 'utf8',
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const ok = (args: string[]) => {
    const r = cli(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
  };
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'wasm-kms-mac-cli-'));
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('a fileb:// message MACed, verified, and a changed MAC fails as the AWS CLI fails', () => {
    const keyId = ok(['create-key', '--key-spec', 'HMAC_256', '--key-usage', 'GENERATE_VERIFY_MAC']).KeyMetadata.KeyId;
    const file = join(work, 'message.bin');
    writeFileSync(file, rand(1000));
    const gen = ok([
      'generate-mac',
      '--key-id',
      keyId,
      '--message',
      `fileb://${file}`,
      '--mac-algorithm',
      'HMAC_SHA_256',
    ]);
    expect(Object.keys(gen)).toEqual(['Mac', 'MacAlgorithm', 'KeyId']);
    expect(Buffer.from(gen.Mac, 'base64').length).toBe(32);
    const macFile = join(work, 'mac.bin');
    writeFileSync(macFile, Buffer.from(gen.Mac, 'base64'));
    const ver = ok([
      'verify-mac',
      '--key-id',
      keyId,
      '--message',
      `fileb://${file}`,
      '--mac-algorithm',
      'HMAC_SHA_256',
      '--mac',
      `fileb://${macFile}`,
    ]);
    expect(ver).toEqual({ KeyId: gen.KeyId, MacValid: true, MacAlgorithm: 'HMAC_SHA_256' });
    const bad = Buffer.from(gen.Mac, 'base64');
    bad[0] ^= 1;
    const r = cli([
      'verify-mac',
      '--key-id',
      keyId,
      '--message',
      `fileb://${file}`,
      '--mac-algorithm',
      'HMAC_SHA_256',
      '--mac',
      bad.toString('base64'),
    ]);
    expect(r.code).toBe(254);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('\nAn error occurred (KMSInvalidMacException) when calling the VerifyMac operation: \n');
  });
});
