// ECDSA verification keeps a table of a key's multiples from its second use on
// (assembly/ec/verify-table.ts). The other verification tests check that the results are the
// same either way; this one checks, by instruction counts of the instrumented test module,
// that the table path is really taken: a key's first verification costs the plain path, its
// second builds the table (dearer), its third and later take the table (much cheaper), a
// wrong signature is refused on the table path, and another key builds its own table.
import { describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { EC_CURVES, ecFlag } from '../src/core/ec.js';
import type { EcCurve } from '../src/der/ec.js';
import { testWasm } from './helpers/test-core.js';
import { instrumentModule, TracedCore, traceCall } from './helpers/instrument.js';

const CURVES: Array<{ curve: EcCurve; node: string; hash: string }> = [
  { curve: 'P-256', node: 'prime256v1', hash: 'sha256' },
  { curve: 'P-384', node: 'secp384r1', hash: 'sha384' },
  { curve: 'P-521', node: 'secp521r1', hash: 'sha512' },
  { curve: 'secp256k1', node: 'secp256k1', hash: 'sha256' },
];

/** r and s of a DER ECDSA-Sig-Value, each left-padded to `bytes`. */
function rs(der: Uint8Array, bytes: number): { r: Uint8Array; s: Uint8Array } {
  let at = 2;
  if (der[1]! & 0x80) at += der[1]! & 0x7f;
  const take = (): Uint8Array => {
    const len = der[at + 1]!;
    let v = der.subarray(at + 2, at + 2 + len);
    at += 2 + len;
    while (v.length > bytes && v[0] === 0) v = v.subarray(1);
    const out = new Uint8Array(bytes);
    out.set(v, bytes - v.length);
    return out;
  };
  const r = take();
  return { r, s: take() };
}

describe.each(['simd', 'scalar'] as const)('ECDSA verification with a kept key table (%s)', (variant) => {
  it.each(CURVES)(
    '$curve: plain first use, table built at the second, table path after; another key builds its own',
    ({ curve, node, hash }) => {
      const traced = new TracedCore(instrumentModule(testWasm(variant)));
      const { id, bytes } = EC_CURVES[curve];
      const message = crypto.randomBytes(100);
      const digest = new Uint8Array(crypto.createHash(hash).update(message).digest());
      const keys = [0, 1].map(() => {
        const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: node });
        const jwk = publicKey.export({ format: 'jwk' });
        const coord = (v: string): Uint8Array => {
          const raw = Buffer.from(v, 'base64url');
          const out = new Uint8Array(bytes);
          out.set(raw, bytes - raw.length);
          return out;
        };
        const sig = rs(new Uint8Array(crypto.sign(hash, message, privateKey)), bytes);
        return { x: coord(jwk.x!), y: coord(jwk.y!), ...sig };
      });
      const verify = (k: (typeof keys)[number], s = k.s): { ok: number; insn: bigint } => {
        const { result, trace } = traceCall(
          traced,
          ecFlag(id),
          (c) => ({ h: c.put(digest), x: c.put(k.x), y: c.put(k.y), r: c.put(k.r), s: c.put(s) }),
          (c, a) => c.fn('ec_ecdsa_verify')(id, a.h, digest.length, a.x, a.y, a.r, a.s),
        );
        return { ok: result, insn: trace.insn };
      };
      const [a, b] = keys as [(typeof keys)[0], (typeof keys)[0]];
      verify(b); // the curve's own first-use set-up, out of the counts below
      const first = verify(a);
      const second = verify(a);
      const third = verify(a);
      const fourth = verify(a);
      for (const v of [first, second, third, fourth]) expect(v.ok).toBe(1);
      // the second use builds the key's table, the later ones use it
      expect(second.insn).toBeGreaterThan(first.insn);
      expect(Number(third.insn)).toBeLessThan(0.6 * Number(first.insn));
      expect(fourth.insn).toBe(third.insn);
      // a wrong s on the table path is refused, at the table path's cost
      const bad = a.s.slice();
      bad[bytes - 1]! ^= 1;
      const wrong = verify(a, bad);
      expect(wrong.ok).toBe(0);
      expect(Number(wrong.insn)).toBeLessThan(0.6 * Number(first.insn));
      // the other key is on its second use now: it builds its table, at more than a plain verification
      expect(verify(b).insn).toBeGreaterThan(first.insn);
    },
  );
});
