// Private keys handed to the core's operations as Node Buffers (what KeyObject.export() returns)
// come back unchanged. The parsers copy the secret out of the DER and the operations wipe that
// copy after use; a Buffer's subarray is a Buffer whose slice() is a view, so without the plain
// Uint8Array view DerReader takes (src/der/reader.ts) the wipe zeroed the caller's own key and
// the next call signed with, or decapsulated under, an all-zero key.

import { describe, it, expect } from 'vitest';
import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { generateKeyPair } from '../src/core/index.js';
import { ecdsaSign, ecdhDerive } from '../src/core/ecdsa.js';
import { sm2Sign, sm2Verify, sm2Encrypt, sm2Decrypt } from '../src/core/sm2.js';
import { generateMlDsa, mldsaSign, mldsaVerify } from '../src/core/mldsa.js';
import { mlkemEncapsulate, mlkemDecapsulate } from '../src/core/mlkem.js';
import { DerReader } from '../src/der/reader.js';
import { loadTestCore } from './helpers/test-core.js';
import { hex } from './helpers/hex.js';

const core = loadTestCore('simd');
const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b);

describe('private keys passed as Node Buffers are left as they were', () => {
  it('DerReader hands out plain Uint8Array views even for a Buffer', () => {
    const der = Buffer.from([0x30, 0x03, 0x04, 0x01, 0x07]);
    const r = new DerReader(der);
    const seq = r.readOnlySequence();
    const inner = seq.readOctetString();
    expect(Buffer.isBuffer(inner)).toBe(false);
    const copy = inner.slice();
    copy.fill(0);
    expect(hex(der)).toBe('3003040107');
  });

  it('ecdsaSign and ecdhDerive (P-256 key exported by node:crypto)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
    const before = hex(pkcs8);
    const peer = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' });
    const message = Buffer.from('wasm-kms');
    const digest = createHash('sha256').update(message).digest();
    const secrets = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const sig = ecdsaSign(core, pkcs8, digest);
      expect(verify('sha256', message, publicKey, sig)).toBe(true);
      secrets.add(hex(ecdhDerive(core, pkcs8, peer)));
    }
    expect(secrets.size).toBe(1);
    expect(hex(pkcs8)).toBe(before);
  });

  it('sm2Sign and sm2Decrypt', () => {
    const pair = generateKeyPair('SM2', () => core);
    const pkcs8 = asBuffer(pair.privateKey);
    const before = hex(pkcs8);
    const message = new TextEncoder().encode('wasm-kms');
    for (let i = 0; i < 2; i++) {
      expect(sm2Verify(core, pair.publicKey, message, 'RAW', sm2Sign(core, pkcs8, message, 'RAW'))).toBe(true);
      expect(hex(sm2Decrypt(core, pkcs8, sm2Encrypt(core, pair.publicKey, message)))).toBe(hex(message));
    }
    expect(hex(pkcs8)).toBe(before);
  });

  it('mldsaSign', () => {
    const pair = generateMlDsa(core, 65);
    const pkcs8 = asBuffer(pair.privateKey);
    const before = hex(pkcs8);
    const message = new TextEncoder().encode('wasm-kms');
    for (let i = 0; i < 2; i++) {
      expect(mldsaVerify(core, pair.publicKey, message, 'RAW', mldsaSign(core, pkcs8, message, 'RAW'))).toBe(true);
    }
    expect(hex(pkcs8)).toBe(before);
  });

  it('mlkemDecapsulate', () => {
    const pair = generateKeyPair('ML_KEM_768', () => core);
    const pkcs8 = asBuffer(pair.privateKey);
    const before = hex(pkcs8);
    for (let i = 0; i < 2; i++) {
      const { ciphertext, sharedSecret } = mlkemEncapsulate(core, pair.publicKey);
      expect(hex(mlkemDecapsulate(core, pkcs8, ciphertext))).toBe(hex(sharedSecret));
    }
    expect(hex(pkcs8)).toBe(before);
  });
});
