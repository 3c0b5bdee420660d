// SHA-1, FIPS 180-4 §6.1, over linear memory.
//
// Kept for what still names it: RSAES_OAEP_SHA_1 (its label hash and MGF1) and digests that
// callers ask for by name. The state lives in a block of scratch memory (SHA1_STATE_SIZE
// bytes) that the caller allocates from the arena: init -> update* -> final; final() zeroes
// the block, as sha256.ts does, because the schedule is computed from the message.
//
// Constant time: no branch or address depends on message bytes, only on lengths, which
// are public.

import { alloc, mark, release } from '../arena';

// §5.3.1: H(0).
const IV: usize = memory.data<u32>([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0], 16);

// State block layout (byte offsets), the same shape as sha256.ts's.
const H_OFF: usize = 0; //     5 x u32: the intermediate hash value H(i) (padded to 32 bytes)
const W_OFF: usize = 32; //    80 x u32: the message schedule W_t (§6.1.2 step 1)
const BUF_OFF: usize = 352; // 64 bytes: the partial block not yet compressed
const LEN_OFF: usize = 416; // u64: bytes absorbed so far
const FILL_OFF: usize = 424; // u32: bytes in the partial block
export const SHA1_STATE_SIZE: usize = 432;
export const SHA1_DIGEST_SIZE: usize = 20;
export const SHA1_BLOCK_SIZE: usize = 64;

/** §6.1.2: one 512-bit block at `block` into H. W is left in the state (wiped by final). */
function compress(st: usize, block: usize): void {
  const W = st + W_OFF;
  for (let t: usize = 0; t < 16; t++) {
    store<u32>(W + (t << 2), bswap<u32>(load<u32>(block + (t << 2))));
  }
  for (let t: usize = 16; t < 80; t++) {
    const x =
      load<u32>(W + ((t - 3) << 2)) ^
      load<u32>(W + ((t - 8) << 2)) ^
      load<u32>(W + ((t - 14) << 2)) ^
      load<u32>(W + ((t - 16) << 2));
    store<u32>(W + (t << 2), rotl<u32>(x, 1));
  }
  const H = st + H_OFF;
  let a = load<u32>(H, 0);
  let b = load<u32>(H, 4);
  let c = load<u32>(H, 8);
  let d = load<u32>(H, 12);
  let e = load<u32>(H, 16);
  // §4.1.1 f_t and §4.2.1 K_t, one loop per 20-round range (the range is public).
  for (let t: usize = 0; t < 20; t++) {
    const T = rotl<u32>(a, 5) + ((b & c) ^ (~b & d)) + e + 0x5a827999 + load<u32>(W + (t << 2));
    e = d;
    d = c;
    c = rotl<u32>(b, 30);
    b = a;
    a = T;
  }
  for (let t: usize = 20; t < 40; t++) {
    const T = rotl<u32>(a, 5) + (b ^ c ^ d) + e + 0x6ed9eba1 + load<u32>(W + (t << 2));
    e = d;
    d = c;
    c = rotl<u32>(b, 30);
    b = a;
    a = T;
  }
  for (let t: usize = 40; t < 60; t++) {
    const T = rotl<u32>(a, 5) + ((b & c) ^ (b & d) ^ (c & d)) + e + 0x8f1bbcdc + load<u32>(W + (t << 2));
    e = d;
    d = c;
    c = rotl<u32>(b, 30);
    b = a;
    a = T;
  }
  for (let t: usize = 60; t < 80; t++) {
    const T = rotl<u32>(a, 5) + (b ^ c ^ d) + e + 0xca62c1d6 + load<u32>(W + (t << 2));
    e = d;
    d = c;
    c = rotl<u32>(b, 30);
    b = a;
    a = T;
  }
  store<u32>(H, load<u32>(H, 0) + a, 0);
  store<u32>(H, load<u32>(H, 4) + b, 4);
  store<u32>(H, load<u32>(H, 8) + c, 8);
  store<u32>(H, load<u32>(H, 12) + d, 12);
  store<u32>(H, load<u32>(H, 16) + e, 16);
}

/** Starts a hash in the state block `st` (SHA1_STATE_SIZE bytes). */
export function sha1Init(st: usize): void {
  memory.fill(st, 0, SHA1_STATE_SIZE);
  memory.copy(st + H_OFF, IV, 20);
}

/** Starts a hash from a saved chaining value (20 bytes at `h`) after `absorbed` bytes, a multiple of 64. */
export function sha1InitFrom(st: usize, h: usize, absorbed: u64): void {
  memory.fill(st, 0, SHA1_STATE_SIZE);
  memory.copy(st + H_OFF, h, 20);
  store<u64>(st + LEN_OFF, absorbed);
}

/** Copies the chaining value H (20 bytes) to `h`; valid after whole blocks only. */
export function sha1SaveChain(st: usize, h: usize): void {
  if (load<u32>(st + FILL_OFF) != 0) unreachable();
  memory.copy(h, st + H_OFF, 20);
}

/** Absorbs [ptr, ptr+len). */
export function sha1Update(st: usize, ptr: usize, len: usize): void {
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
  while (len >= 64) {
    compress(st, ptr);
    ptr += 64;
    len -= 64;
  }
  memory.copy(buf, ptr, len);
  store<u32>(st + FILL_OFF, <u32>len);
}

/** Writes the 20-byte digest to `out` and zeroes the state block. */
export function sha1Final(st: usize, out: usize): void {
  const buf = st + BUF_OFF;
  let fill = <usize>load<u32>(st + FILL_OFF);
  const bytes = load<u64>(st + LEN_OFF);
  // §5.1.1, as SHA-256.
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
  for (let i: usize = 0; i < 5; i++) {
    store<u32>(out + (i << 2), bswap<u32>(load<u32>(st + H_OFF + (i << 2))));
  }
  memory.fill(st, 0, SHA1_STATE_SIZE);
}

/** out = SHA-1(ptr[0..len)); the state is taken from scratch memory and zeroed after. */
export function sha1(ptr: usize, len: usize, out: usize): void {
  const m = mark();
  const st = alloc(SHA1_STATE_SIZE);
  sha1Init(st);
  sha1Update(st, ptr, len);
  sha1Final(st, out);
  release(m);
}
