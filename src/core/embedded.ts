// The two builds of the core, embedded in base64 (the scalar one packed) so that the library loads its
// WebAssembly with no fs and no fetch. The package's edge entry (export conditions "workerd" and
// "edge-light") is built with embedded-none.ts in this module's place.

import { wasmBase64 as simd, packed as simdPacked } from './generated/wasm-simd.js';
import { wasmBase64 as scalar, packed as scalarPacked } from './generated/wasm-scalar.js';
import { decoderBytes as decoder } from './generated/wasm-base64.js';

export interface EmbeddedBuilds {
  /** The base64 of each build, the scalar one packed first (scripts/embed-wasm.mjs, pack()). */
  simd: string;
  scalar: string;
  /** Which builds are packed. */
  packed: { simd: boolean; scalar: boolean };
  /** A small module that decodes base64 and unpacks (assembly/base64.ts), used on the builds. */
  decoder: readonly number[];
}

/** The embedded builds, or null in a build of the library that carries none. */
export const embeddedBuilds: EmbeddedBuilds | null = {
  simd,
  scalar,
  packed: { simd: simdPacked, scalar: scalarPacked },
  decoder,
};
