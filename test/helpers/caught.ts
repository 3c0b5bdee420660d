// What a promise rejects with; the test fails if it resolves instead.
import { expect } from 'vitest';

export async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  expect.fail('expected a rejection, but the promise resolved');
}

/** The rejection of `p`, which must be an Error. */
export async function rejectionOf(p: Promise<unknown>): Promise<Error> {
  const err = await caught(p);
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

/** What `fn` throws, or undefined if it returns. */
export function caughtSync(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}
