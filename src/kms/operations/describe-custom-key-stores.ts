// DescribeCustomKeyStores: the custom key stores of the caller's account and Region, in creation
// order; one by CustomKeyStoreId or CustomKeyStoreName (both given: both must match), or all,
// paged by Limit (default 100) and Marker. ConnectionState is the record's (a new store is
// DISCONNECTED until ConnectCustomKeyStore). An unknown id or name is CustomKeyStoreNotFoundException (message ours).

import { validateInput } from '../validation.js';
import { authorizeAccount } from '../authorize.js';
import { CustomKeyStoreNotFoundException, InvalidMarkerException } from '../exceptions.js';
import type { OperationContext } from '../context.js';
import type { CustomKeyStoreRecord } from '../store.js';
import { customKeyStoreMethods } from '../custom-key-stores.js';

export interface DescribeCustomKeyStoresInput {
  CustomKeyStoreId?: string;
  CustomKeyStoreName?: string;
  Limit?: number;
  Marker?: string;
}

export interface CustomKeyStoresListEntry {
  CustomKeyStoreId?: string;
  CustomKeyStoreName?: string;
  CloudHsmClusterId?: string;
  TrustAnchorCertificate?: string;
  ConnectionState?: string;
  ConnectionErrorCode?: string;
  CreationDate?: Date;
  CustomKeyStoreType?: string;
  XksProxyConfiguration?: {
    Connectivity?: string;
    AccessKeyId?: string;
    UriEndpoint?: string;
    UriPath?: string;
    VpcEndpointServiceName?: string;
    VpcEndpointServiceOwner?: string;
  };
}

export interface DescribeCustomKeyStoresOutput {
  CustomKeyStores?: CustomKeyStoresListEntry[];
  NextMarker?: string;
  Truncated?: boolean;
}

function entry(c: CustomKeyStoreRecord): CustomKeyStoresListEntry {
  const e: CustomKeyStoresListEntry = {
    CustomKeyStoreId: c.customKeyStoreId,
    CustomKeyStoreName: c.customKeyStoreName,
    ConnectionState: c.connectionState,
    CreationDate: new Date(c.creationDate.getTime()),
    CustomKeyStoreType: c.customKeyStoreType,
  };
  if (c.cloudHsmClusterId !== undefined) e.CloudHsmClusterId = c.cloudHsmClusterId;
  if (c.trustAnchorCertificate !== undefined) e.TrustAnchorCertificate = c.trustAnchorCertificate;
  if (c.xksProxyConfiguration !== undefined) e.XksProxyConfiguration = { ...c.xksProxyConfiguration };
  return e;
}

const MARKER_PREFIX = 'cks-marker-';

export async function describeCustomKeyStores(
  ctx: OperationContext,
  input: DescribeCustomKeyStoresInput = {},
): Promise<DescribeCustomKeyStoresOutput> {
  validateInput('DescribeCustomKeyStores', input);
  authorizeAccount(ctx, 'DescribeCustomKeyStores');
  const m = customKeyStoreMethods(ctx.store);
  let stores = await m.list(ctx.account, ctx.region);
  if (input.CustomKeyStoreId !== undefined) {
    stores = stores.filter((c) => c.customKeyStoreId === input.CustomKeyStoreId);
    if (stores.length === 0)
      throw new CustomKeyStoreNotFoundException(`Custom key store ${input.CustomKeyStoreId} does not exist.`);
  }
  if (input.CustomKeyStoreName !== undefined) {
    stores = stores.filter((c) => c.customKeyStoreName === input.CustomKeyStoreName);
    if (stores.length === 0) {
      throw new CustomKeyStoreNotFoundException(
        `Custom key store with name ${input.CustomKeyStoreName} does not exist.`,
      );
    }
  }
  let start = 0;
  if (input.Marker !== undefined) {
    const n = input.Marker.startsWith(MARKER_PREFIX) ? Number(input.Marker.slice(MARKER_PREFIX.length)) : NaN;
    if (!Number.isInteger(n) || n < 0 || n > stores.length)
      throw new InvalidMarkerException(`Invalid marker ${input.Marker}`);
    start = n;
  }
  const limit = input.Limit ?? 100;
  const page = stores.slice(start, start + limit);
  const next = start + page.length;
  const out: DescribeCustomKeyStoresOutput = { CustomKeyStores: page.map(entry), Truncated: next < stores.length };
  if (next < stores.length) out.NextMarker = `${MARKER_PREFIX}${next}`;
  return out;
}
