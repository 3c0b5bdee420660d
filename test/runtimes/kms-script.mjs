// Run by Deno, Bun (and Node, as the control) straight from the built package: every data key
// pair spec through KMSClient GenerateDataKeyPair → Decrypt; prints one JSON document to stdout.
// Runtime-neutral on purpose: no Node module, no Node global.
import * as lib from '../../dist/kms/index.js';
import { runAllSpecs } from './scenario.mjs';

const results = await runAllSpecs(lib);
console.log(JSON.stringify({ simd: lib.simdSupported(), results }));
