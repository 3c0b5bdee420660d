// Constant-time checks of ECDSA signing and ECDH in the WebAssembly core, by instruction
// counting (the harness of test/constant-time.test.ts, test/helpers/instrument.ts): every
// run of an operation over many secret inputs of one public size must give the same
// instruction count, the same hash of branch decisions and the same hash of memory
// addresses. That checks what the code does, not how long an engine takes over it.
//
// Per curve (P-256, P-384, P-521, secp256k1; ECDH also SM2):
//   - ec_ecdsa_sign_with_nonce (test module): ECDSA with a given nonce over random private keys
//     and nonces, d = 1, d = n - 1, k = 1, k = n - 1; each (r, s) equals a plain BigInt
//     computation (test/helpers/ec-reference.ts for [k]G);
//   - ec_ecdsa_sign: the shipped entry, the nonce from the hedged HMAC_DRBG, over random keys
//     (each signature checked by node:crypto);
//   - ec_ecdh: over random private keys, d = 1 and d = n - 1, one peer point; each secret
//     equals the reference's x([d]Q);
//   - negative control: ec_ecdsa_verify (public inputs, variable time) gives different traces.
//
// The test module's builds (build/wasm-kms.test.{simd,scalar}.wasm, npm run build:wasm:test).

import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import crypto, { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { type CoreVariant } from '../src/core/module.js';
import { ecSpki, ecdsaSignatureDer } from '../src/der/ec.js';
import {
  instrumentModule,
  TracedCore,
  traceCall,
  groupByTrace,
  type Trace,
  expectOneTrace,
} from './helpers/instrument.js';
import { readVectorJson } from './helpers/vectors.js';
import {
  bigIntToBytes,
  bytesToBigInt,
  curveFromHex,
  mod,
  modInverse,
  scalarMult,
  generator,
  type CurveHex,
  type RefCurve,
} from './helpers/ec-reference.js';

const BUILD_DIR = process.env.WASM_KMS_CT_BUILD_DIR ?? fileURLToPath(new URL('../build/', import.meta.url));
const VARIANTS: CoreVariant[] = ['simd', 'scalar'];

interface CurveParams {
  curves: Record<string, CurveHex>;
}
const params = readVectorJson<CurveParams>('facts/ec_curve_params.json');
const sm2Params = readVectorJson<{ curve: CurveHex }>('facts/sm2p256v1.json');

interface CurveCase {
  name: 'P-256' | 'P-384' | 'P-521' | 'secp256k1' | 'SM2';
  id: number;
  bytes: number;
  hash: string;
  ref: RefCurve;
  runs: number;
}

function findCurve(name: string): CurveHex {
  const found = Object.entries(params.curves).find(([key]) => key === name);
  if (!found) throw new Error(`facts/ec_curve_params.json has no ${name} (it has ${Object.keys(params.curves)})`);
  return found[1];
}

const CURVES: CurveCase[] = [
  { name: 'P-256', id: 1, bytes: 32, hash: 'sha256', ref: curveFromHex('P-256', findCurve('P-256')), runs: 24 },
  { name: 'P-384', id: 2, bytes: 48, hash: 'sha384', ref: curveFromHex('P-384', findCurve('P-384')), runs: 16 },
  { name: 'P-521', id: 3, bytes: 66, hash: 'sha512', ref: curveFromHex('P-521', findCurve('P-521')), runs: 12 },
  {
    name: 'secp256k1',
    id: 4,
    bytes: 32,
    hash: 'sha256',
    ref: curveFromHex('secp256k1', findCurve('secp256k1')),
    runs: 24,
  },
];
const SM2: CurveCase = {
  name: 'SM2',
  id: 5,
  bytes: 32,
  hash: 'sha256',
  ref: curveFromHex('SM2', sm2Params.curve),
  runs: 16,
};

/** The core's hash ids (assembly/symmetric/hash.ts). */
const HASH_ID: Record<string, number> = { sha256: 3, sha384: 4, sha512: 5 };
const flagOf = (id: number): number => 1 << (id + 1);
const randScalar = (n: bigint): bigint => (bytesToBigInt(randomBytes(80)) % (n - 1n)) + 1n;

interface Run {
  label: string;
  trace: Trace;
}

/** bits2int(h) mod n (FIPS 186-5 §6.4.1), in BigInt. */
function hashToInt(h: Uint8Array, n: bigint): bigint {
  const qlen = n.toString(2).length;
  let e = bytesToBigInt(h);
  if (h.length * 8 > qlen) e >>= BigInt(h.length * 8 - qlen);
  return mod(e, n);
}

describe.each(VARIANTS)('constant time of ECDSA and ECDH in the %s build', (variant) => {
  let core: TracedCore;

  beforeAll(() => {
    const path = join(BUILD_DIR, `wasm-kms.test.${variant}.wasm`);
    if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build:wasm:test`);
    core = new TracedCore(instrumentModule(new Uint8Array(readFileSync(path))));
    // A curve's first call works without the fixed-base table and builds it at the next: two
    // calls per curve first, so that every run below uses it.
    for (const c of [...CURVES, SM2])
      for (let i = 0; i < 2; i++)
        traceCall(
          core,
          flagOf(c.id),
          () => null,
          () => null,
        );
  });

  describe.each(CURVES)('$name', (curve) => {
    const n = curve.ref.n;
    const G = generator(curve.ref);
    const b = (v: bigint): Uint8Array => bigIntToBytes(v, curve.bytes);

    it('ec_ecdsa_sign_with_nonce: one trace over random keys and nonces and the edge values, each (r, s) as the reference', () => {
      const cases: { label: string; d: bigint; k: bigint }[] = [
        { label: 'd = 1', d: 1n, k: randScalar(n) },
        { label: 'd = n - 1', d: n - 1n, k: randScalar(n) },
        { label: 'k = 1', d: randScalar(n), k: 1n },
        { label: 'k = n - 1', d: randScalar(n), k: n - 1n },
      ];
      for (let i = 0; i < curve.runs; i++) cases.push({ label: `random #${i}`, d: randScalar(n), k: randScalar(n) });
      const h = new Uint8Array(crypto.createHash(curve.hash).update('constant time').digest());
      const e = hashToInt(h, n);
      const runs: Run[] = [];
      const wrong: string[] = [];
      for (const c of cases) {
        const { result, trace } = traceCall(
          core,
          flagOf(curve.id),
          (x) => ({
            d: x.put(b(c.d)),
            h: x.put(h),
            k: x.put(b(c.k)),
            r: x.x.alloc(curve.bytes),
            s: x.x.alloc(curve.bytes),
          }),
          (x, a) => {
            expect(x.fn('ec_ecdsa_sign_with_nonce')(curve.id, a.d, a.h, h.length, a.k, a.r, a.s)).toBe(0);
            return [bytesToBigInt(x.take(a.r, curve.bytes)), bytesToBigInt(x.take(a.s, curve.bytes))];
          },
        );
        const r = mod(scalarMult(curve.ref, c.k, G)!.x, n);
        const s = mod(modInverse(c.k, n) * (e + r * c.d), n);
        if (result[0] !== r || result[1] !== s) wrong.push(c.label);
        runs.push({ label: c.label, trace });
      }
      expect(wrong).toEqual([]);
      expectOneTrace(`${variant} ${curve.name} ec_ecdsa_sign_with_nonce`, runs);
    });

    it('ec_ecdsa_sign (hedged HMAC_DRBG nonce): one trace over random keys, each signature valid in node:crypto', () => {
      const message = randomBytes(100);
      const h = new Uint8Array(crypto.createHash(curve.hash).update(message).digest());
      const runs: Run[] = [];
      for (let i = 0; i < Math.min(curve.runs, 12); i++) {
        const d = i === 0 ? 1n : i === 1 ? n - 1n : randScalar(n);
        const { result, trace } = traceCall(
          core,
          flagOf(curve.id),
          (x) => ({ d: x.put(b(d)), h: x.put(h), r: x.x.alloc(curve.bytes), s: x.x.alloc(curve.bytes) }),
          (x, a) => {
            expect(x.fn('ec_ecdsa_sign')(curve.id, HASH_ID[curve.hash]!, a.d, a.h, h.length, a.r, a.s)).toBe(0);
            return ecdsaSignatureDer(x.take(a.r, curve.bytes), x.take(a.s, curve.bytes));
          },
        );
        const Q = scalarMult(curve.ref, d, G)!;
        const spki = ecSpki(curve.name, new Uint8Array([4, ...b(Q.x), ...b(Q.y)]));
        const key = crypto.createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
        expect(crypto.verify(curve.hash, message, key, result), `key #${i}`).toBe(true);
        runs.push({ label: `key #${i}`, trace });
      }
      expectOneTrace(`${variant} ${curve.name} ec_ecdsa_sign`, runs);
    });
  });

  describe.each([...CURVES, SM2])('$name', (curve) => {
    const n = curve.ref.n;
    const G = generator(curve.ref);
    const b = (v: bigint): Uint8Array => bigIntToBytes(v, curve.bytes);

    it('ec_ecdh: one trace over random private keys and d = 1, n - 1, each secret as the reference', () => {
      const Q = scalarMult(curve.ref, randScalar(n), G)!;
      const ds = [1n, n - 1n, ...Array.from({ length: curve.runs }, () => randScalar(n))];
      const runs: Run[] = [];
      const wrong: string[] = [];
      for (const [i, d] of ds.entries()) {
        const { result, trace } = traceCall(
          core,
          flagOf(curve.id),
          (x) => ({ d: x.put(b(d)), qx: x.put(b(Q.x)), qy: x.put(b(Q.y)), out: x.x.alloc(curve.bytes) }),
          (x, a) => {
            expect(x.fn('ec_ecdh')(curve.id, a.d, a.qx, a.qy, a.out)).toBe(0);
            return bytesToBigInt(x.take(a.out, curve.bytes));
          },
        );
        if (result !== scalarMult(curve.ref, d, Q)!.x) wrong.push(`d #${i}`);
        runs.push({ label: `d #${i}`, trace });
      }
      expect(wrong).toEqual([]);
      expectOneTrace(`${variant} ${curve.name} ec_ecdh`, runs);
    });
  });

  it('negative control: ec_ecdsa_verify (public inputs, variable time) gives different traces for different signatures', () => {
    const curve = CURVES[0]!;
    const n = curve.ref.n;
    const G = generator(curve.ref);
    const b = (v: bigint): Uint8Array => bigIntToBytes(v, curve.bytes);
    const d = randScalar(n);
    const Q = scalarMult(curve.ref, d, G)!;
    const runs: Run[] = [];
    for (let i = 0; i < 4; i++) {
      const h = randomBytes(32);
      const e = hashToInt(h, n);
      const k = randScalar(n);
      const r = mod(scalarMult(curve.ref, k, G)!.x, n);
      const s = mod(modInverse(k, n) * (e + r * d), n);
      const { result, trace } = traceCall(
        core,
        flagOf(curve.id),
        (x) => ({ h: x.put(h), qx: x.put(b(Q.x)), qy: x.put(b(Q.y)), r: x.put(b(r)), s: x.put(b(s)) }),
        (x, a) => x.fn('ec_ecdsa_verify')(curve.id, a.h, 32, a.qx, a.qy, a.r, a.s),
      );
      expect(result).toBe(1);
      runs.push({ label: `signature #${i}`, trace });
    }
    expect(groupByTrace(runs).length).toBeGreaterThan(1);
  });
});
