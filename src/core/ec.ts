// Elliptic-curve key pairs (P-256, P-384, P-521, secp256k1, SM2) from the WebAssembly core.

import { ecSpki, ecPkcs8, type EcCurve } from '../der/ec.js';
import { Core } from './module.js';
import { checkStatus } from './errors.js';

interface EcExports {
  ec_generate(id: number, outD: number, outPoint: number): number;
  /** Test module only: 1 for a finite point, 0 for the point at infinity. */
  ec_scalar_mult_base(id: number, k: number, outX: number, outY: number): number;
}

export const EC_CURVES: Record<EcCurve, { id: number; bytes: number }> = {
  'P-256': { id: 1, bytes: 32 },
  'P-384': { id: 2, bytes: 48 },
  'P-521': { id: 3, bytes: 66 },
  secp256k1: { id: 4, bytes: 32 },
  SM2: { id: 5, bytes: 32 },
};

/** begin() flag that builds a curve's tables. */
export const ecFlag = (id: number): number => 1 << (id + 1);

/** Raw key material: the private scalar and the uncompressed point. The caller wipes d. */
export function ecKeyMaterial(core: Core, curve: EcCurve): { d: Uint8Array; point: Uint8Array } {
  const { id, bytes } = EC_CURVES[curve];
  return core.run(ecFlag(id), (x) => {
    const outD = x.alloc(bytes);
    const outPoint = x.alloc(1 + 2 * bytes);
    // KEYGEN_FAILED: rejection sampling (FIPS 186-5 A.2.2) found no d in range in 256 draws.
    checkStatus(
      (x as unknown as EcExports).ec_generate(id, outD, outPoint),
      'ec_generate',
      `${curve} key generation failed: the random source produced no private key in range (is crypto.getRandomValues working?)`,
    );
    return { d: core.take(outD, bytes), point: core.take(outPoint, 1 + 2 * bytes) };
  });
}

export function generateEc(core: Core, curve: EcCurve): { publicKey: Uint8Array; privateKey: Uint8Array } {
  const { d, point } = ecKeyMaterial(core, curve);
  try {
    return { publicKey: ecSpki(curve, point), privateKey: ecPkcs8(curve, d, point) };
  } finally {
    d.fill(0);
  }
}

/**
 * Test module only: [k]G as an uncompressed point for a big-endian scalar of field length
 * (tests and known-answer checks), or undefined for the point at infinity.
 */
export function ecScalarMultBase(core: Core, curve: EcCurve, k: Uint8Array): Uint8Array | undefined {
  const { id, bytes } = EC_CURVES[curve];
  if (k.length !== bytes) throw new RangeError(`${curve} scalars are ${bytes} bytes`);
  // P-521's 66 bytes hold 528 bits; the core takes scalars below 2^521.
  if (curve === 'P-521' && k[0]! > 1) throw new RangeError('P-521 scalars are below 2^521');
  return core.run(ecFlag(id), (x) => {
    const kp = core.put(k);
    const outX = x.alloc(bytes);
    const outY = x.alloc(bytes);
    const finite = (x as unknown as EcExports).ec_scalar_mult_base(id, kp, outX, outY);
    if (!finite) return undefined;
    const out = new Uint8Array(1 + 2 * bytes);
    out[0] = 4;
    out.set(core.take(outX, bytes), 1);
    out.set(core.take(outY, bytes), 1 + bytes);
    return out;
  });
}
