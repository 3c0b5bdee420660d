// KMSClient's `generateKeyPair` option (what the Node server's worker pool plugs into): data key
// pairs and asymmetric KMS keys come from it, not from the core in this thread, and the checks
// before it still run first.

import { describe, it, expect } from 'vitest';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import {
  KMSClient,
  DecryptCommand,
  DisableKeyCommand,
  DisabledException,
  GenerateDataKeyPairCommand,
  GetPublicKeyCommand,
  generateKeyPair,
  type KeyPairSpec,
} from '../src/kms/index.js';
import { newKey, rejection } from './helpers/kms.js';

function recordingSource() {
  const calls: KeyPairSpec[] = [];
  const source = async (spec: KeyPairSpec) => {
    calls.push(spec);
    return generateKeyPair(spec);
  };
  return { calls, source };
}

describe('KMSClient generateKeyPair option', () => {
  it('GenerateDataKeyPair takes its pair from the source, and Decrypt recovers that pair', async () => {
    const { calls, source } = recordingSource();
    const kms = new KMSClient({ generateKeyPair: source });
    const key = await newKey(kms);
    const out = await kms.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256' }));
    expect(calls).toEqual(['ECC_NIST_P256']);
    const derived = createPublicKey(createPrivateKey({ key: Buffer.from(out.PrivateKeyPlaintext!), format: 'der', type: 'pkcs8' }));
    expect(Buffer.from(derived.export({ format: 'der', type: 'spki' }))).toEqual(Buffer.from(out.PublicKey!));
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob }));
    expect(Buffer.from(dec.Plaintext!)).toEqual(Buffer.from(out.PrivateKeyPlaintext!));
  });

  it('asymmetric CreateKey takes its pair from the source', async () => {
    const { calls, source } = recordingSource();
    const kms = new KMSClient({ generateKeyPair: source });
    const key = await newKey(kms, { KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' });
    expect(calls).toEqual(['ECC_NIST_P384']);
    const pub = await kms.send(new GetPublicKeyCommand({ KeyId: key.KeyId }));
    expect(createPublicKey({ key: Buffer.from(pub.PublicKey!), format: 'der', type: 'spki' }).asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
  });

  it('is not called when a check fails first', async () => {
    const { calls, source } = recordingSource();
    const kms = new KMSClient({ generateKeyPair: source });
    const key = await newKey(kms);
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    await rejection(kms.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'RSA_2048' })), DisabledException);
    expect(calls).toEqual([]);
  });
});
