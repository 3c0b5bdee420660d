// A second, tiny module: base64 (RFC 4648, standard alphabet, with padding) decoded in place,
// and the packed form the library embeds the core in unpacked (unpack(): LZ77 in the token
// layout of scripts/embed-wasm.mjs's pack()). Doing either in JavaScript (atob, then loops
// that run in the interpreter at startup) costs milliseconds; this module takes a fraction of
// one. The host writes the ASCII text at input() with TextEncoder.encodeInto, calls
// decode(len), then unpack(n), and reads the module's bytes at output().
// Public data only (the core's own bytes): no constant-time care is needed here.

import './abort';

// 256-entry map from ASCII to sextet; 0xff marks a byte outside the alphabet.
const MAP: usize = memory.data(256);
let ready = false;

function setup(): void {
  memory.fill(MAP, 0xff, 256);
  for (let i = 0; i < 26; i++) {
    store<u8>(MAP + 0x41 + i, <u8>i);
    store<u8>(MAP + 0x61 + i, <u8>(26 + i));
  }
  for (let i = 0; i < 10; i++) store<u8>(MAP + 0x30 + i, <u8>(52 + i));
  store<u8>(MAP + 0x2b, 62);
  store<u8>(MAP + 0x2f, 63);
  ready = true;
}

/** Where the host writes the text (page-aligned, past the module's static data). */
export function input(): usize {
  return (__heap_base + 0xffff) & ~(<usize>0xffff);
}

/** Decodes the `len` ASCII bytes at input() into bytes at input(); the byte count, or -1 if invalid. */
export function decode(len: i32): i32 {
  if (!ready) setup();
  if (len & 3) return -1;
  const src = input();
  let pad = 0;
  if (len > 0 && load<u8>(src + len - 1) == 0x3d) pad++;
  if (len > 1 && load<u8>(src + len - 2) == 0x3d) pad++;
  let bad: u32 = 0;
  let out = src;
  const full = len - (pad ? 4 : 0);
  for (let i = 0; i < full; i += 4) {
    const a = <u32>load<u8>(MAP + load<u8>(src + i));
    const b = <u32>load<u8>(MAP + load<u8>(src + i + 1));
    const c = <u32>load<u8>(MAP + load<u8>(src + i + 2));
    const d = <u32>load<u8>(MAP + load<u8>(src + i + 3));
    bad |= a | b | c | d;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    store<u8>(out, <u8>(v >> 16));
    store<u8>(out + 1, <u8>(v >> 8));
    store<u8>(out + 2, <u8>v);
    out += 3;
  }
  if (pad) {
    const i = full;
    const a = <u32>load<u8>(MAP + load<u8>(src + i));
    const b = <u32>load<u8>(MAP + load<u8>(src + i + 1));
    const c = pad == 1 ? <u32>load<u8>(MAP + load<u8>(src + i + 2)) : 0;
    bad |= a | b | c;
    const v = (a << 18) | (b << 12) | (c << 6);
    store<u8>(out, <u8>(v >> 16));
    out++;
    if (pad == 1) {
      store<u8>(out, <u8>(v >> 8));
      out++;
    }
  }
  return bad & 0xc0 ? -1 : <i32>(out - src);
}

const MIN_MATCH: u32 = 4;

/**
 * Copies n bytes from src to dst (dst <= src or the ranges apart): short runs, most of them, in
 * eight-byte words, where memory.copy costs a call out of the module each time.
 */
@inline
function copyForward(dst: usize, src: usize, n: u32): void {
  if (n > 64) {
    memory.copy(dst, src, n);
    return;
  }
  let k: u32 = 0;
  for (; k + 8 <= n; k += 8) store<u64>(dst + k, load<u64>(src + k));
  for (; k < n; k++) store<u8>(dst + k, load<u8>(src + k));
}
let unpackedAt: usize = 0;

/** Where the last successful unpack() wrote its output. */
export function output(): usize {
  return unpackedAt;
}

/**
 * Unpacks the `len` bytes at input() — a u32 little-endian length, then sequences of a token
 * byte (literal count in the high nibble, match length - 4 in the low one, 15 meaning more
 * length bytes follow), the literals, and a u16 little-endian offset; the last sequence has
 * literals only — into memory past them (grown as needed). Returns the unpacked length, or -1
 * for malformed input; never reads past the input nor writes past the length it announced.
 */
export function unpack(len: i32): i32 {
  if (len < 4) return -1;
  const src = input();
  const end = src + <usize>len;
  const n = load<u32>(src);
  if (n > 0x40000000) return -1;
  const dst = (end + 7) & ~(<usize>7);
  const dstEnd = dst + <usize>n;
  const pages = <i32>((dstEnd + 0xffff) >>> 16) - memory.size();
  if (pages > 0 && memory.grow(pages) < 0) return -1;
  let p = src + 4;
  let o = dst;
  while (p < end) {
    const token = <u32>load<u8>(p++);
    let lits = token >>> 4;
    if (lits == 15) {
      let b: u32 = 255;
      while (b == 255) {
        if (p >= end) return -1;
        b = <u32>load<u8>(p++);
        lits += b;
        if (lits > <u32>len) return -1;
      }
    }
    if (<usize>lits > end - p || <usize>lits > dstEnd - o) return -1;
    copyForward(o, p, lits);
    p += lits;
    o += lits;
    if (p == end) break;
    if (end - p < 2) return -1;
    const offset = <usize>load<u16>(p);
    p += 2;
    let m = token & 15;
    if (m == 15) {
      let b: u32 = 255;
      while (b == 255) {
        if (p >= end) return -1;
        b = <u32>load<u8>(p++);
        m += b;
        if (m > n) return -1;
      }
    }
    m += MIN_MATCH;
    if (offset == 0 || offset > o - dst || <usize>m > dstEnd - o) return -1;
    if (offset >= <usize>m) {
      copyForward(o, o - offset, m);
    } else {
      // The match overlaps what it produces: byte by byte, as the packer meant.
      for (let k: u32 = 0; k < m; k++) store<u8>(o + k, load<u8>(o + k - offset));
    }
    o += m;
  }
  if (o != dstEnd) return -1;
  unpackedAt = dst;
  return <i32>n;
}
