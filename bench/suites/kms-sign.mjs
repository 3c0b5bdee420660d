// What the in-process KMS layer costs on top of a signature: Sign with an ECC_NIST_P256 KMS key
// through KMSClient.send (validation, key resolution and checks, SHA-256 of the message in the
// core, the ECDSA signature in the core, the response) against the bare core — digest and
// ecdsaSign with the same key's PKCS#8 — in the same run. node:crypto's sign of the same message
// with a KeyObject made beforehand is shown beside them.

import crypto from 'node:crypto';
import { getCore } from '../../dist/core/module.js';
import { digest } from '../../dist/core/symmetric.js';
import { ecdsaSign } from '../../dist/core/ecdsa.js';
import { KMSClient, MemoryKeyStore, CreateKeyCommand, GetPublicKeyCommand, SignCommand } from '../../dist/kms/index.js';

export const id = 'kms-sign';
export const title = 'KMS Sign overhead (ECC_NIST_P256 Sign vs the core ecdsaSign)';
export const baseline = 'core digest + ecdsaSign';

const KMS_RAW = 'KMSClient Sign (RAW)';
const KMS_DIGEST = 'KMSClient Sign (DIGEST)';
const NODE = 'node:crypto sign';

export const targets = [{ group: 'ECC_NIST_P256', task: KMS_RAW, maxRatio: 1.3 }];

const MESSAGE = new Uint8Array(256).map((_, i) => (i * 13 + 7) & 0xff);

/** The signature must verify in node:crypto with the KMS key's public key. */
function checker(spki, name) {
  const key = crypto.createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  return (out) => {
    const sig = out instanceof Uint8Array ? out : out.Signature;
    if (!crypto.verify('sha256', MESSAGE, { key, dsaEncoding: 'der' }, sig)) {
      throw new Error(`${name}: the signature does not verify`);
    }
  };
}

export async function groups() {
  const store = new MemoryKeyStore();
  const kms = new KMSClient({ store });
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
  const keyId = KeyMetadata?.KeyId;
  if (keyId === undefined) throw new Error('CreateKey returned no key');
  const spki = (await kms.send(new GetPublicKeyCommand({ KeyId: keyId }))).PublicKey;
  const record = await store.getKey(kms.config.accountId, kms.config.region, keyId);
  if (record?.keyPair === undefined) throw new Error('the key has no key pair');
  const pkcs8 = record.keyPair.privateKey.slice();
  const nodeKey = crypto.createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  const core = getCore();
  const hashed = digest(core, 'SHA-256', MESSAGE);
  return [
    {
      name: 'ECC_NIST_P256',
      timeMs: 4_000,
      minSamples: 1_000,
      tasks: [
        // Every task runs through the harness's async path (the KMS call returns a promise), so
        // differences are the KMS layer and not the harness's handling of promises.
        {
          name: 'core digest + ecdsaSign',
          fn: async () => ecdsaSign(core, pkcs8, digest(core, 'SHA-256', MESSAGE)),
          check: checker(spki, 'core'),
        },
        {
          name: KMS_RAW,
          fn: () => kms.send(new SignCommand({ KeyId: keyId, SigningAlgorithm: 'ECDSA_SHA_256', Message: MESSAGE })),
          check: checker(spki, KMS_RAW),
        },
        {
          name: KMS_DIGEST,
          fn: () =>
            kms.send(
              new SignCommand({
                KeyId: keyId,
                SigningAlgorithm: 'ECDSA_SHA_256',
                Message: hashed,
                MessageType: 'DIGEST',
              }),
            ),
          check: checker(spki, KMS_DIGEST),
        },
        {
          name: NODE,
          fn: async () => crypto.sign('sha256', MESSAGE, { key: nodeKey, dsaEncoding: 'der' }),
          check: checker(spki, NODE),
        },
      ],
    },
  ];
}
