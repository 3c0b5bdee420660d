// No random bytes are kept between calls. Every blob's salt and IV, and every key pair the core
// makes, come from crypto.getRandomValues requests made during that very operation: a process
// snapshot (a VM or Lambda SnapStart snapshot, a fork) copies whatever was drawn ahead, and
// every copy would then hand out the same salts, IVs or keys.
//
// getRandomValues is replaced by a deterministic filler (SHA-256 of a seed and a counter) that
// records what each request returned. Two things are checked: the salt ‖ IV of each blob is the
// output of a request made while that operation ran, and an operation given the same entropy
// twice ("two clones of one snapshot") repeats itself exactly, while different entropy gives a
// different blob, so nothing drawn before the operation took part in it.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import {
  KMSClient,
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
} from '../src/kms/index.js';
import { BLOB_IV_BYTES, BLOB_SALT_BYTES, parseBlobHeader } from '../src/kms/ciphertext.js';
import { generateKeyPair } from '../src/core/index.js';
import { hex } from './helpers/hex.js';

const original = globalThis.crypto.getRandomValues.bind(globalThis.crypto);

/** What each getRandomValues request returned, in order. */
let outputs: Uint8Array[] = [];
let seed = 'first';
let counter = 0;

function filler<T extends ArrayBufferView | null>(array: T): T {
  if (array === null) return array;
  const view = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  for (let off = 0; off < view.length; off += 32) {
    const block = createHash('sha256').update(`${seed}:${counter++}`).digest();
    view.set(block.subarray(0, Math.min(32, view.length - off)), off);
  }
  outputs.push(view.slice());
  return array;
}

/** The entropy source starts over from `s`, as two snapshot clones given the same bytes would. */
function reseed(s: string): void {
  seed = s;
  counter = 0;
}

beforeEach(() => {
  outputs = [];
  reseed('first');
  Object.defineProperty(globalThis.crypto, 'getRandomValues', { value: filler, configurable: true, writable: true });
});

afterEach(() => {
  Object.defineProperty(globalThis.crypto, 'getRandomValues', { value: original, configurable: true, writable: true });
});

/** The salt ‖ IV of a blob (layout: docs/ciphertext-format.md). */
function saltAndIv(blob: Uint8Array): Uint8Array {
  const h = parseBlobHeader(blob);
  const start = 2 + 1 + 2 + new TextEncoder().encode(h.keyArn).length + 1 + h.keyMaterialId.length;
  return blob.slice(start, start + BLOB_SALT_BYTES + BLOB_IV_BYTES);
}

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Runs `op` and returns its result with the getRandomValues outputs requested while it ran. */
async function during<T>(op: () => Promise<T>): Promise<{ result: T; drawn: Uint8Array[] }> {
  const from = outputs.length;
  const result = await op();
  return { result, drawn: outputs.slice(from) };
}

describe('salt and IV are drawn for each blob', () => {
  async function setup(): Promise<{ client: KMSClient; keyId: string }> {
    const client = new KMSClient();
    const { KeyMetadata } = await client.send(new CreateKeyCommand({}));
    return { client, keyId: KeyMetadata!.KeyId };
  }

  it('every blob of every sealing operation takes its salt and IV from a request made during that operation', async () => {
    const { client, keyId } = await setup();
    const ops: [string, () => Promise<Uint8Array>][] = [
      [
        'Encrypt',
        async () =>
          (await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([1, 2, 3]) })))
            .CiphertextBlob!,
      ],
      [
        'GenerateDataKey',
        async () =>
          (await client.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }))).CiphertextBlob!,
      ],
      [
        'GenerateDataKeyWithoutPlaintext',
        async () =>
          (await client.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyId, NumberOfBytes: 16 })))
            .CiphertextBlob!,
      ],
      [
        'GenerateDataKeyPair',
        async () =>
          (await client.send(new GenerateDataKeyPairCommand({ KeyId: keyId, KeyPairSpec: 'ECC_NIST_P256' })))
            .PrivateKeyCiphertextBlob!,
      ],
      [
        'GenerateDataKeyPairWithoutPlaintext',
        async () =>
          (
            await client.send(
              new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: keyId, KeyPairSpec: 'ECC_NIST_P256' }),
            )
          ).PrivateKeyCiphertextBlob!,
      ],
    ];
    const seen = new Set<string>();
    // Several rounds: a pool drawn ahead would serve the later blobs from an earlier request.
    for (let round = 0; round < 3; round++) {
      for (const [name, op] of ops) {
        const { result: blob, drawn } = await during(op);
        const si = saltAndIv(blob);
        expect(
          drawn.some((d) => contains(d, si)),
          `${name}, round ${round}: salt and IV drawn during the call`,
        ).toBe(true);
        // One request of its own for the salt and IV: no bytes left over for a later blob.
        expect(
          drawn.some((d) => d.length === si.length && hex(d) === hex(si)),
          `${name}: a request of exactly salt ‖ IV`,
        ).toBe(true);
        expect(seen.has(hex(si))).toBe(false);
        seen.add(hex(si));
      }
    }
  });

  it("ReEncrypt draws the new blob's salt and IV during the call", async () => {
    const { client, keyId } = await setup();
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([9]) }));
    const { result, drawn } = await during(() =>
      client.send(new ReEncryptCommand({ CiphertextBlob, DestinationKeyId: keyId })),
    );
    expect(drawn.some((d) => contains(d, saltAndIv(result.CiphertextBlob!)))).toBe(true);
  });

  it('given the same entropy, an Encrypt repeats exactly; given other entropy, it differs (nothing drawn ahead takes part)', async () => {
    const { client, keyId } = await setup();
    // Some earlier blobs, so that any bytes kept from them would be waiting now.
    for (let i = 0; i < 5; i++) await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([i]) }));
    const encrypt = async () =>
      (await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([7, 7, 7]) }))).CiphertextBlob!;
    reseed('clone');
    const a = await encrypt();
    reseed('clone');
    const b = await encrypt();
    reseed('other clone');
    const c = await encrypt();
    expect(hex(b)).toBe(hex(a));
    expect(hex(saltAndIv(c))).not.toBe(hex(saltAndIv(a)));
    // and the repeated blob is a valid one
    const { Plaintext } = await client.send(new DecryptCommand({ CiphertextBlob: b }));
    expect([...Plaintext!]).toEqual([7, 7, 7]);
  });

  it('given the same entropy, GenerateDataKeyPair repeats its key pair and blob: the core keeps no entropy between calls', async () => {
    const { client, keyId } = await setup();
    await client.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    const pair = () => client.send(new GenerateDataKeyPairCommand({ KeyId: keyId, KeyPairSpec: 'ECC_NIST_P256' }));
    await pair(); // leaves whatever the core might keep from a call
    reseed('clone');
    const a = await pair();
    reseed('clone');
    const b = await pair();
    reseed('other clone');
    const c = await pair();
    expect(hex(b.PrivateKeyPlaintext!)).toBe(hex(a.PrivateKeyPlaintext!));
    expect(hex(b.PrivateKeyCiphertextBlob!)).toBe(hex(a.PrivateKeyCiphertextBlob!));
    expect(hex(c.PrivateKeyPlaintext!)).not.toBe(hex(a.PrivateKeyPlaintext!));
    expect(hex(saltAndIv(c.PrivateKeyCiphertextBlob!))).not.toBe(hex(saltAndIv(a.PrivateKeyCiphertextBlob!)));
  });

  it('the core alone: a key pair generated after a reseed repeats, whatever earlier calls drew', () => {
    for (const spec of ['ECC_NIST_P256', 'ECC_NIST_EDWARDS25519'] as const) {
      generateKeyPair(spec);
      reseed(`core ${spec}`);
      const a = generateKeyPair(spec);
      generateKeyPair('ECC_NIST_P384'); // draws, and would leave bytes in a kept pool
      reseed(`core ${spec}`);
      const b = generateKeyPair(spec);
      expect(hex(b.privateKey), spec).toBe(hex(a.privateKey));
    }
  });
});
