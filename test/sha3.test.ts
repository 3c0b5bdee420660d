// SHA-3 in the core (assembly/symmetric/keccak.ts) on both builds:
//  - NIST CAVP known answers (byte-oriented): SHA3-256 and SHA3-512 ShortMsg and LongMsg,
//    SHAKE128 and SHAKE256 ShortMsg and VariableOut;
//  - agreement with node:crypto on random inputs of every length around the rates (136, 72,
//    168 bytes), where absorbing and padding change path, and long SHAKE outputs that take
//    several squeezed blocks;
//  - no state left in scratch memory after a call.

import { describe, it, expect } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { type CoreVariant } from '../src/core/module.js';
import { loadTestCore, testExports } from './helpers/test-core.js';
import { CORE_STATUS, CoreError } from '../src/core/errors.js';
import { sha3Core, shake256ChunkedCore, type MlKemExports, type Sha3Function } from '../src/core/mlkem.js';
import { readVectorText } from './helpers/vectors.js';
import { hex, unhex } from './helpers/hex.js';
import { caughtSync } from './helpers/caught.js';

interface Record_ {
  /** The bracketed section headers in force, e.g. { L: '256' } or { Outputlen: '128' }. */
  section: Map<string, string>;
  fields: Map<string, string>;
}

/** A CAVP .rsp file: "[key = value]" section headers and blank-line separated "key = value" records (CRLF). */
function parseRsp(text: string): Record_[] {
  const out: Record_[] = [];
  let section = new Map<string, string>();
  let fields = new Map<string, string>();
  let inHeader = false;
  const flush = (): void => {
    if (fields.size) out.push({ section, fields });
    fields = new Map();
  };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#')) continue;
    if (line === '') {
      flush();
      continue;
    }
    const header = /^\[(.+?)\s*(?:=\s*(.*))?\]$/.exec(line);
    if (header) {
      flush();
      // A run of headers replaces the previous run.
      if (!inHeader) section = new Map(section);
      section.set(header[1], header[2] ?? '');
      inHeader = true;
      continue;
    }
    inHeader = false;
    const kv = /^(\w+)\s*=\s*(.*)$/.exec(line);
    if (!kv) throw new Error(`unparsed .rsp line: ${line}`);
    fields.set(kv[1], kv[2]);
  }
  flush();
  return out;
}

interface Vector {
  msg: Uint8Array;
  outLen: number;
  expected: string;
}

/** Byte-aligned vectors of a file: Len (or [Input Length]) and the output length in bits. */
function vectors(file: string): Vector[] {
  const out: Vector[] = [];
  for (const { section, fields } of parseRsp(readVectorText(`nist-cavp/sha3/${file}`))) {
    const lenBits = Number(fields.get('Len') ?? section.get('Input Length'));
    const outBits = Number(fields.get('Outputlen') ?? section.get('Outputlen') ?? section.get('L'));
    const expected = (fields.get('MD') ?? fields.get('Output'))!.toLowerCase();
    if (!Number.isInteger(lenBits) || !Number.isInteger(outBits) || expected === undefined) {
      throw new Error(`${file}: incomplete record ${JSON.stringify([...fields])}`);
    }
    if (lenBits % 8 !== 0 || outBits % 8 !== 0) continue;
    // "Len = 0" records carry "Msg = 00".
    const msg = unhex(fields.get('Msg')!).subarray(0, lenBits / 8);
    if (msg.length !== lenBits / 8) throw new Error(`${file}: Msg shorter than Len`);
    expect(expected.length).toBe(outBits / 4);
    out.push({ msg, outLen: outBits / 8, expected });
  }
  return out;
}

const FILES: [Sha3Function, string[], number][] = [
  // function, files, the number of byte-aligned vectors they hold
  ['sha3-256', ['SHA3_256ShortMsg.rsp', 'SHA3_256LongMsg.rsp'], 237],
  ['sha3-512', ['SHA3_512ShortMsg.rsp', 'SHA3_512LongMsg.rsp'], 173],
  ['shake128', ['SHAKE128ShortMsg.rsp', 'SHAKE128VariableOut.rsp'], 1463],
  ['shake256', ['SHAKE256ShortMsg.rsp', 'SHAKE256VariableOut.rsp'], 1519],
];

const RATES: Record<Sha3Function, number> = { 'sha3-256': 136, 'sha3-512': 72, shake128: 168, shake256: 136 };

function nodeDigest(fn: Sha3Function, msg: Uint8Array, outLen: number): string {
  const h = fn.startsWith('shake') ? createHash(fn, { outputLength: outLen }) : createHash(fn);
  return h.update(msg).digest('hex');
}

for (const variant of ['simd', 'scalar'] as CoreVariant[]) {
  describe(`SHA-3 in the core (${variant})`, () => {
    const core = loadTestCore(variant);

    for (const [fn, files, count] of FILES) {
      it(`${fn}: NIST CAVP ${files.join(', ')}`, () => {
        let n = 0;
        for (const file of files) {
          const list = vectors(file);
          expect(list.length, file).toBeGreaterThan(10);
          for (const v of list) {
            expect(hex(sha3Core(core, fn, v.msg, v.outLen)), `${file} Len=${v.msg.length * 8} out=${v.outLen}`).toBe(
              v.expected,
            );
            n++;
          }
        }
        expect(n).toBe(count);
      });
    }

    for (const fn of ['sha3-256', 'sha3-512', 'shake128', 'shake256'] as Sha3Function[]) {
      it(`${fn}: agrees with node:crypto around the rate and on long inputs and outputs`, () => {
        const rate = RATES[fn];
        const lengths = new Set<number>();
        for (let n = 0; n <= 3 * rate + 2; n++) lengths.add(n);
        for (let i = 0; i < 20; i++) lengths.add(Math.floor(Math.random() * 5000));
        for (const n of lengths) {
          const msg = new Uint8Array(randomBytes(n));
          const outLen = fn.startsWith('shake')
            ? [1, 32, rate - 1, rate, rate + 1, 3 * rate + 7, 1000][n % 7]
            : fn === 'sha3-256'
              ? 32
              : 64;
          expect(hex(sha3Core(core, fn, msg, outLen)), `len ${n} out ${outLen}`).toBe(nodeDigest(fn, msg, outLen));
        }
      });
    }

    it('the incremental sponge: absorbing and squeezing in pieces of every size give the one-shot output', () => {
      const msg = new Uint8Array(randomBytes(700));
      const expected = nodeDigest('shake256', msg, 600);
      for (const chunk of [1, 2, 7, 8, 9, 64, 135, 136, 137, 272, 700]) {
        for (const outChunk of [1, 3, 8, 135, 136, 137, 600]) {
          expect(hex(shake256ChunkedCore(core, msg, chunk, 600, outChunk)), `chunk ${chunk} out ${outChunk}`).toBe(
            expected,
          );
        }
      }
    });

    it('SHA3-256 and SHA3-512 refuse an output length other than 32 and 64 with INVALID_ARGUMENT', () => {
      const mk = core.exports as unknown as MlKemExports;
      expect(core.run(0, (x) => mk.sha3_256(x.alloc(1), 1, x.alloc(64), 64))).toBe(CORE_STATUS.INVALID_ARGUMENT);
      expect(core.run(0, (x) => mk.sha3_512(x.alloc(1), 1, x.alloc(64), 32))).toBe(CORE_STATUS.INVALID_ARGUMENT);
      const err = caughtSync(() => sha3Core(core, 'sha3-256', new Uint8Array(1), 31));
      expect(err).toBeInstanceOf(CoreError);
      expect((err as CoreError).code).toBe('INVALID_ARGUMENT');
    });

    it('SHAKE with no output, and the module wipes its scratch after the call', () => {
      expect(sha3Core(core, 'shake128', unhex('00'), 0).length).toBe(0);
      const secret = new Uint8Array(200).fill(0xa5);
      sha3Core(core, 'shake256', secret, 500);
      const x = testExports(core);
      const used = x.scratchHighWater();
      expect(used).toBe(0); // wipe() resets the high-water mark ...
      // ... after zeroing everything that was handed out: nothing of the input is left.
      const mem = new Uint8Array(x.memory.buffer);
      const needle = Buffer.from(secret.subarray(0, 32));
      expect(Buffer.from(mem).indexOf(needle)).toBe(-1);
    });
  });
}
