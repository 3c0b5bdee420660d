// The aggregated client of @aws-sdk/client-kms: `new KMS(config).generateDataKeyPair(input)`
// is `client.send(new GenerateDataKeyPairCommand(input))`, one method per operation of the
// registry (the SDK's promise form; no callbacks). Code written for the SDK's `KMS` class, and
// libraries that call a KMS client's methods (the AWS Encryption SDK's KMS keyrings), take it.
//
// The paginators of the registry's list operations, as the SDK's paginateListKeys: an async
// generator of pages, each request taking the previous page's token.

import { KMSClient } from './client.js';
import {
  COMMANDS,
  OPERATION_NAMES,
  REGISTRY,
  type OperationInput,
  type OperationOutput,
  type PaginatedOperation,
  type WithMetadata,
} from './registry.js';
import type { OperationName } from './schema.js';

/** `(input) => output` for one operation; the input may be left out when none of its members is required. */
/* eslint-disable @typescript-eslint/no-empty-object-type -- `{} extends Input`: every member of the input is optional */
type Method<N extends OperationName> =
  {} extends OperationInput<N>
    ? (input?: OperationInput<N>) => Promise<WithMetadata<OperationOutput<N>>>
    : (input: OperationInput<N>) => Promise<WithMetadata<OperationOutput<N>>>;
/* eslint-enable @typescript-eslint/no-empty-object-type */

/** One method per operation, named as the SDK names them (`generateDataKeyPair`). */
export type KMSMethods = { [N in OperationName as Uncapitalize<N>]: Method<N> };

/** The SDK's method name of an operation. */
export function methodName<N extends OperationName>(operation: N): Uncapitalize<N> {
  return (operation.charAt(0).toLowerCase() + operation.slice(1)) as Uncapitalize<N>;
}

// The methods come from the registry (below); this interface gives them their types.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- the merge gives the class its methods' types
export interface KMS extends KMSMethods {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class KMS extends KMSClient {}

for (const operation of OPERATION_NAMES) {
  const Command = COMMANDS[operation] as new (input: object) => InstanceType<(typeof COMMANDS)[OperationName]>;
  Object.defineProperty(KMS.prototype, methodName(operation), {
    value: function (this: KMS, input: object = {}) {
      return this.send(new Command(input));
    },
    writable: true,
    configurable: true,
  });
}

// ---------------------------------------------------------------------------------------------
// Paginators

/** The SDK's PaginationConfiguration for KMS. */
export interface KMSPaginationConfiguration {
  client: KMSClient;
  /** Items per request (the operation's Limit), unless the input sets it. */
  pageSize?: number;
  /** The token to start from (a previous page's NextMarker). */
  startingToken?: string;
  /** Stop when a page returns the token it was asked with. */
  stopOnSameToken?: boolean;
}

export type Paginator<T> = AsyncGenerator<T, undefined, unknown>;

/** The paginator of a registry operation that pages. */
export function paginator<N extends PaginatedOperation>(
  operation: N,
): (config: KMSPaginationConfiguration, input?: OperationInput<N>) => Paginator<WithMetadata<OperationOutput<N>>> {
  const { inputToken, pageSize, outputToken } = REGISTRY[operation].paginate;
  const Command = COMMANDS[operation] as unknown as new (input: object) => InstanceType<(typeof COMMANDS)[N]>;
  return async function* (config, input) {
    let token: unknown = config.startingToken || undefined;
    for (;;) {
      const request: Record<string, unknown> = { ...input, [inputToken]: token };
      if (request[pageSize] === undefined && config.pageSize !== undefined) request[pageSize] = config.pageSize;
      const page = (await config.client.send(new Command(request))) as WithMetadata<OperationOutput<N>>;
      yield page;
      const previous = token;
      token = (page as Record<string, unknown>)[outputToken];
      if (!token || (config.stopOnSameToken === true && token === previous)) return undefined;
    }
  };
}

export const paginateListKeys = paginator('ListKeys');
export const paginateListAliases = paginator('ListAliases');
export const paginateDescribeCustomKeyStores = paginator('DescribeCustomKeyStores');
export const paginateListResourceTags = paginator('ListResourceTags');
export const paginateListKeyPolicies = paginator('ListKeyPolicies');
export const paginateListGrants = paginator('ListGrants');
export const paginateListRetirableGrants = paginator('ListRetirableGrants');
export const paginateListKeyRotations = paginator('ListKeyRotations');
