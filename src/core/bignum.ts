// BigInt front-ends to the core's arithmetic entry points. They exist for the tests (which
// check the core against BigInt) and the benchmark (modexp against BigInt and OpenSSL);
// key generation does not go through them. The entry points are in the test module only
// (build/wasm-kms.test.*.wasm): give Bignum a Core made from it.

import { Core, type TestCoreExports } from './module.js';
import { checkStatus } from './errors.js';

export function bigintToBytes(x: bigint, len: number): Uint8Array {
  if (x < 0n) throw new RangeError('negative value');
  const out = new Uint8Array(len);
  let v = x;
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (v !== 0n) throw new RangeError(`value does not fit in ${len} bytes`);
  return out;
}

export function bytesToBigint(b: Uint8Array): bigint {
  let x = 0n;
  for (const byte of b) x = (x << 8n) | BigInt(byte);
  return x;
}

function byteLen(m: bigint): number {
  return Math.max(1, Math.ceil(m.toString(16).length / 2));
}

export class Bignum {
  constructor(readonly core: Core) {}

  /** core.run with the test module's entry points. */
  private run<T>(flags: number, fn: (x: TestCoreExports) => T): T {
    return this.core.run(flags, (x) => fn(x as TestCoreExports));
  }

  /** base^exp mod m (odd m) by the constant-time fixed-window ladder. `len` pads the width. */
  modExp(base: bigint, exp: bigint, m: bigint, len = byteLen(m)): bigint {
    return this.run(0, (x) => {
      const out = x.alloc(len);
      x.bn_modexp(
        this.core.put(bigintToBytes(base, len)),
        this.core.put(bigintToBytes(exp, len)),
        this.core.put(bigintToBytes(m, len)),
        len,
        out,
      );
      return bytesToBigint(this.core.take(out, len));
    });
  }

  /**
   * base^exp mod m with 32-bit limbs and CIOS Montgomery multiplication: the alternative to
   * the 28-bit product-scanning form, kept so the benchmark can compare the two.
   */
  modExp32(base: bigint, exp: bigint, m: bigint, len = byteLen(m)): bigint {
    return this.run(0, (x) => {
      const out = x.alloc(len);
      x.bn_modexp32(
        this.core.put(bigintToBytes(base, len)),
        this.core.put(bigintToBytes(exp, len)),
        this.core.put(bigintToBytes(m, len)),
        len,
        out,
      );
      return bytesToBigint(this.core.take(out, len));
    });
  }

  /** 2^exp mod m (odd m). */
  modExpBase2(exp: bigint, m: bigint, len = byteLen(m)): bigint {
    return this.run(0, (x) => {
      const out = x.alloc(len);
      x.bn_modexp_base2(this.core.put(bigintToBytes(exp, len)), this.core.put(bigintToBytes(m, len)), len, out);
      return bytesToBigint(this.core.take(out, len));
    });
  }

  /** a*b mod m through Montgomery multiplication, or a^2 through Montgomery squaring. */
  modMul(a: bigint, b: bigint, m: bigint, square = false, len = byteLen(m)): bigint {
    return this.run(0, (x) => {
      const out = x.alloc(len);
      x.bn_modmul(
        this.core.put(bigintToBytes(a, len)),
        this.core.put(bigintToBytes(b, len)),
        this.core.put(bigintToBytes(m, len)),
        len,
        square ? 1 : 0,
        out,
      );
      return bytesToBigint(this.core.take(out, len));
    });
  }

  divMod(a: bigint, b: bigint, len = Math.max(byteLen(a), byteLen(b))): [bigint, bigint] {
    return this.run(0, (x) => {
      const q = x.alloc(len);
      const r = x.alloc(len);
      x.bn_divmod(this.core.put(bigintToBytes(a, len)), this.core.put(bigintToBytes(b, len)), len, q, r);
      return [bytesToBigint(this.core.take(q, len)), bytesToBigint(this.core.take(r, len))];
    });
  }

  gcd(a: bigint, b: bigint, len = Math.max(byteLen(a), byteLen(b))): bigint {
    return this.run(0, (x) => {
      const out = x.alloc(len);
      x.bn_gcd(this.core.put(bigintToBytes(a, len)), this.core.put(bigintToBytes(b, len)), len, out);
      return bytesToBigint(this.core.take(out, len));
    });
  }

  shiftRight(a: bigint, s: number, len = byteLen(a)): bigint {
    return this.run(0, (x) => {
      const out = x.alloc(len);
      x.bn_shr(this.core.put(bigintToBytes(a, len)), len, s, out);
      return bytesToBigint(this.core.take(out, len));
    });
  }

  /** Miller-Rabin (base 2, then `rounds` random bases) for odd w > 3. */
  millerRabin(w: bigint, rounds: number): boolean {
    if (w <= 3n || (w & 1n) === 0n) throw new RangeError('millerRabin needs an odd w > 3');
    return this.run(0, (x) => x.bn_miller_rabin(this.core.put(bigintToBytes(w, byteLen(w))), byteLen(w), rounds) === 1);
  }

  /** true when no odd prime below 2^16 divides w (w of at most 2,128 bits, the core's table size). */
  passesTrialDivision(w: bigint): boolean {
    if (byteLen(w) * 8 > 2128) throw new RangeError('trial division takes candidates of at most 2,128 bits');
    return this.run(1, (x) => {
      const out = x.alloc(1);
      checkStatus(
        x.bn_trial_division(this.core.put(bigintToBytes(w, byteLen(w))), byteLen(w), out),
        'bn_trial_division',
      );
      return this.core.bytes(out, 1)[0] === 1;
    });
  }
}
