// Grants at scale and grant secrets: one grant token secret per key (KeyRecord.grantTokenKey)
// instead of one per grant, so that a key's grants cost only their JSON on a load; grants made
// with a secret of their own (version-1 tokens) keep working; grant and import tokens are left
// out of logs; ListRetirableGrants is authorized as kms:ListRetirableGrants.

import { afterAll, describe, it, expect } from 'vitest';
import { constants, createHmac, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loggerMiddleware, loggerMiddlewareOptions } from '@aws-sdk/middleware-logger';
import {
  AccessDeniedException,
  CreateGrantCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  InvalidGrantTokenException,
  KMSClient,
  ListGrantsCommand,
  ListRetirableGrantsCommand,
  MemoryKeyStore,
  RetireGrantCommand,
  RevokeGrantCommand,
  ValidationException,
} from '../../src/kms/index.js';
import type { KeyRecord } from '../../src/kms/store.js';
import { FileKeyStore } from '../../src/node/file-store/index.js';
import { clients, newKey, OTHER_ACCOUNT, rejection } from '../helpers/kms.js';
import { removeTempDirs, tempDir } from '../helpers/file-store.js';

afterAll(removeTempDirs);

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/reader`;
const RETIRER = `arn:aws:iam::${ACCOUNT}:role/retirer`;

const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url');

/**
 * A grant token made here from its documented form (src/kms/grants.ts): version | ARN length |
 * key ARN | grant id | nonce | HMAC-SHA-256(secret, "wasm-kms grant token v<version>\0" | all before).
 */
function handMadeToken(version: number, keyArn: string, grantId: string, secret: Uint8Array): string {
  const arn = Buffer.from(keyArn, 'utf8');
  const signed = Buffer.concat([Buffer.from([version, arn.length]), arn, Buffer.from(grantId, 'hex'), randomBytes(16)]);
  const mac = createHmac('sha256', secret)
    .update(Buffer.from(`wasm-kms grant token v${version}\0`))
    .update(signed)
    .digest();
  return b64url(Buffer.concat([signed, mac]));
}

describe('one grant token secret per key', () => {
  it("tokens are MACed under the key's grantTokenKey over the key ARN, grant id and nonce", async () => {
    const { us, store } = clients();
    const k = await newKey(us);
    const g = await us.send(
      new CreateGrantCommand({ KeyId: k.KeyId, GranteePrincipal: ROLE, Operations: ['Encrypt'] }),
    );
    const record = (await store.getKey(ACCOUNT, REGION, k.KeyId!))!;
    expect(record.grantTokenKey).toHaveLength(32);
    expect(record.grants![0]!.tokenKey).toBeUndefined();
    // A token made independently with the key's secret retires the grant ...
    const secret = record.grantTokenKey!.slice();
    await us.send(new RetireGrantCommand({ GrantToken: handMadeToken(2, k.Arn!, g.GrantId!, secret) }));
    expect((await us.send(new ListGrantsCommand({ KeyId: k.KeyId }))).Grants).toEqual([]);
    // ... and the key keeps its secret: a later grant's token is MACed under the same one.
    const h = await us.send(
      new CreateGrantCommand({ KeyId: k.KeyId, GranteePrincipal: ROLE, Operations: ['Encrypt'] }),
    );
    expect((await store.getKey(ACCOUNT, REGION, k.KeyId!))!.grantTokenKey).toEqual(secret);
    // A token under another secret, or in version 1 form (the grant has no secret of its own), is refused.
    for (const token of [
      handMadeToken(2, k.Arn!, h.GrantId!, new Uint8Array(randomBytes(32))),
      handMadeToken(1, k.Arn!, h.GrantId!, secret),
    ]) {
      await rejection(us.send(new RetireGrantCommand({ GrantToken: token })), InvalidGrantTokenException);
    }
    await us.send(new RetireGrantCommand({ GrantToken: h.GrantToken }));
  });

  it("a token of one key's grant does not verify with another key's ARN", async () => {
    const { us, store } = clients();
    const a = await newKey(us);
    const b = await newKey(us);
    await us.send(new CreateGrantCommand({ KeyId: a.KeyId, GranteePrincipal: ROLE, Operations: ['Encrypt'] }));
    const gb = await us.send(
      new CreateGrantCommand({ KeyId: b.KeyId, GranteePrincipal: ROLE, Operations: ['Encrypt'] }),
    );
    const secretA = (await store.getKey(ACCOUNT, REGION, a.KeyId!))!.grantTokenKey!;
    await rejection(
      us.send(new RetireGrantCommand({ GrantToken: handMadeToken(2, b.Arn!, gb.GrantId!, secretA) })),
      InvalidGrantTokenException,
    );
  });

  it('grants made with a secret of their own keep their version-1 tokens working beside new grants', async () => {
    const { us, store } = clients();
    const k = await newKey(us);
    // A grant as the engine stored them before keys held grantTokenKey.
    const legacySecret = new Uint8Array(randomBytes(32));
    const legacyId = randomBytes(32).toString('hex');
    const record = (await store.getKey(ACCOUNT, REGION, k.KeyId!))!;
    record.grants = [
      {
        grantId: legacyId,
        granteePrincipal: ROLE,
        retiringPrincipal: RETIRER,
        issuingAccount: `arn:aws:iam::${ACCOUNT}:root`,
        operations: ['Encrypt', 'Decrypt'],
        creationDate: new Date(1_700_000_000_000),
        tokenKey: legacySecret.slice(),
      },
    ];
    await store.putKey(record);
    const legacyToken = handMadeToken(1, k.Arn!, legacyId, legacySecret);

    const fresh = await us.send(
      new CreateGrantCommand({ KeyId: k.KeyId, GranteePrincipal: ROLE, Operations: ['GenerateDataKey'] }),
    );
    const after = (await store.getKey(ACCOUNT, REGION, k.KeyId!))!;
    expect(after.grantTokenKey).toHaveLength(32);
    expect(after.grants!.find((g) => g.grantId === legacyId)!.tokenKey).toEqual(legacySecret);
    expect(after.grants!.find((g) => g.grantId === fresh.GrantId)!.tokenKey).toBeUndefined();
    // A version-1 token under another secret is refused; the grant's own still works.
    await rejection(
      us.send(new RetireGrantCommand({ GrantToken: handMadeToken(1, k.Arn!, legacyId, randomBytes(32)) })),
      InvalidGrantTokenException,
    );
    await us.send(new RetireGrantCommand({ GrantToken: legacyToken }));
    const left = (await us.send(new ListGrantsCommand({ KeyId: k.KeyId }))).Grants!.map((g) => g.GrantId);
    expect(left).toEqual([fresh.GrantId]);
  });

  it('RetireGrant and RevokeGrant zero the own secret of the grant they delete (grants made before the per-key secret)', async () => {
    /** A memory store that remembers every grant secret it hands out in a loaded record. */
    class Capturing extends MemoryKeyStore {
      readonly secrets: Uint8Array[] = [];
      override async getKey(account: string, region: string, keyId: string): Promise<KeyRecord | undefined> {
        const r = await super.getKey(account, region, keyId);
        for (const g of r?.grants ?? []) if (g.tokenKey !== undefined) this.secrets.push(g.tokenKey);
        return r;
      }
    }
    const store = new Capturing();
    const client = new KMSClient({ store });
    const k = (await client.send(new DescribeKeyCommand({ KeyId: (await newKey(client)).KeyId }))).KeyMetadata!;
    const legacy = (id: string) => ({
      grantId: id,
      granteePrincipal: ROLE,
      issuingAccount: `arn:aws:iam::${ACCOUNT}:root`,
      operations: ['Encrypt'],
      creationDate: new Date(1_700_000_000_000),
      tokenKey: new Uint8Array(randomBytes(32)),
    });
    const [a, b] = [randomBytes(32).toString('hex'), randomBytes(32).toString('hex')];
    const record = (await store.getKey(ACCOUNT, REGION, k.KeyId!))!;
    record.grants = [legacy(a), legacy(b)];
    await store.putKey(record);
    store.secrets.length = 0;
    await client.send(new RetireGrantCommand({ KeyId: k.KeyId, GrantId: a }));
    await client.send(new RevokeGrantCommand({ KeyId: k.KeyId, GrantId: b }));
    expect(store.secrets.length).toBeGreaterThanOrEqual(3);
    for (const secret of store.secrets) expect(secret.every((x) => x === 0)).toBe(true);
  });

  it('a sealed file store keeps one sealed secret for a key with 120 grants, and Encrypt/Decrypt work after reopening', async () => {
    const dir = await tempDir();
    const masterKey = new Uint8Array(randomBytes(32));
    const store = await FileKeyStore.open(dir, { masterKey });
    const c = new KMSClient({ store });
    const k = await newKey(c);
    const tokens: string[] = [];
    for (let i = 0; i < 120; i++) {
      const g = await c.send(
        new CreateGrantCommand({
          KeyId: k.KeyId,
          GranteePrincipal: ROLE,
          RetiringPrincipal: RETIRER,
          Operations: ['Encrypt'],
        }),
      );
      tokens.push(g.GrantToken!);
    }
    await store.close();
    const text = await readFile(join(dir, ACCOUNT, REGION, 'keys', `${k.KeyId}.json`), 'utf8');
    // The grant token secret is the record's only extension bytes: none per grant.
    expect(text.split('"$bytes"').length - 1).toBe(1);
    expect(text.split('"grantId"').length - 1).toBe(120);

    const again = await FileKeyStore.open(dir, { masterKey });
    const c2 = new KMSClient({ store: again });
    const plain = new Uint8Array([1, 2, 3]);
    const enc = await c2.send(
      new EncryptCommand({ KeyId: k.KeyId, Plaintext: plain, GrantTokens: tokens.slice(0, 10) }),
    );
    const dec = await c2.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
    expect(dec.Plaintext).toEqual(plain);
    await c2.send(new RetireGrantCommand({ GrantToken: tokens[119] }));
    const retirable = await c2.send(new ListRetirableGrantsCommand({ RetiringPrincipal: RETIRER, Limit: 100 }));
    expect(retirable.Grants).toHaveLength(100);
    expect(retirable.Truncated).toBe(true);
    await again.close();
  });
});

describe('tokens are left out of logs', () => {
  function logged() {
    const entries: unknown[] = [];
    const logger = {
      info: (x: unknown) => entries.push(x),
      error: (x: unknown) => entries.push(x),
      debug() {},
      warn() {},
    };
    const kms = new KMSClient({ logger });
    kms.middlewareStack.add(loggerMiddleware() as never, loggerMiddlewareOptions as never);
    return { kms, entries };
  }
  const text = (x: unknown) =>
    JSON.stringify(x, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v));

  it('CreateGrant, Encrypt with GrantTokens and RetireGrant log no grant token', async () => {
    const { kms, entries } = logged();
    const k = await newKey(kms);
    const g = await kms.send(
      new CreateGrantCommand({ KeyId: k.KeyId, GranteePrincipal: ROLE, Operations: ['Encrypt'] }),
    );
    await kms.send(
      new EncryptCommand({ KeyId: k.KeyId, Plaintext: new Uint8Array([7]), GrantTokens: [g.GrantToken!] }),
    );
    await kms.send(new RetireGrantCommand({ GrantToken: g.GrantToken }));
    const [create, encrypt, retire] = entries.slice(1) as {
      input: Record<string, unknown>;
      output: Record<string, unknown>;
    }[];
    expect(create!.output.GrantToken).toBe('***SensitiveInformation***');
    expect(create!.output.GrantId).toBe(g.GrantId);
    expect(encrypt!.input.GrantTokens).toBe('***SensitiveInformation***');
    expect(retire!.input.GrantToken).toBe('***SensitiveInformation***');
    expect(entries).toHaveLength(4);
    for (const e of entries) expect(text(e)).not.toContain(g.GrantToken);
  });

  it('GetParametersForImport and ImportKeyMaterial log no import token', async () => {
    const { kms, entries } = logged();
    const k = await newKey(kms, { Origin: 'EXTERNAL' });
    const p = await kms.send(
      new GetParametersForImportCommand({
        KeyId: k.KeyId,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        WrappingKeySpec: 'RSA_2048',
      }),
    );
    const key = createPublicKey({ key: Buffer.from(p.PublicKey!), format: 'der', type: 'spki' });
    const wrapped = publicEncrypt(
      { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      randomBytes(32),
    );
    await kms.send(
      new ImportKeyMaterialCommand({
        KeyId: k.KeyId,
        ImportToken: p.ImportToken,
        EncryptedKeyMaterial: wrapped,
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
    );
    const [params, imported] = entries.slice(1) as {
      input: Record<string, unknown>;
      output: Record<string, unknown>;
    }[];
    expect(params!.output.ImportToken).toBe('***SensitiveInformation***');
    expect(imported!.input.ImportToken).toBe('***SensitiveInformation***');
    const token = Buffer.from(p.ImportToken!).toString('base64');
    for (const e of entries) expect(text(e)).not.toContain(token);
  });
});

describe('tokens are left out of validation messages', () => {
  it('too many grant tokens, or one too long, are refused without showing them', async () => {
    const { us } = clients();
    const k = await newKey(us);
    const g = await us.send(
      new CreateGrantCommand({ KeyId: k.KeyId, GranteePrincipal: ROLE, Operations: ['Encrypt'] }),
    );
    const token = g.GrantToken!;
    const tooMany = await rejection(
      us.send(
        new EncryptCommand({ KeyId: k.KeyId, Plaintext: new Uint8Array([1]), GrantTokens: Array(11).fill(token) }),
      ),
      ValidationException,
    );
    expect(tooMany.message).toBe(
      "1 validation error detected: Value at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10",
    );
    const long = token + 'A'.repeat(8192 - token.length + 1);
    const tooLong = await rejection(us.send(new RetireGrantCommand({ GrantToken: long })), ValidationException);
    expect(tooLong.message).toBe(
      "1 validation error detected: Value at 'grantToken' failed to satisfy constraint: Member must have length less than or equal to 8192",
    );
    const inList = await rejection(
      us.send(new DescribeKeyCommand({ KeyId: k.KeyId, GrantTokens: [long] })),
      ValidationException,
    );
    expect(inList.message).not.toContain(token);
    // The grant is still there: nothing was retired.
    expect((await us.send(new ListGrantsCommand({ KeyId: k.KeyId }))).Grants).toHaveLength(1);
  });
});

describe('ListRetirableGrants is authorized', () => {
  /** A store that lists another account's keys with the caller's, as one searching across accounts would. */
  class AcrossAccounts extends MemoryKeyStore {
    async listKeys(account: string, region: string): Promise<KeyRecord[]> {
      return [...(await super.listKeys(account, region)), ...(await super.listKeys(OTHER_ACCOUNT, region))];
    }
  }

  it("kms:ListRetirableGrants comes from identity policies; another account's keys are never listed", async () => {
    const store = new AcrossAccounts();
    const { us, other } = clients(store);
    const mine = await newKey(us);
    const theirs = await newKey(other);
    for (const [client, key] of [
      [us, mine],
      [other, theirs],
    ] as const) {
      await client.send(
        new CreateGrantCommand({
          KeyId: key.KeyId,
          GranteePrincipal: ROLE,
          RetiringPrincipal: RETIRER,
          Operations: ['Encrypt'],
        }),
      );
    }
    // The store hands out the other account's key too: its grant is still not listed here.
    const listed = (await us.send(new ListRetirableGrantsCommand({ RetiringPrincipal: RETIRER }))).Grants!;
    expect(listed.map((g) => g.KeyId)).toEqual([mine.Arn]);
    const user = `arn:aws:iam::${ACCOUNT}:user/auditor`;
    const bare = new KMSClient({ store, accountId: ACCOUNT, principal: user });
    const err = await rejection(
      bare.send(new ListRetirableGrantsCommand({ RetiringPrincipal: RETIRER })),
      AccessDeniedException,
    );
    expect(err.message).toBe(
      `User: ${user} is not authorized to perform: kms:ListRetirableGrants on resource: * because no identity-based policy allows the kms:ListRetirableGrants action`,
    );
    const allowed = new KMSClient({
      store,
      accountId: ACCOUNT,
      principal: user,
      identityPolicies: [
        { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:ListRetirableGrants', Resource: '*' }] },
      ],
    });
    expect((await allowed.send(new ListRetirableGrantsCommand({ RetiringPrincipal: RETIRER }))).Grants).toHaveLength(1);
  });
});
