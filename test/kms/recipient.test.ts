// Recipient through KMSClient: an attestation document of a test PKI (test/helpers/nitro.ts, made
// with node:crypto) with the enclave's RSA key. The five operations answer CiphertextForRecipient
// and no plaintext; the envelope opens with openEnvelope, with node:crypto (RSA-OAEP-SHA-256 and
// AES-256-CBC over the parsed envelope) and with `openssl cms -decrypt`, to what the operation
// would have returned. Every refusal of the verifier, a document without an RSA public_key, a
// KeyEncryptionAlgorithm other than RSAES_OAEP_SHA_256 and DryRun are ValidationException (the
// wording ours); the ...WithoutPlaintext operations, Encrypt and ReEncrypt take no Recipient.
// AWS's real documents verify against the default root, and are refused for their raw public_key.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  privateDecrypt,
  constants,
} from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import {
  DryRunOperationException,
  KMSClient,
  MemoryKeyStore,
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
  GenerateDataKeyPairWithoutPlaintextCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateRandomCommand,
  GetPublicKeyCommand,
  ReEncryptCommand,
  OPERATION_NAMES,
  REGISTRY,
} from '../../src/kms/registry.js';
import { openEnvelope, parseEnvelope } from '../../src/kms/attestation/cms.js';
import { AttestationError, verifyNitroAttestation, type AttestationFailure } from '../../src/kms/attestation/nitro.js';
import { AWS_NITRO_ENCLAVES_ROOT_G1 } from '../../src/kms/attestation/aws-nitro-root.js';
import { generateKeyPair } from '../../src/core/index.js';
import { startServer } from '../../src/node/http/server.js';
import {
  certificatesPem,
  enclaveKeyPair,
  makeAttestationDocument,
  makeCertificate,
  makeLeaf,
  p384,
  makeTestPki,
  sharedEnclaveKeyPair,
  type TestPki,
} from '../helpers/nitro.js';
import { newKey, rejection } from '../helpers/kms.js';
import { readVector, readVectorJson } from '../helpers/vectors.js';

let pki: TestPki;
let other: TestPki;
let doc: Uint8Array;
const enclave = () => sharedEnclaveKeyPair();
const recipientOf = (AttestationDocument: Uint8Array) => ({
  KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' as const,
  AttestationDocument,
});
const client = (extra: ConstructorParameters<typeof KMSClient>[0] = {}) =>
  new KMSClient({ store: new MemoryKeyStore(), attestationRoots: [pki.rootDer], ...extra });

let dir: string;
beforeAll(() => {
  pki = makeTestPki();
  other = makeTestPki('another test');
  doc = makeAttestationDocument(pki);
  dir = mkdtempSync(join(tmpdir(), 'wasm-kms-recipient-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The envelope opened with node:crypto over the fields parseEnvelope finds (OAEP SHA-256, then AES-256-CBC). */
function openWithNode(cms: Uint8Array, pkcs8: Uint8Array): Uint8Array {
  const env = parseEnvelope(cms);
  expect(env.keyEncryptionAlgorithm).toBe('1.2.840.113549.1.1.7'); // id-RSAES-OAEP
  expect(env.contentEncryptionAlgorithm).toBe('2.16.840.1.101.3.4.1.42'); // aes256-CBC
  const key = privateDecrypt(
    {
      key: createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }),
      padding: constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: 'sha256',
    },
    env.encryptedKey,
  );
  const d = createDecipheriv('aes-256-cbc', key, env.iv);
  return new Uint8Array(Buffer.concat([d.update(env.encryptedContent), d.final()]));
}

/** The envelope opened by `openssl cms -decrypt` with the enclave's private key (PEM). */
function openWithOpenssl(cms: Uint8Array, pem: string): Uint8Array {
  const name = `${Math.random().toString(36).slice(2)}`;
  writeFileSync(join(dir, `${name}.der`), cms);
  writeFileSync(join(dir, `${name}.key`), pem, { mode: 0o600 });
  execFileSync('openssl', [
    'cms',
    '-decrypt',
    '-inform',
    'DER',
    '-in',
    join(dir, `${name}.der`),
    '-inkey',
    join(dir, `${name}.key`),
    '-out',
    join(dir, `${name}.out`),
  ]);
  return new Uint8Array(readFileSync(join(dir, `${name}.out`)));
}

describe('the five operations deliver to the attested key only', () => {
  it('GenerateDataKeyPair: the PKCS#8 of the returned PublicKey, opened by openEnvelope, node:crypto and openssl', async () => {
    const c = client();
    const md = await newKey(c);
    for (const spec of ['RSA_2048', 'ECC_NIST_P256'] as const) {
      const out = await c.send(
        new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: spec, Recipient: recipientOf(doc) }),
      );
      expect(out.PrivateKeyPlaintext).toBeUndefined();
      expect('PrivateKeyPlaintext' in out).toBe(false);
      expect(out.KeyPairSpec).toBe(spec);
      expect(out.KeyId).toBe(md.Arn);
      const cfr = out.CiphertextForRecipient!;
      const pkcs8 = openEnvelope(cfr, enclave().pkcs8);
      expect(openWithNode(cfr, enclave().pkcs8)).toEqual(pkcs8);
      expect(openWithOpenssl(cfr, enclave().pem)).toEqual(pkcs8);
      // The private key is the one of the returned public key.
      const spki = createPublicKey(createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' })).export({
        type: 'spki',
        format: 'der',
      });
      expect(new Uint8Array(spki)).toEqual(out.PublicKey);
      // The KMS-wrapped copy still decrypts without a Recipient, to the same PKCS#8.
      const plain = await c.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob }));
      expect(plain.Plaintext).toEqual(pkcs8);
    }
  });

  it('GenerateDataKey: the data key, also under CiphertextBlob', async () => {
    const c = client();
    const md = await newKey(c);
    const out = await c.send(
      new GenerateDataKeyCommand({ KeyId: md.KeyId, KeySpec: 'AES_256', Recipient: recipientOf(doc) }),
    );
    expect('Plaintext' in out).toBe(false);
    const key = openEnvelope(out.CiphertextForRecipient!, enclave().pkcs8);
    expect(key.length).toBe(32);
    expect(openWithOpenssl(out.CiphertextForRecipient!, enclave().pem)).toEqual(key);
    const plain = await c.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob }));
    expect(plain.Plaintext).toEqual(key);
  });

  it('Decrypt: symmetric and RSAES_OAEP_SHA_256 ciphertexts', async () => {
    const c = client();
    const md = await newKey(c);
    const message = new TextEncoder().encode('for the enclave only');
    const { CiphertextBlob } = await c.send(
      new EncryptCommand({ KeyId: md.KeyId, Plaintext: message, EncryptionContext: { a: 'b' } }),
    );
    const out = await c.send(
      new DecryptCommand({ CiphertextBlob, EncryptionContext: { a: 'b' }, Recipient: recipientOf(doc) }),
    );
    expect('Plaintext' in out).toBe(false);
    expect(out.KeyId).toBe(md.Arn);
    expect(out.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    expect(openEnvelope(out.CiphertextForRecipient!, enclave().pkcs8)).toEqual(message);
    expect(openWithNode(out.CiphertextForRecipient!, enclave().pkcs8)).toEqual(message);

    const rsa = await newKey(c, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    const enc = await c.send(
      new EncryptCommand({ KeyId: rsa.KeyId, Plaintext: message, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
    );
    const out2 = await c.send(
      new DecryptCommand({
        KeyId: rsa.KeyId,
        CiphertextBlob: enc.CiphertextBlob,
        EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
        Recipient: recipientOf(doc),
      }),
    );
    expect('Plaintext' in out2).toBe(false);
    expect(openEnvelope(out2.CiphertextForRecipient!, enclave().pkcs8)).toEqual(message);
  });

  it('GenerateRandom: the bytes, of the length asked', async () => {
    const c = client();
    const out = await c.send(new GenerateRandomCommand({ NumberOfBytes: 1024, Recipient: recipientOf(doc) }));
    expect('Plaintext' in out).toBe(false);
    const bytes = openWithOpenssl(out.CiphertextForRecipient!, enclave().pem);
    expect(bytes.length).toBe(1024);
    expect(openEnvelope(out.CiphertextForRecipient!, enclave().pkcs8)).toEqual(bytes);
    expect(new Set(bytes).size).toBeGreaterThan(200);
  });

  it("DeriveSharedSecret: the secret node:crypto's ECDH derives from the other side", async () => {
    const c = client();
    const md = await newKey(c, { KeySpec: 'ECC_NIST_P384', KeyUsage: 'KEY_AGREEMENT' });
    const peer = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const out = await c.send(
      new DeriveSharedSecretCommand({
        KeyId: md.KeyId,
        KeyAgreementAlgorithm: 'ECDH',
        PublicKey: new Uint8Array(peer.publicKey.export({ type: 'spki', format: 'der' })),
        Recipient: recipientOf(doc),
      }),
    );
    expect('SharedSecret' in out).toBe(false);
    expect(out.KeyAgreementAlgorithm).toBe('ECDH');
    const { PublicKey } = await c.send(new GetPublicKeyCommand({ KeyId: md.KeyId }));
    const expected = diffieHellman({
      privateKey: peer.privateKey,
      publicKey: createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' }),
    });
    expect(openEnvelope(out.CiphertextForRecipient!, enclave().pkcs8)).toEqual(new Uint8Array(expected));
  });

  it('a 4096-bit enclave key, and a document with a nonce and user data', async () => {
    const big = enclaveKeyPair(4096);
    const d = makeAttestationDocument(pki, {
      publicKey: big.spki,
      nonce: Uint8Array.of(1, 2, 3),
      userData: new Uint8Array(512),
    });
    const out = await client().send(new GenerateRandomCommand({ NumberOfBytes: 32, Recipient: recipientOf(d) }));
    expect(openEnvelope(out.CiphertextForRecipient!, big.pkcs8).length).toBe(32);
    expect(openWithOpenssl(out.CiphertextForRecipient!, big.pem).length).toBe(32);
  });

  it('each response has a fresh envelope: another content key and IV every time', async () => {
    const c = client();
    const md = await newKey(c);
    const { CiphertextBlob } = await c.send(new EncryptCommand({ KeyId: md.KeyId, Plaintext: Uint8Array.of(7) }));
    const a = await c.send(new DecryptCommand({ CiphertextBlob, Recipient: recipientOf(doc) }));
    const b = await c.send(new DecryptCommand({ CiphertextBlob, Recipient: recipientOf(doc) }));
    const ea = parseEnvelope(a.CiphertextForRecipient!);
    const eb = parseEnvelope(b.CiphertextForRecipient!);
    expect(ea.iv).not.toEqual(eb.iv);
    expect(ea.encryptedKey).not.toEqual(eb.encryptedKey);
  });
});

/** What each AttestationFailure says in the ValidationException (the message is ours). */
const FAILURE_MESSAGE: Record<AttestationFailure, RegExp> = {
  malformed:
    /^The attestation document in Recipient is not valid: it is not a well-formed AWS Nitro Enclaves attestation document/,
  algorithm: /^The attestation document in Recipient is not valid: it is not signed with ES384/,
  signature: /^The attestation document in Recipient is not valid: its signature does not verify/,
  chain: /^The attestation document in Recipient is not valid: its certificate chain is not valid/,
  untrusted:
    /^The attestation document in Recipient is not valid: its certificate chain does not lead to a trusted root/,
  expired: /^The attestation document in Recipient is not valid: a certificate of its chain is not valid at the time/,
};

/** Documents the verifier refuses, one per switch, with the failure it reports. */
function refusedDocuments(): [string, Uint8Array, AttestationFailure][] {
  const hour = 3600_000;
  const now = Date.now();
  const foreignLeaf = makeLeaf(other, now);
  return [
    ['not CBOR', Uint8Array.of(0xff, 0x00, 0x01), 'malformed'],
    ['no pcrs', makeAttestationDocument(pki, { omit: ['pcrs'] }), 'malformed'],
    ['a digest other than SHA384', makeAttestationDocument(pki, { payload: { digest: 'SHA256' } }), 'malformed'],
    ['ES256 in the protected header', makeAttestationDocument(pki, { alg: -7 }), 'algorithm'],
    ['a flipped signature bit', makeAttestationDocument(pki, { flipSignatureByte: 20 }), 'signature'],
    [
      'signed by a key not the leaf certificate’s',
      makeAttestationDocument(pki, { signer: other.issuerKey }),
      'signature',
    ],
    ['a bundle certificate with a bad signature', makeAttestationDocument(pki, { tamperBundle: 1 }), 'chain'],
    [
      'a leaf issued by another PKI under this bundle',
      makeAttestationDocument(pki, { certificate: foreignLeaf.der, signer: foreignLeaf.key }),
      'chain',
    ],
    ['a bundle of another root', makeAttestationDocument(other, {}), 'untrusted'],
    [
      'a leaf that expired an hour ago',
      makeAttestationDocument(pki, {
        timestamp: now - 2 * hour,
        leafNotBefore: new Date(now - 3 * hour),
        leafNotAfter: new Date(now - hour),
      }),
      'expired',
    ],
    [
      'a leaf valid only from tomorrow',
      makeAttestationDocument(pki, {
        leafNotBefore: new Date(now + 24 * hour),
        leafNotAfter: new Date(now + 27 * hour),
      }),
      'expired',
    ],
  ];
}

describe('documents that do not verify, and keys that cannot receive', () => {
  it('every AttestationFailure is ValidationException naming the problem, on all five operations', async () => {
    const c = client();
    const md = await newKey(c);
    const agree = await newKey(c, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
    const { CiphertextBlob } = await c.send(new EncryptCommand({ KeyId: md.KeyId, Plaintext: Uint8Array.of(1) }));
    const peer = new Uint8Array(
      generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' }),
    );
    const seen = new Set<AttestationFailure>();
    for (const [what, document, failure] of refusedDocuments()) {
      // The verifier itself reports this failure for this document...
      let reported: unknown;
      try {
        verifyNitroAttestation(document, { roots: [pki.rootDer], now: new Date() });
      } catch (err) {
        reported = err;
      }
      expect(reported, what).toBeInstanceOf(AttestationError);
      expect((reported as AttestationError).failure, what).toBe(failure);
      seen.add(failure);
      // ...and each operation answers with its message.
      const Recipient = recipientOf(document);
      const calls = [
        c.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'ECC_NIST_P256', Recipient })),
        c.send(new GenerateDataKeyCommand({ KeyId: md.KeyId, NumberOfBytes: 16, Recipient })),
        c.send(new DecryptCommand({ CiphertextBlob, Recipient })),
        c.send(new GenerateRandomCommand({ NumberOfBytes: 16, Recipient })),
        c.send(
          new DeriveSharedSecretCommand({
            KeyId: agree.KeyId,
            KeyAgreementAlgorithm: 'ECDH',
            PublicKey: peer,
            Recipient,
          }),
        ),
      ];
      for (const call of calls) {
        const e = await rejection(call, ValidationException);
        expect(e.message, what).toMatch(FAILURE_MESSAGE[failure]);
      }
    }
    expect([...seen].sort()).toEqual(['algorithm', 'chain', 'expired', 'malformed', 'signature', 'untrusted']);
  });

  it("the engine's clock is the verification time", async () => {
    let now = new Date();
    const c = client({ now: () => now });
    const d = makeAttestationDocument(pki);
    await c.send(new GenerateRandomCommand({ NumberOfBytes: 8, Recipient: recipientOf(d) }));
    now = new Date(Date.now() + 4 * 3600_000); // past the leaf's 3 hours
    const e = await rejection(
      c.send(new GenerateRandomCommand({ NumberOfBytes: 8, Recipient: recipientOf(d) })),
      ValidationException,
    );
    expect(e.message).toMatch(FAILURE_MESSAGE.expired);
    now = new Date(Date.now() - 3600_000); // before the leaf and the document
    await rejection(
      c.send(new GenerateRandomCommand({ NumberOfBytes: 8, Recipient: recipientOf(d) })),
      ValidationException,
    );
  });

  it('a document without a public_key, or whose key is not RSA-2048..4096, is refused', async () => {
    const c = client();
    const ec = new Uint8Array(
      generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' }),
    );
    const noKey = await rejection(
      c.send(
        new GenerateRandomCommand({
          NumberOfBytes: 8,
          Recipient: recipientOf(makeAttestationDocument(pki, { publicKey: null })),
        }),
      ),
      ValidationException,
    );
    expect(noKey.message).toBe(
      'The attestation document in Recipient has no public_key: there is no key to encrypt the response for.',
    );
    for (const publicKey of [new Uint8Array(32).fill(7), ec, enclaveKeyPair(1024).spki]) {
      const e = await rejection(
        c.send(
          new GenerateRandomCommand({
            NumberOfBytes: 8,
            Recipient: recipientOf(makeAttestationDocument(pki, { publicKey })),
          }),
        ),
        ValidationException,
      );
      expect(e.message).toMatch(
        /^The public_key of the attestation document in Recipient is not an RSA public key of 2048 to 4096 bits/,
      );
    }
  });

  it('KeyEncryptionAlgorithm: only RSAES_OAEP_SHA_256, at input validation; both members are needed', async () => {
    const c = client();
    const md = await newKey(c);
    const bad = await rejection(
      c.send(
        new GenerateDataKeyCommand({
          KeyId: md.KeyId,
          KeySpec: 'AES_256',
          Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_1' as 'RSAES_OAEP_SHA_256', AttestationDocument: doc },
        }),
      ),
      ValidationException,
    );
    expect(bad.message).toBe(
      "1 validation error detected: Value 'RSAES_OAEP_SHA_1' at 'recipient.keyEncryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RSAES_OAEP_SHA_256]",
    );
    // Validation comes before the key is looked up: a missing key does not change the answer.
    await rejection(
      c.send(
        new GenerateRandomCommand({
          NumberOfBytes: 8,
          Recipient: { KeyEncryptionAlgorithm: 'RSA' as 'RSAES_OAEP_SHA_256', AttestationDocument: doc },
        }),
      ),
      ValidationException,
    );
    const noAlg = await rejection(
      c.send(new GenerateRandomCommand({ NumberOfBytes: 8, Recipient: { AttestationDocument: doc } })),
      ValidationException,
    );
    expect(noAlg.message).toBe('Recipient must have a KeyEncryptionAlgorithm: RSAES_OAEP_SHA_256.');
    const noDoc = await rejection(
      c.send(
        new GenerateRandomCommand({ NumberOfBytes: 8, Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' } }),
      ),
      ValidationException,
    );
    expect(noDoc.message).toBe('Recipient must have an AttestationDocument.');
  });

  it('DryRun verifies the document: a valid one is DryRunOperationException, a bad one ValidationException; nothing is generated', async () => {
    let pairs = 0;
    const c = client({
      generateKeyPair: (spec: KeyPairSpec): KeyPair => {
        pairs++;
        return generateKeyPair(spec);
      },
    });
    const md = await newKey(c);
    const call = (d: Uint8Array) =>
      c.send(
        new GenerateDataKeyPairCommand({
          KeyId: md.KeyId,
          KeyPairSpec: 'ECC_NIST_P256',
          Recipient: recipientOf(d),
          DryRun: true,
        }),
      );
    await rejection(call(doc), DryRunOperationException);
    const e = await rejection(call(makeAttestationDocument(pki, { flipSignatureByte: 3 })), ValidationException);
    expect(e.message).toMatch(FAILURE_MESSAGE.signature);
    const { CiphertextBlob } = await c.send(new EncryptCommand({ KeyId: md.KeyId, Plaintext: Uint8Array.of(1) }));
    await rejection(
      c.send(new DecryptCommand({ CiphertextBlob, DryRun: true, Recipient: recipientOf(Uint8Array.of(1)) })),
      ValidationException,
    );
    // A document whose key cannot receive is refused before DryRun too.
    const ecKey = await rejection(
      call(makeAttestationDocument(pki, { publicKey: new Uint8Array(32) })),
      ValidationException,
    );
    expect(ecKey.message).toMatch(/is not an RSA public key/);
    // A refused document or key: no pair is generated either.
    for (const d of [Uint8Array.of(1), makeAttestationDocument(pki, { publicKey: enclaveKeyPair(1024).spki })]) {
      await rejection(
        c.send(
          new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'ECC_NIST_P256', Recipient: recipientOf(d) }),
        ),
        ValidationException,
      );
    }
    expect(pairs).toBe(0);
  });

  it('Recipient is a member of the five operations the SDK model gives it, and of no other', () => {
    // The request shapes of @aws-sdk/client-kms's model that have a Recipient member.
    const types = readFileSync(
      createRequire(import.meta.url)
        .resolve('@aws-sdk/client-kms')
        .replace(/dist-cjs[/\\]index\.js$/, 'dist-types/models/models_0.d.ts'),
      'utf8',
    );
    const sdk: string[] = [];
    let shape = '';
    for (const line of types.split('\n')) {
      const m = /^export interface (\w+)Request /.exec(line);
      if (m !== null) shape = m[1]!;
      if (/^\s+Recipient\?: RecipientInfo/.test(line)) sdk.push(shape);
    }
    const ours = OPERATION_NAMES.filter((op) => 'Recipient' in REGISTRY[op].input);
    expect(sdk.sort()).toEqual([
      'Decrypt',
      'DeriveSharedSecret',
      'GenerateDataKey',
      'GenerateDataKeyPair',
      'GenerateRandom',
    ]);
    expect([...ours].sort()).toEqual(sdk);
  });

  it('the ...WithoutPlaintext operations, Encrypt and ReEncrypt take no Recipient: one given is ignored', async () => {
    const c = client();
    const md = await newKey(c);
    const Recipient = recipientOf(Uint8Array.of(1)); // would be refused where Recipient is read
    const pair = await c.send(
      new GenerateDataKeyPairWithoutPlaintextCommand({
        KeyId: md.KeyId,
        KeyPairSpec: 'ECC_NIST_P256',
        Recipient,
      } as never),
    );
    expect(pair.PrivateKeyCiphertextBlob).toBeDefined();
    expect('CiphertextForRecipient' in pair).toBe(false);
    expect('PrivateKeyPlaintext' in pair).toBe(false);
    const key = await c.send(
      new GenerateDataKeyWithoutPlaintextCommand({ KeyId: md.KeyId, KeySpec: 'AES_128', Recipient } as never),
    );
    expect(key.CiphertextBlob).toBeDefined();
    expect('CiphertextForRecipient' in key).toBe(false);
    const enc = await c.send(new EncryptCommand({ KeyId: md.KeyId, Plaintext: Uint8Array.of(5), Recipient } as never));
    expect('CiphertextForRecipient' in enc).toBe(false);
    const re = await c.send(
      new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: md.KeyId, Recipient } as never),
    );
    expect('CiphertextForRecipient' in re).toBe(false);
    const back = await c.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob }));
    expect(back.Plaintext).toEqual(Uint8Array.of(5));
  });
});

describe('trusted roots', () => {
  it("the default is AWS's Nitro Enclaves root: a test-PKI document is refused as untrusted", async () => {
    const c = new KMSClient();
    const e = await rejection(
      c.send(new GenerateRandomCommand({ NumberOfBytes: 8, Recipient: recipientOf(doc) })),
      ValidationException,
    );
    expect(e.message).toMatch(FAILURE_MESSAGE.untrusted);
    const pem = readVector('nitro/aws-nitro-enclaves-root-g1.pem').toString('utf8');
    const der = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
    expect(AWS_NITRO_ENCLAVES_ROOT_G1).toEqual(new Uint8Array(der));
  });

  it('attestationRoots takes DER bytes and PEM text, several roots', async () => {
    const both = new KMSClient({ attestationRoots: [other.rootPem, pki.rootDer] });
    for (const d of [doc, makeAttestationDocument(other)]) {
      const out = await both.send(new GenerateRandomCommand({ NumberOfBytes: 8, Recipient: recipientOf(d) }));
      expect(out.CiphertextForRecipient).toBeDefined();
    }
    const pem = new KMSClient({ attestationRoots: [pki.rootPem + other.rootPem] });
    await pem.send(
      new GenerateRandomCommand({ NumberOfBytes: 8, Recipient: recipientOf(makeAttestationDocument(other)) }),
    );
  });

  it('attestationRoots that are not certificates are a TypeError', () => {
    expect(() => new KMSClient({ attestationRoots: ['no certificate here'] })).toThrow(TypeError);
    expect(() => new KMSClient({ attestationRoots: [] })).toThrow(TypeError);
    expect(() => new KMSClient({ attestationRoots: [new TextEncoder().encode(pki.rootPem)] })).toThrow(TypeError);
    expect(() => new KMSClient({ attestationRoots: [42 as unknown as Uint8Array] })).toThrow(TypeError);
  });

  it('each root is parsed as a certificate, in KMSClient and startServer: a TypeError names the entry and the reason', async () => {
    const { der: leafDer } = makeLeaf(pki, Date.now());
    const rsaSigned = makeCertificate({
      subject: 'rsa root',
      issuer: 'rsa root',
      publicKey: p384().publicKey,
      signer: p384().privateKey,
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2049-01-01T00:00:00Z'),
      ca: true,
      keyUsage: [5, 6],
      signatureAlgorithm: '1.2.840.113549.1.1.11', // sha256WithRSAEncryption
    });
    const notCertificates: [string, Uint8Array | string, RegExp][] = [
      [
        'an empty SEQUENCE',
        Uint8Array.of(0x30, 0),
        /^attestationRoots\[1\] cannot be a root of attestation documents: /,
      ],
      [
        'a CERTIFICATE block holding AAAA',
        '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
        /^attestationRoots\[1\] \(certificate 1 of the PEM text\) cannot be a root of attestation documents: /,
      ],
      [
        'a second PEM block that is the root with a byte cut off',
        pki.rootPem + certificatesPem(pki.rootDer.subarray(0, pki.rootDer.length - 1)),
        /^attestationRoots\[1\] \(certificate 2 of the PEM text\) cannot be a root/,
      ],
      ['the root with a trailing byte', Uint8Array.of(...pki.rootDer, 0), /^attestationRoots\[1\] cannot be a root/],
      [
        'a leaf certificate (not a CA)',
        leafDer,
        /^attestationRoots\[1\] cannot be a root.*: it is not a CA certificate/,
      ],
      ['a certificate not signed with ecdsa-with-SHA384', rsaSigned, /^attestationRoots\[1\] cannot be a root.*SHA384/],
      [
        'PEM text of a private key only',
        '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
        /^attestationRoots\[1\] is PEM text without a usable certificate/,
      ],
    ];
    for (const [what, bad, message] of notCertificates) {
      let err: unknown;
      try {
        new KMSClient({ attestationRoots: [pki.rootDer, bad] });
      } catch (e) {
        err = e;
      }
      expect(err, what).toBeInstanceOf(TypeError);
      expect((err as Error).message, what).toMatch(message);
      if (typeof bad === 'string') continue; // the endpoint takes DER only
      const started = await startServer({ port: 0, attestationRoots: [pki.rootDer, bad] }).then(
        async (server) => {
          await server.close();
          return 'started';
        },
        (e: unknown) => e,
      );
      expect(started, `startServer: ${what}`).toBeInstanceOf(TypeError);
      expect((started as Error).message, `startServer: ${what}`).toMatch(message);
    }
    await expect(startServer({ port: 0, attestationRoots: ['x' as unknown as Uint8Array] })).rejects.toThrow(
      /^attestationRoots\[0\] is not DER bytes/,
    );
    // The intermediate CA of the test PKI can be a root: a CA certificate of the verifier's kind.
    expect(new KMSClient({ attestationRoots: [pki.intermediateDer, pki.rootPem] }).config.attestationRoots).toEqual([
      pki.intermediateDer,
      pki.rootDer,
    ]);
    const server = await startServer({ port: 0, attestationRoots: [pki.rootDer, AWS_NITRO_ENCLAVES_ROOT_G1] });
    await server.close();
  });
});

interface RealDocument {
  file: string;
  valid_at: { check_time: string; leaf_not_after: string };
}

describe("AWS's real attestation documents", () => {
  const { documents } = readVectorJson<{ documents: RealDocument[] }>('nitro/documents.json');

  it.each(documents.map((d) => [d.file, d] as const))(
    '%s verifies with the default root at its time, and is refused for its public_key (not RSA)',
    async (_file, d) => {
      const bytes = new Uint8Array(readVector(`nitro/${d.file}`));
      let now = new Date(d.valid_at.check_time);
      const c = new KMSClient({ now: () => now });
      const e = await rejection(
        c.send(new GenerateRandomCommand({ NumberOfBytes: 8, Recipient: recipientOf(bytes) })),
        ValidationException,
      );
      expect(e.message).toMatch(/^The public_key of the attestation document in Recipient is not an RSA public key/);
      now = new Date(new Date(d.valid_at.leaf_not_after).getTime() + 1000);
      const late = await rejection(
        c.send(new GenerateRandomCommand({ NumberOfBytes: 8, Recipient: recipientOf(bytes) })),
        ValidationException,
      );
      expect(late.message).toMatch(FAILURE_MESSAGE.expired);
    },
  );
});
