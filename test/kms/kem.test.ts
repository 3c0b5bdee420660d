// Encapsulate and Decapsulate with ML_KEM_512/768/1024 KMS keys:
//  - through KMSClient: Encapsulate's shared secret equals Decapsulate's of its ciphertext and
//    @noble/post-quantum's decapsulation with the key's private key (its seed); noble
//    encapsulates to the public key GetPublicKey returns and Decapsulate recovers its secret; a
//    changed ciphertext gives FIPS 203's implicit-rejection secret J(z ‖ c), not an error;
//  - every refusal in KMS's order (validation, key, state, usage, algorithm, ciphertext length,
//    DryRun) with its message;
//  - the HTTP endpoint with the real @aws-sdk/client-kms, and the CLI's encapsulate / decapsulate.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sdk from '@aws-sdk/client-kms';
import { ml_kem512, ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import {
  DisableKeyCommand,
  DisabledException,
  DryRunOperationException,
  InvalidCiphertextException,
  InvalidKeyUsageException,
  KMSInvalidStateException,
  NotFoundException,
  ScheduleKeyDeletionCommand,
  ValidationException,
  type KMSClient,
  type MemoryKeyStore,
} from '../../src/kms/index.js';
import {
  CreateGrantCommand,
  DecapsulateCommand,
  EncapsulateCommand,
  GetPublicKeyCommand,
} from '../../src/kms/registry.js';
import { parseMlKemPkcs8, parseMlKemSpki } from '../../src/der/mlkem.js';
import { startServer, type RunningServer } from '../../src/node/http/server.js';
import { caught } from '../helpers/caught.js';
import { childEnv } from '../helpers/env.js';
import { clients, newKey, rejection } from '../helpers/kms.js';

const ACCOUNT = '111122223333';
const SPECS = { ML_KEM_512: ml_kem512, ML_KEM_768: ml_kem768, ML_KEM_1024: ml_kem1024 } as const;
const CT_BYTES: Record<string, number> = { ML_KEM_512: 768, ML_KEM_768: 1088, ML_KEM_1024: 1568 };
const members = (o: object) => Object.keys(o).filter((k) => k !== '$metadata');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const J = (z: Uint8Array, c: Uint8Array) =>
  createHash('shake256', { outputLength: 32 }).update(z).update(c).digest('hex');

async function kemKey(c: KMSClient, store: MemoryKeyStore, spec: string) {
  const md = await newKey(c, { KeySpec: spec, KeyUsage: 'ENCAPSULATE_DECAPSULATE' });
  const record = await store.getKey(ACCOUNT, 'us-east-1', md.KeyId);
  const { seed } = parseMlKemPkcs8(record!.keyPair!.privateKey);
  const spki = (await c.send(new GetPublicKeyCommand({ KeyId: md.KeyId }))).PublicKey!;
  return { keyId: md.KeyId, arn: md.Arn!, seed, spki };
}

describe.each(Object.keys(SPECS) as (keyof typeof SPECS)[])('%s', (spec) => {
  const { us: c, store } = clients();
  const noble = SPECS[spec];
  let k: Awaited<ReturnType<typeof kemKey>>;
  beforeAll(async () => {
    k = await kemKey(c, store as MemoryKeyStore, spec);
  });

  it("Encapsulate's secret is Decapsulate's of its ciphertext and noble's with the private key", async () => {
    const { secretKey } = noble.keygen(k.seed);
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const enc = await c.send(new EncapsulateCommand({ KeyId: k.keyId, EncapsulationAlgorithm: 'ML_KEM' }));
      expect(members(enc)).toEqual(['KeyId', 'SharedSecret', 'SharedSecretCiphertextBlob', 'EncapsulationAlgorithm']);
      expect(enc.KeyId).toBe(k.arn);
      expect(enc.EncapsulationAlgorithm).toBe('ML_KEM');
      expect(enc.SharedSecret!.length).toBe(32);
      expect(enc.SharedSecretCiphertextBlob!.length).toBe(CT_BYTES[spec]);
      const dec = await c.send(
        new DecapsulateCommand({
          KeyId: k.keyId,
          EncapsulationAlgorithm: 'ML_KEM',
          SharedSecretCiphertextBlob: enc.SharedSecretCiphertextBlob,
        }),
      );
      expect(members(dec)).toEqual(['KeyId', 'SharedSecret', 'EncapsulationAlgorithm']);
      expect(dec).toMatchObject({ KeyId: k.arn, EncapsulationAlgorithm: 'ML_KEM' });
      expect(hex(dec.SharedSecret!)).toBe(hex(enc.SharedSecret!));
      expect(hex(noble.decapsulate(enc.SharedSecretCiphertextBlob!, secretKey))).toBe(hex(enc.SharedSecret!));
      seen.add(hex(enc.SharedSecret!));
    }
    expect(seen.size).toBe(8);
  });

  it('noble encapsulates to the GetPublicKey key; Decapsulate (by alias ARN too) recovers its secret', async () => {
    const ek = parseMlKemSpki(k.spki).ek;
    for (let i = 0; i < 4; i++) {
      const theirs = noble.encapsulate(ek);
      const dec = await c.send(
        new DecapsulateCommand({
          KeyId: i % 2 === 0 ? k.keyId : k.arn,
          EncapsulationAlgorithm: 'ML_KEM',
          SharedSecretCiphertextBlob: theirs.cipherText,
        }),
      );
      expect(hex(dec.SharedSecret!)).toBe(hex(theirs.sharedSecret));
    }
  });

  it('a changed ciphertext decapsulates to J(z ‖ c) (implicit rejection), as noble does', async () => {
    const { secretKey } = noble.keygen(k.seed);
    const enc = await c.send(new EncapsulateCommand({ KeyId: k.keyId, EncapsulationAlgorithm: 'ML_KEM' }));
    for (const pos of [0, 500, CT_BYTES[spec] - 1]) {
      const bad = enc.SharedSecretCiphertextBlob!.slice();
      bad[pos] ^= 0x40;
      const dec = await c.send(
        new DecapsulateCommand({ KeyId: k.keyId, EncapsulationAlgorithm: 'ML_KEM', SharedSecretCiphertextBlob: bad }),
      );
      expect(hex(dec.SharedSecret!)).toBe(J(k.seed.subarray(32), bad));
      expect(hex(dec.SharedSecret!)).toBe(hex(noble.decapsulate(bad, secretKey)));
      expect(hex(dec.SharedSecret!)).not.toBe(hex(enc.SharedSecret!));
    }
  });
});

describe('Encapsulate / Decapsulate refusals', () => {
  const { us: c, store } = clients();
  const enc = (input: Record<string, unknown>) => c.send(new EncapsulateCommand(input as never));
  const dec = (input: Record<string, unknown>) => c.send(new DecapsulateCommand(input as never));
  const v1 = '1 validation error detected: ';

  it('validation: the algorithm enum, required members, ciphertext 1..6144 bytes, grant tokens', async () => {
    const k = (await newKey(c, { KeySpec: 'ML_KEM_768', KeyUsage: 'ENCAPSULATE_DECAPSULATE' })).KeyId;
    const msg = async (p: Promise<unknown>) => (await rejection(p, ValidationException)).message;
    expect(await msg(enc({ KeyId: k, EncapsulationAlgorithm: 'ML_KEM_768' }))).toBe(
      `${v1}Value 'ML_KEM_768' at 'encapsulationAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [ML_KEM]`,
    );
    expect(await msg(enc({ KeyId: k }))).toBe(
      `${v1}Value null at 'encapsulationAlgorithm' failed to satisfy constraint: Member must not be null`,
    );
    expect(await msg(enc({ EncapsulationAlgorithm: 'ML_KEM' }))).toBe(
      `${v1}Value null at 'keyId' failed to satisfy constraint: Member must not be null`,
    );
    expect(await msg(dec({ KeyId: k, EncapsulationAlgorithm: 'ML_KEM' }))).toBe(
      `${v1}Value null at 'sharedSecretCiphertextBlob' failed to satisfy constraint: Member must not be null`,
    );
    expect(
      await msg(dec({ KeyId: k, EncapsulationAlgorithm: 'ML_KEM', SharedSecretCiphertextBlob: new Uint8Array(0) })),
    ).toBe(
      `${v1}Value at 'sharedSecretCiphertextBlob' failed to satisfy constraint: Member must have length greater than or equal to 1`,
    );
    expect(
      await msg(dec({ KeyId: k, EncapsulationAlgorithm: 'ML_KEM', SharedSecretCiphertextBlob: new Uint8Array(6145) })),
    ).toBe(
      `${v1}Value at 'sharedSecretCiphertextBlob' failed to satisfy constraint: Member must have length less than or equal to 6144`,
    );
    expect(await msg(enc({ KeyId: k, EncapsulationAlgorithm: 'ML_KEM', GrantTokens: Array(11).fill('g') }))).toMatch(
      /at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10$/,
    );
    // A well-formed grant token passes (a malformed one is InvalidGrantTokenException).
    const { GrantToken } = await c.send(
      new CreateGrantCommand({
        KeyId: k,
        GranteePrincipal: `arn:aws:iam::${ACCOUNT}:role/r`,
        Operations: ['Encapsulate'],
      }),
    );
    const ok = await enc({ KeyId: k, EncapsulationAlgorithm: 'ML_KEM', GrantTokens: [GrantToken!] });
    expect(ok.SharedSecret).toBeDefined();
  });

  it('key usage: keys that are not ML-KEM keys', async () => {
    for (const [input, usage] of [
      [{}, 'ENCRYPT_DECRYPT'],
      [{ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }, 'GENERATE_VERIFY_MAC'],
      [{ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' }, 'KEY_AGREEMENT'],
    ] as const) {
      const md = await newKey(c, input);
      const e = await rejection(enc({ KeyId: md.KeyId, EncapsulationAlgorithm: 'ML_KEM' }), InvalidKeyUsageException);
      expect(e.message).toBe(`${md.Arn} key usage is ${usage} which is not valid for Encapsulate.`);
      const d = await rejection(
        dec({ KeyId: md.KeyId, EncapsulationAlgorithm: 'ML_KEM', SharedSecretCiphertextBlob: new Uint8Array(768) }),
        InvalidKeyUsageException,
      );
      expect(d.message).toBe(`${md.Arn} key usage is ${usage} which is not valid for Decapsulate.`);
    }
  });

  it('a ciphertext of another length than the key spec’s is InvalidCiphertextException', async () => {
    const md = await newKey(c, { KeySpec: 'ML_KEM_512', KeyUsage: 'ENCAPSULATE_DECAPSULATE' });
    for (const n of [767, 769, 1088]) {
      const e = await rejection(
        dec({ KeyId: md.KeyId, EncapsulationAlgorithm: 'ML_KEM', SharedSecretCiphertextBlob: new Uint8Array(n) }),
        InvalidCiphertextException,
      );
      expect(e.message).toBe(`The ciphertext is ${n} bytes; an encapsulation under a ML_KEM_512 key is 768 bytes.`);
    }
  });

  it('key state, unknown keys and DryRun (after every check)', async () => {
    const md = await newKey(c, { KeySpec: 'ML_KEM_1024', KeyUsage: 'ENCAPSULATE_DECAPSULATE' });
    const dry = await rejection(
      enc({ KeyId: md.KeyId, EncapsulationAlgorithm: 'ML_KEM', DryRun: true }),
      DryRunOperationException,
    );
    expect(dry.message).toBe('The request would have succeeded, but the DryRun option is set.');
    await rejection(
      dec({
        KeyId: md.KeyId,
        EncapsulationAlgorithm: 'ML_KEM',
        SharedSecretCiphertextBlob: new Uint8Array(1568),
        DryRun: true,
      }),
      DryRunOperationException,
    );
    // The length check comes before DryRun.
    await rejection(
      dec({
        KeyId: md.KeyId,
        EncapsulationAlgorithm: 'ML_KEM',
        SharedSecretCiphertextBlob: new Uint8Array(10),
        DryRun: true,
      }),
      InvalidCiphertextException,
    );
    await c.send(new DisableKeyCommand({ KeyId: md.KeyId }));
    const d = await rejection(enc({ KeyId: md.KeyId, EncapsulationAlgorithm: 'ML_KEM' }), DisabledException);
    expect(d.message).toBe(`${md.Arn} is disabled.`);
    await c.send(new ScheduleKeyDeletionCommand({ KeyId: md.KeyId, PendingWindowInDays: 7 }));
    const p = await rejection(
      dec({ KeyId: md.KeyId, EncapsulationAlgorithm: 'ML_KEM', SharedSecretCiphertextBlob: new Uint8Array(1568) }),
      KMSInvalidStateException,
    );
    expect(p.message).toBe(`${md.Arn} is pending deletion.`);
    const nf = await rejection(enc({ KeyId: 'key_id', EncapsulationAlgorithm: 'ML_KEM' }), NotFoundException);
    expect(nf.message).toBe("Invalid keyId 'key_id'");
    expect(store).toBeDefined();
  });
});

describe('the endpoint with @aws-sdk/client-kms', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('Encapsulate and Decapsulate agree, and with noble', async () => {
    const client = new sdk.KMSClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDKEMTEST', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    const md = (
      await client.send(new sdk.CreateKeyCommand({ KeySpec: 'ML_KEM_768', KeyUsage: 'ENCAPSULATE_DECAPSULATE' }))
    ).KeyMetadata!;
    const enc = await client.send(new sdk.EncapsulateCommand({ KeyId: md.KeyId, EncapsulationAlgorithm: 'ML_KEM' }));
    expect(enc.SharedSecretCiphertextBlob!.length).toBe(1088);
    const dec = await client.send(
      new sdk.DecapsulateCommand({
        KeyId: md.KeyId,
        EncapsulationAlgorithm: 'ML_KEM',
        SharedSecretCiphertextBlob: enc.SharedSecretCiphertextBlob,
      }),
    );
    expect(hex(dec.SharedSecret!)).toBe(hex(enc.SharedSecret!));
    const spki = (await client.send(new sdk.GetPublicKeyCommand({ KeyId: md.KeyId }))).PublicKey!;
    const theirs = ml_kem768.encapsulate(parseMlKemSpki(spki).ek);
    const dec2 = await client.send(
      new sdk.DecapsulateCommand({
        KeyId: md.KeyId,
        EncapsulationAlgorithm: 'ML_KEM',
        SharedSecretCiphertextBlob: theirs.cipherText,
      }),
    );
    expect(hex(dec2.SharedSecret!)).toBe(hex(theirs.sharedSecret));
    const err = await caught(
      client.send(
        new sdk.DecapsulateCommand({
          KeyId: md.KeyId,
          EncapsulationAlgorithm: 'ML_KEM',
          SharedSecretCiphertextBlob: new Uint8Array(100),
        }),
      ),
    );
    expect(err).toBeInstanceOf(sdk.InvalidCiphertextException);
    client.destroy();
  });
});

describe('wasm-kms encapsulate / decapsulate', () => {
  const BIN = join(fileURLToPath(new URL('../..', import.meta.url)), 'dist/node/cli/main.js');
  let work: string;
  const ok = (args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, '--store', join(work, 'store'), ...args], {
      env: childEnv(join(work, 'home')),
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return JSON.parse(r.stdout);
  };
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'wasm-kms-kem-cli-'));
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('encapsulate, then decapsulate the fileb:// ciphertext to the same secret', () => {
    const keyId = ok(['create-key', '--key-spec', 'ML_KEM_512', '--key-usage', 'ENCAPSULATE_DECAPSULATE']).KeyMetadata
      .KeyId;
    const enc = ok(['encapsulate', '--key-id', keyId, '--encapsulation-algorithm', 'ML_KEM']);
    expect(Object.keys(enc)).toEqual(['KeyId', 'SharedSecret', 'SharedSecretCiphertextBlob', 'EncapsulationAlgorithm']);
    const ct = Buffer.from(enc.SharedSecretCiphertextBlob, 'base64');
    expect(ct.length).toBe(768);
    const file = join(work, 'ct.bin');
    writeFileSync(file, ct);
    const dec = ok([
      'decapsulate',
      '--key-id',
      keyId,
      '--encapsulation-algorithm',
      'ML_KEM',
      '--shared-secret-ciphertext-blob',
      `fileb://${file}`,
    ]);
    expect(dec).toEqual({ KeyId: enc.KeyId, SharedSecret: enc.SharedSecret, EncapsulationAlgorithm: 'ML_KEM' });
    expect(Buffer.from(dec.SharedSecret, 'base64').length).toBe(32);
  });
});
