// CreateKey for asymmetric and HMAC key specs, GetPublicKey, and custom key stores
// (CreateCustomKeyStore, DescribeCustomKeyStores, CreateKey in a store) through KMSClient.

import { describe, it, expect } from 'vitest';
import { createPublicKey } from 'node:crypto';
import {
  KMSClient,
  KMSServiceException,
  MemoryKeyStore,
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  GenerateDataKeyPairCommand,
  EncryptCommand,
  DecryptCommand,
  InvalidKeyUsageException,
  ValidationException,
  UnsupportedOperationException,
  DisabledException,
  KMSInvalidStateException,
  CustomKeyStoreNotFoundException,
  CustomKeyStoreNameInUseException,
  CloudHsmClusterInUseException,
  InvalidMarkerException,
} from '../../src/kms/index.js';
import { GetPublicKeyCommand, CreateCustomKeyStoreCommand, DescribeCustomKeyStoresCommand } from '../../src/kms/registry.js';
import { CLOUDHSM, XKS, newKey, rejection } from '../helpers/kms.js';
import { hex } from '../helpers/hex.js';

const ACCOUNT = '111122223333';

function clients() {
  const store = new MemoryKeyStore();
  return { store, us: new KMSClient({ store }), cn: new KMSClient({ store, region: 'cn-north-1' }), west: new KMSClient({ store, region: 'us-west-2' }) };
}




const RSA_SIGNING = [
  'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512',
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
  { spec: 'RSA_2048', usage: 'ENCRYPT_DECRYPT', algs: { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }, node: ['rsa', { modulusLength: 2048 }] },
  { spec: 'RSA_3072', usage: 'SIGN_VERIFY', algs: { SigningAlgorithms: RSA_SIGNING }, node: ['rsa', { modulusLength: 3072 }] },
  { spec: 'RSA_4096', usage: 'SIGN_VERIFY', algs: { SigningAlgorithms: RSA_SIGNING }, node: ['rsa', { modulusLength: 4096 }] },
  { spec: 'ECC_NIST_P256', usage: 'SIGN_VERIFY', algs: { SigningAlgorithms: ['ECDSA_SHA_256'] }, node: ['ec', { namedCurve: 'prime256v1' }] },
  { spec: 'ECC_NIST_P384', usage: 'KEY_AGREEMENT', algs: { KeyAgreementAlgorithms: ['ECDH'] }, node: ['ec', { namedCurve: 'secp384r1' }] },
  { spec: 'ECC_NIST_P521', usage: 'SIGN_VERIFY', algs: { SigningAlgorithms: ['ECDSA_SHA_512'] }, node: ['ec', { namedCurve: 'secp521r1' }] },
  { spec: 'ECC_SECG_P256K1', usage: 'SIGN_VERIFY', algs: { SigningAlgorithms: ['ECDSA_SHA_256'] }, node: ['ec', { namedCurve: 'secp256k1' }] },
  { spec: 'ECC_NIST_EDWARDS25519', usage: 'SIGN_VERIFY', algs: { SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] }, node: ['ed25519', {}] },
  { spec: 'SM2', usage: 'SIGN_VERIFY', region: 'cn', algs: { SigningAlgorithms: ['SM2DSA'] } },
  { spec: 'SM2', usage: 'ENCRYPT_DECRYPT', region: 'cn', algs: { EncryptionAlgorithms: ['SM2PKE'] } },
  { spec: 'SM2', usage: 'KEY_AGREEMENT', region: 'cn', algs: { KeyAgreementAlgorithms: ['ECDH'] } },
  { spec: 'ML_KEM_512', usage: 'ENCAPSULATE_DECAPSULATE', algs: { EncapsulationAlgorithms: ['ML_KEM'] }, mlkem: { oidLast: 1, pkLen: 800 } },
  { spec: 'ML_KEM_768', usage: 'ENCAPSULATE_DECAPSULATE', algs: { EncapsulationAlgorithms: ['ML_KEM'] }, mlkem: { oidLast: 2, pkLen: 1184 } },
  { spec: 'ML_KEM_1024', usage: 'ENCAPSULATE_DECAPSULATE', algs: { EncapsulationAlgorithms: ['ML_KEM'] }, mlkem: { oidLast: 3, pkLen: 1568 } },
];

const ALG_MEMBERS = ['EncryptionAlgorithms', 'SigningAlgorithms', 'KeyAgreementAlgorithms', 'EncapsulationAlgorithms', 'MacAlgorithms'] as const;
const OLD_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1', 'SM2', 'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512'];

describe('CreateKey + GetPublicKey for every asymmetric key spec', () => {
  it.each(CASES.map((c) => [`${c.spec} ${c.usage}`, c] as const))('%s', async (_name, c) => {
    const cl = clients();
    const client = c.region === 'cn' ? cl.cn : cl.us;
    const md = await newKey(client, { KeySpec: c.spec, KeyUsage: c.usage, Description: 'asym' });
    expect(md).toMatchObject({ KeySpec: c.spec, KeyUsage: c.usage, KeyState: 'Enabled', Enabled: true, Origin: 'AWS_KMS', KeyManager: 'CUSTOMER' });
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

describe('HMAC keys', () => {
  it.each(['HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512'])('%s', async (spec) => {
    const { us, store } = clients();
    const md = await newKey(us, { KeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC' });
    expect(md).toMatchObject({ KeySpec: spec, CustomerMasterKeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC', MacAlgorithms: [`HMAC_SHA_${spec.slice(5)}`] });
    for (const m of ['EncryptionAlgorithms', 'SigningAlgorithms', 'KeyAgreementAlgorithms', 'EncapsulationAlgorithms']) expect(md).not.toHaveProperty(m);
    const rec = (await store.getKey(ACCOUNT, 'us-east-1', md.KeyId))!;
    expect(rec.hmacKey!.length).toBe(Number(spec.slice(5)) / 8);
    expect(rec.keyPair).toBeUndefined();
    const e = await rejection(us.send(new GetPublicKeyCommand({ KeyId: md.KeyId })), UnsupportedOperationException);
    expect(e.message).toBe(`${md.Arn} key spec is ${spec} which is not valid for GetPublicKey.`);
  });

  it('HMAC without KeyUsage → the recorded message', async () => {
    const { us } = clients();
    const e = await rejection(us.send(new CreateKeyCommand({ KeySpec: 'HMAC_256' })), ValidationException);
    expect(e.message).toBe('You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
  });
});

describe('asymmetric and HMAC keys refuse the symmetric encryption operations', () => {
  const specs: [string, string, 'us' | 'cn'][] = [
    ['RSA_2048', 'ENCRYPT_DECRYPT', 'us'],
    ['ECC_NIST_P256', 'SIGN_VERIFY', 'us'],
    ['ECC_NIST_P256', 'KEY_AGREEMENT', 'us'],
    ['ML_KEM_768', 'ENCAPSULATE_DECAPSULATE', 'us'],
    ['HMAC_256', 'GENERATE_VERIFY_MAC', 'us'],
    ['SM2', 'ENCRYPT_DECRYPT', 'cn'],
  ];
  it.each(specs)('%s %s', async (spec, usage, region) => {
    const client = clients()[region];
    const md = await newKey(client, { KeySpec: spec, KeyUsage: usage });
    const gdkp = await rejection(client.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'ECC_NIST_P256' })), InvalidKeyUsageException);
    if (usage !== 'ENCRYPT_DECRYPT') expect(gdkp.message).toBe(`${md.Arn} key usage is ${usage} which is not valid for GenerateDataKeyPair.`);
    await rejection(client.send(new EncryptCommand({ KeyId: md.KeyId, Plaintext: Uint8Array.of(1, 2, 3) })), InvalidKeyUsageException);
    // A symmetric ciphertext named to this key is refused before any decryption.
    const sym = await newKey(client);
    const ct = await client.send(new EncryptCommand({ KeyId: sym.KeyId, Plaintext: Uint8Array.of(1, 2, 3) }));
    await expect(client.send(new DecryptCommand({ KeyId: md.KeyId, CiphertextBlob: ct.CiphertextBlob }))).rejects.toBeInstanceOf(KMSServiceException);
  });
});

describe('CreateKey: KeySpec / KeyUsage / Region / Origin rules', () => {
  const invalid: [string, string][] = [
    ['RSA_2048', 'KEY_AGREEMENT'],
    ['RSA_3072', 'GENERATE_VERIFY_MAC'],
    ['ECC_NIST_P256', 'ENCRYPT_DECRYPT'],
    ['ECC_SECG_P256K1', 'KEY_AGREEMENT'],
    ['ECC_NIST_EDWARDS25519', 'KEY_AGREEMENT'],
    ['ML_KEM_512', 'ENCRYPT_DECRYPT'],
    ['HMAC_256', 'SIGN_VERIFY'],
    ['SYMMETRIC_DEFAULT', 'SIGN_VERIFY'],
    ['RSA_2048', 'ENCAPSULATE_DECAPSULATE'],
  ];
  it.each(invalid)('%s with %s → ValidationException in the recorded wording', async (spec, usage) => {
    const { us } = clients();
    const e = await rejection(us.send(new CreateKeyCommand({ KeySpec: spec as never, KeyUsage: usage as never })), ValidationException);
    expect(e.message).toBe(`KeyUsage ${usage} is not compatible with KeySpec ${spec}`);
  });

  it('the deprecated CustomerMasterKeySpec works as KeySpec', async () => {
    const { us } = clients();
    const md = await newKey(us, { CustomerMasterKeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    expect(md).toMatchObject({ KeySpec: 'ECC_NIST_P256', CustomerMasterKeySpec: 'ECC_NIST_P256', SigningAlgorithms: ['ECDSA_SHA_256'] });
  });

  it('SM2 only in cn-* Regions, ML-KEM not there', async () => {
    const { us, cn } = clients();
    await rejection(us.send(new CreateKeyCommand({ KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' })), UnsupportedOperationException);
    await rejection(cn.send(new CreateKeyCommand({ KeySpec: 'ML_KEM_768', KeyUsage: 'ENCAPSULATE_DECAPSULATE' })), UnsupportedOperationException);
  });

  it('ML-DSA cannot be generated by this build', async () => {
    const { us } = clients();
    await rejection(us.send(new CreateKeyCommand({ KeySpec: 'ML_DSA_65', KeyUsage: 'SIGN_VERIFY' })), UnsupportedOperationException);
  });

  it('Origin EXTERNAL asymmetric → PendingImport, no key pair, algorithms listed (as recorded)', async () => {
    const { us, store } = clients();
    const md = await newKey(us, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL', Description: 'd' });
    expect(md).toEqual({
      AWSAccountId: ACCOUNT,
      Arn: md.Arn,
      CreationDate: md.CreationDate,
      CustomerMasterKeySpec: 'ECC_NIST_P256',
      Description: 'd',
      Enabled: false,
      KeyId: md.KeyId,
      KeyManager: 'CUSTOMER',
      KeySpec: 'ECC_NIST_P256',
      KeyState: 'PendingImport',
      KeyUsage: 'SIGN_VERIFY',
      MultiRegion: false,
      Origin: 'EXTERNAL',
      SigningAlgorithms: ['ECDSA_SHA_256'],
    });
    expect((await store.getKey(ACCOUNT, 'us-east-1', md.KeyId))!.keyPair).toBeUndefined();
    const e = await rejection(us.send(new GetPublicKeyCommand({ KeyId: md.KeyId })), KMSInvalidStateException);
    expect(e.message).toBe(`${md.Arn} is pending import.`);
  });

  it('the key pair is stored as SPKI + PKCS#8', async () => {
    const { us, store } = clients();
    const md = await newKey(us, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const rec = (await store.getKey(ACCOUNT, 'us-east-1', md.KeyId))!;
    const pub = await us.send(new GetPublicKeyCommand({ KeyId: md.KeyId }));
    expect(hex(rec.keyPair!.publicKey)).toBe(hex(pub.PublicKey!));
    expect(rec.keyPair!.privateKey[0]).toBe(0x30);
    expect(rec.keyPair!.privateKey.some((b) => b !== 0)).toBe(true);
    expect(rec.keyMaterials).toEqual([]);
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
    expect(e.message).toBe("1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null");
  });
});

describe('custom key stores', () => {

  it('end to end: create, describe, CreateKey in the store, GenerateDataKeyPair refused, Encrypt works', async () => {
    const { us, west } = clients();
    const { CustomKeyStoreId: id } = await us.send(new CreateCustomKeyStoreCommand(CLOUDHSM));
    expect(id).toMatch(/^cks-[0-9a-f]{17}$/);

    const all = await us.send(new DescribeCustomKeyStoresCommand({}));
    expect(all.Truncated).toBe(false);
    expect(all.CustomKeyStores).toHaveLength(1);
    const entry = all.CustomKeyStores![0];
    expect(entry).toMatchObject({
      CustomKeyStoreId: id,
      CustomKeyStoreName: 'hsm-store',
      CustomKeyStoreType: 'AWS_CLOUDHSM',
      CloudHsmClusterId: CLOUDHSM.CloudHsmClusterId,
      TrustAnchorCertificate: CLOUDHSM.TrustAnchorCertificate,
      ConnectionState: 'CONNECTED',
    });
    expect(entry.CreationDate).toBeInstanceOf(Date);
    expect(JSON.stringify(entry)).not.toContain('kmsPassword');
    expect((await us.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id }))).CustomKeyStores).toEqual([entry]);
    expect((await us.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreName: 'hsm-store' }))).CustomKeyStores).toEqual([entry]);
    expect((await west.send(new DescribeCustomKeyStoresCommand({}))).CustomKeyStores).toEqual([]);

    const md = await newKey(us, { CustomKeyStoreId: id, Origin: 'AWS_CLOUDHSM' });
    expect(md).toMatchObject({ CustomKeyStoreId: id, Origin: 'AWS_CLOUDHSM', KeySpec: 'SYMMETRIC_DEFAULT', KeyState: 'Enabled' });
    expect((await us.send(new DescribeKeyCommand({ KeyId: md.KeyId }))).KeyMetadata!.CustomKeyStoreId).toBe(id);
    // Origin omitted: taken from the store's type.
    expect((await newKey(us, { CustomKeyStoreId: id })).Origin).toBe('AWS_CLOUDHSM');

    await rejection(us.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'ECC_NIST_P256' })), UnsupportedOperationException);
    const ct = await us.send(new EncryptCommand({ KeyId: md.KeyId, Plaintext: Uint8Array.of(7) }));
    const pt = await us.send(new DecryptCommand({ CiphertextBlob: ct.CiphertextBlob }));
    expect([...pt.Plaintext!]).toEqual([7]);
  });

  it('name in use, cluster in use, unknown id/name, other Region', async () => {
    const { us, west } = clients();
    await us.send(new CreateCustomKeyStoreCommand(CLOUDHSM));
    await rejection(us.send(new CreateCustomKeyStoreCommand({ ...CLOUDHSM, CloudHsmClusterId: 'cluster-2a23b4cdefg' })), CustomKeyStoreNameInUseException);
    await rejection(us.send(new CreateCustomKeyStoreCommand({ ...CLOUDHSM, CustomKeyStoreName: 'other' })), CloudHsmClusterInUseException);
    // Names are per account and Region.
    await west.send(new CreateCustomKeyStoreCommand(CLOUDHSM));
    await rejection(us.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: 'cks-0123456789abcdef0' })), CustomKeyStoreNotFoundException);
    await rejection(us.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreName: 'nope' })), CustomKeyStoreNotFoundException);
    await rejection(us.send(new CreateKeyCommand({ CustomKeyStoreId: 'cks-0123456789abcdef0', Origin: 'AWS_CLOUDHSM' })), CustomKeyStoreNotFoundException);
  });

  it('required members per store type; CreateKey rules in a store', async () => {
    const { us } = clients();
    await rejection(us.send(new CreateCustomKeyStoreCommand({ CustomKeyStoreName: 'x' })), ValidationException);
    await rejection(us.send(new CreateCustomKeyStoreCommand({ CustomKeyStoreName: 'x', CustomKeyStoreType: 'EXTERNAL_KEY_STORE' })), ValidationException);
    const { CustomKeyStoreId: xid } = await us.send(new CreateCustomKeyStoreCommand(XKS));
    const [xentry] = (await us.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: xid }))).CustomKeyStores!;
    expect(xentry).toMatchObject({
      CustomKeyStoreType: 'EXTERNAL_KEY_STORE',
      XksProxyConfiguration: { Connectivity: 'PUBLIC_ENDPOINT', AccessKeyId: XKS.XksProxyAuthenticationCredential.AccessKeyId, UriEndpoint: XKS.XksProxyUriEndpoint, UriPath: XKS.XksProxyUriPath },
    });
    expect(JSON.stringify(xentry)).not.toContain('aaaa');
    const md = await newKey(us, { CustomKeyStoreId: xid, Origin: 'EXTERNAL_KEY_STORE', XksKeyId: 'ext-key-1' });
    expect(md).toMatchObject({ Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: xid });
    await rejection(us.send(new CreateKeyCommand({ CustomKeyStoreId: xid, Origin: 'EXTERNAL_KEY_STORE' })), ValidationException);
    await rejection(us.send(new CreateKeyCommand({ CustomKeyStoreId: xid, Origin: 'AWS_CLOUDHSM' })), UnsupportedOperationException);
    await rejection(
      us.send(new CreateKeyCommand({ CustomKeyStoreId: xid, Origin: 'EXTERNAL_KEY_STORE', XksKeyId: 'k', KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })),
      UnsupportedOperationException,
    );
    await rejection(us.send(new CreateKeyCommand({ Origin: 'AWS_CLOUDHSM' })), ValidationException);
  });

  it('paging with Limit and Marker', async () => {
    const { us } = clients();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await us.send(new CreateCustomKeyStoreCommand({ ...CLOUDHSM, CustomKeyStoreName: `s${i}`, CloudHsmClusterId: `cluster-${i}a23b4cdefg` }))).CustomKeyStoreId!);
    }
    const p1 = await us.send(new DescribeCustomKeyStoresCommand({ Limit: 2 }));
    expect(p1.CustomKeyStores!.map((c) => c.CustomKeyStoreId)).toEqual(ids.slice(0, 2));
    expect(p1.Truncated).toBe(true);
    const p2 = await us.send(new DescribeCustomKeyStoresCommand({ Limit: 2, Marker: p1.NextMarker }));
    expect(p2.CustomKeyStores!.map((c) => c.CustomKeyStoreId)).toEqual(ids.slice(2));
    expect(p2.Truncated).toBe(false);
    expect(p2).not.toHaveProperty('NextMarker');
    await rejection(us.send(new DescribeCustomKeyStoresCommand({ Marker: 'garbage' })), InvalidMarkerException);
  });
});

describe('CreateKey tags', () => {
  it('gives the recorded TagException messages', async () => {
    const kms = new KMSClient();
    const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ TagKey: `k${i}`, TagValue: 'v' }));
    await expect(kms.send(new CreateKeyCommand({ Tags: tags(51) }))).rejects.toMatchObject({ name: 'TagException', message: 'Too many tags' });
    for (const TagKey of ['aws:x', 'AWS:x', 'Aws:x']) {
      await expect(kms.send(new CreateKeyCommand({ Tags: [{ TagKey, TagValue: 'v' }] }))).rejects.toMatchObject({
        name: 'TagException',
        message: 'Tags beginning with aws: are reserved',
        $metadata: { httpStatusCode: 400 },
      });
    }
    await expect(
      kms.send(new CreateKeyCommand({ Tags: [{ TagKey: 'a', TagValue: '1' }, { TagKey: 'a', TagValue: '2' }] })),
    ).rejects.toMatchObject({ name: 'TagException', message: 'Duplicate tag keys' });
    const ok = await kms.send(new CreateKeyCommand({ Tags: tags(50) }));
    expect(ok.KeyMetadata?.KeyState).toBe('Enabled');
  });
});
