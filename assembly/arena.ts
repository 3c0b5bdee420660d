// Linear-memory arena for everything the core computes.
//
// Two regions, one after the other above __heap_base:
//   [base0, base)  persistent: public tables built once (small primes, curve constants)
//   [base,  top)   scratch: per-call working memory, bump allocated, wiped by wipeScratch()
// No managed allocation happens anywhere in the core (runtime stub), so the only copies
// of secrets live in the scratch region and in the WebAssembly stack of locals.

let base: usize = 0;
let top: usize = 0;
let high: usize = 0;

function ensureInit(): void {
  if (base == 0) {
    base = (__heap_base + 63) & ~(<usize>63);
    top = base;
    high = base;
  }
}

function ensureCapacity(end: usize): void {
  const have = (<usize>memory.size()) << 16;
  if (end > have) {
    const pages = <i32>((end - have + 0xffff) >> 16);
    if (memory.grow(pages) < 0) unreachable();
  }
}

/** Zeroed, 16-byte aligned scratch block. */
export function alloc(bytes: usize): usize {
  ensureInit();
  const p = top;
  const end = p + ((bytes + 15) & ~(<usize>15));
  ensureCapacity(end);
  memory.fill(p, 0, end - p);
  top = end;
  if (end > high) high = end;
  return p;
}

/** Allocates in the persistent region; only valid while no scratch is live. */
export function allocPersistent(bytes: usize): usize {
  ensureInit();
  if (top != base) unreachable();
  const p = base;
  const end = p + ((bytes + 63) & ~(<usize>63));
  ensureCapacity(end);
  memory.fill(p, 0, end - p);
  base = end;
  top = end;
  if (end > high) high = end;
  return p;
}

export function mark(): usize {
  ensureInit();
  return top;
}

/** Frees everything allocated after `m` (zeroing it: it may hold secrets). */
export function release(m: usize): void {
  if (m < top) memory.fill(m, 0, top - m);
  top = m;
}

/** Zeroes every scratch byte ever handed out and resets the arena. */
export function wipeScratch(): void {
  ensureInit();
  if (high > base) memory.fill(base, 0, high - base);
  top = base;
  high = base;
}

export function scratchInUse(): usize {
  ensureInit();
  return top - base;
}

export function scratchHighWater(): usize {
  ensureInit();
  return high - base;
}
