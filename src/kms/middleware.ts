// A middleware stack in the shape of the AWS SDK v3's (@smithy/middleware-stack), so that the
// SDK's logging and metrics middlewares run unchanged on KMSClient:
//
//   client.middlewareStack.add((next, context) => async (args) => {
//     const result = await next(args);           // args.input; result.output
//     console.log(context.commandName, result.output.$metadata);
//     return result;
//   }, { step: 'initialize', name: 'logger' });
//
// The engine runs in-process, so there is no HTTP request: every step sees `{ input }` and
// gets back `{ output, response }` with a synthetic 200 response. Steps run in the SDK's
// order (initialize, serialize, build, finalizeRequest, deserialize), and within a step by
// priority (high, normal, low), then in the order they were added; client middlewares come
// before the command's own.

export type Step = 'initialize' | 'serialize' | 'build' | 'finalizeRequest' | 'deserialize';
export type Priority = 'high' | 'normal' | 'low';

export interface HandlerArguments<I> {
  input: I;
  [key: string]: unknown;
}
export interface HandlerOutput<O> {
  output: O;
  response: { statusCode: number; headers: Record<string, string>; body?: unknown };
}
export type Handler<I, O> = (args: HandlerArguments<I>) => Promise<HandlerOutput<O>>;
export interface HandlerContext {
  clientName: string;
  commandName: string;
  [key: string]: unknown;
}
// The SDK types middlewares loosely; so do we, so that its middlewares type-check here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Middleware = (next: Handler<any, any>, context: HandlerContext) => Handler<any, any>;

export interface AddOptions {
  step?: Step;
  priority?: Priority;
  name?: string;
  tags?: string[];
  override?: boolean;
}

export interface Pluggable {
  applyToStack(stack: MiddlewareStack): void;
}

const STEPS: Step[] = ['initialize', 'serialize', 'build', 'finalizeRequest', 'deserialize'];
const PRIORITIES: Priority[] = ['high', 'normal', 'low'];

interface Entry {
  middleware: Middleware;
  step: Step;
  priority: Priority;
  name?: string;
  tags: string[];
}

export class MiddlewareStack {
  private entries: Entry[] = [];

  add(middleware: Middleware, options: AddOptions = {}): void {
    const step = options.step ?? 'initialize';
    const priority = options.priority ?? 'normal';
    if (!STEPS.includes(step)) throw new TypeError(`Unknown middleware step ${String(step)}`);
    if (!PRIORITIES.includes(priority)) throw new TypeError(`Unknown middleware priority ${String(priority)}`);
    if (options.name !== undefined) {
      const existing = this.entries.findIndex((e) => e.name === options.name);
      if (existing !== -1) {
        if (!options.override) throw new Error(`Duplicate middleware name '${options.name}'`);
        this.entries.splice(existing, 1);
      }
    }
    this.entries.push({ middleware, step, priority, name: options.name, tags: options.tags ?? [] });
  }

  /** Removes by name or by the middleware function; true if something was removed. */
  remove(toRemove: string | Middleware): boolean {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) =>
      typeof toRemove === 'string' ? e.name !== toRemove : e.middleware !== toRemove,
    );
    return this.entries.length !== before;
  }

  removeByTag(tag: string): boolean {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => !e.tags.includes(tag));
    return this.entries.length !== before;
  }

  use(plugin: Pluggable): void {
    plugin.applyToStack(this);
  }

  clone(): MiddlewareStack {
    const copy = new MiddlewareStack();
    copy.entries = [...this.entries];
    return copy;
  }

  /** A new stack with this one's middlewares first, then `other`'s. */
  concat(other: MiddlewareStack): MiddlewareStack {
    const copy = this.clone();
    copy.entries.push(...other.entries);
    return copy;
  }

  /** Whether no middleware was added. */
  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** Names (or `anonymous`) with their step and priority, in execution order. */
  identify(): string[] {
    return this.ordered().map((e) => `${e.name ?? 'anonymous'} - ${e.step}`);
  }

  /** Wraps the innermost handler with every middleware, outermost first. */
  resolve<I, O>(handler: Handler<I, O>, context: HandlerContext): Handler<I, O> {
    let h: Handler<I, O> = handler;
    for (const e of [...this.ordered()].reverse()) h = e.middleware(h, context);
    return h;
  }

  private ordered(): Entry[] {
    return this.entries
      .map((e, i) => ({ e, i }))
      .sort(
        (a, b) =>
          STEPS.indexOf(a.e.step) - STEPS.indexOf(b.e.step) ||
          PRIORITIES.indexOf(a.e.priority) - PRIORITIES.indexOf(b.e.priority) ||
          a.i - b.i,
      )
      .map(({ e }) => e);
  }
}
