// The CLI's sign, verify and derive-shared-secret commands, run as the package's bin on a
// temporary file store, in the AWS CLI's shapes: fileb:// and base64 blobs in, base64 out, the
// JSON output members in the model's order, the AWS CLI's error line and exit code 254 for a
// signature that does not verify.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createPublicKey, diffieHellman, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv } from '../helpers/env.js';

const BIN = join(fileURLToPath(new URL('../..', import.meta.url)), 'dist/node/cli/main.js');
let work: string;

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--store', join(work, 'store'), ...args], {
    env: childEnv(join(work, 'home')),
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(args: string[]): any {
  const r = cli(args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'wasm-kms-sign-cli-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('wasm-kms sign / verify / derive-shared-secret', () => {
  it('sign a fileb:// message, verify it, and a changed message fails as the AWS CLI fails', () => {
    const keyId = ok(['create-key', '--key-spec', 'ECC_NIST_P384', '--key-usage', 'SIGN_VERIFY']).KeyMetadata.KeyId;
    const message = Buffer.from('a message signed from the command line');
    const file = join(work, 'message.bin');
    writeFileSync(file, message);
    const signed = ok([
      'sign',
      '--key-id',
      keyId,
      '--message',
      `fileb://${file}`,
      '--signing-algorithm',
      'ECDSA_SHA_384',
    ]);
    expect(Object.keys(signed)).toEqual(['KeyId', 'Signature', 'SigningAlgorithm']);
    expect(signed.SigningAlgorithm).toBe('ECDSA_SHA_384');
    const spki = Buffer.from(ok(['get-public-key', '--key-id', keyId]).PublicKey, 'base64');
    const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    const signature = Buffer.from(signed.Signature, 'base64');
    expect(verify('sha384', message, { key, dsaEncoding: 'der' }, signature)).toBe(true);

    const sigFile = join(work, 'signature.bin');
    writeFileSync(sigFile, signature);
    const checked = ok([
      'verify',
      '--key-id',
      keyId,
      '--message',
      message.toString('base64'),
      '--signature',
      `fileb://${sigFile}`,
      '--signing-algorithm',
      'ECDSA_SHA_384',
    ]);
    expect(checked).toEqual({ KeyId: signed.KeyId, SignatureValid: true, SigningAlgorithm: 'ECDSA_SHA_384' });

    const bad = cli([
      'verify',
      '--key-id',
      keyId,
      '--message',
      Buffer.from('another message').toString('base64'),
      '--signature',
      signed.Signature,
      '--signing-algorithm',
      'ECDSA_SHA_384',
    ]);
    expect(bad.code).toBe(254);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe('\nAn error occurred (KMSInvalidSignatureException) when calling the Verify operation: \n');
  });

  it('derive-shared-secret with the peer key from a file equals node:crypto ECDH', () => {
    const keyId = ok(['create-key', '--key-spec', 'ECC_NIST_P256', '--key-usage', 'KEY_AGREEMENT']).KeyMetadata.KeyId;
    const peer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const peerFile = join(work, 'peer.der');
    writeFileSync(peerFile, peer.publicKey.export({ format: 'der', type: 'spki' }));
    const out = ok([
      'derive-shared-secret',
      '--key-id',
      keyId,
      '--key-agreement-algorithm',
      'ECDH',
      '--public-key',
      `fileb://${peerFile}`,
    ]);
    expect(Object.keys(out)).toEqual(['KeyId', 'SharedSecret', 'KeyAgreementAlgorithm', 'KeyOrigin']);
    const spki = Buffer.from(ok(['get-public-key', '--key-id', keyId]).PublicKey, 'base64');
    const expected = diffieHellman({
      privateKey: peer.privateKey,
      publicKey: createPublicKey({ key: spki, format: 'der', type: 'spki' }),
    });
    expect(Buffer.from(out.SharedSecret, 'base64')).toEqual(expected);
  });
});
