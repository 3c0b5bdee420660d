import { describe, it, expect } from 'vitest';
import { generateKeyPairSync, createPublicKey, createPrivateKey, type KeyObject } from 'node:crypto';
import {
  DerError,
  DerReader,
  derBitString,
  derContextExplicit,
  derContextPrimitive,
  derInteger,
  derIntegerSmall,
  derLength,
  derNull,
  derOctetString,
  derOid,
  derSequence,
  oidContents,
  parseRsaPkcs8,
  parseRsaSpki,
  readTlv,
  rsaPkcs8,
  rsaPrivateKeyPkcs1,
  rsaPublicKeyPkcs1,
  rsaSpki,
  type RsaPrivateComponents,
} from '../src/der/index.js';
import { hex, unhex } from './helpers/hex.js';

const b64u = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64url'));
const toBig = (b: Uint8Array): bigint => (b.length === 0 ? 0n : BigInt('0x' + hex(b)));
const withZeros = (b: Uint8Array, k: number): Uint8Array => {
  const out = new Uint8Array(k + b.length);
  out.set(b, k);
  return out;
};

interface TestKey {
  label: string;
  publicKey: KeyObject;
  privateKey: KeyObject;
  components: RsaPrivateComponents;
}

function makeKey(modulusLength: number, publicExponent = 65537): TestKey {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength, publicExponent });
  const jwk = privateKey.export({ format: 'jwk' });
  const get = (name: 'n' | 'e' | 'd' | 'p' | 'q' | 'dp' | 'dq' | 'qi'): Uint8Array => {
    const v = jwk[name];
    if (typeof v !== 'string') throw new Error(`JWK lacks ${name}`);
    return b64u(v);
  };
  return {
    label: `RSA-${modulusLength} e=${publicExponent}`,
    publicKey,
    privateKey,
    components: {
      n: get('n'),
      e: get('e'),
      d: get('d'),
      p: get('p'),
      q: get('q'),
      dP: get('dp'),
      dQ: get('dq'),
      qInv: get('qi'),
    },
  };
}

const KEYS: TestKey[] = [makeKey(1024), makeKey(1024), makeKey(2048), makeKey(2048), makeKey(2048, 3), makeKey(3072)];

const FIELDS = ['n', 'e', 'd', 'p', 'q', 'dP', 'dQ', 'qInv'] as const;

function expectDerError(fn: () => unknown, message?: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(DerError);
  if (message) expect((caught as Error).message).toMatch(message);
}

describe('RSA SPKI / PKCS#8 against node:crypto', () => {
  for (const key of KEYS) {
    describe(key.label, () => {
      const nodeSpki = new Uint8Array(key.publicKey.export({ type: 'spki', format: 'der' }));
      const nodePkcs8 = new Uint8Array(key.privateKey.export({ type: 'pkcs8', format: 'der' }));
      const c = key.components;

      it('rsaSpki is byte-identical to node', () => {
        expect(hex(rsaSpki(c.n, c.e))).toBe(hex(nodeSpki));
      });

      it('rsaPkcs8 is byte-identical to node', () => {
        expect(hex(rsaPkcs8(c))).toBe(hex(nodePkcs8));
      });

      it('PKCS#1 encodings are byte-identical to node', () => {
        expect(hex(rsaPublicKeyPkcs1(c.n, c.e))).toBe(
          hex(new Uint8Array(key.publicKey.export({ type: 'pkcs1', format: 'der' }))),
        );
        expect(hex(rsaPrivateKeyPkcs1(c))).toBe(
          hex(new Uint8Array(key.privateKey.export({ type: 'pkcs1', format: 'der' }))),
        );
      });

      it('extra leading zero bytes give the same minimal output', () => {
        const padded = Object.fromEntries(
          FIELDS.map((k, i) => [k, withZeros(c[k], 1 + (i % 3))]),
        ) as unknown as RsaPrivateComponents;
        expect(hex(rsaSpki(padded.n, padded.e))).toBe(hex(nodeSpki));
        expect(hex(rsaPkcs8(padded))).toBe(hex(nodePkcs8));
      });

      it('node accepts our encodings', () => {
        const pub = createPublicKey({ key: Buffer.from(rsaSpki(c.n, c.e)), format: 'der', type: 'spki' });
        const priv = createPrivateKey({ key: Buffer.from(rsaPkcs8(c)), format: 'der', type: 'pkcs8' });
        expect(pub.export({ format: 'jwk' }).n).toBe(key.publicKey.export({ format: 'jwk' }).n);
        expect(priv.export({ format: 'jwk' }).d).toBe(key.privateKey.export({ format: 'jwk' }).d);
      });

      it('parses back to the same values (ours and node DER)', () => {
        const expected = Object.fromEntries(FIELDS.map((k) => [k, toBig(c[k])]));
        expect(parseRsaPkcs8(rsaPkcs8(c))).toEqual(expected);
        expect(parseRsaPkcs8(nodePkcs8)).toEqual(expected);
        expect(parseRsaSpki(rsaSpki(c.n, c.e))).toEqual({ n: expected.n, e: expected.e });
        expect(parseRsaSpki(nodeSpki)).toEqual({ n: expected.n, e: expected.e });
      });
    });
  }

  it('every truncation of a valid encoding throws DerError', () => {
    const key = KEYS[0];
    const spki = rsaSpki(key.components.n, key.components.e);
    const pkcs8 = rsaPkcs8(key.components);
    for (let len = 0; len < spki.length; len++) expectDerError(() => parseRsaSpki(spki.subarray(0, len)));
    for (let len = 0; len < pkcs8.length; len++) expectDerError(() => parseRsaPkcs8(pkcs8.subarray(0, len)));
  });
});

describe('INTEGER encoding', () => {
  const cases: [string, number[], string][] = [
    ['0', [0], '020100'],
    ['0 from empty input', [], '020100'],
    ['0 from several zero bytes', [0, 0, 0], '020100'],
    ['1', [1], '020101'],
    ['0x7f', [0x7f], '02017f'],
    ['0x80 needs a 00 prefix', [0x80], '02020080'],
    ['0xff', [0xff], '020200ff'],
    ['256', [1, 0], '02020100'],
    ['0x7fff', [0x7f, 0xff], '02027fff'],
    ['0x8000', [0x80, 0x00], '0203008000'],
    ['leading zeros are stripped', [0, 0, 0x12, 0x34], '02021234'],
    ['leading zeros stripped, 00 re-added', [0, 0, 0x80, 0x01], '0203008001'],
  ];
  for (const [name, bytes, expected] of cases) {
    it(name, () => {
      const der = derInteger(Uint8Array.from(bytes));
      expect(hex(der)).toBe(expected);
      const r = new DerReader(der);
      expect(r.readInteger()).toBe(toBig(Uint8Array.from(bytes)));
      r.expectEnd();
    });
  }

  it('derIntegerSmall', () => {
    expect(hex(derIntegerSmall(0))).toBe('020100');
    expect(hex(derIntegerSmall(0x7f))).toBe('02017f');
    expect(hex(derIntegerSmall(0x80))).toBe('02020080');
    expect(hex(derIntegerSmall(0xff))).toBe('020200ff');
    expect(hex(derIntegerSmall(256))).toBe('02020100');
    expect(hex(derIntegerSmall(65537))).toBe('0203010001');
    expect(hex(derIntegerSmall(2 ** 32))).toBe('02050100000000');
    expect(hex(derIntegerSmall(Number.MAX_SAFE_INTEGER))).toBe('02071fffffffffffff');
    expect(() => derIntegerSmall(-1)).toThrow(RangeError);
    expect(() => derIntegerSmall(1.5)).toThrow(RangeError);
  });

  it('large values: 4096-bit with top bit set, and random magnitudes round-trip', () => {
    const big = new Uint8Array(512).fill(0xab);
    const der = derInteger(big);
    expect(hex(der.subarray(0, 5))).toBe('0282020100'); // 513 contents octets, 00 prefix
    expect(der.length).toBe(4 + 513);
    expect(new DerReader(der).readInteger()).toBe(toBig(big));
    for (let i = 0; i < 200; i++) {
      const bytes = Uint8Array.from({ length: 1 + (i % 40) }, () => Math.floor(Math.random() * 256));
      if (i % 5 === 0) bytes[0] = 0; // exercise stripping
      const r = new DerReader(derInteger(bytes));
      expect(r.readInteger()).toBe(toBig(bytes));
      r.expectEnd();
    }
  });
});

describe('length encoding', () => {
  const cases: [number, string][] = [
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8180'],
    [255, '81ff'],
    [256, '820100'],
    [65535, '82ffff'],
    [65536, '83010000'],
    [16777216, '8401000000'],
  ];
  for (const [len, expected] of cases) {
    it(`derLength(${len}) = ${expected}`, () => {
      expect(hex(derLength(len))).toBe(expected);
    });
  }

  for (const size of [0, 127, 128, 255, 256, 65535, 65536]) {
    it(`OCTET STRING with ${size} content bytes has the right header and reads back`, () => {
      const contents = Uint8Array.from({ length: size }, (_, i) => i & 0xff);
      const der = derOctetString(contents);
      const lenOctets = hex(derLength(size));
      expect(hex(der.subarray(0, 1 + lenOctets.length / 2))).toBe('04' + lenOctets);
      expect(der.length).toBe(1 + lenOctets.length / 2 + size);
      const r = new DerReader(der);
      expect(hex(r.readOctetString())).toBe(hex(contents));
      r.expectEnd();
    });
  }

  it('SEQUENCE concatenates its parts under one header', () => {
    const a = derIntegerSmall(1);
    const b = derOctetString(new Uint8Array(200));
    const seq = derSequence(a, b);
    expect(hex(seq.subarray(0, 3))).toBe('3081' + (a.length + b.length).toString(16));
    expect(hex(seq.subarray(3))).toBe(hex(a) + hex(b));
    expect(hex(derSequence())).toBe('3000');
  });
});

describe('OBJECT IDENTIFIER encoding (worked out from X.690 §8.19)', () => {
  // 1.2 → 40·1+2 = 42 = 2a; 840 = 6·128+72 → 86 48;
  // 113549 = 6·128² + 119·128 + 13 → 86 f7 0d.
  const rsa = '06092a864886f70d010101';
  // 1.3 → 43 = 2b; 101 = 65; 112 = 70.
  const ed25519 = '06032b6570';
  // 2.16 → 80+16 = 96 = 60; 840 → 86 48; 1, 101 = 0x65, 3, 4, 4, 1.
  const mlKem512 = '0609608648016503040401';
  // 1.2 → 2a; 156 = 1·128+28 → 81 1c; 10197 = 79·128+85 → cf 55; 1; 301 = 2·128+45 → 82 2d.
  const sm2 = '06082a811ccf5501822d';
  // X.690 §8.19.5 example: 2.999.3 → 80+999 = 1079 = 8·128+55 → 88 37, then 03.
  const x690Example = '0603883703';
  const cases: [string, string][] = [
    ['1.2.840.113549.1.1.1', rsa],
    ['1.3.101.112', ed25519],
    ['2.16.840.1.101.3.4.4.1', mlKem512],
    ['1.2.156.10197.1.301', sm2],
    ['2.999.3', x690Example],
    ['0.0', '060100'],
    ['1.39', '06014f'],
  ];
  for (const [oid, expected] of cases) {
    it(oid, () => {
      expect(hex(derOid(oid))).toBe(expected);
      expect(hex(derOid(oidContents(oid)))).toBe(expected); // precomputed bytes
      const r = new DerReader(unhex(expected));
      expect(r.readOid()).toBe(oid);
      r.expectEnd();
    });
  }

  it('large arcs round-trip (2.25 UUID form)', () => {
    const oid = '2.25.329800735698586629295641978511506172918';
    const r = new DerReader(derOid(oid));
    expect(r.readOid()).toBe(oid);
  });

  it('rejects invalid dotted OIDs when writing', () => {
    for (const bad of ['', '1', '3.1', '1.40', '0.40', '1.2.x', '1..2', '1.02', '-1.2']) {
      expect(() => oidContents(bad), bad).toThrow(RangeError);
    }
  });
});

describe('other writers', () => {
  it('NULL, BIT STRING, context tags', () => {
    expect(hex(derNull())).toBe('0500');
    expect(hex(derBitString(unhex('abcd')))).toBe('030300abcd');
    expect(hex(derBitString(new Uint8Array(0)))).toBe('030100');
    expect(hex(derBitString(unhex('a0'), 5))).toBe('030205a0');
    expect(() => derBitString(unhex('a1'), 5)).toThrow(RangeError); // unused bits not zero
    expect(() => derBitString(new Uint8Array(0), 1)).toThrow(RangeError);
    expect(() => derBitString(unhex('00'), 8)).toThrow(RangeError);
    expect(hex(derContextExplicit(0, derIntegerSmall(2)))).toBe('a003020102');
    expect(hex(derContextExplicit(1, derNull()))).toBe('a1020500');
    expect(hex(derContextPrimitive(2, unhex('0102')))).toBe('82020102');
    expect(() => derContextExplicit(31, derNull())).toThrow(RangeError);
  });

  it('BIT STRING reads back with its unused bits', () => {
    const r = new DerReader(derBitString(unhex('f0'), 4));
    const bs = r.readBitString();
    expect(bs.unusedBits).toBe(4);
    expect(hex(bs.bytes)).toBe('f0');
  });
});

describe('strict reader rejects non-DER input', () => {
  const readInt = (h: string) => () => {
    const r = new DerReader(unhex(h));
    r.readInteger();
    r.expectEnd();
  };

  it('trailing bytes after the top-level element', () => {
    expectDerError(readInt('02010100'), /trailing/);
    const key = KEYS[0].components;
    const spki = rsaSpki(key.n, key.e);
    expectDerError(() => parseRsaSpki(Uint8Array.from([...spki, 0])), /trailing/);
    expectDerError(() => parseRsaPkcs8(Uint8Array.from([...rsaPkcs8(key), 0])), /trailing/);
  });

  it('truncated input', () => {
    expectDerError(readInt(''), /truncated/);
    expectDerError(readInt('02'), /truncated/);
    expectDerError(readInt('0202 01'), /truncated/);
    expectDerError(readInt('0282 01'), /truncated/);
    expectDerError(() => readTlv(unhex('0403 0102')), /truncated/);
  });

  it('indefinite length', () => {
    expectDerError(() => new DerReader(unhex('3080 020101 0000')).readSequence(), /indefinite/);
  });

  it('non-minimal lengths', () => {
    expectDerError(() => readTlv(unhex('0481 05 0102030405')), /non-minimal length/);
    expectDerError(() => readTlv(unhex('0481 7f' + '00'.repeat(127))), /non-minimal length/);
    expectDerError(() => readTlv(unhex('0482 0080' + '00'.repeat(128))), /non-minimal length/);
    expectDerError(() => readTlv(unhex('0483 000100' + '00'.repeat(256))), /non-minimal length/);
    // the minimal forms of the same lengths are fine
    expect(readTlv(unhex('0481 80' + '00'.repeat(128))).contents.length).toBe(128);
    expect(readTlv(unhex('0482 0100' + '00'.repeat(256))).contents.length).toBe(256);
  });

  it('reserved length octet 0xff and oversized lengths', () => {
    expectDerError(() => readTlv(unhex('04ff')), /reserved/);
    expectDerError(() => readTlv(unhex('0485 0100000000')), /too large/);
  });

  it('high-tag-number form', () => {
    expectDerError(() => readTlv(unhex('1f2001 00')), /high-tag-number/);
    expectDerError(() => readTlv(unhex('bf2001 00')), /high-tag-number/);
  });

  it('wrong tag', () => {
    expectDerError(() => new DerReader(unhex('040100')).readInteger(), /expected INTEGER, found OCTET STRING/);
    // constructed OCTET STRING (0x24) is not DER
    expectDerError(() => new DerReader(unhex('2403 040100')).readOctetString(), /expected OCTET STRING/);
  });

  it('non-minimal integers', () => {
    expectDerError(readInt('0202 0005'), /non-minimal INTEGER/);
    expectDerError(readInt('0202 007f'), /non-minimal INTEGER/);
    expectDerError(readInt('0202 ff80'), /non-minimal INTEGER/);
    expectDerError(readInt('0203 0000ff'), /non-minimal INTEGER/);
    // the boundary cases that are minimal
    expect(new DerReader(unhex('02020080')).readInteger()).toBe(0x80n);
    expect(new DerReader(unhex('020100')).readInteger()).toBe(0n);
  });

  it('empty integer', () => {
    expectDerError(readInt('0200'), /empty INTEGER/);
  });

  it('negative integers', () => {
    expectDerError(readInt('0201 ff'), /negative/);
    expectDerError(readInt('0201 80'), /negative/);
    expectDerError(readInt('0202 ff7f'), /negative/);
  });

  it('NULL with contents', () => {
    expectDerError(() => new DerReader(unhex('050100')).readNull(), /NULL/);
  });

  it('bad BIT STRINGs', () => {
    const readBits = (h: string) => () => new DerReader(unhex(h)).readBitString();
    expectDerError(readBits('0300'), /initial octet/);
    expectDerError(readBits('0302 08ff'), /unused bits/);
    expectDerError(readBits('0301 03'), /empty BIT STRING/);
    expectDerError(readBits('0302 0401'), /not zero/);
  });

  it('bad OBJECT IDENTIFIERs', () => {
    const readOid = (h: string) => () => new DerReader(unhex(h)).readOid();
    expectDerError(readOid('0600'), /empty/);
    expectDerError(readOid('0603 2a8001'), /non-minimal/); // 0 written as 80 01 → 2a 01
    expectDerError(readOid('0602 802a'), /non-minimal/);
    expectDerError(readOid('0602 2a86'), /truncated/);
  });

  describe('RSA structure checks', () => {
    const c = KEYS[0].components;
    const pub = rsaPublicKeyPkcs1(c.n, c.e);
    const priv = rsaPrivateKeyPkcs1(c);
    const rsaOid = derOid('1.2.840.113549.1.1.1');

    it('the hand-built control structures parse (so the rejections below are meaningful)', () => {
      expect(parseRsaSpki(derSequence(derSequence(rsaOid, derNull()), derBitString(pub))).e).toBe(toBig(c.e));
      const info = derSequence(derIntegerSmall(0), derSequence(rsaOid, derNull()), derOctetString(priv));
      expect(parseRsaPkcs8(info).qInv).toBe(toBig(c.qInv));
    });

    it('wrong OID in SPKI', () => {
      const nodeSpki = new Uint8Array(KEYS[0].publicKey.export({ type: 'spki', format: 'der' }));
      const at = hex(nodeSpki).indexOf('2a864886f70d010101') / 2;
      expect(at).toBeGreaterThan(0);
      const mutated = nodeSpki.slice();
      mutated[at + 8] = 0x0b; // 1.2.840.113549.1.1.11 (sha256WithRSAEncryption)
      expectDerError(() => parseRsaSpki(mutated), /rsaEncryption/);
      const ecSpki = derSequence(derSequence(derOid('1.2.840.10045.2.1'), derNull()), derBitString(pub));
      expectDerError(() => parseRsaSpki(ecSpki), /rsaEncryption/);
    });

    it('missing or non-NULL parameters in SPKI', () => {
      expectDerError(() => parseRsaSpki(derSequence(derSequence(rsaOid), derBitString(pub))), /NULL/);
      expectDerError(
        () => parseRsaSpki(derSequence(derSequence(rsaOid, derIntegerSmall(0)), derBitString(pub))),
        /expected NULL/,
      );
      expectDerError(
        () => parseRsaSpki(derSequence(derSequence(rsaOid, derNull(), derNull()), derBitString(pub))),
        /trailing/,
      );
    });

    it('trailing bytes inside the BIT STRING, the RSAPublicKey and the SPKI SEQUENCE', () => {
      const alg = derSequence(rsaOid, derNull());
      expectDerError(() => parseRsaSpki(derSequence(alg, derBitString(Uint8Array.from([...pub, 0])))), /trailing/);
      const pubExtra = derSequence(derInteger(c.n), derInteger(c.e), derIntegerSmall(1));
      expectDerError(() => parseRsaSpki(derSequence(alg, derBitString(pubExtra))), /trailing/);
      expectDerError(() => parseRsaSpki(derSequence(alg, derBitString(pub), derNull())), /trailing/);
    });

    it('BIT STRING with unused bits in SPKI', () => {
      const alg = derSequence(rsaOid, derNull());
      const padded = Uint8Array.from([...pub, 0]);
      expectDerError(() => parseRsaSpki(derSequence(alg, derBitString(padded, 1))), /unused bits/);
    });

    it('wrong PKCS#8 version', () => {
      const alg = derSequence(rsaOid, derNull());
      expectDerError(
        () => parseRsaPkcs8(derSequence(derIntegerSmall(1), alg, derOctetString(priv))),
        /PrivateKeyInfo version 1/,
      );
    });

    it('wrong RSAPrivateKey version (multi-prime)', () => {
      const alg = derSequence(rsaOid, derNull());
      const v1 = derSequence(derIntegerSmall(1), ...FIELDS.map((k) => derInteger(c[k])));
      expectDerError(() => parseRsaPkcs8(derSequence(derIntegerSmall(0), alg, derOctetString(v1))), /version 1/);
    });

    it('trailing byte inside the OCTET STRING', () => {
      const alg = derSequence(rsaOid, derNull());
      const octets = derOctetString(Uint8Array.from([...priv, 0]));
      expectDerError(() => parseRsaPkcs8(derSequence(derIntegerSmall(0), alg, octets)), /trailing/);
    });

    it('trailing element inside RSAPrivateKey and PrivateKeyInfo (attributes)', () => {
      const alg = derSequence(rsaOid, derNull());
      const privExtra = derSequence(derIntegerSmall(0), ...FIELDS.map((k) => derInteger(c[k])), derNull());
      expectDerError(() => parseRsaPkcs8(derSequence(derIntegerSmall(0), alg, derOctetString(privExtra))), /trailing/);
      const attrs = derContextExplicit(0, derSequence());
      expectDerError(
        () => parseRsaPkcs8(derSequence(derIntegerSmall(0), alg, derOctetString(priv), attrs)),
        /trailing/,
      );
    });

    it('wrong OID / missing NULL in PKCS#8', () => {
      expectDerError(
        () => parseRsaPkcs8(derSequence(derIntegerSmall(0), derSequence(rsaOid), derOctetString(priv))),
        /NULL/,
      );
      expectDerError(
        () => parseRsaPkcs8(derSequence(derIntegerSmall(0), derSequence(derOid('1.3.101.112')), derOctetString(priv))),
        /rsaEncryption/,
      );
    });
  });
});
