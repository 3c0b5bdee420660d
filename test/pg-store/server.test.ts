// The PostgreSQL test server (test/helpers/postgres.ts): it starts, answers a query through
// node-postgres, restarts, and is gone once stopped; a port taken before it binds is not fatal.
import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import pg from 'pg';
import { startPostgres } from '../helpers/postgres.js';

async function selectOne(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const r = await client.query<{ one: number }>('select 1 as one');
    return r.rows[0].one;
  } finally {
    await client.end();
  }
}

describe('test PostgreSQL server', () => {
  it('starts, answers select 1, restarts, stops and removes its directory', async () => {
    const pgs = await startPostgres();
    try {
      expect(pgs.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
      expect(await selectOne(pgs.url)).toBe(1);
      await pgs.restart();
      expect(await selectOne(pgs.url)).toBe(1);
      expect((await pgs.runTool('psql', ['-At', '-c', 'select 40 + 2', 'postgres'])).trim()).toBe('42');
    } finally {
      await pgs.stop();
    }
    expect(existsSync(pgs.dataDir)).toBe(false);
    await expect(selectOne(pgs.url)).rejects.toThrow();
  });

  it('a port taken by another program before the server binds it: started on another port', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', () => resolve()));
    const taken = (squatter.address() as { port: number }).port;
    try {
      const pgs = await startPostgres({ port: taken });
      try {
        expect(pgs.port).not.toBe(taken);
        expect(await selectOne(pgs.url)).toBe(1);
      } finally {
        await pgs.stop();
      }
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
