// One verification of the attestation document per request, however many of its condition keys
// the policies read, and none for a request without Recipient; and the secrets the operations
// made for the enclave are wiped once sealed for it.

import { describe, it, expect, vi, beforeAll, beforeEach } from 'vitest';
import { CreateKeyCommand, KMSClient, MemoryKeyStore, type KeyPair, type KeyPairSpec } from '../../src/kms/index.js';
import { EncryptCommand, GenerateDataKeyPairCommand, GenerateRandomCommand } from '../../src/kms/registry.js';
import * as nitro from '../../src/kms/attestation/nitro.js';
import { openEnvelope } from '../../src/kms/attestation/cms.js';
import { generateKeyPair } from '../../src/core/index.js';
import {
  defaultPcrs,
  makeAttestationDocument,
  makeTestPki,
  sharedEnclaveKeyPair,
  type TestPki,
} from '../helpers/nitro.js';

vi.mock('../../src/kms/attestation/nitro.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/kms/attestation/nitro.js')>();
  return { ...original, verifyNitroAttestation: vi.fn(original.verifyNitroAttestation) };
});
const verify = vi.mocked(nitro.verifyNitroAttestation);

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
let pki: TestPki;
let doc: Uint8Array;
const pcrs = defaultPcrs();
beforeAll(() => {
  pki = makeTestPki();
  doc = makeAttestationDocument(pki, { pcrs });
});
beforeEach(() => {
  verify.mockClear();
});

describe('the attestation document is verified once per request', () => {
  it('with a key policy and an identity policy reading three of its condition keys', async () => {
    const store = new MemoryKeyStore();
    const admin = new KMSClient({ store });
    const role = 'arn:aws:iam::111122223333:role/enclave';
    const condition = {
      StringEqualsIgnoreCase: {
        'kms:RecipientAttestation:ImageSha384': hex(pcrs[0]!),
        'kms:RecipientAttestation:PCR1': hex(pcrs[1]!),
        'kms:RecipientAttestation:PCR2': hex(pcrs[2]!),
      },
    };
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
      ],
    };
    const key = (await admin.send(new CreateKeyCommand({ Policy: JSON.stringify(policy) }))).KeyMetadata!;
    const enclave = new KMSClient({
      store,
      principal: role,
      attestationRoots: [pki.rootDer],
      identityPolicies: [
        {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['kms:GenerateDataKeyPair', 'kms:GenerateRandom'],
              Resource: '*',
              Condition: condition,
            },
          ],
        },
      ],
    });
    const Recipient = { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' as const, AttestationDocument: doc };
    await enclave.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256', Recipient }));
    expect(verify).toHaveBeenCalledTimes(1);
    await enclave.send(new GenerateRandomCommand({ NumberOfBytes: 4, Recipient }));
    expect(verify).toHaveBeenCalledTimes(2); // the next request verifies again (its own clock, its own roots)
    await admin.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Uint8Array.of(1) }));
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('a document that does not verify is verified once too (the condition key absent, then the refusal)', async () => {
    const c = new KMSClient({
      principal: 'arn:aws:iam::111122223333:user/enclave',
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
    const bad = makeAttestationDocument(pki, { pcrs, flipSignatureByte: 1 });
    await expect(
      c.send(
        new GenerateRandomCommand({
          NumberOfBytes: 4,
          Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: bad },
        }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(verify).toHaveBeenCalledTimes(1);
  });
});

describe('secrets made for the enclave are wiped', () => {
  it('GenerateDataKeyPair: the private key of the pair, once sealed in CiphertextForRecipient', async () => {
    const made: KeyPair[] = [];
    const c = new KMSClient({
      attestationRoots: [pki.rootDer],
      generateKeyPair: (spec: KeyPairSpec) => {
        const pair = generateKeyPair(spec);
        made.push({ publicKey: pair.publicKey, privateKey: pair.privateKey });
        return pair;
      },
    });
    const key = (await c.send(new CreateKeyCommand({}))).KeyMetadata!;
    const out = await c.send(
      new GenerateDataKeyPairCommand({
        KeyId: key.KeyId,
        KeyPairSpec: 'ECC_NIST_P384',
        Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: doc },
      }),
    );
    expect(made.length).toBe(1);
    const pkcs8 = openEnvelope(out.CiphertextForRecipient!, sharedEnclaveKeyPair().pkcs8);
    expect(pkcs8.some((b) => b !== 0)).toBe(true);
    expect(made[0]!.privateKey.length).toBe(pkcs8.length);
    expect(made[0]!.privateKey.every((b) => b === 0)).toBe(true);
  });
});
