// The command object of the SDK's shape: `new XxxCommand(input)` carries the operation's name,
// a frozen copy of its input (the SDK's are read-only) and its own middleware stack; KMSClient
// runs it. registry.ts makes one class per operation with commandClass().

import { MiddlewareStack } from './middleware.js';
import type { OperationContext } from './context.js';
import type { OperationName } from './schema.js';

export type Handler<I, O> = (ctx: OperationContext, input: I) => Promise<O>;

/** The base of every command: the operation's name, its frozen input and how to run it. */
export class KMSCommand<I extends object, O extends object> {
  readonly input: Readonly<I>;
  readonly operation: OperationName;
  readonly handler: Handler<I, O>;
  /** Middlewares of this command only; they run after the client's. */
  readonly middlewareStack = new MiddlewareStack();

  constructor(operation: OperationName, input: I, handler: Handler<I, O>) {
    this.operation = operation;
    this.input = Object.freeze({ ...input });
    this.handler = handler;
  }
}

/** A command class: `new C(input)`; its name is the SDK's (`GenerateDataKeyPairCommand`). */
export interface CommandClass<I extends object, O extends object> {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{} extends I`: every member of I is optional
  new (...args: {} extends I ? [input?: I] : [input: I]): KMSCommand<I, O>;
  readonly operation: OperationName;
}

/** The command class of one operation, named `${operation}Command` as the SDK names it. */
export function commandClass<I extends object, O extends object>(
  operation: OperationName,
  handler: Handler<I, O>,
): CommandClass<I, O> {
  const cls = class extends KMSCommand<I, O> {
    static readonly operation = operation;
    constructor(input?: I) {
      super(operation, input ?? ({} as I), handler);
    }
  };
  Object.defineProperty(cls, 'name', { value: `${operation}Command` });
  return cls as unknown as CommandClass<I, O>;
}
