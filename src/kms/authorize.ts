// Who may do what with a key. Every key here carries AWS's default key policy (AWS KMS Developer
// Guide, "Default key policy"): one statement that allows `kms:*` to the principal
// `arn:<partition>:iam::<the key's account>:root`. That statement lets the key's own account
// decide through its IAM policies; this engine has no IAM policies and lets every principal of
// the account through, as an account whose users hold `kms:*` would. No other account is named,
// so every other account gets AccessDeniedException for every action on the key.
//
// The one place that decides is `authorize(ctx, key, action)`; resolveKey (key-resolution.ts) calls it for
// every operation that names a key, right after the key is found and before its state is looked
// at: validate input → resolve key → authorize → key state → key usage → DryRun → work. A key
// policy evaluator slots in here later without any operation changing.

import { AccessDeniedException } from './exceptions.js';
import { partitionOf } from './store.js';

/**
 * The `kms:` action of each operation that names a key. ReEncrypt is two actions, as in AWS:
 * ReEncryptFrom on the source key, ReEncryptTo on the destination key.
 */
export type KeyAction =
  | 'CancelKeyDeletion'
  | 'CreateAlias'
  | 'CreateGrant'
  | 'ListGrants'
  | 'ListRetirableGrants'
  | 'RetireGrant'
  | 'RevokeGrant'
  | 'Decapsulate'
  | 'Decrypt'
  | 'DeriveSharedSecret'
  | 'DescribeKey'
  | 'DisableKey'
  | 'DisableKeyRotation'
  | 'EnableKey'
  | 'EnableKeyRotation'
  | 'Encapsulate'
  | 'Encrypt'
  | 'GenerateDataKey'
  | 'GenerateDataKeyPair'
  | 'GenerateDataKeyPairWithoutPlaintext'
  | 'GenerateDataKeyWithoutPlaintext'
  | 'GenerateMac'
  | 'GetKeyRotationStatus'
  | 'GetPublicKey'
  | 'GetParametersForImport'
  | 'ImportKeyMaterial'
  | 'DeleteImportedKeyMaterial'
  | 'ListAliases'
  | 'ReEncryptFrom'
  | 'ReEncryptTo'
  | 'ReplicateKey'
  | 'RotateKeyOnDemand'
  | 'ScheduleKeyDeletion'
  | 'VerifyMac'
  | 'Sign'
  | 'UpdateAlias'
  | 'UpdatePrimaryRegion'
  | 'Verify'
  | 'TagResource'
  | 'UntagResource'
  | 'ListResourceTags'
  | 'GetKeyPolicy'
  | 'PutKeyPolicy'
  | 'ListKeyPolicies'
  | 'UpdateKeyDescription'
  | 'ListKeyRotations'
  | 'GetKeyLastUsage';

/** Who is calling: the account, and the principal as AWS names it in AccessDenied messages. */
export interface Caller {
  account: string;
  region: string;
  /** The caller's ARN; default the account's root (`arn:<partition>:iam::<account>:root`). */
  principal?: string;
}

/** What a decision needs to know about the key. */
export interface KeyResource {
  account: string;
  arn: string;
}

export interface AuthorizeOptions {
  /**
   * The key came from a ciphertext blob's header, not from a KeyId the caller gave: the message
   * then names "the resource associated with this ciphertext" instead of the key ARN, as AWS
   * words it for Decrypt, and a blob does not tell a stranger which key made it.
   */
  viaCiphertext?: boolean;
}

/** The caller's ARN: the principal it was given, or its account's root. */
export function callerArn(caller: Caller): string {
  return caller.principal ?? `arn:${partitionOf(caller.region)}:iam::${caller.account}:root`;
}

/**
 * Throws AccessDeniedException unless the caller may perform `action` on `key`. Today that is
 * the default key policy: the key's own account may do everything, every other account nothing.
 */
export function authorize(caller: Caller, key: KeyResource, action: KeyAction, options: AuthorizeOptions = {}): void {
  if (key.account === caller.account) return;
  throw accessDenied(caller, action, options.viaCiphertext ? undefined : key.arn);
}

/**
 * The AccessDeniedException for `action` on `resource` (a key or alias ARN; undefined for the
 * key of a ciphertext). AWS's KMS message is unrecorded in this project's references; the
 * wording is the IAM User Guide's documented form of access-denied messages for a missing
 * resource-based policy ("User: <ARN> is not authorized to perform: <action> on resource:
 * <ARN> because no resource-based policy allows the <action> action"), with AWS's "on the
 * resource associated with this ciphertext" for a key found through a ciphertext.
 */
export function accessDenied(caller: Caller, action: KeyAction, resource: string | undefined): AccessDeniedException {
  const on = resource === undefined ? 'on the resource associated with this ciphertext' : `on resource: ${resource}`;
  return new AccessDeniedException(
    `User: ${callerArn(caller)} is not authorized to perform: kms:${action} ${on} because no resource-based policy allows the kms:${action} action`,
  );
}

// ---------------------------------------------------------------------------------------------
// Principals

const PRINCIPAL = /^arn:(aws[a-z-]*):(iam|sts)::(\d{12}):(.+)$/;
// IAM names and role session names: letters, digits and +=,.@_- (IAM User Guide, IAM quotas).
const NAME = /^[\w+=,.@-]{1,64}$/;
const PATH = /^(?:\/[\x21-\x7e]+)*\/$/;

/** The session name a role calls with when none is given. */
export const DEFAULT_ROLE_SESSION_NAME = 'wasm-kms';

/** A principal ARN read and turned into the caller ARN AWS would show. */
export interface ParsedPrincipal {
  account: string;
  /** The caller's ARN: a role becomes its session, `arn:<p>:sts::<account>:assumed-role/<role>/<session>`. */
  callerArn: string;
}

/**
 * Reads the ARN of an account root (`arn:aws:iam::<account>:root`), an IAM user
 * (`arn:aws:iam::<account>:user/<path/>NAME`), an IAM role (`arn:aws:iam::<account>:role/<path/>NAME`)
 * or a role session (`arn:aws:sts::<account>:assumed-role/NAME/SESSION`). A role acts through a
 * session, as in AWS, so its caller ARN is the assumed-role form with `sessionName`; the path of
 * a user or role stays in its IAM ARN and is not part of the session ARN (as in AWS).
 * Throws a TypeError naming what is wrong.
 */
export function parsePrincipal(arn: string, sessionName: string): ParsedPrincipal {
  const m = typeof arn === 'string' ? PRINCIPAL.exec(arn) : null;
  if (m === null) {
    throw new TypeError(
      'principal must be an IAM ARN: arn:aws:iam::ACCOUNT:root, arn:aws:iam::ACCOUNT:user/NAME, arn:aws:iam::ACCOUNT:role/NAME or arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION',
    );
  }
  const [, partition, service, account, resource] = m;
  if (service === 'iam' && resource === 'root') return { account, callerArn: arn };
  const slash = resource.indexOf('/');
  const type = slash < 0 ? resource : resource.slice(0, slash);
  const rest = resource.slice(slash + 1);
  if (service === 'sts' && type === 'assumed-role') {
    const parts = rest.split('/');
    if (parts.length === 2 && NAME.test(parts[0]) && /^[\w+=,.@-]{2,64}$/.test(parts[1]))
      return { account, callerArn: arn };
    throw new TypeError(
      `principal ${arn}: an assumed-role ARN is arn:${partition}:sts::${account}:assumed-role/ROLE/SESSION`,
    );
  }
  if (service === 'iam' && (type === 'user' || type === 'role')) {
    const cut = rest.lastIndexOf('/');
    const path = cut < 0 ? '/' : `/${rest.slice(0, cut + 1)}`;
    const name = rest.slice(cut + 1);
    if (!NAME.test(name) || !PATH.test(path))
      throw new TypeError(`principal ${arn}: the ${type} name must be 1 to 64 of letters, digits and +=,.@_-`);
    if (type === 'user') return { account, callerArn: arn };
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName))
      throw new TypeError(`principal ${arn}: the role session name must be 2 to 64 of letters, digits and +=,.@_-`);
    return { account, callerArn: `arn:${partition}:sts::${account}:assumed-role/${name}/${sessionName}` };
  }
  throw new TypeError(
    `principal ${arn}: only an account root, an IAM user, an IAM role or an assumed-role session can call KMS here`,
  );
}
