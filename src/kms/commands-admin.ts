// Command classes for GetPublicKey and the custom key store operations, in the shape of
// @aws-sdk/client-kms: `client.send(new GetPublicKeyCommand({ KeyId }))`.

import { defineCommand } from './client.js';
import { getPublicKey, type GetPublicKeyInput, type GetPublicKeyOutput } from './operations/get-public-key.js';
import {
  createCustomKeyStore,
  type CreateCustomKeyStoreInput,
  type CreateCustomKeyStoreOutput,
} from './operations/create-custom-key-store.js';
import {
  describeCustomKeyStores,
  type DescribeCustomKeyStoresInput,
  type DescribeCustomKeyStoresOutput,
} from './operations/describe-custom-key-stores.js';

export type { GetPublicKeyInput, GetPublicKeyOutput } from './operations/get-public-key.js';
export type {
  CreateCustomKeyStoreInput,
  CreateCustomKeyStoreOutput,
  XksProxyAuthenticationCredentialType,
} from './operations/create-custom-key-store.js';
export type {
  DescribeCustomKeyStoresInput,
  DescribeCustomKeyStoresOutput,
  CustomKeyStoresListEntry,
} from './operations/describe-custom-key-stores.js';

export const GetPublicKeyCommand = defineCommand<GetPublicKeyInput, GetPublicKeyOutput>('GetPublicKey', getPublicKey);
export type GetPublicKeyCommand = InstanceType<typeof GetPublicKeyCommand>;
export const CreateCustomKeyStoreCommand = defineCommand<CreateCustomKeyStoreInput, CreateCustomKeyStoreOutput>(
  'CreateCustomKeyStore',
  createCustomKeyStore,
);
export type CreateCustomKeyStoreCommand = InstanceType<typeof CreateCustomKeyStoreCommand>;
export const DescribeCustomKeyStoresCommand = defineCommand<DescribeCustomKeyStoresInput, DescribeCustomKeyStoresOutput>(
  'DescribeCustomKeyStores',
  describeCustomKeyStores,
);
export type DescribeCustomKeyStoresCommand = InstanceType<typeof DescribeCustomKeyStoresCommand>;
