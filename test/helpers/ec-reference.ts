// A small, deliberately plain BigInt reference for short-Weierstrass curves
// y^2 = x^3 + ax + b (mod p), used to check the WebAssembly core's [k]G.
//
// Nothing here shares code or structure with the core: points are affine, additions use the
// textbook chord-and-tangent formulas with one modular inversion each, and [k]G is plain
// left-to-right double-and-add over the bits of k. It is slow (one inversion per step) and
// not constant-time, which is fine for a test oracle. The curve constants come from the
// vector files (facts/ec_curve_params.json, facts/sm2p256v1.json), passed in by the caller.

/** Domain parameters of one curve, as BigInts. */
export interface RefCurve {
  readonly name: string;
  readonly p: bigint;
  readonly a: bigint;
  readonly b: bigint;
  /** Order of G (the curves here all have cofactor 1). */
  readonly n: bigint;
  readonly gx: bigint;
  readonly gy: bigint;
  /** Bit length of p (and of n, for every curve here). */
  readonly bits: number;
  /** Byte length of a field element: ceil(bits / 8). */
  readonly bytes: number;
}

/** An affine point, or null for the point at infinity. */
export type RefPoint = { readonly x: bigint; readonly y: bigint } | null;

/** The hex fields of a curve entry in the vector files. */
export interface CurveHex {
  p: string;
  a: string;
  b: string;
  n: string;
  Gx: string;
  Gy: string;
}

export function hexToBigInt(hex: string): bigint {
  return hex.length === 0 ? 0n : BigInt('0x' + hex);
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  return hexToBigInt(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex'));
}

/** Big-endian, exactly len bytes; throws if v is negative or does not fit. */
export function bigIntToBytes(v: bigint, len: number): Uint8Array {
  if (v < 0n) throw new RangeError('negative value');
  const hex = v.toString(16).padStart(2 * len, '0');
  if (hex.length > 2 * len) throw new RangeError(`0x${v.toString(16)} does not fit in ${len} bytes`);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function bitLength(v: bigint): number {
  if (v < 0n) throw new RangeError('negative value');
  return v === 0n ? 0 : v.toString(2).length;
}

export function curveFromHex(name: string, h: CurveHex): RefCurve {
  const p = hexToBigInt(h.p);
  const bits = bitLength(p);
  return {
    name,
    p,
    a: hexToBigInt(h.a),
    b: hexToBigInt(h.b),
    n: hexToBigInt(h.n),
    gx: hexToBigInt(h.Gx),
    gy: hexToBigInt(h.Gy),
    bits,
    bytes: Math.ceil(bits / 8),
  };
}

/** Non-negative a mod m. */
export function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** a^-1 mod m by the extended Euclidean algorithm; throws if gcd(a, m) != 1. */
export function modInverse(a: bigint, m: bigint): bigint {
  let r0 = mod(a, m);
  let r1 = m;
  let s0 = 1n;
  let s1 = 0n;
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new RangeError('not invertible');
  return mod(s0, m);
}

/** 0 <= x, y < p and y^2 = x^3 + ax + b (mod p). */
export function isOnCurve(c: RefCurve, x: bigint, y: bigint): boolean {
  if (x < 0n || y < 0n || x >= c.p || y >= c.p) return false;
  return mod(y * y - (x * x * x + c.a * x + c.b), c.p) === 0n;
}

export function generator(c: RefCurve): RefPoint {
  return { x: c.gx, y: c.gy };
}

export function pointNegate(c: RefCurve, P: RefPoint): RefPoint {
  return P === null ? null : { x: P.x, y: mod(-P.y, c.p) };
}

export function pointDouble(c: RefCurve, P: RefPoint): RefPoint {
  if (P === null || P.y === 0n) return null;
  const lambda = mod((3n * P.x * P.x + c.a) * modInverse(2n * P.y, c.p), c.p);
  const x = mod(lambda * lambda - 2n * P.x, c.p);
  const y = mod(lambda * (P.x - x) - P.y, c.p);
  return { x, y };
}

export function pointAdd(c: RefCurve, P: RefPoint, Q: RefPoint): RefPoint {
  if (P === null) return Q;
  if (Q === null) return P;
  if (P.x === Q.x) {
    // Either Q = P (a doubling) or Q = -P (the sum is the point at infinity).
    return P.y === Q.y ? pointDouble(c, P) : null;
  }
  const lambda = mod((Q.y - P.y) * modInverse(Q.x - P.x, c.p), c.p);
  const x = mod(lambda * lambda - P.x - Q.x, c.p);
  const y = mod(lambda * (P.x - x) - P.y, c.p);
  return { x, y };
}

/** [k]P for k >= 0, left-to-right double-and-add over the bits of k (k is not reduced). */
export function scalarMult(c: RefCurve, k: bigint, P: RefPoint): RefPoint {
  if (k < 0n) throw new RangeError('negative scalar');
  let acc: RefPoint = null;
  for (let i = bitLength(k) - 1; i >= 0; i--) {
    acc = pointDouble(c, acc);
    if ((k >> BigInt(i)) & 1n) acc = pointAdd(c, acc, P);
  }
  return acc;
}

/** 04 || x || y, each coordinate field length; undefined for the point at infinity. */
export function encodePoint(c: RefCurve, P: RefPoint): Uint8Array | undefined {
  if (P === null) return undefined;
  const out = new Uint8Array(1 + 2 * c.bytes);
  out[0] = 4;
  out.set(bigIntToBytes(P.x, c.bytes), 1);
  out.set(bigIntToBytes(P.y, c.bytes), 1 + c.bytes);
  return out;
}

/** Parses 04 || x || y of the curve's field length (no on-curve check: see isOnCurve). */
export function decodePoint(c: RefCurve, bytes: Uint8Array): { x: bigint; y: bigint } {
  if (bytes.length !== 1 + 2 * c.bytes || bytes[0] !== 4) {
    throw new RangeError(`${c.name}: not an uncompressed point of ${1 + 2 * c.bytes} bytes`);
  }
  return {
    x: bytesToBigInt(bytes.subarray(1, 1 + c.bytes)),
    y: bytesToBigInt(bytes.subarray(1 + c.bytes)),
  };
}

/** [k]G as 04 || x || y (undefined for the point at infinity), for any k >= 0. */
export function pointFromScalar(c: RefCurve, k: bigint): Uint8Array | undefined {
  return encodePoint(c, scalarMult(c, k, generator(c)));
}
