#!/usr/bin/env node
// The wasm-kms command line: the AWS CLI's `aws kms` commands and options, run by the engine in
// this process against the file key store (--store, default $WASM_KMS_STORE, $WASM_KMS_HOME or ~/.wasm-kms), plus
// generate-key-pair (a bare key pair, no KMS key), generate-data-key-pairs (many pairs on worker
// threads, to a file) and serve (the HTTP endpoint). Output is the AWS CLI v2's (output.ts).
// Exit codes are the AWS CLI v2's: 0 success, 252 usage errors (with a usage line; the AWS CLI's
// parameter errors, such as an unreadable fileb:// file or a bad --query, after a blank line), 254 a service
// error ("An error occurred (NotFoundException) when calling the DescribeKey operation: ..."),
// 255 any other failure (one line). docs/cli.md describes every command.

import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { generateKeyPair, KEY_PAIR_SPECS, type KeyPairSpec } from '../../core/index.js';
import { ParamError, ParamValidationError, UsageError, type BinaryFormat } from './params.js';
import { ExitError, oneLine, ServiceError, type CliIO, type GlobalOptions } from './context.js';
import { addOperationCommands } from './operations.js';
import { addBulkCommand } from './bulk.js';
import { addServeCommand } from './serve.js';
import { loadAttestationRoots } from './attestation-roots.js';
import { defaultStoreDir } from '../file-store/index.js';
import { applyQuery, parseQuery, render, renderQueryResult, type OutputFormat } from './output.js';
import { packageVersion } from '../version.js';

const USAGE = `usage: wasm-kms [options] <command> [parameters]
To see help text, you can run:

  wasm-kms --help
  wasm-kms <command> --help
`;

const HELP_AFTER = `
Blobs (--ciphertext-blob, --plaintext, ...): fileb://PATH reads raw bytes; other text is
base64, as in the AWS CLI v2 (--cli-binary-format raw-in-base64-out takes text as it is).
file://PATH reads any parameter's value from a file. Output blobs are base64.

--recipient KeyEncryptionAlgorithm=RSAES_OAEP_SHA_256,AttestationDocument=fileb://doc.bin
returns the secret only as CiphertextForRecipient, for a Nitro enclave whose attestation
document chains to AWS's root, or to the --attestation-root FILE certificates (repeatable).

Environment: WASM_KMS_STORE or WASM_KMS_HOME (store directory), WASM_KMS_MASTER_KEY or
WASM_KMS_MASTER_KEY_FILE (seals key material at rest), AWS_REGION / AWS_DEFAULT_REGION,
WASM_KMS_ATTESTATION_ROOT (--attestation-root files, separated by commas);
serve also reads WASM_KMS_HOST, WASM_KMS_PORT, WASM_KMS_AUTH and WASM_KMS_REGION.

--profile, --debug, --no-verify-ssl, --color, --cli-read-timeout and --cli-connect-timeout are
accepted and ignored, so AWS CLI scripts run unchanged; --endpoint-url is refused (the commands
run the engine in this process; 'wasm-kms serve' is the endpoint).

Exit codes: 0 success, 252 usage error, 254 service error, 255 other failure.
See docs/cli.md for every command.`;

function invalidChoice(program: Command, name: string): string {
  return `argument command: Invalid choice: '${name}', valid choices are: ${program.commands.map((c) => c.name()).join(', ')}`;
}

/** Translates commander's wording into the AWS CLI's where they differ. */
function usageMessage(program: Command, e: CommanderError): string {
  const msg = e.message.replace(/^error: /, '');
  let m: RegExpExecArray | null;
  if ((m = /^unknown command '(.*)'/.exec(msg))) return invalidChoice(program, m[1]);
  if ((m = /^unknown option '(.*)'/.exec(msg))) return `Unknown options: ${m[1]}`;
  if ((m = /^option '(--[a-z0-9-]+)[^']*' argument missing/.exec(msg)))
    return `argument ${m[1]}: expected one argument`;
  if ((m = /^option '(--[a-z0-9-]+)[^']*' argument '(.*)' is invalid\. Allowed choices are (.*)\.$/s.exec(msg))) {
    return `argument ${m[1]}: Invalid choice: '${m[2]}', valid choices are: ${m[3]}`;
  }
  if ((m = /^option '(--[a-z0-9-]+)[^']*' argument '.*' is invalid\. (.*)$/s.exec(msg)))
    return `argument ${m[1]}: ${m[2]}`;
  return msg;
}

/** Commands whose output is not an operation's output, so --query has nothing to select from. */
const NO_QUERY_OUTPUT: Readonly<Record<string, string>> = {
  'generate-data-key-pairs': 'writes its pairs to --out (NDJSON) and prints nothing',
  serve: 'serves requests and prints no operation output',
};

/** botocore's check of a Region name (a DNS label), which the AWS CLI applies before any call. */
const REGION_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

function checkRegion(region: string, source: string): string {
  if (!REGION_NAME.test(region)) {
    throw new UsageError(
      `${source}: Provided region_name '${region}' doesn't match a supported format (letters, digits and hyphens, e.g. us-east-1).`,
    );
  }
  return region;
}

/** A repeatable option's values (commander gives `previous` undefined the first time). */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A whole number of seconds, for options that are accepted and ignored. */
function seconds(value: string): string {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`invalid int value: '${value}'`);
  return value;
}

interface Printer {
  /** One line (or block) of text, without its final newline, as console.log takes it. */
  (text: string): void;
}

/** Output streams whose reader has gone (EPIPE); nothing more is written to them. */
const closedStreams = new Set<NodeJS.WriteStream>();

const defaultOut: Printer = (s) => {
  if (!closedStreams.has(process.stdout)) process.stdout.write(`${s}\n`);
};
const defaultErr: Printer = (s) => {
  if (!closedStreams.has(process.stderr)) process.stderr.write(`${s}\n`);
};

/**
 * Runs one command line (without `node` and the script); resolves to the exit code. `out` and
 * `err` take text without a final newline; by default they write to stdout and stderr.
 */
export async function main(
  argv: string[],
  out: Printer = defaultOut,
  err: Printer = defaultErr,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  // Text from the commands ends with a newline; the printers add their own.
  const chomp = (s: string) => (s.endsWith('\n') ? s.slice(0, -1) : s);
  const io: CliIO = {
    stdout: (s) => {
      if (s !== '') out(chomp(s));
    },
    stderr: (s) => {
      if (s !== '') err(chomp(s));
    },
    env,
    stderrIsTTY: process.stderr.isTTY === true && err === defaultErr,
  };
  const usage = (message: string) => {
    err(`${USAGE}\nwasm-kms: error: ${message}`);
    return 252;
  };
  // `wasm-kms <command> help` as in the AWS CLI.
  const args = argv.length === 2 && argv[1] === 'help' ? [argv[0], '--help'] : argv;
  if (args.length === 0) return usage('the following arguments are required: command');

  const program = buildProgram(io, env);
  try {
    await program.parseAsync(args, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        (e.code === 'commander.help' && e.exitCode === 0)
      )
        return 0;
      if (e.code === 'commander.help') {
        // Help asked for a command that does not exist, or options but no command.
        const named = args[0] === 'help' ? args[1] : undefined;
        return usage(
          named !== undefined ? invalidChoice(program, named) : 'the following arguments are required: command',
        );
      }
      return usage(usageMessage(program, e));
    }
    if (e instanceof ParamValidationError || e instanceof ParamError) {
      // As the AWS CLI prints botocore's validation report and its own parameter errors (an
      // unreadable paramfile, a bad --query): a blank line, then the message; no usage block.
      err(`\n${e.message}`);
      return 252;
    }
    if (e instanceof UsageError) return usage(e.message);
    if (e instanceof ServiceError) {
      // The AWS CLI leaves a blank line before the error.
      err(`\n${e.message}`);
      return 254;
    }
    if (e instanceof ExitError) {
      err(`wasm-kms: ${e.message}`);
      return e.exitCode;
    }
    // CliFailure, and anything unexpected: one line.
    err(`wasm-kms: error: ${oneLine(e)}`);
    return 255;
  }
}

/** The Region from the environment; a variable set to the empty string counts as unset. */
function regionFromEnv(env: NodeJS.ProcessEnv): string {
  if (env.AWS_REGION) return checkRegion(env.AWS_REGION, 'AWS_REGION');
  if (env.AWS_DEFAULT_REGION) return checkRegion(env.AWS_DEFAULT_REGION, 'AWS_DEFAULT_REGION');
  return 'us-east-1';
}

function buildProgram(io: CliIO, env: NodeJS.ProcessEnv): Command {
  const program = new Command('wasm-kms');
  program
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      // Errors, and the full help commander would print with them (no command given, `help
      // <unknown>`), are reported by main() instead: a short usage block in the AWS CLI's form.
      writeErr: () => undefined,
      outputError: () => undefined,
    })
    .description('AWS KMS commands on a local key store, with the cryptography in WebAssembly.')
    .usage('[options] <command> [parameters]')
    .version(`wasm-kms ${packageVersion()}`, '--version', 'print the version')
    .helpOption('-h, --help', 'help for wasm-kms or a command')
    .addOption(
      new Option(
        '--store <dir>',
        'key store directory, or a PostgreSQL database as postgres://USER@HOST:PORT/DB (default: $WASM_KMS_STORE, else $WASM_KMS_HOME, else ~/.wasm-kms)',
      ),
    )
    .addOption(new Option('--region <region>', 'Region (default: $AWS_REGION, $AWS_DEFAULT_REGION, else us-east-1)'))
    .addOption(new Option('--account-id <id>', "the caller's 12-digit account").default('111122223333'))
    .addOption(new Option('--output <format>', 'output format').choices(['json', 'text']).default('json'))
    .addOption(
      new Option(
        '--query <expr>',
        'JMESPath subset: field paths, [n] and [] (e.g. Plaintext, KeyMetadata.Arn, Keys[].KeyId)',
      ),
    )
    .addOption(
      new Option('--cli-binary-format <format>', 'how blob arguments given as text are read')
        .choices(['base64', 'raw-in-base64-out'])
        .default('base64'),
    )
    .addOption(new Option('--no-paginate', 'one call for list commands, not every page'))
    .addOption(
      new Option(
        '--attestation-root <file>',
        "a trusted root of Recipient attestation documents: PEM (or DER) certificate file, repeatable (default: $WASM_KMS_ATTESTATION_ROOT, paths separated by commas, else AWS's Nitro Enclaves root)",
      ).argParser(collect),
    )
    .addOption(new Option('--no-cli-pager', 'accepted for AWS CLI compatibility (there is no pager)'))
    // The AWS CLI's options about profiles, logging and reaching AWS: scripts pass them, and
    // nothing here is reached over the network, so they are accepted and have no effect.
    .addOption(new Option('--profile <name>', 'accepted for AWS CLI compatibility; ignored (no credentials are used)'))
    .addOption(new Option('--debug', 'accepted for AWS CLI compatibility; ignored'))
    .addOption(new Option('--no-verify-ssl', 'accepted for AWS CLI compatibility; ignored (no TLS connection is made)'))
    .addOption(
      new Option('--color <mode>', 'accepted for AWS CLI compatibility; ignored').choices(['on', 'off', 'auto']),
    )
    .addOption(
      new Option('--cli-read-timeout <seconds>', 'accepted for AWS CLI compatibility; ignored').argParser(seconds),
    )
    .addOption(
      new Option('--cli-connect-timeout <seconds>', 'accepted for AWS CLI compatibility; ignored').argParser(seconds),
    )
    .addOption(
      new Option(
        '--endpoint-url <url>',
        'not supported: the commands run the engine in this process (use serve for an endpoint)',
      ).hideHelp(),
    )
    .addHelpText('after', HELP_AFTER)
    .showSuggestionAfterError(false);

  const globals = (): GlobalOptions => {
    const o = program.opts<{
      store?: string;
      region?: string;
      accountId: string;
      output: OutputFormat;
      query?: string;
      cliBinaryFormat: BinaryFormat;
      paginate: boolean;
      endpointUrl?: string;
      attestationRoot?: string[];
    }>();
    if (o.endpointUrl !== undefined) {
      throw new UsageError(
        'argument --endpoint-url: not supported: wasm-kms runs the KMS engine in this process, against the key store on disk, and calls no endpoint. To serve one for the AWS CLI or SDKs, run `wasm-kms serve` and point them at the URL it prints.',
      );
    }
    if (!/^\d{12}$/.test(o.accountId))
      throw new UsageError(`argument --account-id: expected 12 digits, got '${o.accountId}'`);
    return {
      // WASM_KMS_STORE is --store as a variable (serve's settings all have one); WASM_KMS_HOME stays the default.
      store: o.store ?? (env.WASM_KMS_STORE || defaultStoreDir(env)),
      region: o.region !== undefined ? checkRegion(o.region, 'argument --region') : regionFromEnv(env),
      accountId: o.accountId,
      output: o.output,
      query: o.query,
      cliBinaryFormat: o.cliBinaryFormat,
      paginate: o.paginate,
      attestationRoots: loadAttestationRoots(o.attestationRoot, env),
    };
  };

  addOperationCommands(program, io, globals);

  program
    .command('generate-key-pair')
    .description(
      'A bare key pair from the WebAssembly core (no KMS key, no store): KeyPairSpec, PublicKey (DER SPKI), PrivateKeyPlaintext (DER PKCS#8), base64.',
    )
    .option('--key-pair-spec <spec>', `${KEY_PAIR_SPECS.join(' | ')} (required)`)
    .action((opts: { keyPairSpec?: string }) => {
      const g = globals();
      const spec = opts.keyPairSpec;
      if (spec === undefined) throw new UsageError('the following arguments are required: --key-pair-spec');
      if (!(KEY_PAIR_SPECS as readonly string[]).includes(spec)) {
        throw new UsageError(
          `Invalid value for --key-pair-spec: '${spec}', valid values are: ${KEY_PAIR_SPECS.join(', ')}`,
        );
      }
      const query = g.query !== undefined ? parseQuery(g.query) : undefined;
      const pair = generateKeyPair(spec as KeyPairSpec);
      const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
      const plain = { KeyPairSpec: spec, PublicKey: b64(pair.publicKey), PrivateKeyPlaintext: b64(pair.privateKey) };
      pair.privateKey.fill(0);
      // --output and --query as for every other command (output.ts).
      io.stdout(query !== undefined ? renderQueryResult(applyQuery(query, plain), g.output) : render(plain, g.output));
    });

  addBulkCommand(program, io, globals);
  addServeCommand(program, io, globals);

  // Operands a command does not take: the AWS CLI's "Unknown options: a, b" (commander's own
  // message does not name them).
  for (const c of program.commands) c.allowExcessArguments(true);
  program.hook('preAction', (_program, action) => {
    // As the AWS CLI compiles --query once the global options are read, before any command
    // runs: a query that cannot be used is an error (252) whatever the command, never ignored.
    const query = program.opts<{ query?: string }>().query;
    if (query !== undefined) {
      parseQuery(query);
      if (NO_QUERY_OUTPUT[action.name()] !== undefined) {
        // This engine's wording; the AWS CLI has no such commands.
        throw new UsageError(
          `argument --query: ${action.name()} ${NO_QUERY_OUTPUT[action.name()]}; --query does not apply`,
        );
      }
    }
    if (
      action.name() === 'generate-data-key-pairs' &&
      program.getOptionValueSource('output') === 'cli' &&
      program.opts().output !== 'json'
    ) {
      throw new UsageError(
        'argument --output: generate-data-key-pairs always writes NDJSON to --out and prints nothing; --output does not apply',
      );
    }
    if (action.args.length > 0) throw new UsageError(`Unknown options: ${action.args.join(', ')}`);
  });
  return program;
}

/**
 * A reader that goes away (`wasm-kms ... | head`) is not a failure of the command: as the AWS CLI
 * does, stop writing to that stream and let the command end with its own exit code. Any other
 * write error on an output stream ends the run with one line (255).
 */
function ignoreClosedPipe(stream: NodeJS.WriteStream, name: string): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') {
      closedStreams.add(stream);
      return;
    }
    if (stream !== process.stderr)
      process.stderr.write(`wasm-kms: error: cannot write to ${name}: ${e.code ?? e.message}\n`);
    process.exit(255);
  });
}

// Run when executed directly (the package's bin), not when imported.
const invoked = process.argv[1] ? realpathSync(process.argv[1]) : '';
if (invoked === fileURLToPath(import.meta.url)) {
  ignoreClosedPipe(process.stdout, 'standard output');
  ignoreClosedPipe(process.stderr, 'standard error');
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`wasm-kms: error: ${oneLine(e)}\n`);
      process.exitCode = 255;
    },
  );
}
