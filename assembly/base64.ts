// A second, tiny module: base64 (RFC 4648, standard alphabet, with padding) decoded in place.
// The library embeds the core as base64; decoding its ~127 KB in JavaScript (atob, then a
// charCodeAt loop that runs in the interpreter at startup) costs milliseconds, while this
// module decodes it in a fraction of one. The host writes the ASCII text at input() with
// TextEncoder.encodeInto, calls decode(len), and reads the bytes back from input().
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
