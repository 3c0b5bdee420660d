// CreateKey for every asymmetric key spec and GetPublicKey through KMSClient.

import { describe, it, expect } from 'vitest';
import { createPublicKey } from 'node:crypto';
import {
  DescribeKeyCommand,
  DisableKeyCommand,
  ValidationException,
  UnsupportedOperationException,
  DisabledException,
} from '../../src/kms/index.js';
import { GetPublicKeyCommand } from '../../src/kms/registry.js';
import { clients, newKey, rejection } from '../helpers/kms.js';
import { hex } from '../helpers/hex.js';

const RSA_SIGNING = [
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
];

type Case = {
  spec: string;
  usage: string;
  region?: 'cn';
  algs: Record<string, string[]>;
  /** node:crypto's view of the SPKI: [asymmetricKeyType, detail] */
  node?: [string, Record<string, unknown>];
  mlkem?: { oidLast: number; pkLen: number };
};

const CASES: Case[] = [
  {
    spec: 'RSA_2048',
    usage: 'ENCRYPT_DECRYPT',
    algs: { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] },
    node: ['rsa', { modulusLength: 2048 }],
  },
  {
    spec: 'RSA_3072',
    usage: 'SIGN_VERIFY',
    algs: { SigningAlgorithms: RSA_SIGNING },
    node: ['rsa', { modulusLength: 3072 }],
  },
  {
    spec: 'RSA_4096',
    usage: 'SIGN_VERIFY',
    algs: { SigningAlgorithms: RSA_SIGNING },
    node: ['rsa', { modulusLength: 4096 }],
  },
  {
    spec: 'ECC_NIST_P256',
    usage: 'SIGN_VERIFY',
    algs: { SigningAlgorithms: ['ECDSA_SHA_256'] },
    node: ['ec', { namedCurve: 'prime256v1' }],
  },
  {
    spec: 'ECC_NIST_P384',
    usage: 'KEY_AGREEMENT',
    algs: { KeyAgreementAlgorithms: ['ECDH'] },
    node: ['ec', { namedCurve: 'secp384r1' }],
  },
  {
    spec: 'ECC_NIST_P521',
    usage: 'SIGN_VERIFY',
    algs: { SigningAlgorithms: ['ECDSA_SHA_512'] },
    node: ['ec', { namedCurve: 'secp521r1' }],
  },
  {
    spec: 'ECC_SECG_P256K1',
    usage: 'SIGN_VERIFY',
    algs: { SigningAlgorithms: ['ECDSA_SHA_256'] },
    node: ['ec', { namedCurve: 'secp256k1' }],
  },
  {
    spec: 'ECC_NIST_EDWARDS25519',
    usage: 'SIGN_VERIFY',
    algs: { SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] },
    node: ['ed25519', {}],
  },
  { spec: 'SM2', usage: 'SIGN_VERIFY', region: 'cn', algs: { SigningAlgorithms: ['SM2DSA'] } },
  { spec: 'SM2', usage: 'ENCRYPT_DECRYPT', region: 'cn', algs: { EncryptionAlgorithms: ['SM2PKE'] } },
  { spec: 'SM2', usage: 'KEY_AGREEMENT', region: 'cn', algs: { KeyAgreementAlgorithms: ['ECDH'] } },
  {
    spec: 'ML_KEM_512',
    usage: 'ENCAPSULATE_DECAPSULATE',
    algs: { EncapsulationAlgorithms: ['ML_KEM'] },
    mlkem: { oidLast: 1, pkLen: 800 },
  },
  {
    spec: 'ML_KEM_768',
    usage: 'ENCAPSULATE_DECAPSULATE',
    algs: { EncapsulationAlgorithms: ['ML_KEM'] },
    mlkem: { oidLast: 2, pkLen: 1184 },
  },
  {
    spec: 'ML_KEM_1024',
    usage: 'ENCAPSULATE_DECAPSULATE',
    algs: { EncapsulationAlgorithms: ['ML_KEM'] },
    mlkem: { oidLast: 3, pkLen: 1568 },
  },
];

const ALG_MEMBERS = [
  'EncryptionAlgorithms',
  'SigningAlgorithms',
  'KeyAgreementAlgorithms',
  'EncapsulationAlgorithms',
  'MacAlgorithms',
] as const;
const OLD_SPECS = [
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'SM2',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
];

describe('CreateKey + GetPublicKey for every asymmetric key spec', () => {
  it.each(CASES.map((c) => [`${c.spec} ${c.usage}`, c] as const))('%s', async (_name, c) => {
    const cl = clients();
    const client = c.region === 'cn' ? cl.cn : cl.us;
    const md = await newKey(client, { KeySpec: c.spec, KeyUsage: c.usage, Description: 'asym' });
    expect(md).toMatchObject({
      KeySpec: c.spec,
      KeyUsage: c.usage,
      KeyState: 'Enabled',
      Enabled: true,
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
    });
    expect(md).not.toHaveProperty('CurrentKeyMaterialId');
    if (OLD_SPECS.includes(c.spec)) expect(md.CustomerMasterKeySpec).toBe(c.spec);
    else expect(md).not.toHaveProperty('CustomerMasterKeySpec');
    for (const m of ALG_MEMBERS) {
      if (c.algs[m] !== undefined) expect(md[m]).toEqual(c.algs[m]);
      else expect(md).not.toHaveProperty(m);
    }
    const described = (await client.send(new DescribeKeyCommand({ KeyId: md.KeyId }))).KeyMetadata!;
    expect(described).toEqual(md);

    const pub = await client.send(new GetPublicKeyCommand({ KeyId: md.KeyId }));
    expect(pub.KeyId).toBe(md.Arn);
    expect(pub.KeySpec).toBe(c.spec);
    expect(pub.KeyUsage).toBe(c.usage);
    if (OLD_SPECS.includes(c.spec)) expect(pub.CustomerMasterKeySpec).toBe(c.spec);
    for (const m of ['EncryptionAlgorithms', 'SigningAlgorithms', 'KeyAgreementAlgorithms'] as const) {
      if (c.algs[m] !== undefined) expect(pub[m]).toEqual(c.algs[m]);
      else expect(pub).not.toHaveProperty(m);
    }
    const spki = pub.PublicKey!;
    expect(spki).toBeInstanceOf(Uint8Array);
    if (c.node !== undefined) {
      const k = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      expect(k.asymmetricKeyType).toBe(c.node[0]);
      expect(k.asymmetricKeyDetails).toMatchObject(c.node[1]);
      expect(hex(k.export({ format: 'der', type: 'spki' }))).toBe(hex(spki));
    } else if (c.mlkem !== undefined) {
      expect(spki.length).toBe(c.mlkem.pkLen + 22);
      expect(hex(spki.subarray(4, 17))).toBe(`300b0609608648016503040400${c.mlkem.oidLast}`.replace(/00(\d)$/, '0$1'));
    } else {
      // SM2: id-ecPublicKey with the SM2 curve OID 1.2.156.10197.1.301, uncompressed point.
      expect(hex(spki)).toContain('06072a8648ce3d0201');
      expect(hex(spki)).toContain('06082a811ccf5501822d');
      expect(spki.length).toBe(91);
    }
    // Every call returns the same public key.
    const again = await client.send(new GetPublicKeyCommand({ KeyId: md.Arn }));
    expect(hex(again.PublicKey!)).toBe(hex(spki));
  });
});

describe('GetPublicKey errors', () => {
  it('symmetric key → UnsupportedOperationException', async () => {
    const { us } = clients();
    const md = await newKey(us);
    const e = await rejection(us.send(new GetPublicKeyCommand({ KeyId: md.KeyId })), UnsupportedOperationException);
    expect(e.message).toBe(`${md.Arn} key spec is SYMMETRIC_DEFAULT which is not valid for GetPublicKey.`);
  });

  it('disabled key → DisabledException; missing KeyId → ValidationException', async () => {
    const { us } = clients();
    const md = await newKey(us, { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    await us.send(new DisableKeyCommand({ KeyId: md.KeyId }));
    await rejection(us.send(new GetPublicKeyCommand({ KeyId: md.KeyId })), DisabledException);
    const e = await rejection(us.send(new GetPublicKeyCommand({ KeyId: undefined })), ValidationException);
    expect(e.message).toBe(
      "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
    );
  });
});
