// One thread of KeyPairWorkerPool (pool.ts). It loads the WebAssembly core once, then answers
// one message at a time: { jobs: [{ seq, spec }, ...] } → { type: 'pairs', items } with one item
// per job, in order: its pair, both keys as transferred ArrayBuffers (the DER moves to the main
// thread instead of being copied and no copy of the private key stays here), or its error. A job
// that fails fails alone; the others of its message are answered. Several fast-lane jobs share a
// message so that the main thread posts and receives one message for them all (pool.ts). The
// core wipes its own scratch memory after each call.

import { parentPort } from 'node:worker_threads';
import { generateKeyPair, type KeyPairSpec } from '../../core/index.js';
import { getCore } from '../../core/module.js';

/** Main thread → worker. */
export interface PoolRequest {
  jobs: { seq: number; spec: string }[];
}

/** One job's answer. */
export type PoolItem =
  { seq: number; publicKey: ArrayBuffer; privateKey: ArrayBuffer } | { seq: number; message: string };

/** Worker → main thread. */
export type PoolReply = { type: 'ready' } | { type: 'pairs'; items: PoolItem[] };

/**
 * An ArrayBuffer holding exactly `bytes`, to be transferred. The DER writer returns views that
 * span their whole buffer, so this is normally the view's own buffer; otherwise the bytes move
 * to a fresh buffer and the original view is zeroed, so nothing is left behind either way.
 */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  const buf = bytes.buffer;
  if (buf instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buf.byteLength) return buf;
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  bytes.fill(0);
  return copy.buffer;
}

function serve(port: NonNullable<typeof parentPort>): void {
  // Compile and instantiate the core now, once; every request reuses it.
  getCore();
  port.on('message', (req: PoolRequest) => {
    const items: PoolItem[] = [];
    const transfer: ArrayBuffer[] = [];
    for (const { seq, spec } of req.jobs) {
      try {
        const pair = generateKeyPair(spec as KeyPairSpec);
        const publicKey = ownBuffer(pair.publicKey);
        const privateKey = ownBuffer(pair.privateKey);
        items.push({ seq, publicKey, privateKey });
        transfer.push(publicKey, privateKey);
      } catch (err) {
        // Core errors name the spec or the failing step, never key material.
        items.push({ seq, message: err instanceof Error ? err.message : String(err) });
      }
    }
    try {
      port.postMessage({ type: 'pairs', items } satisfies PoolReply, transfer);
    } catch (err) {
      // Not transferred: do not leave a private key readable in this thread.
      for (const item of items) if ('privateKey' in item) new Uint8Array(item.privateKey).fill(0);
      const message = `could not hand the pair over: ${err instanceof Error ? err.message : String(err)}`;
      port.postMessage({
        type: 'pairs',
        items: items.map(({ seq }) => ({ seq, message })),
      } satisfies PoolReply);
    }
  });
  port.postMessage({ type: 'ready' } satisfies PoolReply);
}

if (!parentPort)
  throw new Error('wasm-kms: pool-worker.js runs inside a KeyPairWorkerPool worker thread, not on its own');
serve(parentPort);
