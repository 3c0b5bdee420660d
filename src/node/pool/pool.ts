// KeyPairWorkerPool: key pair generation on worker_threads, off the main event loop.
//
// Scheduling. Every request falls in one of two lanes: slow (RSA_2048, RSA_3072, RSA_4096:
// 0.1 to over 1 s each) and fast (every other spec: a millisecond or less).
//  - With N ≥ 2 threads, thread 0 runs fast-lane work only; threads 1..N-1 run both lanes,
//    fast requests first. There is always a thread that never runs RSA, so a fast request
//    waits for no RSA job, running or queued. The reserved thread idles most of the time, so
//    the default on a machine with C ≥ 2 cores is C + 1 threads: every core can run RSA.
//  - With 1 thread, that thread runs both lanes, fast requests first: a fast request never
//    waits for queued RSA requests, only for the one RSA job already running, if any.
//  - Within a lane, requests run in arrival order. A thread runs one message at a time: one RSA
//    job or refill, or a batch of fast-lane requests (below).
// Batching. A fast request goes to an idle thread at once, alone. Requests that arrive while
// every thread that may run them is busy wait in the queue; the next thread to be free takes
// them together, up to MAX_BATCH (spread evenly when several threads are free), in one message,
// and answers them in one message. Under load, that is one postMessage each way per batch
// instead of per request: on a 2-core machine serving GenerateDataKeyPair P-256 from 64
// connections, posting and receiving single requests took about a third of the serving thread.
// A batch runs its jobs one after another (about 0.1 ms each for P-256), and only fast jobs
// are batched, so no fast request waits for RSA work. A job that fails in a batch fails alone;
// a request abandoned while its batch runs has its pair wiped when the batch comes back.
// Measured and not taken (same machine, same load, CPU time per request of the serving thread
// and of the whole process): making fast pairs in the request thread instead, always (the
// serving thread's CPU per request about 180 µs against 75 µs with batches: the pool's point is
// to keep that thread free) or only when every thread is busy (worse than either: the serving
// thread made most pairs and still paid for the messages); filling one thread's batch before
// waking another (no difference measurable). On 2 cores busy with the load generator too,
// batches and the request thread give about the same requests/s; batches leave the serving
// thread room wherever a core is free.
// Prefill. For each spec in `prefill`, the pool keeps that many pairs ready in memory (never on
// disk). Refill jobs run on the spec's lane at low priority: a thread takes one only when no
// on-demand request it may run is waiting, so on-demand requests always go first. A refill job
// already running is not interrupted; if a request for the same spec is waiting when it
// finishes, the pair goes straight to that request. The spec furthest below its target (as a
// fraction) is refilled first. A held pair is handed out once, removed from the pool, and the
// pool keeps no reference to it; close() zeroes the private keys of the pairs still held.
// Transfer. Workers send both keys as transferred ArrayBuffers (pool-worker.ts): no copy is
// made and none stays in the worker.
// Failures. An error thrown in a worker rejects that request with an Error; a worker that dies
// is replaced and its request rejected. If no worker has ever started, one that cannot start
// (its script or the core fails to load) breaks the pool: every waiting and later request
// rejects with the cause, since every other worker would fail the same way. Once one has
// started, a replacement that dies before it is ready (killed for memory, out of file
// descriptors) is retried after a short backoff, its request (which never ran) put back in the
// queue; after MAX_FAILED_STARTS in a row that thread is given up, and the requests no other
// thread may run (RSA, when it was the only thread for them) reject with the cause, while the
// other threads keep serving.
// Idle workers do not keep the process alive (unref); a worker running a request does.
// Back-pressure. Each lane queues at most maxQueued on-demand requests (default 256); one more
// rejects at once with ThrottlingException "Rate exceeded", as KMS answers a caller over its
// request quota. A request whose AbortSignal fires (the server's fires when the client hangs
// up) leaves its queue; if a thread is already making its pair, the pair is wiped when it comes.

import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { KEY_PAIR_SPECS, type KeyPair, type KeyPairSpec } from '../../core/index.js';
import type { PoolItem, PoolReply, PoolRequest } from './pool-worker.js';
import { ThrottlingException } from '../../kms/exceptions.js';

export interface KeyPairWorkerPoolOptions {
  /** Worker threads; default os.availableParallelism() + 1 (one reserved for the fast lane), or 1 on one core. */
  threads?: number;
  /** Pre-generated pairs to keep ready per spec, e.g. { RSA_2048: 32 }. Held in memory only, never persisted. */
  prefill?: Partial<Record<KeyPairSpec, number>>;
  /**
   * On-demand requests that may wait for a thread, per lane; default 256. One more is refused
   * with ThrottlingException ("Rate exceeded"), as KMS answers a caller over its request quota.
   */
  maxQueued?: number;
}

export interface GenerateOptions {
  /**
   * Aborting drops the request if no thread has taken it yet (it rejects with an AbortError);
   * a pair already being made is finished and wiped.
   */
  signal?: AbortSignal;
}

/** Beside this file in dist/; the TypeScript sources cannot run it, so tests load the pool from dist/. */
const WORKER_URL = new URL('./pool-worker.js', import.meta.url);

/** The largest number of pairs one spec may hold ready. */
const MAX_PREFILL = 10_000;

/** The default of maxQueued: requests waiting per lane. */
const MAX_QUEUED = 256;

/** The most fast-lane requests one message to a thread carries (see Batching above). */
const MAX_BATCH = 16;

/** Failed starts in a row after which a thread is not replaced any more. */
const MAX_FAILED_STARTS = 5;

/** The wait before the nth retry of a thread that could not start: 50, 100, 200, 400 ms. */
const restartDelay = (failedStarts: number): number => 50 * 2 ** (failedStarts - 1);

type Lane = 'fast' | 'slow';

/** C + 1 on C ≥ 2 cores: C threads for RSA beside the one reserved for the fast lane. */
export function defaultThreads(cores: number = availableParallelism()): number {
  return cores >= 2 ? cores + 1 : 1;
}

const laneOf = (spec: KeyPairSpec): Lane => (spec.startsWith('RSA_') ? 'slow' : 'fast');

const isSpec = (value: unknown): value is KeyPairSpec =>
  typeof value === 'string' && (KEY_PAIR_SPECS as readonly string[]).includes(value);

interface Request {
  spec: KeyPairSpec;
  resolve(pair: KeyPair): void;
  reject(err: Error): void;
  /** Its caller aborted while a thread was making its pair: the pair is wiped when it comes. */
  abandoned?: boolean;
}

/** What a thread is running: an on-demand request, or a refill (no request). */
interface Job {
  seq: number;
  spec: KeyPairSpec;
  request?: Request;
}

interface Slot {
  worker: Worker;
  /** Runs fast-lane work only. */
  fastOnly: boolean;
  /** The worker has loaded the core. */
  started: boolean;
  /** We are terminating it; its exit is not a crash. */
  stopping: boolean;
  /** Its worker has exited; the slot waits for a replacement (or was given up). */
  dead: boolean;
  /** Workers of this slot in a row that exited before they were ready. */
  failedStarts: number;
  /** The replacement is due when this fires (backoff after a failed start). */
  restart?: NodeJS.Timeout;
  /** Set when the slot was given up after MAX_FAILED_STARTS failed starts: why. */
  gaveUp?: Error;
  /** Settles when the thread has exited, for whatever reason. */
  exited: Promise<void>;
  /** What the thread is running (one message): empty when idle. */
  jobs: Job[];
}

/** Hooks for tests only: the pairs held right now, and direct access to the threads. */
const TEST_HOOKS = Symbol.for('wasm-kms.KeyPairWorkerPool.test');

export class KeyPairWorkerPool {
  readonly #threads: number;
  readonly #slots: Slot[] = [];
  readonly #queues: Record<Lane, Request[]> = { fast: [], slow: [] };
  /** Per prefilled spec: the target, the pairs held, the refill jobs running. */
  readonly #prefill = new Map<KeyPairSpec, { target: number; held: KeyPair[]; running: number; paused: boolean }>();
  readonly #readyWaiters: { resolve(): void; reject(err: Error): void }[] = [];
  #seq = 0;
  #generated = 0;
  /** Requests dropped from a queue because their caller aborted. */
  #abandoned = 0;
  /** Requests refused because their lane's queue was full. */
  #throttled = 0;
  readonly #maxQueued: number;
  #closed = false;
  #closing?: Promise<void>;
  /** Set when a worker could not start before any ever had: the pool cannot serve anything. */
  #broken?: Error;
  /** Some worker has loaded the core, so the script and the core are known to work. */
  #everStarted = false;
  /** The worker script; tests point it elsewhere to make threads fail to start. */
  #workerUrl: URL = WORKER_URL;

  constructor(options: KeyPairWorkerPoolOptions = {}) {
    const threads = options.threads ?? defaultThreads();
    if (!Number.isSafeInteger(threads) || threads < 1 || threads > 1024) {
      throw new RangeError(`KeyPairWorkerPool: threads must be a whole number from 1 to 1024, got ${String(threads)}`);
    }
    this.#threads = threads;
    const maxQueued = options.maxQueued ?? MAX_QUEUED;
    if (!Number.isSafeInteger(maxQueued) || maxQueued < 1) {
      throw new RangeError(`KeyPairWorkerPool: maxQueued must be a positive whole number, got ${String(maxQueued)}`);
    }
    this.#maxQueued = maxQueued;
    for (const [spec, count] of Object.entries(options.prefill ?? {})) {
      if (!isSpec(spec))
        throw new TypeError(
          `KeyPairWorkerPool: unknown key pair spec ${JSON.stringify(spec)} in prefill; valid specs are: ${KEY_PAIR_SPECS.join(', ')}`,
        );
      if (count === undefined) continue;
      if (!Number.isSafeInteger(count) || count < 0 || count > MAX_PREFILL) {
        throw new RangeError(
          `KeyPairWorkerPool: prefill for ${spec} must be a whole number from 0 to ${MAX_PREFILL}, got ${String(count)}`,
        );
      }
      if (count > 0) this.#prefill.set(spec, { target: count, held: [], running: 0, paused: false });
    }
    for (let i = 0; i < threads; i++) this.#slots.push(this.#spawn(threads > 1 && i === 0));
    // Test-only access, kept off the class's type and out of enumeration.
    Object.defineProperty(this, TEST_HOOKS, {
      value: {
        /** The pairs held right now (references, so a test can see them wiped). */
        held: (): KeyPair[] => [...this.#prefill.values()].flatMap((f) => f.held),
        /** The threads, so a test can make one die. */
        workers: (): Worker[] => this.#slots.map((s) => s.worker),
        /** Replacement threads run this script from now on (a test makes them fail to start). */
        setWorkerUrl: (url: URL): void => {
          this.#workerUrl = url;
        },
        /** Sends a spec to a thread unchecked, as if generate() had let it through. */
        unchecked: (spec: string): Promise<KeyPair> =>
          new Promise<KeyPair>((resolve, reject) => {
            this.#queues.fast.push({ spec: spec as KeyPairSpec, resolve, reject });
            this.#dispatch();
          }),
      },
    });
    this.#dispatch();
  }

  /**
   * A fresh pair; the caller owns it (and should wipe privateKey when done). Rejects after
   * close(), with ThrottlingException when the spec's lane already has maxQueued requests
   * waiting, and with an AbortError when `options.signal` aborts before a thread takes it.
   */
  generate(spec: KeyPairSpec, options: GenerateOptions = {}): Promise<KeyPair> {
    if (this.#closed) return Promise.reject(new Error('wasm-kms: KeyPairWorkerPool is closed'));
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(abortError());
    if (this.#broken) return Promise.reject(this.#broken);
    if (!isSpec(spec)) {
      const shown = typeof spec === 'string' ? JSON.stringify(spec) : `(${typeof spec})`;
      return Promise.reject(
        new TypeError(`Unknown key pair spec ${shown}; valid specs are: ${KEY_PAIR_SPECS.join(', ')}`),
      );
    }
    const fill = this.#prefill.get(spec);
    if (fill) fill.paused = false;
    const held = fill?.held.shift();
    if (held) {
      this.#dispatch();
      return Promise.resolve(held);
    }
    // Pairs already held are handed out even when no thread is left to make more.
    const lost = this.#unservable(laneOf(spec));
    if (lost) return Promise.reject(lost);
    const queue = this.#queues[laneOf(spec)];
    if (queue.length >= this.#maxQueued) {
      this.#throttled++;
      // The text AWS sends when a request quota is exceeded.
      return Promise.reject(new ThrottlingException('Rate exceeded'));
    }
    return new Promise<KeyPair>((resolve, reject) => {
      const request: Request = { spec, resolve, reject };
      if (signal !== undefined) {
        const onAbort = () => this.#abandon(request);
        signal.addEventListener('abort', onAbort, { once: true });
        request.resolve = (pair) => {
          signal.removeEventListener('abort', onAbort);
          resolve(pair);
        };
        request.reject = (err) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        };
      }
      queue.push(request);
      this.#dispatch();
    });
  }

  /** The caller of `request` aborted: out of its queue if no thread has it yet, else wiped on arrival. */
  #abandon(request: Request): void {
    const queue = this.#queues[laneOf(request.spec)];
    const waiting = queue.indexOf(request);
    if (waiting >= 0) {
      queue.splice(waiting, 1);
      this.#abandoned++;
      this.#dispatch();
    } else {
      request.abandoned = true;
    }
    request.reject(abortError());
  }

  /** Resolves when every prefill pool is full (for tests and benchmarks). */
  ready(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('wasm-kms: KeyPairWorkerPool is closed'));
    if (this.#broken) return Promise.reject(this.#broken);
    const lost = this.#prefillUnservable();
    if (lost) return Promise.reject(lost);
    if (this.#full()) return Promise.resolve();
    for (const fill of this.#prefill.values()) fill.paused = false;
    return new Promise<void>((resolve, reject) => {
      this.#readyWaiters.push({ resolve, reject });
      this.#dispatch();
    });
  }

  /**
   * `queued`: on-demand requests waiting for a thread, per lane (refill work is not counted);
   * `ready`: pairs held per prefilled spec; `generated`: pairs the threads have made so far,
   * refills included.
   */
  stats(): PoolStats {
    const ready: Partial<Record<KeyPairSpec, number>> = {};
    for (const [spec, fill] of this.#prefill) ready[spec] = fill.held.length;
    return {
      threads: this.#threads,
      queued: { fast: this.#queues.fast.length, slow: this.#queues.slow.length },
      ready,
      generated: this.#generated,
      abandoned: this.#abandoned,
      throttled: this.#throttled,
    };
  }

  /**
   * Stops refilling, wipes every held pair, terminates the workers. Requests still queued reject;
   * requests already running on a thread finish and resolve first. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    const closed = () => new Error('wasm-kms: KeyPairWorkerPool closed before this request ran');
    for (const lane of ['fast', 'slow'] as const) for (const r of this.#queues[lane].splice(0)) r.reject(closed());
    for (const w of this.#readyWaiters.splice(0))
      w.reject(new Error('wasm-kms: KeyPairWorkerPool closed before its prefill was complete'));
    for (const fill of this.#prefill.values()) for (const pair of fill.held.splice(0)) wipe(pair);
    for (const slot of this.#slots) clearTimeout(slot.restart);
    // Threads with no request to finish stop now; the others when their request is answered.
    for (const slot of this.#slots) if (!slot.jobs.some((j) => j.request)) this.#stop(slot);
    await Promise.all(this.#slots.map((slot) => slot.exited));
  }

  #spawn(fastOnly: boolean, failedStarts = 0): Slot {
    const worker = new Worker(this.#workerUrl);
    worker.unref();
    let exited!: () => void;
    const slot: Slot = {
      worker,
      fastOnly,
      started: false,
      stopping: false,
      dead: false,
      failedStarts,
      exited: new Promise<void>((r) => (exited = r)),
      jobs: [],
    };
    let crash: Error | undefined;
    worker.on('message', (reply: PoolReply) => this.#onReply(slot, reply));
    worker.on('error', (err) => {
      crash = err;
    });
    worker.on('exit', (code) => {
      exited();
      this.#onExit(slot, code, crash);
    });
    return slot;
  }

  #stop(slot: Slot): void {
    if (slot.stopping || slot.dead) return;
    slot.stopping = true;
    // Referenced, so that awaiting close() keeps the process alive until the thread is gone.
    slot.worker.ref();
    void slot.worker.terminate();
  }

  #onReply(slot: Slot, reply: PoolReply): void {
    if (reply.type === 'ready') {
      slot.started = true;
      slot.failedStarts = 0;
      this.#everStarted = true;
      return;
    }
    for (const item of reply.items) this.#onItem(slot, item);
    if (slot.jobs.length === 0 && this.#closed) this.#stop(slot);
    this.#dispatch();
  }

  /** One job's answer from `slot`: its pair to its request (or held), or its error. */
  #onItem(slot: Slot, item: PoolItem): void {
    const index = slot.jobs.findIndex((j) => j.seq === item.seq);
    if (index < 0) {
      // Not ours to keep (should not happen): leave no private key behind.
      if ('privateKey' in item) new Uint8Array(item.privateKey).fill(0);
      return;
    }
    const [job] = slot.jobs.splice(index, 1);
    if ('privateKey' in item) {
      this.#generated++;
      this.#deliver(job, { publicKey: new Uint8Array(item.publicKey), privateKey: new Uint8Array(item.privateKey) });
    } else {
      this.#fail(
        job,
        new Error(`wasm-kms: key pair generation failed in a worker thread (${job.spec}): ${item.message}`),
      );
    }
  }

  #onExit(slot: Slot, code: number, crash: Error | undefined): void {
    slot.dead = true;
    const jobs = slot.jobs.splice(0);
    if (slot.stopping || this.#closed) {
      for (const job of jobs)
        this.#fail(job, new Error(`wasm-kms: KeyPairWorkerPool closed while generating ${job.spec}`));
      return;
    }
    const why = crash ? `: ${crash.message}` : ` (exit code ${code})`;
    if (!slot.started) {
      const cause = `a KeyPairWorkerPool worker thread (${this.#workerUrl.href}) could not start${why}`;
      if (!this.#everStarted) {
        // The script or the core did not load, and never has: another worker would fail the same way.
        this.#breakDown(new Error(`wasm-kms: ${cause}`), jobs);
        return;
      }
      // The script has worked before, so this is the thread's own bad luck: its request never
      // ran, and goes back to the head of its queue.
      for (const job of jobs.reverse()) this.#requeue(job);
      const failures = ++slot.failedStarts;
      if (failures >= MAX_FAILED_STARTS) {
        slot.gaveUp = new Error(
          `wasm-kms: ${cause}; ${failures} attempts in a row failed, so the pool stopped replacing that thread`,
        );
      } else {
        slot.restart = setTimeout(() => {
          slot.restart = undefined;
          this.#replace(slot);
        }, restartDelay(failures));
      }
      this.#dispatch();
      return;
    }
    // A crash says nothing about the next attempt, so a refill it cut short is simply redone.
    for (const job of jobs)
      this.#fail(
        job,
        new Error(`wasm-kms: the worker thread generating ${job.spec} stopped unexpectedly${why}`),
        false,
      );
    this.#replace(slot);
    this.#dispatch();
  }

  /** A new worker in a dead slot's place, counting on from its failed starts. */
  #replace(slot: Slot): void {
    if (this.#closed || this.#broken) return;
    const index = this.#slots.indexOf(slot);
    if (index >= 0) this.#slots[index] = this.#spawn(slot.fastOnly, slot.failedStarts);
    this.#dispatch();
  }

  /** A job whose worker died before it ran: the request waits for a thread again, a refill is redone. */
  #requeue(job: Job): void {
    if (job.request) {
      if (!job.request.abandoned) this.#queues[laneOf(job.spec)].unshift(job.request);
      return;
    }
    const fill = this.#prefill.get(job.spec);
    if (fill) fill.running--;
  }

  /** Why no thread is left that may run `lane` (every one that could was given up), if so. */
  #unservable(lane: Lane): Error | undefined {
    let cause: Error | undefined;
    for (const slot of this.#slots) {
      if (lane === 'slow' && slot.fastOnly) continue;
      if (!slot.gaveUp) return undefined;
      cause = slot.gaveUp;
    }
    return (
      cause &&
      new Error(
        `wasm-kms: KeyPairWorkerPool has no thread left for ${lane === 'slow' ? 'RSA' : 'any'} key pairs: ${cause.message.replace(/^wasm-kms: /, '')}`,
      )
    );
  }

  /** Why a prefilled spec can never be filled, if one cannot. */
  #prefillUnservable(): Error | undefined {
    for (const spec of this.#prefill.keys()) {
      const lost = this.#unservable(laneOf(spec));
      if (lost) return lost;
    }
    return undefined;
  }

  /** Rejects what waits for threads that were given up. */
  #rejectUnservable(): void {
    for (const lane of ['fast', 'slow'] as const) {
      if (this.#queues[lane].length === 0) continue;
      const lost = this.#unservable(lane);
      if (lost) for (const r of this.#queues[lane].splice(0)) r.reject(lost);
    }
    if (this.#readyWaiters.length > 0) {
      const lost = this.#prefillUnservable();
      if (lost) for (const w of this.#readyWaiters.splice(0)) w.reject(lost);
    }
  }

  #breakDown(err: Error, jobs: Job[]): void {
    this.#broken = err;
    for (const job of jobs) job.request?.reject(err);
    for (const slot of this.#slots) for (const job of slot.jobs.splice(0)) job.request?.reject(err);
    for (const lane of ['fast', 'slow'] as const) for (const r of this.#queues[lane].splice(0)) r.reject(err);
    for (const w of this.#readyWaiters.splice(0)) w.reject(err);
    for (const fill of this.#prefill.values()) for (const pair of fill.held.splice(0)) wipe(pair);
    for (const slot of this.#slots) {
      clearTimeout(slot.restart);
      this.#stop(slot);
    }
  }

  /** A pair from a thread: to its request, else (a refill) to a waiting request for the spec, else held. */
  #deliver(job: Job, pair: KeyPair): void {
    if (job.request) {
      if (job.request.abandoned) wipe(pair);
      else job.request.resolve(pair);
      return;
    }
    const fill = this.#prefill.get(job.spec);
    if (fill) fill.running--;
    if (this.#closed || !fill) {
      wipe(pair);
      return;
    }
    const queue = this.#queues[laneOf(job.spec)];
    const waiting = queue.findIndex((r) => r.spec === job.spec);
    if (waiting >= 0) {
      queue.splice(waiting, 1)[0].resolve(pair);
      return;
    }
    fill.held.push(pair);
    if (this.#full()) for (const w of this.#readyWaiters.splice(0)) w.resolve();
  }

  /**
   * Busy threads keep the process alive while anyone awaits the pool (a request running or
   * queued, or ready()); idle threads and refills nobody awaits do not.
   */
  #refreshRefs(): void {
    const awaited = this.#readyWaiters.length > 0 || this.#queues.fast.length > 0 || this.#queues.slow.length > 0;
    for (const slot of this.#slots) {
      // A replacement someone is waiting for must not let the process exit before it comes.
      if (slot.restart) {
        if (awaited) slot.restart.ref();
        else slot.restart.unref();
      }
      if (slot.stopping || slot.dead) continue;
      if (slot.jobs.length > 0 && (awaited || slot.jobs.some((j) => j.request))) slot.worker.ref();
      else slot.worker.unref();
    }
  }

  #fail(job: Job, err: Error, pause = true): void {
    if (job.request) {
      job.request.reject(err);
      return;
    }
    const fill = this.#prefill.get(job.spec);
    if (!fill) return;
    fill.running--;
    if (!pause) return;
    // A refill that the core refused would most likely fail again (no entropy, say): stop
    // refilling this spec until the next request for it, and tell whoever awaits ready().
    fill.paused = true;
    for (const w of this.#readyWaiters.splice(0)) w.reject(err);
  }

  #full(): boolean {
    for (const fill of this.#prefill.values()) if (fill.held.length < fill.target) return false;
    return true;
  }

  /** Gives every idle thread the most urgent job it may run (see the scheduling notes above). */
  #dispatch(): void {
    if (!this.#closed && !this.#broken) {
      this.#assign();
      this.#rejectUnservable();
    }
    this.#refreshRefs();
  }

  #assign(): void {
    // Fast requests go to the reserved thread first, keeping the others free for RSA.
    const idle = this.#slots
      .filter((s) => s.jobs.length === 0 && !s.stopping && !s.dead)
      .sort((a, b) => Number(b.fastOnly) - Number(a.fastOnly));
    for (const [i, slot] of idle.entries()) {
      const fast = this.#queues.fast;
      if (fast.length > 0) {
        // The waiting fast requests, shared evenly among the threads free now (every one may run them).
        const take = Math.min(MAX_BATCH, Math.ceil(fast.length / (idle.length - i)));
        this.#run(
          slot,
          fast.splice(0, take).map((request) => ({ seq: ++this.#seq, spec: request.spec, request })),
        );
        continue;
      }
      const request = slot.fastOnly ? undefined : this.#queues.slow.shift();
      if (request) {
        this.#run(slot, [{ seq: ++this.#seq, spec: request.spec, request }]);
        continue;
      }
      const spec = this.#refillCandidate(slot.fastOnly);
      if (spec) {
        this.#prefill.get(spec)!.running++;
        this.#run(slot, [{ seq: ++this.#seq, spec }]);
      }
    }
  }

  /** The spec to refill next on a thread: the one furthest below its target, fast lane first. */
  #refillCandidate(fastOnly: boolean): KeyPairSpec | undefined {
    let best: KeyPairSpec | undefined;
    let bestScore = -1;
    for (const [spec, fill] of this.#prefill) {
      const lane = laneOf(spec);
      if (fill.paused || (fastOnly && lane === 'slow')) continue;
      const missing = fill.target - fill.held.length - fill.running;
      if (missing <= 0) continue;
      const score = (lane === 'fast' ? 2 : 1) + missing / fill.target;
      if (score > bestScore) {
        best = spec;
        bestScore = score;
      }
    }
    return best;
  }

  #run(slot: Slot, jobs: Job[]): void {
    slot.jobs = jobs;
    slot.worker.postMessage({ jobs: jobs.map(({ seq, spec }) => ({ seq, spec })) } satisfies PoolRequest);
  }
}

export interface PoolStats {
  threads: number;
  queued: { fast: number; slow: number };
  ready: Partial<Record<KeyPairSpec, number>>;
  generated: number;
  /** Requests dropped from a queue before any thread took them, because their caller aborted. */
  abandoned: number;
  /** Requests refused with ThrottlingException because their lane's queue was full. */
  throttled: number;
}

function abortError(): Error {
  const err = new Error('wasm-kms: the key pair request was aborted by its caller');
  err.name = 'AbortError';
  return err;
}

function wipe(pair: KeyPair): void {
  pair.privateKey.fill(0);
}

/** "RSA_2048=32,ECC_NIST_P256=8" → { RSA_2048: 32, ECC_NIST_P256: 8 }; a clear Error naming the bad part otherwise (unknown spec, non-integer, negative, > 10000). */
export function parsePoolSpec(text: string): Partial<Record<KeyPairSpec, number>> {
  if (typeof text !== 'string')
    throw new TypeError(
      `Invalid pool spec: expected a string like "RSA_2048=32,ECC_NIST_P256=8", got (${typeof text})`,
    );
  const out: Partial<Record<KeyPairSpec, number>> = {};
  if (text.trim() === '') return out;
  for (const raw of text.split(',')) {
    const part = raw.trim();
    const bad = (why: string) => new Error(`Invalid pool spec part ${JSON.stringify(part)}: ${why}`);
    const eq = part.indexOf('=');
    if (eq < 0) throw bad('expected SPEC=COUNT, e.g. RSA_2048=32');
    const spec = part.slice(0, eq).trim();
    const count = part.slice(eq + 1).trim();
    if (!isSpec(spec))
      throw bad(`unknown key pair spec ${JSON.stringify(spec)}; valid specs are: ${KEY_PAIR_SPECS.join(', ')}`);
    if (spec in out) throw bad(`${spec} is given more than once`);
    if (/^-\s*\d+$/.test(count)) throw bad('the count must not be negative');
    if (!/^\d+$/.test(count)) throw bad(`the count ${JSON.stringify(count)} is not a whole number`);
    const n = Number(count);
    if (n > MAX_PREFILL) throw bad(`the count must be at most ${MAX_PREFILL}`);
    out[spec] = n;
  }
  return out;
}
