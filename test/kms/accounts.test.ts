// A key belongs to its account: every key carries AWS's default key policy, which allows only
// its own account. Two KMSClients of different accounts on one MemoryKeyStore: the other account
// gets AccessDeniedException, in the IAM documented wording, for every operation that names a
// key (by key ARN, by alias ARN, and through a ciphertext's header), before the key's state,
// usage or DryRun are looked at, while the owner keeps working and its key is left unchanged.
// The caller's ARN (principal) in the message: the root by default, an IAM user, a role session.
// Also the fidelity items answered as AWS did: RotateKeyOnDemand / GetKeyRotationStatus KeyId
// is the key ARN, multi-Region keys describe their MultiRegionConfiguration, and an exception
// AWS sends without a message goes on the wire without one.

import { describe, it, expect } from 'vitest';
import {
  AccessDeniedException,
  CreateAliasCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EncryptCommand,
  GenerateDataKeyPairCommand,
  GetKeyRotationStatusCommand,
  InvalidCiphertextException,
  KMSClient,
  KMSCommand,
  ListAliasesCommand,
  MemoryKeyStore,
  NotFoundException,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  UnsupportedOperationException,
  ValidationException,
  type KMSServiceException,
} from '../../src/kms/index.js';
import { OPERATION_HANDLERS } from '../../src/kms/operations/index.js';
import { OPERATIONS, OPERATION_NAMES, type OperationName } from '../../src/kms/registry.js';
import { encodeError } from '../../src/node/http/wire.js';
import { newKey, rejection } from '../helpers/kms.js';

const ALICE = '111122223333';
const BOB = '444455556666';
const REGION = 'us-east-1';

const denied = (caller: string, action: string, resource: string) =>
  `User: ${caller} is not authorized to perform: kms:${action} on resource: ${resource} because no resource-based policy allows the kms:${action} action`;
const deniedBlob = (caller: string, action: string) =>
  `User: ${caller} is not authorized to perform: kms:${action} on the resource associated with this ciphertext because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access`;

function send(client: KMSClient, operation: OperationName, input: Record<string, unknown>) {
  return client.send(new KMSCommand(operation, input, OPERATION_HANDLERS[operation] as never));
}

interface Case {
  operation: OperationName;
  /** The kms: action AWS checks. */
  action: string;
  input: (keyRef: string) => Record<string, unknown>;
  /** Whether the operation takes an alias in its key member (otherwise an alias ARN is NotFound "Invalid keyId"). */
  alias: boolean;
}

/** Every operation that names a key by a KeyId-like member, as the other account calls it. */
function cases(bobBlob: Uint8Array): Case[] {
  const c = (
    operation: OperationName,
    input: (k: string) => Record<string, unknown>,
    alias = true,
    action: string = operation,
  ): Case => ({
    operation,
    action,
    input,
    alias,
  });
  return [
    c('DescribeKey', (k) => ({ KeyId: k })),
    c('EnableKey', (k) => ({ KeyId: k }), false),
    c('DisableKey', (k) => ({ KeyId: k }), false),
    c('ScheduleKeyDeletion', (k) => ({ KeyId: k, PendingWindowInDays: 7 })),
    c('CancelKeyDeletion', (k) => ({ KeyId: k })),
    c('EnableKeyRotation', (k) => ({ KeyId: k })),
    c('DisableKeyRotation', (k) => ({ KeyId: k })),
    c('GetKeyRotationStatus', (k) => ({ KeyId: k })),
    c('RotateKeyOnDemand', (k) => ({ KeyId: k })),
    c('GenerateDataKeyPair', (k) => ({ KeyId: k, KeyPairSpec: 'ECC_NIST_P256' })),
    c('GenerateDataKeyPairWithoutPlaintext', (k) => ({ KeyId: k, KeyPairSpec: 'ECC_NIST_P256' })),
    c('GenerateDataKey', (k) => ({ KeyId: k, KeySpec: 'AES_256' })),
    c('GenerateDataKeyWithoutPlaintext', (k) => ({ KeyId: k, NumberOfBytes: 32 })),
    c('Encrypt', (k) => ({ KeyId: k, Plaintext: new Uint8Array([1, 2, 3]) })),
    c('GetPublicKey', (k) => ({ KeyId: k })),
    c('ListAliases', (k) => ({ KeyId: k }), false),
    c('CreateAlias', (k) => ({ AliasName: 'alias/bob-new', TargetKeyId: k }), false),
    c('UpdateAlias', (k) => ({ AliasName: 'alias/bob', TargetKeyId: k }), false),
    c('ReEncrypt', (k) => ({ CiphertextBlob: bobBlob, DestinationKeyId: k }), true, 'ReEncryptTo'),
    // With a KeyId, Decrypt still reads the blob's key first; here the blob is Bob's own.
    c('Decrypt', (k) => ({ CiphertextBlob: bobBlob, KeyId: k }), true),
    c('Sign', (k) => ({ KeyId: k, Message: new Uint8Array([1]), SigningAlgorithm: 'ECDSA_SHA_256' })),
    c('Verify', (k) => ({
      KeyId: k,
      Message: new Uint8Array([1]),
      Signature: new Uint8Array([1]),
      SigningAlgorithm: 'ECDSA_SHA_256',
    })),
    c('DeriveSharedSecret', (k) => ({ KeyId: k, KeyAgreementAlgorithm: 'ECDH', PublicKey: new Uint8Array([1]) })),
    c('GenerateMac', (k) => ({ KeyId: k, Message: new Uint8Array([1]), MacAlgorithm: 'HMAC_SHA_256' })),
    c('VerifyMac', (k) => ({
      KeyId: k,
      Message: new Uint8Array([1]),
      Mac: new Uint8Array(32),
      MacAlgorithm: 'HMAC_SHA_256',
    })),
    c('Encapsulate', (k) => ({ KeyId: k, EncapsulationAlgorithm: 'ML_KEM' })),
    c('Decapsulate', (k) => ({
      KeyId: k,
      SharedSecretCiphertextBlob: new Uint8Array([1]),
      EncapsulationAlgorithm: 'ML_KEM',
    })),
    // These take a key id or key ARN only (no alias).
    c('UpdateKeyDescription', (k) => ({ KeyId: k, Description: 'bob was here' }), false),
    c('TagResource', (k) => ({ KeyId: k, Tags: [{ TagKey: 'owner', TagValue: 'bob' }] }), false),
    c('UntagResource', (k) => ({ KeyId: k, TagKeys: ['owner'] }), false),
    c('ListResourceTags', (k) => ({ KeyId: k }), false),
    c('GetKeyPolicy', (k) => ({ KeyId: k }), false),
    c('PutKeyPolicy', (k) => ({ KeyId: k, Policy: '{}', BypassPolicyLockoutSafetyCheck: true }), false),
    c('ListKeyPolicies', (k) => ({ KeyId: k }), false),
    c(
      'CreateGrant',
      (k) => ({ KeyId: k, GranteePrincipal: `arn:aws:iam::${BOB}:root`, Operations: ['Encrypt'] }),
      false,
    ),
    c('ListGrants', (k) => ({ KeyId: k }), false),
    c('RetireGrant', (k) => ({ KeyId: k, GrantId: 'ab'.repeat(32) }), false),
    c('RevokeGrant', (k) => ({ KeyId: k, GrantId: 'ab'.repeat(32) }), false),
    c(
      'GetParametersForImport',
      (k) => ({ KeyId: k, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }),
      false,
    ),
    c(
      'ImportKeyMaterial',
      (k) => ({ KeyId: k, ImportToken: new Uint8Array([1]), EncryptedKeyMaterial: new Uint8Array([1]) }),
      false,
    ),
    c('DeleteImportedKeyMaterial', (k) => ({ KeyId: k }), false),
    c('ReplicateKey', (k) => ({ KeyId: k, ReplicaRegion: 'eu-west-1' }), false),
    c('UpdatePrimaryRegion', (k) => ({ KeyId: k, PrimaryRegion: 'eu-west-1' }), false),
    c('ListKeyRotations', (k) => ({ KeyId: k }), false),
    c('GetKeyLastUsage', (k) => ({ KeyId: k }), false),
  ];
}

async function setup() {
  const store = new MemoryKeyStore();
  const alice = new KMSClient({ store, accountId: ALICE });
  const bob = new KMSClient({ store, accountId: BOB });
  const key = await newKey(alice, { Description: 'alice' });
  await alice.send(new CreateAliasCommand({ AliasName: 'alias/shared', TargetKeyId: key.KeyId }));
  const bobKey = await newKey(bob);
  await bob.send(new CreateAliasCommand({ AliasName: 'alias/bob', TargetKeyId: bobKey.KeyId }));
  const bobBlob = (await bob.send(new EncryptCommand({ KeyId: bobKey.KeyId, Plaintext: new Uint8Array([7]) })))
    .CiphertextBlob!;
  const aliceBlob = (await alice.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: new Uint8Array([4, 2]) })))
    .CiphertextBlob!;
  return {
    store,
    alice,
    bob,
    key,
    bobKey,
    bobBlob,
    aliceBlob,
    aliasArn: `arn:aws:kms:${REGION}:${ALICE}:alias/shared`,
  };
}

describe("another account's key: AccessDeniedException (the default key policy)", () => {
  it('the table covers every operation with a key member', () => {
    const keyMembers = ['KeyId', 'TargetKeyId', 'DestinationKeyId', 'SourceKeyId', 'CiphertextBlob'];
    const naming = OPERATION_NAMES.filter((op) => keyMembers.some((m) => m in (OPERATIONS[op] as object))).sort();
    expect(
      cases(new Uint8Array())
        .map((c) => c.operation)
        .sort(),
    ).toEqual(naming);
  });

  it('every key-naming operation, by key ARN and by alias ARN; the owner keeps working and its key is unchanged', async () => {
    const { alice, bob, key, bobBlob, aliasArn, aliceBlob } = await setup();
    const before = (await alice.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!;
    const bobRoot = `arn:aws:iam::${BOB}:root`;
    for (const c of cases(bobBlob)) {
      const byArn = await rejection(send(bob, c.operation, c.input(key.Arn!)), AccessDeniedException);
      expect(byArn.message, c.operation).toBe(denied(bobRoot, c.action, key.Arn!));
      if (c.alias) {
        // Through another account's alias, a refusal names the alias: it does not tell which key the alias points to.
        const byAlias = await rejection(send(bob, c.operation, c.input(aliasArn)), AccessDeniedException);
        expect(byAlias.message, c.operation).toBe(denied(bobRoot, c.action, aliasArn));
      } else {
        const e = await rejection(send(bob, c.operation, c.input(aliasArn)), NotFoundException);
        expect(e.message, c.operation).toBe(`Invalid keyId '${aliasArn}'`);
      }
    }
    // Nothing Bob tried changed Alice's key, its rotation, its material or its alias.
    const after = (await alice.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!;
    expect(after).toEqual(before);
    expect(after.KeyState).toBe('Enabled');
    expect((await alice.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).KeyRotationEnabled).toBe(false);
    const aliases = (await alice.send(new ListAliasesCommand({}))).Aliases!;
    expect(aliases.map((a) => [a.AliasName, a.TargetKeyId])).toEqual([['alias/shared', key.KeyId]]);
    expect((await bob.send(new ListAliasesCommand({}))).Aliases!.map((a) => a.AliasName)).toEqual(['alias/bob']);
    // Alice still uses her key by id, ARN and alias, and reads her ciphertext.
    for (const ref of [key.KeyId, key.Arn!, 'alias/shared', aliasArn]) {
      const pair = await alice.send(new GenerateDataKeyPairCommand({ KeyId: ref, KeyPairSpec: 'ECC_NIST_P256' }));
      expect(pair.KeyId).toBe(key.Arn);
    }
    expect((await alice.send(new DecryptCommand({ CiphertextBlob: aliceBlob }))).Plaintext).toEqual(
      new Uint8Array([4, 2]),
    );
  });

  it('Decrypt and ReEncrypt through the ciphertext alone: refused without naming the key', async () => {
    const { alice, bob, key, bobKey, aliceBlob } = await setup();
    const bobRoot = `arn:aws:iam::${BOB}:root`;
    const d = await rejection(bob.send(new DecryptCommand({ CiphertextBlob: aliceBlob })), AccessDeniedException);
    expect(d.message).toBe(deniedBlob(bobRoot, 'Decrypt'));
    expect(d.message).not.toContain(key.KeyId);
    const withId = await rejection(
      bob.send(new DecryptCommand({ CiphertextBlob: aliceBlob, KeyId: key.Arn })),
      AccessDeniedException,
    );
    // With a KeyId, the refusal names the key the caller named.
    expect(withId.message).toBe(denied(bobRoot, 'Decrypt', key.Arn!));
    // ReEncrypt reads with the source key: kms:ReEncryptFrom.
    const r = await rejection(
      bob.send(new ReEncryptCommand({ CiphertextBlob: aliceBlob, DestinationKeyId: bobKey.KeyId })),
      AccessDeniedException,
    );
    expect(r.message).toBe(deniedBlob(bobRoot, 'ReEncryptFrom'));
    // The private key of a data key pair made under Alice's key.
    const pair = await alice.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256' }));
    const p = await rejection(
      bob.send(new DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob })),
      AccessDeniedException,
    );
    expect(p.message).toBe(deniedBlob(bobRoot, 'Decrypt'));
    // An authorization-only dry run names the key it was given.
    const dry = await rejection(
      bob.send(new DecryptCommand({ KeyId: key.Arn, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] })),
      AccessDeniedException,
    );
    expect(dry.message).toBe(denied(bobRoot, 'Decrypt', key.Arn!));
    // Alice's own ciphertext still opens for her, and ReEncrypt to Bob's key is refused at Bob's key.
    expect((await alice.send(new DecryptCommand({ CiphertextBlob: aliceBlob }))).Plaintext).toEqual(
      new Uint8Array([4, 2]),
    );
    const to = await rejection(
      alice.send(new ReEncryptCommand({ CiphertextBlob: aliceBlob, DestinationKeyId: bobKey.Arn })),
      AccessDeniedException,
    );
    expect(to.message).toBe(denied(`arn:aws:iam::${ALICE}:root`, 'ReEncryptTo', bobKey.Arn!));
  });

  it("AWS's order: input validation first; authorization before key state, key usage and DryRun", async () => {
    const { alice, bob, key } = await setup();
    const bobRoot = `arn:aws:iam::${BOB}:root`;
    await rejection(
      bob.send(new GenerateDataKeyPairCommand({ KeyId: key.Arn, KeyPairSpec: 'RSA_1' as never })),
      ValidationException,
    );
    const dry = await rejection(
      bob.send(new GenerateDataKeyPairCommand({ KeyId: key.Arn, KeyPairSpec: 'ECC_NIST_P256', DryRun: true })),
      AccessDeniedException,
    );
    expect(dry.message).toBe(denied(bobRoot, 'GenerateDataKeyPair', key.Arn!));
    // A signing key: InvalidKeyUsage for its owner, AccessDenied for Bob.
    const signing = await newKey(alice, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const usage = await rejection(
      bob.send(new EncryptCommand({ KeyId: signing.Arn, Plaintext: new Uint8Array([1]) })),
      AccessDeniedException,
    );
    expect(usage.message).toBe(denied(bobRoot, 'Encrypt', signing.Arn!));
    // A disabled key: DisabledException for its owner, AccessDenied for Bob.
    await alice.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    const state = await rejection(
      bob.send(new EncryptCommand({ KeyId: key.Arn, Plaintext: new Uint8Array([1]) })),
      AccessDeniedException,
    );
    expect(state.message).toBe(denied(bobRoot, 'Encrypt', key.Arn!));
    const asym = await alice.send(new DescribeKeyCommand({ KeyId: signing.KeyId }));
    expect(asym.KeyMetadata!.KeyUsage).toBe('SIGN_VERIFY');
  });

  it("a key or alias that does not exist in another account is AccessDenied too; in one's own, NotFound", async () => {
    const { bob, aliceBlob } = await setup();
    const bobRoot = `arn:aws:iam::${BOB}:root`;
    const ghost = `arn:aws:kms:${REGION}:${ALICE}:key/00000000-0000-4000-8000-000000000000`;
    const e = await rejection(bob.send(new DescribeKeyCommand({ KeyId: ghost })), AccessDeniedException);
    expect(e.message).toBe(denied(bobRoot, 'DescribeKey', ghost));
    const ghostAlias = `arn:aws:kms:${REGION}:${ALICE}:alias/none`;
    const a = await rejection(
      bob.send(new GenerateDataKeyPairCommand({ KeyId: ghostAlias, KeyPairSpec: 'ECC_NIST_P256' })),
      AccessDeniedException,
    );
    expect(a.message).toBe(denied(bobRoot, 'GenerateDataKeyPair', ghostAlias));
    const own = `arn:aws:kms:${REGION}:${BOB}:key/00000000-0000-4000-8000-000000000000`;
    expect((await rejection(bob.send(new DescribeKeyCommand({ KeyId: own })), NotFoundException)).message).toBe(
      `Key '${own}' does not exist`,
    );
    // A bare key id or alias name is looked up in the caller's own account only.
    await rejection(bob.send(new DescribeKeyCommand({ KeyId: 'alias/shared' })), NotFoundException);
    // A blob whose header names another account: refused, whether or not that key exists.
    const forged = Buffer.from(aliceBlob);
    const at = forged.indexOf(`:${ALICE}:key/`);
    forged.write('999988887777', at + 1, 'latin1');
    const f = await rejection(
      bob.send(new DecryptCommand({ CiphertextBlob: new Uint8Array(forged) })),
      AccessDeniedException,
    );
    expect(f.message).toBe(deniedBlob(bobRoot, 'Decrypt'));
  });

  it('the caller ARN: an IAM user, a role as its session, the partition of a China Region; the principal must be of the account', async () => {
    const { store, key } = await setup();
    const user = new KMSClient({ store, accountId: BOB, principal: `arn:aws:iam::${BOB}:user/dev/bob` });
    const e = await rejection(user.send(new DescribeKeyCommand({ KeyId: key.Arn })), AccessDeniedException);
    expect(e.message).toBe(denied(`arn:aws:iam::${BOB}:user/dev/bob`, 'DescribeKey', key.Arn!));
    const role = new KMSClient({ store, accountId: BOB, principal: `arn:aws:iam::${BOB}:role/ops/deployer` });
    const r = await rejection(role.send(new DescribeKeyCommand({ KeyId: key.Arn })), AccessDeniedException);
    expect(r.message).toBe(denied(`arn:aws:sts::${BOB}:assumed-role/deployer/wasm-kms`, 'DescribeKey', key.Arn!));
    const session = `arn:aws:sts::${BOB}:assumed-role/deployer/nightly-run`;
    const s = await rejection(
      new KMSClient({ store, accountId: BOB, principal: session }).send(new DescribeKeyCommand({ KeyId: key.Arn })),
      AccessDeniedException,
    );
    expect(s.message).toBe(denied(session, 'DescribeKey', key.Arn!));
    // Alice's own user may use Alice's key.
    const aliceUser = new KMSClient({
      store,
      accountId: ALICE,
      principal: `arn:aws:iam::${ALICE}:user/alice`,
      identityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }],
    });
    expect((await aliceUser.send(new DescribeKeyCommand({ KeyId: key.Arn }))).KeyMetadata!.KeyId).toBe(key.KeyId);

    const cnStore = new MemoryKeyStore();
    const cnKey = await newKey(new KMSClient({ store: cnStore, region: 'cn-north-1', accountId: ALICE }));
    const cn = new KMSClient({ store: cnStore, region: 'cn-north-1', accountId: BOB });
    const c = await rejection(cn.send(new DescribeKeyCommand({ KeyId: cnKey.Arn })), AccessDeniedException);
    expect(c.message).toBe(denied(`arn:aws-cn:iam::${BOB}:root`, 'DescribeKey', cnKey.Arn!));

    expect(() => new KMSClient({ accountId: BOB, principal: `arn:aws:iam::${ALICE}:user/alice` })).toThrow(
      `principal arn:aws:iam::${ALICE}:user/alice is of account ${ALICE}, not of account ${BOB}`,
    );
    for (const bad of [
      'bob',
      `arn:aws:iam::${BOB}:group/devs`,
      `arn:aws:iam::${BOB}:user/`,
      `arn:aws:iam::${BOB}:user/a b`,
      `arn:aws:s3:::bucket`,
    ]) {
      expect(() => new KMSClient({ accountId: BOB, principal: bad }), bad).toThrow(TypeError);
    }
  });
});

describe('fidelity with the responses recorded from AWS', () => {
  it('RotateKeyOnDemand and GetKeyRotationStatus return KeyId as the key ARN, whatever form the input took', async () => {
    const { alice, key } = await setup();
    for (const ref of [key.KeyId, key.Arn!, 'alias/shared']) {
      expect((await alice.send(new RotateKeyOnDemandCommand({ KeyId: ref }))).KeyId).toBe(key.Arn);
      expect((await alice.send(new GetKeyRotationStatusCommand({ KeyId: ref }))).KeyId).toBe(key.Arn);
    }
  });

  it('a multi-Region key carries MultiRegionConfiguration (a primary, no replicas) in CreateKey and DescribeKey; others none', async () => {
    const { alice } = await setup();
    const mrk = await newKey(alice, { MultiRegion: true, Description: 'mrk' });
    expect(mrk.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    const expected = { MultiRegionKeyType: 'PRIMARY', PrimaryKey: { Arn: mrk.Arn, Region: REGION }, ReplicaKeys: [] };
    expect(mrk.MultiRegion).toBe(true);
    expect(mrk.MultiRegionConfiguration).toEqual(expected);
    const described = (await alice.send(new DescribeKeyCommand({ KeyId: mrk.KeyId }))).KeyMetadata!;
    expect(described.MultiRegionConfiguration).toEqual(expected);
    const single = await newKey(alice);
    expect(single.MultiRegion).toBe(false);
    expect(single).not.toHaveProperty('MultiRegionConfiguration');
    expect((await alice.send(new DescribeKeyCommand({ KeyId: single.KeyId }))).KeyMetadata).not.toHaveProperty(
      'MultiRegionConfiguration',
    );
  });

  it('an exception AWS answers without a message goes on the wire without one; others keep theirs', async () => {
    const { alice, aliceBlob } = await setup();
    const changed = aliceBlob.slice();
    changed[changed.length - 1] ^= 1;
    const invalid = await rejection(
      alice.send(new DecryptCommand({ CiphertextBlob: changed })),
      InvalidCiphertextException,
    );
    expect(invalid.message).toBe('');
    expect(JSON.parse(encodeError(invalid).body)).toEqual({ __type: 'InvalidCiphertextException' });
    const signing = await newKey(alice, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const rotate = await rejection(
      alice.send(new RotateKeyOnDemandCommand({ KeyId: signing.KeyId })),
      UnsupportedOperationException,
    );
    expect(JSON.parse(encodeError(rotate).body)).toEqual({ __type: 'UnsupportedOperationException' });
    const notFound: KMSServiceException = await rejection(
      alice.send(new DescribeKeyCommand({ KeyId: 'alias/none' })),
      NotFoundException,
    );
    expect(JSON.parse(encodeError(notFound).body)).toEqual({ __type: 'NotFoundException', message: notFound.message });
  });
});
