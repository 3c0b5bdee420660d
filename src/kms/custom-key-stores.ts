// The custom key store methods of a key store, which the custom key store operations
// (CreateCustomKeyStore, DescribeCustomKeyStores) need and a store may leave out.

import { UnsupportedOperationException } from './exceptions.js';
import type { KeyStore } from './store.js';

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
