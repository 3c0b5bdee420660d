// Loading the WebAssembly core in any JavaScript runtime.
//
// The module is embedded in base64 (two builds: SIMD, and scalar packed first by
// scripts/embed-wasm.mjs's pack(), undone by the decoder module or unpackBytes() here). Where
// the runtime allows
// compiling bytes synchronously (Node, Deno, Bun, browser workers), the first call compiles
// it on demand and no init call is needed. Where it does not (Cloudflare Workers, Vercel
// Edge, a browser's main thread for modules over 4 KB), call `await initCore(source)` once
// with a WebAssembly.Module, the .wasm bytes, or a Response. The package's edge entry (export
// conditions "workerd" and "edge-light") embeds nothing: there initCore(source) is required.

import { embeddedBuilds } from './embedded.js';
import { CoreError } from './errors.js';

export type CoreVariant = 'simd' | 'scalar';

/**
 * The shipped module's ABI (assembly/index.ts): the call-sequence functions and the RSA entry
 * point here, the other areas' entry points in ec.ts, ed25519.ts, mlkem.ts and symmetric.ts.
 * An operation that can fail returns a status (src/core/errors.ts, checkStatus).
 */
export interface CoreExports {
  memory: WebAssembly.Memory;
  begin(flags: number): void;
  alloc(len: number): number;
  wipe(): void;
  /** Writes 8 (ptr, len) i32 pairs to out (64 bytes): n, e, d, p, q, dP, dQ, qInv. */
  rsa_generate(nlen: number, out: number): number;
}

/**
 * Entry points of the test module only (assembly/test-exports.ts, build/wasm-kms.test.*.wasm),
 * which the tests and the modexp benchmark load; the shipped module does not have them.
 */
export interface TestCoreExports extends CoreExports {
  scratchHighWater(): number;
  bn_modexp(base: number, exp: number, mod: number, len: number, out: number): void;
  bn_modexp_base2(exp: number, mod: number, len: number, out: number): void;
  bn_modexp32(base: number, exp: number, mod: number, len: number, out: number): void;
  bn_modmul(a: number, b: number, mod: number, len: number, sqr: number, out: number): void;
  bn_divmod(x: number, y: number, len: number, q: number, r: number): void;
  bn_gcd(u: number, v: number, len: number, out: number): void;
  bn_shr(x: number, len: number, s: number, out: number): void;
  bn_miller_rabin(w: number, len: number, rounds: number): number;
  bn_trial_division(w: number, len: number, out: number): number;
  bn_small_prime_count(): number;
}

/** Flags for begin(): which public tables the call needs. */
export const FLAG_RSA = 1;

/** The largest request crypto.getRandomValues accepts. */
const MAX_RANDOM_REQUEST = 65536;

export class Core {
  readonly variant: CoreVariant;
  readonly exports: CoreExports;
  private busy = false;

  constructor(module: WebAssembly.Module, variant: CoreVariant) {
    this.variant = variant;
    let memory: WebAssembly.Memory | undefined;
    const imports = {
      env: {
        // A throw here unwinds through the module (no trap, no status): key generation stops
        // at the request it could not fill, and run() wipes scratch memory.
        fillRandom: (ptr: number, len: number): void => {
          try {
            if (!memory) throw new Error('core memory is not ready');
            fillRandom(new Uint8Array(memory.buffer, ptr, len));
          } catch (err) {
            const why = (err instanceof Error ? err.message : String(err)).replace(/^wasm-kms: /, '');
            throw new CoreError('ENTROPY_FAILURE', `the random source failed: ${why}`, { cause: err });
          }
        },
      },
    };
    const instance = new WebAssembly.Instance(module, imports);
    this.exports = instance.exports as unknown as CoreExports;
    memory = this.exports.memory;
  }

  /** A view of linear memory (re-created after every call: memory may grow). */
  bytes(ptr: number, len: number): Uint8Array {
    return new Uint8Array(this.exports.memory.buffer, ptr, len);
  }

  /** Copies host bytes into fresh scratch memory and returns the pointer. */
  put(data: Uint8Array): number {
    const ptr = this.exports.alloc(data.length);
    this.bytes(ptr, data.length).set(data);
    return ptr;
  }

  /** Copies bytes out of linear memory. */
  take(ptr: number, len: number): Uint8Array {
    return this.bytes(ptr, len).slice();
  }

  /**
   * Runs one call sequence: begin(flags), fn, and a wipe of all scratch memory whatever
   * happens (a trap or a failed entropy request included). A trap is reported as a
   * CoreError with code INTERNAL_ERROR; fn checks the statuses it gets (checkStatus).
   */
  run<T>(flags: number, fn: (x: CoreExports) => T): T {
    if (this.busy) throw new Error('wasm-kms: the core is not re-entrant');
    this.busy = true;
    try {
      this.exports.begin(flags);
      return fn(this.exports);
    } catch (err) {
      if (err instanceof WebAssembly.RuntimeError) {
        throw new CoreError('INTERNAL_ERROR', `the core trapped (${err.message})`, { cause: err });
      }
      throw err;
    } finally {
      try {
        this.exports.wipe();
      } finally {
        this.busy = false;
      }
    }
  }
}

/**
 * Fills `view` from the runtime's Web Crypto in requests of at most 65,536 bytes; throws if the
 * runtime has no secure random source. The one place the library draws host randomness.
 */
export function fillRandom(view: Uint8Array): void {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (!c || typeof c.getRandomValues !== 'function') {
    throw new Error('wasm-kms: no secure random source (globalThis.crypto.getRandomValues) in this runtime');
  }
  for (let off = 0; off < view.length; off += MAX_RANDOM_REQUEST) {
    const part = view.subarray(off, Math.min(view.length, off + MAX_RANDOM_REQUEST));
    // getRandomValues refuses views on a shared buffer in some runtimes; ours is not shared.
    const filled = c.getRandomValues(part);
    if (filled !== part) throw new Error('wasm-kms: crypto.getRandomValues did not fill the buffer');
  }
}

/** `n` fresh random bytes (see fillRandom). */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  fillRandom(out);
  return out;
}

// A module that uses one SIMD instruction: validate() tells whether the runtime has SIMD.
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00,
  0x0a, 0x0a, 0x01, 0x08, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0xfd, 0x62, 0x0b,
]);

export function simdSupported(): boolean {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Undoes scripts/embed-wasm.mjs's pack(): a u32 little-endian length, then sequences of a token
 * (literal count << 4 | match length - 4; 15 means more length bytes follow), the literals, and
 * a u16 little-endian offset; the last sequence has literals only. The fallback of the decoder
 * module's unpack(); throws on malformed input.
 */
export function unpackBytes(packed: Uint8Array): Uint8Array {
  const bad = (): never => {
    throw new Error('wasm-kms: the embedded core is malformed');
  };
  if (packed.length < 4) bad();
  const n = (packed[0] | (packed[1] << 8) | (packed[2] << 16) | (packed[3] << 24)) >>> 0;
  if (n > 0x40000000) bad();
  const out = new Uint8Array(n);
  let p = 4;
  let o = 0;
  const length = (base: number): number => {
    if (base < 15) return base;
    let v = base;
    for (let b = 255; b === 255; v += b) {
      if (p >= packed.length) bad();
      b = packed[p++];
    }
    return v;
  };
  while (p < packed.length) {
    const token = packed[p++];
    const lits = length(token >>> 4);
    if (lits > packed.length - p || lits > n - o) bad();
    out.set(packed.subarray(p, p + lits), o);
    p += lits;
    o += lits;
    if (p === packed.length) break;
    if (packed.length - p < 2) bad();
    const offset = packed[p] | (packed[p + 1] << 8);
    p += 2;
    const m = length(token & 15) + 4;
    if (offset === 0 || offset > o || m > n - o) bad();
    for (let k = 0; k < m; k++, o++) out[o] = out[o - offset];
  }
  if (o !== n) bad();
  return out;
}

interface DecoderExports {
  memory: WebAssembly.Memory;
  input(): number;
  decode(len: number): number;
  unpack(len: number): number;
  output(): number;
}

/**
 * An embedded build (base64 of the module, or of the packed module) decoded, and unpacked if
 * `packed`, by the small decoder module (assembly/base64.ts): TextEncoder writes the text into
 * its memory natively and the module decodes it in place and unpacks it past it, where
 * JavaScript loops over 100 KB cost milliseconds at startup (they run before any tier-up).
 * Falls back to atob and loops if the runtime lacks TextEncoder.encodeInto or the decoder fails.
 */
export function decodeEmbedded(b64: string, decoder: readonly number[], packed = false): Uint8Array {
  if (typeof TextEncoder === 'function') {
    try {
      const x = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(decoder)), {})
        .exports as unknown as DecoderExports;
      const at = x.input();
      const short = at + b64.length - x.memory.buffer.byteLength;
      if (short > 0) x.memory.grow(Math.ceil(short / 65536));
      const { written } = new TextEncoder().encodeInto(b64, new Uint8Array(x.memory.buffer, at, b64.length));
      const n = written === b64.length ? x.decode(b64.length) : -1;
      if (n >= 0 && !packed) return new Uint8Array(x.memory.buffer, at, n);
      const m = n >= 0 ? x.unpack(n) : -1;
      if (m >= 0) return new Uint8Array(x.memory.buffer, x.output(), m);
    } catch {
      // the loops below
    }
  }
  const bytes = base64ToBytes(b64);
  return packed ? unpackBytes(bytes) : bytes;
}

// This engine's wording (KMS has no such state): what to call, with what.
const NO_EMBEDDED_CORE =
  'wasm-kms: this entry of the package (export condition "workerd" or "edge-light") embeds no ' +
  'WebAssembly; call `await initCore(module)` first, with the module imported from ' +
  "'wasm-kms/core.wasm' (or the .wasm bytes, or a Response)";

/** The embedded bytes of a build (an error that says to call initCore in the edge entry). */
export function embeddedWasm(variant: CoreVariant): Uint8Array {
  if (!embeddedBuilds) throw new Error(NO_EMBEDDED_CORE);
  return decodeEmbedded(embeddedBuilds[variant], embeddedBuilds.decoder, embeddedBuilds.packed[variant]);
}

const cores: Partial<Record<CoreVariant, Core>> = {};
let defaultCore: Core | undefined;

function preferredVariant(): CoreVariant {
  return simdSupported() ? 'simd' : 'scalar';
}

/** A core of the given build, compiled synchronously from the embedded bytes if needed. */
export function loadCore(variant: CoreVariant = preferredVariant()): Core {
  let core = cores[variant];
  if (!core) {
    const bytes = embeddedWasm(variant);
    let module: WebAssembly.Module;
    try {
      module = new WebAssembly.Module(bytes as BufferSource);
    } catch (err) {
      throw new Error(
        'wasm-kms: this runtime does not compile WebAssembly synchronously from bytes; ' +
          'call `await initCore()` (or `initCore(module)` with the imported .wasm) first. Cause: ' +
          (err instanceof Error ? err.message : String(err)),
      );
    }
    core = new Core(module, variant);
    cores[variant] = core;
  }
  return core;
}

/** The core used by generateKeyPair and the KMS operations. */
export function getCore(): Core {
  if (!defaultCore) defaultCore = loadCore();
  return defaultCore;
}

export type CoreSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView | Response | Promise<Response>;

/**
 * Loads the core ahead of use. With no argument it compiles the embedded bytes
 * asynchronously (which a browser's main thread allows; the edge entry has no bytes, so there
 * it throws). With a source, it uses that: a compiled WebAssembly.Module (Cloudflare Workers,
 * Vercel Edge), the .wasm bytes, or a Response.
 * A given module's build (SIMD or scalar) is detected from its contents.
 */
export async function initCore(source?: CoreSource): Promise<void> {
  let module: WebAssembly.Module;
  let variant: CoreVariant;
  if (source === undefined) {
    variant = preferredVariant();
    module = await WebAssembly.compile(embeddedWasm(variant) as BufferSource);
  } else if (source instanceof WebAssembly.Module) {
    module = source;
    variant = 'scalar';
  } else if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    const bytes =
      source instanceof ArrayBuffer
        ? new Uint8Array(source)
        : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    variant = 'scalar';
    module = await WebAssembly.compile(bytes as BufferSource);
  } else {
    const response = await source;
    if (!response.ok) throw new Error(`wasm-kms: fetching the core failed with HTTP ${response.status}`);
    module = await WebAssembly.compile(new Uint8Array(await response.arrayBuffer()) as BufferSource);
    variant = 'scalar';
  }
  if (source !== undefined) variant = moduleUsesSimd(module) ? 'simd' : 'scalar';
  const core = new Core(module, variant);
  cores[variant] = core;
  defaultCore = core;
}

/** Our two builds export the same functions; the SIMD one records it in a custom section. */
function moduleUsesSimd(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.customSections(module, 'wasm-kms.variant').some(
    (s) => new TextDecoder().decode(s) === 'simd',
  );
}
