// SM3, SM2DSA and SM2PKE (src/core/sm2.ts, assembly/ec/sm2.ts) on both WebAssembly builds,
// checked against what shares no code with the core:
//   - known answers: the SM3 examples of GB/T 32905 (facts/sm3_examples.json); the worked SM2
//     examples (facts/sm2_sign_encrypt_examples.json): on sm2p256v1 the signature with the
//     example's nonce and the decryption of the example ciphertext; on the standard's Fp-256
//     test curve, which the core does not implement, Z_A, e, and C2/C3 from the core's SM3
//     and KDF with x2, y2 from the plain BigInt reference (test/helpers/ec-reference.ts);
//   - node:crypto's SM3 on random messages;
//   - sm-crypto-v2 and the OpenSSL command line (3.0, `dgst -sm3 -sigopt distid:...`,
//     `pkeyutl`): signatures and ciphertexts made here open there and theirs open here.
//     node:crypto itself cannot: Node 20 gives an SM2-curve key the EC key type, and
//     crypto.sign(null, m, key) with it makes an ECDSA-SHA-256 signature (tested below);
//   - tampering: a changed C1, C2, C3 or DER envelope fails with the one Sm2DecryptionError.

import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import {
  createHash,
  createHmac,
  generateKeyPairSync,
  randomBytes,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sm2 as smc } from 'sm-crypto-v2';
import { type Core, type CoreVariant } from '../src/core/module.js';
import { sm3, sm2Sign, sm2Verify, sm2Encrypt, sm2Decrypt, Sm2DecryptionError } from '../src/core/sm2.js';
import { generateEc } from '../src/core/ec.js';
import { ecPkcs8, ecSpki, parseEcPkcs8, parseEcSpki } from '../src/der/ec.js';
import { derInteger, derOctetString, derSequence } from '../src/der/writer.js';
import { loadTestCore } from './helpers/test-core.js';
import { readVectorJson } from './helpers/vectors.js';
import { hex, unhex } from './helpers/hex.js';
import { bigIntToBytes, curveFromHex, hexToBigInt, scalarMult, type CurveHex } from './helpers/ec-reference.js';

const VARIANTS: CoreVariant[] = ['simd', 'scalar'];
const SM2_FLAG = 1 << 6;
const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;

// ---- Vectors -----------------------------------------------------------------------------

interface Sm3File {
  tests: { name: string; messageHex: string; digest: string }[];
}
interface SignExample {
  name: string;
  curve: string;
  privateKey: string;
  publicKey: { x: string; y: string } | string;
  userId: string;
  zInput?: string;
  zA?: string;
  messageHex: string;
  e?: string;
  k: string;
  r: string;
  s: string;
}
interface EncryptExample {
  name: string;
  curve: string;
  privateKey: string;
  messageHex: string;
  k: string;
  C1: { x: string; y: string };
  C2: string;
  C3: string;
  ciphertextDer: string;
  ciphertextC1C3C2?: string;
}
interface ExamplesFile {
  curves: { fp256TestCurve: CurveHex };
  signatureExamples: SignExample[];
  encryptionExamples: EncryptExample[];
}
interface Sm2File {
  keyPairs: { privateKey: string; publicKeyUncompressed: string }[];
}

const sm3File = readVectorJson<Sm3File>('facts/sm3_examples.json');
const examples = readVectorJson<ExamplesFile>('facts/sm2_sign_encrypt_examples.json');
const sm2Facts = readVectorJson<Sm2File>('facts/sm2p256v1.json');
const testCurve = curveFromHex('fp256TestCurve', examples.curves.fp256TestCurve);
const gmSign = examples.signatureExamples.find((x) => x.curve === 'sm2p256v1')!;
const gmEncrypt = examples.encryptionExamples.find((x) => x.curve === 'sm2p256v1')!;
const fpSign = examples.signatureExamples.find((x) => x.curve === 'fp256TestCurve')!;
const fpEncrypt = examples.encryptionExamples.find((x) => x.curve === 'fp256TestCurve')!;
// The public key of the sm2p256v1 examples' private key (facts/sm2p256v1.json, keyPairs[0]).
const gmKey = sm2Facts.keyPairs.find((k) => k.privateKey === gmSign.privateKey)!;

// ---- Helpers -----------------------------------------------------------------------------

interface TestSm2 {
  sm2_sign_with_nonce(d: number, e: number, k: number, outR: number, outS: number): number;
  sm2_message_hash(pub: number, msg: number, len: number, out: number): void;
  sm2_kdf_xor(z: number, data: number, len: number): number;
}
const tx = (x: unknown): TestSm2 => x as TestSm2;

function messageHash(core: Core, point: Uint8Array, msg: Uint8Array): Uint8Array {
  return core.run(SM2_FLAG, (x) => {
    const out = x.alloc(32);
    tx(x).sm2_message_hash(core.put(point.subarray(1)), core.put(msg), msg.length, out);
    return core.take(out, 32);
  });
}

function signWithNonce(
  core: Core,
  d: Uint8Array,
  e: Uint8Array,
  k: Uint8Array,
): { status: number; r: string; s: string } {
  return core.run(SM2_FLAG, (x) => {
    const r = x.alloc(32);
    const s = x.alloc(32);
    const status = tx(x).sm2_sign_with_nonce(core.put(d), core.put(e), core.put(k), r, s);
    return { status, r: hex(core.take(r, 32)), s: hex(core.take(s, 32)) };
  });
}

function kdfXor(core: Core, z: Uint8Array, data: Uint8Array): { zero: number; out: Uint8Array } {
  return core.run(0, (x) => {
    const p = core.put(data);
    const zero = tx(x).sm2_kdf_xor(core.put(z), p, data.length);
    return { zero, out: core.take(p, data.length) };
  });
}

function keysFromScalar(dHex: string, pointHex: string): { spki: Uint8Array; pkcs8: Uint8Array } {
  return { spki: ecSpki('SM2', unhex(pointHex)), pkcs8: ecPkcs8('SM2', unhex(dHex), unhex(pointHex)) };
}

/** The TLVs in b[off..end): tag and contents (a test-side DER reader, not the one under test). */
function tlvs(b: Uint8Array): { tag: number; body: Uint8Array }[] {
  const out: { tag: number; body: Uint8Array }[] = [];
  let off = 0;
  while (off < b.length) {
    const tag = b[off]!;
    let len = b[off + 1]!;
    let head = 2;
    if (len & 0x80) {
      const count = len & 0x7f;
      len = 0;
      for (let i = 0; i < count; i++) len = len * 256 + b[off + 2 + i]!;
      head += count;
    }
    out.push({ tag, body: b.subarray(off + head, off + head + len) });
    off += head + len;
  }
  expect(off).toBe(b.length);
  return out;
}

/** r, s of a DER signature. */
function derSignatureValues(sig: Uint8Array): { r: bigint; s: bigint } {
  const outer = tlvs(sig);
  expect(outer.map((t) => t.tag)).toEqual([0x30]);
  const ints = tlvs(outer[0]!.body);
  expect(ints.map((t) => t.tag)).toEqual([0x02, 0x02]);
  return { r: hexToBigInt(hex(ints[0]!.body)), s: hexToBigInt(hex(ints[1]!.body)) };
}

/** The fields of a DER SM2Cipher. */
function derCipherFields(ct: Uint8Array): { x: bigint; y: bigint; c3: string; c2: string } {
  const outer = tlvs(ct);
  expect(outer.map((t) => t.tag)).toEqual([0x30]);
  const [x, y, c3, c2] = tlvs(outer[0]!.body);
  expect([x!.tag, y!.tag, c3!.tag, c2!.tag]).toEqual([0x02, 0x02, 0x04, 0x04]);
  return { x: hexToBigInt(hex(x!.body)), y: hexToBigInt(hex(y!.body)), c3: hex(c3!.body), c2: hex(c2!.body) };
}

function toDerCipher(c1: Uint8Array, c3: Uint8Array, c2: Uint8Array): Uint8Array {
  return derSequence(
    derInteger(c1.subarray(0, 32)),
    derInteger(c1.subarray(32, 64)),
    derOctetString(c3),
    derOctetString(c2),
  );
}

/**
 * The first k in [1, n - 1] of HMAC_DRBG with HMAC-SHA-256 (RFC 6979 §3.2 b-h, qlen = hlen =
 * 256) seeded with int2octets(d) || bits2octets(e) || extra (RFC 6979 §3.6), by node:crypto.
 */
function referenceNonce(d: bigint, e: bigint, extra: Uint8Array): bigint {
  const mac = (key: Uint8Array, ...parts: Uint8Array[]): Uint8Array => {
    const h = createHmac('sha256', key);
    for (const p of parts) h.update(p);
    return new Uint8Array(h.digest());
  };
  const seed = new Uint8Array([...bigIntToBytes(d, 32), ...bigIntToBytes(e, 32), ...extra]);
  let V: Uint8Array = new Uint8Array(32).fill(1);
  let K: Uint8Array = new Uint8Array(32);
  K = mac(K, V, Uint8Array.of(0), seed);
  V = mac(K, V);
  K = mac(K, V, Uint8Array.of(1), seed);
  V = mac(K, V);
  for (;;) {
    V = mac(K, V);
    const k = hexToBigInt(hex(V));
    if (k >= 1n && k < N) return k;
    K = mac(K, V, Uint8Array.of(0));
    V = mac(K, V);
  }
}

/** A fresh SM2 key pair from node:crypto (OpenSSL), as DER and as sm-crypto-v2's hex. */
function nodeKeyPair(): { spki: Uint8Array; pkcs8: Uint8Array; dHex: string; pubHex: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'SM2' });
  const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
  const pkcs8 = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
  const { privateKey: d } = parseEcPkcs8(pkcs8);
  return { spki, pkcs8, dHex: hex(d), pubHex: hex(parseEcSpki(spki).point) };
}

// The OpenSSL command line, in a temporary directory per call.
function openssl(files: Record<string, Uint8Array>, args: (dir: string) => string[], out?: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-kms-sm2-'));
  try {
    for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
    execFileSync('openssl', args(dir), { stdio: 'pipe' });
    return out ? readFileSync(join(dir, out)) : Buffer.alloc(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const DISTID = 'distid:1234567812345678';

function opensslVerifies(spki: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  try {
    openssl({ 'pub.der': spki, 'm.bin': msg, 's.der': sig }, (d) => [
      'dgst',
      '-sm3',
      '-keyform',
      'DER',
      '-verify',
      join(d, 'pub.der'),
      '-sigopt',
      DISTID,
      '-signature',
      join(d, 's.der'),
      join(d, 'm.bin'),
    ]);
    return true;
  } catch {
    return false;
  }
}

function opensslSign(pkcs8: Uint8Array, msg: Uint8Array): Uint8Array {
  return openssl(
    { 'key.der': pkcs8, 'm.bin': msg },
    (d) => [
      'dgst',
      '-sm3',
      '-keyform',
      'DER',
      '-sign',
      join(d, 'key.der'),
      '-sigopt',
      DISTID,
      '-out',
      join(d, 's.der'),
      join(d, 'm.bin'),
    ],
    's.der',
  );
}

function opensslEncrypt(spki: Uint8Array, msg: Uint8Array): Uint8Array {
  return openssl(
    { 'pub.der': spki, 'm.bin': msg },
    (d) => [
      'pkeyutl',
      '-encrypt',
      '-pubin',
      '-keyform',
      'DER',
      '-inkey',
      join(d, 'pub.der'),
      '-in',
      join(d, 'm.bin'),
      '-out',
      join(d, 'c.der'),
    ],
    'c.der',
  );
}

function opensslDecrypt(pkcs8: Uint8Array, ct: Uint8Array): Uint8Array {
  return openssl(
    { 'key.der': pkcs8, 'c.der': ct },
    (d) => [
      'pkeyutl',
      '-decrypt',
      '-keyform',
      'DER',
      '-inkey',
      join(d, 'key.der'),
      '-in',
      join(d, 'c.der'),
      '-out',
      join(d, 'm.bin'),
    ],
    'm.bin',
  );
}

function decryptError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

// ---- Tests ---------------------------------------------------------------------------------

describe.each(VARIANTS)('SM3 (%s build)', (variant) => {
  const core = loadTestCore(variant);

  it.each(sm3File.tests.map((t) => [t.name, t] as const))('%s', (_name, t) => {
    expect(hex(sm3(core, unhex(t.messageHex)))).toBe(t.digest);
  });

  it('equals node:crypto SM3 for every length 0..300 and for 10 KiB messages', () => {
    for (let len = 0; len <= 300; len++) {
      const m = randomBytes(len);
      expect(hex(sm3(core, m)), `length ${len}`).toBe(createHash('sm3').update(m).digest('hex'));
    }
    for (let i = 0; i < 4; i++) {
      const m = randomBytes(10240 + i * 17);
      expect(hex(sm3(core, m))).toBe(createHash('sm3').update(m).digest('hex'));
    }
  });
});

describe.each(VARIANTS)('SM2 known answers (%s build)', (variant) => {
  const core = loadTestCore(variant);

  it('sm2p256v1 signature example (GB/T 32918.5 Annex A): e, then (r, s) with the example nonce', () => {
    const point = unhex(gmKey.publicKeyUncompressed);
    const e = messageHash(core, point, unhex(gmSign.messageHex));
    // e = SM3(Z_A || M) with the default ID, as sm-crypto-v2 computes it.
    expect(hex(e)).toBe(smc.getHash(unhex(gmSign.messageHex), hex(point), '1234567812345678'));
    const sig = signWithNonce(core, unhex(gmSign.privateKey), e, unhex(gmSign.k));
    expect(sig).toEqual({ status: 0, r: gmSign.r, s: gmSign.s });
    // And the example signature verifies through the public API, RAW and DIGEST.
    const { spki } = keysFromScalar(gmSign.privateKey, gmKey.publicKeyUncompressed);
    const der = derSequence(derInteger(unhex(gmSign.r)), derInteger(unhex(gmSign.s)));
    expect(sm2Verify(core, spki, unhex(gmSign.messageHex), 'RAW', der)).toBe(true);
    expect(sm2Verify(core, spki, e, 'DIGEST', der)).toBe(true);
    expect(sm2Verify(core, spki, unhex(gmSign.messageHex + '00'), 'RAW', der)).toBe(false);
  });

  it('sm2p256v1 encryption example (GB/T 32918.5 Annex C) decrypts to its message', () => {
    const { pkcs8 } = keysFromScalar(gmEncrypt.privateKey, gmKey.publicKeyUncompressed);
    expect(hex(sm2Decrypt(core, pkcs8, unhex(gmEncrypt.ciphertextDer)))).toBe(gmEncrypt.messageHex);
  });

  it('the sign-with-nonce path refuses k = 0, k = n and d = n - 1', () => {
    const e = unhex(gmSign.r);
    const d = unhex(gmSign.privateKey);
    expect(signWithNonce(core, d, e, new Uint8Array(32)).status).toBe(1);
    expect(signWithNonce(core, d, e, bigIntToBytes(N, 32)).status).toBe(1);
    expect(signWithNonce(core, bigIntToBytes(N - 1n, 32), e, unhex(gmSign.k)).status).toBe(1);
  });

  it('Fp-256 test-curve signature example: Z_A and e from the core SM3 (the curve is not the core one)', () => {
    expect(hex(sm3(core, unhex(fpSign.zInput!)))).toBe(fpSign.zA);
    expect(hex(sm3(core, unhex(fpSign.zA! + fpSign.messageHex)))).toBe(fpSign.e);
  });

  it('Fp-256 test-curve encryption example: C2 and C3 from the core KDF and SM3, x2 and y2 from the BigInt reference', () => {
    const c1 = { x: hexToBigInt(fpEncrypt.C1.x), y: hexToBigInt(fpEncrypt.C1.y) };
    // [dB]C1 = [k]PB = (x2, y2) on the test curve.
    const p2 = scalarMult(testCurve, hexToBigInt(fpEncrypt.privateKey), c1)!;
    const x2 = bigIntToBytes(p2.x, 32);
    const y2 = bigIntToBytes(p2.y, 32);
    const z = new Uint8Array([...x2, ...y2]);
    const message = unhex(fpEncrypt.messageHex);
    const enc = kdfXor(core, z, message);
    expect(enc.zero).toBe(0);
    expect(hex(enc.out)).toBe(fpEncrypt.C2);
    expect(hex(kdfXor(core, z, unhex(fpEncrypt.C2)).out)).toBe(fpEncrypt.messageHex);
    expect(hex(sm3(core, new Uint8Array([...x2, ...message, ...y2])))).toBe(fpEncrypt.C3);
    // The example's DER and C1C3C2 forms carry the same fields.
    const f = derCipherFields(unhex(fpEncrypt.ciphertextDer));
    expect([f.x, f.y, f.c3, f.c2]).toEqual([c1.x, c1.y, fpEncrypt.C3, fpEncrypt.C2]);
    expect(fpEncrypt.ciphertextC1C3C2).toBe('04' + fpEncrypt.C1.x + fpEncrypt.C1.y + fpEncrypt.C3 + fpEncrypt.C2);
  });

  it('the KDF reports an all-zero key stream only when there is one (empty output)', () => {
    expect(kdfXor(core, randomBytes(64), new Uint8Array(0)).zero).toBe(1);
    expect(kdfXor(core, randomBytes(64), new Uint8Array(1000)).zero).toBe(0);
  });
});

describe.each(VARIANTS)('SM2DSA (%s build)', (variant) => {
  const core = loadTestCore(variant);

  it('signatures made here verify in sm-crypto-v2 and OpenSSL, RAW and DIGEST, and here', () => {
    for (let i = 0; i < 6; i++) {
      const { spki, pkcs8, pubHex } = nodeKeyPair();
      const msg = randomBytes(i * 37);
      const sig = sm2Sign(core, pkcs8, msg, 'RAW');
      const { r, s } = derSignatureValues(sig);
      expect(r > 0n && r < N && s > 0n && s < N).toBe(true);
      expect(smc.doVerifySignature(msg, hex(sig), pubHex, { der: true, hash: true })).toBe(true);
      expect(opensslVerifies(spki, msg, sig)).toBe(true);
      expect(sm2Verify(core, spki, msg, 'RAW', sig)).toBe(true);
      const e = unhex(smc.getHash(msg, pubHex));
      const sigD = sm2Sign(core, pkcs8, e, 'DIGEST');
      expect(smc.doVerifySignature(msg, hex(sigD), pubHex, { der: true, hash: true })).toBe(true);
      expect(sm2Verify(core, spki, msg, 'RAW', sigD)).toBe(true);
      expect(sm2Verify(core, spki, e, 'DIGEST', sig)).toBe(true);
    }
  });

  it('keys made by the core sign, and a PKCS#8 without its public key signs RAW the same way', () => {
    const { publicKey, privateKey } = generateEc(core, 'SM2');
    const msg = randomBytes(100);
    const pubHex = hex(parseEcSpki(publicKey).point);
    expect(
      smc.doVerifySignature(msg, hex(sm2Sign(core, privateKey, msg, 'RAW')), pubHex, { der: true, hash: true }),
    ).toBe(true);
    // The same key as PKCS#8 with no [1] publicKey: e uses [d]G. Bytes 6..27 of the PKCS#8 are
    // its AlgorithmIdentifier (id-ecPublicKey, sm2p256v1).
    const { privateKey: d } = parseEcPkcs8(privateKey);
    const noPub = derSequence(
      derInteger(new Uint8Array([0])),
      privateKey.subarray(6, 27),
      derOctetString(derSequence(derInteger(new Uint8Array([1])), derOctetString(d))),
    );
    expect(parseEcPkcs8(noPub).point).toBeUndefined();
    expect(smc.doVerifySignature(msg, hex(sm2Sign(core, noPub, msg, 'RAW')), pubHex, { der: true, hash: true })).toBe(
      true,
    );
  });

  it('signatures from sm-crypto-v2 and OpenSSL verify here', () => {
    for (let i = 0; i < 6; i++) {
      const { spki, pkcs8, dHex, pubHex } = nodeKeyPair();
      const msg = randomBytes(1 + i * 50);
      const theirs = unhex(smc.doSignature(msg, dHex, { der: true, hash: true, publicKey: pubHex }));
      expect(sm2Verify(core, spki, msg, 'RAW', theirs)).toBe(true);
      const ossl = new Uint8Array(opensslSign(pkcs8, msg));
      expect(sm2Verify(core, spki, msg, 'RAW', ossl)).toBe(true);
      // Another message, another key: false.
      expect(sm2Verify(core, spki, randomBytes(msg.length + 1), 'RAW', ossl)).toBe(false);
      expect(sm2Verify(core, nodeKeyPair().spki, msg, 'RAW', ossl)).toBe(false);
    }
  });

  it('two signatures of one message differ (fresh randomness), and both verify', () => {
    const { spki, pkcs8 } = nodeKeyPair();
    const msg = new TextEncoder().encode('one message');
    const a = sm2Sign(core, pkcs8, msg, 'RAW');
    const b = sm2Sign(core, pkcs8, msg, 'RAW');
    expect(hex(a)).not.toBe(hex(b));
    expect(sm2Verify(core, spki, msg, 'RAW', a) && sm2Verify(core, spki, msg, 'RAW', b)).toBe(true);
  });

  it('rejects changed, out-of-range and malformed signatures with false', () => {
    const { spki, pkcs8 } = nodeKeyPair();
    const msg = randomBytes(64);
    const sig = sm2Sign(core, pkcs8, msg, 'RAW');
    const { r, s } = derSignatureValues(sig);
    const enc = (a: bigint, b: bigint): Uint8Array =>
      derSequence(derInteger(bigIntToBytes(a, 33)), derInteger(bigIntToBytes(b, 33)));
    expect(sm2Verify(core, spki, msg, 'RAW', enc(r, s))).toBe(true);
    expect(sm2Verify(core, spki, msg, 'RAW', enc(r ^ 1n, s))).toBe(false);
    expect(sm2Verify(core, spki, msg, 'RAW', enc(r, s ^ 1n))).toBe(false);
    expect(sm2Verify(core, spki, msg, 'RAW', enc(r + N, s))).toBe(false);
    expect(sm2Verify(core, spki, msg, 'RAW', enc(r, s + N))).toBe(false);
    expect(sm2Verify(core, spki, msg, 'RAW', enc(0n, s))).toBe(false);
    expect(sm2Verify(core, spki, msg, 'RAW', enc(r, 0n))).toBe(false);
    // r + s = n: t = 0 (B5).
    expect(sm2Verify(core, spki, msg, 'RAW', enc(r, N - r))).toBe(false);
    // Not DER: trailing bytes, a non-minimal INTEGER, raw r || s, nothing.
    expect(sm2Verify(core, spki, msg, 'RAW', new Uint8Array([...sig, 0]))).toBe(false);
    const padded = derSequence(
      new Uint8Array([0x02, 34, 0, 0, ...bigIntToBytes(r, 32)]),
      derInteger(bigIntToBytes(s, 32)),
    );
    expect(sm2Verify(core, spki, msg, 'RAW', padded)).toBe(false);
    expect(sm2Verify(core, spki, msg, 'RAW', new Uint8Array([...bigIntToBytes(r, 32), ...bigIntToBytes(s, 32)]))).toBe(
      false,
    );
    expect(sm2Verify(core, spki, msg, 'RAW', new Uint8Array(0))).toBe(false);
  });

  it('node:crypto cannot check SM2DSA: its sign(null, m, sm2Key) is ECDSA with SHA-256', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'SM2' });
    const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
    const msg = randomBytes(32);
    const sig = new Uint8Array(nodeSign(null, msg, privateKey));
    expect(nodeVerify('sha256', msg, publicKey, sig)).toBe(true);
    expect(sm2Verify(core, spki, msg, 'RAW', sig)).toBe(false);
  });

  it('refuses keys of other curves and DIGESTs that are not 32 bytes', () => {
    const p256 = generateEc(core, 'P-256');
    expect(() => sm2Sign(core, p256.privateKey, new Uint8Array(1), 'RAW')).toThrow(TypeError);
    expect(() => sm2Verify(core, p256.publicKey, new Uint8Array(1), 'RAW', new Uint8Array(8))).toThrow(TypeError);
    const { pkcs8, spki } = nodeKeyPair();
    expect(() => sm2Sign(core, pkcs8, new Uint8Array(31), 'DIGEST')).toThrow(RangeError);
    expect(() => sm2Verify(core, spki, new Uint8Array(33), 'DIGEST', new Uint8Array(8))).toThrow(RangeError);
  });
});

describe.each(VARIANTS)('SM2PKE (%s build)', (variant) => {
  const core = loadTestCore(variant);

  it('ciphertexts made here are the DER SM2Cipher and decrypt in sm-crypto-v2, OpenSSL and here', () => {
    for (const len of [1, 31, 32, 33, 100, 1024]) {
      const { spki, pkcs8, dHex } = nodeKeyPair();
      const msg = randomBytes(len);
      const ct = sm2Encrypt(core, spki, msg);
      const f = derCipherFields(ct);
      expect(f.c3.length).toBe(64);
      expect(f.c2.length).toBe(2 * len);
      const c1c3c2 = bigIntToBytes(f.x, 32);
      const raw = hex(c1c3c2) + hex(bigIntToBytes(f.y, 32)) + f.c3 + f.c2;
      expect(hex(smc.doDecrypt(raw, dHex, 1, { output: 'array' }))).toBe(hex(msg));
      expect(hex(smc.doDecrypt(hex(ct), dHex, 1, { output: 'array', asn1: true }))).toBe(hex(msg));
      expect(hex(opensslDecrypt(pkcs8, ct))).toBe(hex(msg));
      expect(hex(sm2Decrypt(core, pkcs8, ct))).toBe(hex(msg));
    }
  });

  it('ciphertexts from sm-crypto-v2 (C1C3C2, converted to DER, and its own ASN.1) and OpenSSL decrypt here', () => {
    for (const len of [1, 19, 64, 500]) {
      const { spki, pkcs8, pubHex } = nodeKeyPair();
      const msg = randomBytes(len);
      const raw = unhex(smc.doEncrypt(msg, pubHex, 1));
      // sm-crypto-v2 writes C1 without its 04 prefix: x1 || y1 || C3 || C2.
      const der = toDerCipher(raw.subarray(0, 64), raw.subarray(64, 96), raw.subarray(96));
      expect(hex(sm2Decrypt(core, pkcs8, der))).toBe(hex(msg));
      const asn1 = unhex(smc.doEncrypt(msg, pubHex, 1, { asn1: true }));
      expect(hex(sm2Decrypt(core, pkcs8, asn1))).toBe(hex(msg));
      expect(hex(sm2Decrypt(core, pkcs8, new Uint8Array(opensslEncrypt(spki, msg))))).toBe(hex(msg));
    }
  });

  it('a changed C1, C2, C3 or envelope fails with the one Sm2DecryptionError', () => {
    const { spki, pkcs8 } = nodeKeyPair();
    const msg = randomBytes(48);
    const ct = sm2Encrypt(core, spki, msg);
    const f = derCipherFields(ct);
    const c1 = new Uint8Array([...bigIntToBytes(f.x, 32), ...bigIntToBytes(f.y, 32)]);
    const c3 = unhex(f.c3);
    const c2 = unhex(f.c2);
    const flip = (b: Uint8Array, i: number): Uint8Array => {
      const c = new Uint8Array(b);
      c[i] = c[i]! ^ 1;
      return c;
    };
    expect(hex(sm2Decrypt(core, pkcs8, toDerCipher(c1, c3, c2)))).toBe(hex(msg));
    const other = derCipherFields(sm2Encrypt(core, spki, msg));
    const otherC1 = new Uint8Array([...bigIntToBytes(other.x, 32), ...bigIntToBytes(other.y, 32)]);
    const bad: [string, Uint8Array][] = [
      ['C3 changed', toDerCipher(c1, flip(c3, 31), c2)],
      ['C2 changed', toDerCipher(c1, c3, flip(c2, 0))],
      ['C2 one byte short', toDerCipher(c1, c3, c2.subarray(1))],
      ['C1 off the curve', toDerCipher(flip(c1, 63), c3, c2)],
      ['C1 of another encryption', toDerCipher(otherC1, c3, c2)],
      ['C1 = (0, 0)', toDerCipher(new Uint8Array(64), c3, c2)],
      [
        'C3 of 31 bytes',
        derSequence(
          derInteger(c1.subarray(0, 32)),
          derInteger(c1.subarray(32)),
          derOctetString(c3.subarray(1)),
          derOctetString(c2),
        ),
      ],
      ['empty C2', toDerCipher(c1, c3, new Uint8Array(0))],
      ['trailing byte', new Uint8Array([...ct, 0])],
      ['C1C3C2 without DER', new Uint8Array([...c1, ...c3, ...c2])],
      [
        'x = p + x',
        derSequence(
          derInteger(bigIntToBytes(f.x + 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn, 33)),
          derInteger(c1.subarray(32)),
          derOctetString(c3),
          derOctetString(c2),
        ),
      ],
      ['nothing', new Uint8Array(0)],
    ];
    for (const [what, ct2] of bad) {
      const err = decryptError(() => sm2Decrypt(core, pkcs8, ct2));
      expect(err, what).toBeInstanceOf(Sm2DecryptionError);
      expect((err as Error).message, what).toBe('wasm-kms: the SM2PKE ciphertext could not be decrypted');
    }
    // The right ciphertext under another key fails the same way.
    expect(decryptError(() => sm2Decrypt(core, nodeKeyPair().pkcs8, ct))).toBeInstanceOf(Sm2DecryptionError);
  });

  it('two encryptions of one message differ; an empty plaintext and a key off the curve are refused', () => {
    const { spki } = nodeKeyPair();
    const msg = randomBytes(16);
    expect(hex(sm2Encrypt(core, spki, msg))).not.toBe(hex(sm2Encrypt(core, spki, msg)));
    expect(() => sm2Encrypt(core, spki, new Uint8Array(0))).toThrow(RangeError);
    const point = parseEcSpki(spki).point;
    const off = new Uint8Array(point);
    off[64] = off[64]! ^ 1;
    // ecSpki checks the encoding only, not the curve equation: the core refuses the point.
    expect(() => sm2Encrypt(core, ecSpki('SM2', off), msg)).toThrow(/not a point of the SM2 curve/);
  });
});

/** x as count little-endian 28-bit limbs, one per u32 (the core's bignum layout). */
function limbBytes(x: bigint, count: number): Uint8Array {
  const out = new Uint8Array(count * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < count; i++) {
    view.setUint32(i * 4, Number(x & 0xfffffffn), true);
    x >>= 28n;
  }
  return out;
}

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(Buffer.from(needle)) !== -1;
}

describe.each(VARIANTS)('SM2 scratch memory is wiped (%s build)', (variant) => {
  const core = loadTestCore(variant);
  const memory = (): Uint8Array => new Uint8Array(core.exports.memory.buffer);
  /** Neither the bytes nor the limbs of v remain in linear memory (windows from the middle). */
  const gone = (v: bigint, what: string): void => {
    expect(contains(memory(), bigIntToBytes(v, 32).subarray(8, 24)), `${what} bytes`).toBe(false);
    expect(contains(memory(), limbBytes(v, 10).subarray(8, 32)), `${what} limbs`).toBe(false);
  };

  it('holds no d, k or 1 + d after signing, and no d, x2, y2 or plaintext after decrypting', () => {
    const { spki, pkcs8 } = nodeKeyPair();
    const d = hexToBigInt(hex(parseEcPkcs8(pkcs8).privateKey));
    const k = (hexToBigInt(hex(randomBytes(32))) % (N - 1n)) + 1n;
    expect(signWithNonce(core, bigIntToBytes(d, 32), randomBytes(32), bigIntToBytes(k, 32)).status).toBe(0);
    gone(d, 'd');
    gone(k, 'k');
    gone(d + 1n, '1 + d');
    sm2Sign(core, pkcs8, randomBytes(77), 'RAW');
    gone(d, 'd after RAW signing');
    const msg = randomBytes(64);
    const ct = sm2Encrypt(core, spki, msg);
    expect(hex(sm2Decrypt(core, pkcs8, ct))).toBe(hex(msg));
    gone(d, 'd after decrypting');
    expect(contains(memory(), msg.subarray(16, 48)), 'plaintext').toBe(false);
    // x2 = x of [d]C1, by the BigInt reference on sm2p256v1.
    const f = derCipherFields(ct);
    const sm2Curve = curveFromHex('SM2', readVectorJson<{ curve: CurveHex }>('facts/sm2p256v1.json').curve);
    const p2 = scalarMult(sm2Curve, d, { x: f.x, y: f.y })!;
    gone(p2.x, 'x2');
    gone(p2.y, 'y2');
    // The check sees a value that is there (inside a call), and wipe() removes it.
    const probe = randomBytes(32);
    core.run(0, () => {
      core.put(probe);
      expect(contains(memory(), probe.subarray(8, 24))).toBe(true);
    });
    expect(contains(memory(), probe.subarray(8, 24))).toBe(false);
  });
});

describe.each(VARIANTS)('SM2DSA nonces with a broken random source (%s build)', (variant) => {
  const core = loadTestCore(variant);

  it('with all-zero "random" bytes, k still depends on d and e: no nonce repeats across messages or keys', () => {
    const a = nodeKeyPair();
    const b = nodeKeyPair();
    const m1 = randomBytes(50);
    const m2 = randomBytes(50);
    const own = Object.getOwnPropertyDescriptor(globalThis.crypto, 'getRandomValues');
    const zeros = <T extends ArrayBufferView | null>(array: T): T => {
      if (array) new Uint8Array(array.buffer, array.byteOffset, array.byteLength).fill(0);
      return array;
    };
    Object.defineProperty(globalThis.crypto, 'getRandomValues', { value: zeros, configurable: true, writable: true });
    let sigs: Uint8Array[];
    try {
      sigs = [
        sm2Sign(core, a.pkcs8, m1, 'RAW'),
        sm2Sign(core, a.pkcs8, m1, 'RAW'),
        sm2Sign(core, a.pkcs8, m2, 'RAW'),
        sm2Sign(core, b.pkcs8, m1, 'RAW'),
      ];
    } finally {
      // Back to the prototype's getRandomValues (or to an own one that was there before).
      if (own) Object.defineProperty(globalThis.crypto, 'getRandomValues', own);
      else delete (globalThis.crypto as { getRandomValues?: unknown }).getRandomValues;
    }
    expect(globalThis.crypto.getRandomValues(new Uint8Array(32)).some((x) => x !== 0)).toBe(true);
    // The same (d, e) and the same extra bytes give the same k: the DRBG is deterministic in them.
    expect(hex(sigs[0]!)).toBe(hex(sigs[1]!));
    // Another message or another key gives another k (r = e + x1 alone would differ with e; x1
    // is compared through r - e).
    const r = sigs.map((sig) => derSignatureValues(sig).r);
    const e1a = hexToBigInt(smc.getHash(m1, a.pubHex));
    const e2a = hexToBigInt(smc.getHash(m2, a.pubHex));
    const e1b = hexToBigInt(smc.getHash(m1, b.pubHex));
    const x1 = [(r[0]! - e1a + N) % N, (r[2]! - e2a + N) % N, (r[3]! - e1b + N) % N];
    expect(new Set(x1).size).toBe(3);
    expect(sm2Verify(core, a.spki, m1, 'RAW', sigs[0]!)).toBe(true);
    expect(sm2Verify(core, a.spki, m2, 'RAW', sigs[2]!)).toBe(true);
    expect(sm2Verify(core, b.spki, m1, 'RAW', sigs[3]!)).toBe(true);
    // The nonce is exactly the HMAC_DRBG of the documented construction: k = s (1 + d) + r d mod n
    // recovered from each signature equals RFC 6979 §3.2 b-h with HMAC-SHA-256 over
    // d || (e mod n) || 32 extra bytes (here the broken source's zeros), computed with node:crypto.
    const keys = [a, a, a, b];
    const msgs = [m1, m1, m2, m1];
    sigs.forEach((sig, i) => {
      const d = hexToBigInt(hex(parseEcPkcs8(keys[i]!.pkcs8).privateKey));
      const e = hexToBigInt(smc.getHash(msgs[i]!, keys[i]!.pubHex)) % N;
      const { r, s } = derSignatureValues(sig);
      const k = (s * (1n + d) + r * d) % N;
      expect(k, `signature ${i}`).toBe(referenceNonce(d, e, new Uint8Array(32)));
    });
  });
});
