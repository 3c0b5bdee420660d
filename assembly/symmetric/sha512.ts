// SHA-512, FIPS 180-4 §6.4, over linear memory.
//
// The hash state lives in a block of scratch memory (SHA512_STATE_SIZE bytes) that the
// caller allocates from the arena: init -> update* -> final. final() zeroes the whole
// block, because the message schedule and the working variables are computed from the
// message, and Ed25519 hashes its secret seed (RFC 8032 §5.1.5 step 1).
//
// One code path for both builds: the compression function is a chain of dependent 64-bit
// additions and rotations, which wasm's i64 instructions do directly; SIMD lanes would only
// help across independent messages, and key generation hashes one 32-byte seed per call.
//
// Constant time: no branch or address depends on message bytes; only on lengths, which
// are public.

import { alloc, mark, release } from '../arena';

// §4.2.3: the first 64 bits of the fractional parts of the cube roots of the first 80 primes.
const K: usize = memory.data<u64>([
  0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc,
  0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118,
  0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
  0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694,
  0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
  0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
  0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4,
  0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70,
  0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
  0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
  0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30,
  0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
  0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8,
  0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3,
  0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
  0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b,
  0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178,
  0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
  0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c,
  0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
], 16);

// §5.3.5: H(0), the fractional parts of the square roots of the first 8 primes.
const IV: usize = memory.data<u64>([
  0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
  0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
], 16);

// §5.3.4: SHA-384's H(0), from the square roots of the 9th..16th primes.
const IV384: usize = memory.data<u64>([
  0xcbbb9d5dc1059ed8, 0x629a292a367cd507, 0x9159015a3070dd17, 0x152fecd8f70e5939,
  0x67332667ffc00b31, 0x8eb44a8768581511, 0xdb0c2e0d64f98fa7, 0x47b5481dbefa4fa4,
], 16);

// State block layout (byte offsets).
const H_OFF: usize = 0; //     8 x u64: the intermediate hash value H(i)
const W_OFF: usize = 64; //    80 x u64: the message schedule W_t (§6.4.2 step 1)
const BUF_OFF: usize = 704; // 128 bytes: the partial block not yet compressed
const LEN_OFF: usize = 832; // u64: bytes absorbed so far
const FILL_OFF: usize = 840; // u32: bytes in the partial block
export const SHA512_STATE_SIZE: usize = 848;
export const SHA512_DIGEST_SIZE: i32 = 64;
export const SHA512_BLOCK_SIZE: usize = 128;

@inline function ror(x: u64, n: u64): u64 {
  return rotr<u64>(x, n);
}

/** §6.4.2: one 1024-bit block at `block` into H. W is left in the state (wiped by final). */
function compress(st: usize, block: usize): void {
  const W = st + W_OFF;
  // Step 1: the first 16 words are the block read big-endian (§3.1 item 3).
  for (let t: usize = 0; t < 16; t++) {
    store<u64>(W + (t << 3), bswap<u64>(load<u64>(block + (t << 3))));
  }
  for (let t: usize = 16; t < 80; t++) {
    const w2 = load<u64>(W + ((t - 2) << 3));
    const w15 = load<u64>(W + ((t - 15) << 3));
    // σ1 and σ0 of §4.1.3 (4.12, 4.13)
    const s1 = ror(w2, 19) ^ ror(w2, 61) ^ (w2 >> 6);
    const s0 = ror(w15, 1) ^ ror(w15, 8) ^ (w15 >> 7);
    store<u64>(W + (t << 3), s1 + load<u64>(W + ((t - 7) << 3)) + s0 + load<u64>(W + ((t - 16) << 3)));
  }
  // Step 2: working variables from H(i-1).
  const H = st + H_OFF;
  let a = load<u64>(H, 0);
  let b = load<u64>(H, 8);
  let c = load<u64>(H, 16);
  let d = load<u64>(H, 24);
  let e = load<u64>(H, 32);
  let f = load<u64>(H, 40);
  let g = load<u64>(H, 48);
  let h = load<u64>(H, 56);
  // Step 3: 80 rounds; Σ0, Σ1 (4.10, 4.11), Ch (4.8), Maj (4.9).
  for (let t: usize = 0; t < 80; t++) {
    const S1 = ror(e, 14) ^ ror(e, 18) ^ ror(e, 41);
    const ch = (e & f) ^ (~e & g);
    const T1 = h + S1 + ch + load<u64>(K + (t << 3)) + load<u64>(W + (t << 3));
    const S0 = ror(a, 28) ^ ror(a, 34) ^ ror(a, 39);
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const T2 = S0 + maj;
    h = g;
    g = f;
    f = e;
    e = d + T1;
    d = c;
    c = b;
    b = a;
    a = T1 + T2;
  }
  // Step 4: H(i) = H(i-1) + working variables.
  store<u64>(H, load<u64>(H, 0) + a, 0);
  store<u64>(H, load<u64>(H, 8) + b, 8);
  store<u64>(H, load<u64>(H, 16) + c, 16);
  store<u64>(H, load<u64>(H, 24) + d, 24);
  store<u64>(H, load<u64>(H, 32) + e, 32);
  store<u64>(H, load<u64>(H, 40) + f, 40);
  store<u64>(H, load<u64>(H, 48) + g, 48);
  store<u64>(H, load<u64>(H, 56) + h, 56);
}

/** Starts a hash in the state block `st` (SHA512_STATE_SIZE bytes). */
export function sha512Init(st: usize): void {
  memory.fill(st, 0, SHA512_STATE_SIZE);
  memory.copy(st + H_OFF, IV, 64);
}

/** Starts a SHA-384 hash (§6.5: SHA-512 from its own H(0); sha512FinalWords(st, out, 6) ends it). */
export function sha384Init(st: usize): void {
  memory.fill(st, 0, SHA512_STATE_SIZE);
  memory.copy(st + H_OFF, IV384, 64);
}

/**
 * Starts a hash from a saved chaining value: H = the 64 bytes at `h` (as sha512SaveChain
 * wrote them) after `absorbed` bytes, a multiple of 128 (HMAC's precomputed key blocks).
 */
export function sha512InitFrom(st: usize, h: usize, absorbed: u64): void {
  memory.fill(st, 0, SHA512_STATE_SIZE);
  memory.copy(st + H_OFF, h, 64);
  store<u64>(st + LEN_OFF, absorbed);
}

/** Copies the chaining value H (64 bytes) to `h`; valid after whole blocks only. */
export function sha512SaveChain(st: usize, h: usize): void {
  if (load<u32>(st + FILL_OFF) != 0) unreachable();
  memory.copy(h, st + H_OFF, 64);
}

/** Absorbs [ptr, ptr+len). */
export function sha512Update(st: usize, ptr: usize, len: usize): void {
  store<u64>(st + LEN_OFF, load<u64>(st + LEN_OFF) + <u64>len);
  let fill = <usize>load<u32>(st + FILL_OFF);
  const buf = st + BUF_OFF;
  if (fill > 0) {
    let n: usize = 128 - fill;
    if (n > len) n = len;
    memory.copy(buf + fill, ptr, n);
    fill += n;
    ptr += n;
    len -= n;
    if (fill < 128) {
      store<u32>(st + FILL_OFF, <u32>fill);
      return;
    }
    compress(st, buf);
    fill = 0;
  }
  // Whole blocks straight from the input, without a copy.
  while (len >= 128) {
    compress(st, ptr);
    ptr += 128;
    len -= 128;
  }
  memory.copy(buf, ptr, len);
  store<u32>(st + FILL_OFF, <u32>len);
}

/** Writes the 64-byte digest to `out` and zeroes the state block. */
export function sha512Final(st: usize, out: usize): void {
  sha512FinalWords(st, out, 8);
}

/** Writes the first `words` 64-bit words of H(N) to `out` (8: SHA-512, 6: SHA-384) and zeroes the state block. */
export function sha512FinalWords(st: usize, out: usize, words: usize): void {
  const buf = st + BUF_OFF;
  let fill = <usize>load<u32>(st + FILL_OFF);
  const bytes = load<u64>(st + LEN_OFF);
  // §5.1.2: a 1 bit, zeros, then the message length in bits as a 128-bit big-endian integer.
  store<u8>(buf + fill, 0x80);
  fill++;
  if (fill > 112) {
    memory.fill(buf + fill, 0, 128 - fill);
    compress(st, buf);
    fill = 0;
  }
  memory.fill(buf + fill, 0, 112 - fill);
  store<u64>(buf + 112, bswap<u64>(bytes >> 61));
  store<u64>(buf + 120, bswap<u64>(bytes << 3));
  compress(st, buf);
  // §6.4.2: the digest is H(N) written big-endian.
  for (let i: usize = 0; i < words; i++) {
    store<u64>(out + (i << 3), bswap<u64>(load<u64>(st + H_OFF + (i << 3))));
  }
  memory.fill(st, 0, SHA512_STATE_SIZE);
}

/** out = SHA-512(ptr[0..len)); the state is taken from scratch memory and zeroed after. */
export function sha512(ptr: usize, len: usize, out: usize): void {
  const m = mark();
  const st = alloc(SHA512_STATE_SIZE);
  sha512Init(st);
  sha512Update(st, ptr, len);
  sha512Final(st, out);
  release(m);
}
