// The record cache of a PostgresKeyStore (docs/postgres-store.md, "The cache"): the body of a row
// as read (sealed key material stays sealed), or the fact that there is no such row, with the
// row's version, by (kind, account, region, id); least recently used first out. Every buffer is
// wiped when it leaves.

export interface PgCacheLimits {
  /** How many rows (or absences) it holds at most. */
  maxEntries: number;
  /** How many bytes of row bodies it holds at most. */
  maxBytes: number;
}

export const DEFAULT_PG_CACHE_LIMITS: PgCacheLimits = { maxEntries: 4096, maxBytes: 16 * 1024 * 1024 };

export interface CachedRow {
  /** The row's body, or null when there is no such row. */
  body: Buffer | null;
  /** The row's version ("0" for an absence). */
  version: string;
}

export class PgRecordCache {
  readonly limits: PgCacheLimits;
  /** In order of use, least recent first (a Map keeps insertion order). */
  readonly #entries = new Map<string, CachedRow>();
  #bytes = 0;

  constructor(limits: PgCacheLimits) {
    this.limits = limits;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The entry for `key` (now the most recently used), or undefined when there is none. */
  get(key: string): CachedRow | undefined {
    const v = this.#entries.get(key);
    if (v === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, v);
    return v;
  }

  /** Remembers `row` for `key` (the cache owns its buffer from now on), evicting the least recently used past the limits. */
  set(key: string, row: CachedRow): void {
    this.delete(key);
    const size = row.body?.length ?? 0;
    if (this.limits.maxEntries < 1 || size > this.limits.maxBytes) {
      row.body?.fill(0);
      return;
    }
    this.#entries.set(key, row);
    this.#bytes += size;
    for (const [oldest] of this.#entries) {
      if (this.#entries.size <= this.limits.maxEntries && this.#bytes <= this.limits.maxBytes) break;
      this.delete(oldest);
    }
  }

  delete(key: string): void {
    const v = this.#entries.get(key);
    if (v === undefined) return;
    this.#entries.delete(key);
    if (v.body !== null) {
      this.#bytes -= v.body.length;
      v.body.fill(0);
    }
  }

  /** Forgets every entry, wiping its bytes. */
  clear(): void {
    for (const v of this.#entries.values()) v.body?.fill(0);
    this.#entries.clear();
    this.#bytes = 0;
  }
}
