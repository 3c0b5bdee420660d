// Paging of the List operations (ListKeys, ListAliases): one page of a sorted list after an
// opaque Marker. The Marker here is the hex of "<kind>:<last item returned>", so items created
// between pages neither repeat nor shift a page; a marker this engine did not issue gives
// InvalidMarkerException (message ours).

import { InvalidMarkerException } from './exceptions.js';
import { toHex } from './store.js';

/** An opaque marker naming the last item of a page of list `kind`. */
export function encodeMarker(kind: string, last: string): string {
  return toHex(new TextEncoder().encode(`${kind}:${last}`));
}

/** The last item a marker of list `kind` names; InvalidMarkerException for anything else. */
export function decodeMarker(kind: string, marker: string): string {
  const bad = () => new InvalidMarkerException(`Invalid marker: ${marker}`);
  if (marker.length % 2 !== 0 || !/^[0-9a-f]+$/.test(marker)) throw bad();
  const bytes = new Uint8Array(marker.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(marker.slice(2 * i, 2 * i + 2), 16);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw bad();
  }
  const prefix = `${kind}:`;
  if (!text.startsWith(prefix) || text.length === prefix.length) throw bad();
  return text.slice(prefix.length);
}

/** One page of `sorted` (ascending by `name`) after the marker's item. */
export function page<T>(
  sorted: readonly T[],
  name: (item: T) => string,
  kind: string,
  limit: number,
  marker: string | undefined,
): { items: T[]; nextMarker?: string } {
  let start = 0;
  if (marker !== undefined) {
    const after = decodeMarker(kind, marker);
    start = sorted.findIndex((x) => name(x) > after);
    if (start < 0) start = sorted.length;
  }
  const items = sorted.slice(start, start + limit);
  const truncated = start + limit < sorted.length;
  return truncated ? { items, nextMarker: encodeMarker(kind, name(items[items.length - 1])) } : { items };
}

export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
