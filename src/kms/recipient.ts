// The Recipient member of Decrypt, GenerateDataKey, GenerateDataKeyPair and GenerateRandom: a
// Nitro Enclave's attestation document (AWS KMS Developer Guide, "How AWS Nitro Enclaves uses
// AWS KMS").

export interface RecipientInfo {
  KeyEncryptionAlgorithm?: string;
  AttestationDocument?: Uint8Array;
}
