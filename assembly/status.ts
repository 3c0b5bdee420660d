// The one way an entry point reports failure: an i32 status, 0 when the call did what it
// says. The host (src/core/module.ts, src/core/errors.ts) turns a nonzero status into a
// CoreError whose code is the name below; keep the two lists in step.
//
// An entry point with nothing that can fail returns nothing. A trap (abort() or
// unreachable() inside the core) only marks a broken internal invariant, never a bad input
// or a bad random source; the host reports it as INTERNAL_ERROR.

export const OK: i32 = 0;
/** An argument outside what the entry point accepts (a length, a rank, a curve id). */
export const INVALID_ARGUMENT: i32 = 1;
/** Key generation gave up: the random source produced no usable candidate. */
export const KEYGEN_FAILED: i32 = 2;
/** AES-256-GCM: the tag did not authenticate the ciphertext (the output is zeroed). */
export const AUTH_FAILED: i32 = 3;
/** RSA: the private operation's result did not check (s^e != c); nothing was output. */
export const RSA_FAULT: i32 = 4;
/** RSAES-OAEP: the ciphertext did not decrypt (one status for every reason). */
export const DECRYPT_FAILED: i32 = 5;
