// Small helpers of the file key store's modules: bytes as text, error codes, ordering.

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
export const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
export const toBase64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');

/** Standard base64 with padding, exactly as toBase64 writes it, or undefined. */
export function fromBase64(s: string): Uint8Array | undefined {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
  const b = Buffer.from(s, 'base64');
  const out = b.toString('base64') === s ? new Uint8Array(b) : undefined;
  // The decoded bytes may be a secret field of an unsealed store: no copy is left behind.
  b.fill(0);
  return out;
}

export function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export type Json = Record<string, unknown>;

/** Orders names by UTF-16 code units, the same on every platform and locale. */
export const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
