// Every operation of the engine by its KMS name, as a wire endpoint (a worker, a custom
// dispatcher) calls it: a view of the registry's handlers (registry.ts), each wiping the key
// records it loads when it ends.

import type { OperationContext } from '../context.js';
import { OPERATION_NAMES, REGISTRY } from '../registry.js';
import type { OperationName } from '../schema.js';

/** An operation: validated, checked and carried out against `ctx`; rejects with a KMS exception. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OperationHandler = (ctx: OperationContext, input: any) => Promise<object>;

export const OPERATION_HANDLERS: Readonly<Record<OperationName, OperationHandler>> = Object.fromEntries(
  OPERATION_NAMES.map((name) => [name, REGISTRY[name].handler]),
) as Record<OperationName, OperationHandler>;
