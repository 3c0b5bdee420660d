// SHA-256, FIPS 180-4 §6.2, over linear memory.
//
// The hash state lives in a block of scratch memory (SHA256_STATE_SIZE bytes) that the
// caller allocates from the arena: init -> update* -> final. final() zeroes the whole
// block: the message schedule and the working variables are computed from the message,
// and HMAC/HKDF hash secret keys through here (key material, the PRK, the AES key).
//
// One code path for both builds, as for SHA-512: each compression is a chain of dependent
// 32-bit additions and rotations; SIMD lanes would only pay across independent messages.
//
// Constant time: no branch or address depends on message bytes, only on lengths, which
// are public.

import { alloc, mark, release } from '../arena';

// §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const K: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
], 16);

// §5.3.3: H(0), the first 32 bits of the fractional parts of the square roots of the first 8 primes.
const IV: usize = memory.data<u32>([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
], 16);

// §5.3.2: SHA-224's H(0), the second 32 bits of the fractional parts of the square roots of the 9th..16th primes.
const IV224: usize = memory.data<u32>([
  0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4,
], 16);

// State block layout (byte offsets).
const H_OFF: usize = 0; //     8 x u32: the intermediate hash value H(i)
const W_OFF: usize = 32; //    64 x u32: the message schedule W_t (§6.2.2 step 1)
const BUF_OFF: usize = 288; // 64 bytes: the partial block not yet compressed
const LEN_OFF: usize = 352; // u64: bytes absorbed so far
const FILL_OFF: usize = 360; // u32: bytes in the partial block
export const SHA256_STATE_SIZE: usize = 368;
export const SHA256_DIGEST_SIZE: usize = 32;
export const SHA256_BLOCK_SIZE: usize = 64;

@inline function ror(x: u32, n: u32): u32 {
  return rotr<u32>(x, n);
}

/** §6.2.2: one 512-bit block at `block` into H. W is left in the state (wiped by final). */
function compress(st: usize, block: usize): void {
  const W = st + W_OFF;
  // Step 1: the first 16 words are the block read big-endian (§3.1 item 3).
  for (let t: usize = 0; t < 16; t++) {
    store<u32>(W + (t << 2), bswap<u32>(load<u32>(block + (t << 2))));
  }
  for (let t: usize = 16; t < 64; t++) {
    const w2 = load<u32>(W + ((t - 2) << 2));
    const w15 = load<u32>(W + ((t - 15) << 2));
    // σ1 and σ0 of §4.1.2 (4.6, 4.7)
    const s1 = ror(w2, 17) ^ ror(w2, 19) ^ (w2 >> 10);
    const s0 = ror(w15, 7) ^ ror(w15, 18) ^ (w15 >> 3);
    store<u32>(W + (t << 2), s1 + load<u32>(W + ((t - 7) << 2)) + s0 + load<u32>(W + ((t - 16) << 2)));
  }
  // Step 2: working variables from H(i-1).
  const H = st + H_OFF;
  let a = load<u32>(H, 0);
  let b = load<u32>(H, 4);
  let c = load<u32>(H, 8);
  let d = load<u32>(H, 12);
  let e = load<u32>(H, 16);
  let f = load<u32>(H, 20);
  let g = load<u32>(H, 24);
  let h = load<u32>(H, 28);
  // Step 3: 64 rounds; Σ0, Σ1 (4.4, 4.5), Ch (4.2), Maj (4.3).
  for (let t: usize = 0; t < 64; t++) {
    const S1 = ror(e, 6) ^ ror(e, 11) ^ ror(e, 25);
    const ch = (e & f) ^ (~e & g);
    const T1 = h + S1 + ch + load<u32>(K + (t << 2)) + load<u32>(W + (t << 2));
    const S0 = ror(a, 2) ^ ror(a, 13) ^ ror(a, 22);
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
  store<u32>(H, load<u32>(H, 0) + a, 0);
  store<u32>(H, load<u32>(H, 4) + b, 4);
  store<u32>(H, load<u32>(H, 8) + c, 8);
  store<u32>(H, load<u32>(H, 12) + d, 12);
  store<u32>(H, load<u32>(H, 16) + e, 16);
  store<u32>(H, load<u32>(H, 20) + f, 20);
  store<u32>(H, load<u32>(H, 24) + g, 24);
  store<u32>(H, load<u32>(H, 28) + h, 28);
}

/** Starts a hash in the state block `st` (SHA256_STATE_SIZE bytes). */
export function sha256Init(st: usize): void {
  memory.fill(st, 0, SHA256_STATE_SIZE);
  memory.copy(st + H_OFF, IV, 32);
}

/** Starts a SHA-224 hash (§6.3: SHA-256 from its own H(0); sha256FinalWords(st, out, 7) ends it). */
export function sha224Init(st: usize): void {
  memory.fill(st, 0, SHA256_STATE_SIZE);
  memory.copy(st + H_OFF, IV224, 32);
}

/**
 * Starts a hash from a saved chaining value: H = the 32 bytes at `h` (in state order, as
 * sha256SaveChain wrote them) after `absorbed` bytes, a multiple of 64. HMAC uses it to
 * hash the padded key once per key (RFC 2104 §4, "precomputations").
 */
export function sha256InitFrom(st: usize, h: usize, absorbed: u64): void {
  memory.fill(st, 0, SHA256_STATE_SIZE);
  memory.copy(st + H_OFF, h, 32);
  store<u64>(st + LEN_OFF, absorbed);
}

/** Copies the chaining value H (32 bytes) to `h`; valid after whole blocks only. */
export function sha256SaveChain(st: usize, h: usize): void {
  if (load<u32>(st + FILL_OFF) != 0) unreachable();
  memory.copy(h, st + H_OFF, 32);
}

/** Absorbs [ptr, ptr+len). */
export function sha256Update(st: usize, ptr: usize, len: usize): void {
  store<u64>(st + LEN_OFF, load<u64>(st + LEN_OFF) + <u64>len);
  let fill = <usize>load<u32>(st + FILL_OFF);
  const buf = st + BUF_OFF;
  if (fill > 0) {
    let n: usize = 64 - fill;
    if (n > len) n = len;
    memory.copy(buf + fill, ptr, n);
    fill += n;
    ptr += n;
    len -= n;
    if (fill < 64) {
      store<u32>(st + FILL_OFF, <u32>fill);
      return;
    }
    compress(st, buf);
    fill = 0;
  }
  // Whole blocks straight from the input, without a copy.
  while (len >= 64) {
    compress(st, ptr);
    ptr += 64;
    len -= 64;
  }
  memory.copy(buf, ptr, len);
  store<u32>(st + FILL_OFF, <u32>len);
}

/** Writes the 32-byte digest to `out` and zeroes the state block. */
export function sha256Final(st: usize, out: usize): void {
  sha256FinalWords(st, out, 8);
}

/** Writes the first `words` 32-bit words of H(N) to `out` (8: SHA-256, 7: SHA-224) and zeroes the state block. */
export function sha256FinalWords(st: usize, out: usize, words: usize): void {
  const buf = st + BUF_OFF;
  let fill = <usize>load<u32>(st + FILL_OFF);
  const bytes = load<u64>(st + LEN_OFF);
  // §5.1.1: a 1 bit, zeros, then the message length in bits as a 64-bit big-endian integer.
  store<u8>(buf + fill, 0x80);
  fill++;
  if (fill > 56) {
    memory.fill(buf + fill, 0, 64 - fill);
    compress(st, buf);
    fill = 0;
  }
  memory.fill(buf + fill, 0, 56 - fill);
  store<u64>(buf + 56, bswap<u64>(bytes << 3));
  compress(st, buf);
  // §6.2.2: the digest is H(N) written big-endian.
  for (let i: usize = 0; i < words; i++) {
    store<u32>(out + (i << 2), bswap<u32>(load<u32>(st + H_OFF + (i << 2))));
  }
  memory.fill(st, 0, SHA256_STATE_SIZE);
}

/** out = SHA-256(ptr[0..len)); the state is taken from scratch memory and zeroed after. */
export function sha256(ptr: usize, len: usize, out: usize): void {
  const m = mark();
  const st = alloc(SHA256_STATE_SIZE);
  sha256Init(st);
  sha256Update(st, ptr, len);
  sha256Final(st, out);
  release(m);
}
