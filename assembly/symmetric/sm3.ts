// SM3, the hash function of GB/T 32905-2016 (GM/T 0004-2012), over linear memory.
//
// The same shape as SHA-256 (sha256.ts): a state block of SM3_STATE_SIZE bytes in scratch
// memory, init -> update* -> final, and final() zeroes the whole block. SM2 hashes secrets
// through here (the KDF input x2 || y2 and the plaintext of SM2PKE).
//
// The standard's steps (section numbers of GB/T 32905-2016):
//   §5.3.2 message expansion: W_0..W_67 from the block, W'_j = W_j xor W_(j+4);
//   §5.3.3 compression: 64 rounds with FF_j, GG_j (§4.3), P0, P1 (§4.4), T_j (§4.2);
//   §5.2 padding: as SHA-256's, a 1 bit, zeros, the 64-bit big-endian bit length.
//
// Constant time: no branch or address depends on message bytes, only on lengths.

import { alloc, mark, release } from '../arena';

// §4.1: the initial value IV.
const IV: usize = memory.data<u32>([
  0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e,
], 16);

// §4.2: the round constants T_j.
const T_LOW: u32 = 0x79cc4519; //  0 <= j <= 15
const T_HIGH: u32 = 0x7a879d8a; // 16 <= j <= 63

// State block layout (byte offsets).
const V_OFF: usize = 0; //     8 x u32: the chaining value V(i)
const W_OFF: usize = 32; //    68 x u32: the expanded words W_0..W_67
const BUF_OFF: usize = 304; // 64 bytes: the partial block not yet compressed
const LEN_OFF: usize = 368; // u64: bytes absorbed so far
const FILL_OFF: usize = 376; // u32: bytes in the partial block
export const SM3_STATE_SIZE: usize = 384;
export const SM3_DIGEST_SIZE: usize = 32;
export const SM3_BLOCK_SIZE: usize = 64;

@inline function rol(x: u32, n: u32): u32 {
  return rotl<u32>(x, n);
}

/** §4.4 (permutation P0), used on TT2 in every round. */
@inline function p0(x: u32): u32 {
  return x ^ rol(x, 9) ^ rol(x, 17);
}

/** §4.4 (permutation P1), used in the message expansion. */
@inline function p1(x: u32): u32 {
  return x ^ rol(x, 15) ^ rol(x, 23);
}

/** §5.3: one 512-bit block at `block` into V. W is left in the state (wiped by final). */
function compress(st: usize, block: usize): void {
  const W = st + W_OFF;
  // §5.3.2 a): W_0..W_15 are the block read as big-endian words.
  for (let j: usize = 0; j < 16; j++) {
    store<u32>(W + (j << 2), bswap<u32>(load<u32>(block + (j << 2))));
  }
  // §5.3.2 b): W_j = P1(W_(j-16) xor W_(j-9) xor (W_(j-3) <<< 15)) xor (W_(j-13) <<< 7) xor W_(j-6).
  for (let j: usize = 16; j < 68; j++) {
    const x = load<u32>(W + ((j - 16) << 2)) ^ load<u32>(W + ((j - 9) << 2)) ^ rol(load<u32>(W + ((j - 3) << 2)), 15);
    store<u32>(W + (j << 2), p1(x) ^ rol(load<u32>(W + ((j - 13) << 2)), 7) ^ load<u32>(W + ((j - 6) << 2)));
  }
  const V = st + V_OFF;
  let a = load<u32>(V, 0);
  let b = load<u32>(V, 4);
  let c = load<u32>(V, 8);
  let d = load<u32>(V, 12);
  let e = load<u32>(V, 16);
  let f = load<u32>(V, 20);
  let g = load<u32>(V, 24);
  let h = load<u32>(V, 28);
  // §5.3.3, rounds 0..15: FF_j and GG_j are both X xor Y xor Z.
  for (let j: usize = 0; j < 16; j++) {
    const a12 = rol(a, 12);
    const ss1 = rol(a12 + e + rol(T_LOW, <u32>j), 7);
    const ss2 = ss1 ^ a12;
    const wj = load<u32>(W + (j << 2));
    const tt1 = (a ^ b ^ c) + d + ss2 + (wj ^ load<u32>(W + ((j + 4) << 2)));
    const tt2 = (e ^ f ^ g) + h + ss1 + wj;
    d = c;
    c = rol(b, 9);
    b = a;
    a = tt1;
    h = g;
    g = rol(f, 19);
    f = e;
    e = p0(tt2);
  }
  // Rounds 16..63: FF_j = majority, GG_j = choice; T_j <<< (j mod 32).
  for (let j: usize = 16; j < 64; j++) {
    const a12 = rol(a, 12);
    const ss1 = rol(a12 + e + rol(T_HIGH, <u32>(j & 31)), 7);
    const ss2 = ss1 ^ a12;
    const wj = load<u32>(W + (j << 2));
    const tt1 = ((a & b) | (a & c) | (b & c)) + d + ss2 + (wj ^ load<u32>(W + ((j + 4) << 2)));
    const tt2 = ((e & f) | (~e & g)) + h + ss1 + wj;
    d = c;
    c = rol(b, 9);
    b = a;
    a = tt1;
    h = g;
    g = rol(f, 19);
    f = e;
    e = p0(tt2);
  }
  // V(i+1) = ABCDEFGH xor V(i).
  store<u32>(V, load<u32>(V, 0) ^ a, 0);
  store<u32>(V, load<u32>(V, 4) ^ b, 4);
  store<u32>(V, load<u32>(V, 8) ^ c, 8);
  store<u32>(V, load<u32>(V, 12) ^ d, 12);
  store<u32>(V, load<u32>(V, 16) ^ e, 16);
  store<u32>(V, load<u32>(V, 20) ^ f, 20);
  store<u32>(V, load<u32>(V, 24) ^ g, 24);
  store<u32>(V, load<u32>(V, 28) ^ h, 28);
}

/** Starts a hash in the state block `st` (SM3_STATE_SIZE bytes). */
export function sm3Init(st: usize): void {
  memory.fill(st, 0, SM3_STATE_SIZE);
  memory.copy(st + V_OFF, IV, 32);
}

/** Absorbs [ptr, ptr+len). */
export function sm3Update(st: usize, ptr: usize, len: usize): void {
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

/** Writes the 32-byte digest to `out` and zeroes the state block. */
export function sm3Final(st: usize, out: usize): void {
  const buf = st + BUF_OFF;
  let fill = <usize>load<u32>(st + FILL_OFF);
  const bytes = load<u64>(st + LEN_OFF);
  // §5.2: a 1 bit, k zero bits, then the 64-bit big-endian message length in bits.
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
  // §5.4: the hash is V(n) written big-endian.
  for (let i: usize = 0; i < 8; i++) {
    store<u32>(out + (i << 2), bswap<u32>(load<u32>(st + V_OFF + (i << 2))));
  }
  memory.fill(st, 0, SM3_STATE_SIZE);
}

/** out = SM3(ptr[0..len)); the state is taken from scratch memory and zeroed after. */
export function sm3(ptr: usize, len: usize, out: usize): void {
  const m = mark();
  const st = alloc(SM3_STATE_SIZE);
  sm3Init(st);
  sm3Update(st, ptr, len);
  sm3Final(st, out);
  release(m);
}
