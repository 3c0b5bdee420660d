// KeyPairWorkerPool's batches (src/node/pool/pool.ts, "Batching"), run from the built dist/:
// fast-lane requests that wait while the threads are busy go to the next free thread in one
// message and come back in one; a job that fails in a batch fails alone; a request abandoned
// while its batch runs has its pair wiped; a batch is never held up by RSA work.

import { describe, it, expect } from 'vitest';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { KeyPairWorkerPool } from '../dist/node/pool/pool.js';
import type { KeyPair } from '../dist/core/index.js';
import { rejectionOf } from './helpers/caught.js';
import { newPool } from './helpers/pools.js';
import { hex } from './helpers/hex.js';

interface TestHooks {
  workers(): Worker[];
  unchecked(spec: string): Promise<KeyPair>;
}
const hooks = (pool: KeyPairWorkerPool) =>
  (pool as unknown as Record<symbol, TestHooks>)[Symbol.for('wasm-kms.KeyPairWorkerPool.test')];

interface Sent {
  jobs: { seq: number; spec: string }[];
}
interface Item {
  seq: number;
  publicKey?: ArrayBuffer;
  privateKey?: ArrayBuffer;
  message?: string;
}

/** Records every message the pool posts to `worker`, calling `after` right after each is posted. */
function spyPosts(worker: Worker, after: (m: Sent) => void = () => {}): Sent[] {
  const sent: Sent[] = [];
  const post = worker.postMessage.bind(worker);
  worker.postMessage = (m: Sent, transfer?: readonly ArrayBuffer[]) => {
    post(m, transfer as ArrayBuffer[]);
    sent.push(m);
    after(m);
  };
  return sent;
}

/** Records the answers `worker` sends (the same objects the pool receives, after the pool has handled them). */
function spyReplies(worker: Worker): Item[] {
  const items: Item[] = [];
  worker.on('message', (m: { type: string; items?: Item[] }) => {
    if (m.type === 'pairs') items.push(...m.items!);
  });
  return items;
}

function expectP256Pair(pair: KeyPair): void {
  const priv = createPrivateKey({ key: Buffer.from(pair.privateKey), format: 'der', type: 'pkcs8' });
  expect(hex(createPublicKey(priv).export({ type: 'spki', format: 'der' }))).toBe(hex(pair.publicKey));
}

describe('KeyPairWorkerPool: batches', () => {
  it('requests that wait while the thread is busy go in one message; the one that fails fails alone', async () => {
    const pool = newPool({ threads: 1 });
    // The one thread makes an RSA pair; everything asked meanwhile waits in the fast queue.
    const rsa = pool.generate('RSA_2048');
    const sent = spyPosts(hooks(pool).workers()[0]);
    const good = [pool.generate('ECC_NIST_P256'), pool.generate('ECC_NIST_P256')];
    // A spec the core refuses, sent unchecked: its job throws in the worker.
    const bad = rejectionOf(hooks(pool).unchecked('RSA_1024'));
    good.push(pool.generate('ECC_NIST_P256'), pool.generate('ECC_NIST_P256'));
    expect(pool.stats().queued.fast).toBe(5);

    const pairs = await Promise.all(good);
    for (const pair of pairs) expectP256Pair(pair);
    const err = await bad;
    expect(err.message).toMatch(/^wasm-kms: key pair generation failed in a worker thread \(RSA_1024\): /);
    await rsa;
    // All five went to the thread in one message, after the RSA job.
    expect(sent.map((m) => m.jobs.map((j) => j.spec))).toEqual([
      ['ECC_NIST_P256', 'ECC_NIST_P256', 'RSA_1024', 'ECC_NIST_P256', 'ECC_NIST_P256'],
    ]);
    expect(pool.stats().generated).toBe(5);
  });

  it('a request abandoned while its batch runs gets no pair, and its pair is wiped; the others get theirs', async () => {
    const pool = newPool({ threads: 1 });
    const worker = hooks(pool).workers()[0];
    const rsa = pool.generate('RSA_2048');
    const controllers = [new AbortController(), new AbortController(), new AbortController()];
    const asked = controllers.map((c) => pool.generate('ECC_NIST_P256', { signal: c.signal }));
    // The client of the second request hangs up just after its batch has gone to the thread.
    let abandonedSeq: number | undefined;
    const sent = spyPosts(worker, (m) => {
      if (m.jobs.length === 3) {
        abandonedSeq = m.jobs[1].seq;
        controllers[1].abort();
      }
    });
    const replies = spyReplies(worker);

    const [first, second, third] = await Promise.allSettled(asked);
    await rsa;
    expect(sent).toHaveLength(1);
    expect(second.status).toBe('rejected');
    expect((second as PromiseRejectedResult).reason.name).toBe('AbortError');
    for (const r of [first, third]) {
      expect(r.status).toBe('fulfilled');
      expectP256Pair((r as PromiseFulfilledResult<KeyPair>).value);
    }
    // The pair made for the abandoned request came back and was zeroed; the others were not.
    const batch = new Set(sent[0].jobs.map((j) => j.seq));
    const answered = replies.filter((item) => batch.has(item.seq));
    expect(answered).toHaveLength(3);
    const byJob = new Map(answered.map((item) => [item.seq, new Uint8Array(item.privateKey!)]));
    const wiped = byJob.get(abandonedSeq!)!;
    expect(wiped.length).toBeGreaterThan(100);
    expect(wiped.every((b) => b === 0)).toBe(true);
    for (const [seq, key] of byJob) if (seq !== abandonedSeq) expect(key.some((b) => b !== 0)).toBe(true);
    // A thread had it already, so it does not count as dropped from a queue.
    expect(pool.stats().abandoned).toBe(0);
  });

  it('P-256 requests are answered while four RSA_4096 jobs run', async () => {
    // Four threads for RSA beside the one reserved for the fast lane.
    const pool = newPool({ threads: 5 });
    const order: string[] = [];
    const rsa = Array.from({ length: 4 }, (_, i) => pool.generate('RSA_4096').then((p) => (order.push(`rsa${i}`), p)));
    const ecc = Array.from({ length: 40 }, (_, i) =>
      pool.generate('ECC_NIST_P256').then((p) => (order.push(`ecc${i}`), p)),
    );
    expect(pool.stats().queued.slow).toBe(0);
    for (const pair of await Promise.all(ecc)) expectP256Pair(pair);
    await Promise.all(rsa);
    // Every P-256 answer came before any RSA_4096 one.
    expect(order.slice(0, 40).every((name) => name.startsWith('ecc'))).toBe(true);
    expect(order.slice(40).sort()).toEqual(['rsa0', 'rsa1', 'rsa2', 'rsa3']);
  }, 60_000);
});
