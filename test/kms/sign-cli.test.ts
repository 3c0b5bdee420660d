// The CLI's sign, verify and derive-shared-secret commands, run as the package's bin on a
// temporary file store, in the AWS CLI's shapes: fileb:// and base64 blobs in, base64 out, the
// JSON output members in the model's order, the AWS CLI's error line and exit code 254 for a
// signature that does not verify. Then `wasm-kms serve` on the same store, with the real
// @aws-sdk/client-kms signing, verifying, agreeing and encrypting with RSA over HTTP.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { constants, createPublicKey, diffieHellman, generateKeyPairSync, publicEncrypt, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sdk from '@aws-sdk/client-kms';
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

describe('wasm-kms serve with @aws-sdk/client-kms', () => {
  it('Sign, Verify, DeriveSharedSecret and RSA Encrypt/Decrypt over HTTP, on keys the CLI made', async () => {
    const signer = ok(['create-key', '--key-spec', 'ECC_NIST_P256', '--key-usage', 'SIGN_VERIFY']).KeyMetadata.KeyId;
    const agreer = ok(['create-key', '--key-spec', 'ECC_NIST_P384', '--key-usage', 'KEY_AGREEMENT']).KeyMetadata.KeyId;
    const rsa = ok(['create-key', '--key-spec', 'RSA_2048', '--key-usage', 'ENCRYPT_DECRYPT']).KeyMetadata.KeyId;
    const child = spawn(
      process.execPath,
      [BIN, '--store', join(work, 'store'), 'serve', '--port', '0', '--threads', '1'],
      { env: childEnv(join(work, 'home')), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d) => {
          out += d;
          const m = /^wasm-kms listening on (http:\/\/[0-9.]+:\d+)\n/.exec(out);
          if (m) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`serve exited early (${code})`)));
      });
      const kms = new sdk.KMSClient({
        endpoint: url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
        maxAttempts: 1,
      });
      const message = new TextEncoder().encode('signed through wasm-kms serve');
      const signed = await kms.send(
        new sdk.SignCommand({ KeyId: signer, Message: message, SigningAlgorithm: 'ECDSA_SHA_256', MessageType: 'RAW' }),
      );
      const spki = (await kms.send(new sdk.GetPublicKeyCommand({ KeyId: signer }))).PublicKey!;
      const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      expect(verify('sha256', message, { key, dsaEncoding: 'der' }, signed.Signature!)).toBe(true);
      const checked = await kms.send(
        new sdk.VerifyCommand({
          KeyId: signer,
          Message: message,
          Signature: signed.Signature,
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      );
      expect(checked.SignatureValid).toBe(true);
      const forged = await kms
        .send(
          new sdk.VerifyCommand({
            KeyId: signer,
            Message: new TextEncoder().encode('not this'),
            Signature: signed.Signature,
            SigningAlgorithm: 'ECDSA_SHA_256',
          }),
        )
        .catch((e: unknown) => e);
      expect(forged).toBeInstanceOf(sdk.KMSInvalidSignatureException);

      const peer = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
      const derived = await kms.send(
        new sdk.DeriveSharedSecretCommand({
          KeyId: agreer,
          KeyAgreementAlgorithm: 'ECDH',
          PublicKey: peer.publicKey.export({ format: 'der', type: 'spki' }),
        }),
      );
      const agreerSpki = (await kms.send(new sdk.GetPublicKeyCommand({ KeyId: agreer }))).PublicKey!;
      const expected = diffieHellman({
        privateKey: peer.privateKey,
        publicKey: createPublicKey({ key: Buffer.from(agreerSpki), format: 'der', type: 'spki' }),
      });
      expect(Buffer.from(derived.SharedSecret!)).toEqual(expected);
      expect(derived.KeyOrigin).toBe('AWS_KMS');

      const rsaSpki = (await kms.send(new sdk.GetPublicKeyCommand({ KeyId: rsa }))).PublicKey!;
      const secret = new TextEncoder().encode('sealed with the public key outside');
      const outside = publicEncrypt(
        {
          key: createPublicKey({ key: Buffer.from(rsaSpki), format: 'der', type: 'spki' }),
          oaepHash: 'sha256',
          padding: constants.RSA_PKCS1_OAEP_PADDING,
        },
        secret,
      );
      const opened = await kms.send(
        new sdk.DecryptCommand({ KeyId: rsa, CiphertextBlob: outside, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
      );
      expect(Buffer.from(opened.Plaintext!)).toEqual(Buffer.from(secret));
      expect(opened.EncryptionAlgorithm).toBe('RSAES_OAEP_SHA_256');
      const sealed = await kms.send(
        new sdk.EncryptCommand({ KeyId: rsa, Plaintext: secret, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }),
      );
      expect(sealed.CiphertextBlob!.length).toBe(256);
      const back = await kms.send(
        new sdk.DecryptCommand({
          KeyId: rsa,
          CiphertextBlob: sealed.CiphertextBlob,
          EncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
        }),
      );
      expect(Buffer.from(back.Plaintext!)).toEqual(Buffer.from(secret));
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
