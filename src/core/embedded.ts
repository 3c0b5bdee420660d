// The two builds of the core, embedded as base64 so that the library loads its WebAssembly
// with no fs and no fetch. The package's edge entry (export conditions "workerd" and
// "edge-light") is built with embedded-none.ts in this module's place.

import { wasmBase64 as simd } from './generated/wasm-simd.js';
import { wasmBase64 as scalar } from './generated/wasm-scalar.js';
import { decoderBytes as decoder } from './generated/wasm-base64.js';

export interface EmbeddedBuilds {
  simd: string;
  scalar: string;
  /** A small module that decodes base64 (assembly/base64.ts), used to decode the builds. */
  decoder: readonly number[];
}

/** The base64 of each build, or null in a build of the library that carries none. */
export const embeddedBuilds: EmbeddedBuilds | null = { simd, scalar, decoder };
