// Keccak-f[1600] and the SHA-3 functions of FIPS 202 (SHA3-256, SHA3-512, SHAKE128,
// SHAKE256), over linear memory.
//
// The state is a block of scratch memory (KECCAK_STATE_SIZE bytes) that the caller takes
// from the arena: 25 lanes of 64 bits, lane (x, y) at byte 8(x + 5y), then the rate and the
// read/write position. FIPS 202 §3.1.2 puts bit z of lane (x, y) at position 64(5y + x) + z
// of the state string, and Appendix B.1 reads strings byte by byte with the least
// significant bit first, so on little-endian WebAssembly a lane is one u64 load: absorbing
// is an XOR of message bytes into the state bytes and squeezing is a copy out of them.
//
// The sponge functions never branch on or index by data, only by lengths and rates, which
// are public; the state holds what was absorbed (a secret seed for ML-KEM), so callers
// release() it (which zeroes it), and the host wipes all scratch after every call.
//
// One code path for both builds: the permutation is a dependent chain of 64-bit XOR, AND-NOT
// and rotations over 25 lanes, which wasm's i64 instructions do directly (about 0.28 µs per
// permutation under V8 on the benchmark machine). SIMD could only run two independent
// sponges side by side in i64x2 lanes, at three instructions per rotation (wasm has no
// vector rotate) and with 25 lane vectors plus temporaries competing for 16 vector
// registers; that is not attempted here.

import { alloc, mark, release } from '../arena';

// ι round constants RC[i_r] (Alg. 6), bits 2^j − 1 set from rc(j + 7 i_r) of Alg. 5.
const RC: usize = memory.data<u64>([
  0x0000000000000001, 0x0000000000008082, 0x800000000000808a, 0x8000000080008000,
  0x000000000000808b, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
  0x000000000000008a, 0x0000000000000088, 0x0000000080008009, 0x000000008000000a,
  0x000000008000808b, 0x800000000000008b, 0x8000000000008089, 0x8000000000008003,
  0x8000000000008002, 0x8000000000000080, 0x000000000000800a, 0x800000008000000a,
  0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
], 16);

const RATE_OFF: usize = 200; // u32: the rate r/8 in bytes
const POS_OFF: usize = 204; //  u32: bytes of the current block absorbed, or squeezed
export const KECCAK_STATE_SIZE: usize = 208;

// Rates in bytes, (1600 − c)/8 with c twice the security strength (§6.1, §6.2).
export const SHA3_256_RATE: u32 = 136;
export const SHA3_512_RATE: u32 = 72;
export const SHAKE128_RATE: u32 = 168;
export const SHAKE256_RATE: u32 = 136;
// The domain suffix and the first bit of pad10*1, as the byte that follows the message
// (Appendix B.2): SHA-3 appends 01 (§6.1), SHAKE 1111 (§6.2).
export const SHA3_SUFFIX: u8 = 0x06;
export const SHAKE_SUFFIX: u8 = 0x1f;

/**
 * Keccak-p[1600, 24] = Keccak-f[1600] (Alg. 7 with n_r = 24, §3.4) on the 25 lanes at `a`.
 * The lanes live in locals for all 24 rounds; one load and one store per lane per call.
 */
export function keccakF1600(a: usize): void {
  let a0 = load<u64>(a, 0), a1 = load<u64>(a, 8), a2 = load<u64>(a, 16), a3 = load<u64>(a, 24), a4 = load<u64>(a, 32);
  let a5 = load<u64>(a, 40), a6 = load<u64>(a, 48), a7 = load<u64>(a, 56), a8 = load<u64>(a, 64), a9 = load<u64>(a, 72);
  let a10 = load<u64>(a, 80), a11 = load<u64>(a, 88), a12 = load<u64>(a, 96), a13 = load<u64>(a, 104), a14 = load<u64>(a, 112);
  let a15 = load<u64>(a, 120), a16 = load<u64>(a, 128), a17 = load<u64>(a, 136), a18 = load<u64>(a, 144), a19 = load<u64>(a, 152);
  let a20 = load<u64>(a, 160), a21 = load<u64>(a, 168), a22 = load<u64>(a, 176), a23 = load<u64>(a, 184), a24 = load<u64>(a, 192);
  for (let round: usize = 0; round < 24; round++) {
    // θ (Alg. 1): every lane takes the parities of two neighbouring columns.
    const c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;
    const c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;
    const c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
    const c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;
    const c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
    const d0 = c4 ^ rotl<u64>(c1, 1);
    const d1 = c0 ^ rotl<u64>(c2, 1);
    const d2 = c1 ^ rotl<u64>(c3, 1);
    const d3 = c2 ^ rotl<u64>(c4, 1);
    const d4 = c3 ^ rotl<u64>(c0, 1);
    // ρ (Alg. 2) and π (Alg. 3) in one step: lane (x, y) is rotated by its offset from
    // Table 2 and lands at (y, 2x + 3y mod 5). bN is the lane that ends up at index N.
    const b0 = a0 ^ d0;
    const b10 = rotl<u64>(a1 ^ d1, 1);
    const b20 = rotl<u64>(a2 ^ d2, 62);
    const b5 = rotl<u64>(a3 ^ d3, 28);
    const b15 = rotl<u64>(a4 ^ d4, 27);
    const b16 = rotl<u64>(a5 ^ d0, 36);
    const b1 = rotl<u64>(a6 ^ d1, 44);
    const b11 = rotl<u64>(a7 ^ d2, 6);
    const b21 = rotl<u64>(a8 ^ d3, 55);
    const b6 = rotl<u64>(a9 ^ d4, 20);
    const b7 = rotl<u64>(a10 ^ d0, 3);
    const b17 = rotl<u64>(a11 ^ d1, 10);
    const b2 = rotl<u64>(a12 ^ d2, 43);
    const b12 = rotl<u64>(a13 ^ d3, 25);
    const b22 = rotl<u64>(a14 ^ d4, 39);
    const b23 = rotl<u64>(a15 ^ d0, 41);
    const b8 = rotl<u64>(a16 ^ d1, 45);
    const b18 = rotl<u64>(a17 ^ d2, 15);
    const b3 = rotl<u64>(a18 ^ d3, 21);
    const b13 = rotl<u64>(a19 ^ d4, 8);
    const b14 = rotl<u64>(a20 ^ d0, 18);
    const b24 = rotl<u64>(a21 ^ d1, 2);
    const b9 = rotl<u64>(a22 ^ d2, 61);
    const b19 = rotl<u64>(a23 ^ d3, 56);
    const b4 = rotl<u64>(a24 ^ d4, 14);
    // χ (Alg. 4), row by row: a[x] ^= ~a[x+1] & a[x+2]; then ι (Alg. 6) on lane (0, 0).
    a0 = b0 ^ (~b1 & b2) ^ load<u64>(RC + (round << 3));
    a1 = b1 ^ (~b2 & b3);
    a2 = b2 ^ (~b3 & b4);
    a3 = b3 ^ (~b4 & b0);
    a4 = b4 ^ (~b0 & b1);
    a5 = b5 ^ (~b6 & b7);
    a6 = b6 ^ (~b7 & b8);
    a7 = b7 ^ (~b8 & b9);
    a8 = b8 ^ (~b9 & b5);
    a9 = b9 ^ (~b5 & b6);
    a10 = b10 ^ (~b11 & b12);
    a11 = b11 ^ (~b12 & b13);
    a12 = b12 ^ (~b13 & b14);
    a13 = b13 ^ (~b14 & b10);
    a14 = b14 ^ (~b10 & b11);
    a15 = b15 ^ (~b16 & b17);
    a16 = b16 ^ (~b17 & b18);
    a17 = b17 ^ (~b18 & b19);
    a18 = b18 ^ (~b19 & b15);
    a19 = b19 ^ (~b15 & b16);
    a20 = b20 ^ (~b21 & b22);
    a21 = b21 ^ (~b22 & b23);
    a22 = b22 ^ (~b23 & b24);
    a23 = b23 ^ (~b24 & b20);
    a24 = b24 ^ (~b20 & b21);
  }
  store<u64>(a, a0, 0); store<u64>(a, a1, 8); store<u64>(a, a2, 16); store<u64>(a, a3, 24); store<u64>(a, a4, 32);
  store<u64>(a, a5, 40); store<u64>(a, a6, 48); store<u64>(a, a7, 56); store<u64>(a, a8, 64); store<u64>(a, a9, 72);
  store<u64>(a, a10, 80); store<u64>(a, a11, 88); store<u64>(a, a12, 96); store<u64>(a, a13, 104); store<u64>(a, a14, 112);
  store<u64>(a, a15, 120); store<u64>(a, a16, 128); store<u64>(a, a17, 136); store<u64>(a, a18, 144); store<u64>(a, a19, 152);
  store<u64>(a, a20, 160); store<u64>(a, a21, 168); store<u64>(a, a22, 176); store<u64>(a, a23, 184); store<u64>(a, a24, 192);
}

/** Starts a sponge with rate `rate` bytes in the state block `st`: all-zero state (Alg. 8 step 5). */
export function keccakInit(st: usize, rate: u32): void {
  memory.fill(st, 0, 200);
  store<u32>(st + RATE_OFF, rate);
  store<u32>(st + POS_OFF, 0);
}

/** Absorbs [ptr, ptr+len) (Alg. 8 step 6, one block at a time as the bytes arrive). */
export function keccakAbsorb(st: usize, ptr: usize, len: usize): void {
  const rate = <usize>load<u32>(st + RATE_OFF);
  let pos = <usize>load<u32>(st + POS_OFF);
  while (len > 0) {
    if (pos == 0 && len >= rate) {
      // A whole block straight from the input, a lane at a time.
      for (let i: usize = 0; i < rate; i += 8) store<u64>(st + i, load<u64>(st + i) ^ load<u64>(ptr + i));
      keccakF1600(st);
      ptr += rate;
      len -= rate;
      continue;
    }
    let n = rate - pos;
    if (n > len) n = len;
    for (let i: usize = 0; i < n; i++) store<u8>(st + pos + i, load<u8>(st + pos + i) ^ load<u8>(ptr + i));
    pos += n;
    ptr += n;
    len -= n;
    if (pos == rate) {
      keccakF1600(st);
      pos = 0;
    }
  }
  store<u32>(st + POS_OFF, <u32>pos);
}

/**
 * Ends absorbing: the domain suffix and pad10*1 (Alg. 9), as the byte `suffix` after the
 * message and a final 1 bit at the end of the block (Appendix B.2), then the permutation
 * that yields the first output block. (Both land in one byte when one byte of the block is left.)
 */
export function keccakFinish(st: usize, suffix: u8): void {
  const rate = <usize>load<u32>(st + RATE_OFF);
  const pos = <usize>load<u32>(st + POS_OFF);
  store<u8>(st + pos, load<u8>(st + pos) ^ suffix);
  store<u8>(st + rate - 1, load<u8>(st + rate - 1) ^ 0x80);
  keccakF1600(st);
  store<u32>(st + POS_OFF, 0);
}

/** Squeezes `len` bytes to `out` (Alg. 8 steps 7-10); may be called repeatedly. */
export function keccakSqueeze(st: usize, out: usize, len: usize): void {
  const rate = <usize>load<u32>(st + RATE_OFF);
  let pos = <usize>load<u32>(st + POS_OFF);
  while (len > 0) {
    if (pos == rate) {
      keccakF1600(st);
      pos = 0;
    }
    let n = rate - pos;
    if (n > len) n = len;
    memory.copy(out, st + pos, n);
    pos += n;
    out += n;
    len -= n;
  }
  store<u32>(st + POS_OFF, <u32>pos);
}

/** One-shot sponge over a state taken from scratch memory and zeroed before returning. */
function sponge(rate: u32, suffix: u8, ptr: usize, len: usize, out: usize, outLen: usize): void {
  const m = mark();
  const st = alloc(KECCAK_STATE_SIZE);
  keccakInit(st, rate);
  keccakAbsorb(st, ptr, len);
  keccakFinish(st, suffix);
  keccakSqueeze(st, out, outLen);
  release(m);
}

/** out[0..32) = SHA3-256(M) (§6.1): Keccak[512](M ‖ 01, 256). */
export function sha3_256(ptr: usize, len: usize, out: usize): void {
  sponge(SHA3_256_RATE, SHA3_SUFFIX, ptr, len, out, 32);
}

/** out[0..64) = SHA3-512(M) (§6.1): Keccak[1024](M ‖ 01, 512). */
export function sha3_512(ptr: usize, len: usize, out: usize): void {
  sponge(SHA3_512_RATE, SHA3_SUFFIX, ptr, len, out, 64);
}

/** out[0..outLen) = SHAKE128(M, 8·outLen) (§6.2): Keccak[256](M ‖ 1111, d). */
export function shake128(ptr: usize, len: usize, out: usize, outLen: usize): void {
  sponge(SHAKE128_RATE, SHAKE_SUFFIX, ptr, len, out, outLen);
}

/** out[0..outLen) = SHAKE256(M, 8·outLen) (§6.2): Keccak[512](M ‖ 1111, d). */
export function shake256(ptr: usize, len: usize, out: usize, outLen: usize): void {
  sponge(SHAKE256_RATE, SHAKE_SUFFIX, ptr, len, out, outLen);
}
