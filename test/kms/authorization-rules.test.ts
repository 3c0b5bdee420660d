// Authorization rules beyond single policy decisions (src/kms/authorize.ts and the operations that
// call it): what a grant lets its grantee create, the permissions CreateKey, ReplicateKey and
// UpdatePrimaryRegion need besides their own, the condition keys AWS always gives a request, the
// cross-account operations, and what a refusal tells another account.
import { describe, expect, it } from 'vitest';
import {
  AccessDeniedException,
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncapsulateCommand,
  EncryptCommand,
  KMSClient,
  MemoryKeyStore,
  NotFoundException,
  ReEncryptCommand,
  ReplicateKeyCommand,
  RetireGrantCommand,
  CreateAliasCommand,
  UpdatePrimaryRegionCommand,
} from '../../src/kms/index.js';
import { newKey, rejection } from '../helpers/kms.js';

const A = '111122223333';
const B = '444455556666';
const ROOT = `arn:aws:iam::${A}:root`;
const ALICE = `arn:aws:iam::${A}:user/alice`;
const ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };
const PT = new Uint8Array([1, 2, 3]);

const keyPolicy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (principal: string | string[], action: string | string[], extra: object = {}) => ({
  Effect: 'Allow',
  Principal: { AWS: principal },
  Action: action,
  Resource: '*',
  ...extra,
});
const deny = (action: string, condition: object) => ({
  Effect: 'Deny',
  Principal: '*',
  Action: action,
  Resource: '*',
  Condition: condition,
});
const message = (who: string, action: string, resource: string, why: 'resource' | 'identity' | 'deny') =>
  `User: ${who} is not authorized to perform: kms:${action} on resource: ${resource} ${
    why === 'deny'
      ? 'with an explicit deny in a resource-based policy'
      : `because no ${why}-based policy allows the kms:${action} action`
  }`;

function world() {
  const store = new MemoryKeyStore();
  const root = new KMSClient({ store, accountId: A });
  const alice = (extra: object = {}) => new KMSClient({ store, accountId: A, principal: ALICE, ...extra });
  return { store, root, alice };
}

describe('grants', () => {
  it('a grantee with CreateGrant may grant only operations of its own grant', async () => {
    const { root, alice } = world();
    const key = await newKey(root, { Policy: keyPolicy(allow(ROOT, 'kms:*')) });
    await root.send(
      new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: ALICE, Operations: ['CreateGrant', 'Decrypt'] }),
    );
    const a = alice();
    const escalate = await rejection(
      a.send(new CreateGrantCommand({ KeyId: key.Arn, GranteePrincipal: ALICE, Operations: ['Encrypt'] })),
      AccessDeniedException,
    );
    expect(escalate.message).toBe(message(ALICE, 'CreateGrant', key.Arn!, 'identity'));
    await rejection(a.send(new EncryptCommand({ KeyId: key.Arn, Plaintext: PT })), AccessDeniedException);
    // Within the parent grant's operations: allowed.
    const sub = await a.send(
      new CreateGrantCommand({
        KeyId: key.Arn,
        GranteePrincipal: `arn:aws:iam::${A}:user/bob`,
        Operations: ['Decrypt'],
      }),
    );
    expect(sub.GrantId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('RetireGrant: the root of the account that created the grant may retire it; a forged token of another account learns nothing', async () => {
    const { store, root, alice } = world();
    const key = await newKey(root, {
      Policy: keyPolicy(allow(ROOT, ['kms:CreateGrant', 'kms:DescribeKey'])),
      BypassPolicyLockoutSafetyCheck: true,
    });
    const { GrantId } = await root.send(
      new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: ALICE, Operations: ['Decrypt'] }),
    );
    // Alice is the grantee but her grant does not include RetireGrant, and the policy gives her nothing.
    await rejection(alice().send(new RetireGrantCommand({ KeyId: key.Arn, GrantId })), AccessDeniedException);
    // The key policy does not allow kms:RetireGrant: the issuing account's root retires it as its creator.
    await root.send(new RetireGrantCommand({ KeyId: key.Arn, GrantId }));

    const stranger = new KMSClient({ store, accountId: B });
    const { GrantToken } = await root.send(
      new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: ALICE, Operations: ['Decrypt'] }),
    );
    const forged = (arn: string) => {
      // Only the key ARN inside the token changes; the MAC no longer verifies.
      const raw = Buffer.from(GrantToken!, 'base64url');
      const at = raw.indexOf(Buffer.from(key.Arn!));
      return Buffer.concat([raw.subarray(0, at), Buffer.from(arn), raw.subarray(at + key.Arn!.length)]).toString(
        'base64url',
      );
    };
    const missing = key.Arn!.replace(/key\/.{8}/, 'key/00000000');
    const e = await rejection(
      stranger.send(new RetireGrantCommand({ GrantToken: forged(missing) })),
      AccessDeniedException,
    );
    expect(e.message).toBe(
      `User: arn:aws:iam::${B}:root is not authorized to perform: kms:RetireGrant on resource: ${missing} because no resource-based policy allows the kms:RetireGrant action`,
    );
    // In its own account a missing key is NotFoundException, as before.
    await rejection(root.send(new RetireGrantCommand({ GrantToken: forged(missing) })), NotFoundException);
  });
});

describe('permissions an operation needs besides its own', () => {
  it('CreateKey with Tags needs kms:TagResource; ReplicateKey needs kms:CreateKey', async () => {
    const { root, alice } = world();
    const onlyCreate = alice({
      identityPolicies: [
        {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: ['kms:CreateKey', 'kms:Describe*'], Resource: '*' }],
        },
      ],
    });
    await onlyCreate.send(new CreateKeyCommand({}));
    const tagged = await rejection(
      onlyCreate.send(new CreateKeyCommand({ Tags: [{ TagKey: 'team', TagValue: 'a' }] })),
      AccessDeniedException,
    );
    expect(tagged.message).toBe(message(ALICE, 'TagResource', '*', 'identity'));

    const mrk = await newKey(root, { MultiRegion: true });
    const replicator = alice({
      identityPolicies: [
        { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:ReplicateKey', Resource: '*' }] },
      ],
    });
    const r = await rejection(
      replicator.send(new ReplicateKeyCommand({ KeyId: mrk.KeyId, ReplicaRegion: 'us-west-2' })),
      AccessDeniedException,
    );
    expect(r.message).toBe(message(ALICE, 'CreateKey', '*', 'identity'));
    await alice({ identityPolicies: [ALL] }).send(
      new ReplicateKeyCommand({ KeyId: mrk.KeyId, ReplicaRegion: 'us-west-2' }),
    );
  });

  it("UpdatePrimaryRegion needs the replica's key policy too", async () => {
    const { store, root } = world();
    const OPS = `arn:aws:iam::${A}:user/ops`;
    const mrk = await newKey(root, { MultiRegion: true, Policy: keyPolicy(allow(ROOT, 'kms:*'), allow(OPS, 'kms:*')) });
    // The replica's policy names only the root.
    await root.send(
      new ReplicateKeyCommand({
        KeyId: mrk.KeyId,
        ReplicaRegion: 'us-west-2',
        Policy: keyPolicy(allow(ROOT, 'kms:*')),
      }),
    );
    const ops = new KMSClient({ store, accountId: A, principal: OPS });
    const e = await rejection(
      ops.send(new UpdatePrimaryRegionCommand({ KeyId: mrk.Arn, PrimaryRegion: 'us-west-2' })),
      AccessDeniedException,
    );
    expect(e.message).toBe(message(OPS, 'UpdatePrimaryRegion', mrk.Arn!.replace('us-east-1', 'us-west-2'), 'identity'));
    await root.send(new UpdatePrimaryRegionCommand({ KeyId: mrk.Arn, PrimaryRegion: 'us-west-2' }));
  });
});

describe('condition keys every request has', () => {
  it('aws:PrincipalIsAWSService and aws:ViaAWSService are false; kms:ReEncryptOnSameKey; kms:RequestAlias of ReEncrypt', async () => {
    const { root } = world();
    const guarded = await newKey(root, {
      Policy: keyPolicy(
        allow(ROOT, 'kms:*'),
        deny('kms:Encrypt', { Bool: { 'aws:PrincipalIsAWSService': 'false', 'aws:ViaAWSService': 'false' } }),
        deny('kms:ReEncrypt*', { Bool: { 'kms:ReEncryptOnSameKey': 'true' } }),
        deny('kms:ReEncryptFrom', { StringEquals: { 'kms:RequestAlias': 'alias/restricted' } }),
      ),
    });
    const e = await rejection(
      root.send(new EncryptCommand({ KeyId: guarded.KeyId, Plaintext: PT })),
      AccessDeniedException,
    );
    expect(e.message).toBe(message(ROOT, 'Encrypt', guarded.Arn!, 'deny'));

    const plain = await newKey(root);
    const blob = (await root.send(new EncryptCommand({ KeyId: plain.KeyId, Plaintext: PT }))).CiphertextBlob!;
    const other = await newKey(root);
    // Onto another key: allowed; onto the key that made it: denied by kms:ReEncryptOnSameKey.
    await root.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: other.KeyId }));
    const guardedBlob = (await root.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!;
    expect([...guardedBlob]).toEqual([...PT]);
    const own = await newKey(root, {
      Policy: keyPolicy(allow(ROOT, 'kms:*'), deny('kms:ReEncrypt*', { Bool: { 'kms:ReEncryptOnSameKey': 'true' } })),
    });
    const ownBlob = (await root.send(new EncryptCommand({ KeyId: own.KeyId, Plaintext: PT }))).CiphertextBlob!;
    await root.send(new ReEncryptCommand({ CiphertextBlob: ownBlob, DestinationKeyId: other.KeyId }));
    await rejection(
      root.send(new ReEncryptCommand({ CiphertextBlob: ownBlob, DestinationKeyId: own.Arn })),
      AccessDeniedException,
    );

    const named = await newKey(root, {
      Policy: keyPolicy(
        allow(ROOT, 'kms:*'),
        deny('kms:ReEncryptFrom', { StringEquals: { 'kms:RequestAlias': 'alias/restricted' } }),
      ),
    });
    await root.send(new CreateAliasCommand({ AliasName: 'alias/restricted', TargetKeyId: named.KeyId }));
    const namedBlob = (await root.send(new EncryptCommand({ KeyId: named.KeyId, Plaintext: PT }))).CiphertextBlob!;
    await root.send(new ReEncryptCommand({ CiphertextBlob: namedBlob, DestinationKeyId: other.KeyId }));
    await rejection(
      root.send(
        new ReEncryptCommand({
          CiphertextBlob: namedBlob,
          SourceKeyId: 'alias/restricted',
          DestinationKeyId: other.KeyId,
        }),
      ),
      AccessDeniedException,
    );
  });
});

describe('another account', () => {
  it('Encapsulate is a cross-account operation', async () => {
    const { store, root } = world();
    const key = await newKey(root, {
      KeySpec: 'ML_KEM_768',
      KeyUsage: 'ENCAPSULATE_DECAPSULATE',
      Policy: keyPolicy(allow(ROOT, 'kms:*'), allow(`arn:aws:iam::${B}:root`, ['kms:Encapsulate', 'kms:DescribeKey'])),
    });
    const b = new KMSClient({ store, accountId: B });
    const out = await b.send(new EncapsulateCommand({ KeyId: key.Arn, EncapsulationAlgorithm: 'ML_KEM' }));
    expect(out.SharedSecretCiphertextBlob!.length).toBe(1088);
    await b.send(new DescribeKeyCommand({ KeyId: key.Arn }));
  });
});
