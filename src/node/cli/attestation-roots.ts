// --attestation-root FILE (repeatable, a global option): the certificates that the attestation
// document of a Recipient must chain to, for serve (every request) and for the commands run in
// this process. A file holds one or more PEM certificates (-----BEGIN CERTIFICATE-----) or one
// DER certificate; every certificate of every file is trusted. Without the option the engine
// trusts AWS's Nitro Enclaves root only. WASM_KMS_ATTESTATION_ROOT (paths separated by commas)
// stands for the option when it is not given, for containers and supervisors. A file that cannot
// be read, holds no certificate, a certificate that does not parse or one that cannot be a root
// (the engine's check: X.509 v3, ecdsa-with-SHA384, P-384, a CA) is a usage error (exit 252)
// naming the file and where it was given, checked before any command runs.

import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parsePemCertificates } from '../../kms/attestation/nitro.js';
import { rootProblem } from '../../kms/recipient.js';
import { UsageError } from './params.js';

/**
 * The DER certificates of the files of --attestation-root (`files`), else of
 * WASM_KMS_ATTESTATION_ROOT, in order; undefined when neither is given (the engine's default).
 */
export function loadAttestationRoots(
  files: readonly string[] | undefined,
  env: NodeJS.ProcessEnv,
): Uint8Array[] | undefined {
  if (files !== undefined && files.length > 0)
    return files.flatMap((file) => certificatesOf(file, 'argument --attestation-root'));
  const variable = env.WASM_KMS_ATTESTATION_ROOT;
  if (!variable) return undefined;
  return variable.split(',').flatMap((file) => certificatesOf(file, 'environment variable WASM_KMS_ATTESTATION_ROOT'));
}

function certificatesOf(file: string, source: string): Uint8Array[] {
  if (file === '') throw new UsageError(`${source}: expected a file path, got ''`);
  const fail = (why: string) => new UsageError(`${source}: ${file}: ${why}`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw fail(`cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let certificates: Uint8Array[];
  if (bytes.includes('-----BEGIN')) {
    if (!bytes.includes('-----BEGIN CERTIFICATE-----'))
      throw fail('no certificate in it (expected PEM -----BEGIN CERTIFICATE----- blocks)');
    try {
      certificates = parsePemCertificates(bytes.toString('latin1'));
    } catch (e) {
      throw fail(`a CERTIFICATE block that cannot be read (${(e as Error).message})`);
    }
  } else if (bytes.length > 0 && bytes[0] === 0x30) {
    certificates = [new Uint8Array(bytes)];
  } else {
    throw fail('no certificate in it (expected PEM -----BEGIN CERTIFICATE----- blocks or one DER certificate)');
  }
  certificates.forEach((der, i) => {
    const which = certificates.length > 1 ? `certificate ${i + 1} of ${certificates.length}` : 'the certificate';
    try {
      new X509Certificate(der);
    } catch {
      throw fail(`${which} is not an X.509 certificate`);
    }
    // What KMSClient and the endpoint require of a root, told here as a usage error naming the file
    // (otherwise the engine's TypeError comes later: exit 255, or serve's failure to listen).
    const problem = rootProblem(der);
    if (problem !== undefined) throw fail(`${which} cannot be a root of attestation documents: ${problem}`);
  });
  return certificates;
}
