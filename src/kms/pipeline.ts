// The one way an operation runs, for KMSClient.send and the HTTP endpoint alike:
//
//   runOperation(config, operation, input, { middlewareStack }) → output with $metadata
//
// The middlewares (the client's, then the command's: middleware.ts) wrap the operation with the
// SDK's handler context (clientName, commandName, logger and the sensitive-member filters of the
// registry); the operation runs over a store view that wipes the key records it loads
// (registry.ts); the output gets `$metadata` with a request id. Errors get the same `$metadata`;
// an error that is not a KMS exception is a fault of this engine and becomes KMSInternalException
// with a fixed message here, and nowhere else: its text goes to the logger (or `onInternalError`),
// never to the caller.

import { getCore } from '../core/module.js';
import type { KeyPair, KeyPairSpec } from '../core/index.js';
import type { Handler } from './command.js';
import { createOperationContext, type OperationContext } from './context.js';
import { KMSInternalException, KMSServiceException, UnknownOperationException } from './exceptions.js';
import type { HandlerArguments, HandlerOutput, MiddlewareStack } from './middleware.js';
import {
  isOperationName,
  REGISTRY,
  sensitiveOutputs,
  wiping,
  type MetadataBearer,
  type OperationName,
} from './registry.js';
import { newKeyId, type KeyStore } from './store.js';
import { withLastUsage } from './last-usage.js';
import type { CallerIdentity } from './authorize.js';

export interface Logger {
  debug?(...content: unknown[]): void;
  info?(...content: unknown[]): void;
  warn?(...content: unknown[]): void;
  error?(...content: unknown[]): void;
}

/** Who calls, where, and against which store: KMSClient's config, or the endpoint's for one request. */
export interface PipelineConfig {
  region: string;
  accountId: string;
  /** The caller's ARN as AccessDenied messages show it; undefined for the account's root. */
  principal?: string;
  /** The caller with its identity policies and tags (authorize.ts callerIdentity); its ARN then wins over `principal`. */
  caller?: CallerIdentity;
  /** aws:SourceIp of the request; absent unless given. */
  sourceIp?: string;
  /** aws:SecureTransport; default true. */
  secureTransport?: boolean;
  store: KeyStore;
  logger?: Logger;
  generateKeyPair?: (spec: KeyPairSpec) => KeyPair | Promise<KeyPair>;
  /** The clock operations run by (automatic rotation, last use, import expiry); default the system clock. */
  now?: () => Date;
  /** The trusted roots (DER) of attestation documents in Recipient; default AWS's Nitro Enclaves root. */
  attestationRoots?: readonly Uint8Array[];
}

export interface RunOptions<I, O> {
  /** Middlewares around the operation (the client's concatenated with the command's). */
  middlewareStack?: MiddlewareStack;
  /** The operation's handler; default the registry's. */
  handler?: Handler<I, O>;
  /** Default a new UUID. */
  requestId?: string;
  /**
   * Told of an error that is not a KMS exception before it is replaced by KMSInternalException;
   * default `config.logger.error`.
   */
  onInternalError?: (err: unknown) => void;
}

/** The message of every KMSInternalException made from an engine fault (KMS's own wording). */
export const INTERNAL_ERROR_MESSAGE =
  'The request processing has failed because of an unknown error, exception or failure.';

/** What the SDK prints in place of a sensitive member. */
const SENSITIVE = '***SensitiveInformation***';

/** Runs `operation` on `input` as `config`'s caller; resolves to the output with `$metadata`, rejects with a KMS exception. */
export async function runOperation<I extends object, O extends object>(
  config: PipelineConfig,
  operation: OperationName,
  input: I,
  options: RunOptions<I, O> = {},
): Promise<O & MetadataBearer> {
  const requestId = options.requestId ?? newRequestId();
  const fail = (err: unknown) =>
    withMetadata(
      err,
      requestId,
      options.onInternalError ?? ((e) => config.logger?.error?.(`${operation}: internal error`, e)),
    );
  // The key use of a successful cryptographic operation is recorded for GetKeyLastUsage (last-usage.ts).
  let handler = withLastUsage(
    operation,
    requestId,
    options.handler !== undefined
      ? wiping(options.handler)
      : (REGISTRY[operation]?.handler as Handler<I, O> | undefined),
    (e) => config.logger?.warn?.(`${operation}: recording the key's last use failed`, e),
  );
  if (handler === undefined) {
    throw fail(new UnknownOperationException(`Unknown operation ${JSON.stringify(String(operation).slice(0, 128))}.`));
  }
  const store = config.store;
  if (store.cacheGeneration !== undefined && store.catchUp !== undefined) handler = confirmingRefusals(handler, store);
  const ctx = createOperationContext({
    store: config.store,
    account: config.accountId,
    region: config.region,
    principal: config.caller?.arn ?? config.principal,
    caller: config.caller,
    request:
      config.sourceIp === undefined && config.secureTransport === undefined
        ? undefined
        : { sourceIp: config.sourceIp, secureTransport: config.secureTransport },
    core: getCore,
    generateKeyPair: config.generateKeyPair,
    now: config.now,
    attestationRoots: config.attestationRoots,
  });
  const metadata = () => ({ httpStatusCode: 200, requestId, attempts: 1, totalRetryDelay: 0 });
  const stack = options.middlewareStack;
  // No middleware: no stack to assemble, and no response object for it to read. The handler's
  // output is a fresh object, so $metadata goes straight onto it.
  if (stack === undefined || stack.isEmpty) {
    let output: O;
    ctx.input = input;
    try {
      output = await handler(ctx, input);
    } catch (err) {
      throw fail(err);
    }
    const bearer = output as O & MetadataBearer;
    bearer.$metadata = metadata();
    return bearer;
  }
  const run = async (args: HandlerArguments<I>): Promise<HandlerOutput<O & MetadataBearer>> => {
    let output: O;
    ctx.input = args.input;
    try {
      output = await handler(ctx, args.input);
    } catch (err) {
      throw fail(err);
    }
    return {
      output: { ...output, $metadata: metadata() },
      response: { statusCode: 200, headers: { 'x-amzn-requestid': requestId } },
    };
  };
  // The fields the SDK puts in a handler context that its own middlewares read.
  const context = {
    clientName: 'KMSClient',
    commandName: `${operation}Command`,
    logger: config.logger,
    inputFilterSensitiveLog: (value: unknown) => filterInput(operation, value),
    outputFilterSensitiveLog: (value: unknown) => filterOutput(operation, value),
  };
  const { output } = await stack.resolve(run, context)({ input });
  return output;
}

/**
 * Refusals that are not worth confirming: a DryRun that would have succeeded, and the request
 * made without credentials or without a known operation (decided before any record is read).
 * Every other client error may have been decided on stored state (a key's state, spec, usage,
 * material, policy, grants, tags, an alias's target, a listing's marker), even a
 * ValidationException (the size limit of the key an alias names), so every other client error
 * is confirmed.
 */
const UNCONFIRMED: ReadonlySet<string> = new Set(['DryRunOperationException', 'UnknownOperationException']);

/**
 * A refusal is never given on stale data: when the handler fails with a client error, the
 * store catches up with every write committed before (one round trip), and if that dropped
 * records it had cached, the operation runs once more on fresh records. So a key, alias, grant, policy,
 * key state or key material made usable through another endpoint is usable here at once, while
 * a change that takes a permission away reaches this endpoint with the store's notification
 * (eventual consistency, as AWS KMS's). A refusal costs the catch-up (one round trip on a
 * PostgreSQL store's listening connection, none in its strict mode) and a rerun only when cached
 * records were dropped meanwhile; a success costs nothing.
 * A rerun repeats no write of the refused operation: its transaction was rolled back. What it
 * committed on its own before the refusal (an automatic rotation that was due, a key's last use)
 * is not due again on the rerun.
 */
function confirmingRefusals<I, O>(
  handler: (ctx: OperationContext, input: I) => Promise<O>,
  store: KeyStore,
): (ctx: OperationContext, input: I) => Promise<O> {
  return async (ctx, input) => {
    const generation = store.cacheGeneration!();
    try {
      return await handler(ctx, input);
    } catch (err) {
      if (!(err instanceof KMSServiceException) || err.$fault !== 'client' || UNCONFIRMED.has(err.name)) throw err;
      try {
        await store.catchUp!();
      } catch {
        throw err;
      }
      if (store.cacheGeneration!() === generation) throw err;
      return handler(ctx, input);
    }
  };
}

/**
 * Members that are credentials although the model does not mark them sensitive (it marks only
 * plaintext): a grant token is proof enough to use and to retire its grant, and an import token
 * with its wrapping key lets material be imported into the key. In every operation, input and
 * output alike, they are left out of logs as the sensitive members are.
 */
const TOKEN_MEMBERS: readonly string[] = ['GrantTokens', 'GrantToken', 'ImportToken'];

/** The input with every member the schema marks sensitive, and every token, replaced, as the SDK's log filters do. */
function filterInput(operation: OperationName, input: unknown): unknown {
  if (input === null || typeof input !== 'object' || !isOperationName(operation)) return input;
  const out: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const [name, m] of Object.entries(REGISTRY[operation].input)) {
    if ((m.shape as { sensitive?: boolean }).sensitive && out[name] !== undefined) out[name] = SENSITIVE;
  }
  for (const name of TOKEN_MEMBERS) if (out[name] !== undefined) out[name] = SENSITIVE;
  return out;
}

/** The output with its sensitive members (plaintext keys and bytes) and tokens replaced. */
function filterOutput(operation: OperationName, output: unknown): unknown {
  if (output === null || typeof output !== 'object' || !isOperationName(operation)) return output;
  const out: Record<string, unknown> = { ...(output as Record<string, unknown>) };
  for (const name of sensitiveOutputs(operation)) if (out[name] !== undefined) out[name] = SENSITIVE;
  for (const name of TOKEN_MEMBERS) if (out[name] !== undefined) out[name] = SENSITIVE;
  return out;
}

/** A request id in the UUID form AWS uses (randomUUID where the runtime has it: it is cheaper). */
function newRequestId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return typeof c?.randomUUID === 'function' ? c.randomUUID() : newKeyId();
}

/** The error as a KMS exception with `$metadata`; anything else is reported and becomes KMSInternalException. */
function withMetadata(err: unknown, requestId: string, report: (err: unknown) => void): KMSServiceException {
  let e: KMSServiceException;
  if (err instanceof KMSServiceException) e = err;
  else {
    try {
      report(err);
    } catch {
      // A failing logger must not replace the caller's error.
    }
    e = new KMSInternalException(INTERNAL_ERROR_MESSAGE);
  }
  const status = (e.constructor as { httpStatus?: number }).httpStatus ?? e.$metadata.httpStatusCode;
  e.$metadata = { ...e.$metadata, httpStatusCode: status, requestId, attempts: 1, totalRetryDelay: 0 };
  return e;
}
