// The Recipient member of Decrypt, GenerateDataKey, GenerateDataKeyPair and GenerateRandom: a
// Nitro Enclave's attestation document (AWS KMS Developer Guide, "How AWS Nitro Enclaves uses
// AWS KMS"). Attested delivery (CiphertextForRecipient) is not built yet.

import { UnsupportedOperationException } from './exceptions.js';

export interface RecipientInfo {
  KeyEncryptionAlgorithm?: string;
  AttestationDocument?: Uint8Array;
}

/** A request with a Recipient is refused, in its place in the operation's order of checks (message ours). */
export function checkNoRecipient(recipient: RecipientInfo | undefined, operation: string): void {
  if (recipient !== undefined) {
    throw new UnsupportedOperationException(
      `${operation} with Recipient (attested enclave delivery) is not supported by this engine yet.`,
    );
  }
}
