// The Recipient member of Decrypt, DeriveSharedSecret, GenerateDataKey, GenerateDataKeyPair and
// GenerateRandom (AWS KMS Developer Guide, "How to make attested calls to AWS KMS"): an AWS Nitro
// Enclaves attestation document and the key encryption algorithm for the public key inside it.
// With it, the secret of the response leaves only as CiphertextForRecipient, a CMS EnvelopedData
// for the attested key (attestation/cms.ts), and the plaintext member is absent.
//
// The document is verified once per request (attestation/nitro.ts) at the engine's clock,
// against the context's attestationRoots (default AWS's Nitro Enclaves root), and the verified
// attestation is what the condition keys kms:RecipientAttestation:ImageSha384 and
// kms:RecipientAttestation:PCR<n> read. KMS's wording for a document it refuses is not recorded:
// every refusal here is ValidationException with a message of ours that names the problem.

import { AWS_NITRO_ENCLAVES_ROOT_G1 } from './attestation/aws-nitro-root.js';
import { envelopeForRecipient, recipientKeyCheck, RecipientKeyError } from './attestation/cms.js';
import { CertificateError, hasKeyUsage, KEY_USAGE_BIT, parseCertificate } from './attestation/x509.js';
import {
  AttestationError,
  parsePemCertificates,
  verifyNitroAttestation,
  type AttestationFailure,
  type NitroAttestation,
} from './attestation/nitro.js';
import { nowOf, type OperationContext } from './context.js';
import { toHex } from './store.js';
import { ValidationException } from './exceptions.js';

export interface RecipientInfo {
  KeyEncryptionAlgorithm?: string;
  AttestationDocument?: Uint8Array;
}

/** The operations whose input has a Recipient member (the SDK model's). */
export type RecipientOperation =
  'Decrypt' | 'DeriveSharedSecret' | 'GenerateDataKey' | 'GenerateDataKeyPair' | 'GenerateRandom';

const RECIPIENT_OPERATIONS: ReadonlySet<string> = new Set<RecipientOperation>([
  'Decrypt',
  'DeriveSharedSecret',
  'GenerateDataKey',
  'GenerateDataKeyPair',
  'GenerateRandom',
]);

/** The roots an attestation document must chain to when the caller configured none. */
const DEFAULT_ROOTS: readonly Uint8Array[] = Object.freeze([AWS_NITRO_ENCLAVES_ROOT_G1]);

/** Why `der` cannot be a trusted root of attestation documents, or undefined when it can. */
export function rootProblem(der: Uint8Array): string | undefined {
  let cert;
  try {
    cert = parseCertificate(der);
  } catch (err) {
    if (err instanceof CertificateError) return err.message;
    throw err;
  }
  if (!cert.ca || !cert.basicConstraintsCritical || !hasKeyUsage(cert, KEY_USAGE_BIT.keyCertSign)) {
    return 'it is not a CA certificate (critical basicConstraints cA, keyUsage keyCertSign)';
  }
  return undefined;
}

/**
 * Trusted roots of attestation documents as configured (KMSClient's and the endpoint's
 * `attestationRoots`, named `name` in errors): a non-empty list of DER certificates, or with `pem`
 * also PEM text (each of its CERTIFICATE blocks). Each certificate is parsed as the verifier
 * parses the certificates of a document (X.509 v3 DER, ecdsa-with-SHA384, a P-384 key) and must be
 * a CA, so that a root that could never match is refused at once instead of every document being
 * refused as untrusted. Returns copies; TypeError naming the entry and the reason otherwise.
 */
export function trustedRoots(roots: unknown, name: string, options: { pem: boolean }): readonly Uint8Array[] {
  const kinds = options.pem ? 'DER bytes or PEM text' : 'DER bytes';
  if (!Array.isArray(roots) || roots.length === 0) {
    throw new TypeError(`${name} must list at least one certificate: ${kinds}`);
  }
  const out: Uint8Array[] = [];
  (roots as unknown[]).forEach((root, i) => {
    let ders: Uint8Array[];
    if (options.pem && typeof root === 'string') {
      try {
        ders = parsePemCertificates(root);
      } catch (err) {
        throw new TypeError(`${name}[${i}] is PEM text without a usable certificate: ${(err as Error).message}`);
      }
    } else if (root instanceof Uint8Array) {
      ders = [Uint8Array.from(root)];
    } else {
      throw new TypeError(
        `${name}[${i}] is not ${options.pem ? 'DER bytes (a Uint8Array) or PEM text' : 'DER bytes (a Uint8Array)'}`,
      );
    }
    ders.forEach((der, k) => {
      const problem = rootProblem(der);
      if (problem !== undefined) {
        const which =
          typeof root === 'string' ? `${name}[${i}] (certificate ${k + 1} of the PEM text)` : `${name}[${i}]`;
        throw new TypeError(`${which} cannot be a root of attestation documents: ${problem}`);
      }
      out.push(der);
    });
  });
  return Object.freeze(out);
}

/** Where a request's secret goes: the RSA key of a verified attestation document. */
export interface AttestedRecipient {
  /** The document's public_key: a DER RSA SubjectPublicKeyInfo that passed recipientKeyCheck. */
  readonly publicKey: Uint8Array;
  readonly attestation: NitroAttestation;
}

/** One request's verification: of this document, against these roots. */
interface Verification {
  readonly document: Uint8Array;
  readonly roots: readonly Uint8Array[] | undefined;
  readonly result: NitroAttestation | AttestationError;
}

/**
 * The verification of the request's document, by the request's context: the condition keys read
 * during authorization and the operation's Recipient check share one verification.
 */
const verifications = new WeakMap<OperationContext, Verification>();

/** The attestation of `document` verified for the request of `ctx`, or the reason it does not verify. */
function verification(ctx: OperationContext, document: Uint8Array): NitroAttestation | AttestationError {
  const cached = verifications.get(ctx);
  if (cached !== undefined && cached.document === document && cached.roots === ctx.attestationRoots) {
    return cached.result;
  }
  let result: NitroAttestation | AttestationError;
  try {
    result = verifyNitroAttestation(document, {
      roots: ctx.attestationRoots ?? DEFAULT_ROOTS,
      now: nowOf(ctx),
      core: ctx.core,
    });
  } catch (err) {
    if (!(err instanceof AttestationError)) throw err;
    result = err;
  }
  verifications.set(ctx, { document, roots: ctx.attestationRoots, result });
  return result;
}

/** What each refusal of the verifier means, for the caller (messages ours: KMS's are not recorded). */
const FAILURE_TEXT: Readonly<Record<AttestationFailure, string>> = {
  malformed: 'it is not a well-formed AWS Nitro Enclaves attestation document (COSE_Sign1, CBOR)',
  algorithm: 'it is not signed with ES384 (ECDSA P-384 with SHA-384) throughout',
  signature: 'its signature does not verify with the public key of its certificate',
  chain: 'its certificate chain is not valid',
  untrusted: 'its certificate chain does not lead to a trusted root',
  expired: 'a certificate of its chain is not valid at the time of the request or of the document',
};

/** The ValidationException for a document the verifier refused; the verifier's message names the field, never bytes. */
export function attestationRefusal(err: AttestationError): ValidationException {
  const prefix = `attestation document ${err.failure}: `;
  const detail = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  return new ValidationException(
    `The attestation document in Recipient is not valid: ${FAILURE_TEXT[err.failure]} (${detail}).`,
  );
}

const NO_PUBLIC_KEY =
  'The attestation document in Recipient has no public_key: there is no key to encrypt the response for.';

/**
 * The ValidationException for a public_key that cannot receive (attestation/cms.ts
 * recipientKeyCheck: not RSA, not 2048 to 4096 bits, an even modulus, an exponent that is even,
 * below 3 or 2^64 or more); the detail names the property, never the key's bytes.
 */
function notRsa(err: RecipientKeyError): ValidationException {
  return new ValidationException(
    'The public_key of the attestation document in Recipient is not an RSA public key of 2048 to 4096 bits ' +
      `(a DER SubjectPublicKeyInfo), as RSAES_OAEP_SHA_256 needs (${err.message}).`,
  );
}

/**
 * The Recipient check, in its place in the operation's order of checks (after the key, its
 * authorization and state; before DryRun and before any secret is made, so a dry run with a
 * document or key that would be refused fails as the call would): undefined without a Recipient;
 * else the verified document's RSA key, checked as envelopeForRecipient checks it
 * (recipientKeyCheck), so that sealing cannot refuse it after the secret exists.
 * KeyEncryptionAlgorithm values other than RSAES_OAEP_SHA_256 were refused by input validation.
 */
export function checkRecipient(
  ctx: OperationContext,
  recipient: RecipientInfo | undefined,
): AttestedRecipient | undefined {
  if (recipient === undefined || recipient === null) return undefined;
  if (recipient.KeyEncryptionAlgorithm === undefined || recipient.KeyEncryptionAlgorithm === null) {
    throw new ValidationException('Recipient must have a KeyEncryptionAlgorithm: RSAES_OAEP_SHA_256.');
  }
  const document = recipient.AttestationDocument;
  if (document === undefined || document === null) {
    throw new ValidationException('Recipient must have an AttestationDocument.');
  }
  const result = verification(ctx, document);
  if (result instanceof AttestationError) throw attestationRefusal(result);
  const publicKey = result.publicKey;
  if (publicKey === undefined) throw new ValidationException(NO_PUBLIC_KEY);
  try {
    recipientKeyCheck(publicKey);
  } catch (err) {
    if (err instanceof RecipientKeyError) throw notRsa(err);
    throw err;
  }
  return { publicKey, attestation: result };
}

/**
 * CiphertextForRecipient: `secret` in a CMS EnvelopedData for the recipient's key. `secret` is
 * wiped here, whether or not the envelope could be made.
 */
export function sealForRecipient(ctx: OperationContext, recipient: AttestedRecipient, secret: Uint8Array): Uint8Array {
  try {
    return envelopeForRecipient(recipient.publicKey, secret, ctx.core);
  } catch (err) {
    if (err instanceof RecipientKeyError) throw notRsa(err);
    throw err;
  } finally {
    secret.fill(0);
  }
}

/**
 * The condition keys kms:RecipientAttestation:ImageSha384 (PCR0) and
 * kms:RecipientAttestation:PCR<0..31> of the request (`name`: the part after
 * `kms:recipientattestation:`, in lower case), as lower-case hex. Absent when the operation takes
 * no Recipient, the request has none, its document does not verify or lacks the PCR: a condition
 * on them then is not met (AWS KMS Developer Guide, "Condition keys for Nitro Enclaves").
 */
export function recipientConditionValue(
  ctx: OperationContext,
  action: string,
  name: string,
): readonly string[] | undefined {
  let index: number;
  if (name === 'imagesha384') index = 0;
  else {
    const m = /^pcr(0|[1-9][0-9]?)$/.exec(name);
    if (m === null) return undefined;
    index = Number(m[1]);
    if (index > 31) return undefined;
  }
  if (!RECIPIENT_OPERATIONS.has(action)) return undefined;
  const input = ctx.input as { Recipient?: RecipientInfo | null } | null | undefined;
  const document = input?.Recipient?.AttestationDocument;
  if (!(document instanceof Uint8Array)) return undefined;
  const result = verification(ctx, document);
  if (result instanceof AttestationError) return undefined;
  const pcr = result.pcrs.get(index);
  if (pcr === undefined) return undefined;
  return [toHex(pcr)];
}
