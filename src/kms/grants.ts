// Grants (AWS KMS Developer Guide, "Grants in AWS KMS"): what the five grant operations share.
// A grant lives in its key's record (KeyRecord.grants, records.ts), so it goes when its key is
// deleted, and every store keeps it without code of its own.
//
// Grant ids are 64 lowercase hex (32 random bytes), as AWS's look. A grant token is opaque to
// callers; here it is the base64url of
//
//   version (1 byte) | length of the key ARN (1 byte) | key ARN (UTF-8) | grant id (32 bytes) | nonce (16 bytes) | MAC (32 bytes)
//
// where MAC = HMAC-SHA-256(secret, domain of the version | everything before it), computed by the
// core. Version 2, the one issued: the secret is the key's grantTokenKey, 32 random bytes kept once
// in the key record (a secret: stores seal it like key material) and made by the key's first
// CreateGrant. Version 1, issued before: the secret is the grant's own tokenKey; such grants keep
// their tokenKey, so their tokens keep verifying until the grant is retired or revoked (they are
// not migrated: a new secret would void the tokens their callers hold), and the same grant fetched
// again by CreateGrant's Name gets a version-2 token. So a token names its key and grant, the engine
// recognises it in any process that reads the same store, a token cannot be made from a key ARN and
// a grant id (both public: ListGrants shows them) without the key's secret, and every token of a
// grant dies with the grant (verification also needs the grant to be in the record). The nonce
// makes each CreateGrant's token unique, as AWS's are, even when Name returns an existing grant;
// all tokens of a grant are interchangeable.
//
// Cost: grants live in their key's record, so every load of a key (Encrypt and Decrypt included)
// decodes and copies all its grants, O(grants) per request on that key, and every grant operation
// rewrites the whole record. With one secret per key a grant costs only its JSON (no unsealing per
// grant): Encrypt on a key with 1,000 grants measured about 2.5 ms on the memory store (its deep
// copy) and about 8 ms on a sealed file store (reading, parsing and decoding some 570 KB), against
// 0.03 and 0.07 ms with none (bench/suites/grants.mjs; a sealed secret per grant made the latter
// about 26 ms). GRANTS_PER_KEY allows 50,000: a key used on a hot path should keep few grants.

import { randomBytes } from '../core/module.js';
import { hmac, hmacVerify } from '../core/symmetric.js';
import type { OperationContext } from './context.js';
import { InvalidGrantIdException, InvalidGrantTokenException, NotFoundException } from './exceptions.js';
import type { GrantConstraintsRecord, GrantRecord } from './records.js';
import { partitionOf, toHex, type KeyRecord } from './store.js';

/** Grants per KMS key (AWS KMS Developer Guide, "Resource quotas": 50,000). */
export const GRANTS_PER_KEY = 50_000;

const GRANT_ID = /^[0-9a-f]{64}$/;

/** A new grant id: 64 lowercase hex. */
export function newGrantId(): string {
  return toHex(randomBytes(32));
}

/**
 * InvalidGrantIdException for a GrantId that is not one this engine issues (64 lowercase hex).
 * The message follows the recorded "Invalid keyId '<value>'"; AWS's text for grant ids is not recorded.
 */
export function checkGrantId(grantId: string): void {
  if (!GRANT_ID.test(grantId)) throw new InvalidGrantIdException(`Invalid grantId '${grantId}'`);
}

/** NotFoundException for a grant the key does not have. The wording is this engine's (AWS's is not recorded). */
export function grantNotFound(grantId: string, keyArn: string): NotFoundException {
  return new NotFoundException(`Grant '${grantId}' does not exist for key '${keyArn}'`);
}

/** The grant's account root ARN as ListGrants shows IssuingAccount. */
export function accountRoot(region: string, account: string): string {
  return `arn:${partitionOf(region)}:iam::${account}:root`;
}

// ---------------------------------------------------------------------------------------------
// Grant tokens

/** Tokens MACed under the grant's own tokenKey (grants made before keys held grantTokenKey): verified only. */
const TOKEN_V1 = 1;
/** Tokens MACed under the key's grantTokenKey: issued. */
const TOKEN_V2 = 2;
const NONCE_BYTES = 16;
const MAC_BYTES = 32;
const SECRET_BYTES = 32;
const TOKEN_DOMAIN: Record<number, Uint8Array> = {
  [TOKEN_V1]: new TextEncoder().encode('wasm-kms grant token v1\0'),
  [TOKEN_V2]: new TextEncoder().encode('wasm-kms grant token v2\0'),
};
const KEY_ARN =
  /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

/** A grant token read: what it names, and what its MAC covers. */
export interface ParsedGrantToken {
  /** 1: MACed under the grant's tokenKey; 2: under the key's grantTokenKey. */
  version: number;
  keyArn: string;
  account: string;
  region: string;
  keyId: string;
  grantId: string;
  /** The bytes the MAC covers (without TOKEN_DOMAIN) and the MAC. */
  signed: Uint8Array;
  mac: Uint8Array;
}

// The message is this engine's (the model's description of the exception); AWS's is not
// recorded. The token is never repeated in it: it is a credential.
const invalidToken = () => new InvalidGrantTokenException('The grant token is not valid.');

function macInput(version: number, signed: Uint8Array): Uint8Array {
  const domain = TOKEN_DOMAIN[version]!;
  const out = new Uint8Array(domain.length + signed.length);
  out.set(domain);
  out.set(signed, domain.length);
  return out;
}

/**
 * The key's grant token secret, made (32 random bytes) when the key has none yet: the caller
 * writes the record back. CreateGrant calls it before it issues a token.
 */
export function grantTokenKeyOf(key: KeyRecord): Uint8Array {
  if (key.grantTokenKey === undefined) key.grantTokenKey = randomBytes(SECRET_BYTES);
  return key.grantTokenKey;
}

/** A new (version 2) token for `grant` of `key`, MACed under the key's grantTokenKey, which must be set. */
export function issueGrantToken(ctx: OperationContext, key: KeyRecord, grant: GrantRecord): string {
  const secret = key.grantTokenKey;
  if (secret === undefined) throw new TypeError('issueGrantToken: the key has no grant token key');
  const arn = new TextEncoder().encode(key.arn);
  if (arn.length > 255) throw new TypeError('issueGrantToken: the key ARN is longer than 255 bytes');
  const signed = new Uint8Array(2 + arn.length + 32 + NONCE_BYTES);
  signed[0] = TOKEN_V2;
  signed[1] = arn.length;
  signed.set(arn, 2);
  signed.set(hexBytes(grant.grantId), 2 + arn.length);
  signed.set(randomBytes(NONCE_BYTES), 2 + arn.length + 32);
  const mac = hmac(ctx.core(), 'SHA-256', secret, macInput(TOKEN_V2, signed));
  const token = new Uint8Array(signed.length + MAC_BYTES);
  token.set(signed);
  token.set(mac, signed.length);
  return toBase64Url(token);
}

/**
 * What a grant token names; InvalidGrantTokenException for anything that is not a token of
 * this engine's form. Says nothing of whether its MAC is right: see grantTokenVerifies.
 */
export function parseGrantToken(token: string): ParsedGrantToken {
  const bytes = fromBase64Url(token);
  if (bytes === undefined || bytes.length < 2 || (bytes[0] !== TOKEN_V1 && bytes[0] !== TOKEN_V2)) throw invalidToken();
  const arnLength = bytes[1]!;
  const signedLength = 2 + arnLength + 32 + NONCE_BYTES;
  if (bytes.length !== signedLength + MAC_BYTES) throw invalidToken();
  let keyArn: string;
  try {
    keyArn = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(2, 2 + arnLength));
  } catch {
    throw invalidToken();
  }
  const m = KEY_ARN.exec(keyArn);
  if (m === null) throw invalidToken();
  return {
    version: bytes[0]!,
    keyArn,
    region: m[1]!,
    account: m[2]!,
    keyId: m[3]!,
    grantId: toHex(bytes.subarray(2 + arnLength, 2 + arnLength + 32)),
    signed: bytes.slice(0, signedLength),
    mac: bytes.slice(signedLength),
  };
}

/**
 * Whether `token` was issued for `grant` of `key`: the token names the key and the grant, and its
 * MAC verifies (in the core, in constant time) under the key's grantTokenKey (version 2) or the
 * grant's own tokenKey (version 1).
 */
export function grantTokenVerifies(
  ctx: OperationContext,
  token: ParsedGrantToken,
  key: KeyRecord,
  grant: GrantRecord,
): boolean {
  if (grant.grantId !== token.grantId || key.arn !== token.keyArn) return false;
  const secret = token.version === TOKEN_V2 ? key.grantTokenKey : grant.tokenKey;
  if (secret === undefined) return false;
  return hmacVerify(ctx.core(), 'SHA-256', secret, macInput(token.version, token.signed), token.mac);
}

/**
 * InvalidGrantTokenException unless every token of an operation's GrantTokens is of this
 * engine's form. A well-formed token of a grant that is gone is not an error: AWS ignores the
 * tokens it does not need.
 */
export function checkGrantTokens(tokens: readonly string[] | undefined): void {
  for (const t of tokens ?? []) parseGrantToken(t);
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let j = 0; j < chars; j++) out += B64URL[(n >>> (18 - 6 * j)) & 63];
  }
  return out;
}

/** base64url without padding, strictly (the unused low bits of the last character zero); undefined otherwise. */
function fromBase64Url(s: string): Uint8Array | undefined {
  if (s.length % 4 === 1 || s.length > 8192) return undefined;
  const out = new Uint8Array(Math.floor((s.length * 6) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const v = B64URL.indexOf(s[i]!);
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Grant operations per key type (AWS KMS Developer Guide, "Grant operations")

const ALWAYS = ['CreateGrant', 'DescribeKey', 'RetireGrant'];

/** The grant operations a key of this type supports: a grant may allow only these. */
export function grantOperationsFor(key: KeyRecord): readonly string[] {
  if (key.keySpec === 'SYMMETRIC_DEFAULT') {
    return [
      ...ALWAYS,
      'Decrypt',
      'Encrypt',
      'GenerateDataKey',
      'GenerateDataKeyWithoutPlaintext',
      'GenerateDataKeyPair',
      'GenerateDataKeyPairWithoutPlaintext',
      'ReEncryptFrom',
      'ReEncryptTo',
    ];
  }
  switch (key.keyUsage) {
    case 'GENERATE_VERIFY_MAC':
      return [...ALWAYS, 'GenerateMac', 'VerifyMac'];
    case 'ENCRYPT_DECRYPT':
      return [...ALWAYS, 'Decrypt', 'Encrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GetPublicKey'];
    case 'SIGN_VERIFY':
      return [...ALWAYS, 'Sign', 'Verify', 'GetPublicKey'];
    case 'KEY_AGREEMENT':
      return [...ALWAYS, 'DeriveSharedSecret', 'GetPublicKey'];
    case 'ENCAPSULATE_DECAPSULATE':
      return [...ALWAYS, 'Encapsulate', 'Decapsulate', 'GetPublicKey'];
    default:
      return ALWAYS;
  }
}

// ---------------------------------------------------------------------------------------------
// Output

/** A GrantListEntry of the API. */
export interface GrantListEntry {
  KeyId?: string;
  GrantId?: string;
  Name?: string;
  CreationDate?: Date;
  GranteePrincipal?: string;
  RetiringPrincipal?: string;
  IssuingAccount?: string;
  Operations?: string[];
  Constraints?: {
    EncryptionContextSubset?: Record<string, string>;
    EncryptionContextEquals?: Record<string, string>;
    SourceArn?: string;
  };
  GranteeServicePrincipal?: string;
  RetiringServicePrincipal?: string;
}

/** The list entry of `grant` of the key `keyArn` (KeyId is the key ARN, as AWS shows it). */
export function grantListEntry(keyArn: string, grant: GrantRecord): GrantListEntry {
  const e: GrantListEntry = {
    KeyId: keyArn,
    GrantId: grant.grantId,
    CreationDate: new Date(grant.creationDate.getTime()),
    GranteePrincipal: grant.granteePrincipal,
    IssuingAccount: grant.issuingAccount,
    Operations: [...grant.operations],
  };
  if (grant.name !== undefined) e.Name = grant.name;
  if (grant.retiringPrincipal !== undefined) e.RetiringPrincipal = grant.retiringPrincipal;
  if (grant.constraints !== undefined) e.Constraints = constraintsOut(grant.constraints);
  if (grant.granteeServicePrincipal !== undefined) e.GranteeServicePrincipal = grant.granteeServicePrincipal;
  if (grant.retiringServicePrincipal !== undefined) e.RetiringServicePrincipal = grant.retiringServicePrincipal;
  return e;
}

function constraintsOut(c: GrantConstraintsRecord): NonNullable<GrantListEntry['Constraints']> {
  const out: NonNullable<GrantListEntry['Constraints']> = {};
  if (c.encryptionContextSubset !== undefined) out.EncryptionContextSubset = { ...c.encryptionContextSubset };
  if (c.encryptionContextEquals !== undefined) out.EncryptionContextEquals = { ...c.encryptionContextEquals };
  if (c.sourceArn !== undefined) out.SourceArn = c.sourceArn;
  return out;
}
