// Where the Recipient check sits in the five operations that take one, and what it refuses there:
//   - an attestation document whose public_key cannot receive (an RSA key with e = 1, an even e,
//     e = 2^64 + 1, an even modulus, 2047 or 4097 bits) is ValidationException before DryRun, and
//     before the secret of the operation exists: no key pair, data key, random bytes or shared
//     secret is made and nothing is decrypted (the core functions that would are observed here);
//   - the check comes after the key, its authorization and its state in every operation, Decrypt
//     included: a caller without permission gets AccessDeniedException, a disabled key
//     DisabledException, an unknown key NotFoundException, whatever the document.
// The SubjectPublicKeyInfos are encoded here (DER by hand) around the modulus of a node:crypto key.

import { describe, it, expect, vi, beforeAll, beforeEach } from 'vitest';
import { createPublicKey, generateKeyPairSync, publicEncrypt, constants } from 'node:crypto';
import {
  AccessDeniedException,
  DisableKeyCommand,
  DisabledException,
  DryRunOperationException,
  KMSClient,
  MemoryKeyStore,
  NotFoundException,
  ValidationException,
  type KeyPair,
  type KeyPairSpec,
} from '../../src/kms/index.js';
import {
  DecryptCommand,
  DeriveSharedSecretCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyPairCommand,
  GenerateRandomCommand,
  GetPublicKeyCommand,
} from '../../src/kms/registry.js';
import * as moduleJs from '../../src/core/module.js';
import * as ecdsaJs from '../../src/core/ecdsa.js';
import * as rsaJs from '../../src/core/rsa.js';
import * as ciphertextJs from '../../src/kms/ciphertext.js';
import { generateKeyPair } from '../../src/core/index.js';
import { makeAttestationDocument, makeTestPki, type TestPki } from '../helpers/nitro.js';
import { newKey, rejection } from '../helpers/kms.js';

// The functions that make or reveal the operations' secrets, observed (their behaviour unchanged).
vi.mock('../../src/core/module.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/core/module.js')>();
  return { ...original, randomBytes: vi.fn(original.randomBytes) };
});
vi.mock('../../src/core/ecdsa.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/core/ecdsa.js')>();
  return { ...original, ecdhDerive: vi.fn(original.ecdhDerive) };
});
vi.mock('../../src/core/rsa.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/core/rsa.js')>();
  return { ...original, rsaOaepDecrypt: vi.fn(original.rsaOaepDecrypt) };
});
vi.mock('../../src/kms/ciphertext.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/kms/ciphertext.js')>();
  return { ...original, openBlob: vi.fn(original.openBlob) };
});
const randomBytes = vi.mocked(moduleJs.randomBytes);
const ecdhDerive = vi.mocked(ecdsaJs.ecdhDerive);
const rsaOaepDecrypt = vi.mocked(rsaJs.rsaOaepDecrypt);
const openBlob = vi.mocked(ciphertextJs.openBlob);

// ---- RSA SubjectPublicKeyInfo, DER, written here -------------------------------------------

function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(parts);
  const len =
    body.length < 0x80
      ? [body.length]
      : body.length < 0x100
        ? [0x81, body.length]
        : [0x82, body.length >> 8, body.length & 0xff];
  return new Uint8Array(Buffer.concat([Uint8Array.of(tag, ...len), body]));
}

/** A DER INTEGER of a non-negative value. */
function integer(v: bigint): Uint8Array {
  let hex = v.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return tlv(0x02, Buffer.from(hex, 'hex'));
}

/** AlgorithmIdentifier { rsaEncryption, NULL }. */
const RSA_ALGORITHM = Buffer.from('300d06092a864886f70d0101010500', 'hex');

function rsaSpki(n: bigint, e: bigint): Uint8Array {
  const key = tlv(0x30, integer(n), integer(e));
  return tlv(0x30, RSA_ALGORITHM, tlv(0x03, Uint8Array.of(0), key));
}

let pki: TestPki;
let modulus: bigint;
/** Keys the Recipient check refuses, with the detail its message gives. */
let badKeys: [string, Uint8Array, RegExp][];

beforeAll(() => {
  pki = makeTestPki();
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  modulus = BigInt(`0x${Buffer.from(publicKey.export({ format: 'jwk' }).n!, 'base64url').toString('hex')}`);
  // The encoder above writes what node:crypto writes for this key.
  expect(Buffer.from(rsaSpki(modulus, 65537n))).toEqual(publicKey.export({ type: 'spki', format: 'der' }));
  const exponent = /the public exponent of the recipient public key is not an odd number of at least 3 and below 2\^64/;
  badKeys = [
    ['e = 1', rsaSpki(modulus, 1n), exponent],
    ['e = 65536 (even)', rsaSpki(modulus, 65536n), exponent],
    ['e = 2^64 + 1', rsaSpki(modulus, (1n << 64n) + 1n), exponent],
    ['an even modulus', rsaSpki(modulus - 1n, 65537n), /the modulus of the recipient public key is even/],
    ['2047 bits', rsaSpki((modulus >> 1n) | 1n, 65537n), /an RSA key of 2047 bits; it must have 2048 to 4096/],
    ['4097 bits', rsaSpki((modulus << 2049n) | 1n, 65537n), /an RSA key of 4097 bits; it must have 2048 to 4096/],
  ];
});
beforeEach(() => {
  vi.clearAllMocks();
});

const recipientOf = (AttestationDocument: Uint8Array) => ({
  KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' as const,
  AttestationDocument,
});
const NOT_RSA =
  /^The public_key of the attestation document in Recipient is not an RSA public key of 2048 to 4096 bits/;

/** A client trusting the test PKI, counting the key pairs it generates, with a key of each kind the operations use. */
async function setup(extra: ConstructorParameters<typeof KMSClient>[0] = {}) {
  const counter = { pairs: 0 };
  const store = extra.store ?? new MemoryKeyStore();
  const c = new KMSClient({
    store,
    attestationRoots: [pki.rootDer],
    generateKeyPair: (spec: KeyPairSpec): KeyPair => {
      counter.pairs++;
      return generateKeyPair(spec);
    },
    ...extra,
  });
  const md = await newKey(c);
  const rsa = await newKey(c, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
  const agree = await newKey(c, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
  const { CiphertextBlob } = await c.send(new EncryptCommand({ KeyId: md.KeyId, Plaintext: Uint8Array.of(1, 2) }));
  const { PublicKey } = await c.send(new GetPublicKeyCommand({ KeyId: rsa.KeyId }));
  const rsaCiphertext = new Uint8Array(
    publicEncrypt(
      {
        key: createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' }),
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: 'sha256',
      },
      Uint8Array.of(3, 4),
    ),
  );
  const peer = new Uint8Array(
    generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' }),
  );
  /** Each operation with `Recipient` (and DryRun when asked; GenerateRandom has none). */
  const calls = (Recipient: ReturnType<typeof recipientOf>, DryRun?: boolean) =>
    ({
      GenerateDataKeyPair: () =>
        c.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'ECC_NIST_P256', Recipient, DryRun })),
      GenerateDataKey: () =>
        c.send(new GenerateDataKeyCommand({ KeyId: md.KeyId, KeySpec: 'AES_256', Recipient, DryRun })),
      Decrypt: () => c.send(new DecryptCommand({ CiphertextBlob, Recipient, DryRun })),
      'Decrypt (RSAES_OAEP_SHA_256)': () =>
        c.send(
          new DecryptCommand({
            KeyId: rsa.KeyId,
            CiphertextBlob: rsaCiphertext,
            EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
            Recipient,
            DryRun,
          }),
        ),
      DeriveSharedSecret: () =>
        c.send(
          new DeriveSharedSecretCommand({
            KeyId: agree.KeyId,
            KeyAgreementAlgorithm: 'ECDH',
            PublicKey: peer,
            Recipient,
            DryRun,
          }),
        ),
      ...(DryRun === true
        ? {}
        : { GenerateRandom: () => c.send(new GenerateRandomCommand({ NumberOfBytes: 32, Recipient })) }),
    }) as Record<string, () => Promise<unknown>>;
  // CreateKey made the asymmetric keys through generateKeyPair: only what follows is counted.
  counter.pairs = 0;
  return { c, store, md, rsa, agree, counter, calls };
}

/** Starts observing anew. */
function reset(counter: { pairs: number }): void {
  vi.clearAllMocks();
  counter.pairs = 0;
}

/** Nothing secret was made or revealed since reset(). */
function expectNothingMade(counter: { pairs: number }, what: string): void {
  expect(counter.pairs, `${what}: key pairs`).toBe(0);
  expect(randomBytes, `${what}: random bytes`).not.toHaveBeenCalled();
  expect(ecdhDerive, `${what}: ECDH`).not.toHaveBeenCalled();
  expect(rsaOaepDecrypt, `${what}: RSA decryption`).not.toHaveBeenCalled();
  expect(openBlob, `${what}: blob opened`).not.toHaveBeenCalled();
}

describe('a public_key that cannot receive is refused before DryRun and before the secret exists', () => {
  it('on all five operations, with DryRun and without', async () => {
    const s = await setup();
    for (const [what, publicKey, detail] of badKeys) {
      const Recipient = recipientOf(makeAttestationDocument(pki, { publicKey }));
      for (const dryRun of [true, undefined]) {
        for (const [op, call] of Object.entries(s.calls(Recipient, dryRun))) {
          const label = `${op}, ${what}${dryRun === true ? ', DryRun' : ''}`;
          reset(s.counter);
          const e = await rejection(call(), ValidationException);
          expect(e.message, label).toMatch(NOT_RSA);
          expect(e.message, label).toMatch(detail);
          expectNothingMade(s.counter, label);
        }
      }
    }
  });

  it('the same operations with a good key: DryRunOperationException, and the real calls deliver', async () => {
    const s = await setup();
    // Boundaries that are valid: e = 3 and e = 2^64 - 1 (odd, below 2^64).
    for (const e of [3n, (1n << 64n) - 1n]) {
      const Recipient = recipientOf(makeAttestationDocument(pki, { publicKey: rsaSpki(modulus, e) }));
      for (const [op, call] of Object.entries(s.calls(Recipient, true))) {
        reset(s.counter);
        await rejection(call(), DryRunOperationException);
        // DeriveSharedSecret derives (and wipes) before DryRun, as it does without a Recipient.
        if (op !== 'DeriveSharedSecret') expectNothingMade(s.counter, `${op} DryRun, e = ${e}`);
      }
      for (const [op, call] of Object.entries(s.calls(Recipient))) {
        const out = (await call()) as { CiphertextForRecipient?: Uint8Array };
        expect(out.CiphertextForRecipient, `${op}, e = ${e}`).toBeInstanceOf(Uint8Array);
      }
    }
  });
});

describe('the Recipient check comes after the key, its authorization and state, in all five operations', () => {
  const badDocument = () => Uint8Array.of(1); // not CBOR: refused whenever it is looked at

  it('a caller without permission gets AccessDeniedException whatever the document', async () => {
    const store = new MemoryKeyStore();
    const s = await setup({ store });
    const stranger = new KMSClient({
      store,
      principal: 'arn:aws:iam::111122223333:user/stranger',
      attestationRoots: [pki.rootDer],
      identityPolicies: [
        { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:DescribeKey', Resource: '*' }] },
      ],
    });
    const { CiphertextBlob } = await s.c.send(new EncryptCommand({ KeyId: s.md.KeyId, Plaintext: Uint8Array.of(1) }));
    for (const document of [badDocument(), makeAttestationDocument(pki, { publicKey: badKeys[0]![1] })]) {
      const Recipient = recipientOf(document);
      const calls: [string, Promise<unknown>][] = [
        [
          'GenerateDataKeyPair',
          stranger.send(new GenerateDataKeyPairCommand({ KeyId: s.md.KeyId, KeyPairSpec: 'ECC_NIST_P256', Recipient })),
        ],
        [
          'GenerateDataKey',
          stranger.send(new GenerateDataKeyCommand({ KeyId: s.md.KeyId, NumberOfBytes: 8, Recipient })),
        ],
        ['Decrypt', stranger.send(new DecryptCommand({ CiphertextBlob, Recipient }))],
        ['Decrypt with KeyId', stranger.send(new DecryptCommand({ CiphertextBlob, KeyId: s.md.KeyId, Recipient }))],
        [
          'Decrypt, DryRun IGNORE_CIPHERTEXT',
          stranger.send(
            new DecryptCommand({
              KeyId: s.md.KeyId,
              Recipient,
              DryRun: true,
              DryRunModifiers: ['IGNORE_CIPHERTEXT'],
            }),
          ),
        ],
        ['GenerateRandom', stranger.send(new GenerateRandomCommand({ NumberOfBytes: 8, Recipient }))],
        [
          'DeriveSharedSecret',
          stranger.send(
            new DeriveSharedSecretCommand({
              KeyId: s.agree.KeyId,
              KeyAgreementAlgorithm: 'ECDH',
              PublicKey: new Uint8Array(91),
              Recipient,
            }),
          ),
        ],
      ];
      for (const [op, call] of calls) {
        const e = await rejection(call, AccessDeniedException);
        expect(e.message, op).toMatch(/^User: arn:aws:iam::111122223333:user\/stranger is not authorized to perform/);
      }
    }
  });

  it('a disabled key gets DisabledException and an unknown key NotFoundException whatever the document', async () => {
    const s = await setup();
    const { CiphertextBlob } = await s.c.send(new EncryptCommand({ KeyId: s.md.KeyId, Plaintext: Uint8Array.of(1) }));
    const rsaCiphertext = new Uint8Array(256);
    for (const key of [s.md, s.rsa, s.agree]) await s.c.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    const unknown = '1234abcd-12ab-34cd-56ef-1234567890ab';
    const Recipient = recipientOf(badDocument());
    /** The operations by key id (calls made when asked: each is awaited at once). */
    const byKey = (KeyId: string, agreeId = KeyId): [string, () => Promise<unknown>][] => [
      [
        'GenerateDataKeyPair',
        () => s.c.send(new GenerateDataKeyPairCommand({ KeyId, KeyPairSpec: 'ECC_NIST_P256', Recipient })),
      ],
      ['GenerateDataKey', () => s.c.send(new GenerateDataKeyCommand({ KeyId, NumberOfBytes: 8, Recipient }))],
      [
        'DeriveSharedSecret',
        () =>
          s.c.send(
            new DeriveSharedSecretCommand({
              KeyId: agreeId,
              KeyAgreementAlgorithm: 'ECDH',
              PublicKey: new Uint8Array(91),
              Recipient,
            }),
          ),
      ],
      [
        'Decrypt, DryRun IGNORE_CIPHERTEXT',
        () => s.c.send(new DecryptCommand({ KeyId, Recipient, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] })),
      ],
      [
        'Decrypt (RSAES_OAEP_SHA_256)',
        () =>
          s.c.send(
            new DecryptCommand({
              KeyId: KeyId === s.md.KeyId ? s.rsa.KeyId : KeyId,
              CiphertextBlob: rsaCiphertext,
              EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
              Recipient,
            }),
          ),
      ],
    ];
    const disabled: [string, () => Promise<unknown>][] = [
      ...byKey(s.md.KeyId, s.agree.KeyId),
      ['Decrypt', () => s.c.send(new DecryptCommand({ CiphertextBlob, Recipient }))],
      ['Decrypt, DryRun', () => s.c.send(new DecryptCommand({ CiphertextBlob, Recipient, DryRun: true }))],
    ];
    for (const [op, call] of disabled) {
      const e = await rejection(call(), DisabledException);
      expect(e.message, op).toMatch(/is disabled\.$/);
    }
    for (const [op, call] of byKey(unknown)) {
      const e = await rejection(call(), NotFoundException);
      expect(e.message, op).toContain(unknown);
    }
  });

  it('with a usable key, a document that does not verify is ValidationException, before DryRun and before decrypting', async () => {
    const s = await setup();
    for (const dryRun of [true, undefined]) {
      for (const [op, call] of Object.entries(s.calls(recipientOf(badDocument()), dryRun))) {
        reset(s.counter);
        const e = await rejection(call(), ValidationException);
        expect(e.message, op).toMatch(/^The attestation document in Recipient is not valid: /);
        expectNothingMade(s.counter, op);
      }
    }
    const dryRun = s.c.send(
      new DecryptCommand({
        KeyId: s.md.KeyId,
        Recipient: recipientOf(badDocument()),
        DryRun: true,
        DryRunModifiers: ['IGNORE_CIPHERTEXT'],
      }),
    );
    await rejection(dryRun, ValidationException);
  });
});
