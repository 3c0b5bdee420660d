// Custom key stores through KMSClient: CreateCustomKeyStore, DescribeCustomKeyStores, CreateKey in a store.

import { describe, it, expect } from 'vitest';
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  GenerateDataKeyPairCommand,
  EncryptCommand,
  DecryptCommand,
  ValidationException,
  UnsupportedOperationException,
  CustomKeyStoreNotFoundException,
  CustomKeyStoreNameInUseException,
  CloudHsmClusterInUseException,
  CustomKeyStoreInvalidStateException,
  InvalidMarkerException,
} from '../../src/kms/index.js';
import {
  ConnectCustomKeyStoreCommand,
  CreateCustomKeyStoreCommand,
  DescribeCustomKeyStoresCommand,
} from '../../src/kms/registry.js';
import { CLOUDHSM, XKS, clients, newKey, rejection } from '../helpers/kms.js';

describe('custom key stores', () => {
  it('end to end: create (DISCONNECTED), describe, connect, CreateKey in the store, GenerateDataKeyPair refused, Encrypt works', async () => {
    const { us, west } = clients();
    const { CustomKeyStoreId: id } = await us.send(new CreateCustomKeyStoreCommand(CLOUDHSM));
    expect(id).toMatch(/^cks-[0-9a-f]{17}$/);

    const all = await us.send(new DescribeCustomKeyStoresCommand({}));
    expect(all.Truncated).toBe(false);
    expect(all.CustomKeyStores).toHaveLength(1);
    const entry = all.CustomKeyStores![0];
    expect(entry).toMatchObject({
      CustomKeyStoreId: id,
      CustomKeyStoreName: 'hsm-store',
      CustomKeyStoreType: 'AWS_CLOUDHSM',
      CloudHsmClusterId: CLOUDHSM.CloudHsmClusterId,
      TrustAnchorCertificate: CLOUDHSM.TrustAnchorCertificate,
      ConnectionState: 'DISCONNECTED',
    });
    expect(entry.CreationDate).toBeInstanceOf(Date);
    expect(JSON.stringify(entry)).not.toContain('kmsPassword');
    expect((await us.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id }))).CustomKeyStores).toEqual([
      entry,
    ]);
    expect(
      (await us.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreName: 'hsm-store' }))).CustomKeyStores,
    ).toEqual([entry]);
    expect((await west.send(new DescribeCustomKeyStoresCommand({}))).CustomKeyStores).toEqual([]);

    // A new store is DISCONNECTED, as in KMS: no key can be created in it until it is connected.
    const refused = await rejection(
      us.send(new CreateKeyCommand({ CustomKeyStoreId: id, Origin: 'AWS_CLOUDHSM' })),
      CustomKeyStoreInvalidStateException,
    );
    expect(refused.message).toBe(`Custom key store ${id} is not connected.`);
    await us.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    const md = await newKey(us, { CustomKeyStoreId: id, Origin: 'AWS_CLOUDHSM' });
    expect(md).toMatchObject({
      CustomKeyStoreId: id,
      Origin: 'AWS_CLOUDHSM',
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyState: 'Enabled',
    });
    expect((await us.send(new DescribeKeyCommand({ KeyId: md.KeyId }))).KeyMetadata!.CustomKeyStoreId).toBe(id);
    // Origin omitted: taken from the store's type.
    expect((await newKey(us, { CustomKeyStoreId: id })).Origin).toBe('AWS_CLOUDHSM');

    await rejection(
      us.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'ECC_NIST_P256' })),
      UnsupportedOperationException,
    );
    const ct = await us.send(new EncryptCommand({ KeyId: md.KeyId, Plaintext: Uint8Array.of(7) }));
    const pt = await us.send(new DecryptCommand({ CiphertextBlob: ct.CiphertextBlob }));
    expect([...pt.Plaintext!]).toEqual([7]);
  });

  it('name in use, cluster in use, unknown id/name, other Region', async () => {
    const { us, west } = clients();
    await us.send(new CreateCustomKeyStoreCommand(CLOUDHSM));
    await rejection(
      us.send(new CreateCustomKeyStoreCommand({ ...CLOUDHSM, CloudHsmClusterId: 'cluster-2a23b4cdefg' })),
      CustomKeyStoreNameInUseException,
    );
    await rejection(
      us.send(new CreateCustomKeyStoreCommand({ ...CLOUDHSM, CustomKeyStoreName: 'other' })),
      CloudHsmClusterInUseException,
    );
    // Names are per account and Region.
    await west.send(new CreateCustomKeyStoreCommand(CLOUDHSM));
    await rejection(
      us.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: 'cks-0123456789abcdef0' })),
      CustomKeyStoreNotFoundException,
    );
    await rejection(
      us.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreName: 'nope' })),
      CustomKeyStoreNotFoundException,
    );
    await rejection(
      us.send(new CreateKeyCommand({ CustomKeyStoreId: 'cks-0123456789abcdef0', Origin: 'AWS_CLOUDHSM' })),
      CustomKeyStoreNotFoundException,
    );
  });

  it('required members per store type; CreateKey rules in a store', async () => {
    const { us } = clients();
    await rejection(us.send(new CreateCustomKeyStoreCommand({ CustomKeyStoreName: 'x' })), ValidationException);
    await rejection(
      us.send(new CreateCustomKeyStoreCommand({ CustomKeyStoreName: 'x', CustomKeyStoreType: 'EXTERNAL_KEY_STORE' })),
      ValidationException,
    );
    const { CustomKeyStoreId: xid } = await us.send(new CreateCustomKeyStoreCommand(XKS));
    const [xentry] = (await us.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: xid }))).CustomKeyStores!;
    expect(xentry).toMatchObject({
      CustomKeyStoreType: 'EXTERNAL_KEY_STORE',
      XksProxyConfiguration: {
        Connectivity: 'PUBLIC_ENDPOINT',
        AccessKeyId: XKS.XksProxyAuthenticationCredential.AccessKeyId,
        UriEndpoint: XKS.XksProxyUriEndpoint,
        UriPath: XKS.XksProxyUriPath,
      },
    });
    expect(JSON.stringify(xentry)).not.toContain('aaaa');
    await us.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: xid }));
    const md = await newKey(us, { CustomKeyStoreId: xid, Origin: 'EXTERNAL_KEY_STORE', XksKeyId: 'ext-key-1' });
    expect(md).toMatchObject({ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: xid });
    await rejection(
      us.send(new CreateKeyCommand({ CustomKeyStoreId: xid, Origin: 'EXTERNAL_KEY_STORE' })),
      ValidationException,
    );
    await rejection(
      us.send(new CreateKeyCommand({ CustomKeyStoreId: xid, Origin: 'AWS_CLOUDHSM' })),
      UnsupportedOperationException,
    );
    await rejection(
      us.send(
        new CreateKeyCommand({
          CustomKeyStoreId: xid,
          Origin: 'EXTERNAL_KEY_STORE',
          XksKeyId: 'k',
          KeySpec: 'RSA_2048',
          KeyUsage: 'SIGN_VERIFY',
        }),
      ),
      UnsupportedOperationException,
    );
    await rejection(us.send(new CreateKeyCommand({ Origin: 'AWS_CLOUDHSM' })), ValidationException);
  });

  it('paging with Limit and Marker', async () => {
    const { us } = clients();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        (
          await us.send(
            new CreateCustomKeyStoreCommand({
              ...CLOUDHSM,
              CustomKeyStoreName: `s${i}`,
              CloudHsmClusterId: `cluster-${i}a23b4cdefg`,
            }),
          )
        ).CustomKeyStoreId!,
      );
    }
    const p1 = await us.send(new DescribeCustomKeyStoresCommand({ Limit: 2 }));
    expect(p1.CustomKeyStores!.map((c) => c.CustomKeyStoreId)).toEqual(ids.slice(0, 2));
    expect(p1.Truncated).toBe(true);
    const p2 = await us.send(new DescribeCustomKeyStoresCommand({ Limit: 2, Marker: p1.NextMarker }));
    expect(p2.CustomKeyStores!.map((c) => c.CustomKeyStoreId)).toEqual(ids.slice(2));
    expect(p2.Truncated).toBe(false);
    expect(p2).not.toHaveProperty('NextMarker');
    await rejection(us.send(new DescribeCustomKeyStoresCommand({ Marker: 'garbage' })), InvalidMarkerException);
  });
});
