// Deno and Bun run the built package with no Node compatibility layer in play: kms-script.mjs
// imports dist/kms/index.js, runs every data key pair spec through KMSClient
// GenerateDataKeyPair → Decrypt, and prints JSON that Node then checks with node:crypto and
// @noble/post-quantum. Node runs the same script as the control.
import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devBinary, expectAllSpecs, root, type PairResult } from './check.js';

const script = join(root, 'test', 'runtimes', 'kms-script.mjs');

interface ScriptOutput {
  simd: boolean;
  results: PairResult[];
}

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<ScriptOutput> {
  // Run from an empty directory so that no runtime picks up this repository's configuration.
  const cwd = mkdtempSync(join(tmpdir(), 'wasm-kms-rt-'));
  return new Promise<ScriptOutput>((resolve, reject) => {
    execFile(
      cmd,
      args,
      {
        cwd,
        env: { PATH: process.env.PATH ?? '', HOME: cwd, NO_COLOR: '1', ...env },
        timeout: 60_000,
        maxBuffer: 16 << 20,
      },
      (err, stdout, stderr) => {
        rmSync(cwd, { recursive: true, force: true });
        if (err) return reject(new Error(`${cmd} failed: ${err.message}\n${stderr}`));
        try {
          resolve(JSON.parse(stdout) as ScriptOutput);
        } catch {
          reject(new Error(`${cmd} printed no JSON document; stderr:\n${stderr}`));
        }
      },
    );
  });
}

const runtimes: [string, () => Promise<ScriptOutput>][] = [
  [
    'Deno',
    // No --allow-* flag, and --no-prompt turns any permission request into an error: the
    // library needs no file, environment or network access.
    () =>
      run(devBinary('deno'), ['run', '--no-config', '--no-lock', '--no-prompt', script], {
        DENO_NO_UPDATE_CHECK: '1',
        DENO_DIR: join(tmpdir(), 'wasm-kms-deno-cache'),
      }),
  ],
  ['Bun', () => run(devBinary('bun'), [script], { BUN_INSTALL_CACHE_DIR: join(tmpdir(), 'wasm-kms-bun-cache') })],
  ['Node (control)', () => run(process.execPath, [script])],
];

describe.each(runtimes)('%s runs the built package', (_name, start) => {
  it('GenerateDataKeyPair → Decrypt for every spec; node:crypto and noble accept every pair', async () => {
    const out = await start();
    // Each of these has WebAssembly SIMD, so the embedded SIMD build is the one in use.
    expect(out.simd).toBe(true);
    expectAllSpecs(out.results);
  });
});
