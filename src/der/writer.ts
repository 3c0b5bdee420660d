/**
 * A minimal DER writer (ITU-T X.690, Distinguished Encoding Rules).
 *
 * Every function returns a complete TLV (identifier, length, contents) as a
 * fresh Uint8Array. Only the low-tag-number form (tag numbers 0..30) is
 * written. No Node APIs are used, so this runs in browsers and workers too.
 */
import { DER_TAG } from './tags.js';

/**
 * Length octets in the minimal form DER requires (X.690 §10.1):
 * the short form for 0..127 (§8.1.3.4), otherwise the long form with as few
 * length octets as possible, i.e. no leading zero octet (§8.1.3.5).
 */
export function derLength(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`invalid DER length: ${length}`);
  }
  if (length < 0x80) return Uint8Array.of(length);
  let count = 0;
  for (let v = length; v > 0; v = Math.floor(v / 256)) count++;
  const out = new Uint8Array(1 + count);
  out[0] = 0x80 | count;
  for (let i = count, v = length; i >= 1; i--, v = Math.floor(v / 256)) {
    out[i] = v % 256;
  }
  return out;
}

/**
 * One TLV whose contents are the concatenation of `contents`. The total
 * length is computed once and the result is written into a single buffer.
 */
export function derTlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  // Tag number 31 in the low five bits would announce the high-tag-number
  // form (X.690 §8.1.2.4), which this writer does not produce.
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xff || (tag & 0x1f) === 0x1f) {
    throw new RangeError(`unsupported identifier octet: ${tag}`);
  }
  let total = 0;
  for (const part of contents) total += part.length;
  const len = derLength(total);
  const out = new Uint8Array(1 + len.length + total);
  out[0] = tag;
  out.set(len, 1);
  let offset = 1 + len.length;
  for (const part of contents) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The bytes of `parts` one after another, in one new buffer. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** SEQUENCE of already-encoded elements. */
export function derSequence(...parts: Uint8Array[]): Uint8Array {
  return derTlv(DER_TAG.SEQUENCE, ...parts);
}

/**
 * INTEGER holding a non-negative value given as unsigned big-endian bytes
 * (leading zero bytes allowed; empty input means 0).
 *
 * X.690 §8.3.2 requires the shortest two's complement form: leading zero
 * bytes are dropped, one 0x00 is kept for zero, and a 0x00 is prepended when
 * the top bit is set so the value does not read as negative (§8.3.3).
 */
export function derInteger(unsignedBigEndian: Uint8Array): Uint8Array {
  let start = 0;
  while (start < unsignedBigEndian.length && unsignedBigEndian[start] === 0) start++;
  const magnitude = unsignedBigEndian.subarray(start);
  if (magnitude.length === 0) return derTlv(DER_TAG.INTEGER, Uint8Array.of(0));
  if (magnitude[0] & 0x80) return derTlv(DER_TAG.INTEGER, Uint8Array.of(0), magnitude);
  return derTlv(DER_TAG.INTEGER, magnitude);
}

/** INTEGER from a non-negative safe JavaScript integer (e.g. a version). */
export function derIntegerSmall(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`derIntegerSmall needs a non-negative safe integer, got ${n}`);
  }
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return derInteger(Uint8Array.from(bytes));
}

/** NULL: no contents octets (X.690 §8.8.2). */
export function derNull(): Uint8Array {
  return Uint8Array.of(DER_TAG.NULL, 0x00);
}

/** Base-128 digits, most significant first, bit 8 set on all but the last. */
function base128(value: bigint, out: number[]): void {
  const digits = [Number(value & 0x7fn)];
  for (let v = value >> 7n; v > 0n; v >>= 7n) digits.unshift(Number(v & 0x7fn) | 0x80);
  out.push(...digits);
}

/**
 * The contents octets of an OBJECT IDENTIFIER given in dotted form, e.g.
 * "1.2.840.113549.1.1.1" → 2a 86 48 86 f7 0d 01 01 01. Useful to precompute
 * the bytes once and pass them to {@link derOid}.
 *
 * X.690 §8.19: the first two arcs X.Y are combined into one subidentifier
 * 40·X + Y (§8.19.4); every subidentifier is written in base 128 with bit 8
 * set on all octets but the last, in the fewest octets (§8.19.2).
 */
export function oidContents(oid: string): Uint8Array {
  const parts = oid.split('.');
  // Decimal arcs without redundant leading zeros.
  if (parts.length < 2 || !parts.every((p) => /^(0|[1-9][0-9]*)$/.test(p))) {
    throw new RangeError(`invalid OID: "${oid}"`);
  }
  const arcs = parts.map((p) => BigInt(p));
  // X.660: the first arc is 0, 1 or 2; under 0 and 1 the second is < 40.
  if (arcs[0] > 2n || (arcs[0] < 2n && arcs[1] >= 40n)) {
    throw new RangeError(`invalid OID: "${oid}"`);
  }
  const out: number[] = [];
  base128(arcs[0] * 40n + arcs[1], out);
  for (let i = 2; i < arcs.length; i++) base128(arcs[i], out);
  return Uint8Array.from(out);
}

/**
 * OBJECT IDENTIFIER, from dotted form or from contents octets precomputed
 * with {@link oidContents} (those are wrapped as given, not re-validated).
 */
export function derOid(oid: string | Uint8Array): Uint8Array {
  return derTlv(DER_TAG.OID, typeof oid === 'string' ? oidContents(oid) : oid);
}

/** OCTET STRING, always primitive in DER (X.690 §10.2). */
export function derOctetString(bytes: Uint8Array): Uint8Array {
  return derTlv(DER_TAG.OCTET_STRING, bytes);
}

/**
 * BIT STRING: an initial octet with the number of unused bits in the last
 * byte (0..7, X.690 §8.6.2.2), then the bytes. An empty string has 0 unused
 * bits (§8.6.2.3), and DER requires the unused bits to be zero (§11.2.1);
 * both are checked rather than silently fixed.
 */
export function derBitString(bytes: Uint8Array, unusedBits = 0): Uint8Array {
  if (!Number.isInteger(unusedBits) || unusedBits < 0 || unusedBits > 7) {
    throw new RangeError(`BIT STRING unused bits must be 0..7, got ${unusedBits}`);
  }
  if (bytes.length === 0 && unusedBits !== 0) {
    throw new RangeError('an empty BIT STRING must have 0 unused bits');
  }
  if (unusedBits > 0 && (bytes[bytes.length - 1] & ((1 << unusedBits) - 1)) !== 0) {
    throw new RangeError('the unused bits of a DER BIT STRING must be zero');
  }
  return derTlv(DER_TAG.BIT_STRING, Uint8Array.of(unusedBits), bytes);
}

function contextTagNumber(tag: number): number {
  if (!Number.isInteger(tag) || tag < 0 || tag > 30) {
    throw new RangeError(`context tag number must be 0..30, got ${tag}`);
  }
  return tag;
}

/** [tag] EXPLICIT: context-specific, constructed (0xa0 | tag), wrapping one element. */
export function derContextExplicit(tag: number, inner: Uint8Array): Uint8Array {
  return derTlv(0xa0 | contextTagNumber(tag), inner);
}

/** [tag] IMPLICIT on a primitive type: context-specific, primitive (0x80 | tag). */
export function derContextPrimitive(tag: number, contents: Uint8Array): Uint8Array {
  return derTlv(0x80 | contextTagNumber(tag), contents);
}
