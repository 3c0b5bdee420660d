// CreateCustomKeyStore: records a custom key store. Nothing stands behind it: no CloudHSM
// cluster is contacted and no XKS proxy is called, and keys created in it hold locally generated
// material. As in KMS, a new store is DISCONNECTED: ConnectCustomKeyStore connects it before keys
// can be created in it. The secrets (KeyStorePassword, XKS RawSecretAccessKey) are checked and
// not kept. Messages of the rules below the schema are ours.

import { transactional, type OperationContext } from '../context.js';
import { validateInput } from '../validation.js';
import { authorizeAccount } from '../authorize.js';
import { CloudHsmClusterInUseException, CustomKeyStoreNameInUseException, ValidationException } from '../exceptions.js';
import { checkXksProxyUnique, customKeyStoreMethods } from '../custom-key-stores.js';
import { newCustomKeyStoreId, type CustomKeyStoreRecord } from '../store.js';

export interface XksProxyAuthenticationCredentialType {
  AccessKeyId: string | undefined;
  RawSecretAccessKey: string | undefined;
}

export interface CreateCustomKeyStoreInput {
  CustomKeyStoreName: string | undefined;
  CloudHsmClusterId?: string;
  TrustAnchorCertificate?: string;
  KeyStorePassword?: string;
  CustomKeyStoreType?: 'AWS_CLOUDHSM' | 'EXTERNAL_KEY_STORE';
  XksProxyUriEndpoint?: string;
  XksProxyUriPath?: string;
  XksProxyVpcEndpointServiceName?: string;
  XksProxyVpcEndpointServiceOwner?: string;
  XksProxyAuthenticationCredential?: XksProxyAuthenticationCredentialType;
  XksProxyConnectivity?: 'PUBLIC_ENDPOINT' | 'VPC_ENDPOINT_SERVICE';
}

export interface CreateCustomKeyStoreOutput {
  CustomKeyStoreId?: string;
}

function requireMembers(input: object, names: readonly string[], why: string): void {
  const rec = input as Record<string, unknown>;
  const missing = names.filter((n) => rec[n] === undefined || rec[n] === null);
  if (missing.length > 0)
    throw new ValidationException(`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} required ${why}.`);
}

async function createCustomKeyStoreUnlocked(
  ctx: OperationContext,
  input: CreateCustomKeyStoreInput,
): Promise<CreateCustomKeyStoreOutput> {
  validateInput('CreateCustomKeyStore', input);
  authorizeAccount(ctx, 'CreateCustomKeyStore');
  const type = input.CustomKeyStoreType ?? 'AWS_CLOUDHSM';
  if (type === 'AWS_CLOUDHSM') {
    requireMembers(
      input,
      ['CloudHsmClusterId', 'TrustAnchorCertificate', 'KeyStorePassword'],
      'for an AWS_CLOUDHSM custom key store',
    );
  } else {
    requireMembers(
      input,
      ['XksProxyUriEndpoint', 'XksProxyUriPath', 'XksProxyAuthenticationCredential', 'XksProxyConnectivity'],
      'for an EXTERNAL_KEY_STORE custom key store',
    );
    if (input.XksProxyConnectivity === 'VPC_ENDPOINT_SERVICE') {
      requireMembers(input, ['XksProxyVpcEndpointServiceName'], 'when XksProxyConnectivity is VPC_ENDPOINT_SERVICE');
    } else if (input.XksProxyVpcEndpointServiceName !== undefined) {
      throw new ValidationException(
        'XksProxyVpcEndpointServiceName is valid only when XksProxyConnectivity is VPC_ENDPOINT_SERVICE.',
      );
    }
  }

  const m = customKeyStoreMethods(ctx.store);
  const existing = await m.list(ctx.account, ctx.region);
  const name = input.CustomKeyStoreName as string;
  if (existing.some((c) => c.customKeyStoreName === name)) {
    throw new CustomKeyStoreNameInUseException(
      `Custom key store name ${name} is already in use in this account and Region.`,
    );
  }
  if (type === 'AWS_CLOUDHSM' && existing.some((c) => c.cloudHsmClusterId === input.CloudHsmClusterId)) {
    throw new CloudHsmClusterInUseException(
      `CloudHSM cluster ${input.CloudHsmClusterId} is already associated with a custom key store.`,
    );
  }
  if (type === 'EXTERNAL_KEY_STORE') {
    checkXksProxyUnique(existing, {
      Connectivity: input.XksProxyConnectivity,
      UriEndpoint: input.XksProxyUriEndpoint,
      UriPath: input.XksProxyUriPath,
      VpcEndpointServiceName: input.XksProxyVpcEndpointServiceName,
    });
  }

  const record: CustomKeyStoreRecord = {
    customKeyStoreId: newCustomKeyStoreId(),
    account: ctx.account,
    region: ctx.region,
    customKeyStoreName: name,
    customKeyStoreType: type,
    connectionState: 'DISCONNECTED',
    creationDate: new Date(),
  };
  if (type === 'AWS_CLOUDHSM') {
    record.cloudHsmClusterId = input.CloudHsmClusterId;
    record.trustAnchorCertificate = input.TrustAnchorCertificate;
  } else {
    const xks: NonNullable<CustomKeyStoreRecord['xksProxyConfiguration']> = {
      Connectivity: input.XksProxyConnectivity,
      AccessKeyId: input.XksProxyAuthenticationCredential?.AccessKeyId,
      UriEndpoint: input.XksProxyUriEndpoint,
      UriPath: input.XksProxyUriPath,
    };
    if (input.XksProxyVpcEndpointServiceName !== undefined)
      xks.VpcEndpointServiceName = input.XksProxyVpcEndpointServiceName;
    if (input.XksProxyVpcEndpointServiceOwner !== undefined)
      xks.VpcEndpointServiceOwner = input.XksProxyVpcEndpointServiceOwner;
    record.xksProxyConfiguration = xks;
  }
  await m.put(record);
  return { CustomKeyStoreId: record.customKeyStoreId };
}

/** CreateCustomKeyStore, inside the store's transaction (context.ts transactional). */
export const createCustomKeyStore = transactional(createCustomKeyStoreUnlocked);
