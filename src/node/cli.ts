#!/usr/bin/env node
// The wasm-kms command line. Output is JSON with base64 blobs, as the AWS CLI prints;
// errors go to stderr as one line, with the AWS CLI's exit codes (252 for usage errors).

import { parseArgs } from 'node:util';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateKeyPair, KEY_PAIR_SPECS, type KeyPairSpec } from '../core/index.js';

const USAGE = `usage: wasm-kms <command> [options]

commands:
  generate-key-pair --key-pair-spec <spec>
      A fresh key pair from the WebAssembly core, as JSON:
      { "KeyPairSpec", "PublicKey" (DER SPKI, base64), "PrivateKeyPlaintext" (DER PKCS#8, base64) }
      specs: ${KEY_PAIR_SPECS.join(', ')}

options:
  --help       this text
  --version    the package version`;

class UsageError extends Error {}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** Runs one command; returns the exit code. Output and errors go to the given streams. */
export function main(argv: string[], out: (s: string) => void = console.log, err: (s: string) => void = console.error): number {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === 'help') {
      out(USAGE);
      return command === undefined ? 252 : 0;
    }
    if (command === '--version') {
      out(`wasm-kms ${version()}`);
      return 0;
    }
    if (command !== 'generate-key-pair') throw new UsageError(`Invalid choice: '${command}', valid choices are: generate-key-pair`);
    const { values } = parseArgs({ args: rest, options: { 'key-pair-spec': { type: 'string' } }, strict: true });
    const spec = values['key-pair-spec'];
    if (spec === undefined) throw new UsageError('the following arguments are required: --key-pair-spec');
    if (!(KEY_PAIR_SPECS as readonly string[]).includes(spec)) {
      throw new UsageError(`Invalid value for --key-pair-spec: '${spec}', valid values are: ${KEY_PAIR_SPECS.join(', ')}`);
    }
    const pair = generateKeyPair(spec as KeyPairSpec);
    out(JSON.stringify({ KeyPairSpec: spec, PublicKey: b64(pair.publicKey), PrivateKeyPlaintext: b64(pair.privateKey) }, null, 4));
    pair.privateKey.fill(0);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) {
      err(`${USAGE.split('\n')[0]}\nwasm-kms: error: ${e.message}`);
      return 252;
    }
    err(`wasm-kms: error: ${e instanceof Error ? e.message : String(e)}`);
    return 255;
  }
}

// Run when executed directly (the package's bin), not when imported.
const invoked = process.argv[1] ? realpathSync(process.argv[1]) : '';
if (invoked === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
