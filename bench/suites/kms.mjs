// What the in-process KMS layer costs on top of key generation: GenerateDataKeyPair through
// KMSClient.send (validation, key resolution and checks, the AES-256-GCM wrap of the PKCS#8 in
// the core, the response) against bare generateKeyPair(spec) in the same run.

import crypto from 'node:crypto';
import { generateKeyPair } from '../../dist/core/index.js';
import { KMSClient, CreateKeyCommand, GenerateDataKeyPairCommand } from '../../dist/kms/index.js';

export const id = 'kms';
export const title = 'KMS layer overhead (GenerateDataKeyPair vs generateKeyPair)';
export const baseline = 'generateKeyPair';

const KMS = 'KMSClient GenerateDataKeyPair';

const SPECS = [
  // P-256 keys take ~65 µs, so the layer's fixed cost shows; RSA_2048 takes ~50 ms, where it
  // must vanish. RSA times are heavy-tailed: give them many samples.
  { spec: 'ECC_NIST_P256', maxRatio: 1.15, budget: { timeMs: 4_000, minSamples: 500 } },
  { spec: 'RSA_2048', maxRatio: 1.01, budget: { timeMs: 30_000, minSamples: 200 } },
];

export const targets = SPECS.map((s) => ({ group: s.spec, task: KMS, maxRatio: s.maxRatio }));

function checkPair(pair, name) {
  const publicKey = pair.PublicKey ?? pair.publicKey;
  const privateKey = pair.PrivateKeyPlaintext ?? pair.privateKey;
  const derived = crypto
    .createPublicKey(crypto.createPrivateKey({ key: Buffer.from(privateKey), format: 'der', type: 'pkcs8' }))
    .export({ type: 'spki', format: 'der' });
  if (!derived.equals(Buffer.from(publicKey))) throw new Error(`${name}: the private key does not match the public key`);
}

export async function groups() {
  const kms = new KMSClient();
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  const keyId = KeyMetadata.KeyId;
  return SPECS.map((s) => ({
    name: s.spec,
    ...s.budget,
    tasks: [
      // Both tasks run through the harness's async path (the KMS call returns a promise), so
      // the difference is the KMS layer and not the harness's handling of promises.
      { name: 'generateKeyPair', fn: async () => generateKeyPair(s.spec), check: (p) => checkPair(p, 'generateKeyPair') },
      {
        name: KMS,
        fn: () => kms.send(new GenerateDataKeyPairCommand({ KeyId: keyId, KeyPairSpec: s.spec, EncryptionContext: { tenant: 'a' } })),
        check: (p) => checkPair(p, KMS),
      },
    ],
  }));
}
