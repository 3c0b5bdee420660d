// Sign (AWS KMS API Reference), and the checks and message preparation Verify shares. Order:
// validate input → resolve key → key state → key usage (SIGN_VERIFY) → signing algorithm of the
// key's spec → message type of the algorithm → digest length → DryRun → sign in the core.
//
// What each algorithm signs:
//   - RSASSA_PSS_* / RSASSA_PKCS1_V1_5_* and ECDSA_SHA_*: the hash the name ends in, of the
//     Message (RAW, hashed here in the core) or the Message itself (DIGEST, its length the hash's);
//   - SM2DSA: RAW is SM3(Z_A ‖ M) with the default distinguishing ID, DIGEST is that e (32 bytes);
//   - ED25519_SHA_512: pure Ed25519 of the Message, RAW only; ED25519_PH_SHA_512: Ed25519ph,
//     DIGEST only, and KMS still applies the SHA-512 prehash of FIPS 186-5 §7.8.1 step 1 to the
//     64-byte Message (it is hashed twice: once by the caller, once here) — the SDK model says so;
//   - ML_DSA_SHAKE_256: ML-DSA of the Message (RAW, empty context) or the 64-byte μ (EXTERNAL_MU).
//
// Messages [AWS-REC]: "<ARN> key usage is <usage> which is not valid for Sign." and "Digest is
// invalid length for algorithm <alg>." "Algorithm <alg> is incompatible with key spec <spec>." is
// KMS's wording for an algorithm a key does not support (as Encrypt answers SYMMETRIC_DEFAULT
// under an RSA key; not in the recordings). The message type ones ("Message type <type> is
// incompatible with ...", "External Mu is invalid length ...") are inferred.

import type { Core } from '../../core/module.js';
import { digest, type HashName } from '../../core/symmetric.js';
import { ecdsaSign, ecdsaVerify } from '../../core/ecdsa.js';
import { rsaSign, rsaVerify } from '../../core/rsa.js';
import { ed25519phSign, ed25519phVerify, ed25519Sign, ed25519Verify } from '../../core/ed25519.js';
import { sm2Sign, sm2Verify } from '../../core/sm2.js';
import { mldsaSign, mldsaVerify } from '../../core/mldsa.js';
import { InvalidKeyUsageException, ValidationException } from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { checkDryRun, checkUsableForCrypto, keyPairOf } from '../key-state.js';
import { keyAlgorithms } from '../key-metadata.js';
import type { MessageType, SigningAlgorithmSpec } from '../schema.js';
import type { KeyRecord } from '../store.js';
import { validateInput } from '../validation.js';

export interface SignInput {
  KeyId: string | undefined;
  Message: Uint8Array | undefined;
  MessageType?: MessageType;
  GrantTokens?: string[];
  SigningAlgorithm: SigningAlgorithmSpec | undefined;
  DryRun?: boolean;
}

export interface SignOutput {
  KeyId?: string;
  Signature?: Uint8Array;
  SigningAlgorithm?: SigningAlgorithmSpec;
}

type RsaHash = 'SHA-256' | 'SHA-384' | 'SHA-512';

/** How an algorithm signs: its family, the hash it names and the message types it takes. */
type Scheme =
  | { family: 'RSA'; padding: 'PKCS1' | 'PSS'; hash: RsaHash }
  | { family: 'ECDSA'; hash: HashName }
  | { family: 'SM2' }
  | { family: 'ED25519' }
  | { family: 'ED25519_PH' }
  | { family: 'ML_DSA' };

const SCHEMES: Readonly<Record<SigningAlgorithmSpec, Scheme>> = {
  RSASSA_PSS_SHA_256: { family: 'RSA', padding: 'PSS', hash: 'SHA-256' },
  RSASSA_PSS_SHA_384: { family: 'RSA', padding: 'PSS', hash: 'SHA-384' },
  RSASSA_PSS_SHA_512: { family: 'RSA', padding: 'PSS', hash: 'SHA-512' },
  RSASSA_PKCS1_V1_5_SHA_256: { family: 'RSA', padding: 'PKCS1', hash: 'SHA-256' },
  RSASSA_PKCS1_V1_5_SHA_384: { family: 'RSA', padding: 'PKCS1', hash: 'SHA-384' },
  RSASSA_PKCS1_V1_5_SHA_512: { family: 'RSA', padding: 'PKCS1', hash: 'SHA-512' },
  ECDSA_SHA_256: { family: 'ECDSA', hash: 'SHA-256' },
  ECDSA_SHA_384: { family: 'ECDSA', hash: 'SHA-384' },
  ECDSA_SHA_512: { family: 'ECDSA', hash: 'SHA-512' },
  SM2DSA: { family: 'SM2' },
  ML_DSA_SHAKE_256: { family: 'ML_DSA' },
  ED25519_SHA_512: { family: 'ED25519' },
  ED25519_PH_SHA_512: { family: 'ED25519_PH' },
};

const HASH_BYTES: Readonly<Record<HashName, number>> = {
  'SHA-1': 20,
  'SHA-224': 28,
  'SHA-256': 32,
  'SHA-384': 48,
  'SHA-512': 64,
};

/** The length a DIGEST message must have for each family that takes one. */
function digestBytes(scheme: Scheme): number {
  switch (scheme.family) {
    case 'RSA':
    case 'ECDSA':
      return HASH_BYTES[scheme.hash];
    case 'SM2':
      return 32; // SM3
    default:
      return 64; // Ed25519ph: a SHA-512 digest
  }
}

/** The Sign/Verify request as checked: the key, its scheme and the message's type. */
export interface SigningRequest {
  key: KeyRecord;
  algorithm: SigningAlgorithmSpec;
  scheme: Scheme;
  messageType: MessageType;
}

/**
 * The checks Sign and Verify share, after validation: resolve → state → usage → algorithm of the
 * key → message type → length. `operation` names the operation in the messages.
 */
export async function checkSigningRequest(
  ctx: OperationContext,
  operation: 'Sign' | 'Verify',
  input: {
    KeyId: string | undefined;
    Message: Uint8Array | undefined;
    MessageType?: string;
    SigningAlgorithm?: string;
  },
): Promise<SigningRequest> {
  const key = await resolveKey(ctx, input.KeyId as string, { action: operation });
  checkUsableForCrypto(key);
  if (key.keyUsage !== 'SIGN_VERIFY') {
    throw new InvalidKeyUsageException(`${key.arn} key usage is ${key.keyUsage} which is not valid for ${operation}.`);
  }
  const algorithm = input.SigningAlgorithm as SigningAlgorithmSpec;
  if (!(keyAlgorithms(key.keySpec, key.keyUsage).SigningAlgorithms ?? []).includes(algorithm)) {
    throw new InvalidKeyUsageException(`Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`);
  }
  const scheme = SCHEMES[algorithm];
  const messageType = (input.MessageType ?? 'RAW') as MessageType;
  const message = input.Message as Uint8Array;
  if (scheme.family === 'ML_DSA') {
    if (messageType === 'DIGEST') {
      throw new ValidationException(`Message type DIGEST is incompatible with key spec ${key.keySpec}.`);
    }
    if (messageType === 'EXTERNAL_MU' && message.length !== 64) {
      throw new ValidationException(`External Mu is invalid length for algorithm ${algorithm}.`);
    }
  } else if (messageType === 'EXTERNAL_MU') {
    throw new ValidationException(`Message type EXTERNAL_MU is incompatible with key spec ${key.keySpec}.`);
  } else if (scheme.family === 'ED25519' && messageType !== 'RAW') {
    throw new ValidationException(`Message type ${messageType} is incompatible with algorithm ${algorithm}.`);
  } else if (scheme.family === 'ED25519_PH' && messageType !== 'DIGEST') {
    throw new ValidationException(`Message type ${messageType} is incompatible with algorithm ${algorithm}.`);
  } else if (messageType === 'DIGEST' && message.length !== digestBytes(scheme)) {
    // [AWS-REC] "Digest is invalid length for algorithm ECDSA_SHA_256."
    throw new ValidationException(`Digest is invalid length for algorithm ${algorithm}.`);
  }
  return { key, algorithm, scheme, messageType };
}

/** The hash the RSA and ECDSA primitives sign: the Message's (RAW) or the Message (DIGEST, the caller's). */
function hashed(core: Core, scheme: { hash: HashName }, messageType: MessageType, message: Uint8Array): Uint8Array {
  return messageType === 'RAW' ? digest(core, scheme.hash, message) : message;
}

/** The signature of `message` under the request's key (its private key is wiped here). */
export function signMessage(core: Core, req: SigningRequest, message: Uint8Array): Uint8Array {
  const pair = keyPairOf(req.key);
  const pkcs8 = pair.privateKey;
  const { scheme, messageType } = req;
  try {
    switch (scheme.family) {
      case 'RSA':
        return rsaSign(core, pkcs8, scheme.padding, scheme.hash, hashed(core, scheme, messageType, message));
      case 'ECDSA':
        return ecdsaSign(core, pkcs8, hashed(core, scheme, messageType, message));
      case 'SM2':
        return sm2Sign(core, pkcs8, message, messageType === 'DIGEST' ? 'DIGEST' : 'RAW');
      case 'ED25519':
        return ed25519Sign(core, pkcs8, message);
      case 'ED25519_PH':
        return ed25519phSign(core, pkcs8, digest(core, 'SHA-512', message));
      case 'ML_DSA':
        return mldsaSign(core, pkcs8, message, messageType === 'EXTERNAL_MU' ? 'EXTERNAL_MU' : 'RAW');
    }
  } finally {
    pkcs8.fill(0);
  }
}

/** Whether `signature` is the request's key's signature of `message` (the private key is wiped, unused). */
export function verifyMessage(core: Core, req: SigningRequest, message: Uint8Array, signature: Uint8Array): boolean {
  const pair = keyPairOf(req.key);
  pair.privateKey.fill(0);
  const spki = pair.publicKey;
  const { scheme, messageType } = req;
  switch (scheme.family) {
    case 'RSA':
      return rsaVerify(core, spki, scheme.padding, scheme.hash, hashed(core, scheme, messageType, message), signature);
    case 'ECDSA':
      return ecdsaVerify(core, spki, hashed(core, scheme, messageType, message), signature);
    case 'SM2':
      return sm2Verify(core, spki, message, messageType === 'DIGEST' ? 'DIGEST' : 'RAW', signature);
    case 'ED25519':
      return ed25519Verify(core, spki, message, signature);
    case 'ED25519_PH':
      return ed25519phVerify(core, spki, digest(core, 'SHA-512', message), signature);
    case 'ML_DSA':
      return mldsaVerify(core, spki, message, messageType === 'EXTERNAL_MU' ? 'EXTERNAL_MU' : 'RAW', signature);
  }
}

export async function sign(ctx: OperationContext, input: SignInput): Promise<SignOutput> {
  validateInput('Sign', input);
  const req = await checkSigningRequest(ctx, 'Sign', input);
  checkDryRun(input.DryRun);
  // The Message is the caller's: it is not wiped here.
  const signature = signMessage(ctx.core(), req, input.Message as Uint8Array);
  return { KeyId: req.key.arn, Signature: signature, SigningAlgorithm: req.algorithm };
}
