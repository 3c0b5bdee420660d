// generate-data-key-pairs: many GenerateDataKeyPair calls under one KMS key, the key pairs made
// on worker threads (KeyPairWorkerPool), the outputs written as NDJSON: one JSON object per line
// with the operation's output members, blobs as base64.
//
// The file holds private keys (unless --without-plaintext), so it is created 0600, and it is
// written under a temporary name in the same directory and renamed over --out only when every
// pair is in it and synced: a failed or interrupted run leaves no partial file (and an existing
// --out untouched). A dry run of the operation first checks the key, the spec and the context,
// so a wrong key id fails before any thread starts; --out itself is checked before that (not a
// directory, its directory writable), so a run never does all its work only to fail at the end.
// A run killed outright (SIGKILL, a crash, power loss) cannot remove its temporary file, which
// may hold private keys: every run first removes the temporary files of its --out whose process
// is gone, and says so on stderr. A second SIGINT/SIGTERM while a run stops exits at once, after
// removing the temporary file.
//
// Progress: a cli-progress bar on stderr when stderr is a terminal (bar.ts: a line that fits
// the terminal's width, a smoothed ETA); nothing when it is not (logs stay clean). Either way the
// run ends with one summary line on stderr: "N pairs in X s (Y pairs/s)". Nothing else is
// written to stderr while the bar is drawn: on SIGINT/SIGTERM the bar is stopped first (its last
// line stays, the cursor is shown, line wrap on, the line ended) and only then is the notice
// written, on a line of its own.

import { randomBytes } from 'node:crypto';
import { constants, unlinkSync } from 'node:fs';
import { access, lstat, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { KMSClient, type KMSCommand } from '../../kms/client.js';
import { DryRunOperationException } from '../../kms/exceptions.js';
import { COMMANDS, OPERATIONS, type OperationName } from '../../kms/registry.js';
import { callOperation, ExitError, oneLine, openStore, type CliIO, type GlobalOptions } from './context.js';
import { inModelOrder, toPlain } from './output.js';
import { CliFailure, parseParam, UsageError } from './params.js';
import { KeyPairWorkerPool } from '../pool/pool.js';
import { startProgressBar } from './bar.js';

/** More than this many in one run is almost certainly a typo. */
const MAX_COUNT = 100_000_000;

function wholeNumber(value: unknown, option: string, min: number, max: number): number {
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`argument ${option}: expected a whole number from ${min} to ${max}, got '${String(value)}'`);
  }
  return Number(text);
}

export function addBulkCommand(program: Command, io: CliIO, globals: () => GlobalOptions): void {
  program
    .command('generate-data-key-pairs')
    .description(
      'Many data key pairs under one KMS key, made on worker threads, written to a file as NDJSON (one GenerateDataKeyPair output per line).',
    )
    .option('--key-id <value>', 'the KMS key: key id, key ARN, alias name or alias ARN (required)')
    .option('--key-pair-spec <value>', 'the type of data key pair (required)')
    .option('--count <n>', 'how many pairs (required)')
    .option('--out <file>', 'the NDJSON file to write (mode 0600; replaced only when the run succeeds) (required)')
    .option('--threads <n>', 'worker threads (default: the number of CPUs + 1, one kept for non-RSA requests)')
    .option('--encryption-context <value>', 'key=value,... or JSON {"key":"value"}, for every pair')
    .option('--grant-tokens <value...>', 'grant tokens')
    .option('--without-plaintext', 'call GenerateDataKeyPairWithoutPlaintext: no plaintext private keys in the file')
    .action(async (opts: Record<string, unknown>) => {
      const missing = (['key-id', 'key-pair-spec', 'count', 'out'] as const).filter(
        (name) => opts[name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] === undefined,
      );
      if (missing.length > 0)
        throw new UsageError(`the following arguments are required: ${missing.map((m) => `--${m}`).join(', ')}`);
      const count = wholeNumber(opts.count, '--count', 1, MAX_COUNT);
      const threads = opts.threads === undefined ? undefined : wholeNumber(opts.threads, '--threads', 1, 1024);
      const g = globals();
      const operation: OperationName =
        opts.withoutPlaintext === true ? 'GenerateDataKeyPairWithoutPlaintext' : 'GenerateDataKeyPair';
      const members = OPERATIONS[operation];
      const input: Record<string, unknown> = { KeyId: opts.keyId, KeyPairSpec: opts.keyPairSpec };
      if (opts.encryptionContext !== undefined) {
        input.EncryptionContext = parseParam(members.EncryptionContext.shape, opts.encryptionContext as string, {
          option: '--encryption-context',
          binaryFormat: g.cliBinaryFormat,
        });
      }
      if (opts.grantTokens !== undefined) {
        input.GrantTokens = parseParam(members.GrantTokens.shape, opts.grantTokens as string[], {
          option: '--grant-tokens',
          binaryFormat: g.cliBinaryFormat,
        });
      }
      await generatePairs({ io, globals: g, operation, input, count, threads, out: String(opts.out) });
    });
}

interface BulkRun {
  io: CliIO;
  globals: GlobalOptions;
  operation: OperationName;
  input: Record<string, unknown>;
  count: number;
  threads?: number;
  out: string;
}

/** The temporary file of a run: `.<name>.<pid>.<12 hex digits>.tmp` beside --out. */
function tempName(out: string): string {
  return join(dirname(out), `.${basename(out)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Fails at once (255) when --out could not be written at the end of the run. */
async function checkOut(out: string): Promise<void> {
  const fail = (why: string) => new CliFailure(`cannot write ${out}: ${why}`);
  const code = (e: unknown) => (e as NodeJS.ErrnoException).code ?? String(e);
  const existing = await stat(out).catch((e: unknown) => {
    // ENOTDIR: its directory is not one, which the check below reports.
    if (code(e) === 'ENOENT' || code(e) === 'ENOTDIR') return undefined;
    throw fail(code(e));
  });
  if (existing?.isDirectory()) throw fail('it is a directory (--out names the file to write)');
  // The finished file replaces --out by a rename, which must not take the place of a device or a pipe.
  if (existing && !existing.isFile()) throw fail('it is not a regular file');
  const dir = dirname(out);
  const parent = await stat(dir).catch((e: unknown) => {
    throw fail(`its directory ${dir}: ${code(e) === 'ENOENT' ? 'no such directory' : code(e)}`);
  });
  if (!parent.isDirectory()) throw fail(`${dir} is not a directory`);
  await access(dir, constants.W_OK | constants.X_OK).catch((e: unknown) => {
    throw fail(`its directory ${dir} is not writable (${code(e)})`);
  });
}

/** Whether a process with this id exists (EPERM: it does, someone else's). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes the temporary files of --out left by runs whose process no longer exists (killed
 * outright, so they could not clean up); they may hold plaintext private keys. Files of live
 * processes (a run going on now) and of other names are left alone.
 */
async function sweepLeftovers(io: CliIO, out: string): Promise<void> {
  const dir = dirname(out);
  const prefix = `.${basename(out)}.`;
  const entries = await readdir(dir).catch(() => [] as string[]);
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    const m = /^(\d{1,10})\.[0-9a-f]{12}\.tmp$/.exec(entry.slice(prefix.length));
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processExists(pid)) continue;
    const path = join(dir, entry);
    try {
      if (!(await lstat(path)).isFile()) continue;
      await unlink(path);
      io.stderr(`wasm-kms: removed ${path}, left by an earlier run (process ${pid}) that did not finish\n`);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Another run may have removed it first.
      if (code !== 'ENOENT')
        io.stderr(
          `wasm-kms: warning: cannot remove ${path}, left by an earlier run (process ${pid}): ${code ?? oneLine(e)}\n`,
        );
    }
  }
}

async function generatePairs(run: BulkRun): Promise<void> {
  const { io, globals: g, operation, input, count } = run;
  const Command = COMMANDS[operation] as new (input: Record<string, unknown>) => KMSCommand<object, object>;
  await checkOut(run.out);
  await sweepLeftovers(io, run.out);
  const store = await openStore(g, io.env);
  let pool: KeyPairWorkerPool | undefined;
  let interrupted: NodeJS.Signals | undefined;
  /** Set while the temporary file may exist, so that a forced exit can remove it. */
  let tmp: string | undefined;
  /** The progress bar, while it is drawn. */
  let bar: ReturnType<typeof startProgressBar> | undefined;
  /**
   * Stops the bar, if drawn: its last line stays, the cursor is shown, line wrap is back on and
   * the cursor is at the start of the next line. Also run if the process exits with the bar drawn.
   */
  const stopBar = () => {
    process.off('exit', stopBar);
    bar?.stop();
    bar = undefined;
  };
  // On a terminal the notices start with a carriage return: they then write over the "^C" the
  // terminal echoes when Ctrl-C is typed, instead of following it.
  const lineStart = io.stderrIsTTY ? '\r' : '';
  const onSignal = (signal: NodeJS.Signals) => {
    // Nothing is written while the bar is drawn: stop it first (its last state stays on its
    // line) and give the terminal back, so that the notice below starts a line of its own and
    // nothing the bar writes later moves the cursor back over it.
    stopBar();
    if (interrupted !== undefined) {
      // A second signal while the pairs under way finish: the user wants out now.
      if (tmp !== undefined) {
        try {
          unlinkSync(tmp);
        } catch {
          // not created yet, or already gone
        }
      }
      io.stderr(`${lineStart}wasm-kms: interrupted again (${signal}); stopped at once, ${run.out} not written\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    interrupted = signal;
    io.stderr(
      `${lineStart}wasm-kms: ${signal}: stopping once the pairs under way are done (send it again to stop at once)\n`,
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // Every check the real calls would make, before any thread or file exists.
    const probe = new KMSClient({ region: g.region, accountId: g.accountId, store });
    await callOperation(operation, async () => {
      try {
        await probe.send(new Command({ ...input, DryRun: true }));
      } catch (e) {
        if (!(e instanceof DryRunOperationException)) throw e;
      }
    });

    pool = new KeyPairWorkerPool({ threads: run.threads });
    const p = pool;
    const client = new KMSClient({
      region: g.region,
      accountId: g.accountId,
      store,
      generateKeyPair: (spec) => p.generate(spec),
    });
    const tmpPath = tempName(run.out);
    tmp = tmpPath;
    const fh = await open(tmpPath, 'wx', 0o600).catch((e: NodeJS.ErrnoException) => {
      throw new CliFailure(`cannot create ${run.out}: ${e.code ?? e.message}`);
    });
    let renamed = false;
    try {
      // umask can only take bits away from 0600; this makes sure nothing else is set either.
      await fh.chmod(0o600);
      if (io.stderrIsTTY) {
        bar = startProgressBar(count, { stream: process.stderr });
        process.once('exit', stopBar);
      }
      const started = performance.now();
      // Lines are batched and written one batch at a time, in the order the pairs finish.
      let pending: string[] = [];
      let pendingBytes = 0;
      let writing: Promise<unknown> = Promise.resolve();
      const flush = async () => {
        const chunk = pending.join('');
        pending = [];
        pendingBytes = 0;
        writing = writing.then(() => fh.write(chunk));
        await writing;
      };
      let issued = 0;
      let done = 0;
      let failure: unknown;
      const lane = async () => {
        while (failure === undefined && interrupted === undefined && issued < count) {
          issued++;
          const output = (await callOperation(operation, () => client.send(new Command(input)))) as {
            PrivateKeyPlaintext?: Uint8Array;
          };
          const line = `${JSON.stringify(inModelOrder(operation, toPlain(output)))}\n`;
          output.PrivateKeyPlaintext?.fill(0);
          pending.push(line);
          pendingBytes += line.length;
          if (pendingBytes >= 1 << 20) await flush();
          done++;
          bar?.update(done);
        }
      };
      // Enough calls in flight to keep every thread busy while the main thread wraps and writes.
      const lanes = Math.min(count, Math.max(2, pool.stats().threads * 2));
      await Promise.all(
        Array.from({ length: lanes }, () =>
          lane().catch((e: unknown) => {
            failure ??= e;
          }),
        ),
      );
      if (failure !== undefined) throw failure;
      if (interrupted !== undefined)
        throw new ExitError(
          `interrupted (${interrupted}); ${run.out} not written`,
          interrupted === 'SIGINT' ? 130 : 143,
        );
      await flush();
      await fh.sync();
      await fh.close();
      await rename(tmpPath, run.out).catch((e: NodeJS.ErrnoException) => {
        throw new CliFailure(`cannot write ${run.out}: ${e.code ?? e.message}`);
      });
      renamed = true;
      tmp = undefined;
      await syncDirectory(dirname(run.out));
      const seconds = (performance.now() - started) / 1000;
      // The finished bar's line stays (100%); the summary follows on the next line.
      stopBar();
      io.stderr(`${count} pairs in ${seconds.toFixed(2)} s (${(count / seconds).toFixed(1)} pairs/s)\n`);
    } finally {
      if (!renamed) {
        await fh.close().catch(() => undefined);
        await unlink(tmpPath).catch(() => undefined);
        tmp = undefined;
      }
    }
  } finally {
    // A failure's message follows the line as it was when the run stopped.
    stopBar();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await pool?.close();
    await store.close();
  }
}

/** Makes the rename durable; a directory that cannot be opened for it (some platforms) is skipped. */
async function syncDirectory(dir: string): Promise<void> {
  const d = await open(dir, 'r').catch(() => undefined);
  if (d === undefined) return;
  try {
    await d.sync();
  } catch {
    // not supported for directories here
  } finally {
    await d.close();
  }
}
