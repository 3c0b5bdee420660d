// The machinery of the authorization decision table (authorization-decisions.test.ts): principals of two
// accounts, policy document builders, a key set up by its account's root (tags, aliases, grants, a ciphertext,
// a replica, a second key) before its key policy is put in place, a caller's KMSClient on the shared store, and
// the exact AccessDeniedException messages a denied row must see.

import { expect } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { caught } from '../../helpers/caught.js';
import {
  AccessDeniedException,
  COMMANDS,
  KMSClient,
  type KMSClientConfig,
  type KeyStore,
  type OperationName,
} from '../../../src/kms/index.js';

export const A = '111122223333';
export const B = '444455556666';
export const REGION = 'us-east-1';

export const root = (account: string) => `arn:aws:iam::${account}:root`;
export const user = (account: string, name: string) => `arn:aws:iam::${account}:user/${name}`;
export const role = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
/** The session ARN a role's caller acts as: the role's path is not part of it. */
export const session = (account: string, roleName: string, sessionName = 'wasm-kms') =>
  `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`;
export const aliasArn = (account: string, name: string) => `arn:aws:kms:${REGION}:${account}:alias/${name}`;
export const keyArnPattern = (account: string, region = REGION) => `arn:aws:kms:${region}:${account}:key/*`;

// ---------------------------------------------------------------------------------------------
// Policy documents

export type Doc = { Version: string; Statement: Statement[] };
export type Statement = Record<string, unknown>;
export type Condition = Record<string, Record<string, unknown>>;
type Principal = '*' | string | string[];

export const doc = (...statements: Statement[]): Doc => ({ Version: '2012-10-17', Statement: statements });

function principalElement(p: Principal): unknown {
  return p === '*' ? '*' : { AWS: p };
}

/** A key policy statement: Effect, Principal, Action, Resource `*` (or the given one), Condition. */
export function kp(
  effect: 'Allow' | 'Deny',
  principal: Principal,
  action: string | string[],
  condition?: Condition,
  more: Statement = {},
): Statement {
  const s: Statement = { Effect: effect, Principal: principalElement(principal), Action: action, Resource: '*' };
  if (condition !== undefined) s.Condition = condition;
  return { ...s, ...more };
}

/** An identity policy statement (no Principal). */
export function ip(
  effect: 'Allow' | 'Deny',
  action: string | string[],
  resource: string | string[] = '*',
  condition?: Condition,
  more: Statement = {},
): Statement {
  const s: Statement = { Effect: effect, Action: action, Resource: resource };
  if (condition !== undefined) s.Condition = condition;
  return { ...s, ...more };
}

// ---------------------------------------------------------------------------------------------
// Keys

export interface GrantSetup {
  grantee: string | ((k: KeyRefs) => string);
  operations: string[];
  retiring?: string;
  constraints?: { EncryptionContextEquals?: Record<string, string>; EncryptionContextSubset?: Record<string, string> };
  /** Retired (by its retiring principal or the key's root) or revoked (by the key's root) before the row runs. */
  then?: 'retire' | 'revoke';
  /** Made on the row's second key instead. */
  onOther?: boolean;
}

export interface KeySetup {
  /** The key's account; default A. */
  owner?: string;
  /** The key policy the row runs under, put in place last (with the lockout check bypassed). */
  policy: Doc | ((k: KeyRefs) => Doc);
  /** Further CreateKey input: KeySpec, KeyUsage, Origin, MultiRegion. */
  create?: Record<string, unknown>;
  tags?: Record<string, string>;
  /** Alias name prefixes: the key gets `alias/<prefix><uid>` for each. */
  aliases?: string[];
  grants?: GrantSetup[];
  /** A ciphertext of the key, made by its root, with this encryption context. */
  ciphertext?: Record<string, string>;
  /** A replica in this Region, made by the root before the key policy is put in place. */
  replicaIn?: string;
  disabled?: boolean;
  /** Scheduled for deletion (7 days) by its root before the key policy is put in place. */
  pendingDeletion?: boolean;
  /** A second key of the same account, with this key policy (default: the default key policy). */
  other?: Doc | ((k: KeyRefs) => Doc) | true;
}

export interface KeyRefs {
  /** Unique per row: for alias names and the like. */
  uid: string;
  arn: string;
  id: string;
  owner: string;
  aliases: string[];
  grants: { id: string; token: string }[];
  blob: Uint8Array;
  otherArn: string;
  otherId: string;
}

let counter = 0;

/** Refs for a row without a key: only the uid means anything. */
export function noKey(): KeyRefs {
  counter += 1;
  return {
    uid: `u${counter}`,
    arn: '',
    id: '',
    owner: A,
    aliases: [],
    grants: [],
    blob: new Uint8Array(),
    otherArn: '',
    otherId: '',
  };
}

async function send(
  client: KMSClient,
  op: OperationName,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  return (await client.send(new COMMANDS[op](input as never))) as unknown as Record<string, unknown>;
}

function policyText(p: Doc | ((k: KeyRefs) => Doc), refs: KeyRefs): string {
  return JSON.stringify(typeof p === 'function' ? p(refs) : p);
}

/** Makes the row's key as its account's root, under the default key policy, then puts the row's policy in place. */
export async function setUpKey(store: KeyStore, setup: KeySetup): Promise<KeyRefs> {
  const refs = noKey();
  const owner = setup.owner ?? A;
  const admin = new KMSClient({ store, accountId: owner, region: REGION });
  const create: Record<string, unknown> = { ...setup.create };
  if (setup.tags !== undefined) {
    create.Tags = Object.entries(setup.tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
  }
  const md = (await send(admin, 'CreateKey', create)).KeyMetadata as { Arn: string; KeyId: string };
  refs.arn = md.Arn;
  refs.id = md.KeyId;
  refs.owner = owner;
  if (setup.other !== undefined) {
    const other = (await send(admin, 'CreateKey', {})).KeyMetadata as { Arn: string; KeyId: string };
    refs.otherArn = other.Arn;
    refs.otherId = other.KeyId;
  }
  for (const prefix of setup.aliases ?? []) {
    const name = `alias/${prefix}${refs.uid}`;
    await send(admin, 'CreateAlias', { AliasName: name, TargetKeyId: refs.id });
    refs.aliases.push(name);
  }
  if (setup.ciphertext !== undefined) {
    const out = await send(admin, 'Encrypt', {
      KeyId: refs.arn,
      Plaintext: new Uint8Array([1, 2, 3]),
      EncryptionContext: setup.ciphertext,
    });
    refs.blob = out.CiphertextBlob as Uint8Array;
  }
  for (const g of setup.grants ?? []) {
    const input: Record<string, unknown> = {
      KeyId: g.onOther === true ? refs.otherArn : refs.arn,
      GranteePrincipal: typeof g.grantee === 'function' ? g.grantee(refs) : g.grantee,
      Operations: g.operations,
    };
    if (g.retiring !== undefined) input.RetiringPrincipal = g.retiring;
    if (g.constraints !== undefined) input.Constraints = g.constraints;
    const out = await send(admin, 'CreateGrant', input);
    const grant = { id: out.GrantId as string, token: out.GrantToken as string };
    if (g.then === 'retire') await send(admin, 'RetireGrant', { KeyId: input.KeyId, GrantId: grant.id });
    if (g.then === 'revoke') await send(admin, 'RevokeGrant', { KeyId: input.KeyId, GrantId: grant.id });
    refs.grants.push(grant);
  }
  if (setup.replicaIn !== undefined)
    await send(admin, 'ReplicateKey', { KeyId: refs.arn, ReplicaRegion: setup.replicaIn });
  if (setup.disabled === true) await send(admin, 'DisableKey', { KeyId: refs.arn });
  if (setup.pendingDeletion === true)
    await send(admin, 'ScheduleKeyDeletion', { KeyId: refs.arn, PendingWindowInDays: 7 });
  await send(admin, 'PutKeyPolicy', {
    KeyId: refs.arn,
    PolicyName: 'default',
    Policy: policyText(setup.policy, refs),
    BypassPolicyLockoutSafetyCheck: true,
  });
  if (setup.other !== undefined && setup.other !== true) {
    await send(admin, 'PutKeyPolicy', {
      KeyId: refs.otherArn,
      PolicyName: 'default',
      Policy: policyText(setup.other, refs),
      BypassPolicyLockoutSafetyCheck: true,
    });
  }
  return refs;
}

// ---------------------------------------------------------------------------------------------
// Callers

export interface Caller {
  /** An IAM user or role ARN, or a role session ARN; default the account's root. */
  principal?: string;
  /** The account when the principal is the root; otherwise the principal's. */
  account?: string;
  roleSessionName?: string;
  identity?: Doc[];
  tags?: Record<string, string>;
  sourceIp?: string;
  secureTransport?: boolean;
  /** The caller's clock, ISO 8601. */
  now?: string;
}

export function accountOf(c: Caller): string {
  if (c.principal === undefined) return c.account ?? A;
  return /^arn:aws:(?:iam|sts)::(\d{12}):/.exec(c.principal)![1];
}

/** The ARN AccessDenied messages name: a role calls as its session. */
export function callerArnOf(c: Caller): string {
  if (c.principal === undefined) return root(accountOf(c));
  const r = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(c.principal);
  if (r !== null) return session(r[1], r[2], c.roleSessionName ?? 'wasm-kms');
  return c.principal;
}

export function clientOf(store: KeyStore, c: Caller): KMSClient {
  const config: Record<string, unknown> = { store, region: REGION, accountId: accountOf(c) };
  if (c.principal !== undefined) config.principal = c.principal;
  if (c.roleSessionName !== undefined) config.roleSessionName = c.roleSessionName;
  if (c.identity !== undefined) config.identityPolicies = c.identity;
  if (c.tags !== undefined) config.principalTags = c.tags;
  if (c.sourceIp !== undefined) config.sourceIp = c.sourceIp;
  if (c.secureTransport !== undefined) config.secureTransport = c.secureTransport;
  if (c.now !== undefined) {
    const at = new Date(c.now);
    config.now = () => new Date(at.getTime());
  }
  return new KMSClient(config as KMSClientConfig);
}

// ---------------------------------------------------------------------------------------------
// Rows

export type Why =
  'explicit-resource' | 'explicit-identity' | 'no-resource' | 'no-identity' | 'ciphertext' | 'ciphertext-identity';

export interface Denial {
  why: Why;
  /** The kms: action named; default the row's operation. */
  action?: string;
  /** The resource named: the row's key (default), its second key, `*`, or an ARN. */
  on?: 'key' | 'other' | '*' | ((k: KeyRefs) => string);
}

export type Expect = 'allowed' | { error: string } | Denial;

export interface Row {
  name: string;
  key?: KeySetup;
  caller: Caller | ((k: KeyRefs) => Caller);
  op: OperationName;
  input: (k: KeyRefs) => Record<string, unknown>;
  expect: Expect;
  /** Further checks on an allowed row's output. */
  check?: (out: Record<string, unknown>, k: KeyRefs) => void;
}

/** The AccessDeniedException message of a denial, in the forms AWS documents. */
export function deniedMessage(callerArn: string, action: string, resource: string, why: Why): string {
  const head = `User: ${callerArn} is not authorized to perform: kms:${action}`;
  switch (why) {
    case 'explicit-resource':
      return `${head} on resource: ${resource} with an explicit deny in a resource-based policy`;
    case 'explicit-identity':
      return `${head} on resource: ${resource} with an explicit deny in an identity-based policy`;
    case 'no-resource':
      return `${head} on resource: ${resource} because no resource-based policy allows the kms:${action} action`;
    case 'no-identity':
      return `${head} on resource: ${resource} because no identity-based policy allows the kms:${action} action`;
    case 'ciphertext':
      return (
        `${head} on the resource associated with this ciphertext because the resource does not exist in this Region, ` +
        'no resource-based policies allow access, or a resource-based policy explicitly denies access'
      );
    case 'ciphertext-identity':
      return `${head} on the resource associated with this ciphertext because no identity-based policy allows the kms:${action} action`;
  }
}

export async function runRow(store: KeyStore, row: Row): Promise<void> {
  const refs = row.key === undefined ? noKey() : await setUpKey(store, row.key);
  const caller = typeof row.caller === 'function' ? row.caller(refs) : row.caller;
  const client = clientOf(store, caller);
  const p = send(client, row.op, row.input(refs));
  const want = row.expect;
  if (want === 'allowed') {
    const out = await p;
    expect(out.$metadata).toBeDefined();
    row.check?.(out, refs);
    return;
  }
  const err = (await caught(p)) as Error;
  if ('error' in want) {
    expect(`${err.name}: ${err.message}`).toMatch(new RegExp(`^${want.error}: `));
    return;
  }
  const on = want.on ?? 'key';
  const resource = on === 'key' ? refs.arn : on === 'other' ? refs.otherArn : on === '*' ? '*' : on(refs);
  expect(err).toBeInstanceOf(AccessDeniedException);
  expect(err.message).toBe(deniedMessage(callerArnOf(caller), want.action ?? row.op, resource, want.why));
}

/** A peer's P-256 public key (DER SubjectPublicKeyInfo) for DeriveSharedSecret. */
export const PEER_P256 = new Uint8Array(
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' }),
);
