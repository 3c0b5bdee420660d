// The one error the core throws for a failed call into the WebAssembly module. An entry
// point reports failure with an i32 status (assembly/status.ts); the loader turns a nonzero
// status, a failed entropy request and a trap into a CoreError with a stable `code`.

/** Stable codes of CoreError. */
export type CoreErrorCode =
  /** The runtime's secure random source (crypto.getRandomValues) failed or is missing. */
  | 'ENTROPY_FAILURE'
  /** An argument outside what the entry point accepts (a length, a rank, a curve id). */
  | 'INVALID_ARGUMENT'
  /** Key generation gave up: the random source produced no usable candidate. */
  | 'KEYGEN_FAILED'
  /** AES-256-GCM: the tag did not authenticate the ciphertext. */
  | 'AUTH_FAILED'
  /** RSA: the private operation's result did not check; nothing was output. */
  | 'RSA_FAULT'
  /** RSAES-OAEP: the ciphertext did not decrypt (one code for every reason). */
  | 'DECRYPT_FAILED'
  /** The module trapped: a broken internal invariant, never a bad input. */
  | 'INTERNAL_ERROR';

/** Status values of the core's entry points (assembly/status.ts), by code. */
export const CORE_STATUS = {
  OK: 0,
  INVALID_ARGUMENT: 1,
  KEYGEN_FAILED: 2,
  AUTH_FAILED: 3,
  RSA_FAULT: 4,
  DECRYPT_FAILED: 5,
} as const;

const CODE_OF_STATUS: Record<number, CoreErrorCode> = {
  [CORE_STATUS.INVALID_ARGUMENT]: 'INVALID_ARGUMENT',
  [CORE_STATUS.KEYGEN_FAILED]: 'KEYGEN_FAILED',
  [CORE_STATUS.AUTH_FAILED]: 'AUTH_FAILED',
  [CORE_STATUS.RSA_FAULT]: 'RSA_FAULT',
  [CORE_STATUS.DECRYPT_FAILED]: 'DECRYPT_FAILED',
};

export class CoreError extends Error {
  readonly code: CoreErrorCode;

  constructor(code: CoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(`wasm-kms: ${message}`, options);
    this.name = 'CoreError';
    this.code = code;
  }
}

/**
 * Throws the CoreError of a nonzero status returned by entry point `op`; `message` words the
 * failure for the caller (defaults name the entry point and the code).
 */
export function checkStatus(status: number, op: string, message?: string): void {
  if (status === CORE_STATUS.OK) return;
  const code = CODE_OF_STATUS[status] ?? 'INTERNAL_ERROR';
  throw new CoreError(code, message ?? `${op} failed (${code}, status ${status})`);
}
