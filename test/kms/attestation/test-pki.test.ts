// The test PKI and documents of test/helpers/nitro.ts, checked by independent code (node:crypto's
// X509Certificate and the openssl CLI), and compared in shape with AWS's real documents: what the
// verifier tests build on must itself be right.
import { X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { certificatesPem, makeAttestationDocument, makeLeaf, makeTestPki } from '../../helpers/nitro.js';
import { readVector } from '../../helpers/vectors.js';
import { hex } from '../../helpers/hex.js';

const pki = makeTestPki();

describe('test PKI (test/helpers/nitro.ts)', () => {
  it('chains root -> intermediate -> issuer -> leaf by node:crypto X509Certificate', () => {
    const [root, inter, issuer] = pki.cabundle.map((d) => new X509Certificate(Buffer.from(d)));
    const leaf = new X509Certificate(Buffer.from(makeLeaf(pki, Date.now()).der));
    expect(root.verify(root.publicKey)).toBe(true);
    expect(inter.verify(root.publicKey) && inter.checkIssued(root)).toBe(true);
    expect(issuer.verify(inter.publicKey) && issuer.checkIssued(inter)).toBe(true);
    expect(leaf.verify(issuer.publicKey) && leaf.checkIssued(issuer)).toBe(true);
    expect(leaf.verify(inter.publicKey)).toBe(false);
    expect([root.ca, inter.ca, issuer.ca, leaf.ca]).toEqual([true, true, true, false]);
  });

  it('is accepted by openssl verify (X.509 v3, P-384, ecdsa-with-SHA384)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-kms-pki-'));
    try {
      writeFileSync(join(dir, 'root.pem'), pki.rootPem);
      writeFileSync(join(dir, 'chain.pem'), certificatesPem(pki.intermediateDer, pki.issuerDer));
      writeFileSync(join(dir, 'leaf.pem'), certificatesPem(makeLeaf(pki, Date.now()).der));
      const out = execFileSync('openssl', ['verify', '-CAfile', 'root.pem', '-untrusted', 'chain.pem', 'leaf.pem'], {
        cwd: dir,
        encoding: 'utf8',
      });
      expect(out.trim()).toBe('leaf.pem: OK');
      const text = execFileSync('openssl', ['x509', '-in', 'leaf.pem', '-noout', '-text'], {
        cwd: dir,
        encoding: 'utf8',
      });
      expect(text).toContain('ecdsa-with-SHA384');
      expect(text).toContain('NIST CURVE: P-384');
      expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes documents of the shape of AWS real ones, with a 96-byte signature', () => {
    const doc = makeAttestationDocument(pki, { timestamp: 1_700_000_000_000 });
    const real = readVector('nitro/capejs-key-attestation-2022-09-28.cose');
    // 84 (array of 4), 44 a1013822 (protected header {1: -35}), a0 (empty unprotected map), then 59 (payload bstr).
    expect(hex(doc.subarray(0, 8))).toBe(hex(real.subarray(0, 8)));
    // The payload map: 9 keys (a9), module_id first.
    const payloadStart = 10;
    expect(hex(doc.subarray(payloadStart, payloadStart + 11))).toBe(
      hex(real.subarray(payloadStart, payloadStart + 11)),
    );
    // The last 99 bytes: 58 60 and the 96-byte r || s.
    expect(hex(doc.subarray(doc.length - 98, doc.length - 96))).toBe('5860');
  });
});
