// serve: the KMS endpoint (server.ts) on the file key store, with key pairs from a worker pool.
// It prints one line on stdout once it listens — "wasm-kms listening on http://HOST:PORT" — with
// the real port when --port 0 asked for any free one, and one line per request on stderr unless
// --quiet. SIGTERM or SIGINT: stop accepting, let in-flight requests finish, close the pool and
// the store, exit 0. A second signal during that exits at once (1). Listening on an address other
// than loopback with --auth none prints a warning on stderr: anyone who reaches it can use every
// key without credentials.

import type { Command } from 'commander';
import { KeyPairWorkerPool, parsePoolSpec } from './pool.js';
import { loadCredentialsFile, startServer, type RunningServer, type ServerCredentials } from './server.js';
import { CliFailure, UsageError } from './cli-params.js';
import { oneLine, openStore, type CliIO, type GlobalOptions } from './cli-context.js';

/** Whether a bound address is reachable only from this machine (127.0.0.0/8, ::1). */
function isLoopback(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return /^127\.\d+\.\d+\.\d+$/.test(v4) || address === '::1';
}

function wholeNumber(value: unknown, option: string, min: number, max: number): number {
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`argument ${option}: expected a whole number from ${min} to ${max}, got '${String(value)}'`);
  }
  return Number(text);
}

export function addServeCommand(program: Command, io: CliIO, globals: () => GlobalOptions): void {
  program
    .command('serve')
    .description('Serve the KMS API (AWS JSON 1.1, POST / with X-Amz-Target: TrentService.<Operation>) on the file key store.')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on; 0 for any free port (the line printed says which)', '4599')
    .option('--auth <mode>', "none (default: signatures not checked) or sigv4 (every request signed by one of --credentials)", 'none')
    .option('--credentials <file>', 'for --auth sigv4: JSON [{accessKeyId, secretAccessKey, accountId?}] or an AWS credentials INI file')
    .option('--pool <spec>', 'key pairs to keep ready per spec, e.g. RSA_2048=32,ECC_NIST_P256=8 (memory only)')
    .option('--threads <n>', 'worker threads for key pairs (default: the number of CPUs + 1, one kept for non-RSA requests)')
    .option('--body-limit <bytes>', 'largest request body (default 1 MiB)')
    .option('--quiet', 'no per-request lines on stderr')
    .action(async (opts: Record<string, unknown>) => {
      const g = globals();
      const port = wholeNumber(opts.port, '--port', 0, 65535);
      const auth = opts.auth;
      if (auth !== 'none' && auth !== 'sigv4') throw new UsageError(`argument --auth: Invalid choice: '${String(auth)}', valid choices are: none, sigv4`);
      if (auth === 'sigv4' && opts.credentials === undefined) throw new UsageError('--auth sigv4 needs --credentials FILE');
      if (auth === 'none' && opts.credentials !== undefined) throw new UsageError('--credentials is only used with --auth sigv4');
      const threads = opts.threads === undefined ? undefined : wholeNumber(opts.threads, '--threads', 1, 1024);
      const bodyLimit = opts.bodyLimit === undefined ? undefined : wholeNumber(opts.bodyLimit, '--body-limit', 1, 2 ** 31 - 1);
      let prefill: ReturnType<typeof parsePoolSpec> | undefined;
      if (opts.pool !== undefined) {
        try {
          prefill = parsePoolSpec(String(opts.pool));
        } catch (e) {
          throw new UsageError(`argument --pool: ${oneLine(e)}`);
        }
      }
      let credentials: ServerCredentials[] | undefined;
      if (auth === 'sigv4') {
        try {
          credentials = loadCredentialsFile(String(opts.credentials));
        } catch (e) {
          throw new CliFailure(oneLine(e));
        }
      }
      await serve(io, g, { host: String(opts.host), port, auth, credentials, threads, bodyLimit, prefill, quiet: opts.quiet === true });
    });
}

interface ServeOptions {
  host: string;
  port: number;
  auth: 'none' | 'sigv4';
  credentials?: ServerCredentials[];
  threads?: number;
  bodyLimit?: number;
  prefill?: ReturnType<typeof parsePoolSpec>;
  quiet: boolean;
}

async function serve(io: CliIO, g: GlobalOptions, o: ServeOptions): Promise<void> {
  const store = await openStore(g, io.env);
  let pool: KeyPairWorkerPool | undefined;
  let server: RunningServer | undefined;
  try {
    pool = new KeyPairWorkerPool({ threads: o.threads, prefill: o.prefill });
    const p = pool;
    try {
      server = await startServer({
        host: o.host,
        port: o.port,
        store,
        region: g.region,
        accountId: g.accountId,
        generateKeyPair: (spec) => p.generate(spec),
        auth: o.auth,
        credentials: o.credentials,
        bodyLimit: o.bodyLimit,
        log: o.quiet ? undefined : (line) => io.stderr(`${line}\n`),
      });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new CliFailure(`cannot listen on ${o.host}:${o.port}: ${code === 'EADDRINUSE' ? 'address in use' : oneLine(e)}`);
    }
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      const stop = (s: NodeJS.Signals) => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        // A second signal while shutting down: the user wants out now.
        const force = () => process.exit(1);
        process.once('SIGINT', force);
        process.once('SIGTERM', force);
        resolve(s);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      if (o.auth === 'none' && !isLoopback(server!.host)) {
        io.stderr(
          `wasm-kms: warning: listening on ${o.host} (${server!.host}) with --auth none: anyone who can reach this address can decrypt, encrypt and generate data keys and key pairs with every key in the store, without credentials. Use --auth sigv4 --credentials FILE to require signed requests, or --host 127.0.0.1.\n`,
        );
      }
      io.stdout(`wasm-kms listening on ${server!.url}\n`);
    });
    if (!o.quiet) io.stderr(`wasm-kms: ${signal}: closing (in-flight requests finish)\n`);
    await server.close();
    server = undefined;
  } finally {
    await server?.close();
    await pool?.close();
    await store.close();
  }
}
