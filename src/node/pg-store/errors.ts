// How a failure of PostgreSQL or of the connection to it reaches a KMS caller
// (docs/postgres-store.md, "Errors"): a timeout (a statement, a lock, a connect, a session ended
// for idling inside a transaction, a wait in the store's own transaction queue) as
// DependencyTimeoutException, anything else
// (a lost connection, a server restarting or refusing connections) as KMSInternalException. Both
// are server faults (5xx) that the AWS SDKs retry. The messages are fixed: nothing of the
// database's own message (which may quote values) reaches the caller; it is kept as `cause`.
import { DependencyTimeoutException, KMSInternalException, KMSServiceException } from '../../kms/exceptions.js';

/**
 * SQLSTATEs of something that ran out of time: query_canceled (statement_timeout),
 * lock_not_available, idle_in_transaction_session_timeout (the session was ended).
 */
const TIMEOUT_STATES = new Set(['57014', '55P03', '25P03']);

/** node-postgres's own messages for a connect or read that ran out of time. */
const TIMEOUT_MESSAGE = /timeout/i;

export const TIMEOUT_TEXT = 'The key store (PostgreSQL) did not answer in time.';
export const UNAVAILABLE_TEXT = 'The key store (PostgreSQL) is unavailable.';

/** True for an error that says the database took too long (rather than that it failed). */
export function isTimeout(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && TIMEOUT_STATES.has(code)) return true;
  const message = (err as { message?: unknown }).message;
  return typeof message === 'string' && TIMEOUT_MESSAGE.test(message);
}

/**
 * The KMS exception for an error of node-postgres or of the server; a KMS exception stays as it
 * is. With `withReason` (open(), whose errors go to the operator, not to KMS callers) the
 * message ends with the database's own reason, e.g. `connect ECONNREFUSED 10.0.0.5:5432` or
 * `database "kms" does not exist` (node-postgres never puts the password in these).
 */
export function storeFailure(err: unknown, withReason = false): KMSServiceException {
  if (err instanceof KMSServiceException) return err;
  const reason = withReason && err instanceof Error && err.message !== '' ? ` (${err.message})` : '';
  const e = isTimeout(err)
    ? new DependencyTimeoutException(TIMEOUT_TEXT + reason)
    : new KMSInternalException(UNAVAILABLE_TEXT + reason);
  Object.defineProperty(e, 'cause', { value: err, enumerable: false, configurable: true, writable: true });
  return e;
}

/** A transaction that waited in the store's in-process queue longer than the statement timeout. */
export function queueTimeout(): DependencyTimeoutException {
  return new DependencyTimeoutException(TIMEOUT_TEXT);
}
