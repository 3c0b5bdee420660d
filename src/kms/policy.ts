// IAM policy documents, compiled once and evaluated per request: key policies (resource-based, with
// Principal or NotPrincipal) and IAM identity policies (attached to a caller, without one). The
// evaluation follows the IAM User Guide's "Policy evaluation logic" and "IAM JSON policy elements":
//
//   - a statement applies when its principal (resource-based policies), its action, its resource
//     and every one of its conditions match the request;
//   - an applicable Deny is an explicit deny; an applicable Allow allows;
//   - conditions: the operators of a statement's Condition block are ANDed, the keys under an
//     operator are ANDed, the values of a key are ORed; condition key names are not case
//     sensitive; a key the request does not have makes a condition false, except for the negated
//     operators (StringNotEquals, ...), `...IfExists`, `ForAllValues:` and Null, which are true
//     (Null "true") for a missing key;
//   - `ForAnyValue:` / `ForAllValues:` compare each of the request's values of a multivalued key;
//     a negated operator without a qualifier is true when no request value matches;
//   - policy variables (`${aws:username}`, `${aws:PrincipalTag/team}`, `${*}`, `${?}`, `${$}`) in
//     Resource and condition values of Version 2012-10-17 documents; a variable the request does
//     not have makes its resource or value match nothing.
//
// What a match means for KMS (key policy "account" principals, grants, cross-account rules) is
// decided in authorize.ts; this module knows nothing of keys.

/** A document that is not a policy this engine evaluates; the message says what is wrong. */
export class PolicyError extends Error {}

/** The caller as policies see it. */
export interface PolicyPrincipal {
  account: string;
  /** The caller's ARN: the account root, an IAM user, or a role session (`arn:aws:sts::A:assumed-role/R/S`). */
  arn: string;
  /** aws:PrincipalArn: the IAM ARN (for a role session, its role's ARN with path). */
  principalArn: string;
}

/** The request's condition key values by lower-case key name; undefined or empty: the key is absent. */
export interface ConditionValues {
  get(key: string): readonly string[] | undefined;
}

/** What the statements that apply to a request say, as bits. */
export const DENY = 1;
/** An Allow whose principal is the caller's account (`arn:aws:iam::A:root` or `A`): the account's IAM decides. */
export const ALLOW_ACCOUNT = 2;
/** An Allow that names the caller (its ARN, its role, `*`), or any Allow of an identity policy. */
export const ALLOW_DIRECT = 4;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface Principals {
  any: boolean;
  accounts: Set<string>;
  arns: Set<string>;
}

interface Pattern {
  /** The pattern as written (`*`: anything); actions in lower case. */
  text: string;
  /** Has `*` or `?` (matched by wildcardMatch) rather than being a plain string. */
  wild: boolean;
  /** Has policy variables, resolved per request. */
  vars: boolean;
}

/** A comparison of a request's value with a policy's (variables resolved; for globbing operators, wildcards kept). */
type Compare = (request: string, policy: string) => boolean;

interface Condition {
  key: string;
  compare: Compare;
  negated: boolean;
  ifExists: boolean;
  /** 0: no qualifier, 1: ForAnyValue, 2: ForAllValues. */
  set: 0 | 1 | 2;
  null: boolean;
  /** StringLike/StringNotLike/Arn*: the policy's values are wildcard patterns. */
  like: boolean;
  values: Pattern[];
}

interface Statement {
  deny: boolean;
  principals?: Principals;
  notPrincipal: boolean;
  actions: Pattern[];
  notAction: boolean;
  /** Undefined: no Resource or NotResource (applies to every resource). */
  resources?: Pattern[];
  notResource: boolean;
  conditions: Condition[];
}

/** A policy document ready to evaluate. */
export interface CompiledPolicy {
  readonly statements: readonly Statement[];
  /** Every condition key (lower case) and policy variable the document reads. */
  readonly keys: ReadonlySet<string>;
  /**
   * A condition applies ForAllValues to a kms:EncryptionContext:<key> key: KMS refuses such key
   * policies as overly permissive (key-policy.ts).
   */
  readonly forAllValuesOnContextKey: boolean;
}

const IDENTITY_MEMBERS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const RESOURCE_MEMBERS = new Set([...IDENTITY_MEMBERS, 'Principal', 'NotPrincipal']);
const VERSIONS = new Set(['2012-10-17', '2008-10-17']);

// ---------------------------------------------------------------------------------------------
// Compiling

const cache = { resource: new Map<string, CompiledPolicy>(), identity: new Map<string, CompiledPolicy>() };
const CACHE_LIMIT = 1024;

/**
 * The compiled form of a policy document (JSON text), cached by its text: a key's policy is parsed
 * once, and again only when it changes. `kind` 'resource' is a key policy (each statement names a
 * Principal or NotPrincipal); 'identity' an IAM policy (none may). Throws PolicyError.
 */
export function compilePolicy(text: string, kind: 'resource' | 'identity'): CompiledPolicy {
  const map = cache[kind];
  const hit = map.get(text);
  if (hit !== undefined) {
    // Least recently used first out: a hit moves to the back once the cache is half full.
    if (map.size > CACHE_LIMIT / 2) {
      map.delete(text);
      map.set(text, hit);
    }
    return hit;
  }
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch {
    throw new PolicyError('The policy is not a valid JSON document.');
  }
  const compiled = compileDocument(doc, kind);
  if (map.size >= CACHE_LIMIT) map.delete(map.keys().next().value as string);
  map.set(text, compiled);
  return compiled;
}

function compileDocument(doc: Json, kind: 'resource' | 'identity'): CompiledPolicy {
  if (!isObject(doc)) throw new PolicyError('The policy must be a JSON object.');
  for (const k of Object.keys(doc)) {
    if (k !== 'Version' && k !== 'Id' && k !== 'Statement')
      throw new PolicyError(`The policy has an unknown element: ${k}.`);
  }
  if (doc.Version !== undefined && (typeof doc.Version !== 'string' || !VERSIONS.has(doc.Version))) {
    throw new PolicyError('The policy Version must be 2012-10-17 or 2008-10-17.');
  }
  // Policy variables exist in version 2012-10-17 only; in older documents `${...}` is literal text.
  const variables = doc.Version === '2012-10-17';
  const raw = doc.Statement;
  if (raw === undefined) throw new PolicyError('The policy has no Statement.');
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw new PolicyError('The policy has no Statement.');
  const keys = new Set<string>();
  const statements = list.map((s) => compileStatement(s, kind, variables, keys));
  const forAllValuesOnContextKey = statements.some((s) =>
    s.conditions.some((c) => c.set === 2 && c.key.startsWith('kms:encryptioncontext:')),
  );
  return { statements, keys, forAllValuesOnContextKey };
}

function compileStatement(s: Json, kind: 'resource' | 'identity', variables: boolean, keys: Set<string>): Statement {
  if (!isObject(s)) throw new PolicyError('Each statement must be a JSON object.');
  const members = kind === 'resource' ? RESOURCE_MEMBERS : IDENTITY_MEMBERS;
  for (const k of Object.keys(s)) {
    if (!members.has(k)) throw new PolicyError(`A statement has an element that is not allowed here: ${k}.`);
  }
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny')
    throw new PolicyError('Each statement needs an Effect of Allow or Deny.');
  if (kind === 'resource' && (s.Principal === undefined) === (s.NotPrincipal === undefined)) {
    throw new PolicyError('Each statement needs exactly one of Principal and NotPrincipal.');
  }
  // IAM User Guide, NotPrincipal: "Using it with "Effect":"Allow" is not supported."
  if (s.NotPrincipal !== undefined && s.Effect !== 'Deny') {
    throw new PolicyError('NotPrincipal can be used only in a statement with "Effect": "Deny".');
  }
  if ((s.Action === undefined) === (s.NotAction === undefined)) {
    throw new PolicyError('Each statement needs exactly one of Action and NotAction.');
  }
  if (s.Resource !== undefined && s.NotResource !== undefined) {
    throw new PolicyError('A statement cannot have both Resource and NotResource.');
  }
  if (kind === 'identity' && s.Resource === undefined && s.NotResource === undefined) {
    throw new PolicyError('Each statement of an identity policy needs a Resource or NotResource.');
  }
  const principal = s.Principal ?? s.NotPrincipal;
  const action = (s.Action ?? s.NotAction) as Json;
  const resource = s.Resource ?? s.NotResource;
  return {
    deny: s.Effect === 'Deny',
    principals: principal === undefined ? undefined : compilePrincipals(principal),
    notPrincipal: s.NotPrincipal !== undefined,
    actions: strings(action, 'Action').map((a) => {
      if (!/^(?:\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$/.test(a))
        throw new PolicyError(`The policy has an invalid action: ${a}.`);
      return { text: a.toLowerCase(), wild: /[*?]/.test(a), vars: false };
    }),
    notAction: s.NotAction !== undefined,
    // A key policy statement without Resource or NotResource applies to nothing.
    resources:
      resource === undefined
        ? kind === 'resource'
          ? []
          : undefined
        : strings(resource, 'Resource').map((r) => pattern(r, variables, true, keys)),
    notResource: s.NotResource !== undefined,
    conditions: s.Condition === undefined ? [] : compileConditions(s.Condition, variables, keys),
  };
}

const AWS_PRINCIPAL = /^(?:\*|\d{12}|arn:aws[a-z-]*:(?:iam|sts)::\d{12}:\S+)$/;
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
const INVALID_PRINCIPALS = 'Policy contains a statement with one or more invalid principals.';

function compilePrincipals(p: Json): Principals {
  const out: Principals = { any: false, accounts: new Set(), arns: new Set() };
  if (p === '*') {
    out.any = true;
    return out;
  }
  if (!isObject(p) || Object.keys(p).length === 0) throw new PolicyError(INVALID_PRINCIPALS);
  for (const [type, value] of Object.entries(p)) {
    if (!PRINCIPAL_TYPES.has(type)) throw new PolicyError(INVALID_PRINCIPALS);
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0 || values.some((v) => typeof v !== 'string' || v === ''))
      throw new PolicyError(INVALID_PRINCIPALS);
    // Only AWS principals can call this engine: a Service, Federated or CanonicalUser principal is
    // kept out of the sets, so it matches no caller.
    if (type !== 'AWS') continue;
    for (const v of values as string[]) {
      if (!AWS_PRINCIPAL.test(v)) throw new PolicyError(INVALID_PRINCIPALS);
      if (v === '*') out.any = true;
      else if (/^\d{12}$/.test(v)) out.accounts.add(v);
      else {
        const root = /^arn:aws[a-z-]*:iam::(\d{12}):root$/.exec(v);
        if (root !== null) out.accounts.add(root[1]!);
        else out.arns.add(v);
      }
    }
  }
  return out;
}

function strings(v: Json, element: string): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || list.some((x) => typeof x !== 'string')) {
    throw new PolicyError(`A statement ${element} must be a string or a non-empty list of strings.`);
  }
  return list as string[];
}

// The condition operators (IAM User Guide, "IAM JSON policy elements: Condition operators"):
// name → [comparison, negated].
const lower = (s: string) => s.toLowerCase();
const OPERATORS = new Map<string, [Compare, boolean]>([
  ['StringEquals', [(r, p) => r === p, false]],
  ['StringNotEquals', [(r, p) => r === p, true]],
  ['StringEqualsIgnoreCase', [(r, p) => lower(r) === lower(p), false]],
  ['StringNotEqualsIgnoreCase', [(r, p) => lower(r) === lower(p), true]],
  ['StringLike', [(r, p) => wildcardMatch(p, r), false]],
  ['StringNotLike', [(r, p) => wildcardMatch(p, r), true]],
  ['NumericEquals', [(r, p) => numeric(r, p, (a, b) => a === b), false]],
  ['NumericNotEquals', [(r, p) => numeric(r, p, (a, b) => a === b), true]],
  ['NumericLessThan', [(r, p) => numeric(r, p, (a, b) => a < b), false]],
  ['NumericLessThanEquals', [(r, p) => numeric(r, p, (a, b) => a <= b), false]],
  ['NumericGreaterThan', [(r, p) => numeric(r, p, (a, b) => a > b), false]],
  ['NumericGreaterThanEquals', [(r, p) => numeric(r, p, (a, b) => a >= b), false]],
  ['DateEquals', [(r, p) => dates(r, p, (a, b) => a === b), false]],
  ['DateNotEquals', [(r, p) => dates(r, p, (a, b) => a === b), true]],
  ['DateLessThan', [(r, p) => dates(r, p, (a, b) => a < b), false]],
  ['DateLessThanEquals', [(r, p) => dates(r, p, (a, b) => a <= b), false]],
  ['DateGreaterThan', [(r, p) => dates(r, p, (a, b) => a > b), false]],
  ['DateGreaterThanEquals', [(r, p) => dates(r, p, (a, b) => a >= b), false]],
  ['Bool', [(r, p) => lower(r) === lower(p), false]],
  ['BinaryEquals', [(r, p) => r === p, false]],
  ['IpAddress', [(r, p) => inCidr(r, p), false]],
  ['NotIpAddress', [(r, p) => inCidr(r, p), true]],
  // ArnEquals and ArnLike both take wildcards, each of the six colon-separated components
  // compared on its own (IAM User Guide); the comparison is case sensitive.
  ['ArnEquals', [(r, p) => arnMatch(p, r), false]],
  ['ArnLike', [(r, p) => arnMatch(p, r), false]],
  ['ArnNotEquals', [(r, p) => arnMatch(p, r), true]],
  ['ArnNotLike', [(r, p) => arnMatch(p, r), true]],
]);

/** The operator names a policy may use (without ForAnyValue:/ForAllValues: and IfExists). */
export const CONDITION_OPERATORS: readonly string[] = [...OPERATORS.keys(), 'Null'];

function compileConditions(block: Json, variables: boolean, keys: Set<string>): Condition[] {
  if (!isObject(block)) throw new PolicyError('A statement Condition must be a JSON object.');
  const out: Condition[] = [];
  for (const [name, entries] of Object.entries(block)) {
    let op = name;
    let set: 0 | 1 | 2 = 0;
    if (op.startsWith('ForAnyValue:')) {
      set = 1;
      op = op.slice('ForAnyValue:'.length);
    } else if (op.startsWith('ForAllValues:')) {
      set = 2;
      op = op.slice('ForAllValues:'.length);
    }
    const ifExists = op.endsWith('IfExists') && op !== 'IfExists';
    if (ifExists) op = op.slice(0, -'IfExists'.length);
    const isNull = op === 'Null';
    const known = OPERATORS.get(op);
    if ((!isNull && known === undefined) || (isNull && (ifExists || set !== 0))) {
      throw new PolicyError(`The policy has an invalid condition operator: ${name}.`);
    }
    if (!isObject(entries) || Object.keys(entries).length === 0) {
      throw new PolicyError(`The condition operator ${name} must map condition keys to values.`);
    }
    for (const [key, value] of Object.entries(entries)) {
      if (!/^[A-Za-z0-9-]+:[\x21-\x7e]+$/.test(key))
        throw new PolicyError(`The policy has an invalid condition key: ${key}.`);
      const list = Array.isArray(value) ? value : [value];
      if (
        list.length === 0 ||
        list.some((v) => typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
      ) {
        throw new PolicyError(
          `The condition key ${key} must have a string, number or boolean value, or a list of them.`,
        );
      }
      const k = key.toLowerCase();
      keys.add(k);
      const like = op === 'StringLike' || op === 'StringNotLike' || op.startsWith('Arn');
      out.push({
        key: k,
        compare: known?.[0] ?? (() => false),
        negated: known?.[1] ?? false,
        ifExists,
        set,
        null: isNull,
        like,
        values: list.map((v) =>
          pattern(String(v), variables && (op.startsWith('String') || op.startsWith('Arn')), like, keys),
        ),
      });
    }
  }
  return out;
}

/**
 * A pattern of a policy; with policy variables when `variables` and the text has `${...}` (their
 * keys go into `keys`). `glob`: its `*` and `?` are wildcards.
 */
function pattern(text: string, variables: boolean, glob: boolean, keys?: Set<string>): Pattern {
  const vars = variables && text.includes('${');
  if (vars) {
    for (const m of text.matchAll(/\$\{([^}]*)\}/g)) {
      const name = variableName(m[1]!);
      if (name !== '*' && name !== '?' && name !== '$') keys?.add(name.toLowerCase());
    }
  }
  return { text, vars, wild: glob && /[*?]/.test(text) };
}

/** The key of a variable's text (`aws:username`, or `aws:username, 'default'`). */
function variableName(inner: string): string {
  const comma = inner.indexOf(',');
  return (comma < 0 ? inner : inner.slice(0, comma)).trim();
}

// A `*` or `?` that came from `${*}` / `${?}` is a literal character: resolveVariables writes
// these stand-ins, which wildcardMatch compares as the literal characters.
const LITERAL_STAR = '\uE000';
const LITERAL_QUESTION = '\uE001';

/**
 * Whether `value` matches the whole of `pattern`: `*` any run of characters (none included), `?`
 * exactly one. Greedy with one backtrack point, so time is at most proportional to the product
 * of the lengths — never exponential, whatever a caller sends.
 */
export function wildcardMatch(pattern: string, value: string): boolean {
  const pl = pattern.length;
  const vl = value.length;
  let p = 0;
  let v = 0;
  let star = -1;
  let mark = 0;
  while (v < vl) {
    if (p < pl) {
      const c = pattern.charCodeAt(p);
      if (c === 42) {
        star = p++;
        mark = v;
        continue;
      }
      if (c === 63 || literal(c) === value.charCodeAt(v)) {
        p++;
        v++;
        continue;
      }
    }
    if (star < 0) return false;
    p = star + 1;
    v = ++mark;
  }
  while (p < pl && pattern.charCodeAt(p) === 42) p++;
  return p === pl;
}

function literal(c: number): number {
  return c === 0xe000 ? 42 : c === 0xe001 ? 63 : c;
}

/** The text with the stand-ins of literal wildcards turned back into `*` and `?`. */
function plain(text: string): string {
  return text.includes(LITERAL_STAR) || text.includes(LITERAL_QUESTION)
    ? text.split(LITERAL_STAR).join('*').split(LITERAL_QUESTION).join('?')
    : text;
}

/** The six colon-separated components of an ARN (the last may hold colons); undefined if fewer. */
function arnParts(arn: string): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  for (let k = 0; k < 5; k++) {
    const colon = arn.indexOf(':', start);
    if (colon < 0) return undefined;
    parts.push(arn.slice(start, colon));
    start = colon + 1;
  }
  parts.push(arn.slice(start));
  return parts;
}

/** ArnLike / ArnEquals: each component of the ARN matched by the pattern's. */
function arnMatch(pattern: string, value: string): boolean {
  const p = arnParts(pattern);
  const v = arnParts(value);
  if (p === undefined || v === undefined) return false;
  for (let i = 0; i < 6; i++) if (!wildcardMatch(p[i]!, v[i]!)) return false;
  return true;
}

function isObject(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// Evaluating

/**
 * The bits (DENY, ALLOW_ACCOUNT, ALLOW_DIRECT) of the statements of `policy` that apply to the
 * caller performing `action` (e.g. `kms:Encrypt`) on `resource` (an ARN, or `*` for actions
 * without a resource). `principal` is undefined for identity policies (they have no Principal).
 */
export function evaluatePolicy(
  policy: CompiledPolicy,
  principal: PolicyPrincipal | undefined,
  action: string,
  resource: string,
  values: ConditionValues,
): number {
  let bits = 0;
  for (const s of policy.statements) {
    let via = ALLOW_DIRECT;
    if (s.principals !== undefined && principal !== undefined) {
      if (s.notPrincipal) {
        if (listedIn(s.principals, principal)) continue;
      } else {
        const m = principalMatch(s.principals, principal);
        if (m === 0) continue;
        via = m;
      }
    }
    if (anyPattern(s.actions, action, values) === s.notAction) continue;
    if (s.resources !== undefined && anyPattern(s.resources, resource, values) === s.notResource) continue;
    if (!conditionsHold(s.conditions, values)) continue;
    bits |= s.deny ? DENY : via;
  }
  return bits;
}

/**
 * How a Principal element names the caller: ALLOW_DIRECT for `*`, the caller's ARN, or, for a
 * role session, its role's ARN; ALLOW_ACCOUNT for the caller's account (`A` or
 * `arn:aws:iam::A:root`), which delegates to the account's IAM policies; 0 otherwise.
 */
function principalMatch(p: Principals, c: PolicyPrincipal): number {
  if (p.any || p.arns.has(c.arn) || p.arns.has(c.principalArn)) return ALLOW_DIRECT;
  return p.accounts.has(c.account) ? ALLOW_ACCOUNT : 0;
}

/**
 * Whether a NotPrincipal element lists the caller, which it then does not apply to. As the IAM User
 * Guide explains for NotPrincipal with Deny, AWS checks each identity a request carries: the
 * account, and the user; or the account, the role and its session. All must be listed; a session
 * listed without its role and account is still denied.
 */
function listedIn(p: Principals, c: PolicyPrincipal): boolean {
  if (p.any) return true;
  if (!p.accounts.has(c.account)) return false;
  if (/^arn:[^:]+:iam::\d{12}:root$/.test(c.arn)) return true;
  return p.arns.has(c.arn) && (c.principalArn === c.arn || p.arns.has(c.principalArn));
}

function anyPattern(patterns: readonly Pattern[], value: string, values: ConditionValues): boolean {
  for (const p of patterns) {
    if (p.text === '*') return true;
    if (p.vars) {
      const text = resolveVariables(p.text, values);
      if (text !== undefined && wildcardMatch(text, value)) return true;
    } else if (p.wild ? wildcardMatch(p.text, value) : p.text === value) return true;
  }
  return false;
}

function conditionsHold(conditions: readonly Condition[], values: ConditionValues): boolean {
  for (const c of conditions) if (!conditionHolds(c, values)) return false;
  return true;
}

function conditionHolds(c: Condition, values: ConditionValues): boolean {
  const request = values.get(c.key);
  const absent = request === undefined || request.length === 0;
  if (c.null) {
    // Null: "true" holds when the key is absent, "false" when it is present.
    return c.values.some((v) => (v.text.toLowerCase() === 'true') === absent);
  }
  if (absent) {
    if (c.ifExists || c.set === 2) return true;
    if (c.set === 1) return false;
    return c.negated;
  }
  const matches = (r: string) => {
    for (const v of c.values) {
      let text = v.vars ? resolveVariables(v.text, values) : v.text;
      if (text === undefined) continue;
      if (v.vars && !c.like) text = plain(text);
      if (c.compare(r, text)) return true;
    }
    return false;
  };
  if (c.set === 2) return request.every((r) => matches(r) !== c.negated);
  if (c.set === 1) return request.some((r) => matches(r) !== c.negated);
  const any = request.some(matches);
  return c.negated ? !any : any;
}

/**
 * The text with its policy variables replaced by the request's values (`${key, 'default'}`: the
 * default when the request has no value); undefined when one is missing without a default.
 * `${*}`, `${?}` and `${$}` are the literal characters.
 */
function resolveVariables(text: string, values: ConditionValues): string | undefined {
  let missing = false;
  const out = text.replace(/\$\{([^}]*)\}/g, (_m, inner: string) => {
    const name = variableName(inner);
    if (name === '*') return LITERAL_STAR;
    if (name === '?') return LITERAL_QUESTION;
    if (name === '$') return '$';
    const v = values.get(name.toLowerCase());
    if (v !== undefined && v.length === 1) return v[0]!;
    const fallback = /^[^,]*,\s*'([^']*)'\s*$/.exec(inner);
    if (fallback !== null) return fallback[1]!;
    missing = true;
    return '';
  });
  return missing ? undefined : out;
}

function numeric(r: string, p: string, cmp: (a: number, b: number) => boolean): boolean {
  const a = Number(r);
  const b = Number(p);
  if (r.trim() === '' || p.trim() === '' || Number.isNaN(a) || Number.isNaN(b)) return false;
  return cmp(a, b);
}

/** A date of a Date condition: ISO 8601 (W3C profile) or seconds since the epoch. */
export function parseDate(s: string): number {
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const m = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(s);
  if (m === null) return Number.NaN;
  // A time without an offset is UTC, whatever the host's time zone.
  return Date.parse(s.includes('T') && m[1] === undefined ? `${s}Z` : s);
}

function dates(r: string, p: string, cmp: (a: number, b: number) => boolean): boolean {
  const a = parseDate(r);
  const b = parseDate(p);
  return !Number.isNaN(a) && !Number.isNaN(b) && cmp(a, b);
}

// IP addresses (IpAddress, NotIpAddress): IPv4 and IPv6, with a CIDR prefix length or without
// (a single address). An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is its IPv4 address.

/** The address as bytes (4 or 16), or undefined when it is not one. */
export function parseIp(s: string): Uint8Array | undefined {
  if (s.includes('.') && !s.includes(':')) return parseIpv4(s);
  if (!s.includes(':')) return undefined;
  let text = s;
  let tail: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail = parseIpv4(text.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const group = (part: string) => (part === '' ? [] : part.split(':'));
  const head = group(halves[0]!);
  const rest = halves.length === 2 ? group(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const words = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(words[i]!)) return undefined;
    const w = parseInt(words[i]!, 16);
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  }
  if (tail !== undefined) out.set(tail, 12);
  const mapped = out.subarray(0, 12).every((b, i) => b === (i >= 10 ? 0xff : 0));
  return mapped ? out.slice(12) : out;
}

function parseIpv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return Uint8Array.from(parts.map(Number));
}

function inCidr(address: string, cidr: string): boolean {
  const slash = cidr.indexOf('/');
  const net = parseIp(slash < 0 ? cidr : cidr.slice(0, slash));
  const ip = parseIp(address);
  if (net === undefined || ip === undefined || net.length !== ip.length) return false;
  const prefix = slash < 0 ? undefined : cidr.slice(slash + 1);
  if (prefix !== undefined && !/^\d{1,3}$/.test(prefix)) return false;
  const bits = prefix === undefined ? net.length * 8 : Number(prefix);
  if (bits > net.length * 8) return false;
  for (let i = 0; i < net.length; i++) {
    const take = Math.max(0, Math.min(8, bits - 8 * i));
    const mask = take === 0 ? 0 : (0xff << (8 - take)) & 0xff;
    if ((ip[i]! & mask) !== (net[i]! & mask)) return false;
  }
  return true;
}
