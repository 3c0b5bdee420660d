// Stands in for embedded.ts in the package's edge entry (export conditions "workerd" and
// "edge-light"): no WebAssembly bytes in the JavaScript, so a worker's upload is its .wasm
// module plus small JavaScript. The core then comes only from initCore(module).

import type { EmbeddedBuilds } from './embedded.js';

export const embeddedBuilds: EmbeddedBuilds | null = null;
