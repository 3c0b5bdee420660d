// Worker pools made by a test file, closed after each test.
import { afterEach } from 'vitest';
import { KeyPairWorkerPool } from '../../dist/node/pool/pool.js';

const pools: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

/** Closes `pool` when the current test ends (any pool: one loaded from another copy of the module too). */
export function closeAfterTest<T extends { close(): Promise<void> }>(pool: T): T {
  pools.push(pool);
  return pool;
}

/** A pool that is closed when the current test ends. */
export function newPool(options?: ConstructorParameters<typeof KeyPairWorkerPool>[0]): KeyPairWorkerPool {
  return closeAfterTest(new KeyPairWorkerPool(options));
}
