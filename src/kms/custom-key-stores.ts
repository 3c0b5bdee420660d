// What the custom key store operations share: the store's custom key store methods (a store may
// leave them out), finding a store by id, the connection-state rule, the uniqueness rules of XKS
// proxy settings, and the key state of the keys of a store that is not connected.
//
// Nothing stands behind a custom key store here (no CloudHSM cluster, no XKS proxy): its record,
// its connection state and the errors KMS gives for them are all there is. None of the messages
// below is recorded from AWS; they are this engine's wording, after the SDK model's doc comments.

import {
  CustomKeyStoreInvalidStateException,
  CustomKeyStoreNotFoundException,
  UnsupportedOperationException,
  XksProxyUriEndpointInUseException,
  XksProxyUriInUseException,
  XksProxyVpcEndpointServiceInUseException,
} from './exceptions.js';
import type { OperationContext } from './context.js';
import { markUnavailable } from './key-state.js';
import type { CustomKeyStoreRecord, KeyRecord, KeyStore } from './store.js';

/** The store's custom key store methods, or UnsupportedOperationException when it has none. */
export function customKeyStoreMethods(store: KeyStore): {
  get: NonNullable<KeyStore['getCustomKeyStore']>;
  put: NonNullable<KeyStore['putCustomKeyStore']>;
  list: NonNullable<KeyStore['listCustomKeyStores']>;
} {
  if (
    store.getCustomKeyStore === undefined ||
    store.putCustomKeyStore === undefined ||
    store.listCustomKeyStores === undefined
  ) {
    throw new UnsupportedOperationException('This key store does not support custom key stores.');
  }
  return {
    get: store.getCustomKeyStore.bind(store),
    put: store.putCustomKeyStore.bind(store),
    list: store.listCustomKeyStores.bind(store),
  };
}

export type ConnectionState = CustomKeyStoreRecord['connectionState'];

/**
 * The custom key store `id` of the caller's account and Region. The id names no account, so a
 * store of another account is simply not found (KMS: no cross-account use of these operations).
 */
export async function findCustomKeyStore(ctx: OperationContext, id: string): Promise<CustomKeyStoreRecord> {
  const found = await customKeyStoreMethods(ctx.store).get(ctx.account, ctx.region, id);
  if (found === undefined) throw new CustomKeyStoreNotFoundException(`Custom key store ${id} does not exist.`);
  return found;
}

/**
 * CustomKeyStoreInvalidStateException unless the store is in one of `allowed`: the message names
 * the operation, the store, its state and the states the operation needs.
 */
export function requireConnectionState(
  cks: CustomKeyStoreRecord,
  operation: string,
  allowed: readonly ConnectionState[],
): void {
  if (allowed.includes(cks.connectionState)) return;
  const need = allowed.length === 1 ? allowed[0] : `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}`;
  throw new CustomKeyStoreInvalidStateException(
    `${operation} is not valid for custom key store ${cks.customKeyStoreId} in connection state ` +
      `${cks.connectionState}; it must be ${need}.`,
  );
}

/** The XKS proxy settings uniqueness is judged on. */
export interface XksProxySettings {
  Connectivity?: string;
  UriEndpoint?: string;
  UriPath?: string;
  VpcEndpointServiceName?: string;
}

/**
 * The uniqueness rules of an external key store's proxy settings within the account and Region
 * (CreateCustomKeyStore, UpdateCustomKeyStore): each store uses its own Amazon VPC endpoint
 * service; a store with VPC endpoint service connectivity uses its own private DNS name (its
 * XksProxyUriEndpoint); and the XksProxyUriEndpoint and XksProxyUriPath together are unique.
 * `others`: the other custom key stores of the account and Region.
 */
export function checkXksProxyUnique(others: readonly CustomKeyStoreRecord[], xks: XksProxySettings): void {
  const xksOthers = others.flatMap((c) => (c.xksProxyConfiguration === undefined ? [] : [c.xksProxyConfiguration]));
  if (
    xks.VpcEndpointServiceName !== undefined &&
    xksOthers.some((o) => o.VpcEndpointServiceName === xks.VpcEndpointServiceName)
  ) {
    throw new XksProxyVpcEndpointServiceInUseException(
      `The VPC endpoint service ${xks.VpcEndpointServiceName} is already associated with another external key store.`,
    );
  }
  if (
    xks.Connectivity === 'VPC_ENDPOINT_SERVICE' &&
    xksOthers.some((o) => o.Connectivity === 'VPC_ENDPOINT_SERVICE' && o.UriEndpoint === xks.UriEndpoint)
  ) {
    throw new XksProxyUriEndpointInUseException(
      `The XKS proxy URI endpoint ${xks.UriEndpoint} is already associated with another external key store.`,
    );
  }
  if (xksOthers.some((o) => o.UriEndpoint === xks.UriEndpoint && o.UriPath === xks.UriPath)) {
    throw new XksProxyUriInUseException(`The XKS proxy URI ${xks.UriEndpoint}${xks.UriPath} is already in use.`);
  }
}

/**
 * A key in a custom key store that is not CONNECTED reads as Unavailable while it is Enabled or
 * Disabled (a key pending deletion stays PendingDeletion): AWS KMS Developer Guide,
 * "Troubleshooting a custom key store". Only the key's view in this operation changes (key-state.ts
 * markUnavailable); its stored state is kept, and comes back when the store is connected again.
 */
export async function noteCustomKeyStoreConnection(ctx: OperationContext, key: KeyRecord): Promise<void> {
  if (key.customKeyStoreId === undefined || ctx.store.getCustomKeyStore === undefined) return;
  const cks = await ctx.store.getCustomKeyStore(key.account, key.region, key.customKeyStoreId);
  if (cks !== undefined && cks.connectionState !== 'CONNECTED') markUnavailable(key);
}
