// Entry of the test module (asconfig targets test-simd and test-scalar, build/wasm-kms.test.*.wasm):
// the shipped ABI of index.ts plus the entry points only the tests and the modexp benchmark
// call. Never shipped or embedded; test/helpers/test-core.ts loads it.

export * from './index';
export * from './exports/bignum';
export * from './exports/testing';
export * from './exports/kwp-testing';
export * from './mldsa/test-exports';
export * from './exports/testing-hash-kem';
export * from './exports/rsa-testing';
export * from './exports/ec-testing';
export * from './ec/verify-testing';
export * from './exports/sm2-testing';
export * from './edwards/testing';
export * from './exports/field-testing';
