// What every CLI command shares: the global options, where output goes, the exit-code classes
// of failure, and opening the key store: the file store in a directory, or the PostgreSQL store
// when --store is a postgres:// or postgresql:// URL (loaded only then, so that the commands on
// a file store do not load the PostgreSQL client).

import { KMSServiceException } from '../../kms/exceptions.js';
import type { KeyStore } from '../../kms/store.js';
import { FileKeyStore, masterKeyFromEnv } from '../file-store/index.js';
import { CliFailure, UsageError, type BinaryFormat } from './params.js';
import type { OutputFormat } from './output.js';

export interface GlobalOptions {
  /** The file key store's directory, or a PostgreSQL URL (isPostgresUrl). */
  store: string;
  region: string;
  accountId: string;
  output: OutputFormat;
  query?: string;
  cliBinaryFormat: BinaryFormat;
  /** False with --no-paginate. */
  paginate: boolean;
  /** --attestation-root: the trusted roots (DER) of Recipient attestation documents; undefined: AWS's. */
  attestationRoots?: readonly Uint8Array[];
}

export interface CliIO {
  /** Writes text to standard output as it is (callers include the newlines). */
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Whether standard error is a terminal (progress bars are drawn only then). */
  stderrIsTTY: boolean;
}

/** A service error from the engine, with the operation it came from: exit 254. */
export class ServiceError extends Error {
  override name = 'ServiceError';
  constructor(
    readonly operation: string,
    readonly cause: KMSServiceException,
  ) {
    // The AWS CLI's line. The engine's messages carry no key material.
    super(`An error occurred (${cause.name}) when calling the ${operation} operation: ${cause.message}`);
  }
}

/** Ends the run with a given exit code and message (130 after an interrupt, for example). */
export class ExitError extends Error {
  override name = 'ExitError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Runs `fn` and tags a KMS exception with the operation's name. */
export async function callOperation<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof KMSServiceException) throw new ServiceError(operation, e);
    throw e;
  }
}

/**
 * WASM_KMS_STORE_CACHE: `off` turns the store's record cache off (a file store shared with an
 * older wasm-kms, or over a network file system the store does not recognise), `on` forces it on
 * where it would be off (network file systems); unset or empty: the store's default. For a
 * PostgreSQL store (`postgres` true) the cache is on by default and eventually consistent:
 * `eventual` (or `on`) is that default, `strict` makes every cached read first wait until every
 * change acknowledged by another endpoint has been notified (`cache: { strict: true }`).
 */
export function storeCacheFromEnv(
  env: NodeJS.ProcessEnv,
  postgres = false,
): boolean | 'eventual' | 'strict' | undefined {
  const v = env.WASM_KMS_STORE_CACHE;
  if (v === undefined || v === '') return undefined;
  if (v === 'off') return false;
  if (v === 'on') return true;
  if ((v === 'eventual' || v === 'strict') && postgres) return v;
  if (v === 'eventual')
    throw new UsageError(
      "environment variable WASM_KMS_STORE_CACHE: 'eventual' is for a PostgreSQL store (--store postgres://...); a file store's cache is always checked",
    );
  throw new UsageError(
    `environment variable WASM_KMS_STORE_CACHE: expected ${postgres ? "'on', 'off', 'eventual' or 'strict'" : "'on' or 'off'"}, got '${v}'`,
  );
}

/** Whether a --store value names a PostgreSQL database (a postgres:// or postgresql:// URL), not a directory. */
export function isPostgresUrl(store: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(store);
}

/**
 * The secrets a PostgreSQL URL carries: the password of its user information (as written and
 * percent-decoded) and the values of `password` query parameters. Empty for anything else.
 */
function urlSecrets(store: string): string[] {
  if (!isPostgresUrl(store)) return [];
  const secrets: string[] = [];
  const rest = store.slice(store.indexOf('://') + 3);
  const queryAt = rest.search(/[?#]/);
  const end = queryAt < 0 ? rest.length : queryAt;
  // The user information ends at the last '@' before the query, so that a password holding an
  // '@' or a '/' the writer forgot to encode is still all of it.
  const at = rest.lastIndexOf('@', end - 1);
  if (at >= 0) {
    const info = rest.slice(0, at);
    const colon = info.indexOf(':');
    if (colon >= 0) secrets.push(info.slice(colon + 1));
  }
  // A password holding an unencoded '?' or '#' ends the search above too early: everything up to
  // the last '@' of the whole URL after the user name is hidden as well (more than the password,
  // at worst, never less).
  const lastAt = rest.lastIndexOf('@');
  const firstColon = rest.indexOf(':');
  if (lastAt > at && firstColon >= 0 && firstColon < lastAt) secrets.push(rest.slice(firstColon + 1, lastAt));
  if (queryAt >= 0) {
    for (const m of rest.slice(queryAt).matchAll(/[?&]password=([^&#]*)/gi)) secrets.push(m[1]);
  }
  const decoded = secrets.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  return [...secrets, ...decoded].filter((s) => s !== '').sort((a, b) => b.length - a.length);
}

/**
 * A --store value fit for a message or a log: a PostgreSQL URL with its password (in the user
 * information or a `password` query parameter) shown as `***`; a directory as it is.
 */
export function redactStore(store: string): string {
  return scrubSecrets(store, urlSecrets(store));
}

/** `text` with every occurrence of each of `secrets` (longest first) replaced by `***`. */
function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}

/** Settings of the PostgreSQL store (serve's --pg-pool-size and --pg-statement-timeout). */
export interface PostgresSettings {
  /** Connections each process keeps at most (the store's default: 10). */
  poolSize?: number;
  /** Longest a statement may run before PostgreSQL cancels it, in ms (the store's default: 10000). */
  statementTimeoutMs?: number;
}

/** What a command's store offers: the KeyStore interface and close(). */
export type CliStore = KeyStore & { close(): Promise<void> };

/**
 * The store for one command; closed by the caller. A store that cannot be opened exits 255, with
 * a message that never holds the URL's password.
 */
export async function openStore(
  globals: GlobalOptions,
  env: NodeJS.ProcessEnv,
  postgres: PostgresSettings = {},
): Promise<CliStore> {
  let masterKey: Uint8Array | undefined;
  try {
    masterKey = masterKeyFromEnv(env);
  } catch (e) {
    throw new CliFailure(`cannot read the master key: ${oneLine(e)}`);
  }
  const cache = storeCacheFromEnv(env, isPostgresUrl(globals.store));
  if (isPostgresUrl(globals.store)) {
    const secrets = urlSecrets(globals.store);
    try {
      const { PostgresKeyStore } = await import('../pg-store/index.js');
      return await PostgresKeyStore.open(globals.store, {
        masterKey,
        ...(cache === undefined
          ? {}
          : { cache: cache === 'eventual' || cache === 'strict' ? { strict: cache === 'strict' } : cache }),
        ...(postgres.poolSize === undefined ? {} : { poolSize: postgres.poolSize }),
        ...(postgres.statementTimeoutMs === undefined ? {} : { statementTimeoutMs: postgres.statementTimeoutMs }),
      });
    } catch (e) {
      throw new CliFailure(
        `cannot open the key store at ${scrubSecrets(globals.store, secrets)}: ${scrubSecrets(oneLine(e), secrets)}`,
      );
    }
  }
  try {
    return await FileKeyStore.open(globals.store, {
      masterKey,
      ...(typeof cache === 'boolean' ? { cache } : {}),
    });
  } catch (e) {
    throw new CliFailure(`cannot open the key store at ${globals.store}: ${oneLine(e)}`);
  }
}

/** An error's message on one line. */
export function oneLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.replace(/\s*\n\s*/g, ' ').trim() || (e instanceof Error ? e.name : 'unknown error');
}
