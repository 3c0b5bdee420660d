// UpdateCustomKeyStore: changes the settings of a custom key store, as the SDK model's doc
// comments give the rules:
// - members of the other store type are refused (KeyStorePassword and CloudHsmClusterId are for
//   AWS_CLOUDHSM stores, the Xks* members for EXTERNAL_KEY_STORE stores): ValidationException;
// - NewCustomKeyStoreName (and, for an external key store, XksProxyAuthenticationCredential and
//   XksProxyUriPath) may change while the store is CONNECTED or DISCONNECTED; every other member
//   needs DISCONNECTED: CustomKeyStoreInvalidStateException;
// - the name is unique in the account and Region (CustomKeyStoreNameInUseException);
// - a new CloudHSM cluster must be related to the store's (share its backup history). No cluster
//   stands behind this engine, so the one relation it can judge is this: a cluster associated with
//   another custom key store is not related, since CreateCustomKeyStore refuses a cluster that
//   shares a backup history with another store's (CloudHsmClusterNotRelatedException);
// - XksProxyConnectivity changes only together with XksProxyUriEndpoint; to VPC_ENDPOINT_SERVICE
//   it needs an XksProxyVpcEndpointServiceName, to PUBLIC_ENDPOINT the VPC endpoint service is
//   dropped (ValidationException otherwise); the new proxy settings follow the uniqueness rules of
//   CreateCustomKeyStore (custom-key-stores.ts checkXksProxyUnique).
// The password and the XKS secret access key are checked by the schema and never kept.
// Messages are ours (none is recorded from AWS).

import { transactional, type OperationContext } from '../context.js';
import { validateInput } from '../validation.js';
import { authorizeAccount } from '../authorize.js';
import {
  CloudHsmClusterNotRelatedException,
  CustomKeyStoreNameInUseException,
  ValidationException,
} from '../exceptions.js';
import {
  checkXksProxyUnique,
  customKeyStoreMethods,
  findCustomKeyStore,
  requireConnectionState,
} from '../custom-key-stores.js';
import type { XksProxyAuthenticationCredentialType } from './create-custom-key-store.js';

export interface UpdateCustomKeyStoreInput {
  CustomKeyStoreId: string | undefined;
  NewCustomKeyStoreName?: string;
  KeyStorePassword?: string;
  CloudHsmClusterId?: string;
  XksProxyUriEndpoint?: string;
  XksProxyUriPath?: string;
  XksProxyVpcEndpointServiceName?: string;
  XksProxyVpcEndpointServiceOwner?: string;
  XksProxyAuthenticationCredential?: XksProxyAuthenticationCredentialType;
  XksProxyConnectivity?: 'PUBLIC_ENDPOINT' | 'VPC_ENDPOINT_SERVICE';
}

type Member = Exclude<keyof UpdateCustomKeyStoreInput, 'CustomKeyStoreId'>;

const CLOUDHSM_MEMBERS: readonly Member[] = ['KeyStorePassword', 'CloudHsmClusterId'];
const XKS_MEMBERS: readonly Member[] = [
  'XksProxyUriEndpoint',
  'XksProxyUriPath',
  'XksProxyVpcEndpointServiceName',
  'XksProxyVpcEndpointServiceOwner',
  'XksProxyAuthenticationCredential',
  'XksProxyConnectivity',
];
/** What may change while the store is CONNECTED, by store type; the rest needs DISCONNECTED. */
const WHILE_CONNECTED: Record<'AWS_CLOUDHSM' | 'EXTERNAL_KEY_STORE', readonly Member[]> = {
  AWS_CLOUDHSM: ['NewCustomKeyStoreName'],
  EXTERNAL_KEY_STORE: ['NewCustomKeyStoreName', 'XksProxyAuthenticationCredential', 'XksProxyUriPath'],
};

const list = (names: readonly string[]): string =>
  names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;

async function updateCustomKeyStoreUnlocked(
  ctx: OperationContext,
  input: UpdateCustomKeyStoreInput,
): Promise<Record<string, never>> {
  validateInput('UpdateCustomKeyStore', input);
  authorizeAccount(ctx, 'UpdateCustomKeyStore');
  const cks = await findCustomKeyStore(ctx, input.CustomKeyStoreId as string);
  const type = cks.customKeyStoreType;
  const given = (Object.keys(input) as (keyof UpdateCustomKeyStoreInput)[]).filter(
    (k): k is Member => k !== 'CustomKeyStoreId' && input[k] !== undefined && input[k] !== null,
  );

  const foreign = given.filter((m) => (type === 'AWS_CLOUDHSM' ? XKS_MEMBERS : CLOUDHSM_MEMBERS).includes(m));
  if (foreign.length > 0) {
    const other = type === 'AWS_CLOUDHSM' ? 'EXTERNAL_KEY_STORE' : 'AWS_CLOUDHSM';
    throw new ValidationException(
      `${list(foreign)} ${foreign.length === 1 ? 'is' : 'are'} valid only for custom key stores with a ` +
        `CustomKeyStoreType of ${other}; ${cks.customKeyStoreId} is ${type}.`,
    );
  }

  const needDisconnected = given.filter((m) => !WHILE_CONNECTED[type].includes(m));
  if (needDisconnected.length > 0) {
    requireConnectionState(cks, `UpdateCustomKeyStore with ${list(needDisconnected)}`, ['DISCONNECTED']);
  } else {
    requireConnectionState(cks, 'UpdateCustomKeyStore', ['CONNECTED', 'DISCONNECTED']);
  }

  const m = customKeyStoreMethods(ctx.store);
  const others = (await m.list(ctx.account, ctx.region)).filter((c) => c.customKeyStoreId !== cks.customKeyStoreId);
  const name = input.NewCustomKeyStoreName;
  if (name !== undefined) {
    if (others.some((c) => c.customKeyStoreName === name)) {
      throw new CustomKeyStoreNameInUseException(
        `Custom key store name ${name} is already in use in this account and Region.`,
      );
    }
    cks.customKeyStoreName = name;
  }

  if (type === 'AWS_CLOUDHSM') {
    const cluster = input.CloudHsmClusterId;
    if (cluster !== undefined && cluster !== cks.cloudHsmClusterId) {
      const holder = others.find((c) => c.cloudHsmClusterId === cluster);
      if (holder !== undefined) {
        throw new CloudHsmClusterNotRelatedException(
          `CloudHSM cluster ${cluster} is not related to the cluster of custom key store ${cks.customKeyStoreId}: ` +
            `it is associated with custom key store ${holder.customKeyStoreId}.`,
        );
      }
      cks.cloudHsmClusterId = cluster;
    }
  } else {
    const cur = cks.xksProxyConfiguration ?? {};
    const next = { ...cur };
    const connectivity = input.XksProxyConnectivity;
    if (connectivity !== undefined && connectivity !== cur.Connectivity) {
      if (input.XksProxyUriEndpoint === undefined || input.XksProxyUriEndpoint === cur.UriEndpoint) {
        throw new ValidationException('XksProxyUriEndpoint must change when XksProxyConnectivity changes.');
      }
      if (connectivity === 'VPC_ENDPOINT_SERVICE' && input.XksProxyVpcEndpointServiceName === undefined) {
        throw new ValidationException(
          'XksProxyVpcEndpointServiceName is required when XksProxyConnectivity changes to VPC_ENDPOINT_SERVICE.',
        );
      }
      next.Connectivity = connectivity;
      if (connectivity === 'PUBLIC_ENDPOINT') {
        delete next.VpcEndpointServiceName;
        delete next.VpcEndpointServiceOwner;
      }
    }
    if (next.Connectivity !== 'VPC_ENDPOINT_SERVICE') {
      const vpc = given.filter(
        (g) => g === 'XksProxyVpcEndpointServiceName' || g === 'XksProxyVpcEndpointServiceOwner',
      );
      if (vpc.length > 0) {
        throw new ValidationException(
          `${list(vpc)} ${vpc.length === 1 ? 'is' : 'are'} valid only when XksProxyConnectivity is VPC_ENDPOINT_SERVICE.`,
        );
      }
    }
    if (input.XksProxyUriEndpoint !== undefined) next.UriEndpoint = input.XksProxyUriEndpoint;
    if (input.XksProxyUriPath !== undefined) next.UriPath = input.XksProxyUriPath;
    if (input.XksProxyVpcEndpointServiceName !== undefined)
      next.VpcEndpointServiceName = input.XksProxyVpcEndpointServiceName;
    if (input.XksProxyVpcEndpointServiceOwner !== undefined)
      next.VpcEndpointServiceOwner = input.XksProxyVpcEndpointServiceOwner;
    if (input.XksProxyAuthenticationCredential !== undefined)
      next.AccessKeyId = input.XksProxyAuthenticationCredential.AccessKeyId;
    const moved =
      next.Connectivity !== cur.Connectivity ||
      next.UriEndpoint !== cur.UriEndpoint ||
      next.UriPath !== cur.UriPath ||
      next.VpcEndpointServiceName !== cur.VpcEndpointServiceName;
    if (moved) checkXksProxyUnique(others, next);
    cks.xksProxyConfiguration = next;
  }

  await m.put(cks);
  return {};
}

/** UpdateCustomKeyStore, inside the store's transaction (context.ts transactional). */
export const updateCustomKeyStore = transactional(updateCustomKeyStoreUnlocked);
