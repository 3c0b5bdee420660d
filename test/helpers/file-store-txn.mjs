// A process for the file key store's transaction tests, on the built dist/node/file-store/index.js
// (sealed when WASM_KMS_MASTER_KEY is set):
//
//   node file-store-txn.mjs append <dir> <region> <keyId> <count>
//     `count` times, in a transaction: read the key, add a fresh key material, write it back
//     (yielding in between, so that an unprotected read-change-write would interleave). Prints
//     `done` at the end.
//   node file-store-txn.mjs put <dir> <region> <keyId> <description> <lockTimeoutMs>
//     prints `trying`, then sets the key's description with a plain putKey (no transaction) and
//     prints `ok`, or `error <message>` if the write failed.
import { randomBytes } from 'node:crypto';
import { setImmediate as yieldTurn } from 'node:timers/promises';

const ACCOUNT = '111122223333';

async function main() {
  const [mode, dir, region, keyId, ...rest] = process.argv.slice(2);
  const { FileKeyStore, masterKeyFromEnv } = await import(
    new URL('../../dist/node/file-store/index.js', import.meta.url).href
  );
  const masterKey = masterKeyFromEnv();
  if (mode === 'append') {
    const store = await FileKeyStore.open(dir, { masterKey, lockTimeoutMs: 60_000 });
    const count = Number(rest[0]);
    for (let i = 0; i < count; i++) {
      await store.transaction(async () => {
        const key = await store.getKey(ACCOUNT, region, keyId);
        if (key === undefined) throw new Error(`no key ${keyId}`);
        await yieldTurn();
        const m = { id: randomBytes(32).toString('hex'), material: new Uint8Array(randomBytes(32)) };
        key.keyMaterials.push(m);
        key.currentKeyMaterialId = m.id;
        await store.putKey(key);
      });
    }
    await store.close();
    process.stdout.write('done\n');
  } else if (mode === 'put') {
    const [description, timeout] = rest;
    const store = await FileKeyStore.open(dir, { masterKey, lockTimeoutMs: Number(timeout) });
    const key = await store.getKey(ACCOUNT, region, keyId);
    process.stdout.write('trying\n');
    try {
      await store.putKey({ ...key, description });
      process.stdout.write('ok\n');
    } catch (err) {
      process.stdout.write(`error ${err instanceof Error ? err.message : String(err)}\n`);
    }
    await store.close();
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
