// The custom key store lifecycle: ConnectCustomKeyStore, DisconnectCustomKeyStore,
// UpdateCustomKeyStore and DeleteCustomKeyStore through KMSClient, the HTTP endpoint with the real
// SDK and the CLI; the keys of a disconnected store (Unavailable); the stores' deleteCustomKeyStore.

import { afterAll, describe, it, expect } from 'vitest';
import * as sdk from '@aws-sdk/client-kms';
import {
  CancelKeyDeletionCommand,
  CloudHsmClusterNotRelatedException,
  ConnectCustomKeyStoreCommand,
  CreateCustomKeyStoreCommand,
  CreateKeyCommand,
  CustomKeyStoreHasCMKsException,
  CustomKeyStoreInvalidStateException,
  CustomKeyStoreNameInUseException,
  CustomKeyStoreNotFoundException,
  DecryptCommand,
  DeleteCustomKeyStoreCommand,
  DescribeCustomKeyStoresCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisconnectCustomKeyStoreCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
  KMSInvalidStateException,
  MemoryKeyStore,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UnsupportedOperationException,
  UpdateCustomKeyStoreCommand,
  ValidationException,
  XksProxyUriEndpointInUseException,
  XksProxyUriInUseException,
  XksProxyVpcEndpointServiceInUseException,
  type CustomKeyStoreRecord,
  type KeyStore,
} from '../../src/kms/index.js';
import { FileKeyStore } from '../../src/node/file-store/index.js';
import { removeTempDirs, tempDir } from '../helpers/file-store.js';
import { CLOUDHSM, XKS, clients, newKey, rejection } from '../helpers/kms.js';
import { putCustomKeyStoreRecord } from '../helpers/records.js';
import { useCli, useEndpoint } from '../helpers/endpoint.js';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';

afterAll(removeTempDirs);

function cksRecord(id: string, name: string): CustomKeyStoreRecord {
  return {
    customKeyStoreId: id,
    account: ACCOUNT,
    region: REGION,
    customKeyStoreName: name,
    customKeyStoreType: 'AWS_CLOUDHSM',
    connectionState: 'DISCONNECTED',
    creationDate: new Date(1_700_000_000_000),
    cloudHsmClusterId: `cluster-${name}`,
  };
}

describe('KeyStore.deleteCustomKeyStore', () => {
  const check = async (store: KeyStore) => {
    const ids = ['cks-00000000000000001', 'cks-00000000000000002', 'cks-00000000000000003'];
    for (const [i, id] of ids.entries()) await store.putCustomKeyStore!(cksRecord(id, `s${i}`));
    expect(await store.deleteCustomKeyStore!(ACCOUNT, REGION, ids[1]!)).toBe(true);
    expect(await store.deleteCustomKeyStore!(ACCOUNT, REGION, ids[1]!)).toBe(false);
    // Another account or Region holds no such record.
    expect(await store.deleteCustomKeyStore!('444455556666', REGION, ids[0]!)).toBe(false);
    expect(await store.deleteCustomKeyStore!(ACCOUNT, 'us-west-2', ids[0]!)).toBe(false);
    expect(await store.getCustomKeyStore!(ACCOUNT, REGION, ids[1]!)).toBeUndefined();
    expect((await store.listCustomKeyStores!(ACCOUNT, REGION)).map((c) => c.customKeyStoreId)).toEqual([
      ids[0],
      ids[2],
    ]);
    // A store made afterwards comes last in creation order.
    await store.putCustomKeyStore!(cksRecord('cks-00000000000000000', 's9'));
    expect((await store.listCustomKeyStores!(ACCOUNT, REGION)).map((c) => c.customKeyStoreId)).toEqual([
      ids[0],
      ids[2],
      'cks-00000000000000000',
    ]);
  };

  it('MemoryKeyStore: removes the record of its account and Region only', async () => {
    await check(new MemoryKeyStore());
  });

  it('FileKeyStore: removes the record file, and the deletion survives reopening', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir);
    await check(store);
    await store.close();
    const again = await FileKeyStore.open(dir);
    expect((await again.listCustomKeyStores(ACCOUNT, REGION)).map((c) => c.customKeyStoreId)).toEqual([
      'cks-00000000000000001',
      'cks-00000000000000003',
      'cks-00000000000000000',
    ]);
    expect(await again.deleteCustomKeyStore(ACCOUNT, REGION, 'cks-00000000000000002')).toBe(false);
    await again.close();
  });
});

/** An operation's empty output, as KMSClient gives it (with $metadata). */
const EMPTY = { $metadata: expect.objectContaining({ httpStatusCode: 200 }) };
const VPC_SERVICE = 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0';
const VPC_SERVICE_2 = 'com.amazonaws.vpce.us-east-1.vpce-svc-0fedcba9876543210';

const stateOf = async (c: KMSClient, id: string) =>
  (await c.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id }))).CustomKeyStores![0]!;
const keyState = async (c: KMSClient, KeyId: string) => {
  const md = (await c.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;
  return { KeyState: md.KeyState, Enabled: md.Enabled };
};
const invalidState = (op: string, id: string, state: string, need: string) =>
  `${op} is not valid for custom key store ${id} in connection state ${state}; it must be ${need}.`;

async function newStore(c: KMSClient, input: Record<string, unknown> = CLOUDHSM): Promise<string> {
  return (await c.send(new CreateCustomKeyStoreCommand(input as never))).CustomKeyStoreId!;
}

describe('ConnectCustomKeyStore and DisconnectCustomKeyStore', () => {
  it('a new store is DISCONNECTED; connect and disconnect move it, each refusing the states KMS refuses', async () => {
    const { us } = clients();
    const id = await newStore(us);
    expect((await stateOf(us, id)).ConnectionState).toBe('DISCONNECTED');
    const d = await rejection(
      us.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id })),
      CustomKeyStoreInvalidStateException,
    );
    expect(d.message).toBe(
      invalidState('DisconnectCustomKeyStore', id, 'DISCONNECTED', 'CONNECTED, CONNECTING or FAILED'),
    );
    expect(await us.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }))).toEqual(EMPTY);
    expect((await stateOf(us, id)).ConnectionState).toBe('CONNECTED');
    // Connecting a connected store is valid and leaves it connected.
    await us.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    expect((await stateOf(us, id)).ConnectionState).toBe('CONNECTED');
    expect(await us.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }))).toEqual(EMPTY);
    expect((await stateOf(us, id)).ConnectionState).toBe('DISCONNECTED');
  });

  it('FAILED and DISCONNECTING cannot be connected; FAILED and CONNECTING can be disconnected', async () => {
    const { us, store } = clients();
    const put = (id: string, connectionState: string) =>
      putCustomKeyStoreRecord(store, { account: ACCOUNT, region: REGION, id, type: 'AWS_CLOUDHSM', connectionState });
    await put('cks-0000000000000000f', 'FAILED');
    await put('cks-0000000000000000d', 'DISCONNECTING');
    await put('cks-0000000000000000c', 'CONNECTING');
    for (const [id, state] of [
      ['cks-0000000000000000f', 'FAILED'],
      ['cks-0000000000000000d', 'DISCONNECTING'],
    ] as const) {
      const e = await rejection(
        us.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id })),
        CustomKeyStoreInvalidStateException,
      );
      expect(e.message).toBe(invalidState('ConnectCustomKeyStore', id, state, 'CONNECTED, CONNECTING or DISCONNECTED'));
    }
    await rejection(
      us.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: 'cks-0000000000000000d' })),
      CustomKeyStoreInvalidStateException,
    );
    // A FAILED store is disconnected, then connected (the model's way out of FAILED).
    await us.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: 'cks-0000000000000000f' }));
    await us.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: 'cks-0000000000000000f' }));
    expect((await stateOf(us, 'cks-0000000000000000f')).ConnectionState).toBe('CONNECTED');
    await us.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: 'cks-0000000000000000c' }));
    expect((await stateOf(us, 'cks-0000000000000000c')).ConnectionState).toBe('DISCONNECTED');
  });

  it('an unknown id, or one of another account or Region, is CustomKeyStoreNotFoundException for all four', async () => {
    const { us, west, other } = clients();
    const id = await newStore(us);
    for (const c of [us, west, other]) {
      const target = c === us ? 'cks-0123456789abcdef0' : id;
      for (const cmd of [
        new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: target }),
        new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: target }),
        new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: target, NewCustomKeyStoreName: 'n' }),
        new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: target }),
      ]) {
        const e = await rejection(c.send(cmd as never), CustomKeyStoreNotFoundException);
        expect(e.message).toBe(`Custom key store ${target} does not exist.`);
      }
    }
    expect((await stateOf(us, id)).ConnectionState).toBe('DISCONNECTED');
  });
});

describe('keys of a disconnected custom key store', () => {
  it('read as Unavailable (PendingDeletion stays), cannot be used or created, and come back on reconnecting', async () => {
    const { us, store } = clients();
    const id = await newStore(us);
    const created = await rejection(
      us.send(new CreateKeyCommand({ CustomKeyStoreId: id })),
      CustomKeyStoreInvalidStateException,
    );
    expect(created.message).toBe(`Custom key store ${id} is not connected.`);
    await us.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    const enabled = await newKey(us, { CustomKeyStoreId: id });
    const disabled = await newKey(us, { CustomKeyStoreId: id });
    const doomed = await newKey(us, { CustomKeyStoreId: id });
    const outside = await newKey(us);
    const tagged = await newKey(us, { CustomKeyStoreId: id });
    await us.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
    await us.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }));
    const blob = (await us.send(new EncryptCommand({ KeyId: enabled.KeyId, Plaintext: Uint8Array.of(1, 2) })))
      .CiphertextBlob!;

    await us.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    expect(await keyState(us, enabled.KeyId)).toEqual({ KeyState: 'Unavailable', Enabled: false });
    expect(await keyState(us, disabled.KeyId)).toEqual({ KeyState: 'Unavailable', Enabled: false });
    expect(await keyState(us, doomed.KeyId)).toEqual({ KeyState: 'PendingDeletion', Enabled: false });
    expect(await keyState(us, outside.KeyId)).toEqual({ KeyState: 'Enabled', Enabled: true });
    const unavailable = `${enabled.Arn} is unavailable.`;
    for (const p of [
      us.send(new EncryptCommand({ KeyId: enabled.KeyId, Plaintext: Uint8Array.of(3) })),
      us.send(new DecryptCommand({ CiphertextBlob: blob })),
      us.send(new GenerateDataKeyCommand({ KeyId: enabled.KeyId, KeySpec: 'AES_256' })),
    ]) {
      expect((await rejection(p, KMSInvalidStateException)).message).toBe(unavailable);
    }
    await rejection(us.send(new CreateKeyCommand({ CustomKeyStoreId: id })), CustomKeyStoreInvalidStateException);
    // Management goes on: EnableKey/DisableKey take effect once the store is back, and the
    // scheduled deletion can be cancelled without reconnecting.
    await us.send(new DisableKeyCommand({ KeyId: enabled.KeyId }));
    await us.send(new EnableKeyCommand({ KeyId: disabled.KeyId }));
    await us.send(new CancelKeyDeletionCommand({ KeyId: doomed.KeyId }));
    // An operation that writes the key back keeps its stored state, not the Unavailable it reads as.
    await us.send(new TagResourceCommand({ KeyId: tagged.KeyId, Tags: [{ TagKey: 'k', TagValue: 'v' }] }));
    expect(await keyState(us, tagged.KeyId)).toEqual({ KeyState: 'Unavailable', Enabled: false });
    expect((await store.getKey(ACCOUNT, REGION, tagged.KeyId))!.keyState).toBe('Enabled');
    expect(await keyState(us, enabled.KeyId)).toEqual({ KeyState: 'Unavailable', Enabled: false });
    expect(await keyState(us, doomed.KeyId)).toEqual({ KeyState: 'Unavailable', Enabled: false });

    await us.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    expect(await keyState(us, enabled.KeyId)).toEqual({ KeyState: 'Disabled', Enabled: false });
    expect(await keyState(us, disabled.KeyId)).toEqual({ KeyState: 'Enabled', Enabled: true });
    expect(await keyState(us, doomed.KeyId)).toEqual({ KeyState: 'Disabled', Enabled: false });
    expect(await keyState(us, tagged.KeyId)).toEqual({ KeyState: 'Enabled', Enabled: true });
    await us.send(new EnableKeyCommand({ KeyId: enabled.KeyId }));
    const back = await us.send(new DecryptCommand({ CiphertextBlob: blob }));
    expect([...back.Plaintext!]).toEqual([1, 2]);
  });
});

describe('UpdateCustomKeyStore', () => {
  it('CloudHSM: the name changes while CONNECTED; the cluster and password need DISCONNECTED', async () => {
    const { us, store } = clients();
    const id = await newStore(us);
    const other = await newStore(us, {
      ...CLOUDHSM,
      CustomKeyStoreName: 'other',
      CloudHsmClusterId: 'cluster-2a23b4cdefg',
    });
    await us.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    expect(
      await us.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, NewCustomKeyStoreName: 'renamed' })),
    ).toEqual(EMPTY);
    expect((await stateOf(us, id)).CustomKeyStoreName).toBe('renamed');
    // Its own name again is no conflict; another store's is.
    await us.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, NewCustomKeyStoreName: 'renamed' }));
    const inUse = await rejection(
      us.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, NewCustomKeyStoreName: 'other' })),
      CustomKeyStoreNameInUseException,
    );
    expect(inUse.message).toBe('Custom key store name other is already in use in this account and Region.');
    const connected = await rejection(
      us.send(
        new UpdateCustomKeyStoreCommand({
          CustomKeyStoreId: id,
          NewCustomKeyStoreName: 'again',
          CloudHsmClusterId: 'cluster-3a23b4cdefg',
          KeyStorePassword: 'newPassword',
        }),
      ),
      CustomKeyStoreInvalidStateException,
    );
    expect(connected.message).toBe(
      invalidState('UpdateCustomKeyStore with CloudHsmClusterId and KeyStorePassword', id, 'CONNECTED', 'DISCONNECTED'),
    );
    expect((await stateOf(us, id)).CustomKeyStoreName).toBe('renamed');

    await us.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    const notRelated = await rejection(
      us.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, CloudHsmClusterId: 'cluster-2a23b4cdefg' })),
      CloudHsmClusterNotRelatedException,
    );
    expect(notRelated.message).toBe(
      `CloudHSM cluster cluster-2a23b4cdefg is not related to the cluster of custom key store ${id}: ` +
        `it is associated with custom key store ${other}.`,
    );
    await us.send(
      new UpdateCustomKeyStoreCommand({
        CustomKeyStoreId: id,
        CloudHsmClusterId: 'cluster-3a23b4cdefg',
        KeyStorePassword: 'newPassword',
      }),
    );
    const entry = await stateOf(us, id);
    expect(entry).toMatchObject({ CloudHsmClusterId: 'cluster-3a23b4cdefg', ConnectionState: 'DISCONNECTED' });
    // The password is never kept.
    expect(JSON.stringify(await store.listCustomKeyStores!(ACCOUNT, REGION))).not.toContain('newPassword');
    // The old cluster is free for another store now.
    await newStore(us, { ...CLOUDHSM, CustomKeyStoreName: 'third' });
  });

  it('members of the other store type are ValidationException', async () => {
    const { us } = clients();
    const hsm = await newStore(us);
    const xks = await newStore(us, XKS);
    const a = await rejection(
      us.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: hsm, XksProxyUriPath: '/new/kms/xks/v1' })),
      ValidationException,
    );
    expect(a.message).toBe(
      `XksProxyUriPath is valid only for custom key stores with a CustomKeyStoreType of EXTERNAL_KEY_STORE; ${hsm} is AWS_CLOUDHSM.`,
    );
    const b = await rejection(
      us.send(
        new UpdateCustomKeyStoreCommand({
          CustomKeyStoreId: xks,
          KeyStorePassword: 'password1',
          CloudHsmClusterId: 'cluster-3a23b4cdefg',
        }),
      ),
      ValidationException,
    );
    expect(b.message).toBe(
      `KeyStorePassword and CloudHsmClusterId are valid only for custom key stores with a CustomKeyStoreType of AWS_CLOUDHSM; ${xks} is EXTERNAL_KEY_STORE.`,
    );
  });

  it('XKS: credential and URI path change while CONNECTED; the rest needs DISCONNECTED; connectivity rules', async () => {
    const { us, store } = clients();
    const id = await newStore(us, XKS);
    await us.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    const secret = 'b'.repeat(43) + '=';
    await us.send(
      new UpdateCustomKeyStoreCommand({
        CustomKeyStoreId: id,
        XksProxyUriPath: '/v2/kms/xks/v1',
        XksProxyAuthenticationCredential: { AccessKeyId: 'ZYXWVUTSRQ765432ZYXW', RawSecretAccessKey: secret },
      }),
    );
    expect((await stateOf(us, id)).XksProxyConfiguration).toEqual({
      Connectivity: 'PUBLIC_ENDPOINT',
      AccessKeyId: 'ZYXWVUTSRQ765432ZYXW',
      UriEndpoint: XKS.XksProxyUriEndpoint,
      UriPath: '/v2/kms/xks/v1',
    });
    expect(JSON.stringify(await store.listCustomKeyStores!(ACCOUNT, REGION))).not.toContain(secret);
    const e = await rejection(
      us.send(
        new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, XksProxyUriEndpoint: 'https://xks2.example.com' }),
      ),
      CustomKeyStoreInvalidStateException,
    );
    expect(e.message).toBe(
      invalidState('UpdateCustomKeyStore with XksProxyUriEndpoint', id, 'CONNECTED', 'DISCONNECTED'),
    );

    await us.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    const toVpc = (extra: Record<string, unknown>) =>
      us.send(
        new UpdateCustomKeyStoreCommand({
          CustomKeyStoreId: id,
          XksProxyConnectivity: 'VPC_ENDPOINT_SERVICE',
          ...extra,
        }),
      );
    expect((await rejection(toVpc({}), ValidationException)).message).toBe(
      'XksProxyUriEndpoint must change when XksProxyConnectivity changes.',
    );
    expect(
      (await rejection(toVpc({ XksProxyUriEndpoint: 'https://private.example.com' }), ValidationException)).message,
    ).toBe('XksProxyVpcEndpointServiceName is required when XksProxyConnectivity changes to VPC_ENDPOINT_SERVICE.');
    const pub = await rejection(
      us.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, XksProxyVpcEndpointServiceName: VPC_SERVICE })),
      ValidationException,
    );
    expect(pub.message).toBe(
      'XksProxyVpcEndpointServiceName is valid only when XksProxyConnectivity is VPC_ENDPOINT_SERVICE.',
    );
    await toVpc({
      XksProxyUriEndpoint: 'https://private.example.com',
      XksProxyVpcEndpointServiceName: VPC_SERVICE,
      XksProxyVpcEndpointServiceOwner: '123456789012',
    });
    expect((await stateOf(us, id)).XksProxyConfiguration).toMatchObject({
      Connectivity: 'VPC_ENDPOINT_SERVICE',
      UriEndpoint: 'https://private.example.com',
      VpcEndpointServiceName: VPC_SERVICE,
      VpcEndpointServiceOwner: '123456789012',
    });
    // Back to a public endpoint: the VPC endpoint service goes.
    await us.send(
      new UpdateCustomKeyStoreCommand({
        CustomKeyStoreId: id,
        XksProxyConnectivity: 'PUBLIC_ENDPOINT',
        XksProxyUriEndpoint: 'https://public.example.com',
      }),
    );
    expect((await stateOf(us, id)).XksProxyConfiguration).toEqual({
      Connectivity: 'PUBLIC_ENDPOINT',
      AccessKeyId: 'ZYXWVUTSRQ765432ZYXW',
      UriEndpoint: 'https://public.example.com',
      UriPath: '/v2/kms/xks/v1',
    });
  });

  it("XKS proxy settings stay unique: VPC endpoint service, a VPC store's URI endpoint, endpoint and path", async () => {
    const { us } = clients();
    const vpcStore = {
      ...XKS,
      CustomKeyStoreName: 'vpc',
      XksProxyConnectivity: 'VPC_ENDPOINT_SERVICE',
      XksProxyUriEndpoint: 'https://private.example.com',
      XksProxyVpcEndpointServiceName: VPC_SERVICE,
    };
    await newStore(us, vpcStore);
    await newStore(us, XKS);
    const id = await newStore(us, { ...XKS, CustomKeyStoreName: 'mine', XksProxyUriPath: '/mine/kms/xks/v1' });
    // CreateCustomKeyStore applies the same rules.
    await rejection(
      us.send(
        new CreateCustomKeyStoreCommand({
          ...vpcStore,
          CustomKeyStoreName: 'v2',
          XksProxyUriEndpoint: 'https://p2.example.com',
        } as never),
      ),
      XksProxyVpcEndpointServiceInUseException,
    );
    const toVpc = (endpoint: string, service: string) =>
      us.send(
        new UpdateCustomKeyStoreCommand({
          CustomKeyStoreId: id,
          XksProxyConnectivity: 'VPC_ENDPOINT_SERVICE',
          XksProxyUriEndpoint: endpoint,
          XksProxyVpcEndpointServiceName: service,
        }),
      );
    expect(
      (await rejection(toVpc('https://p2.example.com', VPC_SERVICE), XksProxyVpcEndpointServiceInUseException)).message,
    ).toBe(`The VPC endpoint service ${VPC_SERVICE} is already associated with another external key store.`);
    expect(
      (await rejection(toVpc('https://private.example.com', VPC_SERVICE_2), XksProxyUriEndpointInUseException)).message,
    ).toBe(
      'The XKS proxy URI endpoint https://private.example.com is already associated with another external key store.',
    );
    const uri = await rejection(
      us.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, XksProxyUriPath: XKS.XksProxyUriPath })),
      XksProxyUriInUseException,
    );
    expect(uri.message).toBe(`The XKS proxy URI ${XKS.XksProxyUriEndpoint}${XKS.XksProxyUriPath} is already in use.`);
    // Its own settings are no conflict.
    await us.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, XksProxyUriPath: '/mine/kms/xks/v1' }));
    await toVpc('https://p3.example.com', VPC_SERVICE_2);
  });
});

describe('DeleteCustomKeyStore', () => {
  it('needs DISCONNECTED and no key (one pending deletion counts); then the store is gone', async () => {
    const { us } = clients();
    const id = await newStore(us);
    await us.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    const connected = await rejection(
      us.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id })),
      CustomKeyStoreInvalidStateException,
    );
    expect(connected.message).toBe(invalidState('DeleteCustomKeyStore', id, 'CONNECTED', 'DISCONNECTED'));
    const k = await newKey(us, { CustomKeyStoreId: id });
    await us.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId, PendingWindowInDays: 7 }));
    await us.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    const has = await rejection(
      us.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id })),
      CustomKeyStoreHasCMKsException,
    );
    expect(has.message).toBe(
      `Custom key store ${id} contains 1 KMS key (a key pending deletion counts until it is deleted).`,
    );

    const empty = await newStore(us, {
      ...CLOUDHSM,
      CustomKeyStoreName: 'empty',
      CloudHsmClusterId: 'cluster-2a23b4cdefg',
    });
    expect(await us.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: empty }))).toEqual(EMPTY);
    expect(
      (await us.send(new DescribeCustomKeyStoresCommand({}))).CustomKeyStores!.map((c) => c.CustomKeyStoreId),
    ).toEqual([id]);
    await rejection(
      us.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: empty })),
      CustomKeyStoreNotFoundException,
    );
    await rejection(
      us.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: empty })),
      CustomKeyStoreNotFoundException,
    );
    // Its name and cluster are free again.
    await newStore(us, { ...CLOUDHSM, CustomKeyStoreName: 'empty', CloudHsmClusterId: 'cluster-2a23b4cdefg' });
  });

  it('a key store without deleteCustomKeyStore answers UnsupportedOperationException', async () => {
    const inner = new MemoryKeyStore();
    const bare: KeyStore = {
      getKey: (a, r, k) => inner.getKey(a, r, k),
      putKey: (rec) => inner.putKey(rec),
      listKeys: (a, r) => inner.listKeys(a, r),
      getAlias: (a, r, n) => inner.getAlias(a, r, n),
      putAlias: (rec) => inner.putAlias(rec),
      deleteAlias: (a, r, n) => inner.deleteAlias(a, r, n),
      listAliases: (a, r) => inner.listAliases(a, r),
      getCustomKeyStore: (a, r, i) => inner.getCustomKeyStore(a, r, i),
      putCustomKeyStore: (rec) => inner.putCustomKeyStore(rec),
      listCustomKeyStores: (a, r) => inner.listCustomKeyStores(a, r),
    };
    const c = new KMSClient({ store: bare });
    const id = await newStore(c);
    await rejection(c.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id })), UnsupportedOperationException);
    expect((await stateOf(c, id)).CustomKeyStoreId).toBe(id);
  });
});

describe('custom key store lifecycle on the file store', () => {
  it('connection state, settings and deletion survive closing and reopening the store', async () => {
    const dir = await tempDir();
    let store = await FileKeyStore.open(dir);
    let c = new KMSClient({ store });
    const id = await newStore(c);
    const gone = await newStore(c, XKS);
    await c.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    const k = await newKey(c, { CustomKeyStoreId: id });
    await c.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, NewCustomKeyStoreName: 'kept' }));
    await c.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    await c.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: gone }));
    await store.close();

    store = await FileKeyStore.open(dir);
    c = new KMSClient({ store });
    const all = (await c.send(new DescribeCustomKeyStoresCommand({}))).CustomKeyStores!;
    expect(all.map((s) => [s.CustomKeyStoreId, s.CustomKeyStoreName, s.ConnectionState])).toEqual([
      [id, 'kept', 'DISCONNECTED'],
    ]);
    expect(await keyState(c, k.KeyId)).toEqual({ KeyState: 'Unavailable', Enabled: false });
    await c.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    await store.close();

    store = await FileKeyStore.open(dir);
    c = new KMSClient({ store });
    expect((await stateOf(c, id)).ConnectionState).toBe('CONNECTED');
    expect(await keyState(c, k.KeyId)).toEqual({ KeyState: 'Enabled', Enabled: true });
    await store.close();
  });
});

describe('custom key store lifecycle: the endpoint with @aws-sdk/client-kms', () => {
  const ep = useEndpoint({ port: 0, store: new MemoryKeyStore() });

  it('connect, update, create a key, disconnect, delete refused then allowed; errors as SDK exceptions', async () => {
    const c = ep.sdk();
    const id = (await c.send(new sdk.CreateCustomKeyStoreCommand(CLOUDHSM))).CustomKeyStoreId!;
    const desc = async () =>
      (await c.send(new sdk.DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id }))).CustomKeyStores![0]!;
    expect((await desc()).ConnectionState).toBe('DISCONNECTED');
    const connected = await c.send(new sdk.ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    expect(connected.$metadata.httpStatusCode).toBe(200);
    await c.send(new sdk.UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, NewCustomKeyStoreName: 'via-sdk' }));
    expect(await desc()).toMatchObject({ ConnectionState: 'CONNECTED', CustomKeyStoreName: 'via-sdk' });
    const k = (await c.send(new sdk.CreateKeyCommand({ CustomKeyStoreId: id }))).KeyMetadata!;
    expect(k.Origin).toBe('AWS_CLOUDHSM');

    const upd = await c
      .send(new sdk.UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, KeyStorePassword: 'password2' }))
      .catch((e: unknown) => e);
    expect(upd).toBeInstanceOf(sdk.CustomKeyStoreInvalidStateException);
    expect((upd as Error).message).toBe(
      invalidState('UpdateCustomKeyStore with KeyStorePassword', id, 'CONNECTED', 'DISCONNECTED'),
    );
    await c.send(new sdk.DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    expect((await c.send(new sdk.DescribeKeyCommand({ KeyId: k.KeyId }))).KeyMetadata!.KeyState).toBe('Unavailable');
    const enc = await c
      .send(new sdk.EncryptCommand({ KeyId: k.KeyId, Plaintext: Uint8Array.of(1) }))
      .catch((e: unknown) => e);
    expect(enc).toBeInstanceOf(sdk.KMSInvalidStateException);
    expect((enc as Error).message).toBe(`${k.Arn} is unavailable.`);
    const del = await c.send(new sdk.DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id })).catch((e: unknown) => e);
    expect(del).toBeInstanceOf(sdk.CustomKeyStoreHasCMKsException);
    expect((del as sdk.CustomKeyStoreHasCMKsException).$metadata.httpStatusCode).toBe(400);

    const empty = (await c.send(new sdk.CreateCustomKeyStoreCommand(XKS))).CustomKeyStoreId!;
    await c.send(new sdk.DeleteCustomKeyStoreCommand({ CustomKeyStoreId: empty }));
    const nf = await c.send(new sdk.ConnectCustomKeyStoreCommand({ CustomKeyStoreId: empty })).catch((e: unknown) => e);
    expect(nf).toBeInstanceOf(sdk.CustomKeyStoreNotFoundException);
    expect((nf as Error).message).toBe(`Custom key store ${empty} does not exist.`);
  });
});

describe('custom key store lifecycle: the CLI', () => {
  const cli = useCli();

  it('connect, update (name, XKS credential as shorthand), disconnect, delete; errors exit 254', () => {
    const id = cli.ok(['create-custom-key-store', ...Object.entries(XKS).flatMap(([k, v]) => cliOption(k, v))])
      .CustomKeyStoreId as string;
    expect(cli.ok(['connect-custom-key-store', '--custom-key-store-id', id])).toEqual({});
    expect(
      cli.ok([
        'update-custom-key-store',
        '--custom-key-store-id',
        id,
        '--new-custom-key-store-name',
        'cli-store',
        '--xks-proxy-authentication-credential',
        `AccessKeyId=QRSTUVWXYZ234567QRST,RawSecretAccessKey=${'c'.repeat(43)}=`,
      ]),
    ).toEqual({});
    const [entry] = cli.ok(['describe-custom-key-stores', '--custom-key-store-id', id]).CustomKeyStores as {
      CustomKeyStoreName: string;
      ConnectionState: string;
      XksProxyConfiguration: { AccessKeyId: string };
    }[];
    expect(entry).toMatchObject({
      CustomKeyStoreName: 'cli-store',
      ConnectionState: 'CONNECTED',
      XksProxyConfiguration: { AccessKeyId: 'QRSTUVWXYZ234567QRST' },
    });
    const refused = cli.run(['delete-custom-key-store', '--custom-key-store-id', id]);
    expect(refused.status).toBe(254);
    expect(refused.stderr).toContain(
      'An error occurred (CustomKeyStoreInvalidStateException) when calling the DeleteCustomKeyStore operation: ' +
        invalidState('DeleteCustomKeyStore', id, 'CONNECTED', 'DISCONNECTED'),
    );
    expect(cli.ok(['disconnect-custom-key-store', '--custom-key-store-id', id])).toEqual({});
    const again = cli.run(['disconnect-custom-key-store', '--custom-key-store-id', id]);
    expect(again.status).toBe(254);
    expect(again.stderr).toContain('CustomKeyStoreInvalidStateException');
    expect(cli.ok(['delete-custom-key-store', '--custom-key-store-id', id])).toEqual({});
    expect(cli.ok(['describe-custom-key-stores']).CustomKeyStores).toEqual([]);
    const missing = cli.run([
      'update-custom-key-store',
      '--custom-key-store-id',
      id,
      '--new-custom-key-store-name',
      'x',
    ]);
    expect(missing.status).toBe(254);
    expect(missing.stderr).toContain(
      `An error occurred (CustomKeyStoreNotFoundException) when calling the UpdateCustomKeyStore operation: Custom key store ${id} does not exist.`,
    );
  });
});

/** A CLI option for an input member: `--kebab-name value`, a structure as JSON. */
function cliOption(member: string, value: unknown): string[] {
  const flag = '--' + member.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  return [flag, typeof value === 'string' ? value : JSON.stringify(value)];
}
