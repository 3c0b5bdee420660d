// Sign and Verify through KMSClient for every signing key spec and algorithm, both ways against
// independent implementations: signatures made here verify in node:crypto (RSA, ECDSA on the NIST
// curves and secp256k1, Ed25519), @noble/curves (secp256k1, Ed25519ph), @noble/post-quantum
// (ML-DSA, RAW and EXTERNAL_MU) and sm-crypto-v2 (SM2DSA); theirs, made with the KMS key's
// private key read from the store, verify here. Then every check in its order with its message.

import { describe, it, expect, beforeAll } from 'vitest';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign as nodeSign,
  verify as nodeVerify,
  constants,
} from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { ed25519ph } from '@noble/curves/ed25519.js';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { sm2 } from 'sm-crypto-v2';
import {
  DisableKeyCommand,
  DisabledException,
  DryRunOperationException,
  InvalidKeyUsageException,
  KMSInvalidSignatureException,
  KMSInvalidStateException,
  NotFoundException,
  ScheduleKeyDeletionCommand,
  ValidationException,
  type KMSClient,
  type MemoryKeyStore,
} from '../../src/kms/index.js';
import { GetPublicKeyCommand, SignCommand, VerifyCommand } from '../../src/kms/registry.js';
import { clients, newKey, rejection } from '../helpers/kms.js';

const HASH: Record<string, string> = { SHA_256: 'sha256', SHA_384: 'sha384', SHA_512: 'sha512' };
const hashOf = (alg: string) => HASH[alg.slice(-7)];
const digestOf = (alg: string, m: Uint8Array) => new Uint8Array(createHash(hashOf(alg)).update(m).digest());
const ML_DSA = { ML_DSA_44: ml_dsa44, ML_DSA_65: ml_dsa65, ML_DSA_87: ml_dsa87 } as const;
const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

interface Env {
  c: KMSClient;
  store: MemoryKeyStore;
  region: string;
}

interface SigningKey {
  keyId: string;
  arn: string;
  spki: Uint8Array;
  pkcs8: Uint8Array;
}

async function signingKey(e: Env, spec: string): Promise<SigningKey> {
  const md = await newKey(e.c, { KeySpec: spec, KeyUsage: 'SIGN_VERIFY' });
  const spki = (await e.c.send(new GetPublicKeyCommand({ KeyId: md.KeyId }))).PublicKey!;
  const record = await e.store.getKey('111122223333', e.region, md.KeyId);
  return { keyId: md.KeyId, arn: md.Arn!, spki, pkcs8: record!.keyPair!.privateKey.slice() };
}

const sign = (e: Env, k: SigningKey, alg: string, Message: Uint8Array, MessageType?: string) =>
  e.c.send(
    new SignCommand({ KeyId: k.keyId, SigningAlgorithm: alg as never, Message, MessageType: MessageType as never }),
  );
const verify = (e: Env, k: SigningKey, alg: string, Message: Uint8Array, Signature: Uint8Array, MessageType?: string) =>
  e.c.send(
    new VerifyCommand({
      KeyId: k.keyId,
      SigningAlgorithm: alg as never,
      Message,
      Signature,
      MessageType: MessageType as never,
    }),
  );

/** node:crypto's options for an RSA algorithm (PSS salt = hash length, as KMS). */
function rsaOptions(alg: string, key: string | Buffer, type: 'spki' | 'pkcs8') {
  const k =
    type === 'spki' ? createPublicKey({ key, format: 'der', type }) : createPrivateKey({ key, format: 'der', type });
  return alg.includes('PSS')
    ? { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
    : { key: k, padding: constants.RSA_PKCS1_PADDING };
}

/** An independent verification of a RAW-message signature. */
function otherVerify(spec: string, alg: string, k: SigningKey, msg: Uint8Array, sig: Uint8Array): boolean {
  const spki = Buffer.from(k.spki);
  if (spec.startsWith('RSA_')) return nodeVerify(hashOf(alg), msg, rsaOptions(alg, spki, 'spki'), sig);
  if (spec === 'ECC_SECG_P256K1') {
    const pub = k.spki.slice(-65);
    const ok = secp256k1.verify(sig, digestOf(alg, msg), pub, { prehash: false, lowS: false, format: 'der' });
    expect(
      nodeVerify(
        hashOf(alg),
        msg,
        { key: createPublicKey({ key: spki, format: 'der', type: 'spki' }), dsaEncoding: 'der' },
        sig,
      ),
    ).toBe(ok);
    return ok;
  }
  if (spec.startsWith('ECC_NIST_P')) {
    return nodeVerify(
      hashOf(alg),
      msg,
      { key: createPublicKey({ key: spki, format: 'der', type: 'spki' }), dsaEncoding: 'der' },
      sig,
    );
  }
  if (alg === 'ED25519_SHA_512')
    return nodeVerify(null, msg, createPublicKey({ key: spki, format: 'der', type: 'spki' }), sig);
  if (alg === 'ED25519_PH_SHA_512') return ed25519ph.verify(sig, msg, k.spki.slice(-32));
  if (spec === 'SM2')
    return sm2.doVerifySignature(msg, hexOf(sig), hexOf(k.spki.slice(-65)), { der: true, hash: true });
  const dsa = ML_DSA[spec as keyof typeof ML_DSA];
  return dsa.verify(sig, msg, mlDsaPublic(spec, k));
}

/** An independent signature of a RAW message with the KMS key's private key. */
function otherSign(spec: string, alg: string, k: SigningKey, msg: Uint8Array): Uint8Array {
  const pkcs8 = Buffer.from(k.pkcs8);
  if (spec.startsWith('RSA_')) return new Uint8Array(nodeSign(hashOf(alg), msg, rsaOptions(alg, pkcs8, 'pkcs8')));
  if (spec.startsWith('ECC_NIST_P') || spec === 'ECC_SECG_P256K1') {
    return new Uint8Array(
      nodeSign(hashOf(alg), msg, {
        key: createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }),
        dsaEncoding: 'der',
      }),
    );
  }
  if (alg === 'ED25519_SHA_512')
    return new Uint8Array(nodeSign(null, msg, createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })));
  if (alg === 'ED25519_PH_SHA_512') return ed25519ph.sign(msg, k.pkcs8.slice(-32));
  if (spec === 'SM2') {
    const d = sm2Scalar(k.pkcs8);
    return Buffer.from(sm2.doSignature(msg, d, { der: true, hash: true, publicKey: hexOf(k.spki.slice(-65)) }), 'hex');
  }
  const dsa = ML_DSA[spec as keyof typeof ML_DSA];
  return dsa.sign(msg, dsa.keygen(k.pkcs8.slice(-32)).secretKey);
}

/** The SM2 private scalar of an RFC 5915 ECPrivateKey inside PKCS#8 (version 1, OCTET STRING of 32). */
function sm2Scalar(pkcs8: Uint8Array): string {
  const at = Buffer.from(pkcs8).indexOf(Buffer.from([0x02, 0x01, 0x01, 0x04, 0x20]));
  expect(at).toBeGreaterThan(0);
  return hexOf(pkcs8.slice(at + 5, at + 37));
}

/** The ML-DSA public key of the SPKI, checked against the one the PKCS#8's seed generates. */
function mlDsaPublic(spec: string, k: SigningKey): Uint8Array {
  const dsa = ML_DSA[spec as keyof typeof ML_DSA];
  const pk = dsa.keygen(k.pkcs8.slice(-32)).publicKey;
  expect(hexOf(k.spki.slice(-pk.length))).toBe(hexOf(pk));
  return pk;
}

/** FIPS 204 μ of `msg` under `pk` with the empty context: SHAKE256(SHAKE256(pk, 64) ‖ 0 ‖ 0 ‖ msg, 64). */
function externalMu(pk: Uint8Array, msg: Uint8Array): Uint8Array {
  const tr = createHash('shake256', { outputLength: 64 }).update(pk).digest();
  return new Uint8Array(
    createHash('shake256', { outputLength: 64 }).update(tr).update(Uint8Array.of(0, 0)).update(msg).digest(),
  );
}

const CASES: Array<{ spec: string; algs: string[]; region?: string }> = [
  {
    spec: 'RSA_2048',
    algs: [
      'RSASSA_PSS_SHA_256',
      'RSASSA_PSS_SHA_384',
      'RSASSA_PSS_SHA_512',
      'RSASSA_PKCS1_V1_5_SHA_256',
      'RSASSA_PKCS1_V1_5_SHA_384',
      'RSASSA_PKCS1_V1_5_SHA_512',
    ],
  },
  { spec: 'RSA_3072', algs: ['RSASSA_PSS_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_256'] },
  { spec: 'RSA_4096', algs: ['RSASSA_PSS_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_512'] },
  { spec: 'ECC_NIST_P256', algs: ['ECDSA_SHA_256'] },
  { spec: 'ECC_NIST_P384', algs: ['ECDSA_SHA_384'] },
  { spec: 'ECC_NIST_P521', algs: ['ECDSA_SHA_512'] },
  { spec: 'ECC_SECG_P256K1', algs: ['ECDSA_SHA_256'] },
  { spec: 'ECC_NIST_EDWARDS25519', algs: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] },
  { spec: 'ML_DSA_44', algs: ['ML_DSA_SHAKE_256'] },
  { spec: 'ML_DSA_65', algs: ['ML_DSA_SHAKE_256'] },
  { spec: 'ML_DSA_87', algs: ['ML_DSA_SHAKE_256'] },
  { spec: 'SM2', algs: ['SM2DSA'], region: 'cn-north-1' },
];

const MSG = new TextEncoder().encode('test message !%$@ 1234567890');
const LONG = new Uint8Array(4096).map((_, i) => (i * 7 + 3) & 0xff);

function envFor(region = 'us-east-1'): Env {
  const cl = clients();
  const c = region === 'cn-north-1' ? cl.cn : cl.us;
  return { c, store: cl.store as MemoryKeyStore, region };
}

describe.each(CASES)('$spec', ({ spec, algs, region }) => {
  const e = envFor(region);
  let k: SigningKey;
  beforeAll(async () => {
    k = await signingKey(e, spec);
  });

  it.each(algs)('%s: RAW signatures verify independently and here; theirs verify here', async (alg) => {
    if (alg === 'ED25519_PH_SHA_512') return; // DIGEST only: the next test
    for (const msg of [MSG, LONG]) {
      const out = await sign(e, k, alg, msg, alg === 'SM2DSA' ? undefined : 'RAW');
      expect(out.KeyId).toBe(k.arn);
      expect(out.SigningAlgorithm).toBe(alg);
      expect(otherVerify(spec, alg, k, msg, out.Signature!)).toBe(true);
      const v = await verify(e, k, alg, msg, out.Signature!);
      expect(v).toMatchObject({ KeyId: k.arn, SignatureValid: true, SigningAlgorithm: alg });
      const theirs = otherSign(spec, alg, k, msg);
      expect((await verify(e, k, alg, msg, theirs, 'RAW')).SignatureValid).toBe(true);
      // A changed message or signature is KMSInvalidSignatureException with an empty message.
      const other = msg.slice();
      other[0] ^= 1;
      expect((await rejection(verify(e, k, alg, other, out.Signature!), KMSInvalidSignatureException)).message).toBe(
        '',
      );
      const bad = out.Signature!.slice();
      bad[bad.length >> 1] ^= 0x10;
      expect((await rejection(verify(e, k, alg, msg, bad), KMSInvalidSignatureException)).message).toBe('');
    }
  });

  it.each(algs)('%s: DIGEST and EXTERNAL_MU messages', async (alg) => {
    if (spec.startsWith('ML_DSA_')) {
      const pk = mlDsaPublic(spec, k);
      const mu = externalMu(pk, MSG);
      const out = await sign(e, k, alg, mu, 'EXTERNAL_MU');
      // A signature of μ is a signature of the message μ stands for.
      expect(otherVerify(spec, alg, k, MSG, out.Signature!)).toBe(true);
      expect((await verify(e, k, alg, MSG, out.Signature!, 'RAW')).SignatureValid).toBe(true);
      expect((await verify(e, k, alg, mu, otherSign(spec, alg, k, MSG), 'EXTERNAL_MU')).SignatureValid).toBe(true);
      await rejection(
        verify(
          e,
          k,
          alg,
          mu.map((b) => b ^ 1),
          out.Signature!,
          'EXTERNAL_MU',
        ),
        KMSInvalidSignatureException,
      );
      return;
    }
    if (alg === 'ED25519_SHA_512') return; // RAW only
    if (alg === 'ED25519_PH_SHA_512') {
      // The 64-byte DIGEST is prehashed again by KMS: noble's Ed25519ph of the digest as message.
      const d = new Uint8Array(createHash('sha512').update(MSG).digest());
      const out = await sign(e, k, alg, d, 'DIGEST');
      expect(otherVerify(spec, alg, k, d, out.Signature!)).toBe(true);
      expect((await verify(e, k, alg, d, otherSign(spec, alg, k, d), 'DIGEST')).SignatureValid).toBe(true);
      await rejection(
        verify(
          e,
          k,
          alg,
          d.map((b) => b ^ 1),
          out.Signature!,
          'DIGEST',
        ),
        KMSInvalidSignatureException,
      );
      return;
    }
    const d = spec === 'SM2' ? sm2Digest(k, MSG) : digestOf(alg, MSG);
    const out = await sign(e, k, alg, d, 'DIGEST');
    // A digest and its message are the same message.
    expect(otherVerify(spec, alg, k, MSG, out.Signature!)).toBe(true);
    expect((await verify(e, k, alg, MSG, out.Signature!, 'RAW')).SignatureValid).toBe(true);
    expect((await verify(e, k, alg, d, otherSign(spec, alg, k, MSG), 'DIGEST')).SignatureValid).toBe(true);
    await rejection(
      verify(
        e,
        k,
        alg,
        d.map((b) => b ^ 1),
        out.Signature!,
        'DIGEST',
      ),
      KMSInvalidSignatureException,
    );
  });
});

/** SM2DSA's e = SM3(Z_A ‖ M) with the default ID, by sm-crypto-v2. */
function sm2Digest(k: SigningKey, msg: Uint8Array): Uint8Array {
  return Buffer.from(sm2.getHash(msg, hexOf(k.spki.slice(-65))), 'hex');
}

describe('ML-DSA KMS keys', () => {
  it.each([
    ['ML_DSA_44', 0x11, 1312],
    ['ML_DSA_65', 0x12, 1952],
    ['ML_DSA_87', 0x13, 2592],
  ] as const)(
    '%s: GetPublicKey is a SPKI with the NIST OID and the public key the seed makes',
    async (spec, oid, pkLen) => {
      const e = envFor();
      const k = await signingKey(e, spec);
      const out = await e.c.send(new GetPublicKeyCommand({ KeyId: k.keyId }));
      expect(out).toMatchObject({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['ML_DSA_SHAKE_256'] });
      expect(out.CustomerMasterKeySpec).toBeUndefined();
      // AlgorithmIdentifier: id-ml-dsa-44/65/87 (2.16.840.1.101.3.4.3.17/18/19), parameters absent.
      const algId = Buffer.from([0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, oid]);
      expect(Buffer.from(k.spki).indexOf(algId)).toBe(4);
      expect(k.spki.length).toBe(4 + algId.length + 5 + pkLen);
      expect(mlDsaPublic(spec, k)).toHaveLength(pkLen);
    },
  );
});

describe('checks, in order, with their messages', () => {
  const e = envFor();
  const ARN = /^arn:aws:kms:us-east-1:111122223333:key\//;

  it('validation: required members, Message 1..4096 bytes, enums', async () => {
    const k = await signingKey(e, 'ECC_NIST_P256');
    const big = new Uint8Array(4097);
    expect((await rejection(sign(e, k, 'ECDSA_SHA_256', big, 'RAW'), ValidationException)).message).toBe(
      "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096",
    );
    expect(
      (await rejection(e.c.send(new SignCommand({ KeyId: k.keyId, Message: MSG } as never)), ValidationException))
        .message,
    ).toBe(
      "1 validation error detected: Value null at 'signingAlgorithm' failed to satisfy constraint: Member must not be null",
    );
    const msg = (await rejection(sign(e, k, 'ECDSA_SHA_999', MSG), ValidationException)).message;
    expect(msg).toMatch(
      /^1 validation error detected: Value 'ECDSA_SHA_999' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: \[/,
    );
    expect((await rejection(sign(e, k, 'ECDSA_SHA_256', MSG, 'HASHED'), ValidationException)).message).toBe(
      "1 validation error detected: Value 'HASHED' at 'messageType' failed to satisfy constraint: Member must satisfy enum value set: [RAW, DIGEST, EXTERNAL_MU]",
    );
    expect(
      (
        await rejection(
          e.c.send(new VerifyCommand({ KeyId: k.keyId, Message: MSG, SigningAlgorithm: 'ECDSA_SHA_256' } as never)),
          ValidationException,
        )
      ).message,
    ).toBe(
      "1 validation error detected: Value null at 'signature' failed to satisfy constraint: Member must not be null",
    );
  });

  it('key: unknown, disabled, pending deletion; usage; algorithm of the spec', async () => {
    const ghost = { keyId: '0b3c1a5e-1111-4222-8333-944455556666', arn: '', spki: MSG, pkcs8: MSG };
    await rejection(sign(e, ghost, 'ECDSA_SHA_256', MSG), NotFoundException);
    const d = await signingKey(e, 'ECC_NIST_P256');
    await e.c.send(new DisableKeyCommand({ KeyId: d.keyId }));
    expect((await rejection(sign(e, d, 'ECDSA_SHA_256', MSG), DisabledException)).message).toBe(
      `${d.arn} is disabled.`,
    );
    expect((await rejection(verify(e, d, 'ECDSA_SHA_256', MSG, MSG), DisabledException)).message).toBe(
      `${d.arn} is disabled.`,
    );
    const p = await signingKey(e, 'ECC_NIST_P256');
    await e.c.send(new ScheduleKeyDeletionCommand({ KeyId: p.keyId, PendingWindowInDays: 7 }));
    expect((await rejection(sign(e, p, 'ECDSA_SHA_256', MSG), KMSInvalidStateException)).message).toBe(
      `${p.arn} is pending deletion.`,
    );
    // [AWS-REC] usage messages of Sign and Verify.
    const mac = await newKey(e.c, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const macKey = { keyId: mac.KeyId, arn: mac.Arn!, spki: MSG, pkcs8: MSG };
    expect((await rejection(sign(e, macKey, 'ECDSA_SHA_256', MSG), InvalidKeyUsageException)).message).toBe(
      `${mac.Arn} key usage is GENERATE_VERIFY_MAC which is not valid for Sign.`,
    );
    const sym = await newKey(e.c);
    const symKey = { keyId: sym.KeyId, arn: sym.Arn!, spki: MSG, pkcs8: MSG };
    expect((await rejection(verify(e, symKey, 'ECDSA_SHA_256', MSG, MSG), InvalidKeyUsageException)).message).toBe(
      `${sym.Arn} key usage is ENCRYPT_DECRYPT which is not valid for Verify.`,
    );
    const rsaEnc = await newKey(e.c, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    expect(
      (
        await rejection(
          sign(e, { ...symKey, keyId: rsaEnc.KeyId }, 'RSASSA_PSS_SHA_256', MSG),
          InvalidKeyUsageException,
        )
      ).message,
    ).toBe(`${rsaEnc.Arn} key usage is ENCRYPT_DECRYPT which is not valid for Sign.`);
    const k = await signingKey(e, 'ECC_NIST_P256');
    expect(k.arn).toMatch(ARN);
    for (const alg of ['ECDSA_SHA_384', 'RSASSA_PSS_SHA_256', 'ED25519_SHA_512', 'SM2DSA', 'ML_DSA_SHAKE_256']) {
      expect((await rejection(sign(e, k, alg, MSG), InvalidKeyUsageException)).message).toBe(
        `Algorithm ${alg} is incompatible with key spec ECC_NIST_P256.`,
      );
      expect((await rejection(verify(e, k, alg, MSG, MSG), InvalidKeyUsageException)).message).toBe(
        `Algorithm ${alg} is incompatible with key spec ECC_NIST_P256.`,
      );
    }
  });

  it('message types: DIGEST lengths, Ed25519 pairs, EXTERNAL_MU', async () => {
    const k = await signingKey(e, 'ECC_NIST_P384');
    // [AWS-REC] "Digest is invalid length for algorithm ECDSA_SHA_256." (here for SHA-384)
    for (const n of [32, 47, 49, 64]) {
      expect(
        (await rejection(sign(e, k, 'ECDSA_SHA_384', new Uint8Array(n), 'DIGEST'), ValidationException)).message,
      ).toBe('Digest is invalid length for algorithm ECDSA_SHA_384.');
    }
    expect((await rejection(verify(e, k, 'ECDSA_SHA_384', MSG, MSG, 'DIGEST'), ValidationException)).message).toBe(
      'Digest is invalid length for algorithm ECDSA_SHA_384.',
    );
    expect(
      (await rejection(sign(e, k, 'ECDSA_SHA_384', new Uint8Array(64), 'EXTERNAL_MU'), ValidationException)).message,
    ).toBe('Message type EXTERNAL_MU is incompatible with key spec ECC_NIST_P384.');
    const ed = await signingKey(e, 'ECC_NIST_EDWARDS25519');
    expect(
      (await rejection(sign(e, ed, 'ED25519_SHA_512', new Uint8Array(64), 'DIGEST'), ValidationException)).message,
    ).toBe('Message type DIGEST is incompatible with algorithm ED25519_SHA_512.');
    expect((await rejection(sign(e, ed, 'ED25519_PH_SHA_512', MSG, 'RAW'), ValidationException)).message).toBe(
      'Message type RAW is incompatible with algorithm ED25519_PH_SHA_512.',
    );
    expect((await rejection(sign(e, ed, 'ED25519_PH_SHA_512', MSG), ValidationException)).message).toBe(
      'Message type RAW is incompatible with algorithm ED25519_PH_SHA_512.',
    );
    expect(
      (await rejection(sign(e, ed, 'ED25519_PH_SHA_512', new Uint8Array(32), 'DIGEST'), ValidationException)).message,
    ).toBe('Digest is invalid length for algorithm ED25519_PH_SHA_512.');
    const ml = await signingKey(e, 'ML_DSA_44');
    expect(
      (await rejection(sign(e, ml, 'ML_DSA_SHAKE_256', new Uint8Array(64), 'DIGEST'), ValidationException)).message,
    ).toBe('Message type DIGEST is incompatible with key spec ML_DSA_44.');
    expect(
      (await rejection(sign(e, ml, 'ML_DSA_SHAKE_256', new Uint8Array(63), 'EXTERNAL_MU'), ValidationException))
        .message,
    ).toBe('External Mu is invalid length for algorithm ML_DSA_SHAKE_256.');
  });

  it('DryRun answers DryRunOperationException after every check, and signs nothing', async () => {
    const k = await signingKey(e, 'ECC_NIST_P256');
    const dry = 'The request would have succeeded, but the DryRun option is set.';
    const s = e.c.send(
      new SignCommand({ KeyId: k.keyId, SigningAlgorithm: 'ECDSA_SHA_256', Message: MSG, DryRun: true }),
    );
    expect((await rejection(s, DryRunOperationException)).message).toBe(dry);
    const v = e.c.send(
      new VerifyCommand({
        KeyId: k.keyId,
        SigningAlgorithm: 'ECDSA_SHA_256',
        Message: MSG,
        Signature: MSG,
        DryRun: true,
      }),
    );
    expect((await rejection(v, DryRunOperationException)).message).toBe(dry);
    // A failing check wins over DryRun.
    const bad = e.c.send(
      new SignCommand({
        KeyId: k.keyId,
        SigningAlgorithm: 'ECDSA_SHA_256',
        Message: MSG,
        MessageType: 'DIGEST',
        DryRun: true,
      }),
    );
    await rejection(bad, ValidationException);
  });

  it('SM2DSA exists only where SM2 keys do', async () => {
    const k = await signingKey(e, 'ECC_NIST_P256');
    expect((await rejection(sign(e, k, 'SM2DSA', MSG), InvalidKeyUsageException)).message).toBe(
      'Algorithm SM2DSA is incompatible with key spec ECC_NIST_P256.',
    );
  });
});
