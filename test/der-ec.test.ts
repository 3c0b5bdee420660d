// EC SubjectPublicKeyInfo / PKCS#8 (src/der/ec.ts) against node:crypto (OpenSSL 3), the
// reference DER files in test/vectors/der and the fixed templates of RFC 5480 and RFC 5915.
//
// Two node quirks shape this file:
// - Exporting a JWK straight from a key made by generateKeyPairSync can deadlock node 20
//   (a GC of the key-generation job during the export waits on the mutex the export holds).
//   So generated keys are only exported as DER, and the JWK comes from a re-import of that DER.
// - Node has no JWK for SM2 (neither export nor import). For SM2 the scalar and the point
//   are cut out of node's DER at the offsets the templates give, and checked with
//   createECDH('SM2') (P = d·G) before they are used; keys we build are checked by signing
//   with node (SM2 signatures with SM3) and verifying against our SPKI.

import { describe, expect, it } from 'vitest';
import {
  createECDH,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
  type JsonWebKey,
} from 'node:crypto';
import {
  EC_CURVES,
  EC_PUBLIC_KEY_OID,
  ecPkcs8,
  ecSpki,
  parseEcPkcs8,
  parseEcSpki,
  type EcCurve,
} from '../src/der/ec.js';
import { DerError } from '../src/der/reader.js';
import {
  derBitString,
  derContextExplicit,
  derIntegerSmall,
  derNull,
  derOctetString,
  derOid,
  derSequence,
  derTlv,
} from '../src/der/writer.js';
import { readVector } from './helpers/vectors.js';
import { hex, unhex } from './helpers/hex.js';

const b64u = (s: string | undefined): Uint8Array => {
  if (typeof s !== 'string') throw new Error('JWK member missing');
  return new Uint8Array(Buffer.from(s, 'base64url'));
};
const toB64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const ref = (name: string): Uint8Array => new Uint8Array(readVector(`der/${name}`));

const CURVES: EcCurve[] = ['P-256', 'P-384', 'P-521', 'secp256k1', 'SM2'];
/** Curves node can export and import as JWK (SM2 is the exception). */
const JWK_CURVES: EcCurve[] = ['P-256', 'P-384', 'P-521', 'secp256k1'];

/** OpenSSL / node:crypto curve names. */
const NODE_NAME: Record<EcCurve, string> = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
  secp256k1: 'secp256k1',
  SM2: 'SM2',
};

/**
 * The fixed DER templates (RFC 5480, RFC 5915 and RFC 5958, as OpenSSL 3 writes them):
 * SPKI = spki ‖ point, PKCS#8 = pkcs8 ‖ d ‖ mid ‖ point; and the sizes of the table.
 */
const TEMPLATE: Record<EcCurve, { spki: string; pkcs8: string; mid: string; sizes: [number, number] }> = {
  'P-256': {
    spki: '3059301306072a8648ce3d020106082a8648ce3d030107034200',
    pkcs8: '308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420',
    mid: 'a144034200',
    sizes: [91, 138],
  },
  'P-384': {
    spki: '3076301006072a8648ce3d020106052b81040022036200',
    pkcs8: '3081b6020100301006072a8648ce3d020106052b8104002204819e30819b0201010430',
    mid: 'a164036200',
    sizes: [120, 185],
  },
  'P-521': {
    spki: '30819b301006072a8648ce3d020106052b8104002303818600',
    pkcs8: '3081ee020100301006072a8648ce3d020106052b810400230481d63081d30201010442',
    mid: 'a1818903818600',
    sizes: [158, 241],
  },
  secp256k1: {
    spki: '3056301006072a8648ce3d020106052b8104000a034200',
    pkcs8: '308184020100301006072a8648ce3d020106052b8104000a046d306b0201010420',
    mid: 'a144034200',
    sizes: [88, 135],
  },
  SM2: {
    spki: '3059301306072a8648ce3d020106082a811ccf5501822d034200',
    pkcs8: '308187020100301306072a8648ce3d020106082a811ccf5501822d046d306b0201010420',
    mid: 'a144034200',
    sizes: [91, 138],
  },
};

/** Reference files: [curve, SPKI file, PKCS#8 file]. */
const REFERENCE_FILES: [EcCurve, string, string][] = [
  ['P-256', 'ECC_NIST_P256.spki.der', 'ECC_NIST_P256.pkcs8.der'],
  ['P-384', 'ECC_NIST_P384.spki.der', 'ECC_NIST_P384.pkcs8.der'],
  ['P-521', 'ECC_NIST_P521.spki.der', 'ECC_NIST_P521.pkcs8.der'],
  ['secp256k1', 'ECC_SECG_P256K1.spki.der', 'ECC_SECG_P256K1.pkcs8.der'],
  ['SM2', 'SM2.spki.der', 'SM2.pkcs8.der'],
  ['SM2', 'openssl_cli_SM2.spki.der', 'openssl_cli_SM2.p8.der'],
];

const fieldBytes = (curve: EcCurve): number => EC_CURVES[curve].fieldBytes;

/** P = d·G computed by node (OpenSSL), uncompressed. Accepts d with or without leading zeros. */
function nodePoint(curve: EcCurve, d: Uint8Array): Uint8Array {
  const ecdh = createECDH(NODE_NAME[curve]);
  ecdh.setPrivateKey(d);
  return new Uint8Array(ecdh.getPublicKey());
}

/** `value` left-padded with zeros to `length` bytes. */
function leftPad(value: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  out.set(value, length - value.length);
  return out;
}

interface NodeKey {
  d: Uint8Array; // fixed length
  point: Uint8Array;
  spki: Uint8Array;
  pkcs8: Uint8Array;
}

/** A key from generateKeyPairSync, its DER as node writes it, and d / point taken without our code. */
function generateNodeKey(curve: EcCurve): NodeKey {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: NODE_NAME[curve] });
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const pkcs8 = new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' }));
  const L = fieldBytes(curve);
  let d: Uint8Array;
  let point: Uint8Array;
  if (curve === 'SM2') {
    const t = TEMPLATE.SM2;
    const pre = unhex(t.pkcs8).length;
    expect(hex(spki.subarray(0, unhex(t.spki).length))).toBe(t.spki);
    expect(hex(pkcs8.subarray(0, pre))).toBe(t.pkcs8);
    d = pkcs8.slice(pre, pre + L);
    point = spki.slice(spki.length - (1 + 2 * L));
    expect(hex(nodePoint(curve, d)), 'SM2 d·G').toBe(hex(point));
  } else {
    // Re-imported from DER before the JWK export: see the note at the top of the file.
    const jwk = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }).export({ format: 'jwk' });
    d = b64u(jwk.d);
    const x = b64u(jwk.x);
    const y = b64u(jwk.y);
    expect([d.length, x.length, y.length]).toEqual([L, L, L]);
    point = concat(Uint8Array.of(4), x, y);
  }
  return { d, point, spki, pkcs8 };
}

describe('curve table', () => {
  it('has the named-curve OIDs and field lengths of the KMS specs', () => {
    expect(EC_PUBLIC_KEY_OID).toBe('1.2.840.10045.2.1');
    expect(Object.keys(EC_CURVES).sort()).toEqual([...CURVES].sort());
    expect(EC_CURVES['P-256']).toEqual({ oid: '1.2.840.10045.3.1.7', fieldBytes: 32 });
    expect(EC_CURVES['P-384']).toEqual({ oid: '1.3.132.0.34', fieldBytes: 48 });
    expect(EC_CURVES['P-521']).toEqual({ oid: '1.3.132.0.35', fieldBytes: 66 });
    expect(EC_CURVES.secp256k1).toEqual({ oid: '1.3.132.0.10', fieldBytes: 32 });
    expect(EC_CURVES.SM2).toEqual({ oid: '1.2.156.10197.1.301', fieldBytes: 32 });
    expect(Object.isFrozen(EC_CURVES) && Object.isFrozen(EC_CURVES['P-256'])).toBe(true);
  });

  it.each(CURVES)('%s: node knows the curve', (curve) => {
    expect(nodePoint(curve, Uint8Array.of(1)).length).toBe(1 + 2 * fieldBytes(curve));
  });
});

describe.each(CURVES)('%s: node-generated keys', (curve) => {
  const L = fieldBytes(curve);

  it('20 keys encode to the bytes node writes, and parse back', () => {
    for (let i = 0; i < 20; i++) {
      const k = generateNodeKey(curve);
      expect(hex(ecSpki(curve, k.point)), `SPKI #${i}`).toBe(hex(k.spki));
      expect(hex(ecPkcs8(curve, k.d, k.point)), `PKCS#8 #${i}`).toBe(hex(k.pkcs8));
      expect(parseEcSpki(k.spki)).toEqual({ curve, point: k.point });
      expect(parseEcPkcs8(k.pkcs8)).toEqual({ curve, privateKey: k.d, point: k.point });
    }
  });

  it('a generated key whose scalar starts with zero bytes keeps a fixed-length private key', () => {
    // P-521 scalars start with 0x00 half the time, so ask for two zero bytes there.
    const zeros = curve === 'P-521' ? 2 : 1;
    let k: NodeKey | undefined;
    for (let tries = 0; tries < 20_000 && k === undefined; tries++) {
      const c = generateNodeKey(curve);
      if (c.d.subarray(0, zeros).every((b) => b === 0)) k = c;
    }
    if (k === undefined) throw new Error('no scalar with leading zero bytes in 20000 keys');
    const der = ecPkcs8(curve, k.d, k.point);
    expect(hex(der)).toBe(hex(k.pkcs8));
    expect(der.length).toBe(TEMPLATE[curve].sizes[1]);
    const parsed = parseEcPkcs8(der);
    expect(parsed.privateKey.length).toBe(L);
    expect(hex(parsed.privateKey)).toBe(hex(k.d));
    // The same key with the zero bytes stripped, as createECDH().getPrivateKey() gives it.
    let start = 0;
    while (k.d[start] === 0) start++;
    expect(hex(ecPkcs8(curve, k.d.subarray(start), k.point))).toBe(hex(k.pkcs8));
  });
});

/** Scalars with leading zero bytes, and the smallest ones. */
function chosenScalars(curve: EcCurve): Uint8Array[] {
  const L = fieldBytes(curve);
  const withZeros = (zeros: number): Uint8Array => {
    const d = new Uint8Array(L);
    d.set(randomBytes(L - zeros), zeros);
    d[zeros] |= 0x01; // exactly `zeros` leading zero bytes
    return d;
  };
  const out = [leftPad(Uint8Array.of(1), L), leftPad(Uint8Array.of(2), L), leftPad(Uint8Array.of(1, 0), L)];
  for (const zeros of [1, 2, 3, 8, L - 4]) out.push(withZeros(zeros));
  if (curve === 'P-521') {
    // A full-width P-521 scalar: top byte 0x01, second byte below 0xff keeps it under n.
    const d = withZeros(0);
    d[0] = 0x01;
    d[1] &= 0x7f;
    out.push(d);
  }
  return out;
}

describe.each(JWK_CURVES)('%s: keys from chosen scalars, through a node JWK import', (curve) => {
  const L = fieldBytes(curve);

  it('encode to the bytes node writes for the same key, in every scalar form', () => {
    for (const d of chosenScalars(curve)) {
      const point = nodePoint(curve, d);
      const jwk: JsonWebKey = {
        kty: 'EC',
        crv: curve,
        d: toB64u(d),
        x: toB64u(point.subarray(1, 1 + L)),
        y: toB64u(point.subarray(1 + L)),
      };
      const priv = createPrivateKey({ key: jwk, format: 'jwk' });
      const nodeSpki = new Uint8Array(createPublicKey(priv).export({ type: 'spki', format: 'der' }));
      const nodePkcs8 = new Uint8Array(priv.export({ type: 'pkcs8', format: 'der' }));
      const label = `d=${hex(d)}`;
      expect(hex(ecSpki(curve, point)), label).toBe(hex(nodeSpki));
      expect(hex(ecPkcs8(curve, d, point)), label).toBe(hex(nodePkcs8));
      let start = 0;
      while (d[start] === 0) start++;
      expect(hex(ecPkcs8(curve, d.subarray(start), point)), `${label} stripped`).toBe(hex(nodePkcs8));
      expect(hex(ecPkcs8(curve, concat(new Uint8Array(3), d), point)), `${label} over-long`).toBe(hex(nodePkcs8));
      // And node reads our PKCS#8 back as the same key.
      const back = createPrivateKey({ key: Buffer.from(ecPkcs8(curve, d, point)), format: 'der', type: 'pkcs8' });
      expect(back.export({ format: 'jwk' })).toEqual(jwk);
      expect(parseEcPkcs8(nodePkcs8)).toEqual({ curve, privateKey: d, point });
    }
  });
});

describe('SM2: keys from chosen scalars, through node', () => {
  it('node reads our DER as the same key (re-export, SM2/SM3 signature)', () => {
    const msg = Buffer.from('wasm-kms SM2 test message');
    for (const d of chosenScalars('SM2')) {
      const point = nodePoint('SM2', d);
      const spki = ecSpki('SM2', point);
      const pkcs8 = ecPkcs8('SM2', d, point);
      const t = TEMPLATE.SM2;
      expect(hex(spki)).toBe(t.spki + hex(point));
      expect(hex(pkcs8)).toBe(t.pkcs8 + hex(d) + t.mid + hex(point));
      const priv = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
      const pub = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      expect(hex(priv.export({ type: 'pkcs8', format: 'der' }))).toBe(hex(pkcs8));
      expect(hex(createPublicKey(priv).export({ type: 'spki', format: 'der' }))).toBe(hex(spki));
      expect(hex(pub.export({ type: 'spki', format: 'der' }))).toBe(hex(spki));
      const signature = sign('sm3', msg, priv);
      expect(verify('sm3', msg, pub, signature), `d=${hex(d)}`).toBe(true);
      expect(parseEcPkcs8(pkcs8)).toEqual({ curve: 'SM2', privateKey: d, point });
    }
  });
});

describe.each(CURVES)('%s: fixed templates (RFC 5480 / RFC 5915 as OpenSSL 3 writes them)', (curve) => {
  it('SPKI and PKCS#8 are the template around the key bytes', () => {
    const L = fieldBytes(curve);
    const d = chosenScalars(curve)[3];
    const point = nodePoint(curve, d);
    const t = TEMPLATE[curve];
    const spki = ecSpki(curve, point);
    const pkcs8 = ecPkcs8(curve, d, point);
    expect(hex(spki)).toBe(t.spki + hex(point));
    expect(hex(pkcs8)).toBe(t.pkcs8 + hex(d) + t.mid + hex(point));
    expect([spki.length, pkcs8.length]).toEqual(t.sizes);
    expect(point.length).toBe(1 + 2 * L);
  });
});

describe('reference files (test/vectors/der)', () => {
  describe.each(REFERENCE_FILES)('%s: %s, %s', (curve, spkiFile, pkcs8File) => {
    const spki = ref(spkiFile);
    const pkcs8 = ref(pkcs8File);

    it('parse, hold a consistent key pair, and re-encode to identical bytes', () => {
      const pub = parseEcSpki(spki);
      const priv = parseEcPkcs8(pkcs8);
      expect(pub.curve).toBe(curve);
      expect(priv.curve).toBe(curve);
      expect(priv.privateKey.length).toBe(fieldBytes(curve));
      expect(priv.point).toBeDefined();
      expect(hex(priv.point!)).toBe(hex(pub.point));
      expect(hex(nodePoint(curve, priv.privateKey))).toBe(hex(pub.point));
      expect(hex(ecSpki(curve, pub.point))).toBe(hex(spki));
      expect(hex(ecPkcs8(curve, priv.privateKey, pub.point))).toBe(hex(pkcs8));
      expect([spki.length, pkcs8.length]).toEqual(TEMPLATE[curve].sizes);
    });

    it('use id-ecPublicKey with the named-curve OID as AlgorithmIdentifier', () => {
      const alg = hex(derSequence(derOid(EC_PUBLIC_KEY_OID), derOid(EC_CURVES[curve].oid)));
      expect(hex(spki)).toContain(alg);
      expect(hex(pkcs8)).toContain(alg);
    });
  });

  it('SM2 uses id-ecPublicKey + 1.2.156.10197.1.301, not a separate SM2 algorithm OID', () => {
    for (const file of ['SM2.spki.der', 'openssl_cli_SM2.spki.der']) {
      expect(hex(ref(file).subarray(0, 23))).toBe('3059301306072a8648ce3d020106082a811ccf5501822d');
    }
  });

  it('the SEC1 file (with [0] parameters) inside a PKCS#8 parses to the same key; re-encoding drops [0]', () => {
    const sec1 = ref('openssl_cli_SM2.sec1.der');
    const p8 = ref('openssl_cli_SM2.p8.der');
    const alg = (curve: EcCurve): Uint8Array => derSequence(derOid(EC_PUBLIC_KEY_OID), derOid(EC_CURVES[curve].oid));
    const wrapped = derSequence(derIntegerSmall(0), alg('SM2'), derOctetString(sec1));
    const fromSec1 = parseEcPkcs8(wrapped);
    expect(fromSec1).toEqual(parseEcPkcs8(p8));
    expect(hex(ecPkcs8('SM2', fromSec1.privateKey, fromSec1.point!))).toBe(hex(p8));
    // [0] naming another curve than the AlgorithmIdentifier.
    const mismatched = derSequence(derIntegerSmall(0), alg('P-256'), derOctetString(sec1));
    expect(() => parseEcPkcs8(mismatched)).toThrow(DerError);
  });
});

describe('parse results', () => {
  it('are copies, independent of the input buffer', () => {
    const d = chosenScalars('P-256')[4];
    const point = nodePoint('P-256', d);
    const spki = ecSpki('P-256', point);
    const pkcs8 = ecPkcs8('P-256', d, point);
    const pub = parseEcSpki(spki);
    const priv = parseEcPkcs8(pkcs8);
    spki.fill(0);
    pkcs8.fill(0);
    expect(hex(pub.point)).toBe(hex(point));
    expect(hex(priv.privateKey)).toBe(hex(d));
    expect(hex(priv.point!)).toBe(hex(point));
  });

  it('ecPkcs8 leaves its inputs alone', () => {
    const d = chosenScalars('P-384')[4];
    const point = nodePoint('P-384', d);
    const dCopy = d.slice();
    const pointCopy = point.slice();
    ecPkcs8('P-384', d, point);
    ecPkcs8('P-384', d.subarray(1), point);
    expect(hex(d)).toBe(hex(dCopy));
    expect(hex(point)).toBe(hex(pointCopy));
  });

  it('a PKCS#8 without the optional [1] public key gives point undefined', () => {
    const d = leftPad(Uint8Array.of(7), 32);
    const ecPrivateKey = derSequence(derIntegerSmall(1), derOctetString(d));
    const der = derSequence(
      derIntegerSmall(0),
      derSequence(derOid(EC_PUBLIC_KEY_OID), derOid(EC_CURVES.secp256k1.oid)),
      derOctetString(ecPrivateKey),
    );
    expect(parseEcPkcs8(der)).toEqual({ curve: 'secp256k1', privateKey: d, point: undefined });
    // node agrees that this is a valid key.
    const node = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
    expect(b64u(node.export({ format: 'jwk' }).d)).toEqual(d);
  });
});

describe('encoder rejections (RangeError)', () => {
  const d = leftPad(Uint8Array.of(5), 32);
  const point = nodePoint('P-256', d);

  it('wrong point length', () => {
    for (const bad of [
      new Uint8Array(0),
      point.subarray(0, 64),
      concat(point, Uint8Array.of(0)),
      point.subarray(0, 33),
    ]) {
      expect(() => ecSpki('P-256', bad)).toThrow(RangeError);
      expect(() => ecPkcs8('P-256', d, bad)).toThrow(RangeError);
    }
    // A P-256 point is not a P-384 or P-521 point, and vice versa.
    expect(() => ecSpki('P-384', point)).toThrow(RangeError);
    expect(() => ecSpki('P-521', point)).toThrow(RangeError);
    expect(() => ecSpki('P-256', nodePoint('P-384', Uint8Array.of(5)))).toThrow(RangeError);
  });

  it('wrong point prefix (compressed, hybrid, infinity)', () => {
    for (const prefix of [0x00, 0x02, 0x03, 0x06, 0x07]) {
      const bad = point.slice();
      bad[0] = prefix;
      expect(() => ecSpki('P-256', bad)).toThrow(/prefix 0x04/);
      expect(() => ecPkcs8('P-256', d, bad)).toThrow(RangeError);
    }
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(d);
    expect(() => ecSpki('P-256', new Uint8Array(ecdh.getPublicKey(null, 'compressed')))).toThrow(RangeError);
  });

  it('private key that does not fit, or is zero', () => {
    expect(() => ecPkcs8('P-256', concat(Uint8Array.of(1), d), point)).toThrow(RangeError);
    expect(() => ecPkcs8('P-256', new Uint8Array(32), point)).toThrow(/zero/);
    expect(() => ecPkcs8('P-256', new Uint8Array(0), point)).toThrow(/zero/);
    const p521 = nodePoint('P-521', Uint8Array.of(5));
    expect(() => ecPkcs8('P-521', concat(Uint8Array.of(1), new Uint8Array(66)), p521)).toThrow(RangeError);
    expect(ecPkcs8('P-521', leftPad(Uint8Array.of(5), 66), p521).length).toBe(241);
  });

  it('unknown curve names', () => {
    for (const name of ['P-224', 'prime256v1', 'secp256r1', 'sm2', 'toString', '__proto__', '']) {
      expect(() => ecSpki(name as EcCurve, point)).toThrow(RangeError);
      expect(() => ecPkcs8(name as EcCurve, d, point)).toThrow(RangeError);
    }
  });
});

describe('parser rejections (DerError)', () => {
  const curve: EcCurve = 'P-256';
  const d = leftPad(Uint8Array.of(0x2a, 0x2a), 32);
  const point = nodePoint(curve, d);
  const ecAlg = (curveOid = EC_CURVES[curve].oid, algOid = EC_PUBLIC_KEY_OID, ...extra: Uint8Array[]): Uint8Array =>
    derSequence(derOid(algOid), derOid(curveOid), ...extra);
  const spkiOf = (alg: Uint8Array, bits: Uint8Array, ...extra: Uint8Array[]): Uint8Array =>
    derSequence(alg, bits, ...extra);
  interface Parts {
    version?: number;
    alg?: Uint8Array;
    keyVersion?: number;
    scalar?: Uint8Array;
    pub?: Uint8Array | null;
    innerExtra?: Uint8Array[];
    octetsExtra?: Uint8Array[];
    outerExtra?: Uint8Array[];
  }
  const pkcs8Of = (p: Parts = {}): Uint8Array => {
    const pub = p.pub === undefined ? derContextExplicit(1, derBitString(point)) : p.pub;
    const ecPrivateKey = derSequence(
      derIntegerSmall(p.keyVersion ?? 1),
      derOctetString(p.scalar ?? d),
      ...(pub === null ? [] : [pub]),
      ...(p.innerExtra ?? []),
    );
    return derSequence(
      derIntegerSmall(p.version ?? 0),
      p.alg ?? ecAlg(),
      derOctetString(concat(ecPrivateKey, ...(p.octetsExtra ?? []))),
      ...(p.outerExtra ?? []),
    );
  };

  it('the builders make valid DER when nothing is changed', () => {
    expect(hex(spkiOf(ecAlg(), derBitString(point)))).toBe(hex(ecSpki(curve, point)));
    expect(hex(pkcs8Of())).toBe(hex(ecPkcs8(curve, d, point)));
  });

  it('unknown curve OIDs', () => {
    // P-224, P-192, brainpoolP256r1, X25519 as a "curve", and a near miss of the SM2 OID.
    for (const oid of [
      '1.3.132.0.33',
      '1.2.840.10045.3.1.1',
      '1.3.36.3.3.2.8.1.1.7',
      '1.3.101.110',
      '1.2.156.10197.1.302',
    ]) {
      expect(() => parseEcSpki(spkiOf(ecAlg(oid), derBitString(point)))).toThrow(/unsupported EC named curve/);
      expect(() => parseEcPkcs8(pkcs8Of({ alg: ecAlg(oid) }))).toThrow(/unsupported EC named curve/);
    }
  });

  it('other algorithm OIDs and parameter forms', () => {
    // rsaEncryption, id-ecDH, id-ecMQV, and an SM2 "algorithm" OID in place of id-ecPublicKey.
    for (const alg of ['1.2.840.113549.1.1.1', '1.3.132.1.12', '1.3.132.1.13', '1.2.156.10197.1.301']) {
      expect(() => parseEcSpki(spkiOf(ecAlg(undefined, alg), derBitString(point)))).toThrow(/id-ecPublicKey/);
      expect(() => parseEcPkcs8(pkcs8Of({ alg: ecAlg(undefined, alg) }))).toThrow(/id-ecPublicKey/);
    }
    const bad = [
      derSequence(derOid(EC_PUBLIC_KEY_OID)), // parameters absent
      derSequence(derOid(EC_PUBLIC_KEY_OID), derNull()), // implicitCurve
      derSequence(derOid(EC_PUBLIC_KEY_OID), derSequence(derIntegerSmall(1))), // specifiedCurve
      ecAlg(undefined, undefined, derNull()), // trailing element
    ];
    for (const alg of bad) {
      expect(() => parseEcSpki(spkiOf(alg, derBitString(point)))).toThrow(DerError);
      expect(() => parseEcPkcs8(pkcs8Of({ alg }))).toThrow(DerError);
    }
  });

  it('SPKI point of the wrong length, prefix, or with unused bits', () => {
    const wrongPrefix = point.slice();
    wrongPrefix[0] = 0x02;
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(d);
    const compressed = new Uint8Array(ecdh.getPublicKey(null, 'compressed'));
    for (const bits of [
      derBitString(point.subarray(0, 64)),
      derBitString(concat(point, Uint8Array.of(0))),
      derBitString(wrongPrefix),
      derBitString(compressed),
      derBitString(new Uint8Array(0)),
      derBitString(nodePoint('P-384', d)),
    ]) {
      expect(() => parseEcSpki(spkiOf(ecAlg(), bits))).toThrow(DerError);
      expect(() => parseEcPkcs8(pkcs8Of({ pub: derContextExplicit(1, bits) }))).toThrow(DerError);
    }
    const withUnusedBits = point.slice();
    withUnusedBits[64] &= 0xf0;
    const unused = derBitString(withUnusedBits, 4);
    expect(() => parseEcSpki(spkiOf(ecAlg(), unused))).toThrow(/unused bits/);
    expect(() => parseEcPkcs8(pkcs8Of({ pub: derContextExplicit(1, unused) }))).toThrow(/unused bits/);
    // The point as an OCTET STRING instead of a BIT STRING.
    expect(() => parseEcSpki(spkiOf(ecAlg(), derOctetString(point)))).toThrow(DerError);
  });

  it('PrivateKeyInfo versions other than 0', () => {
    for (const version of [1, 2]) {
      expect(() => parseEcPkcs8(pkcs8Of({ version }))).toThrow(/PrivateKeyInfo version/);
    }
  });

  it('ECPrivateKey versions other than 1', () => {
    for (const keyVersion of [0, 2, 3]) {
      expect(() => parseEcPkcs8(pkcs8Of({ keyVersion }))).toThrow(/ECPrivateKey version/);
    }
  });

  it('private keys of the wrong length, or zero', () => {
    // 31 bytes is what an INTEGER-style, zero-stripped encoder would write.
    for (const scalar of [d.subarray(1), concat(Uint8Array.of(0), d), new Uint8Array(0), d.subarray(0, 16)]) {
      expect(() => parseEcPkcs8(pkcs8Of({ scalar }))).toThrow(/private key must be 32 bytes/);
    }
    expect(() => parseEcPkcs8(pkcs8Of({ scalar: new Uint8Array(32) }))).toThrow(/zero/);
    // P-521 with 65 bytes (its leading zero byte dropped).
    const d521 = leftPad(Uint8Array.of(9), 66);
    const p521 = nodePoint('P-521', d521);
    const good521 = ecPkcs8('P-521', d521, p521);
    expect(parseEcPkcs8(good521).privateKey.length).toBe(66);
    const short521 = derSequence(
      derIntegerSmall(0),
      ecAlg(EC_CURVES['P-521'].oid),
      derOctetString(
        derSequence(derIntegerSmall(1), derOctetString(d521.subarray(1)), derContextExplicit(1, derBitString(p521))),
      ),
    );
    expect(() => parseEcPkcs8(short521)).toThrow(/P-521 private key must be 66 bytes/);
    // The private key as an INTEGER instead of an OCTET STRING.
    const asInteger = derSequence(
      derIntegerSmall(0),
      ecAlg(),
      derOctetString(
        derSequence(derIntegerSmall(1), derIntegerSmall(0x2a2a), derContextExplicit(1, derBitString(point))),
      ),
    );
    expect(() => parseEcPkcs8(asInteger)).toThrow(DerError);
  });

  it('[0] parameters that do not match, are not a named curve, or have trailing bytes; [1] with the wrong tag form', () => {
    const params = (inner: Uint8Array): Uint8Array => derContextExplicit(0, inner);
    // Matching [0] before [1] is accepted.
    expect(
      parseEcPkcs8(
        pkcs8Of({ pub: concat(params(derOid(EC_CURVES[curve].oid)), derContextExplicit(1, derBitString(point))) }),
      ),
    ).toEqual({ curve, privateKey: d, point });
    for (const p of [
      params(derOid(EC_CURVES.secp256k1.oid)),
      params(derOid('1.3.132.0.33')),
      params(derNull()),
      params(concat(derOid(EC_CURVES[curve].oid), derNull())),
    ]) {
      expect(() => parseEcPkcs8(pkcs8Of({ pub: concat(p, derContextExplicit(1, derBitString(point))) }))).toThrow(
        DerError,
      );
    }
    // [1] after-the-fact [0], i.e. in the wrong order.
    expect(() =>
      parseEcPkcs8(
        pkcs8Of({ pub: concat(derContextExplicit(1, derBitString(point)), params(derOid(EC_CURVES[curve].oid))) }),
      ),
    ).toThrow(DerError);
    // [1] IMPLICIT (primitive 0x81) instead of EXPLICIT.
    expect(() => parseEcPkcs8(pkcs8Of({ pub: derTlv(0x81, Uint8Array.of(0), point) }))).toThrow(DerError);
  });

  it('trailing bytes at every level', () => {
    const spki = ecSpki(curve, point);
    const pkcs8 = ecPkcs8(curve, d, point);
    const extra = derNull();
    // After the top-level SEQUENCE (one stray byte, and a whole element).
    expect(() => parseEcSpki(concat(spki, Uint8Array.of(0)))).toThrow(/trailing/);
    expect(() => parseEcSpki(concat(spki, extra))).toThrow(/trailing/);
    expect(() => parseEcPkcs8(concat(pkcs8, Uint8Array.of(0)))).toThrow(/trailing/);
    expect(() => parseEcPkcs8(concat(pkcs8, extra))).toThrow(/trailing/);
    // Inside the SubjectPublicKeyInfo and the AlgorithmIdentifier.
    expect(() => parseEcSpki(spkiOf(ecAlg(), derBitString(point), extra))).toThrow(/trailing/);
    expect(() => parseEcSpki(spkiOf(ecAlg(undefined, undefined, extra), derBitString(point)))).toThrow(/trailing/);
    // Inside the PrivateKeyInfo (e.g. attributes), after the ECPrivateKey inside the OCTET STRING,
    // inside the ECPrivateKey, and inside [1].
    expect(() => parseEcPkcs8(pkcs8Of({ outerExtra: [derContextExplicit(0, derSequence())] }))).toThrow(/trailing/);
    expect(() => parseEcPkcs8(pkcs8Of({ outerExtra: [extra] }))).toThrow(/trailing/);
    expect(() => parseEcPkcs8(pkcs8Of({ octetsExtra: [Uint8Array.of(0)] }))).toThrow(/trailing/);
    expect(() => parseEcPkcs8(pkcs8Of({ innerExtra: [extra] }))).toThrow(/trailing/);
    expect(() => parseEcPkcs8(pkcs8Of({ pub: derContextExplicit(1, concat(derBitString(point), extra)) }))).toThrow(
      /trailing/,
    );
  });

  it('truncated input and garbage', () => {
    const spki = ecSpki(curve, point);
    const pkcs8 = ecPkcs8(curve, d, point);
    for (const n of [0, 1, 2, 10, spki.length - 1]) expect(() => parseEcSpki(spki.subarray(0, n))).toThrow(DerError);
    for (const n of [0, 1, 2, 30, pkcs8.length - 1]) expect(() => parseEcPkcs8(pkcs8.subarray(0, n))).toThrow(DerError);
    // Each structure given to the other parser.
    expect(() => parseEcSpki(pkcs8)).toThrow(DerError);
    expect(() => parseEcPkcs8(spki)).toThrow(DerError);
    // An RSA key and an Ed25519 key from the reference files.
    for (const name of ['RSA_2048', 'ECC_NIST_EDWARDS25519']) {
      expect(() => parseEcSpki(ref(`${name}.spki.der`))).toThrow(/id-ecPublicKey/);
      expect(() => parseEcPkcs8(ref(`${name}.pkcs8.der`))).toThrow(/id-ecPublicKey/);
    }
  });
});
