// A strict CBOR (RFC 8949) decoder for what COSE_Sign1 (RFC 9052) and the AWS Nitro Enclaves
// attestation document use: unsigned and negative integers, byte and text strings, arrays, maps,
// tags, and the simple values false, true and null; definite and indefinite lengths. Anything
// else (floats, undefined, other simple values, reserved additional information), trailing
// bytes, duplicate map keys, nesting deeper than a limit, invalid UTF-8, and lengths or counts
// beyond the input are refused with a CborError. No Node APIs.

/** A decoded map: its entries in the order of the encoding. */
export class CborMap {
  readonly entries: readonly (readonly [CborValue, CborValue])[];

  constructor(entries: (readonly [CborValue, CborValue])[]) {
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
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const BREAK = 0xff;

class Decoder {
  pos = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly maxDepth: number,
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
    let v = 0n;
    for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(this.bytes[this.pos++]);
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  /** A length or count argument, which must be a number no larger than what is left of the input. */
  length(info: number, at: number, minBytesEach: number): number {
    const n = this.argument(info, at);
    if (typeof n !== 'number' || n * minBytesEach > this.bytes.length - this.pos) {
      this.fail('length beyond the end of the input', at);
    }
    return n;
  }

  item(depth: number): CborValue {
    const at = this.pos;
    if (at >= this.bytes.length) this.fail('truncated: an item was expected', at);
    const initial = this.bytes[this.pos++];
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (info === 31) return this.indefinite(major, depth, at);
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
        const out: CborValue[] = [];
        for (let i = 0; i < n; i++) out.push(this.item(depth + 1));
        return out;
      }
      case 5: {
        this.enter(depth, at);
        const n = this.length(info, at, 2);
        const entries: [CborValue, CborValue][] = [];
        const seen = new Set<string>();
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

  entry(entries: [CborValue, CborValue][], seen: Set<string>, depth: number): void {
    const keyAt = this.pos;
    const key = this.item(depth + 1);
    // Keys compare by value: integers and text by what they decode to, anything else by its bytes.
    const id =
      typeof key === 'number' || typeof key === 'bigint'
        ? `i${key}`
        : typeof key === 'string'
          ? `t${key}`
          : `b${Array.from(this.bytes.subarray(keyAt, this.pos)).join(',')}`;
    if (seen.has(id)) this.fail('duplicate map key', keyAt);
    seen.add(id);
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
        // Chunks: definite-length strings of the same major type (RFC 8949 §3.2.3).
        const chunks: Uint8Array[] = [];
        while (!this.atBreak()) {
          const chunkAt = this.pos;
          const initial = this.bytes[this.pos++];
          if (initial >> 5 !== major || (initial & 0x1f) === 31)
            this.fail('bad chunk in an indefinite-length string', chunkAt);
          const n = this.length(initial & 0x1f, chunkAt, 1);
          const chunk = this.bytes.subarray(this.pos, (this.pos += n));
          // Each text chunk is whole UTF-8 on its own: no character split across chunks (§3.2.3).
          if (major === 3) this.text(chunk, chunkAt);
          chunks.push(chunk);
        }
        const joined = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
        let o = 0;
        for (const c of chunks) {
          joined.set(c, o);
          o += c.length;
        }
        return major === 2 ? joined : this.text(joined, at);
      }
      case 4: {
        this.enter(depth, at);
        const out: CborValue[] = [];
        while (!this.atBreak()) out.push(this.item(depth + 1));
        return out;
      }
      case 5: {
        this.enter(depth, at);
        const entries: [CborValue, CborValue][] = [];
        const seen = new Set<string>();
        while (!this.atBreak()) this.entry(entries, seen, depth);
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
  const d = new Decoder(view, options.maxDepth ?? 16);
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
