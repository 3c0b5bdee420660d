// KMSClient, in the shape of @aws-sdk/client-kms: `client.send(new XxxCommand(input))` resolves
// to the operation's output plus `$metadata`, or rejects with one of the exception classes with
// `$metadata` filled in. The command classes are made from the operation registry
// (registry.ts); sending runs the pipeline the HTTP endpoint runs too (pipeline.ts). Client and
// command each have a `middlewareStack` (middleware.ts) that takes the SDK's middlewares.

import type { KeyPair, KeyPairSpec } from '../core/index.js';
import { KMSCommand } from './command.js';
import { MiddlewareStack } from './middleware.js';
import { callerIdentity, type CallerIdentity } from './authorize.js';
import { runOperation, type Logger } from './pipeline.js';
import { COMMANDS, isOperationName, type MetadataBearer, type OperationName, type WithMetadata } from './registry.js';
import { MemoryKeyStore, type KeyStore } from './store.js';
import { trustedRoots } from './recipient.js';

export { KMSCommand, type Handler } from './command.js';
export type { Logger } from './pipeline.js';
export type { MetadataBearer } from './registry.js';

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
  /** For a role principal: the session it calls as; default 'wasm-kms'. */
  roleSessionName?: string;
  /**
   * IAM identity policies attached to the principal (JSON text or objects), evaluated with the key
   * policy and grants as AWS evaluates them (authorize.ts). Not for the account's root, which holds
   * every permission of its account. Default none.
   */
  identityPolicies?: readonly (string | object)[];
  /** The principal's tags (aws:PrincipalTag/<key>). */
  principalTags?: Readonly<Record<string, string>>;
  /** aws:SourceIp of this client's requests; absent unless given. */
  sourceIp?: string;
  /** aws:SecureTransport of this client's requests; default true (an in-process call crosses no network). */
  secureTransport?: boolean;
  /** Default: a new MemoryKeyStore per client. */
  store?: KeyStore;
  /** A logger for the SDK's logger middleware (`context.logger`), as the SDK client takes. */
  logger?: Logger;
  /** Where data key pairs come from (a worker pool, a pool of pre-generated pairs); default the core in this thread. */
  generateKeyPair?: (spec: KeyPairSpec) => KeyPair | Promise<KeyPair>;
  /**
   * The clock operations run by (automatic key rotation, GetKeyLastUsage, import expiry); default
   * the system clock. Tests move it to see what time does to keys.
   */
  now?: () => Date;
  /**
   * The certificates an attestation document in a request's Recipient must chain to: DER bytes, or
   * PEM text (every CERTIFICATE block in it). Default AWS's Nitro Enclaves root (G1); tests and
   * local enclaves give the root of their own PKI. An empty list, PEM text without a certificate,
   * or a certificate the attestation verifier could not use as a root (not X.509 v3 DER with an
   * ecdsa-with-SHA384 signature and a P-384 key, or not a CA) is a TypeError naming the entry.
   */
  attestationRoots?: readonly (Uint8Array | string)[];
}

export class KMSClient {
  readonly config: {
    region: string;
    accountId: string;
    /** The caller's ARN as AccessDenied messages show it; undefined for the account's root. */
    principal?: string;
    /** The caller with its identity policies and tags (authorize.ts). */
    caller: CallerIdentity;
    sourceIp?: string;
    secureTransport?: boolean;
    store: KeyStore;
    logger?: Logger;
    generateKeyPair?: (spec: KeyPairSpec) => KeyPair | Promise<KeyPair>;
    now?: () => Date;
    /** The trusted roots of attestation documents (DER); undefined: AWS's Nitro Enclaves root. */
    attestationRoots?: readonly Uint8Array[];
  };

  constructor(config: KMSClientConfig = {}) {
    const accountId = config.accountId ?? '111122223333';
    const region = config.region ?? 'us-east-1';
    const caller = callerIdentity(accountId, region, {
      principal: config.principal,
      roleSessionName: config.roleSessionName,
      identityPolicies: config.identityPolicies,
      principalTags: config.principalTags,
    });
    if (config.sourceIp !== undefined && typeof config.sourceIp !== 'string')
      throw new TypeError('sourceIp must be a string');
    this.config = {
      region,
      accountId,
      principal: config.principal === undefined ? undefined : caller.arn,
      caller,
      sourceIp: config.sourceIp,
      secureTransport: config.secureTransport,
      store: config.store ?? new MemoryKeyStore(),
      logger: config.logger,
      generateKeyPair: config.generateKeyPair,
      now: config.now,
      attestationRoots: attestationRootsOf(config.attestationRoots),
    };
  }

  /** Middlewares for every command this client sends (the SDK's initialize/deserialize steps). */
  readonly middlewareStack = new MiddlewareStack();

  /**
   * Runs a command (pipeline.ts). Also takes a command object of @aws-sdk/client-kms
   * (`new GenerateDataKeyPairCommand(input)` from the SDK): its class name names the operation
   * and its input is validated as ours; its own middleware stack is not run.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any command: input and output types vary by operation (unknown would not accept them)
  send<C extends KMSCommand<any, any>>(command: C): Promise<CommandOutput<C>>;
  send<C extends ForeignCommand>(command: C): Promise<ForeignCommandOutput<C>>;
  async send(command: KMSCommand<object, object> | ForeignCommand): Promise<unknown> {
    const own = command instanceof KMSCommand ? command : fromForeign(command);
    const stack =
      this.middlewareStack.isEmpty && own.middlewareStack.isEmpty
        ? undefined
        : this.middlewareStack.concat(own.middlewareStack);
    return runOperation(this.config, own.operation, own.input, { handler: own.handler, middlewareStack: stack });
  }

  /** Nothing to release; present for SDK compatibility. */
  destroy(): void {}
}

/** KMSClientConfig.attestationRoots as DER certificates (copies); undefined for the default root. */
function attestationRootsOf(roots: unknown): readonly Uint8Array[] | undefined {
  return roots === undefined ? undefined : trustedRoots(roots, 'attestationRoots', { pem: true });
}

/** What `send` resolves to for a command; for a union of commands, the union of their outputs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- matches a command of any input type to infer its output
export type CommandOutput<C> = C extends KMSCommand<any, infer O> ? WithMetadata<O> : never;

/** A command object of @aws-sdk/client-kms, as far as `send` reads it. */
export interface ForeignCommand {
  readonly input: object;
}
/** The output type a command of @aws-sdk/client-kms declares (its handler's), else a loose one. */
/* eslint-disable @typescript-eslint/no-explicit-any -- matches the SDK's resolveMiddleware whatever its parameters */
export type ForeignCommandOutput<C> = C extends {
  resolveMiddleware(...args: any[]): (...args: any[]) => Promise<{ output: infer O }>;
}
  ? O
  : Record<string, unknown> & MetadataBearer;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Our command for the SDK's command object `command`, by its class name; TypeError for anything else. */
function fromForeign(command: unknown): KMSCommand<object, object> {
  const name: unknown = (command as { constructor?: { name?: unknown } } | null | undefined)?.constructor?.name;
  const input: unknown = (command as { input?: unknown } | null | undefined)?.input;
  const match = typeof name === 'string' ? /^([A-Z][A-Za-z0-9]*)Command$/.exec(name) : null;
  if (match === null || typeof input !== 'object' || input === null) {
    const what =
      command === null || typeof command !== 'object'
        ? String(command)
        : `an object of class ${typeof name === 'string' && name !== '' ? name : '(anonymous)'}`;
    throw new TypeError(
      `KMSClient.send takes a command: new XxxCommand(input), of this package or of @aws-sdk/client-kms; got ${what}.`,
    );
  }
  if (!isOperationName(match[1])) {
    // Not an operation of this engine: runOperation answers with UnknownOperationException.
    return new KMSCommand(match[1] as OperationName, input, undefined as never);
  }
  return new COMMANDS[match[1]](input as never) as KMSCommand<object, object>;
}
