// What an operation is given: its caller, its Region and where keys live, and the store
// transaction the read-modify-write operations run in.

import type { Core } from '../core/module.js';
import type { KeyPair, KeyPairSpec } from '../core/index.js';
import type { KeyStore } from './store.js';

/** What an operation knows about its caller and where keys live. */
export interface OperationContext {
  store: KeyStore;
  account: string;
  region: string;
  /**
   * The caller's ARN as AccessDeniedException messages name it (an IAM user, a role session
   * `arn:aws:sts::<account>:assumed-role/<role>/<session>`); default the account's root,
   * `arn:<partition>:iam::<account>:root`. Its account is `account`.
   */
  principal?: string;
  core: () => Core;
  /**
   * Where key pairs come from; default the core's generateKeyPair in this thread. The Node
   * server and CLI pass a worker pool here. The caller owns (and wipes) the pair returned.
   */
  generateKeyPair?: (spec: KeyPairSpec) => KeyPair | Promise<KeyPair>;
}

/**
 * The operation, run inside the store's transaction where the store has one: for the
 * operations that read a record and write it back, or check that a name is free and take it,
 * so that a concurrent writer (another request, another process on the same file store)
 * cannot slip in between and have its change undone.
 */
export function transactional<I, O>(op: (ctx: OperationContext, input: I) => Promise<O>): (ctx: OperationContext, input: I) => Promise<O> {
  return (ctx, input) => (ctx.store.transaction === undefined ? op(ctx, input) : ctx.store.transaction(() => op(ctx, input)));
}
