// A throwaway PostgreSQL server for the PostgreSQL key store tests: a fresh cluster (initdb) in a
// temporary directory, trust authentication on 127.0.0.1 at a free port, started and stopped
// with pg_ctl. PostgreSQL refuses to run as root, so under root the directory belongs to
// `nobody` and the server programs run as that user (runuser). A missing PostgreSQL installation
// is an error, not a skip: .ci/run installs Debian's `postgresql` package.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** The user the server runs as when the tests run as root. */
const SERVER_USER = 'nobody';

export interface RunningPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  /** The cluster's data directory (also where the server's Unix socket lives). */
  dataDir: string;
  /** Stops the server (fast shutdown) and removes its directory. */
  stop(): Promise<void>;
  /** Stops and starts the server again: every connection is cut. */
  restart(): Promise<void>;
  /** `pg_ctl start` / `pg_ctl stop -m fast` on this cluster, for tests that keep it down for a while. */
  pgCtl(action: 'start' | 'stop'): Promise<void>;
  /** Creates a new, empty database on this server; its URL. */
  createDatabase(): Promise<string>;
  /** Runs a program of the PostgreSQL installation (psql, pg_dump...) against this server; its stdout. */
  runTool(name: string, args: string[]): Promise<string>;
}

/**
 * The directory of PostgreSQL's programs: where initdb found on PATH really lives (Debian puts
 * only wrappers or links on PATH), else /usr/lib/postgresql/<newest>/bin.
 */
export function postgresBinDir(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '' || !existsSync(join(dir, 'initdb'))) continue;
    const real = dirname(realpathSync(join(dir, 'initdb')));
    if (existsSync(join(real, 'pg_ctl')) && existsSync(join(real, 'postgres'))) return real;
  }
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      'PostgreSQL is not installed (no initdb on PATH nor in /usr/lib/postgresql/*/bin): install the Debian package `postgresql`',
    );
  }
  return join(base, versions[0], 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** Starts a new PostgreSQL cluster; call stop() when done (afterAll). */
export async function startPostgres(): Promise<RunningPostgres> {
  const bin = postgresBinDir();
  const dataDir = await mkdtemp(join(tmpdir(), 'wasm-kms-pg-'));
  const asServer = async (program: string, args: string[]): Promise<string> => {
    const file = join(bin, program);
    const cmd = isRoot() ? 'runuser' : file;
    const argv = isRoot() ? ['-u', SERVER_USER, '--', file, ...args] : args;
    try {
      const { stdout } = await run(cmd, argv, { cwd: dataDir, maxBuffer: 64 * 1024 * 1024 });
      return stdout;
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`${program} ${args.join(' ')} failed: ${e.stderr || e.message}`);
    }
  };
  if (isRoot()) {
    const { stdout } = await run('id', ['-u', SERVER_USER]);
    const { stdout: gid } = await run('id', ['-g', SERVER_USER]);
    await chown(dataDir, Number(stdout.trim()), Number(gid.trim()));
  }
  const pgdata = join(dataDir, 'data');
  const log = join(dataDir, 'server.log');
  await asServer('initdb', ['-D', pgdata, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-locale']);
  const port = await freePort();
  const options = `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const pgCtl = async (action: 'start' | 'stop'): Promise<void> => {
    try {
      if (action === 'start') await asServer('pg_ctl', ['-D', pgdata, '-l', log, '-o', options, '-w', 'start']);
      else await asServer('pg_ctl', ['-D', pgdata, '-m', 'fast', '-w', 'stop']);
    } catch (err) {
      const tail = await readFile(log, 'utf8').catch(() => '');
      throw new Error(`${(err as Error).message}\n${tail.slice(-2000)}`);
    }
  };
  await pgCtl('start');
  let stopped = false;
  let databases = 0;
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    dataDir,
    pgCtl,
    async restart() {
      await pgCtl('stop');
      await pgCtl('start');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await pgCtl('stop').catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    },
    async createDatabase() {
      const name = `wasm_kms_test_${++databases}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async runTool(name: string, args: string[]) {
      const { stdout } = await run(
        join(bin, name),
        ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', ...args],
        {
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      return stdout;
    },
  };
}
