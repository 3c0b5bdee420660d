// What every CLI command shares: the global options, where output goes, the exit-code classes
// of failure, and opening the file key store.

import { KMSServiceException } from '../../kms/exceptions.js';
import { FileKeyStore, masterKeyFromEnv } from '../file-store/index.js';
import { CliFailure, UsageError, type BinaryFormat } from './params.js';
import type { OutputFormat } from './output.js';

export interface GlobalOptions {
  /** The file key store's directory. */
  store: string;
  region: string;
  accountId: string;
  output: OutputFormat;
  query?: string;
  cliBinaryFormat: BinaryFormat;
  /** False with --no-paginate. */
  paginate: boolean;
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
 * WASM_KMS_STORE_CACHE: `off` turns the file store's record cache off (a store shared with an
 * older wasm-kms, or over a network file system the store does not recognise), `on` forces it on
 * where it would be off (network file systems); unset or empty: the store's default.
 */
export function storeCacheFromEnv(env: NodeJS.ProcessEnv): boolean | undefined {
  const v = env.WASM_KMS_STORE_CACHE;
  if (v === undefined || v === '') return undefined;
  if (v === 'off') return false;
  if (v === 'on') return true;
  throw new UsageError(`environment variable WASM_KMS_STORE_CACHE: expected 'on' or 'off', got '${v}'`);
}

/** The store for one command; closed by the caller. A store that cannot be opened exits 255. */
export async function openStore(globals: GlobalOptions, env: NodeJS.ProcessEnv): Promise<FileKeyStore> {
  let masterKey: Uint8Array | undefined;
  try {
    masterKey = masterKeyFromEnv(env);
  } catch (e) {
    throw new CliFailure(`cannot read the master key: ${oneLine(e)}`);
  }
  const cache = storeCacheFromEnv(env);
  try {
    return await FileKeyStore.open(globals.store, { masterKey, ...(cache === undefined ? {} : { cache }) });
  } catch (e) {
    throw new CliFailure(`cannot open the key store at ${globals.store}: ${oneLine(e)}`);
  }
}

/** An error's message on one line. */
export function oneLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.replace(/\s*\n\s*/g, ' ').trim() || (e instanceof Error ? e.name : 'unknown error');
}
