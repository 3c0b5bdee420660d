/**
 * A strict DER reader (ITU-T X.690). Anything that BER allows but DER
 * forbids is rejected with a {@link DerError}, so each value has exactly one
 * accepted encoding. Only the low-tag-number form (one identifier octet) is
 * supported. No Node APIs are used.
 */
import { DER_TAG, tagName } from './tags.js';

/** Thrown for any malformed or non-DER input. */
export class DerError extends Error {
  /** Offset of the offending element within the buffer given to the reader, if known. */
  readonly offset: number | undefined;

  constructor(message: string, offset?: number) {
    super(offset === undefined ? message : `${message} (at offset ${offset})`);
    this.name = 'DerError';
    this.offset = offset;
  }
}

/** One parsed TLV. `contents` is a view into the input, not a copy. */
export interface DerElement {
  /** The identifier octet. */
  tag: number;
  /** Offset of the identifier octet. */
  offset: number;
  /** Offset of the first contents octet. */
  contentsOffset: number;
  /** Offset just past the element. */
  end: number;
  contents: Uint8Array;
}

/**
 * Parses the TLV that starts at `offset` and must fit before `end`.
 * Does not look at what follows it.
 */
export function readTlv(bytes: Uint8Array, offset = 0, end = bytes.length): DerElement {
  if (offset >= end) throw new DerError('truncated: expected an identifier octet', offset);
  const tag = bytes[offset];
  // X.690 §8.1.2.4: tag number bits all ones means the tag number follows
  // in further octets (high-tag-number form).
  if ((tag & 0x1f) === 0x1f) {
    throw new DerError('high-tag-number form is not supported', offset);
  }
  let pos = offset + 1;
  if (pos >= end) throw new DerError('truncated: expected a length octet', offset);
  const first = bytes[pos++];
  let length: number;
  if (first < 0x80) {
    length = first; // short form, X.690 §8.1.3.4
  } else if (first === 0x80) {
    // §8.1.3.6; DER allows only the definite form (§10.1).
    throw new DerError('indefinite length is not allowed in DER', offset);
  } else if (first === 0xff) {
    throw new DerError('reserved length octet 0xff', offset); // §8.1.3.5 c)
  } else {
    const count = first & 0x7f;
    if (end - pos < count) throw new DerError('truncated: length octets missing', offset);
    // §10.1: the length must be encoded in the minimum number of octets.
    if (bytes[pos] === 0) {
      throw new DerError('non-minimal length: leading zero length octet', offset);
    }
    if (count > 4) throw new DerError(`length with ${count} octets is too large`, offset);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[pos++];
    if (length < 0x80) {
      throw new DerError(`non-minimal length: long form used for length ${length}`, offset);
    }
  }
  if (end - pos < length) {
    throw new DerError(`truncated: ${length} contents octets announced, ${end - pos} available`, offset);
  }
  return { tag, offset, contentsOffset: pos, end: pos + length, contents: bytes.subarray(pos, pos + length) };
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** INTEGER contents (X.690 §8.3) that must encode a non-negative value. */
function decodeNonNegativeInteger(c: Uint8Array, offset: number): bigint {
  if (c.length === 0) throw new DerError('empty INTEGER', offset); // §8.3.1
  // §8.3.2: the first nine bits must not be all zeros or all ones.
  if (c.length > 1 && c[0] === 0x00 && c[1] < 0x80) {
    throw new DerError('non-minimal INTEGER: redundant leading 0x00', offset);
  }
  if (c.length > 1 && c[0] === 0xff && c[1] >= 0x80) {
    throw new DerError('non-minimal INTEGER: redundant leading 0xff', offset);
  }
  // §8.3.3: two's complement, so a set top bit means a negative value.
  if (c[0] & 0x80) throw new DerError('negative INTEGER where a non-negative one is required', offset);
  let hex = '0x';
  for (let i = 0; i < c.length; i++) hex += HEX[c[i]];
  return BigInt(hex);
}

/** OBJECT IDENTIFIER contents (X.690 §8.19) to dotted form. */
function decodeOid(c: Uint8Array, offset: number): string {
  if (c.length === 0) throw new DerError('empty OBJECT IDENTIFIER', offset);
  const subids: bigint[] = [];
  let value = 0n;
  let atStart = true;
  for (let i = 0; i < c.length; i++) {
    // §8.19.2: a subidentifier uses the fewest octets, so it never starts
    // with 0x80 (a zero base-128 digit with the continuation bit).
    if (atStart && c[i] === 0x80) {
      throw new DerError('non-minimal OBJECT IDENTIFIER subidentifier (leading 0x80)', offset);
    }
    value = (value << 7n) | BigInt(c[i] & 0x7f);
    atStart = (c[i] & 0x80) === 0; // bit 8 clear marks the last octet
    if (atStart) {
      subids.push(value);
      value = 0n;
    }
  }
  if (!atStart) throw new DerError('truncated OBJECT IDENTIFIER subidentifier', offset);
  // §8.19.4: the first subidentifier is 40·X + Y, with X in 0..2 and Y < 40 unless X = 2.
  const first = subids[0];
  const x = first < 40n ? 0n : first < 80n ? 1n : 2n;
  return [x, first - 40n * x, ...subids.slice(1)].join('.');
}

/**
 * Reads consecutive DER elements from `bytes[start..end)`. Offsets in
 * errors are relative to `bytes`.
 *
 * Typical use: `const seq = new DerReader(der).readOnlySequence();` (the one
 * SEQUENCE that makes up `der`), then read the fields of `seq` and call
 * `seq.expectEnd()`.
 */
export class DerReader {
  private readonly bytes: Uint8Array;
  private readonly end: number;
  private pos: number;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    if (start < 0 || end > bytes.length || start > end) throw new RangeError('invalid DerReader bounds');
    // A plain Uint8Array view of the same memory: a Node Buffer's subarray is a Buffer, whose
    // slice() is a view, not a copy, so a parser that slices a private key out and the caller
    // that wipes that copy after use would zero the caller's own key bytes.
    this.bytes =
      Object.getPrototypeOf(bytes) === Uint8Array.prototype
        ? bytes
        : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
    this.end = end;
  }

  /** Current read position. */
  get offset(): number {
    return this.pos;
  }

  /** True when every element has been consumed. */
  get done(): boolean {
    return this.pos >= this.end;
  }

  /** The next identifier octet, or undefined at the end. */
  peekTag(): number | undefined {
    return this.done ? undefined : this.bytes[this.pos];
  }

  /** Reads the next element, checking its identifier octet if one is given. */
  readElement(expectedTag?: number): DerElement {
    const el = readTlv(this.bytes, this.pos, this.end);
    if (expectedTag !== undefined && el.tag !== expectedTag) {
      throw new DerError(`expected ${tagName(expectedTag)}, found ${tagName(el.tag)}`, el.offset);
    }
    this.pos = el.end;
    return el;
  }

  /** Reads a SEQUENCE and returns a reader over its contents. */
  readSequence(): DerReader {
    const el = this.readElement(DER_TAG.SEQUENCE);
    return new DerReader(this.bytes, el.contentsOffset, el.end);
  }

  /**
   * Reads a SEQUENCE that must be the last element (for a reader over a whole
   * encoding: the single SEQUENCE that makes it up, no trailing bytes) and
   * returns a reader over its contents.
   */
  readOnlySequence(): DerReader {
    const seq = this.readSequence();
    this.expectEnd();
    return seq;
  }

  /** Reads an INTEGER that must be non-negative. */
  readInteger(): bigint {
    const el = this.readElement(DER_TAG.INTEGER);
    return decodeNonNegativeInteger(el.contents, el.offset);
  }

  /** Reads an OBJECT IDENTIFIER in dotted form, e.g. "1.2.840.113549.1.1.1". */
  readOid(): string {
    const el = this.readElement(DER_TAG.OID);
    return decodeOid(el.contents, el.offset);
  }

  /** Reads a NULL, which has no contents octets (X.690 §8.8.2). */
  readNull(): void {
    const el = this.readElement(DER_TAG.NULL);
    if (el.contents.length !== 0) throw new DerError('NULL with contents octets', el.offset);
  }

  /** Reads a primitive OCTET STRING (DER forbids the constructed form, §10.2). */
  readOctetString(): Uint8Array {
    return this.readElement(DER_TAG.OCTET_STRING).contents;
  }

  /** Reads a primitive BIT STRING (X.690 §8.6, §10.2, §11.2). */
  readBitString(): { bytes: Uint8Array; unusedBits: number } {
    const el = this.readElement(DER_TAG.BIT_STRING);
    const c = el.contents;
    if (c.length === 0) throw new DerError('BIT STRING without its initial octet', el.offset);
    const unusedBits = c[0];
    if (unusedBits > 7) throw new DerError(`BIT STRING with ${unusedBits} unused bits`, el.offset); // §8.6.2.2
    if (c.length === 1 && unusedBits !== 0) {
      throw new DerError('empty BIT STRING with non-zero unused bits', el.offset); // §8.6.2.3
    }
    if ((c[c.length - 1] & ((1 << unusedBits) - 1)) !== 0) {
      throw new DerError('BIT STRING unused bits are not zero', el.offset); // §11.2.1
    }
    return { bytes: c.subarray(1), unusedBits };
  }

  /** Throws if anything is left after the elements read so far. */
  expectEnd(): void {
    if (this.pos !== this.end) {
      throw new DerError(`${this.end - this.pos} trailing byte(s)`, this.pos);
    }
  }
}
