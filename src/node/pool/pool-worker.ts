// One thread of KeyPairWorkerPool (pool.ts). It loads the WebAssembly core once, then answers
// one request at a time: { seq, spec } → { seq, publicKey, privateKey } with both keys as
// transferred ArrayBuffers, so the DER moves to the main thread instead of being copied and no
// copy of the private key stays here. The core wipes its own scratch memory after each call.

import { parentPort } from 'node:worker_threads';
import { generateKeyPair, type KeyPairSpec } from '../../core/index.js';
import { getCore } from '../../core/module.js';

/** Main thread → worker. */
export interface PoolRequest {
  seq: number;
  spec: string;
}

/** Worker → main thread. */
export type PoolReply =
  | { type: 'ready' }
  | { type: 'pair'; seq: number; publicKey: ArrayBuffer; privateKey: ArrayBuffer }
  | { type: 'error'; seq: number; message: string };

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
    let pair: { publicKey: Uint8Array; privateKey: Uint8Array };
    try {
      pair = generateKeyPair(req.spec as KeyPairSpec);
    } catch (err) {
      // Core errors name the spec or the failing step, never key material.
      const message = err instanceof Error ? err.message : String(err);
      port.postMessage({ type: 'error', seq: req.seq, message } satisfies PoolReply);
      return;
    }
    const publicKey = ownBuffer(pair.publicKey);
    const privateKey = ownBuffer(pair.privateKey);
    try {
      port.postMessage({ type: 'pair', seq: req.seq, publicKey, privateKey } satisfies PoolReply, [
        publicKey,
        privateKey,
      ]);
    } catch (err) {
      // Not transferred: do not leave the private key readable in this thread.
      if (privateKey.byteLength > 0) new Uint8Array(privateKey).fill(0);
      const message = err instanceof Error ? err.message : String(err);
      port.postMessage({
        type: 'error',
        seq: req.seq,
        message: `could not hand the pair over: ${message}`,
      } satisfies PoolReply);
    }
  });
  port.postMessage({ type: 'ready' } satisfies PoolReply);
}

if (!parentPort)
  throw new Error('wasm-kms: pool-worker.js runs inside a KeyPairWorkerPool worker thread, not on its own');
serve(parentPort);
