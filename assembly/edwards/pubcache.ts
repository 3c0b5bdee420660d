// The public keys of the last seeds that signed, so that a signature costs one fixed-base
// multiplication instead of two: RFC 8032 §5.1.6 hashes the public key A into k, and the
// PKCS#8 the host passes holds the seed alone.
//
// An entry is (tag, A) with tag = the first 32 bytes of SHA-512(CACHE_DOMAIN || seed), in a
// static region of linear memory that wipe() leaves alone. Neither half is secret: A is the
// public key, and the tag, like A, is a one-way function of the seed that only lets one test
// a guessed seed, which A already does. The tag is not h = SHA-512(seed), whose halves are the
// secret scalar and the nonce prefix (the domain string in front keeps the two apart).
//
// A wrong A would be a disaster (two signatures with one nonce r and two different k give s
// away), so an entry is only ever taken for an equal 256-bit tag, and only written with the A
// computed from the same seed in the same call.
//
// Whether a seed is in the cache is not secret from the host (it chose the keys); the lookup
// itself reads every entry and keeps the match by mask, so which entry matched, and the tag's
// bytes, do not show in the memory addresses or branches.

import { sha512Init, sha512Update, sha512Final, SHA512_STATE_SIZE } from '../symmetric/sha512';
import { alloc, mark, release } from '../arena';

const ENTRIES: i32 = 16;
const TAG_BYTES: usize = 32;
const ENTRY_BYTES: usize = 64; // tag, then A

const cache: usize = memory.data(<i32>(<usize>ENTRIES * ENTRY_BYTES), 16);
let filled: i32 = 0; // entries written so far (at most ENTRIES)
let next: i32 = 0; //   the entry the next insertion replaces (oldest first)

/** "wasm-kms Ed25519 public key cache\0" */
const CACHE_DOMAIN: usize = memory.data<u8>([
  0x77, 0x61, 0x73, 0x6d, 0x2d, 0x6b, 0x6d, 0x73, 0x20, 0x45, 0x64, 0x32, 0x35, 0x35, 0x31, 0x39,
  0x20, 0x70, 0x75, 0x62, 0x6c, 0x69, 0x63, 0x20, 0x6b, 0x65, 0x79, 0x20, 0x63, 0x61, 0x63, 0x68,
  0x65, 0x00,
]);
const CACHE_DOMAIN_LEN: usize = 34;

/** tag (32 bytes) = SHA-512(CACHE_DOMAIN || seed)[0..32]. */
export function publicKeyTag(tag: usize, seed: usize): void {
  const m = mark();
  const st = alloc(SHA512_STATE_SIZE);
  const h = alloc(64);
  sha512Init(st);
  sha512Update(st, CACHE_DOMAIN, CACHE_DOMAIN_LEN);
  sha512Update(st, seed, 32);
  sha512Final(st, h);
  memory.copy(tag, h, TAG_BYTES);
  release(m);
}

/**
 * Copies the cached public key of `tag` to outA and returns true, or returns false (outA
 * unchanged). Every entry, used or not, is read and the match kept by mask: the instructions
 * and addresses are the same whatever the tag and whatever the cache holds.
 */
export function publicKeyLookup(outA: usize, tag: usize): bool {
  let hit: u64 = 0;
  for (let e = 0; e < ENTRIES; e++) {
    const entry = cache + <usize>e * ENTRY_BYTES;
    let diff: u64 = 0;
    for (let i: usize = 0; i < TAG_BYTES; i += 8) diff |= load<u64>(entry + i) ^ load<u64>(tag + i);
    const used = <u64>(<i64>((e - filled) >> 31)); // all ones iff e < filled
    const eq = (<u64>(<i64>((diff | (0 - diff)) >> 63) - 1)) & used; // all ones iff diff == 0
    for (let i: usize = 0; i < 32; i += 8) {
      const a = load<u64>(outA + i);
      store<u64>(outA + i, a ^ ((a ^ load<u64>(entry + TAG_BYTES + i)) & eq));
    }
    hit |= eq;
  }
  return hit != 0;
}

/**
 * Records (tag, A), replacing the oldest entry once all are used. Every entry is rewritten
 * (itself or the new one, by mask), so the addresses do not depend on which one is replaced.
 */
export function publicKeyInsert(tag: usize, a: usize): void {
  for (let e = 0; e < ENTRIES; e++) {
    const entry = cache + <usize>e * ENTRY_BYTES;
    const sel = <u64>(<i64>(((e ^ next) - 1) >> 31)); // all ones iff e == next
    for (let i: usize = 0; i < ENTRY_BYTES; i += 8) {
      const src = i < TAG_BYTES ? tag + i : a + (i - TAG_BYTES);
      const old = load<u64>(entry + i);
      store<u64>(entry + i, old ^ ((old ^ load<u64>(src)) & sel));
    }
  }
  next = (next + 1) % ENTRIES;
  filled += (filled - ENTRIES) >>> 31; // + 1 while filled < ENTRIES
}
