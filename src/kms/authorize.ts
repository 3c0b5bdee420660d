// Who may do what with a key, decided as AWS decides it (IAM User Guide, "Policy evaluation
// logic"; AWS KMS Developer Guide, "Key policies", "Grants", "Allowing users in other accounts to
// use a KMS key"). The policies are compiled and evaluated by policy.ts; the request's condition
// key values come from condition-keys.ts. For a key, in this order:
//
//   1. an applicable Deny in the key policy, then in the caller's identity policies: explicit deny;
//   2. a key of another account: only the operations AWS lets other accounts perform (CROSS_ACCOUNT);
//   3. the caller's own account: allowed when a key-policy Allow names the caller (its ARN, its
//      role, `*`), or names the account (`arn:aws:iam::A:root`, `A`) and an identity policy allows
//      (the account's root user has every IAM permission and needs none); another account: the
//      key policy must allow the caller or its account, and its identity policy must allow;
//   4. a grant to the caller whose operations include the action, within its constraints;
//   5. otherwise denied: "no resource-based policy allows" when the key policy allowed neither
//      the caller nor its account, else "no identity-based policy allows".
//
// Operations without a key (CreateKey, ListKeys, GenerateRandom, ...) and aliases (CreateAlias on
// the alias) are decided by the identity policies alone (authorizeAccount).
//
// resolveKey (key-resolution.ts) calls authorize for every operation that names a key, right after
// the key is found and before its state is looked at: validate input → resolve key → authorize →
// key state → key usage → DryRun → work.

import { AccessDeniedException } from './exceptions.js';
import type { OperationContext } from './context.js';
import { RequestValues } from './condition-keys.js';
import { constraintsAllow } from './grant-constraints.js';
import { defaultKeyPolicy } from './key-policy.js';
import {
  ALLOW_ACCOUNT,
  ALLOW_DIRECT,
  compilePolicy,
  DENY,
  evaluatePolicy,
  PolicyError,
  type CompiledPolicy,
  type PolicyPrincipal,
} from './policy.js';
import { partitionOf, type KeyRecord } from './store.js';

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
  | 'DeleteAlias'
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

/** The `kms:` actions of the operations that name no key: the identity policies alone decide. */
export type AccountAction =
  | 'CreateKey'
  | 'ListKeys'
  | 'ListAliases'
  | 'GenerateRandom'
  | 'CreateCustomKeyStore'
  | 'DescribeCustomKeyStores'
  | 'UpdateCustomKeyStore'
  | 'DeleteCustomKeyStore'
  | 'ConnectCustomKeyStore'
  | 'DisconnectCustomKeyStore'
  | 'ListRetirableGrants'
  | 'CreateAlias'
  | 'UpdateAlias'
  | 'DeleteAlias'
  | 'TagResource';

/**
 * The operations a principal of another account may perform with a key, when the key policy and
 * its identity policies allow (AWS KMS Developer Guide, "Allowing users in other accounts to use a
 * KMS key"; each operation's "Cross-account use" in the API Reference). Any other action on
 * another account's key is refused whatever the policies say.
 */
export const CROSS_ACCOUNT: ReadonlySet<string> = new Set([
  'CreateGrant',
  'Decrypt',
  'DescribeKey',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateMac',
  'GetKeyRotationStatus',
  'GetPublicKey',
  'ListGrants',
  'ReEncryptFrom',
  'ReEncryptTo',
  'RetireGrant',
  'RevokeGrant',
  'Sign',
  'Verify',
  'VerifyMac',
  'DeriveSharedSecret',
  'Decapsulate',
  'Encapsulate',
]);

/** The caller as authorization sees it: who, in which account, with which identity policies and tags. */
export interface CallerIdentity extends PolicyPrincipal {
  partition: string;
  /** aws:PrincipalType. */
  type: 'Account' | 'User' | 'AssumedRole';
  /** The account's root user: every identity permission is its own. */
  root: boolean;
  /** aws:username (IAM users). */
  userName?: string;
  identityPolicies: readonly CompiledPolicy[];
  /** aws:PrincipalTag/<key>, by lower-case key. */
  tags: ReadonlyMap<string, string>;
}

/** How a caller is configured (KMSClient, the endpoint's credentials). */
export interface CallerInit {
  /** An account root, IAM user, IAM role or role session ARN; default the account's root. */
  principal?: string;
  /** For an IAM role: the session it calls as (default DEFAULT_ROLE_SESSION_NAME). */
  roleSessionName?: string;
  /** IAM identity policy documents attached to the principal (JSON text or objects); not for a root. */
  identityPolicies?: readonly (string | object)[];
  principalTags?: Readonly<Record<string, string>>;
}

/**
 * The caller `init` configures in `account` (whose partition `region` gives). Throws TypeError
 * naming what is wrong: a principal that is not of `account`, an identity policy that is not an
 * IAM policy (the message says which and why), identity policies for a root user, bad tags.
 */
export function callerIdentity(account: string, region: string, init: CallerInit = {}): CallerIdentity {
  const partition = partitionOf(region);
  const root = `arn:${partition}:iam::${account}:root`;
  const principal = init.principal ?? root;
  if (init.roleSessionName !== undefined && !/^arn:[^:]+:iam::\d{12}:role\//.test(principal)) {
    throw new TypeError('roleSessionName is only for a role principal (arn:aws:iam::ACCOUNT:role/NAME)');
  }
  const parsed = parsePrincipal(principal, init.roleSessionName ?? DEFAULT_ROLE_SESSION_NAME);
  if (parsed.account !== account) {
    throw new TypeError(`principal ${principal} is of account ${parsed.account}, not of account ${account}`);
  }
  const isRoot = parsed.callerArn === root || /^arn:[^:]+:iam::\d{12}:root$/.test(parsed.callerArn);
  const session = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(parsed.callerArn);
  let principalArn = parsed.callerArn;
  if (session !== null) {
    // aws:PrincipalArn of a role session is its role's ARN (with the role's path when it was given).
    principalArn = /:role\//.test(principal) ? principal : `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`;
  }
  const policies = init.identityPolicies ?? [];
  if (!Array.isArray(policies)) throw new TypeError('identityPolicies must be a list of IAM policy documents');
  if (isRoot && policies.length > 0) {
    throw new TypeError(
      "identity policies cannot be attached to an account's root user (it holds every permission of its account)",
    );
  }
  const identityPolicies = policies.map((p, i) => {
    const text = typeof p === 'string' ? p : JSON.stringify(p);
    if (typeof text !== 'string') throw new TypeError(`identity policy ${i + 1} is not a JSON document`);
    try {
      return compilePolicy(text, 'identity');
    } catch (err) {
      if (err instanceof PolicyError) throw new TypeError(`identity policy ${i + 1}: ${err.message}`);
      throw err;
    }
  });
  const tags = new Map<string, string>();
  for (const [k, v] of Object.entries(init.principalTags ?? {})) {
    if (typeof v !== 'string' || k === '') throw new TypeError('principalTags must map tag keys to string values');
    tags.set(k.toLowerCase(), v);
  }
  return {
    account,
    arn: parsed.callerArn,
    principalArn,
    partition,
    type: isRoot ? 'Account' : session !== null ? 'AssumedRole' : 'User',
    root: isRoot,
    userName: isRoot || session !== null ? undefined : parsed.callerArn.slice(parsed.callerArn.lastIndexOf('/') + 1),
    identityPolicies,
    tags,
  };
}

const simpleCallers = new Map<string, CallerIdentity>();

/**
 * The context's caller: its `caller`, else the one its account and `principal` (default the root)
 * make, without identity policies (cached).
 */
export function callerOf(ctx: Pick<OperationContext, 'caller' | 'account' | 'region' | 'principal'>): CallerIdentity {
  if (ctx.caller !== undefined) return ctx.caller;
  const id = `${ctx.account}\u0000${ctx.region}\u0000${ctx.principal ?? ''}`;
  let c = simpleCallers.get(id);
  if (c === undefined) {
    // A context's principal is already a caller ARN (a role's is its session): use it as it is.
    c = callerIdentity(ctx.account, ctx.region, { principal: ctx.principal });
    if (simpleCallers.size >= 256) simpleCallers.clear();
    simpleCallers.set(id, c);
  }
  return c;
}

/** The caller's ARN as AccessDenied messages name it: a user, a role session, or its account's root. */
export function callerArn(ctx: Pick<OperationContext, 'caller' | 'account' | 'region' | 'principal'>): string {
  return callerOf(ctx).arn;
}

export interface AuthorizeOptions {
  /**
   * The key came from a ciphertext blob's header, not from a KeyId the caller gave: the message
   * then names "the resource associated with this ciphertext" instead of the key ARN, as AWS
   * words it for Decrypt, and a blob does not tell a stranger which key made it.
   */
  viaCiphertext?: boolean;
  /**
   * The ARN a refusal names instead of the key's: the alias ARN of another account the caller
   * gave, so that a refusal does not tell it which key the alias points to.
   */
  shownAs?: string;
}

const defaultPolicies = new Map<string, CompiledPolicy>();

/** The key's policy, compiled (cached by its text; the default key policy per account). */
function keyPolicyOf(key: KeyRecord): CompiledPolicy | undefined {
  if (key.policy === undefined) {
    const partition = partitionOf(key.region);
    const id = `${partition}:${key.account}`;
    let p = defaultPolicies.get(id);
    if (p === undefined) {
      p = compilePolicy(defaultKeyPolicy(partition, key.account), 'resource');
      if (defaultPolicies.size >= 1024) defaultPolicies.clear();
      defaultPolicies.set(id, p);
    }
    return p;
  }
  try {
    return compilePolicy(key.policy, 'resource');
  } catch {
    // A policy kept before this engine evaluated policies, that it cannot read: it allows nothing.
    return undefined;
  }
}

/** `kms:<action>` in lower case, made once per action. */
const actionNames = new Map<string, string>();
function actionName(action: string): string {
  let n = actionNames.get(action);
  if (n === undefined) {
    n = `kms:${action}`.toLowerCase();
    actionNames.set(action, n);
  }
  return n;
}

/**
 * Throws AccessDeniedException unless the caller may perform `action` on `key` (header). Returns a
 * promise only when a policy reads kms:ResourceAliases (the key's aliases are read from the store
 * first); otherwise it decides synchronously.
 */
export function authorize(
  ctx: OperationContext,
  key: KeyRecord,
  action: KeyAction,
  options: AuthorizeOptions = {},
): void | Promise<void> {
  const caller = callerOf(ctx);
  // The default key policy allows its account's root everything: nothing to evaluate.
  if (caller.root && key.policy === undefined && caller.account === key.account) return;
  const policy = keyPolicyOf(key);
  if (policy !== undefined && readsAliases(policy, caller)) {
    return ctx.store.listAliases(key.account, key.region).then((aliases) => {
      const names = aliases.filter((a) => a.targetKeyId === key.keyId).map((a) => a.aliasName);
      decide(ctx, caller, key, policy, action, options, names);
    });
  }
  decide(ctx, caller, key, policy, action, options, undefined);
}

function readsAliases(policy: CompiledPolicy, caller: CallerIdentity): boolean {
  if (policy.keys.has('kms:resourcealiases')) return true;
  for (const p of caller.identityPolicies) if (p.keys.has('kms:resourcealiases')) return true;
  return false;
}

function decide(
  ctx: OperationContext,
  caller: CallerIdentity,
  key: KeyRecord,
  policy: CompiledPolicy | undefined,
  action: KeyAction,
  options: AuthorizeOptions,
  aliases: readonly string[] | undefined,
): void {
  const act = actionName(action);
  const values = new RequestValues(ctx, caller, action, key, aliases);
  const kp = policy === undefined ? 0 : evaluatePolicy(policy, caller, act, key.arn, values);
  const id = caller.root ? ALLOW_DIRECT : identityBits(caller, act, key.arn, values);
  const resource = options.viaCiphertext ? undefined : (options.shownAs ?? key.arn);
  if ((kp & DENY) !== 0) throw accessDenied(ctx, action, resource, 'resource-deny');
  if ((id & DENY) !== 0) throw accessDenied(ctx, action, resource, 'identity-deny');
  const same = caller.account === key.account;
  if (!same && !CROSS_ACCOUNT.has(action)) throw accessDenied(ctx, action, resource, 'resource');
  const identityAllows = (id & ALLOW_DIRECT) !== 0;
  const keyPolicyAllows = (kp & (ALLOW_DIRECT | ALLOW_ACCOUNT)) !== 0;
  if (
    same
      ? (kp & ALLOW_DIRECT) !== 0 || ((kp & ALLOW_ACCOUNT) !== 0 && identityAllows)
      : keyPolicyAllows && identityAllows
  ) {
    return;
  }
  if (grantAllows(ctx, caller, key, action, identityAllows)) return;
  throw accessDenied(ctx, action, resource, keyPolicyAllows ? 'identity' : 'resource');
}

/** The bits of the caller's identity policies for the request (DENY, ALLOW_DIRECT). */
function identityBits(caller: CallerIdentity, act: string, resource: string, values: RequestValues): number {
  let bits = 0;
  for (const p of caller.identityPolicies) bits |= evaluatePolicy(p, undefined, act, resource, values);
  return bits;
}

/**
 * Whether a grant of the key allows the caller `action`: the caller is its grantee (its ARN, its
 * role's ARN for a role session; a grant to an account's root delegates to that account's
 * identity policies), its operations include the action, and its constraints hold.
 */
function grantAllows(
  ctx: OperationContext,
  caller: CallerIdentity,
  key: KeyRecord,
  action: KeyAction,
  identityAllows: boolean,
): boolean {
  const grants = key.grants;
  if (grants === undefined || grants.length === 0) return false;
  const rootArn = `arn:${caller.partition}:iam::${caller.account}:root`;
  for (const g of grants) {
    if (!g.operations.includes(action)) continue;
    const grantee = g.granteePrincipal;
    const named = grantee === caller.arn || grantee === caller.principalArn;
    const viaAccount = !named && grantee === rootArn && (caller.root || identityAllows);
    if (!named && !viaAccount) continue;
    if (!constraintsAllow(g.constraints, action, ctx.input)) continue;
    // A grantee may create grants allowing some or all of its grant's operations, no others
    // (AWS KMS Developer Guide, "Grants": the parent grant bounds the grants made with it).
    if (action === 'CreateGrant' && !withinOperations(g.operations, ctx.input)) continue;
    return true;
  }
  return false;
}

/** CreateGrant's Operations are all among `allowed`. */
function withinOperations(allowed: readonly string[], input: unknown): boolean {
  const ops = (input as { Operations?: unknown } | undefined)?.Operations;
  return Array.isArray(ops) && ops.every((o) => allowed.includes(o as string));
}

/**
 * Throws AccessDeniedException unless the caller's identity policies allow `action` on `resource`
 * (`*` for an operation without a resource; an alias ARN for the alias operations). An account's
 * root user is allowed everything here.
 */
export function authorizeAccount(ctx: OperationContext, action: AccountAction, resource = '*'): void {
  const caller = callerOf(ctx);
  if (caller.root) return;
  const act = actionName(action);
  const values = new RequestValues(ctx, caller, action, undefined, undefined);
  const id = identityBits(caller, act, resource, values);
  if ((id & DENY) !== 0) throw accessDenied(ctx, action, resource, 'identity-deny');
  if ((id & ALLOW_DIRECT) === 0) throw accessDenied(ctx, action, resource, 'identity');
}

/** Why a request is refused: no Allow, or an explicit Deny, in the key policy or the identity policies. */
export type DenialReason = 'resource' | 'resource-deny' | 'identity' | 'identity-deny';

/**
 * The AccessDeniedException for `action` on `resource` (a key or alias ARN, `*`; undefined for
 * the key of a ciphertext), in the forms of IAM's access-denied messages ("User: ARN is not
 * authorized to perform: ACTION on resource: ARN because no resource-based policy allows the
 * ACTION action", "... with an explicit deny in a resource-based policy", and the
 * identity-based ones). For the key of a ciphertext, the resource-based refusal is AWS's own
 * wording for Decrypt, which does not say which of its reasons applies.
 */
export function accessDenied(
  ctx: Pick<OperationContext, 'caller' | 'account' | 'region' | 'principal'>,
  action: string,
  resource: string | undefined,
  reason: DenialReason = 'resource',
): AccessDeniedException {
  const who = `User: ${callerArn(ctx)} is not authorized to perform: kms:${action}`;
  if (resource === undefined && (reason === 'resource' || reason === 'resource-deny')) {
    return new AccessDeniedException(
      `${who} on the resource associated with this ciphertext because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access`,
    );
  }
  const on = resource === undefined ? 'on the resource associated with this ciphertext' : `on resource: ${resource}`;
  switch (reason) {
    case 'resource':
      return new AccessDeniedException(`${who} ${on} because no resource-based policy allows the kms:${action} action`);
    case 'resource-deny':
      return new AccessDeniedException(`${who} ${on} with an explicit deny in a resource-based policy`);
    case 'identity':
      return new AccessDeniedException(`${who} ${on} because no identity-based policy allows the kms:${action} action`);
    case 'identity-deny':
      return new AccessDeniedException(`${who} ${on} with an explicit deny in an identity-based policy`);
  }
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
