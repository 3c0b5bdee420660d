// The local KMS endpoint: AWS JSON 1.1 over HTTP (the Smithy awsJson1_1 protocol), so that @aws-sdk/client-kms,
// the AWS CLI and other SDKs talk to the engine as to KMS:
//
//   POST /   X-Amz-Target: TrentService.<Operation>   Content-Type: application/x-amz-json-1.1
//
// Every operation of the registry (kms/registry.ts) is served, through the pipeline KMSClient runs
// too (kms/pipeline.ts: middlewares, $metadata, internal errors as KMSInternalException). The
// Region comes from the SigV4 credential scope of the request
// (`Credential=AKID/20261129/eu-west-1/kms/aws4_request`), else the `region` option. The caller
// is, in strict mode (`auth: 'sigv4'`), that of the credential that signed the request (its
// account, principal, identity policies and tags), else the server's (`principal` and the like;
// default the account's root). Key policies, identity policies and grants decide what it may do
// (kms/authorize.ts), with aws:SourceIp the client's address and aws:SecureTransport false.
// The attestation document of a request's Recipient must chain to one of `attestationRoots`
// (default AWS's Nitro Enclaves root), the same for every request.
// Strict mode verifies signatures (sigv4.ts) with the credentials given (credentials.ts, which
// also reads them from a credentials file); the default
// mode reads the scope and checks nothing, as local emulators do.
//
// Order of work per request: body (size limit) → authentication → X-Amz-Target → JSON → the
// operation. Authentication comes before anything else is looked at, so that an unsigned caller
// learns nothing about the request it sent.
//
// Overload: connections are capped per client address and in all, closing idle or stalled
// ones first to make room (connection-guard.ts); headers time out in 5 s; a client that hangs up
// aborts the key pair job it was waiting for (the signal passed to generateKeyPair).
//
// Shutdown: `close()` stops accepting connections, lets in-flight requests finish (their
// responses carry `Connection: close`), closes idle keep-alive connections, writes the keys' last
// uses still held in memory (GetKeyLastUsage) to the store, then resolves. A
// process that serves until SIGTERM:
//
//   const server = await startServer({ port: 4599 });
//   process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { KeyPair, KeyPairSpec } from '../../core/index.js';
import { KMSServiceException, UnknownOperationException } from '../../kms/exceptions.js';
import type { MiddlewareStack } from '../../kms/middleware.js';
import { runOperation, type PipelineConfig } from '../../kms/pipeline.js';
import { isOperationName, sensitiveOutputs, type OperationName } from '../../kms/registry.js';
import { MemoryKeyStore, type KeyStore } from '../../kms/store.js';
import { flushLastUsage } from '../../kms/last-usage.js';
import { trustedRoots } from '../../kms/recipient.js';
import { isValidRegion, preVerify, scopeRegion, verifyRequest } from './sigv4.js';
import { decodeRequest, encodeError, encodeOutput, JSON_1_1 } from './wire.js';
import { ConnectionGuard, type ConnectionLimits } from './connection-guard.js';
import { RequestGuard } from './http-guard.js';
import { packageVersion } from '../version.js';
import {
  ACCOUNT_ID,
  resolveCaller,
  resolveCredential,
  type Credential,
  type ResolvedCaller,
  type ServerCredentials,
} from './credentials.js';

export { loadCredentialsFile, type ServerCredentials } from './credentials.js';

export interface ServerOptions {
  /** Default '127.0.0.1' (loopback). */
  host?: string;
  /** Default 4599; 0 = a random free port. */
  port?: number;
  /** Default a new MemoryKeyStore. */
  store?: KeyStore;
  /** Used when the request has no SigV4 credential scope; default 'us-east-1'. */
  region?: string;
  /** Default '111122223333'. */
  accountId?: string;
  /**
   * Where data key pairs come from, e.g. a worker pool; default the core in this thread. The
   * signal aborts when the client's connection closes before its answer: a pool can then drop
   * the job if it has not started (KeyPairWorkerPool.generate takes the same options).
   */
  generateKeyPair?: (spec: KeyPairSpec, options?: { signal?: AbortSignal }) => KeyPair | Promise<KeyPair>;
  /** Default 'none'; 'sigv4' = strict mode: every request must be signed by one of `credentials`. */
  auth?: 'none' | 'sigv4';
  /** Required for 'sigv4'. */
  credentials?: ServerCredentials[];
  /** Request body limit in bytes; default 1 MiB. */
  bodyLimit?: number;
  /**
   * One line per request (method, target, status, ms, request id); never secrets or bodies. The
   * same fields come as an object in the second argument, for structured logs.
   */
  log?: (line: string, fields: RequestLogFields) => void;
  /**
   * Middlewares around every operation, as KMSClient's `middlewareStack` runs them (the AWS SDK's
   * logger and metrics middlewares; middleware.ts).
   */
  middlewareStack?: MiddlewareStack;
  /** How long close() lets requests in flight run before it drops their connections; default 10 s. */
  closeGraceMs?: number;
  /**
   * Connections open at once from one client address; default 256. Past it, that address's
   * longest-idle connection (no complete request on it) is closed to make room.
   */
  maxConnectionsPerAddress?: number;
  /** Connections open at once in all; default 1024, with the same rule for making room. */
  maxConnections?: number;
  /**
   * Origins whose web pages may call the endpoint (CORS), e.g. ['http://localhost:3000'].
   * Without signatures, pages of any other origin are refused (http-guard.ts).
   */
  cors?: string[];
  /** Host names accepted without signatures besides localhost and the listening address (http-guard.ts). */
  allowHosts?: string[];
  /**
   * Without signatures (`auth: 'none'`), who every request comes from: an IAM user, role (which
   * calls as its session), role session or account root ARN; default `accountId`'s root. Its
   * account is the callers' (and must be `accountId` when both are given). In strict mode each
   * credential names its caller instead (credentials.ts).
   */
  principal?: string;
  /** For a role principal: the session name; default 'wasm-kms'. */
  roleSessionName?: string;
  /** IAM identity policy documents of `principal` (JSON text or objects); not for a root. */
  identityPolicies?: (string | object)[];
  /** aws:PrincipalTag/<key> values of `principal`. */
  principalTags?: Record<string, string>;
  /**
   * The certificates (DER) that the attestation document of a request's Recipient must chain to,
   * for every request; default AWS's Nitro Enclaves root (kms/attestation/aws-nitro-root.ts). Each
   * is parsed at start and must be a CA certificate the verifier can use (kms/recipient.ts
   * trustedRoots): otherwise, or for an empty list, startServer rejects with a TypeError naming it.
   */
  attestationRoots?: readonly Uint8Array[];
}

/** What the log gets about one request. */
export interface RequestLogFields {
  method: string;
  /** The X-Amz-Target when it is plainly a name, else the path. */
  target: string;
  status: number;
  ms: number;
  requestId: string;
  /** The error's __type (and, for unexpected errors, the class), when the request failed. */
  error?: string;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

const DEFAULTS = {
  host: '127.0.0.1',
  port: 4599,
  region: 'us-east-1',
  accountId: '111122223333',
  bodyLimit: 1024 * 1024,
};
const TARGET_PREFIX = 'TrentService.';
// Past the limit the rest of a body is read and dropped, so that the client gets its 413 instead
// of a reset connection; past this much more, the connection is closed.
const DRAIN_LIMIT = 16 * 1024 * 1024;
/** Connections open at once, in all and per client address (connection-guard.ts). */
const MAX_CONNECTIONS = 1024;
const MAX_CONNECTIONS_PER_ADDRESS = 256;
const HEADERS_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 30_000;

interface Config {
  store: KeyStore;
  region: string;
  accountId: string;
  generateKeyPair?: (spec: KeyPairSpec, options?: { signal?: AbortSignal }) => KeyPair | Promise<KeyPair>;
  strict: boolean;
  credentials: ReadonlyMap<string, Credential>;
  /** The caller of every request without signatures (`auth: 'none'`). */
  anonymous: ResolvedCaller;
  bodyLimit: number;
  log?: (line: string, fields: RequestLogFields) => void;
  middlewareStack?: MiddlewareStack;
  /** Host, Origin and CORS (http-guard.ts); set once the server is created. */
  guard?: RequestGuard;
  /** Set by close(): responses from then on close their connection. */
  closing: boolean;
  /** Trusted roots of attestation documents (DER); undefined: the engine's default (AWS's). */
  attestationRoots?: readonly Uint8Array[];
}

/** Starts the endpoint; resolves once it listens. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? DEFAULTS.host;
  const port = options.port ?? DEFAULTS.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new RangeError(`port must be an integer from 0 to 65535, got ${String(port)}`);
  const config = resolveConfig(options);
  const closeGraceMs = options.closeGraceMs ?? 10_000;
  if (!Number.isFinite(closeGraceMs) || closeGraceMs < 0)
    throw new RangeError(`closeGraceMs must be a number of milliseconds, got ${String(closeGraceMs)}`);
  let listening: { address: string; port: number } | undefined;
  config.guard = new RequestGuard({
    host,
    strict: config.strict,
    cors: options.cors,
    allowHosts: options.allowHosts,
    // Requests arrive only once the server listens.
    listening: () => (listening ??= server.address() as AddressInfo),
  });

  const limits = connectionLimits(options);
  // Node checks headersTimeout and requestTimeout every connectionsCheckingInterval (30 s by
  // default), which let stalled sockets keep their places for half a minute.
  const server = createServer(
    { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: 1_000 },
    (req, res) => {
      res.on('finish', () => {
        // A keep-alive connection that was busy when close() was called is idle now.
        if (config.closing) server.closeIdleConnections();
      });
      void handle(config, req, res);
    },
  );

  // Slow or stalled clients are cut off: headers within 5 s, the whole request within 30 s
  // (checked every second); until then, ConnectionGuard keeps room for complete requests.
  new ConnectionGuard(limits).attach(server);

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${address.port}`,
    host: address.address,
    port: address.port,
    close() {
      if (closed === undefined) {
        config.closing = true;
        // Requests in flight get closeGraceMs to finish (Node stops timing requests out once
        // close() is called, so a stalled client would otherwise hold close() open forever).
        const grace = setTimeout(() => server.closeAllConnections(), closeGraceMs);
        grace.unref();
        closed = new Promise<void>(
          (resolve, reject) =>
            server.close((err) => {
              clearTimeout(grace);
              if (err) reject(err);
              else resolve();
            }),
          // Then the last uses of keys held in memory (GetKeyLastUsage) go to the store, which
          // writes them at most once a minute per key while serving. A failed write loses only that.
        ).then(() => flushLastUsage(config.store));
        server.closeIdleConnections();
      }
      return closed;
    },
  };
}

function connectionLimits(options: ServerOptions): ConnectionLimits {
  const total = options.maxConnections ?? MAX_CONNECTIONS;
  if (!Number.isSafeInteger(total) || total < 1)
    throw new RangeError(`maxConnections must be a positive whole number, got ${String(total)}`);
  const perAddress = options.maxConnectionsPerAddress ?? MAX_CONNECTIONS_PER_ADDRESS;
  if (!Number.isSafeInteger(perAddress) || perAddress < 1) {
    throw new RangeError(`maxConnectionsPerAddress must be a positive whole number, got ${String(perAddress)}`);
  }
  return { total, perAddress };
}

function resolveConfig(options: ServerOptions): Config {
  const region = options.region ?? DEFAULTS.region;
  if (!isValidRegion(region))
    throw new TypeError(`region must be a Region name such as us-east-1, got ${JSON.stringify(region)}`);
  const accountId = options.accountId ?? DEFAULTS.accountId;
  if (!ACCOUNT_ID.test(accountId)) throw new TypeError(`accountId must be 12 digits, got ${JSON.stringify(accountId)}`);
  const bodyLimit = options.bodyLimit ?? DEFAULTS.bodyLimit;
  if (!Number.isInteger(bodyLimit) || bodyLimit <= 0)
    throw new RangeError(`bodyLimit must be a positive number of bytes, got ${String(bodyLimit)}`);
  const auth = options.auth ?? 'none';
  if (auth !== 'none' && auth !== 'sigv4')
    throw new TypeError(`auth must be 'none' or 'sigv4', got ${JSON.stringify(auth)}`);
  const credentials = new Map<string, Credential>();
  for (const [i, c] of (options.credentials ?? []).entries()) {
    // Each credential's caller (identity policies compiled) is made here, once.
    const credential = resolveCredential(c, `credentials[${i}]`, accountId, region);
    if (credentials.has(c.accessKeyId))
      throw new TypeError(`credentials[${i}]: access key id ${c.accessKeyId} is listed twice`);
    credentials.set(c.accessKeyId, credential);
  }
  if (auth === 'sigv4' && credentials.size === 0)
    throw new TypeError("auth 'sigv4' needs at least one entry in credentials");
  const callerOptions = {
    principal: options.principal,
    roleSessionName: options.roleSessionName,
    identityPolicies: options.identityPolicies,
    principalTags: options.principalTags,
  };
  if (auth === 'sigv4') {
    for (const [name, value] of Object.entries(callerOptions)) {
      if (value !== undefined)
        throw new TypeError(`${name} is for auth 'none': in strict mode each credential names its own caller`);
    }
  }
  // Without signatures every request comes from this caller; an account is the principal's.
  const anonymous = resolveCaller({ ...callerOptions, accountId: options.accountId }, accountId, region);
  // Each a certificate the verifier can use as a root, parsed now: an empty list or one that can
  // never match would refuse every attestation document, a mistake rather than a policy. Copies:
  // roots changed by the caller after the start do not change what is trusted.
  const roots =
    options.attestationRoots === undefined
      ? undefined
      : trustedRoots(options.attestationRoots, 'attestationRoots', { pem: false });
  return {
    store: options.store ?? new MemoryKeyStore(),
    region,
    accountId: anonymous.account,
    anonymous,
    generateKeyPair: options.generateKeyPair,
    strict: auth === 'sigv4',
    credentials,
    bodyLimit,
    log: options.log,
    middlewareStack: options.middlewareStack,
    closing: false,
    attestationRoots: roots,
  };
}

/** Zeroes the byte arrays of the output members that hold plaintext keys (the registry's sensitive outputs). */
function wipeSecrets(operation: OperationName, output: object): void {
  for (const name of sensitiveOutputs(operation)) {
    const v = (output as Record<string, unknown>)[name];
    if (v instanceof Uint8Array) v.fill(0);
  }
}

class BodyTooLarge extends Error {}
/** The client went away before its request body was complete. */
class Aborted extends Error {}

/** An error answered with its own status and __type that is not a KMS exception (413, 404, 405). */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

async function handle(config: Config, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const requestId = randomUUID();
  const method = req.method ?? '-';
  const [path, queryString = ''] = (req.url ?? '/').split('?', 2);
  let label = printablePath(path);
  let bodyRead = false;
  let errorName = '';
  /** The class of an error the pipeline turned into KMSInternalException. */
  let internalError: string | undefined;
  const log = config.log;
  if (log !== undefined)
    res.on('finish', () => {
      const ms = (performance.now() - started).toFixed(1);
      const fields: RequestLogFields = { method, target: label, status: res.statusCode, ms: Number(ms), requestId };
      if (errorName) fields.error = errorName;
      try {
        const r: unknown = log(
          `${method} ${label} ${res.statusCode} ${ms}ms ${requestId}${errorName ? ` ${errorName}` : ''}`,
          fields,
        );
        // A sink may be async; its rejection must not become an unhandled one.
        if (r instanceof Promise) r.catch(() => {});
      } catch {
        // A failing log sink must not take the server down.
      }
    });

  try {
    // Host and Origin before anything else: a web page that may not call the endpoint learns nothing.
    const guard = config.guard!;
    const decision = guard.check(req, path);
    for (const [k, v] of Object.entries(guard.responseHeaders(decision.allowed ? decision.corsOrigin : undefined)))
      res.setHeader(k, v);
    // 403 in the AWS JSON error shape; the message is this engine's wording (http-guard.ts).
    if (!decision.allowed)
      throw new HttpError(403, 'AccessDeniedException', decision.message, {
        'x-amzn-ErrorType': 'AccessDeniedException',
      });
    if (path === '/health') {
      if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed('GET, HEAD');
      reply(
        config,
        res,
        200,
        requestId,
        JSON.stringify({ status: 'ok', version: packageVersion() }),
        'application/json',
      );
      return;
    }
    if (path !== '/')
      throw new HttpError(
        404,
        'NotFound',
        `Nothing is served at ${printablePath(path)}. KMS requests are POST / with X-Amz-Target: TrentService.<Operation>.`,
      );
    if (decision.corsOrigin !== undefined && RequestGuard.isPreflight(req)) {
      if (config.closing) res.setHeader('Connection', 'close');
      res.writeHead(204, { ...guard.preflightHeaders(req, decision.corsOrigin), 'x-amzn-RequestId': requestId }).end();
      return;
    }
    if (method !== 'POST') throw methodNotAllowed('POST');

    const rawTarget = req.headers['x-amz-target'];
    const target = Array.isArray(rawTarget) ? rawTarget.join(',') : rawTarget;
    // The log gets the target only when it is plainly a name (no line breaks or other text).
    if (typeof target === 'string' && /^[A-Za-z0-9_.]{1,128}$/.test(target)) label = target;
    // Only strict mode reads the headers as lists (Node builds them on first use).
    const headers = config.strict ? (req.headersDistinct as Record<string, string[] | undefined>) : {};
    // Before the body is read: a caller strict mode would refuse anyway costs no memory.
    if (config.strict) preVerify(headers, config.credentials);
    // A body declared too large is drained without being kept (the client then reads its 413).
    const declared = Number(req.headers['content-length']);
    const body = await readBody(req, config.bodyLimit, Number.isFinite(declared) && declared > config.bodyLimit);
    bodyRead = true;
    const authorization = req.headers.authorization;
    let who: ResolvedCaller = config.anonymous;
    let region: string;
    if (config.strict) {
      const verified = await verifyRequest(
        { method, path, query: parseQuery(queryString), headers, body },
        config.credentials,
      );
      who = verified.credential;
      region = verified.region;
    } else {
      region = scopeRegion(authorization) ?? config.region;
    }

    const operation = operationOf(target);
    const input = decodeRequest(operation, body);
    const caller: PipelineConfig = {
      store: config.store,
      accountId: who.account,
      principal: who.callerArn,
      caller: who.caller(region),
      sourceIp: sourceIp(req),
      // Plain HTTP: this endpoint terminates no TLS itself.
      secureTransport: false,
      region,
      generateKeyPair: abandonable(config, res),
      attestationRoots: config.attestationRoots,
    };
    const output = await runOperation(caller, operation, input, {
      requestId,
      middlewareStack: config.middlewareStack,
      // Only the class of an unexpected error goes to the log, never its message or stack.
      onInternalError: (e) => (internalError = e instanceof Error ? e.constructor.name : typeof e),
    });
    const json = encodeOutput(output);
    // The response text is all that is left of a plaintext key once it is encoded.
    wipeSecrets(operation, output);
    reply(config, res, 200, requestId, json);
  } catch (err) {
    if (err instanceof Aborted || res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    // A body left unread is not worth reading: the connection ends with this response.
    if (!bodyRead && method === 'POST') res.setHeader('Connection', 'close');
    if (err instanceof HttpError) {
      errorName = err.type;
      for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
      reply(config, res, err.status, requestId, JSON.stringify({ __type: err.type, message: err.message }));
      return;
    }
    if (err instanceof BodyTooLarge) {
      errorName = 'RequestEntityTooLargeException';
      res.setHeader('Connection', 'close');
      reply(
        config,
        res,
        413,
        requestId,
        JSON.stringify({
          __type: errorName,
          message: `The request body exceeds this server's limit of ${config.bodyLimit} bytes.`,
        }),
      );
      return;
    }
    const e = encodeError(err);
    // An unexpected error (made KMSInternalException by the pipeline, or thrown outside it) is
    // logged by its class only.
    const unexpected =
      internalError ??
      (err instanceof KMSServiceException ? undefined : err instanceof Error ? err.constructor.name : typeof err);
    errorName = unexpected === undefined ? e.name : `${e.name} (${unexpected})`;
    res.setHeader('x-amzn-ErrorType', e.name);
    reply(config, res, e.status, requestId, e.body);
  }
}

/**
 * The key pair source for one request, with a signal that aborts when the client's connection
 * closes before the answer is sent: a pool drops the job if it has not started, so work for
 * clients that hung up does not delay the next ones.
 */
function abandonable(config: Config, res: ServerResponse): PipelineConfig['generateKeyPair'] {
  const generate = config.generateKeyPair;
  if (generate === undefined) return undefined;
  const abandoned = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) abandoned.abort();
  });
  return (spec) => generate(spec, { signal: abandoned.signal });
}

function reply(
  config: Config,
  res: ServerResponse,
  status: number,
  requestId: string,
  body: string,
  contentType = JSON_1_1,
): void {
  if (res.destroyed) return;
  if (config.closing) res.setHeader('Connection', 'close');
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
  });
  res.end(body);
}

function operationOf(target: string | undefined): OperationName {
  if (target === undefined || target === '') {
    throw new UnknownOperationException('Missing X-Amz-Target header: expected TrentService.<Operation>.');
  }
  const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  if (!isOperationName(name)) {
    throw new UnknownOperationException(
      `Unknown operation ${JSON.stringify(target.slice(0, 128))}: expected TrentService.<Operation> for one of the KMS operations this endpoint serves.`,
    );
  }
  return name;
}

function methodNotAllowed(allow: string): HttpError {
  return new HttpError(405, 'MethodNotAllowed', `Use ${allow.replace(', ', ' or ')} here.`, { Allow: allow });
}

function readBody(req: IncomingMessage, limit: number, declaredTooLarge = false): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = declaredTooLarge;
    let ended = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (over) {
        if (size > limit + DRAIN_LIMIT) req.destroy();
        return;
      }
      if (size > limit) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      ended = true;
      if (over) reject(new BodyTooLarge());
      else resolve(Buffer.concat(chunks, size));
    });
    req.on('close', () => {
      if (!ended) reject(over ? new BodyTooLarge() : new Aborted());
    });
    // 'error' is followed by 'close'.
    req.on('error', () => {});
  });
}

function parseQuery(query: string): Record<string, string | string[]> {
  // No prototype: a parameter named __proto__ is a parameter like any other.
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [k, v] of new URLSearchParams(query)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** aws:SourceIp: the client's address, an IPv4-mapped IPv6 one (`::ffff:a.b.c.d`) as IPv4. */
function sourceIp(req: IncomingMessage): string | undefined {
  const address = req.socket.remoteAddress;
  if (address === undefined) return undefined;
  const mapped = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i.exec(address);
  return mapped === null ? address : mapped[1];
}

function printablePath(path: string): string {
  const clean = path.replace(/[^\x21-\x7e]/g, '?');
  return clean.length > 128 ? `${clean.slice(0, 128)}...` : clean;
}
