// ML-DSA parameter sets (FIPS 204 Table 1) and the sizes that follow from them (Table 2).
//
// The core has no managed allocation, so the parameters of the call in progress live in
// globals that setParams() fills; every function of assembly/mldsa/ reads them. They are
// public values (the parameter set is part of the key's algorithm identifier).

export const Q: i32 = 8380417;
export const N: i32 = 256;
/** Dropped bits of t (FIPS 204 Table 1). */
export const D: i32 = 13;
/** One polynomial: 256 i32 coefficients. */
export const POLY_BYTES: usize = 1024;
export const SEED_BYTES: usize = 32;
export const TR_BYTES: usize = 64;
export const MU_BYTES: usize = 64;
export const RND_BYTES: usize = 32;

/** Rows of A (k) and columns (ℓ). */
export let K: i32 = 0;
export let L: i32 = 0;
export let ETA: i32 = 0;
/** Number of ±1 coefficients of the challenge c. */
export let TAU: i32 = 0;
export let BETA: i32 = 0;
export let GAMMA1: i32 = 0;
export let GAMMA2: i32 = 0;
export let OMEGA: i32 = 0;
/** Bytes of the commitment hash c̃: λ/4. */
export let CTILDE_BYTES: i32 = 0;
/** Bits per coefficient of z (1 + bitlen(γ1 − 1)), of s1/s2 (bitlen(2η)) and of w1 (bitlen((q − 1)/(2γ2) − 1)). */
export let Z_BITS: i32 = 0;
export let ETA_BITS: i32 = 0;
export let W1_BITS: i32 = 0;

/** Sets the globals for ML-DSA-44, -65 or -87; false for any other level. */
export function setParams(level: i32): bool {
  if (level == 44) {
    K = 4;
    L = 4;
    ETA = 2;
    TAU = 39;
    GAMMA1 = 1 << 17;
    GAMMA2 = (Q - 1) / 88;
    OMEGA = 80;
    CTILDE_BYTES = 32;
  } else if (level == 65) {
    K = 6;
    L = 5;
    ETA = 4;
    TAU = 49;
    GAMMA1 = 1 << 19;
    GAMMA2 = (Q - 1) / 32;
    OMEGA = 55;
    CTILDE_BYTES = 48;
  } else if (level == 87) {
    K = 8;
    L = 7;
    ETA = 2;
    TAU = 60;
    GAMMA1 = 1 << 19;
    GAMMA2 = (Q - 1) / 32;
    OMEGA = 75;
    CTILDE_BYTES = 64;
  } else {
    return false;
  }
  BETA = TAU * ETA;
  Z_BITS = GAMMA1 == 1 << 17 ? 18 : 20;
  ETA_BITS = ETA == 2 ? 3 : 4;
  W1_BITS = GAMMA2 == (Q - 1) / 88 ? 6 : 4;
  return true;
}

/** pk: ρ ‖ t1 at 10 bits per coefficient (FIPS 204 Alg. 22). */
export function pkBytes(): i32 {
  return 32 + 320 * K;
}

/** sk: ρ ‖ K ‖ tr ‖ s1 ‖ s2 ‖ t0 (Alg. 24). */
export function skBytes(): i32 {
  return 32 + 32 + 64 + 32 * ETA_BITS * (K + L) + 416 * K;
}

/** σ: c̃ ‖ z ‖ h (Alg. 26). */
export function sigBytes(): i32 {
  return CTILDE_BYTES + 32 * Z_BITS * L + OMEGA + K;
}
