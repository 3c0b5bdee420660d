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
export {
  EC_PUBLIC_KEY_OID,
  EC_CURVES,
  ecSpki,
  ecPkcs8,
  parseEcSpki,
  parseEcPkcs8,
  type EcCurve,
  type EcCurveInfo,
  type EcPublicValues,
  type EcPrivateValues,
} from './ec.js';
export { ED25519_OID, ed25519Spki, ed25519Pkcs8, parseEd25519Spki, parseEd25519Pkcs8 } from './ed25519.js';
export {
  ML_KEM_OIDS,
  ML_KEM_SEED_BYTES,
  mlkemSpki,
  mlkemPkcs8,
  parseMlKemSpki,
  parseMlKemPkcs8,
  type MlKemRank,
} from './mlkem.js';
