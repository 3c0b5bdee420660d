// The record cache of a FileKeyStore (docs/file-store.md, "The record cache"): the bytes of record
// files as read from disk (sealed key material stays sealed), or the fact that a record file is
// absent, by path, least recently used first out. Every buffer is wiped when it leaves.

export interface RecordCacheLimits {
  /** How many record files (or absences) it holds at most. */
  maxEntries: number;
  /** How many bytes of record files it holds at most. */
  maxBytes: number;
}

export const DEFAULT_CACHE_LIMITS: RecordCacheLimits = { maxEntries: 4096, maxBytes: 16 * 1024 * 1024 };

/** What a record file's path maps to: its bytes, or null when there is no such file. */
export type CachedFile = Buffer | null;

export class RecordCache {
  readonly limits: RecordCacheLimits;
  /** In order of use, least recent first (a Map keeps insertion order). */
  readonly #entries = new Map<string, CachedFile>();
  #bytes = 0;

  constructor(limits: RecordCacheLimits) {
    this.limits = limits;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The entry for `path` (now the most recently used), or undefined when there is none. */
  get(path: string): CachedFile | undefined {
    const v = this.#entries.get(path);
    if (v === undefined) return undefined;
    this.#entries.delete(path);
    this.#entries.set(path, v);
    return v;
  }

  /** Remembers `value` for `path` (the cache owns the buffer from now on), evicting the least recently used past the limits. */
  set(path: string, value: CachedFile): void {
    this.delete(path);
    const size = value?.length ?? 0;
    if (this.limits.maxEntries < 1 || size > this.limits.maxBytes) {
      value?.fill(0);
      return;
    }
    this.#entries.set(path, value);
    this.#bytes += size;
    for (const [oldest] of this.#entries) {
      if (this.#entries.size <= this.limits.maxEntries && this.#bytes <= this.limits.maxBytes) break;
      this.delete(oldest);
    }
  }

  delete(path: string): void {
    const v = this.#entries.get(path);
    if (v === undefined) return;
    this.#entries.delete(path);
    if (v !== null) {
      this.#bytes -= v.length;
      v.fill(0);
    }
  }

  /** Forgets every entry, wiping its bytes. */
  clear(): void {
    for (const v of this.#entries.values()) v?.fill(0);
    this.#entries.clear();
    this.#bytes = 0;
  }
}
