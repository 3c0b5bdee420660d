// Key policies (the `policy` field of a key record): the default key policy a key gets when none
// is given, and the checks CreateKey, PutKeyPolicy and ReplicateKey apply to a policy document
// before they keep it. Who a policy lets in is not evaluated here (authorize.ts decides); the
// only evaluation is KMS's lockout safety check, for the calling principal and kms:PutKeyPolicy.
//
// Checks, in this order:
//   1. the document's size: at most 32768 bytes of UTF-8 (KMS quota "Key policy document size:
//      32 KB"); the SDK model says a policy over the length constraint gets LimitExceededException;
//   2. its characters: tab, line feed, carriage return and U+0020..U+00FF only (the model's rule);
//   3. an IAM policy document in JSON: an object of Version (2012-10-17 or 2008-10-17), Id and
//      Statement; each statement an object of Sid, Effect (Allow | Deny), Principal or
//      NotPrincipal (a key policy statement needs one), Action or NotAction, Resource or
//      NotResource, and Condition; nothing else;
//   4. unless BypassPolicyLockoutSafetyCheck: the policy must allow the caller kms:PutKeyPolicy.
// Failures of 2..4 are MalformedPolicyDocumentException. The lockout message and "Policy contains
// a statement with one or more invalid principals." are KMS's documented texts (developer guide);
// the others are this engine's wording (AWS's are not recorded).

import { LimitExceededException, MalformedPolicyDocumentException } from './exceptions.js';
import { compilePolicy, PolicyError, wildcardMatch } from './policy.js';

/** KMS's quota on a key policy document, in bytes. */
export const MAX_KEY_POLICY_BYTES = 32768;

/** The only key policy name (GetKeyPolicy, PutKeyPolicy, ListKeyPolicies). */
export const DEFAULT_POLICY_NAME = 'default';

export const LOCKOUT_MESSAGE = 'The new key policy will not allow you to update the key policy in the future.';
const INVALID_PRINCIPALS = 'Policy contains a statement with one or more invalid principals.';

/**
 * The default key policy of a key created through the API without a Policy, in the exact text
 * GetKeyPolicy returns for it (AWS KMS Developer Guide, "Default key policy"; the same text
 * appears in the guide's CloudTrail example of PutKeyPolicy): one statement allowing `kms:*` to
 * the account's root.
 */
export function defaultKeyPolicy(partition: string, account: string): string {
  return [
    '{',
    '  "Version" : "2012-10-17",',
    '  "Id" : "key-default-1",',
    '  "Statement" : [ {',
    '    "Sid" : "Enable IAM User Permissions",',
    '    "Effect" : "Allow",',
    '    "Principal" : {',
    `      "AWS" : "arn:${partition}:iam::${account}:root"`,
    '    },',
    '    "Action" : "kms:*",',
    '    "Resource" : "*"',
    '  } ]',
    '}',
  ].join('\n');
}

export interface KeyPolicyCheckOptions {
  /** BypassPolicyLockoutSafetyCheck: skip step 4. */
  bypassLockoutCheck: boolean;
  /** The calling principal's ARN (authorize.ts callerArn: the account's root by default). */
  callerArn: string;
  /** The caller's account (12 digits). */
  account: string;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface Statement {
  effect: 'Allow' | 'Deny';
  principal?: Principals;
  notPrincipal?: Principals;
  action?: string[];
  notAction?: string[];
  hasResource: boolean;
  hasCondition: boolean;
}

/** A Principal element: "*" (everyone) or its values by type (AWS, Service, Federated, CanonicalUser). */
type Principals = '*' | Record<string, string[]>;

const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
const STATEMENT = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const ACTION = /^(?:\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$/;
const AWS_PRINCIPAL = /^(?:\*|\d{12}|arn:aws[a-z-]*:(?:iam|sts)::\d{12}:\S+)$/;
// Tab, LF, CR and U+0020..U+00FF.
const ALLOWED_CHARS = /^[\t\n\r\u0020-\u00ff]*$/;

const malformed = (message: string) => new MalformedPolicyDocumentException(message);

/**
 * Checks a key policy document as KMS does before keeping it (header): throws
 * LimitExceededException for a document over 32 KB and MalformedPolicyDocumentException for one
 * that is not a key policy or, without `bypassLockoutCheck`, would lock the caller out.
 */
export function checkKeyPolicy(text: string, opts: KeyPolicyCheckOptions): void {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_KEY_POLICY_BYTES) {
    throw new LimitExceededException(
      `The key policy is ${bytes} bytes; a key policy document can be at most ${MAX_KEY_POLICY_BYTES} bytes.`,
    );
  }
  if (!ALLOWED_CHARS.test(text)) {
    throw malformed(
      'The key policy contains a character that is not allowed: only tab, line feed, carriage return and U+0020 to U+00FF are.',
    );
  }
  const statements = parsePolicy(text);
  // What is kept must be a policy the evaluator reads: condition operators, keys, actions (policy.ts).
  let compiled;
  try {
    compiled = compilePolicy(text, 'resource');
  } catch (err) {
    if (err instanceof PolicyError) throw malformed(err.message);
    throw err;
  }
  // AWS KMS Developer Guide, kms:EncryptionContext:context-key: a ForAllValues on it is refused as
  // overly permissive (the key is single-valued; an empty context would satisfy it).
  if (compiled.forAllValuesOnContextKey) {
    const key =
      /"ForAllValues:[A-Za-z]+"\s*:\s*\{\s*"(kms:EncryptionContext:[^"]+)"/i.exec(text)?.[1] ??
      'kms:EncryptionContext:';
    throw malformed(
      `OverlyPermissiveCondition: Using the ForAllValues set operator with the single-valued condition key ${key} is overly permissive.`,
    );
  }
  if (!opts.bypassLockoutCheck && !allowsPutKeyPolicy(statements, opts)) throw malformed(LOCKOUT_MESSAGE);
}

function parsePolicy(text: string): Statement[] {
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch {
    throw malformed('The key policy is not a valid JSON document.');
  }
  if (!isObject(doc)) throw malformed('The key policy must be a JSON object.');
  for (const k of Object.keys(doc)) {
    if (!TOP_LEVEL.has(k)) throw malformed(`The key policy has an unknown element: ${k}.`);
  }
  if (doc.Version !== undefined && (typeof doc.Version !== 'string' || !VERSIONS.has(doc.Version))) {
    throw malformed('The key policy Version must be 2012-10-17 or 2008-10-17.');
  }
  if (doc.Id !== undefined && typeof doc.Id !== 'string') throw malformed('The key policy Id must be a string.');
  const raw = doc.Statement;
  if (raw === undefined) throw malformed('The key policy has no Statement.');
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw malformed('The key policy has no Statement.');
  return list.map(parseStatement);
}

function parseStatement(s: Json): Statement {
  if (!isObject(s)) throw malformed('Each statement of the key policy must be a JSON object.');
  for (const k of Object.keys(s)) {
    if (!STATEMENT.has(k)) throw malformed(`A statement of the key policy has an unknown element: ${k}.`);
  }
  if (s.Sid !== undefined && typeof s.Sid !== 'string') throw malformed('A statement Sid must be a string.');
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') {
    throw malformed('Each statement of the key policy needs an Effect of Allow or Deny.');
  }
  if ((s.Principal === undefined) === (s.NotPrincipal === undefined)) {
    throw malformed('Each statement of the key policy needs exactly one of Principal and NotPrincipal.');
  }
  if ((s.Action === undefined) === (s.NotAction === undefined)) {
    throw malformed('Each statement of the key policy needs exactly one of Action and NotAction.');
  }
  if (s.Resource !== undefined && s.NotResource !== undefined) {
    throw malformed('A statement of the key policy cannot have both Resource and NotResource.');
  }
  if (s.Condition !== undefined && !isObject(s.Condition)) {
    throw malformed('A statement Condition must be a JSON object.');
  }
  const statement: Statement = {
    effect: s.Effect,
    hasResource: s.Resource !== undefined || s.NotResource !== undefined,
    hasCondition: s.Condition !== undefined,
  };
  if (s.Principal !== undefined) statement.principal = parsePrincipals(s.Principal);
  if (s.NotPrincipal !== undefined) statement.notPrincipal = parsePrincipals(s.NotPrincipal);
  if (s.Action !== undefined) statement.action = parseActions(s.Action, 'Action');
  if (s.NotAction !== undefined) statement.notAction = parseActions(s.NotAction, 'NotAction');
  for (const r of [s.Resource, s.NotResource]) if (r !== undefined) stringList(r, 'Resource');
  return statement;
}

function parsePrincipals(p: Json): Principals {
  if (p === '*') return '*';
  if (!isObject(p) || Object.keys(p).length === 0) throw malformed(INVALID_PRINCIPALS);
  const out: Record<string, string[]> = {};
  for (const [type, value] of Object.entries(p)) {
    if (!PRINCIPAL_TYPES.has(type)) throw malformed(INVALID_PRINCIPALS);
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0 || values.some((v) => typeof v !== 'string' || v === ''))
      throw malformed(INVALID_PRINCIPALS);
    const strings = values as string[];
    if (type === 'AWS' && strings.some((v) => !AWS_PRINCIPAL.test(v))) throw malformed(INVALID_PRINCIPALS);
    out[type] = strings;
  }
  return out;
}

function parseActions(a: Json, element: string): string[] {
  const actions = stringList(a, element);
  for (const x of actions) if (!ACTION.test(x)) throw malformed(`The key policy has an invalid ${element}: ${x}.`);
  return actions;
}

function stringList(v: Json, element: string): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || list.some((x) => typeof x !== 'string')) {
    throw malformed(`A statement ${element} must be a string or a non-empty list of strings.`);
  }
  return list as string[];
}

function isObject(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// The lockout safety check

/**
 * Whether the statements allow the caller kms:PutKeyPolicy: an Allow statement (with a Resource)
 * whose principals include the caller and whose actions include kms:PutKeyPolicy, and no Deny
 * statement without a Condition that does the same. Conditions of Allow statements are not
 * evaluated (they might hold).
 */
function allowsPutKeyPolicy(statements: readonly Statement[], opts: KeyPolicyCheckOptions): boolean {
  const applies = (s: Statement) => coversCaller(s, opts) && coversAction(s, 'kms:PutKeyPolicy');
  if (statements.some((s) => s.effect === 'Deny' && !s.hasCondition && applies(s))) return false;
  return statements.some((s) => s.effect === 'Allow' && s.hasResource && applies(s));
}

function coversCaller(s: Statement, opts: KeyPolicyCheckOptions): boolean {
  if (s.principal !== undefined) return principalsMatch(s.principal, opts);
  return s.notPrincipal !== undefined && !principalsMatch(s.notPrincipal, opts);
}

function principalsMatch(p: Principals, opts: KeyPolicyCheckOptions): boolean {
  if (p === '*') return true;
  return (p.AWS ?? []).some((v) => awsPrincipalMatches(v, opts));
}

/**
 * A Principal's AWS value names the caller when it is `*`, the caller's account (its id or its
 * root ARN: the account delegates to its IAM policies), the caller's own ARN, or, for a role
 * session, the role it assumed.
 */
function awsPrincipalMatches(v: string, { callerArn, account }: KeyPolicyCheckOptions): boolean {
  if (v === '*' || v === account || v === callerArn) return true;
  const partition = /^arn:(aws[a-z-]*):/.exec(callerArn)?.[1] ?? 'aws';
  if (v === `arn:${partition}:iam::${account}:root`) return true;
  const session = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(callerArn);
  if (session !== null) {
    const [, p, acct, role] = session;
    // The role's ARN, with any path: arn:<p>:iam::<acct>:role/[path/]<role>.
    const prefix = `arn:${p}:iam::${acct}:role/`;
    const rest = v.startsWith(prefix) ? v.slice(prefix.length) : undefined;
    if (rest !== undefined && (rest === role || rest.endsWith(`/${role}`))) return true;
  }
  return false;
}

function coversAction(s: Statement, action: string): boolean {
  if (s.action !== undefined) return s.action.some((a) => actionMatches(a, action));
  return s.notAction !== undefined && !s.notAction.some((a) => actionMatches(a, action));
}

/** IAM action matching: case-insensitive, `*` any run of characters, `?` one character (policy.ts wildcardMatch). */
export function actionMatches(pattern: string, action: string): boolean {
  return wildcardMatch(pattern.toLowerCase(), action.toLowerCase());
}
