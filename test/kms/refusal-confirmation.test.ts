// A store whose reads lag writes made elsewhere (as PostgresKeyStore's eventually consistent
// cache does): the engine confirms a refusal against the store before giving it (pipeline.ts
// confirmingRefusals). Here the lag is made exact: the lagging store answers from copies taken at
// first read until catchUp() is called, so every case below is stale on its first attempt.
import { describe, expect, it } from 'vitest';
import {
  CreateAliasCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  KMSClient,
  MemoryKeyStore,
  PutKeyPolicyCommand,
  RotateKeyOnDemandCommand,
  SignCommand,
  UpdateAliasCommand,
  VerifyCommand,
  type AliasRecord,
  type KeyRecord,
  type KeyStore,
} from '../../src/kms/index.js';
import { rejectionOf as caught } from '../helpers/caught.js';

const ACCOUNT = '111122223333';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;

/** Writes through `backing` made by others are seen only after catchUp(). Own writes are seen at once. */
class LaggingStore implements KeyStore {
  readonly #backing: MemoryKeyStore;
  readonly #keys = new Map<string, KeyRecord | undefined>();
  readonly #aliases = new Map<string, AliasRecord | undefined>();
  #generation = 0;
  catchUps = 0;
  /** getKey and getAlias calls, cached or not. */
  reads = 0;
  /** When false, the hooks are hidden (a store without a lagging cache's contract, for the control case). */
  readonly hooks: boolean;

  constructor(backing: MemoryKeyStore, hooks = true) {
    this.#backing = backing;
    this.hooks = hooks;
    if (!hooks) {
      (this as { cacheGeneration?: unknown }).cacheGeneration = undefined;
      (this as { catchUp?: unknown }).catchUp = undefined;
    }
  }

  cacheGeneration(): number {
    return this.#generation;
  }

  async catchUp(): Promise<void> {
    this.catchUps++;
    let changed = false;
    for (const [k, v] of this.#keys) {
      const [a, r, id] = k.split('|') as [string, string, string];
      const now = await this.#backing.getKey(a, r, id);
      if (JSON.stringify(now, bytes) !== JSON.stringify(v, bytes)) changed = true;
    }
    for (const [k, v] of this.#aliases) {
      const [a, r, id] = k.split('|') as [string, string, string];
      const now = await this.#backing.getAlias(a, r, id);
      if (JSON.stringify(now) !== JSON.stringify(v)) changed = true;
    }
    if (changed) {
      this.#keys.clear();
      this.#aliases.clear();
      this.#generation++;
    }
  }

  async getKey(account: string, region: string, keyId: string): Promise<KeyRecord | undefined> {
    this.reads++;
    const k = `${account}|${region}|${keyId}`;
    if (!this.#keys.has(k)) this.#keys.set(k, await this.#backing.getKey(account, region, keyId));
    const r = this.#keys.get(k);
    return r === undefined ? undefined : structuredClone(r);
  }
  async putKey(record: KeyRecord): Promise<void> {
    await this.#backing.putKey(record);
    this.#keys.set(`${record.account}|${record.region}|${record.keyId}`, structuredClone(record));
  }
  listKeys(account: string, region: string): Promise<KeyRecord[]> {
    return this.#backing.listKeys(account, region);
  }
  async getAlias(account: string, region: string, aliasName: string): Promise<AliasRecord | undefined> {
    this.reads++;
    const k = `${account}|${region}|${aliasName}`;
    if (!this.#aliases.has(k)) this.#aliases.set(k, await this.#backing.getAlias(account, region, aliasName));
    const r = this.#aliases.get(k);
    return r === undefined ? undefined : { ...r };
  }
  async putAlias(record: AliasRecord): Promise<void> {
    await this.#backing.putAlias(record);
    this.#aliases.set(`${record.account}|${record.region}|${record.aliasName}`, { ...record });
  }
  async deleteAlias(account: string, region: string, aliasName: string): Promise<boolean> {
    this.#aliases.delete(`${account}|${region}|${aliasName}`);
    return this.#backing.deleteAlias(account, region, aliasName);
  }
  listAliases(account: string, region: string): Promise<AliasRecord[]> {
    return this.#backing.listAliases(account, region);
  }
}

function bytes(_k: string, v: unknown): unknown {
  return v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v;
}

/** `there` writes straight to the shared records; `here` reads them through a lagging store. */
function endpoints(hooks = true) {
  const backing = new MemoryKeyStore();
  const lagging = new LaggingStore(backing, hooks);
  return {
    lagging,
    there: new KMSClient({ store: backing }),
    here: new KMSClient({ store: lagging }),
    aliceThere: new KMSClient({ store: backing, principal: ALICE, identityPolicies: [allowAll()] }),
    aliceHere: new KMSClient({ store: lagging, principal: ALICE, identityPolicies: [allowAll()] }),
  };
}

function allowAll() {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };
}

async function newKeyId(client: KMSClient): Promise<string> {
  const { KeyMetadata } = await client.send(new CreateKeyCommand({}));
  return KeyMetadata!.KeyId!;
}

describe('a refusal decided on a stale cached record is confirmed against the store first', () => {
  it('the control: without the hooks, the lagging store does give the stale refusals', async () => {
    const { there, here } = endpoints(false);
    const keyId = await newKeyId(there);
    await there.send(new DisableKeyCommand({ KeyId: keyId }));
    await here.send(new DescribeKeyCommand({ KeyId: keyId }));
    await there.send(new EnableKeyCommand({ KeyId: keyId }));
    const e = await caught(here.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array(4) })));
    expect(e.name).toBe('DisabledException');
  });

  it('EnableKey elsewhere: Encrypt here succeeds at once, after one catch-up', async () => {
    const { there, here, lagging } = endpoints();
    const keyId = await newKeyId(there);
    await there.send(new DisableKeyCommand({ KeyId: keyId }));
    await here.send(new DescribeKeyCommand({ KeyId: keyId }));
    await there.send(new EnableKeyCommand({ KeyId: keyId }));
    const before = lagging.catchUps;
    const out = await here.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array(4) }));
    expect(out.CiphertextBlob?.length).toBeGreaterThan(0);
    expect(lagging.catchUps).toBe(before + 1);
  });

  it('a key created elsewhere after this store saw it absent is found at once', async () => {
    const { there, here } = endpoints();
    await there.send(new CreateAliasCommand({ AliasName: 'alias/placeholder', TargetKeyId: await newKeyId(there) }));
    // The absence of the alias is cached first...
    expect((await caught(here.send(new DescribeKeyCommand({ KeyId: 'alias/later' })))).name).toBe('NotFoundException');
    await there.send(new CreateAliasCommand({ AliasName: 'alias/later', TargetKeyId: await newKeyId(there) }));
    // ...and confirmed away on the next refusal.
    const out = await here.send(new DescribeKeyCommand({ KeyId: 'alias/later' }));
    expect(out.KeyMetadata?.KeyId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('material rotated in elsewhere: its ciphertext decrypts here at once', async () => {
    const { there, here } = endpoints();
    const keyId = await newKeyId(there);
    await here.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([1]) }));
    await there.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    const { CiphertextBlob } = await there.send(
      new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([7, 7]) }),
    );
    const out = await here.send(new DecryptCommand({ CiphertextBlob }));
    expect([...out.Plaintext!]).toEqual([7, 7]);
  });

  it('a key policy that now allows alice, and a grant made to her elsewhere, are honoured here at once', async () => {
    const { there, here, aliceHere, lagging } = endpoints();
    const keyId = await newKeyId(there);
    const iamDelegated = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
      ],
    };
    await there.send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: JSON.stringify(iamDelegated) }));
    await here.send(new DescribeKeyCommand({ KeyId: keyId }));
    // The default-shaped policy above delegates to IAM, and alice's identity policy allows all: allowed.
    await aliceHere.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array(1) }));
    const onlyRoot = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Deny', Principal: { AWS: ALICE }, Action: 'kms:Encrypt', Resource: '*' },
      ],
    };
    await there.send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: JSON.stringify(onlyRoot) }));
    await here.send(new DescribeKeyCommand({ KeyId: keyId }));
    // Lifting the deny elsewhere: alice's Encrypt here is allowed at once.
    await there.send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: JSON.stringify(iamDelegated) }));
    await aliceHere.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array(1) }));
    // A grant: bob has no policy; a grant made elsewhere lets him encrypt here at once.
    const bob = `arn:aws:iam::${ACCOUNT}:user/bob`;
    const bobHere = new KMSClient({ store: lagging, principal: bob });
    expect((await caught(bobHere.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array(1) })))).name).toBe(
      'AccessDeniedException',
    );
    await there.send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: bob, Operations: ['Encrypt'] }));
    await bobHere.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array(1) }));
  });

  it('refusals other than key state are confirmed too: a signature, a size limit', async () => {
    const { there, here } = endpoints();
    // An alias moved elsewhere to another signing key: Verify through it here checks with the new key.
    const ecc = async () =>
      (await there.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!
        .KeyId!;
    const [first, second] = [await ecc(), await ecc()];
    await there.send(new CreateAliasCommand({ AliasName: 'alias/signer', TargetKeyId: first }));
    await here.send(new DescribeKeyCommand({ KeyId: 'alias/signer' }));
    await there.send(new UpdateAliasCommand({ AliasName: 'alias/signer', TargetKeyId: second }));
    const message = new Uint8Array([1, 2, 3]);
    const { Signature } = await there.send(
      new SignCommand({ KeyId: second, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    const verified = await here.send(
      new VerifyCommand({ KeyId: 'alias/signer', Message: message, Signature, SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    expect(verified.SignatureValid).toBe(true);
    // An alias moved from an RSA_2048 key to an RSA_4096 one: 300 bytes fit the new key's OAEP limit.
    const rsa = async (spec: 'RSA_2048' | 'RSA_4096') =>
      (await there.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'ENCRYPT_DECRYPT' }))).KeyMetadata!.KeyId!;
    const [small, large] = [await rsa('RSA_2048'), await rsa('RSA_4096')];
    await there.send(new CreateAliasCommand({ AliasName: 'alias/rsa', TargetKeyId: small }));
    await here.send(new DescribeKeyCommand({ KeyId: 'alias/rsa' }));
    await there.send(new UpdateAliasCommand({ AliasName: 'alias/rsa', TargetKeyId: large }));
    const sealed = await here.send(
      new EncryptCommand({
        KeyId: 'alias/rsa',
        Plaintext: new Uint8Array(300),
        EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      }),
    );
    expect(sealed.KeyId).toContain(large);
  });

  it('a refusal that holds is given after one catch-up and no second run; a success costs no catch-up', async () => {
    /** The catch-ups and reads of: a successful Encrypt, then one refused because the key is disabled. */
    const run = async (hooks: boolean) => {
      const { there, here, lagging } = endpoints(hooks);
      const keyId = await newKeyId(there);
      const c0 = lagging.catchUps;
      await here.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array(4) }));
      const successCatchUps = lagging.catchUps - c0;
      await here.send(new DisableKeyCommand({ KeyId: keyId })); // own write: seen here at once
      const [c1, r1] = [lagging.catchUps, lagging.reads];
      const e = await caught(here.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array(4) })));
      expect(e.name).toBe('DisabledException');
      return { successCatchUps, refusalCatchUps: lagging.catchUps - c1, refusalReads: lagging.reads - r1 };
    };
    const confirmed = await run(true);
    const control = await run(false);
    expect(confirmed.successCatchUps).toBe(0);
    expect(confirmed.refusalCatchUps).toBe(1);
    // The same reads as without confirmation: the operation ran once.
    expect(control.refusalReads).toBeGreaterThan(0);
    expect(confirmed.refusalReads).toBe(control.refusalReads);
    // A client error decided by the input alone is confirmed the same way: one catch-up.
    const { there, here, lagging } = endpoints();
    const keyId = await newKeyId(there);
    const c = lagging.catchUps;
    const v = await caught(here.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array(0) })));
    expect(v.name).toBe('ValidationException');
    expect(lagging.catchUps).toBe(c + 1);
  });

  it('a change that takes a permission away is seen after catch-up (eventual), not before', async () => {
    const { there, here, lagging } = endpoints();
    const keyId = await newKeyId(there);
    await here.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array(1) }));
    await there.send(new DisableKeyCommand({ KeyId: keyId }));
    // Stale, as an eventually consistent endpoint is until the notification arrives.
    await here.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array(1) }));
    await lagging.catchUp();
    const e = await caught(here.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array(1) })));
    expect(e.name).toBe('DisabledException');
  });
});
