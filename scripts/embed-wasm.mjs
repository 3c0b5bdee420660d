// Writes the compiled modules into src/core/generated/ as base64 TypeScript modules, so the
// library loads its WebAssembly with no fs and no fetch. Run by `npm run build:wasm`.
//
// The scalar build is packed first (pack() below: LZ77 in the byte-aligned token layout of
// LZ4's block format, with a 4-byte length in front), which takes a 200 KB module to about 80 KB
// and its base64 from 270 KB to 106 KB. Every process that loads the library parses the text of
// both builds (a JavaScript engine scans a string literal character by character) but, having
// SIMD, decodes only the SIMD build: the packed scalar text is about 1 ms less to parse at import
// in a fresh Node process, at no cost. The SIMD build stays unpacked: unpacking it (0.75 ms in
// the decoder module, assembly/base64.ts, before any tier-up) cost about what its shorter text
// saved, in fresh-process measurements.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const MIN_MATCH = 4;
const MAX_OFFSET = 0xffff;
const HASH_BITS = 16;
/** How many earlier positions with the same hash are tried per position (a build-time cost). */
const CHAIN_DEPTH = 512;

/**
 * Packs bytes: u32 little-endian length, then sequences of a token byte (high nibble: literal
 * count, low nibble: match length - 4; 15 in either means more length bytes follow, each
 * added, until one below 255), the literals, and a u16 little-endian match offset (1..65535).
 * The last sequence has literals only. Greedy matching with one step of lookahead.
 * @param {Uint8Array} input
 * @returns {Uint8Array}
 */
export function pack(input) {
  const n = input.length;
  const out = [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
  const head = new Int32Array(1 << HASH_BITS).fill(-1);
  const prev = new Int32Array(n).fill(-1);
  const hashAt = (i) =>
    (Math.imul(input[i] | (input[i + 1] << 8) | (input[i + 2] << 16) | (input[i + 3] << 24), 0x9e3779b1) >>>
      (32 - HASH_BITS)) &
    ((1 << HASH_BITS) - 1);
  /** Positions below `chained` are in the hash chains. */
  let chained = 0;
  const chainUpTo = (end) => {
    for (; chained < end; chained++) {
      if (chained + MIN_MATCH > n) continue;
      const h = hashAt(chained);
      prev[chained] = head[h];
      head[h] = chained;
    }
  };
  /** The longest match at i with a chained position: [length, offset], or [0, 0]. */
  const longest = (i) => {
    if (i + MIN_MATCH > n) return [0, 0];
    let best = 0;
    let bestOffset = 0;
    let cand = head[hashAt(i)];
    for (let depth = 0; cand >= 0 && i - cand <= MAX_OFFSET && depth < CHAIN_DEPTH; depth++, cand = prev[cand]) {
      if (input[cand + best] !== input[i + best]) continue;
      let len = 0;
      while (i + len < n && input[cand + len] === input[i + len]) len++;
      if (len > best) {
        best = len;
        bestOffset = i - cand;
      }
    }
    return best >= MIN_MATCH ? [best, bestOffset] : [0, 0];
  };
  const putLength = (extra) => {
    while (extra >= 255) {
      out.push(255);
      extra -= 255;
    }
    out.push(extra);
  };
  const emit = (litStart, litEnd, matchLen, offset) => {
    const lits = litEnd - litStart;
    const m = matchLen ? matchLen - MIN_MATCH : 0;
    out.push((Math.min(lits, 15) << 4) | Math.min(m, 15));
    if (lits >= 15) putLength(lits - 15);
    for (let k = litStart; k < litEnd; k++) out.push(input[k]);
    if (!matchLen) return;
    out.push(offset & 0xff, offset >>> 8);
    if (m >= 15) putLength(m - 15);
  };
  let anchor = 0;
  let i = 0;
  while (i < n) {
    chainUpTo(i);
    let [len, offset] = longest(i);
    if (!len) {
      i++;
      continue;
    }
    // One step of lookahead: a longer match starting at the next byte wins.
    chainUpTo(i + 1);
    const [len2, offset2] = longest(i + 1);
    if (len2 > len + 1) {
      i++;
      len = len2;
      offset = offset2;
    }
    emit(anchor, i, len, offset);
    i += len;
    anchor = i;
  }
  emit(anchor, n, 0, 0);
  return Uint8Array.from(out);
}

/**
 * Reverses pack() (the reference the decoder module is tested against; also checks each build
 * before it is written). Throws on malformed input.
 * @param {Uint8Array} packed
 * @returns {Uint8Array}
 */
export function unpack(packed) {
  if (packed.length < 4) throw new Error('packed: no length');
  const n = (packed[0] | (packed[1] << 8) | (packed[2] << 16) | (packed[3] << 24)) >>> 0;
  const out = new Uint8Array(n);
  let p = 4;
  let o = 0;
  const more = (base) => {
    if (base < 15) return base;
    let v = base;
    for (;;) {
      if (p >= packed.length) throw new Error('packed: truncated length');
      const b = packed[p++];
      v += b;
      if (b < 255) return v;
    }
  };
  while (p < packed.length) {
    const token = packed[p++];
    const lits = more(token >>> 4);
    if (p + lits > packed.length || o + lits > n) throw new Error('packed: literals past the end');
    out.set(packed.subarray(p, p + lits), o);
    p += lits;
    o += lits;
    if (p === packed.length) break;
    if (p + 2 > packed.length) throw new Error('packed: truncated offset');
    const offset = packed[p] | (packed[p + 1] << 8);
    p += 2;
    const len = more(token & 15) + MIN_MATCH;
    if (offset === 0 || offset > o || o + len > n) throw new Error('packed: match out of range');
    for (let k = 0; k < len; k++, o++) out[o] = out[o - offset];
  }
  if (o !== n) throw new Error('packed: length mismatch');
  return out;
}

// A custom section "wasm-kms.variant" records the build, so that initCore(module) can tell
// a SIMD module from a scalar one. Appended once (custom sections may come last).
function withVariantSection(bytes, variant) {
  const name = Buffer.from('wasm-kms.variant');
  const payload = Buffer.from(variant);
  if (bytes.includes(Buffer.concat([name, payload]))) return bytes;
  const body = Buffer.concat([Buffer.from([name.length]), name, payload]);
  return Buffer.concat([bytes, Buffer.from([0, body.length]), body]);
}

function main() {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const outDir = join(root, 'src', 'core', 'generated');
  mkdirSync(outDir, { recursive: true });
  for (const variant of ['simd', 'scalar']) {
    const file = join(root, 'build', `wasm-kms.${variant}.wasm`);
    const bytes = withVariantSection(readFileSync(file), variant);
    writeFileSync(file, bytes);
    const packed = variant === 'scalar';
    let embedded = bytes;
    if (packed) {
      embedded = pack(bytes);
      if (!Buffer.from(unpack(embedded)).equals(bytes))
        throw new Error(`packing the ${variant} build is not reversible`);
    }
    const b64 = Buffer.from(embedded).toString('base64');
    writeFileSync(
      join(outDir, `wasm-${variant}.ts`),
      `// Generated by scripts/embed-wasm.mjs from build/wasm-kms.${variant}.wasm. Do not edit.\n` +
        `// The base64 of the module${packed ? ', packed by pack() in that script' : ''}.\n` +
        `export const wasmBase64: string = '${b64}';\nexport const packed: boolean = ${packed};\n` +
        `export const wasmByteLength: number = ${bytes.length};\n`,
    );
    console.log(
      `embedded ${variant}: ${bytes.length} bytes${packed ? `, packed ${embedded.length}` : ''}, base64 ${b64.length}`,
    );
  }

  // The decoder module (assembly/base64.ts): decodes the base64 and unpacks at load, far faster
  // than JavaScript loops at startup. Small enough to embed as a byte list.
  const decoder = readFileSync(join(root, 'build', 'wasm-kms.base64.wasm'));
  writeFileSync(
    join(outDir, 'wasm-base64.ts'),
    `// Generated by scripts/embed-wasm.mjs from build/wasm-kms.base64.wasm. Do not edit.\n` +
      `export const decoderBytes: readonly number[] = [${Array.from(decoder).join(',')}];\n`,
  );
  console.log(`embedded the base64 decoder: ${decoder.length} bytes`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
