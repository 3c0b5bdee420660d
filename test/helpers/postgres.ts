// A throwaway PostgreSQL server for the PostgreSQL key store tests: a fresh cluster (initdb) in a
// temporary directory, trust authentication on 127.0.0.1 at a free port, started and stopped
// with pg_ctl. PostgreSQL refuses to run as root, so under root the directory belongs to
// `nobody` and the server programs run as that user (runuser). A missing PostgreSQL installation
// is an error, not a skip: .ci/run installs Debian's `postgresql` package. A port found free may
// be taken before the server binds it: the start is then retried on another port. Also a TCP
// proxy to such a server whose connections of one application_name can be stalled (no byte
// forwarded either way, nothing closed), as a hung network path would.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
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

export interface StartOptions {
  /** The port to try first (default: one found free); another is taken when it cannot be bound. */
  port?: number;
}

/** Starts a new PostgreSQL cluster; call stop() when done (afterAll). */
export async function startPostgres(startOptions: StartOptions = {}): Promise<RunningPostgres> {
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
  let port = startOptions.port ?? (await freePort());
  const options = (): string =>
    `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const pgCtl = async (action: 'start' | 'stop'): Promise<void> => {
    try {
      if (action === 'start') await asServer('pg_ctl', ['-D', pgdata, '-l', log, '-o', options(), '-w', 'start']);
      else await asServer('pg_ctl', ['-D', pgdata, '-m', 'fast', '-w', 'stop']);
    } catch (err) {
      const tail = await readFile(log, 'utf8').catch(() => '');
      throw new Error(`${(err as Error).message}\n${tail.slice(-2000)}`);
    }
  };
  // Another program may bind the port between freePort() and the server's start: another port then.
  for (let attempt = 1; ; attempt++) {
    try {
      await pgCtl('start');
      break;
    } catch (err) {
      const message = (err as Error).message;
      if (
        attempt >= 5 ||
        !/could not bind|could not create any TCP\/IP sockets|Address already in use/i.test(message)
      ) {
        // Nothing runs there: the cluster's directory goes.
        await rm(dataDir, { recursive: true, force: true });
        throw err;
      }
      port = await freePort();
    }
  }
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

export interface PgProxy {
  port: number;
  /** `url` (a URL of the proxied server) through the proxy. */
  via(url: string): string;
  /**
   * Stalls every connection, open or opened later, whose startup message names
   * `applicationName`: what either side sends is held back (nothing is closed) until resume().
   */
  pause(applicationName: string): void;
  /** Forwards again, held-back bytes first. */
  resume(): void;
  /** How many connections naming `applicationName` have closed so far. */
  closed(applicationName: string): number;
  /** Closes the proxy and every connection through it. */
  close(): Promise<void>;
}

/** The application_name of a startup message (the first message a PostgreSQL client sends). */
function applicationNameOf(startup: Buffer): string | undefined {
  // int32 length, int32 protocol version, then name\0value\0 pairs ending with a \0.
  const parts = startup.subarray(8).toString('utf8').split('\0');
  for (let i = 0; i + 1 < parts.length; i += 2) if (parts[i] === 'application_name') return parts[i + 1];
  return undefined;
}

/** A TCP proxy on 127.0.0.1 to the PostgreSQL server listening at `targetPort`; close() it when done. */
export async function startPgProxy(targetPort: number): Promise<PgProxy> {
  let paused: string | undefined;
  const closedBy = new Map<string, number>();
  const links = new Set<{ name: string | undefined; flush: () => void; client: Socket; server: Socket }>();
  const srv = createServer((client) => {
    const server = connect(targetPort, '127.0.0.1');
    const link = {
      name: undefined as string | undefined,
      startup: Buffer.alloc(0),
      held: [] as { to: Socket; data: Buffer }[],
      flush(): void {
        if (link.stalled()) return;
        for (const { to, data } of link.held.splice(0)) to.write(data);
      },
      stalled: (): boolean => paused !== undefined && link.name === paused,
      client,
      server,
    };
    links.add(link);
    const send = (to: Socket, data: Buffer): void => {
      if (link.stalled() || link.held.length > 0) {
        link.held.push({ to, data });
        link.flush();
      } else to.write(data);
    };
    client.on('data', (data: Buffer) => {
      if (link.name === undefined && link.startup !== undefined) {
        // Held until the whole startup message is here: it says which application connects.
        link.startup = Buffer.concat([link.startup, data]);
        if (link.startup.length < 4 || link.startup.length < link.startup.readInt32BE(0)) return;
        link.name = applicationNameOf(link.startup) ?? '';
        data = link.startup;
      }
      send(server, data);
    });
    server.on('data', (data: Buffer) => send(client, data));
    const end = (): void => {
      if (!links.delete(link)) return;
      if (link.name !== undefined) closedBy.set(link.name, (closedBy.get(link.name) ?? 0) + 1);
      client.destroy();
      server.destroy();
    };
    for (const s of [client, server]) {
      s.on('close', end);
      s.on('error', end);
    }
  });
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = srv.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return {
    port,
    via(url: string) {
      const u = new URL(url);
      u.port = String(port);
      return u.toString();
    },
    pause(applicationName: string) {
      paused = applicationName;
    },
    resume() {
      paused = undefined;
      for (const link of links) link.flush();
    },
    closed(applicationName: string) {
      return closedBy.get(applicationName) ?? 0;
    },
    async close() {
      for (const link of [...links]) {
        link.client.destroy();
        link.server.destroy();
      }
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    },
  };
}

/** Runs one statement on a connection of its own to `url` and returns its rows. */
export async function sql<R extends pg.QueryResultRow>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}
