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

// §4.2: the round constants, T_j <<< (j mod 32) for j = 0..63 (T_j = 79cc4519 for j < 16,
// 7a879d8a after), rotated here once instead of in every round.
const TJ: usize = memory.data<u32>([
  0x79cc4519, 0xf3988a32, 0xe7311465, 0xce6228cb, 0x9cc45197, 0x3988a32f, 0x7311465e, 0xe6228cbc,
  0xcc451979, 0x988a32f3, 0x311465e7, 0x6228cbce, 0xc451979c, 0x88a32f39, 0x11465e73, 0x228cbce6,
  0x9d8a7a87, 0x3b14f50f, 0x7629ea1e, 0xec53d43c, 0xd8a7a879, 0xb14f50f3, 0x629ea1e7, 0xc53d43ce,
  0x8a7a879d, 0x14f50f3b, 0x29ea1e76, 0x53d43cec, 0xa7a879d8, 0x4f50f3b1, 0x9ea1e762, 0x3d43cec5,
  0x7a879d8a, 0xf50f3b14, 0xea1e7629, 0xd43cec53, 0xa879d8a7, 0x50f3b14f, 0xa1e7629e, 0x43cec53d,
  0x879d8a7a, 0x0f3b14f5, 0x1e7629ea, 0x3cec53d4, 0x79d8a7a8, 0xf3b14f50, 0xe7629ea1, 0xcec53d43,
  0x9d8a7a87, 0x3b14f50f, 0x7629ea1e, 0xec53d43c, 0xd8a7a879, 0xb14f50f3, 0x629ea1e7, 0xc53d43ce,
  0x8a7a879d, 0x14f50f3b, 0x29ea1e76, 0x53d43cec, 0xa7a879d8, 0x4f50f3b1, 0x9ea1e762, 0x3d43cec5,
], 16);

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

/** §4.3: FF_j for 16 <= j <= 63, (X and Y) or (X and Z) or (Y and Z). */
@inline function maj(x: u32, y: u32, z: u32): u32 {
  return (x & y) | (x & z) | (y & z);
}

/** §4.3: GG_j for 16 <= j <= 63, (X and Y) or (not X and Z). */
@inline function ch(x: u32, y: u32, z: u32): u32 {
  return (x & y) | (~x & z);
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
  // §5.3.3, four rounds per iteration. A round on (A..H) computes
  //   SS1 = ((A <<< 12) + E + T_j <<< j) <<< 7, SS2 = SS1 xor (A <<< 12),
  //   TT1 = FF_j(A, B, C) + D + SS2 + W'_j, TT2 = GG_j(E, F, G) + H + SS1 + W_j,
  // then D = C, C = B <<< 9, B = A, A = TT1, H = G, G = F <<< 19, F = E, E = P0(TT2). Here the
  // variables stay put and their roles turn instead: the round writes TT1 into D's variable
  // and P0(TT2) into H's, rotates B's and F's in place, and the next round reads (D, A, B, C)
  // as (A, B, C, D) and (H, E, F, G) as (E, F, G, H); after four rounds the roles are back.
  // Rounds 0..15: FF_j and GG_j are both X xor Y xor Z.
  for (let j: usize = 0; j < 16; j += 4) {
    const w = W + (j << 2);
    const t = TJ + (j << 2);
    let x = rol(a, 12);
    let ss1 = rol(x + e + load<u32>(t, 0), 7);
    d = (a ^ b ^ c) + d + (ss1 ^ x) + (load<u32>(w, 0) ^ load<u32>(w, 16));
    h = p0((e ^ f ^ g) + h + ss1 + load<u32>(w, 0));
    b = rol(b, 9);
    f = rol(f, 19);
    x = rol(d, 12);
    ss1 = rol(x + h + load<u32>(t, 4), 7);
    c = (d ^ a ^ b) + c + (ss1 ^ x) + (load<u32>(w, 4) ^ load<u32>(w, 20));
    g = p0((h ^ e ^ f) + g + ss1 + load<u32>(w, 4));
    a = rol(a, 9);
    e = rol(e, 19);
    x = rol(c, 12);
    ss1 = rol(x + g + load<u32>(t, 8), 7);
    b = (c ^ d ^ a) + b + (ss1 ^ x) + (load<u32>(w, 8) ^ load<u32>(w, 24));
    f = p0((g ^ h ^ e) + f + ss1 + load<u32>(w, 8));
    d = rol(d, 9);
    h = rol(h, 19);
    x = rol(b, 12);
    ss1 = rol(x + f + load<u32>(t, 12), 7);
    a = (b ^ c ^ d) + a + (ss1 ^ x) + (load<u32>(w, 12) ^ load<u32>(w, 28));
    e = p0((f ^ g ^ h) + e + ss1 + load<u32>(w, 12));
    c = rol(c, 9);
    g = rol(g, 19);
  }
  // Rounds 16..63: FF_j = majority, GG_j = choice.
  for (let j: usize = 16; j < 64; j += 4) {
    const w = W + (j << 2);
    const t = TJ + (j << 2);
    let x = rol(a, 12);
    let ss1 = rol(x + e + load<u32>(t, 0), 7);
    d = maj(a, b, c) + d + (ss1 ^ x) + (load<u32>(w, 0) ^ load<u32>(w, 16));
    h = p0(ch(e, f, g) + h + ss1 + load<u32>(w, 0));
    b = rol(b, 9);
    f = rol(f, 19);
    x = rol(d, 12);
    ss1 = rol(x + h + load<u32>(t, 4), 7);
    c = maj(d, a, b) + c + (ss1 ^ x) + (load<u32>(w, 4) ^ load<u32>(w, 20));
    g = p0(ch(h, e, f) + g + ss1 + load<u32>(w, 4));
    a = rol(a, 9);
    e = rol(e, 19);
    x = rol(c, 12);
    ss1 = rol(x + g + load<u32>(t, 8), 7);
    b = maj(c, d, a) + b + (ss1 ^ x) + (load<u32>(w, 8) ^ load<u32>(w, 24));
    f = p0(ch(g, h, e) + f + ss1 + load<u32>(w, 8));
    d = rol(d, 9);
    h = rol(h, 19);
    x = rol(b, 12);
    ss1 = rol(x + f + load<u32>(t, 12), 7);
    a = maj(b, c, d) + a + (ss1 ^ x) + (load<u32>(w, 12) ^ load<u32>(w, 28));
    e = p0(ch(f, g, h) + e + ss1 + load<u32>(w, 12));
    c = rol(c, 9);
    g = rol(g, 19);
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
