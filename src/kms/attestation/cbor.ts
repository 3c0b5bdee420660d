// A strict CBOR (RFC 8949) decoder for what COSE_Sign1 (RFC 9052) and the AWS Nitro Enclaves
// attestation document use: unsigned and negative integers, byte and text strings, arrays, maps,
// tags, and the simple values false, true and null; definite and indefinite lengths. Anything
// else (floats, undefined, other simple values, reserved additional information), trailing
// bytes, map keys that are not integers or text (COSE labels are int or tstr, the payload's keys
// text, PCR indexes integers), duplicate map keys, nesting deeper than a limit, more elements than
// a limit, invalid UTF-8, and lengths or counts beyond the input are refused with a CborError.
// Every input is decoded in time linear in its size: duplicate keys are found with a Set of the
// decoded keys, the chunks of an indefinite-length string are copied once. No Node APIs.

/** A map key: an integer or a text string (no other key is decoded). */
export type CborKey = number | bigint | string;

/** A decoded map: its entries in the order of the encoding. */
export class CborMap {
  readonly entries: readonly (readonly [CborKey, CborValue])[];

  constructor(entries: (readonly [CborKey, CborValue])[]) {
    this.entries = entries;
  }

  get size(): number {
    return this.entries.length;
  }

  /** The value of the entry whose key is this text string or integer, or undefined. */
  get(key: string | number): CborValue | undefined {
    for (const [k, v] of this.entries) if (k === key) return v;
    return undefined;
  }

  has(key: string | number): boolean {
    return this.entries.some(([k]) => k === key);
  }
}

/** A tagged item (major type 6). */
export class CborTagged {
  constructor(
    readonly tag: number,
    readonly value: CborValue,
  ) {}
}

/**
 * Integers are numbers when they are safe integers and bigints otherwise; byte strings are
 * views into the input (indefinite-length ones are joined into a copy).
 */
export type CborValue = number | bigint | string | Uint8Array | boolean | null | CborValue[] | CborMap | CborTagged;

/** Thrown for any input this decoder refuses; the message names the problem and the offset. */
export class CborError extends Error {
  constructor(message: string, offset: number) {
    super(`CBOR: ${message} (at offset ${offset})`);
    this.name = 'CborError';
  }
}

export interface CborDecodeOptions {
  /** Arrays, maps and tags nested deeper than this are refused (default 16). */
  maxDepth?: number;
  /** Arrays with more elements, maps with more entries than this are refused (default: no limit). */
  maxEntries?: number;
  /**
   * Refuse indefinite lengths and heads whose argument is not in its shortest form (the first two
   * requirements of RFC 8949 §4.2.1's deterministic encoding); default false.
   */
  shortestDefinite?: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const BREAK = 0xff;

class Decoder {
  pos = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly maxDepth: number,
    private readonly maxEntries: number,
    private readonly shortestDefinite: boolean,
  ) {}

  fail(message: string, at = this.pos): never {
    throw new CborError(message, at);
  }

  /** The argument of a head whose additional information is `info` (0..27), as a bigint-safe number or bigint. */
  argument(info: number, at: number): number | bigint {
    if (info < 24) return info;
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
    if (size === 0) this.fail(`reserved additional information ${info}`, at);
    if (this.bytes.length - this.pos < size) this.fail('truncated head', at);
    const b = this.bytes;
    let v: number | bigint;
    if (size === 8) {
      const hi = ((b[this.pos] << 24) | (b[this.pos + 1] << 16) | (b[this.pos + 2] << 8) | b[this.pos + 3]) >>> 0;
      const lo = ((b[this.pos + 4] << 24) | (b[this.pos + 5] << 16) | (b[this.pos + 6] << 8) | b[this.pos + 7]) >>> 0;
      v = hi < 0x200000 ? hi * 0x1_0000_0000 + lo : (BigInt(hi) << 32n) | BigInt(lo);
    } else {
      v = 0;
      for (let i = 0; i < size; i++) v = v * 256 + b[this.pos + i];
    }
    this.pos += size;
    // Shortest form: 1 byte from 24, 2 from 256, 4 from 65536, 8 from 2^32.
    if (this.shortestDefinite && v < (size === 1 ? 24 : size === 2 ? 0x100 : size === 4 ? 0x10000 : 0x1_0000_0000)) {
      this.fail('integer head not in its shortest form', at);
    }
    return v;
  }

  /** A length or count argument, which must be a number no larger than what is left of the input. */
  length(info: number, at: number, minBytesEach: number): number {
    const n = this.argument(info, at);
    if (typeof n !== 'number' || n * minBytesEach > this.bytes.length - this.pos) {
      this.fail('length beyond the end of the input', at);
    }
    return n;
  }

  /** An element count of an array or map, within the limit. */
  count(n: number, at: number): void {
    if (n > this.maxEntries) this.fail(`more than ${this.maxEntries} elements in an array or map`, at);
  }

  item(depth: number): CborValue {
    const at = this.pos;
    if (at >= this.bytes.length) this.fail('truncated: an item was expected', at);
    const initial = this.bytes[this.pos++];
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (info === 31) {
      if (this.shortestDefinite) this.fail('indefinite length', at);
      return this.indefinite(major, depth, at);
    }
    switch (major) {
      case 0:
        return this.argument(info, at);
      case 1: {
        const n = this.argument(info, at);
        return typeof n === 'number' && n < Number.MAX_SAFE_INTEGER ? -1 - n : -1n - BigInt(n);
      }
      case 2: {
        const n = this.length(info, at, 1);
        return this.bytes.subarray(this.pos, (this.pos += n));
      }
      case 3: {
        const n = this.length(info, at, 1);
        return this.text(this.bytes.subarray(this.pos, (this.pos += n)), at);
      }
      case 4: {
        this.enter(depth, at);
        const n = this.length(info, at, 1);
        this.count(n, at);
        const out: CborValue[] = [];
        for (let i = 0; i < n; i++) out.push(this.item(depth + 1));
        return out;
      }
      case 5: {
        this.enter(depth, at);
        const n = this.length(info, at, 2);
        this.count(n, at);
        const entries: [CborKey, CborValue][] = [];
        const seen = new Set<CborKey>();
        for (let i = 0; i < n; i++) this.entry(entries, seen, depth);
        return new CborMap(entries);
      }
      case 6: {
        this.enter(depth, at);
        const tag = this.argument(info, at);
        if (typeof tag !== 'number') this.fail('tag number too large', at);
        return new CborTagged(tag, this.item(depth + 1));
      }
      default:
        return this.simple(info, at);
    }
  }

  simple(info: number, at: number): CborValue {
    if (info === 20) return false;
    if (info === 21) return true;
    if (info === 22) return null;
    return this.fail(`simple value or float (additional information ${info}) not accepted`, at);
  }

  enter(depth: number, at: number): void {
    if (depth >= this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth}`, at);
  }

  text(bytes: Uint8Array, at: number): string {
    try {
      return utf8.decode(bytes);
    } catch {
      return this.fail('text string is not valid UTF-8', at);
    }
  }

  entry(entries: [CborKey, CborValue][], seen: Set<CborKey>, depth: number): void {
    const keyAt = this.pos;
    // Only integer and text keys: their head says so before anything of the key is decoded.
    const major = keyAt < this.bytes.length ? this.bytes[keyAt] >> 5 : 0;
    if (major > 1 && major !== 3) this.fail('map key is not an integer or a text string', keyAt);
    const key = this.item(depth + 1) as CborKey;
    // Keys compare by value in a Set: an integer is a number when it is safe and a bigint otherwise
    // (one representation per value, whatever the head's width), and 1 and "1" are different keys.
    if (seen.has(key)) this.fail('duplicate map key', keyAt);
    seen.add(key);
    entries.push([key, this.item(depth + 1)]);
  }

  atBreak(): boolean {
    if (this.pos >= this.bytes.length) this.fail('truncated: indefinite-length item without its break');
    if (this.bytes[this.pos] !== BREAK) return false;
    this.pos++;
    return true;
  }

  indefinite(major: number, depth: number, at: number): CborValue {
    switch (major) {
      case 2:
      case 3: {
        // Chunks: definite-length strings of the same major type (RFC 8949 §3.2.3). Their places
        // are noted as numbers first, then copied once: no allocation per chunk.
        const places: number[] = [];
        let total = 0;
        while (!this.atBreak()) {
          const chunkAt = this.pos;
          const initial = this.bytes[this.pos++];
          if (initial >> 5 !== major || (initial & 0x1f) === 31)
            this.fail('bad chunk in an indefinite-length string', chunkAt);
          const n = this.length(initial & 0x1f, chunkAt, 1);
          // Each text chunk is whole UTF-8 on its own (§3.2.3). The joined text is checked as UTF-8
          // below, and in valid UTF-8 a byte that is not a continuation byte (10xxxxxx) starts a
          // character: so a chunk is whole characters when it does not start with one.
          if (major === 3 && n > 0 && (this.bytes[this.pos] & 0xc0) === 0x80) {
            this.fail('text chunk begins inside a UTF-8 character', chunkAt);
          }
          if (n > 0) places.push(this.pos, n);
          this.pos += n;
          total += n;
        }
        const joined = new Uint8Array(total);
        const b = this.bytes;
        for (let i = 0, o = 0; i < places.length; i += 2) {
          const from = places[i];
          const n = places[i + 1];
          // Short chunks byte by byte: a subarray per chunk would cost more than the copy.
          if (n > 64) joined.set(b.subarray(from, from + n), o);
          else for (let k = 0; k < n; k++) joined[o + k] = b[from + k];
          o += n;
        }
        return major === 2 ? joined : this.text(joined, at);
      }
      case 4: {
        this.enter(depth, at);
        const out: CborValue[] = [];
        while (!this.atBreak()) {
          this.count(out.length + 1, at);
          out.push(this.item(depth + 1));
        }
        return out;
      }
      case 5: {
        this.enter(depth, at);
        const entries: [CborKey, CborValue][] = [];
        const seen = new Set<CborKey>();
        while (!this.atBreak()) {
          this.count(entries.length + 1, at);
          this.entry(entries, seen, depth);
        }
        return new CborMap(entries);
      }
      case 7:
        return this.fail('break outside an indefinite-length item', at);
      default:
        return this.fail(`indefinite length not allowed for major type ${major}`, at);
    }
  }
}

/** The one CBOR item that makes up `bytes` (nothing may follow it). */
export function decodeCbor(bytes: Uint8Array, options: CborDecodeOptions = {}): CborValue {
  // A plain Uint8Array view of the same memory: a Node Buffer's slice() is a view, not a copy,
  // and the byte strings of the result are copied out with slice().
  const view =
    Object.getPrototypeOf(bytes) === Uint8Array.prototype
      ? bytes
      : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const d = new Decoder(
    view,
    options.maxDepth ?? 16,
    options.maxEntries ?? Infinity,
    options.shortestDefinite ?? false,
  );
  const value = d.item(0);
  if (d.pos !== view.length) d.fail(`${view.length - d.pos} trailing byte(s)`);
  return value;
}

/** The head of a definite-length item of major type `major` with argument `n` (shortest form). */
export function cborHead(major: number, n: number): Uint8Array {
  const m = major << 5;
  if (n < 24) return Uint8Array.of(m | n);
  if (n < 0x100) return Uint8Array.of(m | 24, n);
  if (n < 0x10000) return Uint8Array.of(m | 25, n >>> 8, n & 0xff);
  return Uint8Array.of(m | 26, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}
