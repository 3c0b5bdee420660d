// serve: the KMS endpoint (../http/server.ts) on the file key store, or the PostgreSQL key store
// when --store is a postgres:// URL (or, with --memory, a MemoryKeyStore for one run), with key
// pairs from a worker pool. Web pages: see ../http/http-guard.ts (--cors, --allow-host).
// It prints one line on stdout once it listens — "wasm-kms listening on http://HOST:PORT" — with
// the real port when --port 0 asked for any free one, and one line per request on stderr unless
// --quiet. SIGTERM or SIGINT: stop accepting, let in-flight requests finish, close the pool and
// the store, exit 0. A second signal during that exits at once (1). Listening on an address other
// than loopback with --auth none prints a warning on stderr: anyone who reaches it can use every
// key without credentials.
//
// Every setting a deployment commonly changes has an environment variable as well, for
// containers and supervisors: WASM_KMS_HOST, WASM_KMS_PORT, WASM_KMS_AUTH, WASM_KMS_REGION,
// WASM_KMS_PRINCIPAL, WASM_KMS_ROLE_SESSION_NAME, WASM_KMS_IDENTITY_POLICY and WASM_KMS_PRINCIPAL_TAG
// (the last two: lists separated by commas), WASM_KMS_PG_POOL_SIZE and
// WASM_KMS_PG_STATEMENT_TIMEOUT (and WASM_KMS_STORE and WASM_KMS_ATTESTATION_ROOT, which every
// command reads, in main.ts). A flag wins over its variable; a variable set to the empty string
// counts as unset, as AWS_REGION does for the AWS CLI.
// Callers: with --auth sigv4, each credential names its own (account, principal, identity
// policies, tags); with --auth none, every request comes from --principal (default the
// --account-id root), with its --identity-policy documents and --principal-tag tags.
// Log lines (requests, shutdown) carry an ISO 8601 UTC timestamp; --log-format json writes one
// JSON object per line instead ({time, level, msg, ...request fields}).
// --processes N: N processes (node:cluster) serve one port and one file store, each with a
// worker pool of its own. The threads are divided: by default each process gets C/N threads for
// RSA (at least one) plus the one reserved for the other specs, so N = 1 is the single process's
// default (C + 1). The first process (the primary) serves nothing: it starts the others, prints
// the listening line once all listen, and on SIGTERM or SIGINT passes SIGTERM to each and exits
// when all have (0, or the first non-zero exit code). A serving process that dies is replaced,
// unless 5 were replaced in the last minute: then all stop and the exit is 1. One that dies
// before all listen (a port in use, a store that cannot be opened) stops them all.
// On a 2-core machine it gives little or nothing (the README's benchmarks have the figures): the
// processes and their pools share the same two cores.
// On PostgreSQL (--store postgres://user@host:port/db), any number of serve commands on any
// machines may share one database: each process has a pool of --pg-pool-size connections, and a
// statement running longer than --pg-statement-timeout is cancelled (the request fails with a
// retryable 5xx). The URL's password is never printed: messages show it as ***.

import cluster, { type Worker as ClusterWorker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { KeyPairWorkerPool, parsePoolSpec } from '../pool/pool.js';
import { readFileSync } from 'node:fs';
import {
  loadCredentialsFile,
  startServer,
  type RequestLogFields,
  type RunningServer,
  type ServerCredentials,
  type ServerOptions,
} from '../http/server.js';
import { resolveCaller } from '../http/credentials.js';
import { CliFailure, UsageError } from './params.js';
import {
  ExitError,
  isPostgresUrl,
  oneLine,
  openStore,
  type CliIO,
  type CliStore,
  type GlobalOptions,
  type PostgresSettings,
} from './context.js';
import { MemoryKeyStore } from '../../kms/store.js';
import { isValidRegion } from '../http/sigv4.js';
import { normalizeHostName, normalizeOrigin } from '../http/http-guard.js';

/**
 * The default threads of each of `processes` processes: its share of the cores for RSA (at least
 * one), plus the thread reserved for the other specs; one process gets the pool's own default.
 */
export function threadsPerProcess(processes: number, cores: number = availableParallelism()): number | undefined {
  if (processes <= 1) return undefined;
  return Math.max(1, Math.floor(cores / processes)) + 1;
}

/** Whether a bound address is reachable only from this machine (127.0.0.0/8, ::1). */
function isLoopback(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return /^127\.\d+\.\d+\.\d+$/.test(v4) || address === '::1';
}

function wholeNumber(value: unknown, option: string, min: number, max: number): number {
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(
      `${sourceLabel(option)}: expected a whole number from ${min} to ${max}, got '${String(value)}'`,
    );
  }
  return Number(text);
}

/** 'argument --port' for a flag, 'environment variable WASM_KMS_PORT' for a variable. */
function sourceLabel(source: string): string {
  return source.startsWith('--') ? `argument ${source}` : `environment variable ${source}`;
}

/** A flag's value, else its environment variable's (unless empty), else undefined; with where it came from. */
function setting(
  flagValue: unknown,
  flag: string,
  env: NodeJS.ProcessEnv,
  variable: string,
): { value: string; source: string } | undefined {
  if (flagValue !== undefined) return { value: String(flagValue), source: flag };
  const v = env[variable];
  return v ? { value: v, source: variable } : undefined;
}

/** A repeatable option's values (commander gives `previous` undefined the first time). */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

type LogFormat = 'text' | 'json';

/** Where serve's log lines go: stderr, one line each, text with a timestamp or JSON. */
interface Logger {
  request(line: string, fields: RequestLogFields): void;
  info(msg: string): void;
}

function makeLogger(io: CliIO, format: LogFormat): Logger {
  const time = () => new Date().toISOString();
  // With --processes, each serving process's lines name it.
  const pid = cluster.isWorker ? { pid: process.pid } : {};
  const json = (level: string, msg: string, extra: object = {}) =>
    io.stderr(`${JSON.stringify({ time: time(), level, msg, ...pid, ...extra })}\n`);
  if (format === 'json') {
    return {
      request: (line, fields) =>
        json(fields.status >= 500 ? 'error' : fields.status >= 400 ? 'warn' : 'info', line, fields),
      info: (msg) => json('info', msg),
    };
  }
  const who = cluster.isWorker ? `[${process.pid}] ` : '';
  return {
    request: (line) => io.stderr(`${time()} ${who}${line}\n`),
    info: (msg) => io.stderr(`${time()} ${who}wasm-kms: ${msg}\n`),
  };
}

export function addServeCommand(program: Command, io: CliIO, globals: () => GlobalOptions): void {
  program
    .command('serve')
    .description(
      'Serve the KMS API (AWS JSON 1.1, POST / with X-Amz-Target: TrentService.<Operation>) on the file key store or a PostgreSQL database (--store postgres://...).',
    )
    .option('--host <host>', 'address to listen on (default: $WASM_KMS_HOST, else 127.0.0.1)')
    .option(
      '--port <port>',
      'port to listen on; 0 for any free port, the line printed says which (default: $WASM_KMS_PORT, else 4599)',
    )
    .option(
      '--auth <mode>',
      'none (signatures not checked) or sigv4 (every request signed by one of --credentials) (default: $WASM_KMS_AUTH, else none)',
    )
    .option(
      '--credentials <file>',
      'for --auth sigv4 (mode 600): JSON [{accessKeyId, secretAccessKey, accountId?, principal?, roleSessionName?, identityPolicies?, identityPolicyFiles?, principalTags?, sessionToken?}] or an AWS credentials INI file (aws_access_key_id, aws_secret_access_key, aws_account_id, aws_session_token, principal, role_session_name, identity_policy_file, principal_tags)',
    )
    .option('--pool <spec>', 'key pairs to keep ready per spec, e.g. RSA_2048=32,ECC_NIST_P256=8 (memory only)')
    .option(
      '--threads <n>',
      'worker threads for key pairs (default: the number of CPUs + 1, one kept for non-RSA requests)',
    )
    .option(
      '--processes <n>',
      'processes serving one port and one store, each with its own worker pool; the threads are divided between them (default 1)',
    )
    .option('--body-limit <bytes>', 'largest request body (default 1 MiB)')
    .option(
      '--max-connections-per-client <n>',
      "connections one client address may hold open (default 256); past it, that address's longest-idle one is closed",
    )
    .option(
      '--max-queue <n>',
      'key pair requests that may wait per worker pool lane (RSA, the rest) before ThrottlingException (default 256)',
    )
    .option('--quiet', 'no per-request lines on stderr')
    .option(
      '--cors <origin>',
      'an origin whose web pages may call the endpoint, e.g. http://localhost:3000 (repeatable)',
      collect,
    )
    .option(
      '--allow-host <name>',
      'a further Host name accepted without --auth sigv4, e.g. a docker compose service name (repeatable)',
      collect,
    )
    .option(
      '--principal <arn>',
      "with --auth none, who every request comes from: an IAM user, role (calling as its session) or role session ARN of the account, or its root (default: $WASM_KMS_PRINCIPAL, else the --account-id root); its account is the callers'",
    )
    .option(
      '--role-session-name <name>',
      'for a role --principal: the session it calls as (default: $WASM_KMS_ROLE_SESSION_NAME, else wasm-kms)',
    )
    .option(
      '--identity-policy <file>',
      'with --auth none: an IAM identity policy document (JSON) of --principal (repeatable; default: $WASM_KMS_IDENTITY_POLICY, paths separated by commas)',
      collect,
    )
    .option(
      '--principal-tag <key=value>',
      'with --auth none: a tag of --principal, for aws:PrincipalTag/<key> (repeatable; default: $WASM_KMS_PRINCIPAL_TAG, pairs separated by commas)',
      collect,
    )
    .option('--memory', 'keep keys in memory only, for this run (not with --store)')
    .option(
      '--pg-pool-size <n>',
      'with --store postgres://...: connections to PostgreSQL per serving process, 1 to 1000 (default: $WASM_KMS_PG_POOL_SIZE, else 10)',
    )
    .option(
      '--pg-statement-timeout <ms>',
      'with --store postgres://...: a statement running longer is cancelled and the request fails with a retryable error, 1 to 2147483647 ms (default: $WASM_KMS_PG_STATEMENT_TIMEOUT, else 10000)',
    )
    .option('--log-format <format>', 'text (default: timestamped lines) or json (one object per line)')
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const g = globals();
      const env = io.env;
      // The global options as given, to tell a flag from a default taken from the environment.
      const given = cmd.parent?.opts<{ store?: string; region?: string }>() ?? {};
      const hostSetting = setting(opts.host, '--host', env, 'WASM_KMS_HOST');
      const host = hostSetting?.value ?? '127.0.0.1';
      const portSetting = setting(opts.port, '--port', env, 'WASM_KMS_PORT');
      const port = portSetting === undefined ? 4599 : wholeNumber(portSetting.value, portSetting.source, 0, 65535);
      const authSetting = setting(opts.auth, '--auth', env, 'WASM_KMS_AUTH');
      const auth = authSetting?.value ?? 'none';
      if (auth !== 'none' && auth !== 'sigv4') {
        throw new UsageError(
          `${sourceLabel(authSetting!.source)}: Invalid choice: '${auth}', valid choices are: none, sigv4`,
        );
      }
      let region = g.region;
      if (given.region === undefined && env.WASM_KMS_REGION) {
        if (!isValidRegion(env.WASM_KMS_REGION)) {
          throw new UsageError(
            `environment variable WASM_KMS_REGION: '${env.WASM_KMS_REGION}' is not a Region name (letters, digits and hyphens, e.g. us-east-1)`,
          );
        }
        region = env.WASM_KMS_REGION;
      }
      if (opts.memory === true && given.store !== undefined)
        throw new UsageError('--memory and --store exclude each other: --memory keeps keys in memory only');
      const logFormat = opts.logFormat ?? 'text';
      if (logFormat !== 'text' && logFormat !== 'json')
        throw new UsageError(
          `argument --log-format: Invalid choice: '${String(logFormat)}', valid choices are: text, json`,
        );
      const cors = ((opts.cors as string[] | undefined) ?? []).map((o) => {
        try {
          return normalizeOrigin(o, 'argument --cors');
        } catch (e) {
          throw new UsageError(oneLine(e));
        }
      });
      const allowHosts = ((opts.allowHost as string[] | undefined) ?? []).map((h) => {
        try {
          return normalizeHostName(h, 'argument --allow-host');
        } catch (e) {
          throw new UsageError(oneLine(e));
        }
      });
      if (auth === 'sigv4' && opts.credentials === undefined)
        throw new UsageError('--auth sigv4 needs --credentials FILE');
      if (auth === 'none' && opts.credentials !== undefined)
        throw new UsageError('--credentials is only used with --auth sigv4');
      const anonymous = callerSettings(opts, env, auth, {
        accountId: g.accountId,
        accountGiven: cmd.parent?.getOptionValueSource('accountId') === 'cli',
        region,
      });
      const postgres = postgresSettings(opts, env, opts.memory === true ? undefined : g.store);
      const processes = opts.processes === undefined ? 1 : wholeNumber(opts.processes, '--processes', 1, 256);
      if (processes > 1 && opts.memory === true)
        throw new UsageError('--memory and --processes exclude each other: each process would have a store of its own');
      const threads =
        opts.threads === undefined ? threadsPerProcess(processes) : wholeNumber(opts.threads, '--threads', 1, 1024);
      const bodyLimit =
        opts.bodyLimit === undefined ? undefined : wholeNumber(opts.bodyLimit, '--body-limit', 1, 2 ** 31 - 1);
      const perClient = opts.maxConnectionsPerClient;
      const maxConnectionsPerAddress =
        perClient === undefined ? undefined : wholeNumber(perClient, '--max-connections-per-client', 1, 1_000_000);
      const maxQueued =
        opts.maxQueue === undefined ? undefined : wholeNumber(opts.maxQueue, '--max-queue', 1, 1_000_000);
      let prefill: ReturnType<typeof parsePoolSpec> | undefined;
      if (opts.pool !== undefined) {
        try {
          prefill = parsePoolSpec(String(opts.pool));
        } catch (e) {
          throw new UsageError(`argument --pool: ${oneLine(e)}`);
        }
      }
      let credentials: ServerCredentials[] | undefined;
      if (auth === 'sigv4') {
        try {
          credentials = loadCredentialsFile(String(opts.credentials));
        } catch (e) {
          throw new CliFailure(oneLine(e));
        }
      }
      if (processes > 1 && cluster.isPrimary) {
        // A store that cannot be opened fails here once, with one message, before any process starts.
        await (await openStore({ ...g, region }, io.env, postgres)).close();
        await runPrimary(io, processes, { host, auth, logFormat, quiet: opts.quiet === true });
        return;
      }
      await serve(
        io,
        { ...g, region, accountId: anonymous.accountId },
        {
          host,
          port,
          auth,
          credentials,
          threads,
          bodyLimit,
          maxConnectionsPerAddress,
          maxQueued,
          prefill,
          quiet: opts.quiet === true,
          cors,
          allowHosts,
          memory: opts.memory === true,
          postgres,
          logFormat,
          caller: anonymous.caller,
        },
      );
    });
}

/**
 * --pg-pool-size and --pg-statement-timeout (or their variables), checked; given with a store that
 * is not PostgreSQL (a directory, --memory: `store` undefined), a flag is a usage error and a
 * variable is ignored, as a shared environment may set it for every endpoint.
 */
function postgresSettings(
  opts: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  store: string | undefined,
): PostgresSettings {
  const poolSize = setting(opts.pgPoolSize, '--pg-pool-size', env, 'WASM_KMS_PG_POOL_SIZE');
  const timeout = setting(opts.pgStatementTimeout, '--pg-statement-timeout', env, 'WASM_KMS_PG_STATEMENT_TIMEOUT');
  if (store === undefined || !isPostgresUrl(store)) {
    const flag = [poolSize, timeout].find((x) => x !== undefined && x.source.startsWith('--'));
    if (flag !== undefined)
      throw new UsageError(
        `${sourceLabel(flag.source)}: only used with a PostgreSQL store (--store postgres://USER@HOST:PORT/DB)`,
      );
    return {};
  }
  const out: PostgresSettings = {};
  if (poolSize !== undefined) out.poolSize = wholeNumber(poolSize.value, poolSize.source, 1, 1000);
  if (timeout !== undefined) out.statementTimeoutMs = wholeNumber(timeout.value, timeout.source, 1, 2 ** 31 - 1);
  return out;
}

/** The caller of `--auth none` requests: --principal and the like, checked here (usage errors name the option). */
interface AnonymousCaller {
  /** --account-id, or the principal's account. */
  accountId: string;
  caller: Pick<ServerOptions, 'principal' | 'roleSessionName' | 'identityPolicies' | 'principalTags'>;
}

/** A list setting: the flag's values, else its variable's (split at commas), else none. */
function listSetting(
  flagValues: unknown,
  flag: string,
  env: NodeJS.ProcessEnv,
  variable: string,
): { values: string[]; source: string } | undefined {
  if (flagValues !== undefined) return { values: flagValues as string[], source: flag };
  const v = env[variable];
  return v ? { values: v.split(','), source: variable } : undefined;
}

function callerSettings(
  opts: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  auth: 'none' | 'sigv4',
  g: { accountId: string; accountGiven: boolean; region: string },
): AnonymousCaller {
  const principal = setting(opts.principal, '--principal', env, 'WASM_KMS_PRINCIPAL');
  const sessionName = setting(opts.roleSessionName, '--role-session-name', env, 'WASM_KMS_ROLE_SESSION_NAME');
  const policies = listSetting(opts.identityPolicy, '--identity-policy', env, 'WASM_KMS_IDENTITY_POLICY');
  const tags = listSetting(opts.principalTag, '--principal-tag', env, 'WASM_KMS_PRINCIPAL_TAG');
  const given = [principal, sessionName, policies, tags].filter((x) => x !== undefined);
  if (auth === 'sigv4') {
    if (given.length > 0)
      throw new UsageError(
        `${sourceLabel(given[0].source)}: only used with --auth none (with --auth sigv4, each entry of --credentials names its caller)`,
      );
    return { accountId: g.accountId, caller: {} };
  }
  const caller: AnonymousCaller['caller'] = {};
  // The principal (and its session name) first: the rest is checked against it.
  if (sessionName !== undefined) {
    if (principal === undefined || !/^arn:[^:]+:iam::\d{12}:role\//.test(principal.value))
      throw new UsageError(
        `${sourceLabel(sessionName.source)}: only for a role principal (--principal arn:aws:iam::ACCOUNT:role/NAME)`,
      );
    caller.roleSessionName = sessionName.value;
  }
  let accountId = g.accountId;
  if (principal !== undefined) {
    caller.principal = principal.value;
    try {
      accountId = resolveCaller(
        { ...caller, accountId: g.accountGiven ? g.accountId : undefined },
        g.accountId,
        g.region,
      ).account;
    } catch (e) {
      const label = /role session name/.test(oneLine(e)) ? sessionName!.source : principal.source;
      throw new UsageError(`${sourceLabel(label)}: ${oneLine(e).replace('not of accountId', 'not of --account-id')}`);
    }
  }
  if (tags !== undefined) {
    const map: Record<string, string> = {};
    for (const pair of tags.values) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UsageError(`${sourceLabel(tags.source)}: expected KEY=VALUE, got '${pair}'`);
      const key = pair.slice(0, eq);
      if (Object.prototype.hasOwnProperty.call(map, key))
        throw new UsageError(`${sourceLabel(tags.source)}: the key ${key} is given twice`);
      map[key] = pair.slice(eq + 1);
    }
    try {
      resolveCaller({ ...caller, principalTags: map }, accountId, g.region);
    } catch (e) {
      throw new UsageError(`${sourceLabel(tags.source)}: ${oneLine(e).replace(/^principalTags: /, '')}`);
    }
    caller.principalTags = map;
  }
  if (policies !== undefined) {
    caller.identityPolicies = policies.values.map((file) => {
      if (file === '') throw new UsageError(`${sourceLabel(policies.source)}: expected a file path, got ''`);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new UsageError(
          `${sourceLabel(policies.source)}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? oneLine(e)}`,
        );
      }
      try {
        resolveCaller({ ...caller, identityPolicies: [text] }, accountId, g.region);
      } catch (e) {
        throw new UsageError(
          `${sourceLabel(policies.source)}: ${file}: ${oneLine(e).replace(/^identityPolicies\[0\]: /, '')}`,
        );
      }
      return text;
    });
  }
  return { accountId, caller };
}

interface ServeOptions {
  host: string;
  port: number;
  auth: 'none' | 'sigv4';
  credentials?: ServerCredentials[];
  threads?: number;
  bodyLimit?: number;
  maxConnectionsPerAddress?: number;
  maxQueued?: number;
  prefill?: ReturnType<typeof parsePoolSpec>;
  quiet: boolean;
  cors: string[];
  allowHosts: string[];
  /** A MemoryKeyStore instead of the file store. */
  memory: boolean;
  /** For a PostgreSQL store. */
  postgres: PostgresSettings;
  logFormat: LogFormat;
  /** Who `--auth none` requests come from. */
  caller: AnonymousCaller['caller'];
}

async function serve(io: CliIO, g: GlobalOptions, o: ServeOptions): Promise<void> {
  try {
    await serveOnStore(io, g, o);
  } finally {
    // The channel to the primary of --processes would keep this process alive. The worker's own
    // disconnect (not process.disconnect(), after which Node's cluster code exits with 0) lets the
    // process end with the exit code of what happened, a failure included.
    if (cluster.isWorker) cluster.worker?.disconnect();
  }
}

async function serveOnStore(io: CliIO, g: GlobalOptions, o: ServeOptions): Promise<void> {
  const store: CliStore = o.memory
    ? Object.assign(new MemoryKeyStore(), { close: () => Promise.resolve() })
    : await openStore(g, io.env, o.postgres);
  const logger = makeLogger(io, o.logFormat);
  let pool: KeyPairWorkerPool | undefined;
  let server: RunningServer | undefined;
  try {
    pool = new KeyPairWorkerPool({ threads: o.threads, prefill: o.prefill, maxQueued: o.maxQueued });
    const p = pool;
    try {
      server = await startServer({
        host: o.host,
        port: o.port,
        store,
        region: g.region,
        accountId: g.accountId,
        generateKeyPair: (spec, options) => p.generate(spec, options),
        auth: o.auth,
        credentials: o.credentials,
        bodyLimit: o.bodyLimit,
        maxConnectionsPerAddress: o.maxConnectionsPerAddress,
        log: o.quiet ? undefined : (line, fields) => logger.request(line, fields),
        cors: o.cors,
        allowHosts: o.allowHosts,
        ...o.caller,
        // --attestation-root (a global option): the roots of every request's Recipient.
        attestationRoots: g.attestationRoots,
      });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new CliFailure(
        `cannot listen on ${o.host}:${o.port}: ${code === 'EADDRINUSE' ? 'address in use' : oneLine(e)}`,
      );
    }
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      // A process of --processes stops when its primary says so, or on a SIGTERM of its own (a
      // supervisor may signal every process of the group); a Ctrl-C reaches the primary too,
      // which passes it on.
      const signals: NodeJS.Signals[] = cluster.isWorker ? ['SIGTERM'] : ['SIGINT', 'SIGTERM'];
      if (cluster.isWorker) process.on('SIGINT', () => {});
      let stopping = false;
      const stop = (s: NodeJS.Signals) => {
        if (stopping) return;
        stopping = true;
        for (const name of signals) process.off(name, stop);
        // A second signal while shutting down: the user wants out now.
        const force = () => process.exit(1);
        for (const name of signals) process.once(name, force);
        resolve(s);
      };
      for (const name of signals) process.on(name, stop);
      if (cluster.isWorker) {
        process.on('message', (m: { type?: string } | null) => {
          if (m?.type === SHUTDOWN) stop('SIGTERM');
        });
        // The primary prints the line (and any warning) once every process listens.
        process.send?.({ type: LISTENING, url: server!.url, host: server!.host } satisfies ListeningMessage);
        return;
      }
      if (o.auth === 'none' && !isLoopback(server!.host)) warnOpen(io, o.logFormat, o.host, server!.host);
      io.stdout(`wasm-kms listening on ${server!.url}\n`);
    });
    if (!o.quiet) logger.info(`${signal}: closing (in-flight requests finish)`);
    await server.close();
    server = undefined;
  } finally {
    await server?.close();
    await pool?.close();
    await store.close();
  }
}

function warnOpen(io: CliIO, logFormat: LogFormat, host: string, bound: string): void {
  const warning = `listening on ${host} (${bound}) with --auth none: anyone who can reach this address can decrypt, encrypt and generate data keys and key pairs with every key in the store, without credentials. Use --auth sigv4 --credentials FILE to require signed requests, or --host 127.0.0.1.`;
  if (logFormat === 'json')
    io.stderr(`${JSON.stringify({ time: new Date().toISOString(), level: 'warn', msg: warning })}\n`);
  else io.stderr(`wasm-kms: warning: ${warning}\n`);
}

/** What a serving process of --processes tells its primary once it listens. */
const LISTENING = 'wasm-kms:listening';
/** What the primary of --processes tells a serving process to make it stop as on SIGTERM. */
const SHUTDOWN = 'wasm-kms:shutdown';
interface ListeningMessage {
  type: typeof LISTENING;
  url: string;
  host: string;
}

/** Serving processes replaced within RESTART_WINDOW_MS after which the next crash stops them all. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

/**
 * The primary of --processes: forks `processes` copies of this command (node:cluster shares the
 * listening socket between them), prints the listening line once all listen, passes SIGTERM on,
 * and returns when all have exited; a non-zero exit of theirs becomes its own.
 */
async function runPrimary(
  io: CliIO,
  processes: number,
  o: { host: string; auth: 'none' | 'sigv4'; logFormat: LogFormat; quiet: boolean },
): Promise<void> {
  const logger = makeLogger(io, o.logFormat);
  const workers = new Set<ClusterWorker>();
  const listening = new Set<ClusterWorker>();
  let started = false;
  let stopping = false;
  let exitCode = 0;
  let firstFailure: string | undefined;
  let allExited!: () => void;
  const done = new Promise<void>((resolve) => (allExited = resolve));
  // When the serving processes that replaced crashed ones were started, for the restart limit.
  const restarts: number[] = [];
  const recentRestarts = (now: number): number => restarts.filter((t) => now - t < RESTART_WINDOW_MS).length;

  const stopAll = () => {
    stopping = true;
    for (const w of workers) {
      if (w.isDead()) continue;
      // One still starting has no handler for the message yet; one whose channel has closed
      // (it is stopping on a signal of its own) cannot get it.
      if (listening.has(w) && w.isConnected()) w.send({ type: SHUTDOWN }, () => {});
      else w.process.kill('SIGTERM');
    }
  };
  const spawn = (): void => {
    const worker = cluster.fork();
    workers.add(worker);
    // A message to a process whose channel just closed; its 'exit' follows and is handled there.
    worker.on('error', () => {});
    worker.on('message', (m: Partial<ListeningMessage> | null) => {
      if (m?.type !== LISTENING || typeof m.url !== 'string') return;
      listening.add(worker);
      if (started || listening.size < processes) return;
      started = true;
      if (o.auth === 'none' && typeof m.host === 'string' && !isLoopback(m.host))
        warnOpen(io, o.logFormat, o.host, m.host);
      io.stdout(`wasm-kms listening on ${m.url}\n`);
    });
    worker.on('exit', (code, signal) => {
      workers.delete(worker);
      const failed = code !== 0 && code !== null ? code : signal !== null && !stopping ? 1 : 0;
      if (failed && exitCode === 0) exitCode = failed;
      if (!stopping) {
        const why = signal ? `signal ${signal}` : `exit code ${String(code)}`;
        if (code === 0 && started) {
          // It stopped cleanly on a signal of its own (a supervisor signalling the whole group,
          // or an operator): that was asked for, so it is not replaced.
          logger.info(`a serving process stopped (exit code 0); not replacing it`);
        } else if (!started) {
          // It could not listen or open the store: the others would fail alike.
          firstFailure ??= `a serving process stopped before all were listening (${why})`;
          if (exitCode === 0) exitCode = 1;
          stopAll();
        } else if (recentRestarts(Date.now()) >= MAX_RESTARTS) {
          // Replacing it again would only repeat the crash (a broken store, no memory): stop.
          firstFailure ??= `serving processes keep stopping (${MAX_RESTARTS} replaced within ${RESTART_WINDOW_MS / 1000} s; the last: ${why})`;
          if (exitCode === 0) exitCode = 1;
          logger.info(
            `a serving process stopped (${why}); not replacing it: ${MAX_RESTARTS} were replaced within ${RESTART_WINDOW_MS / 1000} s`,
          );
          stopAll();
        } else {
          restarts.push(Date.now());
          logger.info(`a serving process stopped (${why}); starting another`);
          spawn();
        }
      }
      if (workers.size === 0) allExited();
    });
  };

  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  const onSignal = (s: NodeJS.Signals) => {
    for (const name of signals) process.off(name, onSignal);
    // A second signal: out now, and the serving processes with it.
    const force = () => {
      for (const w of workers) w.process.kill('SIGKILL');
      process.exit(1);
    };
    for (const name of signals) process.once(name, force);
    if (!o.quiet) logger.info(`${s}: closing ${workers.size} processes (in-flight requests finish)`);
    stopAll();
  };
  for (const name of signals) process.on(name, onSignal);
  for (let i = 0; i < processes; i++) spawn();
  await done;
  for (const name of signals) process.off(name, onSignal);
  if (exitCode !== 0) throw new ExitError(firstFailure ?? `a serving process exited with code ${exitCode}`, exitCode);
}
