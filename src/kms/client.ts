// KMSClient and the command classes, in the shape of @aws-sdk/client-kms: `client.send(new
// XxxCommand(input))` resolves to the operation's output plus `$metadata`, or rejects with one of
// the exception classes with `$metadata` filled in. Commands freeze a copy of their input, as
// the SDK's are read-only. Client and command each have a `middlewareStack` (middleware.ts)
// that takes the SDK's middlewares.

import { getCore } from '../core/module.js';
import type { KeyPair, KeyPairSpec } from '../core/index.js';
import { MiddlewareStack, type HandlerArguments, type HandlerOutput } from './middleware.js';
import { KMSInternalException, KMSServiceException, type ResponseMetadata } from './exceptions.js';
import { createOperationContext, type OperationContext } from './context.js';
import { DEFAULT_ROLE_SESSION_NAME, parsePrincipal } from './authorize.js';
import { OPERATIONS, type OperationName } from './schema.js';
import { MemoryKeyStore, newKeyId, runWipingLoadedKeys, type KeyStore } from './store.js';
import { createKey, type CreateKeyInput, type CreateKeyOutput } from './operations/create-key.js';
import { describeKey, type DescribeKeyInput, type DescribeKeyOutput } from './operations/describe-key.js';
import { enableKey, type EnableKeyInput, type EnableKeyOutput } from './operations/enable-key.js';
import { disableKey, type DisableKeyInput, type DisableKeyOutput } from './operations/disable-key.js';
import {
  scheduleKeyDeletion,
  type ScheduleKeyDeletionInput,
  type ScheduleKeyDeletionOutput,
} from './operations/schedule-key-deletion.js';
import {
  cancelKeyDeletion,
  type CancelKeyDeletionInput,
  type CancelKeyDeletionOutput,
} from './operations/cancel-key-deletion.js';
import { createAlias, type CreateAliasInput, type CreateAliasOutput } from './operations/create-alias.js';
import {
  generateDataKeyPair,
  type GenerateDataKeyPairInput,
  type GenerateDataKeyPairOutput,
} from './operations/generate-data-key-pair.js';
import {
  generateDataKeyPairWithoutPlaintext,
  type GenerateDataKeyPairWithoutPlaintextInput,
  type GenerateDataKeyPairWithoutPlaintextOutput,
} from './operations/generate-data-key-pair-without-plaintext.js';
import { decrypt, type DecryptInput, type DecryptOutput } from './operations/decrypt.js';
import { encrypt, type EncryptInput, type EncryptOutput } from './operations/encrypt.js';

export interface KMSClientConfig {
  /** Default `us-east-1`. */
  region?: string;
  /** The caller's account. Default `111122223333`. */
  accountId?: string;
  /**
   * The caller: an IAM user (`arn:aws:iam::<accountId>:user/NAME`), role
   * (`arn:aws:iam::<accountId>:role/NAME`, which calls as the session
   * `arn:aws:sts::<accountId>:assumed-role/NAME/wasm-kms`) or role session ARN. AccessDenied
   * messages name it. Default the account's root, `arn:aws:iam::<accountId>:root`. Its account
   * must be `accountId`.
   */
  principal?: string;
  /** Default: a new MemoryKeyStore per client. */
  store?: KeyStore;
  /** A logger for the SDK's logger middleware (`context.logger`), as the SDK client takes. */
  logger?: Logger;
  /** Where data key pairs come from (a worker pool, a pool of pre-generated pairs); default the core in this thread. */
  generateKeyPair?: (spec: KeyPairSpec) => KeyPair | Promise<KeyPair>;
}

export interface Logger {
  debug?(...content: unknown[]): void;
  info?(...content: unknown[]): void;
  warn?(...content: unknown[]): void;
  error?(...content: unknown[]): void;
}

/** What the SDK prints in place of a sensitive member. */
const SENSITIVE = '***SensitiveInformation***';
const SENSITIVE_OUTPUTS = new Set(['Plaintext', 'PrivateKeyPlaintext']);

/** The input with every member the schema marks sensitive replaced, as the SDK's log filters do. */
function filterInput(operation: OperationName, input: unknown): unknown {
  if (input === null || typeof input !== 'object') return input;
  const members = OPERATIONS[operation] as Record<string, { shape: { sensitive?: boolean } }>;
  const out: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const [name, m] of Object.entries(members)) if (m.shape.sensitive && out[name] !== undefined) out[name] = SENSITIVE;
  return out;
}

function filterOutput(output: unknown): unknown {
  if (output === null || typeof output !== 'object') return output;
  const out: Record<string, unknown> = { ...(output as Record<string, unknown>) };
  for (const name of SENSITIVE_OUTPUTS) if (out[name] !== undefined) out[name] = SENSITIVE;
  return out;
}

export interface MetadataBearer {
  $metadata: ResponseMetadata;
}

export type Handler<I, O> = (ctx: OperationContext, input: I) => Promise<O>;

/** The base of every command: the operation's name, its frozen input and how to run it. */
export class KMSCommand<I extends object, O extends object> {
  readonly input: Readonly<I>;
  readonly operation: OperationName;
  readonly handler: Handler<I, O>;
  /** Middlewares of this command only; they run after the client's. */
  readonly middlewareStack = new MiddlewareStack();

  constructor(operation: OperationName, input: I, handler: Handler<I, O>) {
    this.operation = operation;
    this.input = Object.freeze({ ...input });
    this.handler = handler;
  }
}

/** A command class for one operation; other modules define theirs with it. */
export function defineCommand<I extends object, O extends object>(operation: OperationName, handler: Handler<I, O>) {
  return class extends KMSCommand<I, O> {
    constructor(input: I) {
      super(operation, input, handler);
    }
  };
}

export const CreateKeyCommand = defineCommand<CreateKeyInput, CreateKeyOutput>('CreateKey', createKey);
export type CreateKeyCommand = InstanceType<typeof CreateKeyCommand>;
export const DescribeKeyCommand = defineCommand<DescribeKeyInput, DescribeKeyOutput>('DescribeKey', describeKey);
export type DescribeKeyCommand = InstanceType<typeof DescribeKeyCommand>;
export const EnableKeyCommand = defineCommand<EnableKeyInput, EnableKeyOutput>('EnableKey', enableKey);
export type EnableKeyCommand = InstanceType<typeof EnableKeyCommand>;
export const DisableKeyCommand = defineCommand<DisableKeyInput, DisableKeyOutput>('DisableKey', disableKey);
export type DisableKeyCommand = InstanceType<typeof DisableKeyCommand>;
export const ScheduleKeyDeletionCommand = defineCommand<ScheduleKeyDeletionInput, ScheduleKeyDeletionOutput>(
  'ScheduleKeyDeletion',
  scheduleKeyDeletion,
);
export type ScheduleKeyDeletionCommand = InstanceType<typeof ScheduleKeyDeletionCommand>;
export const CancelKeyDeletionCommand = defineCommand<CancelKeyDeletionInput, CancelKeyDeletionOutput>(
  'CancelKeyDeletion',
  cancelKeyDeletion,
);
export type CancelKeyDeletionCommand = InstanceType<typeof CancelKeyDeletionCommand>;
export const CreateAliasCommand = defineCommand<CreateAliasInput, CreateAliasOutput>('CreateAlias', createAlias);
export type CreateAliasCommand = InstanceType<typeof CreateAliasCommand>;
export const GenerateDataKeyPairCommand = defineCommand<GenerateDataKeyPairInput, GenerateDataKeyPairOutput>(
  'GenerateDataKeyPair',
  generateDataKeyPair,
);
export type GenerateDataKeyPairCommand = InstanceType<typeof GenerateDataKeyPairCommand>;
export const GenerateDataKeyPairWithoutPlaintextCommand = defineCommand<
  GenerateDataKeyPairWithoutPlaintextInput,
  GenerateDataKeyPairWithoutPlaintextOutput
>('GenerateDataKeyPairWithoutPlaintext', generateDataKeyPairWithoutPlaintext);
export type GenerateDataKeyPairWithoutPlaintextCommand = InstanceType<typeof GenerateDataKeyPairWithoutPlaintextCommand>;
export const DecryptCommand = defineCommand<DecryptInput, DecryptOutput>('Decrypt', decrypt);
export type DecryptCommand = InstanceType<typeof DecryptCommand>;
export const EncryptCommand = defineCommand<EncryptInput, EncryptOutput>('Encrypt', encrypt);
export type EncryptCommand = InstanceType<typeof EncryptCommand>;

export class KMSClient {
  readonly config: {
    region: string;
    accountId: string;
    /** The caller's ARN as AccessDenied messages show it; undefined for the account's root. */
    principal?: string;
    store: KeyStore;
    logger?: Logger;
    generateKeyPair?: (spec: KeyPairSpec) => KeyPair | Promise<KeyPair>;
  };

  constructor(config: KMSClientConfig = {}) {
    const accountId = config.accountId ?? '111122223333';
    let principal: string | undefined;
    if (config.principal !== undefined) {
      const parsed = parsePrincipal(config.principal, DEFAULT_ROLE_SESSION_NAME);
      if (parsed.account !== accountId) {
        throw new TypeError(`principal ${config.principal} is of account ${parsed.account}, not of accountId ${accountId}`);
      }
      principal = parsed.callerArn;
    }
    this.config = {
      region: config.region ?? 'us-east-1',
      accountId,
      principal,
      store: config.store ?? new MemoryKeyStore(),
      logger: config.logger,
      generateKeyPair: config.generateKeyPair,
    };
  }

  /** Middlewares for every command this client sends (the SDK's initialize/deserialize steps). */
  readonly middlewareStack = new MiddlewareStack();

  async send<I extends object, O extends object>(command: KMSCommand<I, O>): Promise<O & MetadataBearer> {
    const requestId = newRequestId();
    const ctx = createOperationContext({
      store: this.config.store,
      account: this.config.accountId,
      region: this.config.region,
      principal: this.config.principal,
      core: getCore,
      generateKeyPair: this.config.generateKeyPair,
    });
    const run = async (args: HandlerArguments<I>): Promise<HandlerOutput<O & MetadataBearer>> => {
      let output: O;
      try {
        output = await runWipingLoadedKeys(command.handler, ctx, args.input);
      } catch (err) {
        throw withMetadata(err, requestId);
      }
      return {
        output: { ...output, $metadata: { httpStatusCode: 200, requestId, attempts: 1, totalRetryDelay: 0 } },
        response: { statusCode: 200, headers: { 'x-amzn-requestid': requestId } },
      };
    };
    // No middleware: no stack to assemble, and no response object for it to read. The
    // handler's output is a fresh object, so $metadata goes straight onto it.
    if (this.middlewareStack.isEmpty && command.middlewareStack.isEmpty) {
      let output: O;
      try {
        output = await runWipingLoadedKeys(command.handler, ctx, command.input as I);
      } catch (err) {
        throw withMetadata(err, requestId);
      }
      const bearer = output as O & MetadataBearer;
      bearer.$metadata = { httpStatusCode: 200, requestId, attempts: 1, totalRetryDelay: 0 };
      return bearer;
    }
    // The fields the SDK puts in a handler context that its own middlewares read.
    const context = {
      clientName: 'KMSClient',
      commandName: `${command.operation}Command`,
      logger: this.config.logger,
      inputFilterSensitiveLog: (input: unknown) => filterInput(command.operation, input),
      outputFilterSensitiveLog: filterOutput,
    };
    const handler = this.middlewareStack.concat(command.middlewareStack).resolve(run, context);
    const { output } = await handler({ input: command.input as I });
    return output;
  }

  /** Nothing to release; present for SDK compatibility. */
  destroy(): void {}
}

/** A request id in the UUID form AWS uses (randomUUID where the runtime has it: it is cheaper). */
function newRequestId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return typeof c?.randomUUID === 'function' ? c.randomUUID() : newKeyId();
}

function withMetadata(err: unknown, requestId: string): KMSServiceException {
  // An error that is not a KMS exception is a bug here; it surfaces as KMSInternalException with the original as cause.
  const e =
    err instanceof KMSServiceException
      ? err
      : Object.assign(new KMSInternalException(err instanceof Error ? err.message : String(err)), { cause: err });
  const status = (e.constructor as { httpStatus?: number }).httpStatus ?? e.$metadata.httpStatusCode;
  e.$metadata = { ...e.$metadata, httpStatusCode: status, requestId, attempts: 1, totalRetryDelay: 0 };
  return e;
}
