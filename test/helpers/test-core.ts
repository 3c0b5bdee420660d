// The test module (assembly/test-exports.ts, built by `npm run build:wasm:test` into
// build/wasm-kms.test.{simd,scalar}.wasm): the shipped ABI plus the entry points only the
// tests call (bn_*, sha512_digest, aes_sub_bytes, ...). Never shipped or embedded; tests of
// those entry points, and of the primitives below the key generators, load it from here.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Core, type CoreVariant, type TestCoreExports } from '../../src/core/module.js';

const BUILD_DIR = fileURLToPath(new URL('../../build/', import.meta.url));

/** The bytes of the test module of a build. */
export function testWasm(variant: CoreVariant): Uint8Array {
  const path = join(BUILD_DIR, `wasm-kms.test.${variant}.wasm`);
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build:wasm:test`);
  return new Uint8Array(readFileSync(path));
}

const modules: Partial<Record<CoreVariant, WebAssembly.Module>> = {};
const cores: Partial<Record<CoreVariant, Core>> = {};

/** A fresh instance of the test module. */
export function newTestCore(variant: CoreVariant): Core {
  const module = (modules[variant] ??= new WebAssembly.Module(testWasm(variant) as BufferSource));
  return new Core(module, variant);
}

/** One shared instance of the test module per build (as loadCore is for the shipped one). */
export function loadTestCore(variant: CoreVariant = 'simd'): Core {
  return (cores[variant] ??= newTestCore(variant));
}

/** The test module's entry points of a core made by loadTestCore or newTestCore. */
export function testExports(core: Core): TestCoreExports {
  return core.exports as TestCoreExports;
}
