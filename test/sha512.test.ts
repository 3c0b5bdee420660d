// SHA-512 in the core (assembly/symmetric/sha512.ts) on both builds: every NIST CAVP
// byte-oriented vector (SHA512ShortMsg.rsp, SHA512LongMsg.rsp), agreement with node:crypto
// on every length 0..1000 in one piece and in random pieces, and the wipe of its state.

import { describe, it, expect } from 'vitest';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { type Core } from '../src/core/module.js';
import { loadTestCore } from './helpers/test-core.js';
import { checkStatus } from '../src/core/errors.js';
import { sha512Core, type Ed25519Exports } from '../src/core/ed25519.js';
import { readVectorText } from './helpers/vectors.js';
import { hex, unhex } from './helpers/hex.js';

interface ShaVector {
  len: number; // bits
  msg: Uint8Array;
  md: string;
}

/** Reads a CAVP .rsp file (CRLF line endings): Len (bits), Msg, MD records. */
function readRsp(name: string): ShaVector[] {
  const text = readVectorText(`nist-cavp/shs/${name}`);
  const out: ShaVector[] = [];
  let len: number | undefined;
  let msg: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const m = /^(Len|Msg|MD)\s*=\s*([0-9a-fA-F]*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'Len') len = Number(m[2]);
    else if (m[1] === 'Msg') msg = m[2];
    else {
      if (len === undefined || msg === undefined) throw new Error(`${name}: MD without Len/Msg`);
      // Len = 0 comes with "Msg = 00": the message is empty, the 00 a placeholder.
      const bytes = len === 0 ? new Uint8Array(0) : unhex(msg);
      if (bytes.length * 8 !== len) throw new Error(`${name}: Len ${len} does not match the message`);
      out.push({ len, msg: bytes, md: m[2].toLowerCase() });
      len = msg = undefined;
    }
  }
  return out;
}

const nodeSha512 = (m: Uint8Array): string => createHash('sha512').update(m).digest('hex');

function chunked(core: Core, data: Uint8Array, chunk: number): Uint8Array {
  const ed = core.exports as unknown as Ed25519Exports;
  return core.run(0, (x) => {
    const ptr = core.put(data);
    const out = x.alloc(64);
    checkStatus(ed.sha512_digest_chunked(ptr, data.length, chunk, out), 'sha512_digest_chunked');
    return core.take(out, 64);
  });
}

const shortMsgs = readRsp('SHA512ShortMsg.rsp');
const longMsgs = readRsp('SHA512LongMsg.rsp');

describe('the CAVP files', () => {
  it('are read completely', () => {
    // 129 short messages (0 to 1024 bits) and 128 long ones.
    expect(shortMsgs.length).toBe(129);
    expect(longMsgs.length).toBe(128);
    expect(shortMsgs[0].msg.length).toBe(0);
  });
});

describe.each(['simd', 'scalar'] as const)('SHA-512 (%s)', (variant) => {
  const core = loadTestCore(variant);

  it.each([
    ['SHA512ShortMsg.rsp', shortMsgs],
    ['SHA512LongMsg.rsp', longMsgs],
  ] as const)('matches every vector of %s', (_name, vectors) => {
    for (const v of vectors) {
      expect(hex(sha512Core(core, v.msg)), `Len = ${v.len}`).toBe(v.md);
    }
  });

  it('matches the long vectors fed in pieces of 1, 7, 127, 128, 129 and 1000 bytes', () => {
    for (const v of longMsgs.slice(0, 16)) {
      for (const chunk of [1, 7, 127, 128, 129, 1000]) {
        expect(hex(chunked(core, v.msg, chunk)), `Len = ${v.len}, pieces of ${chunk}`).toBe(v.md);
      }
    }
  });

  it('agrees with node:crypto on every length 0..1000', () => {
    for (let n = 0; n <= 1000; n++) {
      const m = new Uint8Array(randomBytes(n));
      expect(hex(sha512Core(core, m)), `length ${n}: ${hex(m)}`).toBe(nodeSha512(m));
    }
  });

  it('agrees with node:crypto on random lengths fed in random pieces', () => {
    for (let i = 0; i < 300; i++) {
      const n = randomInt(0, 1001);
      const chunk = randomInt(1, 300);
      const m = new Uint8Array(randomBytes(n));
      expect(hex(chunked(core, m, chunk)), `length ${n}, pieces of ${chunk}: ${hex(m)}`).toBe(nodeSha512(m));
    }
  });

  it('zeroes its state: no message schedule word or chaining value is left behind', () => {
    const ed = core.exports as unknown as Ed25519Exports;
    const msg = new Uint8Array(randomBytes(32)); // one block, like an Ed25519 seed
    // W_16 = σ1(W_14) + W_9 + σ0(W_1) + W_0 (FIPS 180-4 §6.4.2), stored little-endian.
    const word = (i: number): bigint =>
      i < 4 ? BigInt('0x' + hex(msg.subarray(8 * i, 8 * i + 8))) : i === 4 ? 0x80n << 56n : 0n;
    const M = (1n << 64n) - 1n;
    const rotr = (x: bigint, n: bigint): bigint => ((x >> n) | (x << (64n - n))) & M;
    const s0 = (x: bigint): bigint => rotr(x, 1n) ^ rotr(x, 8n) ^ (x >> 7n);
    const s1 = (x: bigint): bigint => rotr(x, 19n) ^ rotr(x, 61n) ^ (x >> 6n);
    const w16 = (s1(word(14)) + word(9) + s0(word(1)) + word(0)) & M;
    const le = (x: bigint): Uint8Array => {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, x, true);
      return b;
    };
    const digest = unhex(nodeSha512(msg));
    // H(N) as the state keeps it: each 64-bit word little-endian in memory.
    const h0 = le(BigInt('0x' + hex(digest.subarray(0, 8))));
    const memoryHas = (needle: Uint8Array): boolean =>
      Buffer.from(core.exports.memory.buffer).includes(Buffer.from(needle));
    core.run(0, (x) => {
      const ptr = core.put(msg);
      const out = x.alloc(64);
      ed.sha512_digest(ptr, msg.length, out);
      // Still inside the call (before wipe()): the digest is in `out`, the state is gone.
      expect(hex(core.take(out, 64))).toBe(hex(digest));
      expect(memoryHas(le(w16)), 'W_16').toBe(false);
      expect(memoryHas(h0), 'H_0').toBe(false);
      // The check can see a word that is there.
      const probe = x.alloc(8);
      core.bytes(probe, 8).set(le(w16));
      expect(memoryHas(le(w16))).toBe(true);
    });
    expect(memoryHas(le(w16))).toBe(false);
  });
});
