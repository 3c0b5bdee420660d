// RSA key pairs from the WebAssembly core, encoded as DER SPKI and PKCS#8.

import { rsaSpki, rsaPkcs8, type RsaPrivateComponents } from '../der/rsa.js';
import { Core, FLAG_RSA } from './module.js';
import { checkStatus } from './errors.js';

const FIELDS = ['n', 'e', 'd', 'p', 'q', 'dP', 'dQ', 'qInv'] as const;

/** Raw components of a fresh RSA key (big-endian bytes). The caller must wipe them. */
export function rsaComponents(core: Core, nlen: number): RsaPrivateComponents {
  if (!Number.isInteger(nlen) || nlen < 1024 || nlen > 4096 || nlen % 16 !== 0) {
    throw new RangeError(`RSA modulus length must be a multiple of 16 from 1024 to 4096, got ${nlen}`);
  }
  return core.run(FLAG_RSA, (x) => {
    const record = x.alloc(FIELDS.length * 8);
    // KEYGEN_FAILED is FIPS 186-5 A.1.3 step 4.7/5.8: no prime among 5(nlen/2) candidates.
    checkStatus(
      x.rsa_generate(nlen, record),
      'rsa_generate',
      'RSA key generation failed: the random source produced no usable prime (is crypto.getRandomValues working?)',
    );
    const table = new Uint32Array(x.memory.buffer.slice(record, record + FIELDS.length * 8));
    const out = {} as Record<(typeof FIELDS)[number], Uint8Array>;
    FIELDS.forEach((name, i) => {
      out[name] = core.take(table[2 * i]!, table[2 * i + 1]!);
    });
    return out;
  });
}

export function generateRsa(core: Core, nlen: number): { publicKey: Uint8Array; privateKey: Uint8Array } {
  const c = rsaComponents(core, nlen);
  try {
    return { publicKey: rsaSpki(c.n, c.e), privateKey: rsaPkcs8(c) };
  } finally {
    for (const v of Object.values(c)) v.fill(0);
  }
}
