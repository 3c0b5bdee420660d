export { DER_TAG } from './tags.js';
export {
  derLength,
  derTlv,
  derSequence,
  derInteger,
  derIntegerSmall,
  derNull,
  oidContents,
  derOid,
  derOctetString,
  derBitString,
  derContextExplicit,
  derContextPrimitive,
} from './writer.js';
export { DerError, DerReader, readTlv, type DerElement } from './reader.js';
export {
  RSA_ENCRYPTION_OID,
  rsaPublicKeyPkcs1,
  rsaPrivateKeyPkcs1,
  rsaSpki,
  rsaPkcs8,
  parseRsaSpki,
  parseRsaPkcs8,
  type RsaPrivateComponents,
  type RsaPublicValues,
  type RsaPrivateValues,
} from './rsa.js';
