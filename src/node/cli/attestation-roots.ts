// --attestation-root FILE (repeatable, a global option): the certificates that the attestation
// document of a Recipient must chain to, for serve (every request) and for the commands run in
// this process. A file holds one or more PEM certificates (-----BEGIN CERTIFICATE-----) or one
// DER certificate; every certificate of every file is trusted. Without the option the engine
// trusts AWS's Nitro Enclaves root only. A file that cannot be read, holds no certificate or a
// certificate that does not parse is a usage error (exit 252) naming the file, checked before
// any command runs.

import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UsageError } from './params.js';

/** A PEM certificate block; its base64 may be wrapped at any width (RFC 7468 §3, lax). */
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]*)-----END CERTIFICATE-----/g;

/** The DER certificates of the files given, in order; undefined when none is given (the engine's default). */
export function loadAttestationRoots(files: readonly string[] | undefined): Uint8Array[] | undefined {
  if (files === undefined || files.length === 0) return undefined;
  return files.flatMap((file) => certificatesOf(file));
}

function certificatesOf(file: string): Uint8Array[] {
  if (file === '') throw new UsageError("argument --attestation-root: expected a file path, got ''");
  const fail = (why: string) => new UsageError(`argument --attestation-root: ${file}: ${why}`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw fail(`cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let certificates: Uint8Array[];
  if (bytes.includes('-----BEGIN')) {
    certificates = [...bytes.toString('latin1').matchAll(PEM_CERTIFICATE)].map(
      (m) => new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')),
    );
    if (certificates.length === 0) throw fail('no certificate in it (expected PEM -----BEGIN CERTIFICATE----- blocks)');
  } else if (bytes.length > 0 && bytes[0] === 0x30) {
    certificates = [new Uint8Array(bytes)];
  } else {
    throw fail('no certificate in it (expected PEM -----BEGIN CERTIFICATE----- blocks or one DER certificate)');
  }
  certificates.forEach((der, i) => {
    try {
      new X509Certificate(der);
    } catch {
      const which = certificates.length > 1 ? `certificate ${i + 1} of ${certificates.length}` : 'the certificate';
      throw fail(`${which} is not an X.509 certificate`);
    }
  });
  return certificates;
}
