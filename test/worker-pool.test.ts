// KeyPairWorkerPool (src/node/pool/pool.ts), run from the built dist/ (the worker thread loads
// dist/node/pool/pool-worker.js): every spec gives a pair that code sharing nothing with the core
// accepts (node:crypto; @noble/post-quantum for ML-KEM); many concurrent requests; the lanes
// (a fast request overtakes queued RSA work, shown by order of completion); on-demand work
// before refills; prefill, hand-out and wiping on close; worker errors and crashes; the main
// event loop stays free; parsePoolSpec; KMSClient on top of the pool.

import { describe, it, expect } from 'vitest';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { availableParallelism, tmpdir } from 'node:os';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { ml_kem512, ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { KeyPairWorkerPool, defaultThreads, parsePoolSpec } from '../dist/node/pool/pool.js';
import { KEY_PAIR_SPECS, type KeyPair, type KeyPairSpec } from '../dist/core/index.js';
import {
  KMSClient,
  DecryptCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
} from '../src/kms/index.js';
import { newKey } from './helpers/kms.js';
import { rejectionOf } from './helpers/caught.js';
import { closeAfterTest, newPool } from './helpers/pools.js';
import { hex } from './helpers/hex.js';

interface TestHooks {
  held(): KeyPair[];
  workers(): Worker[];
  setWorkerUrl(url: URL): void;
  unchecked(spec: string): Promise<KeyPair>;
}
const hooks = (pool: KeyPairWorkerPool) =>
  (pool as unknown as Record<symbol, TestHooks>)[Symbol.for('wasm-kms.KeyPairWorkerPool.test')];

const ML_KEM = { ML_KEM_512: ml_kem512, ML_KEM_768: ml_kem768, ML_KEM_1024: ml_kem1024 } as const;

/** Checks that `pair.publicKey` is the public half of `pair.privateKey`, independently of the core. */
function expectValidPair(spec: KeyPairSpec, pair: KeyPair): void {
  expect(pair.publicKey).toBeInstanceOf(Uint8Array);
  expect(pair.privateKey).toBeInstanceOf(Uint8Array);
  // Transferred whole: the private key owns its (non-shared) buffer, nothing else is in it.
  expect(pair.privateKey.buffer).toBeInstanceOf(ArrayBuffer);
  expect(pair.privateKey.byteOffset).toBe(0);
  expect(pair.privateKey.byteLength).toBe(pair.privateKey.buffer.byteLength);
  if (spec in ML_KEM) {
    const seed = pair.privateKey.subarray(pair.privateKey.length - 64);
    const { publicKey } = ML_KEM[spec as keyof typeof ML_KEM].keygen(seed);
    expect(hex(pair.publicKey.subarray(pair.publicKey.length - publicKey.length))).toBe(hex(publicKey));
  } else {
    const priv = createPrivateKey({ key: Buffer.from(pair.privateKey), format: 'der', type: 'pkcs8' });
    const spki = createPublicKey(priv).export({ type: 'spki', format: 'der' });
    expect(hex(pair.publicKey)).toBe(hex(spki));
  }
}

describe('KeyPairWorkerPool: pairs', () => {
  it('generates every spec; node:crypto (or noble for ML-KEM) agrees with each pair', async () => {
    const pool = newPool({ threads: 2 });
    const pairs = await Promise.all(KEY_PAIR_SPECS.map((spec) => pool.generate(spec)));
    pairs.forEach((pair, i) => expectValidPair(KEY_PAIR_SPECS[i], pair));
    expect(pool.stats().generated).toBe(KEY_PAIR_SPECS.length);
  });

  it('100 concurrent mixed requests: all valid, all distinct', async () => {
    const pool = newPool({ threads: 2 });
    const specs = Array.from({ length: 100 }, (_, i) => KEY_PAIR_SPECS[(i * 7) % KEY_PAIR_SPECS.length]);
    const pairs = await Promise.all(specs.map((spec) => pool.generate(spec)));
    pairs.forEach((pair, i) => expectValidPair(specs[i], pair));
    expect(new Set(pairs.map((p) => hex(p.privateKey))).size).toBe(100);
    expect(new Set(pairs.map((p) => hex(p.publicKey))).size).toBe(100);
    expect(pool.stats()).toMatchObject({ threads: 2, queued: { fast: 0, slow: 0 }, generated: 100 });
  });

  it('defaults to one thread per core plus the reserved fast-lane thread, and rejects bad options and specs clearly', async () => {
    expect(newPool().stats().threads).toBe(defaultThreads(availableParallelism()));
    expect([1, 2, 4, 16].map((cores) => defaultThreads(cores))).toEqual([1, 3, 5, 17]);
    expect(() => new KeyPairWorkerPool({ threads: 0 })).toThrow(/threads must be a whole number from 1/);
    expect(() => new KeyPairWorkerPool({ threads: 1.5 })).toThrow(RangeError);
    expect(() => new KeyPairWorkerPool({ prefill: { RSA_1024: 2 } as never })).toThrow(
      /unknown key pair spec "RSA_1024"/,
    );
    expect(() => new KeyPairWorkerPool({ prefill: { RSA_2048: -1 } })).toThrow(
      /prefill for RSA_2048 must be a whole number/,
    );
    expect(() => new KeyPairWorkerPool({ prefill: { RSA_2048: 10_001 } })).toThrow(/from 0 to 10000/);
    const pool = newPool({ threads: 1 });
    const err = await rejectionOf(pool.generate('RSA_1024' as KeyPairSpec));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/Unknown key pair spec "RSA_1024"; valid specs are: RSA_2048, /);
  });
});

describe('KeyPairWorkerPool: scheduling', () => {
  /** Queues six RSA_4096 requests then one ECC_NIST_P256 request; returns the order they complete in. */
  async function completionOrder(pool: KeyPairWorkerPool) {
    const order: string[] = [];
    const rsa = Array.from({ length: 6 }, (_, i) => pool.generate('RSA_4096').then((p) => (order.push(`rsa${i}`), p)));
    const queuedBefore = pool.stats().queued;
    const ecc = pool.generate('ECC_NIST_P256').then((p) => (order.push('ecc'), p));
    const queuedAfter = pool.stats().queued;
    // Wait for the ECC pair and the second RSA one; the rest is cut short by close().
    const [eccPair, rsa1] = await Promise.all([ecc, rsa[1]]);
    expectValidPair('ECC_NIST_P256', eccPair);
    expectValidPair('RSA_4096', rsa1);
    const allSettled = Promise.allSettled(rsa);
    await pool.close();
    const settled = await allSettled;
    return { order, queuedBefore, queuedAfter, settled };
  }

  it('2 threads: an ECC request queued behind six RSA_4096 ones completes before the second of them', async () => {
    const { order, queuedBefore, queuedAfter, settled } = await completionOrder(newPool({ threads: 2 }));
    // One thread is reserved for the fast lane, so only one RSA job runs and five wait...
    expect(queuedBefore).toEqual({ fast: 0, slow: 5 });
    // ...and the ECC request does not queue at all.
    expect(queuedAfter).toEqual({ fast: 0, slow: 5 });
    expect(order.indexOf('ecc')).toBeLessThan(order.indexOf('rsa1'));
    // Requests still queued at close() reject clearly; none is left pending.
    for (const s of settled)
      if (s.status === 'rejected') expect(String(s.reason)).toMatch(/closed before this request ran/);
  });

  it('1 thread: the ECC request waits only for the RSA_4096 job already running, not for the queued ones', async () => {
    const { order, queuedBefore, queuedAfter } = await completionOrder(newPool({ threads: 1 }));
    expect(queuedBefore).toEqual({ fast: 0, slow: 5 });
    expect(queuedAfter).toEqual({ fast: 1, slow: 5 });
    expect(order.slice(0, 2)).toEqual(['rsa0', 'ecc']);
  });

  it('on-demand requests go before refills', async () => {
    // One thread, three RSA_4096 pairs to prefill: the first refill starts at once. The request
    // made meanwhile must run right after it, before the other two refills.
    const pool = newPool({ threads: 1, prefill: { RSA_4096: 3 } });
    let heldWhenAnswered = -1;
    const pair = await pool.generate('RSA_2048').then((p) => {
      heldWhenAnswered = pool.stats().ready.RSA_4096!;
      return p;
    });
    expectValidPair('RSA_2048', pair);
    expect(heldWhenAnswered).toBe(1);
  });

  it('the main event loop keeps turning while RSA_4096 is generated', async () => {
    const pool = newPool({ threads: 1 });
    let turns = 0;
    let running = true;
    const spin = () => {
      turns++;
      if (running) setImmediate(spin);
    };
    setImmediate(spin);
    const pair = await pool.generate('RSA_4096');
    running = false;
    expectValidPair('RSA_4096', pair);
    // Generated in this thread, the event loop would not have turned at all while it ran.
    expect(turns).toBeGreaterThan(10);
  });
});

describe('KeyPairWorkerPool: prefill', () => {
  it('ready() fills each spec to its count; generate() hands out a held pair once, then the pool refills', async () => {
    const pool = newPool({ threads: 2, prefill: { ECC_NIST_P256: 5, RSA_2048: 2, ML_KEM_768: 3 } });
    await pool.ready();
    expect(pool.stats().ready).toEqual({ ECC_NIST_P256: 5, RSA_2048: 2, ML_KEM_768: 3 });
    const generated = pool.stats().generated;
    expect(generated).toBe(10);
    const held = hooks(pool).held();
    expect(held).toHaveLength(10);

    const pair = await pool.generate('ECC_NIST_P256');
    // A held pair, taken out of the pool: no new generation, one fewer held, no reference kept.
    expect(held).toContain(pair);
    expect(pool.stats().ready.ECC_NIST_P256).toBe(4);
    expect(pool.stats().generated).toBe(generated);
    expect(hooks(pool).held()).not.toContain(pair);
    expectValidPair('ECC_NIST_P256', pair);

    await pool.ready();
    expect(pool.stats().ready).toEqual({ ECC_NIST_P256: 5, RSA_2048: 2, ML_KEM_768: 3 });
    expect(pool.stats().generated).toBe(generated + 1);
    expect(hooks(pool).held()).not.toContain(pair);

    // Draining well past the prefill count: every pair distinct, each valid.
    const more = await Promise.all(Array.from({ length: 30 }, () => pool.generate('ECC_NIST_P256')));
    const rsa = await Promise.all(Array.from({ length: 4 }, () => pool.generate('RSA_2048')));
    more.forEach((p) => expectValidPair('ECC_NIST_P256', p));
    rsa.forEach((p) => expectValidPair('RSA_2048', p));
    const all = [pair, ...more, ...rsa, ...hooks(pool).held()];
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(all.map((p) => hex(p.privateKey))).size).toBe(all.length);
    await pool.ready();
    expect(pool.stats().ready).toEqual({ ECC_NIST_P256: 5, RSA_2048: 2, ML_KEM_768: 3 });
  });

  it('close() wipes every held pair, rejects later calls, and is idempotent', async () => {
    const pool = newPool({ threads: 2, prefill: { ECC_NIST_P384: 4, ECC_NIST_EDWARDS25519: 2, RSA_2048: 1 } });
    await pool.ready();
    const held = hooks(pool).held();
    expect(held).toHaveLength(7);
    for (const p of held) expect(p.privateKey.some((b) => b !== 0)).toBe(true);
    const publicKeys = held.map((p) => hex(p.publicKey));

    await Promise.all([pool.close(), pool.close()]);
    for (const p of held) {
      expect(p.privateKey.length).toBeGreaterThan(0);
      expect(p.privateKey.every((b) => b === 0)).toBe(true);
    }
    // Only the private halves are secrets; the public ones stay as they were.
    expect(held.map((p) => hex(p.publicKey))).toEqual(publicKeys);
    expect(hooks(pool).held()).toEqual([]);
    expect(pool.stats().ready).toEqual({ ECC_NIST_P384: 0, ECC_NIST_EDWARDS25519: 0, RSA_2048: 0 });
    expect((await rejectionOf(pool.generate('ECC_NIST_P384'))).message).toMatch(/KeyPairWorkerPool is closed/);
    expect((await rejectionOf(pool.ready())).message).toMatch(/KeyPairWorkerPool is closed/);
    await pool.close();
  });

  it('close() lets a running request finish, rejects the queued ones, and stops the threads', async () => {
    const pool = newPool({ threads: 2 });
    const workers = hooks(pool).workers();
    const exits = workers.map((w) => new Promise<number>((r) => w.once('exit', r)));
    // One RSA thread: the first request runs, the other two wait in the slow lane.
    const requests = [pool.generate('RSA_2048'), pool.generate('RSA_2048'), pool.generate('RSA_3072')];
    expect(pool.stats().queued).toEqual({ fast: 0, slow: 2 });
    const settled = Promise.allSettled(requests);
    await pool.close();
    const [first, ...rest] = await settled;
    expect(first.status).toBe('fulfilled');
    expectValidPair('RSA_2048', (first as PromiseFulfilledResult<KeyPair>).value);
    for (const r of rest) {
      expect(r.status).toBe('rejected');
      expect(String((r as PromiseRejectedResult).reason)).toMatch(/KeyPairWorkerPool closed before this request ran/);
    }
    await Promise.all(exits);
  });

  it('ready() resolves at once without prefill; a pending ready() rejects on close()', async () => {
    await newPool({ threads: 1 }).ready();
    const pool = newPool({ threads: 1, prefill: { RSA_4096: 5 } });
    const pending = rejectionOf(pool.ready());
    await pool.close();
    expect((await pending).message).toMatch(/closed before its prefill was complete/);
  });
});

describe('KeyPairWorkerPool: failures', () => {
  it('an error inside a worker rejects that request with a clear Error; the pool goes on', async () => {
    const pool = newPool({ threads: 2 });
    const err = await rejectionOf(hooks(pool).unchecked('RSA_1024'));
    expect(err.message).toMatch(
      /^wasm-kms: key pair generation failed in a worker thread \(RSA_1024\): Unknown key pair spec "RSA_1024"/,
    );
    expectValidPair('ECC_NIST_P256', await pool.generate('ECC_NIST_P256'));
  });

  it('a worker that dies rejects its request and is replaced', async () => {
    const pool = newPool({ threads: 2 });
    expectValidPair('RSA_2048', await pool.generate('RSA_2048'));
    const before = hooks(pool).workers();
    // Thread 1 is the one that runs RSA; kill it in the middle of a request.
    const running = pool.generate('RSA_4096');
    await before[1].terminate();
    const err = await rejectionOf(running);
    expect(err.message).toMatch(/worker thread generating RSA_4096 stopped unexpectedly/);
    const after = hooks(pool).workers();
    expect(after).toHaveLength(2);
    expect(after[0]).toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expectValidPair('RSA_2048', await pool.generate('RSA_2048'));
    expectValidPair('ECC_NIST_P521', await pool.generate('ECC_NIST_P521'));
  });

  /** Resolves with thread `index` once the pool has put a new one in place of `old`. */
  async function replacementOf(pool: KeyPairWorkerPool, index: number, old: Worker): Promise<Worker> {
    while (hooks(pool).workers()[index] === old) await new Promise((r) => setTimeout(r, 5));
    return hooks(pool).workers()[index];
  }

  it('a replacement thread that dies before it is ready is started again; its request runs on the next one', async () => {
    const pool = newPool({ threads: 2 });
    expectValidPair('RSA_2048', await pool.generate('RSA_2048'));
    const dir = mkdtempSync(join(tmpdir(), 'wasm-kms-pool-'));
    try {
      // A worker script that never says it is ready: whatever kills it, kills it before ready.
      const hang = join(dir, 'hang.mjs');
      writeFileSync(hang, 'setInterval(() => {}, 1 << 30);\n');
      hooks(pool).setWorkerUrl(pathToFileURL(hang));
      const old = hooks(pool).workers()[1];
      await old.terminate();
      const stuck = await replacementOf(pool, 1, old);
      // Sent to the stuck thread, which will never answer it.
      const waiting = pool.generate('RSA_2048');
      hooks(pool).setWorkerUrl(new URL('../dist/node/pool/pool-worker.js', import.meta.url));
      await stuck.terminate();
      expectValidPair('RSA_2048', await waiting);
      expect(hooks(pool).workers()[1]).not.toBe(stuck);
      expectValidPair('RSA_2048', await pool.generate('RSA_2048'));
      expectValidPair('ECC_NIST_P256', await pool.generate('ECC_NIST_P256'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a thread that fails to start five times in a row is given up: its RSA requests reject, the other thread keeps serving', async () => {
    const pool = newPool({ threads: 2, prefill: { ECC_NIST_P384: 1, RSA_2048: 1 } });
    await pool.ready();
    hooks(pool).setWorkerUrl(new URL('./no-such-pool-worker.js', import.meta.url));
    const old = hooks(pool).workers()[1];
    await old.terminate();
    await replacementOf(pool, 1, old);
    // A pair already held is still handed out...
    expectValidPair('RSA_2048', await pool.generate('RSA_2048'));
    // ...but no more are made: the request waits through the retries, then rejects with the cause.
    const err = await rejectionOf(pool.generate('RSA_2048'));
    expect(err.message).toMatch(
      /^wasm-kms: KeyPairWorkerPool has no thread left for RSA key pairs: .*no-such-pool-worker\.js\) could not start: .*5 attempts in a row failed/,
    );
    // Later RSA requests, and ready() (RSA_2048 can no longer be refilled), are refused at once.
    expect((await rejectionOf(pool.generate('RSA_4096'))).message).toBe(err.message);
    expect((await rejectionOf(pool.ready())).message).toBe(err.message);
    // The thread reserved for the other specs goes on, its prefill included.
    expectValidPair('ECC_NIST_P256', await pool.generate('ECC_NIST_P256'));
    expectValidPair('ECC_NIST_P384', await pool.generate('ECC_NIST_P384'));
    while (pool.stats().ready.ECC_NIST_P384 === 0) await new Promise((r) => setTimeout(r, 5));
    expect(pool.stats().ready).toEqual({ ECC_NIST_P384: 1, RSA_2048: 0 });
    await pool.close();
  });

  it('a worker that cannot start (no pool-worker.js beside pool.js) fails every request with the cause', async () => {
    // A copy of the built pool without its worker script.
    const dir = mkdtempSync(join(tmpdir(), 'wasm-kms-pool-'));
    try {
      const dist = fileURLToPath(new URL('../dist/', import.meta.url));
      // pool.js imports the core (spec names) and the KMS exceptions (ThrottlingException).
      for (const sub of ['core', 'der', 'kms']) cpSync(join(dist, sub), join(dir, sub), { recursive: true });
      mkdirSync(join(dir, 'node', 'pool'), { recursive: true });
      cpSync(join(dist, 'node', 'pool', 'pool.js'), join(dir, 'node', 'pool', 'pool.js'));
      const mod = (await import(pathToFileURL(join(dir, 'node', 'pool', 'pool.js')).href)) as {
        KeyPairWorkerPool: typeof KeyPairWorkerPool;
      };
      const pool = new mod.KeyPairWorkerPool({ threads: 2 });
      closeAfterTest(pool);
      const first = await rejectionOf(pool.generate('RSA_2048'));
      expect(first.message).toMatch(/worker thread \(file:.*pool-worker\.js\) could not start: .*pool-worker\.js/);
      expect((await rejectionOf(pool.generate('ECC_NIST_P256'))).message).toBe(first.message);
      expect((await rejectionOf(pool.ready())).message).toBe(first.message);
      await pool.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parsePoolSpec', () => {
  it('reads SPEC=COUNT lists', () => {
    expect(parsePoolSpec('RSA_2048=32,ECC_NIST_P256=8')).toEqual({ RSA_2048: 32, ECC_NIST_P256: 8 });
    expect(parsePoolSpec(' ML_KEM_768 = 0 , SM2=10000 ')).toEqual({ ML_KEM_768: 0, SM2: 10000 });
    expect(parsePoolSpec('ECC_NIST_EDWARDS25519=007')).toEqual({ ECC_NIST_EDWARDS25519: 7 });
    expect(parsePoolSpec('')).toEqual({});
    const all = parsePoolSpec(KEY_PAIR_SPECS.map((s, i) => `${s}=${i}`).join(','));
    expect(Object.keys(all)).toEqual([...KEY_PAIR_SPECS]);
  });

  it.each([
    ['RSA_1024=3', /part "RSA_1024=3": unknown key pair spec "RSA_1024"; valid specs are: RSA_2048/],
    ['RSA_2048=32,ecc_nist_p256=8', /part "ecc_nist_p256=8": unknown key pair spec/],
    ['RSA_2048=3.5', /part "RSA_2048=3.5": the count "3.5" is not a whole number/],
    ['RSA_2048=1e3', /part "RSA_2048=1e3": the count "1e3" is not a whole number/],
    ['RSA_2048=', /part "RSA_2048=": the count "" is not a whole number/],
    ['RSA_2048=abc', /the count "abc" is not a whole number/],
    ['RSA_2048=-1', /part "RSA_2048=-1": the count must not be negative/],
    ['RSA_2048=10001', /part "RSA_2048=10001": the count must be at most 10000/],
    ['RSA_2048=99999999999999999999', /the count must be at most 10000/],
    ['RSA_2048', /part "RSA_2048": expected SPEC=COUNT/],
    ['RSA_2048=1,,SM2=2', /part "": expected SPEC=COUNT/],
    ['SM2=1,SM2=2', /part "SM2=2": SM2 is given more than once/],
  ])('rejects %j', (text, message) => {
    expect(() => parsePoolSpec(text)).toThrow(message);
  });
});

describe('KMSClient on the pool', () => {
  it('GenerateDataKeyPair → Decrypt round trip with pairs from the pool', async () => {
    const pool = newPool({ threads: 2, prefill: { ECC_NIST_P256: 2 } });
    let calls = 0;
    const kms = new KMSClient({ generateKeyPair: (s) => (calls++, pool.generate(s)) });
    const key = await newKey(kms);
    for (const spec of ['ECC_NIST_P256', 'RSA_2048', 'ML_KEM_512'] as const) {
      const out = await kms.send(
        new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: spec, EncryptionContext: { tenant: 'a' } }),
      );
      expect(out.KeyPairSpec).toBe(spec);
      expectValidPair(spec, { publicKey: out.PublicKey!, privateKey: new Uint8Array(out.PrivateKeyPlaintext!) });
      const dec = await kms.send(
        new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob, EncryptionContext: { tenant: 'a' } }),
      );
      expect(hex(dec.Plaintext!)).toBe(hex(out.PrivateKeyPlaintext!));
    }
    const wp = await kms.send(
      new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: key.KeyId, KeyPairSpec: 'ECC_SECG_P256K1' }),
    );
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: wp.PrivateKeyCiphertextBlob }));
    expectValidPair('ECC_SECG_P256K1', { publicKey: wp.PublicKey!, privateKey: new Uint8Array(dec.Plaintext!) });
    expect(calls).toBe(4);
    expect(pool.stats().generated).toBeGreaterThanOrEqual(5);
  });
});
