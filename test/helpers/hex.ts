// Hex text of bytes and back, the one encoder/decoder of the tests. unhex ignores whitespace, so
// vectors may be written in groups or across lines.

/** The lowercase hex of `bytes` (only the view's bytes, not the rest of its buffer). */
export const hex = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/** The bytes of the hex text `str` (whitespace ignored). */
export const unhex = (str: string): Uint8Array => new Uint8Array(Buffer.from(str.replace(/\s+/g, ''), 'hex'));
