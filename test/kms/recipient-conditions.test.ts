// The condition keys kms:RecipientAttestation:ImageSha384 (PCR0) and kms:RecipientAttestation:PCR<n>
// in key policies and identity policies: lower-case hex of the verified document's PCR, compared
// with StringEqualsIgnoreCase as AWS's examples do; absent without a Recipient or with a document
// that does not verify, so an Allow that needs them does not apply (AccessDeniedException with the
// usual message) and a Deny on a mismatch does.

import { describe, it, expect, beforeAll } from 'vitest';
import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  AccessDeniedException,
  CreateKeyCommand,
  KMSClient,
  MemoryKeyStore,
  ValidationException,
} from '../../src/kms/index.js';
import {
  DecryptCommand,
  DeriveSharedSecretCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateRandomCommand,
} from '../../src/kms/registry.js';
import { openEnvelope } from '../../src/kms/attestation/cms.js';
import {
  defaultPcrs,
  makeAttestationDocument,
  makeTestPki,
  sharedEnclaveKeyPair,
  type TestPki,
} from '../helpers/nitro.js';
import { rejection } from '../helpers/kms.js';
import { readVector, readVectorJson } from '../helpers/vectors.js';

const ACCOUNT = '111122223333';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const ENCLAVE_ROLE = `arn:aws:iam::${ACCOUNT}:role/data-processing`;
const ENCLAVE_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/data-processing/wasm-kms`;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const recipientOf = (AttestationDocument: Uint8Array) => ({
  KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' as const,
  AttestationDocument,
});
const ACTIONS = [
  'kms:Decrypt',
  'kms:DeriveSharedSecret',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyPair',
  'kms:GenerateRandom',
];

let pki: TestPki;
let pcrs: Record<number, Uint8Array>;
let doc: Uint8Array;
let otherImage: Uint8Array;
beforeAll(() => {
  pki = makeTestPki();
  pcrs = defaultPcrs();
  doc = makeAttestationDocument(pki, { pcrs });
  otherImage = makeAttestationDocument(pki, { pcrs: defaultPcrs('another image') });
});

/** A store with an admin client (the root) and a client of the enclave's role with no identity policies. */
async function setup(condition: Record<string, Record<string, string>>, extraStatements: object[] = []) {
  const store = new MemoryKeyStore();
  const admin = new KMSClient({ store, attestationRoots: [pki.rootDer] });
  const policy = {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'admin', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
      {
        Sid: 'Enable enclave data processing',
        Effect: 'Allow',
        Principal: { AWS: ENCLAVE_ROLE },
        Action: ACTIONS,
        Resource: '*',
        Condition: condition,
      },
      ...extraStatements,
    ],
  };
  const key = (await admin.send(new CreateKeyCommand({ Policy: JSON.stringify(policy) }))).KeyMetadata!;
  const agree = (
    await admin.send(
      new CreateKeyCommand({ Policy: JSON.stringify(policy), KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' }),
    )
  ).KeyMetadata!;
  const enclave = new KMSClient({ store, principal: ENCLAVE_ROLE, attestationRoots: [pki.rootDer] });
  const { CiphertextBlob } = await admin.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Uint8Array.of(9) }));
  const peer = new Uint8Array(
    generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' }),
  );
  /** The four key operations as the enclave's role, with `Recipient` (or none). */
  const calls = (Recipient?: ReturnType<typeof recipientOf>) =>
    [
      [
        'GenerateDataKey',
        () => enclave.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', Recipient })),
      ],
      [
        'GenerateDataKeyPair',
        () =>
          enclave.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256', Recipient })),
      ],
      ['Decrypt', () => enclave.send(new DecryptCommand({ CiphertextBlob, Recipient }))],
      [
        'DeriveSharedSecret',
        () =>
          enclave.send(
            new DeriveSharedSecretCommand({
              KeyId: agree.KeyId,
              KeyAgreementAlgorithm: 'ECDH',
              PublicKey: peer,
              Recipient,
            }),
          ),
      ],
    ] as const;
  return { store, admin, enclave, key, agree, calls };
}

// The key policy allows the account (its root) too, so the refusal names the identity policies the role lacks.
const denied = (action: string, arn: string) =>
  `User: ${ENCLAVE_SESSION} is not authorized to perform: kms:${action} on ${arn} because no identity-based policy allows the kms:${action} action`;

describe('kms:RecipientAttestation:ImageSha384', () => {
  it('allows a document whose PCR0 matches (compared without case), denies another image, no Recipient and a document that does not verify', async () => {
    const s = await setup({
      StringEqualsIgnoreCase: { 'kms:RecipientAttestation:ImageSha384': hex(pcrs[0]!).toUpperCase() },
    });
    for (const [, call] of s.calls(recipientOf(doc))) {
      const out = (await call()) as { CiphertextForRecipient?: Uint8Array };
      expect(openEnvelope(out.CiphertextForRecipient!, sharedEnclaveKeyPair().pkcs8).length).toBeGreaterThan(0);
    }
    const tampered = makeAttestationDocument(pki, { pcrs, flipSignatureByte: 5 });
    for (const Recipient of [recipientOf(otherImage), undefined, recipientOf(tampered)]) {
      for (const [action, call] of s.calls(Recipient)) {
        // Decrypt found the key through the ciphertext: AWS's message then does not name it.
        const arn =
          action === 'DeriveSharedSecret'
            ? `resource: ${s.agree.Arn!}`
            : action === 'Decrypt'
              ? 'the resource associated with this ciphertext'
              : `resource: ${s.key.Arn!}`;
        // Decrypt too checks its Recipient only once the caller may use the key: a document that
        // does not verify is AccessDeniedException here, not ValidationException.
        const e = await rejection(call(), AccessDeniedException);
        expect(e.message).toBe(denied(action, arn));
      }
    }
  });

  it('the value is PCR0 as lower-case hex: StringEquals with the lower-case value allows, with upper case denies', async () => {
    const lower = await setup({ StringEquals: { 'kms:RecipientAttestation:ImageSha384': hex(pcrs[0]!) } });
    const [, generate] = lower.calls(recipientOf(doc))[0];
    await generate();
    const upper = await setup({
      StringEquals: { 'kms:RecipientAttestation:ImageSha384': hex(pcrs[0]!).toUpperCase() },
    });
    await rejection(upper.calls(recipientOf(doc))[0][1](), AccessDeniedException);
    // PCR0 is the image: a condition on PCR1's value under ImageSha384 does not match.
    const pcr1 = await setup({ StringEquals: { 'kms:RecipientAttestation:ImageSha384': hex(pcrs[1]!) } });
    await rejection(pcr1.calls(recipientOf(doc))[0][1](), AccessDeniedException);
  });
});

describe('kms:RecipientAttestation:PCR<n>', () => {
  it('PCR0, PCR8 and PCR31 by index; a document without that PCR, or with another value, is denied', async () => {
    const s = await setup({
      StringEqualsIgnoreCase: {
        'kms:RecipientAttestation:PCR0': hex(pcrs[0]!),
        'kms:RecipientAttestation:PCR8': hex(pcrs[8]!),
      },
    });
    await s.calls(recipientOf(doc))[0][1]();
    const pcr8 = makeAttestationDocument(pki, { pcrs: { ...pcrs, 8: new Uint8Array(48).fill(1) } });
    await rejection(s.calls(recipientOf(pcr8))[0][1](), AccessDeniedException);

    const high = new Uint8Array(48).fill(0xab);
    const s31 = await setup({ StringEqualsIgnoreCase: { 'kms:RecipientAttestation:PCR31': hex(high) } });
    await s31.calls(recipientOf(makeAttestationDocument(pki, { pcrs: { ...pcrs, 31: high } })))[2][1]();
    await rejection(s31.calls(recipientOf(doc))[2][1](), AccessDeniedException); // doc has PCRs 0..15 only
  });

  it('a Deny on a PCR mismatch refuses, with the explicit-deny message; a matching document passes', async () => {
    const s = await setup({ Bool: { 'aws:SecureTransport': 'true' } }, [
      {
        Sid: 'only this image',
        Effect: 'Deny',
        Principal: { AWS: ENCLAVE_ROLE },
        Action: 'kms:GenerateDataKey',
        Resource: '*',
        Condition: { StringNotEqualsIgnoreCase: { 'kms:RecipientAttestation:PCR0': hex(pcrs[0]!) } },
      },
    ]);
    await s.calls(recipientOf(doc))[0][1]();
    const e = await rejection(s.calls(recipientOf(otherImage))[0][1](), AccessDeniedException);
    expect(e.message).toBe(
      `User: ${ENCLAVE_SESSION} is not authorized to perform: kms:GenerateDataKey on resource: ${s.key.Arn} with an explicit deny in a resource-based policy`,
    );
    // Without a Recipient the key is absent: StringNotEquals... on an absent key matches, so the Deny applies.
    await rejection(s.calls(undefined)[0][1](), AccessDeniedException);
    // Another operation is not concerned by the Deny.
    await s.calls(recipientOf(otherImage))[1][1]();
  });
});

describe('operations without Recipient', () => {
  it('have no kms:RecipientAttestation keys, even with a valid document passed along: an Allow on them does not apply', async () => {
    const store = new MemoryKeyStore();
    const admin = new KMSClient({ store });
    const key = (await admin.send(new CreateKeyCommand({}))).KeyMetadata!;
    const c = new KMSClient({
      store,
      principal: `arn:aws:iam::${ACCOUNT}:user/enclave`,
      attestationRoots: [pki.rootDer],
      identityPolicies: [
        {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['kms:Encrypt', 'kms:GenerateDataKeyWithoutPlaintext'],
              Resource: '*',
              Condition: { StringEqualsIgnoreCase: { 'kms:RecipientAttestation:ImageSha384': hex(pcrs[0]!) } },
            },
          ],
        },
      ],
    });
    const Recipient = recipientOf(doc);
    await rejection(
      c.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Uint8Array.of(1), Recipient } as never)),
      AccessDeniedException,
    );
    await rejection(
      c.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', Recipient } as never)),
      AccessDeniedException,
    );
  });
});

describe('identity policies and GenerateRandom', () => {
  it('an identity policy on * with the ImageSha384 condition allows GenerateRandom for the image only', async () => {
    const c = new KMSClient({
      principal: `arn:aws:iam::${ACCOUNT}:user/enclave`,
      attestationRoots: [pki.rootDer],
      identityPolicies: [
        {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'kms:GenerateRandom',
              Resource: '*',
              Condition: { StringEqualsIgnoreCase: { 'kms:RecipientAttestation:ImageSha384': hex(pcrs[0]!) } },
            },
          ],
        },
      ],
    });
    const out = await c.send(new GenerateRandomCommand({ NumberOfBytes: 12, Recipient: recipientOf(doc) }));
    expect(openEnvelope(out.CiphertextForRecipient!, sharedEnclaveKeyPair().pkcs8).length).toBe(12);
    const e = await rejection(c.send(new GenerateRandomCommand({ NumberOfBytes: 12 })), AccessDeniedException);
    expect(e.message).toBe(
      `User: arn:aws:iam::${ACCOUNT}:user/enclave is not authorized to perform: kms:GenerateRandom on resource: * because no identity-based policy allows the kms:GenerateRandom action`,
    );
    await rejection(
      c.send(new GenerateRandomCommand({ NumberOfBytes: 12, Recipient: recipientOf(otherImage) })),
      AccessDeniedException,
    );
  });
});

interface RealDocument {
  file: string;
  valid_at: { check_time: string };
  payload: { pcr0: string };
}

describe("a real document's PCR0", () => {
  it('is the ImageSha384 of its request: a policy on it lets the request reach the Recipient check', async () => {
    const { documents } = readVectorJson<{ documents: RealDocument[] }>('nitro/documents.json');
    const d = documents[0]!;
    const bytes = new Uint8Array(readVector(`nitro/${d.file}`));
    expect(createHash('sha256').update(bytes).digest('hex')).toMatch(/^[0-9a-f]{64}$/);
    const now = () => new Date(d.valid_at.check_time);
    const identity = (image: string) =>
      new KMSClient({
        now,
        principal: `arn:aws:iam::${ACCOUNT}:user/enclave`,
        identityPolicies: [
          {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: 'kms:GenerateRandom',
                Resource: '*',
                Condition: { StringEqualsIgnoreCase: { 'kms:RecipientAttestation:ImageSha384': image } },
              },
            ],
          },
        ],
      });
    // Allowed: then refused for its public_key, which is not RSA.
    const e = await rejection(
      identity(d.payload.pcr0).send(new GenerateRandomCommand({ NumberOfBytes: 8, Recipient: recipientOf(bytes) })),
      ValidationException,
    );
    expect(e.message).toMatch(/not an RSA public key/);
    await rejection(
      identity(hex(pcrs[0]!)).send(new GenerateRandomCommand({ NumberOfBytes: 8, Recipient: recipientOf(bytes) })),
      AccessDeniedException,
    );
  });
});
