// The PostgreSQL key store under the KMS engine: two endpoints (store objects, each with its own
// pool and cache) on one database, a sealed store. What one creates and changes, the other uses:
// symmetric, asymmetric and HMAC keys, aliases, tags, grants, policies, rotation, key state,
// multi-Region replicas, custom key stores; and a third store object opened afterwards reads it all.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { PostgresKeyStore } from '../../src/node/pg-store/index.js';
import {
  CreateAliasCommand,
  CreateCustomKeyStoreCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DeleteCustomKeyStoreCommand,
  DescribeCustomKeyStoresCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  KMSInvalidStateException,
  ListAliasesCommand,
  ListGrantsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  NotFoundException,
  PutKeyPolicyCommand,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
  SignCommand,
  TagResourceCommand,
  UpdateAliasCommand,
  VerifyCommand,
  VerifyMacCommand,
} from '../../src/kms/index.js';
import { startPostgres, type RunningPostgres } from '../helpers/postgres.js';
import { caught } from '../helpers/caught.js';

let server: RunningPostgres;
const opened: PostgresKeyStore[] = [];

beforeAll(async () => {
  server = await startPostgres();
});

afterAll(async () => {
  for (const s of opened.splice(0)) await s.close();
  await server?.stop();
});

async function open(url: string, masterKey: Uint8Array) {
  const store = await PostgresKeyStore.open(url, { masterKey });
  opened.push(store);
  return store;
}

describe('PostgresKeyStore under the KMS engine, two endpoints on one database', () => {
  it('what one endpoint creates and changes, the other uses; a store opened later reads it all', async () => {
    const url = await server.createDatabase();
    const masterKey = new Uint8Array(randomBytes(32));
    const sa = await open(url, masterKey);
    const sb = await open(url, masterKey);
    const a = new KMSClient({ store: sa });
    const b = new KMSClient({ store: sb });
    /**
     * Runs a write through one endpoint and checks that the other receives its change
     * notification (docs/postgres-store.md, "The cache": strict reads would wait for it anyway).
     */
    async function write<T>(reader: PostgresKeyStore, fn: () => Promise<T>): Promise<T> {
      const before = reader.cacheStats().notifications;
      const out = await fn();
      for (let i = 0; i < 1000 && reader.cacheStats().notifications === before; i++)
        await new Promise((r) => setTimeout(r, 5));
      expect(reader.cacheStats().notifications).toBeGreaterThan(before);
      return out;
    }

    const sym = (await a.send(new CreateKeyCommand({ Description: 'symmetric' }))).KeyMetadata!.KeyId!;
    await a.send(new CreateAliasCommand({ AliasName: 'alias/pg/sym', TargetKeyId: sym }));
    const context = { tenant: 'a' };
    const { CiphertextBlob } = await b.send(
      new EncryptCommand({ KeyId: 'alias/pg/sym', Plaintext: new Uint8Array([9, 8, 7]), EncryptionContext: context }),
    );
    await write(sb, () => a.send(new RotateKeyOnDemandCommand({ KeyId: sym })));
    await write(sa, () => b.send(new EnableKeyRotationCommand({ KeyId: sym, RotationPeriodInDays: 200 })));
    expect((await a.send(new GetKeyRotationStatusCommand({ KeyId: sym }))).RotationPeriodInDays).toBe(200);
    // Ciphertext made under the material before rotation still decrypts, on either endpoint.
    const decrypted = await a.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context }));
    expect(decrypted.Plaintext).toEqual(new Uint8Array([9, 8, 7]));

    await write(sa, () =>
      b.send(new TagResourceCommand({ KeyId: sym, Tags: [{ TagKey: 'Team', TagValue: 'payments' }] })),
    );
    expect((await a.send(new ListResourceTagsCommand({ KeyId: sym }))).Tags).toEqual([
      { TagKey: 'Team', TagValue: 'payments' },
    ]);
    const grant = await write(sb, () =>
      a.send(
        new CreateGrantCommand({
          KeyId: sym,
          GranteePrincipal: 'arn:aws:iam::111122223333:role/reader',
          Operations: ['Decrypt'],
        }),
      ),
    );
    expect((await b.send(new ListGrantsCommand({ KeyId: sym }))).Grants!.map((g) => g.GrantId)).toEqual([
      grant.GrantId,
    ]);
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
      ],
    });
    await write(sa, () => b.send(new PutKeyPolicyCommand({ KeyId: sym, PolicyName: 'default', Policy: policy })));
    expect((await a.send(new GetKeyPolicyCommand({ KeyId: sym }))).Policy).toBe(policy);

    const signing = (await b.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })))
      .KeyMetadata!.KeyId!;
    const message = new Uint8Array([1, 2, 3]);
    const { Signature } = await a.send(
      new SignCommand({ KeyId: signing, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    const verified = await b.send(
      new VerifyCommand({ KeyId: signing, Message: message, Signature, SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    expect(verified.SignatureValid).toBe(true);

    const hmac = (await a.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })))
      .KeyMetadata!.KeyId!;
    const { Mac } = await b.send(
      new GenerateMacCommand({ KeyId: hmac, Message: message, MacAlgorithm: 'HMAC_SHA_256' }),
    );
    expect(
      (await a.send(new VerifyMacCommand({ KeyId: hmac, Message: message, Mac, MacAlgorithm: 'HMAC_SHA_256' })))
        .MacValid,
    ).toBe(true);

    const mrk = (await a.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!.KeyId!;
    await b.send(new ReplicateKeyCommand({ KeyId: mrk, ReplicaRegion: 'eu-west-1' }));
    const replicaClient = new KMSClient({ store: await open(url, masterKey), region: 'eu-west-1' });
    const replica = (await replicaClient.send(new DescribeKeyCommand({ KeyId: mrk }))).KeyMetadata!;
    expect(replica.MultiRegionConfiguration!.MultiRegionKeyType).toBe('REPLICA');

    const sym2 = (await b.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await write(sb, () => a.send(new UpdateAliasCommand({ AliasName: 'alias/pg/sym', TargetKeyId: sym2 })));
    expect((await b.send(new ListAliasesCommand({ KeyId: sym2 }))).Aliases!.map((x) => x.AliasName)).toContain(
      'alias/pg/sym',
    );
    await write(sa, () => b.send(new DisableKeyCommand({ KeyId: hmac })));
    const disabled = await caught(
      a.send(new GenerateMacCommand({ KeyId: hmac, Message: message, MacAlgorithm: 'HMAC_SHA_256' })),
    );
    expect(disabled).toBeInstanceOf(Error);
    expect((disabled as Error).name).toBe('DisabledException');

    const { CustomKeyStoreId } = await a.send(
      new CreateCustomKeyStoreCommand({
        CustomKeyStoreName: 'hsm',
        CloudHsmClusterId: 'cluster-234567abcde',
        TrustAnchorCertificate: 'cert',
        KeyStorePassword: 'kmsPassword',
      }),
    );
    expect(
      (await b.send(new DescribeCustomKeyStoresCommand({}))).CustomKeyStores!.map((c) => c.CustomKeyStoreName),
    ).toEqual(['hsm']);
    await write(sa, () => b.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId })));
    const gone = await caught(a.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId })));
    expect((gone as Error).name).toBe('CustomKeyStoreNotFoundException');

    await write(sb, () => a.send(new DeleteAliasCommand({ AliasName: 'alias/pg/sym' })));
    expect(await caught(b.send(new DescribeKeyCommand({ KeyId: 'alias/pg/sym' })))).toBeInstanceOf(NotFoundException);

    // A store opened afterwards, with its empty cache, reads the same.
    const c = new KMSClient({ store: await open(url, masterKey) });
    const keys = (await c.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId).sort();
    expect(keys).toEqual([sym, sym2, signing, hmac, mrk].sort());
    expect((await c.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context }))).Plaintext).toEqual(
      new Uint8Array([9, 8, 7]),
    );
    const disabledAgain = await caught(
      c.send(new GenerateMacCommand({ KeyId: hmac, Message: message, MacAlgorithm: 'HMAC_SHA_256' })),
    );
    expect(disabledAgain).not.toBeInstanceOf(KMSInvalidStateException);
    expect((disabledAgain as Error).name).toBe('DisabledException');
  });
});
