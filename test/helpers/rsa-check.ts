// Independent checks of RSA key pairs for the tests.
//
// Nothing here uses the project's own DER code: keys are parsed by node:crypto (OpenSSL)
// and their components are checked with plain BigInt arithmetic against FIPS 186-5
// (Appendix A.1.1 and A.1.3) and RFC 8017 (the CRT values of an RSAPrivateKey).

import { spawnSync } from 'node:child_process';
import { checkPrimeSync, createPrivateKey, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const OPENSSL = '/usr/bin/openssl';

/** The components of a two-prime RSA private key (RFC 8017 A.1.2 names). */
export interface RsaValues {
  n: bigint;
  e: bigint;
  d: bigint;
  p: bigint;
  q: bigint;
  dP: bigint;
  dQ: bigint;
  qInv: bigint;
}

// ---- BigInt helpers ---------------------------------------------------------------------

/** base64url (as in a JWK) to a non-negative integer. */
export function b64uToBigint(s: string): bigint {
  const hex = Buffer.from(s, 'base64url').toString('hex');
  return hex.length === 0 ? 0n : BigInt('0x' + hex);
}

/** Big-endian unsigned magnitude of x, without leading zero bytes (at least one byte). */
export function bigintToBytes(x: bigint): Uint8Array {
  if (x < 0n) throw new RangeError('negative value');
  let hex = x.toString(16);
  if (hex.length % 2 === 1) hex = '0' + hex;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** Number of bits of x >= 0 (0 for 0). */
export function bitLength(x: bigint): number {
  if (x < 0n) throw new RangeError('negative value');
  return x === 0n ? 0 : x.toString(2).length;
}

export function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

export function lcm(a: bigint, b: bigint): bigint {
  if (a === 0n || b === 0n) return 0n;
  return (a / gcd(a, b)) * b;
}

/** Non-negative x mod m. */
export function mod(x: bigint, m: bigint): bigint {
  const r = x % m;
  return r < 0n ? r + m : r;
}

/** base^exp mod m by square-and-multiply (exp >= 0, m > 0). */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  if (exp < 0n) throw new RangeError('negative exponent');
  if (m === 1n) return 0n;
  let result = 1n;
  let b = mod(base, m);
  let k = exp;
  while (k > 0n) {
    if (k & 1n) result = (result * b) % m;
    b = (b * b) % m;
    k >>= 1n;
  }
  return result;
}

/** A random integer in [2, m − 2] (m > 4) from node's CSPRNG; the bias is below 2^−64. */
export function randomBelow(m: bigint): bigint {
  const hex = randomBytes(Math.ceil(bitLength(m) / 8) + 8).toString('hex');
  return 2n + (BigInt('0x' + hex) % (m - 3n));
}

// ---- Parsing through node:crypto --------------------------------------------------------

export function importPrivate(der: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
}

export function importPublic(der: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
}

/** The components of a PKCS#8 DER RSA private key, as OpenSSL (through node) reads them. */
export function rsaValues(privateKeyDer: Uint8Array): RsaValues {
  const key = importPrivate(privateKeyDer);
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`not an RSA key: ${key.asymmetricKeyType}`);
  const jwk = key.export({ format: 'jwk' });
  const field = (name: string): bigint => {
    const v = (jwk as Record<string, unknown>)[name];
    if (typeof v !== 'string') throw new Error(`JWK export has no ${name}`);
    return b64uToBigint(v);
  };
  return {
    n: field('n'),
    e: field('e'),
    d: field('d'),
    p: field('p'),
    q: field('q'),
    dP: field('dp'),
    dQ: field('dq'),
    qInv: field('qi'),
  };
}

// ---- The checks -------------------------------------------------------------------------
// Each returns a list of problems (empty: the key passes), each problem starting with a
// stable code so that the tests can also show that a broken key is caught.

/** Modulus size and public exponent. */
export function publicProblems(v: RsaValues, nlen: number): string[] {
  const out: string[] = [];
  if (bitLength(v.n) !== nlen) out.push(`n-bits: modulus has ${bitLength(v.n)} bits, not ${nlen}`);
  if (v.e !== 65537n) out.push(`e: public exponent is ${v.e}, not 65537`);
  return out;
}

/** p ≥ √2·2^(k−1) for a k-bit prime, in integers: p² ≥ 2·2^(2k−2) = 2^(2k−1). */
export function aboveSqrt2Bound(p: bigint, k: number): boolean {
  return p * p >= 1n << BigInt(2 * k - 1);
}

/** FIPS 186-5 A.1.3 steps 4 and 5: the primes and their relation to n and e. */
export function primeProblems(v: RsaValues, nlen: number, checks = 32): string[] {
  const out: string[] = [];
  const k = nlen / 2;
  for (const [name, x] of [
    ['p', v.p],
    ['q', v.q],
  ] as const) {
    if (bitLength(x) !== k) out.push(`${name}-bits: ${name} has ${bitLength(x)} bits, not ${k}`);
    if (!aboveSqrt2Bound(x, k)) out.push(`${name}-sqrt2: ${name} < √2·2^(${k}−1)`);
    if (x < 3n || !checkPrimeSync(x, { checks })) out.push(`${name}-prime: ${name} is composite`);
    else if (gcd(v.e, x - 1n) !== 1n) out.push(`${name}-gcd: gcd(e, ${name}−1) ≠ 1`);
  }
  const diff = v.p > v.q ? v.p - v.q : v.q - v.p;
  if (diff <= 1n << BigInt(k - 100)) out.push(`p-q-distance: |p − q| ≤ 2^(${k}−100)`);
  if (v.p * v.q !== v.n) out.push('n-pq: n ≠ p·q');
  return out;
}

/** FIPS 186-5 A.1.1: d = e⁻¹ mod lcm(p−1, q−1), reduced, and 2^(nlen/2) < d. */
export function privateExponentProblems(v: RsaValues, nlen: number): string[] {
  const out: string[] = [];
  const lambda = lcm(v.p - 1n, v.q - 1n);
  if (lambda === 0n) return ['d-lambda: lcm(p−1, q−1) is 0'];
  if (mod(v.d * v.e, lambda) !== 1n) out.push('d-inverse: d·e ≢ 1 (mod λ)');
  if (v.d >= lambda) out.push('d-reduced: d ≥ λ = lcm(p−1, q−1)');
  if (v.d <= 1n << BigInt(nlen / 2)) out.push(`d-small: d ≤ 2^${nlen / 2}`);
  return out;
}

/** RFC 8017 A.1.2: dP = d mod (p−1), dQ = d mod (q−1), qInv = q⁻¹ mod p (and qInv < p). */
export function crtProblems(v: RsaValues): string[] {
  const out: string[] = [];
  if (v.p > 1n && v.dP !== mod(v.d, v.p - 1n)) out.push('dP: dP ≠ d mod (p−1)');
  if (v.q > 1n && v.dQ !== mod(v.d, v.q - 1n)) out.push('dQ: dQ ≠ d mod (q−1)');
  if (v.p > 1n && mod(v.qInv * v.q, v.p) !== 1n) out.push('qInv-inverse: qInv·q ≢ 1 (mod p)');
  if (v.qInv <= 0n || v.qInv >= v.p) out.push('qInv-reduced: qInv is not in [1, p)');
  return out;
}

/**
 * Raw RSA in BigInt: c = m^e mod n, then c^d mod n and the CRT recombination with dP, dQ,
 * qInv must both give m back. (OpenSSL's own private-key operations verify a CRT result
 * with e and quietly fall back to d when it is wrong, so a sign/decrypt round trip alone
 * would not notice a bad dP, dQ or qInv.)
 */
export function rawRsaProblems(v: RsaValues, m: bigint): string[] {
  const out: string[] = [];
  const c = modPow(m, v.e, v.n);
  if (modPow(c, v.d, v.n) !== m) out.push('raw-d: (m^e)^d mod n ≠ m');
  const m1 = modPow(c, v.dP, v.p);
  const m2 = modPow(c, v.dQ, v.q);
  const h = mod(v.qInv * (m1 - m2), v.p);
  if (m2 + h * v.q !== m) out.push('raw-crt: CRT decryption with dP, dQ, qInv ≠ m');
  return out;
}

/** Every check above. */
export function rsaKeyProblems(v: RsaValues, nlen: number, checks = 32): string[] {
  return [
    ...publicProblems(v, nlen),
    ...primeProblems(v, nlen, checks),
    ...privateExponentProblems(v, nlen),
    ...crtProblems(v),
  ];
}

/** The codes of a list of problems ("d-reduced: ..." -> "d-reduced"). */
export function problemCodes(problems: string[]): string[] {
  return problems.map((s) => s.slice(0, s.indexOf(':')));
}

// ---- OpenSSL CLI --------------------------------------------------------------------------

export interface OpensslResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function openssl(args: string[]): OpensslResult {
  const r = spawnSync(OPENSSL, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `openssl pkey -inform DER -in <file> -check -noout` on a PKCS#8 DER private key. */
export function opensslCheckPrivate(dir: string, name: string, der: Uint8Array): OpensslResult {
  const file = join(dir, `${name}.pk8.der`);
  writeFileSync(file, der);
  return openssl(['pkey', '-inform', 'DER', '-in', file, '-check', '-noout']);
}

/** `openssl pkey -pubin -inform DER -in <file> -noout [-pubcheck]` on an SPKI DER public key. */
export function opensslReadPublic(dir: string, name: string, der: Uint8Array, pubcheck = false): OpensslResult {
  const file = join(dir, `${name}.spki.der`);
  writeFileSync(file, der);
  return openssl(['pkey', '-pubin', '-inform', 'DER', '-in', file, '-noout', ...(pubcheck ? ['-pubcheck'] : [])]);
}
