// DeriveSharedSecret through KMSClient: the secret equals node:crypto's ECDH with the peer's
// private key (P-256, P-384, P-521) and sm-crypto-v2's shared x-coordinate (SM2, China Regions),
// two KMS keys agree with each other, and the recorded AWS answers: the output's members, the
// usage messages, the enum message and the empty ValidationException of a bad public key.

import { describe, it, expect } from 'vitest';
import { createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';
import {
  CreateKeyCommand,
  DisableKeyCommand,
  DisabledException,
  DryRunOperationException,
  InvalidKeyUsageException,
  ValidationException,
} from '../../src/kms/index.js';
import { DeriveSharedSecretCommand, GetPublicKeyCommand } from '../../src/kms/registry.js';
import { readVectorText } from '../helpers/vectors.js';
import { clients, newKey, rejection } from '../helpers/kms.js';

const RECORDINGS = JSON.parse(readVectorText('kms/aws-recorded-responses.json')) as Record<
  string,
  { 'recorded-content': Record<string, { Error?: { Code: string; Message: string } } & Record<string, unknown>> }
>;
const recorded =
  RECORDINGS['tests/aws/services/kms/test_kms.py::TestKMS::test_derive_shared_secret']['recorded-content'];
const recordedOpenssl =
  RECORDINGS['tests/aws/services/kms/test_kms.py::TestKMS::test_derive_shared_secret_matches_openssl'][
    'recorded-content'
  ];

const CURVES = [
  ['ECC_NIST_P256', 'prime256v1'],
  ['ECC_NIST_P384', 'secp384r1'],
  ['ECC_NIST_P521', 'secp521r1'],
] as const;

const derive = (c: ReturnType<typeof clients>['us'], KeyId: string, PublicKey: Uint8Array, extra: object = {}) =>
  c.send(new DeriveSharedSecretCommand({ KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey, ...extra }));

describe('DeriveSharedSecret', () => {
  it.each(CURVES)('%s: equals node:crypto ECDH with the peer key, and two KMS keys agree', async (spec, curve) => {
    const { us } = clients();
    const md = await newKey(us, { KeySpec: spec, KeyUsage: 'KEY_AGREEMENT' });
    const kmsPub = (await us.send(new GetPublicKeyCommand({ KeyId: md.KeyId }))).PublicKey!;
    for (let i = 0; i < 3; i++) {
      const peer = generateKeyPairSync('ec', { namedCurve: curve });
      const peerSpki = peer.publicKey.export({ format: 'der', type: 'spki' });
      const out = await derive(us, md.KeyId, peerSpki);
      const expected = diffieHellman({
        privateKey: peer.privateKey,
        publicKey: createPublicKey({ key: Buffer.from(kmsPub), format: 'der', type: 'spki' }),
      });
      expect(Buffer.from(out.SharedSecret!).toString('hex')).toBe(expected.toString('hex'));
      // The output members as recorded (SharedSecret's value aside).
      expect(
        Object.keys(out)
          .filter((k) => k !== '$metadata')
          .sort(),
      ).toEqual(
        Object.keys(recordedOpenssl['derived-shared-key-resp'])
          .filter((k) => k !== 'ResponseMetadata')
          .sort(),
      );
      expect(out).toMatchObject({ KeyId: md.Arn, KeyAgreementAlgorithm: 'ECDH', KeyOrigin: 'AWS_KMS' });
    }
    const other = await newKey(us, { KeySpec: spec, KeyUsage: 'KEY_AGREEMENT' });
    const otherPub = (await us.send(new GetPublicKeyCommand({ KeyId: other.KeyId }))).PublicKey!;
    const a = (await derive(us, md.KeyId, otherPub)).SharedSecret!;
    const b = (await derive(us, other.KeyId, kmsPub)).SharedSecret!;
    expect(a).toEqual(b);
  });

  it('SM2 (China Regions): the shared x-coordinate sm-crypto-v2 computes', async () => {
    const { cn } = clients();
    const md = await newKey(cn, { KeySpec: 'SM2', KeyUsage: 'KEY_AGREEMENT' });
    const kmsPub = (await cn.send(new GetPublicKeyCommand({ KeyId: md.KeyId }))).PublicKey!;
    const peer = sm2.generateKeyPairHex();
    // The peer's SPKI: the KMS key's own AlgorithmIdentifier with the peer's point.
    const peerSpki = Buffer.concat([
      Buffer.from(kmsPub.slice(0, kmsPub.length - 65)),
      Buffer.from(peer.publicKey, 'hex'),
    ]);
    const out = await derive(cn, md.KeyId, peerSpki);
    // sm-crypto-v2's ECDH answers the compressed shared point: 02/03 ‖ x.
    const shared = sm2.ecdh(peer.privateKey, Buffer.from(kmsPub.slice(-65)).toString('hex'), true);
    const x = Buffer.from(shared.slice(1)).toString('hex');
    expect(Buffer.from(out.SharedSecret!).toString('hex')).toBe(x);
  });

  it('the recorded refusals, in their order', async () => {
    const { us } = clients();
    const md = await newKey(us, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
    const peer = (
      await us.send(
        new GetPublicKeyCommand({
          KeyId: (await newKey(us, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' })).KeyId,
        }),
      )
    ).PublicKey!;
    const sub = (m: string, arn: string) => m.split('<key-arn>').join(arn);
    // SIGN_VERIFY and symmetric keys: [AWS-REC] usage messages.
    const signer = await newKey(us, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    expect((await rejection(derive(us, signer.KeyId, peer), InvalidKeyUsageException)).message).toBe(
      sub(recorded['response-invalid-key-usage'].Error!.Message, signer.Arn!),
    );
    const sym = await newKey(us);
    expect((await rejection(derive(us, sym.KeyId, peer), InvalidKeyUsageException)).message).toBe(
      sub(recorded['response-invalid-key'].Error!.Message, sym.Arn!),
    );
    // RSA cannot be a KEY_AGREEMENT key: [AWS-REC] CreateKey's message.
    const rsa = us.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'KEY_AGREEMENT' }));
    expect((await rejection(rsa, ValidationException)).message).toBe(
      recorded['response-invalid-key-spec'].Error!.Message,
    );
    // [AWS-REC] the enum message.
    const invalidAlg = us.send(
      new DeriveSharedSecretCommand({ KeyId: md.KeyId, KeyAgreementAlgorithm: 'INVALID' as never, PublicKey: peer }),
    );
    expect((await rejection(invalidAlg, ValidationException)).message).toBe(
      recorded['response-invalid-key-agreement-algo'].Error!.Message,
    );
    // [AWS-REC] a PublicKey that is not a public key: ValidationException, empty message; the
    // same for a key on another curve, a point off the curve, and an RSA or Ed25519 key.
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({
      format: 'der',
      type: 'spki',
    });
    const offCurve = Buffer.from(peer);
    offCurve[offCurve.length - 1] ^= 1;
    const rsaPub = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      format: 'der',
      type: 'spki',
    });
    const edPub = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
    const bad = [
      new TextEncoder().encode('InvalidPublicKey'),
      p384,
      offCurve,
      rsaPub,
      edPub,
      Buffer.from(peer).subarray(0, 40),
    ];
    for (const pk of bad) {
      const e = await rejection(derive(us, md.KeyId, pk), ValidationException);
      expect(e.message).toBe(recorded['response-invalid-public-key'].Error!.Message);
    }
  });

  it('state, Recipient, DryRun', async () => {
    const { us } = clients();
    const md = await newKey(us, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
    const peer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({
      format: 'der',
      type: 'spki',
    });
    const dry = await rejection(derive(us, md.KeyId, peer, { DryRun: true }), DryRunOperationException);
    expect(dry.message).toBe('The request would have succeeded, but the DryRun option is set.');
    // A dry run with a bad peer key would not have succeeded.
    await rejection(derive(us, md.KeyId, new Uint8Array(10), { DryRun: true }), ValidationException);
    const recipient = { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: new Uint8Array(8) };
    await rejection(derive(us, md.KeyId, peer, { Recipient: recipient }), ValidationException);
    await us.send(new DisableKeyCommand({ KeyId: md.KeyId }));
    expect((await rejection(derive(us, md.KeyId, peer), DisabledException)).message).toBe(`${md.Arn} is disabled.`);
  });
});
