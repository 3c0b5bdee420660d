// The page's script in the browser test, bundled by esbuild (platform browser) from the built
// main entry. The test calls `wasmKms.run(init)` in the page: the scenario of scenario.mjs,
// after loading the core the way `init` says.
import * as lib from '../../dist/kms/index.js';
import { runAllSpecs } from './scenario.mjs';

globalThis.wasmKms = {
  /**
   * `init`: 'none' uses the library with no init call (the embedded module, compiled
   * synchronously on first use); 'embedded' awaits initCore() first; any other string is the
   * URL of a .wasm file, fetched and handed to initCore as a Response.
   */
  async run(init) {
    if (init === 'embedded') await lib.initCore();
    else if (init !== 'none') await lib.initCore(fetch(init));
    return { simd: lib.simdSupported(), results: await runAllSpecs(lib) };
  },
};
