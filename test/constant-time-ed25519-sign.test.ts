// Constant-time check of Ed25519 and Ed25519ph signing in the WebAssembly core, by instruction
// counting (the harness of test/constant-time.test.ts, test/helpers/instrument.ts): signing
// with many private keys and many messages of one length must give one instruction count, one
// hash of branch decisions and one hash of memory addresses. The secret inputs are the seed
// (and so s, the prefix and the nonce r) and the message's bytes; the message's length is
// public. Each signature is also checked against node:crypto (pure) or @noble/curves
// (Ed25519ph), so the instrumented module is seen to compute the right thing.
//
// The core keeps the public keys of the last seeds that signed (assembly/edwards/pubcache.ts):
// a seed's first signature computes A, the next one finds it. Whether a seed is cached is the
// host's knowledge (it chose the keys), so the two paths may differ; each is checked on its own:
// every seed signs twice in a row, and all first signatures must share one trace, all second
// ones another.
//
// Negative control: verification is variable time by design (public inputs); its traces over
// different signatures differ, so the harness does see what the signer's code does.
//
// The test module's builds (build/wasm-kms.test.{simd,scalar}.wasm, npm run build:wasm:test).

import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ed25519ph } from '@noble/curves/ed25519.js';
import { type CoreVariant } from '../src/core/module.js';
import {
  instrumentModule,
  TracedCore,
  traceCall,
  groupByTrace,
  type InstrumentedModule,
  type Trace,
  expectOneTrace,
} from './helpers/instrument.js';
import { hex } from './helpers/hex.js';

const BUILD_DIR = process.env.WASM_KMS_CT_BUILD_DIR ?? fileURLToPath(new URL('../build/', import.meta.url));
const VARIANTS: CoreVariant[] = ['simd', 'scalar'];
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

interface Run {
  label: string;
  trace: Trace;
}

/** Seeds: the edges of the byte range, then random ones. */
function seeds(count: number): { label: string; seed: Uint8Array }[] {
  const out = [
    { label: 'seed 00..00', seed: new Uint8Array(32) },
    { label: 'seed ff..ff', seed: new Uint8Array(32).fill(0xff) },
    { label: 'seed 01 00..00', seed: Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0)) },
  ];
  for (let i = 0; i < count; i++) out.push({ label: `random seed #${i}`, seed: new Uint8Array(randomBytes(32)) });
  return out;
}

/** Messages of `len` bytes: all zeros, all ones, then random. */
function message(i: number, len: number): Uint8Array {
  if (i === 0) return new Uint8Array(len);
  if (i === 1) return new Uint8Array(len).fill(0xff);
  return new Uint8Array(randomBytes(len));
}

describe.each(VARIANTS)('constant time of Ed25519 signing in the %s build', (variant) => {
  let im: InstrumentedModule;
  let core: TracedCore;

  beforeAll(() => {
    const path = join(BUILD_DIR, `wasm-kms.test.${variant}.wasm`);
    if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build:wasm:test`);
    im = instrumentModule(new Uint8Array(readFileSync(path)));
  });

  beforeEach(() => {
    // A fresh instance per test, so that no seed of another test is cached. Its first
    // fixed-base multiplication goes without the table and the second builds it (public
    // work, once per instance): one signature with a throwaway seed does both.
    core = new TracedCore(im);
    signTraced(new Uint8Array(randomBytes(32)), new Uint8Array(10), 0);
  });

  /** Signs with every seed twice in a row; checks both signatures; one trace per pass. */
  function signTwice(
    name: string,
    inputs: { label: string; seed: Uint8Array; msg: Uint8Array }[],
    ph: number,
    want: (seed: Uint8Array, msg: Uint8Array) => Uint8Array,
  ): Trace {
    const first: Run[] = [];
    const second: Run[] = [];
    const wrong: string[] = [];
    for (const { label, seed, msg } of inputs) {
      const expected = hex(want(seed, msg));
      const a = signTraced(seed, msg, ph);
      const b = signTraced(seed, msg, ph);
      if (hex(a.sig) !== expected || hex(b.sig) !== expected) wrong.push(label);
      first.push({ label, trace: a.trace });
      second.push({ label, trace: b.trace });
    }
    expect(wrong).toEqual([]);
    const t = expectOneTrace(`${variant} ${name}, first signature per seed`, first);
    const t2 = expectOneTrace(`${variant} ${name}, second signature per seed (public key cached)`, second);
    expect(t2.insn).toBeLessThan(t.insn);
    return t;
  }

  function signTraced(seed: Uint8Array, msg: Uint8Array, ph: number): { sig: Uint8Array; trace: Trace } {
    const { result, trace } = traceCall(
      core,
      0,
      (c) => ({ seed: c.put(seed), msg: c.put(msg), out: c.x.alloc(64) }),
      (c, a) => {
        expect(c.fn('ed25519_sign')(a.seed, a.msg, msg.length, ph, a.out)).toBe(0);
        return c.take(a.out, 64);
      },
    );
    return { sig: result, trace };
  }

  it.each([0, 1, 100, 200])(
    'ed25519_sign: one trace over 43 keys and as many messages of %i bytes (and one for each key signing again), as node:crypto signs',
    (len) => {
      const inputs = seeds(40).map(({ label, seed }, i) => ({
        label: `${label}, message #${i}`,
        seed,
        msg: message(i, len),
      }));
      const t = signTwice(`ed25519_sign (${len}-byte messages)`, inputs, 0, (seed, msg) => {
        const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
        return new Uint8Array(sign(null, msg, key));
      });
      expect(t.insn).toBeGreaterThan(100_000n);
    },
  );

  it('ed25519_sign, Ed25519ph: one trace over 43 keys and digests (and one signing again), as @noble/curves signs', () => {
    const messages = new Map<Uint8Array, Uint8Array>();
    const inputs = seeds(40).map(({ label, seed }, i) => {
      const msg = message(i, 50);
      const digest = new Uint8Array(createHash('sha512').update(msg).digest());
      messages.set(digest, msg);
      return { label, seed, msg: digest };
    });
    signTwice('ed25519_sign (Ed25519ph)', inputs, 1, (seed, digest) => ed25519ph.sign(messages.get(digest)!, seed));
  });

  it('ed25519_fe_invert (the constant-time gcd that encodes R): one trace over 0, 1, p - 1, powers of two and random elements', () => {
    const P = 2n ** 255n - 19n;
    const le = (v: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
    const modPow = (b: bigint, e: bigint): bigint => {
      let r = 1n;
      for (; e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) r = (r * b) % P;
      return r;
    };
    const values = [0n, 1n, 2n, 19n, P - 1n, P - 2n, 2n ** 254n, 2n ** 128n, (P - 1n) / 2n];
    for (let i = 0; i < 30; i++) values.push(BigInt('0x' + randomBytes(32).toString('hex')) % P);
    const runs: Run[] = values.map((v) => {
      const { result, trace } = traceCall(
        core,
        0,
        (c) => ({ x: c.put(le(v)), out: c.x.alloc(32) }),
        (c, a) => {
          c.fn('ed25519_fe_invert')(a.x, a.out);
          return c.take(a.out, 32);
        },
      );
      expect(hex(result), `x = 0x${v.toString(16)}`).toBe(hex(le(modPow(v, P - 2n))));
      return { label: `x = 0x${v.toString(16)}`, trace };
    });
    expectOneTrace(`${variant} ed25519_fe_invert`, runs);
  });

  it('negative control: verification (variable time, public inputs) takes different paths for different signatures', () => {
    const traces: Run[] = [];
    for (let i = 0; i < 4; i++) {
      const seed = new Uint8Array(randomBytes(32));
      const msg = new Uint8Array(randomBytes(32));
      const { sig } = signTraced(seed, msg, 0);
      const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
      const pub = publicOf(key);
      const { result, trace } = traceCall(
        core,
        0,
        (c) => ({ pub: c.put(pub), msg: c.put(msg), sig: c.put(sig) }),
        (c, a) => c.fn('ed25519_verify')(a.pub, a.msg, msg.length, a.sig, 0),
      );
      expect(result).toBe(1);
      traces.push({ label: `signature #${i}`, trace });
    }
    expect(groupByTrace(traces).length).toBeGreaterThan(1);
  });
});

/** The raw 32-byte public key of a node:crypto private key. */
function publicOf(key: ReturnType<typeof createPrivateKey>): Uint8Array {
  return new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(12));
}
