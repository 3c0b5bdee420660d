// The package's public surface: every "exports" entry and the bin resolve to built files,
// typesVersions agrees with the "types" conditions, the edge entry needs initCore(module), and
// the CLI runs.
import { describe, it, expect } from 'vitest';
import { readFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { main } from '../src/node/cli/main.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

describe('package.json', () => {
  it('names, type and entries', () => {
    expect(pkg.name).toBe('wasm-kms');
    expect(pkg.type).toBe('module');
    expect(Object.keys(pkg.exports)).toEqual(expect.arrayContaining(['.', './core', './node']));
    expect(pkg.bin['wasm-kms']).toBe('./dist/node/cli/main.js');
  });

  it('every export target exists after the build', () => {
    for (const [name, target] of Object.entries<string | Record<string, string>>(pkg.exports)) {
      const files = typeof target === 'string' ? [target] : Object.values(target);
      for (const f of files) expect(existsSync(join(root, f)), `${name} -> ${f}`).toBe(true);
    }
  });

  it('the built entries load and generate keys', async () => {
    const main = await import(join(root, 'dist/kms/index.js'));
    const core = await import(join(root, 'dist/core/index.js'));
    expect(main.KEY_PAIR_SPECS).toEqual(core.KEY_PAIR_SPECS);
    const { publicKey } = main.generateKeyPair('ECC_NIST_P256');
    expect(createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' }).asymmetricKeyType).toBe('ec');
    const node = await import(join(root, 'dist/node/index.js'));
    expect(typeof node.runCli).toBe('function');
  });

  it('typesVersions maps every subpath with declarations to the file its "types" condition names', () => {
    // For TypeScript's moduleResolution node (node10), which does not read "exports".
    const map = pkg.typesVersions['*'];
    for (const [name, target] of Object.entries<string | Record<string, string>>(pkg.exports)) {
      if (typeof target === 'string' || !target.types) continue;
      if (name === '.') {
        expect(pkg.types).toBe(target.types);
        continue;
      }
      expect(map[name.slice(2)], name).toEqual([target.types.slice(2)]);
      expect(existsSync(join(root, target.types)), target.types).toBe(true);
    }
    expect(Object.keys(map).sort()).toEqual(['core', 'core.wasm', 'node', 'wasm/scalar', 'wasm/simd']);
  });

  it('the edge entry embeds no WebAssembly, refuses to run before initCore(module) and says how, then works', async () => {
    const text = readFileSync(join(root, 'dist/edge/kms.js'), 'utf8');
    expect(text).not.toContain('AGFzbQ');
    // A fresh process: the edge entry's module state is its own.
    const script = `
      import * as edge from ${JSON.stringify(join(root, 'dist/edge/kms.js'))};
      import * as core from ${JSON.stringify(join(root, 'dist/edge/core.js'))};
      import { readFileSync } from 'node:fs';
      const errors = [];
      try { edge.generateKeyPair('ECC_NIST_P256'); } catch (e) { errors.push(e.message); }
      try { await core.initCore(); } catch (e) { errors.push(e.message); }
      await core.initCore(readFileSync(${JSON.stringify(join(root, 'dist/wasm/wasm-kms.scalar.wasm'))}));
      const { publicKey } = edge.generateKeyPair('ECC_NIST_P256');
      console.log(JSON.stringify({ errors, publicKey: Buffer.from(publicKey).toString('base64') }));
    `;
    const r = spawnSync('node', ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.errors).toHaveLength(2);
    for (const message of out.errors) {
      expect(message).toContain('embeds no WebAssembly');
      expect(message).toContain('await initCore(module)');
    }
    expect(
      createPublicKey({ key: Buffer.from(out.publicKey, 'base64'), format: 'der', type: 'spki' }).asymmetricKeyType,
    ).toBe('ec');
  });

  it('scripts/pack-manifest.mjs takes out the "prepare" line and puts it back, keeping edits made in between', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-kms-pack-manifest-'));
    const run = (cmd: string) =>
      spawnSync('node', [join(root, 'scripts', 'pack-manifest.mjs'), cmd], { cwd: dir, encoding: 'utf8' });
    try {
      const file = join(dir, 'package.json');
      // "prepare" first (as here), and "prepare" last: the JSON stays valid both ways.
      for (const scripts of [
        '{\n    "prepare": "npm run build",\n    "build": "tsc"\n  }',
        '{\n    "build": "tsc",\n    "prepare": "npm run build"\n  }',
      ]) {
        const text = `{\n  "name": "x",\n  "scripts": ${scripts},\n  "version": "1.0.0"\n}\n`;
        writeFileSync(file, text);
        expect(run('strip').status).toBe(0);
        const stripped = readFileSync(file, 'utf8');
        expect(JSON.parse(stripped).scripts).toEqual({ build: 'tsc' });
        expect(stripped.split('\n').length).toBe(text.split('\n').length - 1);
        // Someone changes another line while the tarball is made.
        writeFileSync(file, stripped.replace('"1.0.0"', '"1.0.1"'));
        expect(run('restore').status).toBe(0);
        const back = JSON.parse(readFileSync(file, 'utf8'));
        expect(back.scripts).toEqual({ build: 'tsc', prepare: 'npm run build' });
        expect(back.version).toBe('1.0.1');
        expect(existsSync(join(dir, 'build', 'pack-manifest'))).toBe(false);
      }
      // The first case comes back byte for byte.
      const text = '{\n  "scripts": {\n    "prepare": "npm run build",\n    "test": "vitest run"\n  }\n}\n';
      writeFileSync(file, text);
      run('strip');
      run('restore');
      expect(readFileSync(file, 'utf8')).toBe(text);
      // Nothing stashed: restore changes nothing; no "prepare": strip changes nothing.
      expect(run('restore').status).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe(text);
      writeFileSync(file, '{\n  "scripts": {\n    "test": "vitest run"\n  }\n}\n');
      expect(run('strip').status).toBe(0);
      expect(existsSync(join(dir, 'build', 'pack-manifest'))).toBe(false);
      expect(run('bogus').status).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the bin prints a key pair node:crypto takes', () => {
    const r = spawnSync(
      'node',
      [join(root, pkg.bin['wasm-kms']), 'generate-key-pair', '--key-pair-spec', 'ECC_NIST_EDWARDS25519'],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.KeyPairSpec).toBe('ECC_NIST_EDWARDS25519');
    const priv = createPrivateKey({
      key: Buffer.from(out.PrivateKeyPlaintext, 'base64'),
      format: 'der',
      type: 'pkcs8',
    });
    expect(createPublicKey(priv).export({ type: 'spki', format: 'der' }).toString('base64')).toBe(out.PublicKey);
  });
});

describe('CLI', () => {
  const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(
      args,
      (s) => out.push(s),
      (s) => err.push(s),
    );
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('usage errors exit 252 with one clear line', async () => {
    expect((await run(['nope'])).code).toBe(252);
    expect((await run(['nope'])).err).toContain("Invalid choice: 'nope'");
    const missing = await run(['generate-key-pair']);
    expect(missing.code).toBe(252);
    expect(missing.err).toContain('--key-pair-spec');
    const bad = await run(['generate-key-pair', '--key-pair-spec', 'RSA_1024']);
    expect(bad.code).toBe(252);
    expect(bad.err).toContain('valid values are: RSA_2048');
    expect((await run(['generate-key-pair', '--bogus'])).code).toBe(252);
  });

  it('--help and --version', async () => {
    expect(await run(['--help'])).toMatchObject({ code: 0 });
    expect((await run(['--help'])).out).toContain('generate-key-pair');
    expect((await run(['--version'])).out).toBe(`wasm-kms ${pkg.version}`);
  });

  it('generate-key-pair prints the pair as JSON with base64 DER', async () => {
    const r = await run(['generate-key-pair', '--key-pair-spec', 'ML_KEM_768']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(Buffer.from(out.PrivateKeyPlaintext, 'base64').length).toBe(86);
    expect(Buffer.from(out.PublicKey, 'base64').length).toBe(1206);
  });
});
