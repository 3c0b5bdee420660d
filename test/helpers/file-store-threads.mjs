// Worker threads of one process writing to one file key store (the built dist/node/file-store/index.js).
// Each thread has its own copy of the module, so only the lock file orders them, and all of
// their locks carry this process's pid.
//
//   node file-store-threads.mjs stress <dir> <threads> <rounds>
//     every thread, `rounds` times: a transaction adding a key material to the shared key
//     `mrk-…5a`, then a putKey of a key of its own. Prints one JSON line:
//     { "failures": [messages], "materials": n, "keys": n }.
//   node file-store-threads.mjs blocked <dir>
//     the main thread holds a transaction while a worker thread tries a putKey with a 300 ms
//     lock timeout; prints the worker's outcome (`ok`, or `error <message>`) as JSON.
import { randomBytes } from 'node:crypto';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { setImmediate as yieldTurn } from 'node:timers/promises';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const SHARED = 'mrk-0000000000000000000000000000005a';
const storeModule = new URL('../../dist/node/file-store/index.js', import.meta.url).href;

function key(keyId) {
  return {
    keyId,
    account: ACCOUNT,
    region: REGION,
    arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`,
    creationDate: new Date(0),
    description: '',
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    origin: 'AWS_KMS',
    keyState: 'Enabled',
    multiRegion: false,
    keyMaterials: [],
  };
}

const ownKeyId = (thread, i) => `mrk-${thread.toString(16).padStart(8, '0')}${i.toString(16).padStart(24, '0')}`;

function runWorker(data) {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), { workerData: data });
    let result;
    w.on('message', (m) => (result = m));
    w.on('error', reject);
    w.on('exit', () => resolve(result));
  });
}

async function worker() {
  const port = parentPort;
  if (!port) throw new Error('the worker part of file-store-threads.mjs runs in a worker thread');
  const { FileKeyStore } = await import(storeModule);
  const { mode, dir, thread, rounds } = workerData;
  if (mode === 'stress') {
    const store = await FileKeyStore.open(dir, { lockTimeoutMs: 60_000 });
    const failures = [];
    for (let i = 0; i < rounds; i++) {
      try {
        await store.transaction(async () => {
          const k = await store.getKey(ACCOUNT, REGION, SHARED);
          await yieldTurn();
          const m = { id: randomBytes(32).toString('hex'), material: new Uint8Array(randomBytes(32)) };
          k.keyMaterials.push(m);
          k.currentKeyMaterialId = m.id;
          await store.putKey(k);
        });
        await store.putKey(key(ownKeyId(thread, i)));
      } catch (err) {
        failures.push(err instanceof Error ? err.message : String(err));
      }
    }
    await store.close();
    port.postMessage(failures);
  } else {
    const store = await FileKeyStore.open(dir, { lockTimeoutMs: 300 });
    try {
      await store.putKey({ ...key(SHARED), description: 'from the worker' });
      port.postMessage('ok');
    } catch (err) {
      port.postMessage(`error ${err instanceof Error ? err.message : String(err)}`);
    }
    await store.close();
  }
}

async function main() {
  const [mode, dir, threadsText, roundsText] = process.argv.slice(2);
  const { FileKeyStore } = await import(storeModule);
  const store = await FileKeyStore.open(dir);
  await store.putKey(key(SHARED));
  if (mode === 'stress') {
    const threads = Number(threadsText);
    const rounds = Number(roundsText);
    const results = await Promise.all(
      Array.from({ length: threads }, (_, thread) =>
        runWorker({ mode, dir, thread, rounds }).catch((e) => [`thread died: ${e.message}`]),
      ),
    );
    const shared = await store.getKey(ACCOUNT, REGION, SHARED);
    const keys = await store.listKeys(ACCOUNT, REGION);
    process.stdout.write(
      JSON.stringify({ failures: results.flat(), materials: shared.keyMaterials.length, keys: keys.length }) + '\n',
    );
  } else {
    const outcome = await store.transaction(async () => {
      const result = await runWorker({ mode, dir });
      // Still ours, unchanged, whatever the worker did.
      const k = await store.getKey(ACCOUNT, REGION, SHARED);
      return { result, description: k.description };
    });
    process.stdout.write(JSON.stringify(outcome) + '\n');
  }
  await store.close();
}

if (isMainThread) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
} else {
  worker().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
