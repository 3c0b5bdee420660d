// Constant time of RSA's private operations, by the instruction traces of
// test/constant-time.test.ts (test/helpers/instrument.ts): every run must execute the same
// instructions, take the same branches and touch the same addresses in the same order.
//
// - CRT signing (rsa_sign, PKCS#1 v1.5 and PSS, with a given blinding pair) across several
//   2048-bit keys and digests: one trace. The key's public sizes (n, p, q of 2048/1024/1024
//   bits, e = 65537) are the same for all of them; everything else may differ, the leading
//   zero bytes of dP, dQ and qInv included (one key in 256 has one in one of them: keys with
//   them are made on purpose below).
// - OAEP decryption (rsa_oaep_decrypt) with one key, across valid ciphertexts of several
//   message lengths and invalid ones (random, wrong label, a nonzero first byte, no 0x01
//   separator): one trace, so a failure costs exactly what a success does.
// - Negative control: a fresh blinding pair (its variable-time inversion of a blinded value)
//   gives different traces, so the harness does see differences in these paths.

import { beforeAll, describe, expect, it } from 'vitest';
import {
  constants,
  createHash,
  createPublicKey,
  generateKeyPairSync,
  publicEncrypt,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { type CoreVariant } from '../src/core/module.js';
import { parseRsaPkcs8 } from '../src/der/rsa.js';
import {
  instrumentModule,
  TracedCore,
  traceCall,
  groupByTrace,
  type Trace,
  expectOneTrace,
} from './helpers/instrument.js';
import { modPow } from './helpers/rsa-check.js';
import { privateFields } from '../src/core/rsa.js';

const BUILD_DIR = process.env.WASM_KMS_CT_BUILD_DIR ?? fileURLToPath(new URL('../build/', import.meta.url));
const VARIANTS: CoreVariant[] = ['simd', 'scalar'];
const FLAG_RSA = 1;
const SHA256 = 3;
const PKCS1 = 1;
const PSS = 2;

const toBigint = (b: Uint8Array): bigint => BigInt('0x' + (Buffer.from(b).toString('hex') || '0'));
const toBytes = (x: bigint, len?: number): Uint8Array => {
  let h = x.toString(16);
  if (h.length % 2) h = '0' + h;
  if (len !== undefined) h = h.padStart(2 * len, '0');
  return new Uint8Array(Buffer.from(h, 'hex'));
};

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [a % m, m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new Error('not invertible');
  return ((s0 % m) + m) % m;
}

interface Key {
  fields: Uint8Array[];
  k: number;
  n: bigint;
  e: bigint;
  pub: KeyObject;
}

function newKey(): Key {
  return newKeyFrom(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
}

function newKeyFrom(privateKey: KeyObject): Key {
  const publicKey = createPublicKey(privateKey);
  const pkcs8 = new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' }));
  const v = parseRsaPkcs8(pkcs8);
  // The record as the library writes it (dP, dQ, qInv padded to the primes' lengths).
  const { fields, k } = privateFields(pkcs8);
  return { fields, k, n: v.n, e: v.e, pub: publicKey };
}

/** A blinding pair A = r^e, Ai = r^-1 mod n for a random r, as the core expects it (A || Ai). */
function blindingPair(key: Key): Uint8Array {
  const r = toBigint(new Uint8Array(randomBytes(key.k - 1))) | 1n;
  const out = new Uint8Array(2 * key.k);
  out.set(toBytes(modPow(r, key.e, key.n), key.k), 0);
  out.set(toBytes(modInverse(r, key.n), key.k), key.k);
  return out;
}

function putKey(c: TracedCore, fields: Uint8Array[]): number {
  const table = new Uint32Array(fields.length * 2);
  fields.forEach((f, i) => {
    table[2 * i] = c.put(f);
    table[2 * i + 1] = f.length;
  });
  return c.put(new Uint8Array(table.buffer));
}

interface Run {
  label: string;
  trace: Trace;
  status: number;
  out: Uint8Array;
}

function sign(core: TracedCore, key: Key, scheme: number, digest: Uint8Array, fresh: boolean, label: string): Run {
  const pair = blindingPair(key);
  const r = traceCall(
    core,
    FLAG_RSA,
    (c) => ({
      key: putKey(c, key.fields),
      d: c.put(digest),
      blind: c.put(pair),
      out: c.x.alloc(key.k),
    }),
    (c, a) => {
      const status = c.fn('rsa_sign')(a.key, scheme, SHA256, a.d, digest.length, a.blind, fresh ? 1 : 0, a.out);
      return { status, out: c.take(a.out, key.k) };
    },
  );
  return { label, trace: r.trace, ...r.result };
}

function decrypt(core: TracedCore, key: Key, ct: Uint8Array, label: Uint8Array, name: string): Run {
  const pair = blindingPair(key);
  const max = key.k - 2 * 32 - 2;
  const r = traceCall(
    core,
    FLAG_RSA,
    (c) => ({
      key: putKey(c, key.fields),
      l: c.put(label),
      ct: c.put(ct),
      blind: c.put(pair),
      out: c.x.alloc(max),
      len: c.x.alloc(4),
    }),
    (c, a) => {
      const status = c.fn('rsa_oaep_decrypt')(
        a.key,
        SHA256,
        a.l,
        label.length,
        a.ct,
        ct.length,
        a.blind,
        0,
        a.out,
        a.len,
      );
      const len = new DataView(c.take(a.len, 4).buffer).getInt32(0, true);
      return { status, out: c.take(a.out, Math.max(0, len)) };
    },
  );
  return { label: name, trace: r.trace, ...r.result };
}

/** Keys until one whose dP, dQ or qInv has a leading zero byte (about one in 85). */
function keyWithShortField(): Key {
  for (;;) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const v = parseRsaPkcs8(new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })));
    const short = (x: bigint): boolean => x < 1n << 1016n;
    if (short(v.dP) || short(v.dQ) || short(v.qInv)) {
      const k = newKeyFrom(privateKey);
      return k;
    }
  }
}

const KEYS: Key[] = [...Array.from({ length: 3 }, newKey), keyWithShortField()];

describe.each(VARIANTS)('RSA constant time (%s build)', (variant) => {
  let core: TracedCore;
  beforeAll(() => {
    const path = join(BUILD_DIR, `wasm-kms.test.${variant}.wasm`);
    if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build:wasm:test`);
    core = new TracedCore(instrumentModule(new Uint8Array(readFileSync(path))));
  });

  for (const [scheme, name] of [
    [PKCS1, 'PKCS#1 v1.5'],
    [PSS, 'PSS'],
  ] as const) {
    it(`CRT signing (${name}, SHA-256, 2048-bit keys): one trace across 4 keys x 3 digests`, () => {
      // A first call grows the scratch arena's high-water mark (public); trace from the second on.
      sign(core, KEYS[0]!, scheme, new Uint8Array(32), false, 'warm-up');
      const runs: Run[] = [];
      KEYS.forEach((key, i) => {
        for (const digest of [new Uint8Array(32), new Uint8Array(32).fill(0xff), new Uint8Array(randomBytes(32))]) {
          const run = sign(
            core,
            key,
            scheme,
            digest,
            false,
            `key #${i}, digest ${Buffer.from(digest).toString('hex').slice(0, 8)}`,
          );
          expect(run.status).toBe(0);
          // the signature is right: s^e mod n is the encoded message
          const em = toBytes(modPow(toBigint(run.out), key.e, key.n), key.k);
          if (scheme === PKCS1) expect(Buffer.from(em.subarray(key.k - 32)).equals(Buffer.from(digest))).toBe(true);
          else expect(em[key.k - 1]).toBe(0xbc);
          runs.push(run);
        }
      });
      const t = expectOneTrace(`${variant} rsa_sign ${name}`, runs);
      expect(t.insn).toBeGreaterThan(10_000_000n);
    });
  }

  it('OAEP decryption (SHA-256, 2048-bit key): one trace for valid ciphertexts and every kind of invalid one', () => {
    const key = KEYS[1]!;
    const k = key.k;
    const oaep = (m: Uint8Array, label?: Uint8Array): Uint8Array =>
      new Uint8Array(
        publicEncrypt(
          { key: key.pub, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: label },
          m,
        ),
      );
    const raw = (em: Uint8Array): Uint8Array =>
      new Uint8Array(publicEncrypt({ key: key.pub, padding: constants.RSA_NO_PADDING }, em));
    const em = (first: number, fill: number): Uint8Array => {
      const b = new Uint8Array(k).fill(fill);
      b[0] = first;
      return b;
    };
    const empty = new Uint8Array(0);
    const cases: [string, Uint8Array, boolean][] = [
      ['valid, 0 bytes', oaep(empty), true],
      ['valid, 1 byte', oaep(new Uint8Array([9])), true],
      ['valid, 100 bytes', oaep(new Uint8Array(randomBytes(100))), true],
      ['valid, 190 bytes (the most)', oaep(new Uint8Array(randomBytes(190))), true],
      ['invalid: made with a label', oaep(new Uint8Array(10), new Uint8Array([1, 2, 3])), false],
      ['invalid: random below n', raw(em(0x12, 0x34)), false],
      ['invalid: first byte 1', raw(em(1, 0)), false],
      ['invalid: all zero (no separator)', raw(em(0, 0)), false],
      ['invalid: a flipped bit', ((c) => ((c[50]! ^= 4), c))(oaep(new Uint8Array(20))), false],
    ];
    decrypt(core, key, cases[0]![1], empty, 'warm-up');
    const runs = cases.map(([name, ct, valid]) => {
      const run = decrypt(core, key, ct, empty, name);
      expect(run.status, name).toBe(valid ? 0 : 5); // OK or DECRYPT_FAILED
      return run;
    });
    expect(runs[2]!.out.length).toBe(100);
    const t = expectOneTrace(`${variant} rsa_oaep_decrypt`, runs);
    expect(t.insn).toBeGreaterThan(10_000_000n);
  });

  it('negative control: making a fresh blinding pair (variable-time inversion of a blinded value) gives different traces', () => {
    const key = KEYS[2]!;
    const digest = createHash('sha256').update('control').digest();
    const runs = [0, 1, 2, 3].map((i) => sign(core, key, PKCS1, new Uint8Array(digest), true, `fresh pair #${i}`));
    for (const r of runs) expect(r.status).toBe(0);
    expect(groupByTrace(runs).length).toBeGreaterThan(1);
  });
});
