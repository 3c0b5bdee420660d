// Shared by the KMS engine tests: clients on one store, making a key, and catching a rejection checked to be an
// SDK-shaped client-fault KMS exception of the expected class.
import { expect } from 'vitest';
import { caught } from './caught.js';
import {
  CreateKeyCommand,
  KMSClient,
  KMSServiceException,
  MemoryKeyStore,
  type KeyStore,
} from '../../src/kms/index.js';

/** The account of the clients' other-account caller. */
export const OTHER_ACCOUNT = '444455556666';

/**
 * Clients on one store: `us` (us-east-1, account 111122223333), `cn` (cn-north-1), `west`
 * (us-west-2) and `other` (us-east-1, another account).
 */
export function clients(store: KeyStore = new MemoryKeyStore()) {
  return {
    store,
    us: new KMSClient({ store }),
    cn: new KMSClient({ store, region: 'cn-north-1' }),
    west: new KMSClient({ store, region: 'us-west-2' }),
    other: new KMSClient({ store, accountId: OTHER_ACCOUNT }),
  };
}

export async function newKey(client: KMSClient, input: Record<string, unknown> = {}) {
  const out = await client.send(new CreateKeyCommand(input));
  return out.KeyMetadata!;
}

/** The rejection of `p`, checked to be a KMS exception of class `cls` with SDK-shaped fields. */
export async function rejection<T extends KMSServiceException>(
  p: Promise<unknown>,
  cls: new (...a: never[]) => T,
): Promise<T> {
  const err = await caught(p);
  expect(err).toBeInstanceOf(cls);
  expect(err).toBeInstanceOf(KMSServiceException);
  const e = err as T;
  expect(e.name).toBe(cls.name);
  expect(e.$fault).toBe('client');
  expect(e.$metadata.httpStatusCode).toBe(400);
  expect(typeof e.$metadata.requestId).toBe('string');
  return e;
}

/** Custom key store inputs that pass validation: a CloudHSM store and an external key store. */
export const CLOUDHSM = {
  CustomKeyStoreName: 'hsm-store',
  CloudHsmClusterId: 'cluster-1a23b4cdefg',
  TrustAnchorCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
  KeyStorePassword: 'kmsPassword',
};
export const XKS = {
  CustomKeyStoreName: 'xks-store',
  CustomKeyStoreType: 'EXTERNAL_KEY_STORE' as const,
  XksProxyUriEndpoint: 'https://xks.example.com',
  XksProxyUriPath: '/example/kms/xks/v1',
  XksProxyConnectivity: 'PUBLIC_ENDPOINT' as const,
  XksProxyAuthenticationCredential: { AccessKeyId: 'ABCDEFGHIJ234567ABCD', RawSecretAccessKey: 'a'.repeat(43) + '=' },
};
