// KMSClient's `generateKeyPair` option (what the Node server's worker pool plugs into): data key
// pairs and asymmetric KMS keys come from it, not from the core in this thread, and the checks
// before it still run first.
// Without it, they come from the OperationContext's core.

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
} from '../../src/kms/index.js';
import { newKey, rejection } from '../helpers/kms.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryKeyStore, type KeyPair } from '../../src/kms/index.js';
import { getCore } from '../../src/core/module.js';
import { createOperationContext } from '../../src/kms/context.js';
import { OPERATION_HANDLERS } from '../../src/kms/operations/index.js';

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
    const derived = createPublicKey(
      createPrivateKey({ key: Buffer.from(out.PrivateKeyPlaintext!), format: 'der', type: 'pkcs8' }),
    );
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
    expect(
      createPublicKey({ key: Buffer.from(pub.PublicKey!), format: 'der', type: 'spki' }).asymmetricKeyDetails
        ?.namedCurve,
    ).toBe('secp384r1');
  });

  it('is not called when a check fails first', async () => {
    const { calls, source } = recordingSource();
    const kms = new KMSClient({ generateKeyPair: source });
    const key = await newKey(kms);
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    await rejection(
      kms.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'RSA_2048' })),
      DisabledException,
    );
    expect(calls).toEqual([]);
  });
});

// The OperationContext's core serves the whole operation: createOperationContext fills
// generateKeyPair from it, and no operation reaches for the loaded core or the core's
// generateKeyPair on its own.
describe('OperationContext core', () => {
  const SPECS: KeyPairSpec[] = ['ECC_NIST_P256', 'ECC_SECG_P256K1', 'ECC_NIST_EDWARDS25519', 'ML_KEM_768', 'RSA_2048'];

  function countingContext(generateKeyPair?: (spec: KeyPairSpec) => KeyPair) {
    const counter = { calls: 0 };
    const core = () => {
      counter.calls++;
      return getCore();
    };
    const ctx = createOperationContext({
      store: new MemoryKeyStore(),
      account: '111122223333',
      region: 'us-east-1',
      core,
      generateKeyPair,
    });
    return { counter, ctx };
  }

  it('every key generation of GenerateDataKeyPair(WithoutPlaintext) goes through a counting core', async () => {
    const { counter, ctx } = countingContext();
    const key = (await OPERATION_HANDLERS.CreateKey(ctx, {})) as { KeyMetadata: { KeyId: string } };
    const KeyId = key.KeyMetadata.KeyId;
    // Sealing alone (Encrypt) asks the core once.
    let before = counter.calls;
    await OPERATION_HANDLERS.Encrypt(ctx, { KeyId, Plaintext: new Uint8Array(32) });
    const sealing = counter.calls - before;
    expect(sealing).toBe(1);
    for (const spec of SPECS) {
      for (const operation of ['GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext'] as const) {
        before = counter.calls;
        const out = (await OPERATION_HANDLERS[operation](ctx, { KeyId, KeyPairSpec: spec })) as {
          PublicKey: Uint8Array;
        };
        expect(out.PublicKey.length).toBeGreaterThan(0);
        // One more call than sealing: the generation.
        expect(counter.calls - before, `${operation} ${spec}`).toBe(sealing + 1);
      }
    }
  });

  it('asymmetric CreateKey generates through the context core too; a given generateKeyPair replaces it', async () => {
    const { counter, ctx } = countingContext();
    let before = counter.calls;
    await OPERATION_HANDLERS.CreateKey(ctx, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    expect(counter.calls - before).toBe(1);

    const specs: KeyPairSpec[] = [];
    const given = countingContext((spec) => {
      specs.push(spec);
      return generateKeyPair(spec);
    });
    const key = (await OPERATION_HANDLERS.CreateKey(given.ctx, {})) as { KeyMetadata: { KeyId: string } };
    before = given.counter.calls;
    await OPERATION_HANDLERS.GenerateDataKeyPair(given.ctx, {
      KeyId: key.KeyMetadata.KeyId,
      KeyPairSpec: 'ECC_NIST_P384',
    });
    expect(given.counter.calls - before).toBe(1); // sealing only
    expect(specs).toEqual(['ECC_NIST_P384']);
  });

  it('no operation imports getCore or generateKeyPair from the core', () => {
    const dir = fileURLToPath(new URL('../../src/kms/operations/', import.meta.url));
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), 'utf8');
      const fromCore = [...text.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'\.\.\/\.\.\/core\/[^']+'/g)].map(
        (m) => m[1],
      );
      for (const names of fromCore) {
        expect(names, file).not.toMatch(/\bgetCore\b/);
        expect(names.replace(/type\s+\w+/g, ''), file).not.toMatch(/\bgenerateKeyPair\b/);
      }
    }
  });
});
